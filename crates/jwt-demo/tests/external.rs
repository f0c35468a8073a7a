//! `JWT_DEMO_JWKS_URL`: `/me` also accepts an external issuer's tokens, verified with the keys
//! a real key server (actix-web on `127.0.0.1:0`) publishes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpResponse, HttpServer, web};
use common::*;
use jwt_core::{Algorithm, JwkSet, SigningKey};
use jwt_demo::{DemoConfig, DemoError, ExternalIssuer};
use serde_json::{Value, json};

const IDP: &str = "https://idp.test";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn external_token(key: &SigningKey, iss: &str) -> String {
    let claims = json!({"iss": iss, "aud": "jwt-demo-api", "sub": "carol@idp", "exp": now() + 300});
    jwt_core::encode(key, &claims).unwrap()
}

fn config(url: String, issuer: Option<&str>) -> DemoConfig {
    DemoConfig {
        external: Some(ExternalIssuer {
            jwks_url: url,
            issuer: issuer.map(str::to_owned),
            audience: None,
            ca_file: None,
        }),
        ..DemoConfig::default()
    }
}

#[actix_web::test]
async fn me_accepts_the_external_issuers_tokens() {
    let idp_key = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("idp-1");
    let jwks = JwkSet::public([idp_key.verifying_key()]).unwrap().to_json();
    let hits = Arc::new(AtomicUsize::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let counter = hits.clone();
    let server = HttpServer::new(move || {
        let (jwks, counter) = (jwks.clone(), counter.clone());
        App::new().route(
            "/jwks",
            web::get().to(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                let body = jwks.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(body)
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let demo = demo_with(config(format!("http://{addr}/jwks"), Some(IDP)));
    let app = test::init_service(demo.app()).await;
    let me = |token: &str| {
        TestRequest::get()
            .uri("/me")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request()
    };

    // The external token: keys fetched on demand (once), claims returned.
    let response = test::call_service(&app, me(&external_token(&idp_key, IDP))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body["sub"], "carol@idp");
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    // The demo's own tokens still work.
    let login = TestRequest::post()
        .uri("/login")
        .insert_header(("content-type", "application/json"))
        .set_payload(login_body("alice", "alice-password"))
        .to_request();
    let body: Value = test::call_and_read_body_json(&app, login).await;
    let own = body["access_token"].as_str().unwrap();
    let response = test::call_service(&app, me(own)).await;
    assert_eq!(response.status(), StatusCode::OK);

    // The external key does not sign for the demo's issuer...
    let response = test::call_service(&app, me(&external_token(&idp_key, "jwt-demo"))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // ...and another key does not sign for the external issuer. Its unknown kid refetches the
    // set once (the first load does not start the cooldown); the second attempt, within the
    // 30 s cooldown, fetches nothing.
    let forger = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("idp-2");
    for _ in 0..2 {
        let response = test::call_service(&app, me(&external_token(&forger, IDP))).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    handle.stop(false).await;
}

#[test]
fn the_external_issuer_must_be_named_and_its_url_safe() {
    let refused = |config| match jwt_demo::Demo::new(config) {
        Err(DemoError::External(why)) => why,
        other => panic!("{other:?}"),
    };
    assert!(refused(config("https://idp.test/jwks".into(), None)).contains("JWT_DEMO_JWKS_ISSUER"));
    assert!(refused(config("http://idp.test/jwks".into(), Some(IDP))).contains("loopback"));
    assert!(refused(config("https://idp.test/jwks".into(), Some("jwt-demo"))).contains("differ"));
    let with_ca = |file: &std::path::Path| {
        let mut c = config("https://idp.test/jwks".into(), Some(IDP));
        if let Some(external) = &mut c.external {
            external.ca_file = Some(file.to_owned());
        }
        c
    };
    let missing = std::env::temp_dir().join("jwt-demo-no-such-ca.pem");
    assert!(refused(with_ca(&missing)).contains("JWT_DEMO_JWKS_CA"));
    let not_pem =
        std::env::temp_dir().join(format!("jwt-demo-not-a-ca-{}.pem", std::process::id()));
    std::fs::write(&not_pem, "not a certificate").unwrap();
    assert!(refused(with_ca(&not_pem)).contains("TLS"));
    let _ = std::fs::remove_file(&not_pem);
    // A real CA file is accepted (the test CA of jwt-actix's TLS tests).
    let ca = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../jwt-actix/tests/fixtures/tls/ca.pem");
    assert!(jwt_demo::Demo::new(with_ca(&ca)).is_ok());
}
