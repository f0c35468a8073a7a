//! [`BearerAuth`]: one `wrap` that protects every route of an app or scope.
//!
//! Why a middleware besides the extractors: "everything under `/api` needs a token" should be
//! one line, not an extractor argument that one forgotten handler lacks. The middleware uses the
//! same configuration (the `BearerConfig` in app data, which a `web::scope` may override) and
//! leaves its verdict in the request, so a handler behind it that takes a
//! [`Bearer`](crate::Bearer) gets the claims without a second verification.
//!
//! A successful response to a request whose token came from the `access_token` query parameter
//! gets `Cache-Control: private` unless the handler set a `Cache-Control` of its own (RFC 6750
//! §2.3: a shared cache keyed on the URL must not keep it).
//!
//! CORS preflight requests (`OPTIONS` without credentials) would be refused like any other
//! request without a token: put the CORS middleware *outside* this one (in actix, the last
//! `wrap` runs first) so it answers preflights before authentication.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{Error, ResponseError};

use crate::authenticate::{Outcome, authenticate};
use crate::credentials::TokenSource;
use crate::error::AuthError;

/// Refuses requests without a valid bearer token (and, optionally, without some scopes) before
/// they reach any handler of the wrapped app or scope.
///
/// ```
/// use actix_web::{App, HttpResponse, web};
/// use jwt_actix::{BearerAuth, BearerConfig};
/// # let key = jwt_core::SigningKey::generate(jwt_core::Algorithm::EdDSA)?;
/// # let verifier = jwt_core::Verifier::new(&key);
///
/// let app = App::new()
///     .app_data(BearerConfig::new(verifier))
///     .service(
///         web::scope("/admin")
///             .wrap(BearerAuth::new().require_scopes(["admin"]))
///             .route("/stats", web::get().to(HttpResponse::Ok)),
///     );
/// # let _ = app;
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct BearerAuth {
    required: Option<Arc<[Box<str>]>>,
    optional: bool,
}

impl BearerAuth {
    /// Requires a valid token; no scopes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also requires every one of `scopes` (403 `insufficient_scope` otherwise).
    #[must_use]
    pub fn require_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let scopes: Arc<[Box<str>]> = scopes
            .into_iter()
            .map(|s| s.into().into_boxed_str())
            .collect();
        self.required = (!scopes.is_empty()).then_some(scopes);
        self
    }

    /// Lets requests without any bearer credentials through (handlers then see
    /// [`OptionalBearer`](crate::OptionalBearer) `None`); requests with a bad token are still
    /// refused, and scopes are only checked when there is a token.
    #[must_use]
    pub const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
}

impl<S, B> Transform<S, ServiceRequest> for BearerAuth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = BearerAuthMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(BearerAuthMiddleware {
            service: Rc::new(service),
            settings: self.clone(),
        }))
    }
}

/// The service [`BearerAuth`] wraps around an app or scope.
#[derive(Debug)]
pub struct BearerAuthMiddleware<S> {
    service: Rc<S>,
    settings: BearerAuth,
}

impl<S, B> Service<ServiceRequest> for BearerAuthMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Error>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let settings = self.settings.clone();
        Box::pin(async move {
            // The clone of the request is dropped before the inner service runs. A request let
            // through carries where its token came from (`None`: no token, allowed).
            let verdict = match authenticate(req.request().clone()).await {
                Err(missing_configuration) => Err(missing_configuration),
                Ok((config, outcome)) => match outcome {
                    Outcome::Failed(error) => Err(error),
                    Outcome::Anonymous if settings.optional => Ok(None),
                    Outcome::Anonymous => Err(config.error(AuthError::missing_credentials())),
                    Outcome::Authenticated(identity) => match &settings.required {
                        Some(required) if !identity.scopes.contains_all(required) => {
                            Err(config.error(AuthError::insufficient_scope(Arc::clone(required))))
                        }
                        _ => Ok(Some(identity.source)),
                    },
                },
            };
            match verdict {
                Ok(source) => {
                    let mut response = service.call(req).await?;
                    let headers = response.headers_mut();
                    if source == Some(TokenSource::Query) && !headers.contains_key(CACHE_CONTROL) {
                        headers.insert(CACHE_CONTROL, HeaderValue::from_static("private"));
                    }
                    Ok(response.map_into_left_body())
                }
                Err(error) => Ok(req
                    .into_response(error.error_response())
                    .map_into_right_body()),
            }
        })
    }
}
