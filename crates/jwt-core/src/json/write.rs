//! Compact JSON output for the claims of a token being signed, byte for byte what
//! `serde_json::to_writer` writes, in less time.
//!
//! Why a writer of our own: signing spends a large share of its time outside the cryptography in
//! serde_json's string escaping, which looks at one byte at a time. Claims are mostly strings
//! without anything to escape, so [`write`] finds the next byte that needs an escape eight bytes
//! at a time (the scan's [`plain_prefix`]) and copies the plain runs whole.
//!
//! Why the output does not drift from serde_json's: the writer follows serde_json's serializer
//! call for call, quirks included (a length declared as 0 closes the array or object at once, as
//! serde_json does), and writes floats and 128-bit integers through serde_json itself. Where
//! serde_json would fail (a map key it refuses, an error raised by the claims type) and for the
//! rare things it does not imitate (serde_json's `RawValue` and arbitrary-precision `Number`,
//! nesting deeper than [`MAX_DEPTH`]), the writer gives up, and serde_json writes the claims from
//! the start. Giving up is sticky: a claims type that swallows the error cannot make the writer
//! keep half an output. The differential tests below compare the two on random values of many
//! types and on the misbehaving `Serialize` impls a review found.
//!
//! What cannot be identical: when the writer gives up, the claims type's `Serialize` runs a
//! second time, for serde_json. A type whose output changes from one call to the next could
//! then differ from what serde_json alone would write; outside nesting deeper than
//! [`MAX_DEPTH`] and serde_json's private types, that happens only where serde_json fails
//! anyway. An error the claims type raises itself is returned at once, without a second call.

use std::cell::Cell;
use std::fmt;

use serde::ser::{self, Serialize};

use super::scan::{SERDE_JSON_MARKER, is_marker, plain_prefix};

/// Nesting the writer follows itself; deeper values are left to serde_json (whose frames are
/// smaller), so that the writer never needs more stack than serde_json would.
const MAX_DEPTH: usize = 128;

/// Appends the compact JSON of `value` to `out`: exactly what `serde_json::to_writer` appends,
/// except that a member name starting with `$serde_json::private::` is refused (see
/// [`super::scan::SERDE_JSON_MARKER`]).
///
/// # Errors
/// When `value` cannot be written (serde_json would fail too) or names a member with that
/// prefix; `out` may then hold part of the output.
pub(crate) fn write<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), Unwritable> {
    let start = out.len();
    let gave_up = Cell::new(false);
    let written = value.serialize(Writer {
        out: &mut *out,
        gave_up: &gave_up,
        depth: 0,
    });
    match written {
        Ok(()) if !gave_up.get() => Ok(()),
        // The claims type failed by itself: serde_json would have met the same failure.
        Err(_) if !gave_up.get() => Err(Unwritable::Failed),
        _ => {
            out.truncate(start);
            serde_json::to_writer(&mut *out, value).map_err(|_| Unwritable::Failed)?;
            // serde_json writes what our writer hands it whole (raw JSON text included), so the
            // member names are checked in its output: rarely, only when the prefix occurs at all.
            let text = out.get(start..).unwrap_or_default();
            if memchr::memmem::find(text, SERDE_JSON_MARKER.as_bytes()).is_some()
                && super::scan::names_a_marker(text)
            {
                return Err(Unwritable::MarkerName);
            }
            Ok(())
        }
    }
}

/// Why [`write`] wrote nothing usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unwritable {
    /// The value failed to serialise, or serde_json refuses it.
    Failed,
    /// A member name starts with `$serde_json::private::`.
    MarkerName,
}

/// Why the writer stopped: it gave up, or the claims type raised an error.
#[derive(Debug)]
pub(crate) struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to serde_json")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

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

