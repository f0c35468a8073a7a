//! Issue a token after a (pretend) login, verify it on the next request, and watch the verifier
//! refuse a tampered, an expired and a wrongly-addressed token.
//!
//! Run it with `cargo run -p jwt-core --example quickstart`.

use std::time::{SystemTime, UNIX_EPOCH};

use jwt_core::{Algorithm, ErrorKind, FixedClock, SigningKey, Validation, Verifier};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

/// What the server puts in the access token. Never a password: anyone can read a JWT payload.
#[derive(Serialize, Deserialize, Debug)]
struct AccessClaims {
    sub: String,
    name: String,
    scope: String,
    iss: String,
    aud: String,
    iat: u64,
    exp: u64,
}

fn main() -> Result<(), jwt_core::Error> {
    // A fresh 256-bit secret; in production, load it from your secret store.
    let mut secret = [0u8; 32];
    SystemRandom::new()
        .fill(&mut secret)
        .map_err(|_| jwt_core::Error::Signing)?;
    let key = SigningKey::from_hmac_secret(Algorithm::HS256, &secret)?.with_kid("2026-11");

    // 1. Login succeeded: issue a short-lived access token.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = AccessClaims {
        sub: "user-42".into(),
        name: "Ada Lovelace".into(),
        scope: "read write".into(),
        iss: "https://auth.example".into(),
        aud: "api".into(),
        iat: now,
        exp: now.saturating_add(900),
    };
    let token = jwt_core::encode(&key, &claims)?;
    println!("issued:   {token}\n");

    // 2. Next request: the client sends `Authorization: Bearer <token>`; the server verifies.
    let validation = Validation::new()
        .issuer("https://auth.example")
        .audience("api");
    let verifier = Verifier::new(&key).with_validation(validation.clone());
    let verified = verifier.verify::<AccessClaims>(&token)?;
    println!(
        "verified: sub={} scope={:?} alg={} kid={:?}",
        verified.claims().sub,
        verified.claims().scope,
        verified.header().algorithm(),
        verified.header().kid()
    );

    // 3. What the verifier refuses, and the stable codes it reports.
    // An attacker edits the payload (scope "admin") but cannot redo the signature.
    let attacker_key = SigningKey::from_hmac_secret(Algorithm::HS256, &[7; 32])?;
    let forged = AccessClaims {
        scope: "admin".into(),
        ..claims
    };
    let forged_token = jwt_core::encode(&attacker_key, &forged)?;
    let (header, rest) = token.split_once('.').unwrap_or_default();
    let (_, signature) = rest.split_once('.').unwrap_or_default();
    let forged_payload = forged_token.split('.').nth(1).unwrap_or_default();
    let tampered = format!("{header}.{forged_payload}.{signature}");
    let expired = Verifier::new(&key).with_validation(
        validation
            .clone()
            .clock(FixedClock(now.saturating_add(901))),
    );
    let other_service = Verifier::new(&key).with_validation(
        Validation::new()
            .issuer("https://auth.example")
            .audience("billing"),
    );
    for (what, result) in [
        (
            "tampered payload",
            verifier.verify::<AccessClaims>(&tampered).err(),
        ),
        (
            "15 minutes later",
            expired.verify::<AccessClaims>(&token).err(),
        ),
        (
            "other audience",
            other_service.verify::<AccessClaims>(&token).err(),
        ),
    ] {
        let error = result.map_or_else(
            || "accepted?!".to_owned(),
            |e| format!("{} ({e})", e.kind()),
        );
        println!("refused:  {what:<17} -> {error}");
    }
    let refusal = expired
        .verify::<AccessClaims>(&token)
        .err()
        .map(|e| e.kind());
    assert_eq!(refusal, Some(ErrorKind::Expired));
    Ok(())
}
