//! Hooks for observing verifications (tracing, metrics) without jwt-core depending on either.
//!
//! A [`Verifier`](crate::Verifier) with an [`Instrument`] hands it each verification to run:
//! the instrument sets up its context (a span, a timer), calls `run` with a [`Recorder`], and
//! the verifier reports to that recorder what it learns as it goes: the header's `alg`, `kid`
//! and `typ` as soon as the header parses, `iss`/`sub` once the claims are verified, and the
//! outcome. Adapters need not know whether a verifier is instrumented: they call the same
//! `verify` methods. A verifier without an instrument pays nothing: the pipeline is compiled
//! once for a recorder that does nothing.
//!
//! Values handed to a recorder before the outcome is known come from an unverified token; a
//! recorder that logs them must escape them (`kid` is attacker-chosen text).

use crate::algorithm::Algorithm;
use crate::error::Error;

/// Receives what a verification learns, as it learns it. Every method has an empty default.
pub trait Recorder {
    /// The header parsed as a strict JSON object (its policy may still reject it). `alg` is
    /// `None` when the name is unknown or unsupported.
    fn header(&mut self, alg: Option<Algorithm>, kid: Option<&str>, typ: Option<&str>) {
        let _ = (alg, kid, typ);
    }

    /// The token's `iss`, once its signature is verified: for an accepted token, for one
    /// refused only for a time claim, and (unless
    /// [`wants_claims_of_refused_tokens`](Recorder::wants_claims_of_refused_tokens) says no) for
    /// one refused for another claim, such as the `iss` behind `wrong_issuer`. Whether the token
    /// was accepted is for [`finished`](Recorder::finished) to say. Never called for a token
    /// whose signature was not verified, nor when `iss` is absent or not one JSON string.
    fn issuer(&mut self, iss: &str) {
        let _ = iss;
    }

    /// The token's `sub`, on the same terms as [`issuer`](Recorder::issuer).
    fn subject(&mut self, sub: &str) {
        let _ = sub;
    }

    /// Whether to hear [`issuer`](Recorder::issuer) and [`subject`](Recorder::subject) for a
    /// signed token refused for a claim other than a time claim. Finding them then costs a
    /// second scan of the payload (on that refusal path only); a recorder that keeps neither
    /// can save it by answering `false`. Asked at most once per verification.
    fn wants_claims_of_refused_tokens(&self) -> bool {
        true
    }

    /// The verification finished: accepted, or rejected with this error.
    fn finished(&mut self, outcome: Result<(), &Error>) {
        let _ = outcome;
    }
}

/// Sets up the context each verification of an instrumented [`Verifier`](crate::Verifier)
/// runs in.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use jwt_core::{Algorithm, Error, Instrument, Recorder, SigningKey, Verifier};
///
/// #[derive(Default)]
/// struct CountRejections(AtomicUsize);
///
/// struct Outcome<'a>(&'a AtomicUsize);
/// impl Recorder for Outcome<'_> {
///     fn finished(&mut self, outcome: Result<(), &Error>) {
///         if outcome.is_err() {
///             self.0.fetch_add(1, Ordering::Relaxed);
///         }
///     }
/// }
///
/// impl Instrument for CountRejections {
///     fn observe(&self, run: &mut dyn FnMut(&mut dyn Recorder)) {
///         run(&mut Outcome(&self.0));
///     }
/// }
///
/// let key = SigningKey::generate(Algorithm::HS256)?;
/// let counter = std::sync::Arc::new(CountRejections::default());
/// let verifier = Verifier::new(&key).with_instrument(counter.clone());
/// assert!(verifier.verify::<serde_json::Value>("not.a.token").is_err());
/// assert_eq!(counter.0.load(Ordering::Relaxed), 1);
/// # Ok::<(), jwt_core::Error>(())
/// ```
pub trait Instrument: Send + Sync + 'static {
    /// Runs one verification: call `run` exactly once with the recorder for it. (If an
    /// implementation does not call it, the verifier runs the verification uninstrumented:
    /// a token is never accepted or rejected without being verified. Calls after the first do
    /// nothing: the verification runs once, whatever the instrument does, and every entry point
    /// of [`Verifier`](crate::Verifier) behaves alike.)
    fn observe(&self, run: &mut dyn FnMut(&mut dyn Recorder));
}

impl<I: Instrument + ?Sized> Instrument for std::sync::Arc<I> {
    fn observe(&self, run: &mut dyn FnMut(&mut dyn Recorder)) {
        (**self).observe(run);
    }
}

/// The recorder of an uninstrumented verifier.
pub(crate) struct Silent;

impl Recorder for Silent {
    fn wants_claims_of_refused_tokens(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::{SigningKey, Validation, Verifier};

    /// Records everything into a log of lines.
    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    struct Lines<'a>(&'a Mutex<Vec<String>>);

