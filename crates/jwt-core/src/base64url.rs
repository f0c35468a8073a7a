//! Canonical, unpadded base64url (RFC 7515 §2, RFC 4648 §5) and nothing else.
//!
//! Why strict: several encodings of the same bytes (padding, `+`/`/`, non-zero unused bits) break
//! revocation lists keyed by token text and open parser differentials. Both codecs here reject
//! all of them.
//!
//! Two implementations, chosen by what the bytes are:
//! - secret-bearing data (JWK `k`/`d`/..., key exports) goes through base64ct, which runs in
//!   constant time: [`decode_vec`], [`decode_into`], [`encode_string`];
//! - the segments of a token (header, payload, signature) are public by construction: anyone
//!   holding the token reads them. Constant time buys nothing there, so [`decode_public_into`]
//!   and [`encode_public_append`] use lookup tables (about 10x fewer instructions per character
//!   than base64ct; see `docs/performance.md`). The tables are indexed by input bytes, so their
//!   timing depends on the data: never route a secret through them.

use base64ct::{Base64UrlUnpadded, Encoding};

/// Number of bytes that `encoded_len` base64url characters decode to, or `None` when that length
/// can never be canonical (a remainder of one character).
pub(crate) const fn decoded_len(encoded_len: usize) -> Option<usize> {
    let full = (encoded_len / 4).saturating_mul(3);
    match encoded_len % 4 {
        0 => Some(full),
        2 => Some(full.saturating_add(1)),
        3 => Some(full.saturating_add(2)),
        _ => None,
    }
}

/// Number of characters the unpadded base64url encoding of `len` bytes takes.
pub(crate) const fn encoded_len(len: usize) -> usize {
    let full = (len / 3).saturating_mul(4);
    match len % 3 {
        0 => full,
        1 => full.saturating_add(2),
        _ => full.saturating_add(3),
    }
}

/// Decodes `src` into the front of `dst`, returning the decoded bytes.
///
/// Fails on any non-canonical input and when `dst` is too small.
pub(crate) fn decode_into<'d>(src: &[u8], dst: &'d mut [u8]) -> Option<&'d [u8]> {
    let len = decoded_len(src.len())?;
    let dst = dst.get_mut(..len)?;
    Base64UrlUnpadded::decode(src, dst)
        .ok()
        .map(|out| -> &[u8] { out })
}

/// The base64url alphabet, by 6-bit value.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks a byte outside the alphabet in the decoding tables: above the 24 bits a quantum uses.
const INVALID: u32 = 0xFF00_0000;

/// For each input byte, its 6-bit value shifted into place for position `slot` (0..4) of a
/// 4-character quantum, or [`INVALID`].
// Evaluated at compile time only: an out-of-bounds index or overflow would fail the build.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn decode_table(slot: u32) -> [u32; 256] {
    let mut table = [INVALID; 256];
    let mut value = 0;
    while value < 64 {
        table[ALPHABET[value] as usize] = (value as u32) << (18 - 6 * slot);
        value += 1;
    }
    table
}

static DECODE: [[u32; 256]; 4] = [
    decode_table(0),
    decode_table(1),
    decode_table(2),
    decode_table(3),
];

/// The shifted value of `byte` at `slot` of a quantum (the lookups cannot miss: 4 x 256 entries).
#[inline(always)]
fn lookup(slot: usize, byte: u8) -> u32 {
    DECODE
        .get(slot)
        .and_then(|table| table.get(usize::from(byte)))
        .copied()
        .unwrap_or(INVALID)
}

/// The four characters of `quantum` combined: 24 bits of output, plus bits above them when any
/// character is outside the alphabet.
#[inline(always)]
fn quantum_bits(quantum: [u8; 4]) -> u32 {
    let [a, b, c, d] = quantum;
    lookup(0, a) | lookup(1, b) | lookup(2, c) | lookup(3, d)
}

