//! Checks pinned at their edges: the cases a mutation test of the security checks (breaking
//! each check the way a careless refactor might) showed no other test would notice.
//!
//! Each test names the promise of `docs/security-model.md` it holds.

// Tests fail by panicking: unwrap/expect/panic and indexing are the point here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    Algorithm, ErrorKind, FixedClock, KeySet, KeyStore, SigningKey, Validation, Verifier,
    VerifyingKey,
};

const NOW: u64 = 1_700_000_000;
const SECRET: [u8; 32] = [0xA5; 32];

fn key() -> SigningKey {
    SigningKey::from_hmac_secret(Algorithm::HS256, &SECRET).unwrap()
}

fn token(claims: serde_json::Value) -> String {
    jwt_core::encode(&key(), &claims).unwrap()
}

fn outcome(verifier: &Verifier, token: &str) -> Result<(), ErrorKind> {
    verifier
        .verify::<serde_json::Value>(token)
        .map(|_| ())
        .map_err(|e| e.kind())
}

fn verifier(validation: Validation) -> Verifier {
    Verifier::new(key()).with_validation(validation.clock(FixedClock(NOW)))
}

/// E2: `exp` and `nbf` are checked whenever present, also when `exp` is not required.
#[test]
fn reject_e2_present_times_even_when_exp_is_optional() {
    let lenient = verifier(Validation::new().allow_missing_exp());
    assert_eq!(outcome(&lenient, &token(serde_json::json!({}))), Ok(()));
    let expired = token(serde_json::json!({"exp": NOW - 1}));
    assert_eq!(outcome(&lenient, &expired), Err(ErrorKind::Expired));
    let early = token(serde_json::json!({"nbf": NOW + 1}));
    assert_eq!(outcome(&lenient, &early), Err(ErrorKind::NotYetValid));
}

/// `sub` is compared exactly: near misses are a wrong subject; a missing one is missing.
#[test]
fn reject_subject_near_misses() {
    let verifier = verifier(Validation::new().subject("alice"));
    let with = |sub: &str| token(serde_json::json!({"sub": sub, "exp": NOW + 60}));
    assert_eq!(outcome(&verifier, &with("alice")), Ok(()));
    for near in ["alice2", "ALICE", "alice ", " alice", "alic", "alice\u{0}"] {
        assert_eq!(
            outcome(&verifier, &with(near)),
            Err(ErrorKind::WrongSubject),
            "{near:?}"
        );
    }
    let without = token(serde_json::json!({"exp": NOW + 60}));
    assert_eq!(outcome(&verifier, &without), Err(ErrorKind::MissingClaim));
}

/// Registered claims are type-checked even when nothing about them is configured.
#[test]
fn reject_e1_an_issuer_of_the_wrong_type_with_no_issuer_configured() {
    let verifier = verifier(Validation::new());
    for iss in [
        serde_json::json!(["a"]),
        serde_json::json!(1),
        serde_json::json!(null),
    ] {
        let token = token(serde_json::json!({"iss": iss, "exp": NOW + 60}));
        assert_eq!(
            outcome(&verifier, &token),
            Err(ErrorKind::InvalidClaim),
            "{iss}"
        );
    }
}

/// Headers remembered under one validation are forgotten by `with_validation`, also on the
/// same verifier (not only on a clone, whose table starts empty anyway): a newly required
/// `typ` applies to the next token at once.
#[test]
fn reject_e6_a_remembered_header_under_a_new_typ_requirement() {
    let token = token(serde_json::json!({"exp": NOW + 60}));
    let verifier = verifier(Validation::new());
    assert_eq!(outcome(&verifier, &token), Ok(()));
    assert_eq!(outcome(&verifier, &token), Ok(()), "now remembered");
    let strict = verifier.with_validation(Validation::new().typ("at+jwt").clock(FixedClock(NOW)));
    assert_eq!(outcome(&strict, &token), Err(ErrorKind::WrongType));
}

/// Secrets never reach `Debug`, in any spelling: the exact output of every type that holds
/// one, and none of the secret's decimal, hex or base64 forms.
#[test]
fn debug_never_shows_a_secret_in_any_spelling() {
    let key = key();
    let verifying = VerifyingKey::from_hmac_secret(Algorithm::HS256, &SECRET).unwrap();
    assert_eq!(
        format!("{key:?}"),
        r#"SigningKey { alg: HS256, kid: None, material: "<redacted>" }"#
    );
    assert_eq!(
        format!("{verifying:?}"),
        r#"VerifyingKey { alg: HS256, kid: None, material: "<redacted>" }"#
    );
    let set = KeySet::new([verifying.clone(), key.verifying_key().with_kid("k2")]).unwrap();
    let store = KeyStore::new(set.clone());
    let verifier = Verifier::with_key_store(store.clone());
    let shown = format!(
        "{key:?} {key:#?} {verifying:?} {set:?} {set:#?} {store:?} {verifier:?} {verifier:#?}"
    );
    for spelling in [
        "165, 165".to_owned(),
        "a5a5".to_owned(),
        "A5A5".to_owned(),
        Base64UrlUnpadded::encode_string(&SECRET[..6]),
        "paWl".to_owned(),
    ] {
        assert!(!shown.contains(&spelling), "{spelling} in {shown}");
    }
}

