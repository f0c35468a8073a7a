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

/// The member names of one JSON object seen so far, for duplicate detection.
///
/// The first few live inline (headers and typical claim sets never spill); beyond that a sorted
/// vector keeps lookups logarithmic. Inserting into it still moves the tail, so the worst case
/// is quadratic in the number of members; headers are capped at 16 members, and claim sets are
/// bounded by the token size and only parsed after the signature is verified.
pub(crate) struct SeenKeys<'de> {
    inline: [Cow<'de, str>; INLINE],
    inline_len: usize,
    spilled: Vec<Cow<'de, str>>,
}

const INLINE: usize = 12;

impl<'de> SeenKeys<'de> {
    pub(crate) const fn new() -> Self {
        SeenKeys {
            inline: [const { Cow::Borrowed("") }; INLINE],
            inline_len: 0,
            spilled: Vec::new(),
        }
    }

    /// Records `key`; returns `false` if it was already present.
    pub(crate) fn insert(&mut self, key: Cow<'de, str>) -> bool {
        let inline = self.inline.get(..self.inline_len).unwrap_or_default();
        if inline.contains(&key) {
            return false;
        }
        if let Some(slot) = self.inline.get_mut(self.inline_len) {
            *slot = key;
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
        let inline = self.inline.get(..self.inline_len).unwrap_or_default();
        inline.iter().any(|seen| seen == key)
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
    let brackets = bytes.iter().filter(|&&b| b == b'[' || b == b'{').count();
    if brackets <= max_depth {
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
    /// Whether an error is parked.
    pub(crate) const fn is_set(&self) -> bool {
        self.0.is_some()
    }

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
    }
}
