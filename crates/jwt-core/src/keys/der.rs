//! Just enough DER to tell key containers apart and pull out the parts ring needs.
//!
//! ring parses PKCS#8 and PKCS#1 private keys itself, but it cannot say *which* kind of key a
//! PKCS#8 blob holds (needed for "ES256 needs a P-256 key, but this is an RSA key"), and it does
//! not read SubjectPublicKeyInfo or SEC1 `EC PRIVATE KEY` at all. This reader handles definite
//! lengths only (DER), never recurses on its own, and returns `None` on anything unexpected: every
//! input is attacker-shaped as far as this module knows.

/// DER tag numbers used here (universal class unless noted).
pub(crate) mod tag {
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const OCTET_STRING: u8 = 0x04;
    pub(crate) const NULL: u8 = 0x05;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const SEQUENCE: u8 = 0x30;
    /// `[0]` constructed, context-specific.
    pub(crate) const CONTEXT_0: u8 = 0xA0;
    /// `[1]` constructed, context-specific.
    pub(crate) const CONTEXT_1: u8 = 0xA1;
}

/// Object identifiers, DER-encoded (content octets only).
pub(crate) mod oid {
    /// rsaEncryption, 1.2.840.113549.1.1.1
    pub(crate) const RSA_ENCRYPTION: &[u8] =
        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
    /// id-RSASSA-PSS, 1.2.840.113549.1.1.10
    pub(crate) const RSASSA_PSS: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A];
    /// id-ecPublicKey, 1.2.840.10045.2.1
    pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
    /// prime256v1 / P-256, 1.2.840.10045.3.1.7
    pub(crate) const P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
    /// secp384r1 / P-384, 1.3.132.0.34
    pub(crate) const P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
    /// secp521r1 / P-521, 1.3.132.0.35
    pub(crate) const P521: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x23];
    /// secp256k1, 1.3.132.0.10
    pub(crate) const SECP256K1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x0A];
    /// id-X25519, 1.3.101.110
    pub(crate) const X25519: &[u8] = &[0x2B, 0x65, 0x6E];
    /// id-X448, 1.3.101.111
    pub(crate) const X448: &[u8] = &[0x2B, 0x65, 0x6F];
    /// id-Ed25519, 1.3.101.112
    pub(crate) const ED25519: &[u8] = &[0x2B, 0x65, 0x70];
    /// id-Ed448, 1.3.101.113
    pub(crate) const ED448: &[u8] = &[0x2B, 0x65, 0x71];
}

/// A cursor over DER bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) const fn new(input: &'a [u8]) -> Self {
        Reader { rest: input }
    }

    pub(crate) const fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads one TLV and returns its tag and content.
    pub(crate) fn any(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, after_tag) = self.rest.split_first()?;
        if tag & 0x1F == 0x1F {
            return None; // high tag numbers never occur in key formats
        }
        let (&first, mut after_len) = after_tag.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7F);
            if count == 0 || count > 4 {
                return None; // indefinite (BER) or absurd lengths
            }
            let (len_bytes, rest) = after_len.split_at_checked(count)?;
            after_len = rest;
            if len_bytes.first() == Some(&0) {
                return None; // non-minimal length encoding
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return None; // long form where the short form was required
            }
            len
        };
        let (content, rest) = after_len.split_at_checked(len)?;
        self.rest = rest;
        Some((tag, content))
    }

    /// Reads one TLV that must have `expected` as tag.
    pub(crate) fn expect(&mut self, expected: u8) -> Option<&'a [u8]> {
        match self.any()? {
            (tag, content) if tag == expected => Some(content),
            _ => None,
        }
    }

    /// Reads a TLV with `expected` tag only if it is next.
    pub(crate) fn optional(&mut self, expected: u8) -> Option<Option<&'a [u8]>> {
        if self.peek_tag() == Some(expected) {
            self.expect(expected).map(Some)
        } else {
            Some(None)
        }
    }

    /// Reads a non-negative INTEGER and returns its magnitude without the sign octet.
    pub(crate) fn unsigned_integer(&mut self) -> Option<&'a [u8]> {
        let bytes = self.expect(tag::INTEGER)?;
        match bytes {
            [] => None,
            [first, ..] if first & 0x80 != 0 => None, // negative
            [0, next, ..] if next & 0x80 == 0 => None, // non-minimal
            [0, rest @ ..] => Some(rest),
            _ => Some(bytes),
        }
    }

    /// Reads a BIT STRING with no unused bits and returns its octets.
    pub(crate) fn bit_string_octets(&mut self) -> Option<&'a [u8]> {
        match self.expect(tag::BIT_STRING)? {
            [0, octets @ ..] => Some(octets),
            _ => None,
        }
    }
}

/// Runs `parse` over the content of a single SEQUENCE that must fill `input` exactly.
pub(crate) fn sequence<'a, T>(
    input: &'a [u8],
    parse: impl FnOnce(&mut Reader<'a>) -> Option<T>,
) -> Option<T> {
    let mut outer = Reader::new(input);
    let content = outer.expect(tag::SEQUENCE)?;
    if !outer.is_empty() {
        return None;
    }
    let mut inner = Reader::new(content);
    let value = parse(&mut inner)?;
    inner.is_empty().then_some(value)
}

/// An AlgorithmIdentifier: the key-type OID and, for EC keys, the curve OID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AlgorithmId<'a> {
    pub(crate) oid: &'a [u8],
    pub(crate) parameter_oid: Option<&'a [u8]>,
}

