//! Bearer-token authentication for actix-web 4 on [`jwt_core`]: register a [`BearerConfig`]
//! once, take a [`Bearer<C>`] in a handler, get verified claims.
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use jwt_actix::{Bearer, BearerConfig};
//! use jwt_core::{Algorithm, SigningKey, Validation, Verifier};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct MyClaims {
//!     sub: String,
//! }
//!
//! async fn me(user: Bearer<MyClaims>) -> String {
//!     format!("hello {}", user.sub)
//! }
//!
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     let key = SigningKey::generate(Algorithm::EdDSA).map_err(std::io::Error::other)?;
//!     let verifier = Verifier::new(key.verifying_key())
//!         .with_validation(Validation::new().issuer("https://auth.example").audience("api"));
//!     let auth = BearerConfig::new(verifier).realm("api");
//!     HttpServer::new(move || App::new().app_data(auth.clone()).route("/me", web::get().to(me)))
//!         .bind(("127.0.0.1", 8080))?
//!         .run()
//!         .await
//! }
//! ```
//!
//! What it does for you:
//! - **Finds the token** in `Authorization: Bearer` (scheme case-insensitive, exactly one header
//!   and one RFC 6750 `b64token`), optionally in a named [cookie](BearerConfig::cookie) or, only
//!   if [enabled](BearerConfig::allow_query_parameter), the `access_token` query parameter. A
//!   request with credentials in two places is refused.
//! - **Answers per RFC 6750 §3**: 401 with a `WWW-Authenticate: Bearer realm="…"` challenge
//!   when there are no credentials, 400 `invalid_request` for a malformed request, 401
//!   `invalid_token` for a bad token, 403 `insufficient_scope` with the required `scope`; a
//!   broken server configuration is a 500, never a 401. The body is JSON unless you install
//!   your own [`ErrorRenderer`]. Descriptions are fixed texts: no token or claim value is echoed.
//! - **Verifies once per request**: the middleware [`BearerAuth`] and the extractors share the
//!   result through the request extensions.
//! - **Scopes**: [`Scoped<C, S>`](Scoped) for a requirement named by a type,
//!   [`BearerAuth::require_scopes`] for a whole scope of routes, [`Bearer::require_scopes`] in a
//!   handler.
//! - **Key rotation**: a [`KeyResolver`] is awaited when a token names an unknown key, and the
//!   token is verified once more if it updated the keys. [`RemoteJwks`] is one for a remote
//!   JWK Set (an identity provider's `jwks_uri`, or OpenID Connect discovery).
//!
//! [`OptionalBearer`] is the optional extractor: `None` only without credentials. Do not use
//! `Option<Bearer<C>>`: actix-web maps *every* error of an extractor to `None`, forged tokens
//! included.
//!
//! Nothing here prints a token: the extractors and errors have no field that holds one.

#![forbid(unsafe_code)]

mod authenticate;
mod config;
mod credentials;
mod error;
mod extract;
mod middleware;
mod remote;
mod resolver;
mod scope;

pub use config::{BearerConfig, DEFAULT_REALM};
pub use credentials::TokenSource;
pub use error::{AuthError, AuthErrorKind, ErrorRenderer, JsonErrorRenderer};
pub use extract::{Bearer, OptionalBearer, Scoped};
pub use middleware::{BearerAuth, BearerAuthMiddleware};
pub use remote::{
    DEFAULT_JWKS_TIMEOUT, JwksStats, Refresh, RemoteJwks, RemoteJwksBuilder, RemoteJwksError,
};
pub use resolver::{KeyMiss, KeyResolver, Resolution, ResolveError, ResolveFuture};
pub use scope::{RequiredScopes, Scopes};

/// The crate README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
