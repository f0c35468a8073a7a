//! The demo's routes in process (`actix_web::test`): login, tokens, refresh rotation, scopes,
//! the JWK Set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use common::*;
use jwt_core::{Algorithm, JwkSet, KeySet, SigningKey, Validation, Verifier};
use jwt_demo::DemoConfig;
use serde_json::{Value, json};

struct Reply {
    status: StatusCode,
    headers: actix_web::http::header::HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

async fn read<B: actix_web::body::MessageBody>(response: ServiceResponse<B>) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = test::read_body(response).await;
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Reply {
        status,
        headers,
        body,
    }
}

/// Sends a request to an initialised test service and reads the reply.
macro_rules! call {
    ($app:expr, $req:expr) => {
        read(test::call_service($app, $req.to_request()).await)
    };
}

fn post_json(path: &str, body: String) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("content-type", "application/json"))
        .set_payload(body)
}

fn bearer(path: &str, token: &str) -> TestRequest {
    TestRequest::get()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
}

#[actix_web::test]
async fn login_issues_an_eddsa_access_token_and_a_refresh_token() {
    let app = test::init_service(demo().app()).await;
    let reply = call!(
        &app,
        post_json("/login", login_body("alice", "alice-password"))
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = &reply.body;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], "read");
    assert_eq!(body["refresh_token"].as_str().unwrap().len(), 43);

    // The access token verifies with the published JWK Set alone.
    let jwks = call!(&app, TestRequest::get().uri("/.well-known/jwks.json")).await;
    assert_eq!(jwks.status, StatusCode::OK);
    let set = JwkSet::from_json(&jwks.body.to_string()).unwrap();
    let (keys, skipped) = KeySet::from_jwk_set(&set, &[]);
    assert!(skipped.is_empty());
    let verifier = Verifier::with_key_set(keys).with_validation(
        Validation::new()
            .issuer("jwt-demo")
            .audience("jwt-demo-api"),
    );
    let token = body["access_token"].as_str().unwrap();
    let verified = verifier.verify::<Value>(token).unwrap();
    assert_eq!(verified.header().algorithm(), Algorithm::EdDSA);
    assert_eq!(verified.header().typ(), Some("at+jwt"));
    assert_eq!(verified.header().kid(), set.keys()[0].kid());
    let claims = verified.claims();
    for claim in ["iss", "aud", "sub", "scope", "iat", "exp", "jti"] {
        assert!(claims.get(claim).is_some(), "{claim}");
    }
    assert_eq!(claims["sub"], "alice");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        300
    );
}

#[actix_web::test]
async fn the_jwks_is_public_and_has_no_private_members() {
    let app = test::init_service(demo().app()).await;
    let reply = call!(&app, TestRequest::get().uri("/.well-known/jwks.json")).await;
    let key = &reply.body["keys"][0];
    assert_eq!(reply.body["keys"].as_array().unwrap().len(), 1);
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["use"], "sig");
    assert!(key.get("d").is_none());
    assert_eq!(key["kid"].as_str().unwrap().len(), 43);
}

#[actix_web::test]
async fn bad_logins_are_400_invalid_grant_and_say_nothing_more() {
    let app = test::init_service(demo().app()).await;
    for (user, password) in [
        ("alice", "wrong"),
        ("mallory", "alice-password"),
        ("admin", ""),
    ] {
        let reply = call!(&app, post_json("/login", login_body(user, password))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{user}");
        assert_eq!(
            reply.body,
            json!({"error": "invalid_grant", "error_description": "unknown user or wrong password"})
        );
    }
    let malformed = [
        post_json("/login", "{\"username\": \"alice\"}".into()),
        post_json("/login", "not json".into()),
        TestRequest::post()
            .uri("/login")
            .set_payload(login_body("alice", "alice-password")),
    ];
    for req in malformed {
        let reply = call!(&app, req).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.body["error"], "invalid_request");
    }
}

