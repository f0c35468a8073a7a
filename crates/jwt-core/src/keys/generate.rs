//! New keys from ring's system random generator, and private keys written out as PKCS#8.
//!
//! ring generates P-256, P-384 and Ed25519 key pairs (as PKCS#8) and random bytes; it cannot
//! generate RSA keys, so asking for one is a clear error that says how to make one instead.

use std::fmt;

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use zeroize::Zeroize;

use super::der::{oid, tag};
use super::private::{PrivateParts, write};
use super::{SigningKey, SigningMaterial};
use crate::algorithm::{Algorithm, Family};
use crate::error::Error;

/// Length of generated HMAC secrets: 64 random bytes, enough for HS512 and more than enough for
/// HS256/HS384.
const HMAC_SECRET_LEN: usize = 64;

impl SigningKey {
    /// A new random key for `alg`: a 64-byte secret for HS*, a fresh key pair for ES256, ES384
    /// and EdDSA/Ed25519.
    ///
    /// ```
    /// use jwt_core::{Algorithm, SigningKey, Verifier};
    ///
    /// let key = SigningKey::generate(Algorithm::ES256)?;
    /// let token = jwt_core::encode(&key, &serde_json::json!({"exp": 4102444800u64}))?;
    /// assert!(Verifier::new(&key).verify::<serde_json::Value>(&token).is_ok());
    /// // Keep it: PKCS#8 PEM, as OpenSSL writes it.
    /// assert!(key.to_pkcs8_pem()?.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnsupportedKey`] for RSA algorithms (ring cannot generate RSA keys);
    /// [`Error::Signing`] if the system random generator fails.
    pub fn generate(alg: Algorithm) -> Result<SigningKey, Error> {
        let rng = SystemRandom::new();
        match alg.family() {
            Family::Hmac => {
                let mut secret = [0u8; HMAC_SECRET_LEN];
                rng.fill(&mut secret).map_err(|_| Error::Signing)?;
                let key = SigningKey::from_hmac_secret(alg, &secret);
                secret.zeroize();
                key
            }
            Family::Rsa => Err(Error::UnsupportedKey(
                "ring cannot generate RSA keys; make one with \
                 `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072`"
                    .into(),
            )),
            Family::EcP256 | Family::EcP384 => {
                let signing = if alg.family() == Family::EcP256 {
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING
                } else {
                    &signature::ECDSA_P384_SHA384_FIXED_SIGNING
                };
                let pkcs8 =
                    EcdsaKeyPair::generate_pkcs8(signing, &rng).map_err(|_| Error::Signing)?;
                SigningKey::from_pkcs8_der(alg, pkcs8.as_ref())
            }
            Family::Ed25519 => {
                let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| Error::Signing)?;
                SigningKey::from_pkcs8_der(alg, pkcs8.as_ref())
            }
        }
    }

    /// The private key as PKCS#8 DER (RFC 5958; v1 for Ed25519, as OpenSSL writes it).
    ///
    /// # Errors
    /// [`Error::UnsupportedKey`] for HMAC keys (a secret, not a key pair) and for keys whose
    /// private material could not be kept.
    pub fn to_pkcs8_der(&self) -> Result<SecretDer, Error> {
        let parts = self.private_parts().ok_or_else(not_exportable)?;
        let mut algorithm_id = Vec::new();
        let mut private_key = Vec::new();
        match (parts, &self.material) {
            (PrivateParts::Rsa(rsa), _) => {
                write::tlv(&mut algorithm_id, tag::OID, oid::RSA_ENCRYPTION);
                write::tlv(&mut algorithm_id, tag::NULL, &[]);
                let mut body = Vec::new();
                write::unsigned(&mut body, &[0]);
                for part in [
                    &rsa.n[..],
                    &rsa.e,
                    rsa.d.expose(),
                    rsa.p.expose(),
                    rsa.q.expose(),
                ] {
                    write::unsigned(&mut body, part);
                }
                for part in [&rsa.dp, &rsa.dq, &rsa.qi] {
                    write::unsigned(&mut body, part.expose());
                }
                write::tlv(&mut private_key, tag::SEQUENCE, &body);
                body.zeroize();
            }
            (PrivateParts::Ec(d), SigningMaterial::Ecdsa(pair)) => {
                let curve = if self.alg.family() == Family::EcP256 {
                    oid::P256
                } else {
                    oid::P384
                };
                write::tlv(&mut algorithm_id, tag::OID, oid::EC_PUBLIC_KEY);
                write::tlv(&mut algorithm_id, tag::OID, curve);
                let mut body = Vec::new();
                write::unsigned(&mut body, &[1]);
                write::tlv(&mut body, tag::OCTET_STRING, d.expose());
                let mut bits = vec![0u8];
                bits.extend_from_slice(pair.public_key().as_ref());
                let mut public = Vec::new();
                write::tlv(&mut public, tag::BIT_STRING, &bits);
                write::tlv(&mut body, tag::CONTEXT_1, &public);
                write::tlv(&mut private_key, tag::SEQUENCE, &body);
                body.zeroize();
            }
            (PrivateParts::Ed25519(seed), _) => {
                write::tlv(&mut algorithm_id, tag::OID, oid::ED25519);
                write::tlv(&mut private_key, tag::OCTET_STRING, seed.expose());
            }
            _ => return Err(not_exportable()),
        }
        let mut body = Vec::new();
        write::unsigned(&mut body, &[0]);
        write::tlv(&mut body, tag::SEQUENCE, &algorithm_id);
        write::tlv(&mut body, tag::OCTET_STRING, &private_key);
        private_key.zeroize();
        let mut der = Vec::new();
        write::tlv(&mut der, tag::SEQUENCE, &body);
        body.zeroize();
        Ok(SecretDer(der))
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    ///
    /// # Errors
    /// As [`SigningKey::to_pkcs8_der`].
    pub fn to_pkcs8_pem(&self) -> Result<SecretPem, Error> {
        let der = self.to_pkcs8_der()?;
        pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::LF, der.expose())
            .map(SecretPem)
            .map_err(|_| Error::Encoding("the key could not be written as PEM"))
    }
}

