//! Every Rust JWT crate of interest next to `jwt-core` and raw `ring`, in one criterion run.
//!
//! The operations are those of `jwt_bench::ops()` (see `src/lib.rs` for what each does and why
//! the work is the same in every library). After the groups, `main` reads criterion's
//! `estimates.json` of this run and prints a markdown table of medians with each one's ratio to
//! raw ring, then how much faster `jwt-core` is than the fastest other library of each group.

#![allow(clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::Criterion;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use jwt_bench::{GROUPS, JWT_CORE, LIBRARIES, RAW_RING, RAW_RING_SERDE, ops};

/// CPU time of the benchmark thread (`CLOCK_THREAD_CPUTIME_ID`): the time the thread actually
/// ran, excluding any time it waited for a CPU. On an idle machine it equals wall-clock time; on a
/// shared one (CI, parallel builds) it is the only figure that does not grow with the load.
struct ThreadTime;

fn thread_cpu_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; the clock id is a constant Linux supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

impl Measurement for ThreadTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, started: u64) -> u64 {
        thread_cpu_ns().saturating_sub(started)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        static WALL: WallTime = WallTime;
        WALL.formatter() // nanoseconds, formatted as durations
    }
}

/// Rounds of the interleaved pass (see [`interleaved`]); `JWT_BENCH_ROUNDS` overrides it.
const ROUNDS: usize = 301;
/// Time one operation gets per round, in nanoseconds.
const SLICE_NS: u64 = 2_000_000;

fn rounds() -> usize {
    std::env::var("JWT_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(ROUNDS)
}

/// `[library][group]` figures of the interleaved pass.
type Table = Vec<Vec<Option<f64>>>;

/// What the interleaved pass measured.
struct Interleaved {
    /// Median time per operation (ns).
    medians: Table,
    /// 10th percentile of the time per operation (ns).
    lows: Table,
    /// Median of the per-round ratios to raw ring (measured in the same round).
    ratio_medians: Table,
}

/// The value at `fraction` of the sorted `samples`.
fn percentile(samples: &mut [f64], fraction: f64) -> Option<f64> {
    samples.sort_by(f64::total_cmp);
    let at = ((samples.len() as f64 - 1.0) * fraction).round() as usize;
    samples.get(at).copied()
}

/// The same operations again, interleaved: each round runs every operation of every group for
/// about [`SLICE_NS`] in turn, group after group, so that each library is measured next to raw
/// ring within milliseconds and each group's rounds are spread over the whole pass (this
/// machine switches between fast and slow phases every few seconds, and a slow phase slows
/// parsing code far more than ring's SHA loop). Criterion measures one function after the
/// other, so on a shared machine a library can be measured in a busy minute and its neighbour
/// in a quiet one; interleaving exposes every library of a group to the same load.
///
/// Besides medians and 10th percentiles of the times, it reports the median of each round's
/// ratio of every library to raw ring measured in that same round. (A low percentile of those
/// paired ratios is biased low: a round where only ring was disturbed lowers the ratio, which
/// showed as 0.87-0.92x for jwt-core's ES256/RS256/EdDSA verification, whose true ratio is
/// 1.00-1.02x. The ratio of the two 10th percentiles of the times has no such bias.)
fn interleaved(ops: &mut [jwt_bench::Op], now: fn() -> u64) -> Interleaved {
    let rounds = rounds();
    let raw = LIBRARIES.iter().position(|l| *l == RAW_RING).unwrap();
    // (group, library, op, iterations per slice, time per operation in each round)
    let mut members: Vec<(usize, usize, &mut jwt_bench::Op, u64, Vec<f64>)> = ops
        .iter_mut()
        .map(|op| {
            let group = GROUPS.iter().position(|g| *g == op.group).unwrap();
            let lib = LIBRARIES.iter().position(|l| *l == op.library).unwrap();
            // Calibrate: how many iterations fill a slice.
            let started = now();
            let mut n = 0u64;
            while now() - started < SLICE_NS / 4 {
                (op.run)();
                n += 1;
            }
            (group, lib, op, (n * 4).max(1), Vec::with_capacity(rounds))
        })
        .collect();
    members.sort_by_key(|(group, lib, ..)| (*group, *lib));
    for _ in 0..rounds {
        for (_, _, op, n, samples) in &mut members {
            let started = now();
            for _ in 0..*n {
                (op.run)();
            }
            samples.push((now() - started) as f64 / *n as f64);
        }
    }
    let empty = vec![vec![None; GROUPS.len()]; LIBRARIES.len()];
    let mut result = Interleaved {
        medians: empty.clone(),
        lows: empty.clone(),
        ratio_medians: empty,
    };
    for (group, lib, _, _, samples) in &members {
        let ring = members
            .iter()
            .find(|(g, l, ..)| g == group && *l == raw)
            .map(|(.., ring)| ring);
        if let Some(ring) = ring {
            let mut ratios: Vec<f64> = samples.iter().zip(ring).map(|(t, r)| t / r).collect();
            result.ratio_medians[*lib][*group] = percentile(&mut ratios, 0.5);
        }
        let mut times = samples.clone();
        result.medians[*lib][*group] = percentile(&mut times, 0.5);
        result.lows[*lib][*group] = percentile(&mut times, 0.1);
    }
    result
}

/// Prints `table` (`[library][group]`) as a markdown grid under `heading`, each cell made by
/// `cell` from its value and raw ring's value in the same group.
fn print_grid(
    heading: &str,
    table: &[Vec<Option<f64>>],
    cell: impl Fn(Option<f64>, Option<f64>) -> String,
) {
    let raw = LIBRARIES.iter().position(|l| *l == RAW_RING).unwrap();
    println!();
    println!("{heading}");
    println!();
    println!("| library | {} |", GROUPS.join(" | "));
    println!("|---|{}", "---:|".repeat(GROUPS.len()));
    for (lib, row) in LIBRARIES.iter().zip(table) {
        let cells: Vec<String> = row
            .iter()
            .zip(&table[raw])
            .map(|(value, ring)| cell(*value, *ring))
            .collect();
        println!("| {lib} | {} |", cells.join(" | "));
    }
}

/// Prints `ratios` (`[library][group]`, to raw ring) as a markdown table.
fn print_ratio_table(title: &str, ratios: &[Vec<Option<f64>>]) {
    print_grid(&format!("{title}:"), ratios, |ratio, _| {
        ratio.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x"))
    });
}

fn wall_ns() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
}

