//! The operations measured by `cargo xtask bench`: every Rust JWT crate of interest, and raw
//! `ring`, doing the same job on the same claims, keys and (for verification) the same token.
//!
//! The criterion benchmark (`benches/peers.rs`) times each [`Op`]; the `allocs` binary runs the
//! very same closures under a counting allocator. Keeping the operations here, once, is what makes
//! the two reports comparable.
//!
//! What "the same job" means:
//! - claims `{sub, name, iat, exp, iss, aud}` with the same values in every library (each library
//!   serialises them in its own member order);
//! - sign: serialise the claims, build the header (`{"alg":..,"typ":"JWT"}`), base64url, sign,
//!   return the compact token as a `String`;
//! - verify: one token made by `jwt-core` (so the signing input is byte-identical for everyone),
//!   signature checked, `exp` checked against the system clock, `iss` and `aud` compared to one
//!   accepted value, and the payload deserialised into a typed struct owning its strings;
//! - raw ring: only the cryptography over the same signing input (plus base64url-decoding the
//!   signature for verification), the floor every library sits on; `raw-ring+serde` adds a
//!   minimal hand-written claims path for scale.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::HashSet;
use std::hint::black_box;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64ct::{Base64UrlUnpadded, Encoding};
use ring::rand::SystemRandom;
use ring::signature::{self as ring_sig, KeyPair as _};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "https://auth.example.com";
pub const AUDIENCE: &str = "https://api.example.com";
pub const HMAC_SECRET: &[u8; 32] = b"bench-secret-0123456789abcdefghi";
const SUB: &str = "user-8f14e45f-ceea-467f-a0e6-4b1e4c1e1b2a";
const NAME: &str = "Alice Example";
const IAT: u64 = 1_700_000_000;
const EXP: u64 = 4_102_444_800;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/interop/keys/");
fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}{name}")).unwrap()
}

pub const JWT_CORE: &str = "jwt-core";
pub const JSONWEBTOKEN_AWS: &str = "jsonwebtoken-aws-lc-rs";
pub const JSONWEBTOKEN_RUST: &str = "jsonwebtoken-rust-crypto";
pub const JWT_SIMPLE: &str = "jwt-simple-pure-rust";
pub const JWT_COMPACT: &str = "jwt-compact";
pub const RAW_RING: &str = "raw-ring";
pub const RAW_RING_SERDE: &str = "raw-ring+serde";

/// Every library, in table order.
pub const LIBRARIES: &[&str] = &[
    JWT_CORE,
    JSONWEBTOKEN_AWS,
    JSONWEBTOKEN_RUST,
    JWT_SIMPLE,
    JWT_COMPACT,
    RAW_RING_SERDE,
    RAW_RING,
];

/// Every group, in table order.
pub const GROUPS: &[&str] = &[
    "hs256_sign",
    "hs256_verify",
    "es256_sign",
    "es256_verify",
    "rs256_verify",
    "eddsa_verify",
];

/// One measured operation: `run` does it once and panics if it fails.
pub struct Op {
    pub group: &'static str,
    pub library: &'static str,
    pub run: Box<dyn FnMut()>,
}

/// The claims of jwt-core, jsonwebtoken and the raw baselines.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub name: String,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
    pub aud: String,
}

pub fn claims() -> Claims {
    Claims {
        sub: SUB.to_owned(),
        name: NAME.to_owned(),
        iat: IAT,
        exp: EXP,
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
    }
}

/// jwt-simple keeps `sub`, `iss`, `aud`, `iat`, `exp` in `JWTClaims`; the rest is custom.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct SimpleExtra {
    pub name: String,
}

fn simple_claims() -> jwt_simple::claims::JWTClaims<SimpleExtra> {
    use jwt_simple::prelude::*;
    let mut claims = Claims::with_custom_claims(
        SimpleExtra {
            name: NAME.to_owned(),
        },
        Duration::from_secs(60),
    )
    .with_subject(SUB)
    .with_issuer(ISSUER)
    .with_audience(AUDIENCE);
    claims.issued_at = Some(UnixTimeStamp::from_secs(IAT));
    claims.expires_at = Some(UnixTimeStamp::from_secs(EXP));
    claims.invalid_before = None;
    claims
}

