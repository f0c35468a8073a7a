//! Splitting and decoding a compact JWS before anything is trusted (catalogue §0 steps 1-2).
//!
//! The size check comes first, the dot scan is bounded by it, and every segment must be
//! canonical base64url. Decoding targets caller-provided buffers so the verify path can use the
//! stack for everything but unusually large tokens.

use crate::base64url;
use crate::error::{Error, Segment};

/// Size limits applied before any decoding or parsing.
///
/// ```
/// use jwt_core::Limits;
///
/// let limits = Limits::default().max_token_len(16 * 1024);
/// # let _ = limits;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub(crate) max_token_len: usize,
    pub(crate) max_header_len: usize,
    pub(crate) max_json_depth: usize,
}

impl Default for Limits {
    /// 8 KiB per token, 2 KiB per decoded header, JSON nested at most 32 levels.
    fn default() -> Self {
        Limits {
            max_token_len: 8 * 1024,
            max_header_len: 2 * 1024,
            max_json_depth: 32,
        }
    }
}

impl Limits {
    /// The longest token accepted, in bytes (default 8192).
    #[must_use]
    pub const fn max_token_len(mut self, bytes: usize) -> Self {
        self.max_token_len = bytes;
        self
    }

    /// How deeply arrays and objects may nest in the header and the claims (default 32;
    /// `{"a":[1]}` is two levels).
    #[must_use]
    pub const fn max_json_depth(mut self, levels: usize) -> Self {
        self.max_json_depth = levels;
        self
    }

    /// The longest decoded header accepted, in bytes (default 2048).
    #[must_use]
    pub const fn max_header_len(mut self, bytes: usize) -> Self {
        self.max_header_len = bytes;
        self
    }
}

/// The three segments of a compact token, still encoded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parts<'t> {
    pub(crate) header: &'t [u8],
    pub(crate) payload: &'t [u8],
    pub(crate) signature: &'t [u8],
    /// `header '.' payload`: the exact bytes that were signed.
    pub(crate) signing_input: &'t [u8],
}

impl<'t> Parts<'t> {
    /// Checks the size and splits on exactly two dots.
    pub(crate) fn split(token: &'t [u8], limits: &Limits) -> Result<Parts<'t>, Error> {
        if token.len() > limits.max_token_len {
            return Err(Error::TokenTooLarge {
                limit: limits.max_token_len,
            });
        }
        // memchr is already in the tree through serde_json; a vectorised scan, bounded by the
        // size check above.
        let mut dots = memchr::memchr_iter(b'.', token);
        let (Some(first), Some(second), third) = (dots.next(), dots.next(), dots.next()) else {
            return Err(Error::Malformed(
                "a compact JWS has exactly three dot-separated segments",
            ));
        };
        if third.is_some() {
            let total = dots.count().saturating_add(3);
            return Err(Error::Malformed(if total == 4 {
                "five segments: encrypted tokens (JWE) are not supported"
            } else {
                "a compact JWS has exactly three dot-separated segments"
            }));
        }
        let header = token.get(..first).unwrap_or_default();
        let payload = token
            .get(first.saturating_add(1)..second)
            .unwrap_or_default();
        let signature = token.get(second.saturating_add(1)..).unwrap_or_default();
        let signing_input = token.get(..second).unwrap_or_default();
        if header.is_empty() {
            return Err(Error::Malformed("the header segment is empty"));
        }
        if payload.is_empty() {
            return Err(Error::Malformed(
                "the payload segment is empty (detached payloads are not supported)",
            ));
        }
        if signature.is_empty() {
            return Err(Error::Malformed(
                "the signature segment is empty (unsecured tokens are never accepted)",
            ));
        }
        Ok(Parts {
            header,
            payload,
            signature,
            signing_input,
        })
    }
}

/// A scratch buffer on the stack for small segments, spilling to the heap for large ones.
pub(crate) struct Scratch<const N: usize> {
    stack: [u8; N],
    heap: Vec<u8>,
}

impl<const N: usize> Scratch<N> {
    pub(crate) const fn new() -> Self {
        Scratch {
            stack: [0; N],
            heap: Vec::new(),
        }
    }

    /// Decodes `encoded` (a `segment` of the token), failing on non-canonical base64url.
    pub(crate) fn decode(&mut self, encoded: &[u8], segment: Segment) -> Result<&[u8], Error> {
        let len = base64url::decoded_len(encoded.len()).ok_or(Error::InvalidBase64(segment))?;
        let buffer: &mut [u8] = if len <= N {
            &mut self.stack
        } else {
            self.heap.resize(len, 0);
            &mut self.heap
        };
        // Token segments are public: the table-driven decoder, as strict as base64ct.
        base64url::decode_public_into(encoded, buffer).ok_or(Error::InvalidBase64(segment))
    }
}

/// Decodes into a caller-owned vector (for claims that borrow from the payload).
pub(crate) fn decode_into_vec<'b>(
    encoded: &[u8],
    out: &'b mut Vec<u8>,
    segment: Segment,
) -> Result<&'b [u8], Error> {
    let len = base64url::decoded_len(encoded.len()).ok_or(Error::InvalidBase64(segment))?;
    out.clear();
    out.resize(len, 0);
    base64url::decode_public_into(encoded, out).ok_or(Error::InvalidBase64(segment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn split(token: &str) -> Result<Parts<'_>, Error> {
        Parts::split(token.as_bytes(), &Limits::default())
    }

    #[test]
    fn splits_three_segments() {
        let parts = split("aaa.bbb.ccc").unwrap();
        assert_eq!(parts.header, b"aaa");
        assert_eq!(parts.payload, b"bbb");
        assert_eq!(parts.signature, b"ccc");
        assert_eq!(parts.signing_input, b"aaa.bbb");
    }

    #[test]
    fn reject_wrong_segment_counts_and_empty_segments() {
        for token in [
            "a.b",
            "a.b.c.",
            "a.b.c.d",
            "..",
            ".b.c",
            "a..c",
            "a.b.",
            "",
            "abc",
            "a.b.c.d.e.f",
        ] {
            assert_eq!(
                split(token).unwrap_err().kind(),
                ErrorKind::Malformed,
                "{token:?}"
            );
        }
        assert!(split("a.b.c.d.e").unwrap_err().to_string().contains("JWE"));
    }

    #[test]
    fn reject_oversized_tokens_before_scanning() {
        let dots = ".".repeat(1_000_000);
        assert_eq!(split(&dots).unwrap_err().kind(), ErrorKind::TooLarge);
        let limits = Limits::default().max_token_len(5);
        assert!(Parts::split(b"a.b.c", &limits).is_ok());
        assert_eq!(
            Parts::split(b"a.b.cd", &limits).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }

    #[test]
    fn scratch_spills_to_heap() {
        let mut scratch = Scratch::<4>::new();
        assert_eq!(
            scratch.decode(b"AQID", Segment::Payload).unwrap(),
            &[1, 2, 3]
        );
        assert_eq!(
            scratch.decode(b"AQIDBAUG", Segment::Payload).unwrap(),
            &[1, 2, 3, 4, 5, 6]
        );
        assert_eq!(
            scratch
                .decode(b"AQI=", Segment::Payload)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidBase64
        );
    }
}
