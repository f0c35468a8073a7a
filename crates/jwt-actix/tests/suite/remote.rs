//! `RemoteJwks` against a real key server: actix-web's `HttpServer` on `127.0.0.1:0`, whose
//! answers (body, status, delay, `Cache-Control`) the tests change through shared state.

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, HttpServer, test, web};
use jwt_actix::{BearerConfig, JwksStats, Refresh, RemoteJwks};
use jwt_core::{Clock, FetchFailure, JwkSet, JwksPolicy, SigningKey, Verifier};

use crate::common::*;

/// What the key server answers.
struct Answer {
    status: u16,
    body: Vec<u8>,
    delay: Duration,
    cache_control: Option<String>,
    location: Option<String>,
}

impl Default for Answer {
    fn default() -> Self {
        Answer {
            status: 200,
            body: Vec::new(),
            delay: Duration::ZERO,
            cache_control: None,
            location: None,
        }
    }
}

#[derive(Default)]
struct Shared {
    jwks: Mutex<Answer>,
    discovery: Mutex<String>,
    jwks_hits: AtomicUsize,
    discovery_hits: AtomicUsize,
}

struct KeyServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    handle: ServerHandle,
}

async fn answer_jwks(shared: web::Data<Shared>) -> HttpResponse {
    shared.jwks_hits.fetch_add(1, Ordering::SeqCst);
    let (status, body, delay, cache_control, location) = {
        let a = shared.jwks.lock().unwrap();
        (
            a.status,
            a.body.clone(),
            a.delay,
            a.cache_control.clone(),
            a.location.clone(),
        )
    };
    if !delay.is_zero() {
        actix_web::rt::time::sleep(delay).await;
    }
    let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap());
    response.content_type("application/json");
    if let Some(cc) = cache_control {
        response.insert_header(("Cache-Control", cc));
    }
    if let Some(location) = location {
        response.insert_header(("Location", location));
    }
    response.body(body)
}

