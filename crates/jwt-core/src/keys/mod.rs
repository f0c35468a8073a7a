//! Typed keys, each bound to exactly one [`Algorithm`] when it is built.
//!
//! Why typed keys: every algorithm-confusion attack in the catalogue (RSA public key used as an
//! HMAC secret, P-384 key for ES256, `alg: none`) needs a verifier that lets the token or the
//! key's *bytes* pick the algorithm. Here the caller names the algorithm, the constructor checks
//! that the key material fits it (family, curve, size), and the pair never comes apart. There is
//! no way to build a key from "some bytes, figure out the type".
//!
//! [`SigningKey`] signs and can hand out its [`VerifyingKey`]; [`VerifyingKey`] only verifies.
//! Both have redacted `Debug` and no `Display`.

mod der;
mod generate;
mod pem;
pub(crate) mod private;
mod rsa_check;
pub(crate) mod secret;

pub use generate::{SecretDer, SecretPem};

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};

use crate::algorithm::{Algorithm, Family};
use crate::error::Error;
use private::{PrivateParts, RsaPrivate};
use secret::Secret;

/// The largest RSA modulus accepted, in bits (ring's verification limit).
const RSA_MAX_BITS: usize = 8192;
/// The smallest RSA modulus accepted, in bits (RFC 7518 §3.3).
const RSA_MIN_BITS: usize = 2048;
/// The longest `kid` a key may carry; tokens with longer ones never match.
pub(crate) const MAX_KID_LEN: usize = 256;

/// A key that signs tokens for one algorithm (and can verify them too).
///
/// ```
/// use jwt_core::{Algorithm, SigningKey};
///
/// let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[7u8; 32])?.with_kid("2026-11");
/// assert_eq!(key.algorithm(), Algorithm::HS256);
/// assert_eq!(key.kid(), Some("2026-11"));
/// // Short secrets are refused (RFC 7518 §3.2) ...
/// assert!(SigningKey::from_hmac_secret(Algorithm::HS256, b"secret").is_err());
/// // ... unless the constructor's name says the risk out loud.
/// assert!(SigningKey::danger_from_short_hmac_secret(Algorithm::HS256, b"secret").is_ok());
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    alg: Algorithm,
    kid: Option<Box<str>>,
    /// The encoded default header with this `kid` (`{"alg":..,"typ":"JWT","kid":..}` and `.`),
    /// made once by `with_kid` so that signing never rebuilds it.
    header_prefix: Option<Arc<str>>,
    material: SigningMaterial,
    /// The private material in our own zeroizing memory, for export (JWK, PKCS#8).
    private: Option<Arc<PrivateParts>>,
}

#[derive(Clone)]
enum SigningMaterial {
    Hmac(ring::hmac::Key),
    Rsa(Arc<RsaKeyPair>),
    Ecdsa(Arc<EcdsaKeyPair>),
    Ed25519(Arc<Ed25519KeyPair>),
}

/// A key that verifies tokens of one algorithm.
///
/// ```
/// use jwt_core::{Algorithm, VerifyingKey};
///
/// let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
/// let key = VerifyingKey::from_pem(Algorithm::EdDSA, pem)?;
/// assert_eq!(key.algorithm(), Algorithm::EdDSA);
/// // The same Ed25519 key cannot be used for ES256, and it says why.
/// let err = VerifyingKey::from_pem(Algorithm::ES256, pem).unwrap_err();
/// assert_eq!(err.to_string(), "ES256 needs a P-256 EC key, but the key is an Ed25519 key");
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey {
    alg: Algorithm,
    kid: Option<Box<str>>,
    material: VerifyingMaterial,
}

#[derive(Clone)]
enum VerifyingMaterial {
    Hmac(ring::hmac::Key),
    /// PKCS#1 `RSAPublicKey` DER, and the modulus length in bytes (= signature length).
    Rsa {
        public_key: Arc<[u8]>,
        modulus_len: usize,
    },
    /// Uncompressed SEC1 point `04 || x || y`.
    Ecdsa(Arc<[u8]>),
    Ed25519([u8; 32]),
}

/// A verifying key's public material, borrowed.
pub(crate) enum PublicParts<'a> {
    /// HMAC has no public half.
    Hmac,
    Rsa {
        n: &'a [u8],
        e: &'a [u8],
    },
    Ec {
        x: &'a [u8],
        y: &'a [u8],
    },
    Ed25519(&'a [u8; 32]),
}

/// What a DER container turned out to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    Supported(Family),
    Unsupported(&'static str),
}

impl KeyKind {
    fn from_algorithm_id(id: der::AlgorithmId<'_>) -> Result<KeyKind, Error> {
        use der::oid;
        let oid = id.oid;
        Ok(if oid == oid::RSA_ENCRYPTION {
            KeyKind::Supported(Family::Rsa)
        } else if oid == oid::EC_PUBLIC_KEY {
            Self::from_curve(
                id.parameter_oid
                    .ok_or_else(|| invalid("EC key without a named curve"))?,
            )
        } else if oid == oid::ED25519 {
            KeyKind::Supported(Family::Ed25519)
        } else if oid == oid::RSASSA_PSS {
            KeyKind::Unsupported(
                "an RSASSA-PSS-restricted key (export it as a plain rsaEncryption key)",
            )
        } else if oid == oid::ED448 {
            KeyKind::Unsupported("an Ed448 key")
        } else if oid == oid::X25519 || oid == oid::X448 {
            KeyKind::Unsupported("a key-agreement (X25519/X448) key, not a signature key")
        } else {
            KeyKind::Unsupported("a key of an unknown type")
        })
    }

