//! PEM framing (RFC 7468) around the DER containers, and the advice to give for PEM we refuse.
//!
//! Framing and base64 are done by `pem-rfc7468` (strict, constant-time: PEM carries secrets).
//! Around it we accept what key files look like in practice: surrounding whitespace, CRLF line
//! endings, and the `EC PARAMETERS` block that `openssl ecparam -genkey` writes first.

use std::borrow::Cow;

use crate::error::Error;

/// The DER containers a PEM label announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Container {
    /// `PRIVATE KEY`: PKCS#8.
    Pkcs8,
    /// `RSA PRIVATE KEY`: PKCS#1.
    Pkcs1Private,
    /// `EC PRIVATE KEY`: SEC1.
    Sec1,
    /// `PUBLIC KEY`: SubjectPublicKeyInfo.
    Spki,
    /// `RSA PUBLIC KEY`: PKCS#1.
    Pkcs1Public,
}

/// A decoded PEM document: which container, and its DER bytes.
pub(crate) struct Document {
    pub(crate) container: Container,
    pub(crate) der: Vec<u8>,
}

impl core::fmt::Debug for Document {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Document")
            .field("container", &self.container)
            .finish_non_exhaustive()
    }
}

const BEGIN: &str = "-----BEGIN ";
const END: &str = "-----END ";

/// Finds the single key block in `text`, skipping `EC PARAMETERS`, and decodes it.
pub(crate) fn decode(text: &[u8]) -> Result<Document, Error> {
    let text = core::str::from_utf8(text).map_err(|_| invalid("the PEM text is not UTF-8"))?;
    let mut blocks =
        blocks(text).filter(|block| !block.starts_with("-----BEGIN EC PARAMETERS-----"));
    let block = blocks
        .next()
        .ok_or_else(|| invalid("no PEM block found (expected -----BEGIN ...-----)"))?;
    if blocks.next().is_some() {
        return Err(invalid(
            "the PEM text holds more than one key; give one key per file",
        ));
    }
    let normalised: Cow<'_, str> = if block.contains('\r') {
        Cow::Owned(block.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(block)
    };
    let (label, der) = pem_rfc7468::decode_vec(normalised.as_bytes())
        .map_err(|_| invalid("malformed PEM block (bad framing or base64)"))?;
    let container = container_for(label)?;
    Ok(Document { container, der })
}

/// Splits `text` into the `-----BEGIN` .. `-----END ...-----` blocks it contains.
fn blocks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    core::iter::from_fn(move || {
        let start = rest.find(BEGIN)?;
        let from_start = rest.get(start..)?;
        let end_marker = from_start.find(END)?;
        let after_end = from_start.get(end_marker.saturating_add(END.len())..)?;
        let close = after_end.find("-----")?;
        let block_len = end_marker
            .saturating_add(END.len())
            .saturating_add(close)
            .saturating_add(5);
        let block = from_start.get(..block_len)?;
        rest = from_start.get(block_len..).unwrap_or_default();
        Some(block)
    })
}

fn container_for(label: &str) -> Result<Container, Error> {
    Ok(match label {
        "PRIVATE KEY" => Container::Pkcs8,
        "RSA PRIVATE KEY" => Container::Pkcs1Private,
        "EC PRIVATE KEY" => Container::Sec1,
        "PUBLIC KEY" => Container::Spki,
        "RSA PUBLIC KEY" => Container::Pkcs1Public,
        "ENCRYPTED PRIVATE KEY" => {
            return Err(unsupported(
                "encrypted private keys are not supported; decrypt first (openssl pkcs8 -topk8 -nocrypt)",
            ));
        }
        "CERTIFICATE" => {
            return Err(unsupported(
                "certificates are not keys; extract the public key (openssl x509 -pubkey -noout)",
            ));
        }
        "OPENSSH PRIVATE KEY" => {
            return Err(unsupported(
                "OpenSSH keys are not supported; convert to PKCS#8 (ssh-keygen -p -m PKCS8)",
            ));
        }
        _ => {
            return Err(unsupported(
                "unknown PEM label; expected a PRIVATE KEY or PUBLIC KEY block",
            ));
        }
    })
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidKey(Cow::Borrowed(reason))
}

fn unsupported(reason: &'static str) -> Error {
    Error::UnsupportedKey(Cow::Borrowed(reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPKI: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";

    #[test]
    fn decodes_with_whitespace_and_crlf() {
        for text in [
            SPKI.to_string(),
            format!("  \n{SPKI}\n\n"),
            SPKI.replace('\n', "\r\n"),
        ] {
            let doc = decode(text.as_bytes()).unwrap();
            assert_eq!(doc.container, Container::Spki);
            assert_eq!(doc.der.len(), 44);
        }
    }

    #[test]
    fn skips_ec_parameters_block() {
        let text = format!(
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{SPKI}"
        );
        assert_eq!(decode(text.as_bytes()).unwrap().container, Container::Spki);
    }

    #[test]
    fn reject_two_keys_and_no_key() {
        let two = format!("{SPKI}{SPKI}");
        assert_eq!(
            decode(two.as_bytes()).unwrap_err().kind(),
            crate::ErrorKind::InvalidKey
        );
        assert_eq!(
            decode(b"hello").unwrap_err().kind(),
            crate::ErrorKind::InvalidKey
        );
        assert_eq!(
            decode(b"-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----")
                .unwrap_err()
                .kind(),
            crate::ErrorKind::InvalidKey
        );
    }

    #[test]
    fn refused_labels_say_what_to_do() {
        let cert = SPKI.replace("PUBLIC KEY", "CERTIFICATE");
        let err = decode(cert.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::UnsupportedKey);
        assert!(err.to_string().contains("openssl x509"));
    }
}
