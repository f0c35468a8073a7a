//! `jwt jwks`: the public JWK Set to publish for one or more keys.
//!
//! Why pairing rules for `--kid`/`--alg`: several `--key`s can be given, and each needs an
//! algorithm (a JWK is bound to one) and should have a kid. A value given once applies to the only
//! key (`--kid`) or to every key (`--alg`); given once per key, values pair up in order. Anything
//! else is ambiguous and refused. Without `--kid`, a JWK keeps its own kid and other keys get
//! their RFC 7638 thumbprint, a stable kid that anyone can recompute from the public key.
//!
//! HMAC secrets have no public form: `jwt-core` refuses to export them, and this command refuses
//! raw secret files and `oct` JWKs before that (exit 2).

use jwt_core::{Algorithm, JwkSet, KeySet, VerifyingKey};

use super::Output;
use crate::cli::JwksArgs;
use crate::failure::Failure;
use crate::keys::{self, LoadedKey, Material};

pub(super) fn run(args: &JwksArgs) -> Result<Output, Failure> {
    let count = args.key.len();
    if !(args.kid.is_empty() || args.kid.len() == count) {
        return Err(Failure::usage(format!(
            "give --kid once per --key ({count} keys, {} kids)",
            args.kid.len()
        )));
    }
    if !(args.alg.len() <= 1 || args.alg.len() == count) {
        return Err(Failure::usage(format!(
            "give --alg once for all keys or once per --key ({count} keys, {} algorithms)",
            args.alg.len()
        )));
    }
    let mut public = Vec::new();
    for (index, path) in args.key.iter().enumerate() {
        let alg = match args.alg.as_slice() {
            [one] => Some(*one),
            many => many.get(index).copied(),
        };
        let kid = args.kid.get(index).map(String::as_str);
        let key = keys::load_file(path)?;
        public.extend(public_keys(&key, alg, kid)?);
    }
    // Two entries a verifier could not tell apart (same alg and kid) are refused here.
    KeySet::new(public.iter().cloned()).map_err(|e| Failure::usage_from("the JWK Set", &e))?;
    let set = JwkSet::public(public).map_err(|e| Failure::usage_from("the JWK Set", &e))?;
    Ok(Output::line(set.to_json()))
}

/// The public keys of one `--key`: one key, or every key of a JWK Set.
fn public_keys(
    key: &LoadedKey,
    alg: Option<Algorithm>,
    kid: Option<&str>,
) -> Result<Vec<VerifyingKey>, Failure> {
    match &key.material {
        Material::Secret(_) => Err(Failure::usage(format!(
            "{} is an HMAC secret (or no key at all); HMAC secrets are never published",
            key.origin
        ))),
        Material::JwkSet(set) => {
            if kid.is_some() {
                return Err(Failure::usage(format!(
                    "{} is a JWK Set; its keys keep their own kids (drop --kid)",
                    key.origin
                )));
            }
            set.keys()
                .iter()
                .map(|jwk| keys::public_key(key, Some(jwk), alg).and_then(|k| with_kid(k, None)))
                .collect()
        }
        Material::Jwk(jwk) => {
            let public = keys::public_key(key, Some(jwk), alg)?;
            Ok(vec![with_kid(public, kid)?])
        }
        Material::Pem(_) | Material::Der(_) => {
            let public = keys::public_key(key, None, alg)?;
            Ok(vec![with_kid(public, kid)?])
        }
    }
}

/// Sets `kid`, or keeps the key's own, or uses the RFC 7638 thumbprint.
fn with_kid(key: VerifyingKey, kid: Option<&str>) -> Result<VerifyingKey, Failure> {
    if let Some(kid) = kid {
        return Ok(key.with_kid(kid));
    }
    if key.kid().is_some() {
        return Ok(key);
    }
    let thumbprint = key
        .to_jwk()
        .map_err(|e| Failure::usage_from("cannot publish the key", &e))?
        .thumbprint();
    Ok(key.with_kid(thumbprint))
}