/// A8 and key hygiene: RSA components are refused right at the limits (a 2047-bit modulus,
/// an exponent of 34 bits), not only far beyond them.
#[test]
fn reject_a8_rsa_components_at_their_limits() {
    let mut n_2047 = vec![0x7F];
    n_2047.extend([0xFF; 255]);
    let e = [1, 0, 1];
    let error = VerifyingKey::from_rsa_components(Algorithm::RS256, &n_2047, &e).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::WeakKey);
    let mut n_2048 = vec![0xFF; 256];
    n_2048[255] = 0xFD;
    assert!(VerifyingKey::from_rsa_components(Algorithm::RS256, &n_2048, &e).is_ok());
    let e_34_bits = [3, 0, 0, 0, 1];
    let error =
        VerifyingKey::from_rsa_components(Algorithm::RS256, &n_2048, &e_34_bits).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidKey);
    let e_33_bits = [1, 0, 0, 0, 1];
    assert!(VerifyingKey::from_rsa_components(Algorithm::RS256, &n_2048, &e_33_bits).is_ok());
}

/// E2 arithmetic: no wrapping near the end of time, whatever the clock says.
#[test]
fn time_arithmetic_saturates_near_the_end_of_time() {
    let at_the_end = Verifier::new(key()).with_validation(
        Validation::new()
            .allow_missing_exp()
            .leeway(300)
            .clock(FixedClock(u64::MAX)),
    );
    assert_eq!(
        outcome(&at_the_end, &token(serde_json::json!({"nbf": 0}))),
        Ok(())
    );
    assert_eq!(
        outcome(
            &at_the_end,
            &token(serde_json::json!({"exp": 253_402_300_799u64}))
        ),
        Err(ErrorKind::Expired)
    );
    let ancient = verifier(Validation::new().max_age(u64::MAX));
    let fresh = token(serde_json::json!({"iat": NOW, "exp": NOW + 60}));
    assert_eq!(outcome(&ancient, &fresh), Ok(()));
}

/// D8 at the token level: a lone low surrogate in a claim is refused under a valid MAC.
#[test]
fn reject_d8_a_lone_low_surrogate_in_a_signed_payload() {
    let verifier = verifier(Validation::new());
    let header = Base64UrlUnpadded::encode_string(br#"{"alg":"HS256","typ":"JWT"}"#);
    for payload in [
        format!(r#"{{"exp":{},"name":"\udc00"}}"#, NOW + 60),
        format!(r#"{{"exp":{},"\udc00":1}}"#, NOW + 60),
    ] {
        let input = format!(
            "{header}.{}",
            Base64UrlUnpadded::encode_string(payload.as_bytes())
        );
        let tag = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &SECRET),
            input.as_bytes(),
        );
        let token = format!("{input}.{}", Base64UrlUnpadded::encode_string(tag.as_ref()));
        assert_eq!(
            outcome(&verifier, &token),
            Err(ErrorKind::InvalidPayload),
            "{payload}"
        );
    }
}

/// The system clock at second boundaries: a token made a moment ago by a precise clock, with
/// `nbf` and `iat` at that clock's "now", verifies at once under the strictest time checks
/// (no leeway, `iat` in the future refused), for 1.2 s of tries, so at least one second
/// boundary is crossed. A verifier clock that lags the precise one (the kernel's coarse clock
/// without its margin) refuses such tokens there.
#[test]
fn a_token_made_just_now_is_valid_at_once_across_second_boundaries() {
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
    let key = key();
    let verifier = Verifier::new(&key).with_validation(Validation::new().reject_issued_in_future());
    let start = Instant::now();
    let mut tries = 0u32;
    while start.elapsed() < Duration::from_millis(1200) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let token = jwt_core::encode(
            &key,
            &serde_json::json!({"iat": now, "nbf": now, "exp": now + 60}),
        )
        .unwrap();
        assert_eq!(outcome(&verifier, &token), Ok(()), "iat = nbf = {now}");
        tries += 1;
    }
    assert!(tries > 100, "{tries}");
}
