//! Reading a token without verifying it, under a name that says so.
//!
//! Legitimate uses: showing a token to a person (`jwt inspect`), and routing before verification
//! (reading `kid` or `iss` to choose which verifier to use). Everything returned here is written
//! by whoever made the token. The same structural strictness applies as when verifying (size,
//! segments, canonical base64url, strict JSON objects, header policy but for the algorithm
//! allow-list and `typ`), so under the same [`Limits`] inspection reads a token the way the
//! verifier does.

use std::fmt;

use serde::Deserialize;

use crate::base64url;
use crate::claims::{self, Mode};
use crate::error::{Error, Segment};
use crate::header::Header;
use crate::token::{Limits, Parts};

/// Decodes a token's header and payload **without verifying the signature or any claim**.
///
/// Never authorise anything with the result. The name carries `danger` so that code review and
/// `grep` find every use.
///
/// ```
/// let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
/// let unverified = jwt_core::danger_decode_unverified(token)?;
/// assert_eq!(unverified.header().kid(), Some("k1"));
/// let claims: serde_json::Value = unverified.claims()?;
/// assert_eq!(claims["sub"], "alice");
/// # Ok::<(), jwt_core::Error>(())
/// ```
///
/// # Errors
/// The structural errors of verification: size, segments, base64url, header JSON and policy.
pub fn danger_decode_unverified(token: &str) -> Result<Unverified, Error> {
    danger_decode_unverified_with_limits(token, &Limits::default())
}

/// [`danger_decode_unverified`] under the given size limits, to inspect what a verifier with
/// raised limits would accept.
///
/// # Errors
/// As [`danger_decode_unverified`].
pub fn danger_decode_unverified_with_limits(
    token: &str,
    limits: &Limits,
) -> Result<Unverified, Error> {
    let limits = *limits;
    let parts = Parts::split(token.as_bytes(), &limits)?;
    let header_bytes =
        base64url::decode_vec(parts.header).ok_or(Error::InvalidBase64(Segment::Header))?;
    if header_bytes.len() > limits.max_header_len {
        return Err(Error::HeaderTooLarge {
            limit: limits.max_header_len,
        });
    }
    let payload =
        base64url::decode_vec(parts.payload).ok_or(Error::InvalidBase64(Segment::Payload))?;
    base64url::decode_vec(parts.signature).ok_or(Error::InvalidBase64(Segment::Signature))?;
    let header = Header::parse(&header_bytes, limits.max_json_depth)?;
    Ok(Unverified {
        header,
        header_bytes,
        payload,
        max_json_depth: limits.max_json_depth,
    })
}

/// A token's header and payload, **not verified**. See [`danger_decode_unverified`].
#[derive(Clone)]
pub struct Unverified {
    header: Header,
    header_bytes: Vec<u8>,
    payload: Vec<u8>,
    max_json_depth: usize,
}

impl Unverified {
    /// The unverified header.
    pub const fn header(&self) -> &Header {
        &self.header
    }

    /// The unverified header, consuming the token.
    pub fn into_header(self) -> Header {
        self.header
    }

    /// The decoded header bytes, as the token carries them (every member, in its order).
    pub fn header_bytes(&self) -> &[u8] {
        &self.header_bytes
    }

    /// The decoded payload bytes, as the token carries them.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The unverified claims, parsed strictly (a JSON object, unique names, registered claims of
    /// the right types) but not validated against any policy or clock.
    ///
    /// # Errors
    /// [`Error::InvalidPayload`], [`Error::InvalidClaim`] or [`Error::ClaimsType`].
    pub fn claims<'a, C: Deserialize<'a>>(&'a self) -> Result<C, Error> {
        claims::parse::<C>(&self.payload, self.max_json_depth, Mode::InspectOnly)
            .map(|checked| checked.claims)
    }
}

impl fmt::Debug for Unverified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unverified")
            .field("header", &self.header)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}
