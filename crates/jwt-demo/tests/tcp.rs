//! The demo over a real socket: bound to 127.0.0.1:0, driven by a minimal HTTP/1.1 client.
//!
//! Why a hand-written client on `std::net::TcpStream` rather than `awc`: it adds no dependency
//! (awc would bring a second HTTP stack and TLS plumbing into the lock file for one test), and
//! it shows the bytes exactly as a client receives them, header spelling included. It speaks
//! only what this test needs: one request per connection (`Connection: close`),
//! `Content-Length` or chunked bodies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use common::*;
use serde_json::Value;

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    json: Option<&str>,
) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(token) = bearer {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = json.unwrap_or("");
    if json.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let text = String::from_utf8(raw.to_vec()).unwrap();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .expect("a complete response head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
    let status = status_line[9..12].parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_owned(), value.trim().to_owned())
        })
        .collect();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

fn field(response: &Response, name: &str) -> String {
    response.json()[name].as_str().unwrap().to_owned()
}

/// The whole flow, as the README's curl lines run it.
fn flow(addr: SocketAddr) {
    // Log in as alice.
    let login = request(
        addr,
        "POST",
        "/login",
        None,
        Some(&login_body("alice", "alice-password")),
    );
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.header("cache-control"), Some("no-store"));
    assert_eq!(login.json()["token_type"], "Bearer");
    let access = field(&login, "access_token");
    let first_refresh = field(&login, "refresh_token");

    // Who am I?
    let me = request(addr, "GET", "/me", Some(&access), None);
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["sub"], "alice");
    let anonymous = request(addr, "GET", "/me", None, None);
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.header("www-authenticate"),
        Some(r#"Bearer realm="jwt-demo""#)
    );

    // Refresh: rotation.
    let refreshed = request(
        addr,
        "POST",
        "/refresh",
        None,
        Some(&refresh_body(&first_refresh)),
    );
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let second_refresh = field(&refreshed, "refresh_token");
    assert_ne!(second_refresh, first_refresh);
    let new_access = field(&refreshed, "access_token");
    assert_eq!(
        request(addr, "GET", "/me", Some(&new_access), None).status,
        200
    );

    // Reuse of the retired token: the family is revoked, the newest token too.
    let reuse = request(
        addr,
        "POST",
        "/refresh",
        None,
        Some(&refresh_body(&first_refresh)),
    );
    assert_eq!(reuse.status, 400);
    assert_eq!(reuse.json()["error"], "invalid_grant");
    let after = request(
        addr,
        "POST",
        "/refresh",
        None,
        Some(&refresh_body(&second_refresh)),
    );
    assert_eq!(after.status, 400);
    assert_eq!(after.json()["error"], "invalid_grant");

    // Admin: 403 for alice, 200 for admin.
    let forbidden = request(addr, "GET", "/admin", Some(&new_access), None);
    assert_eq!(forbidden.status, 403);
    assert!(
        forbidden
            .header("www-authenticate")
            .unwrap()
            .contains(r#"error="insufficient_scope""#)
    );
    let admin_login = request(
        addr,
        "POST",
        "/login",
        None,
        Some(&login_body("admin", "admin-password")),
    );
    let admin_access = field(&admin_login, "access_token");
    let admin = request(addr, "GET", "/admin", Some(&admin_access), None);
    assert_eq!(admin.status, 200, "{}", admin.body);

    // The keys.
    let jwks = request(addr, "GET", "/.well-known/jwks.json", None, None);
    assert_eq!(jwks.status, 200);
    assert_eq!(jwks.json()["keys"][0]["kty"], "OKP");
}

#[actix_web::test]
async fn the_whole_flow_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = demo().serve(listener).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let outcome = actix_web::rt::task::spawn_blocking(move || flow(addr)).await;
    handle.stop(true).await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}
