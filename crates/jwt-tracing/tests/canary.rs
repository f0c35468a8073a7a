//! Nothing secret reaches a subscriber: not the key, not the token, not the claims (except `iss`,
//! and `sub` when opted in), and a hostile `kid` cannot forge log lines.
//!
//! Canaries are planted in every place a leak could come from, then every channel is searched:
//! span and event fields as a subscriber receives them, the text a real `fmt` subscriber
//! writes, the errors' `Display` and `Debug`, and the message of a panic on `unwrap()`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use common::*;
use jwt_core::{Algorithm, FixedClock, Validation, Verifier, VerifyingKey};
use jwt_tracing::TraceVerifications;

const CANARY_SECRET: &[u8; 32] = b"CANARY-SECRET-never-log-me-0123!";
const OTHER_SECRET: &[u8; 32] = b"CANARY-OTHER-SECRET-not-logged!!";
/// A kid that tries to end the log line, forge an "accepted" line, and recolour the terminal.
const HOSTILE_KID: &str = "k1\n2026-01-01T00:00:00Z  INFO jwt accepted jwt.outcome=\"accepted\"\r\u{1b}[2K\u{1b}[31mred\u{1b}[0m \u{202e}desrever\u{2028}";

/// Claim values that must never be logged (without the subject opt-in).
const CANARY_CLAIMS: [&str; 4] = ["CANARY-SUB", "CANARY-ROLE", "CANARY-AUD", "CANARY-EMAIL"];

fn claims(exp: u64) -> String {
    format!(
        r#"{{"iss":"{ISSUER}","sub":"CANARY-SUB","aud":"CANARY-AUD","role":"CANARY-ROLE","email":"CANARY-EMAIL","exp":{exp}}}"#
    )
}

fn header(kid: &str) -> String {
    format!(
        r#"{{"alg":"HS256","typ":"JWT","kid":{}}}"#,
        serde_json::to_string(kid).unwrap()
    )
}

fn verifier(config: TraceVerifications) -> Verifier {
    let key = VerifyingKey::from_hmac_secret(Algorithm::HS256, CANARY_SECRET)
        .unwrap()
        .with_kid(HOSTILE_KID);
    Verifier::new(key)
        .with_validation(
            Validation::new()
                .clock(FixedClock(NOW))
                .issuer(ISSUER)
                .audience("CANARY-AUD"),
        )
        .with_instrument(config)
}

/// Accepted, expired, a wrong audience, a forged signature, an unknown kid, a claims-type
/// mismatch: every path that reaches the header, the claims, or both.
fn tokens() -> Vec<String> {
    let good = claims(NOW + 600);
    vec![
        hs256_token(&header(HOSTILE_KID), &good, CANARY_SECRET),
        hs256_token(&header(HOSTILE_KID), &claims(NOW - 600), CANARY_SECRET),
        hs256_token(
            &header(HOSTILE_KID),
            &good.replace("CANARY-AUD", "CANARY-ROLE"),
            CANARY_SECRET,
        ),
        hs256_token(&header(HOSTILE_KID), &good, OTHER_SECRET),
        hs256_token(&header("CANARY-UNKNOWN\nkid"), &good, CANARY_SECRET),
    ]
}

/// The strings that must not appear anywhere.
fn forbidden(tokens: &[String]) -> Vec<String> {
    let mut forbidden: Vec<String> = CANARY_CLAIMS.iter().map(|s| (*s).to_owned()).collect();
    for secret in [CANARY_SECRET, OTHER_SECRET] {
        forbidden.push(String::from_utf8(secret.to_vec()).unwrap());
        forbidden.push(b64(secret));
        forbidden.push("CANARY-SECRET".to_owned());
    }
    for token in tokens {
        forbidden.push(token.clone());
        // Every segment, header included: a logged header would leak nothing secret, but a
        // logged segment means someone logs token text.
        forbidden.extend(token.split('.').map(str::to_owned));
    }
    forbidden
}

fn assert_clean(channel: &str, text: &str, forbidden: &[String]) {
    for needle in forbidden {
        assert!(
            !text.contains(needle.as_str()),
            "{channel} leaks {needle:?}:\n{text}"
        );
    }
}

/// Verifies every token as `Value`, and as a strict type that rejects the claims.
fn verify_all(verifier: &Verifier, tokens: &[String]) -> Vec<jwt_core::Error> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Narrow {
        exp: u64,
    }
    let mut errors = Vec::new();
    for token in tokens {
        if let Err(error) = verifier.verify::<serde_json::Value>(token) {
            errors.push(error);
        }
        if let Err(error) = verifier.verify::<Narrow>(token) {
            errors.push(error);
        }
        if let Err(rejection) = verifier.verify_detailed::<serde_json::Value>(token) {
            errors.push(rejection.error().clone());
        }
    }
    errors
}

