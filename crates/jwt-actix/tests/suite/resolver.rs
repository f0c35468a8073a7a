//! The async key resolver: called for unknown keys, verification retried once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{App, test};
use jwt_actix::{BearerConfig, KeyMiss, KeyResolver, Resolution, ResolveError, ResolveFuture};
use jwt_core::{ErrorKind, KeySet, SigningKey, VerifyingKey};

use crate::common::*;

/// A fake remote key set: `published` keys are "fetched" on demand, after an await.
#[derive(Default)]
struct FakeJwks {
    published: Mutex<Vec<VerifyingKey>>,
    calls: AtomicUsize,
    fail: bool,
    /// Claims an update without adding anything.
    lie: bool,
    /// Fetches once at most; later calls answer `Unchanged` (a strict rate limit).
    once: bool,
    seen: Mutex<Vec<(Option<String>, ErrorKind)>>,
}

impl KeyResolver for FakeJwks {
    fn resolve<'a>(&'a self, miss: &'a KeyMiss) -> ResolveFuture<'a> {
        Box::pin(async move {
            let earlier = self.calls.fetch_add(1, Ordering::SeqCst);
            if self.once && earlier > 0 {
                return Ok(Resolution::Unchanged);
            }
            self.seen
                .lock()
                .unwrap()
                .push((miss.kid().map(str::to_owned), miss.error()));
            // Stands for network I/O: the worker thread is free meanwhile.
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
            if self.fail {
                return Err(ResolveError::new("jwks endpoint unreachable"));
            }
            if self.lie {
                return Ok(Resolution::Updated);
            }
            let keys = self.published.lock().unwrap().clone();
            let set = KeySet::new(keys).map_err(|e| ResolveError::new(e.to_string()))?;
            miss.key_store().replace(set);
            Ok(Resolution::Updated)
        })
    }
}

fn setup(old: &SigningKey, jwks: Arc<FakeJwks>) -> BearerConfig {
    config(old).key_resolver(jwks)
}

