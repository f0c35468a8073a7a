//! Every key container the issue names loads, binds to its algorithm, signs and verifies; the
//! wrong ones fail with an error that says what is wrong. Keys were written by OpenSSL
//! (see `tests/interop/keys/README.md`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use jwt_core::{Algorithm, ErrorKind, SigningKey, Validation, Verifier, VerifyingKey};

macro_rules! key {
    ($name:literal) => {
        include_bytes!(concat!("../../../tests/interop/keys/", $name)).as_slice()
    };
}

fn round_trip(signer: &SigningKey, verifier: VerifyingKey) {
    let token = jwt_core::encode(
        signer,
        &serde_json::json!({"sub": "k", "exp": 4_102_444_800u64}),
    )
    .unwrap();
    let verified = Verifier::new(verifier)
        .with_validation(Validation::new())
        .verify::<serde_json::Value>(&token);
    assert_eq!(
        verified.unwrap().claims()["sub"],
        "k",
        "{:?}",
        signer.algorithm()
    );
}

#[test]
fn rsa_keys_in_every_container() {
    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        let pkcs8 = SigningKey::from_pem(alg, key!("rsa2048-private-pkcs8.pem")).unwrap();
        let pkcs1 = SigningKey::from_pem(alg, key!("rsa2048-private-pkcs1.pem")).unwrap();
        let der = SigningKey::from_pkcs8_der(alg, key!("rsa2048-private-pkcs8.der")).unwrap();
        for public in [
            VerifyingKey::from_pem(alg, key!("rsa2048-public-spki.pem")).unwrap(),
            VerifyingKey::from_pem(alg, key!("rsa2048-public-pkcs1.pem")).unwrap(),
            VerifyingKey::from_spki_der(alg, key!("rsa2048-public-spki.der")).unwrap(),
            VerifyingKey::from_pem(alg, key!("rsa2048-private-pkcs8.pem")).unwrap(),
        ] {
            for signer in [&pkcs8, &pkcs1, &der] {
                round_trip(signer, public.clone());
            }
        }
        let big = SigningKey::from_pem(alg, key!("rsa4096-private-pkcs8.pem")).unwrap();
        round_trip(
            &big,
            VerifyingKey::from_pem(alg, key!("rsa4096-public-spki.pem")).unwrap(),
        );
    }
}

#[test]
fn ec_keys_in_every_container() {
    for (alg, pkcs8, sec1, spki) in [
        (
            Algorithm::ES256,
            key!("ec-p256-private-pkcs8.pem"),
            key!("ec-p256-private-sec1.pem"),
            key!("ec-p256-public-spki.pem"),
        ),
        (
            Algorithm::ES384,
            key!("ec-p384-private-pkcs8.pem"),
            key!("ec-p384-private-sec1.pem"),
            key!("ec-p384-public-spki.pem"),
        ),
    ] {
        let from_pkcs8 = SigningKey::from_pem(alg, pkcs8).unwrap();
        let from_sec1 = SigningKey::from_pem(alg, sec1).unwrap();
        let public = VerifyingKey::from_pem(alg, spki).unwrap();
        round_trip(&from_pkcs8, public.clone());
        round_trip(&from_sec1, public.clone());
        round_trip(&from_sec1, from_pkcs8.verifying_key());
        round_trip(&from_pkcs8, VerifyingKey::from_pem(alg, sec1).unwrap());
    }
}

#[test]
fn ed25519_keys_as_openssl_writes_them_under_both_names() {
    for alg in [Algorithm::EdDSA, Algorithm::Ed25519] {
        let private = SigningKey::from_pem(alg, key!("ed25519-private-pkcs8.pem")).unwrap();
        round_trip(
            &private,
            VerifyingKey::from_pem(alg, key!("ed25519-public-spki.pem")).unwrap(),
        );
    }
    // A key bound to `EdDSA` does not verify a token labelled `Ed25519`, and vice versa.
    let eddsa = SigningKey::from_pem(Algorithm::EdDSA, key!("ed25519-private-pkcs8.pem")).unwrap();
    let ed25519 =
        SigningKey::from_pem(Algorithm::Ed25519, key!("ed25519-private-pkcs8.pem")).unwrap();
    let token = jwt_core::encode(&ed25519, &serde_json::json!({"exp": 4_102_444_800u64})).unwrap();
    let err = Verifier::new(&eddsa)
        .verify::<serde_json::Value>(&token)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed);
}

