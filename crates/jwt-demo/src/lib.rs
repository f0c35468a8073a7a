//! The jwt-toolkit demo server as a library: build the state, mount the routes, serve.
//!
//! Why a library with a thin `main`: tests start the very same app, in process through
//! `actix_web::test` or on a real socket bound to `127.0.0.1:0`, with fast password hashing and
//! without touching environment variables.
//!
//! ```no_run
//! use jwt_demo::{Demo, DemoConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let demo = Demo::new(DemoConfig::default())?;
//! let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! println!("{}", jwt_demo::curl_walkthrough(&format!("http://{}", listener.local_addr()?)));
//! actix_web::rt::System::new().block_on(demo.serve(listener)?)?;
//! # Ok(())
//! # }
//! ```
//!
//! What it shows: a login that checks PBKDF2 password hashes and issues a short-lived EdDSA
//! access token plus an opaque refresh token; refresh-token rotation with reuse detection;
//! routes protected by the jwt-actix extractor and middleware (with a scope); the public keys
//! as a JWK Set; optionally (`JWT_DEMO_JWKS_URL`) tokens of an external identity provider on
//! `/me`, verified with its remote JWK Set through [`jwt_actix::RemoteJwks`]. Everything is in memory: a restart forgets refresh tokens, and, unless
//! `JWT_DEMO_KEY_FILE` names a key, the signing key.

#![forbid(unsafe_code)]

/// The repository README's Rust examples, compiled (and run unless `no_run`) as doctests here,
/// the one crate that depends on everything they use.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// The guides' Rust examples (`docs/guides/`), compiled and run as doctests like the README's.
#[cfg(doctest)]
mod guides {
    #[doc = include_str!("../../../docs/guides/pyjwt-interop.md")]
    struct PyjwtInterop;
    #[doc = include_str!("../../../docs/guides/migrating-from-jsonwebtoken.md")]
    struct MigratingFromJsonwebtoken;
    #[doc = include_str!("../../../docs/guides/key-rotation.md")]
    struct KeyRotation;
    #[doc = include_str!("../../../docs/guides/identity-provider-tokens.md")]
    struct IdentityProviderTokens;
}

pub mod config;
pub mod refresh;
mod routes;
pub mod throttle;
pub mod tokens;
pub mod users;
mod walkthrough;

use std::fmt;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer, web};
use jwt_actix::{BearerConfig, RemoteJwks};
use jwt_core::{Validation, Verifier};

pub use config::{DemoConfig, ExternalIssuer, ListenAddr};
pub use walkthrough::curl_walkthrough;

use crate::refresh::RefreshStore;
use crate::tokens::{KeyError, TokenIssuer};
use crate::users::UserStore;

/// The shared state of the routes.
pub(crate) struct State {
    pub(crate) users: Arc<UserStore>,
    pub(crate) throttle: Arc<throttle::LoginThrottle>,
    pub(crate) issuer: TokenIssuer,
    pub(crate) refresh: RefreshStore,
    pub(crate) jwks: String,
}

/// A configured demo server, ready to be served (cheap to clone: state is shared).
#[derive(Clone)]
pub struct Demo {
    state: web::Data<State>,
    auth: BearerConfig,
    external: Option<External>,
}

/// The external issuer accepted on `/me`: its remote keys and its bearer configuration.
#[derive(Clone)]
struct External {
    issuer: Arc<str>,
    jwks: RemoteJwks,
    auth: BearerConfig,
}

impl Demo {
    /// Loads or generates the key, hashes the demo users' passwords, builds the verifier.
    ///
    /// # Errors
    /// The key file is unusable, or the system random generator fails.
    pub fn new(config: DemoConfig) -> Result<Demo, DemoError> {
        let key = tokens::signing_key(config.key_file.as_deref()).map_err(DemoError::Key)?;
        let issuer = TokenIssuer::new(
            key,
            config.issuer.clone(),
            config.audience.clone(),
            config.access_ttl,
        );
        // Every verification becomes a `jwt.verify` span and one outcome event (jwt-tracing).
        let verifier = issuer
            .verifier()
            .map_err(DemoError::Jwt)?
            .with_instrument(jwt_tracing::TraceVerifications::default());
        let jwks = issuer.jwks().map_err(DemoError::Jwt)?.to_json();
        let users =
            UserStore::with_demo_users(config.pbkdf2_iterations).map_err(|_| DemoError::Random)?;
        let auth = BearerConfig::new(verifier).realm("jwt-demo");
        let external = config
            .external
            .as_ref()
            .map(|external| external_issuer(external, &config.issuer, &config.audience))
            .transpose()?;
        tracing::info!(
            kid = issuer.kid().unwrap_or_default(),
            pbkdf2_iterations = config.pbkdf2_iterations.get(),
            "signing key and demo users ready"
        );
        Ok(Demo {
            state: web::Data::new(State {
                users: Arc::new(users),
                throttle: Arc::new(throttle::LoginThrottle::new()),
                issuer,
                refresh: RefreshStore::new(config.refresh_ttl),
                jwks,
            }),
            auth,
            external,
        })
    }