#[actix_web::test]
async fn an_unknown_kid_is_resolved_and_the_token_verified_again() {
    let old = key("2026-10");
    let new = key("2026-11");
    let jwks = Arc::new(FakeJwks::default());
    *jwks.published.lock().unwrap() = vec![old.verifying_key(), new.verifying_key()];
    let config = setup(&old, jwks.clone());
    let app = test::init_service(App::new().app_data(config).configure(routes)).await;

    let token = token(&new, &claims("alice", "read"));
    let reply = read(test::call_service(&app, bearer("/me", &token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.json()["kid"], "2026-11");
    assert_eq!(jwks.calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        *jwks.seen.lock().unwrap(),
        [(Some("2026-11".to_owned()), ErrorKind::UnknownKeyId)]
    );

    // The key is known now: no more resolution, and old tokens still pass.
    let reply = read(test::call_service(&app, bearer("/me", &token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK);
    let old_token = self::token(&old, &claims("bob", "read"));
    let reply = read(test::call_service(&app, bearer("/me", &old_token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(jwks.calls.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn an_unresolvable_kid_is_401_after_one_attempt() {
    let old = key("2026-10");
    let stranger = key("evil");
    let jwks = Arc::new(FakeJwks::default());
    *jwks.published.lock().unwrap() = vec![old.verifying_key()];
    let token = token(&stranger, &claims("alice", "admin"));
    let reply = send(Some(setup(&old, jwks.clone())), bearer("/me", &token)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenge(),
        Some(invalid_token("the token signing key is unknown").as_str())
    );
    assert_eq!(jwks.calls.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn a_resolver_that_claims_an_update_gets_one_retry_only() {
    let old = key("2026-10");
    let jwks = Arc::new(FakeJwks {
        lie: true,
        ..FakeJwks::default()
    });
    let token = token(&key("x"), &claims("alice", "read"));
    let reply = send(Some(setup(&old, jwks.clone())), bearer("/me", &token)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(jwks.calls.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn a_failing_resolver_is_503_without_a_challenge() {
    let old = key("2026-10");
    let jwks = Arc::new(FakeJwks {
        fail: true,
        ..FakeJwks::default()
    });
    let token = token(&key("2026-11"), &claims("alice", "read"));
    let reply = send(Some(setup(&old, jwks)), bearer("/me", &token)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.challenge(), None);
    assert_eq!(reply.json()["error"], "temporarily_unavailable");
    reply.assert_silent_about("unreachable");
}

#[actix_web::test]
async fn the_resolver_is_not_asked_about_bad_signatures_or_claims() {
    let old = key("2026-10");
    let jwks = Arc::new(FakeJwks::default());
    let config = setup(&old, jwks.clone());
    let forged = token(&key("2026-10"), &claims("alice", "read"));
    let reply = send(Some(config.clone()), bearer("/me", &forged)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let expired = token(
        &old,
        &serde_json::json!({"iss": ISS, "aud": AUD, "sub": "a", "exp": now() - 5}),
    );
    let reply = send(Some(config), bearer("/me", &expired)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(jwks.calls.load(Ordering::SeqCst), 0);
}

/// A handler with four extractors: the first one to run asks the resolver, the others wait for
/// its outcome (actix polls them together), so the resolver runs once and the signature is
/// checked twice (the first attempt and the retry), not once per extractor.
#[actix_web::test]
async fn extractors_of_one_request_share_one_resolution() {
    let old = key("2026-10");
    let new = key("2026-11");
    let jwks = Arc::new(FakeJwks::default());
    *jwks.published.lock().unwrap() = vec![old.verifying_key(), new.verifying_key()];
    let counter = Arc::new(Counter::default());
    let config = BearerConfig::new(verifier(&old).with_instrument(counter.clone()))
        .key_resolver(jwks.clone());
    let app = test::init_service(App::new().app_data(config).configure(routes)).await;
    let token = token(&new, &claims("alice", "read admin"));
    let reply = read(test::call_service(&app, bearer("/all", &token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.json()["same"], true);
    assert_eq!(jwks.calls.load(Ordering::SeqCst), 1);
    assert_eq!(counter.0.load(Ordering::SeqCst), 2);
}

/// With a resolver that fetches at most once, a valid token signed with a rotated key passes a
/// handler with several extractors (before, the second extractor got `Unchanged`, its 401
/// ended the request and dropped the first one mid-fetch, so the key was never stored).
#[actix_web::test]
async fn a_rate_limited_resolver_serves_every_extractor_of_the_request() {
    let old = key("2026-10");
    let new = key("2026-11");
    let jwks = Arc::new(FakeJwks {
        once: true,
        ..FakeJwks::default()
    });
    *jwks.published.lock().unwrap() = vec![old.verifying_key(), new.verifying_key()];
    let config = setup(&old, jwks.clone());
    let store = config.verifier().key_store().clone();
    let app = test::init_service(App::new().app_data(config).configure(routes)).await;
    let token = token(&new, &claims("alice", "read admin"));
    let reply = read(test::call_service(&app, bearer("/all", &token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(store.snapshot().len(), 2);
    assert_eq!(jwks.calls.load(Ordering::SeqCst), 1);
    // Later requests use the stored key without the resolver.
    let reply = read(test::call_service(&app, bearer("/all", &token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(jwks.calls.load(Ordering::SeqCst), 1);
}

/// Installs the published keys, as another request's fetch would during a rotation, but
/// answers as a rate-limited resolver does for this request: `Unchanged`, or a failure.
struct InstalledElsewhere {
    published: Vec<VerifyingKey>,
    fail: bool,
}

impl KeyResolver for InstalledElsewhere {
    fn resolve<'a>(&'a self, miss: &'a KeyMiss) -> ResolveFuture<'a> {
        Box::pin(async move {
            miss.key_store()
                .replace(KeySet::new(self.published.clone()).unwrap());
            if self.fail {
                Err(ResolveError::new("cooling down after a failure"))
            } else {
                Ok(Resolution::Unchanged)
            }
        })
    }
}

/// A request whose key arrived while it waited (another request's fetch installed it) is
/// verified again, whatever its own resolver answered: it used to get a 401 (or a 503).
#[actix_web::test]
async fn keys_that_changed_meanwhile_get_the_token_verified_again() {
    let old = key("2026-10");
    let new = key("2026-11");
    let token = token(&new, &claims("alice", "read"));
    for fail in [false, true] {
        let resolver = InstalledElsewhere {
            published: vec![old.verifying_key(), new.verifying_key()],
            fail,
        };
        let reply = send(
            Some(config(&old).key_resolver(resolver)),
            bearer("/me", &token),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "fail: {fail} {reply:?}");
    }
    // Keys that changed but still lack the token's key: refused as before.
    let stranger = self::token(&key("x"), &claims("mallory", "read"));
    let resolver = InstalledElsewhere {
        published: vec![old.verifying_key(), new.verifying_key()],
        fail: false,
    };
    let reply = send(
        Some(config(&old).key_resolver(resolver)),
        bearer("/me", &stranger),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

/// `before_verification` runs once per request with a token, before it is verified (also
/// when the token's key is known), and not for requests without credentials.
#[actix_web::test]
async fn the_resolver_hears_of_each_request_before_its_verification() {
    #[derive(Default)]
    struct Watch {
        before: AtomicUsize,
    }
    impl KeyResolver for Watch {
        fn resolve<'a>(&'a self, _: &'a KeyMiss) -> ResolveFuture<'a> {
            Box::pin(async { Ok(Resolution::Unchanged) })
        }
        fn before_verification(&self) {
            self.before.fetch_add(1, Ordering::SeqCst);
        }
    }
    let signer = key("k1");
    let watch = Arc::new(Watch::default());
    let config = config(&signer).key_resolver(watch.clone());
    let app = test::init_service(App::new().app_data(config).configure(routes)).await;
    let token = token(&signer, &claims("alice", "read admin"));
    let reply = read(test::call_service(&app, bearer("/all", &token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        watch.before.load(Ordering::SeqCst),
        1,
        "four extractors, one request"
    );
    let reply = read(test::call_service(&app, get("/optional").to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(watch.before.load(Ordering::SeqCst), 1, "no credentials");
}
