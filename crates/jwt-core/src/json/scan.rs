//! A strict JSON validator that walks the top-level members of one object.
//!
//! Why a scan of our own: the claims are read into the caller's type, and that type decides
//! what it looks at. It may skip members, keep the last of two duplicates, or never ask for
//! `exp`. The decisions that must not depend on the caller's
//! type (duplicate names, nesting depth, the registered claims) are therefore taken here, over
//! the exact text, before the caller's type runs; the members found are then handed to it
//! (`claims::replay`) without a second parse. The scan touches each byte once (string contents
//! eight bytes at a time) and allocates nothing unless a member name contains escapes.
//!
//! It accepts exactly RFC 8259 JSON, with two extra rules: `\u` escapes must form valid UTF-16
//! (a lone surrogate is refused, as it cannot become a Rust string), and no member name, at any
//! depth, may start with `$serde_json::private::` (see [`SERDE_JSON_MARKER`]).

use std::borrow::Cow;

use serde::de::DeserializeSeed;

use crate::error::Error;
use crate::json::KeySeed;

/// One member of the top-level object, as it was written.
pub(crate) struct Member<'a> {
    /// The member name, unescaped (borrowed unless it contains escapes).
    pub(crate) name: Cow<'a, str>,
    /// The value's JSON text, exactly as written (no surrounding whitespace).
    pub(crate) value: &'a str,
    /// Where the member starts in the text: the byte offset of its name's opening quote.
    pub(crate) start: usize,
    /// What kind of value it is, as far as the registered claims care.
    pub(crate) shape: Shape,
}

/// The shapes of value that registered claims take, recognised while scanning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Digits only: a non-negative integer with no sign, fraction or exponent.
    Digits,
    /// A string without escapes: its text is the value without the quotes.
    PlainString,
    /// Anything else.
    Other,
}

/// Why the text is not acceptable JSON; small, so the scanner's results stay in registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    NotJson,
    Truncated,
    NotAnObject,
    TooDeep,
    MarkerName,
}

/// The prefix of the member names serde_json uses as its own markers. An object whose first
/// member is `$serde_json::private::RawValue` is read into a `serde_json::Value` as the JSON
/// *inside that member's string* (and `...::Number` as a number, with `arbitrary_precision`), so
/// `{"attrs": {"$serde_json::private::RawValue": "{\"role\":\"admin\"}"}}` would reach a claims
/// type holding a `Value` as `{"attrs": {"role": "admin"}}`: two readings of one signed text,
/// for an issuer that signs member names it does not choose. Such names are refused wherever
/// they stand; the encoder refuses to write them.
pub(crate) const SERDE_JSON_MARKER: &str = "$serde_json::private::";

/// Whether `name` starts with [`SERDE_JSON_MARKER`] (one byte compared for most names).
#[inline(always)]
pub(crate) fn is_marker(name: &str) -> bool {
    name.as_bytes().first() == Some(&b'$') && name.starts_with(SERDE_JSON_MARKER)
}

impl From<Fault> for Error {
    fn from(fault: Fault) -> Error {
        Error::InvalidPayload(fault.message())
    }
}

impl Fault {
    const fn message(self) -> &'static str {
        match self {
            Fault::NotJson => "not valid JSON",
            Fault::Truncated => "truncated JSON",
            Fault::NotAnObject => "not a JSON object of the expected shape",
            Fault::TooDeep => "nested deeper than the limit",
            Fault::MarkerName => {
                "a member name starts with `$serde_json::private::`, which serde_json reads as \
                 its own marker"
            }
        }
    }
}

/// Whether the JSON object `text` is refused for a member name, at any depth, that starts with
/// [`SERDE_JSON_MARKER`] (and for nothing before it).
pub(crate) fn names_a_marker(text: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else {
        return false;
    };
    matches!(
        for_each_member(text, usize::MAX, |_| Ok(())),
        Err(Error::InvalidPayload(message)) if message == Fault::MarkerName.message()
    )
}

