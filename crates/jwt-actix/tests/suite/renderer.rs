//! Replacing the error renderer; the status and challenge stay enforced.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::WWW_AUTHENTICATE;
use jwt_actix::{AuthError, AuthErrorKind, ErrorRenderer};
use serde_json::json;

use crate::common::*;

/// RFC 9457 problem details.
struct Problem;

impl ErrorRenderer for Problem {
    fn render(&self, error: &AuthError) -> HttpResponse {
        HttpResponse::build(error.status())
            .content_type("application/problem+json")
            .body(
                json!({
                    "type": "about:blank",
                    "status": error.status().as_u16(),
                    "title": error.code().unwrap_or("unauthorized"),
                    "detail": error.description(),
                    "code": error.token_error().map(|k| k.code()),
                })
                .to_string(),
            )
    }
}

#[actix_web::test]
async fn a_custom_renderer_writes_the_body_and_the_challenge_is_added() {
    let key = key("k1");
    let expired = token(
        &key,
        &json!({"iss": ISS, "aud": AUD, "sub": "alice", "exp": now() - 100}),
    );
    let config = config(&key).error_renderer(Problem);
    let reply = send(Some(config.clone()), bearer("/me", &expired)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.content_type(), Some("application/problem+json"));
    assert_eq!(
        reply.json(),
        json!({"type": "about:blank", "status": 401, "title": "invalid_token",
               "detail": "the token has expired", "code": "expired"})
    );
    assert_eq!(
        reply.challenge(),
        Some(invalid_token("the token has expired").as_str())
    );
    let token = token(&key, &claims("alice", "read"));
    let reply = send(Some(config), bearer("/admin", &token)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.json()["title"], "insufficient_scope");
}

#[actix_web::test]
async fn a_closure_renderer_keeps_its_own_challenge_but_not_its_status() {
    let key = key("k1");
    let config = config(&key).error_renderer(|error: &AuthError| {
        assert_eq!(error.kind(), AuthErrorKind::MissingCredentials);
        HttpResponse::Ok() // the status is corrected to the error's
            .insert_header((WWW_AUTHENTICATE, r#"Bearer realm="custom""#))
            .body("log in first")
    });
    let reply = send(Some(config), get("/me")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenge(), Some(r#"Bearer realm="custom""#));
    assert_eq!(reply.text, "log in first");
}
