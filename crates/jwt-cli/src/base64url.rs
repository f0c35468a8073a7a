//! Strict unpadded base64url decoding, for the two places `jwt-core` does not hand out bytes.
//!
//! Why here: `jwt-core` decodes tokens and JWKs internally but exposes neither the raw header
//! bytes of an unverified token (`inspect` prints the whole header, not only the members
//! `jwt_core::Header` keeps) nor the secret of an `oct` JWK (needed to honour
//! `--allow-short-secret` for JWK keys). Both inputs have already been accepted by `jwt-core`
//! when they get here; the decoder is still strict (canonical, unpadded) on its own.

/// The value of one base64url character.
fn value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c.wrapping_sub(b'A')),
        b'a'..=b'z' => Some(c.wrapping_sub(b'a').wrapping_add(26)),
        b'0'..=b'9' => Some(c.wrapping_sub(b'0').wrapping_add(52)),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Decodes canonical unpadded base64url; `None` for any other text.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len().saturating_mul(3) / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        acc = (acc << 6) | u32::from(value(c)?);
        bits = bits.wrapping_add(6);
        if bits >= 8 {
            bits = bits.wrapping_sub(8);
            out.push(u8::try_from(acc >> bits).ok()?);
            acc &= (1u32 << bits).wrapping_sub(1);
        }
    }
    // Canonical: the unused low bits of the last character are zero.
    (acc == 0).then_some(out)
}

// Unit tests fail by unwrapping; the library code above stays under the workspace lints.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decodes_canonical_text_only() {
        assert_eq!(decode("").unwrap(), b"");
        assert_eq!(decode("Zg").unwrap(), b"f");
        assert_eq!(decode("Zm8").unwrap(), b"fo");
        assert_eq!(decode("Zm9v").unwrap(), b"foo");
        assert_eq!(decode("_-8").unwrap(), [0xff, 0xef]);
        assert!(decode("Zh").is_none(), "non-zero trailing bits");
        assert!(decode("Zg==").is_none(), "padding");
        assert!(decode("Z").is_none());
        assert!(decode("Zm9v+").is_none());
    }
}