    fn from_curve(curve: &[u8]) -> KeyKind {
        use der::oid;
        if curve == oid::P256 {
            KeyKind::Supported(Family::EcP256)
        } else if curve == oid::P384 {
            KeyKind::Supported(Family::EcP384)
        } else if curve == oid::P521 {
            KeyKind::Unsupported("a P-521 EC key")
        } else if curve == oid::SECP256K1 {
            KeyKind::Unsupported("a secp256k1 EC key")
        } else {
            KeyKind::Unsupported("an EC key on an unknown curve")
        }
    }

    fn describe(self) -> &'static str {
        match self {
            KeyKind::Supported(family) => family.describe(),
            KeyKind::Unsupported(what) => what,
        }
    }

    /// Succeeds only when this kind is the family `alg` needs.
    fn require(self, alg: Algorithm) -> Result<(), Error> {
        match self {
            KeyKind::Supported(family) if family == alg.family() => Ok(()),
            KeyKind::Unsupported(_)
                if alg.family() != Family::Rsa && self.is_ec_like() && alg.family().is_ec() =>
            {
                Err(mismatch(alg, self.describe()))
            }
            KeyKind::Unsupported(what)
                if !matches!(self, KeyKind::Supported(_)) && !self.is_ec_like() =>
            {
                Err(Error::UnsupportedKey(Cow::Owned(format!(
                    "{alg} cannot use {what}"
                ))))
            }
            _ => Err(mismatch(alg, self.describe())),
        }
    }

    fn is_ec_like(self) -> bool {
        matches!(self, KeyKind::Unsupported(what) if what.contains("EC key"))
    }
}

impl Family {
    const fn is_ec(self) -> bool {
        matches!(self, Family::EcP256 | Family::EcP384)
    }
}

fn mismatch(alg: Algorithm, found: &'static str) -> Error {
    Error::KeyMismatch { alg, found }
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidKey(Cow::Borrowed(reason))
}

fn rejected(alg: Algorithm, err: ring::error::KeyRejected) -> Error {
    match err.to_string().as_str() {
        "TooSmall" => Error::WeakKey(Cow::Owned(format!(
            "{alg} needs an RSA modulus of at least {RSA_MIN_BITS} bits"
        ))),
        "TooLarge" => Error::UnsupportedKey(Cow::Borrowed(
            "the RSA modulus is larger than ring supports for signing (4096 bits)",
        )),
        "InconsistentComponents" => invalid("the private and public parts of the key do not match"),
        "WrongAlgorithm" => {
            invalid("the key's algorithm identifier does not fit the chosen algorithm")
        }
        "PublicKeyIsMissing" => invalid("the private key does not embed its public key"),
        _ => invalid("the key material was rejected by the crypto backend"),
    }
}

fn check_hmac_secret(
    alg: Algorithm,
    secret: &[u8],
    enforce_minimum: bool,
) -> Result<ring::hmac::Key, Error> {
    let (Some(minimum), Some(hmac)) = (alg.hmac_len(), alg.hmac_algorithm()) else {
        return Err(mismatch(alg, Family::Hmac.describe()));
    };
    if secret.is_empty() {
        return Err(Error::WeakKey(Cow::Borrowed(
            "an empty HMAC secret lets anyone forge tokens; it is never accepted",
        )));
    }
    if enforce_minimum && secret.len() < minimum {
        return Err(Error::WeakKey(Cow::Owned(format!(
            "{alg} needs a secret of at least {minimum} random bytes (RFC 7518 section 3.2), got {}; \
             generate one, or use danger_from_short_hmac_secret only to interoperate with a legacy issuer",
            secret.len()
        ))));
    }
    Ok(ring::hmac::Key::new(hmac, secret))
}

/// Whether `point` is a valid public point of `curve` (on the curve, not the identity); an
/// error when the question could not be asked (the system's random generator failed).
///
/// ring checks a peer's point before every key agreement and offers no other public check, so
/// one agreement with a throwaway key answers it (about 0.1 ms, once per key import).
fn is_on_curve(curve: &'static ring::agreement::Algorithm, point: &[u8]) -> Result<bool, Error> {
    let rng = ring::rand::SystemRandom::new();
    let ours = ring::agreement::EphemeralPrivateKey::generate(curve, &rng).map_err(|_| {
        Error::InvalidKey(
            "the EC public key could not be checked: the system's random generator failed".into(),
        )
    })?;
    let peer = ring::agreement::UnparsedPublicKey::new(curve, point);
    Ok(ring::agreement::agree_ephemeral(ours, &peer, |_| ()).is_ok())
}

