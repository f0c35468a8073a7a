//! Shared by the integration tests: a capturing `tracing` layer and hand-made tokens.
//!
//! Capture is per test and per thread (`tracing::subscriber::with_default`); nothing is
//! installed globally. `tracing` caches each callsite's interest process-wide, so a test running
//! while another test's subscriber comes and goes could see a callsite cached as "never": the
//! layer answers `Interest::sometimes()` (ask every time), and `capture_at` rebuilds the
//! interest cache after installing its subscriber.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    dead_code,
    unreachable_pub,
    missing_docs
)]

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use base64ct::{Base64UrlUnpadded, Encoding};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

pub const NOW: u64 = 1_700_000_000;
pub const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
pub const ISSUER: &str = "https://issuer.example";
pub const AUDIENCE: &str = "api";

/// A span as the subscriber saw it, with every field recorded over its life.
#[derive(Clone, Debug)]
pub struct SpanRecord {
    pub name: &'static str,
    pub target: String,
    pub level: Level,
    /// The field names the span declared up front.
    pub declared: Vec<&'static str>,
    pub fields: BTreeMap<String, String>,
}

/// An event, with the index (into `Captured::spans`) of the span it happened in.
#[derive(Clone, Debug)]
pub struct EventRecord {
    pub target: String,
    pub level: Level,
    pub fields: BTreeMap<String, String>,
    pub span: Option<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct Captured {
    pub spans: Vec<SpanRecord>,
    pub events: Vec<EventRecord>,
}

impl Captured {
    /// The only span; panics unless there is exactly one.
    pub fn span(&self) -> &SpanRecord {
        assert_eq!(self.spans.len(), 1, "{self:#?}");
        &self.spans[0]
    }

    /// The only event; panics unless there is exactly one.
    pub fn event(&self) -> &EventRecord {
        assert_eq!(self.events.len(), 1, "{self:#?}");
        &self.events[0]
    }

    /// Every string the subscriber received: names, field names and values.
    pub fn all_text(&self) -> String {
        let mut text = String::new();
        for span in &self.spans {
            text.push_str(span.name);
            text.push_str(&span.target);
            for (k, v) in &span.fields {
                text.push_str(k);
                text.push_str(v);
            }
        }
        for event in &self.events {
            text.push_str(&event.target);
            for (k, v) in &event.fields {
                text.push_str(k);
                text.push_str(v);
            }
        }
        text
    }
}

/// Records everything it is offered into a shared `Captured`.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Captured>>);

/// Which `Captured::spans` entry a live span is.
struct SpanIndex(usize);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, _: &Metadata<'_>, _: Context<'_, S>) -> bool {
        true
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let meta = attrs.metadata();
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut captured = self.0.lock().unwrap();
        captured.spans.push(SpanRecord {
            name: meta.name(),
            target: meta.target().to_owned(),
            level: *meta.level(),
            declared: meta.fields().iter().map(|f| f.name()).collect(),
            fields,
        });
        let index = captured.spans.len() - 1;
        ctx.span(id)
            .unwrap()
            .extensions_mut()
            .insert(SpanIndex(index));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).unwrap();
        let index = span.extensions().get::<SpanIndex>().unwrap().0;
        let mut captured = self.0.lock().unwrap();
        values.record(&mut Fields(&mut captured.spans[index].fields));
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let span = ctx
            .event_span(event)
            .map(|span| span.extensions().get::<SpanIndex>().unwrap().0);
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().events.push(EventRecord {
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields,
            span,
        });
    }
}

impl Capture {
    /// Everything captured so far, leaving the capture empty.
    pub fn take(&self) -> Captured {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Runs `f` with a capturing subscriber that sees every level; returns what it captured.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Captured) {
    capture_at(LevelFilter::TRACE, f)
}

/// Runs `f` with a capturing subscriber that sees levels up to `max`.
pub fn capture_at<R>(max: LevelFilter, f: impl FnOnce() -> R) -> (R, Captured) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone().with_filter(max));
    let result = tracing::subscriber::with_default(subscriber, || {
        tracing::callsite::rebuild_interest_cache();
        f()
    });
    (result, capture.take())
}

pub fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// A token over raw header and payload JSON, MAC'd with HMAC-SHA256 under `key`.
pub fn hs256_token(header: &str, payload: &str, key: &[u8]) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key),
        input.as_bytes(),
    );
    format!("{input}.{}", b64(tag.as_ref()))
}
