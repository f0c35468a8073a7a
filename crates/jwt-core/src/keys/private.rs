//! The private half of a signing key, kept in our own (zeroizing) memory for export.
//!
//! ring builds key pairs from PKCS#8, PKCS#1 or raw scalars but never gives the private material
//! back, so a key that must later be written out (as a private JWK, or as PKCS#8 PEM for
//! `jwt keygen`) keeps these parts next to the ring key pair. They are extracted once, when the
//! key is built, from the same bytes ring was given.

use super::der::{self, Reader, tag};
use super::secret::Secret;
use crate::algorithm::Family;

/// Private key material, normalised across the containers it can come from.
#[derive(Clone, Debug)]
pub(crate) enum PrivateParts {
    Hmac(Secret),
    Rsa(RsaPrivate),
    /// The private scalar `d`, as many bytes as the curve's order.
    Ec(Secret),
    /// The 32-byte seed.
    Ed25519(Secret),
}

/// RSA private key components (RFC 8017 A.1.2), big-endian magnitudes without leading zeros.
#[derive(Clone, Debug)]
pub(crate) struct RsaPrivate {
    pub(crate) n: Vec<u8>,
    pub(crate) e: Vec<u8>,
    pub(crate) d: Secret,
    pub(crate) p: Secret,
    pub(crate) q: Secret,
    pub(crate) dp: Secret,
    pub(crate) dq: Secret,
    pub(crate) qi: Secret,
}

impl PrivateParts {
    /// From PKCS#8 `OneAsymmetricKey` DER whose key kind is `family`.
    pub(crate) fn from_pkcs8(der_bytes: &[u8], family: Family) -> Option<PrivateParts> {
        let inner = der::sequence(der_bytes, |r| {
            r.expect(tag::INTEGER)?;
            r.expect(tag::SEQUENCE)?;
            let private_key = r.expect(tag::OCTET_STRING)?;
            while !r.is_empty() {
                r.any()?; // attributes, public key
            }
            Some(private_key)
        })?;
        match family {
            Family::Rsa => Self::from_pkcs1(inner),
            Family::EcP256 | Family::EcP384 => Self::from_sec1(inner, family),
            Family::Ed25519 => {
                let mut r = Reader::new(inner);
                let seed = r.expect(tag::OCTET_STRING)?;
                (r.is_empty() && seed.len() == 32).then(|| PrivateParts::Ed25519(Secret::new(seed)))
            }
            Family::Hmac => None,
        }
    }

    /// From PKCS#1 `RSAPrivateKey` DER (two-prime only).
    pub(crate) fn from_pkcs1(der_bytes: &[u8]) -> Option<PrivateParts> {
        der::sequence(der_bytes, |r| {
            if r.expect(tag::INTEGER)? != [0] {
                return None; // multi-prime keys (version 1) are not supported
            }
            let n = r.unsigned_integer()?.to_vec();
            let e = r.unsigned_integer()?.to_vec();
            let mut next = || r.unsigned_integer().map(Secret::new);
            let (d, p, q, dp, dq, qi) = (next()?, next()?, next()?, next()?, next()?, next()?);
            Some(PrivateParts::Rsa(RsaPrivate {
                n,
                e,
                d,
                p,
                q,
                dp,
                dq,
                qi,
            }))
        })
    }

    /// From SEC1 `ECPrivateKey` DER.
    pub(crate) fn from_sec1(der_bytes: &[u8], family: Family) -> Option<PrivateParts> {
        let sec1 = der::sec1(der_bytes)?;
        (sec1.private_key.len() == scalar_len(family)?)
            .then(|| PrivateParts::Ec(Secret::new(sec1.private_key)))
    }
}

/// Length of a private scalar (and of each public coordinate) on the family's curve.
pub(crate) const fn scalar_len(family: Family) -> Option<usize> {
    match family {
        Family::EcP256 => Some(32),
        Family::EcP384 => Some(48),
        _ => None,
    }
}

/// A minimal DER writer: enough to emit PKCS#8 and PKCS#1 structures.
pub(crate) mod write {
    use super::tag;

    /// Appends a TLV with `content`.
    pub(crate) fn tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
        out.push(tag);
        length(out, content.len());
        out.extend_from_slice(content);
    }

    /// Appends a non-negative INTEGER from a big-endian magnitude.
    pub(crate) fn unsigned(out: &mut Vec<u8>, magnitude: &[u8]) {
        let start = magnitude
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(magnitude.len());
        let trimmed = magnitude.get(start..).unwrap_or_default();
        let mut content = Vec::with_capacity(trimmed.len().saturating_add(1));
        if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
            content.push(0); // zero, or a sign octet for a high leading bit
        }
        content.extend_from_slice(trimmed);
        tlv(out, tag::INTEGER, &content);
    }

    fn length(out: &mut Vec<u8>, len: usize) {
        if let Ok(short) = u8::try_from(len) {
            if short < 0x80 {
                out.push(short);
                return;
            }
        }
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0));
        out.extend_from_slice(significant);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_round_trips_integers_and_lengths() {
        for magnitude in [&[][..], &[0], &[1], &[0x7F], &[0x80], &[0, 0, 0x80, 1]] {
            let mut out = Vec::new();
            write::unsigned(&mut out, magnitude);
            let read = Reader::new(&out).unsigned_integer().unwrap().to_vec();
            let expected: Vec<u8> = magnitude.iter().copied().skip_while(|&b| b == 0).collect();
            if expected.is_empty() {
                assert_eq!(out, [2, 1, 0]);
            } else {
                assert_eq!(read, expected);
            }
        }
        let mut long = Vec::new();
        write::tlv(&mut long, tag::OCTET_STRING, &[7; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2C]);
        assert_eq!(
            Reader::new(&long).expect(tag::OCTET_STRING).unwrap().len(),
            300
        );
    }
}
