//! Settings, with defaults that run with no setup, and the environment variables that change
//! them.
//!
//! Why the knobs exist: `JWT_DEMO_HOST`/`JWT_DEMO_PORT` because 8080 is often taken (named for
//! the demo: some shells set a `HOST` of their own, the machine's name, which would expose the
//! demo on the network); `JWT_DEMO_KEY_FILE` so that
//! tokens survive a restart (and to show loading a PKCS#8 PEM); the PBKDF2 iteration count only
//! as code (tests lower it so they run in milliseconds; a server should not be talked into weak
//! hashing by an environment variable); `JWT_DEMO_JWKS_URL`/`JWT_DEMO_JWKS_ISSUER` to show
//! `jwt_actix::RemoteJwks` accepting an external identity provider's tokens on `/me`.

use std::fmt;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

/// PBKDF2-HMAC-SHA256 iterations for stored passwords: OWASP's 2023 recommendation (600 000),
/// in every build (the workspace builds `ring` optimised in debug builds too, where a login
/// then takes a few tens of milliseconds). The count in use is logged at start-up.
pub const DEFAULT_PBKDF2_ITERATIONS: NonZeroU32 = match NonZeroU32::new(600_000) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

/// How the demo server issues and checks tokens.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    /// The `iss` of issued tokens (and the only issuer accepted).
    pub issuer: String,
    /// The `aud` of issued tokens (and the only audience accepted).
    pub audience: String,
    /// Lifetime of access tokens (default 300 s).
    pub access_ttl: Duration,
    /// Lifetime of a refresh token family from its login (default 8 h); rotation does not
    /// extend it.
    pub refresh_ttl: Duration,
    /// PBKDF2 iterations for the demo users' password hashes.
    pub pbkdf2_iterations: NonZeroU32,
    /// A PKCS#8 PEM Ed25519 private key to sign with; a fresh key is generated when `None`.
    pub key_file: Option<PathBuf>,
    /// An external issuer whose tokens `/me` also accepts, with keys from its JWK Set URL.
    pub external: Option<ExternalIssuer>,
}

/// An external issuer (an identity provider) whose access tokens `/me` accepts besides the
/// demo's own: `JWT_DEMO_JWKS_URL`, `JWT_DEMO_JWKS_ISSUER`, `JWT_DEMO_JWKS_AUDIENCE`, and
/// `JWT_DEMO_JWKS_CA` for a provider whose certificate a private CA issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalIssuer {
    /// The provider's JWK Set: `https://`, or `http://` to a loopback host.
    pub jwks_url: String,
    /// The `iss` its tokens carry (required: keys are trusted for this issuer only).
    pub issuer: Option<String>,
    /// The `aud` its tokens must carry (default: the demo's audience).
    pub audience: Option<String>,
    /// A PEM file of CA certificates to trust for the JWK Set URL instead of the Mozilla roots.
    pub ca_file: Option<PathBuf>,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            issuer: "jwt-demo".into(),
            audience: "jwt-demo-api".into(),
            access_ttl: Duration::from_secs(300),
            refresh_ttl: Duration::from_secs(8 * 3600),
            pbkdf2_iterations: DEFAULT_PBKDF2_ITERATIONS,
            key_file: None,
            external: None,
        }
    }
}

impl DemoConfig {
    /// The defaults, with `JWT_DEMO_ISSUER`, `JWT_DEMO_KEY_FILE` and `JWT_DEMO_JWKS_*` applied.
    pub fn from_env() -> DemoConfig {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> DemoConfig {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        DemoConfig {
            issuer: var("JWT_DEMO_ISSUER").unwrap_or_else(|| DemoConfig::default().issuer),
            key_file: var("JWT_DEMO_KEY_FILE").map(PathBuf::from),
            external: var("JWT_DEMO_JWKS_URL").map(|jwks_url| ExternalIssuer {
                jwks_url: jwks_url.trim().to_owned(),
                issuer: var("JWT_DEMO_JWKS_ISSUER"),
                audience: var("JWT_DEMO_JWKS_AUDIENCE"),
                ca_file: var("JWT_DEMO_JWKS_CA").map(PathBuf::from),
            }),
            ..DemoConfig::default()
        }
    }
}

/// Where the server listens: `JWT_DEMO_HOST` (default `127.0.0.1`) and `JWT_DEMO_PORT`
/// (default 8080).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenAddr {
    /// Host name or IP address.
    pub host: String,
    /// TCP port; 0 picks a free one.
    pub port: u16,
}

