//! How much does `jwt-core` cost on top of the cryptography it cannot avoid?
//!
//! Every group pairs a `jwt-core` function with a `raw-ring` function that performs only the
//! same `ring` operation over the same bytes (the `header.payload` signing input of a token made
//! by `jwt-core` itself), measured in the same run on the same machine:
//!
//! - `hs256_sign`: `Encoder::new(&key).encode(&claims)` (header, `serde_json`, base64url, HMAC)
//!   against `ring::hmac::sign` alone, plus `raw-ring+serde`, a careful hand-written issuer
//!   (`serde_json::to_vec`, base64url via `base64ct`, HMAC, base64url signature, header encoded
//!   once) to show what a minimal real implementation pays;
//! - `hs256_verify`: `Verifier::verify::<Claims>` with an issuer and an audience configured,
//!   against base64url-decoding the signature into a stack buffer plus `ring::hmac::verify`;
//!   `raw-ring+serde` adds decoding the payload, `serde_json::from_slice` into the same type and
//!   the `exp`/`iss`/`aud` comparisons (no duplicate-name, strictness or `typ`/`crit` checks);
//! - `es256_sign` / `es256_verify`, `rs256_verify` (2048-bit), `eddsa_verify`: the same, where the
//!   raw side is `EcdsaKeyPair::sign` or signature decoding plus `UnparsedPublicKey::verify`.
//!
//! Why: the crate promises to be strict *and* cheap. For HMAC the crypto is about a microsecond,
//! so the ratio exposes the parsing and validation overhead; for the asymmetric algorithms the
//! ratio should be close to 1, and anything else is a regression in the non-crypto path.
//!
//! After the groups, `main` reads criterion's `estimates.json` files of this run and prints a
//! markdown table: group | jwt-core median | raw ring median | ratio.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{Criterion, criterion_group};
use jwt_core::{Algorithm, Encoder, SigningKey, Validation, Verifier};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, EcdsaKeyPair,
    Ed25519KeyPair, KeyPair, RSA_PKCS1_2048_8192_SHA256, RsaKeyPair, UnparsedPublicKey,
};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "https://auth.example.com";
const AUDIENCE: &str = "https://api.example.com";
const HMAC_SECRET: &[u8; 32] = b"bench-secret-0123456789abcdefghi";
const RSA_PEM: &str = include_str!("../../../tests/interop/keys/rsa2048-private-pkcs8.pem");

const JWT_CORE: &str = "jwt-core";
const RAW_RING: &str = "raw-ring";
const RAW_RING_SERDE: &str = "raw-ring+serde";

/// A typical access-token claim set, owned so the verify path allocates like real callers do.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
struct Claims {
    sub: String,
    name: String,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
}

fn claims() -> Claims {
    Claims {
        sub: "user-8f14e45f-ceea-467f-a0e6-4b1e4c1e1b2a".to_owned(),
        name: "Alice Example".to_owned(),
        iat: 1_700_000_000,
        exp: 4_102_444_800,
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
    }
}

/// A token's signing input (`header.payload`) and its still-encoded signature segment.
struct Split<'t> {
    signing_input: &'t [u8],
    payload: &'t str,
    signature: &'t [u8],
}

fn split(token: &str) -> Split<'_> {
    let last = token.rfind('.').unwrap();
    let first = token.find('.').unwrap();
    Split {
        signing_input: &token.as_bytes()[..last],
        payload: &token[first + 1..last],
        signature: &token.as_bytes()[last + 1..],
    }
}

fn verifier_for(key: &SigningKey) -> Verifier {
    Verifier::new(key.verifying_key())
        .with_validation(Validation::new().issuer(ISSUER).audience(AUDIENCE))
}

/// Decodes the base64url signature into `buf` (stack) and returns the decoded bytes.
fn decode_signature<'b>(encoded: &[u8], buf: &'b mut [u8]) -> &'b [u8] {
    Base64UrlUnpadded::decode(encoded, buf).unwrap()
}

fn configure<'c>(
    c: &'c mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group
}

