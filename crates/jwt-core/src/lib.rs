//! Strict, fast, misuse-resistant JSON Web Tokens (JWS Compact Serialization) on `ring`.
//!
//! ```
//! use jwt_core::{Algorithm, SigningKey, Validation, Verifier};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Claims {
//!     sub: String,
//!     iss: String,
//!     exp: u64,
//! }
//!
//! // Issue: a key bound to one algorithm signs any serialisable claims.
//! let key = SigningKey::from_hmac_secret(Algorithm::HS256, b"0123456789abcdef0123456789abcdef")?;
//! let claims = Claims { sub: "alice".into(), iss: "https://issuer.example".into(), exp: 4_102_444_800 };
//! let token = jwt_core::encode(&key, &claims)?;
//!
//! // Verify: the verifier accepts only its keys' algorithms and checks exp/nbf whenever present.
//! let verifier = Verifier::new(key.verifying_key())
//!     .with_validation(Validation::new().issuer("https://issuer.example"));
//! let verified = verifier.verify::<Claims>(&token)?;
//! assert_eq!(verified.claims().sub, "alice");
//! # Ok::<(), jwt_core::Error>(())
//! ```
//!
//! What it guarantees, in short (the full model is `docs/security-model.md` in the repository):
//! - a key is bound to one [`Algorithm`] when it is built, and a [`Verifier`] accepts only the
//!   algorithms of its keys; `none` does not exist; unknown `crit` and `b64: false` are refused;
//! - input is strict: size limits, exactly three segments, canonical base64url, JSON objects
//!   without duplicate names; no input panics;
//! - the signature is checked before the payload is parsed, and the payload is parsed once,
//!   into your type, while `exp`, `nbf`, `iat`, `iss`, `aud`, `sub` are validated;
//! - errors carry a stable [`ErrorKind`] code and never contain tokens, secrets or claim values;
//!   keys have redacted `Debug` and no `Display`.

#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

mod algorithm;
mod base64url;
mod claims;
mod encode;
mod error;
mod header;
mod insecure;
mod instrument;
mod json;
mod jwk;
mod jwks_cache;
mod key_set;
mod keys;
mod token;
mod validation;
mod verify;

pub use algorithm::Algorithm;
pub use claims::TimeClaims;
pub use encode::{Encoder, encode};
pub use error::{ClaimProblem, ClaimsProblem, Error, ErrorKind, Segment};
pub use header::Header;
pub use insecure::{Unverified, danger_decode_unverified, danger_decode_unverified_with_limits};
pub use instrument::{Instrument, Recorder};
pub use jwk::{DEFAULT_MAX_JWKS_KEYS, Jwk, JwkSet, SkippedKey};
pub use jwks_cache::{
    FetchCompletion, FetchDecision, FetchFailure, FetchPermit, JwksCache, JwksPolicy,
};
pub use key_set::{KeySet, KeyStore};
pub use keys::{SecretDer, SecretPem, SigningKey, VerifyingKey};
pub use token::Limits;
pub use validation::{
    COARSE_CLOCK_MARGIN_MS, Clock, FixedClock, MAX_LEEWAY_SECS, SystemClock, Validation,
};
pub use verify::{Rejection, Verified, Verifier};