/// Appends `text`, escaped as serde_json escapes string contents.
fn escaped(out: &mut Vec<u8>, text: &str) {
    let mut rest = text.as_bytes();
    loop {
        let plain = plain_prefix(rest);
        let (run, tail) = rest.split_at_checked(plain).unwrap_or((rest, &[]));
        out.extend_from_slice(run);
        let Some((&special, tail)) = tail.split_first() else {
            return;
        };
        match short_escape(special) {
            Some(letter) => out.extend_from_slice(&[b'\\', letter]),
            None => {
                let hex = |nibble: u8| HEX.get(usize::from(nibble & 15)).copied().unwrap_or(b'0');
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(special >> 4), hex(special)]);
            }
        }
        rest = tail;
    }
}

/// Whether each byte must be escaped in a JSON string (`"`, `\\`, control characters).
static NEEDS_ESCAPE: [bool; 256] = needs_escape_table();

// Evaluated at compile time only: an out-of-bounds index would fail the build.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn needs_escape_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
}

/// Whether `bytes` can stand in a JSON string as they are. Short strings (most member names)
/// take one table lookup a byte; longer ones eight bytes a step.
fn is_plain(bytes: &[u8]) -> bool {
    if bytes.len() < 8 {
        bytes
            .iter()
            .all(|&b| !NEEDS_ESCAPE.get(usize::from(b)).copied().unwrap_or(true))
    } else {
        plain_prefix(bytes) == bytes.len()
    }
}

/// Longest text [`short_string`] writes.
const SHORT: usize = 16;

/// Appends `,` (when `comma`), `text` as a JSON string and `:` (when `colon`) when `text` has at
/// most [`SHORT`] bytes and needs no escape; otherwise returns false, having written nothing
/// that stays.
///
/// Why: most member names are short, and copying a few bytes of a length the compiler cannot see
/// costs a call to `memcpy`, more than the bytes themselves. Here the output grows by a fixed
/// room of quotes and the text is copied into it byte by byte, checked on the way, then the
/// output is cut back to what was written.
#[inline(always)]
fn short_string(out: &mut Vec<u8>, text: &[u8], comma: bool, colon: bool) -> bool {
    if text.len() > SHORT {
        return false;
    }
    let start = out.len();
    out.extend_from_slice(&[b'"'; SHORT + 4]);
    let lead = usize::from(comma);
    let Some(room) = out.get_mut(start..) else {
        return false; // unreachable: just appended
    };
    if let Some(first) = room.first_mut() {
        *first = if comma { b',' } else { b'"' };
    }
    let mut special = false;
    for (slot, &byte) in room.iter_mut().skip(lead.saturating_add(1)).zip(text) {
        special |= NEEDS_ESCAPE.get(usize::from(byte)).copied().unwrap_or(true);
        *slot = byte;
    }
    let end = lead.saturating_add(text.len()).saturating_add(2);
    if let Some(slot) = room.get_mut(end) {
        *slot = b':';
    }
    if special {
        out.truncate(start);
        return false;
    }
    out.truncate(start.saturating_add(end).saturating_add(usize::from(colon)));
    true
}

/// Appends `text` as a JSON string.
fn string(out: &mut Vec<u8>, text: &str) {
    if !short_string(out, text.as_bytes(), false, false) {
        long_string(out, text);
    }
}

/// Appends `text` as a JSON string, of any length and with any escapes: the path of the strings
/// [`short_string`] declines.
fn long_string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len().saturating_add(2));
    out.push(b'"');
    if is_plain(bytes) {
        out.extend_from_slice(bytes);
    } else {
        escaped(out, text);
    }
    out.push(b'"');
}

/// Appends `value`'s `Display` output as a JSON string, escaped piece by piece (no `String`).
fn display_string<T: fmt::Display + ?Sized>(out: &mut Vec<u8>, value: &T) -> fmt::Result {
    struct Escaping<'a>(&'a mut Vec<u8>);
    impl fmt::Write for Escaping<'_> {
        fn write_str(&mut self, piece: &str) -> fmt::Result {
            escaped(self.0, piece);
            Ok(())
        }
    }
    out.push(b'"');
    fmt::write(&mut Escaping(out), format_args!("{value}"))?;
    out.push(b'"');
    Ok(())
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

