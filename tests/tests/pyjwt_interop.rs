//! Interoperability with PyJWT 2.x, the reference most of our users' peers run.
//!
//! Two sources of truth:
//! - `tests/interop/pyjwt-tokens.json`: tokens PyJWT 2.10.1 produced (made by
//!   `tests/interop/make_pyjwt_tokens.py`, committed next to it). Every one must verify here, and
//!   the deterministic ones (HS*, RS*, EdDSA) must come out of our encoder byte for byte.
//! - `tests/interop/pyjwt_oracle.py`, run live: PyJWT verifies what we sign and signs what we
//!   verify, for every algorithm. `cargo xtask ci` points `JWT_INTEROP_PYTHON` at a venv with the
//!   pinned PyJWT; without it, `python3` must have PyJWT installed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use jwt_core::{Algorithm, Encoder, ErrorKind, SigningKey, Validation, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

fn key_bytes(name: &str) -> Vec<u8> {
    std::fs::read(interop_dir().join("keys").join(name))
        .unwrap_or_else(|e| panic!("reading key {name}: {e}"))
}

fn signing_key(alg: Algorithm, file: &str) -> SigningKey {
    let bytes = key_bytes(file);
    if alg.is_hmac() {
        SigningKey::from_hmac_secret(alg, &bytes).unwrap()
    } else {
        SigningKey::from_pem(alg, &bytes).unwrap()
    }
}

fn verifying_key(alg: Algorithm, file: &str) -> VerifyingKey {
    let bytes = key_bytes(file);
    if alg.is_hmac() {
        VerifyingKey::from_hmac_secret(alg, &bytes).unwrap()
    } else {
        VerifyingKey::from_pem(alg, &bytes).unwrap()
    }
}

#[derive(Deserialize)]
struct Fixtures<'a> {
    generator: String,
    #[serde(borrow)]
    cases: Vec<Case<'a>>,
}

#[derive(Deserialize)]
struct Case<'a> {
    id: String,
    alg: String,
    key_file: Option<String>,
    verify_key_file: Option<String>,
    secret_utf8: Option<String>,
    #[serde(borrow)]
    payload: &'a RawValue,
    headers: Option<serde_json::Map<String, serde_json::Value>>,
    token: String,
    deterministic: bool,
    ascii_only: bool,
}

/// Removes insignificant whitespace from JSON text, keeping member order.
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}

/// The header as JSON, read from the raw segment (so member order is whatever the issuer wrote).
fn header_json(token: &str) -> serde_json::Value {
    let first = token.split('.').next().unwrap();
    serde_json::from_slice(&base64url_decode(first)).unwrap()
}

fn base64url_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

fn fixtures_text() -> String {
    std::fs::read_to_string(interop_dir().join("pyjwt-tokens.json")).unwrap()
}

fn validation_for(payload: &serde_json::Value) -> Validation {
    let mut validation = Validation::new();
    if payload.get("exp").is_none() {
        validation = validation.allow_missing_exp();
    }
    if let Some(aud) = payload.get("aud").and_then(|a| a.as_str()) {
        validation = validation.audience(aud);
    }
    if let Some(iss) = payload.get("iss").and_then(|a| a.as_str()) {
        validation = validation.issuer(iss);
    }
    validation
}

#[test]
fn every_pyjwt_token_verifies_with_the_same_claims() {
    let text = fixtures_text();
    let fixtures: Fixtures<'_> = serde_json::from_str(&text).unwrap();
    assert!(
        fixtures.generator.starts_with("PyJWT 2."),
        "{}",
        fixtures.generator
    );
    let mut verified = 0;
    for case in &fixtures.cases {
        let alg = Algorithm::from_name(&case.alg).unwrap();
        let payload: serde_json::Value = serde_json::from_str(case.payload.get()).unwrap();
        let key = match (&case.verify_key_file, &case.secret_utf8) {
            (Some(file), _) => verifying_key(alg, file),
            (None, Some(secret)) => {
                VerifyingKey::danger_from_short_hmac_secret(alg, secret.as_bytes()).unwrap()
            }
            (None, None) => panic!("{}: no key", case.id),
        };
        let key = match case
            .headers
            .as_ref()
            .and_then(|h| h.get("kid"))
            .and_then(|k| k.as_str())
        {
            Some(kid) => key.with_kid(kid),
            None => key,
        };
        let verifier = Verifier::new(key).with_validation(validation_for(&payload));
        let result = verifier.verify::<serde_json::Value>(&case.token);
        let token = result.unwrap_or_else(|e| panic!("{}: {e}", case.id));
        assert_eq!(token.claims(), &payload, "{}", case.id);
        assert_eq!(token.header().algorithm(), alg, "{}", case.id);
        verified += 1;
    }
    assert_eq!(verified, fixtures.cases.len());
    assert!(verified >= 30, "only {verified} fixtures");
}

