//! The one configuration every extractor and middleware of an app reads.
//!
//! Why app data and not a parameter of each extractor: the verifier, realm and token sources are
//! properties of the service, not of a handler, and actix already scopes app data (a
//! `web::scope` may register its own). The configuration is an `Arc` inside, so registering it
//! in the `HttpServer::new` factory clones a pointer per worker, and every worker shares the same
//! [`KeyStore`](jwt_core::KeyStore) for rotation.

use std::fmt;
use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::web::Data;
use jwt_core::{KeySet, Validation, Verifier};

use crate::credentials::TokenSources;
use crate::error::{AuthError, ErrorRenderer, JsonErrorRenderer, RenderContext};
use crate::resolver::KeyResolver;

/// The realm used in challenges unless [`BearerConfig::realm`] sets another.
pub const DEFAULT_REALM: &str = "api";

/// How requests are authenticated: verifier, realm, token sources, scope claim, error renderer
/// and key resolver. Register it once with `App::app_data`.
///
/// ```
/// use actix_web::{App, web};
/// use jwt_actix::{Bearer, BearerConfig};
/// use jwt_core::{Algorithm, SigningKey, Validation, Verifier};
///
/// # async fn me(user: Bearer) -> String { user.claims()["sub"].to_string() }
/// let key = SigningKey::generate(Algorithm::EdDSA)?;
/// let verifier = Verifier::new(key.verifying_key())
///     .with_validation(Validation::new().issuer("https://auth.example").audience("api"));
/// let auth = BearerConfig::new(verifier)
///     .realm("orders")
///     .cookie("access_token") // also read this cookie
///     .scope_claim("scope");
/// let app = App::new().app_data(auth.clone()).route("/me", web::get().to(me));
/// # let _ = app;
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct BearerConfig {
    inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) verifier: Verifier,
    pub(crate) sources: TokenSources,
    pub(crate) scope_claim: Box<str>,
    pub(crate) resolver: Option<Arc<dyn KeyResolver>>,
    pub(crate) render: RenderContext,
}

impl BearerConfig {
    /// A configuration that verifies with `verifier`, reads `Authorization: Bearer` only,
    /// uses realm `"api"`, the `scope` claim and the JSON error body.
    pub fn new(verifier: Verifier) -> Self {
        BearerConfig {
            inner: Arc::new(Inner {
                verifier,
                sources: TokenSources::default(),
                scope_claim: "scope".into(),
                resolver: None,
                render: RenderContext {
                    realm: Arc::from(DEFAULT_REALM),
                    renderer: Arc::new(JsonErrorRenderer),
                },
            }),
        }
    }

    /// A configuration over a key set and claim checks (a verifier made for you).
    pub fn from_key_set(keys: KeySet, validation: Validation) -> Self {
        Self::new(Verifier::with_key_set(keys).with_validation(validation))
    }

    fn edit(mut self, change: impl FnOnce(&mut Inner)) -> Self {
        change(Arc::make_mut(&mut self.inner));
        self
    }

    /// The realm named in `WWW-Authenticate` challenges (default `"api"`). It is quoted and
    /// escaped when sent.
    #[must_use]
    pub fn realm(self, realm: impl Into<String>) -> Self {
        let realm: Arc<str> = Arc::from(realm.into());
        self.edit(|inner| inner.render.realm = realm)
    }

    /// Also reads the token from the cookie called `name` (the `Authorization` header stays
    /// enabled; a request with both is refused). An empty cookie counts as no cookie.
    #[must_use]
    pub fn cookie(self, name: impl Into<String>) -> Self {
        let name = name.into().into_boxed_str();
        self.edit(|inner| inner.sources.cookie = Some(name))
    }

    /// Stops reading the `Authorization` header (for cookie-only services).
    #[must_use]
    pub fn without_authorization_header(self) -> Self {
        self.edit(|inner| inner.sources.header = false)
    }

