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

/// Members a payload may have and still be replayed; larger ones are read by serde_json.
pub(crate) const MAX_MEMBERS: usize = 16;

/// One scanned member.
#[derive(Clone, Default)]
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
            // serde_json appends " at line L column C"; positions inside one value mean nothing
            // to the caller, and the member is known.
            message: error.to_string(),
            syntax: !matches!(error.classify(), Category::Data),
        }
    }
}

/// The whole payload object, as a `Deserializer`.
pub(crate) struct Replay<'a, 'de> {
    pub(crate) entries: &'a [Entry<'de>],
    /// Which member the caller's type is reading (for errors); `None` before the first.
    pub(crate) current: &'a Cell<Option<usize>>,
    /// The payload text, for the rare shapes handed to serde_json whole (enums).
    pub(crate) text: &'de str,
}

impl<'de> Deserializer<'de> for Replay<'_, 'de> {
    type Error = ReplayError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        visitor.visit_map(Members {
            entries: self.entries,
            next: 0,
            current: self.current,
        })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
        let mut json = serde_json::Deserializer::from_slice(self.text.as_bytes());
        let value = json.deserialize_enum(name, variants, visitor)?;
        json.end()?;
        Ok(value)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

struct Members<'a, 'de> {
    entries: &'a [Entry<'de>],
    next: usize,
    current: &'a Cell<Option<usize>>,
}

impl<'de> MapAccess<'de> for Members<'_, 'de> {
    type Error = ReplayError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ReplayError> {
        let Some(entry) = self.entries.get(self.next) else {
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
        let Some(entry) = self.entries.get(self.next) else {
            return Err(de::Error::custom("a value was asked for before its name"));
        };
        self.next = self.next.saturating_add(1);
        match entry.plain {
            Plain::Digits(_) | Plain::Str(_) => {
                seed.deserialize(PlainDeserializer { plain: entry.plain })
            }
            Plain::Json => {
                // `from_slice`, never `from_str`: see `claims::parse`.
                let mut json = serde_json::Deserializer::from_slice(entry.raw.as_bytes());
                let value = seed.deserialize(&mut json)?;
                json.end()?;
                Ok(value)
            }
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len().saturating_sub(self.next))
    }
}

/// A member name, handed over as serde_json's map keys are: as a string (borrowed unless it had
/// escapes), or parsed as a number or `true`/`false` for key types that ask for one.
struct KeyDeserializer<'a, 'de> {
    name: &'a Cow<'de, str>,
}

impl<'de> KeyDeserializer<'_, 'de> {
    /// The name read as a JSON number, as serde_json reads the keys of `HashMap<u64, _>`.
    fn number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        let refused = || de::Error::invalid_type(de::Unexpected::Str(self.name), &"a number");
        let number: serde_json::Number =
            serde_json::from_slice(self.name.as_bytes()).map_err(|_| refused())?;
        if let Some(value) = number.as_u64() {
            visitor.visit_u64(value)
        } else if let Some(value) = number.as_i64() {
            visitor.visit_i64(value)
        } else if let Some(value) = number.as_f64() {
            visitor.visit_f64(value)
        } else {
            Err(refused())
        }
    }
}

macro_rules! number_keys {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
                self.number(visitor)
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
        match &**self.name {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            other => Err(de::Error::invalid_type(
                de::Unexpected::Str(other),
                &visitor,
            )),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
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
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// Hands a [`Plain`] number or string to the caller's type the way serde_json would have:
/// as the value itself, as `Some(value)` for `Option` fields, as a unit enum variant, or as
/// borrowed bytes.
struct PlainDeserializer<'de> {
    plain: Plain<'de>,
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

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReplayError> {
        match self.plain {
            Plain::Str(text) => visitor.visit_borrowed_bytes(text.as_bytes()),
            _ => self.deserialize_any(visitor),
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
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReplayError> {
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
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}
