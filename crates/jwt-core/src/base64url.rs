//! Canonical, unpadded base64url (RFC 7515 §2, RFC 4648 §5) and nothing else.
//!
//! Why strict: several encodings of the same bytes (padding, `+`/`/`, non-zero unused bits) break
//! revocation lists keyed by token text and open parser differentials. base64ct rejects all of
//! them and runs in constant time, so the same decoder is safe for secret-bearing JWK members.

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

/// Decodes `src` into a new vector.
pub(crate) fn decode_vec(src: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; decoded_len(src.len())?];
    let len = decode_into(src, &mut out)?.len();
    out.truncate(len);
    Some(out)
}

/// Appends the base64url encoding of `src` to `out`.
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

    #[test]
    fn decode_into_refuses_small_buffer() {
        let mut buf = [0u8; 2];
        assert!(decode_into(b"AAAA", &mut buf).is_none());
    }
}
