//! The RFC JWKs and JWK Sets in `tests/vectors/*.json` (see `tests/vectors/README.md`) through
//! jwt-core's own JWK support: `Jwk`, `JwkSet`, `KeySet::from_jwk_set` and
//! `Verifier::with_key_set`.
//!
//! * Every JWK in every vector file (named keys, JWK Sets, thumbprint examples, and the `key` /
//!   `public_key` of every case) has an explicit expected outcome; a census fails when a JWK is
//!   added or removed without this file being updated.
//! * Every ring-supported case with `must_verify: true` is verified through a JWK Set that holds
//!   its key among unrelated (and unusable) keys, and the same set without its key must refuse
//!   it with the selection error the token's header calls for.
//! * The RFC 7638 / RFC 8037 thumbprint examples match, and private JWKs have the thumbprint of
//!   their public half.
//! * The private RFC JWKs sign tokens that their public JWKs verify.
//!
//! Not done here: re-creating the RFCs' exact signatures from private JWKs (e.g. RFC 8037 A.4,
//! Ed25519 over "Example of Ed25519 signing"). jwt-core only signs JSON-object claims under a
//! header it writes itself and has no raw JWS signing API, so a non-JSON payload, or the RFC's
//! exact header bytes, cannot be signed. Determinism of Ed25519 is checked on our own payload
//! instead, and the signatures themselves are proven valid by verification (a valid signature
//! gets a non-JSON token to `InvalidPayload`; one flipped signature byte stops it at
//! `InvalidSignature`), as in `rfc_vectors.rs`.

use std::collections::BTreeMap;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    Algorithm, ErrorKind, FixedClock, Jwk, JwkSet, KeySet, SigningKey, Validation, Verifier,
};
use serde_json::{Value, json};

const RFC7515: &str = include_str!("../vectors/rfc7515.json");
const RFC7517: &str = include_str!("../vectors/rfc7517-jwks.json");
const RFC7519: &str = include_str!("../vectors/rfc7519.json");
const RFC7520: &str = include_str!("../vectors/rfc7520.json");
const RFC7797: &str = include_str!("../vectors/rfc7797.json");
const RFC8037: &str = include_str!("../vectors/rfc8037.json");

/// Files with signed compact cases.
const CASE_FILES: [(&str, &str); 5] = [
    ("rfc7515.json", RFC7515),
    ("rfc7519.json", RFC7519),
    ("rfc7520.json", RFC7520),
    ("rfc7797.json", RFC7797),
    ("rfc8037.json", RFC8037),
];

/// A time for cases without `suggested_verification_time`.
const ANY_TIME: u64 = 1_300_000_000;
/// An `exp` far in the future for tokens signed here.
const FAR_FUTURE: u64 = 4_102_444_800;

// ---------------------------------------------------------------------------------------------
// Loading

fn parse(name: &str, text: &str) -> Value {
    let file: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
    assert_eq!(file["schema_version"], 1, "{name}: unexpected schema");
    file
}

fn cases() -> Vec<Value> {
    let mut all = Vec::new();
    for (name, text) in CASE_FILES {
        let file = parse(name, text);
        let cases = file["cases"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no cases"));
        assert!(!cases.is_empty(), "{name}: empty cases");
        all.extend(cases.iter().cloned());
    }
    all
}

fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("`{field}` is not a string in {value}"))
}

fn named_key(file: &str, text_: &str, name: &str) -> Value {
    let file_value = parse(file, text_);
    let jwk = file_value["keys"][name]["jwk"].clone();
    assert!(jwk.is_object(), "{file}: no key {name}");
    jwk
}

fn jwk_set(name: &str) -> Value {
    let set = parse("rfc7517-jwks.json", RFC7517)["jwk_sets"][name]["jwks"].clone();
    assert!(set["keys"].is_array(), "no JWK set {name}");
    set
}

fn from_value(jwk: &Value) -> Result<Jwk, jwt_core::Error> {
    Jwk::from_json(&jwk.to_string())
}

/// Every JWK in the vector files, labelled by where it is.
fn all_vector_jwks() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (file, text_) in [("rfc7520.json", RFC7520), ("rfc8037.json", RFC8037)] {
        let value = parse(file, text_);
        let keys = value["keys"].as_object().expect("named keys");
        for (name, entry) in keys {
            out.push((format!("{file} keys {name}"), entry["jwk"].clone()));
        }
    }
    let rfc7517 = parse("rfc7517-jwks.json", RFC7517);
    for (name, entry) in rfc7517["jwk_sets"].as_object().expect("jwk_sets") {
        for (i, jwk) in entry["jwks"]["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .enumerate()
        {
            out.push((format!("rfc7517 {name} keys[{i}]"), jwk.clone()));
        }
    }
    for (file, text_) in [("rfc7517-jwks.json", RFC7517), ("rfc8037.json", RFC8037)] {
        for example in parse(file, text_)["jwk_thumbprints"]
            .as_array()
            .expect("thumbprints")
        {
            out.push((
                format!("thumbprint {}", text(example, "id")),
                example["jwk"].clone(),
            ));
        }
    }
    for case in cases() {
        for member in ["key", "public_key"] {
            if !case[member].is_null() {
                out.push((
                    format!("{} {member}", text(&case, "id")),
                    case[member].clone(),
                ));
            }
        }
    }
    out
}

