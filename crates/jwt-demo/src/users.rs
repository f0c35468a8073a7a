//! The demo's user directory: in memory, passwords stored only as PBKDF2 hashes.
//!
//! Why PBKDF2 from ring: it is the password hash ring offers (no extra dependency), with
//! HMAC-SHA256, a random 16-byte salt per user and a high iteration count; `ring::pbkdf2::verify`
//! compares in constant time. A login for an unknown user still runs one full verification
//! against a dummy hash, so response time does not reveal which user names exist.
//!
//! Checking a password costs hundreds of milliseconds of CPU by design; the routes run it on
//! actix's blocking thread pool so it never stalls a worker.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;

use ring::pbkdf2;
use ring::rand::{SecureRandom, SystemRandom};

const ALGORITHM: pbkdf2::Algorithm = pbkdf2::PBKDF2_HMAC_SHA256;
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

/// The documented demo accounts: (user name, password, scope).
pub const DEMO_USERS: [(&str, &str, &str); 2] = [
    ("alice", "alice-password", "read"),
    ("admin", "admin-password", "read admin"),
];

struct StoredUser {
    scope: String,
    salt: [u8; SALT_LEN],
    hash: [u8; HASH_LEN],
}

/// A user whose password checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The user name (the token's `sub`).
    pub name: String,
    /// The space-separated scopes granted to the user.
    pub scope: String,
}

/// Users and their password hashes.
pub struct UserStore {
    users: HashMap<String, StoredUser>,
    iterations: NonZeroU32,
    /// Verified against when the user name is unknown, to spend the same time.
    dummy: StoredUser,
}

impl UserStore {
    /// An empty store hashing with `iterations`.
    pub fn new(iterations: NonZeroU32) -> UserStore {
        // Any salt and hash will do: verifying against them costs a full PBKDF2 run and fails.
        let dummy = StoredUser {
            scope: String::new(),
            salt: [0; SALT_LEN],
            hash: [0; HASH_LEN],
        };
        UserStore {
            users: HashMap::new(),
            iterations,
            dummy,
        }
    }

    /// The store with [`DEMO_USERS`], hashed in parallel (start-up waits for one hash, not two).
    ///
    /// # Errors
    /// If the system random generator fails.
    pub fn with_demo_users(iterations: NonZeroU32) -> Result<UserStore, ring::error::Unspecified> {
        let mut store = UserStore::new(iterations);
        let hashed = std::thread::scope(|scope| {
            let jobs: Vec<_> = DEMO_USERS
                .iter()
                .map(|&(name, password, scope_text)| {
                    scope.spawn(move || {
                        hash_password(iterations, password, scope_text).map(|user| (name, user))
                    })
                })
                .collect();
            jobs.into_iter()
                .map(|job| job.join().unwrap_or(Err(ring::error::Unspecified)))
                .collect::<Result<Vec<_>, _>>()
        })?;
        for (name, user) in hashed {
            store.users.insert(name.to_owned(), user);
        }
        Ok(store)
    }

    /// Adds (or replaces) a user, hashing the password with a fresh random salt.
    ///
    /// # Errors
    /// If the system random generator fails.
    pub fn add(
        &mut self,
        name: &str,
        password: &str,
        scope: &str,
    ) -> Result<(), ring::error::Unspecified> {
        let user = hash_password(self.iterations, password, scope)?;
        self.users.insert(name.to_owned(), user);
        Ok(())
    }

    /// The account, if `password` is the user's password. Always costs one PBKDF2 run.
    pub fn check(&self, name: &str, password: &str) -> Option<Account> {
        let (user, known) = match self.users.get(name) {
            Some(user) => (user, true),
            None => (&self.dummy, false),
        };
        let matches = pbkdf2::verify(
            ALGORITHM,
            self.iterations,
            &user.salt,
            password.as_bytes(),
            &user.hash,
        )
        .is_ok();
        (known && matches).then(|| Account {
            name: name.to_owned(),
            scope: user.scope.clone(),
        })
    }
}

impl fmt::Debug for UserStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserStore")
            .field("users", &self.users.len())
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

fn hash_password(
    iterations: NonZeroU32,
    password: &str,
    scope: &str,
) -> Result<StoredUser, ring::error::Unspecified> {
    let mut salt = [0u8; SALT_LEN];
    SystemRandom::new().fill(&mut salt)?;
    let mut hash = [0u8; HASH_LEN];
    pbkdf2::derive(ALGORITHM, iterations, &salt, password.as_bytes(), &mut hash);
    Ok(StoredUser {
        scope: scope.to_owned(),
        salt,
        hash,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn store() -> UserStore {
        UserStore::with_demo_users(NonZeroU32::new(10).unwrap()).unwrap()
    }

    #[test]
    fn demo_users_log_in_with_their_passwords_only() {
        let store = store();
        assert_eq!(
            store.check("alice", "alice-password"),
            Some(Account {
                name: "alice".into(),
                scope: "read".into()
            })
        );
        assert_eq!(
            store.check("admin", "admin-password").unwrap().scope,
            "read admin"
        );
        assert_eq!(store.check("alice", "admin-password"), None);
        assert_eq!(store.check("alice", ""), None);
        assert_eq!(store.check("mallory", "alice-password"), None);
        // The dummy hash never logs anybody in, whatever its password.
        assert_eq!(store.check("", "not a password of anybody"), None);
    }

    #[test]
    fn salts_differ_per_user_and_hashes_are_not_passwords() {
        let mut store = store();
        store.add("bob", "alice-password", "read").unwrap();
        let alice = &store.users["alice"];
        let bob = &store.users["bob"];
        assert_ne!(alice.salt, bob.salt);
        assert_ne!(alice.hash, bob.hash, "same password, different salt");
        assert!(!format!("{store:?}").contains("password"));
    }
}