#[test]
fn deterministic_pyjwt_tokens_are_reproduced_byte_for_byte() {
    let text = fixtures_text();
    let fixtures: Fixtures<'_> = serde_json::from_str(&text).unwrap();
    let (mut identical, mut reordered_header) = (0, 0);
    for case in fixtures
        .cases
        .iter()
        .filter(|c| c.deterministic && c.ascii_only)
    {
        let alg = Algorithm::from_name(&case.alg).unwrap();
        let key = match (&case.key_file, &case.secret_utf8) {
            (Some(file), _) => signing_key(alg, file),
            (None, Some(secret)) => {
                SigningKey::danger_from_short_hmac_secret(alg, secret.as_bytes()).unwrap()
            }
            (None, None) => panic!("{}: no key", case.id),
        };
        let payload = RawValue::from_string(minify(case.payload.get())).unwrap();
        let mut encoder = Encoder::new(&key);
        if let Some(kid) = case
            .headers
            .as_ref()
            .and_then(|h| h.get("kid"))
            .and_then(|k| k.as_str())
        {
            encoder = encoder.kid(kid);
        }
        let ours = encoder.encode(&payload).unwrap();
        if case.headers.is_none() {
            assert_eq!(ours, case.token, "{}", case.id);
            identical += 1;
        } else {
            // PyJWT sorts header members (alg, kid, typ); we write alg, typ, kid. Same members,
            // same payload bytes; the signatures differ because the header bytes do.
            assert_eq!(header_json(&ours), header_json(&case.token), "{}", case.id);
            assert_eq!(
                ours.split('.').nth(1),
                case.token.split('.').nth(1),
                "{}",
                case.id
            );
            reordered_header += 1;
        }
    }
    assert!(identical >= 12, "only {identical} byte-identical cases");
    assert_eq!(reordered_header, 2);
}

#[test]
fn the_classic_pyjwt_example_needs_the_short_secret_opt_in() {
    // PyJWT 1.x wrote `typ` first; the token is still valid and must verify byte-exactly as received.
    let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyLWlkIjo1fQ.tBQu0HfnOYK7lL3tH5ImgsI-y4Jz1RKscJWbV3U2QMI";
    let err = VerifyingKey::from_hmac_secret(Algorithm::HS256, b"secret").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WeakKey);
    let key = VerifyingKey::danger_from_short_hmac_secret(Algorithm::HS256, b"secret").unwrap();
    let verifier = Verifier::new(key).with_validation(Validation::new().allow_missing_exp());
    let verified = verifier.verify::<serde_json::Value>(token).unwrap();
    assert_eq!(verified.claims(), &serde_json::json!({"user-id": 5}));
    // The default validation requires `exp`, which the classic example lacks.
    let strict = Verifier::new(
        VerifyingKey::danger_from_short_hmac_secret(Algorithm::HS256, b"secret").unwrap(),
    );
    assert_eq!(
        strict
            .verify::<serde_json::Value>(token)
            .unwrap_err()
            .kind(),
        ErrorKind::MissingClaim
    );
    // And PyJWT 2.x's encoding of the same claims is what we produce.
    let signer = SigningKey::danger_from_short_hmac_secret(Algorithm::HS256, b"secret").unwrap();
    assert_eq!(
        jwt_core::encode(&signer, &serde_json::json!({"user-id": 5})).unwrap(),
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyLWlkIjo1fQ.8zgQkC0KHA-PY_49M2qCMt2Uj5RpX9sfhRPIZi-imao"
    );
}

// ---------------------------------------------------------------------------------------------
// Live PyJWT

fn python() -> String {
    std::env::var("JWT_INTEROP_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn oracle(request: &impl Serialize) -> serde_json::Value {
    let mut child = Command::new(python())
        .arg(interop_dir().join("pyjwt_oracle.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} ({e}); run `cargo xtask ci`, which sets up the PyJWT venv",
                python()
            )
        });
    let body = serde_json::to_vec(request).unwrap();
    child.stdin.take().unwrap().write_all(&body).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "PyJWT is not installed for {}; run `cargo xtask ci` (it creates target/interop-venv):\n{stderr}",
        python()
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("oracle answered no JSON ({e}); stderr:\n{stderr}"))
}

#[derive(Serialize)]
struct EncodeRequest<'a> {
    op: &'static str,
    alg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_pem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_b64url: Option<String>,
    payload: &'a RawValue,
    headers: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct DecodeRequest<'a> {
    op: &'static str,
    alg: &'a str,
    token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_pem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_b64url: Option<String>,
    audience: Option<&'a str>,
    issuer: Option<&'a str>,
}

/// Realistic access-token claims, in the member order PyJWT keeps.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct AccessClaims {
    sub: String,
    name: String,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
}

fn access_claims() -> AccessClaims {
    AccessClaims {
        sub: "user-7".into(),
        name: "Ada Lovelace".into(),
        iat: 1_764_000_000,
        exp: 4_102_444_800,
        iss: "https://issuer.example".into(),
        aud: "api".into(),
    }
}

