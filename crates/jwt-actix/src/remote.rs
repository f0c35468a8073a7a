//! A remote JWK Set (an identity provider's `jwks_uri`), fetched with `awc` and kept by
//! [`jwt_core::JwksCache`]: the [`KeyResolver`] most services want.
//!
//! Why here and not in `jwt-core`: the cache *policy* (when to fetch, what to keep when a fetch
//! fails, how often an unknown `kid` may cause a refetch) is I/O-free in `jwt-core` and tested
//! there with a fake clock. This module adds only what needs a runtime: the HTTP request with
//! its timeouts and size limit, OpenID Connect discovery, the waiting of concurrent requests for
//! the one fetch in flight, the background refresh, and the log lines.
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use jwt_actix::{Bearer, BearerConfig, RemoteJwks};
//! use jwt_core::{Validation, Verifier};
//!
//! # async fn me(user: Bearer) -> String { user.claims()["sub"].to_string() }
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     let jwks = RemoteJwks::from_issuer("https://auth.example")
//!         .build()
//!         .map_err(std::io::Error::other)?;
//!     // Optional: load the keys before serving (else the first request waits for them).
//!     let _ = jwks.refresh_if_due().await;
//!     jwks.spawn_refresher(); // scheduled refreshes, from this (the main) arbiter
//!     let verifier = Verifier::with_key_store(jwks.key_store().clone())
//!         .with_validation(Validation::new().issuer("https://auth.example").audience("api"));
//!     let auth = BearerConfig::new(verifier).key_resolver(jwks.clone());
//!     HttpServer::new(move || App::new().app_data(auth.clone()).route("/me", web::get().to(me)))
//!         .bind(("127.0.0.1", 8080))?
//!         .run()
//!         .await
//! }
//! ```
//!
//! # Behaviour
//!
//! - **HTTPS only**, with `rustls` on `ring` (TLS 1.2 and 1.3), trusting the Mozilla roots of
//!   `webpki-roots`, or only your own CA certificates with
//!   [`RemoteJwksBuilder::root_certificates_pem`] (an identity provider behind a private CA).
//!   The server's certificate must name the URL's host. Plain `http://` is accepted only for
//!   loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`), for tests and local development.
//!   URLs with user info (`user@host`) are refused.
//! - **One connection per fetch**: fetches are rare (at most one per cooldown or `max-age`),
//!   so no connection is kept open to the key server between them.
//! - **No redirects** are followed: a 3xx is a failed fetch ([`FetchFailure::Status`]).
//! - **Timeouts**: connecting (TCP and TLS handshake) and the whole exchange, request to last
//!   body byte, 5 s each by default. The body is read with a limit of
//!   [`JwksPolicy::max_body_bytes`] (a larger `Content-Length` is refused before reading).
//! - **Discovery** ([`RemoteJwks::from_issuer`]): `{issuer}/.well-known/openid-configuration`
//!   is fetched first, its `issuer` must equal the configured issuer exactly, and its
//!   `jwks_uri` must pass the same URL rules. The `jwks_uri` is kept until a JWK Set fetch
//!   from it fails.
//! - **Unknown `kid`** (through [`KeyResolver`]): [`JwksCache::on_unknown_key`] decides. One
//!   fetch runs at a time, as a task of its own (a client that disconnects does not cancel it);
//!   requests that find one in flight wait for it and then have their token verified again. A
//!   miss during the cooldown is refused (401) without a fetch. When the fetch fails the request
//!   gets 503, since its token may be valid.
//! - **Lifetime on every use**: before each request's token is verified
//!   ([`KeyResolver::before_verification`]) the cache is asked whether a fetch is due
//!   ([`JwksCache::due`]): a set past `max-age` starts a refetch in the background (the request
//!   goes on with the current keys), and a set kept past [`JwksPolicy::stale_if_error`] because
//!   the provider is down is dropped, so the request fails closed (503) instead of a withdrawn
//!   key verifying forever. This needs no background task.
//! - **Scheduled refresh**: [`RemoteJwks::spawn_refresher`] also runs a task that refetches
//!   when the cache expires and retries failed fetches every [`JwksPolicy::cooldown`] (at
//!   least 1 s), so that keys stay fresh on a quiet service too. Verifications keep using the
//!   current keys meanwhile; only the very first load (empty cache) makes requests wait.
//!
//! # Logs (`tracing`, target `jwt_actix::remote`)
//!
//! | event | level | fields |
//! |---|---|---|
//! | fetch started | `DEBUG` | `jwks.url`, `jwks.reason` (`scheduled`, `unknown_kid`) |
//! | fetch failed | `WARN` | `jwks.url`, `error.type`, `error.message`, `stale_until` |
//! | key set changed (or first loaded) | `INFO` | `jwks.keys`, `jwks.kids`, `jwks.added`, `jwks.removed`, `jwks.skipped`, `max_age` |
//! | same keys refetched | `DEBUG` | `jwks.keys`, `max_age` |
//! | a skipped entry | `DEBUG` | `jwks.index`, `jwt.kid`, `reason` |
//! | unknown `kid` during the cooldown | `DEBUG` | `jwt.kid` |
//!
//! `kid`s are recorded with `Debug` formatting (quoted, escaped) and clipped to 64 bytes: a
//! token's `kid` is attacker-chosen text.

