//! The instrument's work for one verification: the span, the recorder, the final event.

use std::time::Instant;

use jwt_core::{Algorithm, Error, Recorder};
use tracing::field::{Empty, debug};
use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::{Level, Span};

use crate::text::{Clipped, Snippet};
use crate::{
    FaultLevel, RejectionLevel, SPAN_NAME, SpanLevel, SuccessLevel, TARGET, TraceVerifications,
};

/// The `jwt.verify` span at a level chosen at run time (each level is its own callsite).
macro_rules! verify_span {
    ($level:expr) => {
        tracing::span!(
            target: TARGET,
            $level,
            SPAN_NAME,
            jwt.alg = Empty,
            jwt.kid = Empty,
            jwt.typ = Empty,
            jwt.iss = Empty,
            jwt.sub = Empty,
            jwt.outcome = Empty,
            error.type = Empty,
            error.message = Empty,
            elapsed_us = Empty,
        )
    };
}

/// The message of a failure on the verifier's side.
const FAULT_MESSAGE: &str = "jwt rejected: the verifier's keys or configuration are at fault";

/// The outcome event; `$outcome` is an [`Outcome`]. Absent values are not recorded at all.
macro_rules! outcome_event {
    ($level:expr, $message:expr, $outcome:expr) => {{
        let outcome: &Outcome<'_> = $outcome;
        tracing::event!(
            target: TARGET,
            $level,
            jwt.outcome = outcome.outcome,
            error.type = outcome.error_type,
            error.message = outcome.message.as_ref().map(debug),
            jwt.alg = outcome.alg,
            jwt.kid = outcome.kid.map(debug),
            jwt.typ = outcome.typ.map(debug),
            jwt.iss = outcome.iss.map(debug),
            jwt.sub = outcome.sub.map(debug),
            elapsed_us = outcome.elapsed_us,
            "{}",
            $message
        )
    }};
}

/// Runs one verification, instrumented only as far as a subscriber wants it.
pub(crate) fn observe(config: &TraceVerifications, run: &mut dyn FnMut(&mut dyn Recorder)) {
    let span = match config.span {
        SpanLevel::Info => verify_span!(Level::INFO),
        SpanLevel::Debug => verify_span!(Level::DEBUG),
        SpanLevel::Trace => verify_span!(Level::TRACE),
    };
    let to_span = !span.is_disabled();
    let to_event = any_event_enabled(config);
    if !to_span && !to_event {
        // The fast path: nothing will be recorded, so nothing is measured or copied.
        run(&mut Unobserved);
        return;
    }
    let _entered = span.enter();
    run(&mut Recording {
        config,
        span: &span,
        to_span,
        to_event,
        started: Instant::now(),
        alg: None,
        kid: None,
        typ: None,
        iss: None,
        sub: None,
    });
}

/// Whether any of the three outcome events could be recorded. The outcome is not known yet, so
/// the recorder keeps what it learns if any of them might need it.
///
/// Only the global level filters are consulted (two comparisons and an atomic load), not the
/// subscriber: asking the subscriber (`tracing::enabled!`) about an event that then never comes
/// leaves `tracing-subscriber`'s per-layer filters holding a stale decision that can drop the
/// next event of the thread (tokio-rs/tracing#2519).
fn any_event_enabled(config: &TraceVerifications) -> bool {
    [
        config.success.level(),
        config.rejection.level(),
        config.fault.level(),
    ]
    .into_iter()
    .any(|level| level <= STATIC_MAX_LEVEL && level <= LevelFilter::current())
}

/// Which outcome event a verification ends with.
#[derive(Clone, Copy)]
enum Class {
    Accepted,
    Rejected,
    Fault,
}

impl Class {
    fn of(outcome: Result<(), &Error>) -> Self {
        match outcome {
            Ok(()) => Class::Accepted,
            Err(error) if error.kind().is_token_fault() => Class::Rejected,
            Err(_) => Class::Fault,
        }
    }
}

/// The recorder when nobody listens.
struct Unobserved;

impl Recorder for Unobserved {
    fn wants_claims_of_refused_tokens(&self) -> bool {
        false
    }
}

/// The recorder when the span or an event is enabled.
struct Recording<'a> {
    config: &'a TraceVerifications,
    span: &'a Span,
    /// The span is enabled: record fields into it as they become known.
    to_span: bool,
    /// An outcome event may be enabled: keep copies for it.
    to_event: bool,
    started: Instant,
    alg: Option<&'static str>,
    kid: Option<Snippet>,
    typ: Option<Snippet>,
    iss: Option<Snippet>,
    sub: Option<Snippet>,
}

/// Everything the outcome event records.
struct Outcome<'a> {
    outcome: &'static str,
    error_type: Option<&'static str>,
    message: Option<Snippet>,
    alg: Option<&'static str>,
    kid: Option<&'a Snippet>,
    typ: Option<&'a Snippet>,
    iss: Option<&'a Snippet>,
    sub: Option<&'a Snippet>,
    elapsed_us: u64,
}