#[test]
fn no_subscriber_sees_secrets_tokens_or_claim_values() {
    let tokens = tokens();
    let forbidden = forbidden(&tokens);
    let verifier = verifier(TraceVerifications::default());
    let (errors, captured) = capture(|| verify_all(&verifier, &tokens));
    assert_eq!(captured.spans.len(), 3 * tokens.len());
    assert_eq!(captured.events.len(), 3 * tokens.len());
    assert!(errors.len() >= 3 * (tokens.len() - 1), "{errors:?}");
    // The capture works: the kid and the issuer are there, escaped.
    let text = captured.all_text();
    assert!(text.contains(&format!("{ISSUER:?}")), "{text}");
    assert!(text.contains(r"k1\n2026-01-01T00:00:00Z"), "{text}");
    assert!(text.contains(r"\u{1b}[31m"), "{text}");
    assert!(text.contains(r"\u{202e}desrever\u{2028}"), "{text}");
    assert_clean("captured fields", &text, &forbidden);
    for control in ['\n', '\r', '\u{1b}', '\u{202e}', '\u{2028}'] {
        assert!(!text.contains(control), "raw {control:?} in {text}");
    }
    for error in &errors {
        assert_clean("Display", &error.to_string(), &forbidden);
        assert_clean("Debug", &format!("{error:?}"), &forbidden);
        assert_clean("alternate Debug", &format!("{error:#?}"), &forbidden);
    }
}

#[test]
fn opting_in_reveals_the_subject_and_nothing_more() {
    let tokens = tokens();
    let forbidden: Vec<String> = forbidden(&tokens)
        .into_iter()
        .filter(|s| s != "CANARY-SUB")
        .collect();
    let verifier = verifier(TraceVerifications::default().record_subject());
    let (_, captured) = capture(|| verify_all(&verifier, &tokens));
    let text = captured.all_text();
    assert!(text.contains(r#""CANARY-SUB""#), "the opt-in works: {text}");
    assert_clean("captured fields", &text, &forbidden);
}

/// `io::Write` into a shared buffer, for the `fmt` subscriber.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_formatting_subscriber_writes_one_honest_line_per_verification() {
    let tokens = tokens();
    let forbidden = forbidden(&tokens);
    let verifier = verifier(TraceVerifications::default());
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        // Colour codes would depend on which crates enable the `ansi` feature in one build.
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::callsite::rebuild_interest_cache();
        verify_all(&verifier, &tokens);
    });
    let output = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 3 * tokens.len(), "{output}");
    for line in &lines {
        assert!(
            line.contains(" DEBUG jwt.verify{") || line.contains(" INFO jwt.verify{"),
            "{line}"
        );
        assert!(line.contains("jwt.outcome="), "{line}");
        // The forged text is inside the quoted kid, never a field of its own at line start.
        assert!(!line.starts_with("2026-01-01T00:00:00Z"), "{line}");
    }
    // The forged text is still there, quoted: a naive grep finds it on every line...
    let naive = lines.iter().filter(|l| l.contains("jwt accepted")).count();
    assert!(naive > 2, "{output}");
    // ...but the message itself says "accepted" only where a token was: the first token, for
    // `Value` and `verify_detailed` (not `Narrow`).
    let accepted = lines
        .iter()
        .filter(|l| l.contains("}: jwt_tracing: jwt accepted jwt.outcome=\"accepted\""))
        .count();
    assert_eq!(accepted, 2, "{output}");
    for control in ['\r', '\u{1b}', '\u{202e}', '\u{2028}'] {
        assert!(!output.contains(control), "raw {control:?} in {output}");
    }
    assert_clean("fmt output", &output, &forbidden);
}

#[test]
fn a_panic_on_unwrap_names_the_error_not_the_token() {
    let tokens = tokens();
    let forbidden = forbidden(&tokens);
    let verifier = verifier(TraceVerifications::default());
    for token in &tokens[1..] {
        let (payload, captured) = capture(|| {
            catch_unwind(AssertUnwindSafe(|| {
                verifier.verify::<serde_json::Value>(token).unwrap();
            }))
            .unwrap_err()
        });
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap();
        assert!(message.contains("called `Result::unwrap()`"), "{message}");
        assert_clean("panic message", &message, &forbidden);
        assert_clean("captured during panic", &captured.all_text(), &forbidden);
        assert_eq!(captured.events.len(), 1);
    }
}
