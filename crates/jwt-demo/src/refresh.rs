//! Refresh tokens: opaque, rotated on every use, stored hashed, revoked by family on reuse.
//!
//! Why this design (OAuth 2.0 Security BCP, RFC 9700 §4.14.2):
//! - **Opaque random** (256 bits): a refresh token is only ever read by this server, so it need
//!   not be a JWT, and it can be revoked by forgetting it.
//! - **Stored hashed** (SHA-256): a copy of the store does not let anyone refresh. A slow
//!   password hash is unnecessary for 256 random bits.
//! - **Rotation**: every refresh answers with a new refresh token and retires the old one.
//! - **Reuse detection**: the tokens from one login form a *family*. Presenting a retired token
//!   means that two parties hold tokens of the family (a thief and the user), and the server
//!   cannot tell which is which, so the whole family is revoked: the newest token stops working
//!   too, and the user must log in again.
//! - A family expires a fixed time after its login; rotation does not extend it.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom, SystemRandom};

use crate::users::Account;

/// Random bytes in a refresh token.
const TOKEN_BYTES: usize = 32;

type TokenHash = [u8; 32];

/// Why a refresh token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshError {
    /// Not a token this server issued (or one already forgotten after expiry).
    Unknown,
    /// The token had been used already: its whole family is now revoked.
    Reused,
    /// The family was revoked earlier (after a reuse).
    Revoked,
    /// The family's lifetime is over.
    Expired,
    /// The system random generator failed.
    Random,
}

impl RefreshError {
    /// A fixed description for the client.
    pub const fn description(self) -> &'static str {
        match self {
            RefreshError::Unknown => "unknown refresh token",
            RefreshError::Reused => {
                "refresh token reuse detected: every refresh token of this login is revoked"
            }
            RefreshError::Revoked => "this login was revoked; log in again",
            RefreshError::Expired => "the refresh token has expired; log in again",
            RefreshError::Random => "the server could not make a token",
        }
    }
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

impl std::error::Error for RefreshError {}

struct Entry {
    family: u64,
    used: bool,
}

struct Family {
    account: Account,
    expires_at: u64,
    revoked: bool,
}

#[derive(Default)]
struct State {
    tokens: HashMap<TokenHash, Entry>,
    families: HashMap<u64, Family>,
    next_family: u64,
}

/// The server-side record of refresh tokens.
pub struct RefreshStore {
    state: Mutex<State>,
    ttl: Duration,
    rng: SystemRandom,
}

/// A new refresh token for an account.
#[derive(Debug)]
pub struct Rotated {
    /// The account the token family belongs to.
    pub account: Account,
    /// The new refresh token (give it to the client; only its hash is kept).
    pub refresh_token: String,
    /// The family, for logs.
    pub family: u64,
}

impl RefreshStore {
    /// A store whose families live `ttl` from their login.
    pub fn new(ttl: Duration) -> RefreshStore {
        RefreshStore {
            state: Mutex::new(State::default()),
            ttl,
            rng: SystemRandom::new(),
        }
    }

    /// Starts a family for a fresh login and returns its first token.
    ///
    /// # Errors
    /// [`RefreshError::Random`] if the random generator fails.
    pub fn start(&self, account: Account, now: u64) -> Result<Rotated, RefreshError> {
        let token = self.random_token()?;
        let mut state = self.lock();
        state.forget_expired(now);
        let family = state.next_family;
        state.next_family = family.wrapping_add(1);
        state.families.insert(
            family,
            Family {
                account: account.clone(),
                expires_at: now.saturating_add(self.ttl.as_secs()),
                revoked: false,
            },
        );
        state.tokens.insert(
            hash(&token),
            Entry {
                family,
                used: false,
            },
        );
        Ok(Rotated {
            account,
            refresh_token: token,
            family,
        })
    }

    /// Exchanges a refresh token for a new one of the same family; detects reuse.
    ///
    /// # Errors
    /// See [`RefreshError`]; after [`RefreshError::Reused`] every token of the family fails
    /// with [`RefreshError::Revoked`].
    pub fn rotate(&self, presented: &str, now: u64) -> Result<Rotated, RefreshError> {
        let token = self.random_token()?;
        let mut state = self.lock();
        let State {
            tokens, families, ..
        } = &mut *state;
        let entry = tokens
            .get_mut(&hash(presented))
            .ok_or(RefreshError::Unknown)?;
        let family_id = entry.family;
        let family = families.get_mut(&family_id).ok_or(RefreshError::Unknown)?;
        if family.revoked {
            return Err(RefreshError::Revoked);
        }
        if entry.used {
            family.revoked = true;
            tracing::warn!(
                family = family_id,
                sub = %family.account.name,
                "refresh token reuse: the token family is revoked"
            );
            return Err(RefreshError::Reused);
        }
        if now >= family.expires_at {
            return Err(RefreshError::Expired);
        }
        entry.used = true;
        let account = family.account.clone();
        tokens.insert(
            hash(&token),
            Entry {
                family: family_id,
                used: false,
            },
        );
        // Expired families go here too, not only at the next login.
        state.forget_expired(now);
        Ok(Rotated {
            account,
            refresh_token: token,
            family: family_id,
        })
    }

