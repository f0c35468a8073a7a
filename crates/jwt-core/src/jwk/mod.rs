//! JSON Web Keys (RFC 7517, 7518 §6, 8037): parsing, import into typed keys, export, and
//! RFC 7638 thumbprints.
//!
//! A [`Jwk`] is only ever *data*: to verify or sign it becomes a [`VerifyingKey`] or
//! [`SigningKey`], bound to one algorithm: the JWK's own `alg` when it has one, otherwise the one
//! the caller names, and `kty`/`crv` must fit it. `use` and `key_ops` are honoured: a key
//! published for encryption never verifies a signature.
//!
//! Parsing is strict where ambiguity would hurt: members are canonical base64url, RSA integers
//! have no leading zero octets, EC coordinates have exactly the curve's length, Ed25519 keys are
//! 32 bytes. Private members are checked against the public ones when a signing key is built.

mod set;
mod thumbprint;

use std::borrow::Cow;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

pub use set::{DEFAULT_MAX_JWKS_KEYS, JwkSet, SkippedKey};

use crate::algorithm::{Algorithm, Family};
use crate::base64url;
use crate::error::Error;
use crate::keys::private::{PrivateParts, RsaPrivate, scalar_len};
use crate::keys::secret::Secret;
use crate::keys::{PublicParts, SigningKey, VerifyingKey};

/// What a JWK holds, typed by `kty`.
#[derive(Clone)]
pub(crate) enum Params {
    Oct {
        k: Secret,
    },
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        private: Option<RsaPrivateMembers>,
    },
    Ec {
        family: Family,
        x: Vec<u8>,
        y: Vec<u8>,
        d: Option<Secret>,
    },
    Ed25519 {
        x: [u8; 32],
        d: Option<Secret>,
    },
}

/// RSA private members; all six are required together (RFC 7518 §6.3.2).
#[derive(Clone)]
pub(crate) struct RsaPrivateMembers {
    d: Secret,
    p: Secret,
    q: Secret,
    dp: Secret,
    dq: Secret,
    qi: Secret,
}

/// A JSON Web Key: key material plus `kid`, `alg`, `use` and `key_ops`.
///
/// ```
/// use jwt_core::{Algorithm, Jwk};
///
/// // RFC 8037 A.2: an Ed25519 public key.
/// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
/// let key = jwk.verifying_key(Some(Algorithm::EdDSA))?;
/// assert_eq!(key.algorithm(), Algorithm::EdDSA);
/// // RFC 8037 A.3: its thumbprint.
/// assert_eq!(jwk.thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Jwk {
    pub(crate) params: Params,
    kid: Option<String>,
    alg: Option<String>,
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
}

/// The JSON members, before validation.
#[derive(Deserialize)]
struct RawJwk<'a> {
    #[serde(borrow)]
    kty: Cow<'a, str>,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
    #[serde(borrow)]
    crv: Option<Cow<'a, str>>,
    #[serde(borrow)]
    k: Option<Cow<'a, str>>,
    #[serde(borrow)]
    n: Option<Cow<'a, str>>,
    #[serde(borrow)]
    e: Option<Cow<'a, str>>,
    #[serde(borrow)]
    x: Option<Cow<'a, str>>,
    #[serde(borrow)]
    y: Option<Cow<'a, str>>,
    #[serde(borrow)]
    d: Option<Cow<'a, str>>,
    #[serde(borrow)]
    p: Option<Cow<'a, str>>,
    #[serde(borrow)]
    q: Option<Cow<'a, str>>,
    #[serde(borrow)]
    dp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    dq: Option<Cow<'a, str>>,
    #[serde(borrow)]
    qi: Option<Cow<'a, str>>,
    #[serde(borrow)]
    oth: Option<&'a serde_json::value::RawValue>,
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidKey(Cow::Borrowed(reason))
}

fn unsupported(reason: &'static str) -> Error {
    Error::UnsupportedKey(Cow::Borrowed(reason))
}

