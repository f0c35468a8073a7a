//! The JOSE header of a received token: parsed strictly, with the header policy applied.
//!
//! The policy lives here because it must run before any key is touched (catalogue §0 steps 3-4):
//! the header is a JSON object with unique member names; `alg` is a string naming an algorithm
//! this crate implements; `crit` is refused (no extension is implemented, RFC 7515 §4.1.11);
//! `b64` other than `true` is refused (RFC 7797 is not implemented); `kid` is a bounded string.
//! Members that carry keys or URLs (`jwk`, `jku`, `x5u`, `x5c`) are never used for anything.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::algorithm::Algorithm;
use crate::error::Error;
use crate::json::{self, ErrorSlot, KeySeed, SeenKeys};
use crate::keys::MAX_KID_LEN;

/// Headers are small and flat; more members than this is an attack on the parser.
const MAX_HEADER_MEMBERS: usize = 16;

/// The parsed JOSE header of a token.
///
/// Only the members this crate interprets are kept. On a verified token it describes what was
/// verified; from [`crate::danger_decode_unverified`] it is attacker-controlled.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    alg: Algorithm,
    /// The common values (`JWT`, `at+jwt`, ...) are kept without allocating.
    typ: Option<Cow<'static, str>>,
    /// Inline when short: a verifier hands out a copy of a remembered header on every
    /// verification, and copying must not allocate.
    kid: Option<ShortText>,
    cty: Option<Box<str>>,
}

/// `typ` values common enough to keep as constants (RFC 7519, RFC 9068, RFC 9449).
const COMMON_TYPES: [&str; 5] = ["JWT", "jwt", "at+jwt", "application/at+jwt", "dpop+jwt"];

/// Longest text kept inline by [`ShortText`]: UUIDs (36), RFC 7638 thumbprints (43) and the key
/// ids of the large identity providers fit.
const INLINE_TEXT: usize = 48;

/// A string kept without a heap allocation when it has at most [`INLINE_TEXT`] bytes.
#[derive(Clone, PartialEq, Eq)]
enum ShortText {
    /// The text's bytes, then zeros; `len` bytes of valid UTF-8.
    Inline {
        bytes: [u8; INLINE_TEXT],
        len: u8,
    },
    Heap(Box<str>),
}

impl ShortText {
    fn new(text: &str) -> ShortText {
        let mut bytes = [0u8; INLINE_TEXT];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(front), Ok(len)) => {
                front.copy_from_slice(text.as_bytes());
                ShortText::Inline { bytes, len }
            }
            _ => ShortText::Heap(text.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // Always valid: the bytes came from a `&str`; the check is a few instructions.
            ShortText::Inline { bytes, len } => bytes
                .get(..usize::from(*len))
                .and_then(|text| std::str::from_utf8(text).ok())
                .unwrap_or_default(),
            ShortText::Heap(text) => text,
        }
    }
}

impl fmt::Debug for ShortText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Header {
    /// The algorithm the token was signed with.
    pub const fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The media type of the whole token (`typ`), e.g. `JWT` or `at+jwt`.
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }

    /// The key id (`kid`).
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_ref().map(ShortText::as_str)
    }

    /// The media type of the payload (`cty`).
    pub fn content_type(&self) -> Option<&str> {
        self.cty.as_deref()
    }

    /// Parses and polices decoded header bytes with every algorithm allowed and no `typ`
    /// expected (for inspection and unit tests).
    pub(crate) fn parse(bytes: &[u8], max_depth: usize) -> Result<Header, Error> {
        RawHeader::parse(bytes, max_depth)?.police(|_| true, |_| true)
    }
}

impl RawHeader {
    /// Parses decoded header bytes, nested at most `max_depth` levels, as a strict JSON object.
    pub(crate) fn parse(bytes: &[u8], max_depth: usize) -> Result<RawHeader, Error> {
        if !json::depth_within(bytes, max_depth) {
            return Err(Error::InvalidHeader("nested deeper than the limit"));
        }
        let mut slot = ErrorSlot::default();
        json::parse_object(bytes, HeaderSeed { slot: &mut slot }).map_err(|e| {
            slot.take()
                .unwrap_or_else(|| Error::InvalidHeader(json::describe(&e)))
        })
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Header")
            .field("alg", &self.alg)
            .field("typ", &self.typ)
            .field("kid", &self.kid)
            .field("cty", &self.cty)
            .finish()
    }
}

struct HeaderSeed<'s> {
    slot: &'s mut ErrorSlot,
}

