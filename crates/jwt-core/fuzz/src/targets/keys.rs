//! (d) PEM and DER key parsing.
//!
//! Byte 0 selects the algorithm the key is loaded for; the rest is the key text or DER, given
//! to every loader: `SigningKey::from_pem`/`from_pkcs8_der`/`from_pkcs1_der`/`from_sec1_der`
//! and `VerifyingKey::from_pem`/`from_spki_der`/`from_pkcs1_der`. Seeds are the interop keys
//! (`tests/interop/keys`) prefixed with each algorithm byte that fits them.
//!
//! Invariants: no panic; a loaded key has the requested algorithm; a private key's PKCS#8
//! export (DER and PEM) loads again with the same public JWK; public JWK exports parse and
//! build the same key; a loaded key pair signs tokens its own public half verifies.

use jwt_core::{Algorithm, Jwk, SigningKey, Verifier, VerifyingKey};

const ALGORITHMS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
    Algorithm::Ed25519,
    Algorithm::HS256,
    Algorithm::RS384,
];

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let alg = ALGORITHMS[usize::from(selector) % ALGORITHMS.len()];

    let signing = [
        SigningKey::from_pem(alg, input),
        SigningKey::from_pkcs8_der(alg, input),
        SigningKey::from_pkcs1_der(alg, input),
        SigningKey::from_sec1_der(alg, input),
    ];
    let verifying = [
        VerifyingKey::from_pem(alg, input),
        VerifyingKey::from_spki_der(alg, input),
        VerifyingKey::from_pkcs1_der(alg, input),
    ];
    for error in signing
        .iter()
        .filter_map(|r| r.as_ref().err())
        .chain(verifying.iter().filter_map(|r| r.as_ref().err()))
    {
        let _ = error.to_string();
    }
    // A PEM private key loads as a verifying key too (its public half).
    if signing[0].is_ok() {
        assert!(
            verifying[0].is_ok(),
            "VerifyingKey::from_pem refused a private key SigningKey::from_pem loaded"
        );
    }
    for key in signing.iter().flatten() {
        check_signing_key(alg, key);
    }
    for key in verifying.iter().flatten() {
        check_verifying_key(alg, key);
    }
    if let (Ok(signing), Ok(verifying)) = (&signing[0], &verifying[0]) {
        assert_eq!(
            signing.to_public_jwk().expect("asymmetric").to_json(),
            verifying.to_jwk().expect("asymmetric").to_json()
        );
    }
}

fn check_signing_key(alg: Algorithm, key: &SigningKey) {
    assert_eq!(key.algorithm(), alg);
    assert!(!alg.is_hmac(), "an HMAC key from PEM/DER");
    let _ = format!("{key:?}");
    let public = key
        .to_public_jwk()
        .expect("asymmetric keys have a public JWK");
    let der = key.to_pkcs8_der().expect("asymmetric keys export PKCS#8");
    let again = SigningKey::from_pkcs8_der(alg, der.expose()).expect("PKCS#8 export loads again");
    assert_eq!(
        again.to_public_jwk().expect("public JWK").to_json(),
        public.to_json()
    );
    let pem = key.to_pkcs8_pem().expect("PKCS#8 PEM");
    let from_pem = SigningKey::from_pem(alg, pem.expose()).expect("PEM export loads again");
    assert_eq!(
        from_pem.to_public_jwk().expect("public JWK").to_json(),
        public.to_json()
    );
    let private = key.to_private_jwk().expect("private JWK");
    let rebuilt = Jwk::from_json(&private.to_json())
        .expect("private JWK parses")
        .signing_key(None)
        .expect("private JWK builds");
    assert_eq!(rebuilt.algorithm(), alg);
    // Sign with the loaded key, verify with its public half.
    let token = jwt_core::encode(key, &serde_json::json!({"exp": 4_102_444_800u64}))
        .expect("a loaded key signs");
    Verifier::new(key.verifying_key())
        .verify::<serde_json::Value>(&token)
        .expect("the key's public half verifies its token");
}

fn check_verifying_key(alg: Algorithm, key: &VerifyingKey) {
    assert_eq!(key.algorithm(), alg);
    let _ = format!("{key:?}");
    let jwk = key.to_jwk().expect("asymmetric keys have a public JWK");
    let back = Jwk::from_json(&jwk.to_json())
        .expect("public JWK parses")
        .verifying_key(None)
        .expect("public JWK builds");
    assert_eq!(back.algorithm(), alg);
    assert_eq!(back.to_jwk().expect("public JWK").to_json(), jwk.to_json());
}
