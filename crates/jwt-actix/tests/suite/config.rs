//! Registration: missing configuration, `Data<BearerConfig>`, keyless verifiers.

use actix_web::http::StatusCode;
use actix_web::{App, test, web};
use jwt_actix::{Bearer, BearerConfig, KeyMiss, KeyResolver, Resolution, ResolveFuture};
use jwt_core::{KeySet, Verifier};
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn a_missing_configuration_is_500_with_a_generic_body() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    for path in ["/me", "/admin", "/optional", "/mw/ping"] {
        let reply = send(None, bearer(path, &token)).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert_eq!(reply.challenge(), None);
        // What to register goes to the log; the client learns nothing of the set-up.
        assert_eq!(
            reply.json(),
            json!({"error": "server_error",
                   "error_description": "the server's bearer authentication is not configured"}),
            "{path}"
        );
    }
}

async fn who(user: Bearer<Claims>) -> String {
    user.sub.clone()
}

/// A scope overriding the app's configuration: registered the same way, the scope's wins; one
/// as `BearerConfig` and the other as `web::Data<BearerConfig>`, actix cannot tell which is
/// nearer the route, so every request there is refused as a server fault (never the outer
/// configuration silently applied).
#[actix_web::test]
async fn a_scope_overrides_the_app_configuration_or_a_mixed_registration_fails_closed() {
    let ours = key("k1");
    let partner = key("p1");
    let our_token = token(&ours, &claims("alice", "read"));
    let partner_token = token(&partner, &claims("acme", "read"));
    let outer_plain = || App::new().app_data(config(&ours));
    let outer_data = || App::new().app_data(web::Data::new(config(&ours)));
    let scope_plain = || web::scope("/partners").app_data(config(&partner));
    let scope_data = || web::scope("/partners").app_data(web::Data::new(config(&partner)));
    for (name, same_form, app) in [
        (
            "plain, plain",
            true,
            outer_plain().service(scope_plain().route("/who", web::get().to(who))),
        ),
        (
            "data, data",
            true,
            outer_data().service(scope_data().route("/who", web::get().to(who))),
        ),
        (
            "plain, data",
            false,
            outer_plain().service(scope_data().route("/who", web::get().to(who))),
        ),
        (
            "data, plain",
            false,
            outer_data().service(scope_plain().route("/who", web::get().to(who))),
        ),
    ] {
        let app = test::init_service(app).await;
        let call =
            |token: &str| test::call_service(&app, bearer("/partners/who", token).to_request());
        let partner_reply = read(call(&partner_token).await).await;
        let our_reply = read(call(&our_token).await).await;
        if same_form {
            assert_eq!(partner_reply.status, StatusCode::OK, "{name}");
            assert_eq!(partner_reply.text, "acme", "{name}");
            assert_eq!(our_reply.status, StatusCode::UNAUTHORIZED, "{name}");
        } else {
            for reply in [partner_reply, our_reply] {
                assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{name}");
                assert_eq!(reply.challenge(), None, "{name}");
                assert_eq!(
                    reply.json()["error_description"],
                    "the server's bearer authentication is misconfigured",
                    "{name}"
                );
            }
        }
    }
}

/// The same configuration registered both ways is not a conflict.
#[actix_web::test]
async fn one_configuration_registered_both_ways_is_fine() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = config(&key);
    let app = test::init_service(
        App::new()
            .app_data(config.clone())
            .app_data(web::Data::new(config))
            .configure(routes),
    )
    .await;
    let reply = read(test::call_service(&app, bearer("/me", &token).to_request()).await).await;
    assert_eq!(reply.status, StatusCode::OK);
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
    // An HMAC secret, in any spelling, never appears.
    let secret = b"0123456789abcdef0123456789abcdef-super-secret";
    let hmac = jwt_core::SigningKey::from_hmac_secret(jwt_core::Algorithm::HS256, secret).unwrap();
    let config = BearerConfig::new(Verifier::new(hmac.verifying_key()));
    let shown = format!("{config:?} {config:#?}");
    assert!(shown.contains("HS256"), "{shown}");
    for spelling in [
        "super-secret".to_owned(),
        "0123456789abcdef".to_owned(),
        "MDEyMzQ1Njc4OWFiY2RlZj".to_owned(), // base64 of the secret's start
        "3031323334353637".to_owned(),       // hex
        format!("{:?}", &secret[..8]),       // as a byte list
    ] {
        assert!(!shown.contains(&spelling), "{spelling} in {shown}");
    }
}