/// Decodes `src`, a segment of a token (public data: variable time), into the front of `dst`.
///
/// Exactly as strict as [`decode_into`]: no padding, only the base64url alphabet, unused bits of
/// the last character zero, and never a length of `4n + 1`. Fails when `dst` is too small.
///
/// The main loop takes two quanta (8 characters, 6 bytes) a step: one 8-byte load, one 6-byte
/// store, and half the loop overhead of a quantum at a time.
pub(crate) fn decode_public_into<'d>(src: &[u8], dst: &'d mut [u8]) -> Option<&'d [u8]> {
    let len = decoded_len(src.len())?;
    let dst = dst.get_mut(..len)?;
    let mut pairs = src.chunks_exact(8);
    let mut pair_out = dst.chunks_exact_mut(6);
    // Any invalid character sets bits above 24 of its lookup; they are collected here.
    let mut flags = 0u32;
    for (chars, bytes) in (&mut pairs).zip(&mut pair_out) {
        let Ok(chars) = <[u8; 8]>::try_from(chars) else {
            continue; // unreachable: chunks of exactly 8
        };
        let [a, b, c, d, e, f, g, h] = chars;
        let first = quantum_bits([a, b, c, d]);
        let second = quantum_bits([e, f, g, h]);
        flags |= first | second;
        let both = u64::from(first) << 24 | u64::from(second & 0x00FF_FFFF);
        let [_, _, out @ ..] = both.to_be_bytes();
        bytes.copy_from_slice(&out);
    }
    // At most one whole quantum is left, then a partial one.
    let rest = pair_out.into_remainder();
    let mut input = pairs.remainder().chunks_exact(4);
    let mut output = rest.chunks_exact_mut(3);
    for (quantum, bytes) in (&mut input).zip(&mut output) {
        if let [a, b, c, d] = *quantum {
            let n = quantum_bits([a, b, c, d]);
            flags |= n;
            let [_, hi, mid, lo] = n.to_be_bytes();
            bytes.copy_from_slice(&[hi, mid, lo]);
        }
    }
    // The bits of the last character that no output byte takes must be zero (canonical form).
    let unused = match (input.remainder(), output.into_remainder()) {
        ([], []) => 0,
        ([a, b], [x]) => {
            let n = lookup(0, *a) | lookup(1, *b);
            flags |= n;
            *x = n.to_be_bytes()[1];
            n & 0x0000_F000 // 12 bits for one byte
        }
        ([a, b, c], [x, y]) => {
            let n = lookup(0, *a) | lookup(1, *b) | lookup(2, *c);
            flags |= n;
            let [_, hi, mid, _] = n.to_be_bytes();
            (*x, *y) = (hi, mid);
            n & 0x0000_00C0 // 18 bits for two bytes
        }
        _ => return None, // unreachable: `decoded_len` fixed the remainders
    };
    (flags & INVALID == 0 && unused == 0).then_some(&*dst)
}

/// The character for the low 6 bits of `bits`.
#[inline(always)]
fn symbol(bits: u32) -> u8 {
    ALPHABET.get((bits & 63) as usize).copied().unwrap_or(b'A')
}

/// The two characters for each 12-bit value, first character in the low byte.
// Evaluated at compile time only: an out-of-bounds index or overflow would fail the build.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn pair_table() -> [u16; 4096] {
    let mut table = [0u16; 4096];
    let mut value = 0;
    while value < 4096 {
        let high = ALPHABET[value >> 6] as u16;
        let low = ALPHABET[value & 63] as u16;
        table[value] = high | low << 8;
        value += 1;
    }
    table
}

/// Two characters per lookup: half the lookups of a character table, for 8 KiB of table.
static PAIRS: [u16; 4096] = pair_table();

/// The two characters for the low 12 bits of `bits`, as they are stored (little-endian).
#[inline(always)]
fn pair16(bits: u64) -> u16 {
    PAIRS.get((bits & 0xFFF) as usize).copied().unwrap_or(0)
}

/// The two characters for the low 12 bits of `bits`, as they are stored (little-endian).
#[inline(always)]
fn pair(bits: u64) -> u64 {
    PAIRS
        .get((bits & 0xFFF) as usize)
        .map_or(0, |&chars| u64::from(chars))
}

