//! The keys a verifier trusts, how one is chosen for a token, and how they are rotated.
//!
//! Selection never "tries every key": the token's `alg` must equal the chosen key's algorithm,
//! a `kid` must match exactly, and a token without `kid` is accepted only when exactly one key
//! fits its `alg`. Rotation swaps the whole set atomically ([`KeyStore`]); a verification in
//! flight finishes with the set it started with, and no lock is taken on the verify path.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::algorithm::Algorithm;
use crate::error::Error;
use crate::header::Header;
use crate::jwk::{JwkSet, SkippedKey};
use crate::keys::{MAX_KID_LEN, VerifyingKey};

/// An immutable set of verification keys, of any mix of algorithms.
///
/// ```
/// use jwt_core::{Algorithm, JwkSet, KeySet};
///
/// let jwks = JwkSet::from_json(r#"{"keys":[
///   {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed"},
///   {"kty":"EC","crv":"P-256","kid":"ec","use":"sig",
///    "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
/// ]}"#)?;
/// // Keys without `alg` are bound to the first fallback algorithm their type fits.
/// let (keys, skipped) = KeySet::from_jwk_set(&jwks, &[Algorithm::EdDSA, Algorithm::ES256]);
/// assert_eq!(keys.len(), 2);
/// assert!(skipped.is_empty());
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
}

impl KeySet {
    /// A set of `keys`.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if two keys share an algorithm and `kid` (or both lack a `kid`):
    /// a token could not tell them apart.
    pub fn new(keys: impl IntoIterator<Item = VerifyingKey>) -> Result<KeySet, Error> {
        let mut set = KeySet::default();
        for key in keys {
            set.push(key)?;
        }
        Ok(set)
    }

    fn push(&mut self, key: VerifyingKey) -> Result<(), Error> {
        if key.kid().is_some_and(|kid| kid.len() > MAX_KID_LEN) {
            return Err(Error::InvalidKey(
                "a kid longer than 256 bytes can never match a token".into(),
            ));
        }
        let clash = self
            .keys
            .iter()
            .any(|k| k.algorithm() == key.algorithm() && k.kid() == key.kid());
        if clash {
            return Err(Error::InvalidKey(
                "two keys share an algorithm and kid; give each key a distinct kid".into(),
            ));
        }
        self.keys.push(key);
        Ok(())
    }

    /// Imports every usable key of a JWK Set.
    ///
    /// A JWK with an `alg` is bound to it; one without is bound to the first algorithm in
    /// `fallback` that its key type fits. Entries that cannot be used for verification (wrong
    /// `use`/`key_ops`, no algorithm, unsupported, a `kid` and algorithm already taken) are
    /// returned as skipped, with the set's own skipped entries.
    pub fn from_jwk_set(set: &JwkSet, fallback: &[Algorithm]) -> (KeySet, Vec<SkippedKey>) {
        let mut keys = KeySet::default();
        let mut skipped = set.skipped().to_vec();
        for (index, jwk) in set.entries() {
            let choice = match jwk.alg() {
                Some(_) => None,
                None => fallback.iter().copied().find(|alg| jwk.fits(*alg)),
            };
            let imported = if jwk.alg().is_none() && choice.is_none() {
                Err(Error::InvalidKey(
                    "the JWK has no `alg` and no fallback algorithm fits its key type".into(),
                ))
            } else {
                jwk.verifying_key(choice).and_then(|key| keys.push(key))
            };
            if let Err(error) = imported {
                skipped.push(SkippedKey::new(index, jwk.kid().map(str::to_owned), error));
            }
        }
        skipped.sort_by_key(SkippedKey::index);
        (keys, skipped)
    }

    /// The keys.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether some key is bound to `alg` (the verifier's algorithm allow-list).
    pub(crate) fn allows(&self, alg: Algorithm) -> bool {
        self.keys.iter().any(|key| key.algorithm() == alg)
    }

    /// The one key that may verify a token with this header.
    ///
    /// # Errors
    /// [`Error::AlgorithmNotAllowed`] when no key has the token's algorithm,
    /// [`Error::UnknownKeyId`] when none has its `kid`, [`Error::AmbiguousKey`] when the token
    /// has no `kid` and several keys fit.
    pub fn select(&self, header: &Header) -> Result<&VerifyingKey, Error> {
        let alg = header.algorithm();
        let mut candidates = self.keys.iter().filter(|key| key.algorithm() == alg);
        let Some(first) = candidates.clone().next() else {
            return Err(Error::AlgorithmNotAllowed { alg });
        };
        match header.kid() {
            Some(kid) if kid.len() <= MAX_KID_LEN => {
                if let Some(exact) = candidates.clone().find(|key| key.kid() == Some(kid)) {
                    return Ok(exact);
                }
                // A set that gave no key of this algorithm a kid has opted out of kid routing.
                let all_unnamed = candidates.clone().all(|key| key.kid().is_none());
                if all_unnamed && candidates.nth(1).is_none() {
                    Ok(first)
                } else {
                    Err(Error::UnknownKeyId)
                }
            }
            Some(_) => Err(Error::UnknownKeyId),
            None if candidates.nth(1).is_none() => Ok(first),
            None => Err(Error::AmbiguousKey),
        }
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.keys).finish()
    }
}

/// A shared, atomically replaceable [`KeySet`]: the handle for key rotation.
///
/// Clones share the same keys. [`replace`](KeyStore::replace) publishes a new set to every
/// verifier using the store at once; verifications already running finish with the old set.
///
/// ```
/// use jwt_core::{Algorithm, KeySet, KeyStore, SigningKey, Verifier};
///
/// let old = SigningKey::generate(Algorithm::EdDSA)?.with_kid("2026-10");
/// let new = SigningKey::generate(Algorithm::EdDSA)?.with_kid("2026-11");
/// let store = KeyStore::new(KeySet::new([old.verifying_key()])?);
/// let verifier = Verifier::with_key_store(store.clone());
///
/// let token = jwt_core::encode(&new, &serde_json::json!({"exp": 4102444800u64}))?;
/// assert!(verifier.verify::<serde_json::Value>(&token).is_err());
/// store.replace(KeySet::new([old.verifying_key(), new.verifying_key()])?);
/// assert!(verifier.verify::<serde_json::Value>(&token).is_ok());
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct KeyStore {
    current: Arc<ArcSwap<KeySet>>,
}

impl KeyStore {
    /// A store holding `keys`.
    pub fn new(keys: KeySet) -> KeyStore {
        KeyStore {
            current: Arc::new(ArcSwap::from_pointee(keys)),
        }
    }

    /// Publishes a new set of keys to every verifier using this store.
    pub fn replace(&self, keys: KeySet) {
        self.current.store(Arc::new(keys));
    }

    /// The keys as of now.
    pub fn snapshot(&self) -> Arc<KeySet> {
        self.current.load_full()
    }

    /// A cheap, lock-free borrow of the current set for one verification.
    pub(crate) fn load(&self) -> arc_swap::Guard<Arc<KeySet>> {
        self.current.load()
    }
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("KeyStore")
            .field(&*self.current.load())
            .finish()
    }
}
