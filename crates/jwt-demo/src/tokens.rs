//! Access tokens: the signing key, the claims, issuing and the matching verifier.
//!
//! Why EdDSA (Ed25519): small keys and signatures, fast verification, no parameter choices to
//! get wrong, and a public key that can be published as a JWK for other services. The key's
//! `kid` is its RFC 7638 thumbprint, so a restarted server with a new key never reuses a `kid`.
//! Tokens carry `typ: at+jwt` (the RFC 9068 media type; the demo does not claim the rest of
//! that profile, such as `client_id`) and the verifier insists on it, so no other JWT signed
//! with the same key (an ID token, say) is accepted as an access token.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{Algorithm, Encoder, JwkSet, KeySet, SigningKey, Validation, Verifier};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use crate::users::Account;

/// The access token media type (RFC 9068 §2.1).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";

/// The claims of the demo's access tokens.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user name.
    pub sub: String,
    /// Space-separated scopes.
    pub scope: String,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Expires at (Unix seconds).
    pub exp: u64,
    /// Unique token id (128 random bits, base64url).
    pub jti: String,
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Loads the signing key from a PKCS#8 PEM file, or generates one; gives it its thumbprint as
/// `kid`.
///
/// # Errors
/// The file cannot be read, is not an Ed25519 PKCS#8 PEM key, or key generation fails.
pub fn signing_key(file: Option<&Path>) -> Result<SigningKey, KeyError> {
    let key = match file {
        Some(path) => {
            let pem =
                std::fs::read(path).map_err(|e| KeyError::Read(path.display().to_string(), e))?;
            SigningKey::from_pem(Algorithm::EdDSA, pem)
                .map_err(|e| KeyError::Parse(path.display().to_string(), e))?
        }
        None => SigningKey::generate(Algorithm::EdDSA).map_err(KeyError::Generate)?,
    };
    let kid = key
        .to_public_jwk()
        .map_err(KeyError::Generate)?
        .thumbprint();
    Ok(key.with_kid(kid))
}

/// Why the signing key is unusable.
#[derive(Debug)]
pub enum KeyError {
    /// The key file could not be read.
    Read(String, std::io::Error),
    /// The key file is not a usable key.
    Parse(String, jwt_core::Error),
    /// A new key could not be made.
    Generate(jwt_core::Error),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::Read(path, e) => write!(f, "cannot read JWT_DEMO_KEY_FILE {path}: {e}"),
            KeyError::Parse(path, e) => write!(
                f,
                "JWT_DEMO_KEY_FILE {path} is not an Ed25519 PKCS#8 PEM private key ({e}); \
                 make one with `openssl genpkey -algorithm ed25519 -out {path}`"
            ),
            KeyError::Generate(e) => write!(f, "cannot generate a signing key: {e}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// Signs access tokens.
#[derive(Debug)]
pub struct TokenIssuer {
    key: SigningKey,
    issuer: String,
    audience: String,
    ttl: Duration,
    rng: SystemRandom,
}

impl TokenIssuer {
    /// An issuer signing with `key`.
    pub fn new(key: SigningKey, issuer: String, audience: String, ttl: Duration) -> Self {
        TokenIssuer {
            key,
            issuer,
            audience,
            ttl,
            rng: SystemRandom::new(),
        }
    }

    /// A signed access token for `account`, and its lifetime in seconds.
    ///
    /// # Errors
    /// If signing or the random generator fails.
    pub fn issue(&self, account: &Account, now: u64) -> Result<(String, u64), jwt_core::Error> {
        let mut jti = [0u8; 16];
        self.rng
            .fill(&mut jti)
            .map_err(|_| jwt_core::Error::Signing)?;
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: account.name.clone(),
            scope: account.scope.clone(),
            iat: now,
            exp: now.saturating_add(self.ttl.as_secs()),
            jti: Base64UrlUnpadded::encode_string(&jti),
        };
        let token = Encoder::new(&self.key)
            .typ(ACCESS_TOKEN_TYPE)
            .encode(&claims)?;
        Ok((token, self.ttl.as_secs()))
    }

    /// The verifier for these tokens: this key only, issuer, audience and type enforced, and
    /// `iat` held to what this issuer writes (never in the future, never older than a token's
    /// lifetime), so even a token signed with this key but made by other code (an `exp` in the
    /// year 5000) is refused.
    ///
    /// # Errors
    /// If the key set cannot be built (it always can for one key).
    pub fn verifier(&self) -> Result<Verifier, jwt_core::Error> {
        let keys = KeySet::new([self.key.verifying_key()])?;
        Ok(Verifier::with_key_set(keys).with_validation(
            Validation::new()
                .issuer(self.issuer.clone())
                .audience(self.audience.clone())
                .typ(ACCESS_TOKEN_TYPE)
                .reject_issued_in_future()
                .max_age(self.ttl.as_secs()),
        ))
    }

    /// The public JWK Set to publish.
    ///
    /// # Errors
    /// Never for an Ed25519 key.
    pub fn jwks(&self) -> Result<JwkSet, jwt_core::Error> {
        JwkSet::public([self.key.verifying_key()])
    }

    /// The signing key's `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.key.kid()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

    use super::*;

    #[test]
    fn issued_tokens_verify_and_carry_every_claim() {
        let issuer = TokenIssuer::new(
            signing_key(None).unwrap(),
            "iss".into(),
            "aud".into(),
            Duration::from_secs(300),
        );
        let account = Account {
            name: "alice".into(),
            scope: "read".into(),
        };
        let (token, ttl) = issuer.issue(&account, now()).unwrap();
        assert_eq!(ttl, 300);
        let verified = issuer
            .verifier()
            .unwrap()
            .verify::<AccessClaims>(&token)
            .unwrap();
        let claims = verified.claims();
        assert_eq!(
            (claims.sub.as_str(), claims.scope.as_str()),
            ("alice", "read")
        );
        assert_eq!(claims.exp - claims.iat, 300);
        assert_eq!(claims.jti.len(), 22);
        assert_eq!(verified.header().typ(), Some("at+jwt"));
        assert_eq!(verified.header().kid(), issuer.kid());
        assert_eq!(issuer.kid().unwrap().len(), 43, "a SHA-256 thumbprint");
    }

    #[test]
    fn a_pem_key_file_is_loaded() {
        let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
        let dir = std::env::temp_dir().join(format!("jwt-demo-key-{}", std::process::id()));
        std::fs::write(&dir, key.to_pkcs8_pem().unwrap().expose()).unwrap();
        let loaded = signing_key(Some(&dir)).unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(
            loaded.to_public_jwk().unwrap().thumbprint(),
            key.to_public_jwk().unwrap().thumbprint()
        );
        let missing = signing_key(Some(Path::new("/nonexistent/key.pem"))).unwrap_err();
        assert!(missing.to_string().contains("JWT_DEMO_KEY_FILE"));
    }
}
