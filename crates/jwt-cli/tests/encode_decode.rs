//! `jwt encode` and `jwt decode`: every algorithm and key format, the header and payload byte
//! contract, stdin piping, claim options, and JWK / JWK Set keys.

// Tests fail by panicking: unwrap/expect/panic and indexing are the point here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::{TempFile, b64, hs256, jwt, jwt_stdin, key, key_bytes, now, segment};

/// (alg, key to sign with, key to verify with): every container the contract names.
const KEY_FORMATS: &[(&str, &str, &str)] = &[
    ("HS256", "hs256.secret", "hs256.secret"),
    ("HS384", "hs384.secret", "hs384.secret"),
    ("HS512", "hs512.secret", "hs512.secret"),
    // RSA: PKCS#8 / PKCS#1 private, SPKI / PKCS#1 public, and a private key verifying.
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
        "rsa2048-private-pkcs1.pem",
        "rsa2048-public-spki.pem",
    ),
    (
        "PS384",
        "rsa2048-private-pkcs8.pem",
        "rsa2048-private-pkcs1.pem",
    ),
    (
        "PS512",
        "rsa4096-private-pkcs8.pem",
        "rsa4096-private-pkcs8.pem",
    ),
    // DER containers (an extension: the contract names PEM).
    (
        "RS256",
        "rsa2048-private-pkcs8.der",
        "rsa2048-public-spki.der",
    ),
    (
        "PS256",
        "rsa2048-private-pkcs8.der",
        "rsa2048-public-pkcs1.pem",
    ),
    // EC: PKCS#8 and SEC1 private, SPKI public, private verifying.
    (
        "ES256",
        "ec-p256-private-pkcs8.pem",
        "ec-p256-public-spki.pem",
    ),
    (
        "ES256",
        "ec-p256-private-sec1.pem",
        "ec-p256-public-spki.pem",
    ),
    (
        "ES256",
        "ec-p256-private-sec1.pem",
        "ec-p256-private-pkcs8.pem",
    ),
    (
        "ES384",
        "ec-p384-private-pkcs8.pem",
        "ec-p384-public-spki.pem",
    ),
    (
        "ES384",
        "ec-p384-private-sec1.pem",
        "ec-p384-private-sec1.pem",
    ),
    // Ed25519 under both names.
    (
        "EdDSA",
        "ed25519-private-pkcs8.pem",
        "ed25519-public-spki.pem",
    ),
    (
        "Ed25519",
        "ed25519-private-pkcs8.pem",
        "ed25519-public-spki.pem",
    ),
    (
        "EdDSA",
        "ed25519-private-pkcs8.pem",
        "ed25519-private-pkcs8.pem",
    ),
];

#[test]
fn every_algorithm_and_key_format_round_trips() {
    let payload = r#"{"sub":"alice","n":1}"#;
    for (alg, sign, verify) in KEY_FORMATS {
        let token = jwt(&["encode", "--alg", alg, "--key", &key(sign), payload]);
        let token = token.ok();
        assert_eq!(
            segment(token, 0),
            format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#),
            "{alg} {sign}"
        );
        let out = jwt(&["decode", "--alg", alg, "--key", &key(verify), token]);
        assert_eq!(out.ok(), payload, "{alg} {sign} -> {verify}");
    }
}

/// An EC or Ed25519 key has one algorithm, which `--alg` may then leave to the key (as `jwt
/// jwks` does): every EC and Ed25519 pair of [`KEY_FORMATS`] signs and verifies without it, the
/// header names the key's algorithm (EdDSA for Ed25519 keys), and the token's own `alg` still
/// decides nothing: an HS256 token is refused by those keys.
#[test]
fn ec_and_ed25519_keys_need_no_alg() {
    let payload = r#"{"sub":"alice"}"#;
    let single: Vec<_> = KEY_FORMATS
        .iter()
        .filter(|(alg, ..)| matches!(*alg, "ES256" | "ES384" | "EdDSA"))
        .collect();
    assert_eq!(single.len(), 7, "the EC and EdDSA pairs of KEY_FORMATS");
    let hs256_token = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--key",
        &key("hs256.secret"),
        "{}",
    ])
    .ok()
    .to_owned();
    for (alg, sign, verify) in single {
        let token = jwt(&["encode", "--key", &key(sign), payload])
            .ok()
            .to_owned();
        assert_eq!(
            segment(&token, 0),
            format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#),
            "{sign}"
        );
        assert_eq!(
            jwt(&["decode", "--key", &key(verify), &token]).ok(),
            payload,
            "{sign} -> {verify}"
        );
        let line = jwt(&["decode", "--key", &key(verify), &hs256_token])
            .rejected()
            .to_owned();
        assert!(line.contains("algorithm_not_allowed"), "{verify}: {line}");
    }
}