fn not_exportable() -> Error {
    Error::UnsupportedKey(
        "only RSA, EC and Ed25519 private keys can be written as PKCS#8; an HMAC key is its secret"
            .into(),
    )
}

/// Private key DER bytes, zeroized on drop, redacted in `Debug`.
pub struct SecretDer(Vec<u8>);

impl SecretDer {
    /// The DER bytes. Handle them as the secret they are.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for SecretDer {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretDer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretDer(<redacted>)")
    }
}

/// Private key PEM text, zeroized on drop, redacted in `Debug`.
pub struct SecretPem(String);

impl SecretPem {
    /// The PEM text. Handle it as the secret it is.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for SecretPem {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretPem(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, Verifier};

    fn round_trip(alg: Algorithm, key: &SigningKey) {
        let token = crate::encode(key, &serde_json::json!({"exp": 4_102_444_800u64})).unwrap();
        let verifier = Verifier::new(key);
        assert!(
            verifier.verify::<serde_json::Value>(&token).is_ok(),
            "{alg}"
        );
    }

    #[test]
    fn generated_keys_sign_and_reload_from_pkcs8() {
        for alg in [
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
            Algorithm::Ed25519,
        ] {
            let key = SigningKey::generate(alg).unwrap();
            round_trip(alg, &key);
            let pem = key.to_pkcs8_pem().unwrap();
            let reloaded = SigningKey::from_pem(alg, pem.expose()).unwrap();
            let token =
                crate::encode(&reloaded, &serde_json::json!({"exp": 4_102_444_800u64})).unwrap();
            assert!(
                Verifier::new(&key)
                    .verify::<serde_json::Value>(&token)
                    .is_ok(),
                "{alg}"
            );
            assert_eq!(format!("{pem:?}"), "SecretPem(<redacted>)");
        }
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let key = SigningKey::generate(alg).unwrap();
            round_trip(alg, &key);
            assert_eq!(
                key.to_pkcs8_der().unwrap_err().kind(),
                ErrorKind::UnsupportedKey
            );
        }
        let err = SigningKey::generate(Algorithm::RS256).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedKey);
        assert!(err.to_string().contains("openssl genpkey"));
    }

    #[test]
    fn pkcs8_export_of_loaded_keys_reloads_to_the_same_key() {
        let rsa = SigningKey::from_pem(
            Algorithm::RS256,
            include_str!("../../../../tests/interop/keys/rsa2048-private-pkcs1.pem"),
        )
        .unwrap();
        let sec1 = SigningKey::from_pem(
            Algorithm::ES256,
            include_str!("../../../../tests/interop/keys/ec-p256-private-sec1.pem"),
        )
        .unwrap();
        for key in [rsa, sec1] {
            let alg = key.algorithm();
            let reloaded =
                SigningKey::from_pkcs8_der(alg, key.to_pkcs8_der().unwrap().expose()).unwrap();
            let token =
                crate::encode(&reloaded, &serde_json::json!({"exp": 4_102_444_800u64})).unwrap();
            assert!(
                Verifier::new(&key)
                    .verify::<serde_json::Value>(&token)
                    .is_ok(),
                "{alg}"
            );
        }
    }
}