async fn answer_discovery(shared: web::Data<Shared>) -> HttpResponse {
    shared.discovery_hits.fetch_add(1, Ordering::SeqCst);
    let body = shared.discovery.lock().unwrap().clone();
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

impl KeyServer {
    async fn start() -> KeyServer {
        let shared = Arc::new(Shared::default());
        let data = web::Data::from(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/jwks", web::get().to(answer_jwks))
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to(answer_discovery),
                )
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        KeyServer {
            shared,
            addr,
            handle,
        }
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn url(&self) -> String {
        format!("{}/jwks", self.base())
    }

    fn publish(&self, keys: &[&SigningKey]) {
        let set = JwkSet::public(keys.iter().map(|k| k.verifying_key())).unwrap();
        self.set(|a| {
            *a = Answer {
                body: set.to_json().into_bytes(),
                ..Answer::default()
            }
        });
    }

    fn set(&self, change: impl FnOnce(&mut Answer)) {
        change(&mut self.shared.jwks.lock().unwrap());
    }

    fn hits(&self) -> usize {
        self.shared.jwks_hits.load(Ordering::SeqCst)
    }

    async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// The test app: the common routes, verified with the remote keys.
fn bearer_config(remote: &RemoteJwks) -> BearerConfig {
    BearerConfig::new(
        Verifier::with_key_store(remote.key_store().clone()).with_validation(validation()),
    )
    .key_resolver(remote.clone())
}

/// The status of `GET /me` with `token` (a macro: the test service's request type is private).
macro_rules! call {
    ($app:expr, $token:expr) => {
        async {
            test::call_service(&$app, bearer("/me", $token).to_request())
                .await
                .status()
        }
    };
}

/// A clock the test moves by hand.
#[derive(Clone, Default)]
struct Manual(Arc<AtomicU64>);

impl Clock for Manual {
    fn now_unix(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn quick_policy() -> JwksPolicy {
    JwksPolicy {
        cooldown: 0,
        ..JwksPolicy::default()
    }
}

#[actix_web::test]
async fn a_rotated_key_is_fetched_once_and_its_token_verifies() {
    let server = KeyServer::start().await;
    let (old, new) = (key("2026-10"), key("2026-11"));
    server.publish(&[&old]);
    let remote = RemoteJwks::from_url(server.url()).build().unwrap();
    assert_eq!(remote.refresh_if_due().await, Refresh::Updated { keys: 1 });
    assert_eq!(server.hits(), 1);
    let app = test::init_service(
        App::new()
            .app_data(bearer_config(&remote))
            .configure(routes),
    )
    .await;

    assert_eq!(
        call!(app, &token(&old, &claims("a", "read"))).await,
        StatusCode::OK
    );
    assert_eq!(server.hits(), 1, "known kid: no fetch");

    server.publish(&[&old, &new]);
    let fresh = token(&new, &claims("b", "read"));
    let reply = read(test::call_service(&app, bearer("/me", &fresh).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.json()["kid"], "2026-11");
    assert_eq!(server.hits(), 2, "exactly one refetch");
    assert_eq!(call!(app, &fresh).await, StatusCode::OK);
    assert_eq!(
        call!(app, &token(&old, &claims("a", "read"))).await,
        StatusCode::OK
    );
    assert_eq!(server.hits(), 2);
    assert_eq!(remote.stats().updates, 2);
    server.stop().await;
}

#[actix_web::test]
async fn the_first_request_loads_the_keys() {
    let server = KeyServer::start().await;
    let signer = key("k1");
    server.publish(&[&signer]);
    let remote = RemoteJwks::from_url(server.url()).build().unwrap();
    let app = test::init_service(
        App::new()
            .app_data(bearer_config(&remote))
            .configure(routes),
    )
    .await;
    assert_eq!(
        call!(app, &token(&signer, &claims("a", "read"))).await,
        StatusCode::OK
    );
    assert_eq!(server.hits(), 1);
    server.stop().await;
}

#[actix_web::test]
async fn an_unknown_kid_storm_fetches_at_most_once_per_cooldown() {
    let server = KeyServer::start().await;
    let known = key("known");
    server.publish(&[&known]);
    let remote = RemoteJwks::from_url(server.url()).build().unwrap();
    assert_eq!(remote.refresh_if_due().await, Refresh::Updated { keys: 1 });
    server.set(|a| a.delay = Duration::from_millis(300));
    let app = test::init_service(
        App::new()
            .app_data(bearer_config(&remote))
            .configure(routes),
    )
    .await;

    let stranger = key("made-up");
    let forged = token(&stranger, &claims("mallory", "admin"));
    let storm = (0..50).map(|_| call!(app, &forged));
    let statuses = futures_util::future::join_all(storm).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED));
    assert!(server.hits() <= 2, "{} fetches", server.hits());
    let after_first = server.hits();

    // A second storm within the cooldown: no fetch at all.
    let statuses = futures_util::future::join_all((0..50).map(|_| call!(app, &forged))).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED));
    assert_eq!(server.hits(), after_first);
    assert!(remote.stats().cooldown_hits >= 50, "{:?}", remote.stats());
    // Known tokens were never affected.
    assert_eq!(
        call!(app, &token(&known, &claims("a", "read"))).await,
        StatusCode::OK
    );
    server.stop().await;
}

#[actix_web::test]
async fn faults_are_reported_and_the_last_good_keys_keep_serving() {
    let events = Events::default();
    let _guard = events.capture();
    let server = KeyServer::start().await;
    let known = key("known");
    server.publish(&[&known]);
    let remote = RemoteJwks::from_url(server.url())
        .policy(quick_policy())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    assert_eq!(remote.refresh_if_due().await, Refresh::Updated { keys: 1 });
    let app = test::init_service(
        App::new()
            .app_data(bearer_config(&remote))
            .configure(routes),
    )
    .await;
    let good = token(&known, &claims("a", "read"));
    let unknown = token(&key("unknown"), &claims("m", "read"));

    let unsupported = r#"{"keys":[
        {"kty":"EC","crv":"P-521","kid":"p521","x":"AA","y":"AA"},
        {"kty":"oct","kid":"secret","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"}]}"#;
    let faults: Vec<(Answer, FetchFailure, &str)> = vec![
        (
            Answer {
                status: 500,
                ..Answer::default()
            },
            FetchFailure::Status(500),
            "status",
        ),
        (
            Answer {
                body: b"{not json".to_vec(),
                ..Answer::default()
            },
            FetchFailure::NotAJwkSet,
            "not_a_jwk_set",
        ),
        (
            Answer {
                body: vec![b' '; 1024 * 1024],
                ..Answer::default()
            },
            FetchFailure::TooLarge,
            "too_large",
        ),
        (
            Answer {
                body: unsupported.as_bytes().to_vec(),
                ..Answer::default()
            },
            FetchFailure::NoUsableKeys,
            "no_usable_keys",
        ),
        (
            Answer {
                delay: Duration::from_secs(1),
                ..Answer::default()
            },
            FetchFailure::Timeout,
            "timeout",
        ),
        (
            Answer {
                status: 302,
                location: Some(format!(
                    "{}/.well-known/openid-configuration",
                    server.base()
                )),
                ..Answer::default()
            },
            FetchFailure::Status(302),
            "status",
        ),
    ];
    let mut expected_warnings = Vec::new();
    for (answer, failure, code) in faults {
        let hits = server.hits();
        server.set(|a| *a = answer);
        let started = Instant::now();
        assert_eq!(
            call!(app, &unknown).await,
            StatusCode::SERVICE_UNAVAILABLE,
            "{failure:?}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "{failure:?}"
        );
        assert_eq!(server.hits(), hits + 1, "{failure:?}: one fetch");
        assert_eq!(remote.stats().last_failure, Some(failure.clone()));
        assert_eq!(call!(app, &good).await, StatusCode::OK, "{failure:?}");
        expected_warnings.push(code.to_owned());
    }
    assert_eq!(
        server.shared.discovery_hits.load(Ordering::SeqCst),
        0,
        "redirect not followed"
    );

    // The server goes away: the port is closed.
    server.stop().await;
    assert_eq!(call!(app, &unknown).await, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(remote.stats().last_failure, Some(FetchFailure::Unreachable));
    assert_eq!(call!(app, &good).await, StatusCode::OK);
    expected_warnings.push("unreachable".into());

    // The `error.type` of the remote JWK Set's WARN events, in order.
    let warnings: Vec<String> = events
        .all()
        .iter()
        .filter(|event| event.level == tracing::Level::WARN && event.target == "jwt_actix::remote")
        .map(|event| event.field("error.type").unwrap_or("-").to_owned())
        .collect();
    assert_eq!(warnings, expected_warnings);
    let stats = remote.stats();
    assert_eq!((stats.updates, stats.failures), (1, 7), "{stats:?}");
}

#[actix_web::test]
async fn a_failed_first_load_is_a_503_not_a_401() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let remote = RemoteJwks::from_url(format!("http://{addr}/jwks"))
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(bearer_config(&remote))
            .configure(routes),
    )
    .await;
    let status = call!(app, &token(&key("k"), &claims("a", "read"))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(remote.stats().last_failure, Some(FetchFailure::Unreachable));
    // The provider is not asked again at once: jwt-core backs off for one cooldown.
    assert_eq!(remote.refresh_if_due().await, Refresh::CoolingDown);
}

