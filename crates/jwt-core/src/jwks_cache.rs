//! When to fetch a remote JWK Set, and what to do with the answer: the cache policy, with no I/O.
//!
//! Identity providers publish their keys at a URL and rotate them. The failure modes of the
//! known clients are what this module is built against: never refetching on an unknown `kid`
//! (a rotation locks every user out until the cache expires), refetching on every unknown `kid`
//! (anyone can make the service hammer the provider), and one failed refresh emptying the cache
//! (a provider hiccup takes authentication down). So:
//!
//! - keys are kept for `max-age` (from `Cache-Control`, clamped, else a default), then refreshed;
//! - an unknown `kid` triggers a refetch at most once per cooldown;
//! - one fetch at a time, however many requests want one (a [`FetchPermit`] is the right to fetch);
//! - when fetching fails, the last good set keeps serving for a bounded time (stale-if-error);
//! - bodies and key counts are bounded; unusable keys are skipped with a reason; `oct` (secret)
//!   keys and private keys (`d`) are never taken from a remote set, since a published secret or
//!   private key lets anyone forge tokens.
//!
//! The adapter that does the HTTP (e.g. for actix) asks [`JwksCache::due`] or
//! [`JwksCache::on_unknown_key`] whether to fetch, performs the request with its own timeouts,
//! and hands the result to [`JwksCache::complete`]. Time comes from a [`Clock`], so the whole
//! policy is unit-tested with a fake one.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::algorithm::{Algorithm, Family};
use crate::jwk::{JwkSet, SkippedKey};
use crate::key_set::{KeySet, KeyStore};
use crate::validation::{Clock, SystemClock};

/// The knobs of the cache policy. Defaults follow panva/jose where it has one.
#[derive(Clone, Debug)]
pub struct JwksPolicy {
    /// Cache lifetime when the response has no usable `Cache-Control: max-age` (default 600 s).
    pub default_max_age: u64,
    /// Bounds applied to a `max-age` from the provider (default 60 s ..= 86 400 s).
    pub min_max_age: u64,
    /// See [`JwksPolicy::min_max_age`].
    pub max_max_age: u64,
    /// Least time between two refetches caused by unknown `kid`s (default 30 s).
    pub cooldown: u64,
    /// How long the last good set keeps serving after it expired while fetches fail
    /// (default 3 600 s). After that the cache is empty and verification fails closed.
    pub stale_if_error: u64,
    /// Largest response body accepted, in bytes (default 256 KiB).
    pub max_body_bytes: usize,
    /// Most keys accepted in one set (default 100).
    pub max_keys: usize,
    /// Algorithms for keys without `alg`: each is bound to the first one its type fits.
    pub fallback_algorithms: Vec<Algorithm>,
}

impl Default for JwksPolicy {
    fn default() -> Self {
        JwksPolicy {
            default_max_age: 600,
            min_max_age: 60,
            max_max_age: 86_400,
            cooldown: 30,
            stale_if_error: 3_600,
            max_body_bytes: 256 * 1024,
            max_keys: 100,
            fallback_algorithms: vec![Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA],
        }
    }
}

/// Why a fetch produced no usable key set. The adapter reports transport failures; the cache
/// reports what it found wrong with a response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchFailure {
    /// The request did not complete in time.
    Timeout,
    /// No connection could be made.
    Unreachable,
    /// The TLS handshake failed: typically the server's certificate is not trusted or does not
    /// name the host.
    Tls,
    /// The server answered with a non-success status.
    Status(u16),
    /// The body was larger than [`JwksPolicy::max_body_bytes`].
    TooLarge,
    /// The body was not a JWK Set (or had more than [`JwksPolicy::max_keys`] keys).
    NotAJwkSet,
    /// The set held no key this verifier can use.
    NoUsableKeys,
    /// The OpenID Connect discovery document was unusable (not JSON, another issuer, a refused
    /// `jwks_uri`).
    Discovery,
    /// [`JwksCache::complete`] was handed a permit of another cache (a programming error):
    /// nothing changed here, and the other cache's fetch slot was released.
    ForeignPermit,
}

