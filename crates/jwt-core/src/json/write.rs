//! Compact JSON output for the claims of a token being signed, byte for byte what
//! `serde_json::to_writer` writes, in less time.
//!
//! Why a writer of our own: signing spends a large share of its time outside the cryptography in
//! serde_json's string escaping, which looks at one byte at a time. Claims are mostly strings
//! without anything to escape, so [`write`] finds the next byte that needs an escape eight bytes
//! at a time (the scan's [`plain_prefix`]) and copies the plain runs whole.
//!
//! Why the output cannot drift from serde_json's: anything this writer does not handle itself
//! (non-string map keys other than integers and `bool`s, serde_json's own `RawValue` and
//! `Number`, any error raised by the claims type) makes it give up, and serde_json writes the
//! claims instead. Floats and 128-bit integers are written by serde_json one value at a time.
//! The differential tests below compare the two on random values of many types.

use std::fmt;

use serde::ser::{self, Serialize};

use super::scan::plain_prefix;

/// Appends the compact JSON of `value` to `out`: exactly what `serde_json::to_writer` appends.
///
/// # Errors
/// When serde_json fails on `value` (then `out` may hold part of the output).
pub(crate) fn write<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), serde_json::Error> {
    let start = out.len();
    if value.serialize(Writer { out: &mut *out }).is_ok() {
        return Ok(());
    }
    out.truncate(start);
    serde_json::to_writer(out, value)
}

/// Why the writer gave up: serde_json takes over (see the module docs).
#[derive(Debug)]
pub(crate) struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to serde_json")
    }
}

impl std::error::Error for GiveUp {}

impl ser::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> Self {
        GiveUp
    }
}

/// serde_json's private types (`RawValue`, arbitrary-precision `Number`) serialise as structs
/// with names of this prefix, which its serializer recognises; ours leaves them to it.
const SERDE_JSON_PRIVATE: &str = "$serde_json::private::";

/// The two-character escapes serde_json uses; other control characters become `\u00XX`.
fn short_escape(byte: u8) -> Option<u8> {
    Some(match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0C => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => return None,
    })
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `text` as a JSON string, escaped as serde_json escapes it.
fn string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let plain = plain_prefix(bytes);
    if plain == bytes.len() {
        // Nothing to escape (nearly every claim): one copy.
        out.reserve(bytes.len().saturating_add(2));
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    out.push(b'"');
    let mut rest = bytes;
    let mut plain = plain;
    loop {
        let (run, tail) = rest.split_at_checked(plain).unwrap_or((rest, &[]));
        out.extend_from_slice(run);
        let Some((&special, tail)) = tail.split_first() else {
            break;
        };
        match short_escape(special) {
            Some(letter) => out.extend_from_slice(&[b'\\', letter]),
            None => {
                let hex = |nibble: u8| HEX.get(usize::from(nibble & 15)).copied().unwrap_or(b'0');
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(special >> 4), hex(special)]);
            }
        }
        rest = tail;
        plain = plain_prefix(rest);
    }
    out.push(b'"');
}

/// `00` to `99`, two characters each.
const PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Appends the decimal digits of `value`, two at a time from the right.
fn unsigned(out: &mut Vec<u8>, value: u64) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    let mut rest = value;
    let pair = |n: u64| {
        let at = usize::try_from(n.wrapping_mul(2)).unwrap_or(0);
        PAIRS.get(at..at.wrapping_add(2)).unwrap_or(b"00")
    };
    while rest >= 100 {
        at = at.saturating_sub(2);
        if let Some(slot) = digits.get_mut(at..at.saturating_add(2)) {
            slot.copy_from_slice(pair(rest % 100));
        }
        rest /= 100;
    }
    if rest >= 10 {
        at = at.saturating_sub(2);
        if let Some(slot) = digits.get_mut(at..at.saturating_add(2)) {
            slot.copy_from_slice(pair(rest));
        }
    } else {
        at = at.saturating_sub(1);
        if let (Some(slot), Some(&digit)) = (digits.get_mut(at), pair(rest).get(1)) {
            *slot = digit;
        }
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

fn signed(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    unsigned(out, value.unsigned_abs());
}

/// Leaves one value to serde_json (floats, 128-bit integers): it writes them as it always does.
fn by_serde_json<T: Serialize>(out: &mut Vec<u8>, value: T) -> Result<(), GiveUp> {
    serde_json::to_writer(out, &value).map_err(|_| GiveUp)
}

/// The serializer for values.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

/// An open array or object: whether an element was written yet, and what closes it.
pub(crate) struct Compound<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    close: &'static [u8],
}