fn b64url(s: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(s).unwrap_or_else(|e| panic!("not base64url ({e}): {s}"))
}

fn with_flipped_signature(token: &str) -> String {
    let (signing_input, signature) = token.rsplit_once('.').expect("three segments");
    let mut signature = b64url(signature);
    let middle = signature.len() / 2;
    signature[middle] ^= 0x01;
    format!(
        "{signing_input}.{}",
        Base64UrlUnpadded::encode_string(&signature)
    )
}

fn make_verifier(keys: KeySet, now: u64) -> Verifier {
    Verifier::with_key_set(keys)
        .with_validation(Validation::new().allow_missing_exp().clock(FixedClock(now)))
}

fn rejection(verifier: &Verifier, token: &str) -> ErrorKind {
    match verifier.verify::<Value>(token) {
        Ok(verified) => panic!("accepted, claims {:?}", verified.claims()),
        Err(error) => error.kind(),
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Every JWK has an explicit outcome

/// What importing a JWK must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// `Jwk::from_json` refuses it.
    ParseError(ErrorKind),
    /// It parses, but neither `verifying_key` nor (when it holds private members)
    /// `signing_key` will make a key of it.
    NotForVerification(ErrorKind),
    /// A verification key bound to `alg`; `private`: it also makes a signing key.
    Verifies { alg: Algorithm, private: bool },
}

use Outcome::{NotForVerification, ParseError, Verifies};

const fn verifies(alg: Algorithm) -> Outcome {
    Verifies {
        alg,
        private: false,
    }
}

const fn signs(alg: Algorithm) -> Outcome {
    Verifies { alg, private: true }
}

/// The expected outcome of every vector JWK, and the fallback algorithm it is imported with
/// (`None`: the JWK's own `alg`, or none at all).
fn expectations() -> BTreeMap<String, (Option<Algorithm>, Outcome)> {
    use Algorithm::{ES256, EdDSA, HS256, PS384, RS256};
    let unsupported_key = ParseError(ErrorKind::UnsupportedKey);
    let rows: Vec<(&str, Option<Algorithm>, Outcome)> = vec![
        // RFC 7520 section 3.
        ("rfc7520.json keys 3.1", None, unsupported_key), // P-521 public
        ("rfc7520.json keys 3.2", None, unsupported_key), // P-521 private
        ("rfc7520.json keys 3.3", Some(RS256), verifies(RS256)),
        ("rfc7520.json keys 3.4", Some(RS256), signs(RS256)),
        ("rfc7520.json keys 3.5", None, signs(HS256)), // its own alg HS256
        // use: enc, alg: A256GCM: refused by `use` before `alg` is looked at.
        (
            "rfc7520.json keys 3.6",
            None,
            NotForVerification(ErrorKind::UnsupportedKey),
        ),
        // RFC 8037 A.1/A.2.
        ("rfc8037.json keys A.1", Some(EdDSA), signs(EdDSA)),
        ("rfc8037.json keys A.2", Some(EdDSA), verifies(EdDSA)),
        // RFC 7517 Appendix A.
        (
            "rfc7517 A.1 keys[0]",
            Some(ES256),
            NotForVerification(ErrorKind::UnsupportedKey), // EC, use: enc
        ),
        ("rfc7517 A.1 keys[1]", None, verifies(RS256)), // its own alg RS256
        (
            "rfc7517 A.2 keys[0]",
            Some(ES256),
            NotForVerification(ErrorKind::UnsupportedKey), // EC private, use: enc
        ),
        ("rfc7517 A.2 keys[1]", None, signs(RS256)),
        (
            "rfc7517 A.3 keys[0]",
            None,
            NotForVerification(ErrorKind::UnsupportedAlgorithm), // alg: A128KW
        ),
        ("rfc7517 A.3 keys[1]", Some(HS256), signs(HS256)), // the RFC 7515 A.1 HMAC key
        // Thumbprint examples.
        ("thumbprint rfc7638-3.1", None, verifies(RS256)),
        ("thumbprint rfc8037-A.3", Some(EdDSA), verifies(EdDSA)),
        // Case keys, imported with the case's algorithm.
        ("rfc7515-A.1 key", Some(HS256), signs(HS256)),
        ("rfc7515-A.2 key", Some(RS256), signs(RS256)),
        ("rfc7515-A.2 public_key", Some(RS256), verifies(RS256)),
        ("rfc7515-A.3 key", Some(ES256), signs(ES256)),
        ("rfc7515-A.3 public_key", Some(ES256), verifies(ES256)),
        ("rfc7515-A.4 key", None, unsupported_key), // P-521
        ("rfc7515-A.4 public_key", None, unsupported_key),
        ("rfc7519-3.1 key", Some(HS256), signs(HS256)),
        ("rfc7520-4.1 key", Some(RS256), signs(RS256)),
        ("rfc7520-4.1 public_key", Some(RS256), verifies(RS256)),
        ("rfc7520-4.2 key", Some(PS384), signs(PS384)),
        ("rfc7520-4.2 public_key", Some(PS384), verifies(PS384)),
        ("rfc7520-4.3 key", None, unsupported_key), // P-521
        ("rfc7520-4.3 public_key", None, unsupported_key),
        ("rfc7520-4.4 key", Some(HS256), signs(HS256)),
        ("rfc7520-4.5 key", Some(HS256), signs(HS256)),
        ("rfc7520-4.6-compact key", Some(HS256), signs(HS256)),
        ("rfc7520-4.8-sig1-compact key", Some(RS256), signs(RS256)),
        (
            "rfc7520-4.8-sig1-compact public_key",
            Some(RS256),
            verifies(RS256),
        ),
        ("rfc7520-4.8-sig3-compact key", Some(HS256), signs(HS256)),
        ("rfc7797-4.1 key", Some(HS256), signs(HS256)),
        ("rfc7797-4.2 key", Some(HS256), signs(HS256)),
        ("rfc8037-A.4 key", Some(EdDSA), signs(EdDSA)),
        ("rfc8037-A.4 public_key", Some(EdDSA), verifies(EdDSA)),
    ];
    let mut map = BTreeMap::new();
    for (label, fallback, outcome) in rows {
        assert!(
            map.insert(label.to_owned(), (fallback, outcome)).is_none(),
            "duplicate row {label}"
        );
    }
    map
}

/// An algorithm of another key family than `alg`'s.
fn other_family(alg: Algorithm) -> Algorithm {
    if alg.is_hmac() {
        Algorithm::ES256
    } else {
        Algorithm::HS256
    }
}

/// Imports `jwk` and returns what happened, checking everything that outcome implies.
fn import(label: &str, jwk_value: &Value, fallback: Option<Algorithm>) -> Outcome {
    let jwk = match from_value(jwk_value) {
        Ok(jwk) => jwk,
        Err(error) => return ParseError(error.kind()),
    };
    // Metadata is read as written.
    assert_eq!(jwk.kid(), jwk_value["kid"].as_str(), "{label}");
    assert_eq!(jwk.alg(), jwk_value["alg"].as_str(), "{label}");
    assert_eq!(jwk.key_use(), jwk_value["use"].as_str(), "{label}");
    assert_eq!(jwk.key_type(), text(jwk_value, "kty"), "{label}");
    let has_private = jwk_value.get("d").is_some() || jwk_value["kty"] == "oct";
    assert_eq!(jwk.is_private(), has_private, "{label}");

    let verifying = match jwk.verifying_key(fallback) {
        Ok(key) => key,
        Err(error) => {
            if jwk.is_private() {
                assert_eq!(
                    jwk.signing_key(fallback).map(|_| ()).unwrap_err().kind(),
                    error.kind(),
                    "{label}: signing_key must refuse it for the same reason"
                );
            }
            return NotForVerification(error.kind());
        }
    };
    let alg = verifying.algorithm();
    assert_eq!(verifying.kid(), jwk.kid(), "{label}: kid carried over");

    // Import binds to exactly one algorithm: no alg and no fallback is refused, and a fallback
    // of another key family is refused (as a conflict with the JWK's own alg, or as a key type
    // that does not fit).
    if jwk.alg().is_none() {
        assert_eq!(
            jwk.verifying_key(None).unwrap_err().kind(),
            ErrorKind::InvalidKey,
            "{label}: no alg, no fallback"
        );
        assert_eq!(
            jwk.verifying_key(Some(other_family(alg)))
                .unwrap_err()
                .kind(),
            ErrorKind::KeyMismatch,
            "{label}: fallback of another family"
        );
    } else {
        assert_eq!(
            jwk.verifying_key(Some(other_family(alg)))
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidKey,
            "{label}: fallback conflicting with the JWK's alg"
        );
    }

    if !jwk.is_private() {
        assert_eq!(
            jwk.signing_key(fallback).map(|_| ()).unwrap_err().kind(),
            ErrorKind::InvalidKey,
            "{label}: a public JWK cannot sign"
        );
        return verifies(alg);
    }

    // Private: sign with it, verify with its public half (the JWK itself for oct).
    let signing = jwk
        .signing_key(fallback)
        .unwrap_or_else(|e| panic!("{label}: signing_key: {e}"));
    assert_eq!(signing.algorithm(), alg, "{label}");
    let token = jwt_core::encode(&signing, &json!({"sub": label, "exp": FAR_FUTURE}))
        .unwrap_or_else(|e| panic!("{label}: encode: {e}"));
    let public = match jwk.to_public() {
        Some(public) => {
            assert!(!public.is_private(), "{label}");
            assert!(!public.to_json().contains("\"d\""), "{label}");
            // RFC 7638: private members never count.
            assert_eq!(public.thumbprint(), jwk.thumbprint(), "{label}: thumbprint");
            public
        }
        None => {
            assert_eq!(jwk.key_type(), "oct", "{label}");
            jwk.clone()
        }
    };
    let public_key = public
        .verifying_key(fallback)
        .unwrap_or_else(|e| panic!("{label}: public half: {e}"));
    let verified = Verifier::new(public_key)
        .verify::<Value>(&token)
        .unwrap_or_else(|e| panic!("{label}: token signed by the private JWK: {e}"));
    assert_eq!(verified.claims()["sub"], label);
    assert_eq!(verified.header().kid(), jwk.kid(), "{label}");
    signs(alg)
}

#[test]
fn every_vector_jwk_has_its_expected_outcome() {
    let expected = expectations();
    let mut seen = BTreeMap::new();
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    for (label, jwk) in all_vector_jwks() {
        let Some(&(fallback, want)) = expected.get(&label) else {
            panic!("no expectation for vector JWK {label}: {jwk}");
        };
        let got = import(&label, &jwk, fallback);
        assert_eq!(got, want, "{label}");
        let bucket = match got {
            ParseError(kind) => format!("parse error {kind}"),
            NotForVerification(kind) => format!("not for verification: {kind}"),
            Verifies { private: false, .. } => "verifies (public)".to_owned(),
            Verifies { private: true, .. } => "verifies and signs (private)".to_owned(),
        };
        *tally.entry(bucket).or_default() += 1;
        assert!(seen.insert(label.clone(), ()).is_none(), "{label} twice");
    }
    let missing: Vec<_> = expected.keys().filter(|k| !seen.contains_key(*k)).collect();
    assert!(
        missing.is_empty(),
        "expectations for absent JWKs: {missing:?}"
    );
    let tally: Vec<(&str, usize)> = tally.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        tally,
        [
            ("not for verification: unsupported_algorithm", 1),
            ("not for verification: unsupported_key", 3),
            ("parse error unsupported_key", 6),
            ("verifies (public)", 11),
            ("verifies and signs (private)", 19),
        ]
    );
}