/// The eight characters for the six bytes in the low 48 bits of `n`, first character in the low
/// byte.
#[inline(always)]
fn low_six(n: u64) -> u64 {
    pair(n >> 36) | pair(n >> 24) << 16 | pair(n >> 12) << 32 | pair(n) << 48
}

/// Appends the base64url encoding of `src`, public data (variable time), to `out`.
///
/// Produces exactly what base64ct produces (checked against it in the tests). The main loop
/// encodes 12 bytes into 16 characters a step: two 8-byte loads, eight lookups of two
/// characters (12 bits) each.
pub(crate) fn encode_public_append(src: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start.saturating_add(encoded_len(src.len())), 0);
    if let Some(dst) = out.get_mut(start..) {
        encode_public_into(src, dst);
    }
}

/// Writes the base64url encoding of `src`, public data (variable time), to the front of `dst`,
/// which must hold [`encoded_len`] bytes: with a shorter `dst` what it gets is unspecified (it
/// never panics). Both callers pass exactly that length.
pub(crate) fn encode_public_into(src: &[u8], dst: &mut [u8]) {
    // Twelve bytes a step, read as two overlapping 8-byte words (bytes 0..8 and 4..12): two
    // loads instead of assembling the bytes one by one, and half the loop overhead.
    let mut twelves = src.chunks_exact(12);
    let mut sixteens = dst.chunks_exact_mut(16);
    for (bytes, chars) in (&mut twelves).zip(&mut sixteens) {
        let (Some(first), Some(second)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>())
        else {
            continue; // unreachable: chunks of exactly 12
        };
        let (n, m) = (u64::from_be_bytes(*first), u64::from_be_bytes(*second));
        let pairs = [
            n >> 52,
            n >> 40,
            n >> 28,
            n >> 16,
            m >> 36,
            m >> 24,
            m >> 12,
            m,
        ];
        for (slot, bits) in chars.chunks_exact_mut(2).zip(pairs) {
            slot.copy_from_slice(&pair16(bits).to_le_bytes());
        }
    }
    let (src, dst) = (twelves.remainder(), sixteens.into_remainder());
    let mut sixes = src.chunks_exact(6);
    let mut eights = dst.chunks_exact_mut(8);
    for (bytes, chars) in (&mut sixes).zip(&mut eights) {
        let Ok([a, b, c, d, e, f]) = <[u8; 6]>::try_from(bytes) else {
            continue; // unreachable: chunks of exactly 6
        };
        let n = u64::from_be_bytes([0, 0, a, b, c, d, e, f]);
        chars.copy_from_slice(&low_six(n).to_le_bytes());
    }
    let mut input = sixes.remainder().chunks_exact(3);
    let mut output = eights.into_remainder().chunks_exact_mut(4);
    for (bytes, quantum) in (&mut input).zip(&mut output) {
        if let [a, b, c] = *bytes {
            let n = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
            // One 4-byte store instead of four single-byte ones.
            let chars = [symbol(n >> 18), symbol(n >> 12), symbol(n >> 6), symbol(n)];
            quantum.copy_from_slice(&chars);
        }
    }
    match (input.remainder(), output.into_remainder()) {
        ([a], [w, x]) => {
            let n = u32::from(*a) << 16;
            (*w, *x) = (symbol(n >> 18), symbol(n >> 12));
        }
        ([a, b], [w, x, y]) => {
            let n = u32::from(*a) << 16 | u32::from(*b) << 8;
            (*w, *x, *y) = (symbol(n >> 18), symbol(n >> 12), symbol(n >> 6));
        }
        _ => {}
    }
}

/// Decodes `src` into a new vector.
pub(crate) fn decode_vec(src: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; decoded_len(src.len())?];
    let len = decode_into(src, &mut out)?.len();
    out.truncate(len);
    Some(out)
}

/// Appends the base64url encoding of `src` to `out` (base64ct, constant time; the reference
/// the table-driven encoder is tested against).
#[cfg(test)]
pub(crate) fn encode_append(src: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let len = Base64UrlUnpadded::encoded_len(src);
    out.resize(start.saturating_add(len), 0);
    if let Some(dst) = out.get_mut(start..) {
        // The destination has exactly the encoded length, so encoding cannot fail.
        let _ = Base64UrlUnpadded::encode(src, dst);
    }
}

