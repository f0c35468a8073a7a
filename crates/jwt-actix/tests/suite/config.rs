//! Registration: missing configuration, `Data<BearerConfig>`, keyless verifiers.

use actix_web::http::StatusCode;
use actix_web::{App, test, web};
use jwt_actix::{BearerConfig, KeyMiss, KeyResolver, Resolution, ResolveFuture};
use jwt_core::{KeySet, Verifier};
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn a_missing_configuration_is_500_naming_what_to_register() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    for path in ["/me", "/admin", "/optional"] {
        let reply = send(None, bearer(path, &token)).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert_eq!(reply.challenge(), None);
        assert_eq!(reply.json()["error"], "server_error");
        let description = reply.json()["error_description"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(description.contains("BearerConfig"), "{description}");
        assert!(description.contains("App::app_data"), "{description}");
    }
}

#[actix_web::test]
async fn web_data_registration_works_too() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(config(&key)))
            .configure(routes),
    )
    .await;
    let reply = read(test::call_service(&app, bearer("/me", &token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_verifier_without_keys_is_a_server_fault_not_a_token_fault() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = BearerConfig::new(Verifier::with_key_set(KeySet::default()));
    let reply = send(Some(config), bearer("/me", &token)).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.challenge(), None);
    assert_eq!(
        reply.json(),
        json!({"error": "server_error", "error_description": "the server has no verification keys"})
    );
}

struct Never;
impl KeyResolver for Never {
    fn resolve<'a>(&'a self, _: &'a KeyMiss) -> ResolveFuture<'a> {
        Box::pin(async { Ok(Resolution::Unchanged) })
    }
}

#[actix_web::test]
async fn a_keyless_verifier_with_a_resolver_that_finds_nothing_is_503() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = BearerConfig::new(Verifier::with_key_set(KeySet::default())).key_resolver(Never);
    let reply = send(Some(config), bearer("/me", &token)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["error"], "temporarily_unavailable");
}

#[actix_web::test]
async fn debug_output_has_no_secrets() {
    let key = key("k1");
    let config = config(&key).cookie("access_token");
    let shown = format!("{config:?}");
    assert!(shown.contains("BearerConfig"));
    assert!(shown.contains("access_token"));
}
