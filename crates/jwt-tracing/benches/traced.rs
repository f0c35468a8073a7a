//! What does `TraceVerifications` cost on top of a plain HS256 verification?
//!
//! HS256 is the cheapest verification `jwt-core` does (about a microsecond of HMAC and parsing),
//! so it shows any overhead at its largest. Every group pairs the traced verifier with `plain`,
//! the same `Verifier::verify::<Claims>` without an instrument, measured in the same run:
//!
//! - `hs256_verify_traced` (an accepted token) and `hs256_reject_traced` (an expired token,
//!   rejected after the signature and claims checks): `traced-no-subscriber`, the verifier
//!   `.with_instrument(TraceVerifications::default())` with no subscriber anywhere. These groups
//!   run first: once any subscriber has existed, `tracing`'s global max level never returns to
//!   the `OFF` of a process that never had one, and that is the state measured here.
//! - `hs256_verify_traced_fmt`: `traced-fmt-info`, a `fmt` subscriber at `INFO` writing to
//!   `io::sink` (the usual production setup: no span, no success event, but the recorder keeps
//!   copies in case the token is rejected), and `traced-fmt-debug`, the same at `DEBUG` (span
//!   created, fields recorded and formatted, the success event formatted and written).
//! - `hs256_reject_traced_fmt`: `traced-fmt-info` on the expired token (the rejection event is
//!   formatted and written).
//!
//! Subscribers are set with `tracing::subscriber::with_default` around criterion's `iter` loop.
//!
//! After the groups, `main` reads criterion's `estimates.json` of this run and prints a table:
//! group | function | median | plain median | ratio | overhead.
//!
//! Criterion measures one function after the other, so on a machine shared with other work the
//! ratio of two medians also measures how the load changed in between. `main` therefore prints
//! a second, paired table: `plain` and the traced function alternate in batches of
//! [`BATCH`] calls for [`ROUNDS`] rounds (in alternating order), and the ratio of each round's
//! two batches is reported as quartiles. The no-subscriber pairs run before criterion, while the
//! process has never had a subscriber. The paired table also has `null-instrument`, a verifier
//! with an `Instrument` that only runs the verification: the part of the cost that is
//! `jwt-core`'s instrumented path (recorder calls through `dyn`), the same for any instrument.

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
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group};
use jwt_core::{
    Algorithm, Encoder, Error, ErrorKind, FixedClock, SigningKey, Validation, Verifier,
};
use jwt_tracing::TraceVerifications;
use serde::{Deserialize, Serialize};
use tracing::Level;
use tracing::level_filters::LevelFilter;

const ISSUER: &str = "https://auth.example.com";
const AUDIENCE: &str = "https://api.example.com";
const HMAC_SECRET: &[u8; 32] = b"bench-secret-0123456789abcdefghi";
/// The expired token's `exp`; the clock of the rejecting verifiers is past it.
const EXPIRED_AT: u64 = 1_700_000_000;

const PLAIN: &str = "plain";
const NO_SUBSCRIBER: &str = "traced-no-subscriber";
const FMT_INFO: &str = "traced-fmt-info";
const FMT_DEBUG: &str = "traced-fmt-debug";
/// Paired table only: a do-nothing `Instrument`, the floor for any instrument.
const NULL_INSTRUMENT: &str = "null-instrument";

/// A typical access-token claim set, as in `jwt-core`'s own benchmark.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
struct Claims {
    sub: String,
    name: String,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
}

fn claims(exp: u64) -> Claims {
    Claims {
        sub: "user-8f14e45f-ceea-467f-a0e6-4b1e4c1e1b2a".to_owned(),
        name: "Alice Example".to_owned(),
        iat: 1_600_000_000,
        exp,
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
    }
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

/// A `fmt` subscriber at `level` that formats everything it enables and writes it nowhere.
fn sink_subscriber(level: Level) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        // Colour codes would depend on which crates enable the `ansi` feature in one build.
        .with_ansi(false)
        .with_max_level(level)
        .with_writer(std::io::sink)
        .finish()
}

/// Runs `routine` in criterion's loop with `subscriber` as this thread's default.
fn bench_with_subscriber<S, O>(
    b: &mut criterion::Bencher<'_>,
    subscriber: S,
    mut routine: impl FnMut() -> O,
) where
    S: tracing::Subscriber + Send + Sync + 'static,
{
    tracing::subscriber::with_default(subscriber, || b.iter(&mut routine));
}

fn assert_no_subscriber_ever() {
    assert_eq!(LevelFilter::current(), LevelFilter::OFF);
}

/// A verifier with and without the instrument, and the token they verify.
struct Case {
    plain: Verifier,
    traced: Verifier,
    token: String,
}

