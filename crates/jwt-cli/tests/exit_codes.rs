//! The exit-code contract, rule by rule: 1 for everything wrong with the token, 2 for everything
//! wrong with the invocation; in both cases stdout empty and exactly one `error:` line on stderr.
//! `--help` and `--version` succeed with normal output.

// Tests fail by panicking: unwrap/expect/panic and indexing are the point here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::time::{Duration, Instant};

use common::{TempFile, b64, hmac_token, hs256, jwt, jwt_stdin, key, key_bytes, now};

fn hs256_token(payload: &str) -> String {
    jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--key",
        &key("hs256.secret"),
        payload,
    ])
    .ok()
    .to_owned()
}

fn decode_hs256(token: &str) -> common::Run {
    jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--key",
        &key("hs256.secret"),
        token,
    ])
}

// ---------------------------------------------------------------------------------------------
// Exit code 2: usage errors

#[test]
fn unknown_or_wrongly_cased_alg_is_a_usage_error() {
    let secret = key("hs256.secret");
    let token = hs256_token("{}");
    for alg in ["hs256", "Hs256", "HS256 ", "none", "RS1", ""] {
        let line = jwt(&["encode", "--alg", alg, "--key", &secret, "{}"])
            .usage()
            .to_owned();
        assert!(line.contains("--alg"), "{line}");
        jwt(&["decode", "--alg", alg, "--key", &secret, &token]).usage();
    }
    // Registered but unsupported names say so.
    let line = jwt(&["encode", "--alg", "ES512", "--key", &secret, "{}"]);
    assert!(line.usage().contains("ES512"));
    jwt(&["keygen", "--alg", "es256"]).usage();
    jwt(&[
        "jwks",
        "--alg",
        "rs256",
        "--key",
        &key("rsa2048-public-spki.pem"),
    ])
    .usage();
}

#[test]
fn key_and_secret_together_or_neither_is_a_usage_error() {
    let secret = key("hs256.secret");
    let token = hs256_token("{}");
    let both = ["--key", secret.as_str(), "--secret", "x"];
    let mut encode = vec!["encode", "--alg", "HS256"];
    encode.extend(both);
    encode.push("{}");
    jwt(&encode).usage();
    let mut decode = vec!["decode", "--alg", "HS256"];
    decode.extend(both);
    decode.push(&token);
    jwt(&decode).usage();
    jwt(&["encode", "--alg", "HS256", "{}"]).usage();
    jwt(&["decode", "--alg", "HS256", &token]).usage();
}

#[test]
fn bad_command_lines_are_one_line_usage_errors() {
    jwt(&[]).usage();
    jwt(&["frobnicate"]).usage();
    jwt(&["decode"]).usage();
    jwt(&["encode", "--alg", "HS256", "--key", &key("hs256.secret")]).usage();
    jwt(&["inspect", "--bogus", "x.y.z"]).usage();
    jwt(&["inspect", "a", "b"]).usage();
    jwt(&[
        "decode", "--leeway", "301", "--alg", "HS256", "--secret", "x", "t",
    ])
    .usage();
    jwt(&[
        "decode", "--leeway", "-1", "--alg", "HS256", "--secret", "x", "t",
    ])
    .usage();
    jwt(&[
        "encode", "--exp", "soon", "--alg", "HS256", "--secret", "x", "{}",
    ])
    .usage();
    jwt(&["keygen"]).usage();
    jwt(&["keygen", "--alg", "ES256", "--kid", "k"]).usage(); // --kid needs --jwk
    jwt(&["jwks"]).usage();
}

#[test]
fn help_and_version_succeed_and_document_exit_codes() {
    let version = jwt(&["--version"]);
    assert!(version.ok().starts_with("jwt "));
    assert!(version.stderr.is_empty());
    let help = jwt(&["--help"]);
    assert!(help.ok().contains("Exit codes:"));
    for (command, flags) in [
        (
            "encode",
            &[
                "--alg",
                "--key",
                "--secret",
                "--kid",
                "--typ",
                "--exp",
                "--iat",
                "--allow-short-secret",
            ][..],
        ),
        (
            "decode",
            &[
                "--alg",
                "--key",
                "--secret",
                "--iss",
                "--aud",
                "--sub",
                "--leeway",
                "--require",
                "--typ",
                "--allow-short-secret",
            ][..],
        ),
        ("inspect", &["TOKEN"][..]),
        ("keygen", &["--alg", "--jwk", "--kid"][..]),
        ("jwks", &["--key", "--kid", "--alg"][..]),
    ] {
        let out = jwt(&[command, "--help"]);
        let text = out.ok();
        assert!(out.stderr.is_empty());
        assert!(text.contains("Exit codes:"), "{command}");
        for flag in flags {
            assert!(text.contains(flag), "{command} --help lacks {flag}");
        }
        assert_eq!(jwt(&["help", command]).ok(), text);
    }
    assert!(
        jwt(&["decode", "--help"])
            .ok()
            .contains("REJECTED unless --aud")
    );
}