#[actix_web::test]
async fn scheduled_refresh_follows_max_age() {
    let server = KeyServer::start().await;
    let (first, second) = (key("first"), key("second"));
    server.publish(&[&first]);
    server.set(|a| a.cache_control = Some("public, max-age=120".into()));
    let clock = Manual::default();
    clock.0.store(1_000, Ordering::SeqCst);
    let remote = RemoteJwks::from_url(server.url())
        .clock(clock.clone())
        .build()
        .unwrap();
    assert_eq!(remote.refresh_if_due().await, Refresh::Updated { keys: 1 });
    assert_eq!(remote.refresh_if_due().await, Refresh::Fresh);
    server.publish(&[&first, &second]);
    clock.0.store(1_119, Ordering::SeqCst);
    assert_eq!(remote.refresh_if_due().await, Refresh::Fresh);
    assert_eq!(server.hits(), 1);
    clock.0.store(1_120, Ordering::SeqCst);
    assert_eq!(remote.refresh_if_due().await, Refresh::Updated { keys: 2 });
    assert_eq!(server.hits(), 2);
    server.stop().await;
}

#[actix_web::test]
async fn the_background_refresher_does_not_block_verifications() {
    let server = KeyServer::start().await;
    let (first, second) = (key("first"), key("second"));
    server.publish(&[&first]);
    server.set(|a| a.cache_control = Some("max-age=1".into()));
    let remote = RemoteJwks::from_url(server.url())
        .policy(JwksPolicy {
            min_max_age: 1,
            ..JwksPolicy::default()
        })
        .build()
        .unwrap();
    assert_eq!(remote.refresh_if_due().await, Refresh::Updated { keys: 1 });
    let app = test::init_service(
        App::new()
            .app_data(bearer_config(&remote))
            .configure(routes),
    )
    .await;

    // The next refresh is slow and brings a new key.
    server.publish(&[&first, &second]);
    server.set(|a| {
        a.cache_control = Some("max-age=3600".into());
        a.delay = Duration::from_millis(800);
    });
    assert!(remote.spawn_refresher());
    assert!(remote.spawn_refresher(), "idempotent");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut served_during_refresh = false;
    while remote.key_store().snapshot().len() < 2 {
        assert!(Instant::now() < deadline, "no background refresh");
        let started = Instant::now();
        assert_eq!(
            call!(app, &token(&first, &claims("a", "read"))).await,
            StatusCode::OK
        );
        assert!(started.elapsed() < Duration::from_millis(300));
        served_during_refresh |= server.hits() == 2;
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served_during_refresh || server.hits() >= 2);
    // The new key was installed with no request asking for it.
    let before = server.hits();
    assert_eq!(
        call!(app, &token(&second, &claims("b", "read"))).await,
        StatusCode::OK
    );
    assert_eq!(server.hits(), before);
    server.stop().await;
}