fn simple_options() -> jwt_simple::prelude::VerificationOptions {
    jwt_simple::prelude::VerificationOptions {
        allowed_issuers: Some(HashSet::from([ISSUER.to_owned()])),
        allowed_audiences: Some(HashSet::from([AUDIENCE.to_owned()])),
        ..Default::default()
    }
}

/// jwt-compact keeps `iat`, `exp` (as `DateTime`) in `Claims`; the rest is custom, and `iss`/`aud`
/// are compared by the caller (the crate has no issuer or audience check).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CompactExtra {
    pub sub: String,
    pub name: String,
    pub iss: String,
    pub aud: String,
}

fn compact_claims() -> jwt_compact::Claims<CompactExtra> {
    use chrono::TimeZone;
    let mut claims = jwt_compact::Claims::new(CompactExtra {
        sub: SUB.to_owned(),
        name: NAME.to_owned(),
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
    });
    claims.issued_at = chrono::Utc.timestamp_opt(IAT as i64, 0).single();
    claims.expiration = chrono::Utc.timestamp_opt(EXP as i64, 0).single();
    claims
}

fn compact_header() -> jwt_compact::Header {
    jwt_compact::Header::empty().with_token_type("JWT")
}

/// Verifies with jwt-compact the way its documentation does, plus the `iss`/`aud` checks.
fn compact_verify<A: jwt_compact::Algorithm>(
    alg: &A,
    key: &A::VerifyingKey,
    token: &str,
) -> jwt_compact::Token<CompactExtra> {
    use jwt_compact::AlgorithmExt as _;
    let untrusted = jwt_compact::UntrustedToken::new(token).unwrap();
    let token: jwt_compact::Token<CompactExtra> = alg.validator(key).validate(&untrusted).unwrap();
    let options = jwt_compact::TimeOptions::default();
    let claims = token.claims().validate_expiration(&options).unwrap();
    assert!(claims.custom.iss == ISSUER && claims.custom.aud == AUDIENCE);
    token
}

// --- jsonwebtoken: one build with both backends, chosen per operation ---------------------------

static USE_RUST_CRYPTO: AtomicBool = AtomicBool::new(false);

fn provider() -> &'static jsonwebtoken::crypto::CryptoProvider {
    if USE_RUST_CRYPTO.load(Ordering::Relaxed) {
        &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
    } else {
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
    }
}

/// With both features on, jsonwebtoken installs no provider by itself; this one forwards each
/// call to the backend the running operation selected (one relaxed atomic load per call).
static DISPATCH: jsonwebtoken::crypto::CryptoProvider = jsonwebtoken::crypto::CryptoProvider {
    signer_factory: |alg, key| (provider().signer_factory)(alg, key),
    verifier_factory: |alg, key| (provider().verifier_factory)(alg, key),
    key_utils: jsonwebtoken::crypto::KeyUtils::new_unimplemented(),
};

fn install_jsonwebtoken_provider() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        DISPATCH
            .install_default()
            .expect("no other jsonwebtoken provider");
    });
}

/// The two jsonwebtoken rows of a group: the same closure, under each backend.
fn jsonwebtoken_ops(group: &'static str, op: impl Fn() + Clone + 'static) -> [Op; 2] {
    let aws = op.clone();
    [
        Op {
            group,
            library: JSONWEBTOKEN_AWS,
            run: Box::new(move || {
                USE_RUST_CRYPTO.store(false, Ordering::Relaxed);
                aws();
            }),
        },
        Op {
            group,
            library: JSONWEBTOKEN_RUST,
            run: Box::new(move || {
                USE_RUST_CRYPTO.store(true, Ordering::Relaxed);
                op();
            }),
        },
    ]
}

fn jsonwebtoken_validation(alg: jsonwebtoken::Algorithm) -> jsonwebtoken::Validation {
    let mut validation = jsonwebtoken::Validation::new(alg);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation
}

// --- raw ring --------------------------------------------------------------------------------

/// A token's signing input and its still-encoded payload and signature.
struct Split {
    signing_input: Vec<u8>,
    payload: String,
    signature: Vec<u8>,
}

