//! Properties over generated inputs: what we sign verifies to the same claims; any one-byte
//! change to a valid token is rejected; no input, however hostile, makes the verifier panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jwt_core::{Algorithm, FixedClock, SigningKey, Validation, Verifier};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

const NOW: u64 = 1_700_000_000;

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Claims {
    sub: String,
    exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<u64>,
    roles: Vec<String>,
    extra: BTreeMap<String, i64>,
}

fn keys() -> &'static [SigningKey] {
    static KEYS: OnceLock<Vec<SigningKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rng = ring::rand::SystemRandom::new();
        let p256 = ring::signature::EcdsaKeyPair::generate_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &rng,
        )
        .unwrap();
        let ed = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        vec![
            SigningKey::from_hmac_secret(Algorithm::HS256, &[0x5A; 32]).unwrap(),
            SigningKey::from_hmac_secret(Algorithm::HS512, &[0xA5; 64]).unwrap(),
            SigningKey::from_pkcs8_der(Algorithm::ES256, p256.as_ref()).unwrap(),
            SigningKey::from_pkcs8_der(Algorithm::EdDSA, ed.as_ref()).unwrap(),
            SigningKey::from_pem(
                Algorithm::PS256,
                include_str!("../../../tests/interop/keys/rsa2048-private-pkcs8.pem"),
            )
            .unwrap(),
        ]
    })
}

fn verifier(key: &SigningKey) -> Verifier {
    Verifier::new(key).with_validation(Validation::new().clock(FixedClock(NOW)))
}

fn claims_strategy() -> impl Strategy<Value = Claims> {
    (
        ".{0,40}",
        NOW + 1..253_402_300_799u64,
        proptest::option::of(0..=NOW),
        proptest::collection::vec("[a-z:]{0,12}", 0..4),
        proptest::collection::btree_map("\\PC{1,10}", any::<i64>(), 0..5),
    )
        .prop_map(|(sub, exp, nbf, roles, extra)| Claims {
            sub,
            exp,
            nbf,
            roles,
            extra,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn encode_then_verify_round_trips(claims in claims_strategy(), which in 0usize..5) {
        let key = &keys()[which];
        let token = jwt_core::encode(key, &claims).unwrap();
        let verified = verifier(key).verify::<Claims>(&token).unwrap();
        prop_assert_eq!(verified.claims(), &claims);
        prop_assert_eq!(verified.times().expires_at, Some(claims.exp));
    }

    #[test]
    fn any_one_byte_change_is_rejected(claims in claims_strategy(), which in 0usize..5, position in any::<prop::sample::Index>(), replacement in any::<u8>()) {
        let key = &keys()[which];
        let token = jwt_core::encode(key, &claims).unwrap();
        let mut bytes = token.into_bytes();
        let index = position.index(bytes.len());
        prop_assume!(bytes[index] != replacement);
        bytes[index] = replacement;
        let mutated = String::from_utf8_lossy(&bytes);
        prop_assert!(verifier(key).verify::<serde_json::Value>(&mutated).is_err());
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        for key in keys() {
            let _ = verifier(key).verify::<serde_json::Value>(&text);
        }
        let _ = jwt_core::danger_decode_unverified(&text);
    }

    #[test]
    fn arbitrary_segments_never_panic(header in "[A-Za-z0-9_-]{0,80}", payload in "[A-Za-z0-9_-]{0,200}", signature in "[A-Za-z0-9_-]{0,120}") {
        let token = format!("{header}.{payload}.{signature}");
        for key in keys() {
            prop_assert!(verifier(key).verify::<serde_json::Value>(&token).is_err());
        }
    }

    #[test]
    fn arbitrary_json_under_a_valid_mac_never_panics(header in "\\PC{0,60}", payload in "\\PC{0,120}") {
        let key = &keys()[0];
        let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
        let tag = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &[0x5A; 32]), input.as_bytes());
        let token = format!("{input}.{}", b64(tag.as_ref()));
        let _ = verifier(key).verify::<serde_json::Value>(&token);
        let _ = verifier(key).verify::<Claims>(&token);
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::encode_string(bytes)
}

/// Exhaustive companion to the property above for one token per key: every position, every
/// byte value.
#[test]
fn every_single_byte_change_of_a_valid_token_is_rejected() {
    let claims = Claims {
        sub: "alice".into(),
        exp: NOW + 60,
        nbf: None,
        roles: vec!["admin".into()],
        extra: BTreeMap::new(),
    };
    let mut checked = 0usize;
    for key in &keys()[..4] {
        let token = jwt_core::encode(key, &claims).unwrap();
        let verifier = verifier(key);
        assert!(verifier.verify::<Claims>(&token).is_ok());
        let original = token.into_bytes();
        for index in 0..original.len() {
            for replacement in (0u8..=255).step_by(3).chain([b'A', b'B', b'_', b'-', b'.']) {
                if original[index] == replacement {
                    continue;
                }
                let mut bytes = original.clone();
                bytes[index] = replacement;
                let mutated = String::from_utf8_lossy(&bytes);
                assert!(
                    verifier.verify::<Claims>(&mutated).is_err(),
                    "accepted change at {index} to {replacement}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 50_000, "{checked}");
}
