//! Issuing tokens: compact JSON, header members in a fixed order, signed over the exact bytes.
//!
//! The header is `{"alg":..,"typ":..,"kid":..}` followed by any extra members, serialised once per
//! [`Encoder`] and reused for every token it signs. `alg` comes from the key and cannot be set.
//! With the default header the output is byte-identical to PyJWT 2.x for the same claims.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::Serialize;

use crate::algorithm::Algorithm;
use crate::base64url;
use crate::error::Error;
use crate::json::write::Unwritable;
use crate::keys::SigningKey;

/// Header member names the encoder writes itself or that would change how tokens are verified.
const RESERVED: &[&str] = &["alg", "typ", "kid", "cty", "crit", "b64"];

/// Signs `claims` with `key` under the default header (`alg`, `typ: "JWT"`, and the key's `kid`).
///
/// ```
/// use jwt_core::{Algorithm, SigningKey};
///
/// let key = SigningKey::danger_from_short_hmac_secret(Algorithm::HS256, b"secret")?;
/// let token = jwt_core::encode(&key, &serde_json::json!({"user-id": 5}))?;
/// // Byte for byte what PyJWT 2.x produces for jwt.encode({"user-id": 5}, "secret", algorithm="HS256").
/// assert_eq!(token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyLWlkIjo1fQ.8zgQkC0KHA-PY_49M2qCMt2Uj5RpX9sfhRPIZi-imao");
/// # Ok::<(), jwt_core::Error>(())
/// ```
///
/// One heap allocation per token, the token itself (two when the claims outgrow its first
/// allocation: beyond about 500 bytes with an HMAC or ECDSA key, 300 with RSA). The claims' JSON
/// is written to a buffer each signing thread keeps, up to 16 KiB.
///
/// # Errors
/// [`Error::Encoding`] if `claims` does not serialise to a JSON object, or names a member
/// `$serde_json::private::...` (serde_json would read it back as something else, so verifiers
/// refuse it); [`Error::Signing`] if the crypto backend fails.
pub fn encode<C: Serialize + ?Sized>(key: &SigningKey, claims: &C) -> Result<String, Error> {
    Encoder::new(key).encode(claims)
}

/// Signs tokens with one key and one header, prepared once.
///
/// ```
/// use jwt_core::{Algorithm, Encoder, SigningKey};
///
/// let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[9; 32])?;
/// let encoder = Encoder::new(&key).typ("at+jwt").kid("2026-11").member("x-tenant", "acme")?;
/// let token = encoder.encode(&serde_json::json!({"sub": "alice"}))?;
/// let header = jwt_core::danger_decode_unverified(&token)?.into_header();
/// assert_eq!(header.typ(), Some("at+jwt"));
/// assert_eq!(header.kid(), Some("2026-11"));
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Encoder<'k> {
    key: &'k SigningKey,
    /// The encoded header followed by `.`, rebuilt whenever a member changes; for the default
    /// header a constant (key without `kid`) or the key's own, made once by `with_kid`.
    prefix: Cow<'k, str>,
    /// The header members set on this encoder; `None` for the default header, so that making
    /// and dropping an encoder for every token (as [`encode`] does) costs next to nothing.
    members: Option<Box<Members>>,
}

/// The header members an [`Encoder`] writes besides `alg`.
#[derive(Clone)]
struct Members {
    typ: Option<Cow<'static, str>>,
    /// Overrides the key's `kid` when set.
    kid: Option<String>,
    cty: Option<String>,
    extra: Vec<(String, serde_json::Value)>,
}

/// The members of the default header: `typ: "JWT"` (and the key's own `kid`).
static DEFAULT_MEMBERS: Members = Members {
    typ: Some(Cow::Borrowed("JWT")),
    kid: None,
    cty: None,
    extra: Vec::new(),
};

impl<'k> Encoder<'k> {
    /// An encoder with the default header: `typ: "JWT"` and the key's `kid`, if any.
    pub fn new(key: &'k SigningKey) -> Self {
        // No allocation: `jwt_core::encode` makes an encoder for every token.
        Encoder {
            key,
            prefix: Cow::Borrowed(
                key.header_prefix()
                    .unwrap_or(default_prefix(key.algorithm())),
            ),
            members: None,
        }
    }