impl FetchFailure {
    /// A stable, machine-readable code (`timeout`, `status`, ...) for logs and metrics.
    pub const fn code(&self) -> &'static str {
        match self {
            FetchFailure::Timeout => "timeout",
            FetchFailure::Unreachable => "unreachable",
            FetchFailure::Tls => "tls",
            FetchFailure::Status(_) => "status",
            FetchFailure::TooLarge => "too_large",
            FetchFailure::NotAJwkSet => "not_a_jwk_set",
            FetchFailure::NoUsableKeys => "no_usable_keys",
            FetchFailure::Discovery => "discovery",
            FetchFailure::ForeignPermit => "foreign_permit",
        }
    }
}

impl fmt::Display for FetchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchFailure::Timeout => f.write_str("the JWKS request timed out"),
            FetchFailure::Unreachable => f.write_str("the JWKS server could not be reached"),
            FetchFailure::Tls => f.write_str(
                "the TLS handshake with the JWKS server failed (certificate not trusted or not for this host)",
            ),
            FetchFailure::Status(code) => write!(f, "the JWKS server answered {code}"),
            FetchFailure::TooLarge => f.write_str("the JWKS response is larger than the limit"),
            FetchFailure::NotAJwkSet => f.write_str("the JWKS response is not a usable JWK Set"),
            FetchFailure::NoUsableKeys => f.write_str("the JWKS response has no usable keys"),
            FetchFailure::Discovery => {
                f.write_str("the OpenID Connect discovery document is unusable")
            }
            FetchFailure::ForeignPermit => {
                f.write_str("internal: a fetch permit was completed on another cache")
            }
        }
    }
}

/// What the cache wants the adapter to do.
#[derive(Debug)]
#[must_use = "a permit that is dropped without `complete` releases the fetch slot"]
pub enum FetchDecision {
    /// Fetch now, and hand the result to [`JwksCache::complete`] with this permit.
    Fetch(FetchPermit),
    /// Another fetch is under way; wait for it (or verify with the current keys).
    InFlight,
    /// Too soon: an unknown `kid` asked for a refetch within the cooldown of the last one, or a
    /// fetch failed less than a cooldown ago.
    CoolingDown,
    /// The keys are fresh; nothing to do.
    Fresh,
}

/// The right to perform the one fetch in flight. Dropping it without completing releases it.
pub struct FetchPermit {
    state: Arc<Mutex<State>>,
    done: bool,
}

impl fmt::Debug for FetchPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FetchPermit")
    }
}

impl Drop for FetchPermit {
    fn drop(&mut self) {
        if !self.done {
            lock(&self.state).in_flight = false;
        }
    }
}

/// What a completed fetch changed.
#[derive(Debug)]
#[non_exhaustive]
pub enum FetchCompletion {
    /// A new key set is in use; entries that could not be used are listed with why.
    Updated {
        /// Number of keys now in use.
        keys: usize,
        /// Whether the keys (by `kid`, algorithm and key material) differ from the previous set.
        changed: bool,
        /// When the set expires (Unix seconds).
        expires_at: u64,
        /// Entries skipped, with reasons.
        skipped: Vec<SkippedKey>,
        /// Seconds until the next scheduled refresh.
        max_age: u64,
    },
    /// The fetch failed; the previous keys keep serving until `stale_until` (Unix seconds), if any.
    Failed {
        /// Why.
        failure: FetchFailure,
        /// When the last good set stops being served, if there is one.
        stale_until: Option<u64>,
    },
}