/// The case keys of RFC 7520 and RFC 8037 are the documents' named keys, so the named-key
/// expectations above also speak for them.
#[test]
fn case_keys_are_the_named_keys() {
    let rfc7520 = |name: &str| named_key("rfc7520.json", RFC7520, name);
    let rfc8037 = |name: &str| named_key("rfc8037.json", RFC8037, name);
    let mut checked = 0;
    for case in cases() {
        let case_id = text(&case, "id");
        let (key, public) = match case_id {
            "rfc7520-4.1" | "rfc7520-4.2" | "rfc7520-4.8-sig1-compact" => {
                (rfc7520("3.4"), Some(rfc7520("3.3")))
            }
            "rfc7520-4.3" => (rfc7520("3.2"), Some(rfc7520("3.1"))),
            "rfc7520-4.4" | "rfc7520-4.5" | "rfc7520-4.6-compact" | "rfc7520-4.8-sig3-compact" => {
                (rfc7520("3.5"), None)
            }
            "rfc8037-A.4" => (rfc8037("A.1"), Some(rfc8037("A.2"))),
            _ => continue,
        };
        assert_eq!(case["key"], key, "{case_id}");
        assert_eq!(
            case["public_key"],
            public.unwrap_or(Value::Null),
            "{case_id}"
        );
        checked += 1;
    }
    assert_eq!(checked, 9);
}