impl<'de> DeserializeSeed<'de> for HeaderSeed<'_> {
    type Value = RawHeader;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RawHeader, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HeaderSeed<'_> {
    type Value = RawHeader;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<RawHeader, A::Error> {
        let mut seen = SeenKeys::new();
        let mut members = 0usize;
        let mut alg = None;
        let (mut typ, mut kid, mut cty) = (None, None, None);
        let (mut crit, mut unencoded) = (false, false);
        while let Some(name) = map.next_key_seed(KeySeed)? {
            members = members.saturating_add(1);
            if members > MAX_HEADER_MEMBERS {
                return Err(self.slot.fail(Error::InvalidHeader("more than 16 members")));
            }
            if !seen.insert(name.clone()) {
                return Err(self
                    .slot
                    .fail(Error::InvalidHeader("duplicate member name")));
            }
            match &*name {
                "alg" => {
                    let Some(value) = map.next_value::<Option<StrValue<'de>>>()? else {
                        return Err(self
                            .slot
                            .fail(Error::InvalidHeader("`alg` must be a string")));
                    };
                    alg = Some(Algorithm::from_bytes(value.0.as_bytes()));
                }
                "typ" => {
                    let value = self.string_member(&mut map, "`typ` must be a string")?;
                    typ = Some(match COMMON_TYPES.iter().find(|common| **common == value) {
                        Some(common) => Cow::Borrowed(*common),
                        None => Cow::Owned(value.into_owned()),
                    });
                }
                "cty" => cty = Some(self.string_member(&mut map, "`cty` must be a string")?),
                "kid" => {
                    let value = self.string_member(&mut map, "`kid` must be a string")?;
                    if value.len() > MAX_KID_LEN {
                        return Err(self
                            .slot
                            .fail(Error::InvalidHeader("`kid` is longer than 256 bytes")));
                    }
                    kid = Some(value);
                }
                "crit" => {
                    map.next_value::<IgnoredAny>()?;
                    crit = true;
                }
                "b64" => match map.next_value::<Option<bool>>() {
                    Ok(Some(value)) => unencoded = !value,
                    _ => {
                        return Err(self
                            .slot
                            .fail(Error::InvalidHeader("`b64` must be a boolean")));
                    }
                },
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(alg) = alg else {
            return Err(self.slot.fail(Error::InvalidHeader("`alg` is missing")));
        };
        Ok(RawHeader {
            alg,
            crit,
            unencoded,
            typ,
            kid: kid.map(|k: Cow<'_, str>| ShortText::new(&k)),
            cty: cty.map(|c: Cow<'_, str>| c.into()),
        })
    }
}

/// A header that parsed as a strict JSON object, before its policy is applied.
///
/// Parsing first and judging after keeps the order of the checks independent of the order of
/// the members (catalogue §0 step 4: `alg`, then `crit`, `b64`, `cty`, `typ`).
pub(crate) struct RawHeader {
    alg: Result<Algorithm, Error>,
    crit: bool,
    unencoded: bool,
    typ: Option<Cow<'static, str>>,
    kid: Option<ShortText>,
    cty: Option<Box<str>>,
}

impl RawHeader {
    /// Tells `recorder` what the header says, before it is judged.
    pub(crate) fn record<R: crate::instrument::Recorder + ?Sized>(&self, recorder: &mut R) {
        recorder.header(
            self.alg.as_ref().ok().copied(),
            self.kid.as_ref().map(ShortText::as_str),
            self.typ.as_deref(),
        );
    }

    /// Applies the header policy: `alg` known and `allowed`, no `crit`, no `b64: false`, no
    /// nested token, and `typ` as the validation expects.
    pub(crate) fn police(
        self,
        allowed: impl FnOnce(Algorithm) -> bool,
        typ_matches: impl FnOnce(Option<&str>) -> bool,
    ) -> Result<Header, Error> {
        let alg = self.alg?;
        if !allowed(alg) {
            return Err(Error::AlgorithmNotAllowed { alg });
        }
        if self.crit {
            return Err(Error::UnsupportedCriticalHeader);
        }
        if self.unencoded {
            return Err(Error::UnencodedPayload);
        }
        if self
            .cty
            .as_deref()
            .is_some_and(|cty| cty.eq_ignore_ascii_case("JWT"))
        {
            return Err(Error::NestedToken);
        }
        if !typ_matches(self.typ.as_deref()) {
            return Err(Error::WrongType);
        }
        Ok(Header {
            alg,
            typ: self.typ,
            kid: self.kid,
            cty: self.cty,
        })
    }
}

impl HeaderSeed<'_> {
    fn string_member<'de, A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        problem: &'static str,
    ) -> Result<Cow<'de, str>, A::Error> {
        match map.next_value::<Option<StrValue<'de>>>() {
            Ok(Some(value)) => Ok(value.0),
            _ => Err(self.slot.fail(Error::InvalidHeader(problem))),
        }
    }
}

