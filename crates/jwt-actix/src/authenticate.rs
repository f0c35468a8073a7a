//! One authentication per request, shared by the middleware and every extractor.
//!
//! Why a cache: a route protected by [`BearerAuth`](crate::BearerAuth) whose handler also takes
//! a [`Bearer`](crate::Bearer) (to read the claims), or a handler taking two extractors, must not
//! pay for the signature twice, nor give two different answers if keys rotate in between. The
//! first one to run verifies the token into a type-erased form, `Verified<serde_json::Value>`
//! plus the scopes read from it, and stores the outcome (success, failure or "no credentials")
//! in the request extensions. Later ones deserialize their own claims type from the cached
//! value without touching the signature again. The cache entry remembers which configuration
//! produced it, so a scope that registers a different `BearerConfig` verifies anew.
//!
//! The entry is made *before* the first await: actix polls a handler's extractors together, so
//! while the first one waits on a [`KeyResolver`](crate::KeyResolver) the others find the
//! authentication under way and wait for its outcome instead of starting their own (which would
//! call the resolver once per extractor, and with a rate-limited resolver refuse a valid token).
//! If the first is dropped mid-way, the next one waiting takes over.

use std::rc::Rc;
use std::sync::Arc;

use actix_web::{HttpMessage, HttpRequest};
use jwt_core::{ErrorKind, KeySet, Verified};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::config::BearerConfig;
use crate::credentials::{self, TokenSource};
use crate::error::{AuthError, AuthErrorKind};
use crate::resolver::{KeyMiss, Resolution};
use crate::scope::Scopes;

/// A verified token, as shared between the middleware and extractors of one request.
pub(crate) struct Identity {
    pub(crate) verified: Verified<Value>,
    pub(crate) scopes: Scopes,
    pub(crate) source: TokenSource,
}

impl Identity {
    /// The claims as the handler's type, without verifying again.
    pub(crate) fn claims_as<C: DeserializeOwned>(
        &self,
        config: &BearerConfig,
    ) -> Result<C, AuthError> {
        C::deserialize(self.verified.claims()).map_err(|error| {
            // Usually a server-side mismatch (the handler's type expects a claim the issuer
            // does not send), behind a valid signature: INFO, like the tracing verifier's
            // rejections, with the missing field's name when serde gives one (it comes from
            // the handler's type). serde's other messages may quote claim values: never logged.
            let message = error.to_string();
            // Only a plain identifier, as jwt-core quotes claim names in its errors: a
            // handler's own `Error::custom` could say anything after that prefix.
            let plain = |name: &&str| {
                !name.is_empty()
                    && name.len() <= 64
                    && name.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-')
                    })
            };
            let missing = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
                .filter(plain);
            tracing::info!(
                "error.type" = ErrorKind::InvalidPayload.code(),
                missing_field = missing,
                "bearer token rejected: its claims do not fit the handler's claims type"
            );
            config.error(AuthError::from_verify_error(
                &jwt_core::Error::InvalidPayload("the claims do not fit the expected type"),
            ))
        })
    }
}

/// What authenticating a request found.
#[derive(Clone)]
pub(crate) enum Outcome {
    /// No bearer credentials.
    Anonymous,
    /// A verified token.
    Authenticated(Arc<Identity>),
    /// A malformed request, a bad token, or a server-side fault.
    Failed(AuthError),
}

/// The per-request cache entry: the outcome, or the authentication that will produce it.
#[derive(Clone)]
struct Cached {
    config: usize,
    outcome: Rc<OnceCell<Outcome>>,
}

/// Authenticates `req` under its registered configuration, at most once per request.
///
/// # Errors
/// The missing-configuration error when no [`BearerConfig`] is registered.
pub(crate) async fn authenticate(req: HttpRequest) -> Result<(BearerConfig, Outcome), AuthError> {
    let config = BearerConfig::of(&req)?.clone();
    let slot = {
        let mut extensions = req.extensions_mut();
        match extensions
            .get::<Cached>()
            .filter(|cached| cached.config == config.id())
        {
            Some(cached) => Rc::clone(&cached.outcome),
            None => {
                let slot = Rc::new(OnceCell::new());
                extensions.insert(Cached {
                    config: config.id(),
                    outcome: Rc::clone(&slot),
                });
                slot
            }
        }
    };
    let outcome = slot
        .get_or_init(|| authenticate_once(&req, &config))
        .await
        .clone();
    Ok((config, outcome))
}

/// The work behind [`authenticate`]: verify, and ask the resolver when a key is missing.
async fn authenticate_once(req: &HttpRequest, config: &BearerConfig) -> Outcome {
    match first_attempt(req, config) {
        Attempt::Done(outcome) => outcome,
        Attempt::Resolve {
            token,
            source,
            miss,
            keys,
            error,
        } => resolve_and_retry(config, &token, source, miss, &keys, error).await,
    }
}

enum Attempt {
    Done(Outcome),
    /// Verification failed for want of a key and a resolver may supply it.
    Resolve {
        token: String,
        source: TokenSource,
        miss: KeyMiss,
        /// The key set the failed attempt used.
        keys: Arc<KeySet>,
        error: jwt_core::Error,
    },
}