#[test]
fn header_members_are_alg_typ_kid_in_that_order() {
    let token = jwt(&[
        "encode",
        "--kid",
        "k-1",
        "--typ",
        "at+jwt",
        "--alg",
        "ES256",
        "--key",
        &key("ec-p256-private-pkcs8.pem"),
        "{}",
    ]);
    assert_eq!(
        segment(token.ok(), 0),
        r#"{"alg":"ES256","typ":"at+jwt","kid":"k-1"}"#
    );
}

#[test]
fn payload_member_order_and_numbers_survive_both_ways() {
    let payload = r#"{"z":1,"a":18446744073709551615,"f":1.50,"neg":-0,"big":123456789012345678901234567890,"s":"é \"q\" \\"}"#;
    let token = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--key",
        &key("hs256.secret"),
        payload,
    ]);
    let token = token.ok().to_owned();
    assert_eq!(segment(&token, 1), payload);
    let out = jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--key",
        &key("hs256.secret"),
        &token,
    ]);
    assert_eq!(out.ok(), payload);
}

#[test]
fn encode_removes_insignificant_whitespace_only() {
    let token = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--key",
        &key("hs256.secret"),
        "{\n  \"b\" : \"x y\",\t\"a\": [ 1, 2 ]\r\n}\n",
    ]);
    assert_eq!(segment(token.ok(), 1), r#"{"b":"x y","a":[1,2]}"#);
}

#[test]
fn decode_minifies_a_payload_signed_with_whitespace_without_reordering() {
    let token = hs256(
        r#"{"alg":"HS256"}"#,
        "{ \"b\" : 1.0,\n  \"a\" : \"x  y\",\t\"u\": 18446744073709551615 }",
    );
    let out = jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--key",
        &key("hs256.secret"),
        &token,
    ]);
    assert_eq!(out.ok(), r#"{"b":1.0,"a":"x  y","u":18446744073709551615}"#);
}

