//! The payload: the registered claims checked, then the caller's claims type read.
//!
//! Why this shape: the caller's type decides what it reads. It may skip members, keep the last of
//! two duplicates, or never ask for `exp`, so nothing it does can be trusted to enforce a rule.
//! A strict scan of our own ([`json::scan`]) therefore walks the exact text first: it validates
//! the JSON, bounds its depth, refuses duplicate member names, and hands over the raw text of
//! each registered claim (`exp`, `nbf`, `iat`, `iss`, `aud`, `sub`, `jti`), which is type-checked
//! and compared here. Only then does serde_json read the same, now validated, text straight into
//! the caller's type. The scan costs a few instructions a byte; the caller's type pays only what
//! serde_json charges for it.
//!
//! Failures are ordered so that time failures come last: if the token fails only on `exp`,
//! `nbf` or `iat`, the caller can still reach the claims (see [`crate::Rejection`]).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, SeqAccess, Visitor};

use crate::error::{ClaimProblem, ClaimsProblem, Error};
use crate::json::{KeySeed, scan};

mod replay;
mod scanned;

use crate::validation::Validation;
use replay::Replay;
use scanned::ScannedMembers;

/// Largest NumericDate accepted: 9999-12-31T23:59:59Z.
const MAX_NUMERIC_DATE: u64 = 253_402_300_799;
/// Longest claim name quoted in an error.
const MAX_QUOTED_NAME: usize = 64;

/// The registered time claims of a token, as whole seconds since the Unix epoch.
///
/// Fractional values are rounded to whole seconds: `exp` down and `nbf` up (the stricter side),
/// `iat` down.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimeClaims {
    /// `exp`: on or after this moment the token must not be accepted.
    pub expires_at: Option<u64>,
    /// `nbf`: before this moment the token must not be accepted.
    pub not_before: Option<u64>,
    /// `iat`: when the token was issued.
    pub issued_at: Option<u64>,
}

/// What the checks decided, when the claims themselves parsed.
pub(crate) struct Checked<'de, C> {
    pub(crate) claims: C,
    pub(crate) times: TimeClaims,
    /// Set when the only failure is a time claim; the claims are still trustworthy otherwise.
    pub(crate) time_failure: Option<Error>,
    /// `iss` and `sub` as read, for instrumentation (borrowed unless escaped).
    pub(crate) issuer: Option<Cow<'de, str>>,
    pub(crate) subject: Option<Cow<'de, str>>,
}

/// Whether to run the claim checks, or only parse (for unverified inspection).
#[derive(Clone, Copy)]
pub(crate) enum Mode<'v> {
    Validate {
        validation: &'v Validation,
        now: u64,
    },
    InspectOnly,
}

/// The payload's `iss` and `sub` strings, each only when it appears once as a JSON string; for
/// an instrument told why a signed token's claims were refused (a cold path: the payload is
/// scanned again, nothing of the failed parse is kept).
pub(crate) fn issuer_and_subject(
    payload: &[u8],
    max_depth: usize,
) -> (Option<String>, Option<String>) {
    let Ok(text) = std::str::from_utf8(payload) else {
        return (None, None);
    };
    let (mut issuer, mut subject) = (Found::Absent, Found::Absent);
    let scanned = scan::for_each_member(text, max_depth, |member| {
        let slot = match &*member.name {
            "iss" => &mut issuer,
            "sub" => &mut subject,
            _ => return Ok(()),
        };
        *slot = match slot {
            Found::Absent => {
                serde_json::from_str::<String>(member.value).map_or(Found::Unusable, Found::Text)
            }
            _ => Found::Unusable, // a duplicate: neither value is the token's
        };
        Ok(())
    });
    if scanned.is_err() {
        return (None, None);
    }
    (issuer.text(), subject.text())
}

/// What [`issuer_and_subject`] found of one claim so far.
enum Found {
    Absent,
    Text(String),
    Unusable,
}

impl Found {
    fn text(self) -> Option<String> {
        match self {
            Found::Text(text) => Some(text),
            Found::Absent | Found::Unusable => None,
        }
    }
}

/// Parses `payload` into `C`, validating the registered claims first.
pub(crate) fn parse<'de, C: Deserialize<'de>>(
    payload: &'de [u8],
    max_depth: usize,
    mode: Mode<'_>,
) -> Result<Checked<'de, C>, Error> {
    let text =
        std::str::from_utf8(payload).map_err(|_| Error::InvalidPayload("not valid UTF-8"))?;
    let mut members = ScannedMembers::new();
    let mut registered = Registered::default();
    scan::for_each_member(text, max_depth, |member| {
        let claim = Claim::from_name(&member.name);
        let plain = Plain::of(member.value, member.shape);
        if !members.push(member.name, member.value, plain) {
            return Err(Error::InvalidPayload("duplicate claim name"));
        }
        match claim {
            Some(claim) => registered.record(claim, member.value, plain, mode),
            None => Ok(()),
        }
    })?;
    if let Mode::Validate { validation, .. } = mode {
        registered.check(&members, validation)?;
    }
    let claims = match members.replayable() {
        Some(entries) => {
            let current = std::cell::Cell::new(None);
            let replay = Replay {
                entries,
                current: &current,
                text,
            };
            C::deserialize(replay).map_err(|e| {
                let member = current.get().and_then(|at| entries.get(at)?.as_ref());
                claims_type_error(&e.message, e.syntax, member.map(|m| &*m.name))
            })?
        }
        // More members than the replay holds: serde_json reads the (validated) text itself.
        // Always through `from_slice`: serde_json 1.0.154 reading a `&str` (`from_str`) builds
        // an invalid `&str` and panics when a map with `bool` keys meets a non-ASCII name.
        None => {
            let mut deserializer = serde_json::Deserializer::from_slice(payload);
            C::deserialize(&mut deserializer)
                .and_then(|claims| deserializer.end().map(|()| claims))
                .map_err(|e| {
                    // An error at the very end (a flattened struct, a `try_from`) belongs to
                    // no member in particular.
                    let offset = error_offset(&e, text);
                    let member = (offset < text.trim_end().len())
                        .then(|| scan::member_before(text, offset))
                        .flatten();
                    let syntax = !matches!(e.classify(), serde_json::error::Category::Data);
                    claims_type_error(&e.to_string(), syntax, member.as_deref())
                })?
        }
    };
    let time_failure = match mode {
        Mode::Validate { validation, now } => check_times(&registered.times, validation, now).err(),
        Mode::InspectOnly => None,
    };
    Ok(Checked {
        claims,
        times: registered.times,
        time_failure,
        issuer: registered.issuer,
        subject: registered.subject,
    })
}