    /// The external issuer's remote JWK Set, when `JWT_DEMO_JWKS_URL` configured one.
    pub fn remote_jwks(&self) -> Option<&RemoteJwks> {
        self.external.as_ref().map(|external| &external.jwks)
    }

    /// Starts what runs beside the routes: the external JWK Set's scheduled refresh. Call it
    /// inside the actix system that serves (as `main` does); the keys are also fetched on
    /// demand when a token names one the demo does not have.
    pub fn start_background_tasks(&self) {
        if let Some(external) = &self.external {
            external.jwks.spawn_refresher();
        }
    }

    /// The bearer configuration the routes use (its verifier and key store).
    pub fn auth(&self) -> &BearerConfig {
        &self.auth
    }

    /// The app: routes, state, bearer configuration and request logging.
    pub fn app(
        &self,
    ) -> App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<impl MessageBody + use<>>,
            Error = actix_web::Error,
            InitError = (),
        > + use<>,
    > {
        let external = self.external.clone();
        App::new()
            .app_data(self.state.clone())
            .app_data(self.auth.clone())
            .configure(move |cfg| {
                // Before the demo's own `/me`: a token whose (unverified) `iss` names the
                // external issuer is routed to a verifier that trusts only that issuer's keys.
                if let Some(external) = external {
                    routes::external_me(cfg, external.issuer, external.auth);
                }
            })
            .configure(routes::configure)
            .wrap_fn(|req, service| {
                use actix_web::dev::Service as _;
                // Method and path only: a query string may hold secrets.
                let method = req.method().clone();
                let path = req.path().to_owned();
                let started = Instant::now();
                let response = service.call(req);
                async move {
                    let response = response.await?;
                    tracing::info!(
                        %method,
                        %path,
                        status = response.status().as_u16(),
                        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                        "request"
                    );
                    Ok(response)
                }
            })
    }

    /// An HTTP server for `listener` (run it by awaiting it inside an actix system).
    ///
    /// # Errors
    /// If the listener cannot be used.
    pub fn serve(self, listener: TcpListener) -> std::io::Result<Server> {
        Ok(HttpServer::new(move || self.app()).listen(listener)?.run())
    }
}

impl fmt::Debug for Demo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Demo")
            .field("users", &self.state.users)
            .field("issuer", &self.state.issuer)
            .field("refresh", &self.state.refresh)
            .field("auth", &self.auth)
            .field("external", &self.remote_jwks())
            .finish()
    }
}

/// Why the demo cannot start.
#[derive(Debug)]
#[non_exhaustive]
pub enum DemoError {
    /// The signing key.
    Key(KeyError),
    /// jwt-core refused to build the verifier or key set.
    Jwt(jwt_core::Error),
    /// The system random generator failed.
    Random,
    /// The external issuer settings are unusable (`JWT_DEMO_JWKS_*`).
    External(String),
}

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoError::Key(e) => e.fmt(f),
            DemoError::Jwt(e) => write!(f, "cannot set up token verification: {e}"),
            DemoError::Random => f.write_str("the system random generator failed"),
            DemoError::External(why) => write!(f, "external issuer: {why}"),
        }
    }
}

impl std::error::Error for DemoError {}

/// The verifier and key source for an external issuer's tokens.
fn external_issuer(
    external: &ExternalIssuer,
    own_issuer: &str,
    audience: &str,
) -> Result<External, DemoError> {
    let issuer = external.issuer.clone().ok_or_else(|| {
        DemoError::External(
            "JWT_DEMO_JWKS_ISSUER must name the issuer whose tokens JWT_DEMO_JWKS_URL's keys sign"
                .into(),
        )
    })?;
    if issuer == own_issuer {
        return Err(DemoError::External(
            "JWT_DEMO_JWKS_ISSUER must differ from the demo's own issuer (JWT_DEMO_ISSUER)".into(),
        ));
    }
    let mut builder = RemoteJwks::from_url(external.jwks_url.clone());
    if let Some(ca_file) = &external.ca_file {
        let pem = std::fs::read(ca_file).map_err(|e| {
            DemoError::External(format!("JWT_DEMO_JWKS_CA ({}): {e}", ca_file.display()))
        })?;
        builder = builder.root_certificates_pem(pem);
    }
    let jwks = builder
        .build()
        .map_err(|e| DemoError::External(e.to_string()))?;
    let verifier = Verifier::with_key_store(jwks.key_store().clone())
        .with_validation(
            Validation::new()
                .issuer(issuer.clone())
                .audience(external.audience.as_deref().unwrap_or(audience))
                // Another machine's clock: tolerate a little skew.
                .leeway(30),
        )
        .with_instrument(jwt_tracing::TraceVerifications::default());
    let auth = BearerConfig::new(verifier)
        .realm("jwt-demo")
        .key_resolver(jwks.clone());
    tracing::info!(
        "jwks.url" = ?external.jwks_url,
        issuer = ?issuer,
        "/me also accepts this external issuer's tokens"
    );
    Ok(External {
        issuer: Arc::from(issuer),
        jwks,
        auth,
    })
}