fn ecdsa_signing_algorithm(alg: Algorithm) -> Option<&'static signature::EcdsaSigningAlgorithm> {
    match alg {
        Algorithm::ES256 => Some(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
        Algorithm::ES384 => Some(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
        _ => None,
    }
}

fn rsa_signing_encoding(alg: Algorithm) -> Option<&'static dyn signature::RsaEncoding> {
    match alg {
        Algorithm::RS256 => Some(&signature::RSA_PKCS1_SHA256),
        Algorithm::RS384 => Some(&signature::RSA_PKCS1_SHA384),
        Algorithm::RS512 => Some(&signature::RSA_PKCS1_SHA512),
        Algorithm::PS256 => Some(&signature::RSA_PSS_SHA256),
        Algorithm::PS384 => Some(&signature::RSA_PSS_SHA384),
        Algorithm::PS512 => Some(&signature::RSA_PSS_SHA512),
        _ => None,
    }
}

/// The ring verification algorithm for an asymmetric `alg`; `None` for HMAC.
fn verification_algorithm(alg: Algorithm) -> Option<&'static dyn signature::VerificationAlgorithm> {
    Some(match alg {
        Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
        Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
        Algorithm::EdDSA | Algorithm::Ed25519 => &signature::ED25519,
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => return None,
    })
}

impl SigningKey {
    /// An HMAC key from a random secret at least as long as the hash output
    /// (32/48/64 bytes for HS256/384/512, RFC 7518 §3.2).
    ///
    /// # Errors
    /// [`Error::WeakKey`] for shorter secrets; [`Error::KeyMismatch`] if `alg` is not an HMAC algorithm.
    pub fn from_hmac_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, Error> {
        let key = check_hmac_secret(alg, secret, true)?;
        Ok(Self::new(alg, SigningMaterial::Hmac(key))
            .keeping(Some(PrivateParts::Hmac(Secret::new(secret)))))
    }

    /// An HMAC key from a secret of any non-empty length.
    ///
    /// Dangerous: a short or human-chosen secret can be brute-forced offline from a single
    /// token. Use it only to interoperate with issuers you cannot change (PyJWT's classic
    /// `"secret"` example). Empty secrets are refused even here.
    ///
    /// # Errors
    /// [`Error::WeakKey`] for an empty secret; [`Error::KeyMismatch`] for a non-HMAC `alg`.
    pub fn danger_from_short_hmac_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, Error> {
        let key = check_hmac_secret(alg, secret, false)?;
        Ok(Self::new(alg, SigningMaterial::Hmac(key))
            .keeping(Some(PrivateParts::Hmac(Secret::new(secret)))))
    }

    /// A private key from PEM text: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (SEC1).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed input, [`Error::KeyMismatch`] when the key is of
    /// another family than `alg` needs, [`Error::WeakKey`] for RSA keys under 2048 bits,
    /// [`Error::UnsupportedKey`] for public keys, certificates, encrypted or exotic keys.
    pub fn from_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, Error> {
        let doc = pem::decode(pem.as_ref())?;
        match doc.container {
            pem::Container::Pkcs8 => Self::from_pkcs8_der(alg, &doc.der),
            pem::Container::Pkcs1Private => Self::from_pkcs1_der(alg, &doc.der),
            pem::Container::Sec1 => Self::from_sec1_der(alg, &doc.der),
            pem::Container::Spki | pem::Container::Pkcs1Public => Err(Error::UnsupportedKey(
                Cow::Borrowed("a public key cannot sign; load the private key"),
            )),
        }
    }

    /// A private key from PKCS#8 DER (RSA, P-256, P-384 or Ed25519; v1 or v2, as OpenSSL writes).
    ///
    /// # Errors
    /// As [`SigningKey::from_pem`].
    pub fn from_pkcs8_der(alg: Algorithm, der: &[u8]) -> Result<Self, Error> {
        let id = der::pkcs8_algorithm(der).ok_or_else(|| invalid("not a PKCS#8 private key"))?;
        KeyKind::from_algorithm_id(id)?.require(alg)?;
        let material = match alg.family() {
            Family::Hmac => return Err(mismatch(alg, "an asymmetric private key")),
            Family::Rsa => SigningMaterial::Rsa(Arc::new(check_rsa_pair(
                alg,
                RsaKeyPair::from_pkcs8(der).map_err(|e| rejected(alg, e))?,
            )?)),
            Family::EcP256 | Family::EcP384 => {
                let ecdsa =
                    ecdsa_signing_algorithm(alg).ok_or_else(|| mismatch(alg, "an EC key"))?;
                let pair = EcdsaKeyPair::from_pkcs8(ecdsa, der, &SystemRandom::new())
                    .map_err(|e| rejected(alg, e))?;
                SigningMaterial::Ecdsa(Arc::new(pair))
            }
            Family::Ed25519 => SigningMaterial::Ed25519(Arc::new(
                Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(|e| rejected(alg, e))?,
            )),
        };
        let private = PrivateParts::from_pkcs8(der, alg.family());
        check_rsa_private(private.as_ref())?;
        Ok(Self::new(alg, material).keeping(private))
    }

    /// An RSA private key from PKCS#1 `RSAPrivateKey` DER.
    ///
    /// # Errors
    /// As [`SigningKey::from_pem`].
    pub fn from_pkcs1_der(alg: Algorithm, der: &[u8]) -> Result<Self, Error> {
        KeyKind::Supported(Family::Rsa).require(alg)?;
        let pair = RsaKeyPair::from_der(der).map_err(|e| rejected(alg, e))?;
        let pair = check_rsa_pair(alg, pair)?;
        let private = PrivateParts::from_pkcs1(der);
        check_rsa_private(private.as_ref())?;
        Ok(Self::new(alg, SigningMaterial::Rsa(Arc::new(pair))).keeping(private))
    }

