//! Finding the one bearer token a request carries, before anything is verified.
//!
//! Why a module of its own: this is where requests are judged *malformed* (400
//! `invalid_request`) as opposed to carrying a bad token (401 `invalid_token`), and the rules come
//! straight from RFC 6750:
//!
//! - §2.1 `Authorization: Bearer <b64token>`: the scheme is case-insensitive (RFC 9110 §11.1);
//!   exactly one header, exactly one token, `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" /
//!   "~" / "+" / "/" ) *"="`. Only optional whitespace (SP, HTAB) around the field value is
//!   trimmed. Another scheme (`Basic ...`) is not a bearer credential at all: such a request is
//!   answered like one without credentials.
//! - §2.3 the `access_token` query parameter is read only when the configuration enables it:
//!   URLs end up in logs, browser history and `Referer` headers.
//! - §2 "Clients MUST NOT use more than one method to transmit the token in each request": a
//!   token in two places is refused rather than one of them silently preferred.
//!
//! A named cookie is the one source RFC 6750 does not define; its value follows the same syntax,
//! and an empty value (what a logout that clears the cookie leaves behind) counts as no cookie.
//!
//! Nothing here allocates on the header and cookie paths: the token is borrowed from the request.

use std::borrow::Cow;
use std::fmt;

use actix_web::dev::RequestHead;
use actix_web::http::header::{AUTHORIZATION, COOKIE};

/// The RFC 6750 §2.3 query parameter name.
pub(crate) const QUERY_PARAMETER: &str = "access_token";

/// Where a request's bearer token was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenSource {
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1).
    Header,
    /// A cookie with the configured name.
    Cookie,
    /// The `access_token` query parameter (RFC 6750 §2.3), when enabled.
    Query,
}

impl TokenSource {
    /// A short name for logs: `header`, `cookie` or `query`.
    pub const fn name(self) -> &'static str {
        match self {
            TokenSource::Header => "header",
            TokenSource::Cookie => "cookie",
            TokenSource::Query => "query",
        }
    }
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which places a request's token is read from; see [`BearerConfig`](crate::BearerConfig).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokenSources {
    pub(crate) header: bool,
    pub(crate) cookie: Option<Box<str>>,
    pub(crate) query: bool,
}

impl Default for TokenSources {
    fn default() -> Self {
        TokenSources {
            header: true,
            cookie: None,
            query: false,
        }
    }
}

/// A bearer token as found in a request, not verified yet.
///
/// Its `Debug` shows where the token came from and how long it is, never the token itself; it
/// has no `Display`.
pub(crate) struct Credential<'r> {
    token: Cow<'r, str>,
    source: TokenSource,
}

impl Credential<'_> {
    /// The token text.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Where it was found.
    pub(crate) const fn source(&self) -> TokenSource {
        self.source
    }
}

impl fmt::Debug for Credential<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("source", &self.source)
            .field(
                "token",
                &format_args!("<redacted, {} bytes>", self.token.len()),
            )
            .finish()
    }
}

/// Why a request is malformed (400 `invalid_request`). The texts are fixed, contain only
/// characters RFC 6750 allows in `error_description`, and never quote the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) &'static str);

/// Finds the request's single bearer token in the enabled sources.
///
/// `Ok(None)`: no bearer credentials at all (answered with a bare challenge, or `None` from the
/// optional extractor).
pub(crate) fn find<'r>(
    head: &'r RequestHead,
    sources: &TokenSources,
) -> Result<Option<Credential<'r>>, Malformed> {
    let mut found: Option<Credential<'r>> = None;
    let mut keep = |credential: Credential<'r>| match found {
        Some(_) => Err(Malformed(
            "the request carries credentials in more than one place",
        )),
        None => {
            found = Some(credential);
            Ok(())
        }
    };
    if sources.header
        && let Some(token) = from_authorization(head)?
    {
        keep(Credential {
            token: Cow::Borrowed(token),
            source: TokenSource::Header,
        })?;
    }
    if let Some(name) = &sources.cookie
        && let Some(token) = from_cookies(head, name)?
    {
        keep(Credential {
            token: Cow::Borrowed(token),
            source: TokenSource::Cookie,
        })?;
    }
    if sources.query
        && let Some(token) = from_query(head.uri.query().unwrap_or_default())?
    {
        keep(Credential {
            token: Cow::Owned(token),
            source: TokenSource::Query,
        })?;
    }
    Ok(found)
}

