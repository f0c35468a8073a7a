//! Secret bytes we own: zeroized on drop, redacted in `Debug`, compared in constant time.
//!
//! ring keeps its own copies of key material (and does not zeroize them); what this crate keeps
//! for export (HMAC secrets, private JWK members) lives here so it is wiped when the last key
//! holding it is dropped.

use std::fmt;

use zeroize::Zeroize;

/// Secret key bytes.
#[derive(Clone, Default)]
pub(crate) struct Secret(Box<[u8]>);

impl Secret {
    pub(crate) fn new(bytes: &[u8]) -> Self {
        Secret(bytes.into())
    }

    /// Takes ownership of `bytes` without copying them.
    pub(crate) fn from_vec(bytes: Vec<u8>) -> Self {
        Secret(bytes.into_boxed_slice())
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl PartialEq for Secret {
    /// Constant time in the contents (lengths are not secret).
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(other.0.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes redacted>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_equality_works() {
        let secret = Secret::new(b"canary");
        assert_eq!(format!("{secret:?}"), "Secret(<6 bytes redacted>)");
        assert_eq!(secret, Secret::new(b"canary"));
        assert_ne!(secret, Secret::new(b"canarz"));
        assert_ne!(secret, Secret::new(b"canar"));
        assert_eq!(Secret::from_vec(b"ab".to_vec()).expose(), b"ab");
        assert!(Secret::default().is_empty());
        assert_eq!(secret.len(), 6);
    }
}
