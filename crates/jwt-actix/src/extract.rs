//! The extractors: [`Bearer`] (token required), [`OptionalBearer`] (anonymous allowed, bad tokens
//! still refused) and [`Scoped`] (token with scopes named by a type).
//!
//! Why a dedicated optional extractor: actix-web's blanket `Option<T>` extractor turns *every*
//! extraction error into `None`, so `Option<Bearer<C>>` would treat a forged or expired token
//! like no token at all, letting a client with a bad token through as anonymous.
//! [`OptionalBearer`] answers `None` only when the request carries no bearer credentials.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use jwt_core::{Header, TimeClaims};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::authenticate::{Identity, Outcome, authenticate};
use crate::config::BearerConfig;
use crate::credentials::TokenSource;
use crate::error::AuthError;
use crate::scope::{RequiredScopes, Scopes};

/// The future of the extractors.
type Extraction<T> = Pin<Box<dyn Future<Output = Result<T, AuthError>>>>;

/// A request's verified bearer token: its claims as `C`, its header and its scopes.
///
/// The request is refused (400, 401, 500 or 503; see [`AuthErrorKind`](crate::AuthErrorKind))
/// unless it carries exactly one token that the configured verifier accepts. `C` is any
/// deserializable type; the default, `serde_json::Value`, takes the claims as they are. It
/// dereferences to `C`.
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use jwt_actix::{Bearer, BearerConfig};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct MyClaims { sub: String, scope: String }
///
/// async fn me(user: Bearer<MyClaims>) -> String {
///     format!("hello {} ({})", user.sub, user.scope)
/// }
///
/// # async fn run(verifier: jwt_core::Verifier) -> std::io::Result<()> {
/// let auth = BearerConfig::new(verifier);
/// HttpServer::new(move || App::new().app_data(auth.clone()).route("/me", web::get().to(me)))
///     .bind(("127.0.0.1", 8080))?
///     .run()
///     .await
/// # }
/// ```
pub struct Bearer<C = Value> {
    claims: C,
    identity: Arc<Identity>,
    config: BearerConfig,
}

impl<C> Bearer<C> {
    /// The verified claims.
    pub const fn claims(&self) -> &C {
        &self.claims
    }

    /// The verified claims, consuming the extractor.
    pub fn into_claims(self) -> C {
        self.claims
    }

    /// The verified JOSE header (`alg`, `kid`, `typ`).
    pub fn header(&self) -> &Header {
        self.identity.verified.header()
    }

    /// `exp`, `nbf` and `iat` as read during verification.
    pub fn times(&self) -> &TimeClaims {
        self.identity.verified.times()
    }

    /// The scopes the token grants (from the configured scope claim).
    pub fn scopes(&self) -> &Scopes {
        &self.identity.scopes
    }

    /// Where the token was found. A token from a cookie is sent by browsers automatically:
    /// state-changing routes that accept cookies need CSRF protection.
    pub fn source(&self) -> TokenSource {
        self.identity.source
    }

    /// Checks scopes inside a handler, for requirements that depend on the request:
    /// `user.require_scopes(&["orders:write"])?;` answers 403 `insufficient_scope` with the
    /// missing scopes in the challenge.
    ///
    /// # Errors
    /// [`AuthErrorKind::InsufficientScope`](crate::AuthErrorKind::InsufficientScope) unless
    /// every scope is granted.
    pub fn require_scopes<S: AsRef<str>>(&self, scopes: &[S]) -> Result<(), AuthError> {
        if self.identity.scopes.contains_all(scopes) {
            return Ok(());
        }
        let required: Arc<[Box<str>]> = scopes.iter().map(|s| Box::from(s.as_ref())).collect();
        Err(self.config.error(AuthError::insufficient_scope(required)))
    }

    fn from_outcome(config: BearerConfig, outcome: Outcome) -> Result<Option<Self>, AuthError>
    where
        C: DeserializeOwned,
    {
        match outcome {
            Outcome::Anonymous => Ok(None),
            Outcome::Failed(error) => Err(error),
            Outcome::Authenticated(identity) => {
                let claims = identity.claims_as::<C>(&config)?;
                Ok(Some(Bearer {
                    claims,
                    identity,
                    config,
                }))
            }
        }
    }
}