    /// An RSA key pair from its components (JWK members), checked by ring for consistency.
    pub(crate) fn from_rsa_private(alg: Algorithm, parts: RsaPrivate) -> Result<Self, Error> {
        KeyKind::Supported(Family::Rsa).require(alg)?;
        let components = ring::rsa::KeyPairComponents {
            public_key: ring::rsa::PublicKeyComponents {
                n: &parts.n[..],
                e: &parts.e[..],
            },
            d: parts.d.expose(),
            p: parts.p.expose(),
            q: parts.q.expose(),
            dP: parts.dp.expose(),
            dQ: parts.dq.expose(),
            qInv: parts.qi.expose(),
        };
        let pair = RsaKeyPair::from_components(&components).map_err(|e| rejected(alg, e))?;
        let pair = check_rsa_pair(alg, pair)?;
        let private = PrivateParts::Rsa(parts);
        check_rsa_private(Some(&private))?;
        Ok(Self::new(alg, SigningMaterial::Rsa(Arc::new(pair))).keeping(Some(private)))
    }

    /// An EC key pair from the private scalar and the uncompressed public point; ring checks that
    /// they belong together.
    pub(crate) fn from_ec_private(alg: Algorithm, d: Secret, point: &[u8]) -> Result<Self, Error> {
        let ecdsa = ecdsa_signing_algorithm(alg).ok_or_else(|| mismatch(alg, "an EC key"))?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            ecdsa,
            d.expose(),
            point,
            &SystemRandom::new(),
        )
        .map_err(|e| rejected(alg, e))?;
        Ok(Self::new(alg, SigningMaterial::Ecdsa(Arc::new(pair)))
            .keeping(Some(PrivateParts::Ec(d))))
    }

    /// An Ed25519 key pair from its 32-byte seed and public key; ring checks that they match.
    pub(crate) fn from_ed25519_seed(
        alg: Algorithm,
        seed: Secret,
        public: &[u8],
    ) -> Result<Self, Error> {
        KeyKind::Supported(Family::Ed25519).require(alg)?;
        let pair = Ed25519KeyPair::from_seed_and_public_key(seed.expose(), public)
            .map_err(|e| rejected(alg, e))?;
        Ok(Self::new(alg, SigningMaterial::Ed25519(Arc::new(pair)))
            .keeping(Some(PrivateParts::Ed25519(seed))))
    }

    /// An EC private key from SEC1 `ECPrivateKey` DER (`openssl ec` output). The embedded
    /// public key is required (OpenSSL always writes it).
    ///
    /// # Errors
    /// As [`SigningKey::from_pem`].
    pub fn from_sec1_der(alg: Algorithm, der: &[u8]) -> Result<Self, Error> {
        let sec1 = der::sec1(der).ok_or_else(|| invalid("not a SEC1 EC private key"))?;
        let kind = match sec1.curve {
            Some(curve) => KeyKind::from_curve(curve),
            None => KeyKind::Supported(alg.family()),
        };
        if !alg.family().is_ec() {
            return Err(mismatch(
                alg,
                if matches!(kind, KeyKind::Supported(_)) {
                    "an EC key"
                } else {
                    kind.describe()
                },
            ));
        }
        kind.require(alg)?;
        let public_key = sec1.public_key.ok_or_else(|| {
            invalid("the SEC1 key does not embed its public key; re-export it with `openssl ec`")
        })?;
        let ecdsa = ecdsa_signing_algorithm(alg).ok_or_else(|| mismatch(alg, "an EC key"))?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            ecdsa,
            sec1.private_key,
            public_key,
            &SystemRandom::new(),
        )
        .map_err(|e| rejected(alg, e))?;
        Ok(Self::new(alg, SigningMaterial::Ecdsa(Arc::new(pair)))
            .keeping(PrivateParts::from_sec1(der, alg.family())))
    }

    fn new(alg: Algorithm, material: SigningMaterial) -> Self {
        SigningKey {
            alg,
            kid: None,
            header_prefix: None,
            material,
            private: None,
        }
    }

    fn keeping(mut self, private: Option<PrivateParts>) -> Self {
        self.private = private.map(Arc::new);
        self
    }

    /// The private material kept for export, if it could be extracted.
    pub(crate) fn private_parts(&self) -> Option<&PrivateParts> {
        self.private.as_deref()
    }

    /// Sets the key id (`kid`) written into the headers of tokens this key signs.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        let kid = kid.into().into_boxed_str();
        let prefix = crate::encode::header_prefix(
            self.alg,
            &[("typ", Some("JWT")), ("kid", Some(&kid))],
            &[],
        );
        self.header_prefix = Some(prefix.into());
        self.kid = Some(kid);
        self
    }

    /// The algorithm this key is bound to.
    pub const fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id, if one was set.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The encoded default header with this key's `kid`, if it has one.
    pub(crate) fn header_prefix(&self) -> Option<&str> {
        self.header_prefix.as_deref()
    }

    /// The key that verifies what this key signs (same algorithm and `kid`).
    pub fn verifying_key(&self) -> VerifyingKey {
        let material = match &self.material {
            SigningMaterial::Hmac(key) => VerifyingMaterial::Hmac(key.clone()),
            SigningMaterial::Rsa(pair) => VerifyingMaterial::Rsa {
                public_key: Arc::from(pair.public().as_ref()),
                modulus_len: pair.public().modulus_len(),
            },
            SigningMaterial::Ecdsa(pair) => {
                VerifyingMaterial::Ecdsa(Arc::from(pair.public_key().as_ref()))
            }
            SigningMaterial::Ed25519(pair) => {
                let mut public = [0u8; 32];
                public.copy_from_slice(pair.public_key().as_ref());
                VerifyingMaterial::Ed25519(public)
            }
        };
        VerifyingKey {
            alg: self.alg,
            kid: self.kid.clone(),
            material,
        }
    }

    /// The HMAC key, for callers that sign with it directly.
    pub(crate) fn hmac_key(&self) -> Option<&ring::hmac::Key> {
        match &self.material {
            SigningMaterial::Hmac(key) => Some(key),
            _ => None,
        }
    }

    /// Signs `message`, returning the signature in the value the backend made it in (on the
    /// stack except for RSA).
    pub(crate) fn sign_detached(&self, message: &[u8]) -> Result<Signature, Error> {
        Ok(match &self.material {
            SigningMaterial::Hmac(key) => Signature::Tag(ring::hmac::sign(key, message)),
            SigningMaterial::Rsa(_) => {
                let mut signature = Vec::with_capacity(self.signature_len());
                self.sign_into(message, &mut signature)?;
                Signature::Heap(signature)
            }
            SigningMaterial::Ecdsa(pair) => Signature::Ring(
                pair.sign(&SystemRandom::new(), message)
                    .map_err(|_| Error::Signing)?,
            ),
            SigningMaterial::Ed25519(pair) => Signature::Ring(pair.sign(message)),
        })
    }

    /// Signs `message` and appends the raw signature to `out`.
    pub(crate) fn sign_into(&self, message: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        match &self.material {
            SigningMaterial::Hmac(key) => {
                out.extend_from_slice(ring::hmac::sign(key, message).as_ref())
            }
            SigningMaterial::Rsa(pair) => {
                let encoding = rsa_signing_encoding(self.alg).ok_or(Error::Signing)?;
                let start = out.len();
                out.resize(start.saturating_add(pair.public().modulus_len()), 0);
                let sig = out.get_mut(start..).ok_or(Error::Signing)?;
                pair.sign(encoding, &SystemRandom::new(), message, sig)
                    .map_err(|_| Error::Signing)?;
            }
            SigningMaterial::Ecdsa(pair) => {
                let sig = pair
                    .sign(&SystemRandom::new(), message)
                    .map_err(|_| Error::Signing)?;
                out.extend_from_slice(sig.as_ref());
            }
            SigningMaterial::Ed25519(pair) => out.extend_from_slice(pair.sign(message).as_ref()),
        }
        Ok(())
    }

    /// The largest signature this key produces, in bytes.
    pub(crate) fn signature_len(&self) -> usize {
        match &self.material {
            SigningMaterial::Hmac(_) => self.alg.hmac_len().unwrap_or(64),
            SigningMaterial::Rsa(pair) => pair.public().modulus_len(),
            SigningMaterial::Ecdsa(_) => {
                if self.alg == Algorithm::ES256 {
                    64
                } else {
                    96
                }
            }
            SigningMaterial::Ed25519(_) => 64,
        }
    }
}

