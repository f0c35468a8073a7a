//! Key files and `--secret`: what the bytes are, and which typed `jwt-core` key they become.
//!
//! Why classify before choosing: the best-known JWT attack feeds a *public* key's bytes to an
//! HMAC verifier as the "secret". `jwt-core` closes it for keys it parses, but a CLI that reads
//! "a file" could reopen it by hashing a PEM or JWK file as raw HMAC bytes. So every key input is
//! first classified by its content, and only content that is none of the known key formats is
//! ever an HMAC secret:
//!
//! - text containing `-----BEGIN` is PEM;
//! - UTF-8 text starting with `{` or `[`, or containing `"kty"`, also behind a byte order mark,
//!   is JSON and must be a JWK (`kty`) or a JWK Set (`keys`), else it is refused;
//! - text of either kind encoded as UTF-16 (a `FF FE` or `FE FF` byte order mark, as Windows
//!   editors save "Unicode") is refused with a request to save it as UTF-8;
//! - a DER `SEQUENCE` spanning the whole file that `jwt-core` recognises as a key container
//!   (PKCS#8, SPKI, PKCS#1, SEC1) is DER;
//! - anything else is raw bytes, usable only as an HMAC secret.
//!
//! The algorithm always comes from the command line or from the key's own JWK `alg`, never from
//! a token; `jwt-core` then checks that the key material fits it.

use std::path::Path;

use jwt_core::{Algorithm, Error, ErrorKind, Jwk, JwkSet, KeySet, SigningKey, VerifyingKey};

use crate::base64url;
use crate::cli::KeySource;
use crate::failure::{Failure, describe};
use crate::input;

/// What a key input turned out to be.
pub(crate) enum Material {
    /// Bytes in no key format: an HMAC secret, and nothing else.
    Secret(Vec<u8>),
    /// PEM text.
    Pem(String),
    /// A DER key container.
    Der(Vec<u8>),
    /// One JSON Web Key.
    Jwk(Box<Jwk>),
    /// A JSON Web Key Set.
    JwkSet(JwkSet),
}

/// A classified key input and where it came from (for messages).
pub(crate) struct LoadedKey {
    /// `key file 'path'` or `--secret`.
    pub(crate) origin: String,
    /// The classified content.
    pub(crate) material: Material,
}

/// Reads and classifies `--key FILE` or `--secret STRING`.
pub(crate) fn load(source: &KeySource) -> Result<LoadedKey, Failure> {
    match (&source.key, &source.secret) {
        (Some(path), _) => load_file(path),
        (None, Some(secret)) => {
            // `--secret` takes values starting with `-` (secrets may), so a forgotten value
            // swallows the next option: refuse what can only be an option name.
            let option_like = secret.strip_prefix("--").is_some_and(|name| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            });
            if option_like {
                return Err(Failure::usage(format!(
                    "--secret needs a value, but was followed by the option {secret}"
                )));
            }
            let origin = "--secret".to_owned();
            let material = classify(secret.as_bytes().to_vec(), &origin)?;
            Ok(LoadedKey { origin, material })
        }
        (None, None) => Err(Failure::usage(
            "one of --key FILE or --secret STRING is required",
        )),
    }
}

/// Reads and classifies one key file.
pub(crate) fn load_file(path: &Path) -> Result<LoadedKey, Failure> {
    let origin = format!("key file {}", input::quoted(path));
    let material = classify(input::file_bytes(path)?, &origin)?;
    Ok(LoadedKey { origin, material })
}

