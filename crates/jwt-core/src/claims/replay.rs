//! Hands the scanned members of a payload to the caller's `Deserialize` impl, without parsing
//! the text a second time.
//!
//! Why: the scan ([`crate::json::scan`]) has already found every top-level member, its name and
//! its value's text, and classified the common values (whole numbers, strings without escapes).
//! Re-reading all of that with serde_json would cost as much again. [`Replay`] is a serde
//! `Deserializer` over those members: names and plain values are handed over as they are, and
//! only other values (objects, arrays, fractions, escaped strings, literals) go through
//! serde_json, one value at a time.
//!
//! It behaves as serde_json does for the same text: the same `visit_*` calls with the same
//! borrowed or owned data, `Some` for `Option`s, unit enum variants from strings, and member
//! names that `HashMap<u64, _>`-style types read as numbers. Errors keep serde_json's messages
//! (the caller maps them to crate errors by their start, never passing them on).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::Plain;

/// The newtype name serde_json gives `RawValue` (`serde_json::value::RawValue`): such values
/// are handed to serde_json with their exact text.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// Reads `text` (one whole JSON value) with serde_json, as `read` asks.
fn with_serde_json<'de, T>(
    text: &'de str,
    read: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
    ) -> Result<T, serde_json::Error>,
) -> Result<T, ReplayError> {
    // `from_slice`, never `from_str`: see `claims::parse`.
    let mut json = serde_json::Deserializer::from_slice(text.as_bytes());
    let value = read(&mut json)?;
    json.end()?;
    Ok(value)
}

/// Members a payload may have and still be replayed; larger ones are read by serde_json.
pub(crate) const MAX_MEMBERS: usize = 16;

/// One scanned member.
pub(crate) struct Entry<'de> {
    pub(crate) name: Cow<'de, str>,
    pub(crate) raw: &'de str,
    pub(crate) plain: Plain<'de>,
}

/// A replay failure: serde's message, and whether it was a JSON syntax problem.
#[derive(Debug)]
pub(crate) struct ReplayError {
    pub(crate) message: String,
    pub(crate) syntax: bool,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReplayError {}

impl de::Error for ReplayError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        ReplayError {
            message: message.to_string(),
            syntax: false,
        }
    }
}

impl From<serde_json::Error> for ReplayError {
    fn from(error: serde_json::Error) -> Self {
        use serde_json::error::Category;
        ReplayError {
            // Kept whole (with serde_json's " at line L column C" for one value): the caller reads
            // only its start, and names the member from the replay, not from the position.
            message: error.to_string(),
            syntax: !matches!(error.classify(), Category::Data),
        }
    }
}

/// The whole payload object, as a `Deserializer`.
pub(crate) struct Replay<'a, 'de> {
    /// The members in order (every slot filled: `None` only pads the scan's fixed-size table).
    pub(crate) entries: &'a [Option<Entry<'de>>],
    /// Which member the caller's type is reading (for errors); `None` before the first.
    pub(crate) current: &'a Cell<Option<usize>>,
    /// The payload text, for the rare shapes handed to serde_json whole (enums).
    pub(crate) text: &'de str,
}

impl<'de> Deserializer<'de> for Replay<'_, 'de> {
    type Error = ReplayError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        let mut members = Members {
            entries: self.entries,
            next: 0,
            current: self.current,
        };
        let value = visitor.visit_map(&mut members)?;
        // serde_json fails a map its visitor stopped reading early (it finds no `}`).
        if members.next < self.entries.len() {
            return Err(ReplayError {
                message: "the claims type stopped reading before the last member".to_owned(),
                syntax: true,
            });
        }
        Ok(value)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        if name == RAW_VALUE {
            return with_serde_json(self.text, |json| {
                json.deserialize_newtype_struct(name, visitor)
            });
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        with_serde_json(self.text, |json| {
            json.deserialize_enum(name, variants, visitor)
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

struct Members<'a, 'de> {
    entries: &'a [Option<Entry<'de>>],
    next: usize,
    current: &'a Cell<Option<usize>>,
}

impl<'de> MapAccess<'de> for Members<'_, 'de> {
    type Error = ReplayError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ReplayError> {
        let Some(entry) = self.entries.get(self.next).and_then(Option::as_ref) else {
            // Errors raised after the last member (a flattened struct, a `try_from`) belong to
            // no member in particular.
            self.current.set(None);
            return Ok(None);
        };
        self.current.set(Some(self.next));
        seed.deserialize(KeyDeserializer { name: &entry.name })
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ReplayError> {
        let Some(entry) = self.entries.get(self.next).and_then(Option::as_ref) else {
            return Err(de::Error::custom("a value was asked for before its name"));
        };
        self.next = self.next.saturating_add(1);
        match entry.plain {
            Plain::Digits(_) | Plain::Str(_) => seed.deserialize(PlainDeserializer {
                plain: entry.plain,
                raw: entry.raw,
            }),
            Plain::Json => with_serde_json(entry.raw, |json| seed.deserialize(json)),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len().saturating_sub(self.next))
    }
}

/// A member name, handed over as serde_json's map keys are: as a string (borrowed unless it had
/// escapes), or, for key types that ask for one, as the number or `true`/`false` its text spells
/// (without escapes or spaces, as serde_json reads the key's raw text).
struct KeyDeserializer<'a, 'de> {
    name: &'a Cow<'de, str>,
}

impl<'de> KeyDeserializer<'_, 'de> {
    /// The name's raw text, if it had no escapes.
    fn raw(&self) -> Option<&'de str> {
        match self.name {
            Cow::Borrowed(name) => Some(name),
            Cow::Owned(_) => None,
        }
    }

    fn not_a(&self, what: &'static str) -> ReplayError {
        de::Error::invalid_type(de::Unexpected::Str(self.name), &what)
    }

    /// A numeric key: a JSON number filling the whole name, read by serde_json with `read`.
    fn number<V: Visitor<'de>>(
        self,
        visitor: V,
        read: impl FnOnce(
            &mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
            V,
        ) -> Result<V::Value, serde_json::Error>,
    ) -> Result<V::Value, ReplayError> {
        let text = self
            .raw()
            .filter(|text| {
                text.starts_with(|c: char| c.is_ascii_digit() || c == '-')
                    && text.ends_with(|c: char| !c.is_ascii_whitespace())
            })
            .ok_or_else(|| self.not_a("a number"))?;
        with_serde_json(text, |json| read(json, visitor))
    }
}

macro_rules! number_keys {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
                self.number(visitor, |json, visitor| json.$method(visitor))
            }
        )*
    };
}