/// Size and consistency checks for an RSA key pair ring has accepted.
fn check_rsa_pair(alg: Algorithm, pair: RsaKeyPair) -> Result<RsaKeyPair, Error> {
    let bits = pair.public().modulus_len().saturating_mul(8);
    if bits < RSA_MIN_BITS {
        return Err(Error::WeakKey(Cow::Owned(format!(
            "{alg} needs an RSA modulus of at least {RSA_MIN_BITS} bits"
        ))));
    }
    if !rsa_check::signs(&pair) {
        return Err(invalid(
            "the RSA private key's CRT parameters do not match its public key",
        ));
    }
    Ok(pair)
}

/// [`check_rsa_pair`], plus `d` against the CRT exponents when we keep `d` for export.
fn check_rsa_private(parts: Option<&PrivateParts>) -> Result<(), Error> {
    match parts {
        Some(PrivateParts::Rsa(rsa)) if !rsa_check::private_exponent_matches(rsa) => Err(invalid(
            "the RSA private exponent d does not match dP and dQ",
        )),
        _ => Ok(()),
    }
}

impl VerifyingKey {
    /// An HMAC verification key; see [`SigningKey::from_hmac_secret`].
    ///
    /// # Errors
    /// As [`SigningKey::from_hmac_secret`].
    pub fn from_hmac_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, Error> {
        SigningKey::from_hmac_secret(alg, secret).map(|key| key.verifying_key())
    }

    /// An HMAC verification key from a short secret; see [`SigningKey::danger_from_short_hmac_secret`].
    ///
    /// # Errors
    /// As [`SigningKey::danger_from_short_hmac_secret`].
    pub fn danger_from_short_hmac_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, Error> {
        SigningKey::danger_from_short_hmac_secret(alg, secret).map(|key| key.verifying_key())
    }