/// A claim name fit to appear in an error (and so in logs): at most 64 bytes of
/// `[A-Za-z0-9_.:-]`. Anything else (control characters, spaces, user data such as e-mail
/// addresses under a flattened map) is not quoted at all.
fn quote(name: &str) -> Option<Box<str>> {
    let printable = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-');
    (!name.is_empty() && name.len() <= MAX_QUOTED_NAME && name.bytes().all(printable))
        .then(|| name.into())
}

/// Where in `text` serde_json detected `error`, as a byte offset.
///
/// serde_json counts lines from 1 and, within a line, the bytes before the error.
fn error_offset(error: &serde_json::Error, text: &str) -> usize {
    let line_start = match error.line().checked_sub(2) {
        None => 0,
        Some(newlines_before) => text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .nth(newlines_before)
            .map_or(text.len(), |(at, _)| at.saturating_add(1)),
    };
    line_start.saturating_add(error.column())
}

/// Turns a failure of the caller's type into a crate error, without ever carrying the message
/// text, which may quote claim values: only its kind, and the name of the `member` it happened
/// in when that name is plain. The text has already passed the scan, so a syntax failure
/// (`syntax`) can only be serde_json being stricter, as with numbers beyond `f64`.
fn claims_type_error(message: &str, syntax: bool, member: Option<&str>) -> Error {
    if syntax {
        return Error::InvalidPayload("not valid JSON");
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        return Error::ClaimsType {
            claim: quote(field),
            problem: ClaimsProblem::MissingField,
        };
    }
    if message.starts_with("invalid type: map") && member.is_none() {
        return Error::ClaimsType {
            claim: None,
            problem: ClaimsProblem::NotAnObjectType,
        };
    }
    let problem = if message.starts_with("unknown field") {
        ClaimsProblem::UnknownClaim
    } else {
        ClaimsProblem::WrongTypeOrValue
    };
    Error::ClaimsType {
        claim: member.and_then(quote),
        problem,
    }
}

/// The registered claims this module watches for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Claim {
    Exp,
    Nbf,
    Iat,
    Iss,
    Aud,
    Sub,
    Jti,
}

impl Claim {
    /// The registered claim called `name`, if any. Every registered name has three letters: one
    /// length test turns most other names away, and the three bytes compare as one number.
    fn from_name(name: &str) -> Option<Claim> {
        let &[a, b, c] = name.as_bytes() else {
            return None;
        };
        const fn packed(name: &[u8; 4]) -> u32 {
            u32::from_le_bytes(*name)
        }
        const EXP: u32 = packed(b"exp\0");
        const NBF: u32 = packed(b"nbf\0");
        const IAT: u32 = packed(b"iat\0");
        const ISS: u32 = packed(b"iss\0");
        const AUD: u32 = packed(b"aud\0");
        const SUB: u32 = packed(b"sub\0");
        const JTI: u32 = packed(b"jti\0");
        Some(match packed(&[a, b, c, 0]) {
            EXP => Claim::Exp,
            NBF => Claim::Nbf,
            IAT => Claim::Iat,
            ISS => Claim::Iss,
            AUD => Claim::Aud,
            SUB => Claim::Sub,
            JTI => Claim::Jti,
            _ => return None,
        })
    }
}

/// What the registered claims turned out to be.
#[derive(Default)]
struct Registered<'de> {
    times: TimeClaims,
    issuer: Option<Cow<'de, str>>,
    subject: Option<Cow<'de, str>>,
    /// `Some(true)` when `iss` was present and accepted.
    issuer_ok: Option<bool>,
    audience_ok: Option<bool>,
    subject_ok: Option<bool>,
}

impl<'de> Registered<'de> {
    /// Type-checks one registered claim's raw JSON and records whether it is acceptable.
    fn record(
        &mut self,
        claim: Claim,
        raw: &'de str,
        plain: Plain<'de>,
        mode: Mode<'_>,
    ) -> Result<(), Error> {
        let validation = match mode {
            Mode::Validate { validation, .. } => Some(validation),
            Mode::InspectOnly => None,
        };
        match claim {
            Claim::Exp => {
                self.times.expires_at = Some(numeric_date(raw, plain, "exp", Rounding::Down)?)
            }
            Claim::Nbf => {
                self.times.not_before = Some(numeric_date(raw, plain, "nbf", Rounding::Up)?)
            }
            Claim::Iat => {
                self.times.issued_at = Some(numeric_date(raw, plain, "iat", Rounding::Down)?)
            }
            Claim::Iss => {
                let issuer = string(raw, plain).ok_or(Error::InvalidClaim {
                    claim: "iss",
                    reason: ClaimProblem::NotAString,
                })?;
                self.issuer_ok =
                    validation.map(|v| v.issuers.iter().any(|accepted| **accepted == *issuer));
                self.issuer = Some(issuer);
            }
            Claim::Sub => {
                let subject = string(raw, plain).ok_or(Error::InvalidClaim {
                    claim: "sub",
                    reason: ClaimProblem::NotAString,
                })?;
                self.subject_ok = validation.map(|v| {
                    v.subject
                        .as_deref()
                        .is_none_or(|expected| expected == subject)
                });
                self.subject = Some(subject);
            }
            Claim::Jti => {
                string(raw, plain).ok_or(Error::InvalidClaim {
                    claim: "jti",
                    reason: ClaimProblem::NotAString,
                })?;
            }
            Claim::Aud => {
                let audiences: &[Box<str>] = validation.map_or(&[], |v| &v.audiences);
                let visitor = AudienceVisitor {
                    accepted: audiences,
                };
                let matched = match plain {
                    // What `visit_str` would be handed, without a second JSON parse.
                    Plain::Str(text) => visitor.accepts(text),
                    Plain::Digits(_) | Plain::Json => {
                        serde_json::Deserializer::from_slice(raw.as_bytes())
                            .deserialize_any(visitor)
                            .map_err(|_| Error::InvalidClaim {
                                claim: "aud",
                                reason: ClaimProblem::NotAnAudience,
                            })?
                    }
                };
                self.audience_ok = Some(matched);
            }
        }
        Ok(())
    }

    /// The non-time checks, in a fixed order: presence, issuer, audience, subject.
    ///
    /// Every check is fail-closed: a configured expectation passes only on a claim that was
    /// present *and* recorded as acceptable, never on the absence of a recorded failure.
    fn check(&self, members: &ScannedMembers<'_>, validation: &Validation) -> Result<(), Error> {
        let missing = |name: &'static str| Err(Error::MissingClaim(Cow::Borrowed(name)));
        if validation.require_exp && self.times.expires_at.is_none() {
            return missing("exp");
        }
        if !validation.issuers.is_empty() && self.issuer_ok.is_none() {
            return missing("iss");
        }
        if !validation.audiences.is_empty() && self.audience_ok.is_none() {
            return missing("aud");
        }
        if validation.subject.is_some() && self.subject_ok.is_none() {
            return missing("sub");
        }
        if validation.max_age.is_some() && self.times.issued_at.is_none() {
            return missing("iat");
        }
        if let Some(absent) = validation
            .required
            .iter()
            .find(|name| !members.contains(name))
        {
            return Err(Error::MissingClaim(absent.clone()));
        }
        if !validation.issuers.is_empty() && self.issuer_ok != Some(true) {
            return Err(Error::WrongIssuer);
        }
        // Present but unwanted (no audience configured) is `Some(false)` too.
        if self.audience_ok.is_some_and(|ok| !ok) {
            return Err(Error::WrongAudience);
        }
        if validation.subject.is_some() && self.subject_ok != Some(true) {
            return Err(Error::WrongSubject);
        }
        Ok(())
    }
}

