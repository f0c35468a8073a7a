//! The denial-of-service limits, each tested exactly at its boundary: accepted AT the limit,
//! refused one unit PAST it, for the defaults and for configured values.
//!
//! - token length (`Limits::max_token_len`): total bytes of the compact token;
//! - header length (`Limits::max_header_len`): decoded bytes of the JOSE header;
//! - JSON depth (`Limits::max_json_depth`): nesting of arrays and objects in the header and in
//!   the claims, including members the claims type skips;
//! - JWK Set size (`JwkSet::from_json_with_limit`, default `DEFAULT_MAX_JWKS_KEYS`).
//!
//! Every token here carries a valid HS256 MAC, so a refusal can only come from the limit, and
//! every "at the limit" case is checked to be accepted, so the "past the limit" case shows that
//! the limit, not some other check, made the difference.

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
    Algorithm, DEFAULT_MAX_JWKS_KEYS, Error, ErrorKind, FixedClock, JwkSet, KeySet, Limits,
    Validation, Verifier, VerifyingKey,
};
use serde::Deserialize;

const NOW: u64 = 1_700_000_000;
const EXP: u64 = NOW + 600;
const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

const DEFAULT_TOKEN_LEN: usize = 8 * 1024;
const DEFAULT_HEADER_LEN: usize = 2 * 1024;
const DEFAULT_DEPTH: usize = 32;

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// A compact token over raw header and payload JSON with a valid HMAC-SHA256 tag.
fn hs256_token(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET),
        input.as_bytes(),
    );
    format!("{input}.{}", b64(tag.as_ref()))
}

fn verifier(limits: Limits) -> Verifier {
    Verifier::new(VerifyingKey::from_hmac_secret(Algorithm::HS256, SECRET).unwrap())
        .with_validation(Validation::new().clock(FixedClock(NOW)))
        .with_limits(limits)
}

/// Only `exp`: every other member is skipped by serde, not parsed.
#[derive(Deserialize, Debug)]
struct OnlyExp {
    exp: u64,
}

/// Checks that every verification entry point accepts `token`.
fn assert_accepted(v: &Verifier, token: &str) {
    let value = v.verify::<serde_json::Value>(token);
    assert!(value.is_ok(), "{:?}", value.unwrap_err());
    assert_eq!(v.verify::<OnlyExp>(token).unwrap().claims().exp, EXP);
    assert!(v.verify_raw(token).is_ok());
    let mut buffer = Vec::new();
    assert!(
        v.verify_borrowed::<serde::de::IgnoredAny>(token, &mut buffer)
            .is_ok()
    );
    let unverified = jwt_core::danger_decode_unverified_with_limits(token, v.limits()).unwrap();
    assert!(unverified.claims::<serde_json::Value>().is_ok());
}

/// The error of every verification entry point for `token`, checked to be the same.
fn rejection(v: &Verifier, token: &str) -> Error {
    let error = v.verify::<serde_json::Value>(token).unwrap_err();
    for other in [
        v.verify::<OnlyExp>(token).unwrap_err(),
        v.verify::<serde::de::IgnoredAny>(token).unwrap_err(),
        v.verify_raw(token).unwrap_err(),
        v.verify_detailed::<serde_json::Value>(token)
            .unwrap_err()
            .into_error(),
    ] {
        assert_eq!(other.kind(), error.kind(), "{other:?} vs {error:?}");
    }
    let mut buffer = Vec::new();
    let borrowed = v
        .verify_borrowed::<OnlyExp>(token, &mut buffer)
        .unwrap_err();
    assert_eq!(borrowed.kind(), error.kind());
    error
}

// ---------------------------------------------------------------------------------------------
// Token length
// ---------------------------------------------------------------------------------------------

