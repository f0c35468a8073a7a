//! Failures, their status codes, the RFC 6750 §3 challenge, and the replaceable body renderer.
//!
//! Why the mapping looks like this:
//!
//! | situation | status | `WWW-Authenticate` |
//! | --- | --- | --- |
//! | no bearer credentials (none, or another scheme) | 401 | `Bearer realm="…"`, no error code (§3.1) |
//! | malformed request (syntax, two headers, two sources) | 400 | `error="invalid_request"` |
//! | bad, expired or unverifiable token | 401 | `error="invalid_token"` |
//! | valid token without a required scope | 403 | `error="insufficient_scope", scope="…"` |
//! | verifier or key configuration fault, missing configuration | 500 | none |
//! | the key resolver failed (remote key set unreachable) | 503 | none |
//!
//! A configuration fault must not look like the client's fault: answering 401 would send every
//! client to log in again while the server is broken. `error_description` is a fixed text per
//! failure (chosen from the jwt-core [`ErrorKind`]); it never contains the token, a claim value
//! or any other request text, so it can be put in a header without escaping user input. Header
//! parameters that come from the configuration (realm, scope names) are quoted and escaped.

use std::fmt;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use jwt_core::ErrorKind;

/// What kind of failure an [`AuthError`] is; decides the status code and the challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// The request carries no bearer credentials (401, challenge without error code).
    MissingCredentials,
    /// The request is malformed (400 `invalid_request`).
    InvalidRequest,
    /// The token failed verification (401 `invalid_token`).
    InvalidToken,
    /// The token is valid but lacks a required scope (403 `insufficient_scope`).
    InsufficientScope,
    /// The server's authentication setup is broken: no configuration registered, or the
    /// verifier reported a key/configuration fault (500).
    Misconfigured,
    /// Keys could not be resolved right now (503), e.g. a remote JWK Set is unreachable.
    KeysUnavailable,
}

impl AuthErrorKind {
    /// The HTTP status this kind is answered with.
    pub const fn status(self) -> StatusCode {
        match self {
            AuthErrorKind::MissingCredentials | AuthErrorKind::InvalidToken => {
                StatusCode::UNAUTHORIZED
            }
            AuthErrorKind::InvalidRequest => StatusCode::BAD_REQUEST,
            AuthErrorKind::InsufficientScope => StatusCode::FORBIDDEN,
            AuthErrorKind::Misconfigured => StatusCode::INTERNAL_SERVER_ERROR,
            AuthErrorKind::KeysUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The error code: the RFC 6750 §3.1 code for 400/401/403 (`None` when the request had no
    /// credentials), `server_error` and `temporarily_unavailable` (RFC 6749 §4.1.2.1) for 500
    /// and 503.
    pub const fn code(self) -> Option<&'static str> {
        match self {
            AuthErrorKind::MissingCredentials => None,
            AuthErrorKind::InvalidRequest => Some("invalid_request"),
            AuthErrorKind::InvalidToken => Some("invalid_token"),
            AuthErrorKind::InsufficientScope => Some("insufficient_scope"),
            AuthErrorKind::Misconfigured => Some("server_error"),
            AuthErrorKind::KeysUnavailable => Some("temporarily_unavailable"),
        }
    }

    /// Whether the response carries a `WWW-Authenticate` challenge (400, 401, 403).
    pub const fn has_challenge(self) -> bool {
        !matches!(
            self,
            AuthErrorKind::Misconfigured | AuthErrorKind::KeysUnavailable
        )
    }
}

/// Turns an [`AuthError`] into the response body (and anything else about the response).
///
/// The default, [`JsonErrorRenderer`], writes `{"error": .., "error_description": ..}`. Replace
/// it in the configuration with your own type or a closure:
///
/// ```
/// use actix_web::HttpResponse;
/// use jwt_actix::{AuthError, BearerConfig};
/// # let key = jwt_core::SigningKey::generate(jwt_core::Algorithm::EdDSA)?;
/// # let verifier = jwt_core::Verifier::new(&key);
///
/// let config = BearerConfig::new(verifier).error_renderer(|error: &AuthError| {
///     HttpResponse::build(error.status()).body(error.description())
/// });
/// # let _ = config;
/// # Ok::<(), jwt_core::Error>(())
/// ```
///
/// Whatever the renderer returns, the status is set to [`AuthError::status`] and, when the
/// renderer did not set one, the `WWW-Authenticate` challenge is added: RFC 9110 requires it
/// on every 401, and clients rely on its error code.
pub trait ErrorRenderer: Send + Sync + 'static {
    /// The response for `error`.
    fn render(&self, error: &AuthError) -> HttpResponse;
}

impl<F> ErrorRenderer for F
where
    F: Fn(&AuthError) -> HttpResponse + Send + Sync + 'static,
{
    fn render(&self, error: &AuthError) -> HttpResponse {
        self(error)
    }
}

/// The default renderer: `application/json` with the OAuth 2.0 error members,
/// `{"error":"invalid_token","error_description":"the token has expired"}` (`error` is left out
/// when the request had no credentials, as in the challenge).
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonErrorRenderer;

impl ErrorRenderer for JsonErrorRenderer {
    fn render(&self, error: &AuthError) -> HttpResponse {
        let mut body = serde_json::Map::new();
        if let Some(code) = error.code() {
            body.insert("error".into(), code.into());
        }
        body.insert("error_description".into(), error.description().into());
        HttpResponse::build(error.status()).json(serde_json::Value::Object(body))
    }
}

/// Realm and renderer of the configuration a failure happened under.
#[derive(Clone)]
pub(crate) struct RenderContext {
    pub(crate) realm: Arc<str>,
    pub(crate) renderer: Arc<dyn ErrorRenderer>,
}

/// Why a request was not authenticated; answers itself as the response RFC 6750 prescribes.
///
/// Returned by the extractors (as their `Error`) and used by the middleware. Handlers can
/// inspect it in a custom [`ErrorRenderer`].
#[derive(Clone)]
pub struct AuthError {
    kind: AuthErrorKind,
    description: &'static str,
    token_error: Option<ErrorKind>,
    required_scopes: Option<Arc<[Box<str>]>>,
    context: Option<RenderContext>,
}

impl AuthError {
    pub(crate) fn new(kind: AuthErrorKind, description: &'static str) -> Self {
        AuthError {
            kind,
            description,
            token_error: None,
            required_scopes: None,
            context: None,
        }
    }

