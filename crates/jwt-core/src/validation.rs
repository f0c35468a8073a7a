//! What a verifier demands of a token's claims and type, and where it gets the time from.
//!
//! Defaults are the strict ones: `exp` must be present; `exp` and `nbf` are checked whenever they
//! are present (there is no switch to turn that off); no leeway; a token that carries an audience
//! is rejected unless the verifier names the audiences it answers to (RFC 7519 §4.1.3). Configuring
//! an issuer, audience or subject makes the claim required.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The largest leeway accepted, in seconds; larger requests are clamped to it.
///
/// RFC 7519 speaks of "a few minutes"; more than that turns expiry into a suggestion.
pub const MAX_LEEWAY_SECS: u64 = 300;

/// A source of the current time as seconds since the Unix epoch.
///
/// Inject a fixed clock in tests instead of sleeping:
///
/// ```
/// use jwt_core::{FixedClock, Validation};
///
/// let validation = Validation::new().clock(FixedClock(1_700_000_000));
/// # let _ = validation;
/// ```
pub trait Clock: Send + Sync + 'static {
    /// Seconds since 1970-01-01T00:00:00Z.
    fn now_unix(&self) -> u64;
}

/// The system's wall clock, read coarsely: claims are whole seconds.
///
/// On Linux and Android it reads the kernel's coarse realtime clock (`CLOCK_REALTIME_COARSE`,
/// through libc and the vDSO), which the kernel updates every tick (1 to 10 ms): a read costs a
/// few nanoseconds, where a precise one (`SystemTime::now`) reads the CPU's time-stamp counter and,
/// on the virtual machines this was measured on, costs 55 to 70 ns, a twentieth of a whole
/// HS256 verification.
///
/// The coarse time trails the true time by up to a tick, so [`COARSE_CLOCK_MARGIN_MS`] is
/// added to it: the time this clock gives is not behind a precise clock's (a token made a
/// moment ago with `nbf` or `iat` set to the issuer's precise "now" is not refused as not yet
/// valid) unless the kernel's timekeeping itself stalls for longer than the margin (a vCPU held
/// up for tens of milliseconds), and ahead of it by at most that margin: a token is refused that much before its
/// `exp` second ends, and its `nbf` honoured that much early. Elsewhere, or if the kernel
/// refuses the coarse clock, it is `SystemTime::now`.
///
/// It is made for checking tokens. To stamp `iat` or `nbf` on a token you issue, use
/// `SystemTime::now`: a verifier elsewhere that reads a precise clock and allows no leeway
/// could see a time taken from this clock as a few milliseconds in the future.
///
/// ```
/// use jwt_core::{Clock, SystemClock};
/// use std::time::{SystemTime, UNIX_EPOCH};
///
/// let precise = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
/// let coarse = SystemClock.now_unix();
/// assert!(coarse >= precise && coarse <= precise + 1);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

/// What [`SystemClock`] adds to the kernel's coarse clock, in milliseconds: twice the longest
/// kernel tick (10 ms, at 100 Hz), so that its time is not behind the precise time.
pub const COARSE_CLOCK_MARGIN_MS: u64 = 20;

impl Clock for SystemClock {
    fn now_unix(&self) -> u64 {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Some(now) = coarse_now_unix() {
            return now;
        }
        precise_now_unix()
    }
}

/// The coarse clock plus its margin, in whole seconds; `None` if the kernel refuses it.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[inline]
fn coarse_now_unix() -> Option<u64> {
    use rustix::time::{ClockId, DynamicClockId, clock_gettime_dynamic};
    // The dynamic form reports a refusal instead of panicking on unusual kernels.
    let now = clock_gettime_dynamic(DynamicClockId::Known(ClockId::RealtimeCoarse)).ok()?;
    let seconds = u64::try_from(now.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(now.tv_nsec)
        .unwrap_or(0)
        .saturating_add(COARSE_CLOCK_MARGIN_MS.saturating_mul(1_000_000));
    Some(seconds.saturating_add(nanos / 1_000_000_000))
}

/// `SystemTime::now` in whole seconds; 0 before the epoch.
fn precise_now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A clock stopped at the given Unix time, for tests and for checking tokens "as of" a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now_unix(&self) -> u64 {
        self.0
    }
}

/// The claim checks a [`Verifier`](crate::Verifier) applies after the signature is valid.
///
/// ```
/// use jwt_core::Validation;
///
/// let validation = Validation::new()
///     .issuer("https://issuer.example")
///     .audience("api")
///     .leeway(30)
///     .require("sub");
/// # let _ = validation;
/// ```
#[derive(Clone)]
pub struct Validation {
    pub(crate) leeway: u64,
    pub(crate) require_exp: bool,
    pub(crate) required: Vec<Cow<'static, str>>,
    pub(crate) issuers: Vec<Box<str>>,
    pub(crate) audiences: Vec<Box<str>>,
    pub(crate) subject: Option<Box<str>>,
    pub(crate) typ: Option<Box<str>>,
    pub(crate) reject_future_iat: bool,
    pub(crate) max_age: Option<u64>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Default for Validation {
    fn default() -> Self {
        Self::new()
    }
}

impl Validation {
    /// Strict defaults: `exp` required, no leeway, no issuer/audience/subject/type expected.
    pub fn new() -> Self {
        Validation {
            leeway: 0,
            require_exp: true,
            required: Vec::new(),
            issuers: Vec::new(),
            audiences: Vec::new(),
            subject: None,
            typ: None,
            reject_future_iat: false,
            max_age: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// Accepts tokens from this issuer (exact, case-sensitive match); may be called repeatedly.
    /// Makes `iss` required.
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into().into_boxed_str());
        self
    }

