//! (b) Header and claims parsing behind a valid signature.
//!
//! The fuzzer writes the decoded header and payload JSON; the target base64url-encodes them and
//! MACs them with HS256 under the verifiers' secret, so every input reaches the header policy
//! and, when the header is acceptable, the claims layer.
//!
//! Input layout: byte 0 selects the verifier configuration (bits 0-2) and whether the header is
//! fuzzed (bit 3); the rest is `header JSON, 0xFF, payload JSON` when the header is fuzzed and
//! the payload JSON alone otherwise (header `{"alg":"HS256"}`). 0xFF never occurs in UTF-8, so
//! it cannot collide with JSON text the fuzzer wants to write.

use std::sync::OnceLock;

use jwt_core::{Algorithm, FixedClock, KeySet, Limits, Validation, Verifier, VerifyingKey};
use crate::{NOW, SECRET, SECRET_2, exercise, hs256_token, inspect};

fn configurations() -> &'static [Verifier; 8] {
    static CONFIGS: OnceLock<[Verifier; 8]> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let key = || VerifyingKey::from_hmac_secret(Algorithm::HS256, SECRET).expect("secret");
        let single = || Verifier::new(key());
        let clock = || Validation::new().clock(FixedClock(NOW));
        let keyed = KeySet::new([
            key().with_kid("k1"),
            VerifyingKey::from_hmac_secret(Algorithm::HS256, SECRET_2)
                .expect("secret")
                .with_kid("k2"),
            VerifyingKey::from_hmac_secret(Algorithm::HS512, SECRET_2)
                .expect("secret")
                .with_kid("k1"),
        ])
        .expect("distinct kids");
        [
            // 0: the defaults.
            single().with_validation(clock()),
            // 1: exp optional.
            single().with_validation(clock().allow_missing_exp()),
            // 2: every registered-claim expectation.
            single().with_validation(
                clock()
                    .issuer("https://issuer.example")
                    .audience("api")
                    .audience("web")
                    .subject("alice")
                    .require("jti")
                    .require("iat"),
            ),
            // 3: explicit typing and time policy.
            single().with_validation(
                clock()
                    .typ("at+jwt")
                    .leeway(300)
                    .reject_issued_in_future()
                    .max_age(3600),
            ),
            // 4: tight limits.
            single()
                .with_validation(clock().allow_missing_exp())
                .with_limits(
                    Limits::default()
                        .max_json_depth(3)
                        .max_header_len(64)
                        .max_token_len(512),
                ),
            // 5: raised limits (past serde_json's own recursion limit of 128).
            single()
                .with_validation(clock().allow_missing_exp())
                .with_limits(
                    Limits::default()
                        .max_json_depth(200)
                        .max_header_len(16 * 1024)
                        .max_token_len(64 * 1024),
                ),
            // 6: several keys chosen by kid.
            Verifier::with_key_set(keyed).with_validation(clock().allow_missing_exp()),
            // 7: depth 1: only flat objects.
            single()
                .with_validation(clock().allow_missing_exp())
                .with_limits(Limits::default().max_json_depth(1)),
        ]
    })
}

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (header, payload) = if flags & 0x08 != 0 {
        match rest.iter().position(|&b| b == 0xFF) {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, &b"{}"[..]),
        }
    } else {
        (&br#"{"alg":"HS256"}"#[..], rest)
    };
    let token = hs256_token(header, payload, SECRET);
    let verifier = &configurations()[usize::from(flags & 0x07)];
    exercise(verifier, &token);
    inspect(&token, verifier.limits());
}
