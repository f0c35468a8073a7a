//! The signature algorithms this crate implements, and the names it recognises but refuses.
//!
//! An [`Algorithm`] is a value the caller names when a key is built; the key is then bound to it
//! for life. The token's `alg` header is only ever *compared* against the algorithms of the
//! verifier's keys, byte for byte; it never chooses one. There is no `none` variant: an unsecured
//! JWS cannot be expressed, so it cannot be accepted by mistake.

use core::fmt;

use crate::error::Error;

/// A JWS signature algorithm (RFC 7518 §3, RFC 8037, RFC 9864) that this crate can sign and verify.
///
/// ```
/// use jwt_core::Algorithm;
///
/// assert_eq!(Algorithm::HS256.name(), "HS256");
/// assert_eq!(Algorithm::from_name("ES384").unwrap(), Algorithm::ES384);
/// // Registered names that ring cannot do are refused with a clear error, never accepted.
/// assert_eq!(Algorithm::from_name("ES512").unwrap_err().kind().code(), "unsupported_algorithm");
/// // `none` is not an algorithm here.
/// assert!(Algorithm::from_name("none").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256 (secret of at least 32 bytes).
    HS256,
    /// HMAC with SHA-384 (secret of at least 48 bytes).
    HS384,
    /// HMAC with SHA-512 (secret of at least 64 bytes).
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (2048 to 8192-bit keys).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256, salt as long as the hash.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256, fixed-width `R || S` signatures (64 bytes).
    ES256,
    /// ECDSA on P-384 with SHA-384, fixed-width `R || S` signatures (96 bytes).
    ES384,
    /// Ed25519 under the RFC 8037 name `EdDSA`.
    EdDSA,
    /// Ed25519 under the fully specified RFC 9864 name `Ed25519`.
    Ed25519,
}

/// The key family an algorithm needs; used to explain key/algorithm mismatches.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Family {
    Hmac,
    Rsa,
    EcP256,
    EcP384,
    Ed25519,
}

impl Family {
    /// What a human calls a key of this family, for error messages.
    pub(crate) const fn describe(self) -> &'static str {
        match self {
            Family::Hmac => "an HMAC secret",
            Family::Rsa => "an RSA key",
            Family::EcP256 => "a P-256 EC key",
            Family::EcP384 => "a P-384 EC key",
            Family::Ed25519 => "an Ed25519 key",
        }
    }
}

/// Registered JOSE algorithm names that are recognised but deliberately not implemented.
const UNSUPPORTED: &[&str] = &[
    "ES512",
    "ES256K",
    "Ed448",
    "ML-DSA-44",
    "ML-DSA-65",
    "ML-DSA-87",
    // JWE key-management and content-encryption names: never valid for a JWS.
    "RSA1_5",
    "RSA-OAEP",
    "RSA-OAEP-256",
    "RSA-OAEP-384",
    "RSA-OAEP-512",
    "A128KW",
    "A192KW",
    "A256KW",
    "dir",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A192KW",
    "ECDH-ES+A256KW",
    "A128GCMKW",
    "A192GCMKW",
    "A256GCMKW",
    "PBES2-HS256+A128KW",
    "PBES2-HS384+A192KW",
    "PBES2-HS512+A256KW",
    "A128CBC-HS256",
    "A192CBC-HS384",
    "A256CBC-HS512",
    "A128GCM",
    "A192GCM",
    "A256GCM",
];

impl Algorithm {
    /// Every algorithm this crate implements, in a stable order.
    pub const ALL: [Algorithm; 13] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
        Algorithm::Ed25519,
    ];

    /// The `alg` header value, exactly as registered (case-sensitive).
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::Ed25519 => "Ed25519",
        }
    }

    /// Parses an `alg` value byte for byte: no trimming, no case folding.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind::UnsupportedAlgorithm) for registered
    /// names this crate refuses (`ES512`, `Ed448`, `none`, JWE names, ...), and
    /// [`ErrorKind::UnknownAlgorithm`](crate::ErrorKind::UnknownAlgorithm) for anything else.
    pub fn from_name(name: &str) -> Result<Algorithm, Error> {
        Self::from_bytes(name.as_bytes())
    }

    pub(crate) fn from_bytes(name: &[u8]) -> Result<Algorithm, Error> {
        for alg in Self::ALL {
            if alg.name().as_bytes() == name {
                return Ok(alg);
            }
        }
        if name == b"none" {
            return Err(Error::UnsupportedAlgorithm { name: "none" });
        }
        match UNSUPPORTED.iter().find(|known| known.as_bytes() == name) {
            Some(known) => Err(Error::UnsupportedAlgorithm { name: known }),
            None => Err(Error::UnknownAlgorithm),
        }
    }

    pub(crate) const fn family(self) -> Family {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Family::Hmac,
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => Family::Rsa,
            Algorithm::ES256 => Family::EcP256,
            Algorithm::ES384 => Family::EcP384,
            Algorithm::EdDSA | Algorithm::Ed25519 => Family::Ed25519,
        }
    }

    /// For HMAC algorithms, the hash output length: both the minimum secret length
    /// (RFC 7518 §3.2) and the exact signature length.
    pub(crate) const fn hmac_len(self) -> Option<usize> {
        match self {
            Algorithm::HS256 => Some(32),
            Algorithm::HS384 => Some(48),
            Algorithm::HS512 => Some(64),
            _ => None,
        }
    }

    pub(crate) fn hmac_algorithm(self) -> Option<ring::hmac::Algorithm> {
        match self {
            Algorithm::HS256 => Some(ring::hmac::HMAC_SHA256),
            Algorithm::HS384 => Some(ring::hmac::HMAC_SHA384),
            Algorithm::HS512 => Some(ring::hmac::HMAC_SHA512),
            _ => None,
        }
    }

    /// Whether this is one of the HMAC algorithms (a shared secret, not a key pair).
    pub const fn is_hmac(self) -> bool {
        matches!(self.family(), Family::Hmac)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn every_name_round_trips() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.name()).unwrap(), alg);
        }
    }

    #[test]
    fn reject_alg_case_variants_and_padding() {
        for name in [
            "hs256",
            "Hs256",
            "HS256 ",
            " HS256",
            "HS256\0",
            "HS256\u{200b}",
            "RS1",
            "",
        ] {
            assert_eq!(
                Algorithm::from_name(name).unwrap_err().kind(),
                ErrorKind::UnknownAlgorithm,
                "{name:?}"
            );
        }
    }

    #[test]
    fn reject_alg_none_in_every_case() {
        assert_eq!(
            Algorithm::from_name("none").unwrap_err().kind(),
            ErrorKind::UnsupportedAlgorithm
        );
        for name in ["None", "NONE", "nOnE"] {
            assert!(Algorithm::from_name(name).is_err(), "{name}");
        }
    }

    #[test]
    fn registered_but_unsupported_names_say_so() {
        for name in ["ES512", "Ed448", "ES256K", "RSA-OAEP", "dir"] {
            let err = Algorithm::from_name(name).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm, "{name}");
            assert!(err.to_string().contains(name));
        }
    }
}