pub(crate) fn algorithm_id<'a>(reader: &mut Reader<'a>) -> Option<AlgorithmId<'a>> {
    let content = reader.expect(tag::SEQUENCE)?;
    let mut inner = Reader::new(content);
    let oid = inner.expect(tag::OID)?;
    let parameter_oid = match inner.peek_tag() {
        None => None,
        Some(tag::NULL) => {
            inner.expect(tag::NULL)?;
            None
        }
        Some(tag::OID) => Some(inner.expect(tag::OID)?),
        Some(_) => {
            inner.any()?; // e.g. RSASSA-PSS parameters: kept opaque, the key kind is what matters
            None
        }
    };
    inner
        .is_empty()
        .then_some(AlgorithmId { oid, parameter_oid })
}

/// SubjectPublicKeyInfo (RFC 5280 §4.1): algorithm and the public key octets.
pub(crate) fn spki(input: &[u8]) -> Option<(AlgorithmId<'_>, &[u8])> {
    sequence(input, |r| {
        let alg = algorithm_id(r)?;
        let key = r.bit_string_octets()?;
        Some((alg, key))
    })
}

/// The AlgorithmIdentifier of a PKCS#8 `PrivateKeyInfo`/`OneAsymmetricKey` (RFC 5958), without
/// validating the rest: ring does that when it builds the key pair.
pub(crate) fn pkcs8_algorithm(input: &[u8]) -> Option<AlgorithmId<'_>> {
    let mut outer = Reader::new(input);
    let content = outer.expect(tag::SEQUENCE)?;
    let mut inner = Reader::new(content);
    let version = inner.expect(tag::INTEGER)?;
    if version != [0] && version != [1] {
        return None;
    }
    algorithm_id(&mut inner)
}

/// PKCS#1 `RSAPublicKey`: modulus and public exponent magnitudes.
pub(crate) fn rsa_public_key(input: &[u8]) -> Option<(&[u8], &[u8])> {
    sequence(input, |r| {
        let n = r.unsigned_integer()?;
        let e = r.unsigned_integer()?;
        Some((n, e))
    })
}

/// SEC1 `ECPrivateKey` (RFC 5915): private scalar, curve OID if present, public point if present.
pub(crate) struct Sec1<'a> {
    pub(crate) private_key: &'a [u8],
    pub(crate) curve: Option<&'a [u8]>,
    pub(crate) public_key: Option<&'a [u8]>,
}

pub(crate) fn sec1(input: &[u8]) -> Option<Sec1<'_>> {
    sequence(input, |r| {
        if r.expect(tag::INTEGER)? != [1] {
            return None;
        }
        let private_key = r.expect(tag::OCTET_STRING)?;
        let curve = match r.optional(tag::CONTEXT_0)? {
            Some(params) => {
                let mut p = Reader::new(params);
                let oid = p.expect(tag::OID)?;
                p.is_empty().then_some(())?;
                Some(oid)
            }
            None => None,
        };
        let public_key = match r.optional(tag::CONTEXT_1)? {
            Some(wrapped) => {
                let mut p = Reader::new(wrapped);
                let octets = p.bit_string_octets()?;
                p.is_empty().then_some(())?;
                Some(octets)
            }
            None => None,
        };
        Some(Sec1 {
            private_key,
            curve,
            public_key,
        })
    })
}

/// Number of significant bits in a big-endian unsigned magnitude.
pub(crate) fn bit_len(magnitude: &[u8]) -> usize {
    let trimmed = match magnitude.iter().position(|&b| b != 0) {
        Some(start) => magnitude.get(start..).unwrap_or_default(),
        None => return 0,
    };
    let leading = trimmed.first().map_or(0, |b| b.leading_zeros() as usize);
    trimmed.len().saturating_mul(8).saturating_sub(leading)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths() {
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(7u8, 0x80));
        let mut r = Reader::new(&long);
        assert_eq!(r.expect(tag::OCTET_STRING).unwrap().len(), 0x80);
        assert!(r.is_empty());
        let mut r = Reader::new(&[0x05, 0x00]);
        assert_eq!(r.expect(tag::NULL).unwrap(), &[] as &[u8]);
    }

    #[test]
    fn reject_ber_and_truncated_lengths() {
        for bad in [
            &[0x04, 0x80, 0x00, 0x00][..],      // indefinite length
            &[0x04, 0x81, 0x05, 1, 2, 3, 4, 5], // long form for a short length
            &[0x04, 0x82, 0x00, 0x80],          // non-minimal long form
            &[0x04, 0x05, 1, 2],                // truncated content
            &[0x04],                            // no length
            &[0x1F, 0x01, 0x00],                // high tag number
            &[0x04, 0x85, 1, 1, 1, 1, 1],       // length of five octets
        ] {
            assert!(Reader::new(bad).any().is_none(), "{bad:02x?}");
        }
    }

    #[test]
    fn reject_negative_and_padded_integers() {
        assert!(
            Reader::new(&[0x02, 0x01, 0x80])
                .unsigned_integer()
                .is_none()
        );
        assert!(
            Reader::new(&[0x02, 0x02, 0x00, 0x01])
                .unsigned_integer()
                .is_none()
        );
        assert_eq!(
            Reader::new(&[0x02, 0x02, 0x00, 0x80])
                .unsigned_integer()
                .unwrap(),
            &[0x80]
        );
    }

    #[test]
    fn counts_bits() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0x80, 0]), 16);
        assert_eq!(bit_len(&[0, 0x7F, 0]), 15);
    }

    #[test]
    fn sequence_must_fill_input() {
        assert!(sequence(&[0x30, 0x00, 0x00], |_| Some(())).is_none());
        assert!(sequence(&[0x30, 0x00], |_| Some(())).is_some());
    }
}