#[test]
fn key_file_of_the_wrong_type_for_the_alg_is_a_usage_error() {
    for (alg, file) in [
        ("ES256", "rsa2048-private-pkcs8.pem"),
        ("ES256", "ec-p384-private-pkcs8.pem"),
        ("ES384", "ec-p256-private-sec1.pem"),
        ("RS256", "ec-p256-private-pkcs8.pem"),
        ("PS256", "ed25519-private-pkcs8.pem"),
        ("EdDSA", "ec-p256-private-pkcs8.pem"),
        ("RS256", "hs256.secret"),
        ("ES256", "hs256.secret"),
    ] {
        jwt(&["encode", "--alg", alg, "--key", &key(file), "{}"]).usage();
    }
    let es = jwt(&[
        "encode",
        "--alg",
        "ES256",
        "--key",
        &key("ec-p256-private-pkcs8.pem"),
        "{}",
    ]);
    for (alg, file) in [
        ("ES256", "rsa2048-public-spki.pem"),
        ("ES256", "ec-p384-public-spki.pem"),
        ("ES256", "ed25519-public-spki.pem"),
        ("ES256", "hs256.secret"),
    ] {
        jwt(&["decode", "--alg", alg, "--key", &key(file), es.ok()]).usage();
    }
    // --secret is for HMAC only.
    jwt(&[
        "encode",
        "--alg",
        "RS256",
        "--secret",
        "x".repeat(64).as_str(),
        "{}",
    ])
    .usage();
    // A public key cannot sign, PEM or DER.
    jwt(&[
        "encode",
        "--alg",
        "RS256",
        "--key",
        &key("rsa2048-public-spki.pem"),
        "{}",
    ])
    .usage();
    jwt(&[
        "encode",
        "--alg",
        "RS256",
        "--key",
        &key("rsa2048-public-spki.der"),
        "{}",
    ])
    .usage();
    // P-521 is not supported.
    jwt(&[
        "encode",
        "--alg",
        "ES256",
        "--key",
        &key("ec-p521-private-pkcs8.pem"),
        "{}",
    ])
    .usage();
}

#[test]
fn pem_der_and_non_oct_jwk_are_never_hmac_secrets() {
    let token = hs256_token("{}");
    decode_hs256(&token).ok();
    for file in [
        "rsa2048-public-spki.pem",
        "rsa2048-private-pkcs8.pem",
        "ec-p256-public-spki.pem",
        "ed25519-private-pkcs8.pem",
        "rsa2048-public-spki.der",
        "rsa2048-private-pkcs8.der",
    ] {
        let line = jwt(&["decode", "--alg", "HS256", "--key", &key(file), &token])
            .usage()
            .to_owned();
        assert!(
            line.contains("never used as an HMAC secret"),
            "{file}: {line}"
        );
        jwt(&["encode", "--alg", "HS256", "--key", &key(file), "{}"]).usage();
    }
    // PEM after leading whitespace, and PEM given through --secret.
    let pem = String::from_utf8(key_bytes("rsa2048-public-spki.pem")).unwrap();
    let padded = TempFile::new("padded.pem", format!("\n\t  {pem}"));
    jwt(&["decode", "--alg", "HS256", "--key", padded.path(), &token]).usage();
    jwt(&["decode", "--alg", "HS256", "--secret", &pem, &token]).usage();
    // A public JWK of any other type.
    let jwks = jwt(&["jwks", "--key", &key("ec-p256-public-spki.pem")]);
    let set = TempFile::new("ec.jwks", jwks.ok());
    jwt(&["decode", "--alg", "HS256", "--key", set.path(), &token]).usage();
    let jwk: serde_json::Value = serde_json::from_str(jwks.ok()).unwrap();
    let single = TempFile::new("ec.jwk", jwk["keys"][0].to_string());
    jwt(&["decode", "--alg", "HS256", "--key", single.path(), &token]).usage();
    jwt(&["encode", "--alg", "HS256", "--key", single.path(), "{}"]).usage();
    // JSON that is neither a JWK nor a JWK Set is not hashed either.
    let other = TempFile::new(
        "other.json",
        r#"{"secret":"0123456789abcdef0123456789abcdef"}"#,
    );
    jwt(&["decode", "--alg", "HS256", "--key", other.path(), &token]).usage();
}

