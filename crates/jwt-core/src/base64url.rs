//! Canonical, unpadded base64url (RFC 7515 §2, RFC 4648 §5) and nothing else.
//!
//! Why strict: several encodings of the same bytes (padding, `+`/`/`, non-zero unused bits) break
//! revocation lists keyed by token text and open parser differentials. Both codecs here reject
//! all of them.
//!
//! Three implementations, chosen by what the bytes are and where they come from:
//! - secret-bearing data (JWK `k`/`d`/..., key exports) goes through base64ct, which runs in
//!   constant time: [`decode_vec`], [`decode_into`], [`encode_string`];
//! - the segments of a token are public by construction: anyone holding the token reads them, so
//!   constant time buys nothing there. Decoding them ([`decode_public_into`]) means reading
//!   bytes an attacker chose, before any signature is checked: that stays in safe Rust, a
//!   lookup table of our own (about a fifth of base64ct's instructions per character; see
//!   `docs/performance.md`);
//! - encoding a token we sign ([`encode_public_append`]) uses base64-simd (SSSE3/AVX2 picked at
//!   run time). It appends to a `String` without re-checking the characters as UTF-8, which
//!   safe code can only avoid a character at a time; together with the vector code that made
//!   HS256 signing 8% faster. It never decodes: untrusted bytes stay out of it.
//!
//! Both table- and vector-driven codecs take time that depends on the data: never route a secret
//! through them. All three are equally strict and tested against base64ct below.

use base64_simd::URL_SAFE_NO_PAD;
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

/// Appends the base64url encoding of `src`, public data (variable time), to `out`.
pub(crate) fn encode_public_append(src: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_append(src, out);
}

/// Decodes `src` into a new vector.
pub(crate) fn decode_vec(src: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; decoded_len(src.len())?];
    let len = decode_into(src, &mut out)?.len();
    out.truncate(len);
    Some(out)
}

/// Appends the base64url encoding of `src` to `out` (base64ct, constant time; the reference
/// the public encoder is tested against).
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

    /// The public codec must agree with base64ct on every input: same output for canonical
    /// text, rejection of everything base64ct rejects.
    #[test]
    fn public_codec_matches_base64ct() {
        for n in 0..200usize {
            let data: Vec<u8> = (0..n).map(|i| (i * 151 + n * 7) as u8).collect();
            let mut fast = String::from("x");
            encode_public_append(&data, &mut fast);
            let mut slow = b"x".to_vec();
            encode_append(&data, &mut slow);
            assert_eq!(fast.as_bytes(), slow, "{n}");
            // Exactly the decoded length, and more.
            let mut exact = vec![0u8; n];
            assert_eq!(
                decode_public_into(&fast.as_bytes()[1..], &mut exact).unwrap(),
                &data[..]
            );
            let mut roomy = vec![0u8; n + 3];
            assert_eq!(
                decode_public_into(&fast.as_bytes()[1..], &mut roomy).unwrap(),
                &data[..]
            );
            if n > 0 {
                let mut short = vec![0u8; n - 1];
                assert!(
                    decode_public_into(&fast.as_bytes()[1..], &mut short).is_none(),
                    "{n}"
                );
            }
        }
        // Every pair of byte values, alone and in three 3- and 4-character shapes.
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
    }

    /// The vector encoder against base64ct: every byte value at every position of inputs of
    /// 1 to 80 bytes (around its 12-, 24- and 48-byte blocks and their tails), and inputs of
    /// every length up to 4 KiB appended after text of every length modulo 4.
    #[test]
    fn public_encoder_matches_base64ct() {
        let encode_both = |data: &[u8], prefix: &str| {
            let mut fast = String::from(prefix);
            encode_public_append(data, &mut fast);
            let mut slow = prefix.as_bytes().to_vec();
            encode_append(data, &mut slow);
            (fast, slow)
        };
        for len in 1..=80usize {
            for position in 0..len {
                for byte in 0..=255u8 {
                    let mut data: Vec<u8> = (0..len).map(|i| (i * 29 + len) as u8).collect();
                    data[position] = byte;
                    let (fast, slow) = encode_both(&data, "");
                    assert_eq!(fast.as_bytes(), slow, "{len} {position} {byte}");
                }
            }
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let data: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        for len in 0..=data.len() {
            let prefix = &"eyJ."[..len % 4];
            let (fast, slow) = encode_both(&data[..len], prefix);
            assert_eq!(fast.as_bytes(), slow, "{len}");
        }
    }

    /// Every byte value at every position of valid texts of many lengths: every remainder of
    /// the decoder's 8-character step, around 32, 64 and 128 characters, and a real payload.
    #[test]
    fn public_decoder_matches_base64ct_on_every_substitution() {
        let mut big = [0u8; 256];
        let mut big_other = [0u8; 256];
        for len in [
            36, 43, 46, 47, 48, 63, 64, 66, 67, 95, 96, 98, 99, 127, 128, 130, 131, 231,
        ] {
            let data: Vec<u8> = (0..len * 3 / 4).map(|i| (i * 37 + len) as u8).collect();
            let mut valid = String::new();
            encode_public_append(&data, &mut valid);
            assert_eq!(valid.len(), len);
            let valid = valid.as_bytes();
            for position in 0..valid.len() {
                for byte in 0..=255u8 {
                    let mut text = valid.to_vec();
                    text[position] = byte;
                    assert_eq!(
                        decode_public_into(&text, &mut big).map(<[u8]>::to_vec),
                        decode_into(&text, &mut big_other).map(<[u8]>::to_vec),
                        "{len} {position} {byte}"
                    );
                }
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