impl<'a> Compound<'a> {
    fn open(out: &'a mut Vec<u8>, open: &[u8], close: &'static [u8]) -> Self {
        out.extend_from_slice(open);
        Compound {
            out,
            first: true,
            close,
        }
    }

    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GiveUp> {
        self.comma();
        value.serialize(Writer { out: self.out })
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), GiveUp> {
        self.comma();
        string(self.out, name);
        self.out.push(b':');
        value.serialize(Writer { out: self.out })
    }

    fn close(self) -> Result<(), GiveUp> {
        self.out.extend_from_slice(self.close);
        Ok(())
    }
}

/// Writes `{"variant":` and returns the compound that closes with `close` then `}`.
fn variant<'a>(
    out: &'a mut Vec<u8>,
    name: &str,
    open: &[u8],
    close: &'static [u8],
) -> Compound<'a> {
    out.push(b'{');
    string(out, name);
    out.push(b':');
    Compound::open(out, open, close)
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), GiveUp> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), GiveUp> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), GiveUp> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), GiveUp> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), GiveUp> {
        signed(self.out, v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), GiveUp> {
        by_serde_json(self.out, v)
    }

    fn serialize_u8(self, v: u8) -> Result<(), GiveUp> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), GiveUp> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), GiveUp> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), GiveUp> {
        unsigned(self.out, v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), GiveUp> {
        by_serde_json(self.out, v)
    }

    fn serialize_f32(self, v: f32) -> Result<(), GiveUp> {
        by_serde_json(self.out, v)
    }

    fn serialize_f64(self, v: f64) -> Result<(), GiveUp> {
        by_serde_json(self.out, v)
    }

    fn serialize_char(self, v: char) -> Result<(), GiveUp> {
        string(self.out, v.encode_utf8(&mut [0u8; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), GiveUp> {
        string(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), GiveUp> {
        let mut array = Compound::open(self.out, b"[", b"]");
        for byte in v {
            array.comma();
            unsigned(array.out, u64::from(*byte));
        }
        array.close()
    }

    fn serialize_none(self) -> Result<(), GiveUp> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), GiveUp> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), GiveUp> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), GiveUp> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), GiveUp> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), GiveUp> {
        if name.starts_with(SERDE_JSON_PRIVATE) {
            return Err(GiveUp);
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), GiveUp> {
        let mut object = Compound::open(self.out, b"{", b"}");
        object.field(variant, value)?;
        object.close()
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, GiveUp> {
        Ok(Compound::open(self.out, b"[", b"]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, GiveUp> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, GiveUp> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, GiveUp> {
        Ok(self::variant(self.out, variant, b"[", b"]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, GiveUp> {
        Ok(Compound::open(self.out, b"{", b"}"))
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Compound<'a>, GiveUp> {
        if name.starts_with(SERDE_JSON_PRIVATE) {
            return Err(GiveUp);
        }
        Ok(Compound::open(self.out, b"{", b"}"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, GiveUp> {
        Ok(self::variant(self.out, variant, b"{", b"}}"))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GiveUp> {
        self.element(value)
    }

    fn end(self) -> Result<(), GiveUp> {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GiveUp> {
        self.element(value)
    }

    fn end(self) -> Result<(), GiveUp> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GiveUp> {
        self.element(value)
    }

    fn end(self) -> Result<(), GiveUp> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GiveUp> {
        self.element(value)
    }

    fn end(self) -> Result<(), GiveUp> {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), GiveUp> {
        self.comma();
        key.serialize(KeyWriter { out: self.out })
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GiveUp> {
        self.out.push(b':');
        value.serialize(Writer { out: self.out })
    }

    fn end(self) -> Result<(), GiveUp> {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), GiveUp> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), GiveUp> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), GiveUp> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), GiveUp> {
        self.close()
    }
}

/// The serializer for map keys: strings as they are; integers and `bool`s quoted, as serde_json
/// writes them; anything else left to serde_json (which writes or refuses it).
struct KeyWriter<'a> {
    out: &'a mut Vec<u8>,
}

impl KeyWriter<'_> {
    fn quoted(self, write: impl FnOnce(&mut Vec<u8>)) -> Result<(), GiveUp> {
        self.out.push(b'"');
        write(self.out);
        self.out.push(b'"');
        Ok(())
    }
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = ser::Impossible<(), GiveUp>;
    type SerializeTuple = ser::Impossible<(), GiveUp>;
    type SerializeTupleStruct = ser::Impossible<(), GiveUp>;
    type SerializeTupleVariant = ser::Impossible<(), GiveUp>;
    type SerializeMap = ser::Impossible<(), GiveUp>;
    type SerializeStruct = ser::Impossible<(), GiveUp>;
    type SerializeStructVariant = ser::Impossible<(), GiveUp>;

    fn serialize_str(self, v: &str) -> Result<(), GiveUp> {
        string(self.out, v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), GiveUp> {
        self.serialize_str(v.encode_utf8(&mut [0u8; 4]))
    }

    fn serialize_bool(self, v: bool) -> Result<(), GiveUp> {
        self.quoted(|out| out.extend_from_slice(if v { b"true" } else { b"false" }))
    }

    fn serialize_i8(self, v: i8) -> Result<(), GiveUp> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), GiveUp> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), GiveUp> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), GiveUp> {
        self.quoted(|out| signed(out, v))
    }

    fn serialize_u8(self, v: u8) -> Result<(), GiveUp> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), GiveUp> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), GiveUp> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), GiveUp> {
        self.quoted(|out| unsigned(out, v))
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), GiveUp> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), GiveUp> {
        if name.starts_with(SERDE_JSON_PRIVATE) {
            return Err(GiveUp);
        }
        value.serialize(self)
    }

    fn serialize_i128(self, _: i128) -> Result<(), GiveUp> {
        Err(GiveUp)
    }

    fn serialize_u128(self, _: u128) -> Result<(), GiveUp> {
        Err(GiveUp)
    }

    fn serialize_f32(self, _: f32) -> Result<(), GiveUp> {
        Err(GiveUp)
    }

    fn serialize_f64(self, _: f64) -> Result<(), GiveUp> {
        Err(GiveUp)
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), GiveUp> {
        Err(GiveUp)
    }

    fn serialize_none(self) -> Result<(), GiveUp> {
        Err(GiveUp)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), GiveUp> {
        Err(GiveUp)
    }

    fn serialize_unit(self) -> Result<(), GiveUp> {
        Err(GiveUp)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), GiveUp> {
        Err(GiveUp)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), GiveUp> {
        Err(GiveUp)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, GiveUp> {
        Err(GiveUp)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, GiveUp> {
        Err(GiveUp)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, GiveUp> {
        Err(GiveUp)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, GiveUp> {
        Err(GiveUp)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, GiveUp> {
        Err(GiveUp)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, GiveUp> {
        Err(GiveUp)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, GiveUp> {
        Err(GiveUp)
    }
}

#[cfg(test)]
mod tests {
    //! The writer against serde_json: the same bytes, or the same failure, for every value.

    use std::collections::{BTreeMap, HashMap};

    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::Value;
    use serde_json::value::RawValue;

    use super::*;

    /// Asserts that [`write`] appends exactly what serde_json writes, or fails as it does.
    fn agree<T: Serialize + ?Sized + fmt::Debug>(value: &T) {
        let mut ours = b"prefix".to_vec();
        let result = write(value, &mut ours);
        match serde_json::to_vec(value) {
            Ok(theirs) => {
                assert!(result.is_ok(), "{value:?}");
                assert_eq!(
                    ours.get(6..).map(String::from_utf8_lossy),
                    Some(String::from_utf8_lossy(&theirs)),
                    "{value:?}"
                );
            }
            Err(_) => assert!(result.is_err(), "{value:?}"),
        }
    }

    /// Whether [`Writer`] wrote `value` itself (no fallback to serde_json).
    fn written_by_us<T: Serialize + ?Sized>(value: &T) -> bool {
        value
            .serialize(Writer {
                out: &mut Vec::new(),
            })
            .is_ok()
    }

    #[derive(Serialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
    enum Kind {
        Unit,
        Newtype(u8),
        Tuple(i16, String),
        Struct { a: bool, s: String },
    }

    #[derive(Serialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
    struct Name(String);

    #[derive(Serialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
    struct Unit;

    #[derive(Serialize, Debug, Clone)]
    struct Pair(u32, char);

    /// Serialises through `serialize_bytes`, as `serde_bytes` does.
    #[derive(Debug, Clone)]
    struct Bytes(Vec<u8>);

    impl Serialize for Bytes {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(&self.0)
        }
    }

    /// Fails half-way, as a claims type with a broken `Serialize` would.
    #[derive(Debug)]
    struct Broken;

    impl Serialize for Broken {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use ser::SerializeMap as _;
            let mut map = serializer.serialize_map(None)?;
            map.serialize_entry("ok", &1)?;
            Err(ser::Error::custom("broken"))
        }
    }

    #[derive(Serialize, Debug, Clone)]
    struct Inner {
        x: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        y: Option<String>,
    }

    #[derive(Serialize, Debug, Clone)]
    struct Wide {
        s: String,
        ch: char,
        b: bool,
        i8: i8,
        i16: i16,
        i32: i32,
        i64: i64,
        u8: u8,
        u16: u16,
        u32: u32,
        u64: u64,
        i128: i128,
        u128: u128,
        f32: f32,
        f64: f64,
        opt: Option<String>,
        none: Option<u8>,
        unit: (),
        unit_struct: Unit,
        pair: Pair,
        tuple: (u8, String, bool),
        list: Vec<Kind>,
        bytes: Bytes,
        kind: Kind,
        by_int: BTreeMap<i32, String>,
        by_u64: BTreeMap<u64, bool>,
        by_bool: BTreeMap<bool, u8>,
        by_char: BTreeMap<char, u8>,
        by_name: BTreeMap<Name, u8>,
        by_kind: BTreeMap<Kind, u8>,
        by_string: HashMap<String, Inner>,
        #[serde(flatten)]
        extra: BTreeMap<String, Value>,
    }

    fn text() -> impl Strategy<Value = String> {
        // Every class of character the escaping cares about, and multi-byte ones.
        let chars = prop_oneof![
            4 => proptest::char::range('a', 'z'),
            1 => proptest::char::range('\u{0}', '\u{1f}'),
            1 => Just('"'),
            1 => Just('\\'),
            1 => Just('/'),
            1 => Just('\u{7f}'),
            1 => Just('é'),
            1 => Just('\u{2028}'),
            1 => Just('😀'),
        ];
        proptest::collection::vec(chars, 0..40).prop_map(|c| c.into_iter().collect())
    }

    fn kind() -> impl Strategy<Value = Kind> {
        prop_oneof![
            Just(Kind::Unit),
            any::<u8>().prop_map(Kind::Newtype),
            (any::<i16>(), text()).prop_map(|(n, s)| Kind::Tuple(n, s)),
            (any::<bool>(), text()).prop_map(|(a, s)| Kind::Struct { a, s }),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(text(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    prop_compose! {
        fn wide()(
            (s, ch, b, i8, i16, i32, i64) in (text(), any::<char>(), any::<bool>(), any::<i8>(), any::<i16>(), any::<i32>(), any::<i64>()),
            (u8, u16, u32, u64, i128, u128) in (any::<u8>(), any::<u16>(), any::<u32>(), any::<u64>(), any::<i128>(), any::<u128>()),
            (f32, f64, opt) in (any::<f32>(), any::<f64>(), proptest::option::of(text())),
            (pair, tuple, list, bytes, kind) in ((any::<u32>(), any::<char>()), (any::<u8>(), text(), any::<bool>()), proptest::collection::vec(kind(), 0..4), proptest::collection::vec(any::<u8>(), 0..8), kind()),
            (by_int, by_u64, by_bool, by_char) in (
                proptest::collection::btree_map(any::<i32>(), text(), 0..4),
                proptest::collection::btree_map(any::<u64>(), any::<bool>(), 0..4),
                proptest::collection::btree_map(any::<bool>(), any::<u8>(), 0..3),
                proptest::collection::btree_map(any::<char>(), any::<u8>(), 0..4),
            ),
            (by_name, by_kind, by_string, extra) in (
                proptest::collection::btree_map(text().prop_map(Name), any::<u8>(), 0..4),
                proptest::collection::btree_map(kind(), any::<u8>(), 0..4),
                proptest::collection::hash_map(text(), (any::<i64>(), proptest::option::of(text())).prop_map(|(x, y)| Inner { x, y }), 0..4),
                proptest::collection::btree_map(text(), value(), 0..4),
            ),
        ) -> Wide {
            Wide {
                s, ch, b, i8, i16, i32, i64, u8, u16, u32, u64, i128, u128, f32, f64, opt,
                none: None, unit: (), unit_struct: Unit, pair: Pair(pair.0, pair.1), tuple, list,
                bytes: Bytes(bytes), kind, by_int, by_u64, by_bool, by_char, by_name, by_kind,
                by_string, extra,
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn values_are_written_as_serde_json_writes_them(value in value()) {
            agree(&value);
            // Values without float map keys never need the fallback.
            prop_assert!(written_by_us(&value));
        }

        #[test]
        fn typed_claims_are_written_as_serde_json_writes_them(wide in wide()) {
            agree(&wide);
            // Kind keys with data (newtype, tuple, struct variants) are refused as keys by
            // serde_json; everything else in `Wide` is ours to write.
            let keys_ok = wide.by_kind.keys().all(|k| matches!(k, Kind::Unit));
            prop_assert_eq!(written_by_us(&wide), keys_ok);
        }

        #[test]
        fn every_number_is_written_as_serde_json_writes_it(u in any::<u64>(), i in any::<i64>()) {
            agree(&u);
            agree(&i);
            agree(&BTreeMap::from([(u, i)]));
            agree(&BTreeMap::from([(i, u)]));
        }
    }

    #[test]
    fn edge_cases_match_serde_json() {
        for n in [
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            101,
            999,
            1000,
            u64::MAX / 10,
            u64::MAX,
        ] {
            agree(&n);
        }
        for n in [i64::MIN, i64::MIN + 1, -100, -10, -9, -1, 0, i64::MAX] {
            agree(&n);
        }
        let every_byte: String = (0u8..=0x7f).map(char::from).collect();
        agree(&every_byte);
        agree(&"");
        agree(&"a\"b\\c\u{0}\u{1f}\u{7f}");
        agree(&Broken);
        agree(&f64::NAN);
        agree(&f64::INFINITY);
        agree(&-0.0f64);
        agree(&1e300f64);
        agree(&f32::MIN_POSITIVE);
        agree(&BTreeMap::<String, u8>::new());
        agree(&Vec::<u8>::new());
        agree(&BTreeMap::from([(Kind::Newtype(1), 1u8)])); // refused by serde_json too
        agree(&HashMap::from([(1.5f64.to_bits(), 1u8)]));
        agree(&BTreeMap::from([((1u8, 2u8), 0u8)])); // tuple keys: refused
        agree(&BTreeMap::from([(Some(1u8), 0u8)]));
        agree(&BTreeMap::from([(Unit, 0u8)]));
        agree(&BTreeMap::from([((), 0u8)]));
        agree(&BTreeMap::from([(1i128, 0u8), (-5i128, 1u8)]));
        agree(&BTreeMap::from([(u128::MAX, 0u8)]));
        let raw = RawValue::from_string(r#"{ "kept" : [1, 2.50] }"#.to_owned()).unwrap();
        agree(&raw);
        agree(&BTreeMap::from([("raw", &raw)]));
        assert!(!written_by_us(&raw));
    }
}
