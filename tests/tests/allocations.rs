//! Heap calls per verification and per signing, counted: jwt-core adds none to a verification
//! (a claims type that borrows from the token makes none at all; one that owns its strings
//! makes one per string) and makes one per token it signs (the token), with or without a `kid`,
//! two for claims too big for the token's first allocation.
//!
//! One test function only: the allocator's counters are process-wide, and the test harness
//! runs the functions of a binary in parallel.

use std::alloc::System;

use jwt_core::{Algorithm, Encoder, SigningKey, Validation, Verifier};
use serde::{Deserialize, Serialize};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const ROUNDS: usize = 200;

#[derive(Serialize, Deserialize)]
struct Owned {
    sub: String,
    name: String,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
}

#[derive(Deserialize, Debug)]
struct Borrowed<'a> {
    sub: &'a str,
    #[serde(borrow)]
    iss: &'a str,
    exp: u64,
}

fn claims() -> Owned {
    Owned {
        sub: "user-8f14e45f-ceea-467f-a0e6-4b1e4c1e1b2a".into(),
        name: "Alice Example".into(),
        iat: 1_700_000_000,
        exp: 4_102_444_800,
        iss: "https://auth.example.com".into(),
        aud: "https://api.example.com".into(),
    }
}

/// Heap calls (`alloc`, `alloc_zeroed`, `realloc`) per run of `work`, over [`ROUNDS`] runs.
fn heap_calls(mut work: impl FnMut()) -> f64 {
    work(); // warm: the verifier remembers the header on the first token
    let region = Region::new(GLOBAL);
    for _ in 0..ROUNDS {
        work();
    }
    let stats = region.change();
    (stats.allocations + stats.reallocations) as f64 / ROUNDS as f64
}

#[test]
fn heap_calls_per_operation() {
    let validation = || {
        Validation::new()
            .issuer("https://auth.example.com")
            .audience("https://api.example.com")
    };
    // No `kid`, a UUID, an RFC 7638 thumbprint, and one longer than the 48 bytes kept inline.
    let long_kid = "k".repeat(100);
    for kid in [
        None,
        Some("0b8d1c56-7a43-4a2f-9b60-3f3c2f1e9d11"),
        Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"),
        Some(long_kid.as_str()),
    ] {
        for alg in [Algorithm::HS256, Algorithm::HS512] {
            let mut key = SigningKey::from_hmac_secret(alg, &[7; 64]).unwrap();
            if let Some(kid) = kid {
                key = key.with_kid(kid);
            }
            let token = jwt_core::encode(&key, &claims()).unwrap();
            let verifier = Verifier::new(key.verifying_key()).with_validation(validation());
            let mut buffer = Vec::new();
            let borrowed = heap_calls(|| {
                let verified = verifier
                    .verify_borrowed::<Borrowed<'_>>(&token, &mut buffer)
                    .unwrap();
                assert_eq!(verified.claims().exp, 4_102_444_800);
                assert!(!verified.claims().sub.is_empty() && !verified.claims().iss.is_empty());
            });
            // A `kid` longer than the inline limit costs one copy of the header's `kid`.
            let added = if kid.is_some_and(|k| k.len() > 48) {
                1.0
            } else {
                0.0
            };
            assert_eq!(borrowed, added, "borrowed claims, {alg:?}, kid {kid:?}");
            let owned = heap_calls(|| {
                let verified = verifier.verify::<Owned>(&token).unwrap();
                assert_eq!(verified.claims().iat, 1_700_000_000);
            });
            assert_eq!(owned, 4.0 + added, "owned claims, {alg:?}, kid {kid:?}");
            let claims = claims();
            let encoder = Encoder::new(&key);
            let signing = heap_calls(|| {
                let token = encoder.encode(&claims).unwrap();
                assert!(token.len() > 100);
            });
            assert_eq!(signing, 1.0, "signing, {alg:?}, kid {kid:?}");
            // `encode` makes an encoder per token: the key's header is reused, not rebuilt.
            let one_shot = heap_calls(|| {
                let token = jwt_core::encode(&key, &claims).unwrap();
                assert!(token.len() > 100);
            });
            assert_eq!(one_shot, 1.0, "jwt_core::encode, {alg:?}, kid {kid:?}");
            // Refusing an expired token makes no heap call either: `verify` does not keep the
            // claims it refuses (only `verify_detailed` hands them back, boxed).
            let expired = jwt_core::encode(
                &key,
                &Owned {
                    exp: 1_000,
                    ..claims
                },
            )
            .unwrap();
            let refused = heap_calls(|| {
                let error = verifier
                    .verify_borrowed::<Borrowed<'_>>(&expired, &mut buffer)
                    .unwrap_err();
                assert_eq!(error.kind(), jwt_core::ErrorKind::Expired);
                let error = verifier.verify::<Times>(&expired).unwrap_err();
                assert_eq!(error.kind(), jwt_core::ErrorKind::Expired);
            });
            assert_eq!(refused, 2.0 * added, "expired, {alg:?}, kid {kid:?}");
            let valid = verifier.verify::<Times>(&token).unwrap();
            assert_eq!(valid.claims().exp, 4_102_444_800);
        }
    }
    // Bigger claims: the token grows once, to its whole size; the claims' JSON goes to the
    // thread's scratch buffer, which keeps up to 16 KiB between tokens.
    let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[7; 32]).unwrap();
    for size in [600, 10_000] {
        let claims = serde_json::json!({ "sub": "a".repeat(size) });
        let signing = heap_calls(|| {
            let token = jwt_core::encode(&key, &claims).unwrap();
            assert!(token.len() > size);
        });
        assert_eq!(signing, 2.0, "signing {size} bytes of claims");
    }
}

#[derive(Deserialize, Debug)]
struct Times {
    exp: u64,
}