#[test]
fn encode_reads_payload_from_stdin_and_decode_reads_token_from_stdin() {
    let secret = key("hs256.secret");
    let encoded = jwt_stdin(
        &["encode", "--alg", "HS256", "--key", &secret, "-"],
        b"{\"sub\":\"piped\"}\n",
    );
    assert!(encoded.stdout.ends_with('\n'));
    // Pipe the whole stdout, trailing newline included, as `jwt encode ... | jwt decode ... -`.
    let decoded = jwt_stdin(
        &["decode", "--alg", "HS256", "--key", &secret, "-"],
        encoded.stdout.as_bytes(),
    );
    assert_eq!(decoded.ok(), r#"{"sub":"piped"}"#);
    // CRLF is one newline too.
    let crlf = format!("{}\r\n", encoded.ok());
    let decoded = jwt_stdin(
        &["decode", "--alg", "HS256", "--key", &secret, "-"],
        crlf.as_bytes(),
    );
    assert_eq!(decoded.ok(), r#"{"sub":"piped"}"#);
}

#[test]
fn only_one_trailing_newline_is_ignored_on_stdin() {
    let secret = key("hs256.secret");
    let token = jwt(&["encode", "--alg", "HS256", "--key", &secret, "{}"]);
    for extra in ["\n\n", " \n", "\t"] {
        let input = format!("{}{extra}", token.ok());
        jwt_stdin(
            &["decode", "--alg", "HS256", "--key", &secret, "-"],
            input.as_bytes(),
        )
        .rejected();
    }
}

#[test]
fn options_may_come_before_or_after_positionals() {
    let secret = key("hs256.secret");
    let token = jwt(&["encode", r#"{"a":1}"#, "--key", &secret, "--alg", "HS256"]);
    let token = token.ok().to_owned();
    let out = jwt(&["decode", &token, "--alg", "HS256", "--key", &secret]);
    assert_eq!(out.ok(), r#"{"a":1}"#);
}

#[test]
fn exp_and_iat_are_appended_after_the_payload_members() {
    let secret = key("hs256.secret");
    let before = now();
    let token = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--key",
        &secret,
        "--iat",
        "--exp",
        "600",
        r#"{"a":1}"#,
    ]);
    let payload = segment(token.ok(), 1);
    let value: serde_json::Value = serde_json::from_str(&payload).unwrap();
    let (exp, iat) = (
        value["exp"].as_u64().unwrap(),
        value["iat"].as_u64().unwrap(),
    );
    assert!(iat >= before && iat <= now());
    assert_eq!(exp, iat + 600);
    assert_eq!(payload, format!(r#"{{"a":1,"exp":{exp},"iat":{iat}}}"#));
    // And into an empty object.
    let token = jwt(&[
        "encode", "--alg", "HS256", "--key", &secret, "--exp", "5", "{ }",
    ]);
    assert!(segment(token.ok(), 1).starts_with(r#"{"exp":"#));
}

#[test]
fn expired_tokens_are_rejected_unless_within_the_leeway() {
    let secret = key("hs256.secret");
    let token = jwt(&[
        "encode", "--alg", "HS256", "--key", &secret, "--exp", "-30", "{}",
    ]);
    let token = token.ok().to_owned();
    let out = jwt(&["decode", "--alg", "HS256", "--key", &secret, &token]);
    out.rejected_with("expired");
    assert_eq!(
        out.stderr,
        "error: token rejected: expired (the token has expired)\n"
    );
    let out = jwt(&[
        "decode", "--alg", "HS256", "--key", &secret, "--leeway", "120", &token,
    ]);
    assert!(out.ok().contains("\"exp\":"));
}

#[test]
fn exp_is_optional_unless_required() {
    let secret = key("hs256.secret");
    let token = jwt(&["encode", "--alg", "HS256", "--key", &secret, r#"{"a":1}"#]);
    let token = token.ok().to_owned();
    jwt(&["decode", "--alg", "HS256", "--key", &secret, &token]).ok();
    jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--key",
        &secret,
        "--require",
        "exp",
        &token,
    ])
    .rejected_with("missing_claim");
    jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--key",
        &secret,
        "--require",
        "a",
        &token,
    ])
    .ok();
    jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--key",
        &secret,
        "--require",
        "b",
        &token,
    ])
    .rejected_with("missing_claim");
}

#[test]
fn nbf_in_the_future_is_rejected() {
    let secret = key("hs256.secret");
    let payload = format!(r#"{{"nbf":{}}}"#, now() + 3600);
    let token = jwt(&["encode", "--alg", "HS256", "--key", &secret, &payload]);
    jwt(&["decode", "--alg", "HS256", "--key", &secret, token.ok()]).rejected_with("not_yet_valid");
}

#[test]
fn iss_aud_sub_and_typ_are_checked() {
    let secret = key("hs256.secret");
    let payload = r#"{"iss":"https://issuer.example","aud":["api","web"],"sub":"alice"}"#;
    let token = jwt(&[
        "encode", "--alg", "HS256", "--key", &secret, "--typ", "at+jwt", payload,
    ]);
    let token = token.ok().to_owned();
    let base = ["decode", "--alg", "HS256", "--key", &secret];
    let with = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        args.push(&token);
        jwt(&args)
    };
    let ok = with(&[
        "--iss",
        "https://issuer.example",
        "--aud",
        "web",
        "--sub",
        "alice",
        "--typ",
        "application/at+jwt",
    ]);
    assert_eq!(ok.ok(), payload);
    // Several accepted audiences / issuers: any one matches.
    with(&["--aud", "other", "--aud", "api"]).ok();
    with(&[
        "--aud",
        "api",
        "--iss",
        "x",
        "--iss",
        "https://issuer.example",
    ])
    .ok();
    with(&["--aud", "nope"]).rejected_with("wrong_audience");
    with(&["--aud", "api", "--iss", "https://evil.example"]).rejected_with("wrong_issuer");
    with(&["--aud", "api", "--sub", "bob"]).rejected_with("wrong_subject");
    with(&["--aud", "api", "--typ", "JWT"]).rejected_with("wrong_type");
}

#[test]
fn hmac_secret_given_as_text() {
    let secret = "a-text-secret-of-at-least-32-bytes!!";
    let token = jwt(&["encode", "--alg", "HS256", "--secret", secret, r#"{"a":1}"#]);
    let token = token.ok().to_owned();
    let out = jwt(&["decode", "--alg", "HS256", "--secret", secret, &token]);
    assert_eq!(out.ok(), r#"{"a":1}"#);
    // The same bytes in a file are the same secret.
    let file = TempFile::new("text.secret", secret);
    jwt(&["decode", "--alg", "HS256", "--key", file.path(), &token]).ok();
    // A trailing newline in the file is part of the secret: nothing is trimmed.
    let with_newline = TempFile::new("text-nl.secret", format!("{secret}\n"));
    jwt(&[
        "decode",
        "--alg",
        "HS256",
        "--key",
        with_newline.path(),
        &token,
    ])
    .rejected_with("invalid_signature");
}

#[test]
fn short_secrets_need_the_opt_in_on_both_sides() {
    let token = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        "secret",
        "--allow-short-secret",
        r#"{"user-id":5}"#,
    ]);
    // PyJWT 2.x's classic example, byte for byte.
    assert_eq!(
        token.ok(),
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyLWlkIjo1fQ.8zgQkC0KHA-PY_49M2qCMt2Uj5RpX9sfhRPIZi-imao"
    );
    jwt(&["decode", "--alg", "HS256", "--secret", "secret", token.ok()]).usage();
    let out = jwt(&[
        "decode",
        "--allow-short-secret",
        "--alg",
        "HS256",
        "--secret",
        "secret",
        token.ok(),
    ]);
    assert_eq!(out.ok(), r#"{"user-id":5}"#);
}

// ---------------------------------------------------------------------------------------------
// JWK and JWK Set keys

fn oct_jwk(secret: &[u8], extra: &str) -> String {
    format!(r#"{{"kty":"oct","k":"{}"{extra}}}"#, b64(secret))
}

#[test]
fn oct_jwk_gives_its_k() {
    let secret = key_bytes("hs384.secret");
    let jwk = TempFile::new("oct.jwk", oct_jwk(&secret, r#","alg":"HS384","kid":"o1""#));
    // No --alg: the JWK names it; its kid goes into the header.
    let token = jwt(&["encode", "--key", jwk.path(), r#"{"a":1}"#]);
    let token = token.ok().to_owned();
    assert_eq!(
        segment(&token, 0),
        r#"{"alg":"HS384","typ":"JWT","kid":"o1"}"#
    );
    // The raw secret file verifies it: the JWK's k is the secret.
    jwt(&[
        "decode",
        "--alg",
        "HS384",
        "--key",
        &key("hs384.secret"),
        &token,
    ])
    .ok();
    jwt(&["decode", "--key", jwk.path(), &token]).ok();
    // --kid overrides the JWK's kid in the header.
    let token = jwt(&["encode", "--key", jwk.path(), "--kid", "other", "{}"]);
    assert_eq!(
        segment(token.ok(), 0),
        r#"{"alg":"HS384","typ":"JWT","kid":"other"}"#
    );
}

#[test]
fn oct_jwk_without_alg_needs_alg_and_short_k_needs_the_opt_in() {
    let jwk = TempFile::new("oct-noalg.jwk", oct_jwk(&key_bytes("hs256.secret"), ""));
    jwt(&["encode", "--key", jwk.path(), "{}"]).usage();
    let token = jwt(&["encode", "--alg", "HS256", "--key", jwk.path(), "{}"]);
    jwt(&["decode", "--alg", "HS256", "--key", jwk.path(), token.ok()]).ok();

    let short = TempFile::new("oct-short.jwk", oct_jwk(b"secret", r#","alg":"HS256""#));
    jwt(&["encode", "--key", short.path(), "{}"]).usage();
    let token = jwt(&[
        "encode",
        "--allow-short-secret",
        "--key",
        short.path(),
        "{}",
    ]);
    let token = token.ok().to_owned();
    jwt(&["decode", "--key", short.path(), &token]).usage();
    jwt(&[
        "decode",
        "--allow-short-secret",
        "--key",
        short.path(),
        &token,
    ])
    .ok();
    jwt(&[
        "decode",
        "--allow-short-secret",
        "--alg",
        "HS256",
        "--secret",
        "secret",
        &token,
    ])
    .ok();
}

#[test]
fn generated_jwks_sign_and_verify_without_alg_flags() {
    // Private JWK with alg and kid, from keygen; public set from jwks.
    let private = jwt(&["keygen", "--alg", "ES384", "--jwk", "--kid", "ec-1"]);
    let private = TempFile::new("ec.jwk", private.ok());
    let token = jwt(&["encode", "--key", private.path(), r#"{"sub":"x"}"#]);
    let token = token.ok().to_owned();
    assert_eq!(
        segment(&token, 0),
        r#"{"alg":"ES384","typ":"JWT","kid":"ec-1"}"#
    );
    let set = jwt(&["jwks", "--key", private.path()]);
    let set = TempFile::new("ec.jwks", set.ok());
    assert_eq!(
        jwt(&["decode", "--key", set.path(), &token]).ok(),
        r#"{"sub":"x"}"#
    );
    // The private JWK verifies too, and --alg may repeat what the JWK says...
    jwt(&["decode", "--key", private.path(), &token]).ok();
    jwt(&["decode", "--alg", "ES384", "--key", set.path(), &token]).ok();
    // ... but never contradict it.
    jwt(&["decode", "--alg", "ES256", "--key", set.path(), &token]).usage();
}

#[test]
fn rsa_public_jwk_verifies_pem_signed_tokens() {
    let set = jwt(&[
        "jwks",
        "--key",
        &key("rsa2048-public-spki.pem"),
        "--alg",
        "PS256",
        "--kid",
        "rsa-1",
    ]);
    let set: serde_json::Value = serde_json::from_str(set.ok()).unwrap();
    let jwk = TempFile::new("rsa.jwk", set["keys"][0].to_string());
    let token = jwt(&[
        "encode",
        "--alg",
        "PS256",
        "--key",
        &key("rsa2048-private-pkcs8.pem"),
        "--kid",
        "rsa-1",
        r#"{"a":1}"#,
    ]);
    let token = token.ok().to_owned();
    jwt(&["decode", "--key", jwk.path(), &token]).ok();
    // The JWK is bound to PS256: an RS256 token from the same key is refused.
    let rs = jwt(&[
        "encode",
        "--alg",
        "RS256",
        "--key",
        &key("rsa2048-private-pkcs8.pem"),
        "--kid",
        "rsa-1",
        "{}",
    ]);
    jwt(&["decode", "--key", jwk.path(), rs.ok()]).rejected_with("algorithm_not_allowed");
}

/// A JWK Set of an ES256 key (kid "ec"), an EdDSA key (kid "ed") and an RS256 key (kid "rsa").
fn mixed_set() -> TempFile {
    let out = jwt(&[
        "jwks",
        "--key",
        &key("ec-p256-public-spki.pem"),
        "--kid",
        "ec",
        "--alg",
        "ES256",
        "--key",
        &key("ed25519-private-pkcs8.pem"),
        "--kid",
        "ed",
        "--alg",
        "EdDSA",
        "--key",
        &key("rsa2048-public-spki.pem"),
        "--kid",
        "rsa",
        "--alg",
        "RS256",
    ]);
    TempFile::new("mixed.jwks", out.ok())
}

fn sign(alg: &str, file: &str, kid: Option<&str>) -> String {
    let mut args = vec!["encode", "--alg", alg];
    let path = key(file);
    args.extend(["--key", &path]);
    if let Some(kid) = kid {
        args.extend(["--kid", kid]);
    }
    args.push(r#"{"a":1}"#);
    jwt(&args).ok().to_owned()
}

#[test]
fn jwk_set_selects_the_key_by_kid() {
    let set = mixed_set();
    for (alg, file, kid) in [
        ("ES256", "ec-p256-private-sec1.pem", "ec"),
        ("EdDSA", "ed25519-private-pkcs8.pem", "ed"),
        ("RS256", "rsa2048-private-pkcs1.pem", "rsa"),
    ] {
        let token = sign(alg, file, Some(kid));
        assert_eq!(
            jwt(&["decode", "--key", set.path(), &token]).ok(),
            r#"{"a":1}"#
        );
    }
}

#[test]
fn jwk_set_never_falls_back_to_another_key() {
    let set = mixed_set();
    // A kid naming no key.
    let token = sign("ES256", "ec-p256-private-pkcs8.pem", Some("nope"));
    jwt(&["decode", "--key", set.path(), &token]).rejected_with("unknown_key_id");
    // A kid naming a key of another algorithm.
    let token = sign("ES256", "ec-p256-private-pkcs8.pem", Some("ed"));
    jwt(&["decode", "--key", set.path(), &token]).rejected_with("algorithm_not_allowed");
    // The right kid and alg, but another P-256 key's signature: no other key is tried.
    let other = jwt(&["keygen", "--alg", "ES256"]);
    let other = TempFile::new("other-p256.pem", other.ok());
    let token = jwt(&[
        "encode",
        "--alg",
        "ES256",
        "--key",
        other.path(),
        "--kid",
        "ec",
        r#"{"a":1}"#,
    ]);
    jwt(&["decode", "--key", set.path(), token.ok()]).rejected_with("invalid_signature");
}

#[test]
fn jwk_set_token_without_kid_needs_exactly_one_fitting_key() {
    let set = mixed_set();
    // One EdDSA key in the set: a kid-less EdDSA token can only mean that one.
    let token = sign("EdDSA", "ed25519-private-pkcs8.pem", None);
    jwt(&["decode", "--key", set.path(), &token]).ok();
    // Two ES256 keys: ambiguous, rejected.
    let two = jwt(&[
        "jwks",
        "--alg",
        "ES256",
        "--key",
        &key("ec-p256-public-spki.pem"),
        "--kid",
        "a",
        "--key",
        &key("ec-p256-private-sec1.pem"),
        "--kid",
        "b",
    ]);
    let two = TempFile::new("two.jwks", two.ok());
    let token = sign("ES256", "ec-p256-private-pkcs8.pem", None);
    jwt(&["decode", "--key", two.path(), &token]).rejected_with("ambiguous_key");
    let token = sign("ES256", "ec-p256-private-pkcs8.pem", Some("b"));
    jwt(&["decode", "--key", two.path(), &token]).ok();
}

#[test]
fn encode_with_a_jwk_set_picks_the_key_by_kid() {
    let keys = [
        jwt(&["keygen", "--alg", "ES256", "--jwk", "--kid", "one"]),
        jwt(&["keygen", "--alg", "EdDSA", "--jwk", "--kid", "two"]),
    ];
    let set = format!(r#"{{"keys":[{},{}]}}"#, keys[0].ok(), keys[1].ok());
    let set = TempFile::new("private.jwks", set);
    let token = jwt(&["encode", "--key", set.path(), "--kid", "two", "{}"]);
    let token = token.ok().to_owned();
    assert_eq!(
        segment(&token, 0),
        r#"{"alg":"EdDSA","typ":"JWT","kid":"two"}"#
    );
    jwt(&["decode", "--key", set.path(), &token]).ok();
    jwt(&["encode", "--key", set.path(), "{}"]).usage();
    jwt(&["encode", "--key", set.path(), "--kid", "three", "{}"]).usage();
}

/// `--exp`/`--iat` look only at the payload's member names: a payload accepted without them
/// is accepted with them (numbers beyond `f64` made `serde_json::Value`, which they used to
/// parse into, refuse it). And a fault of an option is not blamed on the payload.
#[test]
fn time_options_judge_names_only_and_blame_the_right_input() {
    let secret = key("hs256.secret");
    let encode =
        |extra: &[&str]| jwt(&[&["encode", "--alg", "HS256", "--key", &secret], extra].concat());
    for payload in [r#"{"n":1e400}"#, r#"{"a":[-1e400,{"b":2e999}]}"#] {
        encode(&[payload]).ok();
        encode(&["--exp", "60", "--iat", payload]).ok();
    }
    let line = encode(&["--exp", "999999999999", "{}"]).usage().to_owned();
    assert!(!line.contains("PAYLOAD"), "{line}");
    assert!(line.contains("exp"), "{line}");
    let long_kid = "k".repeat(300);
    let line = encode(&["--kid", &long_kid, "{}"]).usage().to_owned();
    assert!(!line.contains("PAYLOAD"), "{line}");
    assert!(line.contains("kid"), "{line}");
    let line = encode(&[r#"{"a":1,"a":2}"#]).usage().to_owned();
    assert!(line.contains("PAYLOAD"), "{line}");
}

/// `--nbf SECONDS`: not valid before now + SECONDS; decode refuses it until then.
#[test]
fn nbf_option_makes_a_token_valid_later() {
    let secret = key("hs256.secret");
    let later = jwt(&[
        "encode", "--alg", "HS256", "--key", &secret, "--nbf", "3600", "{}",
    ])
    .ok()
    .trim()
    .to_owned();
    let claims: serde_json::Value = serde_json::from_str(&segment(&later, 1)).unwrap();
    let nbf = claims["nbf"].as_u64().unwrap();
    assert!(nbf >= now() + 3_590 && nbf <= now() + 3_610, "{claims}");
    jwt(&["decode", "--alg", "HS256", "--key", &secret, &later]).rejected_with("not_yet_valid");
    let earlier = jwt(&[
        "encode", "--alg", "HS256", "--key", &secret, "--nbf", "-60", "{}",
    ])
    .ok()
    .trim()
    .to_owned();
    jwt(&["decode", "--alg", "HS256", "--key", &secret, &earlier]).ok();
    jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--key",
        &secret,
        "--nbf",
        "60",
        r#"{"nbf":1}"#,
    ])
    .usage();
}