/// One value written by serde_json (floats, 128-bit integers), as it always writes them.
fn by_serde_json<T: Serialize>(out: &mut Vec<u8>, value: T) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, &value)
}

/// Where the writer writes, and the flag that records giving up.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    gave_up: &'a Cell<bool>,
    /// Open arrays and objects around this value.
    depth: usize,
}

impl<'a> Writer<'a> {
    fn give_up(&self) -> Stop {
        self.gave_up.set(true);
        Stop
    }

    /// Opens an array or object (`open`, closed later by `close`) as serde_json does: a declared
    /// length of 0 writes both brackets at once, and whatever follows is written after them
    /// (then with a second closing bracket).
    fn compound(self, open: u8, close: u8, len: Option<usize>) -> Result<Compound<'a>, Stop> {
        if self.depth >= MAX_DEPTH {
            return Err(self.give_up());
        }
        self.out.push(open);
        let closed = len == Some(0);
        if closed {
            self.out.push(close);
        }
        Ok(Compound {
            out: self.out,
            gave_up: self.gave_up,
            depth: self.depth.saturating_add(1),
            first: !closed,
            closed,
            close,
            variant: false,
        })
    }

    /// Writes `{"variant":` and opens what follows (`open`, closed by `close`), then `}`.
    fn variant(
        self,
        name: &str,
        open: u8,
        close: u8,
        len: Option<usize>,
    ) -> Result<Compound<'a>, Stop> {
        if self.depth >= MAX_DEPTH {
            return Err(self.give_up());
        }
        self.out.push(b'{');
        string(self.out, name);
        self.out.push(b':');
        let mut inner = Writer {
            out: self.out,
            gave_up: self.gave_up,
            depth: self.depth.saturating_add(1),
        }
        .compound(open, close, len)?;
        inner.variant = true;
        Ok(inner)
    }
}

/// An open array or object.
pub(crate) struct Compound<'a> {
    out: &'a mut Vec<u8>,
    gave_up: &'a Cell<bool>,
    /// Depth of the elements.
    depth: usize,
    /// Whether no element was written yet (so no comma goes before the next).
    first: bool,
    /// Whether the brackets were written at once (a declared length of 0) and nothing since.
    closed: bool,
    /// The closing bracket, written by `end` unless `closed`.
    close: u8,
    /// Whether `end` also closes an enum variant's object (`}`).
    variant: bool,
}