    /// Accepts tokens for this audience (exact match against `aud` or any of its entries); may be
    /// called repeatedly. Makes `aud` required.
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into().into_boxed_str());
        self
    }

    /// Requires `sub` to equal `subject` exactly.
    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into().into_boxed_str());
        self
    }

    /// Requires the header `typ` to be this media type, compared as RFC 8725 §3.11 suggests:
    /// case-insensitively, with `application/` implied when absent (`at+jwt` matches
    /// `application/at+jwt` and `AT+JWT`).
    #[must_use]
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into().into_boxed_str());
        self
    }

    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds (default 0; at most
    /// [`MAX_LEEWAY_SECS`], larger values are clamped).
    #[must_use]
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds.min(MAX_LEEWAY_SECS);
        self
    }

    /// Requires a claim to be present (any name, registered or private).
    #[must_use]
    pub fn require(mut self, claim: impl Into<Cow<'static, str>>) -> Self {
        self.required.push(claim.into());
        self
    }

    /// Accepts tokens without `exp`. They are still checked when they carry one.
    ///
    /// Tokens that never expire cannot be revoked by waiting; prefer short-lived tokens.
    #[must_use]
    pub fn allow_missing_exp(mut self) -> Self {
        self.require_exp = false;
        self
    }

    /// Rejects tokens whose `iat` lies in the future (beyond the leeway).
    #[must_use]
    pub fn reject_issued_in_future(mut self) -> Self {
        self.reject_future_iat = true;
        self
    }

    /// Rejects tokens issued more than `seconds` ago (by `iat`, which becomes required).
    #[must_use]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Takes the current time from `clock` instead of the system clock.
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Whether the header type `found` is the configured type (true when none is configured).
    pub(crate) fn typ_matches(&self, found: Option<&str>) -> bool {
        match (&self.typ, found) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(expected), Some(found)) => media_type_eq(expected, found),
        }
    }
}

/// Compares two `typ` values per RFC 7515 §4.1.9: case-insensitive, `application/` optional.
fn media_type_eq(a: &str, b: &str) -> bool {
    fn strip(t: &str) -> &str {
        const PREFIX: &str = "application/";
        match t.get(..PREFIX.len()) {
            Some(head) if head.eq_ignore_ascii_case(PREFIX) => {
                t.get(PREFIX.len()..).unwrap_or_default()
            }
            _ => t,
        }
    }
    strip(a).eq_ignore_ascii_case(strip(b))
}

impl fmt::Debug for Validation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validation")
            .field("leeway", &self.leeway)
            .field("require_exp", &self.require_exp)
            .field("required", &self.required)
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("subject", &self.subject)
            .field("typ", &self.typ)
            .field("reject_future_iat", &self.reject_future_iat)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Never behind the precise clock, at most one second (the margin, across a second
    /// boundary) ahead: checked for 1.2 s of reads, so that at least one second boundary is
    /// crossed, where a clock that lags would give the second before. (A token made with the
    /// precise "now" as `nbf` and verified at once was refused there, about once in a few
    /// hundred tries, before the margin.)
    #[test]
    fn the_system_clock_is_never_behind_the_precise_clock() {
        let start = std::time::Instant::now();
        let mut reads = 0u64;
        while start.elapsed() < std::time::Duration::from_millis(1200) {
            let before = precise_now_unix();
            let coarse = SystemClock.now_unix();
            let after = precise_now_unix();
            assert!(
                coarse >= before && coarse <= after + 1,
                "{before} {coarse} {after}"
            );
            reads += 1;
        }
        assert!(reads > 1000, "{reads}");
        assert!(
            SystemClock.now_unix() > 1_700_000_000,
            "a plausible present"
        );
    }

    #[test]
    fn typ_comparison_follows_rfc_8725() {
        let v = Validation::new().typ("at+jwt");
        for ok in [
            "at+jwt",
            "AT+JWT",
            "application/at+jwt",
            "Application/AT+jwt",
        ] {
            assert!(v.typ_matches(Some(ok)), "{ok}");
        }
        for bad in [
            "at+jwt ",
            "JWT",
            "text/at+jwt",
            "application/application/at+jwt",
            "",
        ] {
            assert!(!v.typ_matches(Some(bad)), "{bad}");
        }
        assert!(!v.typ_matches(None));
        assert!(Validation::new().typ_matches(None));
    }

    #[test]
    fn leeway_is_clamped() {
        assert_eq!(Validation::new().leeway(u64::MAX).leeway, MAX_LEEWAY_SECS);
        assert_eq!(Validation::new().leeway(5).leeway, 5);
    }
}