// ---------------------------------------------------------------------------------------------
// 2. Thumbprints

#[test]
fn rfc7638_and_rfc8037_thumbprints_match() {
    let mut checked = Vec::new();
    for (file, text_) in [("rfc7517-jwks.json", RFC7517), ("rfc8037.json", RFC8037)] {
        for example in parse(file, text_)["jwk_thumbprints"]
            .as_array()
            .expect("thumbprints")
        {
            let id = text(example, "id");
            assert_eq!(example["hash"], "SHA-256", "{id}");
            let jwk = from_value(&example["jwk"]).unwrap_or_else(|e| panic!("{id}: {e}"));
            let expected = text(example, "thumbprint_b64");
            assert_eq!(jwk.thumbprint(), expected, "{id}");
            if let Some(hex) = example["thumbprint_hex"].as_str() {
                let hex_of_b64: String = b64url(expected)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                assert_eq!(hex_of_b64, hex, "{id}: the vector's own hex and b64 agree");
            }
            // kid/alg/use never count: the same key without them, and re-serialised, agree.
            let mut bare = example["jwk"].clone();
            for optional in ["kid", "alg", "use"] {
                bare.as_object_mut().expect("object").remove(optional);
            }
            assert_eq!(from_value(&bare).expect("bare").thumbprint(), expected);
            assert_eq!(jwk.clone().with_kid("another kid").thumbprint(), expected);
            let reparsed = Jwk::from_json(&jwk.to_json()).expect("round trip");
            assert_eq!(reparsed.thumbprint(), expected, "{id}");
            checked.push(id.to_owned());
        }
    }
    assert_eq!(checked, ["rfc7638-3.1", "rfc8037-A.3"]);
}