/// A valid token of exactly `len` bytes: the header and payload are padded until the encoded
/// lengths add up (base64url lengths are never 1 mod 4, so both are adjusted).
fn token_of_len(len: usize) -> String {
    for header_pad in 0..3 {
        let header = format!(r#"{{"alg":"HS256","h":"{}"}}"#, "h".repeat(header_pad));
        let empty = hs256_token(&header, &format!(r#"{{"exp":{EXP},"p":""}}"#));
        if empty.len() > len {
            continue;
        }
        // Each padding byte adds 4/3 encoded characters; step around the estimate.
        let estimate = (len - empty.len()) * 3 / 4;
        for pad in estimate.saturating_sub(3)..=estimate + 3 {
            let token = hs256_token(
                &header,
                &format!(r#"{{"exp":{EXP},"p":"{}"}}"#, "p".repeat(pad)),
            );
            if token.len() == len {
                return token;
            }
        }
    }
    panic!("no token of length {len}");
}

#[test]
fn token_length_default_limit_accepts_8192_bytes_and_refuses_8193() {
    assert_eq!(
        Limits::default(),
        Limits::default()
            .max_token_len(DEFAULT_TOKEN_LEN)
            .max_header_len(DEFAULT_HEADER_LEN)
            .max_json_depth(DEFAULT_DEPTH)
    );
    let v = verifier(Limits::default());
    let at = token_of_len(DEFAULT_TOKEN_LEN);
    assert_eq!(at.len(), 8192);
    assert_accepted(&v, &at);

    let past = token_of_len(DEFAULT_TOKEN_LEN + 1);
    assert_eq!(past.len(), 8193);
    let error = rejection(&v, &past);
    assert!(
        matches!(error, Error::TokenTooLarge { limit: 8192 }),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::TooLarge);
    // A verifier whose limit is one byte larger takes it: the size was the only problem.
    assert_accepted(
        &verifier(Limits::default().max_token_len(DEFAULT_TOKEN_LEN + 1)),
        &past,
    );
}

#[test]
fn token_length_configured_limits_are_exact() {
    for limit in [200, 257, 1000, 1001, 1002, 1003, 4096, 20_000] {
        let v = verifier(Limits::default().max_token_len(limit));
        let at = token_of_len(limit);
        assert_eq!(at.len(), limit);
        assert_accepted(&v, &at);
        let past = token_of_len(limit + 1);
        let error = rejection(&v, &past);
        assert!(matches!(error, Error::TokenTooLarge { limit: l } if l == limit));
    }
}

#[test]
fn token_length_limit_applies_before_anything_is_parsed() {
    // Past the limit, even garbage is refused as too large rather than as malformed.
    let v = verifier(Limits::default().max_token_len(100));
    assert_eq!(rejection(&v, &".".repeat(101)).kind(), ErrorKind::TooLarge);
    assert_eq!(rejection(&v, &".".repeat(100)).kind(), ErrorKind::Malformed);
    assert_eq!(rejection(&v, &"a".repeat(101)).kind(), ErrorKind::TooLarge);
    // A limit of zero refuses every non-empty token.
    let zero = verifier(Limits::default().max_token_len(0));
    assert_eq!(rejection(&zero, "a.b.c").kind(), ErrorKind::TooLarge);
    assert_eq!(rejection(&zero, "").kind(), ErrorKind::Malformed);
}

#[test]
fn token_length_limit_of_danger_decode_unverified_is_the_same() {
    let at = token_of_len(DEFAULT_TOKEN_LEN);
    let past = token_of_len(DEFAULT_TOKEN_LEN + 1);
    assert!(jwt_core::danger_decode_unverified(&at).is_ok());
    assert!(matches!(
        jwt_core::danger_decode_unverified(&past).unwrap_err(),
        Error::TokenTooLarge { limit: 8192 }
    ));
    let limits = Limits::default().max_token_len(500);
    assert!(jwt_core::danger_decode_unverified_with_limits(&token_of_len(500), &limits).is_ok());
    assert_eq!(
        jwt_core::danger_decode_unverified_with_limits(&token_of_len(501), &limits)
            .unwrap_err()
            .kind(),
        ErrorKind::TooLarge
    );
}

// ---------------------------------------------------------------------------------------------
// Header length
// ---------------------------------------------------------------------------------------------

/// Header JSON of exactly `len` bytes (at least 24).
fn header_of_len(len: usize) -> String {
    let frame = r#"{"alg":"HS256","pad":""}"#.len();
    let header = format!(r#"{{"alg":"HS256","pad":"{}"}}"#, "x".repeat(len - frame));
    assert_eq!(header.len(), len);
    header
}

fn claims() -> String {
    format!(r#"{{"exp":{EXP}}}"#)
}

#[test]
fn header_length_default_limit_accepts_2048_decoded_bytes_and_refuses_2049() {
    let v = verifier(Limits::default());
    // All three remainders mod 3, so every base64url length class meets the boundary.
    for (len, accepted) in [
        (2046, true),
        (2047, true),
        (2048, true),
        (2049, false),
        (2050, false),
        (2051, false),
    ] {
        let token = hs256_token(&header_of_len(len), &claims());
        if accepted {
            assert_accepted(&v, &token);
        } else {
            let error = rejection(&v, &token);
            assert!(
                matches!(error, Error::HeaderTooLarge { limit: 2048 }),
                "{len}: {error:?}"
            );
            assert_eq!(error.kind(), ErrorKind::TooLarge);
        }
    }
    let roomy = verifier(Limits::default().max_header_len(DEFAULT_HEADER_LEN + 1));
    assert_accepted(&roomy, &hs256_token(&header_of_len(2049), &claims()));
}

#[test]
fn header_length_configured_limits_are_exact() {
    for limit in [26, 27, 28, 64, 100, 255, 256, 257, 3000] {
        let v = verifier(
            Limits::default()
                .max_header_len(limit)
                .max_token_len(64 * 1024),
        );
        assert_accepted(&v, &hs256_token(&header_of_len(limit), &claims()));
        let error = rejection(&v, &hs256_token(&header_of_len(limit + 1), &claims()));
        assert!(
            matches!(error, Error::HeaderTooLarge { limit: l } if l == limit),
            "{limit}: {error:?}"
        );
    }
}

#[test]
fn header_length_limit_of_danger_decode_unverified_is_the_same() {
    let limits = Limits::default().max_header_len(100);
    let at = hs256_token(&header_of_len(100), &claims());
    let past = hs256_token(&header_of_len(101), &claims());
    let unverified = jwt_core::danger_decode_unverified_with_limits(&at, &limits).unwrap();
    assert_eq!(unverified.header_bytes().len(), 100);
    assert!(matches!(
        jwt_core::danger_decode_unverified_with_limits(&past, &limits).unwrap_err(),
        Error::HeaderTooLarge { limit: 100 }
    ));
    assert!(
        jwt_core::danger_decode_unverified(&hs256_token(&header_of_len(2048), &claims())).is_ok()
    );
    assert_eq!(
        jwt_core::danger_decode_unverified(&hs256_token(&header_of_len(2049), &claims()))
            .unwrap_err()
            .kind(),
        ErrorKind::TooLarge
    );
}

// ---------------------------------------------------------------------------------------------
// JSON depth
// ---------------------------------------------------------------------------------------------

/// A JSON value nested `levels` deep: arrays, objects, or alternating.
fn nested(levels: usize, shape: Shape) -> String {
    let mut text = String::from("0");
    for level in 0..levels {
        let array = match shape {
            Shape::Arrays => true,
            Shape::Objects => false,
            Shape::Mixed => level % 2 == 0,
        };
        text = if array {
            format!("[{text}]")
        } else {
            format!(r#"{{"n":{text}}}"#)
        };
    }
    text
}

#[derive(Clone, Copy, Debug)]
enum Shape {
    Arrays,
    Objects,
    Mixed,
}

const SHAPES: [Shape; 3] = [Shape::Arrays, Shape::Objects, Shape::Mixed];

/// Claims nested exactly `depth` levels deep in total (the claims object is level 1).
fn claims_of_depth(depth: usize, shape: Shape) -> String {
    format!(r#"{{"exp":{EXP},"x":{}}}"#, nested(depth - 1, shape))
}

/// A header nested exactly `depth` levels deep in total (the header object is level 1).
fn header_of_depth(depth: usize, shape: Shape) -> String {
    format!(r#"{{"alg":"HS256","x":{}}}"#, nested(depth - 1, shape))
}

#[test]
fn depth_helpers_nest_as_documented() {
    // `{"a":[1]}` is two levels (the `Limits::max_json_depth` documentation).
    assert_eq!(
        claims_of_depth(2, Shape::Arrays),
        format!(r#"{{"exp":{EXP},"x":[0]}}"#)
    );
    assert_eq!(
        claims_of_depth(3, Shape::Mixed),
        format!(r#"{{"exp":{EXP},"x":{{"n":[0]}}}}"#)
    );
    assert_eq!(
        claims_of_depth(1, Shape::Objects),
        format!(r#"{{"exp":{EXP},"x":0}}"#)
    );
}

#[test]
fn claims_depth_default_limit_accepts_32_levels_and_refuses_33() {
    let v = verifier(Limits::default());
    for shape in SHAPES {
        let at = hs256_token(r#"{"alg":"HS256"}"#, &claims_of_depth(DEFAULT_DEPTH, shape));
        assert_accepted(&v, &at);
        let past = hs256_token(
            r#"{"alg":"HS256"}"#,
            &claims_of_depth(DEFAULT_DEPTH + 1, shape),
        );
        // `rejection` includes `OnlyExp`, which skips `x`: the limit holds for skipped members.
        let error = rejection(&v, &past);
        assert_eq!(
            error.kind(),
            ErrorKind::InvalidPayload,
            "{shape:?}: {error:?}"
        );
        assert!(matches!(error, Error::InvalidPayload(_)));
    }
}

#[test]
fn claims_depth_configured_limits_are_exact_also_for_skipped_members() {
    for limit in [1, 2, 3, 5, 16, 64, 100] {
        let v = verifier(Limits::default().max_json_depth(limit));
        for shape in SHAPES {
            // The header `{"alg":"HS256"}` is one level, within every limit here.
            let at = hs256_token(r#"{"alg":"HS256"}"#, &claims_of_depth(limit, shape));
            assert_accepted(&v, &at);
            let past = hs256_token(r#"{"alg":"HS256"}"#, &claims_of_depth(limit + 1, shape));
            let error = v.verify::<OnlyExp>(&past).unwrap_err();
            assert!(
                matches!(error, Error::InvalidPayload(_)),
                "{limit} {shape:?}: {error:?}"
            );
            assert_eq!(rejection(&v, &past).kind(), ErrorKind::InvalidPayload);
        }
    }
}

#[test]
fn claims_depth_limit_above_serde_json_recursion_limit_still_bounds_skipped_members() {
    // serde_json refuses to build values nested past 128 levels on its own; a type that skips
    // the deep member is bounded by the configured limit alone.
    let v = verifier(Limits::default().max_json_depth(200));
    let at = hs256_token(r#"{"alg":"HS256"}"#, &claims_of_depth(200, Shape::Arrays));
    assert_eq!(v.verify::<OnlyExp>(&at).unwrap().claims().exp, EXP);
    assert!(v.verify_raw(&at).is_ok());
    assert_eq!(
        v.verify::<serde_json::Value>(&at).unwrap_err().kind(),
        ErrorKind::InvalidPayload
    );
    let past = hs256_token(r#"{"alg":"HS256"}"#, &claims_of_depth(201, Shape::Arrays));
    assert!(matches!(
        v.verify::<OnlyExp>(&past).unwrap_err(),
        Error::InvalidPayload(_)
    ));
    assert!(v.verify_raw(&past).is_err());
}

#[test]
fn claims_depth_counts_structure_not_brackets_inside_strings() {
    let v = verifier(Limits::default().max_json_depth(2));
    let brackets = "[{".repeat(100);
    let quoted = format!(r#"{{"exp":{EXP},"s":"{brackets}\"{brackets}","x":[0]}}"#);
    assert_accepted(&v, &hs256_token(r#"{"alg":"HS256"}"#, &quoted));
    let deeper = format!(r#"{{"exp":{EXP},"s":"{brackets}","x":[[0]]}}"#);
    assert_eq!(
        rejection(&v, &hs256_token(r#"{"alg":"HS256"}"#, &deeper)).kind(),
        ErrorKind::InvalidPayload
    );
    // Depth, not the number of containers: many siblings at the limit are fine.
    let wide = format!(r#"{{"exp":{EXP},"x":[{}]}}"#, vec!["0"; 500].join(","));
    assert_accepted(&v, &hs256_token(r#"{"alg":"HS256"}"#, &wide));
    let siblings = format!(r#"{{"exp":{EXP},"a":[],"b":{{}},"c":[1],"d":{{"e":2}}}}"#);
    assert_accepted(&v, &hs256_token(r#"{"alg":"HS256"}"#, &siblings));
}

#[test]
fn header_depth_default_limit_accepts_32_levels_and_refuses_33() {
    let v = verifier(Limits::default());
    for shape in SHAPES {
        assert_accepted(
            &v,
            &hs256_token(&header_of_depth(DEFAULT_DEPTH, shape), &claims()),
        );
        let past = hs256_token(&header_of_depth(DEFAULT_DEPTH + 1, shape), &claims());
        let error = rejection(&v, &past);
        assert!(
            matches!(error, Error::InvalidHeader(_)),
            "{shape:?}: {error:?}"
        );
        // The unverified reader applies the same bound.
        assert_eq!(
            jwt_core::danger_decode_unverified(&past)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidHeader
        );
    }
}

#[test]
fn header_depth_configured_limits_are_exact() {
    for limit in [2, 3, 7, 64] {
        let v = verifier(Limits::default().max_json_depth(limit));
        for shape in SHAPES {
            let at = hs256_token(&header_of_depth(limit, shape), &claims());
            assert_accepted(&v, &at);
            let past = hs256_token(&header_of_depth(limit + 1, shape), &claims());
            assert!(matches!(rejection(&v, &past), Error::InvalidHeader(_)));
            let limits = Limits::default().max_json_depth(limit);
            assert!(jwt_core::danger_decode_unverified_with_limits(&at, &limits).is_ok());
            assert_eq!(
                jwt_core::danger_decode_unverified_with_limits(&past, &limits)
                    .unwrap_err()
                    .kind(),
                ErrorKind::InvalidHeader
            );
        }
    }
    // Depth 1 allows a flat header only; depth 0 allows nothing at all.
    let flat = verifier(Limits::default().max_json_depth(1));
    assert_accepted(&flat, &hs256_token(r#"{"alg":"HS256","n":1}"#, &claims()));
    assert!(matches!(
        rejection(&flat, &hs256_token(r#"{"alg":"HS256","n":[]}"#, &claims())),
        Error::InvalidHeader(_)
    ));
    let zero = verifier(Limits::default().max_json_depth(0));
    assert!(matches!(
        rejection(&zero, &hs256_token(r#"{"alg":"HS256"}"#, &claims())),
        Error::InvalidHeader(_)
    ));
}

#[test]
fn depth_limit_of_unverified_claims_is_the_same() {
    let limits = Limits::default().max_json_depth(4);
    let at = hs256_token(r#"{"alg":"HS256"}"#, &claims_of_depth(4, Shape::Mixed));
    let past = hs256_token(r#"{"alg":"HS256"}"#, &claims_of_depth(5, Shape::Mixed));
    let unverified = jwt_core::danger_decode_unverified_with_limits(&at, &limits).unwrap();
    assert!(unverified.claims::<serde_json::Value>().is_ok());
    let unverified = jwt_core::danger_decode_unverified_with_limits(&past, &limits).unwrap();
    assert_eq!(
        unverified.claims::<OnlyExp>().unwrap_err().kind(),
        ErrorKind::InvalidPayload
    );
    assert_eq!(
        unverified
            .claims::<serde::de::IgnoredAny>()
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidPayload
    );
}

// ---------------------------------------------------------------------------------------------
// Number of JWKs
// ---------------------------------------------------------------------------------------------

/// A JWK Set of `n` distinct, importable HS256 keys.
fn jwk_set(n: usize) -> String {
    let keys: Vec<String> = (0..n)
        .map(|i| {
            let secret = b64(format!("{i:032}").as_bytes());
            format!(r#"{{"kty":"oct","alg":"HS256","kid":"k{i}","k":"{secret}"}}"#)
        })
        .collect();
    format!(r#"{{"keys":[{}]}}"#, keys.join(","))
}

fn too_many_keys(result: Result<JwkSet, Error>) -> bool {
    matches!(&result, Err(error) if error.kind() == ErrorKind::InvalidKey
        && error.to_string().contains("more than the limit"))
}

#[test]
fn jwk_set_default_limit_accepts_100_keys_and_refuses_101() {
    assert_eq!(DEFAULT_MAX_JWKS_KEYS, 100);
    let at = JwkSet::from_json(&jwk_set(DEFAULT_MAX_JWKS_KEYS)).unwrap();
    assert_eq!(at.keys().len(), 100);
    assert!(at.skipped().is_empty());
    let (keys, skipped) = KeySet::from_jwk_set(&at, &[]);
    assert_eq!(keys.len(), 100);
    assert!(skipped.is_empty());
    assert!(too_many_keys(JwkSet::from_json(&jwk_set(
        DEFAULT_MAX_JWKS_KEYS + 1
    ))));
    // The same text under a limit one higher is fine.
    assert_eq!(
        JwkSet::from_json_with_limit(&jwk_set(101), 101)
            .unwrap()
            .keys()
            .len(),
        101
    );
}

#[test]
fn jwk_set_configured_limits_are_exact() {
    for limit in [0, 1, 2, 7, 50, 250] {
        let at = JwkSet::from_json_with_limit(&jwk_set(limit), limit).unwrap();
        assert_eq!(at.keys().len(), limit);
        assert!(too_many_keys(JwkSet::from_json_with_limit(
            &jwk_set(limit + 1),
            limit
        )));
    }
}

#[test]
fn jwk_set_limit_counts_entries_that_would_be_skipped() {
    // Entries that do not parse still count: the limit bounds the work, not the result.
    let entries = [
        r#"{"kty":"oct","alg":"HS256","kid":"good","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}"#,
        r#"{"kty":"EC","crv":"P-521","x":"AA","y":"AA","kid":"p521"}"#,
        r#"{"kty":"nope"}"#,
        "17",
    ];
    let json = format!(r#"{{"keys":[{}]}}"#, entries.join(","));
    let set = JwkSet::from_json_with_limit(&json, 4).unwrap();
    assert_eq!(set.keys().len(), 1);
    assert_eq!(set.skipped().len(), 3);
    assert!(too_many_keys(JwkSet::from_json_with_limit(&json, 3)));
}