    /// Also reads the `access_token` query parameter (RFC 6750 §2.3).
    ///
    /// Off by default, as the RFC advises: URLs are logged by servers and proxies, kept in
    /// browser history and leaked in `Referer`. Enable it only for clients that cannot set
    /// headers (some WebSocket and `EventSource` clients). Responses to such requests should
    /// carry `Cache-Control: private` (RFC 6750 §2.3): [`BearerAuth`](crate::BearerAuth) adds
    /// it to successful responses that have no `Cache-Control`; a route protected by
    /// extractors alone must set it itself.
    #[must_use]
    pub fn allow_query_parameter(self) -> Self {
        self.edit(|inner| inner.sources.query = true)
    }

    /// The claim scopes are read from (default `scope`): a space-separated string or an array
    /// of strings.
    #[must_use]
    pub fn scope_claim(self, claim: impl Into<String>) -> Self {
        let claim = claim.into().into_boxed_str();
        self.edit(|inner| inner.scope_claim = claim)
    }

    /// Replaces the error body renderer; see [`ErrorRenderer`].
    #[must_use]
    pub fn error_renderer(self, renderer: impl ErrorRenderer) -> Self {
        let renderer: Arc<dyn ErrorRenderer> = Arc::new(renderer);
        self.edit(|inner| inner.render.renderer = renderer)
    }

    /// Installs a [`KeyResolver`], called when a token names a key the verifier lacks.
    #[must_use]
    pub fn key_resolver(self, resolver: impl KeyResolver) -> Self {
        let resolver: Arc<dyn KeyResolver> = Arc::new(resolver);
        self.edit(|inner| inner.resolver = Some(resolver))
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// The realm.
    pub fn realm_name(&self) -> &str {
        &self.inner.render.realm
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// Identifies this configuration (for the per-request cache).
    pub(crate) fn id(&self) -> usize {
        Arc::as_ptr(&self.inner).addr()
    }

    /// An error rendered under this configuration.
    pub(crate) fn error(&self, error: AuthError) -> AuthError {
        error.in_context(self.inner.render.clone())
    }

    /// The configuration registered for `req` (as `BearerConfig` or `Data<BearerConfig>`).
    ///
    /// actix finds the innermost registration of each *type*, but cannot tell which of two
    /// types was registered further in: a scope's `Data<BearerConfig>` under an app's plain
    /// `BearerConfig` (or the reverse) would silently lose to the outer one. Two different
    /// configurations seen through the two types are therefore refused as a server fault
    /// (fail closed) rather than guessed between.
    pub(crate) fn of(req: &HttpRequest) -> Result<&BearerConfig, AuthError> {
        let plain = req.app_data::<BearerConfig>();
        let data = req.app_data::<Data<BearerConfig>>().map(Data::get_ref);
        match (plain, data) {
            (Some(plain), Some(data)) if plain.id() != data.id() => {
                tracing::error!(
                    "jwt-actix: this request sees two different configurations, one registered \
                     as BearerConfig and one as web::Data<BearerConfig>, and which one is \
                     nearer the route cannot be told; the request is refused. Register every \
                     BearerConfig of the app the same way (all with App::app_data(config) or \
                     all as web::Data<BearerConfig>)"
                );
                Err(AuthError::conflicting_configuration())
            }
            (Some(config), _) | (None, Some(config)) => Ok(config),
            (None, None) => {
                tracing::error!(
                    "jwt-actix: a bearer extractor or middleware ran without configuration; \
                     register one with App::app_data(BearerConfig::new(verifier))"
                );
                Err(AuthError::missing_configuration())
            }
        }
    }
}

impl fmt::Debug for BearerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("BearerConfig")
            .field("verifier", &inner.verifier)
            .field("realm", &inner.render.realm)
            .field("sources", &inner.sources)
            .field("scope_claim", &inner.scope_claim)
            .field("key_resolver", &inner.resolver.is_some())
            .finish_non_exhaustive()
    }
}