fn split(token: &str) -> Split {
    let last = token.rfind('.').unwrap();
    let first = token.find('.').unwrap();
    Split {
        signing_input: token.as_bytes()[..last].to_vec(),
        payload: token[first + 1..last].to_owned(),
        signature: token.as_bytes()[last + 1..].to_vec(),
    }
}

fn decode_signature<'b>(encoded: &[u8], buf: &'b mut [u8]) -> &'b [u8] {
    Base64UrlUnpadded::decode(encoded, buf).unwrap()
}

/// The hand-written claims path of `raw ring+serde`: decode, parse, compare.
fn raw_claims(payload: &str) -> Claims {
    let json = Base64UrlUnpadded::decode_vec(payload).unwrap();
    let claims: Claims = serde_json::from_slice(&json).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(claims.exp > now && claims.iss == ISSUER && claims.aud == AUDIENCE);
    claims
}

fn pem_der(pem: &str) -> Vec<u8> {
    pem_rfc7468::decode_vec(pem.as_bytes()).unwrap().1
}

fn jwt_core_verifier(key: &jwt_core::SigningKey) -> jwt_core::Verifier {
    jwt_core::Verifier::new(key.verifying_key()).with_validation(
        jwt_core::Validation::new()
            .issuer(ISSUER)
            .audience(AUDIENCE),
    )
}

fn op(group: &'static str, library: &'static str, run: impl FnMut() + 'static) -> Op {
    Op {
        group,
        library,
        run: Box::new(run),
    }
}

// --- the groups ------------------------------------------------------------------------------

fn hs256(ops: &mut Vec<Op>) {
    use jwt_simple::prelude::MACLike as _;
    let key =
        jwt_core::SigningKey::from_hmac_secret(jwt_core::Algorithm::HS256, HMAC_SECRET).unwrap();
    let claims = claims();
    let token = jwt_core::encode(&key, &claims).unwrap();
    let parts = split(&token);
    let ring_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, HMAC_SECRET);
    let jwt_enc = jsonwebtoken::EncodingKey::from_secret(HMAC_SECRET);
    let jwt_dec = jsonwebtoken::DecodingKey::from_secret(HMAC_SECRET);
    let simple_key = jwt_simple::prelude::HS256Key::from_bytes(HMAC_SECRET);
    let compact_key = jwt_compact::alg::Hs256Key::new(HMAC_SECRET);

    // sign
    {
        let (key, claims) = (key.clone(), claims.clone());
        ops.push(op("hs256_sign", JWT_CORE, move || {
            black_box(
                jwt_core::Encoder::new(black_box(&key))
                    .encode(black_box(&claims))
                    .unwrap(),
            );
        }));
    }
    {
        let (enc, claims) = (jwt_enc.clone(), claims.clone());
        ops.extend(jsonwebtoken_ops("hs256_sign", move || {
            let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
            black_box(jsonwebtoken::encode(&header, black_box(&claims), &enc).unwrap());
        }));
    }
    {
        let (key, claims) = (simple_key.clone(), simple_claims());
        ops.push(op("hs256_sign", JWT_SIMPLE, move || {
            black_box(key.authenticate(black_box(&claims).clone()).unwrap());
        }));
    }
    {
        use jwt_compact::AlgorithmExt as _;
        let (key, claims, header) = (compact_key.clone(), compact_claims(), compact_header());
        ops.push(op("hs256_sign", JWT_COMPACT, move || {
            black_box(
                jwt_compact::alg::Hs256
                    .token(&header, black_box(&claims), &key)
                    .unwrap(),
            );
        }));
    }
    {
        let (ring_key, claims) = (ring_key.clone(), claims.clone());
        let mut prefix = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256","typ":"JWT"}"#);
        prefix.push('.');
        assert!(token.starts_with(&prefix));
        ops.push(op("hs256_sign", RAW_RING_SERDE, move || {
            let payload = serde_json::to_vec(black_box(&claims)).unwrap();
            let mut out = String::with_capacity(prefix.len() + payload.len() * 4 / 3 + 48);
            out.push_str(black_box(&prefix));
            out.push_str(&Base64UrlUnpadded::encode_string(&payload));
            let tag = ring::hmac::sign(&ring_key, out.as_bytes());
            out.push('.');
            out.push_str(&Base64UrlUnpadded::encode_string(tag.as_ref()));
            black_box(out);
        }));
    }
    {
        let (ring_key, input) = (ring_key.clone(), parts.signing_input.clone());
        ops.push(op("hs256_sign", RAW_RING, move || {
            black_box(ring::hmac::sign(&ring_key, black_box(&input)));
        }));
    }

    // verify
    {
        let verifier = jwt_core_verifier(&key);
        let token = token.clone();
        ops.push(op("hs256_verify", JWT_CORE, move || {
            black_box(verifier.verify::<Claims>(black_box(&token)).unwrap());
        }));
    }
    {
        let validation = jsonwebtoken_validation(jsonwebtoken::Algorithm::HS256);
        let token = token.clone();
        ops.extend(jsonwebtoken_ops("hs256_verify", move || {
            black_box(
                jsonwebtoken::decode::<Claims>(black_box(&token), &jwt_dec, &validation).unwrap(),
            );
        }));
    }
    {
        let (options, token) = (simple_options(), token.clone());
        ops.push(op("hs256_verify", JWT_SIMPLE, move || {
            black_box(
                simple_key
                    .verify_token::<SimpleExtra>(black_box(&token), Some(options.clone()))
                    .unwrap(),
            );
        }));
    }
    {
        let token = token.clone();
        ops.push(op("hs256_verify", JWT_COMPACT, move || {
            black_box(compact_verify(
                &jwt_compact::alg::Hs256,
                &compact_key,
                black_box(&token),
            ));
        }));
    }
    {
        let (ring_key, input, signature, payload) = (
            ring_key.clone(),
            parts.signing_input.clone(),
            parts.signature.clone(),
            parts.payload.clone(),
        );
        ops.push(op("hs256_verify", RAW_RING_SERDE, move || {
            let mut buf = [0u8; 32];
            let tag = decode_signature(black_box(&signature), &mut buf);
            ring::hmac::verify(&ring_key, black_box(&input), tag).unwrap();
            black_box(raw_claims(black_box(&payload)));
        }));
    }
    {
        let (input, signature) = (parts.signing_input.clone(), parts.signature.clone());
        ops.push(op("hs256_verify", RAW_RING, move || {
            let mut buf = [0u8; 32];
            let tag = decode_signature(black_box(&signature), &mut buf);
            ring::hmac::verify(&ring_key, black_box(&input), tag).unwrap();
        }));
    }
}