/// A required base64url member.
fn member(value: Option<&Cow<'_, str>>, missing: &'static str) -> Result<Vec<u8>, Error> {
    let text = value.ok_or_else(|| invalid(missing))?;
    base64url::decode_vec(text.as_bytes())
        .ok_or_else(|| invalid("a JWK member is not canonical base64url"))
}

/// A required secret base64url member (decoded in constant time, kept zeroizing).
fn secret_member(value: Option<&Cow<'_, str>>, missing: &'static str) -> Result<Secret, Error> {
    member(value, missing).map(Secret::from_vec)
}

/// A base64urlUInt (RFC 7518 §2): big-endian, no leading zero octets.
fn uint_member(value: Option<&Cow<'_, str>>, missing: &'static str) -> Result<Vec<u8>, Error> {
    let bytes = member(value, missing)?;
    match bytes.first() {
        None => Err(invalid("an RSA JWK integer is empty")),
        Some(0) => Err(invalid(
            "an RSA JWK integer has a leading zero octet (RFC 7518 section 2 requires the minimal form)",
        )),
        Some(_) => Ok(bytes),
    }
}

impl Jwk {
    /// Parses one JWK from JSON text.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed JSON or members, [`Error::UnsupportedKey`] for key
    /// types and curves this crate cannot use (P-521, X25519, Ed448, unknown `kty`).
    pub fn from_json(json: &str) -> Result<Jwk, Error> {
        if json.trim_start().as_bytes().first() != Some(&b'{') {
            return Err(invalid("a JWK is a JSON object"));
        }
        let raw: RawJwk<'_> = serde_json::from_str(json)
            .map_err(|_| invalid("not a JWK: malformed JSON or a member of the wrong type"))?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: RawJwk<'_>) -> Result<Jwk, Error> {
        let params = match &*raw.kty {
            "oct" => {
                let k = secret_member(raw.k.as_ref(), "an oct JWK needs `k`")?;
                if k.is_empty() {
                    return Err(Error::WeakKey(Cow::Borrowed(
                        "an oct JWK with an empty `k` lets anyone forge tokens",
                    )));
                }
                Params::Oct { k }
            }
            "RSA" => {
                if raw.oth.is_some() {
                    return Err(unsupported(
                        "multi-prime RSA keys (`oth`) are not supported",
                    ));
                }
                let n = uint_member(raw.n.as_ref(), "an RSA JWK needs `n`")?;
                let e = uint_member(raw.e.as_ref(), "an RSA JWK needs `e`")?;
                let private = match raw.d {
                    None => None,
                    Some(ref d) => Some(RsaPrivateMembers {
                        d: Secret::from_vec(uint_member(Some(d), "")?),
                        p: secret_member(
                            raw.p.as_ref(),
                            "an RSA private JWK needs `p` (CRT parameters are required)",
                        )?,
                        q: secret_member(raw.q.as_ref(), "an RSA private JWK needs `q`")?,
                        dp: secret_member(raw.dp.as_ref(), "an RSA private JWK needs `dp`")?,
                        dq: secret_member(raw.dq.as_ref(), "an RSA private JWK needs `dq`")?,
                        qi: secret_member(raw.qi.as_ref(), "an RSA private JWK needs `qi`")?,
                    }),
                };
                Params::Rsa { n, e, private }
            }
            "EC" => {
                let family = match raw.crv.as_deref() {
                    Some("P-256") => Family::EcP256,
                    Some("P-384") => Family::EcP384,
                    Some("P-521") => {
                        return Err(unsupported(
                            "P-521 EC keys (ES512) are not supported by ring",
                        ));
                    }
                    Some("secp256k1") => {
                        return Err(unsupported("secp256k1 EC keys (ES256K) are not supported"));
                    }
                    Some(_) => {
                        return Err(unsupported("unknown EC curve; supported: P-256, P-384"));
                    }
                    None => return Err(invalid("an EC JWK needs `crv`")),
                };
                let len = scalar_len(family).unwrap_or(0);
                let x = member(raw.x.as_ref(), "an EC JWK needs `x`")?;
                let y = member(raw.y.as_ref(), "an EC JWK needs `y`")?;
                if x.len() != len || y.len() != len {
                    return Err(invalid(
                        "EC JWK coordinates must be exactly as long as the curve's field (32 or 48 bytes)",
                    ));
                }
                let d = raw
                    .d
                    .as_ref()
                    .map(|d| secret_member(Some(d), ""))
                    .transpose()?;
                if d.as_ref().is_some_and(|d| d.len() != len) {
                    return Err(invalid(
                        "an EC JWK's `d` must be exactly as long as the curve's order",
                    ));
                }
                Params::Ec { family, x, y, d }
            }
            "OKP" => {
                match raw.crv.as_deref() {
                    Some("Ed25519") => {}
                    Some("Ed448") => {
                        return Err(unsupported("Ed448 keys are not supported by ring"));
                    }
                    Some("X25519" | "X448") => {
                        return Err(unsupported(
                            "X25519/X448 are key-agreement keys, not signature keys",
                        ));
                    }
                    Some(_) => return Err(unsupported("unknown OKP curve; supported: Ed25519")),
                    None => return Err(invalid("an OKP JWK needs `crv`")),
                }
                let x: [u8; 32] = member(raw.x.as_ref(), "an OKP JWK needs `x`")?
                    .try_into()
                    .map_err(|_| invalid("an Ed25519 JWK's `x` is exactly 32 bytes"))?;
                let d = raw
                    .d
                    .as_ref()
                    .map(|d| secret_member(Some(d), ""))
                    .transpose()?;
                if d.as_ref().is_some_and(|d| d.len() != 32) {
                    return Err(invalid("an Ed25519 JWK's `d` is exactly 32 bytes"));
                }
                Params::Ed25519 { x, d }
            }
            _ => return Err(unsupported("unknown `kty`; supported: oct, RSA, EC, OKP")),
        };
        Ok(Jwk {
            params,
            kid: raw.kid,
            alg: raw.alg,
            key_use: raw.key_use,
            key_ops: raw.key_ops,
        })
    }