impl<C> Deref for Bearer<C> {
    type Target = C;

    fn deref(&self) -> &C {
        &self.claims
    }
}

impl<C: fmt::Debug> fmt::Debug for Bearer<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bearer")
            .field("claims", &self.claims)
            .field("header", self.header())
            .field("scopes", self.scopes())
            .finish()
    }
}

impl<C: DeserializeOwned + 'static> FromRequest for Bearer<C> {
    type Error = AuthError;
    type Future = Extraction<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (config, outcome) = authenticate(req).await?;
            Bearer::from_outcome(config.clone(), outcome)?
                .ok_or_else(|| config.error(AuthError::missing_credentials()))
        })
    }
}

/// Like [`Bearer`], but a request without any bearer credentials gets `None` instead of 401.
///
/// A request that *has* a token still needs a valid one: a malformed, forged or expired token
/// is refused exactly as by [`Bearer`]. (A request with another `Authorization` scheme, such as
/// `Basic`, has no bearer credentials and gets `None`.)
///
/// ```
/// use jwt_actix::OptionalBearer;
///
/// async fn greet(OptionalBearer(user): OptionalBearer) -> String {
///     match user {
///         Some(user) => format!("hello {}", user.claims()["sub"]),
///         None => "hello, stranger".to_owned(),
///     }
/// }
/// # let _ = greet;
/// ```
pub struct OptionalBearer<C = Value>(pub Option<Bearer<C>>);

impl<C> OptionalBearer<C> {
    /// The token, if the request had one.
    pub fn into_inner(self) -> Option<Bearer<C>> {
        self.0
    }
}

impl<C: fmt::Debug> fmt::Debug for OptionalBearer<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OptionalBearer").field(&self.0).finish()
    }
}

impl<C: DeserializeOwned + 'static> FromRequest for OptionalBearer<C> {
    type Error = AuthError;
    type Future = Extraction<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (config, outcome) = authenticate(req).await?;
            Bearer::from_outcome(config, outcome).map(OptionalBearer)
        })
    }
}

/// A [`Bearer`] whose token must grant every scope of `S` (403 `insufficient_scope`
/// otherwise, naming the scopes in the challenge). It dereferences to the [`Bearer`].
///
/// ```
/// use jwt_actix::{RequiredScopes, Scoped};
///
/// struct Admin;
/// impl RequiredScopes for Admin {
///     const SCOPES: &'static [&'static str] = &["admin"];
/// }
///
/// async fn admin(user: Scoped<serde_json::Value, Admin>) -> String {
///     format!("hello admin {}", user.claims()["sub"])
/// }
/// # let _ = admin;
/// ```
pub struct Scoped<C, S: RequiredScopes> {
    bearer: Bearer<C>,
    scopes: PhantomData<fn() -> S>,
}

impl<C, S: RequiredScopes> Scoped<C, S> {
    /// The underlying [`Bearer`].
    pub fn into_inner(self) -> Bearer<C> {
        self.bearer
    }
}

impl<C, S: RequiredScopes> Deref for Scoped<C, S> {
    type Target = Bearer<C>;

    fn deref(&self) -> &Bearer<C> {
        &self.bearer
    }
}

impl<C: fmt::Debug, S: RequiredScopes> fmt::Debug for Scoped<C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scoped")
            .field("bearer", &self.bearer)
            .field("required", &S::SCOPES)
            .finish()
    }
}

impl<C: DeserializeOwned + 'static, S: RequiredScopes> FromRequest for Scoped<C, S> {
    type Error = AuthError;
    type Future = Extraction<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (config, outcome) = authenticate(req).await?;
            if let Outcome::Authenticated(identity) = &outcome
                && !identity.scopes.contains_all(S::SCOPES)
            {
                let required: Arc<[Box<str>]> = S::SCOPES.iter().map(|s| Box::from(*s)).collect();
                return Err(config.error(AuthError::insufficient_scope(required)));
            }
            let bearer = Bearer::from_outcome(config.clone(), outcome)?
                .ok_or_else(|| config.error(AuthError::missing_credentials()))?;
            Ok(Scoped {
                bearer,
                scopes: PhantomData,
            })
        })
    }
}