/// Key documents behind a UTF-8 byte order mark (Notepad, PowerShell `Out-File`), as JSON
/// arrays, or with a `"kty"` after other text are still key documents: read as one or refused,
/// never hashed as an HMAC secret (with which anyone holding the public set could forge tokens).
#[test]
fn key_documents_in_disguise_are_never_hmac_secrets() {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let jwks = jwt(&["jwks", "--key", &key("ed25519-private-pkcs8.pem")])
        .ok()
        .to_owned();
    let with_bom = |text: &str| [BOM, text.as_bytes()].concat();
    let jwk: serde_json::Value = serde_json::from_str(&jwks).unwrap();
    let single = jwk["keys"][0].to_string();
    for (name, bytes) in [
        ("set.jwks", with_bom(&jwks)),
        ("one.jwk", with_bom(&single)),
        ("array.json", format!("[{single}]").into_bytes()),
        ("prefixed.json", format!("x {single}").into_bytes()),
        (
            "bom.pem",
            with_bom(&String::from_utf8(key_bytes("rsa2048-public-spki.pem")).unwrap()),
        ),
    ] {
        let file = TempFile::new(name, &bytes);
        // The forged token: an HMAC made with the file's bytes.
        let forged = hmac_token(
            "HS256",
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"sub":"admin"}"#,
            &bytes,
        );
        let line = jwt(&["decode", "--alg", "HS256", "--key", file.path(), &forged])
            .usage()
            .to_owned();
        assert!(!line.contains("admin"), "{name}: {line}");
        jwt(&["encode", "--alg", "HS256", "--key", file.path(), "{}"]).usage();
    }
    // UTF-16 (Notepad's "Unicode"), both byte orders: refused, never a secret.
    for little_endian in [true, false] {
        let mut bytes = if little_endian {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in jwks.encode_utf16() {
            bytes.extend(if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        let file = TempFile::new("utf16.jwks", &bytes);
        let line = jwt(&["encode", "--alg", "HS256", "--key", file.path(), "{}"])
            .usage()
            .to_owned();
        assert!(line.contains("UTF-16"), "{line}");
    }
    // Random secret bytes that merely start like JSON (not UTF-8) are still secrets.
    for first in [b'{', b'['] {
        let mut secret = vec![first];
        secret.extend((1..64u8).map(|i| i.wrapping_mul(151) | 0x80));
        let file = TempFile::new("binary.secret", &secret);
        let token = jwt(&[
            "encode",
            "--alg",
            "HS256",
            "--key",
            file.path(),
            r#"{"sub":"a"}"#,
        ])
        .ok()
        .trim()
        .to_owned();
        jwt(&["decode", "--alg", "HS256", "--key", file.path(), &token]).ok();
    }
    // Behind a BOM, a JWK Set still works as what it is.
    let set = TempFile::new("bom.jwks", with_bom(&jwks));
    let token = jwt(&[
        "encode",
        "--alg",
        "EdDSA",
        "--key",
        &key("ed25519-private-pkcs8.pem"),
        r#"{"sub":"alice"}"#,
    ])
    .ok()
    .trim()
    .to_owned();
    let claims = jwt(&["decode", "--alg", "EdDSA", "--key", set.path(), &token]);
    assert_eq!(claims.ok().trim(), r#"{"sub":"alice"}"#);
}

/// A secret that starts with dashes (1 in 64 of `jwt keygen --alg HS256`'s start with `-`) is
/// taken as the value of `--secret`, never reported (and so echoed) as an unknown option.
#[test]
fn secrets_starting_with_dashes_are_values_and_never_echoed() {
    let secret = "--THIS-IS-THE-SECRET-0123456789abcdefghij";
    let token = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        secret,
        r#"{"sub":"a"}"#,
    ])
    .ok()
    .trim()
    .to_owned();
    let decoded = jwt(&["decode", "--alg", "HS256", "--secret", secret, &token]);
    assert_eq!(decoded.ok().trim(), r#"{"sub":"a"}"#);
    let wrong = jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--secret",
        "-x-wrong-secret-0123456789abcdef",
        &token,
    ]);
    let line = wrong.rejected().to_owned();
    assert!(!line.contains("wrong-secret"), "{line}");
    // A forgotten value does not swallow the next option silently.
    let line = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--allow-short-secret",
        "--secret",
        "--iat",
        r#"{"sub":"a"}"#,
    ])
    .usage()
    .to_owned();
    assert!(line.contains("--secret needs a value"), "{line}");
}