    /// Sets the `typ` header (e.g. `at+jwt` for RFC 9068 access tokens).
    #[must_use]
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.members_mut().typ = Some(Cow::Owned(typ.into()));
        self.rebuild();
        self
    }

    /// Leaves `typ` out of the header.
    #[must_use]
    pub fn without_typ(mut self) -> Self {
        self.members_mut().typ = None;
        self.rebuild();
        self
    }

    /// Sets the `kid` header, overriding the key's own.
    #[must_use]
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.members_mut().kid = Some(kid.into());
        self.rebuild();
        self
    }

    /// Sets the `cty` header.
    #[must_use]
    pub fn content_type(mut self, cty: impl Into<String>) -> Self {
        self.members_mut().cty = Some(cty.into());
        self.rebuild();
        self
    }

    /// Adds a header member after the standard ones.
    ///
    /// # Errors
    /// [`Error::Encoding`] for the names the encoder manages (`alg`, `typ`, `kid`, `cty`) or that
    /// would make verifiers reject the token (`crit`, `b64`), for names added twice, and for values
    /// that cannot be serialised.
    pub fn member(mut self, name: impl Into<String>, value: impl Serialize) -> Result<Self, Error> {
        let name = name.into();
        if RESERVED.contains(&name.as_str()) {
            return Err(Error::Encoding(
                "that header member is set by the encoder or not supported",
            ));
        }
        let members = self.members_mut();
        if members.extra.iter().any(|(existing, _)| *existing == name) {
            return Err(Error::Encoding("header member added twice"));
        }
        let value = serde_json::to_value(value)
            .map_err(|_| Error::Encoding("a header value cannot be serialised"))?;
        members.extra.push((name, value));
        self.rebuild();
        Ok(self)
    }

    /// The header members: this encoder's, or the default ones.
    fn members(&self) -> &Members {
        self.members.as_deref().unwrap_or(&DEFAULT_MEMBERS)
    }

    fn members_mut(&mut self) -> &mut Members {
        self.members
            .get_or_insert_with(|| Box::new(DEFAULT_MEMBERS.clone()))
    }

    /// The `kid` the header gets: the encoder's, else the key's.
    fn kid_member(&self) -> Option<&str> {
        self.members().kid.as_deref().or_else(|| self.key.kid())
    }

    fn rebuild(&mut self) {
        let alg = self.key.algorithm();
        let kid = self.kid_member();
        let members = self.members();
        let default_members = members.typ.as_deref() == Some("JWT")
            && members.cty.is_none()
            && members.extra.is_empty();
        let keys_own = self
            .key
            .header_prefix()
            .filter(|_| default_members && kid == self.key.kid());
        let prefix = if default_members && kid.is_none() {
            Cow::Borrowed(default_prefix(alg))
        } else if let Some(prefix) = keys_own {
            Cow::Borrowed(prefix)
        } else {
            Cow::Owned(header_prefix(
                alg,
                &[
                    ("typ", members.typ.as_deref()),
                    ("kid", kid),
                    ("cty", members.cty.as_deref()),
                ],
                &members.extra,
            ))
        };
        self.prefix = prefix;
    }

    /// Signs `claims` (anything that serialises to a JSON object).
    ///
    /// # Errors
    /// As [`encode`].
    pub fn encode<C: Serialize + ?Sized>(&self, claims: &C) -> Result<String, Error> {
        if self
            .kid_member()
            .is_some_and(|kid| kid.len() > crate::keys::MAX_KID_LEN)
        {
            return Err(Error::Encoding(
                "the kid is longer than 256 bytes; verifiers would refuse the token",
            ));
        }
        // The token is built as a `String` from the start: the base64url encoder appends to it
        // directly, so the finished token is never re-checked as UTF-8. The claims' JSON goes
        // to a per-thread scratch buffer and from there into the token, encoded.
        let mut token = String::with_capacity(self.prefix.len().saturating_add(TOKEN_CAPACITY));
        token.push_str(&self.prefix);
        // The closure's result is a plain message, not an `Error`: moving a whole `Result` out
        // of it cost 3% of an HS256 signature (stack copies, store forwarding).
        let refused = with_scratch(|json| {
            match crate::json::write::write(claims, json) {
                Ok(()) => {}
                Err(Unwritable::Failed) => return Some("the claims cannot be serialised to JSON"),
                Err(Unwritable::MarkerName) => {
                    return Some(
                        "a member name of the claims starts with `$serde_json::private::`, which \
                         serde_json reads as its own marker; verifiers refuse such tokens",
                    );
                }
            }
            if json.first() != Some(&b'{') {
                return Some("the claims must serialise to a JSON object");
            }
            // Room for the rest of the token: the encoder reserves exactly what it writes, and
            // the `.` after it would then double the allocation.
            token.reserve(
                base64url::encoded_len(json.len())
                    .saturating_add(1)
                    .saturating_add(base64url::encoded_len(self.key.signature_len())),
            );
            base64url::encode_public_append(json, &mut token);
            None
        });
        if let Some(message) = refused {
            return Err(Error::Encoding(message));
        }
        // HMAC, the common case, is signed here so that ring's tag is encoded where ring left it:
        // moving it (out of a function, or into a variable declared earlier) cost up to 6% of an
        // HS256 signature.
        if let Some(hmac) = self.key.hmac_key() {
            let tag = ring::hmac::sign(hmac, token.as_bytes());
            token.push('.');
            base64url::encode_public_append(tag.as_ref(), &mut token);
        } else {
            let signature = self.key.sign_detached(token.as_bytes())?;
            token.push('.');
            base64url::encode_public_append(signature.as_ref(), &mut token);
        }
        Ok(token)
    }
}

