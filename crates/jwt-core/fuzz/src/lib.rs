//! Shared fixtures and oracles for the jwt-core fuzz targets.
//!
//! Keys come from the repository's own test material (RFC vectors in `tests/vectors/`, the
//! throwaway interop keys in `tests/interop/keys/`), so seed tokens from those files verify and
//! the fuzzer starts past the signature check. Everything is built once per process.
//!
//! The oracles assert cross-API consistency (a token `verify` accepts is also accepted by
//! `verify_raw` and decodes identically with `danger_decode_unverified`, only time failures hand
//! back claims, ...): a failed assertion is a library bug, reported by libFuzzer as a crash.

pub mod targets;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    Algorithm, FixedClock, Jwk, KeySet, Limits, SigningKey, Validation, Verifier, VerifyingKey,
};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// `exp` of the RFC 7515 A.1 / RFC 7519 3.1 claims is 1300819380; verify just before it.
pub const RFC_NOW: u64 = 1_300_000_000;
/// A fixed "now" for everything else.
pub const NOW: u64 = 1_700_000_000;
/// The HMAC secret of the `header_claims` and `roundtrip` targets.
pub const SECRET: &[u8; 32] = b"fuzzing-secret-0123456789abcdef!";
/// A second HMAC secret (keyed verifier, HS512 round trips).
pub const SECRET_2: &[u8; 64] = b"another fuzzing secret, 64 bytes long: 0123456789abcdefghijklmno";

const RFC7515: &str = include_str!("../../../../tests/vectors/rfc7515.json");
const RFC7520: &str = include_str!("../../../../tests/vectors/rfc7520.json");
const RFC8037: &str = include_str!("../../../../tests/vectors/rfc8037.json");
const HS256_SECRET: &[u8] = include_bytes!("../../../../tests/interop/keys/hs256.secret");
const RSA2048_PUBLIC: &str = include_str!("../../../../tests/interop/keys/rsa2048-public-spki.pem");
const P256_PUBLIC: &str = include_str!("../../../../tests/interop/keys/ec-p256-public-spki.pem");
const ED25519_PUBLIC: &str = include_str!("../../../../tests/interop/keys/ed25519-public-spki.pem");
const P256_PRIVATE: &str = include_str!("../../../../tests/interop/keys/ec-p256-private-pkcs8.pem");
const ED25519_PRIVATE: &str =
    include_str!("../../../../tests/interop/keys/ed25519-private-pkcs8.pem");

/// base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// A token over raw header and payload bytes, MAC'd with HMAC-SHA256 under `secret`: the
/// signature is always valid, so verification reaches the JSON layers.
pub fn hs256_token(header: &[u8], payload: &[u8], secret: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret),
        input.as_bytes(),
    );
    format!("{input}.{}", b64(tag.as_ref()))
}

fn case_key(vectors: &str, id: &str, member: &str) -> Jwk {
    let doc: Value = serde_json::from_str(vectors).expect("vector file is JSON");
    let case = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|case| case["id"] == id)
        .unwrap_or_else(|| panic!("no vector {id}"));
    Jwk::from_json(&case[member].to_string()).expect("vector JWK parses")
}

fn named_key(vectors: &str, name: &str) -> Jwk {
    let doc: Value = serde_json::from_str(vectors).expect("vector file is JSON");
    Jwk::from_json(&doc["keys"][name]["jwk"].to_string()).expect("vector JWK parses")
}

/// The fixed verifiers of the `verify` target, each with the keys its seed tokens need.
pub struct Verifiers {
    /// RFC 7515 A.1 (HS256), A.2 (RS256), A.3 (ES256) and RFC 8037 A (EdDSA), no `kid`s;
    /// default validation at [`RFC_NOW`].
    pub rfc: Verifier,
    /// RFC 7520 section 3 keys with their `kid`s: RS256 and PS384 (one RSA key), HS256.
    pub rfc7520: Verifier,
    /// The interop keys (HS256 secret, RSA 2048 RS256, P-256 ES256, Ed25519 EdDSA); `exp`
    /// optional, no issuer or audience configured.
    pub interop_plain: Verifier,
    /// The same keys, expecting PyJWT's realistic claims: issuer, audience, `typ: JWT`, max age,
    /// raised limits.
    pub interop_strict: Verifier,
}