#[derive(Debug, Default)]
struct State {
    /// When the current set expires (Unix seconds); `None` before the first success.
    expires_at: Option<u64>,
    /// When the last refetch for an unknown `kid` started.
    last_forced: Option<u64>,
    /// After a failed fetch, no new fetch before this moment (backoff of one cooldown).
    retry_at: Option<u64>,
    in_flight: bool,
    has_keys: bool,
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The cache policy for one remote JWK Set, feeding a [`KeyStore`] that verifiers use.
///
/// ```
/// use jwt_core::{FetchDecision, FixedClock, JwksCache, JwksPolicy, Verifier};
///
/// let cache = JwksCache::with_clock(JwksPolicy::default(), FixedClock(1_000));
/// let verifier = Verifier::with_key_store(cache.key_store().clone());
/// let FetchDecision::Fetch(permit) = cache.due() else { unreachable!("nothing cached yet") };
/// // ... the adapter fetches https://issuer.example/jwks.json ...
/// let body = br#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
/// cache.complete(permit, Ok(body), Some("public, max-age=300"));
/// assert_eq!(verifier.key_set().len(), 1);
/// assert!(matches!(cache.due(), FetchDecision::Fresh));
/// ```
pub struct JwksCache {
    policy: JwksPolicy,
    store: KeyStore,
    state: Arc<Mutex<State>>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("policy", &self.policy)
            .field("state", &*lock(&self.state))
            .finish_non_exhaustive()
    }
}

impl JwksCache {
    /// An empty cache on the system clock.
    pub fn new(policy: JwksPolicy) -> Self {
        Self::with_clock(policy, SystemClock)
    }

    /// An empty cache on `clock` (inject a fake one in tests).
    pub fn with_clock(policy: JwksPolicy, clock: impl Clock) -> Self {
        JwksCache {
            policy,
            store: KeyStore::new(KeySet::default()),
            state: Arc::new(Mutex::new(State::default())),
            clock: Arc::new(clock),
        }
    }

    /// The store the cache keeps current; build verifiers on it.
    pub const fn key_store(&self) -> &KeyStore {
        &self.store
    }

    /// The policy.
    pub const fn policy(&self) -> &JwksPolicy {
        &self.policy
    }

    /// Whether a scheduled fetch is due: nothing cached yet, or the set has expired.
    ///
    /// After a failed fetch it answers [`FetchDecision::CoolingDown`] for one cooldown, so a
    /// provider that is down is not asked again on every call. Like
    /// [`expire_stale`](Self::expire_stale), it first drops a set kept past
    /// [`JwksPolicy::stale_if_error`]:
    /// an adapter that asks it before each use (cheap: one clock read and one uncontended
    /// lock) enforces `max-age` and the stale bound without any background task.
    pub fn due(&self) -> FetchDecision {
        let now = self.clock.now_unix();
        let mut state = lock(&self.state);
        if state.expires_at.is_some_and(|expires| now < expires) {
            return FetchDecision::Fresh;
        }
        self.drop_if_too_stale(&mut state, now);
        if state.in_flight {
            return FetchDecision::InFlight;
        }
        if state.retry_at.is_some_and(|retry| now < retry) {
            return FetchDecision::CoolingDown;
        }
        self.permit(&mut state)
    }

    /// A token named a `kid` (or algorithm) the current set lacks: refetch, unless one is in
    /// flight or the last such refetch was less than [`JwksPolicy::cooldown`] ago.
    pub fn on_unknown_key(&self) -> FetchDecision {
        let now = self.clock.now_unix();
        let mut state = lock(&self.state);
        if state.in_flight {
            return FetchDecision::InFlight;
        }
        if state.retry_at.is_some_and(|retry| now < retry) {
            return FetchDecision::CoolingDown;
        }
        // Before the first successful load, an unknown kid is simply "no keys yet": fetching
        // then must not start the cooldown that would delay the next genuine rotation.
        if state.has_keys {
            if state
                .last_forced
                .is_some_and(|last| now < last.saturating_add(self.policy.cooldown))
            {
                return FetchDecision::CoolingDown;
            }
            state.last_forced = Some(now);
        }
        self.permit(&mut state)
    }

    fn permit(&self, state: &mut State) -> FetchDecision {
        if state.in_flight {
            return FetchDecision::InFlight;
        }
        state.in_flight = true;
        FetchDecision::Fetch(FetchPermit {
            state: Arc::clone(&self.state),
            done: false,
        })
    }

