//! `jwt decode`: verify a token, then print its payload exactly as signed.
//!
//! Why print bytes and not a parsed value: after `jwt-core` has verified the signature and the
//! claims, the payload bytes of that same token text are what the issuer signed; printing them
//! (whitespace removed, nothing reordered or reformatted) keeps integers up to 2^64-1, and any
//! number spelling, exact.
//!
//! The verifier's policy, on top of `jwt-core`'s strict defaults:
//! - `exp` is optional (`Validation::allow_missing_exp`) unless `--require exp`;
//!   `exp`/`nbf` are checked whenever present;
//! - `--iss`/`--aud`/`--sub` make their claim required and must match;
//! - a token with `aud` is rejected unless `--aud` is given (jwt-core's strict audience rule,
//!   kept on purpose and documented in `--help`).

use jwt_core::{Validation, Verifier};

use super::Output;
use crate::cli::DecodeArgs;
use crate::failure::Failure;
use crate::{input, json_text, keys};

pub(super) fn run(args: &DecodeArgs) -> Result<Output, Failure> {
    let token = input::token(&args.token)?;
    let key = keys::load(&args.key)?;
    let key_set = keys::verifying_keys(&key, args.alg, args.allow_short_secret, &token)?;
    let verifier = Verifier::with_key_set(key_set).with_validation(validation(args));
    // The verified payload bytes themselves (see the module docs).
    let verified = verifier
        .verify_raw(&token)
        .map_err(|e| Failure::rejected(&e))?;
    let payload = std::str::from_utf8(verified.claims())
        .map_err(|_| Failure::Rejected("token rejected: invalid_payload (not UTF-8)".to_owned()))?;
    Ok(Output::line(json_text::minify(payload)))
}

fn validation(args: &DecodeArgs) -> Validation {
    let mut validation = Validation::new().leeway(args.leeway);
    if !args.require.iter().any(|claim| claim == "exp") {
        validation = validation.allow_missing_exp();
    }
    for claim in &args.require {
        validation = validation.require(claim.clone());
    }
    for issuer in &args.iss {
        validation = validation.issuer(issuer.as_str());
    }
    for audience in &args.aud {
        validation = validation.audience(audience.as_str());
    }
    if let Some(subject) = &args.sub {
        validation = validation.subject(subject.as_str());
    }
    if let Some(typ) = &args.typ {
        validation = validation.typ(typ.as_str());
    }
    validation
}