/// (alg, private key file, public key file) for every algorithm PyJWT and we share.
const KEYS: &[(Algorithm, &str, &str)] = &[
    (Algorithm::HS256, "hs256.secret", "hs256.secret"),
    (Algorithm::HS384, "hs384.secret", "hs384.secret"),
    (Algorithm::HS512, "hs512.secret", "hs512.secret"),
    (
        Algorithm::RS256,
        "rsa2048-private-pkcs8.pem",
        "rsa2048-public-spki.pem",
    ),
    (
        Algorithm::RS384,
        "rsa2048-private-pkcs1.pem",
        "rsa2048-public-pkcs1.pem",
    ),
    (
        Algorithm::RS512,
        "rsa4096-private-pkcs8.pem",
        "rsa4096-public-spki.pem",
    ),
    (
        Algorithm::PS256,
        "rsa2048-private-pkcs8.pem",
        "rsa2048-public-spki.pem",
    ),
    (
        Algorithm::PS384,
        "rsa2048-private-pkcs8.pem",
        "rsa2048-public-spki.pem",
    ),
    (
        Algorithm::PS512,
        "rsa4096-private-pkcs8.pem",
        "rsa4096-public-spki.pem",
    ),
    (
        Algorithm::ES256,
        "ec-p256-private-sec1.pem",
        "ec-p256-public-spki.pem",
    ),
    (
        Algorithm::ES384,
        "ec-p384-private-pkcs8.pem",
        "ec-p384-public-spki.pem",
    ),
    (
        Algorithm::EdDSA,
        "ed25519-private-pkcs8.pem",
        "ed25519-public-spki.pem",
    ),
];

fn key_fields(alg: Algorithm, file: &str) -> (Option<String>, Option<String>) {
    let bytes = key_bytes(file);
    if alg.is_hmac() {
        let b64 = jwt_b64(&bytes);
        (None, Some(b64))
    } else {
        (Some(String::from_utf8(bytes).unwrap()), None)
    }
}

fn jwt_b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn pyjwt_verifies_what_we_sign_for_every_algorithm() {
    let claims = access_claims();
    for &(alg, private, public) in KEYS {
        let token = jwt_core::encode(&signing_key(alg, private), &claims).unwrap();
        let (key_pem, secret_b64url) = key_fields(alg, public);
        let answer = oracle(&DecodeRequest {
            op: "decode",
            alg: alg.name(),
            token: &token,
            key_pem,
            secret_b64url,
            audience: Some("api"),
            issuer: Some("https://issuer.example"),
        });
        assert_eq!(answer["ok"], true, "{alg}: {answer}");
        let payload: AccessClaims = serde_json::from_value(answer["payload"].clone()).unwrap();
        assert_eq!(payload, claims, "{alg}");
        // Sanity: PyJWT notices a tampered token, so the check above is not vacuous.
        let mut tampered = token.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let (key_pem, secret_b64url) = key_fields(alg, public);
        let answer = oracle(&DecodeRequest {
            op: "decode",
            alg: alg.name(),
            token: &tampered,
            key_pem,
            secret_b64url,
            audience: Some("api"),
            issuer: Some("https://issuer.example"),
        });
        assert_eq!(
            answer["ok"], false,
            "{alg}: PyJWT accepted a tampered token"
        );
    }
}

#[test]
fn we_verify_what_pyjwt_signs_for_every_algorithm() {
    let claims = access_claims();
    let payload = RawValue::from_string(serde_json::to_string(&claims).unwrap()).unwrap();
    for &(alg, private, public) in KEYS {
        let (key_pem, secret_b64url) = key_fields(alg, private);
        let answer = oracle(&EncodeRequest {
            op: "encode",
            alg: alg.name(),
            key_pem,
            secret_b64url,
            payload: &payload,
            headers: Some(serde_json::json!({"kid": "live"})),
        });
        let token = answer["token"]
            .as_str()
            .unwrap_or_else(|| panic!("{alg}: {answer}"));
        let verifier = Verifier::new(verifying_key(alg, public)).with_validation(
            Validation::new()
                .issuer("https://issuer.example")
                .audience("api"),
        );
        let verified = verifier
            .verify::<AccessClaims>(token)
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(verified.claims(), &claims, "{alg}");
        assert_eq!(verified.header().kid(), Some("live"));
        // The same token under another algorithm's key is refused, never re-interpreted.
        let other = if alg == Algorithm::HS256 {
            Algorithm::HS384
        } else {
            Algorithm::HS256
        };
        let wrong = Verifier::new(VerifyingKey::from_hmac_secret(other, &[7; 64]).unwrap());
        assert_eq!(
            wrong.verify::<AccessClaims>(token).unwrap_err().kind(),
            ErrorKind::AlgorithmNotAllowed
        );
        let deterministic =
            alg.is_hmac() || alg.name().starts_with("RS") || alg == Algorithm::EdDSA;
        if deterministic {
            let ours = Encoder::new(&signing_key(alg, private))
                .kid("live")
                .encode(&claims)
                .unwrap();
            assert_eq!(
                ours.split('.').nth(1),
                token.split('.').nth(1),
                "{alg}: payload bytes differ"
            );
        }
    }
}
