//! Strict JSON object parsing on top of serde_json: objects only, no duplicate member names,
//! errors that carry no input.
//!
//! Why not plain serde: derived structs accept JSON arrays (`["HS256"]` parses as a header), and
//! `Value`/maps keep the last of two duplicate members silently, so two components can read two
//! different tokens from the same bytes (catalogue D4, D5). serde_json's own messages quote input,
//! so they are replaced by the crate's [`Error`] before they leave this module.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

use crate::error::Error;

pub(crate) mod scan;
pub(crate) mod write;

/// The member names of one JSON object seen so far, for duplicate detection.
///
/// The first few live inline (headers and typical claim sets never spill); beyond that a sorted
/// vector keeps lookups logarithmic. Inserting into it still moves the tail, so the worst case
/// is quadratic in the number of members; headers are capped at 16 members, and claim sets are
/// bounded by the token size and only parsed after the signature is verified.
pub(crate) struct SeenKeys<'de> {
    inline: [Cow<'de, str>; INLINE],
    /// [`fingerprint`] of each inline name: most names differ there, without a string compare.
    fingerprints: [u64; INLINE],
    inline_len: usize,
    spilled: Vec<Cow<'de, str>>,
}

const INLINE: usize = 12;

/// Length, first and last byte of a name: equal for equal names, and different for nearly all
/// of the distinct names one object holds (`sub`, `iss`, `iat`, `exp`, `aud`, ...).
pub(crate) fn fingerprint(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let first = u64::from(bytes.first().copied().unwrap_or(0));
    let last = u64::from(bytes.last().copied().unwrap_or(0));
    (name.len() as u64) << 16 | first << 8 | last
}

impl<'de> SeenKeys<'de> {
    pub(crate) const fn new() -> Self {
        SeenKeys {
            inline: [const { Cow::Borrowed("") }; INLINE],
            fingerprints: [0; INLINE],
            inline_len: 0,
            spilled: Vec::new(),
        }
    }

    /// Whether `key`, with fingerprint `print`, is among the inline names.
    fn inline_contains(&self, key: &str, print: u64) -> bool {
        let names = self.inline.get(..self.inline_len).unwrap_or_default();
        let prints = self.fingerprints.get(..self.inline_len).unwrap_or_default();
        prints
            .iter()
            .zip(names)
            .any(|(seen_print, seen)| *seen_print == print && **seen == *key)
    }

    /// Records `key`; returns `false` if it was already present.
    pub(crate) fn insert(&mut self, key: Cow<'de, str>) -> bool {
        let print = fingerprint(&key);
        if self.inline_contains(&key, print) {
            return false;
        }
        if let (Some(slot), Some(slot_print)) = (
            self.inline.get_mut(self.inline_len),
            self.fingerprints.get_mut(self.inline_len),
        ) {
            *slot = key;
            *slot_print = print;
            self.inline_len = self.inline_len.saturating_add(1);
            return true;
        }
        match self.spilled.binary_search(&key) {
            Ok(_) => false,
            Err(position) => {
                self.spilled.insert(position, key);
                true
            }
        }
    }

    /// Whether `key` has been recorded.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.inline_contains(key, fingerprint(key))
            || self
                .spilled
                .binary_search_by(|seen| (**seen).cmp(key))
                .is_ok()
    }
}

