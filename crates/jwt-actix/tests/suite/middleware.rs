//! `BearerAuth`: protecting a scope, scopes, optional mode, and verifying once per request.

use std::sync::atomic::Ordering;

use actix_web::http::StatusCode;
use actix_web::test::{self};
use actix_web::{App, HttpResponse, web};
use jwt_actix::{Bearer, BearerAuth, BearerConfig};
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn it_protects_every_route_of_a_scope() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let reply = send(Some(config(&key)), get("/mw/ping")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenge(), Some(BARE));
    let reply = send(Some(config(&key)), bearer("/mw/ping", "x.y.z")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"], "invalid_token");
    let reply = send(Some(config(&key)), bearer("/mw/ping", "x y")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = send(Some(config(&key)), bearer("/mw/ping", &token)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.text, "pong");
    // Routes outside the scope stay public.
    let reply = send(Some(config(&key)), get("/public")).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[actix_web::test]
async fn it_requires_scopes() {
    let key = key("k1");
    let alice = token(&key, &claims("alice", "read"));
    let reply = send(Some(config(&key)), bearer("/mw-admin/ping", &alice)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply
            .challenge()
            .unwrap()
            .contains(r#"error="insufficient_scope""#)
    );
    assert!(reply.challenge().unwrap().ends_with(r#"scope="admin""#));
    let root = token(&key, &claims("root", "admin"));
    let reply = send(Some(config(&key)), bearer("/mw-admin/me", &root)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["sub"], "root");
}

#[actix_web::test]
async fn optional_mode_lets_anonymous_requests_through_but_not_bad_tokens() {
    let key = key("k1");
    let reply = send(Some(config(&key)), get("/mw-optional/who")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"anonymous": true}));
    let forged = token(&self::key("k1"), &claims("alice", "read"));
    let reply = send(Some(config(&key)), bearer("/mw-optional/who", &forged)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let token = token(&key, &claims("alice", "read"));
    let reply = send(Some(config(&key)), bearer("/mw-optional/who", &token)).await;
    assert_eq!(reply.json(), json!({"sub": "alice"}));
}

#[actix_web::test]
async fn middleware_and_extractors_verify_once() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read admin"));
    let (config, counter) = counted(&key);
    let app = test::init_service(App::new().app_data(config).configure(routes)).await;

    let reply = read(test::call_service(&app, bearer("/mw/all", &token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"same": true}));
    assert_eq!(
        counter.0.load(Ordering::SeqCst),
        1,
        "middleware + 4 extractors"
    );

    // Without the middleware, four extractors still share one verification.
    let reply = read(test::call_service(&app, bearer("/all", &token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(counter.0.load(Ordering::SeqCst), 2);

    // Failures are cached too.
    let forged = self::token(&self::key("k1"), &claims("alice", "admin"));
    let reply = read(test::call_service(&app, bearer("/mw/all", &forged).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(counter.0.load(Ordering::SeqCst), 3);
}

#[actix_web::test]
async fn a_scope_may_register_its_own_configuration() {
    let key = key("k1");
    let partner_key = self::key("p1");
    let partner = config(&partner_key).realm("partners");
    async fn who(user: Bearer<Claims>) -> HttpResponse {
        HttpResponse::Ok().body(user.sub.clone())
    }
    let app = test::init_service(
        App::new().app_data(config(&key)).service(
            web::scope("/partners")
                .app_data(partner)
                .wrap(BearerAuth::new())
                .route("/who", web::get().to(who)),
        ),
    )
    .await;
    let ours = token(&key, &claims("alice", "read"));
    let theirs = token(&partner_key, &claims("acme", "read"));
    let reply =
        read(test::call_service(&app, bearer("/partners/who", &ours).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(
        reply
            .challenge()
            .unwrap()
            .starts_with(r#"Bearer realm="partners""#)
    );
    let reply =
        read(test::call_service(&app, bearer("/partners/who", &theirs).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.text, "acme");
}

#[actix_web::test]
async fn without_configuration_the_middleware_answers_500() {
    let reply = send(None, get("/mw/ping")).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        reply.json()["error_description"],
        "the server's bearer authentication is not configured"
    );
    let _: Option<BearerConfig> = None;
}