fn case(exp: u64, now: Option<u64>) -> Case {
    let key = SigningKey::from_hmac_secret(Algorithm::HS256, HMAC_SECRET)
        .unwrap()
        .with_kid("2026-11-bench");
    let token = Encoder::new(&key).encode(&claims(exp)).unwrap();
    let mut validation = Validation::new().issuer(ISSUER).audience(AUDIENCE);
    if let Some(now) = now {
        validation = validation.clock(FixedClock(now));
    }
    let plain = Verifier::new(key.verifying_key()).with_validation(validation);
    let traced = plain.clone().with_instrument(TraceVerifications::default());
    Case {
        plain,
        traced,
        token,
    }
}

/// An accepted token.
fn accepted_case() -> Case {
    let case = case(4_102_444_800, None);
    assert_eq!(
        case.traced.verify::<Claims>(&case.token).unwrap().claims(),
        &claims(4_102_444_800)
    );
    case
}

/// An expired token, rejected after its signature and claims were checked.
fn rejected_case() -> Case {
    let case = case(EXPIRED_AT, Some(EXPIRED_AT + 3600));
    assert_eq!(
        expired(&case.traced, &case.token).kind(),
        ErrorKind::Expired
    );
    case
}

fn accept(verifier: &Verifier, token: &str) -> Claims {
    verifier
        .verify::<Claims>(black_box(token))
        .unwrap()
        .into_claims()
}

fn expired(verifier: &Verifier, token: &str) -> Error {
    let error = verifier.verify::<Claims>(black_box(token)).unwrap_err();
    debug_assert_eq!(error.kind(), ErrorKind::Expired);
    error
}

fn without_subscriber(c: &mut Criterion) {
    assert_no_subscriber_ever();
    let Case {
        plain,
        traced,
        token,
    } = accepted_case();
    let mut group = configure(c, "hs256_verify_traced");
    group.bench_function(PLAIN, |b| b.iter(|| accept(&plain, &token)));
    group.bench_function(NO_SUBSCRIBER, |b| {
        assert_no_subscriber_ever();
        b.iter(|| accept(&traced, &token));
    });
    group.finish();

    let Case {
        plain,
        traced,
        token,
    } = rejected_case();
    let mut group = configure(c, "hs256_reject_traced");
    group.bench_function(PLAIN, |b| b.iter(|| expired(&plain, &token)));
    group.bench_function(NO_SUBSCRIBER, |b| {
        assert_no_subscriber_ever();
        b.iter(|| expired(&traced, &token));
    });
    group.finish();
}

fn with_subscriber(c: &mut Criterion) {
    let Case {
        plain,
        traced,
        token,
    } = accepted_case();
    let mut group = configure(c, "hs256_verify_traced_fmt");
    group.bench_function(PLAIN, |b| b.iter(|| accept(&plain, &token)));
    group.bench_function(FMT_INFO, |b| {
        bench_with_subscriber(b, sink_subscriber(Level::INFO), || accept(&traced, &token));
    });
    group.bench_function(FMT_DEBUG, |b| {
        bench_with_subscriber(b, sink_subscriber(Level::DEBUG), || accept(&traced, &token));
    });
    group.finish();

    let Case {
        plain,
        traced,
        token,
    } = rejected_case();
    let mut group = configure(c, "hs256_reject_traced_fmt");
    group.bench_function(PLAIN, |b| b.iter(|| expired(&plain, &token)));
    group.bench_function(FMT_INFO, |b| {
        bench_with_subscriber(b, sink_subscriber(Level::INFO), || expired(&traced, &token));
    });
    group.finish();
}

criterion_group!(benches, without_subscriber, with_subscriber);

