//! What each verification outcome records: the `jwt.verify` span, its fields, and the one
//! event at the level its cause calls for.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use common::*;
use jwt_core::{
    Algorithm, Error, ErrorKind, FixedClock, Instrument, Limits, SigningKey, Validation, Verifier,
    VerifyingKey,
};
use jwt_tracing::{
    FaultLevel, MAX_VALUE_LEN, RejectionLevel, SPAN_NAME, SpanLevel, SuccessLevel, TARGET,
    TraceVerifications,
};
use tracing::Level;
use tracing_subscriber::filter::LevelFilter;

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#;

/// The fields every `jwt.verify` span declares up front, whatever happens later.
const DECLARED: [&str; 9] = [
    "jwt.alg",
    "jwt.kid",
    "jwt.typ",
    "jwt.iss",
    "jwt.sub",
    "jwt.outcome",
    "error.type",
    "error.message",
    "elapsed_us",
];

fn key() -> VerifyingKey {
    VerifyingKey::from_hmac_secret(Algorithm::HS256, SECRET)
        .unwrap()
        .with_kid("k1")
}

fn validation() -> Validation {
    Validation::new()
        .clock(FixedClock(NOW))
        .issuer(ISSUER)
        .audience(AUDIENCE)
}

fn verifier(config: TraceVerifications) -> Verifier {
    Verifier::new(key())
        .with_validation(validation())
        .with_instrument(config)
}

fn payload(extra: &str) -> String {
    format!(
        r#"{{"iss":"{ISSUER}","sub":"alice","aud":"{AUDIENCE}","exp":{}{extra}}}"#,
        NOW + 600
    )
}

fn good_token() -> String {
    hs256_token(HEADER, &payload(""), SECRET)
}

fn verify(verifier: &Verifier, token: &str) -> Result<serde_json::Value, Error> {
    verifier
        .verify::<serde_json::Value>(token)
        .map(|v| v.into_claims())
}

/// One `jwt.verify` span and one event inside it, both with the target and the declared fields.
fn assert_shape(captured: &Captured, span_level: Level) {
    let span = captured.span();
    assert_eq!(span.name, SPAN_NAME);
    assert_eq!(span.name, "jwt.verify");
    assert_eq!(span.target, TARGET);
    assert_eq!(span.level, span_level);
    assert_eq!(span.declared, DECLARED);
    let event = captured.event();
    assert_eq!(event.target, TARGET);
    assert_eq!(event.span, Some(0), "the event happens inside the span");
    let elapsed: u64 = span.fields["elapsed_us"].parse().unwrap();
    assert_eq!(event.fields["elapsed_us"], elapsed.to_string());
    // The event carries the span's fields itself, so it stands alone when the span is filtered.
    for (name, value) in &span.fields {
        assert_eq!(event.fields.get(name), Some(value), "{name}");
    }
}