use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use actix_web::http::Uri;
use actix_web::http::header::{ACCEPT, CACHE_CONTROL};
use actix_web::web::Bytes;
use jwt_core::{
    Clock, FetchCompletion, FetchDecision, FetchFailure, FetchPermit, JwksCache, JwksPolicy,
    KeySet, KeyStore, SystemClock,
};
use serde::Deserialize;
use tokio::sync::watch;

use crate::resolver::{KeyMiss, KeyResolver, Resolution, ResolveError, ResolveFuture};

/// Default connect and whole-response timeouts.
pub const DEFAULT_JWKS_TIMEOUT: Duration = Duration::from_secs(5);

/// `kid`s longer than this are clipped in logs.
const MAX_LOGGED_KID: usize = 64;

/// A remote JWK Set kept current for a verifier, and the [`KeyResolver`] that refetches it when
/// a token names an unknown key. Cheap to clone (shared state).
///
/// URL rules, timeouts, limits and logs are described in the jwt-actix README ("Remote JWK Sets").
#[derive(Clone)]
pub struct RemoteJwks {
    inner: Arc<Inner>,
}

struct Inner {
    source: Source,
    cache: JwksCache,
    connect_timeout: Duration,
    timeout: Duration,
    tls: Arc<rustls::ClientConfig>,
    /// The `jwks_uri` found by discovery.
    discovered: Mutex<Option<String>>,
    /// Bumped when a fetch ends, with its outcome; waiters subscribe before asking the cache.
    flight: watch::Sender<Flight>,
    stats: Mutex<JwksStats>,
    /// When the background task should look again.
    next_refresh: Mutex<Option<Instant>>,
    refresher: AtomicBool,
}

#[derive(Clone, Debug)]
enum Source {
    Url(String),
    Issuer(String),
}

#[derive(Clone, Debug, Default)]
struct Flight {
    generation: u64,
    last: Option<Refresh>,
}

/// What a fetch (or the wait for one) came to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refresh {
    /// The keys were fresh: nothing was fetched.
    Fresh,
    /// A new key set is in use.
    Updated {
        /// Number of keys now in use.
        keys: usize,
    },
    /// The fetch failed; the previous keys (if any) keep serving within the stale bound.
    Failed(FetchFailure),
    /// An unknown `kid` asked for a refetch during the cooldown.
    CoolingDown,
}

/// Counters for monitoring and tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwksStats {
    /// Fetches started (discovery included in the same fetch).
    pub fetches: u64,
    /// Fetches that installed a key set.
    pub updates: u64,
    /// Fetches that failed.
    pub failures: u64,
    /// Unknown-`kid` misses refused by the cooldown.
    pub cooldown_hits: u64,
    /// The last failure, if the last fetch failed.
    pub last_failure: Option<FetchFailure>,
}

/// Why a [`RemoteJwks`] cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoteJwksError {
    /// Not an absolute `https://` URL (or `http://` to a loopback host), or it has user info.
    InvalidUrl(String),
    /// rustls refused the TLS configuration.
    Tls(String),
}

impl fmt::Display for RemoteJwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteJwksError::InvalidUrl(why) => write!(f, "unusable JWKS URL: {why}"),
            RemoteJwksError::Tls(why) => write!(f, "cannot set up TLS: {why}"),
        }
    }
}

impl std::error::Error for RemoteJwksError {}