#[actix_web::test]
async fn discovery_checks_the_issuer() {
    let server = KeyServer::start().await;
    let signer = key("k1");
    server.publish(&[&signer]);
    let issuer = server.base();
    *server.shared.discovery.lock().unwrap() =
        serde_json::json!({"issuer": issuer, "jwks_uri": server.url()}).to_string();
    let remote = RemoteJwks::from_issuer(format!("{issuer}/"))
        .build()
        .unwrap();
    // The configured issuer has a trailing slash, the document's does not: refused.
    assert_eq!(
        remote.refresh_if_due().await,
        Refresh::Failed(FetchFailure::Discovery)
    );
    assert_eq!(server.hits(), 0);

    let remote = RemoteJwks::from_issuer(issuer.clone()).build().unwrap();
    assert_eq!(remote.refresh_if_due().await, Refresh::Updated { keys: 1 });
    assert_eq!(server.hits(), 1);
    let app = test::init_service(
        App::new()
            .app_data(bearer_config(&remote))
            .configure(routes),
    )
    .await;
    assert_eq!(
        call!(app, &token(&signer, &claims("a", "read"))).await,
        StatusCode::OK
    );

    // A jwks_uri over plain http to another host is refused.
    *server.shared.discovery.lock().unwrap() =
        serde_json::json!({"issuer": issuer, "jwks_uri": "http://keys.example/jwks"}).to_string();
    let remote = RemoteJwks::from_issuer(issuer).build().unwrap();
    assert_eq!(
        remote.refresh_if_due().await,
        Refresh::Failed(FetchFailure::Discovery)
    );
    assert_eq!(server.shared.discovery_hits.load(Ordering::SeqCst), 3);
    assert_eq!(server.hits(), 1);
    let stats: JwksStats = remote.stats();
    assert_eq!((stats.fetches, stats.updates, stats.failures), (1, 0, 1));
    assert_eq!(stats.last_failure, Some(FetchFailure::Discovery));
    server.stop().await;
}

