//! Interoperability of the `jwt` binary with PyJWT 2.x, both ways.
//!
//! - Tokens PyJWT makes (live, through `tests/interop/pyjwt_oracle.py`, and the committed
//!   `tests/interop/pyjwt-tokens.json`) verify with `jwt decode`, which prints their payload
//!   bytes exactly.
//! - Tokens `jwt encode` makes verify in PyJWT, with the same claims.
//! - For the deterministic algorithms (HS*, RS*, EdDSA) and a header without `kid`, `jwt encode`
//!   output is byte-identical to PyJWT's. With a `kid` it cannot be: PyJWT sorts header members
//!   (`alg`, `kid`, `typ`) while our contract writes `alg`, `typ`, `kid`; the members and the
//!   payload bytes are still equal, which is checked instead.
//! - A PS256 signature with a salt other than the hash length (made with Python `cryptography`
//!   directly) is rejected with exit code 1.
//!
//! The Python comes from `JWT_INTEROP_PYTHON` (set by `cargo xtask ci` to its venv with the
//! pinned PyJWT), else `python3`, which must then have PyJWT installed.

// Tests fail by panicking: unwrap/expect/panic and indexing are the point here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{b64, jwt, key, key_bytes, segment};
use serde_json::Value;
use serde_json::value::RawValue;

fn interop_dir() -> PathBuf {
    common::keys_dir().join("..")
}

fn python() -> String {
    std::env::var("JWT_INTEROP_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Runs `python` with `args`, feeding `stdin`; returns stdout, failing loudly with stderr.
fn run_python(args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(python())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} ({e}); run `cargo xtask ci` (it creates target/interop-venv) or \
                 set JWT_INTEROP_PYTHON",
                python()
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "PyJWT/cryptography missing for {}; run `cargo xtask ci` or set JWT_INTEROP_PYTHON:\n{stderr}",
        python()
    );
    String::from_utf8(output.stdout)
        .unwrap_or_else(|e| panic!("python printed non-UTF-8 ({e}); stderr:\n{stderr}"))
}

/// One request to the PyJWT oracle, as JSON text.
fn oracle(request: &str) -> Value {
    let oracle = interop_dir().join("pyjwt_oracle.py");
    let stdout = run_python(&[oracle.to_str().unwrap()], request);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("oracle answered no JSON ({e})"))
}

/// The oracle's key member for a test key file: PEM text, or the HMAC secret in base64url.
fn key_member(alg: &str, file: &str) -> String {
    let bytes = key_bytes(file);
    let (name, value) = if alg.starts_with("HS") {
        ("secret_b64url", b64(bytes))
    } else {
        ("key_pem", String::from_utf8(bytes).unwrap())
    };
    format!("{}:{}", Value::from(name), Value::from(value))
}

/// PyJWT's token for `payload`, which is spliced into the request as text: a
/// `serde_json::Value` would sort its members, and PyJWT keeps the order it receives.
fn pyjwt_encode(alg: &str, file: &str, payload: &str, headers: Option<Value>) -> String {
    let request = format!(
        r#"{{"op":"encode","alg":{},{},"payload":{payload},"headers":{}}}"#,
        Value::from(alg),
        key_member(alg, file),
        headers.unwrap_or(Value::Null),
    );
    let answer = oracle(&request);
    answer["token"]
        .as_str()
        .unwrap_or_else(|| panic!("PyJWT refused to encode {alg}: {answer}"))
        .to_owned()
}

fn pyjwt_decode(alg: &str, file: &str, token: &str, audience: Option<&str>) -> Value {
    let request = format!(
        r#"{{"op":"decode","alg":{},{},"token":{},"audience":{},"issuer":null}}"#,
        Value::from(alg),
        key_member(alg, file),
        Value::from(token),
        audience.map_or(Value::Null, Value::from),
    );
    oracle(&request)
}

/// (alg, private key file, public key file) for every algorithm PyJWT and `jwt` share.
const KEYS: &[(&str, &str, &str)] = &[
    ("HS256", "hs256.secret", "hs256.secret"),
    ("HS384", "hs384.secret", "hs384.secret"),
    ("HS512", "hs512.secret", "hs512.secret"),
    (
        "RS256",
        "rsa2048-private-pkcs8.pem",
        "rsa2048-public-spki.pem",
    ),
    (
        "RS384",
        "rsa2048-private-pkcs1.pem",
        "rsa2048-public-pkcs1.pem",
    ),
    (
        "RS512",
        "rsa4096-private-pkcs8.pem",
        "rsa4096-public-spki.pem",
    ),
    (
        "PS256",
        "rsa2048-private-pkcs8.pem",
        "rsa2048-public-spki.pem",
    ),
    (
        "PS384",
        "rsa2048-private-pkcs1.pem",
        "rsa2048-public-spki.pem",
    ),
    (
        "PS512",
        "rsa4096-private-pkcs8.pem",
        "rsa4096-public-spki.pem",
    ),
    (
        "ES256",
        "ec-p256-private-sec1.pem",
        "ec-p256-public-spki.pem",
    ),
    (
        "ES384",
        "ec-p384-private-pkcs8.pem",
        "ec-p384-public-spki.pem",
    ),
    (
        "EdDSA",
        "ed25519-private-pkcs8.pem",
        "ed25519-public-spki.pem",
    ),
];

