//! Keys, tokens, a test app with one route per extractor, and a response reader.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, WWW_AUTHENTICATE};
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpResponse, web};
use jwt_actix::{Bearer, BearerAuth, BearerConfig, OptionalBearer, RequiredScopes, Scoped};
use jwt_core::{Algorithm, Instrument, Recorder, SigningKey, Validation, Verifier};
use serde::Deserialize;
use serde_json::{Value, json};

pub const ISS: &str = "https://issuer.test";
pub const AUD: &str = "api";

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn key(kid: &str) -> SigningKey {
    SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid(kid)
}

/// Claims the test issuer would issue to `sub` with `scope`.
pub fn claims(sub: &str, scope: &str) -> Value {
    json!({"iss": ISS, "aud": AUD, "sub": sub, "scope": scope, "iat": now(), "exp": now() + 300})
}

pub fn token(key: &SigningKey, claims: &Value) -> String {
    jwt_core::encode(key, claims).unwrap()
}

pub fn validation() -> Validation {
    Validation::new().issuer(ISS).audience(AUD)
}

pub fn verifier(key: &SigningKey) -> Verifier {
    Verifier::new(key.verifying_key()).with_validation(validation())
}

pub fn config(key: &SigningKey) -> BearerConfig {
    BearerConfig::new(verifier(key))
}

/// Counts verifications (through jwt-core's instrument hook).
#[derive(Default)]
pub struct Counter(pub AtomicUsize);

impl Instrument for Counter {
    fn observe(&self, run: &mut dyn FnMut(&mut dyn Recorder)) {
        self.0.fetch_add(1, Ordering::SeqCst);
        struct Quiet;
        impl Recorder for Quiet {}
        run(&mut Quiet);
    }
}

pub fn counted(key: &SigningKey) -> (BearerConfig, Arc<Counter>) {
    let counter = Arc::new(Counter::default());
    let config = BearerConfig::new(verifier(key).with_instrument(counter.clone()));
    (config, counter)
}

#[derive(Deserialize, Debug)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub scope: String,
}

/// Claims no token of these tests has: conversion fails.
#[derive(Deserialize, Debug)]
pub struct Strict {
    pub tenant: String,
}

pub struct Admin;
impl RequiredScopes for Admin {
    const SCOPES: &'static [&'static str] = &["admin"];
}

async fn me(user: Bearer<Claims>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "sub": user.sub,
        "scope": user.scope,
        "kid": user.header().kid(),
        "source": user.source().name(),
        "scopes": user.scopes().iter().collect::<Vec<_>>(),
        "debug": format!("{user:?}"),
    }))
}

async fn strict(user: Bearer<Strict>) -> HttpResponse {
    HttpResponse::Ok().body(user.tenant.clone())
}

async fn optional(OptionalBearer(user): OptionalBearer<Claims>) -> HttpResponse {
    match user {
        Some(user) => HttpResponse::Ok().json(json!({"sub": user.sub})),
        None => HttpResponse::Ok().json(json!({"anonymous": true})),
    }
}

async fn admin(user: Scoped<Claims, Admin>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"admin": user.sub}))
}

async fn orders(user: Bearer) -> Result<HttpResponse, jwt_actix::AuthError> {
    user.require_scopes(&["orders:read", "orders:write"])?;
    Ok(HttpResponse::Ok().finish())
}

/// Takes every extractor at once: the token must still be verified once.
async fn all(
    a: Bearer<Claims>,
    b: OptionalBearer<Value>,
    c: Scoped<Value, Admin>,
    d: Bearer<Value>,
) -> HttpResponse {
    let same = b.0.is_some() && a.sub == c.claims()["sub"] && d.claims()["sub"] == a.sub;
    HttpResponse::Ok().json(json!({"same": same}))
}

async fn pong() -> HttpResponse {
    HttpResponse::Ok().body("pong")
}

/// The routes every test app has.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me))
        .route("/strict", web::get().to(strict))
        .route("/optional", web::get().to(optional))
        .route("/admin", web::get().to(admin))
        .route("/orders", web::get().to(orders))
        .route("/all", web::get().to(all))
        .route("/public", web::get().to(pong))
        .service(
            web::scope("/mw")
                .wrap(BearerAuth::new())
                .route("/ping", web::get().to(pong))
                .route("/me", web::get().to(me))
                .route("/all", web::get().to(all)),
        )
        .service(
            web::scope("/mw-admin")
                .wrap(BearerAuth::new().require_scopes(["admin"]))
                .route("/ping", web::get().to(pong))
                .route("/me", web::get().to(me)),
        )
        .service(
            web::scope("/mw-optional")
                .wrap(BearerAuth::new().optional())
                .route("/who", web::get().to(optional)),
        );
}

/// A response, read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    pub fn challenge(&self) -> Option<&str> {
        self.headers
            .get(WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap())
    }

    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get("content-type")
            .map(|v| v.to_str().unwrap())
    }

    /// Asserts neither the body nor any header mentions `secret`.
    pub fn assert_silent_about(&self, secret: &str) {
        assert!(!self.text.contains(secret), "body leaks: {}", self.text);
        for (name, value) in &self.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            assert!(!value.contains(secret), "{name} leaks: {value}");
        }
    }
}

/// Sends `req` to an app with the test routes and `config` (if any) registered.
pub async fn send(config: Option<BearerConfig>, req: TestRequest) -> Reply {
    let mut app = App::new().configure(routes);
    if let Some(config) = config {
        app = app.app_data(config);
    }
    let app = test::init_service(app).await;
    read(test::call_service(&app, req.to_request()).await).await
}

pub async fn read<B: actix_web::body::MessageBody>(
    response: actix_web::dev::ServiceResponse<B>,
) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = test::read_body(response).await;
    Reply {
        status,
        headers,
        text: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

pub fn get(path: &str) -> TestRequest {
    TestRequest::get().uri(path)
}

pub fn bearer(path: &str, token: &str) -> TestRequest {
    get(path).insert_header(("Authorization", format!("Bearer {token}")))
}

/// The bare challenge of a request without credentials.
pub const BARE: &str = r#"Bearer realm="api""#;

pub fn invalid_token(description: &str) -> String {
    format!(r#"Bearer realm="api", error="invalid_token", error_description="{description}""#)
}

pub fn invalid_request(description: &str) -> String {
    format!(r#"Bearer realm="api", error="invalid_request", error_description="{description}""#)
}

/// One `tracing` event as a test sees it: level, target, and each field as text (strings as
/// they are, anything else `Debug`-formatted).
#[derive(Clone, Debug)]
pub struct Event {
    pub level: tracing::Level,
    pub target: String,
    pub fields: Vec<(String, String)>,
}

impl Event {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Every event of the current thread while [`Events::capture`]'s guard lives.
#[derive(Clone, Default)]
pub struct Events(Arc<std::sync::Mutex<Vec<Event>>>);

impl Events {
    pub fn capture(&self) -> tracing::subscriber::DefaultGuard {
        use tracing_subscriber::layer::SubscriberExt;
        tracing::subscriber::set_default(tracing_subscriber::registry().with(self.clone()))
    }

    pub fn all(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Events {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Fields(Vec<(String, String)>);
        impl tracing::field::Visit for Fields {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                self.0.push((field.name().to_owned(), value.to_owned()));
            }
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push((field.name().to_owned(), format!("{value:?}")));
            }
        }
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        let meta = event.metadata();
        self.0.lock().unwrap().push(Event {
            level: *meta.level(),
            target: meta.target().to_owned(),
            fields: fields.0,
        });
    }
}