impl ListenAddr {
    /// Reads `JWT_DEMO_HOST` and `JWT_DEMO_PORT`.
    ///
    /// # Errors
    /// [`BadPort`] when `JWT_DEMO_PORT` is not a number from 0 to 65535.
    pub fn from_env() -> Result<ListenAddr, BadPort> {
        Self::from_values(
            std::env::var("JWT_DEMO_HOST").ok(),
            std::env::var("JWT_DEMO_PORT").ok(),
        )
    }

    fn from_values(host: Option<String>, port: Option<String>) -> Result<ListenAddr, BadPort> {
        let host = host
            .filter(|h| !h.trim().is_empty())
            .unwrap_or_else(|| "127.0.0.1".into());
        let port = match port.as_deref().map(str::trim) {
            None | Some("") => 8080,
            Some(text) => text.parse().map_err(|_| BadPort(text.to_owned()))?,
        };
        Ok(ListenAddr { host, port })
    }
}

/// `JWT_DEMO_PORT` is not a port number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadPort(pub String);

impl fmt::Display for BadPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "JWT_DEMO_PORT must be a number from 0 to 65535, not {:?}",
            self.0
        )
    }
}

impl std::error::Error for BadPort {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn listen_address_defaults_and_overrides() {
        assert_eq!(
            ListenAddr::from_values(None, None).unwrap(),
            ListenAddr {
                host: "127.0.0.1".into(),
                port: 8080
            }
        );
        let custom = ListenAddr::from_values(Some("0.0.0.0".into()), Some(" 9000 ".into()));
        assert_eq!(custom.unwrap().port, 9000);
        assert!(ListenAddr::from_values(None, Some("http".into())).is_err());
        assert!(ListenAddr::from_values(None, Some("70000".into())).is_err());
    }

    #[test]
    fn external_issuer_from_variables() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(DemoConfig::from_vars(vars(&[])).external, None);
        assert_eq!(DemoConfig::from_vars(vars(&[])).issuer, "jwt-demo");
        let named = DemoConfig::from_vars(vars(&[("JWT_DEMO_ISSUER", "http://127.0.0.1:9000")]));
        assert_eq!(named.issuer, "http://127.0.0.1:9000");
        assert_eq!(
            DemoConfig::from_vars(vars(&[("JWT_DEMO_JWKS_URL", " ")])).external,
            None
        );
        let config = DemoConfig::from_vars(vars(&[
            ("JWT_DEMO_JWKS_URL", "https://idp.example/jwks.json"),
            ("JWT_DEMO_JWKS_ISSUER", "https://idp.example"),
        ]));
        assert_eq!(
            config.external,
            Some(ExternalIssuer {
                jwks_url: "https://idp.example/jwks.json".into(),
                issuer: Some("https://idp.example".into()),
                audience: None,
                ca_file: None,
            })
        );
        let private = DemoConfig::from_vars(vars(&[
            ("JWT_DEMO_JWKS_URL", "https://idp.internal/keys"),
            ("JWT_DEMO_JWKS_CA", "/etc/idp-ca.pem"),
        ]));
        assert_eq!(
            private.external.and_then(|e| e.ca_file),
            Some(PathBuf::from("/etc/idp-ca.pem"))
        );
    }

    #[test]
    fn default_hashing_is_strong() {
        assert!(DemoConfig::default().pbkdf2_iterations.get() >= 600_000);
    }
}