    /// A verification key from PEM text: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1), or any
    /// private key [`SigningKey::from_pem`] accepts (its public half is used).
    ///
    /// # Errors
    /// [`Error::InvalidKey`], [`Error::KeyMismatch`], [`Error::WeakKey`] or [`Error::UnsupportedKey`].
    pub fn from_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, Error> {
        let doc = pem::decode(pem.as_ref())?;
        match doc.container {
            pem::Container::Spki => Self::from_spki_der(alg, &doc.der),
            pem::Container::Pkcs1Public => Self::from_pkcs1_der(alg, &doc.der),
            pem::Container::Pkcs8 => {
                SigningKey::from_pkcs8_der(alg, &doc.der).map(|k| k.verifying_key())
            }
            pem::Container::Pkcs1Private => {
                SigningKey::from_pkcs1_der(alg, &doc.der).map(|k| k.verifying_key())
            }
            pem::Container::Sec1 => {
                SigningKey::from_sec1_der(alg, &doc.der).map(|k| k.verifying_key())
            }
        }
    }

    /// A public key from SubjectPublicKeyInfo DER (RSA, P-256, P-384 or Ed25519).
    ///
    /// # Errors
    /// As [`VerifyingKey::from_pem`].
    pub fn from_spki_der(alg: Algorithm, der: &[u8]) -> Result<Self, Error> {
        let (id, key) =
            der::spki(der).ok_or_else(|| invalid("not a SubjectPublicKeyInfo public key"))?;
        let kind = KeyKind::from_algorithm_id(id)?;
        if alg.is_hmac() {
            return Err(mismatch(alg, kind.describe()));
        }
        kind.require(alg)?;
        match alg.family() {
            Family::Rsa => Self::from_pkcs1_der(alg, key),
            Family::EcP256 | Family::EcP384 => Self::from_ec_point(alg, key),
            Family::Ed25519 => Self::from_ed25519_bytes(alg, key),
            Family::Hmac => Err(mismatch(alg, kind.describe())),
        }
    }

    /// An RSA public key from PKCS#1 `RSAPublicKey` DER.
    ///
    /// # Errors
    /// [`Error::WeakKey`] under 2048 bits, [`Error::UnsupportedKey`] over 8192 bits,
    /// [`Error::InvalidKey`] for malformed DER or a bad exponent.
    pub fn from_pkcs1_der(alg: Algorithm, der: &[u8]) -> Result<Self, Error> {
        KeyKind::Supported(Family::Rsa).require(alg)?;
        let (n, e) =
            der::rsa_public_key(der).ok_or_else(|| invalid("not a PKCS#1 RSA public key"))?;
        Self::from_rsa_components(alg, n, e)
    }

    /// An RSA public key from its big-endian modulus `n` and exponent `e` (JWK members).
    ///
    /// # Errors
    /// As [`VerifyingKey::from_pkcs1_der`].
    pub fn from_rsa_components(alg: Algorithm, n: &[u8], e: &[u8]) -> Result<Self, Error> {
        KeyKind::Supported(Family::Rsa).require(alg)?;
        let bits = der::bit_len(n);
        if bits < RSA_MIN_BITS {
            return Err(Error::WeakKey(Cow::Owned(format!(
                "{alg} needs an RSA modulus of at least {RSA_MIN_BITS} bits, got {bits}"
            ))));
        }
        if bits > RSA_MAX_BITS {
            return Err(Error::UnsupportedKey(Cow::Owned(format!(
                "RSA moduli over {RSA_MAX_BITS} bits are refused, got {bits}"
            ))));
        }
        let e_bits = der::bit_len(e);
        let e_odd = e.last().is_some_and(|b| b & 1 == 1);
        if !(2..=33).contains(&e_bits) || !e_odd {
            return Err(invalid(
                "the RSA public exponent must be odd, at least 3 and at most 33 bits",
            ));
        }
        let modulus_len = bits.div_ceil(8);
        Ok(Self::new(
            alg,
            VerifyingMaterial::Rsa {
                public_key: Arc::from(encode_rsa_public_key(n, e)),
                modulus_len,
            },
        ))
    }

    /// An EC public key from its uncompressed SEC1 point `04 || x || y`.
    ///
    /// The point must lie on the algorithm's curve: a key that could never verify anything is
    /// refused here, where its source (a JWK Set entry, a PEM file) can be named, rather than
    /// failing every signature later.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if the point has the wrong length or form for the algorithm's
    /// curve, or is not on it.
    pub fn from_ec_point(alg: Algorithm, point: &[u8]) -> Result<Self, Error> {
        let (expected_len, curve) = match alg {
            Algorithm::ES256 => (65, &ring::agreement::ECDH_P256),
            Algorithm::ES384 => (97, &ring::agreement::ECDH_P384),
            _ => return Err(mismatch(alg, "an EC key")),
        };
        if point.len() != expected_len || point.first() != Some(&0x04) {
            return Err(invalid(
                "the EC public key must be an uncompressed point of the algorithm's curve",
            ));
        }
        if !is_on_curve(curve, point)? {
            return Err(invalid(
                "the EC public key is not a point of the algorithm's curve",
            ));
        }
        Ok(Self::new(alg, VerifyingMaterial::Ecdsa(Arc::from(point))))
    }