    impl Recorder for Lines<'_> {
        fn header(&mut self, alg: Option<Algorithm>, kid: Option<&str>, typ: Option<&str>) {
            self.push(format!("header {alg:?} {kid:?} {typ:?}"));
        }
        fn issuer(&mut self, iss: &str) {
            self.push(format!("iss {iss}"));
        }
        fn subject(&mut self, sub: &str) {
            self.push(format!("sub {sub}"));
        }
        fn finished(&mut self, outcome: Result<(), &Error>) {
            self.push(format!("finished {:?}", outcome.map_err(Error::kind)));
        }
    }

    impl Lines<'_> {
        fn push(&mut self, line: String) {
            self.0.lock().unwrap().push(line);
        }
    }

    impl Instrument for Log {
        fn observe(&self, run: &mut dyn FnMut(&mut dyn Recorder)) {
            self.0.lock().unwrap().push("begin".into());
            run(&mut Lines(&self.0));
            self.0.lock().unwrap().push("end".into());
        }
    }

    /// An instrument that forgets to run the verification.
    struct Lazy;

    impl Instrument for Lazy {
        fn observe(&self, _run: &mut dyn FnMut(&mut dyn Recorder)) {}
    }

    fn take(log: &Log) -> Vec<String> {
        std::mem::take(&mut *log.0.lock().unwrap())
    }

    #[test]
    fn recorder_hears_header_claims_and_outcome() {
        let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[1; 32])
            .unwrap()
            .with_kid("k1");
        let token = crate::encode(
            &key,
            &serde_json::json!({"iss": "i", "sub": "s", "exp": 4_102_444_800u64}),
        )
        .unwrap();
        let log = std::sync::Arc::new(Log::default());
        let verifier = Verifier::new(&key)
            .with_validation(Validation::new().issuer("i"))
            .with_instrument(log.clone());
        verifier.verify::<serde_json::Value>(&token).unwrap();
        assert_eq!(
            take(&log),
            [
                "begin",
                "header Some(HS256) Some(\"k1\") Some(\"JWT\")",
                "iss i",
                "sub s",
                "finished Ok(())",
                "end"
            ]
        );
        let mut buffer = Vec::new();
        verifier
            .verify_borrowed::<serde_json::Value>(&token, &mut buffer)
            .unwrap();
        assert_eq!(take(&log).len(), 6);
        assert!(verifier.verify::<serde_json::Value>("a.b.c").is_err());
        assert_eq!(take(&log), ["begin", "finished Err(InvalidBase64)", "end"]);
        let forged = crate::encode(
            &SigningKey::from_hmac_secret(Algorithm::HS256, &[2; 32]).unwrap(),
            &serde_json::json!({}),
        )
        .unwrap();
        assert!(verifier.verify::<serde_json::Value>(&forged).is_err());
        assert_eq!(
            take(&log),
            [
                "begin",
                "header Some(HS256) None Some(\"JWT\")",
                "finished Err(InvalidSignature)",
                "end"
            ]
        );
    }

    /// A signed token whose claims are refused still says whose it was; a forged one, or a
    /// claim that is not a single string, says nothing.
    #[test]
    fn refused_claims_of_a_signed_token_still_name_its_issuer_and_subject() {
        let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[1; 32]).unwrap();
        let log = std::sync::Arc::new(Log::default());
        let verifier = Verifier::new(&key)
            .with_validation(Validation::new().issuer("https://ours").audience("api"))
            .with_instrument(log.clone());
        let header = "header Some(HS256) None Some(\"JWT\")";
        let cases = [
            (
                serde_json::json!({"iss": "https://theirs", "sub": "s\u{1b}", "aud": "api", "exp": 4_102_444_800u64}),
                vec![
                    "iss https://theirs",
                    "sub s\u{1b}",
                    "finished Err(WrongIssuer)",
                ],
            ),
            (
                serde_json::json!({"iss": "https://ours", "aud": "billing", "exp": 4_102_444_800u64}),
                vec!["iss https://ours", "finished Err(WrongAudience)"],
            ),
            (
                serde_json::json!({"iss": 7, "sub": ["x"], "aud": "api", "exp": 4_102_444_800u64}),
                vec!["finished Err(InvalidClaim)"],
            ),
            (
                serde_json::json!({"iss": "https://ours", "aud": "api"}),
                vec!["iss https://ours", "finished Err(MissingClaim)"],
            ),
        ];
        for (claims, heard) in cases {
            let token = crate::encode(&key, &claims).unwrap();
            assert!(verifier.verify::<serde_json::Value>(&token).is_err());
            let mut expected = vec!["begin", header];
            expected.extend(heard);
            expected.push("end");
            assert_eq!(take(&log), expected, "{claims}");
        }
        // A duplicated `iss` is refused, and neither value is named.
        let token = crate::encode(&key, &serde_json::json!({})).unwrap();
        let head = token.split('.').next().unwrap();
        let payload = br#"{"iss":"https://a","iss":"https://ours","aud":"api","exp":4102444800}"#;
        let input = format!("{head}.{}", crate::base64url::encode_string(payload));
        let signature = key.sign_detached(input.as_bytes()).unwrap();
        let duplicated = format!(
            "{input}.{}",
            crate::base64url::encode_string(signature.as_ref())
        );
        assert!(verifier.verify::<serde_json::Value>(&duplicated).is_err());
        assert_eq!(
            take(&log),
            ["begin", header, "finished Err(InvalidPayload)", "end"]
        );
    }

    /// A recorder that declines the claims of refused tokens still hears them for accepted
    /// ones and for time failures.
    #[test]
    fn a_recorder_can_decline_the_claims_of_refused_tokens() {
        struct Declines(Log);
        struct Quiet<'a>(Lines<'a>);
        impl Recorder for Quiet<'_> {
            fn issuer(&mut self, iss: &str) {
                self.0.issuer(iss);
            }
            fn finished(&mut self, outcome: Result<(), &Error>) {
                self.0.finished(outcome);
            }
            fn wants_claims_of_refused_tokens(&self) -> bool {
                false
            }
        }
        impl Instrument for Declines {
            fn observe(&self, run: &mut dyn FnMut(&mut dyn Recorder)) {
                run(&mut Quiet(Lines(&(self.0).0)));
            }
        }
        let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[1; 32]).unwrap();
        let declines = std::sync::Arc::new(Declines(Log::default()));
        let verifier = Verifier::new(&key)
            .with_validation(Validation::new().issuer("ours"))
            .with_instrument(declines.clone());
        for (claims, heard) in [
            (
                serde_json::json!({"iss": "theirs", "exp": 4_102_444_800u64}),
                vec!["finished Err(WrongIssuer)"],
            ),
            (
                serde_json::json!({"iss": "ours", "exp": 1_000u64}),
                vec!["iss ours", "finished Err(Expired)"],
            ),
            (
                serde_json::json!({"iss": "ours", "exp": 4_102_444_800u64}),
                vec!["iss ours", "finished Ok(())"],
            ),
        ] {
            let token = crate::encode(&key, &claims).unwrap();
            let _ = verifier.verify::<serde_json::Value>(&token);
            assert_eq!(take(&declines.0), heard, "{claims}");
        }
    }

    #[test]
    fn an_instrument_that_does_not_run_cannot_skip_verification() {
        let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[1; 32]).unwrap();
        let verifier = Verifier::new(&key).with_instrument(Lazy);
        let token = crate::encode(&key, &serde_json::json!({"exp": 4_102_444_800u64})).unwrap();
        assert!(verifier.verify::<serde_json::Value>(&token).is_ok());
        assert!(verifier.verify::<serde_json::Value>("x.y.z").is_err());
        let mut buffer = Vec::new();
        assert!(
            verifier
                .verify_borrowed::<serde_json::Value>(&token, &mut buffer)
                .is_ok()
        );
    }

    /// An instrument that calls `run` twice: every entry point verifies once, in the first
    /// call, and the second call hears nothing.
    #[test]
    fn an_instrument_that_runs_twice_gets_one_verification_from_every_entry_point() {
        struct Twice(Log);
        impl Instrument for Twice {
            fn observe(&self, run: &mut dyn FnMut(&mut dyn Recorder)) {
                self.0.observe(run);
                self.0.observe(run);
            }
        }
        let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[1; 32]).unwrap();
        let twice = std::sync::Arc::new(Twice(Log::default()));
        let verifier = Verifier::new(&key).with_instrument(twice.clone());
        let valid = crate::encode(&key, &serde_json::json!({"exp": 4_102_444_800u64})).unwrap();
        let expired = crate::encode(&key, &serde_json::json!({"exp": 1_000u64})).unwrap();
        let once = |outcome: &str| {
            let header = "header Some(HS256) None Some(\"JWT\")".to_owned();
            vec![
                "begin".to_owned(),
                header,
                format!("finished {outcome}"),
                "end".to_owned(),
                "begin".to_owned(),
                "end".to_owned(),
            ]
        };
        let mut buffer = Vec::new();
        for token in [&valid, &expired] {
            let outcome = if token == &valid {
                "Ok(())"
            } else {
                "Err(Expired)"
            };
            let results = [
                verifier.verify::<serde_json::Value>(token).is_ok(),
                verifier.verify_detailed::<serde_json::Value>(token).is_ok(),
                verifier
                    .verify_borrowed::<serde_json::Value>(token, &mut buffer)
                    .is_ok(),
                verifier.verify_raw(token).is_ok(),
            ];
            assert_eq!(results, [token == &valid; 4]);
            let log = take(&twice.0);
            let expected: Vec<String> = (0..4).flat_map(|_| once(outcome)).collect();
            assert_eq!(log, expected, "{outcome}");
        }
    }
}