    pub(crate) fn missing_credentials() -> Self {
        Self::new(
            AuthErrorKind::MissingCredentials,
            "a bearer token is required",
        )
    }

    /// No `BearerConfig` is registered. The body stays generic (clients learn nothing of the
    /// server's set-up); the log line written where it was found says what to register.
    pub(crate) fn missing_configuration() -> Self {
        Self::new(
            AuthErrorKind::Misconfigured,
            "the server's bearer authentication is not configured",
        )
    }

    /// Two different `BearerConfig`s are registered under the two types (see
    /// `BearerConfig::of`); generic body, the log says what to change.
    pub(crate) fn conflicting_configuration() -> Self {
        Self::new(
            AuthErrorKind::Misconfigured,
            "the server's bearer authentication is misconfigured",
        )
    }

    pub(crate) fn insufficient_scope(required: Arc<[Box<str>]>) -> Self {
        AuthError {
            required_scopes: Some(required),
            ..Self::new(
                AuthErrorKind::InsufficientScope,
                "the token does not grant the required scope",
            )
        }
    }

    /// The failure for a jwt-core verification error: 401 for the token's faults, 500 for the
    /// verifier's.
    pub(crate) fn from_verify_error(error: &jwt_core::Error) -> Self {
        let kind = error.kind();
        let mut failure = if kind.is_token_fault() {
            Self::new(AuthErrorKind::InvalidToken, token_description(kind))
        } else {
            Self::new(
                AuthErrorKind::Misconfigured,
                "the server cannot verify tokens right now",
            )
        };
        failure.token_error = Some(kind);
        failure
    }

    pub(crate) fn with_token_error(mut self, kind: ErrorKind) -> Self {
        self.token_error = Some(kind);
        self
    }

    pub(crate) fn in_context(mut self, context: RenderContext) -> Self {
        self.context = Some(context);
        self
    }

    /// What kind of failure this is.
    pub const fn kind(&self) -> AuthErrorKind {
        self.kind
    }

    /// The response status.
    pub const fn status(&self) -> StatusCode {
        self.kind.status()
    }

    /// The error code (`invalid_token`, ...); see [`AuthErrorKind::code`].
    pub const fn code(&self) -> Option<&'static str> {
        self.kind.code()
    }

