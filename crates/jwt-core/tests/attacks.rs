//! One `reject_*` test per attack class of the security catalogue that the core can defend
//! against (classes A-E and G1; F is the JWK layer, G3 the actix adapter).
//!
//! Attack tokens are forged here with ring directly, so each test controls every byte the
//! attacker controls, including *valid* MACs over hostile headers and payloads: the rejection
//! must come from the policy, not from a broken signature.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    Algorithm, ErrorKind, FixedClock, Limits, SigningKey, Validation, Verifier, VerifyingKey,
};
use ring::signature;

const NOW: u64 = 1_700_000_000;
const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
const RSA_PRIVATE: &str = include_str!("../../../tests/interop/keys/rsa2048-private-pkcs8.pem");
const RSA_PUBLIC: &str = include_str!("../../../tests/interop/keys/rsa2048-public-spki.pem");
const RSA_1024_PUBLIC: &str = include_str!("../../../tests/interop/keys/rsa1024-public-spki.pem");
const RSA_1024_PRIVATE: &str =
    include_str!("../../../tests/interop/keys/rsa1024-private-pkcs8.pem");
const P256_PRIVATE: &str = include_str!("../../../tests/interop/keys/ec-p256-private-pkcs8.pem");
const P384_PRIVATE: &str = include_str!("../../../tests/interop/keys/ec-p384-private-pkcs8.pem");
const P521_PUBLIC: &str = include_str!("../../../tests/interop/keys/ec-p521-public-spki.pem");
const ED25519_PUBLIC: &str = include_str!("../../../tests/interop/keys/ed25519-public-spki.pem");

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn claims() -> String {
    format!(r#"{{"sub":"alice","exp":{}}}"#, NOW + 600)
}

/// A token over raw header and payload JSON, MAC'd with HMAC-SHA256 under `key`.
fn hs256_token(header: &str, payload: &str, key: &[u8]) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key),
        input.as_bytes(),
    );
    format!("{input}.{}", b64(tag.as_ref()))
}

fn validation() -> Validation {
    Validation::new().clock(FixedClock(NOW))
}

fn hmac_verifier() -> Verifier {
    Verifier::new(VerifyingKey::from_hmac_secret(Algorithm::HS256, SECRET).unwrap())
        .with_validation(validation())
}

fn kind(verifier: &Verifier, token: &str) -> ErrorKind {
    verifier
        .verify::<serde_json::Value>(token)
        .unwrap_err()
        .kind()
}

fn accepted(verifier: &Verifier, token: &str) -> serde_json::Value {
    verifier
        .verify::<serde_json::Value>(token)
        .unwrap()
        .into_claims()
}

fn der_from_pem(pem: &str) -> Vec<u8> {
    pem_rfc7468::decode_vec(pem.as_bytes()).unwrap().1
}

#[test]
fn sanity_a_well_formed_token_is_accepted() {
    let token = hs256_token(r#"{"alg":"HS256","typ":"JWT"}"#, &claims(), SECRET);
    assert_eq!(accepted(&hmac_verifier(), &token)["sub"], "alice");
}

// A. Algorithm and key selection ---------------------------------------------------------------

#[test]
fn reject_a1_alg_none_in_every_case_with_and_without_signature() {
    let v = hmac_verifier();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        let unsigned = format!("{}.{}.", b64(header.as_bytes()), b64(claims().as_bytes()));
        assert_eq!(kind(&v, &unsigned), ErrorKind::Malformed, "{alg}");
        let kept_signature = hs256_token(&header, &claims(), SECRET);
        let expected = if alg == "none" {
            ErrorKind::UnsupportedAlgorithm
        } else {
            ErrorKind::UnknownAlgorithm
        };
        assert_eq!(kind(&v, &kept_signature), expected, "{alg}");
    }
}

