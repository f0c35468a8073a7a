//! `jwt inspect`, `jwt keygen` and `jwt jwks`.

// Tests fail by panicking: unwrap/expect/panic and indexing are the point here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::{TempFile, b64, hs256, jwt, jwt_stdin, key, segment, unb64};

// ---------------------------------------------------------------------------------------------
// inspect

#[test]
fn inspect_prints_header_and_payload_as_one_json_object_and_warns() {
    let token = jwt(&[
        "encode",
        "--alg",
        "ES256",
        "--key",
        &key("ec-p256-private-pkcs8.pem"),
        "--kid",
        "k1",
        r#"{"sub":"alice","n":18446744073709551615}"#,
    ]);
    let out = jwt(&["inspect", token.ok()]);
    assert_eq!(
        out.ok(),
        r#"{"header":{"alg":"ES256","typ":"JWT","kid":"k1"},"payload":{"sub":"alice","n":18446744073709551615}}"#
    );
    assert_eq!(out.stderr, "warning: signature NOT verified\n");
}

#[test]
fn inspect_shows_the_whole_header_and_minified_members_in_order() {
    let token = hs256(
        "{ \"typ\": \"JWT\", \"alg\": \"HS256\", \"x5t\": \"abc\", \"jku\": \"https://x\" }",
        "{ \"z\": 1.50,\n \"a\": \"x y\" }",
    );
    let out = jwt(&["inspect", &token]);
    assert_eq!(
        out.ok(),
        r#"{"header":{"typ":"JWT","alg":"HS256","x5t":"abc","jku":"https://x"},"payload":{"z":1.50,"a":"x y"}}"#
    );
}