#[test]
fn wrong_key_types_say_what_is_wrong() {
    let cases: [(Algorithm, &[u8], ErrorKind, &str); 9] = [
        (
            Algorithm::ES256,
            key!("rsa2048-private-pkcs8.pem"),
            ErrorKind::KeyMismatch,
            "ES256 needs a P-256 EC key, but the key is an RSA key",
        ),
        (
            Algorithm::RS256,
            key!("ec-p256-private-pkcs8.pem"),
            ErrorKind::KeyMismatch,
            "RS256 needs an RSA key, but the key is a P-256 EC key",
        ),
        (
            Algorithm::ES384,
            key!("ec-p256-private-sec1.pem"),
            ErrorKind::KeyMismatch,
            "ES384 needs a P-384 EC key, but the key is a P-256 EC key",
        ),
        (
            Algorithm::EdDSA,
            key!("rsa2048-private-pkcs1.pem"),
            ErrorKind::KeyMismatch,
            "EdDSA needs an Ed25519 key, but the key is an RSA key",
        ),
        (
            Algorithm::ES256,
            key!("ec-p521-private-pkcs8.pem"),
            ErrorKind::KeyMismatch,
            "P-521",
        ),
        (
            Algorithm::RS256,
            key!("ec-p521-private-pkcs8.pem"),
            ErrorKind::KeyMismatch,
            "P-521",
        ),
        (
            Algorithm::HS256,
            key!("rsa2048-private-pkcs8.pem"),
            ErrorKind::KeyMismatch,
            "HMAC",
        ),
        (
            Algorithm::RS256,
            key!("rsa2048-public-spki.pem"),
            ErrorKind::UnsupportedKey,
            "public key cannot sign",
        ),
        (
            Algorithm::RS256,
            key!("rsa1024-private-pkcs8.pem"),
            ErrorKind::WeakKey,
            "2048",
        ),
    ];
    for (alg, pem, kind, message) in cases {
        let err = SigningKey::from_pem(alg, pem).unwrap_err();
        assert_eq!(err.kind(), kind, "{alg}: {err}");
        assert!(err.to_string().contains(message), "{alg}: {err}");
    }
    let public_cases: [(Algorithm, &[u8], ErrorKind); 4] = [
        (
            Algorithm::ES256,
            key!("ec-p521-public-spki.pem"),
            ErrorKind::KeyMismatch,
        ),
        (
            Algorithm::ES256,
            key!("ed25519-public-spki.pem"),
            ErrorKind::KeyMismatch,
        ),
        (
            Algorithm::HS256,
            key!("rsa2048-public-spki.pem"),
            ErrorKind::KeyMismatch,
        ),
        (
            Algorithm::PS256,
            key!("rsa1024-public-spki.pem"),
            ErrorKind::WeakKey,
        ),
    ];
    for (alg, pem, kind) in public_cases {
        assert_eq!(
            VerifyingKey::from_pem(alg, pem).unwrap_err().kind(),
            kind,
            "{alg}"
        );
    }
}

#[test]
fn reject_garbage_and_truncated_key_material_without_panicking() {
    let pem = key!("rsa2048-private-pkcs8.pem");
    let der = key!("rsa2048-private-pkcs8.der");
    for len in (0..der.len()).step_by(7) {
        assert!(SigningKey::from_pkcs8_der(Algorithm::RS256, &der[..len]).is_err());
        assert!(VerifyingKey::from_spki_der(Algorithm::RS256, &der[..len]).is_err());
        assert!(SigningKey::from_sec1_der(Algorithm::ES256, &der[..len]).is_err());
        assert!(SigningKey::from_pkcs1_der(Algorithm::RS256, &der[..len]).is_err());
    }
    // Cut inside the base64 body or the END line (a PEM without its final newline is fine).
    for len in (0..pem.len() - 8).step_by(13) {
        assert!(SigningKey::from_pem(Algorithm::RS256, &pem[..len]).is_err());
    }
    let mut flipped = der.to_vec();
    for i in (0..flipped.len()).step_by(11) {
        flipped[i] ^= 0x55;
        let _ = SigningKey::from_pkcs8_der(Algorithm::RS256, &flipped);
        let _ = VerifyingKey::from_spki_der(Algorithm::RS256, &flipped);
        flipped[i] ^= 0x55;
    }
}

#[test]
fn refused_pem_kinds_explain_the_fix() {
    let encrypted =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
    let err = SigningKey::from_pem(Algorithm::RS256, encrypted).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedKey);
    assert!(err.to_string().contains("decrypt"), "{err}");
    let with_params = [
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n".as_bytes(),
        key!("ec-p256-private-sec1.pem"),
    ]
    .concat();
    assert!(SigningKey::from_pem(Algorithm::ES256, &with_params).is_ok());
}