#[test]
fn private_jwks_have_the_thumbprint_of_their_public_half() {
    let rfc7520 = |name: &str| named_key("rfc7520.json", RFC7520, name);
    let rfc8037 = |name: &str| named_key("rfc8037.json", RFC8037, name);
    let a1 = jwk_set("A.1");
    let a2 = jwk_set("A.2");
    let pairs = [
        ("RFC 8037 Ed25519", rfc8037("A.1"), rfc8037("A.2")),
        ("RFC 7520 RSA", rfc7520("3.4"), rfc7520("3.3")),
        ("RFC 7517 EC", a2["keys"][0].clone(), a1["keys"][0].clone()),
        ("RFC 7517 RSA", a2["keys"][1].clone(), a1["keys"][1].clone()),
    ];
    for (name, private, public) in pairs {
        let private = from_value(&private).unwrap_or_else(|e| panic!("{name}: {e}"));
        let public = from_value(&public).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(private.is_private() && !public.is_private(), "{name}");
        assert_eq!(private.thumbprint(), public.thumbprint(), "{name}");
        assert_eq!(
            private.to_public().expect("asymmetric").thumbprint(),
            public.thumbprint(),
            "{name}"
        );
    }
    // Both published examples are among them.
    assert_eq!(
        from_value(&rfc8037("A.1")).expect("A.1").thumbprint(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    assert_eq!(
        from_value(&a2["keys"][1]).expect("A.2 RSA").thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. RFC 7517 JWK Sets

#[test]
fn rfc7517_jwk_sets_parse_import_and_serialize() {
    // (set, parsed keys, KeySet keys with fallback [HS256, ES256], skipped at import:
    // (index, kind))
    type Row = (&'static str, usize, usize, &'static [(usize, ErrorKind)]);
    let rows: [Row; 3] = [
        ("A.1", 2, 1, &[(0, ErrorKind::UnsupportedKey)]), // EC use: enc
        ("A.2", 2, 1, &[(0, ErrorKind::UnsupportedKey)]), // EC use: enc
        ("A.3", 2, 1, &[(0, ErrorKind::UnsupportedAlgorithm)]), // oct alg: A128KW
    ];
    for (name, parsed, usable, skipped) in rows {
        let json = jwk_set(name).to_string();
        let set = JwkSet::from_json(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(set.keys().len(), parsed, "{name}");
        assert!(set.skipped().is_empty(), "{name}: every entry parses");

        let (keys, import_skipped) =
            KeySet::from_jwk_set(&set, &[Algorithm::HS256, Algorithm::ES256]);
        assert_eq!(keys.len(), usable, "{name}");
        let got: Vec<(usize, ErrorKind)> = import_skipped
            .iter()
            .map(|s| (s.index(), s.error().kind()))
            .collect();
        assert_eq!(got, skipped, "{name}");
        for entry in &import_skipped {
            // The reason is visible, with the entry's position and kid.
            let shown = entry.to_string();
            assert!(
                shown.starts_with(&format!("key #{}", entry.index())),
                "{shown}"
            );
            if let Some(kid) = entry.kid() {
                assert!(shown.contains(kid), "{shown}");
            }
        }

        // Serialise and re-parse: same keys, same metadata, same thumbprints.
        let again = JwkSet::from_json(&set.to_json()).expect("round trip");
        assert_eq!(again.keys().len(), set.keys().len(), "{name}");
        for (a, b) in set.keys().iter().zip(again.keys()) {
            assert_eq!(a.thumbprint(), b.thumbprint(), "{name}");
            assert_eq!(
                (a.kid(), a.alg(), a.key_use(), a.is_private()),
                (b.kid(), b.alg(), b.key_use(), b.is_private()),
                "{name}"
            );
            assert_eq!(a.to_json(), b.to_json(), "{name}");
        }
        // The JSON written is equivalent to the RFC's (same members, same values).
        let written: Value = serde_json::from_str(&set.to_json()).expect("JSON");
        assert_eq!(written, jwk_set(name), "{name}");
    }

    // With no fallback that fits the EC key, the use:enc key is still skipped, but the reason
    // given is the missing algorithm (checked before `use`), not its `use`.
    let set = JwkSet::from_json(&jwk_set("A.1").to_string()).expect("A.1");
    let (keys, skipped) = KeySet::from_jwk_set(&set, &[Algorithm::HS256]);
    assert_eq!(keys.len(), 1);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].error().kind(), ErrorKind::InvalidKey);

    // A.1's RSA key, found by kid, verifies RS256 and nothing else.
    let set = JwkSet::from_json(&jwk_set("A.1").to_string()).expect("A.1");
    let rsa = set.find("2011-04-29").expect("kid 2011-04-29");
    assert_eq!(rsa.alg(), Some("RS256"));
    assert!(set.find("nope").is_none());
    let (keys, _) = KeySet::from_jwk_set(&set, &[]);
    assert_eq!(keys.keys()[0].algorithm(), Algorithm::RS256);
    assert_eq!(keys.keys()[0].kid(), Some("2011-04-29"));
}

#[test]
fn rfc7520_keys_as_one_set_skip_unusable_entries_with_reasons() {
    let rfc7520 = parse("rfc7520.json", RFC7520);
    let keys: Vec<Value> = ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6"]
        .iter()
        .map(|name| rfc7520["keys"][*name]["jwk"].clone())
        .collect();
    // 3.3 and 3.4 share a kid, so each goes into a set of its own with 3.5 and the unusable keys.
    for rsa in ["3.3", "3.4"] {
        let chosen: Vec<Value> = ["3.1", "3.2", rsa, "3.5", "3.6"]
            .iter()
            .map(|name| rfc7520["keys"][*name]["jwk"].clone())
            .collect();
        let set = JwkSet::from_json(&json!({ "keys": chosen }).to_string()).expect("a JWK Set");
        // Parsing: the two P-521 keys are skipped, with their index, kid and reason.
        let skipped: Vec<(usize, Option<&str>, ErrorKind)> = set
            .skipped()
            .iter()
            .map(|s| (s.index(), s.kid(), s.error().kind()))
            .collect();
        let bilbo = Some("bilbo.baggins@hobbiton.example");
        assert_eq!(
            skipped,
            [
                (0, bilbo, ErrorKind::UnsupportedKey),
                (1, bilbo, ErrorKind::UnsupportedKey)
            ]
        );
        for s in set.skipped() {
            assert!(s.to_string().contains("P-521"), "{s}");
        }
        assert_eq!(set.keys().len(), 3);
        // Import: 3.6 (use: enc) is skipped too; the RSA key (no alg) takes the fallback.
        let (key_set, skipped) = KeySet::from_jwk_set(&set, &[Algorithm::PS384]);
        let algs: Vec<(Algorithm, Option<&str>)> = key_set
            .keys()
            .iter()
            .map(|k| (k.algorithm(), k.kid()))
            .collect();
        assert_eq!(
            algs,
            [
                (Algorithm::PS384, bilbo),
                (
                    Algorithm::HS256,
                    Some("018c0ae5-4d9b-471b-bfd6-eef314bc7037")
                )
            ]
        );
        let kinds: Vec<ErrorKind> = skipped.iter().map(|s| s.error().kind()).collect();
        assert_eq!(
            kinds,
            [
                ErrorKind::UnsupportedKey,
                ErrorKind::UnsupportedKey,
                ErrorKind::UnsupportedKey
            ]
        );
        assert_eq!(
            skipped[2].kid(),
            Some("1e571774-2e08-40da-8308-e8d68773842d"),
            "the use:enc key"
        );
    }
    assert_eq!(keys.len(), 6);
}

// ---------------------------------------------------------------------------------------------
// 4. The RFC tokens through JWK Sets

/// Keys unrelated to any case (algorithms no case uses for its own key, or other kids).
struct Unrelated {
    /// Public / oct JWKs with an `alg` and a `kid`.
    usable: Vec<Value>,
    /// Entries a set must skip: P-521 (parse) and RFC 7520 3.6 (use: enc, at import).
    unusable: Vec<Value>,
}

fn unrelated() -> Unrelated {
    let public = |alg: Algorithm, kid: &str| -> Value {
        let key = SigningKey::generate(alg).expect("generate").with_kid(kid);
        serde_json::from_str(&key.to_public_jwk().expect("public JWK").to_json()).expect("JSON")
    };
    let hmac = SigningKey::generate(Algorithm::HS512)
        .expect("generate")
        .with_kid("unrelated-hs512");
    let mut ps256 = jwk_set("A.1")["keys"][1].clone(); // a different RSA key than any case's
    ps256["alg"] = json!("PS256");
    ps256["kid"] = json!("unrelated-ps256");
    Unrelated {
        usable: vec![
            public(Algorithm::ES256, "unrelated-es256"),
            public(Algorithm::ES384, "unrelated-es384"),
            public(Algorithm::EdDSA, "unrelated-eddsa"),
            serde_json::from_str(&hmac.to_private_jwk().expect("oct").to_json()).expect("JSON"),
            ps256,
        ],
        unusable: vec![
            named_key("rfc7520.json", RFC7520, "3.1"),
            named_key("rfc7520.json", RFC7520, "3.6"),
        ],
    }
}

/// A key of `alg` that is not the case's key, under another kid.
fn decoy(alg: Algorithm) -> Value {
    if alg.is_hmac() {
        let key = SigningKey::generate(alg)
            .expect("generate")
            .with_kid("decoy");
        serde_json::from_str(&key.to_private_jwk().expect("oct").to_json()).expect("JSON")
    } else {
        assert_eq!(jwk_set("A.1")["keys"][1]["kty"], "RSA");
        let mut rsa = jwk_set("A.1")["keys"][1].clone();
        rsa["alg"] = json!(alg.name());
        rsa["kid"] = json!("decoy");
        rsa
    }
}

#[test]
fn rfc_tokens_verify_through_jwk_sets() {
    let unrelated = unrelated();
    let mut outcomes: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut without_key: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for case in cases() {
        if case["must_verify"] != true || case["alg_supported_by_ring"] != true {
            continue;
        }
        let case_id = text(&case, "id").to_owned();
        let alg = Algorithm::from_name(text(&case, "alg")).expect("ring-supported alg");
        let token = text(&case, "token");
        let now = case["suggested_verification_time"]
            .as_u64()
            .unwrap_or(ANY_TIME);
        let header_kid = case["header"]["kid"].as_str();

        let mut own = if alg.is_hmac() {
            case["key"].clone()
        } else {
            case["public_key"].clone()
        };
        assert!(own.get("d").is_none(), "{case_id}: a public key");
        match (header_kid, own["kid"].as_str()) {
            (Some(kid), Some(jwk_kid)) => assert_eq!(kid, jwk_kid, "{case_id}"),
            (Some(kid), None) => own["kid"] = json!(kid),
            (None, _) => {}
        }

        // The case key in the middle of unrelated keys and entries that must be skipped; a
        // same-algorithm decoy under another kid when the token names its key.
        let mut others: Vec<Value> = unrelated
            .usable
            .iter()
            .filter(|jwk| jwk["alg"] != alg.name())
            .cloned()
            .collect();
        if header_kid.is_some() {
            others.push(decoy(alg));
        }
        let build = |with_own: bool| {
            let mut entries = unrelated.unusable.clone();
            entries.extend(others.iter().cloned());
            if with_own {
                entries.insert(3, own.clone());
            }
            let set = JwkSet::from_json(&json!({ "keys": entries }).to_string())
                .unwrap_or_else(|e| panic!("{case_id}: {e}"));
            assert_eq!(set.skipped().len(), 1, "{case_id}: P-521 skipped");
            assert_eq!(set.keys().len(), entries.len() - 1, "{case_id}");
            let (keys, skipped) = KeySet::from_jwk_set(&set, &[alg]);
            let kinds: Vec<ErrorKind> = skipped.iter().map(|s| s.error().kind()).collect();
            assert_eq!(
                kinds,
                [ErrorKind::UnsupportedKey, ErrorKind::UnsupportedKey],
                "{case_id}: P-521 and use:enc skipped, nothing else"
            );
            assert_eq!(keys.len(), entries.len() - 2, "{case_id}");
            keys
        };

        let verifier = make_verifier(build(true), now);
        let outcome = if case["detached"] == true {
            // RFC 7520 4.5: detached content is not supported; refused before any key is used.
            assert_eq!(
                rejection(&verifier, token),
                ErrorKind::Malformed,
                "{case_id}"
            );
            "detached payload refused (Malformed)"
        } else if case["payload_is_json_object"] == true {
            let verified = verifier
                .verify::<Value>(token)
                .unwrap_or_else(|e| panic!("{case_id}: rejected: {e}"));
            assert_eq!(verified.claims(), &case["claims"], "{case_id}");
            assert_eq!(verified.header().algorithm(), alg, "{case_id}");
            assert_eq!(verified.header().kid(), header_kid, "{case_id}");
            assert_eq!(
                rejection(&verifier, &with_flipped_signature(token)),
                ErrorKind::InvalidSignature,
                "{case_id}: flipped signature"
            );
            "accepted"
        } else {
            assert_eq!(
                rejection(&verifier, token),
                ErrorKind::InvalidPayload,
                "{case_id}: a valid signature over a non-JSON payload"
            );
            assert_eq!(
                rejection(&verifier, &with_flipped_signature(token)),
                ErrorKind::InvalidSignature,
                "{case_id}: flipped signature"
            );
            "signature accepted, non-JSON payload refused (InvalidPayload)"
        };
        outcomes.entry(outcome).or_default().push(case_id.clone());

        // Without the case's key the token is refused at key selection: by kid when it names
        // one (the decoy has its algorithm), else because no key has its algorithm.
        let control = make_verifier(build(false), now);
        without_key
            .entry(rejection(&control, token).code())
            .or_default()
            .push(case_id);
    }

    let expected: BTreeMap<&str, Vec<String>> = [
        (
            "accepted",
            &["rfc7515-A.1", "rfc7515-A.2", "rfc7515-A.3", "rfc7519-3.1"][..],
        ),
        ("detached payload refused (Malformed)", &["rfc7520-4.5"][..]),
        (
            "signature accepted, non-JSON payload refused (InvalidPayload)",
            &[
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
    ]
    .into_iter()
    .map(|(k, ids)| (k, ids.iter().map(|&s| s.to_owned()).collect()))
    .collect();
    assert_eq!(outcomes, expected);
    let counts: Vec<usize> = outcomes.values().map(Vec::len).collect();
    assert_eq!(counts, [4, 1, 8]);

    let expected_without: BTreeMap<&str, Vec<String>> = [
        (
            ErrorKind::Malformed.code(),
            &["rfc7520-4.5"][..], // refused before key selection either way
        ),
        (
            ErrorKind::AlgorithmNotAllowed.code(),
            &[
                "rfc7515-A.1",
                "rfc7515-A.2",
                "rfc7515-A.3",
                "rfc7519-3.1",
                "rfc7520-4.6-compact",
                "rfc7520-4.8-sig1-compact",
                "rfc7797-4.1",
                "rfc8037-A.4",
            ][..],
        ),
        (
            ErrorKind::UnknownKeyId.code(),
            &[
                "rfc7520-4.1",
                "rfc7520-4.2",
                "rfc7520-4.4",
                "rfc7520-4.8-sig3-compact",
            ][..],
        ),
    ]
    .into_iter()
    .map(|(k, ids)| (k, ids.iter().map(|&s| s.to_owned()).collect()))
    .collect();
    assert_eq!(without_key, expected_without);
}

// ---------------------------------------------------------------------------------------------
// 5. Private RFC JWKs sign; their public JWKs verify

#[test]
fn private_rfc_jwks_sign_tokens_their_public_jwks_verify() {
    let rfc7520 = |name: &str| named_key("rfc7520.json", RFC7520, name);
    let rfc8037 = |name: &str| named_key("rfc8037.json", RFC8037, name);
    let a1 = jwk_set("A.1");
    let a2 = jwk_set("A.2");
    let rows = [
        (
            "RFC 7520 3.4 RS256",
            rfc7520("3.4"),
            rfc7520("3.3"),
            Algorithm::RS256,
        ),
        (
            "RFC 7520 3.4 PS384",
            rfc7520("3.4"),
            rfc7520("3.3"),
            Algorithm::PS384,
        ),
        (
            "RFC 8037 A.1",
            rfc8037("A.1"),
            rfc8037("A.2"),
            Algorithm::EdDSA,
        ),
        (
            "RFC 8037 A.1 as Ed25519",
            rfc8037("A.1"),
            rfc8037("A.2"),
            Algorithm::Ed25519,
        ),
        (
            "RFC 7517 A.2 RSA",
            a2["keys"][1].clone(),
            a1["keys"][1].clone(),
            Algorithm::RS256,
        ),
    ];
    for (name, private, public, alg) in rows {
        let private = from_value(&private).unwrap_or_else(|e| panic!("{name}: {e}"));
        let fallback = if private.alg().is_some() {
            None
        } else {
            Some(alg)
        };
        let signing = private
            .signing_key(fallback)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(signing.algorithm(), alg, "{name}");
        let token = jwt_core::encode(&signing, &json!({"sub": name, "exp": FAR_FUTURE}))
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        // Verified through a JWK Set holding the RFC's public JWK.
        let set = JwkSet::from_json(&json!({ "keys": [public] }).to_string()).expect("set");
        let (keys, skipped) = KeySet::from_jwk_set(&set, &[alg]);
        assert!(skipped.is_empty(), "{name}");
        let verifier = Verifier::with_key_set(keys);
        let verified = verifier
            .verify::<Value>(&token)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verified.claims()["sub"], name);
        assert_eq!(
            rejection(&verifier, &with_flipped_signature(&token)),
            ErrorKind::InvalidSignature,
            "{name}"
        );

        // The exported public JWK of the imported key is the RFC's key (same thumbprint).
        let exported = signing.to_public_jwk().expect("public JWK");
        assert_eq!(exported.thumbprint(), private.thumbprint(), "{name}");
        assert_eq!(exported.alg(), Some(alg.name()), "{name}");
    }

    // Ed25519 is deterministic: the same claims give the same token. (The RFC 8037 A.4 token
    // itself cannot be re-created: its payload is not JSON, see the module comment.)
    let ed = from_value(&rfc8037("A.1"))
        .expect("A.1")
        .signing_key(Some(Algorithm::EdDSA))
        .expect("Ed25519");
    let claims = json!({"sub": "deterministic"});
    assert_eq!(
        jwt_core::encode(&ed, &claims).expect("first"),
        jwt_core::encode(&ed, &claims).expect("second")
    );
}