fn hs256(c: &mut Criterion) {
    let key = SigningKey::from_hmac_secret(Algorithm::HS256, HMAC_SECRET).unwrap();
    let ring_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, HMAC_SECRET);
    let claims = claims();
    let token = Encoder::new(&key).encode(&claims).unwrap();
    let parts = split(&token);
    let header_prefix = {
        let mut prefix = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256","typ":"JWT"}"#);
        prefix.push('.');
        prefix
    };
    assert!(token.starts_with(&header_prefix), "header bytes differ");

    let mut group = configure(c, "hs256_sign");
    group.bench_function(JWT_CORE, |b| {
        b.iter(|| {
            Encoder::new(black_box(&key))
                .encode(black_box(&claims))
                .unwrap()
        });
    });
    group.bench_function(RAW_RING, |b| {
        b.iter(|| ring::hmac::sign(&ring_key, black_box(parts.signing_input)));
    });
    group.bench_function(RAW_RING_SERDE, |b| {
        b.iter(|| {
            let payload = serde_json::to_vec(black_box(&claims)).unwrap();
            let mut out = String::with_capacity(
                header_prefix.len()
                    + Base64UrlUnpadded::encoded_len(&payload)
                    + 1
                    + Base64UrlUnpadded::encoded_len(&[0; 32]),
            );
            out.push_str(black_box(&header_prefix));
            out.push_str(&Base64UrlUnpadded::encode_string(&payload));
            let tag = ring::hmac::sign(&ring_key, out.as_bytes());
            out.push('.');
            out.push_str(&Base64UrlUnpadded::encode_string(tag.as_ref()));
            out
        });
    });
    // The hand-written path must produce the very same token.
    {
        let payload = serde_json::to_vec(&claims).unwrap();
        let mut out = header_prefix.clone();
        out.push_str(&Base64UrlUnpadded::encode_string(&payload));
        let tag = ring::hmac::sign(&ring_key, out.as_bytes());
        out.push('.');
        out.push_str(&Base64UrlUnpadded::encode_string(tag.as_ref()));
        assert_eq!(out, token);
    }
    group.finish();

    let verifier = verifier_for(&key);
    assert_eq!(verifier.verify::<Claims>(&token).unwrap().claims(), &claims);
    let mut group = configure(c, "hs256_verify");
    group.bench_function(JWT_CORE, |b| {
        b.iter(|| verifier.verify::<Claims>(black_box(&token)).unwrap());
    });
    group.bench_function(RAW_RING, |b| {
        b.iter(|| {
            let mut buf = [0u8; 32];
            let signature = decode_signature(black_box(parts.signature), &mut buf);
            ring::hmac::verify(&ring_key, black_box(parts.signing_input), signature).unwrap();
        });
    });
    group.bench_function(RAW_RING_SERDE, |b| {
        b.iter(|| {
            let mut buf = [0u8; 32];
            let signature = decode_signature(black_box(parts.signature), &mut buf);
            ring::hmac::verify(&ring_key, black_box(parts.signing_input), signature).unwrap();
            let json = Base64UrlUnpadded::decode_vec(black_box(parts.payload)).unwrap();
            let claims: Claims = serde_json::from_slice(&json).unwrap();
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs();
            assert!(claims.exp > now && claims.iss == ISSUER && claims.aud == AUDIENCE);
            claims
        });
    });
    group.finish();
}

fn es256(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let key = SigningKey::from_pkcs8_der(Algorithm::ES256, pkcs8.as_ref()).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let public_key = pair.public_key().as_ref().to_vec();
    let claims = claims();
    let token = Encoder::new(&key).encode(&claims).unwrap();
    let parts = split(&token);

    let mut group = configure(c, "es256_sign");
    group.bench_function(JWT_CORE, |b| {
        b.iter(|| {
            Encoder::new(black_box(&key))
                .encode(black_box(&claims))
                .unwrap()
        });
    });
    group.bench_function(RAW_RING, |b| {
        b.iter(|| pair.sign(&rng, black_box(parts.signing_input)).unwrap());
    });
    group.finish();

    let verifier = verifier_for(&key);
    assert_eq!(verifier.verify::<Claims>(&token).unwrap().claims(), &claims);
    let mut group = configure(c, "es256_verify");
    group.bench_function(JWT_CORE, |b| {
        b.iter(|| verifier.verify::<Claims>(black_box(&token)).unwrap());
    });
    group.bench_function(RAW_RING, |b| {
        b.iter(|| {
            let mut buf = [0u8; 64];
            let signature = decode_signature(black_box(parts.signature), &mut buf);
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, black_box(&public_key[..]))
                .verify(black_box(parts.signing_input), signature)
                .unwrap();
        });
    });
    group.finish();
}