impl Recording<'_> {
    /// Records an attacker-influenced string into the span and keeps a copy for the event.
    fn text(&mut self, field: &'static str, value: &str) -> Option<Snippet> {
        if self.to_span {
            self.span.record(field, debug(Clipped::new(value)));
        }
        self.to_event.then(|| Snippet::new(value))
    }

    /// Asks the subscriber whether this outcome's event is wanted.
    ///
    /// Asked right before the event, so that per-layer filters decide on fresh state even when
    /// the event's callsite interest is cached as "always" and `event!` does not ask itself
    /// (tokio-rs/tracing#2519: a disabled span just before would otherwise hide the event).
    fn event_enabled(&self, class: Class) -> bool {
        match class {
            Class::Accepted => match self.config.success {
                SuccessLevel::Debug => tracing::enabled!(target: TARGET, Level::DEBUG),
                SuccessLevel::Trace => tracing::enabled!(target: TARGET, Level::TRACE),
            },
            Class::Rejected => match self.config.rejection {
                RejectionLevel::Info => tracing::enabled!(target: TARGET, Level::INFO),
                RejectionLevel::Debug => tracing::enabled!(target: TARGET, Level::DEBUG),
            },
            Class::Fault => match self.config.fault {
                FaultLevel::Warn => tracing::enabled!(target: TARGET, Level::WARN),
                FaultLevel::Error => tracing::enabled!(target: TARGET, Level::ERROR),
            },
        }
    }

    fn emit(&self, class: Class, outcome: &Outcome<'_>) {
        match class {
            Class::Accepted => match self.config.success {
                SuccessLevel::Debug => outcome_event!(Level::DEBUG, "jwt accepted", outcome),
                SuccessLevel::Trace => outcome_event!(Level::TRACE, "jwt accepted", outcome),
            },
            Class::Rejected => match self.config.rejection {
                RejectionLevel::Info => outcome_event!(Level::INFO, "jwt rejected", outcome),
                RejectionLevel::Debug => outcome_event!(Level::DEBUG, "jwt rejected", outcome),
            },
            Class::Fault => match self.config.fault {
                FaultLevel::Warn => outcome_event!(Level::WARN, FAULT_MESSAGE, outcome),
                FaultLevel::Error => outcome_event!(Level::ERROR, FAULT_MESSAGE, outcome),
            },
        }
    }
}

impl Recorder for Recording<'_> {
    fn header(&mut self, alg: Option<Algorithm>, kid: Option<&str>, typ: Option<&str>) {
        self.alg = alg.map(Algorithm::name);
        if let (true, Some(alg)) = (self.to_span, self.alg) {
            self.span.record("jwt.alg", alg);
        }
        self.kid = kid.and_then(|kid| self.text("jwt.kid", kid));
        self.typ = typ.and_then(|typ| self.text("jwt.typ", typ));
    }

    fn issuer(&mut self, iss: &str) {
        self.iss = self.text("jwt.iss", iss);
    }

    fn subject(&mut self, sub: &str) {
        if self.config.record_subject {
            self.sub = self.text("jwt.sub", sub);
        }
    }

    fn finished(&mut self, outcome: Result<(), &Error>) {
        if let (None, Err(Error::UnsupportedAlgorithm { name })) = (self.alg, outcome) {
            // A registered name from the crate's own list (`none`, `ES512`, ...), not token text.
            self.alg = Some(name);
            if self.to_span {
                self.span.record("jwt.alg", *name);
            }
        }
        let class = Class::of(outcome);
        // From this question to the event, nothing asks the subscriber anything (recording span
        // fields does not touch the per-layer filter state).
        let wanted = self.to_event && self.event_enabled(class);
        if !self.to_span && !wanted {
            return; // e.g. an accepted token under an `INFO` subscriber
        }
        let elapsed_us = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let record = Outcome {
            outcome: if outcome.is_ok() {
                "accepted"
            } else {
                "rejected"
            },
            error_type: outcome.err().map(|error| error.kind().code()),
            message: outcome.err().map(|error| Snippet::display(error)),
            alg: self.alg,
            kid: self.kid.as_ref(),
            typ: self.typ.as_ref(),
            iss: self.iss.as_ref(),
            sub: self.sub.as_ref(),
            elapsed_us,
        };
        if self.to_span {
            // Absent values are skipped rather than recorded as `None`: some subscribers
            // (`fmt`) format an empty record as a stray separator.
            self.span.record("jwt.outcome", record.outcome);
            if let (Some(code), Some(message)) = (record.error_type, &record.message) {
                self.span.record("error.type", code);
                self.span.record("error.message", debug(message));
            }
            self.span.record("elapsed_us", elapsed_us);
        }
        if wanted {
            self.emit(class, &record);
        }
    }
}
