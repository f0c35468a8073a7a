//! RFC 7638 JWK thumbprints: SHA-256 over the required members only, in lexicographic order,
//! with no whitespace. Optional members (`kid`, `alg`, `use`) and private members never count,
//! so a private key and its public half have the same thumbprint.

use super::{Jwk, Params};
use crate::base64url;

/// The base64url SHA-256 thumbprint of `jwk`.
pub(super) fn sha256(jwk: &Jwk) -> String {
    let b64 = base64url::encode_string;
    // Member values are base64url or fixed names, so no JSON escaping is ever needed.
    let canonical = match &jwk.params {
        Params::Oct { k } => format!(r#"{{"k":"{}","kty":"oct"}}"#, b64(k.expose())),
        Params::Rsa { n, e, .. } => format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64(e), b64(n)),
        Params::Ec { x, y, .. } => {
            let crv = if x.len() == 32 { "P-256" } else { "P-384" };
            format!(
                r#"{{"crv":"{crv}","kty":"EC","x":"{}","y":"{}"}}"#,
                b64(x),
                b64(y)
            )
        }
        Params::Ed25519 { x, .. } => format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, b64(x)),
    };
    b64(ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes()).as_ref())
}

#[cfg(test)]
mod tests {
    use crate::Jwk;

    #[test]
    fn rfc_7638_rsa_example() {
        let jwk = Jwk::from_json(
            r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#,
        )
        .unwrap();
        assert_eq!(
            jwk.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