/// Validates `text` as exactly one JSON object nested at most `max_depth` levels deep (the
/// object itself is level 1), and hands every top-level member to `visit`, in order.
///
/// Stops at the first error, from the text or from `visit`.
pub(crate) fn for_each_member<'a>(
    text: &'a str,
    max_depth: usize,
    mut visit: impl FnMut(Member<'a>) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut cursor = Cursor::new(text);
    cursor.skip_whitespace();
    match cursor.peek() {
        Some(b'{') => {}
        Some(_) => return Err(Fault::NotAnObject.into()),
        None => return Err(Fault::Truncated.into()),
    }
    if max_depth == 0 {
        return Err(Fault::TooDeep.into());
    }
    cursor.advance();
    cursor.skip_whitespace();
    if cursor.peek() == Some(b'}') {
        cursor.advance();
    } else {
        loop {
            let start = cursor.position;
            let (end, escaped) = cursor.member_name()?;
            let name = member_name(text, start, end, escaped)?;
            if is_marker(&name) {
                return Err(Fault::MarkerName.into());
            }
            let value_start = cursor.position;
            let shape = cursor.value(max_depth)?;
            let value = text
                .get(value_start..cursor.position)
                .ok_or(Fault::NotJson)?;
            visit(Member {
                name,
                value,
                start,
                shape,
            })?;
            cursor.skip_whitespace();
            match cursor.next() {
                Some(b',') => cursor.skip_whitespace(),
                Some(b'}') => break,
                Some(_) => return Err(Fault::NotJson.into()),
                None => return Err(Fault::Truncated.into()),
            }
        }
    }
    cursor.skip_whitespace();
    if cursor.position == text.len() {
        Ok(())
    } else {
        Err(Fault::NotJson.into())
    }
}

/// The unescaped text of the (already scanned) string `text[start..end]`, quotes included.
#[inline(always)]
fn member_name(text: &str, start: usize, end: usize, escaped: bool) -> Result<Cow<'_, str>, Fault> {
    if escaped {
        let quoted = text.get(start..end).ok_or(Fault::NotJson)?;
        let mut de = serde_json::Deserializer::from_slice(quoted.as_bytes());
        let name = KeySeed.deserialize(&mut de).map_err(|_| Fault::NotJson)?;
        Ok(Cow::Owned(name.into_owned()))
    } else {
        let inner = text.get(start.wrapping_add(1)..end.wrapping_sub(1));
        inner.map(Cow::Borrowed).ok_or(Fault::NotJson)
    }
}

/// The name of the last top-level member of `text` that starts before byte `offset`, if any.
///
/// Used only on the error path, to say which claim a serde_json error (which reports a
/// position) happened in. `text` has already passed [`for_each_member`].
pub(crate) fn member_before(text: &str, offset: usize) -> Option<Cow<'_, str>> {
    let mut last = None;
    let _ = for_each_member(text, usize::MAX, |member| {
        if member.start >= offset {
            return Err(Fault::NotJson.into()); // stop: this and all later members start after `offset`
        }
        last = Some(member.name);
        Ok(())
    });
    last
}

/// How many bytes at the start of `bytes` may stand unescaped in a string and end nothing.
///
/// Eight bytes at a time: a byte is special when it equals `"` or `\`, or is below 0x20; the
/// classic "has a zero byte" test flags such bytes exactly from the lowest one up (a false
/// flag can only appear above a true one), so the lowest flag is the answer.
#[inline(always)]
pub(crate) fn plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = 0x2222_2222_2222_2222;
    const BACKSLASHES: u64 = 0x5C5C_5C5C_5C5C_5C5C;
    const SPACES: u64 = 0x2020_2020_2020_2020;
    let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v;
    let special = |word: [u8; 8]| {
        let word = u64::from_le_bytes(word);
        (zero_bytes(word ^ QUOTES)
            | zero_bytes(word ^ BACKSLASHES)
            | (word.wrapping_sub(SPACES) & !word))
            & HIGHS
    };
    // `trailing_zeros` of a non-zero flag word is at most 63: the division leaves 0..=7.
    let first = |flags: u64| (flags.trailing_zeros() / 8) as usize;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0usize;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let flags = special(word);
        if flags != 0 {
            return offset.wrapping_add(first(flags));
        }
        offset = offset.wrapping_add(8);
    }
    let tail = chunks.remainder();
    if tail.is_empty() {
        return offset;
    }
    // The last few bytes: the final eight bytes as one more word when there are that many (the
    // ones already checked are plain, so the lowest flag is still the first special byte)...
    let last_word = bytes.len().checked_sub(8).and_then(|start| {
        let word: [u8; 8] = bytes.get(start..)?.try_into().ok()?;
        let flags = special(word);
        Some(if flags == 0 {
            bytes.len()
        } else {
            start.wrapping_add(first(flags))
        })
    });
    // ... and one at a time in a string shorter than that.
    last_word.unwrap_or_else(|| {
        let plain = tail
            .iter()
            .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
            .unwrap_or(tail.len());
        offset.wrapping_add(plain)
    })
}