/// `exp`, `nbf` and `iat` against the clock, with saturating arithmetic throughout.
fn check_times(times: &TimeClaims, validation: &Validation, now: u64) -> Result<(), Error> {
    let leeway = validation.leeway;
    if let Some(exp) = times.expires_at {
        if now >= exp.saturating_add(leeway) {
            return Err(Error::Expired);
        }
    }
    if let Some(nbf) = times.not_before {
        if now.saturating_add(leeway) < nbf {
            return Err(Error::NotYetValid);
        }
    }
    if let Some(iat) = times.issued_at {
        if validation.reject_future_iat && iat > now.saturating_add(leeway) {
            return Err(Error::IssuedInFuture);
        }
        if let Some(max_age) = validation.max_age {
            if now > iat.saturating_add(max_age).saturating_add(leeway) {
                return Err(Error::TooOld);
            }
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Rounding {
    Down,
    Up,
}

/// A NumericDate (RFC 7519 §2): a JSON number, finite, within 0 ..= year 9999.
fn numeric_date(
    raw: &str,
    plain: Plain<'_>,
    claim: &'static str,
    rounding: Rounding,
) -> Result<u64, Error> {
    let invalid = |reason| Error::InvalidClaim { claim, reason };
    if let Plain::Digits(value) = plain {
        return if value <= MAX_NUMERIC_DATE {
            Ok(value)
        } else {
            Err(invalid(ClaimProblem::AfterYear9999))
        };
    }
    // Only a JSON number: serde_json's `arbitrary_precision` feature (which another crate in
    // the build may enable) would also read `{"$serde_json::private::Number": "..."}` as one.
    if !raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Err(invalid(ClaimProblem::NotANumber));
    }
    let number: serde_json::Number =
        serde_json::from_slice(raw.as_bytes()).map_err(|_| invalid(ClaimProblem::NotANumber))?;
    if let Some(value) = number.as_u64() {
        return if value <= MAX_NUMERIC_DATE {
            Ok(value)
        } else {
            Err(invalid(ClaimProblem::AfterYear9999))
        };
    }
    if number.as_i64().is_some() {
        return Err(invalid(ClaimProblem::BeforeEpoch));
    }
    let value = number
        .as_f64()
        .filter(|v| v.is_finite())
        .ok_or_else(|| invalid(ClaimProblem::NotFinite))?;
    let rounded = match rounding {
        Rounding::Down => value.floor(),
        Rounding::Up => value.ceil(),
    };
    if rounded < 0.0 {
        return Err(invalid(ClaimProblem::BeforeEpoch));
    }
    if rounded > MAX_NUMERIC_DATE as f64 {
        return Err(invalid(ClaimProblem::AfterYear9999));
    }
    // In range 0 ..= MAX_NUMERIC_DATE, so the conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(rounded as u64)
}

/// The text of a JSON string, without copying when it has no escapes.
fn string<'a>(raw: &'a str, plain: Plain<'a>) -> Option<Cow<'a, str>> {
    if let Plain::Str(text) = plain {
        return Some(Cow::Borrowed(text));
    }
    let mut de = serde_json::Deserializer::from_slice(raw.as_bytes());
    let value = KeySeed.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(value)
}

/// The two shapes nearly every claim value has, recognised without a JSON parser.
#[derive(Clone, Copy, Default)]
enum Plain<'a> {
    /// Up to 15 ASCII digits: a whole number of seconds.
    Digits(u64),
    /// A string without escapes (its text between the quotes).
    Str(&'a str),
    /// Anything else; parsed with serde_json.
    #[default]
    Json,
}

impl<'a> Plain<'a> {
    /// Classifies `raw`, which the scan has validated as one JSON value of shape `shape`.
    #[inline(always)]
    fn of(raw: &'a str, shape: scan::Shape) -> Plain<'a> {
        match shape {
            scan::Shape::Digits if raw.len() <= 15 => Plain::Digits(digits_value(raw.as_bytes())),
            scan::Shape::PlainString => raw
                .get(1..raw.len().saturating_sub(1))
                .map_or(Plain::Json, Plain::Str),
            _ => Plain::Json,
        }
    }
}

/// The value of a run of ASCII digits (at most 19, so that it fits), eight digits a step.
fn digits_value(digits: &[u8]) -> u64 {
    let mut chunks = digits.chunks_exact(8);
    let mut value = 0u64;
    for chunk in &mut chunks {
        if let Ok(chunk) = chunk.try_into() {
            value = value
                .wrapping_mul(100_000_000)
                .wrapping_add(eight_digits(chunk));
        }
    }
    chunks.remainder().iter().fold(value, |acc, b| {
        acc.wrapping_mul(10)
            .wrapping_add(u64::from(b.wrapping_sub(b'0')))
    })
}

/// The value of eight ASCII digits, most significant first, without a chain of eight
/// multiplications: adjacent digits are combined into pairs, pairs into fours, fours into the
/// whole, each step on all lanes of the word at once (no lane can carry into the next).
fn eight_digits(chunk: [u8; 8]) -> u64 {
    let v = u64::from_le_bytes(chunk).wrapping_sub(0x3030_3030_3030_3030);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8) & 0x00FF_00FF_00FF_00FF;
    let v = v.wrapping_mul(100).wrapping_add(v >> 16) & 0x0000_FFFF_0000_FFFF;
    v.wrapping_mul(10_000).wrapping_add(v >> 32) & 0xFFFF_FFFF
}

/// Accepts a string or a non-empty array of strings; yields whether any is accepted.
struct AudienceVisitor<'a> {
    accepted: &'a [Box<str>],
}

impl AudienceVisitor<'_> {
    fn accepts(&self, audience: &str) -> bool {
        self.accepted.iter().any(|a| **a == *audience)
    }
}

