//! `OptionalBearer`: `None` only without credentials; a bad token is never anonymous.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn no_credentials_is_none() {
    let key = key("k1");
    let reply = send(Some(config(&key)), get("/optional")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"anonymous": true}));
    // Another scheme carries no bearer credentials either.
    let basic = get("/optional").insert_header(("Authorization", "Basic YWxpY2U6c2VjcmV0"));
    let reply = send(Some(config(&key)), basic).await;
    assert_eq!(reply.json(), json!({"anonymous": true}));
}

#[actix_web::test]
async fn a_valid_token_is_some() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let reply = send(Some(config(&key)), bearer("/optional", &token)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"sub": "alice"}));
}

#[actix_web::test]
async fn a_bad_token_is_refused_not_anonymous() {
    let key = key("k1");
    let forged = token(&self::key("k1"), &claims("alice", "admin"));
    let reply = send(Some(config(&key)), bearer("/optional", &forged)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenge(),
        Some(invalid_token("the token signature is invalid").as_str())
    );
    let reply = send(Some(config(&key)), bearer("/optional", "a b")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn without_configuration_it_is_500_even_without_credentials() {
    let reply = send(None, get("/optional")).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
}
