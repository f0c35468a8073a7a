//! The HTTP routes.
//!
//! | route | auth | what |
//! | --- | --- | --- |
//! | `POST /login` | user name and password (JSON) | access + refresh token |
//! | `POST /refresh` | refresh token (JSON) | new access + refresh token (rotation) |
//! | `POST /logout` | refresh token (JSON) | `{}`; the login's refresh tokens are revoked |
//! | `GET /me` | bearer token | the token's claims |
//! | `GET /admin` | bearer token with scope `admin` | a greeting |
//! | `GET /.well-known/jwks.json` | none | the public keys |
//! | `GET /public/ping`, `GET /me/ping` | none / bearer token | `pong`, for load comparisons |
//!
//! Token endpoint answers follow RFC 6749 §5: `Cache-Control: no-store`, and failures are
//! 400 `{"error":"invalid_grant"|"invalid_request", "error_description":..}`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HeaderValue, PRAGMA, RETRY_AFTER,
};
use actix_web::{HttpRequest, HttpResponse, guard, web};
use jwt_actix::{Bearer, BearerAuth, BearerConfig};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::refresh::RefreshError;
use crate::tokens::{AccessClaims, now};
use crate::users::Account;
use crate::{State, throttle};

/// `GET /me` for tokens whose unverified `iss` is `issuer`, verified under `auth` (the external
/// issuer's keys and claims checks). Routing on an unverified claim is safe: the chosen
/// verifier checks the signature and `iss` again, and a token that lies about its issuer is
/// refused by the verifier it was routed to.
pub(crate) fn external_me(cfg: &mut web::ServiceConfig, issuer: Arc<str>, auth: BearerConfig) {
    cfg.service(
        web::resource("/me")
            .guard(guard::fn_guard(move |ctx| {
                unverified_issuer(ctx.head()).is_some_and(|iss| *iss == *issuer)
            }))
            .app_data(auth)
            .route(web::get().to(me_external)),
    );
}

/// The `iss` of the bearer token in `Authorization`, unverified.
fn unverified_issuer(head: &actix_web::dev::RequestHead) -> Option<String> {
    #[derive(Deserialize)]
    struct Issuer {
        iss: String,
    }
    let header = head.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let unverified = jwt_core::danger_decode_unverified(token.trim()).ok()?;
    let claims: Issuer = unverified.claims().ok()?;
    Some(claims.iss)
}

/// An external issuer's token: its claims as they are.
async fn me_external(user: Bearer<serde_json::Value>) -> HttpResponse {
    HttpResponse::Ok().json(user.claims())
}

/// Registers every route on `cfg`.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(4096)
            .error_handler(|_, _| {
                invalid_request("the body must be a small JSON object with the documented fields")
                    .into()
            }),
    )
    // Resources rather than `ServiceConfig::route`, whose method guard sits on the resource:
    // a wrong method on a known path is then `405` with `Allow`, not `404`.
    .service(web::resource("/login").route(web::post().to(login)))
    .service(web::resource("/refresh").route(web::post().to(refresh)))
    .service(web::resource("/logout").route(web::post().to(logout)))
    .service(web::resource("/me").route(web::get().to(me)))
    .service(
        web::resource("/admin")
            .wrap(BearerAuth::new().require_scopes(["admin"]))
            .route(web::get().to(admin)),
    )
    .service(web::resource("/.well-known/jwks.json").route(web::get().to(jwks)))
    .service(web::resource("/public/ping").route(web::get().to(ping)))
    .service(web::resource("/me/ping").route(web::get().to(me_ping)));
}

#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
}

#[derive(Deserialize)]
struct RefreshRequest {
    refresh_token: String,
}

/// RFC 6749 §5.1 token response.
#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    refresh_token: String,
    scope: String,
}

/// An RFC 6749 §5.2 error answer (plain status and fixed text: a token endpoint error is not a
/// bearer challenge).
#[derive(Debug)]
struct TokenError {
    code: &'static str,
    description: &'static str,
    status: StatusCode,
    /// Seconds for `Retry-After`, when the client should wait.
    retry_after: Option<u64>,
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.description)
    }
}

impl actix_web::ResponseError for TokenError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = no_store(HttpResponse::build(self.status));
        if let Some(seconds) = self.retry_after {
            response.insert_header((RETRY_AFTER, seconds));
        }
        response.json(json!({"error": self.code, "error_description": self.description}))
    }
}

const fn invalid_grant(description: &'static str) -> TokenError {
    TokenError {
        code: "invalid_grant",
        description,
        status: StatusCode::BAD_REQUEST,
        retry_after: None,
    }
}

const fn invalid_request(description: &'static str) -> TokenError {
    TokenError {
        code: "invalid_request",
        description,
        status: StatusCode::BAD_REQUEST,
        retry_after: None,
    }
}

