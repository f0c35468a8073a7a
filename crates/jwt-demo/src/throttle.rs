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
//! Checking and counting are one step: [`LoginThrottle::begin`] admits an attempt and counts it
//! as in flight until its [`Attempt`] is settled. Within the free allowance attempts may run
//! side by side; beyond it, only one at a time per name, so a burst of parallel guesses at one
//! name sent the moment a delay ends gets one guess through, not one per request. (An address,
//! which many users may share behind a NAT, is not made to wait in line: its delays and the
//! hash-slot limit bound what it can try.) A password check takes a hash slot before it is
//! admitted, so logins refused for want of a slot leave nothing in the table.
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

impl Subject {
    /// Failures allowed before delays start.
    const fn free(&self) -> u32 {
        match self {
            Subject::User(_) => USER_FREE_FAILURES,
            Subject::Address(_) => ADDRESS_FREE_FAILURES,
        }
    }
}

/// One admitted login attempt (see [`LoginThrottle::begin`]). Like [`HashSlot`], it can travel
/// with the password check to another thread.
#[derive(Debug)]
pub struct Attempt {
    throttle: Arc<LoginThrottle>,
    subjects: Vec<Subject>,
    settled: bool,
}

impl Attempt {
    /// The password was wrong (or the name unknown): counted against the name and address.
    pub fn failed(mut self, now: Instant) {
        self.settled = true;
        self.throttle.settle(&self.subjects, Outcome::Failed, now);
    }

    /// The login succeeded: the name's failures are forgotten (its address's are not).
    pub fn succeeded(mut self) {
        self.settled = true;
        self.throttle
            .settle(&self.subjects, Outcome::Succeeded, Instant::now());
    }
}

impl Drop for Attempt {
    /// An attempt that ended without an outcome (the check could not run) counts nothing.
    fn drop(&mut self) {
        if !self.settled {
            self.throttle
                .settle(&self.subjects, Outcome::Abandoned, Instant::now());
        }
    }
}

/// How an attempt ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Failed,
    Succeeded,
    /// The check never ran (or its thread died): nothing is counted.
    Abandoned,
}

#[derive(Clone, Copy, Debug)]
struct Record {
    failures: u32,
    /// Attempts admitted and not yet settled.
    in_flight: u32,
    /// No attempt before this moment.
    blocked_until: Instant,
    /// The last failure, or the record's creation: what "quiet" is measured from.
    last_failure: Instant,
}

impl Record {
    fn new(now: Instant) -> Self {
        Record {
            failures: 0,
            in_flight: 0,
            blocked_until: now,
            last_failure: now,
        }
    }

    /// How long an attempt of `subject` must wait.
    fn wait(&self, subject: &Subject, now: Instant) -> Duration {
        let blocked = self.blocked_until.saturating_duration_since(now);
        if !blocked.is_zero() {
            return blocked;
        }
        // Beyond its allowance, a name gets one attempt at a time: the next waits for this
        // one's outcome (which sets the delay if it fails). A password check takes well under
        // a second. Not for addresses: many users may share one (NAT), and an address's
        // guesses across names are slowed by its delays and by the hash-slot limit.
        let beyond = self.failures.saturating_add(self.in_flight) >= subject.free();
        if matches!(subject, Subject::User(_)) && beyond && self.in_flight > 0 {
            IN_FLIGHT_WAIT
        } else {
            Duration::ZERO
        }
    }

    /// Holds nothing worth keeping: no failures, no attempts running.
    fn is_empty(&self) -> bool {
        self.failures == 0 && self.in_flight == 0
    }
}