impl Compound<'_> {
    /// Whether a comma goes before the next element (every one but the first); the compound is
    /// no longer just-closed either way.
    fn comma_due(&mut self) -> bool {
        self.closed = false;
        !std::mem::take(&mut self.first)
    }

    fn comma(&mut self) {
        if self.comma_due() {
            self.out.push(b',');
        }
    }

    fn writer(&mut self) -> Writer<'_> {
        Writer {
            out: self.out,
            gave_up: self.gave_up,
            depth: self.depth,
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.comma();
        value.serialize(self.writer())
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Stop> {
        if is_marker(name) {
            // Refused after serde_json has written it (`write`).
            self.gave_up.set(true);
            return Err(Stop);
        }
        let comma = self.comma_due();
        if !short_string(self.out, name.as_bytes(), comma, true) {
            if comma {
                self.out.push(b',');
            }
            long_string(self.out, name);
            self.out.push(b':');
        }
        value.serialize(self.writer())
    }

    fn close(self) -> Result<(), Stop> {
        if !self.closed {
            self.out.push(self.close);
        }
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

/// What values and map keys write alike: the narrower integers as the 64-bit ones they widen
/// to, unit variants as their names, newtypes as what they wrap (as serde_json does).
macro_rules! written_alike {
    () => {
        fn serialize_unit_variant(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
        ) -> Result<(), Stop> {
            self.serialize_str(variant)
        }

        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            value: &T,
        ) -> Result<(), Stop> {
            value.serialize(self)
        }

        fn serialize_i8(self, v: i8) -> Result<(), Stop> {
            self.serialize_i64(v.into())
        }

        fn serialize_i16(self, v: i16) -> Result<(), Stop> {
            self.serialize_i64(v.into())
        }

        fn serialize_i32(self, v: i32) -> Result<(), Stop> {
            self.serialize_i64(v.into())
        }

        fn serialize_u8(self, v: u8) -> Result<(), Stop> {
            self.serialize_u64(v.into())
        }

        fn serialize_u16(self, v: u16) -> Result<(), Stop> {
            self.serialize_u64(v.into())
        }

        fn serialize_u32(self, v: u32) -> Result<(), Stop> {
            self.serialize_u64(v.into())
        }
    };
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    written_alike!();

    fn serialize_bool(self, v: bool) -> Result<(), Stop> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Stop> {
        signed(self.out, v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), Stop> {
        by_serde_json(self.out, v).map_err(|_| self.give_up())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Stop> {
        unsigned(self.out, v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), Stop> {
        by_serde_json(self.out, v).map_err(|_| self.give_up())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Stop> {
        by_serde_json(self.out, v).map_err(|_| self.give_up())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Stop> {
        by_serde_json(self.out, v).map_err(|_| self.give_up())
    }

    fn serialize_char(self, v: char) -> Result<(), Stop> {
        string(self.out, v.encode_utf8(&mut [0u8; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        string(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Stop> {
        self.out.push(b'[');
        for (i, byte) in v.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            unsigned(self.out, u64::from(*byte));
        }
        self.out.push(b']');
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Stop> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Stop> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Stop> {
        self.serialize_unit()
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        let mut object = self.compound(b'{', b'}', None)?;
        object.field(variant, value)?;
        object.close()
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a>, Stop> {
        self.compound(b'[', b']', len)
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Stop> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>, Stop> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Stop> {
        self.variant(variant, b'[', b']', Some(len))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a>, Stop> {
        self.compound(b'{', b'}', len)
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a>, Stop> {
        // The struct names serde_json's serializer writes in its own way carry the same prefix:
        // `RawValue` (verbatim text) and, when any crate in the build enables serde_json's
        // `arbitrary_precision`, every `Number` (a bare number). A plain name check: jwt-core
        // cannot see which serde_json features the build has.
        if is_marker(name) {
            return Err(self.give_up()); // written by serde_json
        }
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Stop> {
        self.variant(variant, b'{', b'}', Some(len))
    }

    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), Stop> {
        display_string(self.out, value).map_err(|_| self.give_up())
    }
}

/// The element-by-element compounds: arrays, tuples, tuple structs and tuple variants.
macro_rules! elements {
    ($($compound:ident::$add:ident),*) => {$(
        impl ser::$compound for Compound<'_> {
            type Ok = ();
            type Error = Stop;

            fn $add<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
                self.element(value)
            }

            fn end(self) -> Result<(), Stop> {
                self.close()
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Stop;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Stop> {
        self.comma();
        key.serialize(KeyWriter {
            out: self.out,
            gave_up: self.gave_up,
        })
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.out.push(b':');
        value.serialize(self.writer())
    }

    fn end(self) -> Result<(), Stop> {
        self.close()
    }
}

/// The field-by-field compounds: structs and struct variants.
macro_rules! fields {
    ($($compound:ident),*) => {$(
        impl ser::$compound for Compound<'_> {
            type Ok = ();
            type Error = Stop;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Stop> {
                self.field(key, value)
            }

            fn end(self) -> Result<(), Stop> {
                self.close()
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// The serializer for map keys, as serde_json's: strings as they are; integers, floats and
/// `bool`s quoted; anything it refuses given up on (serde_json then refuses it).
struct KeyWriter<'a> {
    out: &'a mut Vec<u8>,
    gave_up: &'a Cell<bool>,
}

impl KeyWriter<'_> {
    fn give_up(&self) -> Stop {
        self.gave_up.set(true);
        Stop
    }

    fn quoted<E>(self, write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>) -> Result<(), Stop> {
        self.out.push(b'"');
        if write(self.out).is_err() {
            return Err(self.give_up());
        }
        self.out.push(b'"');
        Ok(())
    }

    fn refuse<T>(self) -> Result<T, Stop> {
        Err(self.give_up())
    }
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = ser::Impossible<(), Stop>;
    type SerializeTuple = ser::Impossible<(), Stop>;
    type SerializeTupleStruct = ser::Impossible<(), Stop>;
    type SerializeTupleVariant = ser::Impossible<(), Stop>;
    type SerializeMap = ser::Impossible<(), Stop>;
    type SerializeStruct = ser::Impossible<(), Stop>;
    type SerializeStructVariant = ser::Impossible<(), Stop>;

    written_alike!();

    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        if is_marker(v) {
            return Err(self.give_up()); // refused after serde_json has written it (`write`)
        }
        string(self.out, v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Stop> {
        self.serialize_str(v.encode_utf8(&mut [0u8; 4]))
    }

    fn serialize_bool(self, v: bool) -> Result<(), Stop> {
        self.quoted(|out| {
            out.extend_from_slice(if v { b"true" } else { b"false" });
            Ok::<(), Stop>(())
        })
    }

    fn serialize_i64(self, v: i64) -> Result<(), Stop> {
        self.quoted(|out| {
            signed(out, v);
            Ok::<(), Stop>(())
        })
    }

    fn serialize_i128(self, v: i128) -> Result<(), Stop> {
        self.quoted(|out| by_serde_json(out, v))
    }

    fn serialize_u64(self, v: u64) -> Result<(), Stop> {
        self.quoted(|out| {
            unsigned(out, v);
            Ok::<(), Stop>(())
        })
    }

    fn serialize_u128(self, v: u128) -> Result<(), Stop> {
        self.quoted(|out| by_serde_json(out, v))
    }

    fn serialize_f32(self, v: f32) -> Result<(), Stop> {
        if !v.is_finite() {
            return self.refuse();
        }
        self.quoted(|out| by_serde_json(out, v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), Stop> {
        if !v.is_finite() {
            return self.refuse();
        }
        self.quoted(|out| by_serde_json(out, v))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }

    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), Stop> {
        if display_string(self.out, value).is_err() {
            return self.refuse();
        }
        Ok(())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Stop> {
        self.refuse()
    }

    fn serialize_none(self) -> Result<(), Stop> {
        self.refuse()
    }

    fn serialize_unit(self) -> Result<(), Stop> {
        self.refuse()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
        self.refuse()
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Stop> {
        self.refuse()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        self.refuse()
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
        self.refuse()
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        self.refuse()
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        self.refuse()
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        self.refuse()
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
        self.refuse()
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        self.refuse()
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
        let gave_up = Cell::new(false);
        let written = value.serialize(Writer {
            out: &mut Vec::new(),
            gave_up: &gave_up,
            depth: 0,
        });
        written.is_ok() && !gave_up.get()
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

    /// `short_string` writes exactly the punctuated text when it takes a string, and leaves the
    /// output as it was when it declines one (too long, or a byte to escape).
    #[test]
    fn short_string_writes_all_or_nothing() {
        for (text, comma, colon, expected) in [
            ("", false, false, Some(r#""""#)),
            ("sub", true, true, Some(r#","sub":"#)),
            ("sub", false, true, Some(r#""sub":"#)),
            (
                "0123456789abcdef",
                true,
                false,
                Some(r#","0123456789abcdef""#),
            ),
            ("é", false, false, Some("\"é\"")),
            ("0123456789abcdefg", true, true, None),
            ("a\"b", false, false, None),
            ("a\\b", true, true, None),
            ("tab\t", false, false, None),
        ] {
            let mut out = b"{".to_vec();
            let taken = short_string(&mut out, text.as_bytes(), comma, colon);
            let expected_out = format!("{{{}", expected.unwrap_or(""));
            assert_eq!(taken, expected.is_some(), "{text:?}");
            assert_eq!(String::from_utf8(out).unwrap(), expected_out, "{text:?}");
        }
    }

    /// Strings around and past the short path's limit, with every byte that needs an escape
    /// (and its neighbours) at every position, as member names and as values, first and later
    /// in an object: written as serde_json writes them.
    #[test]
    fn short_strings_match_serde_json_at_every_length_and_position() {
        #[derive(Serialize, Debug)]
        struct Two<'a> {
            first: &'a str,
            second: &'a str,
        }
        let specials = [
            0x00, 0x01, 0x08, 0x1F, b' ', b'!', b'"', b'#', b'/', b'\\', b']', 0x7F,
        ];
        for len in 0..=SHORT + 9 {
            for fill in ["a", "é", "\u{1F600}"] {
                let base: String = fill.repeat(len).chars().take(len).collect();
                agree(&base);
                agree(&BTreeMap::from([(base.as_str(), base.as_str())]));
                agree(&Two {
                    first: &base,
                    second: &base,
                });
                let mut bytes = base.clone().into_bytes();
                bytes.truncate(len);
                for at in 0..len {
                    for &special in &specials {
                        let mut bytes = bytes.clone();
                        bytes[at] = special;
                        // Only texts that stay UTF-8 (the multi-byte fills are cut or hit).
                        let Ok(text) = String::from_utf8(bytes) else {
                            continue;
                        };
                        agree(&text);
                        agree(&BTreeMap::from([(text.as_str(), 1u8), ("z", 2)]));
                        agree(&BTreeMap::from([
                            ("a", text.as_str()),
                            (text.as_str(), "v"),
                        ]));
                        agree(&Two {
                            first: &text,
                            second: &text,
                        });
                    }
                }
            }
        }
        for n in [0, 7, 9, 10, 99, 100, 12_345_678, u64::MAX] {
            agree(&Two {
                first: &n.to_string(),
                second: "",
            });
            agree(&BTreeMap::from([(n, n)]));
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

    /// Member names with serde_json's marker prefix are refused wherever they come from: a map
    /// key, a struct field, or raw JSON text handed through; a `RawValue` itself is not a name.
    #[test]
    fn marker_names_are_refused() {
        #[derive(Serialize)]
        struct Renamed {
            #[serde(rename = "$serde_json::private::RawValue")]
            field: u8,
        }
        #[derive(Serialize, Debug)]
        struct Holder<'a> {
            raw: &'a RawValue,
        }
        let refused = |result: Result<(), Unwritable>| result == Err(Unwritable::MarkerName);
        let key = "$serde_json::private::RawValue";
        assert!(refused(write(
            &BTreeMap::from([(key, 1u8)]),
            &mut Vec::new()
        )));
        let nested = serde_json::json!({"a": [{"b": {key: "{}"}}]});
        assert!(refused(write(&nested, &mut Vec::new())));
        assert!(refused(write(&Renamed { field: 1 }, &mut Vec::new())));
        let raw = RawValue::from_string(format!(r#"{{"{key}":"{{}}"}}"#)).unwrap();
        assert!(refused(write(&Holder { raw: &raw }, &mut Vec::new())));
        // Values and look-alike names are ordinary; a `RawValue` is written verbatim.
        let fine = serde_json::json!({"v": key, "$serde_json::privat": 1});
        agree(&fine);
        let raw = RawValue::from_string(r#"{"kept":1}"#.to_owned()).unwrap();
        agree(&Holder { raw: &raw });
    }

    /// `Serialize` impls that misbehave, from a review: each must come out as serde_json's.
    mod misbehaving {
        use std::cell::Cell;

        use serde::ser::{
            SerializeMap as _, SerializeSeq as _, SerializeStruct as _,
            SerializeStructVariant as _, SerializeTupleVariant as _,
        };

        use super::*;

        /// Swallows the error of an entry serde_json refuses (a tuple key), then goes on.
        #[derive(Debug)]
        struct SwallowsAnError<K>(K);

        impl<K: Serialize> Serialize for SwallowsAnError<K> {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                let _ = map.serialize_entry(&self.0, &1);
                map.serialize_entry("z", &2)?;
                map.end()
            }
        }

        /// Swallows the error of a value the writer leaves to serde_json (a `RawValue`).
        #[derive(Debug)]
        struct SwallowsAGiveUp;

        impl Serialize for SwallowsAGiveUp {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let raw = RawValue::from_string("[1, 2]".to_owned()).map_err(ser::Error::custom)?;
                let mut map = serializer.serialize_map(None)?;
                let _ = map.serialize_entry("raw", &raw);
                map.serialize_entry("z", &2)?;
                map.end()
            }
        }

        /// Declares a length of 0 and then writes `count` elements anyway.
        #[derive(Debug)]
        struct LiesAboutItsLength {
            shape: u8,
            count: u8,
        }

        impl Serialize for LiesAboutItsLength {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let count = self.count;
                match self.shape {
                    0 => {
                        let mut seq = serializer.serialize_seq(Some(0))?;
                        (0..count).try_for_each(|i| seq.serialize_element(&i))?;
                        seq.end()
                    }
                    1 => {
                        let mut map = serializer.serialize_map(Some(0))?;
                        (0..count).try_for_each(|i| map.serialize_entry(&i, &i))?;
                        map.end()
                    }
                    2 => {
                        let mut object = serializer.serialize_struct("Claims", 0)?;
                        (0..count).try_for_each(|_| object.serialize_field("sub", "a"))?;
                        object.end()
                    }
                    3 => {
                        let mut tuple = serializer.serialize_tuple_variant("E", 0, "T", 0)?;
                        (0..count).try_for_each(|i| tuple.serialize_field(&i))?;
                        tuple.end()
                    }
                    _ => {
                        let mut object = serializer.serialize_struct_variant("E", 1, "S", 0)?;
                        (0..count).try_for_each(|_| object.serialize_field("f", &true))?;
                        object.end()
                    }
                }
            }
        }

        /// Writes its `Display` in pieces that need escaping.
        struct Pieces;

        impl fmt::Display for Pieces {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a\"b")?;
                f.write_str("\u{1}\n")?;
                write!(f, "{}-é\\", 7)
            }
        }

        impl fmt::Debug for Pieces {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Pieces")
            }
        }

        impl Serialize for Pieces {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry(&DisplayKey, &DisplayValue)?;
                map.end()
            }
        }

        struct DisplayKey;

        impl Serialize for DisplayKey {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&Pieces)
            }
        }

        struct DisplayValue;

        impl Serialize for DisplayValue {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&Pieces)
            }
        }

        /// Counts how often it is serialised.
        #[derive(Debug)]
        struct Counted<'a>(&'a Cell<u32>);

        impl Serialize for Counted<'_> {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.set(self.0.get() + 1);
                serializer.serialize_u32(self.0.get())
            }
        }

        #[test]
        fn a_swallowed_error_never_leaves_half_an_output() {
            agree(&SwallowsAnError((1u8, 2u8)));
            agree(&SwallowsAnError(()));
            agree(&SwallowsAnError(f64::NAN));
            agree(&SwallowsAnError(Some("k"))); // accepted by both
            agree(&SwallowsAnError(7i128)); // accepted by both
            agree(&SwallowsAGiveUp);
            assert!(!written_by_us(&SwallowsAnError((1u8, 2u8))));
            assert!(written_by_us(&SwallowsAnError(Some("k"))));
        }

        #[test]
        fn declared_empty_compounds_close_at_once_as_in_serde_json() {
            for shape in 0..5 {
                for count in 0..3 {
                    let value = LiesAboutItsLength { shape, count };
                    agree(&value);
                    agree(&BTreeMap::from([("v", &value)]));
                    assert!(written_by_us(&value));
                }
            }
        }

        #[test]
        fn keys_serde_json_accepts_are_written_without_falling_back() {
            let keys = BTreeMap::from([(Some(5u8), 1u8)]);
            agree(&keys);
            assert!(written_by_us(&keys));
            for key in [1.5f64, -0.0, 1e300, f64::MIN_POSITIVE, 0.1] {
                let map = OneEntry(key, 1u8);
                agree(&map);
                assert!(written_by_us(&map));
                #[allow(clippy::cast_possible_truncation)]
                let narrow = key as f32; // 1e300 becomes infinite: refused
                agree(&OneEntry(narrow, 1u8));
                assert_eq!(written_by_us(&OneEntry(narrow, 1u8)), narrow.is_finite());
            }
            // Refused by serde_json: left to it.
            for key in [f64::NAN, f64::INFINITY] {
                agree(&OneEntry(key, 1u8));
                assert!(!written_by_us(&OneEntry(key, 1u8)));
            }
            agree(&OneEntry(f32::NEG_INFINITY, 1u8));
            let wide = BTreeMap::from([(i128::MIN, 0u8), (u64::MAX.into(), 1)]);
            agree(&wide);
            assert!(written_by_us(&wide));
            agree(&Pieces);
            assert!(written_by_us(&Pieces));
        }

        #[test]
        fn deep_nesting_is_left_to_serde_json() {
            let mut deep = Value::from(1);
            for level in 0..(MAX_DEPTH + 20) {
                deep = if level % 2 == 0 {
                    Value::Array(vec![deep])
                } else {
                    serde_json::json!({ "k": deep })
                };
            }
            agree(&deep);
            assert!(!written_by_us(&deep));
            let mut shallow = Value::from(1);
            for _ in 0..(MAX_DEPTH - 1) {
                shallow = Value::Array(vec![shallow]);
            }
            agree(&shallow);
            assert!(written_by_us(&shallow));
        }

        #[test]
        fn a_written_value_is_serialised_once() {
            let count = Cell::new(0);
            let mut out = Vec::new();
            write(&BTreeMap::from([("n", Counted(&count))]), &mut out).unwrap();
            assert_eq!(count.get(), 1);
            assert_eq!(out, br#"{"n":1}"#);
        }

        /// What a `serde_json::Number` serialises as when a crate in the build enables
        /// serde_json's `arbitrary_precision` feature.
        #[derive(Debug)]
        struct ArbitraryPrecisionNumber(&'static str);

        impl Serialize for ArbitraryPrecisionNumber {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut number = serializer.serialize_struct("$serde_json::private::Number", 1)?;
                number.serialize_field("$serde_json::private::Number", self.0)?;
                number.end()
            }
        }

        #[test]
        fn serde_json_private_types_are_left_to_it() {
            // Without the feature (this build) serde_json writes the struct as an object named by
            // its marker, which is refused; with it, a bare number, which is serde_json's output:
            // never the writer's guess.
            let claims = BTreeMap::from([("exp", ArbitraryPrecisionNumber("4102444800"))]);
            let theirs = serde_json::to_string(&claims).unwrap();
            if theirs.contains(SERDE_JSON_MARKER) {
                assert_eq!(write(&claims, &mut Vec::new()), Err(Unwritable::MarkerName));
            } else {
                agree(&claims);
            }
            assert!(!written_by_us(&claims));
        }

        /// A map of one entry, whatever the key type (floats included, as `ordered-float`-style
        /// wrappers produce them).
        #[derive(Debug)]
        struct OneEntry<K, V>(K, V);

        impl<K: Serialize, V: Serialize> Serialize for OneEntry<K, V> {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(&self.0, &self.1)?;
                map.end()
            }
        }
    }
}