fn es256(ops: &mut Vec<Op>) {
    use jwt_simple::prelude::{ECDSAP256KeyPairLike as _, ECDSAP256PublicKeyLike as _};
    let private_pem = key_file("ec-p256-private-pkcs8.pem");
    let public_pem = key_file("ec-p256-public-spki.pem");
    let key = jwt_core::SigningKey::from_pem(jwt_core::Algorithm::ES256, &private_pem).unwrap();
    let claims = claims();
    let token = jwt_core::encode(&key, &claims).unwrap();
    let parts = split(&token);
    let rng = SystemRandom::new();
    let pair = ring_sig::EcdsaKeyPair::from_pkcs8(
        &ring_sig::ECDSA_P256_SHA256_FIXED_SIGNING,
        &pem_der(&private_pem),
        &rng,
    )
    .unwrap();
    let public_key = pair.public_key().as_ref().to_vec();
    let jwt_enc = jsonwebtoken::EncodingKey::from_ec_pem(private_pem.as_bytes()).unwrap();
    let jwt_dec = jsonwebtoken::DecodingKey::from_ec_pem(public_pem.as_bytes()).unwrap();
    let simple_pair = jwt_simple::prelude::ES256KeyPair::from_pem(&private_pem).unwrap();
    let simple_public = jwt_simple::prelude::ES256PublicKey::from_pem(&public_pem).unwrap();
    let compact_signing = {
        use p256::pkcs8::DecodePrivateKey as _;
        p256::ecdsa::SigningKey::from_pkcs8_pem(&private_pem).unwrap()
    };
    let compact_verifying = {
        use p256::pkcs8::DecodePublicKey as _;
        p256::ecdsa::VerifyingKey::from_public_key_pem(&public_pem).unwrap()
    };

    // sign
    {
        let (key, claims) = (key.clone(), claims.clone());
        ops.push(op("es256_sign", JWT_CORE, move || {
            black_box(
                jwt_core::Encoder::new(black_box(&key))
                    .encode(black_box(&claims))
                    .unwrap(),
            );
        }));
    }
    {
        let claims = claims.clone();
        ops.extend(jsonwebtoken_ops("es256_sign", move || {
            let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
            black_box(jsonwebtoken::encode(&header, black_box(&claims), &jwt_enc).unwrap());
        }));
    }
    {
        let claims = simple_claims();
        ops.push(op("es256_sign", JWT_SIMPLE, move || {
            black_box(simple_pair.sign(black_box(&claims).clone()).unwrap());
        }));
    }
    {
        use jwt_compact::AlgorithmExt as _;
        let (claims, header) = (compact_claims(), compact_header());
        ops.push(op("es256_sign", JWT_COMPACT, move || {
            black_box(
                jwt_compact::alg::Es256
                    .token(&header, black_box(&claims), &compact_signing)
                    .unwrap(),
            );
        }));
    }
    {
        let input = parts.signing_input.clone();
        ops.push(op("es256_sign", RAW_RING, move || {
            black_box(pair.sign(&rng, black_box(&input)).unwrap());
        }));
    }

    // verify
    asymmetric_verify(
        ops,
        "es256_verify",
        &key,
        &token,
        &ring_sig::ECDSA_P256_SHA256_FIXED,
        public_key,
        64,
    );
    {
        let (validation, token) = (
            jsonwebtoken_validation(jsonwebtoken::Algorithm::ES256),
            token.clone(),
        );
        ops.extend(jsonwebtoken_ops("es256_verify", move || {
            black_box(
                jsonwebtoken::decode::<Claims>(black_box(&token), &jwt_dec, &validation).unwrap(),
            );
        }));
    }
    {
        let (options, token) = (simple_options(), token.clone());
        ops.push(op("es256_verify", JWT_SIMPLE, move || {
            black_box(
                simple_public
                    .verify_token::<SimpleExtra>(black_box(&token), Some(options.clone()))
                    .unwrap(),
            );
        }));
    }
    ops.push(op("es256_verify", JWT_COMPACT, move || {
        black_box(compact_verify(
            &jwt_compact::alg::Es256,
            &compact_verifying,
            black_box(&token),
        ));
    }));
}