impl<'de> Visitor<'de> for AudienceVisitor<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a non-empty array of strings")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(self.accepts(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut matched = false;
        let mut count = 0usize;
        while let Some(audience) = seq.next_element_seed(KeySeed)? {
            count = count.saturating_add(1);
            matched |= self.accepts(&audience);
        }
        if count == 0 {
            return Err(de::Error::invalid_length(0, &self));
        }
        Ok(matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde::Deserialize;
    use serde::de::{IgnoredAny, MapAccess};

    const NOW: u64 = 1_700_000_000;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Claims<'a> {
        sub: &'a str,
        exp: u64,
        #[serde(default)]
        role: Option<String>,
    }

    fn validate<'de, C: Deserialize<'de>>(
        json: &'de str,
        v: &Validation,
    ) -> Result<Checked<'de, C>, Error> {
        parse(
            json.as_bytes(),
            32,
            Mode::Validate {
                validation: v,
                now: NOW,
            },
        )
    }

    fn kind(json: &str, v: &Validation) -> ErrorKind {
        match validate::<serde_json::Value>(json, v) {
            Ok(checked) => checked
                .time_failure
                .map_or_else(|| panic!("accepted {json}"), |e| e.kind()),
            Err(e) => e.kind(),
        }
    }

    #[test]
    fn one_pass_gives_borrowed_claims_and_times() {
        let json = r#"{"sub":"alice","exp":1700000100,"iat":1699999999.9,"role":"admin"}"#;
        let checked = validate::<Claims<'_>>(json, &Validation::new()).unwrap();
        assert_eq!(
            checked.claims,
            Claims {
                sub: "alice",
                exp: 1_700_000_100,
                role: Some("admin".into())
            }
        );
        assert_eq!(checked.times.expires_at, Some(1_700_000_100));
        assert_eq!(checked.times.issued_at, Some(1_699_999_999));
        assert!(checked.time_failure.is_none());
    }

    #[test]
    fn registered_claims_reach_option_enum_and_newtype_fields() {
        #[derive(Deserialize, Debug, PartialEq)]
        enum Issuer {
            #[serde(rename = "https://a")]
            A,
        }
        #[derive(Deserialize, Debug, PartialEq)]
        struct Seconds(u64);
        #[derive(Deserialize, Debug, PartialEq)]
        struct Typed {
            exp: Option<Seconds>,
            nbf: Option<i64>,
            iat: f64,
            iss: Issuer,
            sub: Option<String>,
            jti: Option<Box<str>>,
            aud: Vec<String>,
        }
        let json = r#"{"exp":1700000100,"nbf":1,"iat":2,"iss":"https://a","sub":"s","jti":"j\u0041","aud":["x"]}"#;
        let v = Validation::new().audience("x");
        let typed = validate::<Typed>(json, &v).unwrap().claims;
        assert_eq!(
            typed,
            Typed {
                exp: Some(Seconds(1_700_000_100)),
                nbf: Some(1),
                iat: 2.0,
                iss: Issuer::A,
                sub: Some("s".into()),
                jti: Some("jA".into()),
                aud: vec!["x".into()],
            }
        );
        let value = validate::<serde_json::Value>(json, &v).unwrap().claims;
        assert_eq!(
            value,
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
    }

    #[test]
    fn reject_payload_that_is_not_an_object() {
        for json in [
            r#"["joe",1300819380,true]"#,
            r#""joe""#,
            "null",
            "1",
            "",
            "{",
            r#"{"exp":1} {}"#,
        ] {
            assert_eq!(
                kind(json, &Validation::new()),
                ErrorKind::InvalidPayload,
                "{json}"
            );
        }
    }

    #[test]
    fn reject_duplicate_claims_even_when_the_type_ignores_them() {
        let v = Validation::new().allow_missing_exp();
        assert_eq!(
            kind(r#"{"sub":"a","sub":"admin"}"#, &v),
            ErrorKind::InvalidPayload
        );
        assert_eq!(kind(r#"{"x":1,"x":2}"#, &v), ErrorKind::InvalidPayload);
        assert_eq!(
            kind(r#"{"exp":1,"e\u0078p":2}"#, &v),
            ErrorKind::InvalidPayload
        );
        #[derive(Deserialize)]
        struct Nothing {}
        let err = validate::<Nothing>(r#"{"exp":4000000000,"role":"user","role":"admin"}"#, &v)
            .err()
            .unwrap();
        assert_eq!(err.kind(), ErrorKind::InvalidPayload);
    }

    #[test]
    fn reject_duplicates_on_both_sides_of_the_replay_limit() {
        let members = |n: usize| (0..n).map(|i| format!("\"k{i}\":{i}")).collect::<Vec<_>>();
        for total in [1, 15, 16, 17, 18, 40] {
            let unique = members(total);
            let json = format!("{{{}}}", unique.join(","));
            let last = total - 1;
            let v = Validation::new()
                .allow_missing_exp()
                .require(format!("k{last}"));
            let value = validate::<serde_json::Value>(&json, &v).unwrap().claims;
            assert_eq!(value.as_object().map(|o| o.len()), Some(total), "{total}");
            let absent = v.clone().require(format!("k{total}"));
            assert_eq!(kind(&json, &absent), ErrorKind::MissingClaim, "{total}");
            for first in [0, total / 2, last] {
                let mut again = unique.clone();
                again.push(format!("\"k{first}\":\"again\""));
                let json = format!("{{{}}}", again.join(","));
                assert_eq!(
                    kind(&json, &v),
                    ErrorKind::InvalidPayload,
                    "{total} {first}"
                );
                // The duplicate may also come first and the original after the limit.
                again.rotate_right(1);
                let json = format!("{{{}}}", again.join(","));
                assert_eq!(
                    kind(&json, &v),
                    ErrorKind::InvalidPayload,
                    "{total} {first}"
                );
            }
        }
    }

    #[test]
    fn reject_time_claims_of_wrong_type_or_range() {
        let v = Validation::new().allow_missing_exp();
        for claim in ["exp", "nbf", "iat"] {
            for value in [
                r#""9999999999""#,
                "true",
                "null",
                "[1]",
                "{}",
                "-1",
                "1e400",
                "1.5e19",
                "18446744073709551616",
                "9223372036854775808",
                "253402300800",
                "-0.5e1",
            ] {
                let json = format!(r#"{{"{claim}":{value}}}"#);
                assert_eq!(kind(&json, &v), ErrorKind::InvalidClaim, "{json}");
            }
        }
    }

    #[test]
    fn fractional_times_round_to_the_strict_side() {
        let v = Validation::new();
        let c = validate::<serde_json::Value>(r#"{"exp":1700000000.9,"nbf":1700000000.1}"#, &v)
            .unwrap();
        assert_eq!(c.times.expires_at, Some(NOW));
        assert_eq!(c.times.not_before, Some(NOW + 1));
        assert_eq!(c.time_failure.unwrap().kind(), ErrorKind::Expired);
    }

    #[test]
    fn exp_and_nbf_boundaries() {
        let v = Validation::new();
        assert_eq!(kind(&format!(r#"{{"exp":{NOW}}}"#), &v), ErrorKind::Expired);
        assert!(
            validate::<serde_json::Value>(&format!(r#"{{"exp":{}}}"#, NOW + 1), &v)
                .unwrap()
                .time_failure
                .is_none()
        );
        let ok = format!(r#"{{"exp":{},"nbf":{NOW}}}"#, NOW + 10);
        assert!(
            validate::<serde_json::Value>(&ok, &v)
                .unwrap()
                .time_failure
                .is_none()
        );
        let early = format!(r#"{{"exp":{},"nbf":{}}}"#, NOW + 10, NOW + 1);
        assert_eq!(kind(&early, &v), ErrorKind::NotYetValid);
        let lenient = Validation::new().leeway(1);
        assert!(
            validate::<serde_json::Value>(&early, &lenient)
                .unwrap()
                .time_failure
                .is_none()
        );
        assert!(
            validate::<serde_json::Value>(&format!(r#"{{"exp":{NOW}}}"#), &lenient)
                .unwrap()
                .time_failure
                .is_none()
        );
    }

    #[test]
    fn reject_leeway_overflow_tricks() {
        let v = Validation::new().leeway(u64::MAX);
        let huge = format!(r#"{{"exp":{MAX_NUMERIC_DATE}}}"#);
        assert!(
            validate::<serde_json::Value>(&huge, &v)
                .unwrap()
                .time_failure
                .is_none()
        );
        assert_eq!(
            kind(&format!(r#"{{"exp":{}}}"#, NOW - 301), &v),
            ErrorKind::Expired
        );
        assert!(
            validate::<serde_json::Value>(r#"{"exp":4000000000,"nbf":0}"#, &v)
                .unwrap()
                .time_failure
                .is_none()
        );
    }

    #[test]
    fn reject_missing_exp_by_default() {
        assert_eq!(
            kind(r#"{"sub":"admin"}"#, &Validation::new()),
            ErrorKind::MissingClaim
        );
        assert!(
            validate::<serde_json::Value>(
                r#"{"sub":"admin"}"#,
                &Validation::new().allow_missing_exp()
            )
            .is_ok()
        );
    }

    #[test]
    fn issuer_must_match_exactly() {
        let v = Validation::new()
            .allow_missing_exp()
            .issuer("https://idp.example");
        assert!(validate::<serde_json::Value>(r#"{"iss":"https://idp.example"}"#, &v).is_ok());
        for iss in [
            r#""https://idp.example.evil""#,
            r#""https://idp""#,
            r#""HTTPS://IDP.EXAMPLE""#,
            r#""https://idp.example/""#,
            r#""https://idp.example\u0000""#,
        ] {
            assert_eq!(
                kind(&format!(r#"{{"iss":{iss}}}"#), &v),
                ErrorKind::WrongIssuer,
                "{iss}"
            );
        }
        assert_eq!(
            kind(r#"{"iss":["https://attacker","https://idp.example"]}"#, &v),
            ErrorKind::InvalidClaim
        );
        assert_eq!(kind(r#"{"sub":"x"}"#, &v), ErrorKind::MissingClaim);
    }

    #[test]
    fn audience_string_or_array() {
        let v = Validation::new().allow_missing_exp().audience("api");
        for ok in [
            r#""api""#,
            r#"["api","other"]"#,
            r#"["other","api"]"#,
            r#""\u0061pi""#,
        ] {
            assert!(
                validate::<serde_json::Value>(&format!(r#"{{"aud":{ok}}}"#), &v).is_ok(),
                "{ok}"
            );
        }
        for wrong in [r#""API""#, r#""api ""#, r#""""#, r#"[""]"#, r#"["other"]"#] {
            assert_eq!(
                kind(&format!(r#"{{"aud":{wrong}}}"#), &v),
                ErrorKind::WrongAudience,
                "{wrong}"
            );
        }
        for invalid in [
            "[]",
            "[null]",
            r#"[["api"]]"#,
            r#"{"0":"api"}"#,
            "null",
            "1",
        ] {
            assert_eq!(
                kind(&format!(r#"{{"aud":{invalid}}}"#), &v),
                ErrorKind::InvalidClaim,
                "{invalid}"
            );
        }
        assert_eq!(kind(r#"{"sub":"x"}"#, &v), ErrorKind::MissingClaim);
    }

    #[test]
    fn reject_audience_when_none_configured() {
        let v = Validation::new().allow_missing_exp();
        assert_eq!(kind(r#"{"aud":"api"}"#, &v), ErrorKind::WrongAudience);
    }

    #[test]
    fn subject_and_required_claims() {
        let v = Validation::new()
            .allow_missing_exp()
            .subject("alice")
            .require("role");
        assert!(validate::<serde_json::Value>(r#"{"sub":"alice","role":1}"#, &v).is_ok());
        assert_eq!(
            kind(r#"{"sub":"bob","role":1}"#, &v),
            ErrorKind::WrongSubject
        );
        assert_eq!(kind(r#"{"sub":"alice"}"#, &v), ErrorKind::MissingClaim);
        assert_eq!(kind(r#"{"sub":1,"role":1}"#, &v), ErrorKind::InvalidClaim);
        assert_eq!(
            kind(r#"{"jti":1}"#, &Validation::new().allow_missing_exp()),
            ErrorKind::InvalidClaim
        );
    }

    #[test]
    fn iat_policies() {
        let v = Validation::new()
            .allow_missing_exp()
            .reject_issued_in_future();
        assert_eq!(
            kind(&format!(r#"{{"iat":{}}}"#, NOW + 86400), &v),
            ErrorKind::IssuedInFuture
        );
        assert!(
            validate::<serde_json::Value>(&format!(r#"{{"iat":{NOW}}}"#), &v)
                .unwrap()
                .time_failure
                .is_none()
        );
        let aged = Validation::new().allow_missing_exp().max_age(60);
        assert_eq!(
            kind(&format!(r#"{{"iat":{}}}"#, NOW - 61), &aged),
            ErrorKind::TooOld
        );
        assert!(
            validate::<serde_json::Value>(&format!(r#"{{"iat":{}}}"#, NOW - 60), &aged)
                .unwrap()
                .time_failure
                .is_none()
        );
        assert_eq!(kind(r#"{"sub":"x"}"#, &aged), ErrorKind::MissingClaim);
    }

    #[test]
    fn non_time_failures_win_over_time_failures() {
        let v = Validation::new().issuer("good");
        let json = format!(r#"{{"iss":"evil","exp":{}}}"#, NOW - 10);
        assert_eq!(
            validate::<serde_json::Value>(&json, &v)
                .err()
                .unwrap()
                .kind(),
            ErrorKind::WrongIssuer
        );
    }

    /// A claims type whose `visit_map` ignores errors from `next_value`.
    struct Lenient;

    impl<'de> Deserialize<'de> for Lenient {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Lenient;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("anything")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lenient, A::Error> {
                    while let Ok(Some(_)) = map.next_key::<IgnoredAny>() {
                        let _ = map.next_value::<IgnoredAny>();
                    }
                    Ok(Lenient)
                }
            }
            d.deserialize_map(V)
        }
    }

    #[test]
    fn reject_registered_claim_errors_swallowed_by_the_claims_type() {
        let v = Validation::new().audience("api").subject("alice");
        for json in [
            r#"{"sub":"alice","aud":"api","exp":"1"}"#,
            r#"{"sub":"alice","aud":"api","exp":null}"#,
            r#"{"sub":"alice","aud":1,"exp":4000000000}"#,
            r#"{"sub":1,"aud":"api","exp":4000000000}"#,
            r#"{"sub":"alice","sub":"bob","aud":"api","exp":4000000000}"#,
        ] {
            assert!(validate::<Lenient>(json, &v).is_err(), "{json}");
        }
        assert!(validate::<Lenient>(r#"{"sub":"alice","aud":"api","exp":4000000000}"#, &v).is_ok());
    }

    #[test]
    fn error_names_only_plain_claim_names() {
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            exp: u64,
        }
        let v = Validation::new();
        let hostile = "{\"exp\":4000000000,\"\\n2026 ERROR admin\\u001b[2J\":1}";
        let err = validate::<Strict>(hostile, &v).err().unwrap();
        assert!(
            matches!(err, Error::ClaimsType { claim: None, .. }),
            "{err:?}"
        );
        let err = validate::<Strict>(r#"{"exp":4000000000,"role.v2":1}"#, &v)
            .err()
            .unwrap();
        assert!(err.to_string().contains("role.v2"), "{err}");
    }

    #[test]
    fn user_type_errors_never_quote_values() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Strict {
            role: u32,
            exp: u64,
        }
        let err = validate::<Strict>(
            r#"{"exp":4000000000,"role":"canary-value"}"#,
            &Validation::new(),
        )
        .err()
        .unwrap();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("canary"), "{text}");
        assert!(text.contains("role"), "{text}");
        let err = validate::<Strict>(r#"{"exp":4000000000}"#, &Validation::new())
            .err()
            .unwrap();
        assert!(err.to_string().contains("role"), "{err}");
        assert_eq!(err.kind(), ErrorKind::InvalidPayload);
    }

    #[test]
    fn user_type_errors_name_the_member_they_happened_in() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Inner {
            n: u8,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Typed {
            exp: u64,
            role: u32,
            team: String,
            #[serde(default)]
            inner: Option<Inner>,
        }
        let v = Validation::new();
        let named = |json: &str| match validate::<Typed>(json, &v).err() {
            Some(Error::ClaimsType { claim, problem }) => (claim.map(String::from), problem),
            other => panic!("{json}: {other:?}"),
        };
        for (json, claim) in [
            ("{\"exp\":4000000000,\"role\":\"x\",\"team\":\"a\"}", "role"),
            (
                "{\n  \"exp\": 4000000000,\n  \"role\": \"x\",\n  \"team\": \"a\"\n}",
                "role",
            ),
            (
                "{\"exp\":4000000000,\"team\":\"a\",\"role\":[1,\n2]}",
                "role",
            ),
            ("{\"exp\":4000000000,\"role\":1,\"team\":7}", "team"),
            (
                "{\"exp\":4000000000,\"role\":1,\"team\":\"a\",\r\n\"inner\":{\"n\":300}}",
                "inner",
            ),
            (
                "{\"exp\":4000000000,\"role\":1,\"team\":\"a\",\"inner\":{}}",
                "n",
            ),
        ] {
            let (found, _) = named(json);
            assert_eq!(found.as_deref(), Some(claim), "{json}");
        }
        assert_eq!(
            named("{\"exp\":4000000000,\"role\":1}"),
            (Some("team".to_owned()), ClaimsProblem::MissingField)
        );
        let err = validate::<Vec<u8>>("{\"exp\":4000000000}", &v).err();
        assert!(
            matches!(
                err,
                Some(Error::ClaimsType {
                    claim: None,
                    problem: ClaimsProblem::NotAnObjectType
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn digits_are_read_as_decimal_numbers() {
        let mut cases: Vec<u64> = (0..2000).collect();
        cases.extend((0..19).map(|p| 10u64.pow(p)));
        cases.extend((1..19).map(|p| 10u64.pow(p) - 1));
        cases.extend([
            12_345_678,
            87_654_321,
            1_700_000_000,
            4_102_444_800,
            253_402_300_799,
        ]);
        cases.extend([
            999_999_999_999_999,
            123_456_789_012_345,
            9_999_999_999_999_999_999,
        ]);
        for n in cases {
            let text = n.to_string();
            assert_eq!(super::digits_value(text.as_bytes()), n, "{text}");
            let padded = format!("000{text}");
            assert_eq!(super::digits_value(padded.as_bytes()), n, "{padded}");
        }
        assert_eq!(super::digits_value(b""), 0);
    }

    mod same_as_serde_json {
        //! Whatever a claims type makes of a payload, it makes the same of it here as with
        //! `serde_json::from_str`: the replay of scanned members and the serde_json fallback
        //! (more than `MAX_MEMBERS` members) alike.

        use std::collections::BTreeMap;

        use proptest::prelude::*;
        use serde::Deserialize;
        use serde_json::Value;

        use super::super::{Mode, parse};

        #[derive(Deserialize, Debug, PartialEq, Eq, PartialOrd, Ord)]
        enum Kind {
            Alpha,
            Beta,
        }

        #[derive(Deserialize, Debug, PartialEq)]
        struct Newtype(u16);

        #[derive(Deserialize, Debug, PartialEq)]
        struct Wide {
            #[serde(default)]
            a: Option<u32>,
            #[serde(default)]
            b: Option<i64>,
            #[serde(default)]
            f: Option<f64>,
            #[serde(default)]
            s: Option<String>,
            #[serde(default)]
            flag: Option<bool>,
            #[serde(default)]
            list: Option<Vec<u8>>,
            #[serde(default)]
            kind: Option<Kind>,
            #[serde(default)]
            ch: Option<char>,
            #[serde(default)]
            nt: Option<Newtype>,
            #[serde(default)]
            big: Option<u128>,
            #[serde(default)]
            obj: Option<BTreeMap<String, i32>>,
        }

        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(deny_unknown_fields)]
        struct Strict {
            a: u64,
            #[serde(default)]
            s: String,
        }

        #[derive(Deserialize, Debug, PartialEq)]
        struct Flattened {
            #[serde(default)]
            a: Option<u64>,
            #[serde(flatten)]
            rest: BTreeMap<String, Value>,
        }

        #[derive(Deserialize, Debug, PartialEq)]
        struct Borrowing<'a> {
            #[serde(borrow, default)]
            s: Option<&'a str>,
            #[serde(borrow, default)]
            kind: Option<std::borrow::Cow<'a, str>>,
        }

        #[derive(Deserialize, Debug, PartialEq)]
        enum Tagged {
            Alpha(u8),
        }

        /// A `RawValue`, compared by its text.
        #[derive(Deserialize, Debug)]
        struct Raw(Box<serde_json::value::RawValue>);

        impl PartialEq for Raw {
            fn eq(&self, other: &Raw) -> bool {
                self.0.get() == other.0.get()
            }
        }

        #[derive(Deserialize, Debug, PartialEq)]
        struct Raws<'a> {
            #[serde(default)]
            a: Option<Raw>,
            #[serde(default)]
            s: Option<Raw>,
            #[serde(borrow, default)]
            list: Option<BorrowedRaw<'a>>,
        }

        /// A borrowed `RawValue`, compared by its text.
        #[derive(Deserialize, Debug)]
        struct BorrowedRaw<'a>(#[serde(borrow)] &'a serde_json::value::RawValue);

        impl PartialEq for BorrowedRaw<'_> {
            fn eq(&self, other: &Self) -> bool {
                self.0.get() == other.0.get()
            }
        }

        fn agree<'de, T: Deserialize<'de> + PartialEq + std::fmt::Debug>(
            text: &'de str,
        ) -> Result<(), TestCaseError> {
            let ours = parse::<T>(text.as_bytes(), 64, Mode::InspectOnly).map(|c| c.claims);
            let theirs = serde_json::from_slice::<T>(text.as_bytes());
            match (ours, theirs) {
                (Ok(ours), Ok(theirs)) => prop_assert_eq!(ours, theirs, "{}", text),
                (Err(_), Err(_)) => {}
                (ours, theirs) => prop_assert!(
                    false,
                    "{} as {}: ours {:?}, serde_json {:?}",
                    text,
                    std::any::type_name::<T>(),
                    ours.map(|_| ()),
                    theirs.map(|_| ())
                ),
            }
            Ok(())
        }

        const NAMES: &[&str] = &[
            "a",
            "b",
            "f",
            "s",
            "flag",
            "list",
            "kind",
            "ch",
            "nt",
            "big",
            "obj",
            "Alpha",
            "1",
            "42",
            "-3",
            "1.5",
            "true",
            "x",
            "y",
            "z",
            "k1",
            "k2",
            "k3",
            "k4",
            "q\"",
            "é",
            "18446744073709551616",
            "-9223372036854775809",
            " 1",
            "1 ",
            "1e2",
            "-0",
        ];

        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                (0u64..300).prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>()
                    .prop_filter("finite", |f| f.is_finite())
                    .prop_map(Value::from),
                prop::sample::select(vec!["Alpha", "Beta", "x", "é", "a\"b", "\\", "\u{1}", ""])
                    .prop_map(Value::from),
                "[a-z\"\\\\\u{1}é😀]{0,5}".prop_map(Value::from),
            ];
            leaf.prop_recursive(3, 12, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::btree_map("[a-z0-9]{1,3}", inner, 0..3)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #[test]
            fn every_type_reads_the_same(
                members in prop::collection::btree_map(prop::sample::select(NAMES), value(), 0..22),
                spaced in any::<bool>(),
            ) {
                let object: serde_json::Map<String, Value> =
                    members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                let text = if spaced {
                    serde_json::to_string_pretty(&object)
                } else {
                    serde_json::to_string(&object)
                }
                .unwrap();
                agree::<Value>(&text)?;
                agree::<BTreeMap<String, Value>>(&text)?;
                agree::<BTreeMap<&str, Value>>(&text)?;
                agree::<BTreeMap<u64, Value>>(&text)?;
                agree::<BTreeMap<i8, Value>>(&text)?;
                agree::<BTreeMap<bool, Value>>(&text)?;
                agree::<BTreeMap<Kind, Value>>(&text)?;
                agree::<Wide>(&text)?;
                agree::<Strict>(&text)?;
                agree::<Flattened>(&text)?;
                agree::<Borrowing<'_>>(&text)?;
                agree::<Tagged>(&text)?;
                agree::<Option<Wide>>(&text)?;
                                agree::<Vec<Value>>(&text)?;
                agree::<()>(&text)?;
                agree::<BTreeMap<u128, Value>>(&text)?;
                agree::<BTreeMap<i128, Value>>(&text)?;
                agree::<BTreeMap<char, Value>>(&text)?;
                agree::<BTreeMap<String, Raw>>(&text)?;
                agree::<Raw>(&text)?;
                agree::<Raws<'_>>(&text)?;
                agree::<BTreeMap<Vec<u8>, Value>>(&text)?;
            }
        }

        /// Cases where the replay once differed from serde_json (review of the replay): each text
        /// read both ways must give the same verdict.
        #[test]
        fn replay_matches_serde_json_on_reviewed_cases() {
            use std::fmt;

            use serde::Deserializer;
            use serde::de::{self, Visitor};

            fn same<'de, T: Deserialize<'de> + PartialEq + fmt::Debug>(text: &'de str) {
                if let Err(failure) = agree::<T>(text) {
                    panic!("{failure}");
                }
            }
            // Numeric and bool keys are read from the raw key text: no escapes, no spaces.
            for text in [
                r#"{"\u0031":1}"#,
                r#"{" 1 ":1}"#,
                r#"{"1 ":1}"#,
                r#"{"1":1}"#,
                r#"{"-1":1}"#,
                r#"{"1e2":1}"#,
            ] {
                same::<BTreeMap<u64, u8>>(text);
                same::<BTreeMap<i64, u8>>(text);
            }
            same::<BTreeMap<bool, u8>>(r#"{"tru\u0065":1}"#);
            same::<BTreeMap<bool, u8>>(r#"{"true":1,"false":2}"#);
            same::<BTreeMap<u128, u8>>(r#"{"18446744073709551616":1}"#);
            same::<BTreeMap<i128, u8>>(r#"{"-9223372036854775809":1}"#);

            // RawValue, at the top, in fields, in maps: plain and other values.
            #[derive(Deserialize, Debug, PartialEq)]
            struct WithRaw {
                sub: String,
                exp: u64,
                extra: Raw,
                #[serde(default)]
                more: Option<Raw>,
            }
            for text in [
                r#"{"sub":"alice","exp":4000000000,"extra":"x"}"#,
                r#"{"sub":"alice","exp":4000000000,"extra":12,"more":"y"}"#,
                r#"{"sub":"alice","exp":4000000000,"extra":{"k":[1,2]},"more":null}"#,
            ] {
                same::<WithRaw>(text);
                same::<Raw>(text);
                same::<BTreeMap<String, Raw>>(text);
            }

            // Typed requests answer only what serde_json answers.
            struct StrOrNumber;
            impl<'de> Deserialize<'de> for StrOrNumber {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    struct V;
                    impl Visitor<'_> for V {
                        type Value = StrOrNumber;
                        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                            f.write_str("anything")
                        }
                        fn visit_str<E: de::Error>(self, _: &str) -> Result<StrOrNumber, E> {
                            Ok(StrOrNumber)
                        }
                        fn visit_u64<E: de::Error>(self, _: u64) -> Result<StrOrNumber, E> {
                            Ok(StrOrNumber)
                        }
                    }
                    d.deserialize_str(V)
                }
            }
            impl PartialEq for StrOrNumber {
                fn eq(&self, _: &Self) -> bool {
                    true
                }
            }
            impl fmt::Debug for StrOrNumber {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("StrOrNumber")
                }
            }
            same::<BTreeMap<String, StrOrNumber>>(r#"{"n":5}"#);
            same::<BTreeMap<String, StrOrNumber>>(r#"{"n":"5"}"#);

            // A claims type that stops reading after the first member.
            #[derive(Debug, PartialEq)]
            struct FirstOnly;
            impl<'de> Deserialize<'de> for FirstOnly {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    struct V;
                    impl<'de> Visitor<'de> for V {
                        type Value = FirstOnly;
                        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                            f.write_str("a map")
                        }
                        fn visit_map<A: de::MapAccess<'de>>(
                            self,
                            mut map: A,
                        ) -> Result<FirstOnly, A::Error> {
                            let _ = map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?;
                            Ok(FirstOnly)
                        }
                    }
                    d.deserialize_map(V)
                }
            }
            same::<FirstOnly>(r#"{"a":1}"#);
            same::<FirstOnly>(r#"{"a":1,"b":2}"#);
        }
    }

    #[test]
    fn errors_after_the_last_member_name_no_member() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Inner {
            role: u64,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Outer {
            #[serde(flatten)]
            inner: Inner,
            tenant_id: Option<String>,
        }
        let few = r#"{"role":"x","tenant_id":"t"}"#.to_owned();
        let many = format!(
            r#"{{"role":"x",{}"tenant_id":"t"}}"#,
            (0..20)
                .map(|i| format!(r#""k{i}":{i},"#))
                .collect::<String>()
        );
        for text in [&few, &many] {
            match parse::<Outer>(text.as_bytes(), 32, Mode::InspectOnly) {
                Err(Error::ClaimsType { claim, .. }) => assert_eq!(claim, None, "{text}"),
                other => panic!("{text}: {:?}", other.map(|c| c.claims)),
            }
        }
    }

    #[test]
    fn bool_keys_and_non_ascii_names_do_not_panic() {
        // serde_json 1.0.154 panics on this through `from_str`; every path here uses
        // `from_slice` or the replay. Both paths: the replay, and more members than it holds.
        type BoolKeys = std::collections::BTreeMap<bool, serde_json::Value>;
        let few = "{\"é\":null}".to_owned();
        let many = format!(
            "{{{}\"é\":null}}",
            (0..20)
                .map(|i| format!("\"true{i}\":1,"))
                .collect::<String>()
        );
        let nested = "{\"x\":{\"é\":1}}".to_owned();
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Nested {
            x: BoolKeys,
        }
        for text in [&few, &many] {
            assert!(parse::<BoolKeys>(text.as_bytes(), 32, Mode::InspectOnly).is_err());
        }
        assert!(parse::<Nested>(nested.as_bytes(), 32, Mode::InspectOnly).is_err());
    }

    #[test]
    fn inspection_skips_checks_but_not_strictness() {
        let checked: Checked<'_, serde_json::Value> =
            parse(br#"{"aud":"x","iss":"y","exp":1}"#, 32, Mode::InspectOnly).unwrap();
        assert_eq!(checked.times.expires_at, Some(1));
        assert!(parse::<serde_json::Value>(br#"{"a":1,"a":1}"#, 32, Mode::InspectOnly).is_err());
        assert!(parse::<serde_json::Value>(br#"{"exp":"1"}"#, 32, Mode::InspectOnly).is_err());
    }

    #[test]
    fn reject_deeply_nested_claims() {
        let deep = format!(
            r#"{{"exp":4000000000,"x":{}{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        assert_eq!(kind(&deep, &Validation::new()), ErrorKind::InvalidPayload);
    }

    /// What the instrument is told of a refused, signed token: `iss`/`sub` exactly as JSON
    /// reads them when each appears once as a string, nothing otherwise, and never a panic.
    mod whose {
        use super::*;
        use proptest::prelude::*;

        fn expected(text: &[u8], name: &str) -> Option<String> {
            let map: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(text).ok()?;
            map.get(name)?.as_str().map(str::to_owned)
        }

        #[test]
        fn names_only_single_string_claims() {
            let cases: [(&[u8], Option<&str>, Option<&str>); 8] = [
                (br#"{"iss":"a","sub":"b"}"#, Some("a"), Some("b")),
                (
                    br#"{"iss":"a\n\u001b[31m","sub":7}"#,
                    Some("a\n\u{1b}[31m"),
                    None,
                ),
                (br#"{"iss":"\ud800"}"#, None, None),
                (br#"{"iss":"a","iss":"b","sub":"s"}"#, None, Some("s")),
                (br#"{"iss":["a"],"sub":null}"#, None, None),
                (br#"{"iss":"a""#, None, None),
                (b"[\"iss\"]", None, None),
                (b"\xff\xfe", None, None),
            ];
            for (payload, iss, sub) in cases {
                let got = issuer_and_subject(payload, 32);
                assert_eq!(
                    (got.0.as_deref(), got.1.as_deref()),
                    (iss, sub),
                    "{}",
                    String::from_utf8_lossy(payload)
                );
            }
        }

        proptest! {
            #[test]
            fn agrees_with_serde_json_and_never_panics(
                iss in proptest::option::of("[a-z\"\\\u{1}é😀]{0,8}"),
                sub in proptest::option::of(any::<u64>()),
                junk in proptest::collection::vec(any::<u8>(), 0..64),
                cut in any::<usize>(),
            ) {
                let mut object = serde_json::Map::new();
                if let Some(iss) = &iss {
                    object.insert("iss".into(), iss.clone().into());
                }
                if let Some(sub) = sub {
                    object.insert("sub".into(), sub.to_string().into());
                }
                object.insert("x".into(), 1.into());
                let text = serde_json::to_vec(&object).unwrap();
                let got = issuer_and_subject(&text, 32);
                prop_assert_eq!(got.0, expected(&text, "iss"));
                prop_assert_eq!(got.1, expected(&text, "sub"));
                // Cut short or followed by junk: whatever it says, it says it without panicking.
                let _ = issuer_and_subject(text.get(..cut % (text.len() + 1)).unwrap(), 32);
                let mut noisy = text.clone();
                noisy.extend(&junk);
                let _ = issuer_and_subject(&noisy, 32);
                let _ = issuer_and_subject(&junk, 32);
            }
        }
    }
}
