//! The asynchronous key-resolution hook.
//!
//! Why a hook and not a fetcher: a remote JWK Set (an identity provider's `jwks_uri`) rotates
//! keys, and a verifier that only knows the old set refuses tokens signed with the new key
//! (`unknown_key_id`). Fetching is I/O, so it must not block an actix worker thread, and how to
//! fetch (HTTP client, caching, back-off) is the application's choice. The extractor therefore
//! calls a [`KeyResolver`] when verification fails for want of a key, awaits it, and, if it
//! reports that the keys changed, verifies the token again **once**.
//!
//! The resolver is called only after the signature could not even be attempted: for
//! [`ErrorKind::UnknownKeyId`], and for [`ErrorKind::AlgorithmNotAllowed`] when the token names
//! a `kid` (a rotation may introduce a new algorithm), or when the verifier has no key at all.
//! The `kid` and algorithm it is given come from an **unverified** header: anyone can send a
//! token with a made-up `kid`, so a resolver must limit how often it fetches (for instance at
//! most once per minute, whatever the `kid`) and coalesce concurrent misses.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use jwt_core::{Algorithm, ErrorKind, KeyStore};

/// The future a [`KeyResolver`] returns. It need not be `Send`: it runs on the actix worker that
/// handles the request.
pub type ResolveFuture<'a> = Pin<Box<dyn Future<Output = Result<Resolution, ResolveError>> + 'a>>;

/// Refreshes a verifier's keys when a token names a key it does not have.
///
/// ```
/// use jwt_actix::{KeyMiss, KeyResolver, Resolution, ResolveFuture};
/// use jwt_core::{KeySet, VerifyingKey};
///
/// /// Adds keys that some other part of the application learnt about.
/// struct Known(std::sync::Mutex<Vec<VerifyingKey>>);
///
/// impl KeyResolver for Known {
///     fn resolve<'a>(&'a self, miss: &'a KeyMiss) -> ResolveFuture<'a> {
///         Box::pin(async move {
///             // A real resolver fetches the JWK Set here (rate-limited), e.g.
///             // KeySet::from_jwk_set(&JwkSet::from_json(&body)?, &[Algorithm::EdDSA]).
///             let keys = self.0.lock().map(|k| k.clone()).unwrap_or_default();
///             match KeySet::new(keys) {
///                 Ok(set) if !set.is_empty() => {
///                     miss.key_store().replace(set);
///                     Ok(Resolution::Updated)
///                 }
///                 _ => Ok(Resolution::Unchanged),
///             }
///         })
///     }
/// }
/// ```
pub trait KeyResolver: Send + Sync + 'static {
    /// Called when a token's key is missing from `miss.key_store()`. Replace the store's keys
    /// and answer [`Resolution::Updated`] to have the token verified again, once.
    fn resolve<'a>(&'a self, miss: &'a KeyMiss) -> ResolveFuture<'a>;

    /// Called on the request path before each request's token is verified (once per request,
    /// however many extractors it has). It must be cheap and must not block or await: a
    /// resolver that caches keys uses it to enforce its own limits on every use, for instance
    /// to drop keys kept past their lifetime and to start (not wait for) a refresh that is due.
    /// [`RemoteJwks`](crate::RemoteJwks) does both. The default does nothing.
    fn before_verification(&self) {}
}

impl<R: KeyResolver + ?Sized> KeyResolver for Arc<R> {
    fn resolve<'a>(&'a self, miss: &'a KeyMiss) -> ResolveFuture<'a> {
        (**self).resolve(miss)
    }

    fn before_verification(&self) {
        (**self).before_verification();
    }
}

/// What a [`KeyResolver`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The keys were replaced: verify the token again.
    Updated,
    /// Nothing changed (unknown key, rate limit): the token is refused as it was.
    Unchanged,
}

/// A resolver's failure (the key source is unreachable, its answer unusable): the request is
/// answered with 503, since the token may well be valid.
#[derive(Clone, Debug)]
pub struct ResolveError {
    message: Cow<'static, str>,
}

impl ResolveError {
    /// An error with a message for the server's logs (never sent to the client).
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        ResolveError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ResolveError {}

/// The key a token asked for and did not find, with the store to put new keys in.
#[derive(Debug)]
pub struct KeyMiss {
    pub(crate) kid: Option<Box<str>>,
    pub(crate) algorithm: Algorithm,
    pub(crate) error: ErrorKind,
    pub(crate) store: KeyStore,
}

impl KeyMiss {
    /// The token's `kid` (unverified, attacker-chosen text: do not log it unescaped).
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The token's `alg` (unverified).
    pub const fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Why verification failed: [`ErrorKind::UnknownKeyId`] or
    /// [`ErrorKind::AlgorithmNotAllowed`].
    pub const fn error(&self) -> ErrorKind {
        self.error
    }

    /// The verifier's key store; [`KeyStore::replace`] publishes new keys to it.
    pub const fn key_store(&self) -> &KeyStore {
        &self.store
    }
}
