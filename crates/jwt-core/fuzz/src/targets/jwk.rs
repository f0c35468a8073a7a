//! (c) JWK and JWK Set parsing, and what is built from what parses.
//!
//! The input is JSON text, parsed both as one JWK (`Jwk::from_json`) and as a JWK Set
//! (`JwkSet::from_json`, `JwkSet::from_json_with_limit`, then `KeySet::from_jwk_set`). For every
//! key that parses: `verifying_key`/`signing_key` (with the JWK's own `alg`, a fitting fallback
//! and a non-fitting one), `thumbprint`, `to_json`, `to_public`, `VerifyingKey::to_jwk`,
//! `SigningKey::to_private_jwk`/`to_pkcs8_der`, and a sign/verify pair.
//!
//! Invariants: no panic; `to_json` output parses again to the same JSON and thumbprint; public
//! halves and exports keep the thumbprint; a signing key's token verifies under the JWK's own
//! verifying key; the key-count limit is exact.

use jwt_core::{Algorithm, Jwk, JwkSet, KeySet, SigningKey, Verifier};

/// One fallback per key family (the first that fits is used, as a JWK Set import would).
const FALLBACKS: [Algorithm; 6] = [
    Algorithm::HS256,
    Algorithm::RS256,
    Algorithm::PS384,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(jwk) = Jwk::from_json(json) {
        check_jwk(&jwk);
    }
    let Ok(set) = JwkSet::from_json(json) else {
        return;
    };
    let total = set.keys().len() + set.skipped().len();
    assert!(total <= jwt_core::DEFAULT_MAX_JWKS_KEYS);
    for skipped in set.skipped() {
        let _ = skipped.to_string();
        assert!(skipped.index() < total);
        assert!(skipped.kid().is_none_or(|kid| kid.chars().count() <= 256));
    }
    // The limit is exact: `total` entries pass a limit of `total` and fail one below it.
    let again = JwkSet::from_json_with_limit(json, total).expect("same document, same limit");
    assert_eq!(again.keys().len(), set.keys().len());
    if total > 0 {
        assert!(JwkSet::from_json_with_limit(json, total - 1).is_err());
    }
    // Serialising the parsed keys gives a set that parses to the same keys.
    let text = set.to_json();
    let reparsed = JwkSet::from_json(&text).expect("to_json output is a JWK Set");
    assert_eq!(reparsed.keys().len(), set.keys().len());
    assert!(
        reparsed.skipped().is_empty(),
        "to_json wrote a key that does not parse"
    );
    assert_eq!(reparsed.to_json(), text);
    for jwk in set.keys() {
        if let Some(kid) = jwk.kid() {
            assert!(set.find(kid).is_some());
        }
    }
    // Every entry is either imported or skipped, once.
    let (keys, skipped) = KeySet::from_jwk_set(&set, &FALLBACKS);
    assert_eq!(keys.len() + skipped.len(), total);
    assert!(skipped.windows(2).all(|w| w[0].index() < w[1].index()));
    let (bare, bare_skipped) = KeySet::from_jwk_set(&set, &[]);
    assert_eq!(bare.len() + bare_skipped.len(), total);
    if !keys.is_empty() {
        let verifier = Verifier::with_key_set(keys);
        let _ = verifier.verify::<serde_json::Value>("eyJhbGciOiJIUzI1NiJ9.e30.AAAA");
    }
}

fn check_jwk(jwk: &Jwk) {
    let _ = format!("{jwk:?}");
    let (kind, private) = (jwk.key_type(), jwk.is_private());
    let _ = (jwk.kid(), jwk.alg(), jwk.key_use(), jwk.key_ops());

    // to_json is a fixed point after one round.
    let json = jwk.to_json();
    let reparsed = Jwk::from_json(&json).expect("to_json output parses");
    assert_eq!(reparsed.to_json(), json);
    assert_eq!(reparsed.key_type(), kind);
    assert_eq!(reparsed.is_private(), private);
    let thumbprint = jwk.thumbprint();
    assert_eq!(reparsed.thumbprint(), thumbprint);
    assert_eq!(thumbprint.len(), 43, "base64url of a SHA-256");

    // The public half keeps the thumbprint and parses again.
    match jwk.to_public() {
        Some(public) => {
            assert!(!public.is_private());
            assert_eq!(public.thumbprint(), thumbprint);
            let public_json = public.to_json();
            let public_again = Jwk::from_json(&public_json).expect("public JWK parses");
            assert_eq!(public_again.thumbprint(), thumbprint);
        }
        None => assert_eq!(kind, "oct"),
    }

    let own = jwk.alg().and_then(|name| Algorithm::from_name(name).ok());
    let fitting = FALLBACKS.iter().copied().find(|alg| jwk.fits(*alg));
    let unfitting = FALLBACKS.iter().copied().find(|alg| !jwk.fits(*alg));
    for fallback in [None, fitting, unfitting] {
        let verifying = jwk.verifying_key(fallback);
        if let Ok(key) = &verifying {
            assert!(jwk.fits(key.algorithm()));
            assert!(own.is_none_or(|own| own == key.algorithm()));
            assert_eq!(key.kid(), jwk.kid());
            if let Ok(exported) = key.to_jwk() {
                assert_eq!(exported.thumbprint(), thumbprint);
                let back = Jwk::from_json(&exported.to_json()).expect("exported JWK parses");
                back.verifying_key(None)
                    .expect("an exported JWK names its algorithm");
            } else {
                assert_eq!(kind, "oct");
            }
        }
        let Ok(signing) = jwk.signing_key(fallback) else {
            continue;
        };
        assert!(private || kind == "oct");
        check_signing_key(&signing, &thumbprint, kind);
        // The JWK's own verifying key accepts what its signing key signs (the verifying half
        // may be refused by `use`/`key_ops` that allow signing only).
        // (A kid over 256 bytes can never match a token, so such keys cannot verify.)
        if let (Ok(verifying), true) = (verifying, jwk.kid().is_none_or(|kid| kid.len() <= 256)) {
            assert_eq!(verifying.algorithm(), signing.algorithm());
            let token = jwt_core::encode(&signing, &serde_json::json!({"exp": 4_102_444_800u64}))
                .expect("a signing key signs");
            Verifier::new(verifying)
                .verify::<serde_json::Value>(&token)
                .expect("the JWK's verifying key verifies its signing key's token");
        }
    }
}

fn check_signing_key(key: &SigningKey, thumbprint: &str, kind: &str) {
    let private = key
        .to_private_jwk()
        .expect("a JWK-built key keeps its private parts");
    assert_eq!(private.thumbprint(), thumbprint);
    let private_again = Jwk::from_json(&private.to_json()).expect("private JWK parses");
    let rebuilt = private_again
        .signing_key(None)
        .expect("an exported private JWK builds again");
    assert_eq!(rebuilt.algorithm(), key.algorithm());
    if kind == "oct" {
        assert!(key.to_pkcs8_der().is_err());
        return;
    }
    assert_eq!(
        key.to_public_jwk().expect("public JWK").thumbprint(),
        thumbprint
    );
    let der = key.to_pkcs8_der().expect("asymmetric keys export PKCS#8");
    let from_der = SigningKey::from_pkcs8_der(key.algorithm(), der.expose())
        .expect("exported PKCS#8 loads again");
    assert_eq!(
        from_der.to_public_jwk().expect("public JWK").thumbprint(),
        thumbprint
    );
}
