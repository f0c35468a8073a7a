//! The RFC test vectors in `tests/vectors/*.json` (see `tests/vectors/README.md`), run through
//! jwt-core's JWT verifier.
//!
//! Every compact-serialisation case is classified by its `expected_in_ring_library` and gets an
//! explicit expected outcome; the census test fails when a case is added, removed or reclassified
//! without this file being updated, so a silently empty vector list cannot pass.
//!
//! jwt-core has no JWK support, so JWKs are converted to keys here: `oct` -> `k`,
//! `RSA` -> `n`/`e`, `EC` P-256 -> `04 || x || y`, `OKP` Ed25519 -> `x`.
//!
//! Re-signing (README: `deterministic_signature`) is deliberately not done here:
//! * `jwt_core::encode` only signs JSON claims with a header it serialises itself. The
//!   deterministic JSON-payload cases (RFC 7515 A.1 HS256, A.2 RS256, RFC 7519 3.1) have headers
//!   and payloads with CR LF and spaces (`{"typ":"JWT",\r\n "alg":"HS256"}`), which our encoder
//!   never produces, so re-signing cannot reproduce the RFC bytes.
//! * The other deterministic cases (RFC 7520 4.1/4.4/4.6/4.8, RFC 7797 4.1, RFC 8037 A.4) have
//!   non-JSON payloads, which `encode` cannot sign at all, and `ring` is not a dependency of this
//!   crate. Their signatures are instead proven valid below: verification gets past the
//!   signature check (to `InvalidPayload`), and the same token with one signature byte flipped
//!   stops at `InvalidSignature`.

use std::collections::BTreeMap;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use jwt_core::{Algorithm, ErrorKind, FixedClock, Validation, Verifier, VerifyingKey};
use serde_json::Value;

/// The vector files that contain signed compact cases.
const FILES: [(&str, &str); 5] = [
    ("rfc7515.json", include_str!("../vectors/rfc7515.json")),
    ("rfc7519.json", include_str!("../vectors/rfc7519.json")),
    ("rfc7520.json", include_str!("../vectors/rfc7520.json")),
    ("rfc7797.json", include_str!("../vectors/rfc7797.json")),
    ("rfc8037.json", include_str!("../vectors/rfc8037.json")),
];

/// A time for cases without `suggested_verification_time` (they carry no `exp`, or no JSON).
const ANY_TIME: u64 = 1_300_000_000;

/// The RFC 7515 A.1 / RFC 7519 3.1 example JWT and its HMAC key.
const A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const A1_SIGNATURE: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const A1_K: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
const EXAMPLE_EXP: u64 = 1_300_819_380;

// ---------------------------------------------------------------------------------------------
// Vector loading and JWK conversion

/// Every case of every file, in file order.
fn cases() -> Vec<Value> {
    let mut all = Vec::new();
    for (name, text) in FILES {
        let file: Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
        assert_eq!(file["schema_version"], 1, "{name}: unexpected schema");
        let cases = file["cases"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no cases array"));
        assert!(!cases.is_empty(), "{name} has an empty cases array");
        all.extend(cases.iter().cloned());
    }
    all
}

/// The case with this id.
fn case(id: &str) -> Value {
    cases()
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no vector case {id}"))
}

fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{}: `{field}` is not a string", value["id"]))
}

fn id(case: &Value) -> &str {
    text(case, "id")
}

fn b64url(s: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(s).unwrap_or_else(|e| panic!("not base64url ({e}): {s}"))
}