    /// A short, fixed, human-readable text; never contains request data.
    pub const fn description(&self) -> &'static str {
        self.description
    }

    /// The jwt-core classification when verification failed (`expired`, `invalid_signature`,
    /// ...), for logs and metrics.
    pub const fn token_error(&self) -> Option<ErrorKind> {
        self.token_error
    }

    /// The scopes the request lacked, for [`AuthErrorKind::InsufficientScope`].
    pub fn required_scopes(&self) -> &[Box<str>] {
        self.required_scopes.as_deref().unwrap_or_default()
    }

    /// The realm of the configuration the failure happened under.
    pub fn realm(&self) -> Option<&str> {
        self.context.as_ref().map(|c| &*c.realm)
    }

    /// The `WWW-Authenticate` value for this failure, e.g.
    /// `Bearer realm="api", error="invalid_token", error_description="the token has expired"`;
    /// `None` for 500 and 503.
    pub fn challenge(&self) -> Option<String> {
        if !self.kind.has_challenge() {
            return None;
        }
        let realm = self.realm().unwrap_or(crate::config::DEFAULT_REALM);
        let mut value = String::from("Bearer realm=");
        push_quoted(&mut value, realm);
        if let Some(code) = self.code() {
            value.push_str(", error=");
            push_quoted(&mut value, code);
            value.push_str(", error_description=");
            push_quoted(&mut value, self.description);
        }
        if !self.required_scopes().is_empty() {
            value.push_str(", scope=");
            let joined = self
                .required_scopes()
                .iter()
                .map(|s| &**s)
                .collect::<Vec<_>>()
                .join(" ");
            push_quoted(&mut value, &joined);
        }
        Some(value)
    }

    /// The full response: the renderer's, with the status and challenge enforced.
    fn respond(&self) -> HttpResponse {
        let mut response = match &self.context {
            Some(context) => context.renderer.render(self),
            None => JsonErrorRenderer.render(self),
        };
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        if !headers.contains_key(header::WWW_AUTHENTICATE)
            && let Some(value) = self
                .challenge()
                .and_then(|c| HeaderValue::from_str(&c).ok())
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthError")
            .field("kind", &self.kind)
            .field("description", &self.description)
            .field("token_error", &self.token_error)
            .field("required_scopes", &self.required_scopes())
            .field("realm", &self.realm())
            .finish()
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code() {
            Some(code) => write!(f, "{code}: {}", self.description),
            None => f.write_str(self.description),
        }
    }
}

impl std::error::Error for AuthError {}

impl ResponseError for AuthError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.respond()
    }
}

/// The fixed `error_description` for a token the verifier refused.
fn token_description(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::TooLarge => "the token is too large",
        ErrorKind::Malformed | ErrorKind::InvalidBase64 | ErrorKind::InvalidHeader => {
            "the token is malformed"
        }
        ErrorKind::UnknownAlgorithm
        | ErrorKind::UnsupportedAlgorithm
        | ErrorKind::AlgorithmNotAllowed => "the token algorithm is not accepted",
        ErrorKind::UnsupportedHeader => "the token header is not supported",
        ErrorKind::UnknownKeyId | ErrorKind::AmbiguousKey => "the token signing key is unknown",
        ErrorKind::InvalidSignature => "the token signature is invalid",
        ErrorKind::InvalidPayload | ErrorKind::InvalidClaim | ErrorKind::MissingClaim => {
            "the token claims are invalid"
        }
        ErrorKind::Expired => "the token has expired",
        ErrorKind::NotYetValid => "the token is not valid yet",
        ErrorKind::IssuedInFuture => "the token is issued in the future",
        ErrorKind::TooOld => "the token is too old",
        ErrorKind::WrongIssuer => "the token issuer is not accepted",
        ErrorKind::WrongAudience => "the token audience is not accepted",
        ErrorKind::WrongSubject => "the token subject is not accepted",
        ErrorKind::WrongType => "the token type is not accepted",
        _ => "the token is invalid",
    }
}

/// Appends `text` as an RFC 9110 `quoted-string`: `"` and `\` are backslash-escaped, and
/// characters a header value cannot carry (controls, non-ASCII) become `?`.
pub(crate) fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' ' | '\t' | '!'..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn quoting_escapes_and_replaces() {
        let mut out = String::new();
        push_quoted(&mut out, "a \"b\" \\c\r\n\u{e9}");
        assert_eq!(out, r#""a \"b\" \\c???""#);
    }

    #[test]
    fn descriptions_fit_rfc_6750_error_description() {
        let all = [
            ErrorKind::TooLarge,
            ErrorKind::Malformed,
            ErrorKind::UnknownAlgorithm,
            ErrorKind::UnsupportedHeader,
            ErrorKind::UnknownKeyId,
            ErrorKind::InvalidSignature,
            ErrorKind::InvalidPayload,
            ErrorKind::Expired,
            ErrorKind::NotYetValid,
            ErrorKind::IssuedInFuture,
            ErrorKind::TooOld,
            ErrorKind::WrongIssuer,
            ErrorKind::WrongAudience,
            ErrorKind::WrongSubject,
            ErrorKind::WrongType,
            ErrorKind::InvalidKey,
        ];
        for kind in all {
            let text = token_description(kind);
            // %x20-21 / %x23-5B / %x5D-7E
            assert!(
                text.bytes()
                    .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
                "{text}"
            );
        }
    }

    #[test]
    fn configuration_faults_are_server_errors() {
        for error in [
            jwt_core::Error::InvalidKey("x".into()),
            jwt_core::Error::WeakKey("x".into()),
            jwt_core::Error::UnsupportedKey("x".into()),
            jwt_core::Error::Signing,
        ] {
            let failure = AuthError::from_verify_error(&error);
            assert_eq!(failure.status(), StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(failure.challenge(), None);
            assert_eq!(failure.token_error(), Some(error.kind()));
        }
        let expired = AuthError::from_verify_error(&jwt_core::Error::Expired);
        assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            expired.challenge().unwrap(),
            r#"Bearer realm="api", error="invalid_token", error_description="the token has expired""#
        );
    }
}