/// A JSON string, borrowed when it has no escapes. Any other JSON type is an error.
struct StrValue<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for StrValue<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        KeySeed.deserialize(deserializer).map(StrValue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    impl Header {
        fn parse_default(bytes: &[u8]) -> Result<Header, Error> {
            Header::parse(bytes, 32)
        }
    }

    fn kind(json: &str) -> ErrorKind {
        Header::parse(json.as_bytes(), 32).unwrap_err().kind()
    }

    #[test]
    fn parses_the_usual_members() {
        let h = Header::parse_default(br#"{"alg":"ES256","typ":"at+jwt","kid":"k1","cty":"x","x5t":"ignored","jwk":{"kty":"EC"}}"#)
            .unwrap();
        assert_eq!(h.algorithm(), Algorithm::ES256);
        assert_eq!(h.typ(), Some("at+jwt"));
        assert_eq!(h.kid(), Some("k1"));
        assert_eq!(h.content_type(), Some("x"));
    }

    #[test]
    fn reject_header_that_is_not_an_object() {
        for json in [
            r#"["HS256"]"#,
            r#""HS256""#,
            "null",
            "1",
            "",
            "{",
            r#"{"alg":"HS256"} x"#,
            "\u{feff}{}",
        ] {
            assert_eq!(kind(json), ErrorKind::InvalidHeader, "{json:?}");
        }
    }

    #[test]
    fn reject_duplicate_members_including_escaped_names() {
        assert_eq!(
            kind(r#"{"alg":"HS256","alg":"RS256"}"#),
            ErrorKind::InvalidHeader
        );
        assert_eq!(
            kind(r#"{"alg":"HS256","a\u006cg":"HS256"}"#),
            ErrorKind::InvalidHeader
        );
        assert_eq!(
            kind(r#"{"alg":"HS256","x":1,"x":1}"#),
            ErrorKind::InvalidHeader
        );
    }

    #[test]
    fn reject_missing_or_mistyped_alg() {
        for json in [
            r#"{}"#,
            r#"{"alg":null}"#,
            r#"{"alg":256}"#,
            r#"{"alg":["HS256"]}"#,
            r#"{"typ":"JWT"}"#,
        ] {
            assert_eq!(kind(json), ErrorKind::InvalidHeader, "{json}");
        }
        assert_eq!(kind(r#"{"alg":"hs256"}"#), ErrorKind::UnknownAlgorithm);
        assert_eq!(kind(r#"{"alg":"none"}"#), ErrorKind::UnsupportedAlgorithm);
        assert_eq!(kind(r#"{"alg":"ES512"}"#), ErrorKind::UnsupportedAlgorithm);
    }

    #[test]
    fn reject_crit_in_any_form() {
        for crit in [
            r#"["http://example.com/UNDEFINED"]"#,
            "[]",
            r#""x""#,
            r#"["alg"]"#,
            r#"["b64"]"#,
            r#"["x","x"]"#,
        ] {
            assert_eq!(
                kind(&format!(r#"{{"alg":"HS256","crit":{crit}}}"#)),
                ErrorKind::UnsupportedHeader,
                "{crit}"
            );
        }
    }

    #[test]
    fn reject_nested_tokens_and_member_floods() {
        assert_eq!(
            kind(r#"{"alg":"HS256","cty":"JWT"}"#),
            ErrorKind::UnsupportedHeader
        );
        assert_eq!(
            kind(r#"{"alg":"HS256","cty":"jwt"}"#),
            ErrorKind::UnsupportedHeader
        );
        let many: String = (0..16).map(|i| format!(r#","m{i}":0"#)).collect();
        assert_eq!(
            kind(&format!(r#"{{"alg":"HS256"{many}}}"#)),
            ErrorKind::InvalidHeader
        );
        let fifteen: String = (0..15).map(|i| format!(r#","m{i}":0"#)).collect();
        assert!(Header::parse_default(format!(r#"{{"alg":"HS256"{fifteen}}}"#).as_bytes()).is_ok());
    }

    #[test]
    fn policy_order_does_not_depend_on_member_order() {
        let deny_rs256 = |json: &str| {
            RawHeader::parse(json.as_bytes(), 32)
                .unwrap()
                .police(|alg| alg != Algorithm::RS256, |_| false)
                .unwrap_err()
                .kind()
        };
        assert_eq!(
            deny_rs256(r#"{"crit":["x"],"alg":"RS256"}"#),
            ErrorKind::AlgorithmNotAllowed
        );
        assert_eq!(
            deny_rs256(r#"{"typ":"x","alg":"RS256","b64":false}"#),
            ErrorKind::AlgorithmNotAllowed
        );
        assert_eq!(
            deny_rs256(r#"{"typ":"x","b64":false,"alg":"HS256"}"#),
            ErrorKind::UnsupportedHeader
        );
        assert_eq!(
            deny_rs256(r#"{"typ":"x","alg":"HS256"}"#),
            ErrorKind::WrongType
        );
        assert_eq!(
            deny_rs256(r#"{"crit":[],"alg":"nope"}"#),
            ErrorKind::UnknownAlgorithm
        );
    }

    #[test]
    fn reject_b64_other_than_true() {
        assert_eq!(
            kind(r#"{"alg":"HS256","b64":false}"#),
            ErrorKind::UnsupportedHeader
        );
        assert_eq!(
            kind(r#"{"alg":"HS256","b64":"false"}"#),
            ErrorKind::InvalidHeader
        );
        assert!(Header::parse_default(br#"{"alg":"HS256","b64":true}"#).is_ok());
    }

    #[test]
    fn reject_kid_of_wrong_type_or_length() {
        for kid in ["0", "{}", r#"["a"]"#, "null"] {
            assert_eq!(
                kind(&format!(r#"{{"alg":"HS256","kid":{kid}}}"#)),
                ErrorKind::InvalidHeader,
                "{kid}"
            );
        }
        let long = "k".repeat(257);
        assert_eq!(
            kind(&format!(r#"{{"alg":"HS256","kid":"{long}"}}"#)),
            ErrorKind::InvalidHeader
        );
        let fits = "k".repeat(256);
        assert!(
            Header::parse_default(format!(r#"{{"alg":"HS256","kid":"{fits}"}}"#).as_bytes())
                .is_ok()
        );
    }

    #[test]
    fn reject_invalid_utf8_and_lone_surrogates() {
        assert_eq!(
            Header::parse_default(b"{\"alg\":\"HS\xff256\"}")
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidHeader
        );
        assert_eq!(
            kind(r#"{"alg":"HS256","kid":"\ud800"}"#),
            ErrorKind::InvalidHeader
        );
    }

    #[test]
    fn reject_deeply_nested_unknown_member() {
        let deep = format!(
            r#"{{"alg":"HS256","x":{}{}}}"#,
            "[".repeat(32),
            "]".repeat(32)
        );
        assert_eq!(kind(&deep), ErrorKind::InvalidHeader);
        let ok = format!(
            r#"{{"alg":"HS256","x":{}{}}}"#,
            "[".repeat(31),
            "]".repeat(31)
        );
        assert!(Header::parse(ok.as_bytes(), 32).is_ok());
        let deep_map = format!(
            r#"{{"alg":"HS256","x":{}1{}}}"#,
            r#"{"a":"#.repeat(32),
            "}".repeat(32)
        );
        assert_eq!(kind(&deep_map), ErrorKind::InvalidHeader);
    }

    #[test]
    fn short_text_keeps_every_length_and_character() {
        for text in [
            String::new(),
            "k".into(),
            "é".repeat(24), // 48 bytes: the last inline length
            "é".repeat(24) + "x",
            "x".repeat(47) + "é", // 49 bytes, a character across the limit
            "🔑".repeat(12),
            "k".repeat(MAX_KID_LEN),
        ] {
            let short = ShortText::new(&text);
            assert_eq!(short.as_str(), text);
            assert_eq!(
                matches!(short, ShortText::Inline { .. }),
                text.len() <= INLINE_TEXT,
                "{text}"
            );
            assert_eq!(format!("{short:?}"), format!("{text:?}"));
            assert!(short == ShortText::new(&text) && short.clone() == short);
        }
        assert!(ShortText::new("a") != ShortText::new("b"));
        assert!(ShortText::new("a") != ShortText::new("a\0"));
    }

    #[test]
    fn common_typ_values_are_kept_without_allocating() {
        for typ in COMMON_TYPES {
            let header =
                Header::parse_default(format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#).as_bytes())
                    .unwrap();
            assert!(
                matches!(header.typ, Some(Cow::Borrowed(t)) if t == typ),
                "{typ}"
            );
        }
        let header = Header::parse_default(br#"{"alg":"HS256","typ":"example+jwt"}"#).unwrap();
        assert_eq!(header.typ(), Some("example+jwt"));
        let header = Header::parse_default(br#"{"alg":"HS256","kid":"k\u00e9y"}"#).unwrap();
        assert_eq!(header.kid(), Some("kéy"));
    }
}