    /// The key id (`kid`).
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The `alg` member, exactly as written.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// The `use` member (`sig` or `enc`).
    pub fn key_use(&self) -> Option<&str> {
        self.key_use.as_deref()
    }

    /// The `key_ops` member.
    pub fn key_ops(&self) -> Option<&[String]> {
        self.key_ops.as_deref()
    }

    /// The key type: `oct`, `RSA`, `EC` or `OKP`.
    pub fn key_type(&self) -> &'static str {
        match self.params {
            Params::Oct { .. } => "oct",
            Params::Rsa { .. } => "RSA",
            Params::Ec { .. } => "EC",
            Params::Ed25519 { .. } => "OKP",
        }
    }

    /// Whether the JWK carries private key material (`d`, or `k` for `oct`).
    pub fn is_private(&self) -> bool {
        match &self.params {
            Params::Oct { .. } => true,
            Params::Rsa { private, .. } => private.is_some(),
            Params::Ec { d, .. } | Params::Ed25519 { d, .. } => d.is_some(),
        }
    }

    /// Sets the key id.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// A copy without private members (`None` for `oct`, which has no public form).
    pub fn to_public(&self) -> Option<Jwk> {
        let params = match &self.params {
            Params::Oct { .. } => return None,
            Params::Rsa { n, e, .. } => Params::Rsa {
                n: n.clone(),
                e: e.clone(),
                private: None,
            },
            Params::Ec { family, x, y, .. } => Params::Ec {
                family: *family,
                x: x.clone(),
                y: y.clone(),
                d: None,
            },
            Params::Ed25519 { x, .. } => Params::Ed25519 { x: *x, d: None },
        };
        // The public half may do the public counterpart of each private operation.
        let key_ops = self.key_ops.as_ref().map(|ops| {
            let mut public: Vec<String> = Vec::new();
            for op in ops {
                let counterpart = match op.as_str() {
                    "sign" | "verify" => "verify",
                    "decrypt" | "encrypt" => "encrypt",
                    "unwrapKey" | "wrapKey" => "wrapKey",
                    _ => continue,
                };
                if !public.iter().any(|existing| existing == counterpart) {
                    public.push(counterpart.to_owned());
                }
            }
            public
        });
        Some(Jwk {
            params,
            kid: self.kid.clone(),
            alg: self.alg.clone(),
            key_use: self.key_use.clone(),
            key_ops,
        })
    }

    /// The RFC 7638 thumbprint: SHA-256 over the canonical required members, base64url.
    /// Usable as a default `kid`.
    pub fn thumbprint(&self) -> String {
        thumbprint::sha256(self)
    }

    /// The algorithm this JWK is bound to: its own `alg`, else `fallback`. They must agree, and
    /// the key type must fit.
    fn bind(&self, fallback: Option<Algorithm>) -> Result<Algorithm, Error> {
        let alg = match (&self.alg, fallback) {
            (Some(name), fallback) => {
                let own = Algorithm::from_name(name)?;
                if fallback.is_some_and(|f| f != own) {
                    return Err(invalid(
                        "the JWK's `alg` differs from the algorithm it was asked to be bound to",
                    ));
                }
                own
            }
            (None, Some(fallback)) => fallback,
            (None, None) => {
                return Err(invalid(
                    "the JWK has no `alg`; name the algorithm to bind it to",
                ));
            }
        };
        if !self.fits(alg) {
            return Err(Error::KeyMismatch {
                alg,
                found: self.describe(),
            });
        }
        Ok(alg)
    }

    /// Whether this key's type (and curve) is what `alg` needs (`EC` P-256 for ES256, ...).
    pub fn fits(&self, alg: Algorithm) -> bool {
        self.family() == alg.family()
    }

    pub(crate) fn family(&self) -> Family {
        match &self.params {
            Params::Oct { .. } => Family::Hmac,
            Params::Rsa { .. } => Family::Rsa,
            Params::Ec { family, .. } => *family,
            Params::Ed25519 { .. } => Family::Ed25519,
        }
    }

    fn describe(&self) -> &'static str {
        self.family().describe()
    }

    /// Refuses keys whose `use`/`key_ops` do not allow `operation` (`verify` or `sign`).
    fn permits(&self, operation: &'static str) -> Result<(), Error> {
        if self.key_use.as_deref().is_some_and(|u| u != "sig") {
            return Err(unsupported(
                "the JWK is published for encryption (`use` is not `sig`)",
            ));
        }
        if let Some(ops) = &self.key_ops {
            if !ops.iter().any(|op| op == operation) {
                return Err(unsupported(
                    "the JWK's `key_ops` do not allow this operation",
                ));
            }
        }
        Ok(())
    }

    /// A verification key bound to the JWK's `alg`, or to `fallback` when it has none.
    ///
    /// When the JWK holds private members they are checked against the public ones first.
    ///
    /// # Errors
    /// [`Error::UnsupportedKey`] when `use`/`key_ops` forbid verification, [`Error::KeyMismatch`]
    /// when the key type does not fit the algorithm, the key errors of the typed constructors.
    pub fn verifying_key(&self, fallback: Option<Algorithm>) -> Result<VerifyingKey, Error> {
        self.permits("verify")?;
        let alg = self.bind(fallback)?;
        let key = match &self.params {
            Params::Oct { k } => VerifyingKey::from_hmac_secret(alg, k.expose())?,
            _ if self.is_private() => self.build_signing_key(alg)?.verifying_key(),
            Params::Rsa { n, e, .. } => VerifyingKey::from_rsa_components(alg, n, e)?,
            Params::Ec { x, y, .. } => VerifyingKey::from_ec_point(alg, &point(x, y))?,
            Params::Ed25519 { x, .. } => VerifyingKey::from_ed25519_bytes(alg, x)?,
        };
        Ok(match &self.kid {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        })
    }

    /// A signing key bound to the JWK's `alg`, or to `fallback` when it has none.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a public JWK or private members that do not match the public
    /// ones; otherwise as [`Jwk::verifying_key`].
    pub fn signing_key(&self, fallback: Option<Algorithm>) -> Result<SigningKey, Error> {
        self.permits("sign")?;
        let alg = self.bind(fallback)?;
        let key = self.build_signing_key(alg)?;
        Ok(match &self.kid {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        })
    }

    fn build_signing_key(&self, alg: Algorithm) -> Result<SigningKey, Error> {
        let public_only = || invalid("the JWK has no private members; it can only verify");
        match &self.params {
            Params::Oct { k } => SigningKey::from_hmac_secret(alg, k.expose()),
            Params::Rsa { n, e, private } => {
                let private = private.as_ref().ok_or_else(public_only)?;
                SigningKey::from_rsa_private(
                    alg,
                    RsaPrivate {
                        n: n.clone(),
                        e: e.clone(),
                        d: private.d.clone(),
                        p: private.p.clone(),
                        q: private.q.clone(),
                        dp: private.dp.clone(),
                        dq: private.dq.clone(),
                        qi: private.qi.clone(),
                    },
                )
            }
            Params::Ec { x, y, d, .. } => {
                SigningKey::from_ec_private(alg, d.clone().ok_or_else(public_only)?, &point(x, y))
            }
            Params::Ed25519 { x, d } => {
                SigningKey::from_ed25519_seed(alg, d.clone().ok_or_else(public_only)?, x)
            }
        }
    }

    /// The JWK as compact JSON (members in a stable order: `kty`, `kid`, `use`, `key_ops`, `alg`,
    /// then the key members).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn point(x: &[u8], y: &[u8]) -> Vec<u8> {
    let mut point = Vec::with_capacity(x.len().saturating_add(y.len()).saturating_add(1));
    point.push(0x04);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    point
}