fn rs256(c: &mut Criterion) {
    let key = SigningKey::from_pem(Algorithm::RS256, RSA_PEM).unwrap();
    let (label, der) = pem_rfc7468::decode_vec(RSA_PEM.as_bytes()).unwrap();
    assert_eq!(label, "PRIVATE KEY");
    let pair = RsaKeyPair::from_pkcs8(&der).unwrap();
    assert_eq!(pair.public().modulus_len(), 256);
    let public_key = pair.public().as_ref().to_vec();
    let claims = claims();
    let token = Encoder::new(&key).encode(&claims).unwrap();
    let parts = split(&token);

    let verifier = verifier_for(&key);
    assert_eq!(verifier.verify::<Claims>(&token).unwrap().claims(), &claims);
    let mut group = configure(c, "rs256_verify");
    group.bench_function(JWT_CORE, |b| {
        b.iter(|| verifier.verify::<Claims>(black_box(&token)).unwrap());
    });
    group.bench_function(RAW_RING, |b| {
        b.iter(|| {
            let mut buf = [0u8; 256];
            let signature = decode_signature(black_box(parts.signature), &mut buf);
            UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, black_box(&public_key[..]))
                .verify(black_box(parts.signing_input), signature)
                .unwrap();
        });
    });
    group.finish();
}

fn eddsa(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let key = SigningKey::from_pkcs8_der(Algorithm::EdDSA, pkcs8.as_ref()).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let public_key = pair.public_key().as_ref().to_vec();
    let claims = claims();
    let token = Encoder::new(&key).encode(&claims).unwrap();
    let parts = split(&token);

    let verifier = verifier_for(&key);
    assert_eq!(verifier.verify::<Claims>(&token).unwrap().claims(), &claims);
    let mut group = configure(c, "eddsa_verify");
    group.bench_function(JWT_CORE, |b| {
        b.iter(|| verifier.verify::<Claims>(black_box(&token)).unwrap());
    });
    group.bench_function(RAW_RING, |b| {
        b.iter(|| {
            let mut buf = [0u8; 64];
            let signature = decode_signature(black_box(parts.signature), &mut buf);
            UnparsedPublicKey::new(&ED25519, black_box(&public_key[..]))
                .verify(black_box(parts.signing_input), signature)
                .unwrap();
        });
    });
    group.finish();
}

criterion_group!(benches, hs256, es256, rs256, eddsa);

/// Rows of the summary: group, the `jwt-core` function, the baseline function.
const ROWS: &[(&str, &str, &str)] = &[
    ("hs256_sign", JWT_CORE, RAW_RING),
    ("hs256_sign", JWT_CORE, RAW_RING_SERDE),
    ("hs256_verify", JWT_CORE, RAW_RING),
    ("hs256_verify", JWT_CORE, RAW_RING_SERDE),
    ("es256_sign", JWT_CORE, RAW_RING),
    ("es256_verify", JWT_CORE, RAW_RING),
    ("rs256_verify", JWT_CORE, RAW_RING),
    ("eddsa_verify", JWT_CORE, RAW_RING),
];

/// Where criterion writes its results, resolved the way criterion does (minus `cargo metadata`).
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    target.join("criterion")
}

/// The median (ns) of `group/function` from this run, or `None` if it was not measured now.
fn median_ns(group: &str, function: &str, started: SystemTime) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < started {
        return None; // left over from an earlier (or filtered-out) run
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn format_ns(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{ns:.1} ns")
    }
}

fn print_ratio_table(started: SystemTime) {
    println!();
    println!("| group | jwt-core median | raw ring median | ratio |");
    println!("|---|---:|---:|---:|");
    for &(group, ours, baseline) in ROWS {
        let label = if baseline == RAW_RING {
            group.to_owned()
        } else {
            format!("{group} (vs {baseline})")
        };
        match (
            median_ns(group, ours, started),
            median_ns(group, baseline, started),
        ) {
            (Some(a), Some(b)) => println!(
                "| {label} | {} | {} | {:.2}x |",
                format_ns(a),
                format_ns(b),
                a / b
            ),
            _ => println!("| {label} | not run | not run | - |"),
        }
    }
}

/// Whether criterion will actually measure (not `cargo test --benches`, `--list`, ...).
fn is_benchmark_run() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench")
        && !has("--test")
        && !has("--list")
        && !args.iter().any(|a| a.starts_with("--profile-time"))
}

fn main() {
    // Coarse file timestamps: allow a little slack so this run's files never look stale.
    let started = SystemTime::now()
        .checked_sub(Duration::from_secs(2))
        .unwrap_or(UNIX_EPOCH);
    benches();
    Criterion::default().configure_from_args().final_summary();
    if is_benchmark_run() {
        print_ratio_table(started);
    }
}