/// Builds a [`RemoteJwks`]: policy, clock and timeouts.
pub struct RemoteJwksBuilder {
    source: Source,
    policy: JwksPolicy,
    clock: Arc<dyn Clock>,
    connect_timeout: Duration,
    timeout: Duration,
    /// PEM CA certificates to trust instead of the Mozilla roots.
    roots_pem: Option<Vec<u8>>,
}

impl fmt::Debug for RemoteJwksBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJwksBuilder")
            .field("source", &self.source)
            .field("policy", &self.policy)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("private_roots", &self.roots_pem.is_some())
            .finish_non_exhaustive()
    }
}

/// A clock shared behind an `Arc` (so the builder can hold any clock).
struct SharedClock(Arc<dyn Clock>);

impl Clock for SharedClock {
    fn now_unix(&self) -> u64 {
        self.0.now_unix()
    }
}

impl RemoteJwksBuilder {
    /// The cache policy (default [`JwksPolicy::default`]).
    #[must_use]
    pub fn policy(mut self, policy: JwksPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The clock the cache policy reads (default the system clock; tests inject one).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Time allowed to connect, TLS handshake included (default 5 s).
    #[must_use]
    pub const fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one whole exchange, request to last body byte (default 5 s). Discovery
    /// and the JWK Set request each get this much.
    #[must_use]
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts only the CA certificates in `pem` (one or more `CERTIFICATE` blocks) for HTTPS,
    /// instead of the Mozilla roots: for an identity provider whose certificate a private CA
    /// issued. The server's certificate must still chain to one of them and name the host.
    ///
    /// ```
    /// # let ca_pem = include_bytes!("../tests/fixtures/tls/ca.pem");
    /// let jwks = jwt_actix::RemoteJwks::from_url("https://idp.internal/keys")
    ///     .root_certificates_pem(ca_pem)
    ///     .build()?;
    /// # Ok::<(), jwt_actix::RemoteJwksError>(())
    /// ```
    #[must_use]
    pub fn root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.roots_pem = Some(pem.as_ref().to_vec());
        self
    }