    /// An Ed25519 public key from its 32 bytes (the JWK `x` member).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] unless `public_key` is 32 bytes; [`Error::KeyMismatch`] for
    /// algorithms other than `EdDSA`/`Ed25519`.
    pub fn from_ed25519_bytes(alg: Algorithm, public_key: &[u8]) -> Result<Self, Error> {
        KeyKind::Supported(Family::Ed25519).require(alg)?;
        let bytes: [u8; 32] = public_key
            .try_into()
            .map_err(|_| invalid("an Ed25519 public key is exactly 32 bytes"))?;
        Ok(Self::new(alg, VerifyingMaterial::Ed25519(bytes)))
    }

    fn new(alg: Algorithm, material: VerifyingMaterial) -> Self {
        VerifyingKey {
            alg,
            kid: None,
            material,
        }
    }

    /// Sets the key id (`kid`) that selects this key among a verifier's keys.
    ///
    /// Ids longer than 256 bytes can never match a token and are kept only for display.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into().into_boxed_str());
        self
    }

    /// The algorithm this key is bound to.
    pub const fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id, if one was set.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The public key material, for export.
    pub(crate) fn public_parts(&self) -> PublicParts<'_> {
        match &self.material {
            VerifyingMaterial::Hmac(_) => PublicParts::Hmac,
            VerifyingMaterial::Rsa { public_key, .. } => match der::rsa_public_key(public_key) {
                Some((n, e)) => PublicParts::Rsa { n, e },
                None => PublicParts::Hmac, // unreachable: we encoded it ourselves
            },
            VerifyingMaterial::Ecdsa(point) => {
                let coordinates = point.get(1..).unwrap_or_default();
                let (x, y) = coordinates.split_at(coordinates.len() / 2);
                PublicParts::Ec { x, y }
            }
            VerifyingMaterial::Ed25519(x) => PublicParts::Ed25519(x),
        }
    }

    /// The exact signature length this key accepts.
    pub(crate) fn signature_len(&self) -> usize {
        match &self.material {
            VerifyingMaterial::Hmac(_) => self.alg.hmac_len().unwrap_or(0),
            VerifyingMaterial::Rsa { modulus_len, .. } => *modulus_len,
            VerifyingMaterial::Ecdsa(_) => {
                if self.alg == Algorithm::ES256 {
                    64
                } else {
                    96
                }
            }
            VerifyingMaterial::Ed25519(_) => 64,
        }
    }

    /// Verifies `signature` over `message`: length first, then ring, constant-time for MACs.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        if signature.len() != self.signature_len() {
            return Err(Error::InvalidSignature);
        }
        let outcome = match &self.material {
            VerifyingMaterial::Hmac(key) => ring::hmac::verify(key, message, signature),
            VerifyingMaterial::Rsa { public_key, .. } => {
                self.verify_asymmetric(public_key, message, signature)
            }
            VerifyingMaterial::Ecdsa(point) => self.verify_asymmetric(point, message, signature),
            VerifyingMaterial::Ed25519(public) => {
                self.verify_asymmetric(public, message, signature)
            }
        };
        outcome.map_err(|_| Error::InvalidSignature)
    }

    fn verify_asymmetric(
        &self,
        public: &[u8],
        message: &[u8],
        sig: &[u8],
    ) -> Result<(), ring::error::Unspecified> {
        let alg = verification_algorithm(self.alg).ok_or(ring::error::Unspecified)?;
        signature::UnparsedPublicKey::new(alg, public).verify(message, sig)
    }
}

impl From<SigningKey> for VerifyingKey {
    fn from(key: SigningKey) -> Self {
        key.verifying_key()
    }
}

impl From<&SigningKey> for VerifyingKey {
    fn from(key: &SigningKey) -> Self {
        key.verifying_key()
    }
}

/// DER `RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER }` from big-endian magnitudes.
fn encode_rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn integer(out: &mut Vec<u8>, magnitude: &[u8]) {
        let start = magnitude
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(magnitude.len());
        let trimmed = magnitude.get(start..).unwrap_or_default();
        let pad = trimmed.first().is_some_and(|b| b & 0x80 != 0);
        let len = trimmed.len().saturating_add(usize::from(pad));
        out.push(der::tag::INTEGER);
        length(out, len);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(trimmed);
    }
    fn length(out: &mut Vec<u8>, len: usize) {
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
            let significant = bytes.get(skip..).unwrap_or_default();
            out.push(0x80 | significant.len() as u8);
            out.extend_from_slice(significant);
        }
    }
    let mut body = Vec::with_capacity(n.len().saturating_add(e.len()).saturating_add(8));
    integer(&mut body, n);
    integer(&mut body, e);
    let mut out = Vec::with_capacity(body.len().saturating_add(4));
    out.push(der::tag::SEQUENCE);
    length(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

fn redacted_debug(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    alg: Algorithm,
    kid: Option<&str>,
) -> fmt::Result {
    f.debug_struct(name)
        .field("alg", &alg)
        .field("kid", &kid)
        .field("material", &"<redacted>")
        .finish()
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redacted_debug(f, "SigningKey", self.alg, self.kid())
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redacted_debug(f, "VerifyingKey", self.alg, self.kid())
    }
}