/// Realistic access-token claims, compact, ASCII, integers only (PyJWT's JSON writes the same).
const CLAIMS: &str = r#"{"sub":"user-7","name":"Ada Lovelace","iat":1764000000,"exp":4102444800,"iss":"https://issuer.example","aud":"api","n":18446744073709551615}"#;

fn is_deterministic(alg: &str) -> bool {
    !(alg.starts_with("PS") || alg.starts_with("ES"))
}

#[test]
fn pyjwt_tokens_verify_with_jwt_decode() {
    for (alg, private, public) in KEYS {
        let token = pyjwt_encode(alg, private, CLAIMS, None);
        let out = jwt(&[
            "decode",
            "--alg",
            alg,
            "--key",
            &key(public),
            "--aud",
            "api",
            "--iss",
            "https://issuer.example",
            "--sub",
            "user-7",
            &token,
        ]);
        // PyJWT writes compact JSON, so the verified payload comes back byte for byte.
        assert_eq!(out.ok(), CLAIMS, "{alg}");
        assert_eq!(out.ok(), segment(&token, 1), "{alg}");
        // And a PyJWT token for another audience is rejected.
        jwt(&[
            "decode",
            "--alg",
            alg,
            "--key",
            &key(public),
            "--aud",
            "web",
            &token,
        ])
        .rejected_with("wrong_audience");
    }
}