fn b64url_encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// The verifying key for `alg` described by `jwk` (kid carried over when present).
fn jwk_to_key(alg: Algorithm, jwk: &Value) -> VerifyingKey {
    let member = |name: &str| b64url(text(jwk, name));
    if let Some(jwk_alg) = jwk["alg"].as_str() {
        assert_eq!(jwk_alg, alg.name(), "JWK alg differs from the case's alg");
    }
    let key = match text(jwk, "kty") {
        // Every RFC HMAC key is at least as long as the hash (A.1: 64 bytes, RFC 7520 3.5: 32
        // bytes for HS256), so the checked constructor is used; none needs the `danger_` one.
        "oct" => VerifyingKey::from_hmac_secret(alg, &member("k")),
        "RSA" => {
            assert!(
                jwk.get("d").is_none(),
                "use the public_key JWK, not the private one"
            );
            VerifyingKey::from_rsa_components(alg, &member("n"), &member("e"))
        }
        "EC" => {
            assert_eq!(
                text(jwk, "crv"),
                "P-256",
                "only P-256 EC keys are supported"
            );
            assert!(
                jwk.get("d").is_none(),
                "use the public_key JWK, not the private one"
            );
            let mut point = vec![0x04];
            point.extend(member("x"));
            point.extend(member("y"));
            VerifyingKey::from_ec_point(alg, &point)
        }
        "OKP" => {
            assert_eq!(
                text(jwk, "crv"),
                "Ed25519",
                "only Ed25519 OKP keys are supported"
            );
            assert!(
                jwk.get("d").is_none(),
                "use the public_key JWK, not the private one"
            );
            VerifyingKey::from_ed25519_bytes(alg, &member("x"))
        }
        other => panic!("unexpected kty {other}"),
    }
    .unwrap_or_else(|e| panic!("JWK rejected for {alg}: {e}"));
    match jwk["kid"].as_str() {
        Some(kid) => key.with_kid(kid),
        None => key,
    }
}

/// The key of a ring-supported case: `public_key` for asymmetric algorithms, `key` for HMAC.
fn case_key(case: &Value) -> VerifyingKey {
    let alg = Algorithm::from_name(text(case, "alg"))
        .unwrap_or_else(|e| panic!("{}: alg not supported: {e}", id(case)));
    let jwk = if alg.is_hmac() {
        &case["key"]
    } else {
        &case["public_key"]
    };
    jwk_to_key(alg, jwk)
}

/// The RFC 7515 A.1 HMAC key (64 bytes, HS256).
fn a1_key() -> VerifyingKey {
    VerifyingKey::from_hmac_secret(Algorithm::HS256, &b64url(A1_K)).expect("A.1 key")
}

/// A verifier with `exp` optional and the clock fixed at `now`.
fn verifier(key: VerifyingKey, now: u64) -> Verifier {
    Verifier::new(key).with_validation(Validation::new().allow_missing_exp().clock(FixedClock(now)))
}

/// The error kind of verifying `token` into JSON claims; panics if it verifies.
fn rejection(verifier: &Verifier, token: &str) -> ErrorKind {
    match verifier.verify::<Value>(token) {
        Ok(verified) => panic!("accepted, claims {:?}", verified.claims()),
        Err(error) => error.kind(),
    }
}

/// `token` with one byte of its (base64url-decoded) signature flipped, re-encoded canonically.
fn with_flipped_signature(token: &str) -> String {
    let (signing_input, signature) = token.rsplit_once('.').expect("three segments");
    let mut signature = b64url(signature);
    let middle = signature.len() / 2;
    signature[middle] ^= 0x01;
    format!("{signing_input}.{}", b64url_encode(&signature))
}

/// `token` with its header segment replaced by the base64url of `header_json`.
fn with_header(token: &str, header_json: &str) -> String {
    let (_, rest) = token.split_once('.').expect("three segments");
    format!("{}.{rest}", b64url_encode(header_json.as_bytes()))
}

// ---------------------------------------------------------------------------------------------
// Census: every case has a known classification