/// 429 with `Retry-After` (see [`crate::throttle`]).
fn too_many_attempts(wait: Duration) -> TokenError {
    TokenError {
        code: "slow_down",
        description: "too many failed logins; try again later",
        status: StatusCode::TOO_MANY_REQUESTS,
        // Rounded up: a client that waits exactly this long is let in.
        retry_after: Some(
            wait.as_secs()
                .saturating_add(u64::from(wait.subsec_nanos() > 0))
                .max(1),
        ),
    }
}

/// 503 with `Retry-After: 1`: the password checks in progress are at their limit.
const fn busy() -> TokenError {
    TokenError {
        code: "temporarily_unavailable",
        description: "the server is busy; try again in a moment",
        status: StatusCode::SERVICE_UNAVAILABLE,
        retry_after: Some(1),
    }
}

const fn server_error() -> TokenError {
    TokenError {
        code: "server_error",
        description: "the server could not issue a token",
        status: StatusCode::INTERNAL_SERVER_ERROR,
        retry_after: None,
    }
}

fn no_store(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .insert_header((PRAGMA, HeaderValue::from_static("no-cache")));
    builder
}

async fn login(
    request: HttpRequest,
    state: web::Data<State>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, TokenError> {
    let LoginRequest { username, password } = body.into_inner();
    let address = request.peer_addr().map(|peer| peer.ip());
    // Logged with Debug formatting (escaped) and clipped: the name is the client's text.
    let shown = throttle::clipped(&username).to_owned();
    // The slot first: a login refused with 503 must not touch the throttle's table.
    let Some(slot) = state.throttle.hash_slot() else {
        tracing::warn!("login refused: too many password checks at once");
        return Err(busy());
    };
    let attempt = match state.throttle.begin(&username, address, Instant::now()) {
        Ok(attempt) => attempt,
        Err(wait) => {
            tracing::info!(user = ?shown, client = ?address, "login throttled");
            return Err(too_many_attempts(wait));
        }
    };
    // PBKDF2 is slow on purpose: run it off the worker thread. The slot and the outcome's
    // bookkeeping go with it: a client that hangs up mid-check (dropping this handler) neither
    // frees the slot while the hash still runs nor escapes the failure count.
    let users = Arc::clone(&state.users);
    let account = web::block(move || {
        let _slot = slot;
        let account = users.check(&username, &password);
        match &account {
            Some(_) => attempt.succeeded(),
            None => attempt.failed(Instant::now()),
        }
        account
    })
    .await
    .map_err(|_| server_error())?;
    let Some(account) = account else {
        tracing::info!(user = ?shown, client = ?address, "login refused");
        return Err(invalid_grant("unknown user or wrong password"));
    };
    let now = now();
    let family = state
        .refresh
        .start(account, now)
        .map_err(|_| server_error())?;
    tracing::info!(sub = %family.account.name, family = family.family, "login");
    grant(&state, &family.account, family.refresh_token, now)
}

async fn refresh(
    state: web::Data<State>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, TokenError> {
    let now = now();
    match state.refresh.rotate(&body.refresh_token, now) {
        Ok(rotated) => {
            tracing::info!(sub = %rotated.account.name, family = rotated.family, "refresh");
            grant(&state, &rotated.account, rotated.refresh_token, now)
        }
        Err(RefreshError::Random) => Err(server_error()),
        Err(error) => {
            tracing::info!(reason = error.description(), "refresh refused");
            Err(invalid_grant(error.description()))
        }
    }
}

/// `POST /logout`: revokes the login a refresh token belongs to (RFC 7009 style: 200 whether
/// or not the token was known, so the answer tells nothing). Its access tokens stay valid until
/// they expire.
async fn logout(state: web::Data<State>, body: web::Json<RefreshRequest>) -> HttpResponse {
    match state.refresh.revoke(&body.refresh_token) {
        Some(family) => tracing::info!(family, "logout: the login's refresh tokens are revoked"),
        None => tracing::info!("logout with an unknown refresh token"),
    }
    no_store(HttpResponse::Ok()).json(json!({}))
}

fn grant(
    state: &State,
    account: &Account,
    refresh_token: String,
    now: u64,
) -> Result<HttpResponse, TokenError> {
    let (access_token, expires_in) = state.issuer.issue(account, now).map_err(|error| {
        tracing::error!(%error, "cannot sign an access token");
        server_error()
    })?;
    Ok(no_store(HttpResponse::Ok()).json(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        refresh_token,
        scope: account.scope.clone(),
    }))
}

async fn me(user: Bearer<AccessClaims>) -> HttpResponse {
    HttpResponse::Ok().json(user.claims())
}

/// Behind `BearerAuth::require_scopes(["admin"])`; the extractor reuses the middleware's
/// verification.
async fn admin(user: Bearer<AccessClaims>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "message": format!("hello, {}: you have the admin scope", user.sub),
        "scopes": user.scopes().iter().collect::<Vec<_>>(),
    }))
}

async fn jwks(state: web::Data<State>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .body(state.jwks.to_string())
}

async fn ping() -> &'static str {
    "pong"
}

/// The twin of `/public/ping` behind a bearer token: the difference is the cost of
/// authentication.
async fn me_ping(_: Bearer<AccessClaims>) -> &'static str {
    "pong"
}