impl VerifyingKey {
    /// The public JWK of this key, with its `alg`, `kid` and `use: "sig"`.
    ///
    /// ```
    /// use jwt_core::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::ES256)?.with_kid("k1");
    /// let jwk = key.verifying_key().to_jwk()?;
    /// assert_eq!(jwk.key_type(), "EC");
    /// assert_eq!(jwk.verifying_key(None)?.algorithm(), Algorithm::ES256);
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnsupportedKey`] for HMAC keys, whose only form is the secret itself.
    pub fn to_jwk(&self) -> Result<Jwk, Error> {
        let params = match self.public_parts() {
            PublicParts::Hmac => {
                return Err(unsupported(
                    "an HMAC key has no public JWK; export the SigningKey's private JWK",
                ));
            }
            PublicParts::Rsa { n, e } => Params::Rsa {
                n: n.to_vec(),
                e: e.to_vec(),
                private: None,
            },
            PublicParts::Ec { x, y } => Params::Ec {
                family: self.algorithm().family(),
                x: x.to_vec(),
                y: y.to_vec(),
                d: None,
            },
            PublicParts::Ed25519(x) => Params::Ed25519 { x: *x, d: None },
        };
        Ok(Jwk {
            params,
            kid: self.kid().map(str::to_owned),
            alg: Some(self.algorithm().name().to_owned()),
            key_use: Some("sig".to_owned()),
            key_ops: None,
        })
    }
}

impl SigningKey {
    /// The public JWK of this key (see [`VerifyingKey::to_jwk`]).
    ///
    /// # Errors
    /// [`Error::UnsupportedKey`] for HMAC keys.
    pub fn to_public_jwk(&self) -> Result<Jwk, Error> {
        self.verifying_key().to_jwk()
    }

    /// The private JWK of this key, including the secret members. Handle it as a secret.
    ///
    /// # Errors
    /// [`Error::UnsupportedKey`] if the private material could not be kept when the key was built.
    pub fn to_private_jwk(&self) -> Result<Jwk, Error> {
        let parts = self.private_parts().ok_or_else(|| {
            unsupported("this key's private material is not available for export")
        })?;
        let alg = self.algorithm();
        let params = match (parts, self.verifying_key().public_parts()) {
            (PrivateParts::Hmac(secret), _) => Params::Oct { k: secret.clone() },
            (PrivateParts::Rsa(rsa), _) => Params::Rsa {
                n: rsa.n.clone(),
                e: rsa.e.clone(),
                private: Some(RsaPrivateMembers {
                    d: rsa.d.clone(),
                    p: rsa.p.clone(),
                    q: rsa.q.clone(),
                    dp: rsa.dp.clone(),
                    dq: rsa.dq.clone(),
                    qi: rsa.qi.clone(),
                }),
            },
            (PrivateParts::Ec(d), PublicParts::Ec { x, y }) => Params::Ec {
                family: alg.family(),
                x: x.to_vec(),
                y: y.to_vec(),
                d: Some(d.clone()),
            },
            (PrivateParts::Ed25519(seed), PublicParts::Ed25519(x)) => Params::Ed25519 {
                x: *x,
                d: Some(seed.clone()),
            },
            _ => {
                return Err(unsupported(
                    "this key's private material is not available for export",
                ));
            }
        };
        Ok(Jwk {
            params,
            kid: self.kid().map(str::to_owned),
            alg: Some(alg.name().to_owned()),
            key_use: Some("sig".to_owned()),
            key_ops: None,
        })
    }
}

impl Serialize for Jwk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kty", self.key_type())?;
        if let Some(kid) = &self.kid {
            map.serialize_entry("kid", kid)?;
        }
        if let Some(key_use) = &self.key_use {
            map.serialize_entry("use", key_use)?;
        }
        if let Some(ops) = &self.key_ops {
            map.serialize_entry("key_ops", ops)?;
        }
        if let Some(alg) = &self.alg {
            map.serialize_entry("alg", alg)?;
        }
        let b64 = base64url::encode_string;
        match &self.params {
            Params::Oct { k } => map.serialize_entry("k", &b64(k.expose()))?,
            Params::Rsa { n, e, private } => {
                map.serialize_entry("n", &b64(n))?;
                map.serialize_entry("e", &b64(e))?;
                if let Some(p) = private {
                    for (name, value) in [
                        ("d", &p.d),
                        ("p", &p.p),
                        ("q", &p.q),
                        ("dp", &p.dp),
                        ("dq", &p.dq),
                        ("qi", &p.qi),
                    ] {
                        map.serialize_entry(name, &b64(value.expose()))?;
                    }
                }
            }
            Params::Ec { family, x, y, d } => {
                map.serialize_entry(
                    "crv",
                    if *family == Family::EcP256 {
                        "P-256"
                    } else {
                        "P-384"
                    },
                )?;
                map.serialize_entry("x", &b64(x))?;
                map.serialize_entry("y", &b64(y))?;
                if let Some(d) = d {
                    map.serialize_entry("d", &b64(d.expose()))?;
                }
            }
            Params::Ed25519 { x, d } => {
                map.serialize_entry("crv", "Ed25519")?;
                map.serialize_entry("x", &b64(x))?;
                if let Some(d) = d {
                    map.serialize_entry("d", &b64(d.expose()))?;
                }
            }
        }
        map.end()
    }
}

impl fmt::Debug for Jwk {
    /// Shows the metadata and the thumbprint; never key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.key_type())
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("use", &self.key_use)
            .field("key_ops", &self.key_ops)
            .field("private", &self.is_private())
            // An oct thumbprint is a hash of the secret: never shown.
            .field(
                "thumbprint",
                &self.to_public().map(|public| public.thumbprint()),
            )
            .finish()
    }
}