#[test]
fn an_accepted_token_is_a_debug_event_with_header_and_issuer() {
    let verifier = verifier(TraceVerifications::default());
    let (result, captured) = capture(|| verify(&verifier, &good_token()));
    assert_eq!(result.unwrap()["sub"], "alice");
    assert_shape(&captured, Level::DEBUG);
    let span = captured.span();
    assert_eq!(span.fields["jwt.alg"], "HS256");
    assert_eq!(span.fields["jwt.kid"], r#""k1""#);
    assert_eq!(span.fields["jwt.typ"], r#""JWT""#);
    assert_eq!(span.fields["jwt.iss"], format!("{ISSUER:?}"));
    assert_eq!(span.fields["jwt.outcome"], "accepted");
    for absent in ["jwt.sub", "error.type", "error.message"] {
        assert!(!span.fields.contains_key(absent), "{absent}: {span:?}");
    }
    let event = captured.event();
    assert_eq!(event.level, Level::DEBUG);
    assert_eq!(event.fields["message"], "jwt accepted");
    assert_eq!(event.fields.len(), span.fields.len() + 1, "{event:?}");
}

/// How a rejection must look: `alg`/`kid` as far as the header got, the code, and `INFO`.
struct Case {
    name: &'static str,
    verifier: Verifier,
    token: String,
    kind: ErrorKind,
    alg: Option<&'static str>,
    kid: Option<&'static str>,
}

fn case(name: &'static str, token: String, kind: ErrorKind) -> Case {
    Case {
        name,
        verifier: verifier(TraceVerifications::default()),
        token,
        kind,
        alg: Some("HS256"),
        kid: Some("k1"),
    }
}

impl Case {
    fn no_header(mut self) -> Self {
        self.alg = None;
        self.kid = None;
        self
    }

    fn alg(mut self, alg: Option<&'static str>) -> Self {
        self.alg = alg;
        self
    }

    fn kid(mut self, kid: Option<&'static str>) -> Self {
        self.kid = kid;
        self
    }

    fn validation(mut self, validation: Validation) -> Self {
        self.verifier = Verifier::new(key())
            .with_validation(validation)
            .with_instrument(TraceVerifications::default());
        self
    }

    fn verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = verifier.with_instrument(TraceVerifications::default());
        self
    }
}

fn signed(header: &str, payload: &str) -> String {
    hs256_token(header, payload, SECRET)
}

fn cases() -> Vec<Case> {
    let exp = NOW + 600;
    let two_keys = Verifier::with_keys([
        VerifyingKey::from_hmac_secret(Algorithm::HS256, SECRET)
            .unwrap()
            .with_kid("a"),
        VerifyingKey::from_hmac_secret(Algorithm::HS256, &[9; 32])
            .unwrap()
            .with_kid("b"),
    ])
    .unwrap()
    .with_validation(validation());
    vec![
        case("too_large", "a".repeat(9000), ErrorKind::TooLarge).no_header(),
        case(
            "too_large_header",
            signed(
                &format!(r#"{{"alg":"HS256","x":"{}"}}"#, "y".repeat(3000)),
                &payload(""),
            ),
            ErrorKind::TooLarge,
        )
        .no_header(),
        case("malformed", "no-dots-at-all".into(), ErrorKind::Malformed).no_header(),
        case("malformed_empty", "a..c".into(), ErrorKind::Malformed).no_header(),
        case("invalid_base64", "a.b.c".into(), ErrorKind::InvalidBase64).no_header(),
        case(
            "invalid_header",
            signed(r#"{"typ":"JWT"}"#, &payload("")),
            ErrorKind::InvalidHeader,
        )
        .no_header(),
        case(
            "unknown_algorithm",
            signed(r#"{"alg":"XX999","kid":"k1"}"#, &payload("")),
            ErrorKind::UnknownAlgorithm,
        )
        .alg(None),
        case(
            "unsupported_algorithm",
            signed(r#"{"alg":"none","kid":"k1"}"#, &payload("")),
            ErrorKind::UnsupportedAlgorithm,
        )
        .alg(Some("none")),
        case(
            "algorithm_not_allowed",
            signed(r#"{"alg":"HS384","kid":"k1"}"#, &payload("")),
            ErrorKind::AlgorithmNotAllowed,
        )
        .alg(Some("HS384")),
        case(
            "unsupported_header_crit",
            signed(r#"{"alg":"HS256","kid":"k1","crit":["exp"]}"#, &payload("")),
            ErrorKind::UnsupportedHeader,
        ),
        case(
            "unsupported_header_b64",
            signed(r#"{"alg":"HS256","kid":"k1","b64":false}"#, &payload("")),
            ErrorKind::UnsupportedHeader,
        ),
        case(
            "unknown_key_id",
            signed(r#"{"alg":"HS256","kid":"k2"}"#, &payload("")),
            ErrorKind::UnknownKeyId,
        )
        .kid(Some("k2")),
        case(
            "ambiguous_key",
            signed(r#"{"alg":"HS256"}"#, &payload("")),
            ErrorKind::AmbiguousKey,
        )
        .kid(None)
        .verifier(two_keys),
        case(
            "invalid_signature",
            hs256_token(HEADER, &payload(""), &[7; 32]),
            ErrorKind::InvalidSignature,
        ),
        case(
            "invalid_payload",
            signed(HEADER, "[]"),
            ErrorKind::InvalidPayload,
        ),
        case(
            "invalid_claim",
            signed(HEADER, r#"{"exp":"soon"}"#),
            ErrorKind::InvalidClaim,
        )
        .validation(Validation::new().clock(FixedClock(NOW))),
        case(
            "expired",
            signed(
                HEADER,
                &format!(
                    r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{}}}"#,
                    NOW - 600
                ),
            ),
            ErrorKind::Expired,
        ),
        case(
            "not_yet_valid",
            signed(HEADER, &payload(&format!(r#","nbf":{exp}"#))),
            ErrorKind::NotYetValid,
        ),
        case(
            "issued_in_future",
            signed(HEADER, &payload(&format!(r#","iat":{exp}"#))),
            ErrorKind::IssuedInFuture,
        )
        .validation(validation().reject_issued_in_future()),
        case(
            "too_old",
            signed(HEADER, &payload(&format!(r#","iat":{}"#, NOW - 600))),
            ErrorKind::TooOld,
        )
        .validation(validation().max_age(60)),
        case(
            "wrong_issuer",
            signed(
                HEADER,
                &format!(r#"{{"iss":"https://other.example","aud":"{AUDIENCE}","exp":{exp}}}"#),
            ),
            ErrorKind::WrongIssuer,
        ),
        case(
            "wrong_audience",
            signed(
                HEADER,
                &format!(r#"{{"iss":"{ISSUER}","aud":"other","exp":{exp}}}"#),
            ),
            ErrorKind::WrongAudience,
        ),
        case(
            "wrong_subject",
            signed(HEADER, &payload("")),
            ErrorKind::WrongSubject,
        )
        .validation(validation().subject("bob")),
        case(
            "wrong_type",
            signed(HEADER, &payload("")),
            ErrorKind::WrongType,
        )
        .validation(validation().typ("at+jwt")),
        case(
            "missing_claim",
            signed(HEADER, &payload("")),
            ErrorKind::MissingClaim,
        )
        .validation(validation().require("role")),
        case(
            "missing_exp",
            signed(
                HEADER,
                &format!(r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}"}}"#),
            ),
            ErrorKind::MissingClaim,
        ),
    ]
}

#[test]
fn every_client_caused_rejection_is_an_info_event_with_its_code() {
    let cases = cases();
    let kinds: HashSet<ErrorKind> = cases.iter().map(|c| c.kind).collect();
    assert_eq!(kinds.len(), 22, "every token fault a verifier can reach");
    for case in cases {
        let name = case.name;
        let (result, captured) = capture(|| verify(&case.verifier, &case.token));
        let error = result.expect_err(name);
        assert_eq!(error.kind(), case.kind, "{name}");
        assert!(case.kind.is_token_fault(), "{name}");
        assert_shape(&captured, Level::DEBUG);
        let span = captured.span();
        let event = captured.event();
        assert_eq!(event.level, Level::INFO, "{name}");
        assert_eq!(event.fields["message"], "jwt rejected", "{name}");
        assert_eq!(span.fields["jwt.outcome"], "rejected", "{name}");
        assert_eq!(span.fields["error.type"], case.kind.code(), "{name}");
        assert_eq!(
            span.fields["error.message"],
            format!("{:?}", error.to_string()),
            "{name}"
        );
        assert_eq!(
            span.fields.get("jwt.alg").map(String::as_str),
            case.alg,
            "{name}"
        );
        assert_eq!(
            span.fields.get("jwt.kid"),
            case.kid.map(|kid| format!("{kid:?}")).as_ref(),
            "{name}"
        );
        // `iss` is reported once the signature is verified and the payload holds it as one
        // string: for a time failure, and for a claim refused after the signature check
        // (`wrong_issuer` above all), never for a token not known to be ours.
        let issuer = match name {
            "wrong_issuer" => Some("https://other.example"),
            "expired" | "not_yet_valid" | "issued_in_future" | "too_old" | "wrong_audience"
            | "wrong_subject" | "missing_claim" | "missing_exp" => Some(ISSUER),
            _ => None,
        };
        assert_eq!(
            span.fields.get("jwt.iss"),
            issuer.map(|iss| format!("{iss:?}")).as_ref(),
            "{name}"
        );
        assert_eq!(
            event.fields.get("jwt.iss"),
            span.fields.get("jwt.iss"),
            "{name}"
        );
        assert!(!span.fields.contains_key("jwt.sub"), "{name}");
    }
}

#[test]
fn a_claims_type_mismatch_is_an_invalid_payload() {
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Strict {
        role: String,
    }
    let verifier = verifier(TraceVerifications::default());
    let (result, captured) = capture(|| verifier.verify::<Strict>(&good_token()));
    assert_eq!(result.unwrap_err().kind(), ErrorKind::InvalidPayload);
    assert_shape(&captured, Level::DEBUG);
    assert_eq!(captured.event().fields["error.type"], "invalid_payload");
}

fn run_fault(config: TraceVerifications, error: &Error) -> Captured {
    capture(|| {
        config.observe(&mut |recorder| {
            recorder.header(Some(Algorithm::RS256), Some("k1"), Some("JWT"));
            recorder.finished(Err(error));
        });
    })
    .1
}

#[test]
fn verifier_side_faults_are_warnings_or_errors() {
    // No verifier can be built with broken keys, so drive the recorder as a verifier would.
    let faults = [
        Error::InvalidKey("the key could not be parsed".into()),
        Error::WeakKey("too short".into()),
        Error::KeyMismatch {
            alg: Algorithm::RS256,
            found: "an EC key",
        },
        Error::UnsupportedKey("exotic".into()),
        Error::Encoding("x"),
        Error::Signing,
    ];
    for error in &faults {
        assert!(!error.kind().is_token_fault());
        for (config, level) in [
            (TraceVerifications::default(), Level::WARN),
            (
                TraceVerifications::default().faults_at(FaultLevel::Error),
                Level::ERROR,
            ),
        ] {
            let captured = run_fault(config, error);
            assert_shape(&captured, Level::DEBUG);
            let event = captured.event();
            assert_eq!(event.level, level, "{error:?}");
            assert_eq!(event.fields["jwt.outcome"], "rejected");
            assert_eq!(event.fields["error.type"], error.kind().code());
            assert_eq!(event.fields["jwt.alg"], "RS256");
            assert!(
                event.fields["message"].contains("keys or configuration"),
                "{event:?}"
            );
        }
    }
}

#[test]
fn levels_are_configurable_within_their_bounds() {
    let quiet = TraceVerifications::new()
        .span_at(SpanLevel::Trace)
        .successes_at(SuccessLevel::Trace)
        .rejections_at(RejectionLevel::Debug);
    let quiet = verifier(quiet);
    let (_, captured) = capture(|| verify(&quiet, &good_token()).unwrap());
    assert_shape(&captured, Level::TRACE);
    assert_eq!(captured.event().level, Level::TRACE);
    let (_, captured) = capture(|| verify(&quiet, "a.b.c").unwrap_err());
    assert_shape(&captured, Level::TRACE);
    assert_eq!(captured.event().level, Level::DEBUG);

    let loud = verifier(TraceVerifications::new().span_at(SpanLevel::Info));
    let (_, captured) = capture(|| verify(&loud, &good_token()).unwrap());
    assert_shape(&captured, Level::INFO);
    assert_eq!(captured.event().level, Level::DEBUG);
}

#[test]
fn the_subject_is_recorded_only_when_asked_for() {
    let (_, captured) = capture(|| verify(&verifier(TraceVerifications::default()), &good_token()));
    assert!(!captured.all_text().contains("alice"));

    let verifier = verifier(TraceVerifications::default().record_subject());
    let (_, captured) = capture(|| verify(&verifier, &good_token()).unwrap());
    assert_shape(&captured, Level::DEBUG);
    assert_eq!(captured.span().fields["jwt.sub"], r#""alice""#);
    assert_eq!(captured.event().fields["jwt.sub"], r#""alice""#);
    // A rejected token's subject is never reported, opted in or not.
    let token = hs256_token(HEADER, &payload(""), &[7; 32]);
    let (_, captured) = capture(|| verify(&verifier, &token).unwrap_err());
    assert!(!captured.all_text().contains("alice"));
}

#[test]
fn with_the_span_filtered_out_the_event_still_says_everything() {
    // A service logging at INFO: no span, no success event, and a complete rejection event.
    let verifier = verifier(TraceVerifications::default());
    let (_, captured) = capture_at(LevelFilter::INFO, || {
        verify(&verifier, &good_token()).unwrap();
    });
    assert!(
        captured.spans.is_empty() && captured.events.is_empty(),
        "{captured:?}"
    );

    let token = signed(r#"{"alg":"HS256","typ":"JWT","kid":"k2"}"#, &payload(""));
    let (_, captured) = capture_at(LevelFilter::INFO, || verify(&verifier, &token).unwrap_err());
    assert!(captured.spans.is_empty());
    let event = captured.event();
    assert_eq!(event.level, Level::INFO);
    assert_eq!(event.span, None);
    assert_eq!(event.fields["jwt.outcome"], "rejected");
    assert_eq!(event.fields["error.type"], "unknown_key_id");
    assert_eq!(event.fields["jwt.alg"], "HS256");
    assert_eq!(event.fields["jwt.kid"], r#""k2""#);
    assert_eq!(event.fields["jwt.typ"], r#""JWT""#);
    assert!(event.fields["elapsed_us"].parse::<u64>().is_ok());

    // Only warnings: client-caused rejections are not among them.
    let (_, captured) = capture_at(LevelFilter::WARN, || verify(&verifier, &token).unwrap_err());
    assert!(captured.spans.is_empty() && captured.events.is_empty());
    let captured = {
        let error = Error::InvalidKey("bad".into());
        capture_at(LevelFilter::WARN, || {
            TraceVerifications::default().observe(&mut |r| r.finished(Err(&error)));
        })
        .1
    };
    assert_eq!(captured.event().level, Level::WARN);
}

#[test]
fn nothing_is_recorded_when_nothing_listens() {
    let verifier = verifier(TraceVerifications::default());
    // No subscriber at all on this thread.
    assert!(verify(&verifier, &good_token()).is_ok());
    assert_eq!(
        verify(&verifier, "a.b.c").unwrap_err().kind(),
        ErrorKind::InvalidBase64
    );
    // A subscriber that wants nothing.
    let (_, captured) = capture_at(LevelFilter::OFF, || {
        verify(&verifier, &good_token()).unwrap();
        verify(&verifier, "a.b.c").unwrap_err();
    });
    assert!(captured.spans.is_empty() && captured.events.is_empty());
}

#[test]
fn every_verify_method_is_traced_once_per_call() {
    let verifier = verifier(TraceVerifications::default());
    let token = good_token();
    let (_, captured) = capture(|| {
        verifier.verify::<serde_json::Value>(&token).unwrap();
        verifier
            .verify_detailed::<serde_json::Value>(&token)
            .unwrap();
        let mut buffer = Vec::new();
        verifier
            .verify_borrowed::<serde_json::Value>(&token, &mut buffer)
            .unwrap();
        verifier
            .verify_borrowed::<serde_json::Value>("a.b.c", &mut buffer)
            .unwrap_err();
    });
    assert_eq!(captured.spans.len(), 4);
    assert_eq!(captured.events.len(), 4);
    for (i, event) in captured.events.iter().enumerate() {
        assert_eq!(event.span, Some(i), "each event in its own span");
    }
    assert_eq!(captured.events[3].fields["error.type"], "invalid_base64");

    // Shared through an `Arc` (the blanket `Instrument` impl) it behaves the same.
    let shared = Arc::new(TraceVerifications::default());
    let verifier = Verifier::new(key())
        .with_validation(validation())
        .with_instrument(shared);
    let (_, captured) = capture(|| verify(&verifier, &token).unwrap());
    assert_shape(&captured, Level::DEBUG);
}

#[test]
fn an_expired_token_names_its_verified_issuer_for_refresh_flows_too() {
    let verifier = verifier(TraceVerifications::default());
    let token = signed(
        HEADER,
        &format!(
            r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{}}}"#,
            NOW - 1
        ),
    );
    let (rejection, captured) = capture(|| {
        verifier
            .verify_detailed::<serde_json::Value>(&token)
            .unwrap_err()
    });
    assert!(rejection.verified_despite_time().is_some());
    assert_shape(&captured, Level::DEBUG);
    let event = captured.event();
    assert_eq!(event.level, Level::INFO);
    assert_eq!(event.fields["error.type"], "expired");
    assert_eq!(event.fields["jwt.iss"], format!("{ISSUER:?}"));
}

#[test]
fn long_header_values_are_clipped() {
    let kid = "k".repeat(200);
    let token = signed(
        &format!(
            r#"{{"alg":"HS256","typ":"{}","kid":"{kid}"}}"#,
            "t".repeat(300)
        ),
        &payload(""),
    );
    let verifier = verifier(TraceVerifications::default());
    let (_, captured) = capture(|| verify(&verifier, &token).unwrap_err());
    assert_shape(&captured, Level::DEBUG);
    let expected = format!("\"{}\"...", "k".repeat(MAX_VALUE_LEN));
    assert_eq!(captured.span().fields["jwt.kid"], expected);
    assert_eq!(captured.event().fields["jwt.kid"], expected);
    assert_eq!(
        captured.event().fields["jwt.typ"],
        format!("\"{}\"...", "t".repeat(MAX_VALUE_LEN))
    );
}

#[test]
fn limits_apply_before_anything_is_recorded() {
    let verifier = Verifier::new(key())
        .with_validation(validation())
        .with_limits(Limits::default().max_token_len(64))
        .with_instrument(TraceVerifications::default());
    let (_, captured) = capture(|| verify(&verifier, &good_token()).unwrap_err());
    assert_eq!(captured.event().fields["error.type"], "too_large");
    assert!(!captured.event().fields.contains_key("jwt.alg"));
}

#[test]
fn signing_keys_work_as_verifier_keys_too() {
    // `Verifier::new` also takes a `&SigningKey`; the instrument does not care.
    let signing = SigningKey::from_hmac_secret(Algorithm::HS256, SECRET).unwrap();
    let verifier = Verifier::new(&signing)
        .with_validation(Validation::new().clock(FixedClock(NOW)))
        .with_instrument(TraceVerifications::default());
    let token = jwt_core::encode(&signing, &serde_json::json!({"exp": NOW + 60})).unwrap();
    let (_, captured) = capture(|| verify(&verifier, &token).unwrap());
    assert_eq!(captured.event().fields["jwt.outcome"], "accepted");
    assert!(!captured.event().fields.contains_key("jwt.kid"));
}

#[test]
fn per_layer_filters_see_every_wanted_event_whatever_other_subscribers_cached() {
    // Another subscriber that wants everything, alive (not installed) while this test runs:
    // `DEBUG` callsites become "sometimes" and `INFO` ones "always". This is the setup of
    // tokio-rs/tracing#2519, where a stale per-layer filter decision made `event!` drop an
    // "always" event; asking `tracing::enabled!` at the start of each verification (as this crate
    // once did) triggered it.
    let everything = tracing::Dispatch::new(tracing_subscriber::layer::SubscriberExt::with(
        tracing_subscriber::registry(),
        tracing_subscriber::Layer::with_filter(Capture::default(), LevelFilter::TRACE),
    ));
    let verifier = verifier(TraceVerifications::default());
    let rejected = signed(r#"{"alg":"HS256","kid":"k2"}"#, &payload(""));
    for _ in 0..3 {
        let (_, captured) = capture_at(LevelFilter::INFO, || {
            verify(&verifier, &rejected).unwrap_err();
            tracing::info!(target: "app", "after a rejection");
            verify(&verifier, &good_token()).unwrap();
            tracing::info!(target: "app", "after an acceptance");
        });
        assert!(captured.spans.is_empty());
        let seen: Vec<(&str, &str)> = captured
            .events
            .iter()
            .map(|e| (e.target.as_str(), e.fields["message"].as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (TARGET, "jwt rejected"),
                ("app", "after a rejection"),
                ("app", "after an acceptance"),
            ]
        );
        assert_eq!(captured.events[0].fields["error.type"], "unknown_key_id");
    }
    drop(everything);
}

#[test]
fn an_info_layer_and_a_debug_layer_each_get_what_they_asked_for() {
    // Like an INFO fmt layer next to a DEBUG OpenTelemetry layer, each with its own filter.
    let info = Capture::default();
    let debug = Capture::default();
    let subscriber = tracing_subscriber::layer::SubscriberExt::with(
        tracing_subscriber::layer::SubscriberExt::with(
            tracing_subscriber::registry(),
            tracing_subscriber::Layer::with_filter(info.clone(), LevelFilter::INFO),
        ),
        tracing_subscriber::Layer::with_filter(debug.clone(), LevelFilter::DEBUG),
    );
    let verifier = verifier(TraceVerifications::default());
    let rejected = signed(r#"{"alg":"HS256","kid":"k2"}"#, &payload(""));
    tracing::subscriber::with_default(subscriber, || {
        tracing::callsite::rebuild_interest_cache();
        for _ in 0..3 {
            verify(&verifier, &good_token()).unwrap();
            verify(&verifier, &rejected).unwrap_err();
        }
    });
    let info = info.take();
    let debug = debug.take();
    assert!(info.spans.is_empty());
    let outcomes = |c: &Captured| -> Vec<String> {
        c.events
            .iter()
            .map(|e| e.fields["jwt.outcome"].clone())
            .collect()
    };
    assert_eq!(outcomes(&info), ["rejected"; 3]);
    assert!(info.events.iter().all(|e| e.span.is_none()));
    assert_eq!(debug.spans.len(), 6);
    assert_eq!(
        outcomes(&debug),
        [
            "accepted", "rejected", "accepted", "rejected", "accepted", "rejected"
        ]
    );
    for (i, event) in debug.events.iter().enumerate() {
        assert_eq!(event.span, Some(i));
    }
}
