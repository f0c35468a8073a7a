//! `Authorization: Bearer`: the happy path, RFC 6750 §3 answers, and the b64token syntax.

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderValue;
use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn a_valid_token_reaches_the_handler_with_claims_and_header() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read write"));
    let reply = send(Some(config(&key)), bearer("/me", &token)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["sub"], "alice");
    assert_eq!(body["kid"], "k1");
    assert_eq!(body["source"], "header");
    assert_eq!(body["scopes"], json!(["read", "write"]));
    // The handler's Debug of the extractor shows claims, never the token.
    assert!(!body["debug"].as_str().unwrap().contains(&token));
}

#[actix_web::test]
async fn no_credentials_is_401_with_a_bare_challenge() {
    let key = key("k1");
    let reply = send(Some(config(&key)), get("/me")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenge(), Some(BARE));
    assert_eq!(reply.content_type(), Some("application/json"));
    // No error code without credentials (RFC 6750 §3.1), in the body either.
    assert_eq!(
        reply.json(),
        json!({"error_description": "a bearer token is required"})
    );
}

#[actix_web::test]
async fn another_scheme_is_no_bearer_credentials() {
    let key = key("k1");
    for value in [
        "Basic YWxpY2U6c2VjcmV0",
        "Digest username=\"a\"",
        "Bearerx abc",
        "",
    ] {
        let req = get("/me").insert_header(("Authorization", value));
        let reply = send(Some(config(&key)), req).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{value}");
        assert_eq!(reply.challenge(), Some(BARE), "{value}");
        assert!(reply.json().get("error").is_none(), "{value}");
    }
}

#[actix_web::test]
async fn the_scheme_is_case_insensitive_and_ows_is_trimmed() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    for value in [
        format!("bearer {token}"),
        format!("BEARER {token}"),
        format!("bEaReR {token}"),
        format!(" \tBearer   {token} \t"),
    ] {
        let req = get("/me").insert_header(("Authorization", value.clone()));
        let reply = send(Some(config(&key)), req).await;
        assert_eq!(reply.status, StatusCode::OK, "{value:?}");
    }
}

#[actix_web::test]
async fn two_authorization_headers_are_400() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let req = bearer("/me", &token).append_header(("Authorization", format!("Bearer {token}")));
    let reply = send(Some(config(&key)), req).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let description = "the request has more than one Authorization header";
    assert_eq!(
        reply.challenge(),
        Some(invalid_request(description).as_str())
    );
    assert_eq!(
        reply.json(),
        json!({"error": "invalid_request", "error_description": description})
    );
}