#[test]
fn rfc_vectors_outcome_census() {
    let mut by_outcome: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for case in cases() {
        // Structural self-consistency of the vector itself.
        if case["detached"] == false {
            assert_eq!(
                text(&case, "token"),
                format!(
                    "{}.{}",
                    text(&case, "signing_input"),
                    text(&case, "signature_b64")
                ),
                "{}",
                id(&case)
            );
        }
        by_outcome
            .entry(text(&case, "expected_in_ring_library").to_owned())
            .or_default()
            .push(id(&case).to_owned());
    }
    let expected: BTreeMap<String, Vec<String>> = [
        (
            "accept",
            &[
                "rfc7515-A.1",
                "rfc7515-A.2",
                "rfc7515-A.3",
                "rfc7519-3.1",
                "rfc7520-4.1",
                "rfc7520-4.2",
                "rfc7520-4.4",
                "rfc7520-4.6-compact",
                "rfc7520-4.8-sig1-compact",
                "rfc7520-4.8-sig3-compact",
                "rfc7797-4.1",
                "rfc8037-A.4",
            ][..],
        ),
        (
            "accept_only_with_detached_payload_else_reject",
            &["rfc7520-4.5"][..],
        ),
        (
            "reject",
            &["rfc7515-A.5", "rfc7515-E", "rfc7519-6.1", "rfc7797-4.2"][..],
        ),
        (
            "reject_unsupported_algorithm",
            &["rfc7515-A.4", "rfc7520-4.3"][..],
        ),
    ]
    .into_iter()
    .map(|(k, ids)| (k.to_owned(), ids.iter().map(|&s| s.to_owned()).collect()))
    .collect();
    assert_eq!(by_outcome, expected);
}

// ---------------------------------------------------------------------------------------------
// 1. Accepted cases