#[test]
fn reject_a2_rsa_public_key_used_as_hmac_secret() {
    let verifier = Verifier::new(VerifyingKey::from_pem(Algorithm::RS256, RSA_PUBLIC).unwrap())
        .with_validation(validation());
    let pem_crlf = RSA_PUBLIC.replace('\n', "\r\n");
    let der = der_from_pem(RSA_PUBLIC);
    let serialisations: [&[u8]; 5] = [
        RSA_PUBLIC.as_bytes(),
        RSA_PUBLIC.trim_end().as_bytes(),
        pem_crlf.as_bytes(),
        &der,
        br#"{"kty":"RSA","n":"...","e":"AQAB"}"#,
    ];
    for secret in serialisations {
        let token = hs256_token(r#"{"alg":"HS256"}"#, &claims(), secret);
        assert_eq!(kind(&verifier, &token), ErrorKind::AlgorithmNotAllowed);
    }
}

#[test]
fn reject_a3_ec_and_ed25519_keys_as_hmac_secrets_and_cross_curve() {
    let p256 = SigningKey::from_pem(Algorithm::ES256, P256_PRIVATE).unwrap();
    let ed = VerifyingKey::from_pem(Algorithm::EdDSA, ED25519_PUBLIC).unwrap();
    let es_verifier = Verifier::new(&p256).with_validation(validation());
    let ed_verifier = Verifier::new(ed).with_validation(validation());
    let ed_raw = der_from_pem(ED25519_PUBLIC);
    for (verifier, secret) in [
        (&es_verifier, der_from_pem(P256_PRIVATE)),
        (&ed_verifier, ed_raw[12..].to_vec()),
    ] {
        let token = hs256_token(r#"{"alg":"HS256"}"#, &claims(), &secret);
        assert_eq!(kind(verifier, &token), ErrorKind::AlgorithmNotAllowed);
    }
    // A P-384 key cannot be bound to ES256, nor P-256 to ES384, nor Ed25519 to ES256.
    assert_eq!(
        SigningKey::from_pem(Algorithm::ES256, P384_PRIVATE)
            .unwrap_err()
            .kind(),
        ErrorKind::KeyMismatch
    );
    assert_eq!(
        SigningKey::from_pem(Algorithm::ES384, P256_PRIVATE)
            .unwrap_err()
            .kind(),
        ErrorKind::KeyMismatch
    );
    assert_eq!(
        VerifyingKey::from_pem(Algorithm::ES256, ED25519_PUBLIC)
            .unwrap_err()
            .kind(),
        ErrorKind::KeyMismatch
    );
    assert_eq!(
        VerifyingKey::from_pem(Algorithm::ES256, P521_PUBLIC)
            .unwrap_err()
            .kind(),
        ErrorKind::KeyMismatch
    );
    // An ES384 signature (96 bytes) relabelled ES256 fails against the P-256 key.
    let p384 = SigningKey::from_pem(Algorithm::ES384, P384_PRIVATE).unwrap();
    let es384 = jwt_core::encode(&p384, &serde_json::json!({"exp": NOW + 60})).unwrap();
    let mut parts = es384.splitn(2, '.');
    let (_, rest) = (parts.next(), parts.next().unwrap());
    let relabelled = format!("{}.{rest}", b64(br#"{"alg":"ES256","typ":"JWT"}"#));
    assert_eq!(kind(&es_verifier, &relabelled), ErrorKind::InvalidSignature);
}

#[test]
fn reject_a4_missing_unknown_or_malformed_alg() {
    let v = hmac_verifier();
    for header in [
        "{}",
        r#"{"alg":null}"#,
        r#"{"alg":256}"#,
        r#"{"alg":["HS256"]}"#,
        r#"{"alg":"HS256","alg":"RS256"}"#,
    ] {
        assert_eq!(
            kind(&v, &hs256_token(header, &claims(), SECRET)),
            ErrorKind::InvalidHeader,
            "{header}"
        );
    }
    for header in [
        r#"{"alg":"hs256"}"#,
        r#"{"alg":"HS256 "}"#,
        r#"{"alg":" HS256"}"#,
        r#"{"alg":"HS256\u0000"}"#,
        r#"{"alg":"HS256\u200b"}"#,
        r#"{"alg":"RS1"}"#,
    ] {
        assert_eq!(
            kind(&v, &hs256_token(header, &claims(), SECRET)),
            ErrorKind::UnknownAlgorithm,
            "{header}"
        );
    }
    let es512 = hs256_token(r#"{"alg":"ES512"}"#, &claims(), SECRET);
    assert_eq!(kind(&v, &es512), ErrorKind::UnsupportedAlgorithm);
}

#[test]
fn reject_a5_key_used_with_another_algorithm_of_its_family() {
    // An RS256 key does not verify a correct PS256 signature made with the same RSA key.
    let rs256 = SigningKey::from_pem(Algorithm::RS256, RSA_PRIVATE).unwrap();
    let ps256 = SigningKey::from_pem(Algorithm::PS256, RSA_PRIVATE).unwrap();
    let ps_token = jwt_core::encode(&ps256, &serde_json::json!({"exp": NOW + 60})).unwrap();
    let rs_verifier = Verifier::new(&rs256).with_validation(validation());
    assert_eq!(
        kind(&rs_verifier, &ps_token),
        ErrorKind::AlgorithmNotAllowed
    );
    assert!(
        Verifier::new(&ps256)
            .with_validation(validation())
            .verify::<serde_json::Value>(&ps_token)
            .is_ok()
    );
    // An HS512 key does not verify an HS256 MAC made with the same secret.
    let secret = [5u8; 64];
    let hs512 = Verifier::new(VerifyingKey::from_hmac_secret(Algorithm::HS512, &secret).unwrap())
        .with_validation(validation());
    assert_eq!(
        kind(
            &hs512,
            &hs256_token(r#"{"alg":"HS256"}"#, &claims(), &secret)
        ),
        ErrorKind::AlgorithmNotAllowed
    );
}

#[test]
fn reject_a6_empty_hmac_keys_and_unknown_kid_fallbacks() {
    assert_eq!(
        SigningKey::danger_from_short_hmac_secret(Algorithm::HS256, b"")
            .unwrap_err()
            .kind(),
        ErrorKind::WeakKey
    );
    assert_eq!(
        VerifyingKey::danger_from_short_hmac_secret(Algorithm::HS256, b"")
            .unwrap_err()
            .kind(),
        ErrorKind::WeakKey
    );
    // An unknown kid never falls back to some other key.
    let keyed = Verifier::with_keys([
        VerifyingKey::from_hmac_secret(Algorithm::HS256, SECRET)
            .unwrap()
            .with_kid("a"),
        VerifyingKey::from_hmac_secret(Algorithm::HS256, &[9; 32])
            .unwrap()
            .with_kid("b"),
    ])
    .unwrap()
    .with_validation(validation());
    let token = hs256_token(r#"{"alg":"HS256","kid":"../../dev/null"}"#, &claims(), b"");
    assert_eq!(kind(&keyed, &token), ErrorKind::UnknownKeyId);
}

#[test]
fn reject_a7_short_hmac_keys() {
    for (alg, len) in [
        (Algorithm::HS256, 31),
        (Algorithm::HS384, 47),
        (Algorithm::HS512, 63),
    ] {
        assert_eq!(
            VerifyingKey::from_hmac_secret(alg, &vec![1; len])
                .unwrap_err()
                .kind(),
            ErrorKind::WeakKey
        );
    }
}

#[test]
fn reject_a8_rsa_keys_under_2048_bits() {
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        assert_eq!(
            VerifyingKey::from_pem(alg, RSA_1024_PUBLIC)
                .unwrap_err()
                .kind(),
            ErrorKind::WeakKey
        );
        assert_eq!(
            SigningKey::from_pem(alg, RSA_1024_PRIVATE)
                .unwrap_err()
                .kind(),
            ErrorKind::WeakKey
        );
    }
}

// B. Signature verification --------------------------------------------------------------------

#[test]
fn reject_b1_empty_zero_or_one_byte_signatures() {
    let v = hmac_verifier();
    let good = hs256_token(r#"{"alg":"HS256"}"#, &claims(), SECRET);
    let input = good.rsplit_once('.').unwrap().0;
    assert_eq!(kind(&v, &format!("{input}.")), ErrorKind::Malformed);
    assert_eq!(
        kind(&v, &format!("{input}.{}", b64(&[0; 32]))),
        ErrorKind::InvalidSignature
    );
    assert_eq!(
        kind(&v, &format!("{input}.AA")),
        ErrorKind::InvalidSignature
    );
}

#[test]
fn reject_b2_valid_signature_from_another_key() {
    let other = hs256_token(r#"{"alg":"HS256"}"#, &claims(), &[8; 32]);
    assert_eq!(kind(&hmac_verifier(), &other), ErrorKind::InvalidSignature);
    // The right kid with another key's signature.
    let keyed = Verifier::with_keys([
        VerifyingKey::from_hmac_secret(Algorithm::HS256, SECRET)
            .unwrap()
            .with_kid("a"),
        VerifyingKey::from_hmac_secret(Algorithm::HS256, &[8; 32])
            .unwrap()
            .with_kid("b"),
    ])
    .unwrap()
    .with_validation(validation());
    let wrong_key = hs256_token(r#"{"alg":"HS256","kid":"a"}"#, &claims(), &[8; 32]);
    assert_eq!(kind(&keyed, &wrong_key), ErrorKind::InvalidSignature);
    // No kid against several candidate keys: rejected, never "try each".
    let no_kid = hs256_token(r#"{"alg":"HS256"}"#, &claims(), SECRET);
    assert_eq!(kind(&keyed, &no_kid), ErrorKind::AmbiguousKey);
    let right = hs256_token(r#"{"alg":"HS256","kid":"b"}"#, &claims(), &[8; 32]);
    assert_eq!(accepted(&keyed, &right)["sub"], "alice");
}

fn es256_parts() -> (SigningKey, Verifier, String) {
    let key = SigningKey::from_pem(Algorithm::ES256, P256_PRIVATE).unwrap();
    let token = jwt_core::encode(&key, &serde_json::json!({"exp": NOW + 60})).unwrap();
    let verifier = Verifier::new(&key).with_validation(validation());
    (key, verifier, token)
}

#[test]
fn reject_b3_psychic_ecdsa_signatures() {
    let (_, verifier, token) = es256_parts();
    let input = token.rsplit_once('.').unwrap().0;
    assert_eq!(
        kind(&verifier, &format!("{input}.{}", b64(&[0; 64]))),
        ErrorKind::InvalidSignature
    );
    // r = s = n (the P-256 group order).
    let n = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let sig = [n.clone(), n].concat();
    assert_eq!(
        kind(&verifier, &format!("{input}.{}", b64(&sig))),
        ErrorKind::InvalidSignature
    );
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn reject_b4_der_encoded_and_padded_ecdsa_signatures() {
    let (_, verifier, token) = es256_parts();
    let (input, sig_b64) = token.rsplit_once('.').unwrap();
    let sig = Base64UrlUnpadded::decode_vec(sig_b64).unwrap();
    let (r, s) = sig.split_at(32);
    let der_int = |v: &[u8]| {
        let mut out = vec![0x02];
        let pad = v[0] & 0x80 != 0;
        out.push((v.len() + usize::from(pad)) as u8);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
        out
    };
    let body = [der_int(r), der_int(s)].concat();
    let der = [vec![0x30, body.len() as u8], body].concat();
    assert_eq!(
        kind(&verifier, &format!("{input}.{}", b64(&der))),
        ErrorKind::InvalidSignature
    );
    let padded = [&[0][..], r, &[0], s].concat();
    assert_eq!(
        kind(&verifier, &format!("{input}.{}", b64(&padded))),
        ErrorKind::InvalidSignature
    );
}

#[test]
fn reject_b5_wrong_length_signatures() {
    let v = hmac_verifier();
    let good = hs256_token(r#"{"alg":"HS256"}"#, &claims(), SECRET);
    let (input, sig_b64) = good.rsplit_once('.').unwrap();
    let sig = Base64UrlUnpadded::decode_vec(sig_b64).unwrap();
    for bad in [
        sig[..16].to_vec(),
        [sig.clone(), vec![0]].concat(),
        [vec![0], sig.clone()].concat(),
    ] {
        assert_eq!(
            kind(&v, &format!("{input}.{}", b64(&bad))),
            ErrorKind::InvalidSignature
        );
    }
    // RSA with a leading zero octet (257 bytes for a 2048-bit key).
    let rs = SigningKey::from_pem(Algorithm::RS256, RSA_PRIVATE).unwrap();
    let token = jwt_core::encode(&rs, &serde_json::json!({"exp": NOW + 60})).unwrap();
    let (input, sig_b64) = token.rsplit_once('.').unwrap();
    let padded = [vec![0], Base64UrlUnpadded::decode_vec(sig_b64).unwrap()].concat();
    let rs_verifier = Verifier::new(&rs).with_validation(validation());
    assert_eq!(
        kind(&rs_verifier, &format!("{input}.{}", b64(&padded))),
        ErrorKind::InvalidSignature
    );
    assert!(rs_verifier.verify::<serde_json::Value>(&token).is_ok());
    // Ed25519 of 63 and 65 bytes.
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let ed = SigningKey::from_pkcs8_der(Algorithm::EdDSA, pkcs8.as_ref()).unwrap();
    let token = jwt_core::encode(&ed, &serde_json::json!({"exp": NOW + 60})).unwrap();
    let (input, sig_b64) = token.rsplit_once('.').unwrap();
    let sig = Base64UrlUnpadded::decode_vec(sig_b64).unwrap();
    let ed_verifier = Verifier::new(&ed).with_validation(validation());
    for bad in [sig[..63].to_vec(), [sig.clone(), vec![0]].concat()] {
        assert_eq!(
            kind(&ed_verifier, &format!("{input}.{}", b64(&bad))),
            ErrorKind::InvalidSignature
        );
    }
}

#[test]
fn reject_b7_bad_signature_wins_over_expiry() {
    let expired = format!(r#"{{"sub":"alice","exp":{}}}"#, NOW - 10);
    let forged = hs256_token(r#"{"alg":"HS256"}"#, &expired, &[3; 32]);
    let rejection = hmac_verifier()
        .verify_detailed::<serde_json::Value>(&forged)
        .unwrap_err();
    assert_eq!(rejection.error().kind(), ErrorKind::InvalidSignature);
    assert!(
        rejection.verified_despite_time().is_none(),
        "claims of a forged token must never be handed out"
    );
    let genuine = hs256_token(r#"{"alg":"HS256"}"#, &expired, SECRET);
    let rejection = hmac_verifier()
        .verify_detailed::<serde_json::Value>(&genuine)
        .unwrap_err();
    assert_eq!(rejection.error().kind(), ErrorKind::Expired);
    assert!(rejection.verified_despite_time().is_some());
}

// C. Header parameters that carry trust ---------------------------------------------------------

#[test]
fn reject_c1_kid_injection() {
    let keyed = Verifier::new(
        VerifyingKey::from_hmac_secret(Algorithm::HS256, SECRET)
            .unwrap()
            .with_kid("k1"),
    )
    .with_validation(validation());
    for kid in [
        r#""../../../../dev/null""#,
        r#""x' UNION SELECT 'secret'--""#,
        r#""|cmd""#,
        r#""K1""#,
    ] {
        let token = hs256_token(
            &format!(r#"{{"alg":"HS256","kid":{kid}}}"#),
            &claims(),
            SECRET,
        );
        assert_eq!(kind(&keyed, &token), ErrorKind::UnknownKeyId, "{kid}");
    }
    for kid in ["0", "{}", r#"["a"]"#] {
        let token = hs256_token(
            &format!(r#"{{"alg":"HS256","kid":{kid}}}"#),
            &claims(),
            SECRET,
        );
        assert_eq!(kind(&keyed, &token), ErrorKind::InvalidHeader, "{kid}");
    }
    let huge = hs256_token(
        &format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "a".repeat(1 << 20)),
        &claims(),
        SECRET,
    );
    assert_eq!(kind(&keyed, &huge), ErrorKind::TooLarge);
}

/// A token signed with an attacker's own key, which the header offers in several ways.
#[test]
fn reject_c2_c3_c4_keys_and_urls_offered_by_the_token() {
    let attacker = [0xAA; 32];
    let v = hmac_verifier();
    for header in [
        r#"{"alg":"HS256","jku":"https://attacker.example/jwks.json"}"#,
        r#"{"alg":"HS256","x5u":"https://attacker.example/cert.pem"}"#,
        r#"{"alg":"HS256","jwk":{"kty":"oct","k":"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo"}}"#,
        r#"{"alg":"HS256","x5c":["MIIBattacker"],"x5t":"abc"}"#,
    ] {
        assert_eq!(
            kind(&v, &hs256_token(header, &claims(), &attacker)),
            ErrorKind::InvalidSignature,
            "{header}"
        );
    }
}

#[test]
fn reject_c5_crit_in_every_form() {
    let v = hmac_verifier();
    for crit in [
        r#"["http://example.com/UNDEFINED"]"#,
        "[]",
        r#""x""#,
        r#"["alg"]"#,
        r#"["b64"]"#,
        r#"["x","x"]"#,
    ] {
        let token = hs256_token(
            &format!(r#"{{"alg":"HS256","crit":{crit},"x":1}}"#),
            &claims(),
            SECRET,
        );
        assert_eq!(kind(&v, &token), ErrorKind::UnsupportedHeader, "{crit}");
    }
}

#[test]
fn reject_c6_unencoded_payload() {
    let v = hmac_verifier();
    let with_crit = hs256_token(
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
        &claims(),
        SECRET,
    );
    assert_eq!(kind(&v, &with_crit), ErrorKind::UnsupportedHeader);
    let without_crit = hs256_token(r#"{"alg":"HS256","b64":false}"#, &claims(), SECRET);
    assert_eq!(kind(&v, &without_crit), ErrorKind::UnsupportedHeader);
    let stringly = hs256_token(r#"{"alg":"HS256","b64":"false"}"#, &claims(), SECRET);
    assert_eq!(kind(&v, &stringly), ErrorKind::InvalidHeader);
}

#[test]
fn reject_c7_json_serialization_passed_to_the_compact_api() {
    let good = hs256_token(r#"{"alg":"HS256"}"#, &claims(), SECRET);
    let parts: Vec<&str> = good.split('.').collect();
    let json = format!(
        r#"{{"protected":"{}","payload":"{}","signature":"{}"}}"#,
        parts[0], parts[1], parts[2]
    );
    assert_eq!(kind(&hmac_verifier(), &json), ErrorKind::Malformed);
    let mixed = format!(r#"{{"  {}":"","protected":"{}"}}"#, parts[1], parts[0]);
    assert!(hmac_verifier().verify::<serde_json::Value>(&mixed).is_err());
}

#[test]
fn reject_c8_nested_tokens_and_jwe() {
    let inner = format!(
        "{}.{}.",
        b64(br#"{"alg":"none"}"#),
        b64(br#"{"sub":"admin"}"#)
    );
    let outer = hs256_token(
        r#"{"alg":"HS256","cty":"JWT"}"#,
        &format!("\"{inner}\""),
        SECRET,
    );
    // `cty: JWT` is refused before anything is unwrapped; without it the payload (a string) is
    // not a claims object.
    assert_eq!(kind(&hmac_verifier(), &outer), ErrorKind::UnsupportedHeader);
    let unlabelled = hs256_token(r#"{"alg":"HS256"}"#, &format!("\"{inner}\""), SECRET);
    assert_eq!(
        kind(&hmac_verifier(), &unlabelled),
        ErrorKind::InvalidPayload
    );
    let jwe = "eyJhbGciOiJSU0ExXzUiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.QR1Owv2ug2WyPBnbQrRARTeEk9kDO2w8qDcjiHnSJflSdv1iNqhWXaKH4MqAkQtMoNfABIPJaZm0HaA415sv3aeuBWnD8J-Ui7Ah6cWafs3ZwwFKDFUUsWHSK-IPKxLGTkND09XyjORj_CHAgOPJ-Sd8ONQRnJvWn_hXV1BNMHzUjPyYwEsRhDhzjAD26imasOTsgruobpYGoQcXUwFDn7moXPRfDE8-NoQX7N7ZYMmpUDkR-Cx9obNGwJQ3nM52YCitxoQVPzjbl1WBuB7AohdBoZOdZ24WlN1lVIeh8v1K4krB8xgKvRU8kgFrEn_a1rZgN5TiysnmzTROF869lQ.AxY8DCtDaGlsbGljb3RoZQ.MKOle7UQrG6nSxTLX6Mqwt0orbHvAKeWnDYvpIAeZ72deHxz3roJDXQyhxx0wKaMHDjUEOKIwrtkHthpqEanSBNYHZgmNOV7sln1Eu9g3J8.fiK51VwhsxJ-siBMR-YFiA";
    assert!(kind(&hmac_verifier(), jwe) == ErrorKind::Malformed);
}

// D. Serialization and parsing ---------------------------------------------------------------

#[test]
fn reject_d1_non_canonical_base64url() {
    let v = hmac_verifier();
    let good = hs256_token(r#"{"alg":"HS256"}"#, &claims(), SECRET);
    let (input, sig) = good.rsplit_once('.').unwrap();
    // Flip only the unused low bits of the last character (43 chars = 2 spare bits).
    let last = sig.as_bytes()[sig.len() - 1];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.iter().position(|&c| c == last).unwrap();
    let twin = alphabet[index ^ 1] as char;
    let same_bytes = format!("{input}.{}{twin}", &sig[..sig.len() - 1]);
    let padded = format!("{good}=");
    let std_alphabet = good.replace('-', "+").replace('_', "/");
    let junk = format!("{good}!!!!");
    let mut rejected = 0;
    for token in [same_bytes, padded, junk, format!("{good}AA")] {
        assert_eq!(kind(&v, &token), ErrorKind::InvalidBase64, "{token}");
        rejected += 1;
    }
    if std_alphabet != good {
        assert_eq!(kind(&v, &std_alphabet), ErrorKind::InvalidBase64);
    }
    assert_eq!(rejected, 4);
}

#[test]
fn reject_d2_wrong_segment_counts_and_dot_floods() {
    let v = hmac_verifier();
    for token in ["h.p", "h.p.s.", "h.p.s.x", "..", ".p.s", "h..s"] {
        assert_eq!(kind(&v, token), ErrorKind::Malformed, "{token}");
    }
    assert_eq!(kind(&v, &".".repeat(1_000_000)), ErrorKind::TooLarge);
}

#[test]
fn reject_d3_whitespace_anywhere_in_the_token() {
    let v = hmac_verifier();
    let good = hs256_token(r#"{"alg":"HS256"}"#, &claims(), SECRET);
    let (h, rest) = good.split_once('.').unwrap();
    for token in [
        format!(" {good}"),
        format!("{good} "),
        format!("{h}.\n{rest}"),
        format!("{h}\t.{rest}"),
        format!("{good}\r\n"),
    ] {
        assert_eq!(kind(&v, &token), ErrorKind::InvalidBase64, "{token:?}");
    }
}

#[test]
fn reject_d4_duplicate_members_under_a_valid_mac() {
    let v = hmac_verifier();
    let dup_header = hs256_token(r#"{"alg":"HS256","alg":"none"}"#, &claims(), SECRET);
    assert_eq!(kind(&v, &dup_header), ErrorKind::InvalidHeader);
    for payload in [
        format!(r#"{{"sub":"user","sub":"admin","exp":{}}}"#, NOW + 60),
        format!(r#"{{"exp":{},"exp":{}}}"#, NOW - 60, NOW + 60),
        format!(r#"{{"exp":{},"aud":"a","aud":"b"}}"#, NOW + 60),
        format!(r#"{{"exp":{},"s\u0075b":"a","sub":"b"}}"#, NOW + 60),
    ] {
        assert_eq!(
            kind(&v, &hs256_token(r#"{"alg":"HS256"}"#, &payload, SECRET)),
            ErrorKind::InvalidPayload,
            "{payload}"
        );
    }
}

/// D4's cousin, found by the roundtrip fuzz target: serde_json reads an object whose first
/// member is named `$serde_json::private::RawValue` into a `Value` as the JSON inside that
/// member's string, so one signed text had two readings (the registered claims saw one, a
/// claims type holding a `Value` the other). Member names with serde_json's marker prefix are
/// refused at any depth, escaped or not, and never signed.
#[test]
fn reject_d4_serde_json_marker_member_names() {
    let smuggled = r#"{"$serde_json::private::RawValue":"{\"role\":\"admin\"}"}"#;
    // What serde_json alone makes of it: a member the signed text does not have.
    let read: serde_json::Value = serde_json::from_str(smuggled).unwrap();
    assert_eq!(read, serde_json::json!({"role": "admin"}));

    let v = hmac_verifier();
    let exp = NOW + 60;
    for payload in [
        format!(r#"{{"sub":"alice","exp":{exp},"attrs":{smuggled}}}"#),
        format!(r#"{{"$serde_json::private::RawValue":"{{}}","exp":{exp}}}"#),
        format!(r#"{{"exp":{exp},"$serde_json::private::Number":"1"}}"#),
        format!(r#"{{"exp":{exp},"list":[1,{{"a":1,"$serde_json::private::x":2}}]}}"#),
        format!(r#"{{"exp":{exp},"attrs":{{"\u0024serde_json::private::RawValue":"{{}}"}}}}"#),
    ] {
        let token = hs256_token(r#"{"alg":"HS256"}"#, &payload, SECRET);
        assert_eq!(kind(&v, &token), ErrorKind::InvalidPayload, "{payload}");
        // Every entry point, the raw one included (a caller may parse its bytes with serde_json).
        let raw = v.verify_raw(&token).unwrap_err();
        assert_eq!(raw.kind(), ErrorKind::InvalidPayload, "{payload}");
        let mut buffer = Vec::new();
        let borrowed = v.verify_borrowed::<serde::de::IgnoredAny>(&token, &mut buffer);
        assert_eq!(borrowed.unwrap_err().kind(), ErrorKind::InvalidPayload);
        let unverified = jwt_core::danger_decode_unverified(&token).unwrap();
        assert!(
            unverified.claims::<serde_json::Value>().is_err(),
            "{payload}"
        );
    }
    // The prefix only matters as a name: as a value, or a name that merely resembles it, it is
    // an ordinary string.
    let payload = format!(
        r#"{{"exp":{exp},"note":"$serde_json::private::RawValue","$serde_json::privat":1}}"#
    );
    let claims = accepted(&v, &hs256_token(r#"{"alg":"HS256"}"#, &payload, SECRET));
    assert_eq!(claims["note"], "$serde_json::private::RawValue");

    // The encoder refuses to write such names, whether in a map, a struct or JSON text.
    let key = SigningKey::from_hmac_secret(Algorithm::HS256, SECRET).unwrap();
    let nested = serde_json::json!({"sub": "a", "attrs": {"$serde_json::private::RawValue": "{}"}});
    #[derive(serde::Serialize)]
    struct Renamed {
        #[serde(rename = "$serde_json::private::Number")]
        n: u8,
    }
    for refused in [
        jwt_core::encode(&key, &nested),
        jwt_core::encode(&key, &Renamed { n: 1 }),
        jwt_core::Encoder::new(&key).encode_json(smuggled),
    ] {
        let error = refused.unwrap_err();
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Encoding | ErrorKind::InvalidPayload
            ),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("$serde_json::private::"),
            "{error}"
        );
    }
}

#[test]
fn reject_d5_payload_that_is_not_an_object() {
    let v = hmac_verifier();
    for payload in [
        r#"["joe",1300819380,true]"#,
        r#""joe""#,
        "null",
        "1",
        "true",
    ] {
        assert_eq!(
            kind(&v, &hs256_token(r#"{"alg":"HS256"}"#, payload, SECRET)),
            ErrorKind::InvalidPayload,
            "{payload}"
        );
    }
    assert_eq!(
        kind(&v, &hs256_token(r#"["HS256"]"#, &claims(), SECRET)),
        ErrorKind::InvalidHeader
    );
}

#[test]
fn reject_d6_depth_bombs_under_a_valid_mac() {
    let v = hmac_verifier();
    let bomb = format!(
        r#"{{"exp":{},"x":{}{}}}"#,
        NOW + 60,
        "[".repeat(2000),
        "]".repeat(2000)
    );
    assert_eq!(
        kind(&v, &hs256_token(r#"{"alg":"HS256"}"#, &bomb, SECRET)),
        ErrorKind::InvalidPayload
    );
    #[derive(serde::Deserialize, Debug)]
    struct OnlyExp {
        #[allow(dead_code)]
        exp: u64,
    }
    let token = hs256_token(r#"{"alg":"HS256"}"#, &bomb, SECRET);
    assert_eq!(
        v.verify::<OnlyExp>(&token).unwrap_err().kind(),
        ErrorKind::InvalidPayload
    );
    let deep_header = format!(
        r#"{{"alg":"HS256","x":{}{}}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    assert_eq!(
        kind(&v, &hs256_token(&deep_header, &claims(), SECRET)),
        ErrorKind::InvalidHeader
    );
    let tolerant = hmac_verifier().with_limits(Limits::default().max_json_depth(3000));
    assert!(tolerant.verify::<OnlyExp>(&token).is_ok());
}

#[test]
fn reject_d7_oversized_tokens_and_headers() {
    let v = hmac_verifier();
    let big_claims = format!(r#"{{"exp":{},"pad":"{}"}}"#, NOW + 60, "x".repeat(7000));
    assert_eq!(
        kind(&v, &hs256_token(r#"{"alg":"HS256"}"#, &big_claims, SECRET)),
        ErrorKind::TooLarge
    );
    let big_header = format!(r#"{{"alg":"HS256","pad":"{}"}}"#, "x".repeat(2100));
    assert_eq!(
        kind(&v, &hs256_token(&big_header, &claims(), SECRET)),
        ErrorKind::TooLarge
    );
    let roomy = hmac_verifier().with_limits(
        Limits::default()
            .max_token_len(16 * 1024)
            .max_header_len(4096),
    );
    assert!(
        roomy
            .verify::<serde_json::Value>(&hs256_token(&big_header, &big_claims, SECRET))
            .is_ok()
    );
}

#[test]
fn reject_d8_invalid_utf8_bom_and_lookalikes() {
    let v = hmac_verifier();
    let token = |header: &[u8], payload: &[u8]| {
        let input = format!("{}.{}", b64(header), b64(payload));
        let tag = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET),
            input.as_bytes(),
        );
        format!("{input}.{}", b64(tag.as_ref()))
    };
    assert_eq!(
        kind(&v, &token(b"{\"alg\":\"HS\xff256\"}", claims().as_bytes())),
        ErrorKind::InvalidHeader
    );
    assert_eq!(
        kind(
            &v,
            &token(b"\xEF\xBB\xBF{\"alg\":\"HS256\"}", claims().as_bytes())
        ),
        ErrorKind::InvalidHeader
    );
    let lone_surrogate = format!(r#"{{"exp":{},"name":"a\ud800b"}}"#, NOW + 60);
    assert_eq!(
        kind(&v, &token(br#"{"alg":"HS256"}"#, lone_surrogate.as_bytes())),
        ErrorKind::InvalidPayload
    );
    // The payload scan refuses a lone surrogate wherever it is, registered claim or not.
    let in_registered = format!(r#"{{"exp":{},"sub":"a\ud800b"}}"#, NOW + 60);
    assert_eq!(
        kind(&v, &token(br#"{"alg":"HS256"}"#, in_registered.as_bytes())),
        ErrorKind::InvalidPayload
    );
    let in_a_name = format!(r#"{{"exp":{},"\udc00":1}}"#, NOW + 60);
    assert_eq!(
        kind(&v, &token(br#"{"alg":"HS256"}"#, in_a_name.as_bytes())),
        ErrorKind::InvalidPayload
    );
    let raw_invalid = [&br#"{"exp":4000000000,"name":"a"#[..], b"\xff", b"\"}"].concat();
    assert_eq!(
        kind(&v, &token(br#"{"alg":"HS256"}"#, &raw_invalid)),
        ErrorKind::InvalidPayload
    );
    let strict_iss = hmac_verifier().with_validation(validation().issuer("https://issuer.example"));
    for iss in [
        r#""https://issuer.example\u0000.evil""#,
        "\"https://issuer.ex\u{0430}mple\"",
    ] {
        let payload = format!(r#"{{"exp":{},"iss":{iss}}}"#, NOW + 60);
        assert_eq!(
            kind(
                &strict_iss,
                &token(br#"{"alg":"HS256"}"#, payload.as_bytes())
            ),
            ErrorKind::WrongIssuer
        );
    }
}

// E. Claims ------------------------------------------------------------------------------------

fn with_payload(payload: &str) -> String {
    hs256_token(r#"{"alg":"HS256"}"#, payload, SECRET)
}

#[test]
fn reject_e1_time_claims_of_the_wrong_type_under_a_valid_mac() {
    let v = hmac_verifier();
    for value in [
        r#""9999999999""#,
        "true",
        "null",
        "[1]",
        "-1",
        "1e400",
        "1.5e19",
        "18446744073709551616",
    ] {
        for claim in ["exp", "nbf", "iat"] {
            let payload = if claim == "exp" {
                format!(r#"{{"exp":{value}}}"#)
            } else {
                format!(r#"{{"exp":{},"{claim}":{value}}}"#, NOW + 60)
            };
            assert_eq!(
                kind(&v, &with_payload(&payload)),
                ErrorKind::InvalidClaim,
                "{payload}"
            );
        }
    }
}

#[test]
fn reject_e2_expiry_boundaries() {
    let v = hmac_verifier();
    assert_eq!(
        kind(&v, &with_payload(&format!(r#"{{"exp":{NOW}}}"#))),
        ErrorKind::Expired
    );
    assert!(
        v.verify::<serde_json::Value>(&with_payload(&format!(r#"{{"exp":{}}}"#, NOW + 1)))
            .is_ok()
    );
    assert!(
        v.verify::<serde_json::Value>(&with_payload(&format!(
            r#"{{"exp":{},"nbf":{NOW}}}"#,
            NOW + 1
        )))
        .is_ok()
    );
    assert_eq!(
        kind(
            &v,
            &with_payload(&format!(r#"{{"exp":{},"nbf":{}}}"#, NOW + 9, NOW + 1))
        ),
        ErrorKind::NotYetValid
    );
    let lenient = hmac_verifier().with_validation(validation().leeway(u64::MAX));
    assert_eq!(
        kind(
            &lenient,
            &with_payload(&format!(r#"{{"exp":{}}}"#, NOW - 301))
        ),
        ErrorKind::Expired
    );
}

#[test]
fn reject_e3_missing_required_claims() {
    let v = hmac_verifier();
    assert_eq!(
        kind(&v, &with_payload(r#"{"sub":"admin"}"#)),
        ErrorKind::MissingClaim
    );
    let strict =
        hmac_verifier().with_validation(validation().issuer("i").audience("a").require("jti"));
    let payload = format!(r#"{{"exp":{},"iss":"i","aud":"a"}}"#, NOW + 60);
    assert_eq!(
        kind(&strict, &with_payload(&payload)),
        ErrorKind::MissingClaim
    );
}

#[test]
fn reject_e4_audience_shapes() {
    let v = hmac_verifier().with_validation(validation().audience("api"));
    for (aud, expected) in [
        ("[]", ErrorKind::InvalidClaim),
        ("[null]", ErrorKind::InvalidClaim),
        (r#"[["api"]]"#, ErrorKind::InvalidClaim),
        (r#"{"0":"api"}"#, ErrorKind::InvalidClaim),
        (r#""""#, ErrorKind::WrongAudience),
        (r#"[""]"#, ErrorKind::WrongAudience),
        (r#""API""#, ErrorKind::WrongAudience),
        (r#""api ""#, ErrorKind::WrongAudience),
    ] {
        let payload = format!(r#"{{"exp":{},"aud":{aud}}}"#, NOW + 60);
        assert_eq!(kind(&v, &with_payload(&payload)), expected, "{aud}");
    }
    let payload = format!(r#"{{"exp":{},"aud":["other","api"]}}"#, NOW + 60);
    assert!(
        v.verify::<serde_json::Value>(&with_payload(&payload))
            .is_ok()
    );
    let unconfigured = format!(r#"{{"exp":{},"aud":"api"}}"#, NOW + 60);
    assert_eq!(
        kind(&hmac_verifier(), &with_payload(&unconfigured)),
        ErrorKind::WrongAudience
    );
}

#[test]
fn reject_e5_issuer_lookalikes_and_arrays() {
    let v = hmac_verifier().with_validation(validation().issuer("https://idp.example"));
    for iss in [
        r#""https://idp.example.evil""#,
        r#""https://idp""#,
        r#""HTTPS://IDP.EXAMPLE""#,
        r#""https://idp.example/""#,
    ] {
        let payload = format!(r#"{{"exp":{},"iss":{iss}}}"#, NOW + 60);
        assert_eq!(
            kind(&v, &with_payload(&payload)),
            ErrorKind::WrongIssuer,
            "{iss}"
        );
    }
    let array = format!(
        r#"{{"exp":{},"iss":["https://attacker","https://idp.example"]}}"#,
        NOW + 60
    );
    assert_eq!(kind(&v, &with_payload(&array)), ErrorKind::InvalidClaim);
}

#[test]
fn reject_e6_wrong_explicit_type() {
    let v = hmac_verifier().with_validation(validation().typ("at+jwt"));
    for typ in [None, Some("JWT"), Some("at+jwt "), Some("secevent+jwt")] {
        let header = match typ {
            Some(t) => format!(r#"{{"alg":"HS256","typ":"{t}"}}"#),
            None => r#"{"alg":"HS256"}"#.to_owned(),
        };
        assert_eq!(
            kind(&v, &hs256_token(&header, &claims(), SECRET)),
            ErrorKind::WrongType,
            "{typ:?}"
        );
    }
    for typ in ["at+jwt", "AT+JWT", "application/at+jwt"] {
        let header = format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#);
        assert!(
            v.verify::<serde_json::Value>(&hs256_token(&header, &claims(), SECRET))
                .is_ok(),
            "{typ}"
        );
    }
}

#[test]
fn reject_e7_token_for_another_audience() {
    let service_b =
        hmac_verifier().with_validation(validation().audience("service-b").issuer("idp"));
    let for_a = format!(r#"{{"exp":{},"iss":"idp","aud":"service-a"}}"#, NOW + 60);
    assert_eq!(
        kind(&service_b, &with_payload(&for_a)),
        ErrorKind::WrongAudience
    );
}

#[test]
fn reject_e8_future_iat_and_old_tokens() {
    let v = hmac_verifier().with_validation(validation().reject_issued_in_future().max_age(3600));
    let future = format!(r#"{{"exp":{},"iat":{}}}"#, NOW + 90_000, NOW + 86_400);
    assert_eq!(kind(&v, &with_payload(&future)), ErrorKind::IssuedInFuture);
    let old = format!(r#"{{"exp":{},"iat":{}}}"#, NOW + 60, NOW - 3601);
    assert_eq!(kind(&v, &with_payload(&old)), ErrorKind::TooOld);
}

// G1. Leakage ----------------------------------------------------------------------------------

#[test]
fn reject_g1_secrets_tokens_and_claim_values_never_reach_errors_or_debug() {
    let canary_secret = b"CANARY-SECRET-CANARY-SECRET-0001";
    let key = SigningKey::from_hmac_secret(Algorithm::HS256, canary_secret).unwrap();
    let verifier = Verifier::new(&key).with_validation(
        validation()
            .issuer("expected-issuer")
            .audience("expected-aud"),
    );
    let mut seen = format!("{key:?} {:?} {verifier:?}", key.verifying_key());
    let payloads = [
        format!(
            r#"{{"exp":{},"iss":"CANARY-ISS","aud":"expected-aud"}}"#,
            NOW + 60
        ),
        format!(
            r#"{{"exp":{},"iss":"expected-issuer","aud":"CANARY-AUD"}}"#,
            NOW + 60
        ),
        r#"{"exp":"CANARY-EXP","iss":"expected-issuer"}"#.to_owned(),
        format!(
            r#"{{"exp":{},"iss":"expected-issuer","aud":"expected-aud","sub":"CANARY-SUB"}}"#,
            NOW - 60
        ),
    ];
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Typed {
        role: u8,
    }
    for payload in &payloads {
        let token = hs256_token(
            r#"{"alg":"HS256","kid":"CANARY-KID"}"#,
            payload,
            canary_secret,
        );
        let err = verifier.verify::<serde_json::Value>(&token).unwrap_err();
        seen.push_str(&format!("{err} {err:?} "));
        let typed = format!(r#"{{"exp":{},"role":"CANARY-ROLE"}}"#, NOW + 60);
        let err = Verifier::new(&key)
            .with_validation(validation())
            .verify::<Typed>(&hs256_token(r#"{"alg":"HS256"}"#, &typed, canary_secret))
            .unwrap_err();
        seen.push_str(&format!("{err} {err:?} "));
        let forged = hs256_token(r#"{"alg":"HS256"}"#, payload, &[1; 32]);
        let err = verifier
            .verify_detailed::<serde_json::Value>(&forged)
            .unwrap_err();
        seen.push_str(&format!("{err} {err:?} "));
        assert!(!seen.contains(&token));
    }
    assert!(!seen.contains("CANARY"), "leaked: {seen}");
}