#[test]
fn jwt_encode_tokens_verify_in_pyjwt() {
    for (alg, private, public) in KEYS {
        let token = jwt(&[
            "encode",
            "--alg",
            alg,
            "--key",
            &key(private),
            "--kid",
            "k1",
            CLAIMS,
        ]);
        let token = token.ok();
        let answer = pyjwt_decode(alg, public, token, Some("api"));
        assert_eq!(answer["ok"], true, "{alg}: {answer}");
        assert_eq!(
            answer["payload"],
            serde_json::from_str::<Value>(CLAIMS).unwrap(),
            "{alg}"
        );
        // PyJWT agrees that a tampered token is bad.
        let tampered = format!(
            "{}.{}.{}",
            segment_raw(token, 0),
            b64(r#"{"sub":"x"}"#),
            segment_raw(token, 2)
        );
        let answer = pyjwt_decode(alg, public, &tampered, None);
        assert_eq!(answer["ok"], false, "{alg}: {answer}");
    }
}

fn segment_raw(token: &str, index: usize) -> &str {
    token.split('.').nth(index).unwrap()
}

#[test]
fn deterministic_algorithms_are_byte_identical_to_pyjwt_without_kid() {
    let mut compared = 0;
    for (alg, private, _) in KEYS.iter().filter(|(alg, ..)| is_deterministic(alg)) {
        for payload in [
            CLAIMS,
            r#"{"user-id":5}"#,
            "{}",
            r#"{"nested":{"b":[1,2,{"c":null}],"a":true}}"#,
        ] {
            let ours = jwt(&["encode", "--alg", alg, "--key", &key(private), payload]);
            let theirs = pyjwt_encode(alg, private, payload, None);
            assert_eq!(ours.ok(), theirs, "{alg} {payload}");
            compared += 1;
        }
    }
    assert_eq!(compared, 28); // HS256/384/512, RS256/384/512, EdDSA x 4 payloads
}

#[test]
fn with_a_kid_only_the_header_member_order_differs_from_pyjwt() {
    for (alg, private, _) in KEYS.iter().filter(|(alg, ..)| is_deterministic(alg)) {
        let ours = jwt(&[
            "encode",
            "--alg",
            alg,
            "--key",
            &key(private),
            "--kid",
            "key-1",
            CLAIMS,
        ]);
        let ours = ours.ok();
        let theirs = pyjwt_encode(
            alg,
            private,
            CLAIMS,
            Some(serde_json::json!({"kid": "key-1"})),
        );
        assert_eq!(
            segment(ours, 0),
            format!(r#"{{"alg":"{alg}","typ":"JWT","kid":"key-1"}}"#)
        );
        assert_eq!(
            segment(&theirs, 0),
            format!(r#"{{"alg":"{alg}","kid":"key-1","typ":"JWT"}}"#)
        );
        assert_eq!(segment_raw(ours, 1), segment_raw(&theirs, 1), "{alg}");
    }
}

// ---------------------------------------------------------------------------------------------
// The committed PyJWT fixtures

#[derive(serde::Deserialize)]
struct Fixtures<'a> {
    #[serde(borrow)]
    cases: Vec<Case<'a>>,
}

#[derive(serde::Deserialize)]
struct Case<'a> {
    id: String,
    alg: String,
    key_file: Option<String>,
    verify_key_file: Option<String>,
    secret_utf8: Option<String>,
    #[serde(borrow)]
    payload: &'a RawValue,
    headers: Option<Value>,
    token: String,
    deterministic: bool,
    ascii_only: bool,
}

fn fixtures_text() -> String {
    std::fs::read_to_string(interop_dir().join("pyjwt-tokens.json")).unwrap()
}

/// `--key FILE` or `--secret S --allow-short-secret` for a fixture.
fn fixture_key_args(file: Option<&String>, secret: Option<&String>) -> Vec<String> {
    match (file, secret) {
        (Some(file), _) => vec!["--key".into(), key(file)],
        (None, Some(secret)) => vec![
            "--secret".into(),
            secret.clone(),
            "--allow-short-secret".into(),
        ],
        (None, None) => panic!("fixture without key"),
    }
}

#[test]
fn every_committed_pyjwt_token_verifies_with_jwt_decode() {
    let text = fixtures_text();
    let fixtures: Fixtures<'_> = serde_json::from_str(&text).unwrap();
    let mut verified = 0;
    for case in &fixtures.cases {
        let payload: Value = serde_json::from_str(case.payload.get()).unwrap();
        let mut args: Vec<String> = vec!["decode".into(), "--alg".into(), case.alg.clone()];
        args.extend(fixture_key_args(
            case.verify_key_file.as_ref(),
            case.secret_utf8.as_ref(),
        ));
        if let Some(aud) = payload.get("aud").and_then(Value::as_str) {
            args.extend(["--aud".into(), aud.to_owned()]);
        }
        args.push(case.token.clone());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = jwt(&args);
        assert_eq!(out.ok(), segment(&case.token, 1), "{}", case.id);
        assert_eq!(
            serde_json::from_str::<Value>(out.ok()).unwrap(),
            payload,
            "{}",
            case.id
        );
        verified += 1;
    }
    assert!(verified >= 30, "only {verified} fixtures");
}

#[test]
fn deterministic_committed_pyjwt_tokens_are_reproduced_by_jwt_encode() {
    let text = fixtures_text();
    let fixtures: Fixtures<'_> = serde_json::from_str(&text).unwrap();
    let mut identical = 0;
    for case in fixtures
        .cases
        .iter()
        .filter(|c| c.deterministic && c.ascii_only)
    {
        let mut args: Vec<String> = vec!["encode".into(), "--alg".into(), case.alg.clone()];
        args.extend(fixture_key_args(
            case.key_file.as_ref(),
            case.secret_utf8.as_ref(),
        ));
        let kid = case
            .headers
            .as_ref()
            .and_then(|h| h.get("kid"))
            .and_then(Value::as_str);
        if let Some(kid) = kid {
            args.extend(["--kid".into(), kid.to_owned()]);
        }
        // The fixture's payload text (pretty-printed in the file); `jwt encode` minifies it.
        args.push(case.payload.get().to_owned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let ours = jwt(&args);
        let ours = ours.ok();
        if kid.is_none() {
            assert_eq!(ours, case.token, "{}", case.id);
            identical += 1;
        } else {
            let header = |t: &str| serde_json::from_str::<Value>(&segment(t, 0)).unwrap();
            assert_eq!(header(ours), header(&case.token), "{}", case.id);
            assert_eq!(
                segment_raw(ours, 1),
                segment_raw(&case.token, 1),
                "{}",
                case.id
            );
        }
    }
    assert!(identical >= 12, "only {identical} byte-identical fixtures");
}

// ---------------------------------------------------------------------------------------------
// RSASSA-PSS salt length

/// Signs an RS/PS test token with Python `cryptography` directly, PSS with `salt` bytes of salt.
const PSS_SCRIPT: &str = r#"
import base64, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), password=None)
salt = int(sys.argv[2])
signing_input = b64(b'{"alg":"PS256","typ":"JWT"}') + "." + b64(b'{"sub":"salt"}')
signature = key.sign(
    signing_input.encode(),
    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt),
    hashes.SHA256(),
)
print(signing_input + "." + b64(signature))
"#;

fn pss_token(salt: u32) -> String {
    let private = key("rsa2048-private-pkcs8.pem");
    let salt = salt.to_string();
    run_python(&["-c", PSS_SCRIPT, &private, &salt], "")
        .trim_end()
        .to_owned()
}

#[test]
fn ps256_with_another_salt_length_is_rejected() {
    let public = key("rsa2048-public-spki.pem");
    // Control: the salt RFC 7518 requires (the hash length, 32 bytes) verifies.
    let good = pss_token(32);
    assert_eq!(
        jwt(&["decode", "--alg", "PS256", "--key", &public, &good]).ok(),
        r#"{"sub":"salt"}"#
    );
    for salt in [20, 0, 64] {
        let token = pss_token(salt);
        jwt(&["decode", "--alg", "PS256", "--key", &public, &token])
            .rejected_with("invalid_signature");
    }
}