/// Which clock the run uses: thread CPU time unless `JWT_BENCH_CLOCK=wall`.
fn wall_clock() -> bool {
    std::env::var("JWT_BENCH_CLOCK").is_ok_and(|v| v == "wall")
}

fn benches<M: Measurement>(c: &mut Criterion<M>) {
    let mut ops = ops();
    for group in GROUPS {
        let mut measured = c.benchmark_group(*group);
        measured
            .sample_size(50)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        for op in ops.iter_mut().filter(|op| op.group == *group) {
            measured.bench_function(op.library, |b| b.iter(|| (op.run)()));
        }
        measured.finish();
    }
}

/// Where criterion writes its results, resolved the way criterion does (minus `cargo metadata`).
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
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
        format!("{ns:.0} ns")
    }
}

/// This run's criterion medians, `[library][group]`.
fn criterion_medians(started: SystemTime) -> Vec<Vec<Option<f64>>> {
    LIBRARIES
        .iter()
        .map(|lib| {
            GROUPS
                .iter()
                .map(|group| median_ns(group, lib, started))
                .collect()
        })
        .collect()
}

fn print_table(title: &str, medians: &[Vec<Option<f64>>]) {
    let clock = if wall_clock() {
        "wall-clock time"
    } else {
        "thread CPU time"
    };
    print_grid(
        &format!("{title}: {clock} per operation (ratio to raw ring in the same group):"),
        medians,
        |ns, base| match (ns, base) {
            (Some(ns), Some(base)) => format!("{} ({:.2}x)", format_ns(ns), ns / base),
            (Some(ns), None) => format_ns(ns),
            (None, _) => "-".to_owned(),
        },
    );
    println!();
    println!("{title}: jwt-core against the fastest other library of each group:");
    println!();
    println!("| group | jwt-core | fastest peer | peer | peer / jwt-core |");
    println!("|---|---:|---|---:|---:|");
    let ours = LIBRARIES.iter().position(|l| *l == JWT_CORE).unwrap();
    for (g, group) in GROUPS.iter().enumerate() {
        let peer = LIBRARIES
            .iter()
            .zip(medians)
            .filter(|(lib, _)| ![JWT_CORE, RAW_RING, RAW_RING_SERDE].contains(lib))
            .filter_map(|(lib, row)| row[g].map(|ns| (*lib, ns)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match (medians[ours][g], peer) {
            (Some(us), Some((lib, them))) => println!(
                "| {group} | {} | {lib} | {} | {:.2}x |",
                format_ns(us),
                format_ns(them),
                them / us
            ),
            _ => println!("| {group} | - | - | - | - |"),
        }
    }
}

/// Whether the command line names a benchmark filter (then only criterion runs, on the match).
fn has_filter() -> bool {
    const TAKES_VALUE: &[&str] = &[
        "--measurement-time",
        "--warm-up-time",
        "--sample-size",
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--nresamples",
        "--color",
        "--output-format",
        "--plotting-backend",
        "--format",
        "--logfile",
        "--load-baseline",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if TAKES_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return true;
        }
    }
    false
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

fn main() {
    // Coarse file timestamps: allow a little slack so this run's files never look stale.
    let started = SystemTime::now()
        .checked_sub(Duration::from_secs(2))
        .unwrap_or(UNIX_EPOCH);
    if wall_clock() {
        let mut criterion = Criterion::default().configure_from_args();
        benches(&mut criterion);
        criterion.final_summary();
    } else {
        let mut criterion = Criterion::default()
            .with_measurement(ThreadTime)
            .configure_from_args();
        benches(&mut criterion);
        criterion.final_summary();
    }
    if is_benchmark_run() {
        print_table("Criterion, median", &criterion_medians(started));
        if !has_filter() {
            let now = if wall_clock() { wall_ns } else { thread_cpu_ns };
            let pass = interleaved(&mut ops(), now);
            let rounds = rounds();
            print_table(
                &format!("Interleaved ({rounds} rounds), median"),
                &pass.medians,
            );
            print_table(
                &format!("Interleaved ({rounds} rounds), 10th percentile instead of median"),
                &pass.lows,
            );
            print_ratio_table(
                &format!(
                    "Interleaved ({rounds} rounds): ratio to raw ring measured in the same round, median"
                ),
                &pass.ratio_medians,
            );
        }
    }
}