/// A raw signature as the crypto backend returned it.
pub(crate) enum Signature {
    Tag(ring::hmac::Tag),
    Ring(ring::signature::Signature),
    Heap(Vec<u8>),
}

impl AsRef<[u8]> for Signature {
    fn as_ref(&self) -> &[u8] {
        match self {
            Signature::Tag(tag) => tag.as_ref(),
            Signature::Ring(signature) => signature.as_ref(),
            Signature::Heap(bytes) => bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn reject_short_and_empty_hmac_secrets() {
        for (alg, min) in [
            (Algorithm::HS256, 32),
            (Algorithm::HS384, 48),
            (Algorithm::HS512, 64),
        ] {
            assert_eq!(
                SigningKey::from_hmac_secret(alg, &vec![1; min - 1])
                    .unwrap_err()
                    .kind(),
                ErrorKind::WeakKey
            );
            assert!(SigningKey::from_hmac_secret(alg, &vec![1; min]).is_ok());
            assert!(SigningKey::danger_from_short_hmac_secret(alg, b"x").is_ok());
            assert_eq!(
                SigningKey::danger_from_short_hmac_secret(alg, b"")
                    .unwrap_err()
                    .kind(),
                ErrorKind::WeakKey
            );
        }
    }

    #[test]
    fn reject_hmac_secret_for_asymmetric_algorithms() {
        for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
            assert_eq!(
                SigningKey::from_hmac_secret(alg, &[1; 64])
                    .unwrap_err()
                    .kind(),
                ErrorKind::KeyMismatch
            );
        }
    }

    #[test]
    fn debug_is_redacted() {
        let key =
            SigningKey::from_hmac_secret(Algorithm::HS256, b"canary-canary-canary-canary-canary")
                .unwrap();
        let text = format!("{key:?} {:?}", key.verifying_key());
        assert!(!text.contains("canary"), "{text}");
        assert!(text.contains("redacted"));
    }

    #[test]
    fn rsa_public_key_encoding_round_trips() {
        let n = [0x80u8; 256];
        let der = encode_rsa_public_key(&n, &[1, 0, 1]);
        let (n2, e2) = der::rsa_public_key(&der).unwrap();
        assert_eq!(n2, &n[..]);
        assert_eq!(e2, &[1, 0, 1]);
    }

    #[test]
    fn reject_small_large_and_even_rsa_components() {
        let small = [0xFFu8; 128];
        assert_eq!(
            VerifyingKey::from_rsa_components(Algorithm::RS256, &small, &[1, 0, 1])
                .unwrap_err()
                .kind(),
            ErrorKind::WeakKey
        );
        let large = [0xFFu8; 1025];
        assert_eq!(
            VerifyingKey::from_rsa_components(Algorithm::RS256, &large, &[1, 0, 1])
                .unwrap_err()
                .kind(),
            ErrorKind::UnsupportedKey
        );
        let ok = [0xFFu8; 256];
        assert_eq!(
            VerifyingKey::from_rsa_components(Algorithm::RS256, &ok, &[2])
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidKey
        );
        assert_eq!(
            VerifyingKey::from_rsa_components(Algorithm::RS256, &ok, &[1])
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidKey
        );
        assert!(VerifyingKey::from_rsa_components(Algorithm::PS256, &ok, &[1, 0, 1]).is_ok());
        assert_eq!(
            VerifyingKey::from_rsa_components(Algorithm::ES256, &ok, &[1, 0, 1])
                .unwrap_err()
                .kind(),
            ErrorKind::KeyMismatch
        );
    }

    #[test]
    fn reject_wrong_ec_points_and_ed25519_lengths() {
        for alg in [Algorithm::ES256, Algorithm::ES384] {
            let signer = SigningKey::generate(alg).unwrap();
            let VerifyingMaterial::Ecdsa(point) = &signer.verifying_key().material else {
                panic!("an EC key")
            };
            let mut point = point.to_vec();
            assert!(VerifyingKey::from_ec_point(alg, &point).is_ok(), "{alg}");
            // Off the curve: the last coordinate byte changed.
            let last = point.len() - 1;
            point[last] ^= 1;
            let error = VerifyingKey::from_ec_point(alg, &point).unwrap_err();
            assert!(error.to_string().contains("not a point"), "{alg}: {error}");
            // x = y = 1 (the form and length are right, the point is not).
            let mut ones = vec![4u8];
            ones.extend(vec![1u8; point.len() - 1]);
            assert!(VerifyingKey::from_ec_point(alg, &ones).is_err(), "{alg}");
        }
        let mut p256 = vec![4u8];
        p256.extend([1u8; 64]);
        assert!(VerifyingKey::from_ec_point(Algorithm::ES384, &p256).is_err());
        p256[0] = 2;
        assert!(VerifyingKey::from_ec_point(Algorithm::ES256, &p256).is_err());
        assert!(VerifyingKey::from_ed25519_bytes(Algorithm::EdDSA, &[0; 31]).is_err());
        assert!(VerifyingKey::from_ed25519_bytes(Algorithm::Ed25519, &[0; 32]).is_ok());
        assert_eq!(
            VerifyingKey::from_ed25519_bytes(Algorithm::HS256, &[0; 32])
                .unwrap_err()
                .kind(),
            ErrorKind::KeyMismatch
        );
    }
}
