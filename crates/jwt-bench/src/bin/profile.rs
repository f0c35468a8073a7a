//! Runs one operation of the peer benchmark in a loop, for `valgrind --tool=callgrind`.
//!
//! Usage: `profile GROUP LIBRARY [N]` (default N = 10000), e.g.
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*profile::measured*'
//!  target/release/profile hs256_verify jwt-core 10000`: only the loop is counted, so
//! instructions / N is the cost of one operation, set-up excluded.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use jwt_bench::{Op, ops};

#[inline(never)]
fn measured(op: &mut Op, n: u64) {
    for _ in 0..n {
        (op.run)();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(group), Some(library)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: profile GROUP LIBRARY [N]");
        std::process::exit(2);
    };
    let n: u64 = args.get(3).map_or(10_000, |n| n.parse().expect("N"));
    let mut ops = ops();
    let op = ops
        .iter_mut()
        .find(|op| op.group == group && op.library == library)
        .expect("no such group/library");
    measured(op, n);
}
