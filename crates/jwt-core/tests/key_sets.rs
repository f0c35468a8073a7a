#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! Keys at scale: malformed JWKs, mixed-family key sets and the selection rules, rotation under
//! concurrent verification, JWK export/import round trips, key generation, and redacted `Debug`.

use std::sync::atomic::{AtomicUsize, Ordering};

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    Algorithm, Encoder, Error, ErrorKind, Jwk, JwkSet, KeySet, KeyStore, SigningKey, Verifier,
    VerifyingKey,
};
use serde_json::{Value, json};

const RSA_PKCS8: &str = include_str!("../../../tests/interop/keys/rsa2048-private-pkcs8.pem");
const RSA_PKCS1: &str = include_str!("../../../tests/interop/keys/rsa2048-private-pkcs1.pem");
const EC_P256_SEC1: &str = include_str!("../../../tests/interop/keys/ec-p256-private-sec1.pem");
const EC_P384_PKCS8: &str = include_str!("../../../tests/interop/keys/ec-p384-private-pkcs8.pem");
const ED25519_PKCS8: &str = include_str!("../../../tests/interop/keys/ed25519-private-pkcs8.pem");
/// RFC 7520 section 3.4: another 2048-bit RSA private key (`kty`, `n`, `e`, `d`, `p`, ...).
const RFC7520: &str = include_str!("../../../tests/vectors/rfc7520.json");

const FAR_FUTURE: u64 = 4_102_444_800;

// ---------------------------------------------------------------------------------------------
// Helpers

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn kind<T>(result: Result<T, Error>) -> ErrorKind {
    match result {
        Ok(_) => panic!("expected an error, got Ok"),
        Err(error) => error.kind(),
    }
}

fn value(jwk: &Jwk) -> Value {
    serde_json::from_str(&jwk.to_json()).unwrap()
}

fn private_jwk_value(key: &SigningKey) -> Value {
    value(&key.to_private_jwk().unwrap())
}

fn public_jwk_value(key: &SigningKey) -> Value {
    value(&key.to_public_jwk().unwrap())
}

fn rfc7520_rsa_private() -> Value {
    let file: Value = serde_json::from_str(RFC7520).unwrap();
    file["keys"]["3.4"]["jwk"].clone()
}

fn rsa_key(alg: Algorithm) -> SigningKey {
    SigningKey::from_pem(alg, RSA_PKCS8).unwrap()
}

/// The same key pair (or secret) without a kid, through its private JWK.
fn without_kid(key: &SigningKey) -> SigningKey {
    let mut jwk = private_jwk_value(key);
    jwk.as_object_mut().unwrap().remove("kid");
    let key = Jwk::from_json(&jwk.to_string())
        .unwrap()
        .signing_key(None)
        .unwrap();
    assert!(key.kid().is_none());
    key
}

fn token(key: &SigningKey, sub: &str) -> String {
    jwt_core::encode(key, &json!({"sub": sub, "exp": FAR_FUTURE})).unwrap()
}

/// A token signed by `key` whose header carries `kid` (or none), whatever the key's own kid.
fn token_with_kid(key: &SigningKey, kid: Option<&str>, sub: &str) -> String {
    let claims = json!({"sub": sub, "exp": FAR_FUTURE});
    match kid {
        Some(kid) => Encoder::new(key).kid(kid).encode(&claims).unwrap(),
        None => {
            assert!(
                key.kid().is_none(),
                "use a key without kid for kid-less tokens"
            );
            jwt_core::encode(key, &claims).unwrap()
        }
    }
}

/// The `sub` of a verified token, or the error kind.
fn outcome(verifier: &Verifier, token: &str) -> Result<String, ErrorKind> {
    verifier
        .verify::<Value>(token)
        .map(|v| v.claims()["sub"].as_str().unwrap().to_owned())
        .map_err(|e| e.kind())
}

// ---------------------------------------------------------------------------------------------
// 1. Malformed and refused JWKs: each with its exact ErrorKind, never a panic

/// Where the refusal must happen.
#[derive(Clone, Copy, Debug)]
enum Stage {
    /// `Jwk::from_json` fails.
    Parse,
    /// Parses; `verifying_key(fallback)` fails.
    Verify(Option<Algorithm>),
    /// Parses; `signing_key(fallback)` fails.
    Sign(Option<Algorithm>),
}

fn check(label: &str, json: &str, stage: Stage, expected: ErrorKind) {
    let parsed = Jwk::from_json(json);
    let got = match stage {
        Stage::Parse => kind(parsed),
        Stage::Verify(fallback) => match parsed {
            Ok(jwk) => kind(jwk.verifying_key(fallback)),
            Err(e) => panic!("{label}: expected to parse, got {e}"),
        },
        Stage::Sign(fallback) => match parsed {
            Ok(jwk) => kind(jwk.signing_key(fallback)),
            Err(e) => panic!("{label}: expected to parse, got {e}"),
        },
    };
    assert_eq!(got, expected, "{label}: {json}");
}

const P256_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const P256_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