fn rs256(ops: &mut Vec<Op>) {
    use jwt_simple::prelude::RSAPublicKeyLike as _;
    let private_pem = key_file("rsa2048-private-pkcs8.pem");
    let public_pem = key_file("rsa2048-public-spki.pem");
    let key = jwt_core::SigningKey::from_pem(jwt_core::Algorithm::RS256, &private_pem).unwrap();
    let claims = claims();
    let token = jwt_core::encode(&key, &claims).unwrap();
    let pair = ring_sig::RsaKeyPair::from_pkcs8(&pem_der(&private_pem)).unwrap();
    assert_eq!(pair.public().modulus_len(), 256);
    let public_key = pair.public().as_ref().to_vec();
    let jwt_dec = jsonwebtoken::DecodingKey::from_rsa_pem(public_pem.as_bytes()).unwrap();
    let simple_public = jwt_simple::prelude::RS256PublicKey::from_pem(&public_pem).unwrap();
    let compact_public = {
        use rsa::pkcs8::DecodePublicKey as _;
        rsa::RsaPublicKey::from_public_key_pem(&public_pem).unwrap()
    };

    asymmetric_verify(
        ops,
        "rs256_verify",
        &key,
        &token,
        &ring_sig::RSA_PKCS1_2048_8192_SHA256,
        public_key,
        256,
    );
    {
        let (validation, token) = (
            jsonwebtoken_validation(jsonwebtoken::Algorithm::RS256),
            token.clone(),
        );
        ops.extend(jsonwebtoken_ops("rs256_verify", move || {
            black_box(
                jsonwebtoken::decode::<Claims>(black_box(&token), &jwt_dec, &validation).unwrap(),
            );
        }));
    }
    {
        let (options, token) = (simple_options(), token.clone());
        ops.push(op("rs256_verify", JWT_SIMPLE, move || {
            black_box(
                simple_public
                    .verify_token::<SimpleExtra>(black_box(&token), Some(options.clone()))
                    .unwrap(),
            );
        }));
    }
    let rs256 = jwt_compact::alg::Rsa::rs256();
    ops.push(op("rs256_verify", JWT_COMPACT, move || {
        black_box(compact_verify(&rs256, &compact_public, black_box(&token)));
    }));
}