/// The base64url encoding of `src` as a string.
pub(crate) fn encode_string(src: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(src)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_length() {
        for n in 0..70u8 {
            let data: Vec<u8> = (0..n).collect();
            let enc = Base64UrlUnpadded::encode_string(&data);
            let mut appended = b"x".to_vec();
            encode_append(&data, &mut appended);
            assert_eq!(&appended[1..], enc.as_bytes());
            assert_eq!(decode_vec(enc.as_bytes()).unwrap(), data);
        }
    }

    #[test]
    fn reject_non_canonical_encoding() {
        // RFC 7515 A.1 signature tail `...EjXk`; `...EjXl` differs only in the unused bits.
        let good = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(decode_vec(good.as_bytes()).is_some());
        for bad in [
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk=",
            "dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX",
            "dBjft JeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk!!!!",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEj%58k",
            "A",
        ] {
            assert!(decode_vec(bad.as_bytes()).is_none(), "{bad}");
        }
    }

    /// The table-driven codec must agree with base64ct on every input: same output for
    /// canonical text, rejection of everything base64ct rejects.
    #[test]
    fn public_codec_matches_base64ct() {
        for n in 0..200usize {
            let data: Vec<u8> = (0..n).map(|i| (i * 151 + n * 7) as u8).collect();
            let mut fast = b"x".to_vec();
            encode_public_append(&data, &mut fast);
            let mut slow = b"x".to_vec();
            encode_append(&data, &mut slow);
            assert_eq!(fast, slow, "{n}");
            let mut buf = vec![0u8; n + 3];
            assert_eq!(decode_public_into(&fast[1..], &mut buf).unwrap(), &data[..]);
        }
        // Every string of up to 3 characters over an alphabet that includes invalid bytes,
        // and every single-character substitution into a longer valid string.
        let chars: Vec<u8> = (0..=255u8).collect();
        let mut buf = [0u8; 16];
        let mut other = [0u8; 16];
        for &a in &chars {
            for &b in &chars {
                for text in [
                    vec![a, b],
                    vec![a, b, b'Q'],
                    vec![b'A', a, b],
                    vec![a, b, b'A', b'w'],
                ] {
                    let fast = decode_public_into(&text, &mut buf).map(<[u8]>::to_vec);
                    let slow = decode_into(&text, &mut other).map(<[u8]>::to_vec);
                    assert_eq!(fast, slow, "{text:?}");
                }
            }
        }
        let valid = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
        for position in 0..valid.len() {
            for &c in &chars {
                let mut text = valid.to_vec();
                text[position] = c;
                let mut big = [0u8; 64];
                let mut big_other = [0u8; 64];
                assert_eq!(
                    decode_public_into(&text, &mut big).map(<[u8]>::to_vec),
                    decode_into(&text, &mut big_other).map(<[u8]>::to_vec),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn public_decoder_rejects_non_canonical_encoding() {
        let mut buf = [0u8; 64];
        for bad in [
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk=",
            "dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX",
            "dBjft JeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk!!!!",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEj%58k",
            "A",
            "AB",
            "AAB",
            "AA==",
            "AAA=",
            "\u{0}AAA",
        ] {
            assert!(
                decode_public_into(bad.as_bytes(), &mut buf).is_none(),
                "{bad}"
            );
        }
        assert_eq!(decode_public_into(b"", &mut buf).unwrap(), b"");
        assert_eq!(decode_public_into(b"AA", &mut buf).unwrap(), &[0]);
        assert_eq!(decode_public_into(b"AAA", &mut buf).unwrap(), &[0, 0]);
        assert!(decode_public_into(b"AAAA", &mut [0u8; 2]).is_none());
    }

    #[test]
    fn decode_into_refuses_small_buffer() {
        let mut buf = [0u8; 2];
        assert!(decode_into(b"AAAA", &mut buf).is_none());
    }
}
