//! Scopes: `Scoped<C, S>`, `Bearer::require_scopes`, a configurable claim, the 403 challenge.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::common::*;

const ADMIN_CHALLENGE: &str = r#"Bearer realm="api", error="insufficient_scope", error_description="the token does not grant the required scope", scope="admin""#;

#[actix_web::test]
async fn scoped_extractor_answers_403_with_the_required_scope() {
    let key = key("k1");
    let alice = token(&key, &claims("alice", "read"));
    let reply = send(Some(config(&key)), bearer("/admin", &alice)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.challenge(), Some(ADMIN_CHALLENGE));
    assert_eq!(
        reply.json(),
        json!({"error": "insufficient_scope", "error_description": "the token does not grant the required scope"})
    );

    let admin = token(&key, &claims("root", "read admin"));
    let reply = send(Some(config(&key)), bearer("/admin", &admin)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"admin": "root"}));
}

#[actix_web::test]
async fn scoped_extractor_still_needs_a_valid_token() {
    let key = key("k1");
    let reply = send(Some(config(&key)), get("/admin")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenge(), Some(BARE));
    let reply = send(Some(config(&key)), bearer("/admin", "a.b.c")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn require_scopes_in_a_handler_lists_every_required_scope() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "orders:read"));
    let reply = send(Some(config(&key)), bearer("/orders", &token)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply
            .challenge()
            .unwrap()
            .ends_with(r#", scope="orders:read orders:write""#),
        "{reply:?}"
    );
    let token = self::token(&key, &claims("alice", "orders:write orders:read"));
    let reply = send(Some(config(&key)), bearer("/orders", &token)).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_configured_claim_may_be_an_array() {
    let key = key("k1");
    let mut claims = claims("alice", "");
    claims["roles"] = json!(["user", "admin"]);
    let token = token(&key, &claims);
    let config = config(&key).scope_claim("roles");
    let reply = send(Some(config.clone()), bearer("/admin", &token)).await;
    assert_eq!(reply.status, StatusCode::OK);
    // `scope` is not read any more.
    let scope_only = self::token(&key, &self::claims("alice", "admin"));
    let reply = send(Some(config), bearer("/admin", &scope_only)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_scope_claim_of_another_type_grants_nothing() {
    let key = key("k1");
    let mut claims = claims("alice", "");
    claims["scope"] = json!({"admin": true});
    // The handler's type must not choke on it: use the Value extractor route.
    let token = token(&key, &claims);
    let reply = send(Some(config(&key)), bearer("/admin", &token)).await;
    // Scoped<Claims, Admin> checks scopes first: 403, not a claims-type 401.
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn realm_and_scopes_are_quoted_and_escaped() {
    let key = key("k1");
    let config = config(&key).realm(r#"my "big" \api"#);
    let reply = send(Some(config), get("/me")).await;
    assert_eq!(
        reply.challenge(),
        Some(r#"Bearer realm="my \"big\" \\api""#)
    );
}