fn eddsa(ops: &mut Vec<Op>) {
    use jwt_simple::prelude::EdDSAPublicKeyLike as _;
    let private_pem = key_file("ed25519-private-pkcs8.pem");
    let public_pem = key_file("ed25519-public-spki.pem");
    let key = jwt_core::SigningKey::from_pem(jwt_core::Algorithm::EdDSA, &private_pem).unwrap();
    let claims = claims();
    let token = jwt_core::encode(&key, &claims).unwrap();
    let public_der = pem_der(&public_pem);
    let public_key = public_der[public_der.len() - 32..].to_vec();
    let jwt_dec = jsonwebtoken::DecodingKey::from_ed_pem(public_pem.as_bytes()).unwrap();
    let simple_public = jwt_simple::prelude::Ed25519PublicKey::from_pem(&public_pem).unwrap();
    let compact_public = {
        use ed25519_dalek::pkcs8::DecodePublicKey as _;
        ed25519_dalek::VerifyingKey::from_public_key_pem(&public_pem).unwrap()
    };

    asymmetric_verify(
        ops,
        "eddsa_verify",
        &key,
        &token,
        &ring_sig::ED25519,
        public_key,
        64,
    );
    {
        let (validation, token) = (
            jsonwebtoken_validation(jsonwebtoken::Algorithm::EdDSA),
            token.clone(),
        );
        ops.extend(jsonwebtoken_ops("eddsa_verify", move || {
            black_box(
                jsonwebtoken::decode::<Claims>(black_box(&token), &jwt_dec, &validation).unwrap(),
            );
        }));
    }
    {
        let (options, token) = (simple_options(), token.clone());
        ops.push(op("eddsa_verify", JWT_SIMPLE, move || {
            black_box(
                simple_public
                    .verify_token::<SimpleExtra>(black_box(&token), Some(options.clone()))
                    .unwrap(),
            );
        }));
    }
    ops.push(op("eddsa_verify", JWT_COMPACT, move || {
        black_box(compact_verify(
            &jwt_compact::alg::Ed25519,
            &compact_public,
            black_box(&token),
        ));
    }));
}

/// The jwt-core and raw ring rows of an asymmetric verify group.
fn asymmetric_verify(
    ops: &mut Vec<Op>,
    group: &'static str,
    key: &jwt_core::SigningKey,
    token: &str,
    alg: &'static dyn ring_sig::VerificationAlgorithm,
    public_key: Vec<u8>,
    signature_len: usize,
) {
    let verifier = jwt_core_verifier(key);
    let token = token.to_owned();
    let parts = split(&token);
    ops.push(op(group, JWT_CORE, move || {
        black_box(verifier.verify::<Claims>(black_box(&token)).unwrap());
    }));
    ops.push(op(group, RAW_RING, move || {
        let mut buf = [0u8; 512];
        let signature = decode_signature(black_box(&parts.signature), &mut buf[..signature_len]);
        ring_sig::UnparsedPublicKey::new(alg, black_box(&public_key[..]))
            .verify(black_box(&parts.signing_input), signature)
            .unwrap();
    }));
}

/// Every operation, checked once (each must succeed on its own token and claims).
pub fn ops() -> Vec<Op> {
    install_jsonwebtoken_provider();
    let mut ops = Vec::new();
    hs256(&mut ops);
    es256(&mut ops);
    rs256(&mut ops);
    eddsa(&mut ops);
    for op in &mut ops {
        (op.run)();
    }
    ops.sort_by_key(|op| {
        (
            GROUPS.iter().position(|g| *g == op.group),
            LIBRARIES.iter().position(|l| *l == op.library),
        )
    });
    ops
}
