//! [`tracing`] spans and events for `jwt-core` verifications: operators learn *why* a token was
//! rejected (`expired`, `wrong_audience`, `unknown_key_id`, ...) and from whom (`alg`, `kid`,
//! `iss`) without the token, the key or the claims ever reaching the logs.
//!
//! ```
//! use jwt_core::{Algorithm, SigningKey, Verifier};
//! use jwt_tracing::TraceVerifications;
//!
//! let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[7; 32])?;
//! let verifier = Verifier::new(&key).with_instrument(TraceVerifications::default());
//! # assert!(verifier.verify::<serde_json::Value>("not.a.token").is_err());
//! # Ok::<(), jwt_core::Error>(())
//! ```
//!
//! # Why
//!
//! A 401 tells the client nothing useful on purpose, and the token itself must never be logged:
//! it is a bearer credential, and its claims are personal data. So when verification starts
//! failing (a key rotated too early, a clock drifting, an issuer changing its audience, someone
//! probing with `alg: none`), the operator needs a record that says what failed and for which
//! issuer and key, and nothing more. This crate writes that record through `tracing`, whatever
//! subscriber the service uses (fmt, JSON, OpenTelemetry).
//!
//! # What is recorded
//!
//! Each verification runs in one span named **`jwt.verify`** (target `jwt_tracing`), whose
//! fields are declared empty and filled in as the verifier learns them, and ends with **one
//! event** inside that span that carries the same fields, so the event is complete on its own
//! when the span is filtered out:
//!
//! | field | when | value |
//! |---|---|---|
//! | `jwt.alg` | header parsed (or an unsupported registered name was refused) | `"HS256"`, `"none"`, ... |
//! | `jwt.kid` | header parsed and has a `kid` | escaped, clipped text |
//! | `jwt.typ` | header parsed and has a `typ` | escaped, clipped text |
//! | `jwt.iss` | signature verified and `iss` one JSON string: accepted tokens, and tokens refused for a claim (`wrong_issuer`, `expired`, ...) | escaped, clipped text |
//! | `jwt.sub` | as `iss`, and only after [`record_subject`](TraceVerifications::record_subject) | escaped, clipped text |
//! | `jwt.outcome` | always | `"accepted"` or `"rejected"` |
//! | `error.type` | rejected | the stable [`ErrorKind::code`](jwt_core::ErrorKind::code): `"expired"`, ... |
//! | `error.message` | rejected | the error's `Display` (it may name a claim, never holds token bytes, secrets or claim values), escaped, clipped |
//! | `elapsed_us` | always | whole microseconds spent verifying |
//!
//! Field names follow OpenTelemetry's conventions where one exists (`error.type`).
//!
//! Never recorded: the token or any segment of it, key material, and claim values other than
//! `iss` (and `sub` when opted in). `kid`, `typ`, `iss` and `sub` come from the token (`kid`
//! and `typ` before the signature is checked, so from anyone): they are recorded with `Debug`
//! formatting, quoted and escaped, so a `kid` holding newlines or ANSI escapes cannot forge log
//! lines or extra fields, and clipped to [`MAX_VALUE_LEN`] bytes (marked `...` after the quote).
//!
//! # Levels
//!
//! | what | default | alternative | why |
//! |---|---|---|---|
//! | accepted | `DEBUG` | `TRACE` | the normal case: volume, not news |
//! | rejected by the token's fault ([`is_token_fault`](jwt_core::ErrorKind::is_token_fault)) | `INFO` | `DEBUG` | a client's problem; anyone on the internet can cause it, so it is never `WARN`/`ERROR` (no alerts an attacker can trigger at will) |
//! | failed on the verifier's side (keys, configuration) | `WARN` | `ERROR` | the service is misconfigured: someone should look |
//! | the `jwt.verify` span | `DEBUG` | `INFO`, `TRACE` | see below |
//!
//! The span is at `DEBUG` so that a service logging at `INFO` creates no span per verification:
//! a span costs the subscriber a registry slot, bookkeeping and (for `fmt`) formatting its
//! fields into a string, a large share of a microsecond-scale HMAC verification. The outcome event therefore repeats the span's fields, and
//! a rejection logged at `INFO` is self-contained. Choose [`SpanLevel::Info`] to export a span
//! for every verification (OpenTelemetry traces at `INFO`). When both the span and the event
//! are enabled, a formatting subscriber shows the fields twice: once as span context, once on
//! the event.
//!
//! # Cost
//!
//! With no subscriber, or one whose level filter excludes the span and all three events, a
//! verification pays `tracing`'s global level checks (a comparison with a constant and a relaxed
//! atomic load each) and nothing else: no clock read, no copy, no formatting, no allocation.
//! Otherwise the recorder reads the clock and copies `kid`, `typ`, `iss` (and `sub`), clipped,
//! into fixed buffers on the stack, since the outcome, and so whether an event will be wanted,
//! is known only at the end; a rejection's error message is formatted into one more. The
//! subscriber itself is asked once, right before the event. The crate's `benches/traced.rs`
//! measures all of this against an uninstrumented verifier.
//!
//! # Per-layer filters
//!
//! `tracing-subscriber`'s per-layer filters carry each `enabled` decision to the following
//! span or event through thread-local state, which an event whose callsite is cached as
//! "always" reads without asking again (tokio-rs/tracing#2519). So this crate never asks the
//! subscriber ahead of time about events it may then not emit, and asks about the outcome event
//! immediately before emitting it: a service with, say, an `INFO` fmt layer next to a `DEBUG`
//! OpenTelemetry layer sees every rejection in both (a test checks exactly that).