    /// Takes the result of a fetch: the body (or why there is none) and the `Cache-Control`
    /// header. A usable set replaces the keys at once; anything else keeps the last good set
    /// until it is stale beyond [`JwksPolicy::stale_if_error`], then empties the store.
    pub fn complete(
        &self,
        mut permit: FetchPermit,
        body: Result<&[u8], FetchFailure>,
        cache_control: Option<&str>,
    ) -> FetchCompletion {
        if !Arc::ptr_eq(&permit.state, &self.state) {
            // Dropped undone, the permit frees its own cache's slot; this cache's fetch in
            // flight (if any) is none of its business.
            drop(permit);
            return FetchCompletion::Failed {
                failure: FetchFailure::ForeignPermit,
                stale_until: None,
            };
        }
        let now = self.clock.now_unix();
        permit.done = true;
        let parsed = body.and_then(|body| self.parse(body));
        let mut state = lock(&self.state);
        state.in_flight = false;
        match parsed {
            Ok((keys, skipped)) => {
                let max_age = self.max_age(cache_control);
                let expires_at = now.saturating_add(max_age);
                let count = keys.len();
                let changed = !same_keys(&self.store.snapshot(), &keys);
                self.store.replace(keys);
                state.has_keys = true;
                state.expires_at = Some(expires_at);
                state.retry_at = None;
                FetchCompletion::Updated {
                    keys: count,
                    changed,
                    expires_at,
                    skipped,
                    max_age,
                }
            }
            Err(failure) => {
                state.retry_at = Some(now.saturating_add(self.policy.cooldown));
                let stale_until = state
                    .expires_at
                    .filter(|_| state.has_keys)
                    .map(|expires| expires.saturating_add(self.policy.stale_if_error));
                if stale_until.is_some_and(|until| now >= until) {
                    self.store.replace(KeySet::default());
                    state.has_keys = false;
                }
                FetchCompletion::Failed {
                    failure,
                    stale_until: stale_until.filter(|until| now < *until),
                }
            }
        }
    }

    /// Drops keys that have been stale for longer than allowed; adapters call it when they
    /// cannot fetch at all (so a dead provider cannot keep old keys alive forever).
    pub fn expire_stale(&self) {
        let now = self.clock.now_unix();
        self.drop_if_too_stale(&mut lock(&self.state), now);
    }

    /// Seconds the current set stays fresh (0 once it has expired), or `None` before a set was
    /// ever loaded: when a scheduled refresh is next due.
    pub fn fresh_for(&self) -> Option<u64> {
        let now = self.clock.now_unix();
        lock(&self.state)
            .expires_at
            .map(|expires| expires.saturating_sub(now))
    }

    fn drop_if_too_stale(&self, state: &mut State, now: u64) {
        let too_old = state
            .expires_at
            .is_some_and(|expires| now >= expires.saturating_add(self.policy.stale_if_error));
        if state.has_keys && too_old {
            self.store.replace(KeySet::default());
            state.has_keys = false;
        }
    }

    fn parse(&self, body: &[u8]) -> Result<(KeySet, Vec<SkippedKey>), FetchFailure> {
        if body.len() > self.policy.max_body_bytes {
            return Err(FetchFailure::TooLarge);
        }
        let text = std::str::from_utf8(body).map_err(|_| FetchFailure::NotAJwkSet)?;
        let set = JwkSet::from_json_with_limit(text, self.policy.max_keys)
            .map_err(|_| FetchFailure::NotAJwkSet)?;
        let mut skipped = Vec::new();
        let public = set.entries().filter_map(|(index, jwk)| {
            let refused = if jwk.family() == Family::Hmac {
                Some("a remote JWK Set never supplies secret (oct) keys")
            } else if jwk.is_private() {
                // A published private key lets anyone sign: the provider has leaked it.
                Some("a remote JWK Set must not contain private key material (d)")
            } else {
                None
            };
            match refused {
                Some(reason) => {
                    skipped.push(SkippedKey::new(
                        index,
                        jwk.kid().map(str::to_owned),
                        crate::Error::UnsupportedKey(reason.into()),
                    ));
                    None
                }
                None => Some((index, jwk.clone())),
            }
        });
        let public = JwkSet::from_positioned(public.collect(), set.skipped().to_vec());
        let (keys, more) = KeySet::from_jwk_set(&public, &self.policy.fallback_algorithms);
        skipped.extend(more);
        skipped.sort_by_key(SkippedKey::index);
        if keys.is_empty() {
            return Err(FetchFailure::NoUsableKeys);
        }
        Ok((keys, skipped))
    }

