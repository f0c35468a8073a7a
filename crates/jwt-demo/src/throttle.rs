//! Login throttling: password guessing slowed down, without long lock-outs.
//!
//! Why: a password is guessable, and every attempt costs a PBKDF2 run (tens of milliseconds of
//! CPU), so an unthrottled login endpoint invites both guessing and exhaustion. Failed attempts
//! are counted per user name and per client address. Past a few free failures
//! ([`USER_FREE_FAILURES`] per name, [`ADDRESS_FREE_FAILURES`] per address, which may be shared
//! by many users behind one NAT), further attempts are refused with `429 Too Many Requests` and
//! `Retry-After`, **before** any hashing, for a delay that doubles with each failure (1 s, 2 s,
//! 4 s, ... at most [`MAX_DELAY`]). A successful login clears its user name's count. Unknown
//! user names are counted like known ones, so the answers tell nothing about which exist.
//!
//! Separately, at most [`MAX_CONCURRENT_HASHES`] password checks run at a time; a login beyond
//! that is answered `503` with `Retry-After: 1` instead of queueing more CPU work. The slot and
//! the counting travel with the check to its blocking thread: a client that hangs up mid-check
//! frees nothing early and is counted all the same.
//!
//! The table is bounded ([`MAX_ENTRIES`]): entries quiet for [`FORGET_AFTER`] are dropped, and
//! when it is full of recent ones the oldest goes. Counting is in memory, per process: enough
//! for the demo; a fleet would keep it in a shared store.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failed logins per user name before attempts are slowed down.
pub const USER_FREE_FAILURES: u32 = 5;
/// Failed logins per client address before attempts are slowed down.
pub const ADDRESS_FREE_FAILURES: u32 = 20;
/// The longest delay between attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Quiet time after which a name's or address's failures are forgotten.
pub const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// Most names and addresses remembered at once.
pub const MAX_ENTRIES: usize = 10_000;
/// Most password checks running at once.
pub const MAX_CONCURRENT_HASHES: usize = 8;
/// Longest user name kept as a key or logged (longer ones are cut, on a character boundary).
const MAX_NAME_LEN: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Subject {
    User(Box<str>),
    Address(IpAddr),
}

#[derive(Clone, Copy, Debug)]
struct Record {
    failures: u32,
    /// No attempt before this moment.
    blocked_until: Instant,
    last_failure: Instant,
}

/// Failed-login counts, per user name and client address.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    records: Mutex<HashMap<Subject, Record>>,
    hashing: Arc<AtomicUsize>,
}

/// A password check in progress; dropping it frees its slot. It owns its share of the count,
/// so it can travel with the check to another thread and be freed only when the check ends.
#[derive(Debug)]
pub struct HashSlot(Arc<AtomicUsize>);