/// The verifiers, built once.
pub fn verifiers() -> &'static Verifiers {
    static VERIFIERS: OnceLock<Verifiers> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        let hs = case_key(RFC7515, "rfc7515-A.1", "key");
        let rs = case_key(RFC7515, "rfc7515-A.2", "public_key");
        let es = case_key(RFC7515, "rfc7515-A.3", "public_key");
        let ed = case_key(RFC8037, "rfc8037-A.4", "public_key");
        let rfc = KeySet::new([
            hs.verifying_key(Some(Algorithm::HS256)).expect("A.1 key"),
            rs.verifying_key(Some(Algorithm::RS256)).expect("A.2 key"),
            es.verifying_key(Some(Algorithm::ES256)).expect("A.3 key"),
            ed.verifying_key(Some(Algorithm::EdDSA)).expect("8037 key"),
        ])
        .expect("distinct algorithms");
        let rfc = Verifier::with_key_set(rfc)
            .with_validation(Validation::new().clock(FixedClock(RFC_NOW)));

        let rsa = named_key(RFC7520, "3.4")
            .to_public()
            .expect("RSA public half");
        let mac = named_key(RFC7520, "3.5");
        let rfc7520 = KeySet::new([
            rsa.verifying_key(Some(Algorithm::RS256)).expect("3.4 key"),
            rsa.verifying_key(Some(Algorithm::PS384)).expect("3.4 key"),
            mac.verifying_key(Some(Algorithm::HS256)).expect("3.5 key"),
        ])
        .expect("distinct algorithms or kids");
        let rfc7520 = Verifier::with_key_set(rfc7520)
            .with_validation(Validation::new().allow_missing_exp().clock(FixedClock(NOW)));

        let interop = || {
            KeySet::new([
                VerifyingKey::from_hmac_secret(Algorithm::HS256, HS256_SECRET).expect("secret"),
                VerifyingKey::from_pem(Algorithm::RS256, RSA2048_PUBLIC).expect("rsa"),
                VerifyingKey::from_pem(Algorithm::ES256, P256_PUBLIC).expect("p256"),
                VerifyingKey::from_pem(Algorithm::EdDSA, ED25519_PUBLIC).expect("ed25519"),
            ])
            .expect("distinct algorithms")
        };
        let interop_plain = Verifier::with_key_set(interop())
            .with_validation(Validation::new().allow_missing_exp().clock(FixedClock(NOW)));
        let interop_strict = Verifier::with_key_set(interop())
            .with_validation(
                Validation::new()
                    .issuer("https://issuer.example")
                    .audience("api")
                    .typ("JWT")
                    .leeway(60)
                    .max_age(400_000_000)
                    .reject_issued_in_future()
                    .clock(FixedClock(NOW)),
            )
            .with_limits(
                Limits::default()
                    .max_token_len(64 * 1024)
                    .max_header_len(8 * 1024)
                    .max_json_depth(64),
            );
        Verifiers {
            rfc,
            rfc7520,
            interop_plain,
            interop_strict,
        }
    })
}

/// Signing keys for round trips: HS256, HS512, ES256 (interop P-256), EdDSA (interop Ed25519).
pub fn signing_keys() -> &'static [SigningKey; 4] {
    static KEYS: OnceLock<[SigningKey; 4]> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            SigningKey::from_hmac_secret(Algorithm::HS256, SECRET).expect("hs256"),
            SigningKey::from_hmac_secret(Algorithm::HS512, SECRET_2).expect("hs512"),
            SigningKey::from_pem(Algorithm::ES256, P256_PRIVATE)
                .expect("p256")
                .with_kid("p256"),
            SigningKey::from_pem(Algorithm::EdDSA, ED25519_PRIVATE).expect("ed25519"),
        ]
    })
}

/// The audience claim as applications commonly type it (an untagged enum buffers content).
#[derive(Deserialize, Debug)]
#[serde(untagged)]
pub enum Audience {
    /// `"aud": "api"`
    One(String),
    /// `"aud": ["api", "web"]`
    Many(Vec<String>),
}

/// A small typed claims struct, shaped like the seed tokens' claims.
#[derive(Deserialize, Debug)]
pub struct Typed {
    /// Issuer.
    pub iss: Option<String>,
    /// Subject.
    pub sub: Option<String>,
    /// Audience.
    pub aud: Option<Audience>,
    /// Expiry.
    pub exp: Option<u64>,
    /// Issued at (fractions allowed).
    pub iat: Option<f64>,
    /// Application claim.
    pub name: Option<String>,
    /// Application claim.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Application claim with a name that is not an identifier.
    #[serde(rename = "user-id")]
    pub user_id: Option<i64>,
    /// Nested application claim.
    pub ctx: Option<BTreeMap<String, Value>>,
}

/// Claims that collect unknown members through `#[serde(flatten)]` (serde's buffered path).
#[derive(Deserialize, Debug)]
pub struct Flattened {
    /// Subject.
    pub sub: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub rest: HashMap<String, Value>,
}