fn first_attempt(req: &HttpRequest, config: &BearerConfig) -> Attempt {
    let inner = config.inner();
    let credential = match credentials::find(req.head(), &inner.sources) {
        Ok(Some(credential)) => credential,
        Ok(None) => return Attempt::Done(Outcome::Anonymous),
        Err(malformed) => {
            tracing::debug!(reason = malformed.0, "malformed bearer request");
            return Attempt::Done(Outcome::Failed(
                config.error(AuthError::new(AuthErrorKind::InvalidRequest, malformed.0)),
            ));
        }
    };
    let token = credential.token();
    // The keys this attempt verifies with (taken before it, so a rotation after it shows).
    let keys = inner.resolver.as_ref().map(|resolver| {
        resolver.before_verification();
        inner.verifier.key_set()
    });
    match inner.verifier.verify::<Value>(token) {
        Ok(verified) => Attempt::Done(accept(config, verified, credential.source())),
        Err(error) => match keys.zip(key_miss(config, token, &error)) {
            Some((keys, miss)) => Attempt::Resolve {
                token: token.to_owned(),
                source: credential.source(),
                miss,
                keys,
                error,
            },
            None => {
                tracing::debug!(
                    "error.type" = error.kind().code(),
                    source = credential.source().name(),
                    "bearer token rejected"
                );
                Attempt::Done(Outcome::Failed(reject(config, &error)))
            }
        },
    }
}

/// Asks the resolver for the missing key, then verifies once more if the keys changed: because
/// the resolver updated them, or because something else did meanwhile (another request's fetch
/// during a rotation, after which this one's resolver may answer "cooling down").
async fn resolve_and_retry(
    config: &BearerConfig,
    token: &str,
    source: TokenSource,
    miss: KeyMiss,
    keys: &Arc<KeySet>,
    error: jwt_core::Error,
) -> Outcome {
    let Some(resolver) = &config.inner().resolver else {
        return Outcome::Failed(reject(config, &error));
    };
    let resolution = resolver.resolve(&miss).await;
    let changed_meanwhile = !Arc::ptr_eq(keys, &config.verifier().key_set());
    match resolution {
        Ok(Resolution::Updated) => verify_again(config, token, source),
        Ok(Resolution::Unchanged) if changed_meanwhile => verify_again(config, token, source),
        Ok(Resolution::Unchanged) => Outcome::Failed(reject(config, &error)),
        Err(failure) if changed_meanwhile => {
            tracing::warn!(error = %failure, "the key resolver failed, but the keys changed meanwhile");
            verify_again(config, token, source)
        }
        Err(failure) => {
            tracing::warn!(error = %failure, "the key resolver failed");
            Outcome::Failed(
                config.error(
                    AuthError::new(
                        AuthErrorKind::KeysUnavailable,
                        "verification keys are unavailable right now",
                    )
                    .with_token_error(error.kind()),
                ),
            )
        }
    }
}

/// The one retry after the keys changed.
fn verify_again(config: &BearerConfig, token: &str, source: TokenSource) -> Outcome {
    match config.inner().verifier.verify::<Value>(token) {
        Ok(verified) => accept(config, verified, source),
        Err(error) => {
            tracing::debug!(
                "error.type" = error.kind().code(),
                "bearer token rejected after the keys changed"
            );
            Outcome::Failed(reject(config, &error))
        }
    }
}

fn accept(config: &BearerConfig, verified: Verified<Value>, source: TokenSource) -> Outcome {
    let scopes = Scopes::from_claim(verified.claims().get(&*config.inner().scope_claim));
    Outcome::Authenticated(Arc::new(Identity {
        verified,
        scopes,
        source,
    }))
}

/// The failure for a verification error, telling a server without keys from a bad token.
fn reject(config: &BearerConfig, error: &jwt_core::Error) -> AuthError {
    let keyless = matches!(
        error.kind(),
        ErrorKind::AlgorithmNotAllowed | ErrorKind::UnknownKeyId
    ) && config.verifier().key_set().is_empty();
    let failure = if keyless {
        let kind = if config.inner().resolver.is_some() {
            AuthErrorKind::KeysUnavailable
        } else {
            AuthErrorKind::Misconfigured
        };
        tracing::error!("jwt-actix: the verifier has no keys; every token is refused");
        AuthError::new(kind, "the server has no verification keys").with_token_error(error.kind())
    } else {
        let failure = AuthError::from_verify_error(error);
        if failure.kind() == AuthErrorKind::Misconfigured {
            tracing::error!(
                "error.type" = error.kind().code(),
                error = %error,
                "jwt-actix: the verifier failed for a reason of its own, not the token's"
            );
        }
        failure
    };
    config.error(failure)
}

/// Whether the resolver should be asked for the token's key.
fn key_miss(config: &BearerConfig, token: &str, error: &jwt_core::Error) -> Option<KeyMiss> {
    config.inner().resolver.as_ref()?;
    let kind = error.kind();
    if !matches!(
        kind,
        ErrorKind::UnknownKeyId | ErrorKind::AlgorithmNotAllowed
    ) {
        return None;
    }
    // The header passed the verifier's structural checks already; read its kid and alg.
    let header = jwt_core::danger_decode_unverified(token)
        .ok()?
        .into_header();
    let keyless = config.verifier().key_set().is_empty();
    if kind == ErrorKind::AlgorithmNotAllowed && header.kid().is_none() && !keyless {
        return None;
    }
    Some(KeyMiss {
        kid: header.kid().map(Box::from),
        algorithm: header.algorithm(),
        error: kind,
        store: config.verifier().key_store().clone(),
    })
}