    /// Ends the login `presented` belongs to (logout): every refresh token of its family stops
    /// working. Returns the family revoked, or `None` for a token this store does not know
    /// (the caller answers the same either way, as RFC 7009 §2.2 asks).
    pub fn revoke(&self, presented: &str) -> Option<u64> {
        let mut state = self.lock();
        let State {
            tokens, families, ..
        } = &mut *state;
        let family_id = tokens.get(&hash(presented))?.family;
        let family = families.get_mut(&family_id)?;
        family.revoked = true;
        Some(family_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent across a panic elsewhere: every change is one insert or
        // one flag.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn random_token(&self) -> Result<String, RefreshError> {
        let mut bytes = [0u8; TOKEN_BYTES];
        self.rng
            .fill(&mut bytes)
            .map_err(|_| RefreshError::Random)?;
        Ok(Base64UrlUnpadded::encode_string(&bytes))
    }
}

impl fmt::Debug for RefreshStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("RefreshStore")
            .field("tokens", &state.tokens.len())
            .field("families", &state.families.len())
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl State {
    /// Drops expired families and their tokens (retired tokens are kept until then, so that
    /// reuse is still detected).
    fn forget_expired(&mut self, now: u64) {
        self.families.retain(|_, family| now < family.expires_at);
        let families = &self.families;
        self.tokens
            .retain(|_, entry| families.contains_key(&entry.family));
    }
}

fn hash(token: &str) -> TokenHash {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, token.as_bytes()).as_ref());
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

    use super::*;

    fn alice() -> Account {
        Account {
            name: "alice".into(),
            scope: "read".into(),
        }
    }

    #[test]
    fn rotation_and_reuse_detection() {
        let store = RefreshStore::new(Duration::from_secs(100));
        let first = store.start(alice(), 1000).unwrap();
        let second = store.rotate(&first.refresh_token, 1001).unwrap();
        assert_eq!(second.account, alice());
        assert_eq!(second.family, first.family);
        assert_ne!(second.refresh_token, first.refresh_token);
        let third = store.rotate(&second.refresh_token, 1002).unwrap();

        // The first token again: reuse, the family dies, the newest token with it.
        assert_eq!(
            store.rotate(&first.refresh_token, 1003).unwrap_err(),
            RefreshError::Reused
        );
        assert_eq!(
            store.rotate(&third.refresh_token, 1004).unwrap_err(),
            RefreshError::Revoked
        );
        // Another login is a new family and unaffected.
        let other = store.start(alice(), 1005).unwrap();
        assert_ne!(other.family, first.family);
        assert!(store.rotate(&other.refresh_token, 1006).is_ok());
    }

    #[test]
    fn expired_families_are_forgotten_on_rotation_too() {
        let store = RefreshStore::new(Duration::from_secs(10));
        let old = store.start(alice(), 1000).unwrap();
        let _ = store.rotate(&old.refresh_token, 1001).unwrap();
        let young = store.start(alice(), 1005).unwrap();
        assert!(format!("{store:?}").contains("families: 2"));
        // At 1012 the first family has expired: rotating the young one sweeps it.
        let _ = store.rotate(&young.refresh_token, 1012).unwrap();
        let shown = format!("{store:?}");
        assert!(shown.contains("families: 1"), "{shown}");
        assert!(shown.contains("tokens: 2"), "{shown}");
        assert_eq!(store.revoke(&old.refresh_token), None, "forgotten");
    }

    #[test]
    fn unknown_and_expired_tokens() {
        let store = RefreshStore::new(Duration::from_secs(100));
        assert_eq!(
            store.rotate("made-up", 1000).unwrap_err(),
            RefreshError::Unknown
        );
        let first = store.start(alice(), 1000).unwrap();
        assert_eq!(
            store.rotate(&first.refresh_token, 1100).unwrap_err(),
            RefreshError::Expired
        );
        // Expired families are forgotten at the next login.
        store.start(alice(), 1200).unwrap();
        assert_eq!(
            store.rotate(&first.refresh_token, 1201).unwrap_err(),
            RefreshError::Unknown
        );
        let shown = format!("{store:?}");
        assert!(shown.contains("tokens: 1"), "{shown}");
    }

    #[test]
    fn only_hashes_are_stored() {
        let store = RefreshStore::new(Duration::from_secs(100));
        let issued = store.start(alice(), 1000).unwrap();
        assert_eq!(issued.refresh_token.len(), 43);
        let state = store.lock();
        assert!(state.tokens.contains_key(&hash(&issued.refresh_token)));
        assert!(
            !state
                .tokens
                .keys()
                .any(|k| k.as_slice() == issued.refresh_token.as_bytes())
        );
    }
}