/// Claims that borrow from the decoded payload.
#[derive(Deserialize, Debug)]
pub struct Borrowed<'a> {
    /// Borrowed unless escaped.
    #[serde(borrow)]
    pub sub: Option<Cow<'a, str>>,
    /// Borrowed; fails (cleanly) on escaped strings.
    pub iss: Option<&'a str>,
    /// The raw JSON of a member.
    #[serde(borrow)]
    pub ctx: Option<&'a RawValue>,
}

/// Runs every verification entry point of `verifier` on `token` and checks that they agree.
pub fn exercise(verifier: &Verifier, token: &str) {
    let value = verifier.verify::<Value>(token);
    let detailed = verifier.verify_detailed::<Value>(token);
    let raw = verifier.verify_raw(token);
    let typed = verifier.verify::<Typed>(token);
    let flattened = verifier.verify::<Flattened>(token);
    let mut buffer = Vec::new();
    let borrowed = verifier
        .verify_borrowed::<Borrowed<'_>>(token, &mut buffer)
        .map(|verified| format!("{verified:?}"));
    let ignored = verifier.verify::<serde::de::IgnoredAny>(token);

    // Errors render without panicking (and are used, so nothing is optimised away).
    for error in [
        value.as_ref().err(),
        raw.as_ref().err(),
        typed.as_ref().err(),
        flattened.as_ref().err(),
        borrowed.as_ref().err(),
        ignored.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    {
        let text = error.to_string();
        assert!(!error.kind().code().is_empty());
        assert!(text.len() < 4096, "error text is bounded");
    }

    // verify and verify_detailed are the same pipeline.
    match (&value, &detailed) {
        (Ok(a), Ok(b)) => assert_eq!(a.claims(), b.claims()),
        (Err(a), Err(b)) => {
            assert_eq!(a.kind(), b.error().kind());
            if let Some(despite) = b.verified_despite_time() {
                assert!(
                    b.error().kind().is_time_failure(),
                    "claims handed back for a non-time failure: {:?}",
                    b.error()
                );
                // What is handed back is exactly what the token says.
                let unverified =
                    jwt_core::danger_decode_unverified_with_limits(token, verifier.limits())
                        .expect("a token verified despite time decodes");
                assert_eq!(unverified.header(), despite.header());
            }
        }
        (a, b) => panic!(
            "verify and verify_detailed disagree: {:?} / {:?}",
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }

    // Whatever any claims type accepts, the signature and registered-claim checks accepted: so
    // must the type-agnostic entry points.
    let any_accepted =
        value.is_ok() || typed.is_ok() || flattened.is_ok() || borrowed.is_ok() || ignored.is_ok();
    if any_accepted {
        let raw = raw
            .as_ref()
            .expect("verify_raw accepts what a typed verify accepted");
        assert!(ignored.is_ok(), "IgnoredAny refused an accepted token");
        let unverified = jwt_core::danger_decode_unverified_with_limits(token, verifier.limits())
            .expect("an accepted token decodes unverified");
        assert_eq!(unverified.header(), raw.header());
        assert_eq!(unverified.payload(), raw.claims().as_slice());
        if let Ok(value) = &value {
            assert_eq!(value.header(), raw.header());
            let inspected: Value = unverified
                .claims()
                .expect("unverified claims parse like verified ones");
            assert_eq!(&inspected, value.claims());
            assert!(value.claims().is_object());
        }
    } else if let Ok(raw) = &raw {
        // verify_raw accepting while `Value` refused is only allowed for values `Value` cannot
        // hold (numbers out of f64 range, nesting past serde_json's own limit).
        let _ = raw.times();
    }
}

/// Inspects `token` without verifying it, under `limits`.
pub fn inspect(token: &str, limits: &Limits) {
    let Ok(unverified) = jwt_core::danger_decode_unverified_with_limits(token, limits) else {
        return;
    };
    let header = unverified.header();
    let _ = (
        header.algorithm(),
        header.kid(),
        header.typ(),
        header.content_type(),
    );
    let _ = format!("{unverified:?}");
    let value = unverified.claims::<Value>();
    let _ = unverified.claims::<Typed>();
    let _ = unverified.claims::<Flattened>();
    let _ = unverified.claims::<Borrowed<'_>>();
    let ignored = unverified.claims::<serde::de::IgnoredAny>();
    if value.is_ok() {
        assert!(ignored.is_ok(), "IgnoredAny refused claims Value accepted");
    }
    // Under the default limits, decoding agrees with the limit-taking form.
    if *limits == Limits::default() {
        let plain = jwt_core::danger_decode_unverified(token).expect("same limits, same result");
        assert_eq!(plain.header(), unverified.header());
        assert_eq!(plain.payload(), unverified.payload());
    }
}