impl Drop for HashSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl LoginThrottle {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// `Err(wait)` when `user` or `address` must not try again yet.
    pub fn check(&self, user: &str, address: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let records = self.lock();
        let wait = subjects(user, address)
            .filter_map(|subject| records.get(&subject))
            .map(|record| record.blocked_until.saturating_duration_since(now))
            .max()
            .unwrap_or(Duration::ZERO);
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// A slot to run one password check in, or `None` when [`MAX_CONCURRENT_HASHES`] run.
    pub fn hash_slot(&self) -> Option<HashSlot> {
        let taken = self.hashing.fetch_add(1, Ordering::SeqCst);
        let slot = HashSlot(Arc::clone(&self.hashing));
        (taken < MAX_CONCURRENT_HASHES).then_some(slot)
    }

    /// Counts a failed login of `user` from `address`.
    pub fn failed(&self, user: &str, address: Option<IpAddr>, now: Instant) {
        let mut records = self.lock();
        for subject in subjects(user, address) {
            let free = match subject {
                Subject::User(_) => USER_FREE_FAILURES,
                Subject::Address(_) => ADDRESS_FREE_FAILURES,
            };
            if !records.contains_key(&subject) {
                make_room(&mut records, now);
            }
            let record = records.entry(subject).or_insert(Record {
                failures: 0,
                blocked_until: now,
                last_failure: now,
            });
            record.failures = record.failures.saturating_add(1);
            record.last_failure = now;
            if let Some(beyond) = record.failures.checked_sub(free).filter(|n| *n > 0) {
                let doublings = beyond.saturating_sub(1).min(20);
                let delay = Duration::from_secs(1u64.checked_shl(doublings).unwrap_or(u64::MAX))
                    .min(MAX_DELAY);
                record.blocked_until = now.checked_add(delay).unwrap_or(now);
            }
        }
    }

    /// A successful login: `user`'s failures are forgotten (its address's are not).
    pub fn succeeded(&self, user: &str) {
        self.lock().remove(&Subject::User(key_name(user)));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Subject, Record>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `user` cut to at most [`MAX_NAME_LEN`] bytes on a character boundary: the part of a client's
/// name that is counted (and logged).
pub(crate) fn clipped(user: &str) -> &str {
    let end = (0..=user.len().min(MAX_NAME_LEN))
        .rev()
        .find(|&end| user.is_char_boundary(end))
        .unwrap_or(0);
    user.get(..end).unwrap_or_default()
}

fn key_name(user: &str) -> Box<str> {
    clipped(user).into()
}

fn subjects(user: &str, address: Option<IpAddr>) -> impl Iterator<Item = Subject> {
    std::iter::once(Subject::User(key_name(user))).chain(address.map(Subject::Address))
}

/// Keeps the table under [`MAX_ENTRIES`] before an insertion.
fn make_room(records: &mut HashMap<Subject, Record>, now: Instant) {
    if records.len() < MAX_ENTRIES {
        return;
    }
    records.retain(|_, record| {
        now.saturating_duration_since(record.last_failure) < FORGET_AFTER
            || record.blocked_until > now
    });
    if records.len() >= MAX_ENTRIES {
        // The oldest record that is not blocking anyone right now; only if every one is, the
        // oldest of all (so flooding the table cannot lift a block cheaply).
        let oldest = records
            .iter()
            .min_by_key(|(_, record)| (record.blocked_until > now, record.last_failure))
            .map(|(subject, _)| subject.clone());
        if let Some(oldest) = oldest {
            records.remove(&oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)));

    #[test]
    fn free_failures_then_doubling_delays_then_success_clears() {
        let throttle = LoginThrottle::new();
        let start = Instant::now();
        for _ in 0..USER_FREE_FAILURES {
            assert_eq!(throttle.check("alice", HOME, start), Ok(()));
            throttle.failed("alice", HOME, start);
        }
        assert_eq!(throttle.check("alice", HOME, start), Ok(()));
        throttle.failed("alice", HOME, start);
        assert_eq!(
            throttle.check("alice", HOME, start),
            Err(Duration::from_secs(1))
        );
        // Other names from the same address are not slowed down yet.
        assert_eq!(throttle.check("bob", HOME, start), Ok(()));
        let later = start + Duration::from_secs(1);
        assert_eq!(throttle.check("alice", HOME, later), Ok(()));
        throttle.failed("alice", HOME, later);
        assert_eq!(
            throttle.check("alice", None, later),
            Err(Duration::from_secs(2))
        );
        let much_later = later + Duration::from_secs(2);
        throttle.succeeded("alice");
        assert_eq!(throttle.check("alice", None, much_later), Ok(()));
    }

    #[test]
    fn an_address_is_slowed_down_after_its_own_allowance() {
        let throttle = LoginThrottle::new();
        let now = Instant::now();
        for n in 0..ADDRESS_FREE_FAILURES {
            throttle.failed(&format!("user{n}"), HOME, now);
        }
        assert_eq!(throttle.check("someone-else", HOME, now), Ok(()));
        throttle.failed("user-x", HOME, now);
        assert!(throttle.check("someone-else", HOME, now).is_err());
        assert_eq!(throttle.check("someone-else", None, now), Ok(()));
    }

    #[test]
    fn delays_are_capped_and_long_names_share_a_bounded_key() {
        let throttle = LoginThrottle::new();
        let now = Instant::now();
        let long = "é".repeat(100);
        for _ in 0..200 {
            throttle.failed(&long, None, now);
        }
        assert_eq!(throttle.check(&long, None, now), Err(MAX_DELAY));
        let mut other = "é".repeat(40);
        other.push('x');
        assert!(
            throttle.check(&other, None, now).is_err(),
            "same first 64 bytes"
        );
    }

    #[test]
    fn the_table_stays_bounded() {
        let throttle = LoginThrottle::new();
        let now = Instant::now();
        for n in 0..(MAX_ENTRIES + 50) {
            throttle.failed(&format!("u{n}"), None, now);
        }
        assert!(throttle.lock().len() <= MAX_ENTRIES);
    }

    #[test]
    fn a_slot_moved_to_another_thread_is_freed_when_that_thread_is_done() {
        let throttle = LoginThrottle::new();
        let slot = throttle.hash_slot().unwrap();
        let (done, wait) = std::sync::mpsc::channel();
        let worker = std::thread::spawn(move || {
            let _slot = slot;
            wait.recv().unwrap();
        });
        for _ in 1..MAX_CONCURRENT_HASHES {
            std::mem::forget(throttle.hash_slot().unwrap());
        }
        assert!(
            throttle.hash_slot().is_none(),
            "the moved slot still counts"
        );
        done.send(()).unwrap();
        worker.join().unwrap();
        assert!(throttle.hash_slot().is_some());
    }

    #[test]
    fn hash_slots_are_limited_and_freed() {
        let throttle = LoginThrottle::new();
        let slots: Vec<_> = (0..MAX_CONCURRENT_HASHES)
            .map(|_| throttle.hash_slot().unwrap())
            .collect();
        assert!(throttle.hash_slot().is_none());
        drop(slots);
        assert!(throttle.hash_slot().is_some());
    }
}