/// Deserializes one object member name, borrowing from the input when it has no escapes.
pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// Whether the JSON text `bytes` nests arrays and objects at most `max_depth` levels deep.
///
/// serde_json bounds recursion for the values a type reads, but skips ignored members
/// iteratively at any depth; checking the text once makes the bound hold for everything.
/// Most documents have fewer brackets in total than the limit, which a vectorisable count
/// proves without tracking strings.
pub(crate) fn depth_within(bytes: &[u8], max_depth: usize) -> bool {
    if count_openers(bytes) <= max_depth {
        return true;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth = depth.saturating_add(1);
                if depth > max_depth {
                    return false;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

/// Where a visitor parks the crate error it wants to return, since serde only lets it return
/// the deserializer's own error type. [`parse_object`] takes it back out.
#[derive(Default)]
pub(crate) struct ErrorSlot(Option<Error>);

impl ErrorSlot {
    /// Parks `error` and returns a placeholder deserializer error to unwind with.
    pub(crate) fn fail<E: de::Error>(&mut self, error: Error) -> E {
        self.0 = Some(error);
        E::custom("")
    }

    /// Takes the parked error back out, if any.
    pub(crate) fn take(&mut self) -> Option<Error> {
        self.0.take()
    }
}

/// Parses `bytes` as exactly one JSON value with `seed`, which must only accept objects.
///
/// Returns the raw serde_json error on failure; callers first look in their [`ErrorSlot`] for
/// the precise crate error, and only otherwise describe this one (by category, never by text).
pub(crate) fn parse_object<'de, S: DeserializeSeed<'de>>(
    bytes: &'de [u8],
    seed: S,
) -> Result<S::Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = seed.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// How many `[` and `{` bytes `bytes` holds (in strings or not).
///
/// `[` (0x5B) and `{` (0x7B) differ only in bit 5, so one comparison finds both; counting into a
/// byte per block of 255 keeps the loop in vector registers without widening every lane.
fn count_openers(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|block| {
            let count = block
                .iter()
                .fold(0u8, |n, &b| n.wrapping_add(u8::from((b | 0x20) == b'{')));
            usize::from(count)
        })
        .fold(0usize, usize::saturating_add)
}

/// Describes a JSON error by category only.
pub(crate) fn describe(error: &serde_json::Error) -> &'static str {
    match error.classify() {
        serde_json::error::Category::Io | serde_json::error::Category::Eof => "truncated JSON",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "not a JSON object of the expected shape",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_measured_outside_strings() {
        assert!(depth_within(b"{}", 1));
        assert!(!depth_within(b"{\"a\":[1]}", 1));
        assert!(depth_within(b"{\"a\":[1]}", 2));
        let brackets_in_string = format!("{{\"a\":\"{}\"}}", "[{".repeat(50));
        assert!(depth_within(brackets_in_string.as_bytes(), 1));
        let escaped_quote = format!("{{\"a\":\"\\\"{}\"}}", "[".repeat(50));
        assert!(depth_within(escaped_quote.as_bytes(), 1));
        let deep = format!("{}{}", "[".repeat(33), "]".repeat(33));
        assert!(!depth_within(deep.as_bytes(), 32));
        assert!(depth_within(deep.as_bytes(), 33));
        let wide = "[],".repeat(100);
        assert!(depth_within(format!("[{wide}[]]").as_bytes(), 2));
    }

    #[test]
    fn openers_are_counted_exactly() {
        let all: Vec<u8> = (0..=255u8).cycle().take(256 * 5 + 7).collect();
        let naive = all.iter().filter(|&&b| b == b'[' || b == b'{').count();
        assert_eq!(count_openers(&all), naive);
        assert_eq!(count_openers(&[b'['; 1000]), 1000);
        assert_eq!(count_openers(b""), 0);
    }

    #[test]
    fn seen_keys_detects_duplicates_inline_and_spilled() {
        let names: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let mut seen = SeenKeys::new();
        for name in &names {
            assert!(seen.insert(Cow::Borrowed(name)));
        }
        for name in &names {
            assert!(!seen.insert(Cow::Owned(name.clone())), "{name}");
            assert!(seen.contains(name));
        }
        assert!(!seen.contains("k100"));
        // Same fingerprint (length, first and last byte), different names.
        let mut seen = SeenKeys::new();
        assert!(seen.insert(Cow::Borrowed("abxc")));
        assert!(seen.insert(Cow::Borrowed("abyc")));
        assert!(!seen.insert(Cow::Borrowed("abxc")));
        assert!(seen.contains("abyc") && !seen.contains("abzc"));
        assert!(seen.insert(Cow::Borrowed("")));
        assert!(!seen.insert(Cow::Borrowed("")));
    }
}