#[test]
fn rfc_vectors_accept_cases_verify() {
    let (mut json_claims, mut non_json) = (Vec::new(), Vec::new());
    for case in cases() {
        if case["expected_in_ring_library"] != "accept" {
            continue;
        }
        let case_id = id(&case);
        assert_eq!(case["must_verify"], true, "{case_id}");
        let token = text(&case, "token");
        let now = case["suggested_verification_time"]
            .as_u64()
            .unwrap_or(ANY_TIME);
        let verifier = verifier(case_key(&case), now);

        if case["payload_is_json_object"] == true {
            let verified = verifier
                .verify::<Value>(token)
                .unwrap_or_else(|e| panic!("{case_id}: rejected: {e}"));
            assert_eq!(verified.claims(), &case["claims"], "{case_id}");
            assert_eq!(
                verified.header().algorithm().name(),
                text(&case, "alg"),
                "{case_id}"
            );
            assert_eq!(
                verified.header().kid(),
                case["header"]["kid"].as_str(),
                "{case_id}"
            );
            json_claims.push(case_id.to_owned());
        } else {
            // A JWS, not a JWT: the signature passes and the JWT layer refuses the payload.
            assert_eq!(
                rejection(&verifier, token),
                ErrorKind::InvalidPayload,
                "{case_id}: a valid signature over a non-JSON payload"
            );
            non_json.push(case_id.to_owned());
        }
        // The signature is what got the token past step 5: flip one byte and it stops there.
        assert_eq!(
            rejection(&verifier, &with_flipped_signature(token)),
            ErrorKind::InvalidSignature,
            "{case_id}: flipped signature"
        );
    }
    assert_eq!(
        json_claims,
        ["rfc7515-A.1", "rfc7515-A.2", "rfc7515-A.3", "rfc7519-3.1"]
    );
    assert_eq!(
        non_json,
        [
            "rfc7520-4.1",
            "rfc7520-4.2",
            "rfc7520-4.4",
            "rfc7520-4.6-compact",
            "rfc7520-4.8-sig1-compact",
            "rfc7520-4.8-sig3-compact",
            "rfc7797-4.1",
            "rfc8037-A.4",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// 2. ES512 / P-521

#[test]
fn rfc_vectors_es512_is_unsupported() {
    let any_key = VerifyingKey::from_hmac_secret(Algorithm::HS256, &[7; 32]).expect("key");
    let verifier = verifier(any_key, ANY_TIME);
    let mut seen = Vec::new();
    for case in cases() {
        if case["expected_in_ring_library"] != "reject_unsupported_algorithm" {
            continue;
        }
        assert_eq!(text(&case, "alg"), "ES512", "{}", id(&case));
        assert_eq!(
            rejection(&verifier, text(&case, "token")),
            ErrorKind::UnsupportedAlgorithm,
            "{}",
            id(&case)
        );
        seen.push(id(&case).to_owned());
    }
    assert_eq!(seen, ["rfc7515-A.4", "rfc7520-4.3"]);
    let error = Algorithm::from_name("ES512").expect_err("ES512 is not implemented");
    assert_eq!(error.kind(), ErrorKind::UnsupportedAlgorithm);
}

// ---------------------------------------------------------------------------------------------
// 3. Rejected cases

/// `alg: none` (RFC 7515 A.5, RFC 7519 6.1), tried against the A.1 HMAC key (the cases name no
/// key; an HMAC verifier is the classic target of `none` downgrades).
///
/// The exact RFC tokens end in an empty signature segment, so they stop at the first step with
/// `Malformed`. The same tokens with a non-empty signature reach the header and are refused as
/// `UnsupportedAlgorithm` (`none` is a known name that jwt-core never implements).
#[test]
fn reject_rfc_unsecured_tokens() {
    for case_id in ["rfc7515-A.5", "rfc7519-6.1"] {
        let case = case(case_id);
        assert_eq!(case["alg"], "none");
        assert_eq!(case["expected_in_ring_library"], "reject");
        let verifier = verifier(a1_key(), ANY_TIME);
        let token = text(&case, "token");
        assert!(token.ends_with('.'));
        assert_eq!(
            rejection(&verifier, token),
            ErrorKind::Malformed,
            "{case_id}"
        );
        let signed = format!("{token}{A1_SIGNATURE}");
        assert_eq!(
            rejection(&verifier, &signed),
            ErrorKind::UnsupportedAlgorithm,
            "{case_id} with a signature appended"
        );
    }
}

/// RFC 7515 Appendix E: `crit` naming an unknown extension.
///
/// The RFC's token is itself `alg: none` with an empty signature segment, so as printed it is
/// refused as `Malformed` before the header is read. To isolate `crit`, the same header with
/// `"alg":"none"` changed to `"alg":"HS256"` (CR LF and the undefined member kept) is verified
/// with the A.1 HMAC key and a 32-byte signature: the only thing wrong with it then is `crit`
/// (the header is refused before any signature check, so the signature need not be valid).
#[test]
fn reject_rfc7515_e_unknown_crit() {
    let case = case("rfc7515-E");
    assert_eq!(case["expected_in_ring_library"], "reject");
    let verifier = verifier(a1_key(), ANY_TIME);
    let token = text(&case, "token");
    assert_eq!(rejection(&verifier, token), ErrorKind::Malformed);

    let header = text(&case, "header_utf8");
    assert!(header.contains("\"crit\":[\"http://example.com/UNDEFINED\"]"));
    let hs256_header = header.replacen("\"alg\":\"none\"", "\"alg\":\"HS256\"", 1);
    assert_ne!(hs256_header, header);
    let crit_only = format!(
        "{}.{}.{A1_SIGNATURE}",
        b64url_encode(hs256_header.as_bytes()),
        text(&case, "payload_b64")
    );
    assert_eq!(
        rejection(&verifier, &crit_only),
        ErrorKind::UnsupportedHeader
    );
}

/// RFC 7797 4.2: `b64: false` listed in `crit`, with a detached payload.
///
/// The compact token has an empty payload segment, so as printed it is refused as `Malformed`
/// (detached payloads are not supported) before the header is read. With the out-of-band
/// payload (`$.02`, base64url `JC4wMg`) put back into the payload segment, the header is read
/// and refused as `UnsupportedHeader` (RFC 7797 is not implemented).
#[test]
fn reject_rfc7797_unencoded_payload() {
    let case = case("rfc7797-4.2");
    assert_eq!(case["expected_in_ring_library"], "reject");
    assert_eq!(case["header"]["b64"], false);
    let verifier = verifier(case_key(&case), ANY_TIME);
    let token = text(&case, "token");
    assert_eq!(rejection(&verifier, token), ErrorKind::Malformed);

    let attached = token.replacen("..", &format!(".{}.", text(&case, "payload_b64")), 1);
    assert_eq!(
        rejection(&verifier, &attached),
        ErrorKind::UnsupportedHeader
    );
}

/// RFC 7520 4.5: detached content (empty payload segment) is not supported.
#[test]
fn reject_rfc7520_detached_payload() {
    let case = case("rfc7520-4.5");
    assert_eq!(case["detached"], true);
    let verifier = verifier(case_key(&case), ANY_TIME);
    let token = text(&case, "token");
    assert!(token.contains(".."));
    assert_eq!(rejection(&verifier, token), ErrorKind::Malformed);

    // Sanity: with the payload attached it is exactly RFC 7520 4.4, whose signature is valid
    // (so it gets past the signature and stops at the non-JSON payload).
    let attached = token.replacen("..", &format!(".{}.", text(&case, "payload_b64")), 1);
    assert_eq!(attached, text(&self::case("rfc7520-4.4"), "token"));
    assert_eq!(rejection(&verifier, &attached), ErrorKind::InvalidPayload);
}

// ---------------------------------------------------------------------------------------------
// 5. The RFC 7519 example JWT and its expiry

#[test]
fn rfc_vectors_rfc7519_example_expiry() {
    let case = case("rfc7519-3.1");
    let token = text(&case, "token");
    assert_eq!(token, A1_TOKEN);
    assert_eq!(case["claims"]["exp"], EXAMPLE_EXP);
    let at = |now: u64| {
        Verifier::new(case_key(&case)).with_validation(Validation::new().clock(FixedClock(now)))
    };

    // One second before exp: valid, and exp is present so the strict default validation passes.
    let verified = at(EXAMPLE_EXP - 1)
        .verify::<Value>(token)
        .expect("valid before exp");
    assert_eq!(verified.claims(), &case["claims"]);
    assert_eq!(verified.times().expires_at, Some(EXAMPLE_EXP));

    // At exp: expired (RFC 7519 4.1.4: the current time must be *before* exp).
    assert_eq!(rejection(&at(EXAMPLE_EXP), token), ErrorKind::Expired);

    // The detailed API hands back the verified claims for an expiry-only failure.
    let rejected = at(EXAMPLE_EXP)
        .verify_detailed::<Value>(token)
        .expect_err("expired");
    assert_eq!(rejected.error().kind(), ErrorKind::Expired);
    let expired = rejected
        .into_verified_despite_time()
        .expect("only exp failed, so the claims are available");
    assert_eq!(expired.claims()["iss"], "joe");
    assert_eq!(expired.claims(), &case["claims"]);
}

// ---------------------------------------------------------------------------------------------
// 6. Non-canonical base64url in the signature segment

/// Every variant decodes to the A.1 signature bytes under a lenient decoder, and is refused.
#[test]
fn reject_non_canonical_signature_encoding() {
    let verifier = verifier(a1_key(), EXAMPLE_EXP - 1);
    assert!(verifier.verify::<Value>(A1_TOKEN).is_ok());
    let (signing_input, signature) = A1_TOKEN.rsplit_once('.').expect("three segments");
    assert_eq!(signature, A1_SIGNATURE);

    // `...EjXk` -> `...EjXl`: the last character differs only in its two unused low bits.
    let unused_bits = format!(
        "{signing_input}.{}l",
        &A1_SIGNATURE[..A1_SIGNATURE.len() - 1]
    );
    assert!(unused_bits.ends_with("EjXl"));
    assert_eq!(
        rejection(&verifier, &unused_bits),
        ErrorKind::InvalidBase64,
        "non-zero unused bits"
    );

    // Standard alphabet instead of the URL-safe one (the signature has both `-` and `_`).
    let std_alphabet = format!(
        "{signing_input}.{}",
        A1_SIGNATURE.replace('-', "+").replace('_', "/")
    );
    assert_ne!(std_alphabet, A1_TOKEN);
    assert_eq!(
        rejection(&verifier, &std_alphabet),
        ErrorKind::InvalidBase64,
        "+ and / alphabet"
    );
}

/// A padded signature is not canonical base64url: it fails as `InvalidBase64` (every segment is
/// decoded before any length or signature check), like the other non-canonical encodings.
#[test]
fn reject_padded_signature_as_base64() {
    let verifier = verifier(a1_key(), EXAMPLE_EXP - 1);
    for padded in [format!("{A1_TOKEN}="), format!("{A1_TOKEN}==")] {
        assert_eq!(rejection(&verifier, &padded), ErrorKind::InvalidBase64);
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Algorithm confusion: the RS256 token relabelled HS256

/// PKCS#1 `RSAPublicKey` DER for big-endian `n` and `e`.
fn rsa_public_key_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn push_len(out: &mut Vec<u8>, len: usize) {
        if len < 0x80 {
            out.push(u8::try_from(len).expect("short length"));
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | u8::try_from(bytes.len() - skip).expect("length of length"));
            out.extend_from_slice(&bytes[skip..]);
        }
    }
    fn push_integer(out: &mut Vec<u8>, magnitude: &[u8]) {
        let pad = magnitude.first().is_some_and(|b| b & 0x80 != 0);
        out.push(0x02);
        push_len(out, magnitude.len() + usize::from(pad));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(magnitude);
    }
    let mut body = Vec::new();
    push_integer(&mut body, n);
    push_integer(&mut body, e);
    let mut der = vec![0x30];
    push_len(&mut der, body.len());
    der.extend(body);
    der
}

#[test]
fn reject_rs256_token_relabelled_hs256() {
    let case = case("rfc7515-A.2");
    let jwk = &case["public_key"];
    let (n, e) = (b64url(text(jwk, "n")), b64url(text(jwk, "e")));
    let der = rsa_public_key_der(&n, &e);
    let body = Base64::encode_string(&der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).expect("ascii"))
        .collect();
    let pem = format!(
        "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
        lines.join("\n")
    );

    // The PEM is the A.2 key: as an RS256 key it verifies the RFC token.
    let rsa = VerifyingKey::from_pem(Algorithm::RS256, &pem).expect("RS256 from PEM");
    let now = case["suggested_verification_time"].as_u64().expect("time");
    let verifier = verifier(rsa, now);
    let token = text(&case, "token");
    assert_eq!(
        verifier.verify::<Value>(token).expect("A.2").claims(),
        &case["claims"]
    );

    // The confusion attack needs the public key's text as an HMAC secret. The typed
    // constructors refuse to turn RSA key material into an HS256 key...
    assert_eq!(
        VerifyingKey::from_pem(Algorithm::HS256, &pem)
            .expect_err("an RSA key is not an HMAC secret")
            .kind(),
        ErrorKind::KeyMismatch
    );
    assert_eq!(
        VerifyingKey::from_pkcs1_der(Algorithm::HS256, &der)
            .expect_err("an RSA key is not an HMAC secret")
            .kind(),
        ErrorKind::KeyMismatch
    );

    // ...and a verifier holding only the RSA key never lets the token pick HMAC: relabelled
    // `{"alg":"HS256"}` (payload and signature kept) it fails at key selection, before any MAC.
    for header in [r#"{"alg":"HS256"}"#, r#"{"typ":"JWT","alg":"HS256"}"#] {
        let relabelled = with_header(token, header);
        assert_eq!(
            rejection(&verifier, &relabelled),
            ErrorKind::AlgorithmNotAllowed,
            "{header}"
        );
    }
}