/// The token of the request's `Authorization: Bearer` header, if it has one.
fn from_authorization(head: &RequestHead) -> Result<Option<&str>, Malformed> {
    let mut values = head.headers.get_all(AUTHORIZATION);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Malformed(
            "the request has more than one Authorization header",
        ));
    }
    parse_authorization(value.as_bytes())
}

/// Parses one `Authorization` field value: `Ok(None)` when its scheme is not `Bearer`.
pub(crate) fn parse_authorization(value: &[u8]) -> Result<Option<&str>, Malformed> {
    let value = trim_ows(value);
    let scheme_len = value
        .iter()
        .position(|&b| !is_tchar(b))
        .unwrap_or(value.len());
    let Some((scheme, rest)) = value.split_at_checked(scheme_len) else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return Ok(None);
    }
    let token = trim_leading_spaces(rest);
    if token.is_empty() {
        return Err(Malformed("the Bearer scheme is not followed by a token"));
    }
    if token.len() == rest.len() {
        return Err(Malformed("the Bearer scheme must be followed by a space"));
    }
    if token.contains(&b' ') {
        return Err(Malformed(
            "the Authorization header carries more than one token",
        ));
    }
    b64token(token).map(Some)
}

/// The value of the one cookie called `name`, if the request has it with a non-empty value.
fn from_cookies<'r>(head: &'r RequestHead, name: &str) -> Result<Option<&'r str>, Malformed> {
    let mut found = None;
    for header in head.headers.get_all(COOKIE) {
        for pair in header.as_bytes().split(|&b| b == b';') {
            let pair = trim_ows(pair);
            let Some(eq) = pair.iter().position(|&b| b == b'=') else {
                continue;
            };
            let Some((cookie_name, value)) = pair.split_at_checked(eq) else {
                continue;
            };
            if trim_ows(cookie_name) != name.as_bytes() {
                continue;
            }
            let value = trim_ows(value.get(1..).unwrap_or_default());
            // RFC 6265 §4.1.1 allows the value in double quotes.
            let value = value
                .strip_prefix(b"\"")
                .and_then(|v| v.strip_suffix(b"\""))
                .unwrap_or(value);
            if found.is_some() {
                return Err(Malformed("the token cookie appears more than once"));
            }
            found = Some(value);
        }
    }
    match found {
        None | Some([]) => Ok(None),
        Some(value) => b64token(value).map(Some),
    }
}

/// The `access_token` parameter of a query string (`application/x-www-form-urlencoded`).
///
/// Other parameters are not ours to judge: a name that does not decode is skipped (it cannot be
/// `access_token`), so an unrelated badly encoded parameter never turns a request into a 400.
pub(crate) fn from_query(query: &str) -> Result<Option<String>, Malformed> {
    let mut found = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !form_decode(name).is_ok_and(|name| name == QUERY_PARAMETER.as_bytes()) {
            continue;
        }
        if found.is_some() {
            return Err(Malformed(
                "the access_token query parameter appears more than once",
            ));
        }
        found = Some(form_decode(value)?);
    }
    match found {
        None => Ok(None),
        Some(value) => {
            b64token(&value)?;
            // b64token checked every byte is ASCII.
            String::from_utf8(value)
                .map(Some)
                .map_err(|_| Malformed("the token has characters b64token does not allow"))
        }
    }
}

/// Checks the RFC 6750 `b64token` syntax and returns the token as text.
pub(crate) fn b64token(token: &[u8]) -> Result<&str, Malformed> {
    const BAD: Malformed = Malformed("the token has characters b64token does not allow");
    let body = token
        .iter()
        .position(|&b| !is_b64char(b))
        .unwrap_or(token.len());
    let (head, padding) = token.split_at_checked(body).ok_or(BAD)?;
    if head.is_empty() || padding.iter().any(|&b| b != b'=') {
        return Err(BAD);
    }
    std::str::from_utf8(token).map_err(|_| BAD)
}

const fn is_b64char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