/// The UTF-8 byte order mark some editors put in front of text files.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decides what `bytes` are; see the module documentation for the rules.
///
/// Anything that looks like a key *document* (PEM armour, JSON starting with `{` or `[`, a
/// `"kty"` member anywhere, also behind a byte order mark) is read as one or refused, and never
/// falls through to "raw bytes are an HMAC secret": a public JWK Set used as a secret would let
/// anyone holding it forge tokens.
fn classify(bytes: Vec<u8>, origin: &str) -> Result<Material, Failure> {
    let text = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    if contains(text, b"-----BEGIN") {
        return String::from_utf8(text.to_vec())
            .map(Material::Pem)
            .map_err(|_| Failure::usage(format!("{origin} looks like PEM but is not UTF-8 text")));
    }
    // Only UTF-8 text is judged as JSON: random secret bytes may well start with `{` or `[`.
    if let Ok(json) = std::str::from_utf8(text) {
        if looks_like_a_key_document(json) {
            return classify_json(json, origin);
        }
    }
    if utf16_key_document(&bytes) {
        return Err(Failure::usage(format!(
            "{origin} is a key document saved as UTF-16; save it as UTF-8 (it is never used as \
             raw HMAC bytes)"
        )));
    }
    if is_der_key(&bytes) {
        return Ok(Material::Der(bytes));
    }
    Ok(Material::Secret(bytes))
}

/// JSON text that can only be meant as a key: an object or array, or a `"kty"` member anywhere.
fn looks_like_a_key_document(text: &str) -> bool {
    text.trim_start().starts_with(['{', '[']) || text.contains("\"kty\"")
}