/// Waits (up to 5 s) until `done` holds for the remote's counters.
async fn until(remote: &RemoteJwks, done: impl Fn(&JwksStats) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done(&remote.stats()) {
        assert!(Instant::now() < deadline, "{:?}", remote.stats());
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Without `spawn_refresher`: an expired set is refetched in the background when a request
/// uses it (the request goes on with the current keys), and a set kept past `stale_if_error`
/// because the provider is down is dropped on the next request, which fails closed (503):
/// a key the provider withdrew does not verify forever.
#[actix_web::test]
async fn max_age_and_the_stale_bound_hold_on_the_request_path_without_a_refresher() {
    let server = KeyServer::start().await;
    let (old, new) = (key("old"), key("new"));
    server.publish(&[&old]);
    server.set(|a| a.cache_control = Some("max-age=60".into()));
    let clock = Manual::default();
    clock.0.store(1_000, Ordering::SeqCst);
    let remote = RemoteJwks::from_url(server.url())
        .clock(clock.clone())
        .build()
        .unwrap();
    assert_eq!(remote.refresh_if_due().await, Refresh::Updated { keys: 1 });
    let app = test::init_service(
        App::new()
            .app_data(bearer_config(&remote))
            .configure(routes),
    )
    .await;
    let old_token = token(&old, &claims("a", "read"));
    let new_token = token(&new, &claims("b", "read"));

    // Fresh: no fetch.
    assert_eq!(call!(app, &old_token).await, StatusCode::OK);
    assert_eq!(server.hits(), 1);

    // Expired: this request still passes with the current keys and starts a refetch, which
    // brings the rotated set in.
    server.publish(&[&new]);
    server.set(|a| a.cache_control = Some("max-age=60".into()));
    clock.0.store(1_060, Ordering::SeqCst);
    assert_eq!(call!(app, &old_token).await, StatusCode::OK);
    until(&remote, |stats| stats.updates == 2).await;
    assert_eq!(server.hits(), 2);
    assert_eq!(call!(app, &new_token).await, StatusCode::OK);
    assert_eq!(
        call!(app, &old_token).await,
        StatusCode::UNAUTHORIZED,
        "withdrawn with the refetch"
    );

    // The provider goes down: the last good set serves until the stale bound, then is dropped.
    server.set(|a| a.status = 500);
    clock.0.store(1_120, Ordering::SeqCst);
    assert_eq!(
        call!(app, &new_token).await,
        StatusCode::OK,
        "stale-if-error"
    );
    until(&remote, |stats| stats.failures == 1).await;
    clock.0.store(1_120 + 3_599, Ordering::SeqCst);
    assert_eq!(call!(app, &new_token).await, StatusCode::OK);
    clock.0.store(1_120 + 3_600, Ordering::SeqCst);
    assert_eq!(
        call!(app, &new_token).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "past the stale bound: fail closed"
    );
    assert!(remote.key_store().snapshot().is_empty());
    server.stop().await;
}

/// A clock that counts its reads.
#[derive(Clone, Default)]
struct Counting {
    now: Arc<AtomicU64>,
    reads: Arc<AtomicU64>,
}

impl Clock for Counting {
    fn now_unix(&self) -> u64 {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.now.load(Ordering::SeqCst)
    }
}

/// After a forced refetch failed while the keys were fresh, the refresher sleeps until they
/// expire instead of waking every 100 ms (it used to, for up to `max-age`).
#[actix_web::test]
async fn the_refresher_sleeps_while_the_keys_are_fresh_after_a_failed_refetch() {
    let server = KeyServer::start().await;
    server.publish(&[&key("k")]);
    server.set(|a| a.cache_control = Some("max-age=600".into()));
    let clock = Counting::default();
    clock.now.store(1_000, Ordering::SeqCst);
    let remote = RemoteJwks::from_url(server.url())
        .clock(clock.clone())
        .policy(JwksPolicy {
            cooldown: 1,
            ..JwksPolicy::default()
        })
        .build()
        .unwrap();
    assert_eq!(remote.refresh_if_due().await, Refresh::Updated { keys: 1 });
    server.set(|a| a.status = 500);
    assert!(matches!(
        remote.on_unknown_key(Some("x")).await,
        Refresh::Failed(_)
    ));
    assert!(remote.spawn_refresher());
    let before = clock.reads.load(Ordering::SeqCst);
    actix_web::rt::time::sleep(Duration::from_millis(2_000)).await;
    let reads = clock.reads.load(Ordering::SeqCst) - before;
    // A few reads around the retry after one cooldown, then sleep: not ~20 wake-ups.
    assert!(reads <= 8, "{reads} clock reads in 2 s");
    assert_eq!(server.hits(), 2, "no fetch while fresh");
    server.stop().await;
}