/// RFC 9110 §5.6.2 `tchar`, the characters of an authentication scheme name.
const fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// Trims RFC 9110 optional whitespace (SP and HTAB) at both ends, nothing else.
fn trim_ows(bytes: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !is_ows(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |last| last.saturating_add(1));
    bytes.get(start..end).unwrap_or_default()
}

/// Strips the `1*SP` between scheme and token.
fn trim_leading_spaces(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != b' ').unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Decodes one name or value of `application/x-www-form-urlencoded` text: `+` is a space,
/// `%XY` a byte.
fn form_decode(text: &str) -> Result<Vec<u8>, Malformed> {
    const BAD: Malformed = Malformed("the query string has an invalid percent-encoding");
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let high = bytes.next().and_then(hex).ok_or(BAD)?;
                let low = bytes.next().and_then(hex).ok_or(BAD)?;
                out.push(high.wrapping_shl(4) | low);
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn authorization_scheme_and_token() {
        fn ok(v: &str) -> Option<&str> {
            parse_authorization(v.as_bytes()).unwrap()
        }
        assert_eq!(ok("Bearer abc.def.ghi"), Some("abc.def.ghi"));
        assert_eq!(ok("bearer abc"), Some("abc"));
        assert_eq!(ok("BEARER abc"), Some("abc"));
        assert_eq!(ok(" \tBearer   abc== \t"), Some("abc=="));
        assert_eq!(ok("Bearer a-._~+/Z9="), Some("a-._~+/Z9="));
        // Other schemes are not bearer credentials.
        assert_eq!(ok("Basic YWxpY2U6cHc="), None);
        assert_eq!(ok("Bearerx abc"), None);
        assert_eq!(ok(""), None);
        assert_eq!(ok("   "), None);
    }

    #[test]
    fn malformed_bearer_values() {
        for bad in [
            "Bearer",
            "Bearer    ",
            "Bearer\tabc",
            "Bearer,abc",
            "Bearer a b",
            "Bearer abc def",
            "Bearer a\tb",
            "Bearer =abc",
            "Bearer ab=c",
            "Bearer a,b",
            "Bearer a\"b",
            "Bearer a\u{e9}b",
            "Bearer a%20b",
        ] {
            assert!(parse_authorization(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(parse_authorization(b"Bearer a\x00b").is_err());
        assert!(parse_authorization(b"Bearer a\xffb").is_err());
    }

    #[test]
    fn b64token_syntax() {
        assert!(b64token(b"a").is_ok());
        assert!(b64token(b"a==").is_ok());
        assert!(b64token(b"").is_err());
        assert!(b64token(b"==").is_err());
        assert!(b64token(b"a=b").is_err());
        assert!(b64token(b"a b").is_err());
    }

    #[test]
    fn query_parameter() {
        assert_eq!(from_query("").unwrap(), None);
        assert_eq!(from_query("x=1&y").unwrap(), None);
        assert_eq!(
            from_query("x=1&access_token=abc.def&y=2")
                .unwrap()
                .as_deref(),
            Some("abc.def")
        );
        assert_eq!(
            from_query("access%5Ftoken=a%2Bb%3D").unwrap().as_deref(),
            Some("a+b=")
        );
        // `+` is a space in a query string, and a space is not b64token.
        assert!(from_query("access_token=a+b").is_err());
        assert!(from_query("access_token=a&access_token=b").is_err());
        assert!(from_query("access_token=a%2").is_err());
        assert!(from_query("access_token=a%zz").is_err());
        // Unrelated parameters with a broken encoding are not ours to refuse.
        assert_eq!(from_query("100%=off&x=%zz").unwrap(), None);
        assert_eq!(
            from_query("%=1&access_token=abc&%E0%A4%A=2")
                .unwrap()
                .as_deref(),
            Some("abc")
        );
        assert!(from_query("access_token=").is_err());
    }

    #[test]
    fn trimming_is_only_ows() {
        assert_eq!(trim_ows(b" \t x \t "), b"x");
        assert_eq!(trim_ows(b"\r\nx"), b"\r\nx");
        assert_eq!(trim_ows(b"   "), b"");
    }

    #[test]
    fn debug_redacts_the_token() {
        let credential = Credential {
            token: Cow::Borrowed("secret.token.value"),
            source: TokenSource::Header,
        };
        let shown = format!("{credential:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("18 bytes"), "{shown}");
    }
}