    /// `max-age` from `Cache-Control`, clamped; `no-store`/`no-cache` mean the minimum.
    fn max_age(&self, cache_control: Option<&str>) -> u64 {
        let policy = &self.policy;
        let Some(header) = cache_control else {
            return policy.default_max_age;
        };
        let mut max_age = None;
        for directive in header.split(',').map(str::trim) {
            let lower = directive.to_ascii_lowercase();
            if lower == "no-store" || lower == "no-cache" {
                return policy.min_max_age;
            }
            if let Some(value) = lower.strip_prefix("max-age=") {
                let digits = value.trim_matches('"');
                max_age = match digits.parse::<u64>() {
                    Ok(age) => Some(age),
                    // RFC 9111 §1.2.2: a delta-seconds too large to hold means "very large".
                    Err(_) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                        Some(u64::MAX)
                    }
                    Err(_) => None,
                };
            }
        }
        // Never `clamp`: it panics on a policy whose bounds are the wrong way round.
        max_age.map_or(policy.default_max_age, |age| {
            age.max(policy.min_max_age).min(policy.max_max_age)
        })
    }
}

/// Whether two sets hold the same keys: `kid`, algorithm and key material (by RFC 7638
/// thumbprint), order ignored. A key replaced under an unchanged `kid` is a change, and one
/// worth reporting.
fn same_keys(a: &KeySet, b: &KeySet) -> bool {
    let ids = |set: &KeySet| {
        let mut ids: Vec<(Option<String>, &'static str, Option<String>)> = set
            .keys()
            .iter()
            .map(|key| {
                let print = key.to_jwk().ok().map(|jwk| jwk.thumbprint());
                (key.kid().map(str::to_owned), key.algorithm().name(), print)
            })
            .collect();
        ids.sort();
        ids
    };
    ids(a) == ids(b)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// A clock the test moves by hand.
    #[derive(Clone, Default)]
    struct Manual(Arc<AtomicU64>);

    impl Clock for Manual {
        fn now_unix(&self) -> u64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    impl Manual {
        fn set(&self, now: u64) {
            self.0.store(now, Ordering::SeqCst);
        }
    }

    const ED: &str = r#"{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
    const EC: &str = r#"{"kty":"EC","crv":"P-256","kid":"ec","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;

    fn set(keys: &[&str]) -> Vec<u8> {
        format!(r#"{{"keys":[{}]}}"#, keys.join(",")).into_bytes()
    }

    fn cache() -> (JwksCache, Manual) {
        let clock = Manual::default();
        clock.set(1_000);
        (
            JwksCache::with_clock(JwksPolicy::default(), clock.clone()),
            clock,
        )
    }

    fn fetch(
        cache: &JwksCache,
        decision: FetchDecision,
        body: Result<&[u8], FetchFailure>,
        cc: Option<&str>,
    ) -> FetchCompletion {
        match decision {
            FetchDecision::Fetch(permit) => cache.complete(permit, body, cc),
            other => panic!("expected a fetch, got {other:?}"),
        }
    }

    fn kids(cache: &JwksCache) -> Vec<String> {
        let keys = cache.key_store().snapshot();
        keys.keys()
            .iter()
            .filter_map(|k| k.kid().map(str::to_owned))
            .collect()
    }

    #[test]
    fn first_fetch_then_fresh_until_max_age() {
        let (cache, clock) = cache();
        let done = fetch(&cache, cache.due(), Ok(&set(&[ED])), Some("max-age=120"));
        assert!(matches!(
            done,
            FetchCompletion::Updated {
                keys: 1,
                max_age: 120,
                ..
            }
        ));
        assert_eq!(kids(&cache), ["ed"]);
        clock.set(1_119);
        assert!(matches!(cache.due(), FetchDecision::Fresh));
        clock.set(1_120);
        assert!(matches!(cache.due(), FetchDecision::Fetch(_)));
    }

    #[test]
    fn max_age_is_clamped_and_defaults() {
        let (cache, _) = cache();
        assert_eq!(cache.max_age(None), 600);
        assert_eq!(cache.max_age(Some("public, max-age=5")), 60);
        assert_eq!(cache.max_age(Some("max-age=999999999")), 86_400);
        assert_eq!(cache.max_age(Some("no-store")), 60);
        assert_eq!(cache.max_age(Some("Max-Age=\"300\", public")), 300);
        assert_eq!(cache.max_age(Some("max-age=abc")), 600);
        // Too large to hold is "very large" (RFC 9111 §1.2.2), not "absent".
        assert_eq!(
            cache.max_age(Some("max-age=99999999999999999999999")),
            86_400
        );
        assert_eq!(cache.max_age(Some("max-age=")), 600);
    }

    #[test]
    fn a_policy_with_its_bounds_the_wrong_way_round_does_not_panic() {
        let policy = JwksPolicy {
            min_max_age: 3_600,
            max_max_age: 60,
            ..JwksPolicy::default()
        };
        let cache = JwksCache::with_clock(policy, crate::FixedClock(1_000));
        // Bounds the wrong way round: a header's max-age ends at the upper bound; no header
        // means the default and `no-store` the lower bound, both as configured.
        for (header, expected) in [
            (None, 600),
            (Some("max-age=300"), 60),
            (Some("no-store"), 3_600),
            (Some("max-age=1"), 60),
            (Some("max-age=99999999999999999999999"), 60),
        ] {
            assert_eq!(cache.max_age(header), expected, "{header:?}");
        }
        let done = fetch(&cache, cache.due(), Ok(&set(&[ED])), Some("max-age=300"));
        assert!(matches!(done, FetchCompletion::Updated { keys: 1, .. }));
    }

    #[test]
    fn reject_f2_private_keys_in_a_remote_set() {
        // RFC 8037 A.1: the same Ed25519 key, once public and once with its private part.
        const PRIVATE: &str = r#"{"kty":"OKP","crv":"Ed25519","kid":"leaked","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let (cache, _) = cache();
        let done = fetch(&cache, cache.due(), Ok(&set(&[PRIVATE, EC])), None);
        let FetchCompletion::Updated { keys, skipped, .. } = done else {
            panic!("{done:?}")
        };
        assert_eq!(keys, 1);
        assert_eq!(kids(&cache), ["ec"]);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].kid(), Some("leaked"));
        assert!(
            skipped[0]
                .error()
                .to_string()
                .contains("private key material")
        );
        // A set of nothing but private keys is unusable.
        let (only_private, _) = self::cache();
        let done = fetch(
            &only_private,
            only_private.due(),
            Ok(&set(&[PRIVATE])),
            None,
        );
        assert!(matches!(
            done,
            FetchCompletion::Failed {
                failure: FetchFailure::NoUsableKeys,
                ..
            }
        ));
    }

    #[test]
    fn an_ec_point_off_its_curve_is_skipped_with_a_reason() {
        // x = y = 1 on P-256: the right form and length, not a point of the curve.
        const OFF_CURVE: &str = r#"{"kty":"EC","crv":"P-256","kid":"bad","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}"#;
        let (cache, _) = cache();
        let done = fetch(&cache, cache.due(), Ok(&set(&[OFF_CURVE, EC])), None);
        let FetchCompletion::Updated { keys, skipped, .. } = done else {
            panic!("{done:?}")
        };
        assert_eq!((keys, kids(&cache)), (1, vec!["ec".to_owned()]));
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].kid(), Some("bad"));
        assert!(skipped[0].error().to_string().contains("not a point"));
    }

    #[test]
    fn a_permit_completed_on_another_cache_changes_nothing_and_frees_its_slot() {
        let (first, _) = cache();
        let (second, _) = self::cache();
        let FetchDecision::Fetch(foreign) = first.due() else {
            panic!("a fetch is due")
        };
        let own = second.due();
        assert!(matches!(own, FetchDecision::Fetch(_)));
        let done = second.complete(foreign, Ok(&set(&[ED])), None);
        assert!(matches!(
            done,
            FetchCompletion::Failed {
                failure: FetchFailure::ForeignPermit,
                stale_until: None
            }
        ));
        assert!(kids(&second).is_empty() && kids(&first).is_empty());
        assert!(
            matches!(second.due(), FetchDecision::InFlight),
            "its own fetch still runs"
        );
        assert!(
            matches!(first.due(), FetchDecision::Fetch(_)),
            "the slot was freed"
        );
        drop(own);
    }

    #[test]
    fn a_key_replaced_under_the_same_kid_is_a_change() {
        const SAME_KID_OTHER_KEY: &str = r#"{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"PUAXw-hDiVqStwqnTRt-vJyYLM8uxJaMwM1V8Sr0Zgw"}"#;
        let (cache, clock) = cache();
        let _ = fetch(&cache, cache.due(), Ok(&set(&[ED])), Some("max-age=60"));
        clock.set(1_060);
        let again = fetch(&cache, cache.due(), Ok(&set(&[ED])), Some("max-age=60"));
        assert!(matches!(
            again,
            FetchCompletion::Updated { changed: false, .. }
        ));
        clock.set(1_120);
        let swapped = fetch(&cache, cache.due(), Ok(&set(&[SAME_KID_OTHER_KEY])), None);
        assert!(matches!(
            swapped,
            FetchCompletion::Updated { changed: true, .. }
        ));
        assert_eq!(kids(&cache), ["ed"]);
    }

    #[test]
    fn due_enforces_the_stale_bound_and_fresh_for_counts_down() {
        let (cache, clock) = cache();
        assert_eq!(cache.fresh_for(), None);
        let _ = fetch(&cache, cache.due(), Ok(&set(&[ED])), Some("max-age=60"));
        assert_eq!(cache.fresh_for(), Some(60));
        clock.set(1_045);
        assert_eq!(cache.fresh_for(), Some(15));
        // Expired: a fetch is due, the keys still serve (stale-if-error) while it runs.
        clock.set(1_060);
        assert_eq!(cache.fresh_for(), Some(0));
        let failed = fetch(&cache, cache.due(), Err(FetchFailure::Timeout), None);
        assert!(matches!(
            failed,
            FetchCompletion::Failed {
                stale_until: Some(4_660),
                ..
            }
        ));
        assert_eq!(kids(&cache), ["ed"]);
        // Past the bound, asking whether a fetch is due drops them (no refresher needed).
        clock.set(4_659);
        let decision = cache.due();
        assert_eq!(kids(&cache), ["ed"]);
        drop(decision);
        clock.set(4_660);
        let decision = cache.due();
        assert!(matches!(decision, FetchDecision::Fetch(_)), "{decision:?}");
        assert!(
            kids(&cache).is_empty(),
            "stale beyond the bound: fail closed"
        );
    }

    #[test]
    fn unknown_kid_refetches_once_per_cooldown() {
        let (cache, clock) = cache();
        // Before anything is loaded, unknown kids fetch without starting the cooldown.
        let first = fetch(&cache, cache.on_unknown_key(), Ok(&set(&[ED])), None);
        assert!(matches!(
            first,
            FetchCompletion::Updated { changed: true, .. }
        ));
        let second = fetch(&cache, cache.on_unknown_key(), Ok(&set(&[ED, EC])), None);
        assert!(matches!(
            second,
            FetchCompletion::Updated {
                changed: true,
                keys: 2,
                ..
            }
        ));
        assert_eq!(kids(&cache), ["ed", "ec"]);
        clock.set(1_029);
        assert!(matches!(cache.on_unknown_key(), FetchDecision::CoolingDown));
        clock.set(1_030);
        let same = fetch(&cache, cache.on_unknown_key(), Ok(&set(&[EC, ED])), None);
        assert!(
            matches!(same, FetchCompletion::Updated { changed: false, .. }),
            "{same:?}"
        );
        assert_eq!(FetchFailure::Status(500).code(), "status");
    }

    #[test]
    fn single_flight_however_many_ask() {
        let (cache, _) = cache();
        let first = cache.due();
        assert!(matches!(first, FetchDecision::Fetch(_)));
        for _ in 0..100 {
            assert!(matches!(cache.due(), FetchDecision::InFlight));
            assert!(matches!(cache.on_unknown_key(), FetchDecision::InFlight));
        }
        drop(first); // abandoned: the slot is released
        assert!(matches!(cache.due(), FetchDecision::Fetch(_)));
    }

    #[test]
    fn failures_keep_the_last_good_set_for_a_bounded_time() {
        let (cache, clock) = cache();
        let _ = fetch(&cache, cache.due(), Ok(&set(&[ED])), Some("max-age=60"));
        let mut now = 1_060;
        for failure in [
            FetchFailure::Timeout,
            FetchFailure::Status(500),
            FetchFailure::Unreachable,
        ] {
            clock.set(now);
            now += 30;
            let done = fetch(&cache, cache.due(), Err(failure), None);
            // Backoff: no new fetch within one cooldown of a failure.
            assert!(matches!(cache.due(), FetchDecision::CoolingDown));
            assert!(matches!(cache.on_unknown_key(), FetchDecision::CoolingDown));
            assert!(
                matches!(
                    done,
                    FetchCompletion::Failed {
                        stale_until: Some(4_660),
                        ..
                    }
                ),
                "{done:?}"
            );
            assert_eq!(kids(&cache), ["ed"]);
        }
        for body in [
            &b"{not json"[..],
            b"[]",
            br#"{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"}]}"#,
        ] {
            clock.set(now);
            now += 30;
            let done = fetch(&cache, cache.due(), Ok(body), None);
            assert!(matches!(done, FetchCompletion::Failed { .. }), "{done:?}");
            assert_eq!(kids(&cache), ["ed"]);
        }
        clock.set(4_660);
        let done = fetch(&cache, cache.due(), Err(FetchFailure::Timeout), None);
        assert!(matches!(
            done,
            FetchCompletion::Failed {
                stale_until: None,
                ..
            }
        ));
        assert!(
            kids(&cache).is_empty(),
            "stale beyond the bound: fail closed"
        );
    }

    #[test]
    fn expire_stale_without_fetching() {
        let (cache, clock) = cache();
        let _ = fetch(&cache, cache.due(), Ok(&set(&[ED])), Some("max-age=60"));
        clock.set(4_659);
        cache.expire_stale();
        assert_eq!(kids(&cache), ["ed"]);
        clock.set(4_660);
        cache.expire_stale();
        assert!(kids(&cache).is_empty());
    }

    #[test]
    fn reject_f2_oversized_sets_too_many_keys_and_secret_keys() {
        let (cache, clock) = cache();
        let huge = vec![b' '; 256 * 1024 + 1];
        assert!(matches!(
            fetch(&cache, cache.due(), Ok(&huge), None),
            FetchCompletion::Failed {
                failure: FetchFailure::TooLarge,
                ..
            }
        ));
        clock.set(1_030);
        let many: Vec<&str> = std::iter::repeat_n(ED, 101).collect();
        assert!(matches!(
            fetch(&cache, cache.due(), Ok(&set(&many)), None),
            FetchCompletion::Failed {
                failure: FetchFailure::NotAJwkSet,
                ..
            }
        ));
        let oct = r#"{"kty":"oct","kid":"s","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"}"#;
        let p521 = r#"{"kty":"EC","crv":"P-521","kid":"p","x":"AA","y":"AA"}"#;
        clock.set(1_060);
        match fetch(&cache, cache.due(), Ok(&set(&[oct, ED, p521])), None) {
            FetchCompletion::Updated { keys, skipped, .. } => {
                assert_eq!(keys, 1);
                let positions: Vec<usize> = skipped.iter().map(SkippedKey::index).collect();
                assert_eq!(positions, [0, 2]);
                assert!(skipped[0].error().to_string().contains("secret"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(kids(&cache), ["ed"]);
    }
}
