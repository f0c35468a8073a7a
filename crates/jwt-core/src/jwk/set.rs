//! JWK Sets (RFC 7517 §5): a list of keys, parsed entry by entry.
//!
//! Identity providers publish keys this crate cannot use (P-521, RSA-OAEP encryption keys, future
//! key types). One such entry must not take the whole set down, so entries that fail to parse are
//! *skipped with their reason*, which the caller can log; only a document that is not a JWK Set
//! at all is an error.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

use super::Jwk;
use crate::error::Error;
use crate::keys::VerifyingKey;

/// The most keys a set may hold by default; real providers publish a handful.
pub const DEFAULT_MAX_JWKS_KEYS: usize = 100;

/// A JWK Set: the keys that parsed, and the entries that were skipped with why.
///
/// ```
/// use jwt_core::JwkSet;
///
/// let set = JwkSet::from_json(r#"{"keys":[
///     {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"a"},
///     {"kty":"EC","crv":"P-521","x":"AA","y":"AA","kid":"b"}
/// ]}"#)?;
/// assert_eq!(set.keys().len(), 1);
/// assert_eq!(set.skipped()[0].kid(), Some("b"));
/// assert!(set.skipped()[0].error().to_string().contains("P-521"));
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    /// Where each of `keys` stood in the document's `keys` array.
    positions: Vec<usize>,
    skipped: Vec<SkippedKey>,
}

/// A JWK Set entry that was not imported, and why.
#[derive(Debug, Clone)]
pub struct SkippedKey {
    index: usize,
    kid: Option<String>,
    error: std::sync::Arc<Error>,
}

impl SkippedKey {
    pub(crate) fn new(index: usize, kid: Option<String>, error: Error) -> Self {
        SkippedKey {
            index,
            kid: kid.map(|kid| kid.chars().take(256).collect()),
            error: std::sync::Arc::new(error),
        }
    }

    /// Position of the entry in the set's `keys` array.
    pub const fn index(&self) -> usize {
        self.index
    }

    /// The entry's `kid`, when it had a string one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Why it was skipped.
    pub fn error(&self) -> &Error {
        &self.error
    }
}

impl fmt::Display for SkippedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kid {
            Some(kid) => write!(
                f,
                "key #{} (kid {kid:?}) skipped: {}",
                self.index, self.error
            ),
            None => write!(f, "key #{} skipped: {}", self.index, self.error),
        }
    }
}

#[derive(Deserialize)]
struct RawSet<'a> {
    #[serde(borrow)]
    keys: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct KidOnly {
    kid: Option<serde_json::Value>,
}

impl JwkSet {
    /// Parses a JWK Set with at most [`DEFAULT_MAX_JWKS_KEYS`] entries.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if the text is not a JSON object with a `keys` array, or the array
    /// is longer than the limit. Individual bad entries are skipped, not errors.
    pub fn from_json(json: &str) -> Result<JwkSet, Error> {
        Self::from_json_with_limit(json, DEFAULT_MAX_JWKS_KEYS)
    }

    /// Parses a JWK Set with at most `max_keys` entries.
    ///
    /// # Errors
    /// As [`JwkSet::from_json`].
    pub fn from_json_with_limit(json: &str, max_keys: usize) -> Result<JwkSet, Error> {
        if json.trim_start().as_bytes().first() != Some(&b'{') {
            return Err(Error::InvalidKey(
                "a JWK Set is a JSON object with a `keys` array".into(),
            ));
        }
        let raw: RawSet<'_> = serde_json::from_str(json).map_err(|_| {
            Error::InvalidKey("not a JWK Set: expected a JSON object with a `keys` array".into())
        })?;
        if raw.keys.len() > max_keys {
            return Err(Error::InvalidKey(
                format!(
                    "the JWK Set has {} keys, more than the limit of {max_keys}",
                    raw.keys.len()
                )
                .into(),
            ));
        }
        let mut set = JwkSet::default();
        for (index, entry) in raw.keys.iter().enumerate() {
            match Jwk::from_json(entry.get()) {
                Ok(jwk) => {
                    set.keys.push(jwk);
                    set.positions.push(index);
                }
                Err(error) => {
                    let kid = serde_json::from_str::<KidOnly>(entry.get())
                        .ok()
                        .and_then(|k| k.kid)
                        .and_then(|k| k.as_str().map(|s| s.chars().take(256).collect()));
                    set.skipped.push(SkippedKey::new(index, kid, error));
                }
            }
        }
        Ok(set)
    }

    /// A set of the given keys.
    pub fn from_keys(keys: impl IntoIterator<Item = Jwk>) -> JwkSet {
        let keys: Vec<Jwk> = keys.into_iter().collect();
        JwkSet {
            positions: (0..keys.len()).collect(),
            keys,
            skipped: Vec::new(),
        }
    }

    /// The public JWK Set of verification keys (to publish at `/.well-known/jwks.json`).
    ///
    /// # Errors
    /// [`Error::UnsupportedKey`] if a key is an HMAC key, which must never be published.
    pub fn public(keys: impl IntoIterator<Item = VerifyingKey>) -> Result<JwkSet, Error> {
        let keys = keys
            .into_iter()
            .map(|key| key.to_jwk())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_keys(keys))
    }

    /// A set of keys that stood at the given positions of some document, with its skipped
    /// entries (for filtering a parsed set without losing where each key came from).
    pub(crate) fn from_positioned(keys: Vec<(usize, Jwk)>, skipped: Vec<SkippedKey>) -> JwkSet {
        let (positions, keys) = keys.into_iter().unzip();
        JwkSet {
            keys,
            positions,
            skipped,
        }
    }

    /// The keys that parsed, each with its position in the document's `keys` array.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (usize, &Jwk)> {
        self.positions.iter().copied().zip(self.keys.iter())
    }

    /// The keys that parsed.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The entries that did not, with their reasons.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The key with this `kid`, if any.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|jwk| jwk.kid() == Some(kid))
    }

    /// The set as compact JSON `{"keys":[...]}` (skipped entries are not written).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for JwkSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut set = serializer.serialize_struct("JwkSet", 1)?;
        set.serialize_field("keys", &self.keys)?;
        set.end()
    }
}