#[test]
fn inspect_verifies_nothing() {
    // Signed with a key nobody here has, and expired: still shown.
    let token = common::hmac_token("HS256", r#"{"alg":"HS256"}"#, r#"{"exp":1}"#, &[1; 32]);
    let out = jwt(&["inspect", &token]);
    assert_eq!(
        out.ok(),
        r#"{"header":{"alg":"HS256"},"payload":{"exp":1}}"#
    );
    assert!(out.stderr.contains("NOT verified"));
}

#[test]
fn inspect_reads_stdin() {
    let token = hs256(r#"{"alg":"HS256"}"#, r#"{"a":1}"#);
    let out = jwt_stdin(&["inspect", "-"], format!("{token}\n").as_bytes());
    let value: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    assert_eq!(value["payload"]["a"], 1);
    assert_eq!(value["header"]["alg"], "HS256");
}

#[test]
fn inspect_of_a_malformed_token_fails_with_one_line() {
    for token in ["x", "a.b.c", "e30.e30.", "e30.e30.e30"] {
        let out = jwt(&["inspect", token]);
        let line = out.rejected();
        assert!(!line.contains("warning"), "{line}");
    }
    // Strict claims: a wrongly typed exp is malformed.
    jwt(&["inspect", &hs256(r#"{"alg":"HS256"}"#, r#"{"exp":null}"#)]).rejected();
}

// ---------------------------------------------------------------------------------------------
// keygen

#[test]
fn keygen_makes_pkcs8_pem_keys_that_sign_and_publish() {
    for alg in ["ES256", "ES384", "EdDSA", "Ed25519"] {
        let pem = jwt(&["keygen", "--alg", alg]);
        let pem = pem.ok();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{alg}");
        assert!(pem.ends_with("-----END PRIVATE KEY-----"), "{alg}");
        let private = TempFile::new("gen.pem", format!("{pem}\n"));
        let token = jwt(&[
            "encode",
            "--alg",
            alg,
            "--key",
            private.path(),
            r#"{"a":1}"#,
        ]);
        let token = token.ok().to_owned();
        jwt(&["decode", "--alg", alg, "--key", private.path(), &token]).ok();
        // Its public JWK Set (alg given for Ed25519, whose key type defaults to EdDSA).
        let set = jwt(&["jwks", "--key", private.path(), "--alg", alg]);
        let set = TempFile::new("gen.jwks", set.ok());
        // A token without kid, one key in the set: accepted.
        assert_eq!(
            jwt(&["decode", "--key", set.path(), &token]).ok(),
            r#"{"a":1}"#
        );
    }
    assert_ne!(
        jwt(&["keygen", "--alg", "ES256"]).stdout,
        jwt(&["keygen", "--alg", "ES256"]).stdout
    );
}

#[test]
fn keygen_makes_64_byte_hmac_secrets_in_base64url() {
    for alg in ["HS256", "HS384", "HS512"] {
        let secret = jwt(&["keygen", "--alg", alg]);
        let secret = secret.ok().to_owned();
        assert_eq!(secret.len(), 86, "{secret}");
        assert_eq!(unb64(&secret).len(), 64);
        // Usable as --secret, and as a key file (whose bytes, newline included, are the secret).
        let token = jwt(&["encode", "--alg", alg, "--secret", &secret, "{}"]);
        jwt(&["decode", "--alg", alg, "--secret", &secret, token.ok()]).ok();
        let file = TempFile::new("gen.secret", format!("{secret}\n"));
        let token = jwt(&["encode", "--alg", alg, "--key", file.path(), "{}"]);
        jwt(&["decode", "--alg", alg, "--key", file.path(), token.ok()]).ok();
    }
    assert_ne!(
        jwt(&["keygen", "--alg", "HS256"]).stdout,
        jwt(&["keygen", "--alg", "HS256"]).stdout
    );
}

#[test]
fn keygen_jwk_prints_private_jwks() {
    let out = jwt(&["keygen", "--alg", "HS512", "--jwk", "--kid", "h"]);
    let jwk: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    assert_eq!(jwk["kty"], "oct");
    assert_eq!(jwk["alg"], "HS512");
    assert_eq!(jwk["kid"], "h");
    assert_eq!(unb64(jwk["k"].as_str().unwrap()).len(), 64);
    let file = TempFile::new("gen-oct.jwk", out.ok());
    let token = jwt(&["encode", "--key", file.path(), "{}"]);
    assert_eq!(
        segment(token.ok(), 0),
        r#"{"alg":"HS512","typ":"JWT","kid":"h"}"#
    );
    jwt(&["decode", "--key", file.path(), token.ok()]).ok();

    let out = jwt(&["keygen", "--alg", "EdDSA", "--jwk"]);
    let jwk: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    assert_eq!(
        (jwk["kty"].as_str(), jwk["crv"].as_str()),
        (Some("OKP"), Some("Ed25519"))
    );
    assert!(jwk["d"].is_string());
}

// ---------------------------------------------------------------------------------------------
// jwks

fn parse_set(text: &str) -> Vec<serde_json::Value> {
    let set: serde_json::Value = serde_json::from_str(text).unwrap();
    set["keys"].as_array().unwrap().clone()
}

#[test]
fn jwks_publishes_public_keys_only_with_thumbprint_kids_by_default() {
    let out = jwt(&["jwks", "--key", &key("ec-p256-private-sec1.pem")]);
    let keys = parse_set(out.ok());
    assert_eq!(keys.len(), 1);
    let jwk = &keys[0];
    assert_eq!(jwk["kty"], "EC");
    assert_eq!(jwk["alg"], "ES256");
    assert_eq!(jwk["use"], "sig");
    assert!(jwk.get("d").is_none(), "private member published: {jwk}");
    // The default kid is the RFC 7638 thumbprint: the same for the private and public forms.
    let public = jwt(&["jwks", "--key", &key("ec-p256-public-spki.pem")]);
    assert_eq!(parse_set(public.ok())[0]["kid"], jwk["kid"]);
    assert_eq!(jwk["kid"].as_str().unwrap().len(), 43);
}

#[test]
fn jwks_infers_ec_and_ed25519_algorithms_but_not_rsa() {
    let out = jwt(&[
        "jwks",
        "--key",
        &key("ec-p384-public-spki.pem"),
        "--key",
        &key("ed25519-public-spki.pem"),
    ]);
    let keys = parse_set(out.ok());
    assert_eq!(keys[0]["alg"], "ES384");
    assert_eq!(keys[1]["alg"], "EdDSA");
    let line = jwt(&["jwks", "--key", &key("rsa2048-public-pkcs1.pem")])
        .usage()
        .to_owned();
    assert!(line.contains("--alg"), "{line}");
    let out = jwt(&[
        "jwks",
        "--key",
        &key("rsa2048-private-pkcs1.pem"),
        "--alg",
        "RS384",
        "--kid",
        "r",
    ]);
    let keys = parse_set(out.ok());
    assert_eq!(
        (keys[0]["alg"].as_str(), keys[0]["kid"].as_str()),
        (Some("RS384"), Some("r"))
    );
    assert!(keys[0].get("d").is_none());
    assert_eq!(keys[0]["e"], "AQAB");
}

#[test]
fn jwks_pairs_kids_and_algs_with_keys_in_order() {
    let out = jwt(&[
        "jwks",
        "--key",
        &key("rsa2048-public-spki.pem"),
        "--key",
        &key("rsa4096-public-spki.pem"),
        "--alg",
        "PS256",
        "--alg",
        "RS512",
        "--kid",
        "a",
        "--kid",
        "b",
    ]);
    let keys = parse_set(out.ok());
    assert_eq!(
        (keys[0]["alg"].as_str(), keys[0]["kid"].as_str()),
        (Some("PS256"), Some("a"))
    );
    assert_eq!(
        (keys[1]["alg"].as_str(), keys[1]["kid"].as_str()),
        (Some("RS512"), Some("b"))
    );
    // One --alg applies to every key.
    let out = jwt(&[
        "jwks",
        "--alg",
        "RS256",
        "--key",
        &key("rsa2048-public-spki.pem"),
        "--key",
        &key("rsa4096-public-spki.pem"),
    ]);
    assert!(parse_set(out.ok()).iter().all(|k| k["alg"] == "RS256"));
    // Counts that do not pair up.
    let two = [
        "jwks",
        "--key",
        &key("ec-p256-public-spki.pem"),
        "--key",
        &key("ec-p384-public-spki.pem"),
    ];
    let mut one_kid = two.to_vec();
    one_kid.extend(["--kid", "x"]);
    jwt(&one_kid).usage();
    let mut three_algs = two.to_vec();
    three_algs.extend(["--alg", "ES256", "--alg", "ES384", "--alg", "ES256"]);
    jwt(&three_algs).usage();
    // Two entries a verifier could not tell apart.
    let mut same_kid = two.to_vec();
    same_kid.extend(["--alg", "ES256", "--kid", "x", "--kid", "x"]);
    jwt(&same_kid).usage(); // the P-384 key does not fit ES256 either
    let dup = jwt(&[
        "jwks",
        "--key",
        &key("ec-p256-public-spki.pem"),
        "--key",
        &key("ec-p256-private-pkcs8.pem"),
        "--kid",
        "x",
        "--kid",
        "x",
    ]);
    dup.usage();
}

#[test]
fn jwks_accepts_jwk_and_jwk_set_inputs() {
    let private = jwt(&["keygen", "--alg", "ES256", "--jwk", "--kid", "mine"]);
    let file = TempFile::new("p.jwk", private.ok());
    let keys = parse_set(jwt(&["jwks", "--key", file.path()]).ok());
    assert_eq!(keys[0]["kid"], "mine");
    assert!(keys[0].get("d").is_none());
    // A JWK Set input: every key is republished, public only.
    let set = TempFile::new(
        "p.jwks",
        format!(
            r#"{{"keys":[{},{}]}}"#,
            private.ok(),
            jwt(&["keygen", "--alg", "EdDSA", "--jwk", "--kid", "ed"]).ok()
        ),
    );
    let keys = parse_set(jwt(&["jwks", "--key", set.path()]).ok());
    let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, ["mine", "ed"]);
    assert!(keys.iter().all(|k| k.get("d").is_none()));
    // A set containing an HMAC key is refused as a whole.
    let with_oct = TempFile::new(
        "oct-in.jwks",
        format!(
            r#"{{"keys":[{},{{"kty":"oct","alg":"HS256","k":"{}"}}]}}"#,
            private.ok(),
            b64([5u8; 32])
        ),
    );
    jwt(&["jwks", "--key", with_oct.path()]).usage();
}

#[test]
fn jwks_output_verifies_tokens_signed_with_the_matching_private_key() {
    let set = jwt(&[
        "jwks",
        "--key",
        &key("rsa2048-private-pkcs8.der"),
        "--alg",
        "RS256",
        "--kid",
        "der-key",
    ]);
    let set = TempFile::new("der.jwks", set.ok());
    let token = jwt(&[
        "encode",
        "--alg",
        "RS256",
        "--key",
        &key("rsa2048-private-pkcs1.pem"),
        "--kid",
        "der-key",
        r#"{"a":1}"#,
    ]);
    assert_eq!(
        jwt(&["decode", "--key", set.path(), token.ok()]).ok(),
        r#"{"a":1}"#
    );
}

/// `--out FILE`: the key goes to a new file readable by its owner only (whatever the umask),
/// nothing to stdout; an existing file is never overwritten.
#[test]
fn keygen_out_writes_a_private_file_and_never_overwrites() {
    let taken = TempFile::new("taken.pem", "do not touch");
    let path = format!("{}.new", taken.path());
    for (alg, extra) in [("EdDSA", None), ("HS256", None), ("ES256", Some("--jwk"))] {
        let _ = std::fs::remove_file(&path);
        let mut args = vec!["keygen", "--alg", alg, "--out", &path];
        args.extend(extra);
        let run = jwt(&args);
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (0, "", ""),
            "{alg}"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        if alg == "HS256" {
            // Exactly the 86 characters, no newline: the file and the text are one secret.
            assert_eq!(text.len(), 86, "{text:?}");
            assert!(!text.contains('\n'), "{text:?}");
            let by_file = jwt(&["encode", "--alg", alg, "--key", &path, "{}"]);
            let by_text = jwt(&["encode", "--alg", alg, "--secret", &text, "{}"]);
            assert_eq!(by_file.ok(), by_text.ok());
        } else {
            assert!(text.ends_with('\n') && text.len() > 40, "{alg}: {text}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{alg}");
        }
        // The file is a usable key.
        let token = jwt(&["encode", "--alg", alg, "--key", &path, "{}"])
            .ok()
            .trim()
            .to_owned();
        jwt(&["decode", "--alg", alg, "--key", &path, &token]).ok();
    }
    let _ = std::fs::remove_file(&path);
    let line = jwt(&["keygen", "--alg", "EdDSA", "--out", taken.path()])
        .usage()
        .to_owned();
    assert!(line.contains("never overwrites"), "{line}");
    assert_eq!(
        std::fs::read_to_string(taken.path()).unwrap(),
        "do not touch"
    );
}