#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

mod recording;
mod text;

/// The README's example, compiled and run as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use text::MAX_VALUE_LEN;

use jwt_core::{Instrument, Recorder};
use tracing::Level;

/// The target of the span and of every event: filter with `RUST_LOG=jwt_tracing=debug`.
pub const TARGET: &str = "jwt_tracing";

/// The name of the span each verification runs in.
pub const SPAN_NAME: &str = "jwt.verify";

/// An [`Instrument`] that runs every verification of a [`Verifier`](jwt_core::Verifier) in a
/// `jwt.verify` span and ends it with one event saying whether the token was accepted, and if
/// not, why.
///
/// See the [crate documentation](crate) for the fields, levels and costs.
///
/// ```
/// use jwt_core::{Algorithm, ErrorKind, SigningKey, Verifier};
/// use jwt_tracing::{RejectionLevel, TraceVerifications};
///
/// let key = SigningKey::from_hmac_secret(Algorithm::HS256, b"a 32-byte secret, random in real life")?;
/// let verifier = Verifier::new(&key).with_instrument(TraceVerifications::default());
///
/// // Rejections are logged at INFO with `error.type = "invalid_base64"`; the token is not logged.
/// let error = verifier.verify::<serde_json::Value>("a.b.c").unwrap_err();
/// assert_eq!(error.kind(), ErrorKind::InvalidBase64);
///
/// // Quieter rejections, and the subject recorded too:
/// let quieter = TraceVerifications::default()
///     .rejections_at(RejectionLevel::Debug)
///     .record_subject();
/// let verifier = Verifier::new(&key).with_instrument(quieter);
/// # let _ = verifier;
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TraceVerifications {
    span: SpanLevel,
    success: SuccessLevel,
    rejection: RejectionLevel,
    fault: FaultLevel,
    record_subject: bool,
}

impl TraceVerifications {
    /// The defaults: span at `DEBUG`, accepted at `DEBUG`, rejected at `INFO`, verifier faults
    /// at `WARN`, `sub` not recorded.
    pub const fn new() -> Self {
        TraceVerifications {
            span: SpanLevel::Debug,
            success: SuccessLevel::Debug,
            rejection: RejectionLevel::Info,
            fault: FaultLevel::Warn,
            record_subject: false,
        }
    }

    /// The level of the `jwt.verify` span.
    #[must_use]
    pub const fn span_at(mut self, level: SpanLevel) -> Self {
        self.span = level;
        self
    }

    /// The level of the event for an accepted token.
    #[must_use]
    pub const fn successes_at(mut self, level: SuccessLevel) -> Self {
        self.success = level;
        self
    }

    /// The level of the event for a token rejected through its own fault (every
    /// [`ErrorKind`](jwt_core::ErrorKind) whose `is_token_fault()` is true).
    #[must_use]
    pub const fn rejections_at(mut self, level: RejectionLevel) -> Self {
        self.rejection = level;
        self
    }