#[test]
fn malformed_jwks_are_refused_with_their_error_kind() {
    use Algorithm::{ES256, ES384, HS256, RS256, RS384};
    use ErrorKind::{
        InvalidKey, KeyMismatch, UnknownAlgorithm, UnsupportedAlgorithm, UnsupportedKey, WeakKey,
    };
    use Stage::{Parse, Sign, Verify};

    let k32 = b64(&[7u8; 32]);
    let n2048 = b64(&[0xC5u8; 256]);
    let ec = |extra: &str| {
        format!(r#"{{"kty":"EC","crv":"P-256","x":"{P256_X}","y":"{P256_Y}"{extra}}}"#)
    };
    let rsa =
        |n: &str, e: &str, extra: &str| format!(r#"{{"kty":"RSA","n":"{n}","e":"{e}"{extra}}}"#);
    let oct = |k: &str, extra: &str| format!(r#"{{"kty":"oct","k":"{k}"{extra}}}"#);

    // Valid baselines, so every refusal below is about the one thing changed.
    assert!(
        Jwk::from_json(&ec(""))
            .unwrap()
            .verifying_key(Some(ES256))
            .is_ok()
    );
    assert!(
        Jwk::from_json(&rsa(&n2048, "AQAB", ""))
            .unwrap()
            .verifying_key(Some(RS256))
            .is_ok()
    );
    assert!(
        Jwk::from_json(&oct(&k32, ""))
            .unwrap()
            .verifying_key(Some(HS256))
            .is_ok()
    );

    let off_curve = b64(&[1u8; 32]);
    let rows: Vec<(&str, String, Stage, ErrorKind)> = vec![
        // Not a JWK object at all.
        ("empty text", String::new(), Parse, InvalidKey),
        ("array", "[]".into(), Parse, InvalidKey),
        ("string", r#""kty""#.into(), Parse, InvalidKey),
        ("null", "null".into(), Parse, InvalidKey),
        (
            "trailing garbage",
            format!("{} x", oct(&k32, "")),
            Parse,
            InvalidKey,
        ),
        (
            "truncated",
            r#"{"kty":"oct","k":"#.into(),
            Parse,
            InvalidKey,
        ),
        (
            "duplicate member",
            format!(r#"{{"kty":"oct","kty":"oct","k":"{k32}"}}"#),
            Parse,
            InvalidKey,
        ),
        // Missing members.
        (
            "missing kty",
            format!(r#"{{"k":"{k32}"}}"#),
            Parse,
            InvalidKey,
        ),
        (
            "oct without k",
            r#"{"kty":"oct"}"#.into(),
            Parse,
            InvalidKey,
        ),
        (
            "RSA without n",
            r#"{"kty":"RSA","e":"AQAB"}"#.into(),
            Parse,
            InvalidKey,
        ),
        (
            "RSA without e",
            format!(r#"{{"kty":"RSA","n":"{n2048}"}}"#),
            Parse,
            InvalidKey,
        ),
        (
            "RSA private without p (CRT parameters required)",
            rsa(&n2048, "AQAB", r#","d":"AQAB""#),
            Parse,
            InvalidKey,
        ),
        (
            "EC without crv",
            format!(r#"{{"kty":"EC","x":"{P256_X}","y":"{P256_Y}"}}"#),
            Parse,
            InvalidKey,
        ),
        (
            "EC without y",
            format!(r#"{{"kty":"EC","crv":"P-256","x":"{P256_X}"}}"#),
            Parse,
            InvalidKey,
        ),
        (
            "EC without x",
            format!(r#"{{"kty":"EC","crv":"P-256","y":"{P256_Y}"}}"#),
            Parse,
            InvalidKey,
        ),
        (
            "OKP without x",
            r#"{"kty":"OKP","crv":"Ed25519"}"#.into(),
            Parse,
            InvalidKey,
        ),
        (
            "OKP without crv",
            format!(r#"{{"kty":"OKP","x":"{ED_X}"}}"#),
            Parse,
            InvalidKey,
        ),
        // Members of the wrong JSON type.
        (
            "n as a number",
            r#"{"kty":"RSA","n":12345,"e":"AQAB"}"#.into(),
            Parse,
            InvalidKey,
        ),
        (
            "kty as a number",
            format!(r#"{{"kty":1,"k":"{k32}"}}"#),
            Parse,
            InvalidKey,
        ),
        (
            "kid as a number",
            oct(&k32, r#","kid":7"#),
            Parse,
            InvalidKey,
        ),
        (
            "key_ops as a string",
            oct(&k32, r#","key_ops":"verify""#),
            Parse,
            InvalidKey,
        ),
        (
            "use as an array",
            oct(&k32, r#","use":["sig"]"#),
            Parse,
            InvalidKey,
        ),
        (
            "k as an object",
            r#"{"kty":"oct","k":{}}"#.into(),
            Parse,
            InvalidKey,
        ),
        // Not canonical base64url.
        (
            "padded k",
            oct(&format!("{}=", b64(&[7u8; 31])), ""),
            Parse,
            InvalidKey,
        ),
        (
            "k with + and /",
            oct(&"+/".repeat(22), ""),
            Parse,
            InvalidKey,
        ),
        ("k with a space", oct("AAAA AAAA", ""), Parse, InvalidKey),
        (
            "k with non-zero unused bits",
            oct("AB", ""),
            Parse,
            InvalidKey,
        ),
        ("padded e", rsa(&n2048, "AQAB==", ""), Parse, InvalidKey),
        // RSA integers and sizes.
        (
            "RSA n with a leading zero octet",
            rsa(&b64(&[&[0u8][..], &[0xC5u8; 256]].concat()), "AQAB", ""),
            Parse,
            InvalidKey,
        ),
        (
            "RSA e with a leading zero octet",
            rsa(&n2048, "AAEAAQ", ""),
            Parse,
            InvalidKey,
        ),
        ("RSA empty n", rsa("", "AQAB", ""), Parse, InvalidKey),
        (
            "RSA 1024-bit modulus",
            rsa(&b64(&[0xFFu8; 128]), "AQAB", ""),
            Verify(Some(RS256)),
            WeakKey,
        ),
        (
            "RSA modulus over 8192 bits",
            rsa(&b64(&[0xFFu8; 1025]), "AQAB", ""),
            Verify(Some(RS256)),
            UnsupportedKey,
        ),
        (
            "RSA even exponent",
            rsa(&n2048, "AQAC", ""),
            Verify(Some(RS256)),
            InvalidKey,
        ),
        (
            "RSA exponent 1",
            rsa(&n2048, "AQ", ""),
            Verify(Some(RS256)),
            InvalidKey,
        ),
        (
            "multi-prime RSA (oth)",
            rsa(&n2048, "AQAB", r#","oth":[]"#),
            Parse,
            UnsupportedKey,
        ),
        // EC coordinates and private scalar.
        (
            "EC x of 31 bytes",
            format!(
                r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{P256_Y}"}}"#,
                b64(&[1u8; 31])
            ),
            Parse,
            InvalidKey,
        ),
        (
            "EC y of 33 bytes",
            format!(
                r#"{{"kty":"EC","crv":"P-256","x":"{P256_X}","y":"{}"}}"#,
                b64(&[1u8; 33])
            ),
            Parse,
            InvalidKey,
        ),
        (
            "P-384 with P-256-sized coordinates",
            format!(r#"{{"kty":"EC","crv":"P-384","x":"{P256_X}","y":"{P256_Y}"}}"#),
            Parse,
            InvalidKey,
        ),
        (
            "EC d of 31 bytes",
            ec(&format!(r#","d":"{}""#, b64(&[1u8; 31]))),
            Parse,
            InvalidKey,
        ),
        (
            "EC point off the curve, with d (verify)",
            format!(
                r#"{{"kty":"EC","crv":"P-256","x":"{off_curve}","y":"{off_curve}","d":"{}"}}"#,
                b64(&[1u8; 32])
            ),
            Verify(Some(ES256)),
            InvalidKey,
        ),
        (
            "EC point off the curve, with d (sign)",
            format!(
                r#"{{"kty":"EC","crv":"P-256","x":"{off_curve}","y":"{off_curve}","d":"{}"}}"#,
                b64(&[1u8; 32])
            ),
            Sign(Some(ES256)),
            InvalidKey,
        ),
        // Ed25519 lengths.
        (
            "Ed25519 x of 31 bytes",
            format!(
                r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
                b64(&[1u8; 31])
            ),
            Parse,
            InvalidKey,
        ),
        (
            "Ed25519 d of 33 bytes",
            format!(
                r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","d":"{}"}}"#,
                b64(&[1u8; 33])
            ),
            Parse,
            InvalidKey,
        ),
        // Unknown or unsupported key types and curves.
        (
            "kty RSA with a trailing space",
            rsa(&n2048, "AQAB", "").replace("\"RSA\"", "\"RSA \""),
            Parse,
            UnsupportedKey,
        ),
        (
            "kty in lower case",
            rsa(&n2048, "AQAB", "").replace("\"RSA\"", "\"rsa\""),
            Parse,
            UnsupportedKey,
        ),
        (
            "unknown kty",
            r#"{"kty":"AKP","pub":"AA"}"#.into(),
            Parse,
            UnsupportedKey,
        ),
        (
            "OKP X25519",
            format!(r#"{{"kty":"OKP","crv":"X25519","x":"{ED_X}"}}"#),
            Parse,
            UnsupportedKey,
        ),
        (
            "OKP Ed448",
            r#"{"kty":"OKP","crv":"Ed448","x":"AA"}"#.into(),
            Parse,
            UnsupportedKey,
        ),
        (
            "OKP unknown curve",
            r#"{"kty":"OKP","crv":"Ed25519 ","x":"AA"}"#.into(),
            Parse,
            UnsupportedKey,
        ),
        (
            "EC P-521",
            r#"{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}"#.into(),
            Parse,
            UnsupportedKey,
        ),
        (
            "EC secp256k1",
            r#"{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}"#.into(),
            Parse,
            UnsupportedKey,
        ),
        // Weak secrets.
        ("empty oct k", oct("", ""), Parse, WeakKey),
        (
            "16-byte oct k for HS256",
            oct(&b64(&[7u8; 16]), ""),
            Verify(Some(HS256)),
            WeakKey,
        ),
        (
            "32-byte oct k with alg HS512",
            oct(&k32, r#","alg":"HS512""#),
            Verify(None),
            WeakKey,
        ),
        // alg: never none, known names only, bound to exactly one algorithm.
        (
            "alg none",
            oct(&k32, r#","alg":"none""#),
            Verify(None),
            UnsupportedAlgorithm,
        ),
        (
            "alg none with a fallback",
            oct(&k32, r#","alg":"none""#),
            Verify(Some(HS256)),
            UnsupportedAlgorithm,
        ),
        (
            "alg unknown",
            oct(&k32, r#","alg":"HS257""#),
            Verify(None),
            UnknownAlgorithm,
        ),
        (
            "alg in lower case",
            oct(&k32, r#","alg":"hs256""#),
            Verify(None),
            UnknownAlgorithm,
        ),
        (
            "alg ES512 on a P-256 key",
            ec(r#","alg":"ES512""#),
            Verify(None),
            UnsupportedAlgorithm,
        ),
        (
            "alg A128KW",
            oct(&b64(&[7u8; 16]), r#","alg":"A128KW""#),
            Verify(None),
            UnsupportedAlgorithm,
        ),
        ("no alg and no fallback", ec(""), Verify(None), InvalidKey),
        (
            "alg differs from the fallback",
            rsa(&n2048, "AQAB", r#","alg":"RS256""#),
            Verify(Some(RS384)),
            InvalidKey,
        ),
        (
            "EC key with alg RS256",
            ec(r#","alg":"RS256""#),
            Verify(None),
            KeyMismatch,
        ),
        (
            "P-256 key with alg ES384",
            ec(r#","alg":"ES384""#),
            Verify(None),
            KeyMismatch,
        ),
        (
            "P-256 key with fallback ES384",
            ec(""),
            Verify(Some(ES384)),
            KeyMismatch,
        ),
        (
            "oct key with alg ES256",
            oct(&k32, r#","alg":"ES256""#),
            Verify(None),
            KeyMismatch,
        ),
        (
            "RSA key with alg HS256",
            rsa(&n2048, "AQAB", r#","alg":"HS256""#),
            Verify(None),
            KeyMismatch,
        ),
        (
            "RSA key with fallback HS256",
            rsa(&n2048, "AQAB", ""),
            Verify(Some(HS256)),
            KeyMismatch,
        ),
        (
            "Ed25519 key with alg ES256",
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","alg":"ES256"}}"#),
            Verify(None),
            KeyMismatch,
        ),
        (
            "Ed25519 key with fallback HS256",
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}"}}"#),
            Verify(Some(HS256)),
            KeyMismatch,
        ),
        // use / key_ops forbid verification.
        (
            "use enc",
            ec(r#","use":"enc""#),
            Verify(Some(ES256)),
            UnsupportedKey,
        ),
        (
            "use enc with alg",
            oct(&k32, r#","use":"enc","alg":"HS256""#),
            Verify(None),
            UnsupportedKey,
        ),
        (
            "use with a trailing space",
            ec(r#","use":"sig ""#),
            Verify(Some(ES256)),
            UnsupportedKey,
        ),
        (
            "key_ops encrypt",
            ec(r#","key_ops":["encrypt"]"#),
            Verify(Some(ES256)),
            UnsupportedKey,
        ),
        (
            "key_ops sign only, for verifying",
            ec(r#","key_ops":["sign"]"#),
            Verify(Some(ES256)),
            UnsupportedKey,
        ),
        (
            "key_ops empty",
            ec(r#","key_ops":[]"#),
            Verify(Some(ES256)),
            UnsupportedKey,
        ),
        (
            "oct key_ops verify only, for signing",
            oct(&k32, r#","key_ops":["verify"]"#),
            Sign(Some(HS256)),
            UnsupportedKey,
        ),
        (
            "oct use enc, for signing",
            oct(&k32, r#","use":"enc""#),
            Sign(Some(HS256)),
            UnsupportedKey,
        ),
        // A public JWK cannot sign.
        (
            "public EC for signing",
            ec(""),
            Sign(Some(ES256)),
            InvalidKey,
        ),
        (
            "public RSA for signing",
            rsa(&n2048, "AQAB", ""),
            Sign(Some(RS256)),
            InvalidKey,
        ),
    ];
    for (label, json, stage, expected) in &rows {
        check(label, json, *stage, *expected);
    }
    assert_eq!(rows.len(), 81);

    // `use: sig` and `key_ops` including `verify` are fine, as are unknown extra members.
    for extra in [
        r#","use":"sig""#,
        r#","key_ops":["verify"]"#,
        r#","key_ops":["sign","verify"]"#,
        r#","x5t":"ignored","ext":true"#,
    ] {
        let jwk = Jwk::from_json(&ec(extra)).unwrap();
        assert!(jwk.verifying_key(Some(ES256)).is_ok(), "{extra}");
    }
    // Error messages never quote the input (serde_json messages are not passed through).
    let error = Jwk::from_json(r#"{"kty":"RSA","n":"secret-looking-value","e":17}"#).unwrap_err();
    assert!(
        !error.to_string().contains("secret-looking-value"),
        "{error}"
    );
    assert!(!error.to_string().contains("17"), "{error}");
}

/// `d` that belongs to another key: refused whenever a key is built from the JWK.
#[test]
fn private_members_of_another_key_are_refused() {
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
        let a = private_jwk_value(&SigningKey::generate(alg).unwrap());
        let b = private_jwk_value(&SigningKey::generate(alg).unwrap());
        let mut spliced = a.clone();
        spliced["d"] = b["d"].clone();
        let jwk = Jwk::from_json(&spliced.to_string()).unwrap();
        assert_eq!(
            kind(jwk.signing_key(None)),
            ErrorKind::InvalidKey,
            "{alg:?} sign"
        );
        assert_eq!(
            kind(jwk.verifying_key(None)),
            ErrorKind::InvalidKey,
            "{alg:?} verify"
        );
        // The unspliced keys are fine.
        assert!(
            Jwk::from_json(&a.to_string())
                .unwrap()
                .signing_key(None)
                .is_ok()
        );
    }

    // RSA: the interop key with private members taken from the RFC 7520 key. Where ring checks
    // the relation (p*q = n, qi = q^-1 mod p), the key is refused.
    let a = private_jwk_value(&rsa_key(Algorithm::RS256));
    let b = rfc7520_rsa_private();
    for members in [&["p", "q"][..], &["qi"], &["d", "p", "q", "dp", "dq", "qi"]] {
        let mut spliced = a.clone();
        for member in members {
            spliced[*member] = b[*member].clone();
        }
        let jwk = Jwk::from_json(&spliced.to_string()).unwrap();
        assert_eq!(
            kind(jwk.signing_key(None)),
            ErrorKind::InvalidKey,
            "RSA {members:?}"
        );
        assert_eq!(
            kind(jwk.verifying_key(None)),
            ErrorKind::InvalidKey,
            "RSA {members:?}"
        );
    }
}

/// An RSA private JWK whose `d` belongs to another key is refused at import: ring never uses or
/// checks `d`, so jwt-core checks `d` against `dP`/`dQ` itself (otherwise the key would sign fine
/// and then export an inconsistent `d`).
#[test]
fn reject_rsa_private_jwk_with_a_foreign_d() {
    let mut spliced = private_jwk_value(&rsa_key(Algorithm::RS256));
    spliced["d"] = rfc7520_rsa_private()["d"].clone();
    let jwk = Jwk::from_json(&spliced.to_string()).unwrap();
    let result = jwk.signing_key(None);
    assert_eq!(
        result.map(|_| ()).map_err(|e| e.kind()),
        Err(ErrorKind::InvalidKey),
        "an RSA private JWK whose `d` belongs to another key was accepted"
    );
}

/// An RSA private JWK whose `dP` or `dQ` belongs to another key is refused at import, not at the
/// first signature (ring checks them only when signing; jwt-core signs once on load).
#[test]
fn reject_rsa_private_jwk_with_foreign_dp_or_dq_at_import() {
    for member in ["dp", "dq"] {
        let mut spliced = private_jwk_value(&rsa_key(Algorithm::RS256));
        spliced[member] = rfc7520_rsa_private()[member].clone();
        let jwk = Jwk::from_json(&spliced.to_string()).unwrap();
        let result = jwk.signing_key(None);
        assert_eq!(
            result.map(|_| ()).map_err(|e| e.kind()),
            Err(ErrorKind::InvalidKey),
            "an RSA private JWK whose `{member}` belongs to another key was accepted"
        );
    }
}

/// A public EC point off its curve is refused when it is imported (where the JWK can be
/// named), not only by ring at every verification.
#[test]
fn off_curve_public_ec_point_is_refused_at_import() {
    let off_curve = b64(&[1u8; 32]);
    let jwk = Jwk::from_json(&format!(
        r#"{{"kty":"EC","crv":"P-256","x":"{off_curve}","y":"{off_curve}","kid":"bad"}}"#
    ))
    .unwrap();
    let error = jwk.verifying_key(Some(Algorithm::ES256)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidKey);
    assert!(error.to_string().contains("not a point"), "{error}");
    // In a set, the entry is skipped with that reason and the others are kept.
    let signer = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("good");
    let good = signer.verifying_key().to_jwk().unwrap().to_json();
    let set = JwkSet::from_json(&format!(
        r#"{{"keys":[{good},{{"kty":"EC","crv":"P-256","x":"{off_curve}","y":"{off_curve}","kid":"bad"}}]}}"#
    ))
    .unwrap();
    let (keys, skipped) = KeySet::from_jwk_set(&set, &[Algorithm::ES256]);
    assert_eq!(keys.len(), 1);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].kid(), Some("bad"));
    let verifier = Verifier::with_key_set(keys);
    assert_eq!(outcome(&verifier, &token(&signer, "x")), Ok("x".to_owned()));
}

#[test]
fn malformed_jwk_sets_are_refused() {
    let valid = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}"}}"#);
    for (label, json) in [
        ("empty", String::new()),
        ("array", format!("[{valid}]")),
        ("string", r#""keys""#.to_owned()),
        ("null", "null".to_owned()),
        ("no keys member", "{}".to_owned()),
        ("keys is an object", format!(r#"{{"keys":{valid}}}"#)),
        ("keys is null", r#"{"keys":null}"#.to_owned()),
        ("keys is a string", r#"{"keys":"[]"}"#.to_owned()),
        ("keys twice", format!(r#"{{"keys":[],"keys":[{valid}]}}"#)),
        ("truncated", format!(r#"{{"keys":[{valid}"#)),
    ] {
        assert_eq!(
            kind(JwkSet::from_json(&json)),
            ErrorKind::InvalidKey,
            "{label}"
        );
    }

    // The key limit.
    let set_of = |n: usize| format!(r#"{{"keys":[{}]}}"#, vec![valid.as_str(); n].join(","));
    assert_eq!(
        kind(JwkSet::from_json_with_limit(&set_of(4), 3)),
        ErrorKind::InvalidKey
    );
    assert_eq!(
        JwkSet::from_json_with_limit(&set_of(3), 3)
            .unwrap()
            .keys()
            .len(),
        3
    );
    assert_eq!(
        JwkSet::from_json_with_limit(r#"{"keys":[]}"#, 0)
            .unwrap()
            .keys()
            .len(),
        0
    );
    let limit = jwt_core::DEFAULT_MAX_JWKS_KEYS;
    assert_eq!(
        kind(JwkSet::from_json(&set_of(limit + 1))),
        ErrorKind::InvalidKey
    );
    assert_eq!(
        JwkSet::from_json(&set_of(limit)).unwrap().keys().len(),
        limit
    );

    // Entries that are not JWKs are skipped, not fatal, each with its reason.
    let set = JwkSet::from_json(&format!(
        r#"{{"keys":[1,"x",null,[],{{"kty":"EC","crv":"P-521","x":"AA","y":"AA","kid":"p521"}},
            {{"kty":"RSA ","kid":"spaced"}},{{"kty":"OKP","crv":"X25519","x":"{ED_X}","kid":7}},{valid}]}}"#
    ))
    .unwrap();
    assert_eq!(set.keys().len(), 1);
    let skipped: Vec<(usize, Option<&str>, ErrorKind)> = set
        .skipped()
        .iter()
        .map(|s| (s.index(), s.kid(), s.error().kind()))
        .collect();
    assert_eq!(
        skipped,
        [
            (0, None, ErrorKind::InvalidKey),
            (1, None, ErrorKind::InvalidKey),
            (2, None, ErrorKind::InvalidKey),
            (3, None, ErrorKind::InvalidKey),
            (4, Some("p521"), ErrorKind::UnsupportedKey),
            (5, Some("spaced"), ErrorKind::UnsupportedKey),
            (6, None, ErrorKind::InvalidKey), // a numeric kid is a malformed member
        ]
    );
    assert!(set.skipped()[4].to_string().contains("P-521"));
    assert!(set.skipped()[5].to_string().contains("kty"));
}

// ---------------------------------------------------------------------------------------------
// 2. Mixed families through one verifier

struct Family {
    signing: SigningKey,
    /// What the JWK Set publishes: the public JWK, or for HMAC the private (oct) one.
    published: Value,
}

fn mixed_families() -> Vec<Family> {
    let keys = [
        rsa_key(Algorithm::RS256).with_kid("rsa"),
        // The same RSA key again, for PS256: one kid may name one key per algorithm.
        rsa_key(Algorithm::PS256).with_kid("rsa"),
        SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("p256"),
        SigningKey::generate(Algorithm::ES384)
            .unwrap()
            .with_kid("p384"),
        SigningKey::generate(Algorithm::EdDSA)
            .unwrap()
            .with_kid("ed"),
        SigningKey::generate(Algorithm::HS256)
            .unwrap()
            .with_kid("hmac"),
    ];
    keys.into_iter()
        .map(|signing| {
            let published = if signing.algorithm() == Algorithm::HS256 {
                private_jwk_value(&signing)
            } else {
                public_jwk_value(&signing)
            };
            Family { signing, published }
        })
        .collect()
}

#[test]
fn mixed_family_jwk_set_verifies_every_family_through_one_verifier() {
    let families = mixed_families();
    let mut entries: Vec<Value> = families.iter().map(|f| f.published.clone()).collect();
    // Plus entries that must be skipped: P-521, an encryption key, an unknown kty.
    entries.insert(
        1,
        json!({"kty":"EC","crv":"P-521","x":"AA","y":"AA","kid":"p521"}),
    );
    entries.push(json!({"kty":"oct","k": b64(&[3u8; 32]),"use":"enc","alg":"HS256","kid":"enc"}));
    entries.push(json!({"kty":"AKP","alg":"ML-DSA-44","pub":"AA","kid":"pq"}));
    let set = JwkSet::from_json(&json!({ "keys": entries }).to_string()).unwrap();
    assert_eq!(set.keys().len(), 7);
    let (keys, skipped) = KeySet::from_jwk_set(&set, &[]);
    assert_eq!(keys.len(), 6);
    let mut reasons: Vec<(Option<&str>, ErrorKind)> = skipped
        .iter()
        .map(|s| (s.kid(), s.error().kind()))
        .collect();
    reasons.sort_by_key(|(kid, _)| kid.map(str::to_owned));
    assert_eq!(
        reasons,
        [
            (Some("enc"), ErrorKind::UnsupportedKey),
            (Some("p521"), ErrorKind::UnsupportedKey),
            (Some("pq"), ErrorKind::UnsupportedKey),
        ]
    );
    let bound: Vec<(Algorithm, Option<&str>)> = keys
        .keys()
        .iter()
        .map(|k| (k.algorithm(), k.kid()))
        .collect();
    assert_eq!(
        bound,
        [
            (Algorithm::RS256, Some("rsa")),
            (Algorithm::PS256, Some("rsa")),
            (Algorithm::ES256, Some("p256")),
            (Algorithm::ES384, Some("p384")),
            (Algorithm::EdDSA, Some("ed")),
            (Algorithm::HS256, Some("hmac")),
        ]
    );

    let verifier = Verifier::with_key_set(keys);
    for family in &families {
        let alg = family.signing.algorithm();
        let token = token(&family.signing, alg.name());
        assert_eq!(
            outcome(&verifier, &token),
            Ok(alg.name().to_owned()),
            "{alg:?}"
        );
        // Exactly one key of each algorithm: a token without kid is routed to it as well.
        let unnamed = without_kid(&family.signing);
        assert_eq!(
            outcome(&verifier, &token_with_kid(&unnamed, None, "unnamed")),
            Ok("unnamed".to_owned()),
            "{alg:?}"
        );
        // A kid of another key of the set, on a token of this algorithm: refused.
        let other_kid = if family.signing.kid() == Some("ed") {
            "p256"
        } else {
            "ed"
        };
        assert_eq!(
            outcome(&verifier, &token_with_kid(&unnamed, Some(other_kid), "x")),
            Err(ErrorKind::UnknownKeyId),
            "{alg:?}"
        );
    }
    // Tokens of the skipped encryption key are never verified by it.
    let enc = SigningKey::from_hmac_secret(Algorithm::HS256, &[3u8; 32])
        .unwrap()
        .with_kid("enc");
    assert_eq!(
        outcome(&verifier, &token(&enc, "enc")),
        Err(ErrorKind::UnknownKeyId)
    );
    // Algorithms no key is bound to.
    let hs384 = SigningKey::generate(Algorithm::HS384)
        .unwrap()
        .with_kid("hmac");
    assert_eq!(
        outcome(&verifier, &token(&hs384, "x")),
        Err(ErrorKind::AlgorithmNotAllowed)
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Selection rules. Each assertion fails if its rule is dropped.

/// Two EdDSA keys with kids "a" and "b", one ES256 key "p256", and RS256 "rsa".
struct Fixture {
    a: SigningKey,
    b: SigningKey,
    p256: SigningKey,
    rsa: SigningKey,
    verifier: Verifier,
}

fn fixture() -> Fixture {
    let a = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let b = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let p256 = SigningKey::generate(Algorithm::ES256).unwrap();
    let rsa = rsa_key(Algorithm::RS256);
    let keys = KeySet::new([
        a.verifying_key().with_kid("a"),
        b.verifying_key().with_kid("b"),
        p256.verifying_key().with_kid("p256"),
        rsa.verifying_key().with_kid("rsa"),
    ])
    .unwrap();
    Fixture {
        a,
        b,
        p256,
        rsa,
        verifier: Verifier::with_key_set(keys),
    }
}

#[test]
fn selection_by_exact_kid_never_tries_other_keys() {
    let f = fixture();
    let v = &f.verifier;
    assert_eq!(
        outcome(v, &token_with_kid(&f.a, Some("a"), "a")),
        Ok("a".into())
    );
    assert_eq!(
        outcome(v, &token_with_kid(&f.b, Some("b"), "b")),
        Ok("b".into())
    );
    // Signed by b, naming a: only a is tried, so the signature fails. (Trying every key of the
    // algorithm would accept it.)
    assert_eq!(
        outcome(v, &token_with_kid(&f.b, Some("a"), "b")),
        Err(ErrorKind::InvalidSignature)
    );
    // Exact match only: no prefix, case or whitespace folding.
    for kid in ["A", "a ", " a", "", "ab", "b\u{0}"] {
        assert_eq!(
            outcome(v, &token_with_kid(&f.a, Some(kid), "a")),
            Err(ErrorKind::UnknownKeyId),
            "{kid:?}"
        );
    }
    // An unknown kid is refused before any signature check, though key a would verify it.
    assert_eq!(
        outcome(v, &token_with_kid(&f.a, Some("c"), "a")),
        Err(ErrorKind::UnknownKeyId)
    );
    // The selected key is the one with the kid, as `KeySet::select` reports.
    let token = token_with_kid(&f.b, Some("b"), "b");
    let header = jwt_core::danger_decode_unverified(&token)
        .unwrap()
        .into_header();
    assert_eq!(v.key_set().select(&header).unwrap().kid(), Some("b"));
}

#[test]
fn selection_requires_the_token_alg_to_equal_the_keys_alg() {
    let f = fixture();
    let v = &f.verifier;
    // kid "rsa" names an RS256 key; a PS256 token signed by the same RSA key naming it is
    // refused: no key is bound to PS256.
    let ps256 = rsa_key(Algorithm::PS256);
    assert_eq!(
        outcome(v, &token_with_kid(&ps256, Some("rsa"), "x")),
        Err(ErrorKind::AlgorithmNotAllowed)
    );
    // kid "p256" names an ES256 key; an EdDSA token naming it is refused, though EdDSA keys
    // exist: the kid is looked up among keys of the token's algorithm only.
    assert_eq!(
        outcome(v, &token_with_kid(&f.a, Some("p256"), "x")),
        Err(ErrorKind::UnknownKeyId)
    );
    // EdDSA and Ed25519 are different algorithm names: a key bound to EdDSA does not verify an
    // `alg: Ed25519` token of the same key pair.
    let der = f.a.to_pkcs8_der().unwrap();
    let ed25519 = SigningKey::from_pkcs8_der(Algorithm::Ed25519, der.expose()).unwrap();
    assert_eq!(
        outcome(v, &token_with_kid(&ed25519, Some("a"), "x")),
        Err(ErrorKind::AlgorithmNotAllowed)
    );

    // One kid for two algorithms: each token gets the key of its own algorithm.
    let rs = rsa_key(Algorithm::RS256).with_kid("k");
    let ps = rsa_key(Algorithm::PS256).with_kid("k");
    let verifier = Verifier::with_keys([rs.verifying_key(), ps.verifying_key()]).unwrap();
    assert_eq!(outcome(&verifier, &token(&rs, "rs")), Ok("rs".into()));
    assert_eq!(outcome(&verifier, &token(&ps, "ps")), Ok("ps".into()));
}

#[test]
fn token_without_kid_needs_exactly_one_key_of_its_alg() {
    let f = fixture();
    let v = &f.verifier;
    // One ES256 key, one RS256 key: a token without kid is routed to it.
    assert_eq!(
        outcome(v, &token_with_kid(&f.p256, None, "p")),
        Ok("p".into())
    );
    assert_eq!(
        outcome(v, &token_with_kid(&f.rsa, None, "r")),
        Ok("r".into())
    );
    // Two EdDSA keys: ambiguous, though key a would verify it (never "try every key").
    assert_eq!(
        outcome(v, &token_with_kid(&f.a, None, "a")),
        Err(ErrorKind::AmbiguousKey)
    );
    // No key of the algorithm at all.
    let hs = SigningKey::generate(Algorithm::HS256).unwrap();
    assert_eq!(
        outcome(v, &token_with_kid(&hs, None, "h")),
        Err(ErrorKind::AlgorithmNotAllowed)
    );
}

#[test]
fn selection_errors_are_distinct() {
    let f = fixture();
    let v = &f.verifier;
    let hs = SigningKey::generate(Algorithm::HS512).unwrap();
    let errors = [
        outcome(v, &token_with_kid(&f.a, Some("nope"), "x")).unwrap_err(),
        outcome(v, &token_with_kid(&f.a, None, "x")).unwrap_err(),
        outcome(v, &token_with_kid(&hs, Some("a"), "x")).unwrap_err(),
    ];
    assert_eq!(
        errors,
        [
            ErrorKind::UnknownKeyId,
            ErrorKind::AmbiguousKey,
            ErrorKind::AlgorithmNotAllowed
        ]
    );
    let codes: Vec<&str> = errors.iter().map(|e| e.code()).collect();
    assert_eq!(
        codes,
        ["unknown_key_id", "ambiguous_key", "algorithm_not_allowed"]
    );
}

/// Documented rule (`Verifier::with_keys`): when no key of the token's algorithm has a kid, a
/// token's kid does not matter and the single key of that algorithm is used; as soon as one
/// key of the algorithm has a kid, kids must match.
#[test]
fn unnamed_single_key_ignores_the_tokens_kid_named_keys_do_not() {
    let a = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let b = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let single = Verifier::new(a.verifying_key());
    assert_eq!(
        outcome(&single, &token_with_kid(&a, Some("any"), "a")),
        Ok("a".into())
    );
    assert_eq!(
        outcome(&single, &token_with_kid(&a, None, "a")),
        Ok("a".into())
    );

    let mixed = Verifier::with_keys([a.verifying_key(), b.verifying_key().with_kid("b")]).unwrap();
    assert_eq!(
        outcome(&mixed, &token_with_kid(&a, Some("any"), "a")),
        Err(ErrorKind::UnknownKeyId)
    );
    assert_eq!(
        outcome(&mixed, &token_with_kid(&a, None, "a")),
        Err(ErrorKind::AmbiguousKey)
    );
    assert_eq!(
        outcome(&mixed, &token_with_kid(&b, Some("b"), "b")),
        Ok("b".into())
    );
}

#[test]
fn duplicate_keys_are_refused_or_skipped() {
    let a = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("k");
    let b = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("k");
    // KeySet::new / Verifier::with_keys: an error.
    assert_eq!(
        kind(KeySet::new([a.verifying_key(), b.verifying_key()])),
        ErrorKind::InvalidKey
    );
    assert_eq!(
        kind(Verifier::with_keys([a.verifying_key(), b.verifying_key()])),
        ErrorKind::InvalidKey
    );
    let unnamed_a = SigningKey::generate(Algorithm::ES256).unwrap();
    let unnamed_b = SigningKey::generate(Algorithm::ES256).unwrap();
    assert_eq!(
        kind(KeySet::new([
            unnamed_a.verifying_key(),
            unnamed_b.verifying_key()
        ])),
        ErrorKind::InvalidKey
    );
    assert_eq!(kind(Verifier::with_keys([])), ErrorKind::InvalidKey);
    // Same kid, different algorithms: fine.
    let c = SigningKey::generate(Algorithm::ES384)
        .unwrap()
        .with_kid("k");
    assert_eq!(
        KeySet::new([a.verifying_key(), c.verifying_key()])
            .unwrap()
            .len(),
        2
    );

    // In a JWK Set: the first is kept, the second skipped with its kid and reason.
    let set = JwkSet::from_json(
        &json!({"keys": [public_jwk_value(&a), public_jwk_value(&b), public_jwk_value(&c)]})
            .to_string(),
    )
    .unwrap();
    let (keys, skipped) = KeySet::from_jwk_set(&set, &[]);
    assert_eq!(keys.len(), 2);
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        (
            skipped[0].index(),
            skipped[0].kid(),
            skipped[0].error().kind()
        ),
        (1, Some("k"), ErrorKind::InvalidKey)
    );
    let verifier = Verifier::with_key_set(keys);
    assert_eq!(outcome(&verifier, &token(&a, "a")), Ok("a".into()));
    assert_eq!(
        outcome(&verifier, &token(&b, "b")),
        Err(ErrorKind::InvalidSignature)
    );
    assert_eq!(outcome(&verifier, &token(&c, "c")), Ok("c".into()));

    // Two kid-less JWKs bound by fallback to the same algorithm: the second is skipped.
    let mut no_kid_a = public_jwk_value(&unnamed_a);
    let mut no_kid_b = public_jwk_value(&unnamed_b);
    for jwk in [&mut no_kid_a, &mut no_kid_b] {
        jwk.as_object_mut().unwrap().remove("alg");
    }
    let set = JwkSet::from_json(&json!({"keys": [no_kid_a, no_kid_b]}).to_string()).unwrap();
    let (keys, skipped) = KeySet::from_jwk_set(&set, &[Algorithm::ES256]);
    assert_eq!((keys.len(), skipped.len()), (1, 1));
}

/// Fallback algorithms: a JWK without `alg` is bound to the first fallback its key type fits;
/// a JWK with `alg` keeps its own.
#[test]
fn fallback_binds_alg_less_jwks_to_the_first_fitting_algorithm() {
    let ed = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("ed");
    let p256 = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("p256");
    let rsa = rsa_key(Algorithm::PS384).with_kid("rsa");
    let mut entries = vec![
        public_jwk_value(&ed),
        public_jwk_value(&p256),
        public_jwk_value(&rsa),
    ];
    for jwk in &mut entries {
        jwk.as_object_mut().unwrap().remove("alg");
    }
    let mut p384 = public_jwk_value(&SigningKey::generate(Algorithm::ES384).unwrap());
    p384["kid"] = json!("p384-own-alg");
    assert_eq!(p384["alg"], "ES384");
    entries.push(p384);
    let set = JwkSet::from_json(&json!({ "keys": entries }).to_string()).unwrap();
    let (keys, skipped) = KeySet::from_jwk_set(
        &set,
        &[
            Algorithm::HS256,
            Algorithm::PS384,
            Algorithm::RS256,
            Algorithm::ES256,
        ],
    );
    // The Ed25519 key has no fitting fallback; P-256 -> ES256, RSA -> PS384 (first fitting).
    let bound: Vec<(Algorithm, Option<&str>)> = keys
        .keys()
        .iter()
        .map(|k| (k.algorithm(), k.kid()))
        .collect();
    assert_eq!(
        bound,
        [
            (Algorithm::ES256, Some("p256")),
            (Algorithm::PS384, Some("rsa")),
            (Algorithm::ES384, Some("p384-own-alg")),
        ]
    );
    assert_eq!(
        skipped
            .iter()
            .map(|s| (s.kid(), s.error().kind()))
            .collect::<Vec<_>>(),
        [(Some("ed"), ErrorKind::InvalidKey)]
    );
    let verifier = Verifier::with_key_set(keys);
    assert_eq!(outcome(&verifier, &token(&rsa, "rsa")), Ok("rsa".into()));
    assert_eq!(outcome(&verifier, &token(&p256, "p")), Ok("p".into()));
    assert_eq!(
        outcome(&verifier, &token(&ed, "e")),
        Err(ErrorKind::AlgorithmNotAllowed)
    );
    // The RSA key is bound to PS384 only, not to RS256 as well.
    let rs256 = rsa_key(Algorithm::RS256).with_kid("rsa");
    assert_eq!(
        outcome(&verifier, &token(&rs256, "r")),
        Err(ErrorKind::AlgorithmNotAllowed)
    );
}

/// `SkippedKey::index` is the entry's position in the JSON `keys` array, also for keys skipped
/// when the set is imported (not only when it is parsed).
#[test]
fn key_set_skipped_index_is_the_json_position() {
    let json = json!({"keys": [
        {"kty":"EC","crv":"P-521","x":"AA","y":"AA","kid":"p521"},
        {"kty":"oct","k": b64(&[9u8; 32]),"use":"enc","kid":"enc"},
    ]})
    .to_string();
    let set = JwkSet::from_json(&json).unwrap();
    let (_, skipped) = KeySet::from_jwk_set(&set, &[Algorithm::HS256]);
    let got: Vec<(usize, Option<&str>)> = skipped.iter().map(|s| (s.index(), s.kid())).collect();
    assert_eq!(
        got,
        [(0, Some("p521")), (1, Some("enc"))],
        "SkippedKey::index from KeySet::from_jwk_set is not the JSON position"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Rotation while other threads verify

/// Decrements the count of running verifier threads when dropped (also on panic).
struct Done<'a>(&'a AtomicUsize);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Release);
    }
}

#[test]
fn rotation_under_concurrent_verification() {
    const THREADS: usize = 4;
    const ITERATIONS: usize = 2000;

    let common = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("common");
    let old = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("old");
    let new = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("new");
    // The only ES256 key, in the first set only: its absence is AlgorithmNotAllowed.
    let es_old = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("es-old");
    let set_a = KeySet::new([
        common.verifying_key(),
        old.verifying_key(),
        es_old.verifying_key(),
    ])
    .unwrap();
    let set_b = KeySet::new([common.verifying_key(), new.verifying_key()]).unwrap();

    let store = KeyStore::new(set_a.clone());
    let verifier = Verifier::with_key_store(store.clone());
    let tokens = [
        (token(&common, "common"), None),
        (token(&old, "old"), Some(ErrorKind::UnknownKeyId)),
        (token(&new, "new"), Some(ErrorKind::UnknownKeyId)),
        (
            token(&es_old, "es-old"),
            Some(ErrorKind::AlgorithmNotAllowed),
        ),
    ];

    let running = AtomicUsize::new(THREADS);
    let swaps = AtomicUsize::new(0);
    let per_thread: Vec<[[usize; 2]; 4]> = std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut use_b = true;
            while running.load(Ordering::Acquire) > 0 {
                store.replace(if use_b { set_b.clone() } else { set_a.clone() });
                use_b = !use_b;
                swaps.fetch_add(1, Ordering::Relaxed);
                std::thread::yield_now();
            }
        });
        let handles: Vec<_> = (0..THREADS)
            .map(|thread| {
                let verifier = verifier.clone();
                let (tokens, running) = (&tokens, &running);
                scope.spawn(move || {
                    // Counts this thread out even if it panics, so the swapper always stops
                    // and a failure fails the test instead of hanging it.
                    let _done = Done(running);
                    // [token][0 = verified, 1 = refused as absent]
                    let mut seen = [[0usize; 2]; 4];
                    for i in 0..ITERATIONS {
                        let which = (i + thread) % tokens.len();
                        let (token, absent_error) = &tokens[which];
                        match (verifier.verify::<Value>(token), absent_error) {
                            (Ok(verified), _) => {
                                assert_eq!(
                                    verified.claims()["sub"],
                                    ["common", "old", "new", "es-old"][which]
                                );
                                seen[which][0] += 1;
                            }
                            (Err(error), Some(expected)) if error.kind() == *expected => {
                                seen[which][1] += 1;
                            }
                            (Err(error), _) => {
                                panic!("token {which} failed with {:?}: {error}", error.kind())
                            }
                        }
                    }
                    seen
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let mut total = [[0usize; 2]; 4];
    for seen in &per_thread {
        for (t, counts) in seen.iter().enumerate() {
            total[t][0] += counts[0];
            total[t][1] += counts[1];
        }
    }
    // Every verification is accounted for; the key in both sets never failed.
    let all: usize = total.iter().map(|c| c[0] + c[1]).sum();
    assert_eq!(all, THREADS * ITERATIONS);
    assert_eq!(
        total[0],
        [THREADS * ITERATIONS / 4, 0],
        "common key: {total:?}"
    );
    assert!(swaps.load(Ordering::Relaxed) > 0);
    // Each rotating token ended in one of its two allowed outcomes (checked in the threads).
    println!(
        "swaps: {}, [verified, refused as absent] per token: {total:?}",
        swaps.load(Ordering::Relaxed)
    );

    // After the threads: the store's current set decides, deterministically.
    store.replace(set_a);
    assert_eq!(outcome(&verifier, &tokens[1].0), Ok("old".into()));
    assert_eq!(
        outcome(&verifier, &tokens[2].0),
        Err(ErrorKind::UnknownKeyId)
    );
    assert_eq!(outcome(&verifier, &tokens[3].0), Ok("es-old".into()));
    store.replace(set_b);
    assert_eq!(outcome(&verifier, &tokens[0].0), Ok("common".into()));
    assert_eq!(
        outcome(&verifier, &tokens[1].0),
        Err(ErrorKind::UnknownKeyId)
    );
    assert_eq!(outcome(&verifier, &tokens[2].0), Ok("new".into()));
    assert_eq!(
        outcome(&verifier, &tokens[3].0),
        Err(ErrorKind::AlgorithmNotAllowed)
    );
    // Verifier clones and the store share one set.
    assert_eq!(verifier.key_set().len(), 2);
    assert_eq!(verifier.clone().key_store().snapshot().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// 5. Export and import

/// Keys of every family, from every source the crate reads.
fn every_family() -> Vec<SigningKey> {
    vec![
        SigningKey::from_pem(Algorithm::RS256, RSA_PKCS8)
            .unwrap()
            .with_kid("rs256"),
        SigningKey::from_pem(Algorithm::PS512, RSA_PKCS1)
            .unwrap()
            .with_kid("ps512"),
        SigningKey::from_pem(Algorithm::ES256, EC_P256_SEC1)
            .unwrap()
            .with_kid("es256-sec1"),
        SigningKey::from_pem(Algorithm::ES384, EC_P384_PKCS8)
            .unwrap()
            .with_kid("es384-pkcs8"),
        SigningKey::from_pem(Algorithm::EdDSA, ED25519_PKCS8)
            .unwrap()
            .with_kid("ed-pkcs8"),
        SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("es256-gen"),
        SigningKey::generate(Algorithm::ES384).unwrap(),
        SigningKey::generate(Algorithm::EdDSA)
            .unwrap()
            .with_kid("eddsa-gen"),
        SigningKey::generate(Algorithm::Ed25519)
            .unwrap()
            .with_kid("ed25519-gen"),
        SigningKey::generate(Algorithm::HS256)
            .unwrap()
            .with_kid("hs256"),
        SigningKey::generate(Algorithm::HS384).unwrap(),
        SigningKey::generate(Algorithm::HS512)
            .unwrap()
            .with_kid("hs512"),
    ]
}

#[test]
fn public_jwk_round_trip_for_every_asymmetric_family() {
    for key in every_family() {
        let alg = key.algorithm();
        if alg.is_hmac() {
            continue;
        }
        let from_signing = key.to_public_jwk().unwrap();
        let from_verifying = key.verifying_key().to_jwk().unwrap();
        assert_eq!(from_signing.to_json(), from_verifying.to_json(), "{alg:?}");
        let json = from_signing.to_json();
        let written: Value = serde_json::from_str(&json).unwrap();
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(
                written.get(private).is_none(),
                "{alg:?}: {private} in {json}"
            );
        }
        assert_eq!(written["alg"], alg.name(), "{alg:?}");
        assert_eq!(written["use"], "sig", "{alg:?}");
        assert_eq!(
            written.get("kid").and_then(Value::as_str),
            key.kid(),
            "{alg:?}"
        );
        let kty = match alg.name() {
            n if n.starts_with('R') || n.starts_with('P') => "RSA",
            n if n.starts_with("ES") => "EC",
            _ => "OKP",
        };
        assert_eq!(written["kty"], kty, "{alg:?}");

        let reimported = Jwk::from_json(&json).unwrap();
        assert!(!reimported.is_private());
        assert_eq!(
            reimported.thumbprint(),
            from_signing.thumbprint(),
            "{alg:?}"
        );
        // RFC 7638: kid, alg and use never count.
        let mut bare = written.clone();
        for optional in ["kid", "alg", "use"] {
            bare.as_object_mut().unwrap().remove(optional);
        }
        let bare = Jwk::from_json(&bare.to_string()).unwrap();
        assert_eq!(bare.thumbprint(), from_signing.thumbprint(), "{alg:?}");
        assert_eq!(
            bare.with_kid("other").thumbprint(),
            from_signing.thumbprint(),
            "{alg:?}"
        );
        let verifying = reimported.verifying_key(None).unwrap();
        assert_eq!((verifying.algorithm(), verifying.kid()), (alg, key.kid()));
        let verifier = Verifier::new(verifying);
        assert_eq!(
            outcome(&verifier, &token(&key, "x")),
            Ok("x".into()),
            "{alg:?}"
        );
        assert_eq!(
            kind(reimported.signing_key(None)),
            ErrorKind::InvalidKey,
            "{alg:?}"
        );
    }
}

#[test]
fn private_jwk_round_trip_for_every_family() {
    for key in every_family() {
        let alg = key.algorithm();
        let private = key.to_private_jwk().unwrap();
        assert!(private.is_private(), "{alg:?}");
        let json = private.to_json();
        let reimported = Jwk::from_json(&json).unwrap();
        let signing = reimported.signing_key(None).unwrap();
        assert_eq!(
            (signing.algorithm(), signing.kid()),
            (alg, key.kid()),
            "{alg:?}"
        );

        // Sign with the re-imported key, verify with the original.
        let verifier = Verifier::new(key.verifying_key());
        assert_eq!(
            outcome(&verifier, &token(&signing, "re")),
            Ok("re".into()),
            "{alg:?}"
        );
        // And the other way round, through the re-imported JWK's verifying key.
        let verifier = Verifier::new(reimported.verifying_key(None).unwrap());
        assert_eq!(
            outcome(&verifier, &token(&key, "orig")),
            Ok("orig".into()),
            "{alg:?}"
        );

        // Export is stable: re-exporting the re-imported key gives the same JWK.
        assert_eq!(signing.to_private_jwk().unwrap().to_json(), json, "{alg:?}");
        if alg.is_hmac() {
            assert_eq!(private.key_type(), "oct");
            assert!(private.to_public().is_none());
        } else {
            // Same thumbprint as the public half; PKCS#8 of the re-imported key reloads.
            assert_eq!(
                private.thumbprint(),
                key.to_public_jwk().unwrap().thumbprint(),
                "{alg:?}"
            );
            let der = signing.to_pkcs8_der().unwrap();
            let reloaded = SigningKey::from_pkcs8_der(alg, der.expose()).unwrap();
            let verifier = Verifier::new(key.verifying_key());
            assert_eq!(
                outcome(&verifier, &token(&reloaded, "p8")),
                Ok("p8".into()),
                "{alg:?}"
            );
        }
    }
}

#[test]
fn hmac_keys_have_no_public_jwk() {
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let key = SigningKey::generate(alg).unwrap().with_kid("h");
        assert_eq!(
            kind(key.verifying_key().to_jwk()),
            ErrorKind::UnsupportedKey
        );
        assert_eq!(kind(key.to_public_jwk()), ErrorKind::UnsupportedKey);
        assert_eq!(
            kind(JwkSet::public([key.verifying_key()])),
            ErrorKind::UnsupportedKey
        );
        let private = value(&key.to_private_jwk().unwrap());
        assert_eq!(private["kty"], "oct");
        assert_eq!(private["alg"], alg.name());
        assert_eq!(private["kid"], "h");
        // Generated secrets are 64 random bytes.
        let k = Base64UrlUnpadded::decode_vec(private["k"].as_str().unwrap()).unwrap();
        assert_eq!(k.len(), 64);
    }
    // A short legacy secret exports, and is refused as weak when imported back.
    let legacy = SigningKey::danger_from_short_hmac_secret(Algorithm::HS256, b"secret").unwrap();
    let jwk = legacy.to_private_jwk().unwrap();
    assert_eq!(kind(jwk.signing_key(None)), ErrorKind::WeakKey);
}

#[test]
fn jwk_set_public_serializes_and_parses_back() {
    let keys: Vec<SigningKey> = every_family()
        .into_iter()
        .filter(|k| !k.algorithm().is_hmac())
        .collect();
    let set = JwkSet::public(keys.iter().map(SigningKey::verifying_key)).unwrap();
    let json = set.to_json();
    assert!(!json.contains("\"d\""));
    let parsed = JwkSet::from_json(&json).unwrap();
    assert_eq!(parsed.keys().len(), keys.len());
    assert!(parsed.skipped().is_empty());
    assert_eq!(parsed.to_json(), json);
    let (key_set, skipped) = KeySet::from_jwk_set(&parsed, &[]);
    assert!(skipped.is_empty());
    let verifier = Verifier::with_key_set(key_set);
    for key in &keys {
        let expected = if key.kid().is_none() {
            // The kid-less generated ES384 key shares its algorithm with "es384-pkcs8": a token
            // without kid cannot choose between them.
            assert_eq!(key.algorithm(), Algorithm::ES384);
            Err(ErrorKind::AmbiguousKey)
        } else {
            Ok("k".to_owned())
        };
        assert_eq!(
            outcome(&verifier, &token(key, "k")),
            expected,
            "{:?}",
            key.algorithm()
        );
    }
    assert_eq!(parsed.find("rs256").unwrap().alg(), Some("RS256"));
    // JwkSet::from_keys keeps what it is given.
    let from_keys = JwkSet::from_keys(parsed.keys().iter().cloned());
    assert_eq!(from_keys.to_json(), json);
}

// ---------------------------------------------------------------------------------------------
// 6. Key generation

#[test]
fn generation_for_every_supported_algorithm_and_rsa_refused() {
    for alg in [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
        Algorithm::Ed25519,
    ] {
        let one = SigningKey::generate(alg).unwrap();
        let two = SigningKey::generate(alg).unwrap();
        assert_eq!(one.algorithm(), alg);
        assert_eq!(
            outcome(&Verifier::new(&one), &token(&one, "g")),
            Ok("g".into()),
            "{alg:?}"
        );
        // Fresh keys each time.
        assert_ne!(
            one.to_private_jwk().unwrap().to_json(),
            two.to_private_jwk().unwrap().to_json(),
            "{alg:?}"
        );
        assert_eq!(
            outcome(&Verifier::new(&two), &token(&one, "g")),
            Err(ErrorKind::InvalidSignature),
            "{alg:?}"
        );
    }
    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        let error = SigningKey::generate(alg).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnsupportedKey, "{alg:?}");
        let message = error.to_string();
        assert!(message.contains("RSA"), "{message}");
        assert!(message.contains("openssl genpkey"), "{message}");
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Debug never shows private members

#[test]
fn debug_of_jwks_and_sets_never_shows_private_members() {
    let canary_secret = b"canary-canary-canary-canary-canary-canary";
    let oct = Jwk::from_json(
        &json!({"kty":"oct","kid":"oct","alg":"HS256","k": b64(canary_secret)}).to_string(),
    )
    .unwrap();
    let ec = SigningKey::generate(Algorithm::ES384)
        .unwrap()
        .with_kid("ec");
    let ed = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("ed");
    let rsa = rsa_key(Algorithm::RS256).with_kid("rsa");
    let privates: Vec<Value> = vec![
        value(&oct),
        private_jwk_value(&ec),
        private_jwk_value(&ed),
        private_jwk_value(&rsa),
    ];
    // Private member values, as base64url text and as decoded bytes in Debug list form.
    let mut secrets: Vec<String> = Vec::new();
    for jwk in &privates {
        for member in ["k", "d", "p", "q", "dp", "dq", "qi"] {
            if let Some(text) = jwk.get(member).and_then(Value::as_str) {
                secrets.push(text.to_owned());
                let bytes = Base64UrlUnpadded::decode_vec(text).unwrap();
                secrets.push(
                    format!("{:?}", &bytes[..8])
                        .trim_end_matches(']')
                        .to_owned(),
                );
                secrets.push(String::from_utf8_lossy(&bytes[..8]).into_owned());
            }
        }
    }
    assert!(secrets.len() >= 4 * 3);
    secrets.push("canary".to_owned());

    // A set with the private keys plus skipped entries that also carry private members.
    let mut entries = privates.clone();
    entries.push(json!({"kty":"EC","crv":"P-521","x":"AA","y":"AA","d": b64(canary_secret)}));
    entries.push(json!({"kty":"oct","k": format!("{}=", b64(canary_secret)),"kid":"padded"}));
    entries.push(json!({"kty":"oct","k": b64(canary_secret),"use":"enc","kid":"enc"}));
    let set = JwkSet::from_json(&json!({ "keys": entries }).to_string()).unwrap();
    assert_eq!((set.keys().len(), set.skipped().len()), (5, 2));
    let (key_set, import_skipped) = KeySet::from_jwk_set(&set, &[]);
    let verifier = Verifier::with_key_set(key_set.clone());

    let mut shown = vec![
        format!("{oct:?}"),
        format!("{oct:#?}"),
        format!("{set:?}"),
        format!("{set:#?}"),
        format!("{key_set:?}"),
        format!("{import_skipped:?}"),
        format!("{verifier:?}"),
        format!("{:?}", verifier.key_store()),
        format!("{ec:?} {ed:?} {rsa:?}"),
    ];
    for jwk in set.keys() {
        shown.push(format!("{jwk:?}"));
        shown.push(format!("{:?}", jwk.to_public()));
    }
    for skipped in set.skipped().iter().chain(&import_skipped) {
        shown.push(format!("{skipped:?}"));
        shown.push(skipped.to_string());
    }
    for text in &shown {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{secret:?} shown in {text}"
            );
        }
    }
    // An oct key's thumbprint is a hash of the secret: not shown either.
    assert!(!format!("{oct:?}").contains(&oct.thumbprint()));
    // Metadata is shown.
    let debug = format!("{oct:?}");
    assert!(
        debug.contains("\"oct\"") && debug.contains("HS256") && debug.contains("private: true")
    );
    // The private EC key's Debug shows the (public) thumbprint.
    let ec_jwk = ec.to_private_jwk().unwrap();
    assert!(format!("{ec_jwk:?}").contains(&ec_jwk.thumbprint()));
}

/// Arbitrary input never panics the JWK and JWK Set parsers, or key import.
#[test]
fn jwk_parsers_do_not_panic_on_mutated_input() {
    let seeds = [
        private_jwk_value(&SigningKey::generate(Algorithm::ES256).unwrap()).to_string(),
        private_jwk_value(&SigningKey::generate(Algorithm::EdDSA).unwrap()).to_string(),
        private_jwk_value(&rsa_key(Algorithm::RS256)).to_string(),
        private_jwk_value(&SigningKey::generate(Algorithm::HS256).unwrap()).to_string(),
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"{}[]\",:0123456789abcdefAQ-_=+/ \\nulltrue";
    let mut outcomes = [0usize; 2];
    for round in 0..600 {
        let mut bytes = seeds[round % seeds.len()].clone().into_bytes();
        for _ in 0..(1 + next() % 4) {
            let at = (next() as usize) % bytes.len();
            match next() % 3 {
                0 => bytes[at] = alphabet[(next() as usize) % alphabet.len()],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, alphabet[(next() as usize) % alphabet.len()]),
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match Jwk::from_json(&text) {
            Ok(jwk) => {
                outcomes[0] += 1;
                let _ = jwk.verifying_key(None);
                let _ = jwk.signing_key(None);
                let _ = jwk.thumbprint();
                let _ = jwk.to_json();
            }
            Err(_) => outcomes[1] += 1,
        }
        let set = JwkSet::from_json(&format!(r#"{{"keys":[{text}]}}"#));
        if let Ok(set) = set {
            let _ = KeySet::from_jwk_set(&set, &Algorithm::ALL);
        }
    }
    assert_eq!(outcomes[0] + outcomes[1], 600);
    assert!(outcomes[1] > 0);
    // VerifyingKey import from a JWK built by hand also never panics on odd sizes.
    for len in [0usize, 1, 31, 32, 33, 64, 65, 96, 97, 200] {
        let _ = VerifyingKey::from_ed25519_bytes(Algorithm::EdDSA, &vec![1u8; len]);
        let _ = VerifyingKey::from_ec_point(Algorithm::ES256, &vec![4u8; len]);
    }
}