/// Rows of the summary: group and traced function, each compared with that group's `plain`.
const ROWS: &[(&str, &str)] = &[
    ("hs256_verify_traced", NO_SUBSCRIBER),
    ("hs256_verify_traced_fmt", FMT_INFO),
    ("hs256_verify_traced_fmt", FMT_DEBUG),
    ("hs256_reject_traced", NO_SUBSCRIBER),
    ("hs256_reject_traced_fmt", FMT_INFO),
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
    println!("| group | function | median | plain median | ratio | overhead |");
    println!("|---|---|---:|---:|---:|---:|");
    for &(group, traced) in ROWS {
        match (
            median_ns(group, traced, started),
            median_ns(group, PLAIN, started),
        ) {
            (Some(a), Some(b)) => println!(
                "| {group} | {traced} | {} | {} | {:.3}x | {:+.1} ns |",
                format_ns(a),
                format_ns(b),
                a / b,
                a - b
            ),
            _ => println!("| {group} | {traced} | not run | not run | - | - |"),
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

/// Rounds of the paired measurement.
const ROUNDS: usize = 301;
/// Calls per batch in the paired measurement.
const BATCH: u32 = 200;

/// Keeps a result alive as far as the optimiser can tell.
fn consume<T>(value: T) {
    black_box(value);
}

/// Quartiles of the per-round time ratio `traced / plain`, batches alternating.
fn paired(mut plain: impl FnMut(), mut traced: impl FnMut()) -> [f64; 3] {
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..BATCH {
            f();
        }
        start.elapsed().as_secs_f64()
    };
    for _ in 0..10 {
        time(&mut plain);
        time(&mut traced);
    }
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            let (a, b) = if round % 2 == 0 {
                let a = time(&mut plain);
                (a, time(&mut traced))
            } else {
                let b = time(&mut traced);
                (time(&mut plain), b)
            };
            b / a
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    [ROUNDS / 4, ROUNDS / 2, ROUNDS * 3 / 4].map(|i| ratios[i])
}

/// An instrument that does nothing but run the verification: what `jwt-core`'s instrumented
/// path costs by itself (dynamic dispatch to the recorder), before this crate does anything.
struct NullInstrument;

struct NullRecorder;

impl jwt_core::Recorder for NullRecorder {}

impl jwt_core::Instrument for NullInstrument {
    fn observe(&self, run: &mut dyn FnMut(&mut dyn jwt_core::Recorder)) {
        run(&mut NullRecorder);
    }
}

/// The paired measurements; see the module documentation.
fn paired_without_subscriber() -> Vec<(&'static str, &'static str, [f64; 3])> {
    assert_no_subscriber_ever();
    let a = accepted_case();
    let r = rejected_case();
    let null = a.plain.clone().with_instrument(NullInstrument);
    vec![
        (
            "accepted",
            NULL_INSTRUMENT,
            paired(
                || consume(accept(&a.plain, &a.token)),
                || consume(accept(&null, &a.token)),
            ),
        ),
        (
            "accepted",
            NO_SUBSCRIBER,
            paired(
                || consume(accept(&a.plain, &a.token)),
                || consume(accept(&a.traced, &a.token)),
            ),
        ),
        (
            "rejected",
            NO_SUBSCRIBER,
            paired(
                || consume(expired(&r.plain, &r.token)),
                || consume(expired(&r.traced, &r.token)),
            ),
        ),
    ]
}

fn paired_with_subscriber() -> Vec<(&'static str, &'static str, [f64; 3])> {
    let a = accepted_case();
    let r = rejected_case();
    let with = |level, f: &mut dyn FnMut() -> [f64; 3]| {
        tracing::subscriber::with_default(sink_subscriber(level), f)
    };
    vec![
        (
            "accepted",
            FMT_INFO,
            with(Level::INFO, &mut || {
                paired(
                    || consume(accept(&a.plain, &a.token)),
                    || consume(accept(&a.traced, &a.token)),
                )
            }),
        ),
        (
            "accepted",
            FMT_DEBUG,
            with(Level::DEBUG, &mut || {
                paired(
                    || consume(accept(&a.plain, &a.token)),
                    || consume(accept(&a.traced, &a.token)),
                )
            }),
        ),
        (
            "rejected",
            FMT_INFO,
            with(Level::INFO, &mut || {
                paired(
                    || consume(expired(&r.plain, &r.token)),
                    || consume(expired(&r.traced, &r.token)),
                )
            }),
        ),
    ]
}

fn print_paired_table(rows: &[(&str, &str, [f64; 3])]) {
    println!();
    println!("paired: traced / plain per round ({ROUNDS} rounds of {BATCH} calls each)");
    println!("| token | function | ratio p25 | ratio median | ratio p75 |");
    println!("|---|---|---:|---:|---:|");
    for (token, function, [p25, p50, p75]) in rows {
        println!("| {token} | {function} | {p25:.3}x | {p50:.3}x | {p75:.3}x |");
    }
}

fn main() {
    // Coarse file timestamps: allow a little slack so this run's files never look stale.
    let started = SystemTime::now()
        .checked_sub(Duration::from_secs(2))
        .unwrap_or(UNIX_EPOCH);
    let measuring = is_benchmark_run();
    let mut paired_rows = if measuring {
        paired_without_subscriber()
    } else {
        Vec::new()
    };
    benches();
    Criterion::default().configure_from_args().final_summary();
    if measuring {
        paired_rows.extend(paired_with_subscriber());
        print_ratio_table(started);
        print_paired_table(&paired_rows);
    }
}