    /// The level of the event for a verification that failed because of the verifier's keys or
    /// configuration (`is_token_fault()` false: `invalid_key`, `weak_key`, ...).
    #[must_use]
    pub const fn faults_at(mut self, level: FaultLevel) -> Self {
        self.fault = level;
        self
    }

    /// Also records the verified `sub` claim as `jwt.sub`.
    ///
    /// Off by default: a subject usually identifies a person, and logs are often kept longer
    /// and shared wider than the data they describe. Turn it on where tying a rejection to an
    /// account is worth that.
    #[must_use]
    pub const fn record_subject(mut self) -> Self {
        self.record_subject = true;
        self
    }
}

impl Instrument for TraceVerifications {
    fn observe(&self, run: &mut dyn FnMut(&mut dyn Recorder)) {
        recording::observe(self, run);
    }
}

/// The level of the `jwt.verify` span; see [`TraceVerifications::span_at`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SpanLevel {
    /// Every verification creates a span wherever `INFO` is enabled (traces for every request).
    Info,
    /// The default: a span only where `DEBUG` is enabled, so `INFO` services pay nothing for it.
    #[default]
    Debug,
    /// A span only where `TRACE` is enabled.
    Trace,
}

/// The level of the event for an accepted token; see [`TraceVerifications::successes_at`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SuccessLevel {
    /// The default.
    #[default]
    Debug,
    /// For services that log at `DEBUG` but do not want a line per request.
    Trace,
}

/// The level of the event for a token rejected through its own fault; see
/// [`TraceVerifications::rejections_at`]. Never `WARN` or `ERROR`: clients (and attackers)
/// cause these at will.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RejectionLevel {
    /// The default.
    #[default]
    Info,
    /// For services where rejections are routine noise (public endpoints, expired sessions).
    Debug,
}

/// The level of the event for a failure on the verifier's side (keys, configuration); see
/// [`TraceVerifications::faults_at`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FaultLevel {
    /// The default.
    #[default]
    Warn,
    /// For services that alert on `ERROR`.
    Error,
}

impl SpanLevel {
    /// This level as a [`tracing::Level`].
    pub const fn level(self) -> Level {
        match self {
            SpanLevel::Info => Level::INFO,
            SpanLevel::Debug => Level::DEBUG,
            SpanLevel::Trace => Level::TRACE,
        }
    }
}

impl SuccessLevel {
    /// This level as a [`tracing::Level`].
    pub const fn level(self) -> Level {
        match self {
            SuccessLevel::Debug => Level::DEBUG,
            SuccessLevel::Trace => Level::TRACE,
        }
    }
}

impl RejectionLevel {
    /// This level as a [`tracing::Level`].
    pub const fn level(self) -> Level {
        match self {
            RejectionLevel::Info => Level::INFO,
            RejectionLevel::Debug => Level::DEBUG,
        }
    }
}

impl FaultLevel {
    /// This level as a [`tracing::Level`].
    pub const fn level(self) -> Level {
        match self {
            FaultLevel::Warn => Level::WARN,
            FaultLevel::Error => Level::ERROR,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let config = TraceVerifications::default();
        assert_eq!(config, TraceVerifications::new());
        assert_eq!(config.span.level(), Level::DEBUG);
        assert_eq!(config.success.level(), Level::DEBUG);
        assert_eq!(config.rejection.level(), Level::INFO);
        assert_eq!(config.fault.level(), Level::WARN);
        assert!(!config.record_subject);
    }

    #[test]
    fn client_caused_rejections_can_never_be_warnings() {
        // `tracing` orders levels by verbosity: ERROR < WARN < INFO < DEBUG < TRACE.
        for level in [RejectionLevel::Info, RejectionLevel::Debug] {
            assert!(level.level() >= Level::INFO, "{level:?}");
        }
        for level in [SuccessLevel::Debug, SuccessLevel::Trace] {
            assert!(level.level() >= Level::DEBUG, "{level:?}");
        }
        for level in [FaultLevel::Warn, FaultLevel::Error] {
            assert!(level.level() <= Level::WARN, "{level:?}");
        }
    }
}