    /// Checks the URL and sets up TLS. Nothing is fetched yet.
    ///
    /// # Errors
    /// [`RemoteJwksError::InvalidUrl`] for a URL that is not `https://` (or `http://` to a
    /// loopback host); [`RemoteJwksError::Tls`] if rustls refuses its configuration or the
    /// [root certificates](Self::root_certificates_pem) are not usable PEM certificates.
    pub fn build(self) -> Result<RemoteJwks, RemoteJwksError> {
        match &self.source {
            Source::Url(url) | Source::Issuer(url) => {
                check_url(url)?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = match &self.roots_pem {
            None => rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
            Some(pem) => private_roots(pem)?,
        };
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| RemoteJwksError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(RemoteJwks {
            inner: Arc::new(Inner {
                source: self.source,
                cache: JwksCache::with_clock(self.policy, SharedClock(self.clock)),
                connect_timeout: self.connect_timeout,
                timeout: self.timeout,
                tls: Arc::new(tls),
                discovered: Mutex::new(None),
                flight: watch::Sender::new(Flight::default()),
                stats: Mutex::new(JwksStats::default()),
                next_refresh: Mutex::new(None),
                refresher: AtomicBool::new(false),
            }),
        })
    }
}

/// The CA certificates of a PEM bundle, each checked by rustls as a trust anchor.
fn private_roots(pem: &[u8]) -> Result<rustls::RootCertStore, RemoteJwksError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let tls = |why: String| RemoteJwksError::Tls(why);
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| tls(format!("root certificates: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| tls(format!("root certificate refused: {e}")))?;
    }
    if roots.is_empty() {
        return Err(tls(
            "root certificates: no CERTIFICATE block in the PEM".to_owned()
        ));
    }
    Ok(roots)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `https://` anywhere, `http://` only to loopback hosts, no user info.
fn check_url(url: &str) -> Result<Uri, RemoteJwksError> {
    let invalid = |why: &str| RemoteJwksError::InvalidUrl(why.to_owned());
    let uri: Uri = url.parse().map_err(|_| invalid("not a URL"))?;
    let authority = uri.authority().ok_or_else(|| invalid("no host"))?;
    if authority.as_str().contains('@') {
        return Err(invalid("user info in the URL is not allowed"));
    }
    let host = authority.host();
    if host.is_empty() {
        return Err(invalid("no host"));
    }
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback(host) => Ok(uri),
        Some("http") => Err(invalid(
            "plain http is allowed only for loopback hosts (localhost, 127.0.0.0/8, [::1])",
        )),
        _ => Err(invalid("the scheme must be https")),
    }
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A `kid` for the logs: clipped (Debug formatting escapes it).
fn clip(kid: &str) -> &str {
    if kid.len() <= MAX_LOGGED_KID {
        return kid;
    }
    let mut end = MAX_LOGGED_KID;
    while !kid.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    kid.get(..end).unwrap_or_default()
}

fn kids(keys: &KeySet) -> Vec<String> {
    keys.keys()
        .iter()
        .map(|k| k.kid().map_or_else(String::new, |kid| clip(kid).to_owned()))
        .collect()
}

/// The parts of an OpenID Provider Metadata document used here.
#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

impl RemoteJwks {
    /// A JWK Set at `url` (`https://`, or `http://` to a loopback host).
    pub fn from_url(url: impl Into<String>) -> RemoteJwksBuilder {
        Self::builder(Source::Url(url.into()))
    }

    /// The JWK Set of an OpenID Connect issuer, found through
    /// `{issuer}/.well-known/openid-configuration`. The document's `issuer` must equal `issuer`
    /// exactly.
    pub fn from_issuer(issuer: impl Into<String>) -> RemoteJwksBuilder {
        Self::builder(Source::Issuer(issuer.into()))
    }

    fn builder(source: Source) -> RemoteJwksBuilder {
        RemoteJwksBuilder {
            source,
            policy: JwksPolicy::default(),
            clock: Arc::new(SystemClock),
            connect_timeout: DEFAULT_JWKS_TIMEOUT,
            timeout: DEFAULT_JWKS_TIMEOUT,
            roots_pem: None,
        }
    }

    /// The store the fetched keys are published to: build the verifier on it with
    /// [`Verifier::with_key_store`](jwt_core::Verifier::with_key_store).
    pub fn key_store(&self) -> &KeyStore {
        self.inner.cache.key_store()
    }

    /// The cache policy in force.
    pub fn cache(&self) -> &JwksCache {
        &self.inner.cache
    }

    /// Counters: fetches, updates, failures, cooldown hits, the last failure.
    pub fn stats(&self) -> JwksStats {
        lock(&self.inner.stats).clone()
    }

    /// Fetches if the cache is empty or expired ([`JwksCache::due`]), or waits for the fetch in
    /// flight. Await it at start-up to load the keys before serving.
    pub async fn refresh_if_due(&self) -> Refresh {
        let mut rx = self.inner.flight.subscribe();
        match self.inner.cache.due() {
            FetchDecision::Fetch(permit) => {
                self.start(permit, "scheduled");
                self.wait(&mut rx).await
            }
            FetchDecision::InFlight => self.wait(&mut rx).await,
            // A fetch failed less than a cooldown ago (jwt-core backs off).
            FetchDecision::CoolingDown => Refresh::CoolingDown,
            _ => {
                // Nothing due: the next scheduled refresh is when the keys expire (a failed
                // forced refetch may have left an earlier retry time behind).
                if let Some(fresh_for) = self.inner.cache.fresh_for() {
                    *lock(&self.inner.next_refresh) =
                        Instant::now().checked_add(Duration::from_secs(fresh_for));
                }
                Refresh::Fresh
            }
        }
    }

    /// An unknown `kid` was seen: refetch unless cooling down, or wait for the fetch in flight.
    pub async fn on_unknown_key(&self, kid: Option<&str>) -> Refresh {
        let mut rx = self.inner.flight.subscribe();
        match self.inner.cache.on_unknown_key() {
            FetchDecision::Fetch(permit) => {
                self.start(permit, "unknown_kid");
                self.wait(&mut rx).await
            }
            FetchDecision::InFlight => self.wait(&mut rx).await,
            FetchDecision::CoolingDown => {
                self.count(|stats| &mut stats.cooldown_hits);
                tracing::debug!(
                    "jwt.kid" = ?kid.map(clip),
                    "unknown kid during the JWKS refetch cooldown: not fetching"
                );
                Refresh::CoolingDown
            }
            _ => Refresh::Fresh,
        }
    }

    /// Starts a task that refreshes the keys when they expire and retries failed fetches
    /// (every [`JwksPolicy::cooldown`], at least 1 s). It runs on the calling actix arbiter
    /// (call it from `#[actix_web::main]` or a worker) and stops when every clone of this
    /// `RemoteJwks` is dropped. Calling it again while it runs does nothing.
    ///
    /// Returns `false`, starting nothing, outside an actix system.
    pub fn spawn_refresher(&self) -> bool {
        if actix_web::rt::System::try_current().is_none() {
            tracing::warn!("RemoteJwks::spawn_refresher called outside an actix system");
            return false;
        }
        if self.inner.refresher.swap(true, Ordering::SeqCst) {
            return true;
        }
        let weak = Arc::downgrade(&self.inner);
        actix_web::rt::spawn(async move {
            let _running = RefresherFlag(weak.clone());
            loop {
                let Some(inner) = weak.upgrade() else { break };
                let remote = RemoteJwks { inner };
                remote.inner.cache.expire_stale();
                let now = Instant::now();
                let next = *lock(&remote.inner.next_refresh);
                let wait = match next {
                    Some(at) if at > now => at.saturating_duration_since(now),
                    _ => {
                        let _ = remote.refresh_if_due().await;
                        let next = *lock(&remote.inner.next_refresh);
                        next.map_or(remote.retry_interval(), |at| {
                            at.saturating_duration_since(Instant::now())
                        })
                    }
                };
                drop(remote);
                // Wake at least every minute: the cache may have been refreshed meanwhile.
                actix_web::rt::time::sleep(
                    wait.clamp(Duration::from_millis(100), Duration::from_secs(60)),
                )
                .await;
            }
        });
        true
    }

    fn count(&self, counter: impl FnOnce(&mut JwksStats) -> &mut u64) {
        let mut stats = lock(&self.inner.stats);
        let counter = counter(&mut stats);
        *counter = counter.saturating_add(1);
    }

    fn retry_interval(&self) -> Duration {
        Duration::from_secs(self.inner.cache.policy().cooldown.max(1))
    }

    /// Runs the fetch for `permit` as a task of its own.
    fn start(&self, permit: FetchPermit, reason: &'static str) {
        let remote = self.clone();
        self.count(|stats| &mut stats.fetches);
        actix_web::rt::spawn(async move { remote.fetch(permit, reason).await });
    }

    /// Waits for the fetch in flight to end and returns its outcome.
    async fn wait(&self, rx: &mut watch::Receiver<Flight>) -> Refresh {
        // Discovery and the JWK Set request each get `timeout`; allow a margin.
        let limit = self
            .inner
            .timeout
            .saturating_mul(2)
            .saturating_add(self.inner.connect_timeout.saturating_mul(2))
            .saturating_add(Duration::from_secs(1));
        match actix_web::rt::time::timeout(limit, rx.changed()).await {
            Ok(Ok(())) => rx
                .borrow_and_update()
                .last
                .clone()
                .unwrap_or(Refresh::Fresh),
            Ok(Err(_)) | Err(_) => Refresh::Failed(FetchFailure::Timeout),
        }
    }

    async fn fetch(&self, permit: FetchPermit, reason: &'static str) {
        let before = self.inner.cache.key_store().snapshot();
        let (url, result) = match self.jwks_url(reason).await {
            Ok(url) => {
                tracing::debug!("jwks.url" = ?url, "jwks.reason" = reason, "fetching the JWK Set");
                let result = self.get(&url).await;
                (url, result)
            }
            Err((url, failure)) => (url, Err(failure)),
        };
        let completion = match &result {
            Ok((body, cache_control)) => {
                self.inner
                    .cache
                    .complete(permit, Ok(body), cache_control.as_deref())
            }
            Err(failure) => self
                .inner
                .cache
                .complete(permit, Err(failure.clone()), None),
        };
        let outcome = self.report(&url, &before, completion);
        if matches!(outcome, Refresh::Failed(_)) && matches!(self.inner.source, Source::Issuer(_)) {
            // Discover again next time: the provider may have moved its keys.
            *lock(&self.inner.discovered) = None;
        }
        self.inner.flight.send_modify(|flight| {
            flight.generation = flight.generation.wrapping_add(1);
            flight.last = Some(outcome);
        });
    }

    /// Logs a completion, updates the counters and the next refresh time.
    fn report(&self, url: &str, before: &KeySet, completion: FetchCompletion) -> Refresh {
        let inner = &self.inner;
        match completion {
            FetchCompletion::Updated {
                keys,
                changed,
                skipped,
                max_age,
                ..
            } => {
                let after = inner.cache.key_store().snapshot();
                let (old, new) = (kids(before), kids(&after));
                let added: Vec<&String> = new.iter().filter(|k| !old.contains(k)).collect();
                let removed: Vec<&String> = old.iter().filter(|k| !new.contains(k)).collect();
                for entry in &skipped {
                    tracing::debug!(
                        "jwks.index" = entry.index(),
                        "jwt.kid" = ?entry.kid().map(clip),
                        reason = %entry.error(),
                        "JWK Set entry skipped"
                    );
                }
                if !changed {
                    tracing::debug!(
                        "jwks.url" = ?url,
                        "jwks.keys" = keys,
                        max_age,
                        "JWK Set refetched: same keys"
                    );
                } else {
                    tracing::info!(
                        "jwks.url" = ?url,
                        "jwks.keys" = keys,
                        "jwks.kids" = ?new,
                        "jwks.added" = ?added,
                        "jwks.removed" = ?removed,
                        "jwks.skipped" = skipped.len(),
                        max_age,
                        "JWK Set changed"
                    );
                }
                let mut stats = lock(&inner.stats);
                stats.updates = stats.updates.saturating_add(1);
                stats.last_failure = None;
                drop(stats);
                *lock(&inner.next_refresh) =
                    Instant::now().checked_add(Duration::from_secs(max_age));
                Refresh::Updated { keys }
            }
            FetchCompletion::Failed {
                failure,
                stale_until,
            } => {
                tracing::warn!(
                    "jwks.url" = ?url,
                    "error.type" = FetchFailure::code(&failure),
                    "error.message" = %failure,
                    stale_until,
                    "JWK Set fetch failed; keeping the last good keys while allowed"
                );
                let mut stats = lock(&inner.stats);
                stats.failures = stats.failures.saturating_add(1);
                stats.last_failure = Some(failure.clone());
                drop(stats);
                *lock(&inner.next_refresh) = Instant::now().checked_add(self.retry_interval());
                Refresh::Failed(failure)
            }
            _ => Refresh::Fresh,
        }
    }

    /// The JWK Set URL: configured, or discovered (then kept).
    async fn jwks_url(&self, reason: &'static str) -> Result<String, (String, FetchFailure)> {
        let issuer = match &self.inner.source {
            Source::Url(url) => return Ok(url.clone()),
            Source::Issuer(issuer) => issuer,
        };
        if let Some(url) = lock(&self.inner.discovered).clone() {
            return Ok(url);
        }
        let config_url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        tracing::debug!(
            "jwks.url" = ?config_url,
            "jwks.reason" = reason,
            "fetching the OpenID Connect discovery document"
        );
        let fail = |failure| (config_url.clone(), failure);
        let (body, _) = self.get(&config_url).await.map_err(fail)?;
        let doc: Discovery = serde_json::from_slice(&body).map_err(|_| {
            tracing::warn!("jwks.url" = ?config_url, "the discovery document is not usable JSON");
            fail(FetchFailure::Discovery)
        })?;
        if doc.issuer != *issuer {
            tracing::warn!(
                "jwks.url" = ?config_url,
                expected = ?issuer,
                found = ?clip(&doc.issuer),
                "the discovery document names another issuer: refused"
            );
            return Err(fail(FetchFailure::Discovery));
        }
        if let Err(why) = check_url(&doc.jwks_uri) {
            tracing::warn!(
                "jwks.url" = ?config_url,
                error = %why,
                "the discovery document's jwks_uri is refused"
            );
            return Err(fail(FetchFailure::Discovery));
        }
        *lock(&self.inner.discovered) = Some(doc.jwks_uri.clone());
        Ok(doc.jwks_uri)
    }

    /// One GET, no redirects, within the timeouts and the body limit.
    async fn get(&self, url: &str) -> Result<(Bytes, Option<String>), FetchFailure> {
        let inner = &self.inner;
        let limit = inner.cache.policy().max_body_bytes;
        let exchange = async {
            // A client per fetch: fetches are rare, and awc's client is tied to one thread.
            // HTTP/1.1 only: the TLS configuration offers only `http/1.1` through ALPN. (No
            // `max_http_version` here: on awc's builders it replaces the TLS connector with a
            // default one, which has no roots in this build, and HTTPS stops working.)
            let connector = awc::Connector::new()
                .timeout(inner.connect_timeout)
                .handshake_timeout(inner.connect_timeout)
                .rustls_0_23(Arc::clone(&inner.tls));
            let client = awc::Client::builder()
                .connector(connector)
                .timeout(inner.timeout)
                .disable_redirects()
                .finish();
            let mut response = client
                .get(url)
                .insert_header((ACCEPT, "application/jwk-set+json, application/json"))
                .send()
                .await
                .map_err(send_failure)?;
            let status = response.status();
            if !status.is_success() {
                return Err(FetchFailure::Status(status.as_u16()));
            }
            let cache_control = response
                .headers()
                .get(CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response
                .body()
                .limit(limit)
                .await
                .map_err(payload_failure)?;
            Ok((body, cache_control))
        };
        actix_web::rt::time::timeout(inner.timeout, exchange)
            .await
            .unwrap_or(Err(FetchFailure::Timeout))
    }
}

fn send_failure(error: awc::error::SendRequestError) -> FetchFailure {
    use awc::error::{ConnectError, SendRequestError};
    match error {
        SendRequestError::Timeout | SendRequestError::Connect(ConnectError::Timeout) => {
            FetchFailure::Timeout
        }
        // tokio-rustls reports handshake failures as I/O errors wrapping the rustls error.
        SendRequestError::Connect(ConnectError::Io(io))
            if io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some()) =>
        {
            tracing::debug!(error = %io, "TLS handshake with the key server failed");
            FetchFailure::Tls
        }
        _ => FetchFailure::Unreachable,
    }
}

fn payload_failure(error: awc::error::PayloadError) -> FetchFailure {
    use awc::error::PayloadError;
    match error {
        PayloadError::Overflow => FetchFailure::TooLarge,
        PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => FetchFailure::Timeout,
        _ => FetchFailure::Unreachable,
    }
}

/// Clears the "refresher running" flag when its task ends (or is dropped with its arbiter).
struct RefresherFlag(Weak<Inner>);

impl Drop for RefresherFlag {
    fn drop(&mut self) {
        if let Some(inner) = self.0.upgrade() {
            inner.refresher.store(false, Ordering::SeqCst);
        }
    }
}

impl KeyResolver for RemoteJwks {
    /// Enforces `max-age` and the stale bound on the request path (see the module docs): one
    /// clock read and one uncontended lock while the keys are fresh.
    fn before_verification(&self) {
        if let FetchDecision::Fetch(permit) = self.inner.cache.due() {
            self.start(permit, "scheduled");
        }
    }

    fn resolve<'a>(&'a self, miss: &'a KeyMiss) -> ResolveFuture<'a> {
        Box::pin(async move {
            match self.on_unknown_key(miss.kid()).await {
                Refresh::Updated { .. } => Ok(Resolution::Updated),
                Refresh::Failed(failure) => Err(ResolveError::new(format!(
                    "remote JWK Set unavailable: {failure}"
                ))),
                _ => Ok(Resolution::Unchanged),
            }
        })
    }
}

impl fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("source", &self.inner.source)
            .field("cache", &self.inner.cache)
            .field("connect_timeout", &self.inner.connect_timeout)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reject_f2_plain_http_urls_except_loopback_and_user_info() {
        for ok in [
            "https://issuer.example/jwks.json",
            "http://127.0.0.1:8080/jwks",
            "http://127.1.2.3/jwks",
            "http://localhost/jwks",
            "http://LOCALHOST:1/x",
            "http://[::1]:9/jwks",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://issuer.example/jwks.json",
            "http://10.0.0.1/jwks",
            "http://localhost.evil.example/jwks",
            "ftp://issuer.example/jwks",
            "https://user:pw@issuer.example/jwks",
            "/jwks.json",
            "not a url",
            "",
        ] {
            assert!(
                matches!(check_url(bad), Err(RemoteJwksError::InvalidUrl(_))),
                "{bad}"
            );
        }
        assert!(RemoteJwks::from_url("http://example.com/").build().is_err());
        assert!(
            RemoteJwks::from_issuer("http://example.com")
                .build()
                .is_err()
        );
        assert!(
            RemoteJwks::from_issuer("https://example.com")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn kids_are_clipped_on_char_boundaries() {
        let long = "é".repeat(100);
        let clipped = clip(&long);
        assert!(clipped.len() <= MAX_LOGGED_KID);
        assert!(clipped.chars().all(|c| c == 'é'));
        assert_eq!(clip("short"), "short");
    }
}