/// Open containers: `true` for an object, `false` for an array. The first 64 levels live in a
/// word; deeper ones (only with a raised depth limit) in a vector.
struct Containers {
    bits: u64,
    len: usize,
    deeper: Vec<bool>,
}

impl Containers {
    const fn new() -> Self {
        Containers {
            bits: 0,
            len: 0,
            deeper: Vec::new(),
        }
    }

    fn push(&mut self, object: bool) {
        if self.len < 64 {
            let bit = 1u64 << self.len;
            self.bits = if object {
                self.bits | bit
            } else {
                self.bits & !bit
            };
        } else {
            self.deeper.push(object);
        }
        self.len = self.len.saturating_add(1);
    }

    /// The innermost open container (`Some(true)` for an object), if any.
    fn top(&self) -> Option<bool> {
        let index = self.len.checked_sub(1)?;
        if index < 64 {
            Some(self.bits & (1u64 << index) != 0)
        } else {
            self.deeper.last().copied()
        }
    }

    fn pop(&mut self) {
        if self.len > 64 {
            self.deeper.pop();
        }
        self.len = self.len.saturating_sub(1);
    }
}

struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    const fn new(text: &'a str) -> Self {
        Cursor {
            text,
            bytes: text.as_bytes(),
            position: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn advance(&mut self) {
        // Never past `bytes.len()` + 1, so it cannot wrap.
        self.position = self.position.wrapping_add(1);
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek();
        self.advance();
        byte
    }

    fn eat(&mut self, expected: u8) -> Result<(), Fault> {
        match self.next() {
            Some(byte) if byte == expected => Ok(()),
            Some(_) => Err(Fault::NotJson),
            None => Err(Fault::Truncated),
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.advance();
        }
    }

    /// Reads `"name"`, the whitespace after it, the `:` and the whitespace after that;
    /// returns where the name ended (after its closing quote) and whether it contains escapes.
    #[inline(always)]
    fn member_name(&mut self) -> Result<(usize, bool), Fault> {
        match self.peek() {
            Some(b'"') => {}
            Some(_) => return Err(Fault::NotJson),
            None => return Err(Fault::Truncated),
        }
        let escaped = self.string()?;
        let end = self.position;
        self.skip_whitespace();
        self.eat(b':')?;
        self.skip_whitespace();
        Ok((end, escaped))
    }

    /// [`Cursor::member_name`] for a member below the top level, whose name is otherwise not
    /// needed: refuses the serde_json markers (see [`SERDE_JSON_MARKER`]). A plain name is
    /// checked by its first byte, so only names starting with `$` or an escape cost more.
    #[inline(always)]
    fn nested_member_name(&mut self) -> Result<(), Fault> {
        let start = self.position;
        let (end, escaped) = self.member_name()?;
        let first = self.bytes.get(start.wrapping_add(1)).copied();
        if matches!(first, Some(b'$' | b'\\'))
            && is_marker(&member_name(self.text, start, end, escaped)?)
        {
            return Err(Fault::MarkerName);
        }
        Ok(())
    }

    /// Reads one string starting at its opening quote; returns whether it contains escapes.
    #[inline(always)]
    fn string(&mut self) -> Result<bool, Fault> {
        self.advance();
        let mut escaped = false;
        loop {
            let rest = self.bytes.get(self.position..).unwrap_or_default();
            self.position = self.position.wrapping_add(plain_prefix(rest));
            match self.next() {
                Some(b'"') => return Ok(escaped),
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                Some(_) => return Err(Fault::NotJson), // a control character
                None => return Err(Fault::Truncated),
            }
        }
    }

    /// Reads the rest of an escape sequence after its backslash.
    fn escape(&mut self) -> Result<(), Fault> {
        match self.next() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(()),
            Some(b'u') => match self.hex4()? {
                0xD800..=0xDBFF => {
                    self.eat(b'\\')?;
                    self.eat(b'u')?;
                    match self.hex4()? {
                        0xDC00..=0xDFFF => Ok(()),
                        _ => Err(Fault::NotJson),
                    }
                }
                0xDC00..=0xDFFF => Err(Fault::NotJson),
                _ => Ok(()),
            },
            Some(_) => Err(Fault::NotJson),
            None => Err(Fault::Truncated),
        }
    }

    fn hex4(&mut self) -> Result<u16, Fault> {
        let mut unit = 0u16;
        for _ in 0..4 {
            let digit = match self.next() {
                Some(b @ b'0'..=b'9') => b.wrapping_sub(b'0'),
                Some(b @ b'a'..=b'f') => b.wrapping_sub(b'a').wrapping_add(10),
                Some(b @ b'A'..=b'F') => b.wrapping_sub(b'A').wrapping_add(10),
                Some(_) => return Err(Fault::NotJson),
                None => return Err(Fault::Truncated),
            };
            unit = unit.wrapping_shl(4) | u16::from(digit);
        }
        Ok(unit)
    }

    /// Reads one or more ASCII digits.
    fn digits(&mut self) -> Result<(), Fault> {
        match self.peek() {
            Some(b'0'..=b'9') => {}
            Some(_) => return Err(Fault::NotJson),
            None => return Err(Fault::Truncated),
        }
        let rest = self.bytes.get(self.position..).unwrap_or_default();
        let digits = rest
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(rest.len());
        self.position = self.position.wrapping_add(digits);
        Ok(())
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    #[inline(always)]
    fn number(&mut self) -> Result<Shape, Fault> {
        let mut shape = Shape::Digits;
        if self.peek() == Some(b'-') {
            self.advance();
            shape = Shape::Other;
        }
        match self.peek() {
            Some(b'0') => self.advance(),
            _ => self.digits()?,
        }
        if self.peek() == Some(b'.') {
            self.advance();
            self.digits()?;
            shape = Shape::Other;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.advance();
            if let Some(b'+' | b'-') = self.peek() {
                self.advance();
            }
            self.digits()?;
            shape = Shape::Other;
        }
        Ok(shape)
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Fault> {
        let end = self.position.saturating_add(word.len());
        match self.bytes.get(self.position..end) {
            Some(found) if found == word => {
                self.position = end;
                Ok(())
            }
            _ if end > self.bytes.len()
                && self
                    .bytes
                    .get(self.position..)
                    .is_some_and(|rest| word.starts_with(rest)) =>
            {
                Err(Fault::Truncated)
            }
            _ => Err(Fault::NotJson),
        }
    }

    /// Reads one complete value of a top-level member (so already one level deep).
    #[inline(always)]
    fn value(&mut self, max_depth: usize) -> Result<Shape, Fault> {
        match self.peek() {
            Some(b'"') => {
                let escaped = self.string()?;
                Ok(if escaped {
                    Shape::Other
                } else {
                    Shape::PlainString
                })
            }
            Some(b'0'..=b'9' | b'-') => self.number(),
            _ => self.nested_value(max_depth).map(|()| Shape::Other),
        }
    }

    /// Reads any one value without recursion: the kinds of the open containers are kept in
    /// [`Containers`].
    fn nested_value(&mut self, max_depth: usize) -> Result<(), Fault> {
        let mut open = Containers::new();
        loop {
            // One value starts here.
            let mut complete = true;
            match self.peek() {
                Some(b'{' | b'[') => {
                    // The top-level object is level 1; this container is one below the open ones.
                    if open.len.saturating_add(2) > max_depth {
                        return Err(Fault::TooDeep);
                    }
                    let object = self.next() == Some(b'{');
                    self.skip_whitespace();
                    let close = if object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.advance();
                    } else {
                        open.push(object);
                        if object {
                            self.nested_member_name()?;
                        }
                        complete = false;
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(_) => return Err(Fault::NotJson),
                None => return Err(Fault::Truncated),
            }
            if !complete {
                continue;
            }
            // A value ended: close every container that ends with it, or move to the next
            // element or member.
            loop {
                let Some(object) = open.top() else {
                    return Ok(());
                };
                self.skip_whitespace();
                match self.next() {
                    Some(b',') => {
                        self.skip_whitespace();
                        if object {
                            self.nested_member_name()?;
                        }
                        break;
                    }
                    Some(b'}') if object => open.pop(),
                    Some(b']') if !object => open.pop(),
                    Some(_) => return Err(Fault::NotJson),
                    None => return Err(Fault::Truncated),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(text: &str) -> Result<Vec<(String, String)>, Error> {
        let mut found = Vec::new();
        for_each_member(text, 32, |m| {
            found.push((m.name.into_owned(), m.value.to_owned()));
            Ok(())
        })?;
        Ok(found)
    }

    #[test]
    fn members_are_found_with_their_exact_text() {
        let text = " {\"a\" : 1 ,\"b\":[1, {\"c\":\"}\"}] ,\"d\\u0041\":{}, \"e\":-0.5e+3,\"f\":\"x\\\"\"}\n";
        let found = members(text).unwrap();
        let expected = [
            ("a", "1"),
            ("b", "[1, {\"c\":\"}\"}]"),
            ("dA", "{}"),
            ("e", "-0.5e+3"),
            ("f", "\"x\\\"\""),
        ];
        assert_eq!(found.len(), expected.len());
        for ((name, value), (want_name, want_value)) in found.iter().zip(expected) {
            assert_eq!((name.as_str(), value.as_str()), (want_name, want_value));
        }
        assert!(members("{}").unwrap().is_empty());
        assert!(members(" { } ").unwrap().is_empty());
    }

    /// Every input here is judged the same way by serde_json (checked in the test).
    #[test]
    fn agrees_with_serde_json_on_syntax() {
        let cases = [
            "{}",
            "{\"a\":true,\"b\":false,\"c\":null}",
            "{\"a\":[[],[[]],{}]}",
            "{\"a\":0}",
            "{\"a\":-0}",
            "{\"a\":1.0e-5}",
            "{\"a\":1E5}",
            "{\"a\":\"\\ud83d\\ude00\"}",
            "{\"a\":\"\\/\\b\\f\\n\\r\\t\"}",
            "{\"a\":\"é€😀\"}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":1e}",
            "{\"a\":+1}",
            "{\"a\":-}",
            "{\"a\":tru}",
            "{\"a\":truex}",
            "{\"a\":nul}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"\t\"}",
            "{\"a\":\"\u{1}\"}",
            "{\"a\":1,}",
            "{,}",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\" 1}",
            "{\"a\":[1,]}",
            "{\"a\":[,1]}",
            "{\"a\":[1 2]}",
            "{\"a\":{\"b\"}}",
            "{\"a\":{\"b\":1,}}",
            "{\"a\":{1:2}}",
            "{\"a\":[}",
            "{\"a\":{]}",
            "{\"a\":1}}",
            "{\"a\":1} x",
            "{\"a\":1}{}",
            "{'a':1}",
            "{\"a\":1",
            "{\"a\":[1",
            "{\"a\":\"x",
            "{\"a",
            "{",
            "",
            "   ",
            "\u{feff}{}",
            "{\"a\":NaN}",
            "{\"a\":Infinity}",
            "{\"a\":1}\u{0}",
        ];
        for text in cases {
            let ours = members(text).is_ok();
            assert_eq!(Some(ours), serde_json_accepts(text), "{text:?}");
        }
    }

    #[test]
    fn plain_prefix_stops_at_the_first_special_byte() {
        let naive = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
                .unwrap_or(bytes.len())
        };
        // Every byte value at every position of inputs up to 20 bytes long, behind plain
        // bytes of several kinds (ASCII, UTF-8 continuation bytes, the bytes next to the
        // special ones).
        for fill in [b'a', 0x80, 0xFF, 0x21, 0x23, 0x5B, 0x5D, 0x20] {
            for len in 0..20 {
                for at in 0..len {
                    for byte in 0..=255u8 {
                        let mut input = vec![fill; len];
                        input[at] = byte;
                        assert_eq!(plain_prefix(&input), naive(&input), "{input:?}");
                    }
                }
            }
        }
        let mixed: Vec<u8> = (0..=255u8).rev().collect();
        assert_eq!(plain_prefix(&mixed), naive(&mixed));
        let two = b"abcdefgh\\ijk\"lmnop";
        assert_eq!(plain_prefix(two), 8);
    }

    /// serde_json's verdict on `text` as one object (it refuses lone surrogates too), or `None`
    /// when it stopped at a number beyond the range of `f64`: well-formed JSON that `Value`
    /// cannot hold (the scan lets it through, as serde_json does for members a claims type
    /// skips), and serde_json stops there without judging the rest.
    fn serde_json_accepts(text: &str) -> Option<bool> {
        match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
            Ok(_) => Some(true),
            Err(e) if e.to_string().starts_with("number out of range") => None,
            Err(_) => Some(false),
        }
    }

    /// Pieces that JSON text is made of, and a few that break it.
    const PIECES: &[&str] = &[
        "{", "}", "[", "]", "\"", "\\", ":", ",", " ", "\n", "a", "é", "u", "\\u", "00e9", "d83d",
        "de00", "D800", "0", "1", "9", "-", ".", "e", "E", "+", "true", "fals", "null", "\u{1}",
        "\t", "x", "\"k\":", "\\n", "/",
    ];

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// Random sequences of JSON pieces, mostly starting as an object: the scan and
        /// serde_json accept exactly the same texts.
        #[test]
        fn agrees_with_serde_json_on_random_text(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..24),
            open in proptest::bool::weighted(0.9),
        ) {
            let text = format!("{}{}", if open { "{" } else { "" }, pieces.concat());
            let ours = for_each_member(&text, 1000, |_| Ok(())).is_ok();
            if let Some(theirs) = serde_json_accepts(&text) {
                proptest::prop_assert_eq!(ours, theirs, "{:?}", text);
            }
        }

        /// Valid objects with one byte replaced, removed or inserted: same verdicts.
        #[test]
        fn agrees_with_serde_json_on_mutated_objects(
            value in proptest::collection::btree_map(
                "[a-z\\\\\"é\u{1}]{0,4}",
                proptest::prop_oneof![
                    proptest::num::i64::ANY.prop_map(serde_json::Value::from),
                    proptest::num::f64::NORMAL.prop_map(serde_json::Value::from),
                    "[ -~é😀\u{1}]{0,6}".prop_map(serde_json::Value::from),
                    proptest::collection::vec(proptest::num::u8::ANY, 0..3).prop_map(serde_json::Value::from),
                ],
                0..4,
            ),
            at in proptest::num::usize::ANY,
            byte in proptest::sample::select(b"{}[]\":,\\ u0-.eE+tfn\x01".to_vec()),
            how in 0..3u8,
        ) {
            let mut bytes = serde_json::to_vec(&value).unwrap_or_default();
            let at = at % (bytes.len() + 1);
            match how {
                0 if at < bytes.len() => bytes[at] = byte,
                1 if at < bytes.len() => { bytes.remove(at); }
                _ => bytes.insert(at, byte),
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let ours = for_each_member(text, 1000, |_| Ok(())).is_ok();
                if let Some(theirs) = serde_json_accepts(text) {
                    proptest::prop_assert_eq!(ours, theirs, "{:?}", text);
                }
            }
        }
    }

    #[test]
    fn refuse_serde_json_marker_names_at_any_depth() {
        for text in [
            r#"{"$serde_json::private::RawValue":"{}"}"#,
            r#"{"a":1,"$serde_json::private::Number":"1"}"#,
            r#"{"a":{"$serde_json::private::RawValue":"{}"}}"#,
            r#"{"a":{"b":1,"$serde_json::private::"  :  2}}"#,
            r#"{"a":[[{"$serde_json::private::anything":null}]]}"#,
            r#"{"\u0024serde_json::private::RawValue":"{}"}"#,
            r#"{"a":{"\u0024serde_json\u003a:private::RawValue":"{}"}}"#,
        ] {
            assert!(names_a_marker(text.as_bytes()), "{text}");
            let refused = for_each_member(text, 32, |_| Ok(())).unwrap_err();
            assert_eq!(
                refused.to_string(),
                Error::from(Fault::MarkerName).to_string(),
                "{text}"
            );
        }
        for text in [
            r#"{"a":"$serde_json::private::RawValue"}"#,
            r#"{"a":["$serde_json::private::RawValue"]}"#,
            r#"{"$serde_json::privat":1,"b":{"$serde_json":2,"$":3}}"#,
            r#"{"x$serde_json::private::RawValue":1}"#,
            r#"{"a":{"\u0024serde":1}}"#,
        ] {
            assert!(!names_a_marker(text.as_bytes()), "{text}");
            assert!(for_each_member(text, 32, |_| Ok(())).is_ok(), "{text}");
        }
        // Refused for something else first: not counted as a marker.
        assert!(!names_a_marker(br#"{"a":1,"a":}"#));
        assert!(!names_a_marker(b"\xff"));
    }

    #[test]
    fn reject_lone_surrogates() {
        for text in [
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"\\udc00\"}",
            "{\"a\":\"\\ud800\\u0041\"}",
            "{\"a\":\"\\ud800x\"}",
            "{\"\\ud800\":1}",
            "{\"a\":[\"\\udfff\"]}",
        ] {
            assert!(members(text).is_err(), "{text}");
        }
    }

    #[test]
    fn reject_what_is_not_one_object() {
        for text in ["[]", "1", "\"a\"", "null", "[{}]"] {
            assert_eq!(
                members(text).err().map(|e| e.to_string()),
                Some(Error::from(Fault::NotAnObject).to_string()),
                "{text}"
            );
        }
        assert_eq!(
            members("{\"a\":1").err().map(|e| e.to_string()),
            Some(Error::from(Fault::Truncated).to_string())
        );
    }

    #[test]
    fn depth_counts_the_object_itself() {
        let depth_ok = |text: &str, max| for_each_member(text, max, |_| Ok(())).is_ok();
        assert!(!depth_ok("{}", 0));
        assert!(depth_ok("{}", 1));
        assert!(depth_ok("{\"a\":1}", 1));
        assert!(!depth_ok("{\"a\":[]}", 1));
        assert!(depth_ok("{\"a\":[]}", 2));
        assert!(!depth_ok("{\"a\":[{}]}", 2));
        assert!(depth_ok("{\"a\":[{}],\"b\":[[]]}", 3));
        let deep = |n: usize| format!("{{\"a\":{}{}}}", "[".repeat(n), "]".repeat(n));
        assert!(depth_ok(&deep(31), 32));
        assert!(!depth_ok(&deep(32), 32));
        // Past the 64 levels kept in a word.
        assert!(depth_ok(&deep(199), 200));
        assert!(!depth_ok(&deep(200), 200));
        let mixed = format!("{{\"a\":{}1{}}}", "[{\"k\":".repeat(80), "}]".repeat(80));
        assert!(depth_ok(&mixed, 161));
        assert!(!depth_ok(&mixed, 160));
        let crossed = format!("{{\"a\":{}1{}}}", "[".repeat(70), "}".repeat(70));
        assert!(!depth_ok(&crossed, 100));
        // Brackets inside strings do not count.
        assert!(depth_ok(&format!("{{\"a\":\"{}\"}}", "[{".repeat(50)), 1));
    }

    #[test]
    fn member_before_names_the_enclosing_member() {
        let text = "{\"a\":1,\"b\":[1,2],\"c\\u0041\":\"x\"}";
        assert!(member_before(text, 0).is_none());
        assert!(member_before(text, 1).is_none());
        assert_eq!(member_before(text, 2).as_deref(), Some("a"));
        assert_eq!(member_before(text, 7).as_deref(), Some("a"));
        assert_eq!(member_before(text, 8).as_deref(), Some("b"));
        assert_eq!(member_before(text, text.len()).as_deref(), Some("cA"));
    }
}
