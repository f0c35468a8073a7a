//! Heap allocations per operation, for every library and group of the peer benchmark.
//!
//! A counting `#[global_allocator]` wraps the system allocator; each operation of
//! `jwt_bench::ops()` runs once to warm up (lazy statics, thread-locals), then `N` times while the
//! counters run. Reported: allocation calls (`alloc`, `alloc_zeroed`, `realloc`) per operation and
//! bytes requested per operation. Single-threaded, so the counters see only the operation.
//!
//! Usage: `cargo run --release --bin allocs [-- N]` (default N = 2000).

#![allow(clippy::unwrap_used, missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use jwt_bench::{GROUPS, LIBRARIES, ops};

struct Counting;

static CALLS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` unchanged; the counters have no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(2000, |arg| arg.parse().expect("N must be a number"));
    let mut ops = ops(); // runs every operation once
    let mut table = vec![vec![None; GROUPS.len()]; LIBRARIES.len()];
    for op in &mut ops {
        let calls = CALLS.load(Ordering::Relaxed);
        let bytes = BYTES.load(Ordering::Relaxed);
        for _ in 0..n {
            (op.run)();
        }
        let calls = CALLS.load(Ordering::Relaxed) - calls;
        let bytes = BYTES.load(Ordering::Relaxed) - bytes;
        let lib = LIBRARIES.iter().position(|l| *l == op.library).unwrap();
        let group = GROUPS.iter().position(|g| *g == op.group).unwrap();
        table[lib][group] = Some((calls as f64 / n as f64, bytes as f64 / n as f64));
    }
    println!("Heap allocations per operation (allocation calls / bytes requested), N = {n}:");
    println!();
    println!("| library | {} |", GROUPS.join(" | "));
    println!("|---|{}", "---:|".repeat(GROUPS.len()));
    for (lib, row) in LIBRARIES.iter().zip(&table) {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Some((calls, bytes)) => format!("{} / {} B", trim(*calls), trim(*bytes)),
                None => "-".to_owned(),
            })
            .collect();
        println!("| {lib} | {} |", cells.join(" | "));
    }
}

/// Whole numbers without decimals; averages (randomised signatures vary) with one.
fn trim(value: f64) -> String {
    if (value - value.round()).abs() < 0.005 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}