/// What an attempt is told to wait while another attempt of its name, beyond the free
/// allowance, is still being checked.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(1);

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

    /// Admits one login attempt of `user` from `address`, or `Err(wait)` when they must not
    /// try again yet. The attempt counts as in flight until it is settled with
    /// [`Attempt::failed`] or [`Attempt::succeeded`] (or dropped, which counts nothing).
    pub fn begin(
        self: &Arc<Self>,
        user: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let mut records = self.lock();
        let subjects: Vec<Subject> = subjects(user, address).collect();
        let wait = subjects
            .iter()
            .filter_map(|subject| Some(records.get(subject)?.wait(subject, now)))
            .max()
            .unwrap_or(Duration::ZERO);
        if !wait.is_zero() {
            return Err(wait);
        }
        for subject in &subjects {
            if !records.contains_key(subject) {
                make_room(&mut records, now);
            }
            let record = records
                .entry(subject.clone())
                .or_insert_with(|| Record::new(now));
            record.in_flight = record.in_flight.saturating_add(1);
        }
        Ok(Attempt {
            throttle: Arc::clone(self),
            subjects,
            settled: false,
        })
    }

    /// A slot to run one password check in, or `None` when [`MAX_CONCURRENT_HASHES`] run.
    pub fn hash_slot(&self) -> Option<HashSlot> {
        let taken = self.hashing.fetch_add(1, Ordering::SeqCst);
        let slot = HashSlot(Arc::clone(&self.hashing));
        (taken < MAX_CONCURRENT_HASHES).then_some(slot)
    }

    /// Ends an attempt: no longer in flight; a failure is counted and may start a delay, a
    /// success clears the name's count. A record left with nothing to remember is dropped, so
    /// attempts that never ran (a `503`) cannot fill the table and push others' counts out.
    fn settle(&self, subjects: &[Subject], outcome: Outcome, now: Instant) {
        let mut records = self.lock();
        for subject in subjects {
            if !records.contains_key(subject) {
                if outcome != Outcome::Failed {
                    continue; // forgotten meanwhile: nothing to undo
                }
                make_room(&mut records, now);
            }
            let record = records
                .entry(subject.clone())
                .or_insert_with(|| Record::new(now));
            record.in_flight = record.in_flight.saturating_sub(1);
            match outcome {
                Outcome::Failed => {
                    record.failures = record.failures.saturating_add(1);
                    record.last_failure = now;
                    if let Some(beyond) = record
                        .failures
                        .checked_sub(subject.free())
                        .filter(|n| *n > 0)
                    {
                        let doublings = beyond.saturating_sub(1).min(20);
                        let delay =
                            Duration::from_secs(1u64.checked_shl(doublings).unwrap_or(u64::MAX))
                                .min(MAX_DELAY);
                        record.blocked_until = now.checked_add(delay).unwrap_or(now);
                    }
                }
                // Cleared, but kept while other attempts of the name run: their outcomes
                // still count against it.
                Outcome::Succeeded if matches!(subject, Subject::User(_)) => {
                    record.failures = 0;
                    record.blocked_until = record.blocked_until.min(now);
                }
                Outcome::Succeeded | Outcome::Abandoned => {}
            }
            if record.is_empty() {
                records.remove(subject);
            }
        }
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
            || record.in_flight > 0
    });
    if records.len() >= MAX_ENTRIES {
        // The oldest record that neither has attempts running nor blocks anyone right now;
        // failing that, the oldest that has none running (so flooding the table cannot lift a
        // block cheaply). Attempts run only with a hash slot, so at most a few records (two
        // per slot) have any running, and one without is always there to go.
        let oldest = records
            .iter()
            .min_by_key(|(_, record)| {
                (
                    record.in_flight > 0,
                    record.blocked_until > now,
                    record.last_failure,
                )
            })
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

    fn throttle() -> Arc<LoginThrottle> {
        Arc::new(LoginThrottle::new())
    }

    /// Whether an attempt would be admitted now (the attempt is dropped unsettled).
    fn check(
        throttle: &Arc<LoginThrottle>,
        user: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), Duration> {
        throttle.begin(user, address, now).map(drop)
    }

    /// One failed login.
    fn fail(throttle: &Arc<LoginThrottle>, user: &str, address: Option<IpAddr>, now: Instant) {
        throttle.begin(user, address, now).unwrap().failed(now);
    }

    #[test]
    fn free_failures_then_doubling_delays_then_success_clears() {
        let throttle = throttle();
        let start = Instant::now();
        for _ in 0..=USER_FREE_FAILURES {
            assert_eq!(check(&throttle, "alice", HOME, start), Ok(()));
            fail(&throttle, "alice", HOME, start);
        }
        assert_eq!(
            check(&throttle, "alice", HOME, start),
            Err(Duration::from_secs(1))
        );
        // Other names from the same address are not slowed down yet.
        assert_eq!(check(&throttle, "bob", HOME, start), Ok(()));
        let later = start + Duration::from_secs(1);
        fail(&throttle, "alice", HOME, later);
        assert_eq!(
            check(&throttle, "alice", None, later),
            Err(Duration::from_secs(2))
        );
        let much_later = later + Duration::from_secs(2);
        throttle
            .begin("alice", None, much_later)
            .unwrap()
            .succeeded();
        for _ in 0..USER_FREE_FAILURES {
            fail(&throttle, "alice", None, much_later);
        }
        assert_eq!(check(&throttle, "alice", None, much_later), Ok(()));
    }

    #[test]
    fn beyond_the_allowance_attempts_run_one_at_a_time() {
        let throttle = throttle();
        let now = Instant::now();
        // Within the allowance, side by side...
        let parallel: Vec<_> = (0..USER_FREE_FAILURES)
            .map(|_| throttle.begin("alice", None, now).unwrap())
            .collect();
        // ...but not one more than the allowance while they run.
        assert_eq!(check(&throttle, "alice", None, now), Err(IN_FLIGHT_WAIT));
        for attempt in parallel {
            attempt.failed(now);
        }
        // The allowance is used up but no delay has started: one attempt, and only one.
        let sixth = throttle.begin("alice", None, now).unwrap();
        for _ in 0..10 {
            assert_eq!(check(&throttle, "alice", None, now), Err(IN_FLIGHT_WAIT));
        }
        sixth.failed(now);
        assert_eq!(
            check(&throttle, "alice", None, now),
            Err(Duration::from_secs(1)),
            "ten refused requests counted nothing"
        );
        // An attempt that ends without an outcome frees its place and counts nothing.
        let later = now + Duration::from_secs(1);
        drop(throttle.begin("alice", None, later).unwrap());
        let seventh = throttle.begin("alice", None, later).unwrap();
        // Moved to another thread, it still holds the place until it is settled there.
        assert_eq!(check(&throttle, "alice", None, later), Err(IN_FLIGHT_WAIT));
        std::thread::spawn(move || seventh.failed(later))
            .join()
            .unwrap();
        assert_eq!(
            check(&throttle, "alice", None, later),
            Err(Duration::from_secs(2))
        );
    }

    /// Attempts that never ran leave nothing behind, so they cannot push a name's history out
    /// of the table; a success keeps counting the name's other running attempts.
    #[test]
    fn abandoned_attempts_leave_nothing_and_a_success_keeps_counting() {
        let throttle = throttle();
        let now = Instant::now();
        for _ in 0..=USER_FREE_FAILURES {
            fail(&throttle, "admin", None, now);
        }
        let later = now + Duration::from_secs(2);
        for n in 0..(MAX_ENTRIES + 10) {
            drop(throttle.begin(&format!("junk{n}"), HOME, later).unwrap());
        }
        assert_eq!(throttle.lock().len(), 1, "only admin's record");
        // admin's history is still there: one attempt at a time.
        let one = throttle.begin("admin", None, later).unwrap();
        assert_eq!(check(&throttle, "admin", None, later), Err(IN_FLIGHT_WAIT));
        drop(one);

        // Four guesses running when the real user logs in...
        let running: Vec<_> = (0..4)
            .map(|_| throttle.begin("alice", None, now).unwrap())
            .collect();
        throttle.begin("alice", None, now).unwrap().succeeded();
        // ...still count once they fail: with one more admitted now, five are counted or
        // running, and a sixth must wait for them.
        let fifth = throttle.begin("alice", None, now).unwrap();
        for attempt in running {
            attempt.failed(now);
        }
        assert_eq!(check(&throttle, "alice", None, now), Err(IN_FLIGHT_WAIT));
        fifth.failed(now);
        let sixth = throttle.begin("alice", None, now).unwrap();
        assert_eq!(check(&throttle, "alice", None, now), Err(IN_FLIGHT_WAIT));
        sixth.failed(now);
        assert_eq!(
            check(&throttle, "alice", None, now),
            Err(Duration::from_secs(1))
        );
    }

    /// An address past its allowance is delayed, but the users behind it are not made to wait
    /// for each other's password checks.
    #[test]
    fn an_address_past_its_allowance_is_not_made_to_queue() {
        let throttle = throttle();
        let now = Instant::now();
        for n in 0..ADDRESS_FREE_FAILURES {
            fail(&throttle, &format!("user{n}"), HOME, now);
        }
        let first = throttle.begin("carol", HOME, now).unwrap();
        let second = throttle.begin("dave", HOME, now).unwrap();
        first.succeeded();
        second.failed(now);
        assert!(check(&throttle, "erin", HOME, now).is_err(), "delayed now");
    }

    #[test]
    fn an_address_is_slowed_down_after_its_own_allowance() {
        let throttle = throttle();
        let now = Instant::now();
        for n in 0..ADDRESS_FREE_FAILURES {
            fail(&throttle, &format!("user{n}"), HOME, now);
        }
        assert_eq!(check(&throttle, "someone-else", HOME, now), Ok(()));
        fail(&throttle, "user-x", HOME, now);
        assert!(check(&throttle, "someone-else", HOME, now).is_err());
        assert_eq!(check(&throttle, "someone-else", None, now), Ok(()));
    }

    #[test]
    fn delays_are_capped_and_long_names_share_a_bounded_key() {
        let throttle = throttle();
        let long = "é".repeat(100);
        let mut now = Instant::now();
        for _ in 0..200 {
            if let Err(wait) = check(&throttle, &long, None, now) {
                now += wait;
            }
            fail(&throttle, &long, None, now);
        }
        assert_eq!(check(&throttle, &long, None, now), Err(MAX_DELAY));
        let mut other = "é".repeat(40);
        other.push('x');
        assert!(
            check(&throttle, &other, None, now).is_err(),
            "same first 64 bytes"
        );
    }

    #[test]
    fn the_table_stays_bounded() {
        let throttle = throttle();
        let now = Instant::now();
        for n in 0..(MAX_ENTRIES + 50) {
            fail(&throttle, &format!("u{n}"), None, now);
        }
        assert!(throttle.lock().len() <= MAX_ENTRIES);
        // Running attempts are kept over quiet records when room is made, and still count.
        for _ in 0..USER_FREE_FAILURES {
            fail(&throttle, "running", None, now);
        }
        let running = throttle.begin("running", None, now).unwrap();
        for n in 0..100 {
            fail(&throttle, &format!("v{n}"), None, now);
        }
        assert!(throttle.lock().len() <= MAX_ENTRIES);
        assert_eq!(check(&throttle, "running", None, now), Err(IN_FLIGHT_WAIT));
        running.failed(now);
        assert!(check(&throttle, "running", None, now).is_err());
    }

    #[test]
    fn a_slot_moved_to_another_thread_is_freed_when_that_thread_is_done() {
        let throttle = throttle();
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
        let throttle = throttle();
        let slots: Vec<_> = (0..MAX_CONCURRENT_HASHES)
            .map(|_| throttle.hash_slot().unwrap())
            .collect();
        assert!(throttle.hash_slot().is_none());
        drop(slots);
        assert!(throttle.hash_slot().is_some());
    }
}