impl Encoder<'_> {
    /// Signs claims given as JSON text, keeping their member order and number spelling byte for
    /// byte (only insignificant whitespace is removed). The text must be a strict JSON object:
    /// unique member names, registered claims of the right types, nesting within the default
    /// limit.
    ///
    /// ```
    /// use jwt_core::{Algorithm, Encoder, SigningKey};
    ///
    /// let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[3; 32])?;
    /// let token = Encoder::new(&key).encode_json(r#"{ "sub": "alice", "big": 18446744073709551615 }"#)?;
    /// let claims = jwt_core::danger_decode_unverified(&token)?;
    /// assert_eq!(claims.payload(), br#"{"sub":"alice","big":18446744073709551615}"#);
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidPayload`] or [`Error::InvalidClaim`] for text that is not such an object.
    pub fn encode_json(&self, json: &str) -> Result<String, Error> {
        crate::claims::parse::<serde::de::IgnoredAny>(
            json.as_bytes(),
            crate::token::Limits::default().max_json_depth,
            crate::claims::Mode::InspectOnly,
        )?;
        let compact = minify(json);
        let raw = serde_json::value::RawValue::from_string(compact)
            .map_err(|_| Error::InvalidPayload("not valid JSON"))?;
        self.encode(&raw)
    }
}

thread_local! {
    /// Where [`Encoder::encode`] writes the claims' JSON before encoding it into the token.
    static SCRATCH: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Largest scratch buffer a thread keeps between tokens; a bigger one is shrunk to it.
const SCRATCH_KEPT: usize = 16 * 1024;

/// Runs `write` with an empty buffer: the thread's scratch buffer, taken out for the call and
/// put back after it. A call made meanwhile (a claims type whose `Serialize` signs a token of its
/// own) finds no buffer there and makes its own, and so does a call during thread exit, after the
/// thread's locals are gone: neither can fail.
///
/// Why: the JSON is only needed until it is encoded, and a second allocation per token cost
/// about 2% of an HS256 signature. The buffer is emptied but not wiped: its memory still holds
/// the last claims written, which are not secret (a token's payload is readable by anyone).
fn with_scratch<T>(write: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    // Empty: a buffer is put back only after `clear`, and a new one starts so.
    let mut json = SCRATCH.try_with(Cell::take).unwrap_or_default();
    let result = write(&mut json);
    json.clear();
    json.shrink_to(SCRATCH_KEPT);
    // Fails only during thread exit; the buffer is then simply dropped.
    let _ = SCRATCH.try_with(|cell| cell.set(json));
    result
}

/// Initial capacity of a token after its header: room for the encoding of about 500 bytes of
/// claims and an HMAC or ECDSA signature (about 300 bytes with an RSA-2048 one) before it grows.
const TOKEN_CAPACITY: usize = 768;

/// The encoded default header (`{"alg":..,"typ":"JWT"}`) of each algorithm, with its `.`.
const fn default_prefix(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
        Algorithm::HS384 => "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.",
        Algorithm::HS512 => "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.",
        Algorithm::RS256 => "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.",
        Algorithm::RS384 => "eyJhbGciOiJSUzM4NCIsInR5cCI6IkpXVCJ9.",
        Algorithm::RS512 => "eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9.",
        Algorithm::PS256 => "eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCJ9.",
        Algorithm::PS384 => "eyJhbGciOiJQUzM4NCIsInR5cCI6IkpXVCJ9.",
        Algorithm::PS512 => "eyJhbGciOiJQUzUxMiIsInR5cCI6IkpXVCJ9.",
        Algorithm::ES256 => "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.",
        Algorithm::ES384 => "eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCJ9.",
        Algorithm::EdDSA => "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.",
        Algorithm::Ed25519 => "eyJhbGciOiJFZDI1NTE5IiwidHlwIjoiSldUIn0.",
    }
}

/// Removes whitespace outside strings from (valid) JSON text.
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
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

/// The encoded header `{"alg":..,<members>,<extra>}` followed by `.`; members that are `None`
/// are left out.
pub(crate) fn header_prefix(
    alg: Algorithm,
    members: &[(&str, Option<&str>)],
    extra: &[(String, serde_json::Value)],
) -> String {
    let mut json = Vec::with_capacity(64);
    json.extend_from_slice(b"{\"alg\":\"");
    json.extend_from_slice(alg.name().as_bytes());
    json.push(b'"');
    for (name, value) in members {
        if let Some(value) = value {
            push_member(&mut json, name, value);
        }
    }
    for (name, value) in extra {
        push_member(&mut json, name, value);
    }
    json.push(b'}');
    let mut prefix = String::with_capacity(base64url::encoded_len(json.len()).saturating_add(1));
    base64url::encode_public_append(&json, &mut prefix);
    prefix.push('.');
    prefix
}

/// Appends `,"name":value` with serde_json's escaping.
fn push_member(json: &mut Vec<u8>, name: &str, value: &(impl Serialize + ?Sized)) {
    json.push(b',');
    // Serialising a string or a `Value` into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *json, name);
    json.push(b':');
    let _ = serde_json::to_writer(&mut *json, value);
}

impl fmt::Debug for Encoder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let members = self.members();
        f.debug_struct("Encoder")
            .field("key", self.key)
            .field("typ", &members.typ)
            .field("kid", &self.kid_member())
            .field("cty", &members.cty)
            .field("extra", &members.extra)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Algorithm;

    fn key() -> SigningKey {
        SigningKey::from_hmac_secret(Algorithm::HS256, &[1; 32]).unwrap()
    }

    fn header_json(token: &str) -> String {
        let first = token.split('.').next().unwrap();
        String::from_utf8(base64url::decode_vec(first.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn a_keys_own_header_is_the_one_an_encoder_would_build() {
        let claims = serde_json::json!({"sub": "alice"});
        for kid in [
            "k",
            "2026-11",
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
            "q\"uote",
        ] {
            for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
                let bare = SigningKey::from_hmac_secret(alg, &[4; 64]).unwrap();
                let keyed = bare.clone().with_kid(kid);
                let built = Encoder::new(&bare).kid(kid).encode(&claims).unwrap();
                assert_eq!(encode(&keyed, &claims).unwrap(), built, "{kid}");
                assert_eq!(
                    Encoder::new(&keyed).typ("JWT").encode(&claims).unwrap(),
                    built
                );
                assert_eq!(
                    Encoder::new(&keyed).kid(kid).encode(&claims).unwrap(),
                    built
                );
                // Anything else in the header: built anew, the key's `kid` still in it.
                let other = Encoder::new(&keyed).typ("at+jwt").encode(&claims).unwrap();
                let header = crate::danger_decode_unverified(&other)
                    .unwrap()
                    .into_header();
                assert_eq!((header.kid(), header.typ()), (Some(kid), Some("at+jwt")));
                let none = Encoder::new(&keyed).without_typ().encode(&claims).unwrap();
                let header = crate::danger_decode_unverified(&none)
                    .unwrap()
                    .into_header();
                assert_eq!((header.kid(), header.typ()), (Some(kid), None));
            }
        }
    }

    #[test]
    fn debug_shows_the_header_members_and_no_secret() {
        let key =
            SigningKey::from_hmac_secret(Algorithm::HS256, b"0123456789abcdef0123456789abcdef")
                .unwrap()
                .with_kid("k1");
        let plain = format!("{:?}", Encoder::new(&key));
        assert!(
            plain.contains(r#"typ: Some("JWT"), kid: Some("k1"), cty: None, extra: []"#),
            "{plain}"
        );
        let custom = format!(
            "{:?}",
            Encoder::new(&key)
                .kid("k2")
                .content_type("x")
                .member("m", 1)
                .unwrap()
        );
        assert!(
            custom.contains(r#"kid: Some("k2"), cty: Some("x"), extra: [("m", Number(1))]"#),
            "{custom}"
        );
        for text in [plain, custom] {
            assert!(!text.contains("0123456789abcdef"), "{text}");
        }
    }

    #[test]
    fn header_members_in_fixed_order() {
        let key = key().with_kid("k\"1");
        let encoder = Encoder::new(&key)
            .content_type("x")
            .member("zzz", 1)
            .unwrap()
            .member("aaa", [1, 2])
            .unwrap();
        let token = encoder.encode(&serde_json::json!({})).unwrap();
        assert_eq!(
            header_json(&token),
            r#"{"alg":"HS256","typ":"JWT","kid":"k\"1","cty":"x","zzz":1,"aaa":[1,2]}"#
        );
        let bare = Encoder::new(&key)
            .without_typ()
            .encode(&serde_json::json!({}))
            .unwrap();
        assert_eq!(header_json(&bare), r#"{"alg":"HS256","kid":"k\"1"}"#);
    }

    /// The constant prefixes are exactly what the general path builds.
    #[test]
    fn default_prefixes_match_the_general_header() {
        for alg in Algorithm::ALL {
            let json = format!(r#"{{"alg":"{}","typ":"JWT"}}"#, alg.name());
            let mut expected = base64url::encode_string(json.as_bytes());
            expected.push('.');
            assert_eq!(default_prefix(alg), expected, "{alg}");
        }
        let key = key();
        let encoder = Encoder::new(&key);
        assert!(matches!(encoder.prefix, Cow::Borrowed(_)));
        // Setting and clearing members comes back to the constant.
        let encoder = encoder.typ("JWT");
        assert_eq!(&*encoder.prefix, default_prefix(Algorithm::HS256));
        let encoder = encoder.without_typ();
        assert_eq!(
            header_json(&encoder.encode(&serde_json::json!({})).unwrap()),
            r#"{"alg":"HS256"}"#
        );
    }

    #[test]
    fn reject_reserved_and_repeated_members() {
        for name in RESERVED {
            assert!(Encoder::new(&key()).member(*name, "x").is_err(), "{name}");
        }
        assert!(
            Encoder::new(&key())
                .member("a", 1)
                .unwrap()
                .member("a", 2)
                .is_err()
        );
    }

    #[test]
    fn json_text_keeps_order_and_numbers() {
        let key = key();
        let encoder = Encoder::new(&key);
        let token = encoder
            .encode_json("{\n  \"z\": 1.50,\t\"a\": \"x y\\\" z\",\r\n\"n\": -0}")
            .unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let json = String::from_utf8(base64url::decode_vec(payload.as_bytes()).unwrap()).unwrap();
        assert_eq!(json, r#"{"z":1.50,"a":"x y\" z","n":-0}"#);
        for bad in [
            "[1]",
            r#"{"a":1,"a":2}"#,
            r#"{"exp":"soon"}"#,
            "{",
            r#"{"a":1} x"#,
        ] {
            assert!(encoder.encode_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reject_claims_that_are_not_objects() {
        for claims in [
            serde_json::json!([1]),
            serde_json::json!("x"),
            serde_json::json!(null),
            serde_json::json!(1),
        ] {
            assert!(encode(&key(), &claims).is_err(), "{claims}");
        }
    }

    /// A claims type whose `Serialize` signs a token of its own (the scratch buffer is then in
    /// use): both tokens are whole and correct, and the scratch buffer works afterwards.
    #[test]
    fn claims_that_sign_while_serialising_get_their_own_buffer() {
        struct Nested;
        impl Serialize for Nested {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                // The outer token's JSON is half-written when the inner one is signed.
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("before", &"outer")?;
                let inner = encode(&key(), &serde_json::json!({"sub": "inner"}))
                    .map_err(serde::ser::Error::custom)?;
                map.serialize_entry("inner", &inner)?;
                map.serialize_entry("after", &"outer")?;
                map.end()
            }
        }
        // HMAC is deterministic: the same tokens as claims serialised one at a time.
        let inner = encode(&key(), &serde_json::json!({"sub": "inner"})).unwrap();
        let outer = encode(&key(), &Nested).unwrap();
        let expected = Encoder::new(&key())
            .encode_json(&format!(
                r#"{{"before":"outer","inner":"{inner}","after":"outer"}}"#
            ))
            .unwrap();
        assert_eq!(outer, expected);
        let plain = encode(&key(), &serde_json::json!({"sub": "after"})).unwrap();
        let claims = crate::danger_decode_unverified(&plain).unwrap();
        assert_eq!(claims.payload(), br#"{"sub":"after"}"#);
    }

    /// The scratch buffer is handed out empty after every kind of ending (a token, refused
    /// claims, a panicking `Serialize`), and a huge one is shrunk to the size kept.
    #[test]
    fn scratch_buffer_is_emptied_and_kept_small() {
        struct Panics;
        impl Serialize for Panics {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("half", &"written")?;
                panic!("a claims type that panics half-way");
            }
        }
        let capacity = || {
            let json = SCRATCH.with(Cell::take);
            let capacity = json.capacity();
            SCRATCH.with(|cell| cell.set(json));
            capacity
        };
        // `with_scratch` does not clear on the way in: this sees what the last call left.
        let handed_out_empty = || with_scratch(|json| json.is_empty());
        let small = serde_json::json!({"sub": "small"});
        let expected = encode(&key(), &small).unwrap();

        let big = "x".repeat(4 * SCRATCH_KEPT);
        let token = encode(&key(), &serde_json::json!({ "big": big })).unwrap();
        assert!(token.len() > 4 * SCRATCH_KEPT);
        assert!((1..=SCRATCH_KEPT).contains(&capacity()), "{}", capacity());
        assert!(handed_out_empty());

        assert!(encode(&key(), &"not an object").is_err());
        assert!(handed_out_empty());
        assert!(std::panic::catch_unwind(|| encode(&key(), &Panics)).is_err());
        assert!(handed_out_empty());
        assert_eq!(encode(&key(), &small).unwrap(), expected);
    }

    /// A token signed from a thread-local's destructor, after the scratch buffer is gone (its
    /// destructor ran first: thread-locals are destroyed in reverse order of first use), is
    /// still made, and made right; `LocalKey::with` would have panicked there.
    #[test]
    fn signing_during_thread_exit_works() {
        struct SignsOnDrop(std::sync::mpsc::Sender<(bool, Result<String, Error>)>);
        impl Drop for SignsOnDrop {
            fn drop(&mut self) {
                let scratch_gone = SCRATCH.try_with(|_| ()).is_err();
                let token = encode(&key(), &serde_json::json!({"sub": "late"}));
                let _ = self.0.send((scratch_gone, token));
            }
        }
        thread_local! {
            static LATE: Cell<Option<SignsOnDrop>> = const { Cell::new(None) };
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            LATE.with(|late| late.set(Some(SignsOnDrop(sender))));
            encode(&key(), &serde_json::json!({"sub": "early"})).unwrap();
        })
        .join()
        .unwrap();
        let (scratch_gone, token) = receiver.recv().unwrap();
        assert_eq!(
            token.unwrap(),
            encode(&key(), &serde_json::json!({"sub": "late"})).unwrap()
        );
        if cfg!(target_os = "linux") {
            assert!(scratch_gone, "the test did not reach the case it is for");
        }
    }
}