#[test]
fn weak_and_malformed_keys_are_usage_errors() {
    let rs = jwt(&[
        "encode",
        "--alg",
        "RS256",
        "--key",
        &key("rsa2048-private-pkcs8.pem"),
        "{}",
    ]);
    // RSA under 2048 bits, both ways.
    let line = jwt(&[
        "encode",
        "--alg",
        "RS256",
        "--key",
        &key("rsa1024-private-pkcs8.pem"),
        "{}",
    ]);
    assert!(line.usage().contains("weak_key"));
    jwt(&[
        "decode",
        "--alg",
        "RS256",
        "--key",
        &key("rsa1024-public-spki.pem"),
        rs.ok(),
    ])
    .usage();
    // A PKCS#8 body under an `RSA PRIVATE KEY` label.
    let pkcs8 = String::from_utf8(key_bytes("rsa2048-private-pkcs8.pem")).unwrap();
    let mislabelled = TempFile::new(
        "mislabelled.pem",
        pkcs8.replace("PRIVATE KEY-----", "RSA PRIVATE KEY-----"),
    );
    jwt(&[
        "encode",
        "--alg",
        "RS256",
        "--key",
        mislabelled.path(),
        "{}",
    ])
    .usage();
    jwt(&[
        "decode",
        "--alg",
        "RS256",
        "--key",
        mislabelled.path(),
        rs.ok(),
    ])
    .usage();
    // Broken PEM: bad base64, truncated, unknown label, two keys, certificate label.
    let spki = String::from_utf8(key_bytes("rsa2048-public-spki.pem")).unwrap();
    for (hint, text) in [
        ("bad-b64.pem", spki.replacen("MII", "M!I", 1)),
        ("truncated.pem", spki[..spki.len() / 2].to_owned()),
        ("label.pem", spki.replace("PUBLIC KEY", "FOO KEY")),
        ("two.pem", format!("{spki}{spki}")),
        ("cert.pem", spki.replace("PUBLIC KEY", "CERTIFICATE")),
    ] {
        let file = TempFile::new(hint, text);
        jwt(&["decode", "--alg", "RS256", "--key", file.path(), rs.ok()]).usage();
    }
    // Unreadable key file.
    let missing = std::env::temp_dir().join("jwt-cli-test-no-such-key-file");
    jwt(&[
        "decode",
        "--alg",
        "RS256",
        "--key",
        missing.to_str().unwrap(),
        rs.ok(),
    ])
    .usage();
    // A malformed JWK.
    let jwk = TempFile::new("bad.jwk", r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#);
    jwt(&["decode", "--alg", "ES256", "--key", jwk.path(), rs.ok()]).usage();
}

/// Without `--alg`, only keys with exactly one algorithm are usable: a raw secret (HS256? 384?)
/// and an RSA key (RS*? PS*?) are usage errors that say to pass `--alg`.
#[test]
fn raw_secret_or_rsa_key_without_alg_is_a_usage_error() {
    let token = hs256_token("{}");
    let line = jwt(&["decode", "--key", &key("hs256.secret"), &token])
        .usage()
        .to_owned();
    assert!(line.contains("--alg is required"), "{line}");
    let line = jwt(&["decode", "--key", &key("rsa2048-public-spki.pem"), &token])
        .usage()
        .to_owned();
    assert!(line.contains("--alg"), "{line}");
    let line = jwt(&["encode", "--key", &key("rsa2048-private-pkcs8.pem"), "{}"])
        .usage()
        .to_owned();
    assert!(line.contains("--alg"), "{line}");
}

#[test]
fn short_hmac_secrets_are_refused_without_the_opt_in() {
    let short = TempFile::new("short.secret", [7u8; 31]);
    let line = jwt(&["encode", "--alg", "HS256", "--key", short.path(), "{}"]);
    assert!(line.usage().contains("--allow-short-secret"));
    jwt(&[
        "encode",
        "--alg",
        "HS384",
        "--key",
        &key("hs256.secret"),
        "{}",
    ])
    .usage();
    jwt(&[
        "encode",
        "--alg",
        "HS512",
        "--key",
        &key("hs384.secret"),
        "{}",
    ])
    .usage();
    let token = jwt(&[
        "encode",
        "--allow-short-secret",
        "--alg",
        "HS512",
        "--key",
        &key("hs384.secret"),
        "{}",
    ]);
    jwt(&[
        "decode",
        "--alg",
        "HS512",
        "--key",
        &key("hs384.secret"),
        token.ok(),
    ])
    .usage();
    // Empty secrets are refused even with the opt-in, which the message does not suggest.
    let empty = TempFile::new("empty.secret", b"");
    for opt_in in [true, false] {
        let mut args = vec!["encode", "--alg", "HS256", "--key", empty.path(), "{}"];
        if opt_in {
            args.insert(1, "--allow-short-secret");
        }
        let line = jwt(&args).usage().to_owned();
        assert!(line.contains("never accepted"), "{line}");
        assert!(!line.contains("--allow-short-secret"), "{line}");
    }
    // A short `oct` JWK is told about the opt-in too, and signs with it; the message names the
    // CLI option, not jwt-core's Rust constructor.
    let oct = TempFile::new("short.jwk", r#"{"kty":"oct","alg":"HS256","k":"c2hvcnQ"}"#);
    let line = jwt(&["encode", "--key", oct.path(), "{}"])
        .usage()
        .to_owned();
    assert!(line.contains("--allow-short-secret"), "{line}");
    assert!(!line.contains("danger_"), "{line}");
    jwt(&["encode", "--allow-short-secret", "--key", oct.path(), "{}"]).ok();
}

#[test]
fn encode_payload_must_be_a_strict_json_object() {
    let secret = key("hs256.secret");
    for payload in [
        "[1]",
        "\"x\"",
        "1",
        "null",
        "{",
        "",
        r#"{"a":1} x"#,
        r#"{"a":1,"a":2}"#,
        r#"{"exp":"soon"}"#,
        r#"{"exp":null}"#,
        r#"{"aud":7}"#,
    ] {
        jwt(&["encode", "--alg", "HS256", "--key", &secret, payload]).usage();
    }
    let deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(100), "]".repeat(100));
    jwt(&["encode", "--alg", "HS256", "--key", &secret, &deep]).usage();
}

#[test]
fn exp_or_iat_option_with_the_member_already_present_is_a_usage_error() {
    let secret = key("hs256.secret");
    let base = ["encode", "--alg", "HS256", "--key", secret.as_str()];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        jwt(&args)
    };
    let line = run(&["--exp", "60", r#"{"exp":1}"#]).usage().to_owned();
    assert!(line.contains("exp"), "{line}");
    run(&["--iat", r#"{"a":1,"iat":1}"#]).usage();
    run(&["--exp", "60", r#"{"\u0065xp":1}"#]).usage();
    run(&["--exp", "60", "[1]"]).usage();
    // Without the option the member is fine.
    run(&[r#"{"exp":4102444800,"iat":1}"#]).ok();
}

#[test]
fn jwks_refuses_hmac_secrets() {
    jwt(&["jwks", "--key", &key("hs256.secret")]).usage();
    let oct = TempFile::new(
        "oct.jwk",
        format!(
            r#"{{"kty":"oct","alg":"HS256","k":"{}"}}"#,
            b64(key_bytes("hs256.secret"))
        ),
    );
    jwt(&["jwks", "--key", oct.path()]).usage();
    jwt(&[
        "jwks",
        "--key",
        &key("rsa2048-public-spki.pem"),
        "--alg",
        "HS256",
    ])
    .usage();
    jwt(&["jwks", "--secret", "x"]).usage();
}

#[test]
fn keygen_refuses_rsa() {
    for alg in ["RS256", "PS512"] {
        let line = jwt(&["keygen", "--alg", alg]).usage().to_owned();
        assert!(line.contains("openssl"), "{line}");
    }
}

// ---------------------------------------------------------------------------------------------
// Exit code 1: the token

#[test]
fn bad_signatures_are_rejected() {
    let token = hs256_token(r#"{"a":1}"#);
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    decode_hs256(&String::from_utf8(tampered).unwrap()).rejected_with("invalid_signature");
    // Another payload under the original signature.
    let parts: Vec<&str> = token.split('.').collect();
    let swapped = format!("{}.{}.{}", parts[0], b64(r#"{"a":2}"#), parts[2]);
    decode_hs256(&swapped).rejected_with("invalid_signature");
    // Signed with another secret.
    let other = hmac_token("HS256", r#"{"alg":"HS256"}"#, "{}", &[9u8; 32]);
    decode_hs256(&other).rejected_with("invalid_signature");
}

#[test]
fn header_alg_in_another_case_or_another_alg_is_rejected() {
    for alg in ["hs256", "Hs256", "HS256 ", "none", "None"] {
        let token = hs256(&format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#), r#"{"a":1}"#);
        decode_hs256(&token).rejected();
    }
    // A validly signed HS384 token is not an HS256 token.
    let hs384 = hmac_token(
        "HS384",
        r#"{"alg":"HS384"}"#,
        "{}",
        &key_bytes("hs384.secret"),
    );
    decode_hs256(&hs384).rejected_with("algorithm_not_allowed");
    // The header never chooses: an RS256 token against an ES256 key.
    let rs = jwt(&[
        "encode",
        "--alg",
        "RS256",
        "--key",
        &key("rsa2048-private-pkcs8.pem"),
        "{}",
    ]);
    jwt(&[
        "decode",
        "--alg",
        "ES256",
        "--key",
        &key("ec-p256-public-spki.pem"),
        rs.ok(),
    ])
    .rejected_with("algorithm_not_allowed");
}

#[test]
fn duplicate_members_are_rejected() {
    decode_hs256(&hs256(r#"{"alg":"HS256","alg":"HS256"}"#, "{}")).rejected_with("invalid_header");
    decode_hs256(&hs256(r#"{"alg":"HS256"}"#, r#"{"sub":"a","sub":"b"}"#))
        .rejected_with("invalid_payload");
    decode_hs256(&hs256(
        r#"{"alg":"HS256"}"#,
        r#"{"exp":1,"\u0065xp":4102444800}"#,
    ))
    .rejected();
}

#[test]
fn ten_thousand_levels_of_nesting_fail_fast() {
    let deep = format!(r#"{{"a":{}1{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
    for token in [
        hs256(r#"{"alg":"HS256"}"#, &deep),
        hs256(&format!(r#"{{"alg":"HS256","x":{}}}"#, &deep), "{}"),
    ] {
        let started = Instant::now();
        decode_hs256(&token).rejected();
        jwt(&["inspect", &token]).rejected();
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    // Within the size limit, so the depth limit itself answers.
    let nested = format!(r#"{{"a":{}1{}}}"#, "[".repeat(40), "]".repeat(40));
    decode_hs256(&hs256(r#"{"alg":"HS256"}"#, &nested)).rejected_with("invalid_payload");
}

#[test]
fn wrongly_typed_registered_claims_are_rejected() {
    for payload in [
        r#"{"exp":null}"#,
        r#"{"exp":"4102444800"}"#,
        r#"{"exp":true}"#,
        r#"{"nbf":"0"}"#,
        r#"{"iat":[1]}"#,
        r#"{"exp":-1}"#,
        r#"{"iss":1}"#,
        r#"{"sub":null}"#,
        r#"{"aud":[]}"#,
    ] {
        decode_hs256(&hs256(r#"{"alg":"HS256"}"#, payload)).rejected_with("invalid_claim");
    }
}

#[test]
fn missing_or_wrong_claims_for_iss_aud_sub_are_rejected() {
    let bare = hs256_token(r#"{"a":1}"#);
    let secret = key("hs256.secret");
    for (flag, value) in [("--sub", "alice"), ("--iss", "https://i"), ("--aud", "api")] {
        jwt(&[
            "decode", "--alg", "HS256", "--key", &secret, flag, value, &bare,
        ])
        .rejected_with("missing_claim");
    }
    let full = hs256_token(r#"{"sub":"bob","iss":"https://j","aud":"web"}"#);
    jwt(&[
        "decode", "--alg", "HS256", "--key", &secret, "--sub", "alice", "--aud", "web", &full,
    ])
    .rejected_with("wrong_subject");
    jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--key",
        &secret,
        "--iss",
        "https://i",
        "--aud",
        "web",
        &full,
    ])
    .rejected_with("wrong_issuer");
}

#[test]
fn a_token_with_aud_is_rejected_when_no_aud_is_given() {
    let token = hs256_token(r#"{"aud":"api"}"#);
    decode_hs256(&token).rejected_with("wrong_audience");
    jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--key",
        &key("hs256.secret"),
        "--aud",
        "api",
        &token,
    ])
    .ok();
}

#[test]
fn expired_and_not_yet_valid_tokens_are_rejected() {
    decode_hs256(&hs256_token(&format!(r#"{{"exp":{}}}"#, now() - 1))).rejected_with("expired");
    decode_hs256(&hs256_token(r#"{"exp":0}"#)).rejected_with("expired");
    decode_hs256(&hs256_token(&format!(r#"{{"nbf":{}}}"#, now() + 600)))
        .rejected_with("not_yet_valid");
    // Fractional exp in the past.
    decode_hs256(&hs256(r#"{"alg":"HS256"}"#, r#"{"exp":1.5}"#)).rejected_with("expired");
}

#[test]
fn wrong_typ_is_rejected() {
    let token = hs256_token("{}");
    jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--key",
        &key("hs256.secret"),
        "--typ",
        "at+jwt",
        &token,
    ])
    .rejected_with("wrong_type");
}

#[test]
fn malformed_tokens_are_rejected_by_decode_and_inspect() {
    let good = hs256_token("{}");
    let parts: Vec<&str> = good.split('.').collect();
    let long = format!("{}.{}.{}", parts[0], "A".repeat(9000), parts[2]);
    for token in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e",
        "..",
        &format!("{}.{}.", parts[0], parts[1]),
        &format!("{}..{}", parts[0], parts[2]),
        &format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        &format!("{}.{}.{}=", parts[0], parts[1], parts[2]),
        &format!(" {good}"),
        &format!("{}.{}+.{}", parts[0], parts[1], parts[2]),
        &long,
        &format!("{}.{}.{}", b64("[1]"), parts[1], parts[2]),
        &format!(
            "{}.{}.{}",
            b64(r#"{"alg":"HS256","crit":["x"]}"#),
            parts[1],
            parts[2]
        ),
    ] {
        decode_hs256(token).rejected();
        jwt(&["inspect", token]).rejected();
    }
    // A payload that is not a JSON object, validly signed.
    for payload in ["[1]", "\"x\"", "{", "not json"] {
        let token = hs256(r#"{"alg":"HS256"}"#, payload);
        decode_hs256(&token).rejected_with("invalid_payload");
        jwt(&["inspect", &token]).rejected();
    }
}

#[test]
fn unknown_kid_in_a_jwk_set_is_rejected() {
    let set = TempFile::new(
        "oct.jwks",
        format!(
            r#"{{"keys":[{{"kty":"oct","kid":"k1","alg":"HS256","k":"{}"}}]}}"#,
            b64(key_bytes("hs256.secret"))
        ),
    );
    let header = r#"{"alg":"HS256","typ":"JWT","kid":"k2"}"#;
    let token = hs256(header, "{}");
    jwt(&["decode", "--key", set.path(), &token]).rejected_with("unknown_key_id");
    // The same token with the right kid verifies: only the kid was wrong.
    let token = hs256(r#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#, "{}");
    jwt(&["decode", "--key", set.path(), &token]).ok();
    // A malformed token cannot even be routed: exit 1, not 2.
    jwt(&["decode", "--key", set.path(), "not-a-token"]).rejected();
}

#[test]
fn oversized_or_non_utf8_stdin() {
    let secret = key("hs256.secret");
    let big = vec![b'A'; 1024 * 1024 + 10];
    let decode = ["decode", "--alg", "HS256", "--key", secret.as_str(), "-"];
    jwt_stdin(&decode, &big).rejected_with("too_large");
    jwt_stdin(&["inspect", "-"], &big).rejected_with("too_large");
    jwt_stdin(&decode, b"\xff\xfe.a.b").rejected_with("malformed");
    // Just over jwt-core's 8 KiB token limit.
    jwt_stdin(&decode, &vec![b'A'; 9000]).rejected_with("too_large");
    // An encode payload that large, or not UTF-8, is the caller's mistake.
    let encode = ["encode", "--alg", "HS256", "--key", secret.as_str(), "-"];
    jwt_stdin(&encode, &big).usage();
    jwt_stdin(&encode, b"{\"a\":\"\xff\"}").usage();
}