impl<'de> Deserializer<'de> for KeyDeserializer<'_, 'de> {
    type Error = ReplayError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        match self.name {
            Cow::Borrowed(name) => visitor.visit_borrowed_str(name),
            Cow::Owned(name) => visitor.visit_str(name),
        }
    }

    number_keys! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        match self.raw() {
            Some("true") => visitor.visit_bool(true),
            Some("false") => visitor.visit_bool(false),
            _ => Err(de::Error::invalid_type(
                de::Unexpected::Str(self.name),
                &visitor,
            )),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        match self.name {
            Cow::Borrowed(name) => visitor.visit_borrowed_bytes(name.as_bytes()),
            Cow::Owned(name) => visitor.visit_bytes(name.as_bytes()),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        if name == RAW_VALUE {
            // serde_json would hand over the quoted key text; nothing reads keys that way.
            return Err(de::Error::custom("a raw JSON value as a member name"));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        match self.name {
            Cow::Borrowed(key) => {
                BorrowedStrDeserializer::new(key).deserialize_enum(name, variants, visitor)
            }
            Cow::Owned(key) => StrDeserializer::new(key).deserialize_enum(name, variants, visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        char str string unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// Hands a [`Plain`] value (a whole number of up to 15 digits, a string without escapes) to the
/// caller's type exactly as serde_json would: each `deserialize_*` method visits what serde_json
/// visits for that request, or fails as it fails, without ever calling a visitor method
/// serde_json would not.
struct PlainDeserializer<'de> {
    plain: Plain<'de>,
    /// The value's JSON text, for `RawValue`.
    raw: &'de str,
}

impl PlainDeserializer<'_> {
    fn unexpected(&self) -> de::Unexpected<'_> {
        match self.plain {
            Plain::Digits(value) => de::Unexpected::Unsigned(value),
            Plain::Str(text) => de::Unexpected::Str(text),
            Plain::Json => de::Unexpected::Other("JSON"),
        }
    }

    fn refuse<'v, V: Visitor<'v>>(&self, visitor: &V) -> ReplayError {
        de::Error::invalid_type(self.unexpected(), visitor)
    }
}

/// Numeric requests: serde_json visits a whole number with `visit_u64` whatever the requested
/// width, and refuses a string.
macro_rules! plain_numbers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
                match self.plain {
                    Plain::Digits(value) => visitor.visit_u64(value),
                    _ => Err(self.refuse(&visitor)),
                }
            }
        )*
    };
}

/// Requests serde_json answers only from a string.
macro_rules! plain_strings {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
                match self.plain {
                    Plain::Str(text) => visitor.visit_borrowed_str(text),
                    _ => Err(self.refuse(&visitor)),
                }
            }
        )*
    };
}

/// Requests serde_json refuses for numbers and strings alike.
macro_rules! plain_refused {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
                Err(self.refuse(&visitor))
            }
        )*
    };
}

impl<'de> Deserializer<'de> for PlainDeserializer<'de> {
    type Error = ReplayError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        match self.plain {
            Plain::Digits(value) => visitor.visit_u64(value),
            Plain::Str(text) => visitor.visit_borrowed_str(text),
            Plain::Json => Err(de::Error::custom("internal: not a plain value")),
        }
    }

    plain_numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_f32 deserialize_f64
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        match self.plain {
            Plain::Digits(value) => visitor.visit_i128(i128::from(value)),
            _ => Err(self.refuse(&visitor)),
        }
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        match self.plain {
            Plain::Digits(value) => visitor.visit_u128(u128::from(value)),
            _ => Err(self.refuse(&visitor)),
        }
    }

    plain_strings! {
        deserialize_char deserialize_str deserialize_string deserialize_identifier
    }

    plain_refused! {
        deserialize_bool deserialize_unit deserialize_seq deserialize_map
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        Err(self.refuse(&visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        Err(self.refuse(&visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        Err(self.refuse(&visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        Err(self.refuse(&visitor))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        match self.plain {
            Plain::Str(text) => visitor.visit_borrowed_bytes(text.as_bytes()),
            _ => Err(self.refuse(&visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        if name == RAW_VALUE {
            return with_serde_json(self.raw, |json| {
                json.deserialize_newtype_struct(name, visitor)
            });
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        match self.plain {
            Plain::Str(text) => {
                BorrowedStrDeserializer::new(text).deserialize_enum(name, variants, visitor)
            }
            // serde_json expects a string or an object for an enum.
            _ => with_serde_json(self.raw, |json| {
                json.deserialize_enum(name, variants, visitor)
            }),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        visitor.visit_unit()
    }
}