/// Password guessing is slowed down: after five failures for one name, attempts for it are
/// refused with 429 and `Retry-After` before any hashing, even with the right password, for a
/// delay that doubles; other names are not affected; the right password after the wait works
/// and clears the count. A client address gets twenty failures across all names.
#[actix_web::test]
async fn repeated_failed_logins_are_throttled_per_name_and_per_address() {
    use jwt_demo::throttle::{ADDRESS_FREE_FAILURES, USER_FREE_FAILURES};

    let app = test::init_service(demo().app()).await;
    for _ in 0..=USER_FREE_FAILURES {
        let reply = call!(&app, post_json("/login", login_body("admin", "guess"))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    }
    for password in ["guess", "admin-password"] {
        let reply = call!(&app, post_json("/login", login_body("admin", password))).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{password}");
        assert_eq!(reply.header("retry-after"), Some("1"));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(reply.body["error"], "slow_down");
    }
    let reply = call!(
        &app,
        post_json("/login", login_body("alice", "alice-password"))
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "another name");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let reply = call!(
        &app,
        post_json("/login", login_body("admin", "admin-password"))
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "after the wait");
    let reply = call!(&app, post_json("/login", login_body("admin", "guess"))).await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "the count was cleared"
    );

    // One address guessing across many names.
    let from = |user: String, password: &str| {
        post_json("/login", login_body(&user, password))
            .peer_addr("198.51.100.7:40000".parse().unwrap())
    };
    for n in 0..=ADDRESS_FREE_FAILURES {
        let reply = call!(&app, from(format!("nobody{n}"), "x")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{n}");
    }
    let reply = call!(&app, from("alice".into(), "alice-password")).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    let reply = call!(
        &app,
        post_json("/login", login_body("alice", "alice-password"))
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "other addresses are not affected"
    );
}

/// Checking and counting are one step: once a name's free failures are used up, a burst of
/// parallel guesses gets one guess checked; the others are refused before any hashing, so the
/// delays cannot be outrun by sending many requests at once.
#[actix_web::test]
async fn a_burst_of_parallel_guesses_past_the_allowance_gets_one_through() {
    use jwt_demo::throttle::USER_FREE_FAILURES;

    let app = std::rc::Rc::new(test::init_service(demo().app()).await);
    for _ in 0..USER_FREE_FAILURES {
        let reply = call!(&*app, post_json("/login", login_body("admin", "guess"))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    }
    let burst: Vec<_> = (0..6)
        .map(|n| {
            let app = std::rc::Rc::clone(&app);
            actix_web::rt::spawn(async move {
                let guess = format!("guess-{n}");
                call!(&*app, post_json("/login", login_body("admin", &guess)))
                    .await
                    .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for request in burst {
        statuses.push(request.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|status| **status == StatusCode::BAD_REQUEST)
        .count();
    let refused = statuses
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (1, 5), "{statuses:?}");
}

/// A known path with the wrong method is `405 Method Not Allowed` with `Allow`; an unknown
/// path is `404`.
#[actix_web::test]
async fn wrong_methods_are_405_with_allow() {
    let app = test::init_service(demo().app()).await;
    for (request, allow) in [
        (TestRequest::get().uri("/login"), "POST"),
        (TestRequest::get().uri("/refresh"), "POST"),
        (TestRequest::put().uri("/me"), "GET"),
        (TestRequest::post().uri("/.well-known/jwks.json"), "GET"),
    ] {
        let reply = call!(&app, request).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(reply.header("allow"), Some(allow));
    }
    let reply = call!(&app, TestRequest::get().uri("/nowhere")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn protected_routes_answer_401_403_and_200() {
    let app = test::init_service(demo().app()).await;
    let alice = call!(
        &app,
        post_json("/login", login_body("alice", "alice-password"))
    )
    .await;
    let alice = alice.body["access_token"].as_str().unwrap().to_owned();
    let admin = call!(
        &app,
        post_json("/login", login_body("admin", "admin-password"))
    )
    .await;
    let admin = admin.body["access_token"].as_str().unwrap().to_owned();

    let reply = call!(&app, TestRequest::get().uri("/me")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.header("www-authenticate"),
        Some(r#"Bearer realm="jwt-demo""#)
    );

    let reply = call!(&app, bearer("/me", &alice)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["sub"], "alice");
    assert_eq!(reply.body["scope"], "read");

    let reply = call!(&app, bearer("/admin", &alice)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.header("www-authenticate"),
        Some(
            r#"Bearer realm="jwt-demo", error="insufficient_scope", error_description="the token does not grant the required scope", scope="admin""#
        )
    );
    let reply = call!(&app, bearer("/admin", &admin)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["scopes"], json!(["read", "admin"]));

    // One character in the middle of the signature changed (the last one could make the
    // base64url non-canonical, a different refusal).
    let at = alice.len() - 20;
    let mut tampered = alice.clone().into_bytes();
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let reply = call!(&app, bearer("/me", &tampered)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_token");
    let description = reply.body["error_description"].as_str().unwrap();
    assert!(description.contains("signature"), "{description}");

    let reply = call!(&app, TestRequest::get().uri("/public/ping")).await;
    assert_eq!(
        (reply.status, reply.body.clone()),
        (StatusCode::OK, json!("pong"))
    );
    let reply = call!(&app, TestRequest::get().uri("/me/ping")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = call!(&app, bearer("/me/ping", &alice)).await;
    assert_eq!((reply.status, reply.body), (StatusCode::OK, json!("pong")));
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = test::init_service(demo().app()).await;
    let login = call!(
        &app,
        post_json("/login", login_body("admin", "admin-password"))
    )
    .await;
    let first = login.body["refresh_token"].as_str().unwrap().to_owned();

    let reply = call!(&app, post_json("/refresh", refresh_body(&first))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.body["scope"], "read admin");
    let second = reply.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    let access = reply.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        call!(&app, bearer("/admin", &access)).await.status,
        StatusCode::OK
    );

    let reply = call!(&app, post_json("/refresh", refresh_body(&first))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"], "invalid_grant");
    assert!(
        reply.body["error_description"]
            .as_str()
            .unwrap()
            .contains("reuse")
    );

    let reply = call!(&app, post_json("/refresh", refresh_body(&second))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body["error_description"],
        "this login was revoked; log in again"
    );

    let reply = call!(&app, post_json("/refresh", refresh_body("made-up"))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error_description"], "unknown refresh token");
}

/// `POST /logout` ends the login: its refresh tokens stop working; an unknown token gets the
/// same answer.
#[actix_web::test]
async fn logout_revokes_the_logins_refresh_tokens() {
    let app = test::init_service(demo().app()).await;
    let login = call!(
        &app,
        post_json("/login", login_body("alice", "alice-password"))
    )
    .await;
    let first = login.body["refresh_token"].as_str().unwrap().to_owned();
    let rotated = call!(&app, post_json("/refresh", refresh_body(&first))).await;
    let current = rotated.body["refresh_token"].as_str().unwrap().to_owned();
    let other = call!(
        &app,
        post_json("/login", login_body("alice", "alice-password"))
    )
    .await;
    let other = other.body["refresh_token"].as_str().unwrap().to_owned();

    for token in [current.as_str(), "not-a-token"] {
        let reply = call!(&app, post_json("/logout", refresh_body(token))).await;
        assert_eq!(
            (reply.status, reply.body.clone()),
            (StatusCode::OK, json!({}))
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
    let reply = call!(&app, post_json("/refresh", refresh_body(&current))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body["error_description"],
        "this login was revoked; log in again"
    );
    // Another login of the same user is not affected.
    let reply = call!(&app, post_json("/refresh", refresh_body(&other))).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_key_file_is_used_for_signing() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let path = std::env::temp_dir().join(format!("jwt-demo-test-{}.pem", std::process::id()));
    std::fs::write(&path, key.to_pkcs8_pem().unwrap().expose()).unwrap();
    let demo = demo_with(DemoConfig {
        key_file: Some(path.clone()),
        ..DemoConfig::default()
    });
    std::fs::remove_file(&path).unwrap();
    let app = test::init_service(demo.app()).await;
    let login = call!(
        &app,
        post_json("/login", login_body("alice", "alice-password"))
    )
    .await;
    let token = login.body["access_token"].as_str().unwrap();
    let thumbprint = key.to_public_jwk().unwrap().thumbprint();
    let verifier = Verifier::new(key.verifying_key()).with_validation(
        Validation::new()
            .issuer("jwt-demo")
            .audience("jwt-demo-api"),
    );
    let verified = verifier.verify::<Value>(token).unwrap();
    assert_eq!(verified.header().kid(), Some(thumbprint.as_str()));

    // Tokens signed with the demo's own key but not as the demo issues them are refused: an
    // `iat` in the future, or older than an access token's lifetime (an `exp` in the year 5138).
    let key = key.with_kid(thumbprint);
    let now = jwt_demo::tokens::now();
    let forge = |iat: u64, exp: u64| {
        let claims = json!({"iss": "jwt-demo", "aud": "jwt-demo-api", "sub": "alice",
                            "scope": "read", "iat": iat, "exp": exp, "jti": "x"});
        jwt_core::Encoder::new(&key)
            .typ("at+jwt")
            .encode(&claims)
            .unwrap()
    };
    let reply = call!(&app, bearer("/me", &forge(now, now + 60))).await;
    assert_eq!(reply.status, StatusCode::OK, "as the demo issues them");
    for (iat, exp) in [(now + 86_400, now + 86_460), (now - 3_600, 99_999_999_999)] {
        let reply = call!(&app, bearer("/me", &forge(iat, exp))).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "iat {iat} exp {exp}"
        );
    }
}

#[test]
fn the_walkthrough_covers_the_whole_flow() {
    let text = jwt_demo::curl_walkthrough("http://127.0.0.1:8080");
    for needle in [
        "/login",
        "/me",
        "/admin",
        "/refresh",
        "/.well-known/jwks.json",
        "alice-password",
        "admin-password",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    assert!(
        text.lines()
            .all(|l| l.starts_with('#') || l.contains("curl") || l.contains("sed"))
    );
}