/// Whether `bytes` are UTF-16 text (behind its byte order mark) of a PEM or JSON key document.
fn utf16_key_document(bytes: &[u8]) -> bool {
    let (little_endian, body) = match bytes {
        [0xFF, 0xFE, body @ ..] => (true, body),
        [0xFE, 0xFF, body @ ..] => (false, body),
        _ => return false,
    };
    let units = body.chunks_exact(2).map(|pair| match pair {
        [a, b] if little_endian => u16::from_le_bytes([*a, *b]),
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    text.contains("-----BEGIN") || looks_like_a_key_document(&text)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// A JSON key file: a JWK Set (`keys`) or a JWK (`kty`); any other JSON is refused, never hashed.
fn classify_json(text: &str, origin: &str) -> Result<Material, Failure> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|_| {
            Failure::usage(format!(
                "{origin} starts like JSON but is not a JSON object; a JWK or JWK Set was expected"
            ))
        })?;
    if object.contains_key("keys") {
        JwkSet::from_json(text)
            .map(Material::JwkSet)
            .map_err(|e| Failure::usage_from(format!("{origin} is not a usable JWK Set"), &e))
    } else if object.contains_key("kty") {
        Jwk::from_json(text)
            .map(|jwk| Material::Jwk(Box::new(jwk)))
            .map_err(|e| Failure::usage_from(format!("{origin} is not a usable JWK"), &e))
    } else {
        Err(Failure::usage(format!(
            "{origin} is a JSON object but neither a JWK (\"kty\") nor a JWK Set (\"keys\")"
        )))
    }
}

/// Whether `bytes` are one DER `SEQUENCE` spanning the input that `jwt-core` recognises as a key
/// container. Random secrets fail the first test almost always and the second one always.
fn is_der_key(bytes: &[u8]) -> bool {
    if !der_sequence_spans(bytes) {
        return false;
    }
    let recognised = |result: Result<(), Error>| match result {
        Ok(()) => true,
        Err(e) => e.kind() != ErrorKind::InvalidKey,
    };
    // Each constructor parses its container before checking the key family, so one algorithm
    // per container suffices; the PKCS#1 ones check the family first, so they get an RSA one.
    recognised(VerifyingKey::from_spki_der(Algorithm::RS256, bytes).map(drop))
        || recognised(SigningKey::from_pkcs8_der(Algorithm::RS256, bytes).map(drop))
        || recognised(VerifyingKey::from_pkcs1_der(Algorithm::RS256, bytes).map(drop))
        || recognised(SigningKey::from_pkcs1_der(Algorithm::RS256, bytes).map(drop))
        || recognised(SigningKey::from_sec1_der(Algorithm::ES256, bytes).map(drop))
}

/// `30 <length>` where the length (short or long form, up to 4 bytes) covers the rest exactly.
fn der_sequence_spans(bytes: &[u8]) -> bool {
    let [0x30, first, rest @ ..] = bytes else {
        return false;
    };
    let (len, rest) = if *first < 0x80 {
        (usize::from(*first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return false;
        }
        let Some((len_bytes, rest)) = rest.split_at_checked(count) else {
            return false;
        };
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, rest)
    };
    len == rest.len()
}

/// RSA algorithms (RS*, PS*).
fn is_rsa(alg: Algorithm) -> bool {
    matches!(alg.name().get(..2), Some("RS" | "PS"))
}

/// ECDSA algorithms (ES256, ES384).
fn is_ec(alg: Algorithm) -> bool {
    alg.name().starts_with("ES")
}

/// The algorithm named on the command line; without one, the key's: an EC or Ed25519 key in a
/// PEM or DER container has exactly one (ES256, ES384, EdDSA, as `jwt jwks` publishes it), so
/// nothing is guessed. RSA keys (RS* or PS*?) and raw HMAC secrets need `--alg`.
fn need_alg(alg: Option<Algorithm>, key: &LoadedKey) -> Result<Algorithm, Failure> {
    if let Some(alg) = alg {
        return Ok(alg);
    }
    if matches!(key.material, Material::Pem(_) | Material::Der(_)) {
        return public_key(key, None, None).map(|public| public.algorithm());
    }
    Err(Failure::usage(format!(
        "--alg is required: {} does not name its algorithm (a JWK with \"alg\", an EC or an \
         Ed25519 key does)",
        key.origin
    )))
}

/// Refuses PEM/DER material for HMAC: a key container is never an HMAC secret.
fn refuse_container_for_hmac(alg: Algorithm, key: &LoadedKey, what: &str) -> Result<(), Failure> {
    if alg.is_hmac() {
        return Err(Failure::usage(format!(
            "{} is a {what} key, which is never used as an HMAC secret; {alg} needs a raw secret \
             file, --secret, or an oct JWK",
            key.origin
        )));
    }
    Ok(())
}

/// Refuses raw bytes for asymmetric algorithms.
fn refuse_secret_for_asymmetric(alg: Algorithm, key: &LoadedKey) -> Result<(), Failure> {
    if alg.is_hmac() {
        return Ok(());
    }
    Err(Failure::usage(if key.origin == "--secret" {
        format!("--secret is only for HS256/HS384/HS512; {alg} needs --key FILE")
    } else {
        format!(
            "{} is not a PEM, DER or JWK key (raw bytes are only ever HMAC secrets); {alg} needs one",
            key.origin
        )
    }))
}

/// A key error while building a key from `key`, with a hint for short HMAC secrets.
fn key_failure(key: &LoadedKey, error: &Error) -> Failure {
    // Not for an empty secret, which is never accepted (the flag would not help).
    let message = error.to_string();
    if error.kind() == ErrorKind::WeakKey
        && message.contains("secret")
        && !message.contains("never accepted")
    {
        return Failure::usage(format!(
            "{}: {}; pass --allow-short-secret to accept it anyway",
            key.origin,
            describe(error)
        ));
    }
    Failure::usage_from(&key.origin, error)
}

fn hmac_signing_key(alg: Algorithm, secret: &[u8], allow_short: bool) -> Result<SigningKey, Error> {
    if allow_short {
        SigningKey::danger_from_short_hmac_secret(alg, secret)
    } else {
        SigningKey::from_hmac_secret(alg, secret)
    }
}

/// A signing key from DER: PKCS#8, else PKCS#1 (RSA) or SEC1 (EC).
fn der_signing_key(alg: Algorithm, der: &[u8]) -> Result<SigningKey, Error> {
    let pkcs8 = match SigningKey::from_pkcs8_der(alg, der) {
        Ok(key) => return Ok(key),
        Err(e) => e,
    };
    let other = if is_rsa(alg) {
        SigningKey::from_pkcs1_der(alg, der)
    } else if is_ec(alg) {
        SigningKey::from_sec1_der(alg, der)
    } else {
        Err(Error::InvalidKey("not a PKCS#8 private key".into()))
    };
    let other = match other {
        Ok(key) => return Ok(key),
        Err(e) => e,
    };
    if pkcs8.kind() != ErrorKind::InvalidKey {
        return Err(pkcs8);
    }
    if other.kind() != ErrorKind::InvalidKey {
        return Err(other);
    }
    if der_verifying_key(alg, der).is_ok() {
        return Err(Error::UnsupportedKey(
            "a public key cannot sign; load the private key".into(),
        ));
    }
    Err(pkcs8)
}

/// A verifying key from DER: SPKI, PKCS#1 public (RSA), or any private container.
fn der_verifying_key(alg: Algorithm, der: &[u8]) -> Result<VerifyingKey, Error> {
    let spki = match VerifyingKey::from_spki_der(alg, der) {
        Ok(key) => return Ok(key),
        Err(e) => e,
    };
    if spki.kind() != ErrorKind::InvalidKey {
        return Err(spki);
    }
    if is_rsa(alg) {
        match VerifyingKey::from_pkcs1_der(alg, der) {
            Ok(key) => return Ok(key),
            Err(e) if e.kind() != ErrorKind::InvalidKey => return Err(e),
            Err(_) => {}
        }
    }
    let pkcs8 = SigningKey::from_pkcs8_der(alg, der);
    let other = if is_rsa(alg) {
        SigningKey::from_pkcs1_der(alg, der)
    } else if is_ec(alg) {
        SigningKey::from_sec1_der(alg, der)
    } else {
        Err(Error::InvalidKey("not a key container".into()))
    };
    match (pkcs8, other) {
        (Ok(key), _) | (_, Ok(key)) => Ok(key.verifying_key()),
        (Err(e), _) if e.kind() != ErrorKind::InvalidKey => Err(e),
        (_, Err(e)) if e.kind() != ErrorKind::InvalidKey => Err(e),
        _ => Err(spki),
    }
}

/// The secret of an `oct` JWK, for `--allow-short-secret` (which `jwt-core`'s JWK import does
/// not offer). Read back from the JWK's own serialisation.
fn oct_secret(jwk: &Jwk) -> Option<Vec<u8>> {
    let json: serde_json::Value = serde_json::from_str(&jwk.to_json()).ok()?;
    base64url::decode(json.get("k")?.as_str()?)
}

/// The algorithm a short-secret `oct` JWK is used with: `--alg`, else its own `alg`.
fn oct_alg(jwk: &Jwk, alg: Option<Algorithm>) -> Option<Algorithm> {
    alg.or_else(|| jwk.alg().and_then(|name| Algorithm::from_name(name).ok()))
}

/// Describes one JWK for messages: the origin, and its kid when it has one.
fn jwk_origin(key: &LoadedKey, jwk: &Jwk) -> String {
    match jwk.kid() {
        Some(kid) => format!("{} (JWK with kid {kid:?})", key.origin),
        None => key.origin.clone(),
    }
}

fn require_jwk_alg(jwk: &Jwk, alg: Option<Algorithm>, origin: &str) -> Result<(), Failure> {
    if alg.is_none() && jwk.alg().is_none() {
        return Err(Failure::usage(format!(
            "--alg is required: {origin} has no \"alg\" member"
        )));
    }
    Ok(())
}

fn jwk_signing_key(
    key: &LoadedKey,
    jwk: &Jwk,
    alg: Option<Algorithm>,
    allow_short: bool,
) -> Result<SigningKey, Failure> {
    let origin = jwk_origin(key, jwk);
    require_jwk_alg(jwk, alg, &origin)?;
    match jwk.signing_key(alg) {
        Ok(signing) => Ok(signing),
        Err(e) if e.kind() == ErrorKind::WeakKey && allow_short && jwk.key_type() == "oct" => {
            let (Some(alg), Some(secret)) = (oct_alg(jwk, alg), oct_secret(jwk)) else {
                return Err(Failure::usage_from(&origin, &e));
            };
            let signing = SigningKey::danger_from_short_hmac_secret(alg, &secret)
                .map_err(|e| Failure::usage_from(&origin, &e))?;
            Ok(match jwk.kid() {
                Some(kid) => signing.with_kid(kid),
                None => signing,
            })
        }
        Err(e) => Err(jwk_failure(&origin, jwk, &e)),
    }
}

fn jwk_verifying_key(
    key: &LoadedKey,
    jwk: &Jwk,
    alg: Option<Algorithm>,
    allow_short: bool,
) -> Result<VerifyingKey, Failure> {
    let origin = jwk_origin(key, jwk);
    require_jwk_alg(jwk, alg, &origin)?;
    match jwk.verifying_key(alg) {
        Ok(verifying) => Ok(verifying),
        Err(e) if e.kind() == ErrorKind::WeakKey && allow_short && jwk.key_type() == "oct" => {
            let (Some(alg), Some(secret)) = (oct_alg(jwk, alg), oct_secret(jwk)) else {
                return Err(Failure::usage_from(&origin, &e));
            };
            let verifying = VerifyingKey::danger_from_short_hmac_secret(alg, &secret)
                .map_err(|e| Failure::usage_from(&origin, &e))?;
            Ok(match jwk.kid() {
                Some(kid) => verifying.with_kid(kid),
                None => verifying,
            })
        }
        Err(e) => Err(jwk_failure(&origin, jwk, &e)),
    }
}

/// A JWK's import error; a short `oct` secret is told about `--allow-short-secret`.
fn jwk_failure(origin: &str, jwk: &Jwk, error: &Error) -> Failure {
    // Not for an empty secret, which is never accepted (the flag would not help).
    if error.kind() == ErrorKind::WeakKey
        && jwk.key_type() == "oct"
        && !error.to_string().contains("never accepted")
    {
        return Failure::usage(format!(
            "{origin}: {}; pass --allow-short-secret to accept it anyway",
            describe(error)
        ));
    }
    Failure::usage_from(origin, error)
}

/// The key `encode` signs with. With a JWK Set, `kid` chooses the entry (a set of one key
/// needs none).
pub(crate) fn signing_key(
    key: &LoadedKey,
    alg: Option<Algorithm>,
    kid: Option<&str>,
    allow_short: bool,
) -> Result<SigningKey, Failure> {
    match &key.material {
        Material::Secret(secret) => {
            let alg = need_alg(alg, key)?;
            refuse_secret_for_asymmetric(alg, key)?;
            hmac_signing_key(alg, secret, allow_short).map_err(|e| key_failure(key, &e))
        }
        Material::Pem(pem) => {
            let alg = need_alg(alg, key)?;
            refuse_container_for_hmac(alg, key, "PEM")?;
            SigningKey::from_pem(alg, pem).map_err(|e| key_failure(key, &e))
        }
        Material::Der(der) => {
            let alg = need_alg(alg, key)?;
            refuse_container_for_hmac(alg, key, "DER")?;
            der_signing_key(alg, der).map_err(|e| key_failure(key, &e))
        }
        Material::Jwk(jwk) => jwk_signing_key(key, jwk, alg, allow_short),
        Material::JwkSet(set) => {
            let jwk = match kid {
                Some(kid) => set.find(kid).ok_or_else(|| {
                    Failure::usage(format!("{} has no key with kid {kid:?}", key.origin))
                })?,
                None => match set.keys() {
                    [only] => only,
                    keys => {
                        return Err(Failure::usage(format!(
                            "{} holds {} usable keys; choose one with --kid",
                            key.origin,
                            keys.len()
                        )));
                    }
                },
            };
            jwk_signing_key(key, jwk, alg, allow_short)
        }
    }
}

/// The single verifying key of a non-set key input.
fn verifying_key(
    key: &LoadedKey,
    alg: Option<Algorithm>,
    allow_short: bool,
) -> Result<VerifyingKey, Failure> {
    match &key.material {
        Material::Secret(secret) => {
            let alg = need_alg(alg, key)?;
            refuse_secret_for_asymmetric(alg, key)?;
            hmac_signing_key(alg, secret, allow_short)
                .map(|k| k.verifying_key())
                .map_err(|e| key_failure(key, &e))
        }
        Material::Pem(pem) => {
            let alg = need_alg(alg, key)?;
            refuse_container_for_hmac(alg, key, "PEM")?;
            VerifyingKey::from_pem(alg, pem).map_err(|e| key_failure(key, &e))
        }
        Material::Der(der) => {
            let alg = need_alg(alg, key)?;
            refuse_container_for_hmac(alg, key, "DER")?;
            der_verifying_key(alg, der).map_err(|e| key_failure(key, &e))
        }
        Material::Jwk(jwk) => jwk_verifying_key(key, jwk, alg, allow_short),
        Material::JwkSet(_) => Err(Failure::usage("internal: a JWK Set is not a single key")),
    }
}

/// The keys `decode` verifies `token` with.
///
/// For a JWK Set the token's `kid` (read, unverified, only to route) selects the entries with
/// exactly that kid; no other key is ever tried. A kid naming no key rejects the token. A token
/// without `kid` is left to `jwt-core`'s rule: accepted only when exactly one key fits its alg.
pub(crate) fn verifying_keys(
    key: &LoadedKey,
    alg: Option<Algorithm>,
    allow_short: bool,
    token: &str,
) -> Result<KeySet, Failure> {
    let set = match &key.material {
        Material::JwkSet(set) => set,
        _ => {
            let single = verifying_key(key, alg, allow_short)?;
            return KeySet::new([single]).map_err(|e| Failure::usage_from(&key.origin, &e));
        }
    };
    let header = jwt_core::danger_decode_unverified(token)
        .map_err(|e| Failure::rejected(&e))?
        .into_header();
    let keys = match header.kid() {
        Some(kid) => {
            let named: Vec<&Jwk> = set
                .keys()
                .iter()
                .filter(|jwk| jwk.kid() == Some(kid))
                .collect();
            if named.is_empty() {
                if let Some(skipped) = set.skipped().iter().find(|s| s.kid() == Some(kid)) {
                    return Err(Failure::usage(format!(
                        "{}: the entry with the token's kid cannot be used: {}",
                        key.origin,
                        describe(skipped.error())
                    )));
                }
                return Err(Failure::rejected(&Error::UnknownKeyId));
            }
            named
                .into_iter()
                .map(|jwk| jwk_verifying_key(key, jwk, alg, allow_short))
                .collect::<Result<Vec<_>, _>>()?
        }
        None => {
            // Entries that cannot verify (other use, no alg, ...) are left out, as jwt-core's
            // own JWK Set import does; if none is left, the first reason is the answer.
            let mut usable = Vec::new();
            let mut first_failure = None;
            for jwk in set.keys() {
                match jwk_verifying_key(key, jwk, alg, allow_short) {
                    Ok(verifying) => usable.push(verifying),
                    Err(failure) => {
                        first_failure.get_or_insert(failure);
                    }
                }
            }
            if usable.is_empty() {
                return Err(first_failure.unwrap_or_else(|| {
                    Failure::usage(format!("{} holds no usable key", key.origin))
                }));
            }
            usable
        }
    };
    KeySet::new(keys).map_err(|e| Failure::usage_from(&key.origin, &e))
}

/// The public key behind PEM/DER/JWK material for `jwks`, with `alg` given or inferred from
/// the key type (EC curve, Ed25519); RSA keys need `alg`.
pub(crate) fn public_key(
    key: &LoadedKey,
    jwk: Option<&Jwk>,
    alg: Option<Algorithm>,
) -> Result<VerifyingKey, Failure> {
    let build = |alg: Algorithm| -> Result<VerifyingKey, Error> {
        match (jwk, &key.material) {
            (Some(jwk), _) => jwk.verifying_key(Some(alg)),
            (None, Material::Pem(pem)) => VerifyingKey::from_pem(alg, pem),
            (None, Material::Der(der)) => der_verifying_key(alg, der),
            _ => Err(Error::UnsupportedKey("not a public-key container".into())),
        }
    };
    let origin = match jwk {
        Some(jwk) => jwk_origin(key, jwk),
        None => key.origin.clone(),
    };
    if let Some(jwk) = jwk {
        if jwk.key_type() == "oct" {
            return Err(Failure::usage(format!(
                "{origin} is an HMAC (oct) key, which has no public form and is never published"
            )));
        }
        if alg.is_none() && jwk.alg().is_some() {
            return jwk
                .verifying_key(None)
                .map_err(|e| Failure::usage_from(&origin, &e));
        }
    }
    if let Some(alg) = alg {
        if alg.is_hmac() {
            return Err(Failure::usage(format!(
                "{alg} keys are HMAC secrets, which are never published in a JWK Set"
            )));
        }
        return build(alg).map_err(|e| Failure::usage_from(&origin, &e));
    }
    // No algorithm named: the key type decides, except for RSA (RS* or PS*?).
    let mut first_error = None;
    for candidate in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
        match build(candidate) {
            Ok(public) => return Ok(public),
            Err(e) if e.kind() != ErrorKind::KeyMismatch => {
                return Err(Failure::usage_from(&origin, &e));
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match build(Algorithm::RS256) {
        Ok(_) => Err(Failure::usage(format!(
            "{origin} is an RSA key: name its algorithm with --alg (RS256, PS256, ...)"
        ))),
        Err(e) if e.kind() != ErrorKind::KeyMismatch => Err(Failure::usage_from(&origin, &e)),
        Err(e) => Err(Failure::usage_from(
            &origin,
            first_error.as_ref().unwrap_or(&e),
        )),
    }
}

// Unit tests fail by unwrapping; the library code above stays under the workspace lints.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn der_sequence_length_forms() {
        assert!(der_sequence_spans(&[0x30, 0x00]));
        assert!(der_sequence_spans(&[0x30, 0x01, 0xff]));
        assert!(der_sequence_spans(&[0x30, 0x81, 0x01, 0xff]));
        assert!(!der_sequence_spans(&[0x30, 0x02, 0xff]));
        assert!(!der_sequence_spans(&[0x30, 0x80]));
        assert!(!der_sequence_spans(&[0x31, 0x00]));
        assert!(!der_sequence_spans(&[]));
    }

    #[test]
    fn classification() {
        let origin = "test";
        assert!(matches!(
            classify(b"0123456789abcdef0123456789abcdef".to_vec(), origin).unwrap(),
            Material::Secret(_)
        ));
        assert!(matches!(
            classify(b"  -----BEGIN PUBLIC KEY-----\n".to_vec(), origin).unwrap(),
            Material::Pem(_)
        ));
        assert!(classify(br#"{"a":1}"#.to_vec(), origin).is_err());
        assert!(classify(b"{not json".to_vec(), origin).is_err());
        assert!(matches!(
            classify(br#"{"keys":[]}"#.to_vec(), origin).unwrap(),
            Material::JwkSet(_)
        ));
        // A short DER-looking SEQUENCE that is no key stays a secret.
        assert!(matches!(
            classify(vec![0x30, 0x03, 0x02, 0x01, 0x00], origin).unwrap(),
            Material::Secret(_)
        ));
    }

    #[test]
    fn algorithm_families() {
        assert!(is_rsa(Algorithm::PS384) && is_rsa(Algorithm::RS256));
        assert!(!is_rsa(Algorithm::ES256) && is_ec(Algorithm::ES384));
        assert!(!is_ec(Algorithm::EdDSA) && !is_rsa(Algorithm::HS256));
    }
}
