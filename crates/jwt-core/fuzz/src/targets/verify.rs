//! (a) Token verification against fixed keys.
//!
//! The input is the token text. It goes through four verifiers (RFC 7515/8037 keys: HS256,
//! RS256, ES256, EdDSA; RFC 7520 keys with `kid`s: RS256, PS384, HS256; the interop keys with
//! plain and with strict validation), every entry point of each (`verify` into
//! `serde_json::Value` and into typed, flattened and borrowing structs, `verify_detailed`,
//! `verify_borrowed`, `verify_raw`), and through `danger_decode_unverified`. Seeds are the RFC
//! and PyJWT tokens, which verify, so mutations start past the signature check.
//!
//! Invariants (see `jwt_core_fuzz::exercise`): no panic; the entry points agree; an accepted
//! token decodes unverified to the same header, payload and claims; only time failures hand
//! back claims.

use jwt_core::Limits;
use crate::{exercise, inspect, verifiers};

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let v = verifiers();
    for verifier in [&v.rfc, &v.rfc7520, &v.interop_plain, &v.interop_strict] {
        exercise(verifier, token);
    }
    inspect(token, &Limits::default());
    inspect(token, v.interop_strict.limits());
}