#[actix_web::test]
async fn malformed_bearer_values_are_400_invalid_request() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            b"Bearer".to_vec(),
            "the Bearer scheme is not followed by a token",
        ),
        (
            b"Bearer   ".to_vec(),
            "the Bearer scheme is not followed by a token",
        ),
        (
            format!("Bearer\t{token}").into_bytes(),
            "the Bearer scheme must be followed by a space",
        ),
        (
            format!("Bearer {token} {token}").into_bytes(),
            "the Authorization header carries more than one token",
        ),
        (
            format!("Bearer {token}, Bearer {token}").into_bytes(),
            "the Authorization header carries more than one token",
        ),
        (
            b"Bearer abc,def".to_vec(),
            "the token has characters b64token does not allow",
        ),
        (
            b"Bearer ab\tc".to_vec(),
            "the token has characters b64token does not allow",
        ),
        (
            b"Bearer a=b".to_vec(),
            "the token has characters b64token does not allow",
        ),
        (
            b"Bearer \"abc\"".to_vec(),
            "the token has characters b64token does not allow",
        ),
        (
            b"Bearer ab\xc3\xa9c".to_vec(),
            "the token has characters b64token does not allow",
        ),
    ];
    for (value, description) in cases {
        let shown = String::from_utf8_lossy(&value).into_owned();
        let value = HeaderValue::from_bytes(&value).unwrap();
        let reply = send(
            Some(config(&key)),
            get("/me").insert_header(("Authorization", value)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{shown:?}");
        assert_eq!(
            reply.challenge(),
            Some(invalid_request(description).as_str()),
            "{shown:?}"
        );
        assert_eq!(reply.json()["error"], "invalid_request", "{shown:?}");
        reply.assert_silent_about(&token);
    }
}

#[actix_web::test]
async fn bad_tokens_are_401_invalid_token_with_a_fixed_description() {
    let key = key("k1");
    let other = self::key("k1");
    let now = now();
    let cases = [
        // Signed by another key with the same kid.
        (
            token(&other, &claims("alice", "read")),
            "the token signature is invalid",
        ),
        (
            token(
                &key,
                &json!({"iss": ISS, "aud": AUD, "sub": "alice", "exp": now - 10}),
            ),
            "the token has expired",
        ),
        (
            token(
                &key,
                &json!({"iss": ISS, "aud": AUD, "sub": "alice", "exp": now + 60, "nbf": now + 30}),
            ),
            "the token is not valid yet",
        ),
        (
            token(
                &key,
                &json!({"iss": ISS, "aud": "someone-else", "sub": "alice", "exp": now + 60}),
            ),
            "the token audience is not accepted",
        ),
        (
            token(
                &key,
                &json!({"iss": "https://evil.test", "aud": AUD, "sub": "alice", "exp": now + 60}),
            ),
            "the token issuer is not accepted",
        ),
        (
            token(&key.clone().with_kid("k9"), &claims("alice", "read")),
            "the token signing key is unknown",
        ),
        ("abc.def".to_owned(), "the token is malformed"),
        ("not-a-jwt".to_owned(), "the token is malformed"),
    ];
    for (token, description) in cases {
        let reply = send(Some(config(&key)), bearer("/me", &token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{description}");
        assert_eq!(reply.challenge(), Some(invalid_token(description).as_str()));
        assert_eq!(
            reply.json(),
            json!({"error": "invalid_token", "error_description": description})
        );
        reply.assert_silent_about(&token);
        reply.assert_silent_about("alice");
    }
}

#[actix_web::test]
async fn claims_that_do_not_fit_the_handler_type_are_401() {
    let events = Events::default();
    let _guard = events.capture();
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let reply = send(Some(config(&key)), bearer("/strict", &token)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenge(),
        Some(invalid_token("the token claims are invalid").as_str())
    );
    reply.assert_silent_about("alice");
    // A signed token the handler's type cannot take is usually the server's mismatch: logged
    // at INFO with the field the type missed, never with the token's claim values.
    let events = events.all();
    let mismatch: Vec<_> = events
        .iter()
        .filter(|event| {
            event
                .field("message")
                .is_some_and(|m| m.contains("claims do not fit"))
        })
        .collect();
    assert_eq!(mismatch.len(), 1, "{events:?}");
    assert_eq!(mismatch[0].level, tracing::Level::INFO, "{events:?}");
    assert_eq!(
        mismatch[0].field("missing_field"),
        Some("tenant"),
        "{events:?}"
    );
    assert_eq!(
        mismatch[0].field("error.type"),
        Some("invalid_payload"),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .flat_map(|event| &event.fields)
            .all(|(_, value)| !value.contains("alice")),
        "{events:?}"
    );
}

#[actix_web::test]
async fn a_forged_alg_none_token_is_refused() {
    let key = key("k1");
    // {"alg":"none","typ":"JWT"} . {"sub":"admin",...} . (empty signature)
    let forged = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiJ9.";
    let reply = send(Some(config(&key)), bearer("/me", forged)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"], "invalid_token");
}

/// The same answers through actix's real HTTP/1 parser over TCP (not `TestRequest`): header
/// edge cases that only a socket can send, each answered without a panic.
#[actix_web::test]
async fn header_edge_cases_over_a_real_socket() {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;

    use actix_web::{App, HttpServer, web};

    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = config(&key);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || App::new().app_data(config.clone()).configure(routes))
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .listen(listener)
        .unwrap()
        .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let exchange = |headers: Vec<u8>| {
        web::block(move || {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut request =
                format!("GET /me HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n").into_bytes();
            request.extend_from_slice(&headers);
            request.extend_from_slice(b"\r\n");
            stream.write_all(&request).unwrap();
            let mut response = Vec::new();
            let _ = stream.read_to_end(&mut response);
            String::from_utf8_lossy(&response).into_owned()
        })
    };
    let status = |response: &str| response.lines().next().unwrap_or_default().to_owned();
    let cases: Vec<(&str, Vec<u8>, &str, Option<&str>)> = vec![
        (
            "scheme in lower case, several spaces",
            format!("Authorization: bearer   {token}\r\n").into_bytes(),
            "HTTP/1.1 200 OK",
            None,
        ),
        (
            "two Authorization headers",
            format!("Authorization: Bearer {token}\r\nAuthorization: Bearer {token}\r\n")
                .into_bytes(),
            "HTTP/1.1 400 Bad Request",
            Some(r#"error="invalid_request""#),
        ),
        (
            "obs-text in the token",
            b"Authorization: Bearer \xff\xfe\x80\r\n".to_vec(),
            "HTTP/1.1 400 Bad Request",
            Some(r#"error="invalid_request""#),
        ),
        (
            "obs-text in the scheme",
            b"Authorization: \xffBearer abc\r\n".to_vec(),
            "HTTP/1.1 401 Unauthorized",
            Some(r#"www-authenticate: Bearer realm="api""#),
        ),
        (
            "empty header",
            b"Authorization:\r\n".to_vec(),
            "HTTP/1.1 401 Unauthorized",
            Some(r#"www-authenticate: Bearer realm="api""#),
        ),
        (
            "a 30 KB token",
            format!("Authorization: Bearer {}\r\n", "a".repeat(30_000)).into_bytes(),
            "HTTP/1.1 401 Unauthorized",
            Some("the token is too large"),
        ),
    ];
    for (name, headers, expected_status, expected_text) in cases {
        let response = exchange(headers).await.unwrap();
        assert_eq!(status(&response), expected_status, "{name}: {response}");
        if let Some(text) = expected_text {
            assert!(
                response
                    .to_ascii_lowercase()
                    .contains(&text.to_ascii_lowercase()),
                "{name}: {response}"
            );
        }
    }
    handle.stop(false).await;
}
