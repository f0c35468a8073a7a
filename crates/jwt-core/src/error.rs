//! One error type for the whole crate, with a stable machine-readable code per case.
//!
//! Why one type: adapters (the actix extractor, the tracing verifier, the CLI) need to map every
//! failure to a status code, a log field or an exit code, and callers should be able to match on
//! [`ErrorKind`] without caring which stage failed.
//!
//! What an error never holds: the token, any part of it, key material, an expected signature or a
//! claim *value*. Errors name the stage, the claim (a name, not a value) and what the caller can
//! do about it. `serde_json` messages are never passed through, because they quote input
//! (`invalid type: string "admin"`).

use std::borrow::Cow;

use crate::algorithm::Algorithm;

/// Which base64url segment of a compact token failed to decode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Segment {
    /// The first segment (JOSE header).
    Header,
    /// The second segment (claims).
    Payload,
    /// The third segment (signature).
    Signature,
}

impl Segment {
    const fn name(self) -> &'static str {
        match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        }
    }
}

/// Everything that can go wrong when building keys, signing, or verifying.
///
/// Match on [`Error::kind`] for decisions; use `Display` for people. Neither ever contains
/// secrets, token bytes or claim values.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token is longer than the verifier's size limit.
    #[error(
        "token is longer than the {limit}-byte limit; raise `Limits::max_token_len` only if your issuer really needs it"
    )]
    TokenTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The decoded header is longer than the verifier's header limit.
    #[error("token header is longer than the {limit}-byte limit")]
    HeaderTooLarge {
        /// The configured limit in decoded bytes.
        limit: usize,
    },
    /// The token is not three non-empty dot-separated segments of base64url text.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// A segment is not canonical, unpadded base64url.
    #[error("the {} segment is not canonical unpadded base64url", .0.name())]
    InvalidBase64(Segment),
    /// The header is not a strict JSON object with the members a JWS needs.
    #[error("invalid token header: {0}")]
    InvalidHeader(&'static str),
    /// The `alg` names something this crate has never heard of.
    #[error("unknown algorithm in the token header")]
    UnknownAlgorithm,
    /// The `alg` is a registered name this crate refuses (`ES512`, `Ed448`, `none`, JWE names, ...).
    #[error(
        "unsupported algorithm `{name}`: this crate implements HS256/384/512, RS256/384/512, PS256/384/512, ES256, ES384 and EdDSA/Ed25519"
    )]
    UnsupportedAlgorithm {
        /// The registered name that was refused.
        name: &'static str,
    },
    /// The `alg` is valid, but no key of this verifier is bound to it.
    #[error("algorithm {alg} is not allowed: no key of this verifier is bound to it")]
    AlgorithmNotAllowed {
        /// The algorithm the token asked for.
        alg: Algorithm,
    },
    /// The header lists critical extensions (`crit`), none of which this crate implements.
    #[error(
        "the token header marks extensions as critical (`crit`); this verifier implements none, so it must reject the token"
    )]
    UnsupportedCriticalHeader,
    /// The header asks for an unencoded payload (`b64: false`, RFC 7797), which is not supported.
    #[error("unencoded payloads (`b64: false`, RFC 7797) are not supported")]
    UnencodedPayload,
    /// The header announces a nested token (`cty: JWT`), which is never unwrapped implicitly.
    #[error("nested tokens (`cty: JWT`) are not supported; verify each layer explicitly")]
    NestedToken,
    /// The token's `kid` names no key of this verifier.
    #[error("no key with the token's `kid` is configured for its algorithm")]
    UnknownKeyId,
    /// The token has no `kid` and more than one key fits its algorithm.
    #[error(
        "the token has no `kid` and several keys fit its algorithm; give each key a kid and have the issuer send it"
    )]
    AmbiguousKey,
    /// The signature does not verify (including a wrong length for the algorithm or key).
    #[error("invalid signature")]
    InvalidSignature,
    /// The (verified) payload is not a strict JSON object.
    #[error("invalid token payload: {0}")]
    InvalidPayload(&'static str),
    /// The payload is valid JSON but does not fit the caller's claims type.
    #[error("the claims do not fit the expected type: {problem}{}", claim_suffix(.claim))]
    ClaimsType {
        /// The claim that failed, when known (a name from the token, never its value).
        claim: Option<Box<str>>,
        /// What went wrong.
        problem: ClaimsProblem,
    },
    /// A registered claim has the wrong JSON type or is out of range.
    #[error("claim `{claim}` is invalid: {reason}")]
    InvalidClaim {
        /// The registered claim name.
        claim: &'static str,
        /// What is wrong with it.
        reason: ClaimProblem,
    },
    /// `exp` is in the past (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("the token is not valid yet (nbf)")]
    NotYetValid,
    /// `iat` is in the future (beyond the leeway) and the validation rejects that.
    #[error("the token claims to be issued in the future (iat)")]
    IssuedInFuture,
    /// `iat` is older than the validation's maximum age.
    #[error("the token is older than the maximum age allowed (iat)")]
    TooOld,
    /// `iss` is not one of the accepted issuers.
    #[error("the token's issuer (iss) is not accepted")]
    WrongIssuer,
    /// `aud` matches none of the accepted audiences, or the token has one and none is configured.
    #[error(
        "the token's audience (aud) is not accepted (`Validation::audience` lists those accepted; with none, any `aud` is refused)"
    )]
    WrongAudience,
    /// `sub` is not the expected subject.
    #[error("the token's subject (sub) is not the expected one")]
    WrongSubject,
    /// The header `typ` is not the expected type.
    #[error("the token's type (typ) is not the expected one")]
    WrongType,
    /// A claim that the validation requires is absent.
    #[error("required claim `{name}` is missing{hint}", name = .0, hint = missing_claim_hint(.0))]
    MissingClaim(Cow<'static, str>),
    /// Key material could not be parsed.
    #[error("invalid key: {0}")]
    InvalidKey(Cow<'static, str>),
    /// Key material is valid but too weak to be used (short HMAC secret, small RSA modulus).
    #[error("weak key: {0}")]
    WeakKey(Cow<'static, str>),
    /// Key material is of a type the chosen algorithm cannot use.
    #[error("{alg} needs {}, but the key is {found}", .alg.family().describe())]
    KeyMismatch {
        /// The algorithm the key was to be bound to.
        alg: Algorithm,
        /// What the key turned out to be.
        found: &'static str,
    },
    /// Key material is well-formed but of a kind this crate does not support.
    #[error("unsupported key: {0}")]
    UnsupportedKey(Cow<'static, str>),
    /// The claims or header could not be serialised to JSON when encoding.
    #[error("could not encode the token: {0}")]
    Encoding(&'static str),
    /// The crypto backend failed to produce a signature.
    #[error("signing failed")]
    Signing,
}

/// What is wrong with a registered claim; see [`Error::InvalidClaim`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ClaimProblem {
    /// A time claim that is not a JSON number.
    NotANumber,
    /// A time claim that is not finite.
    NotFinite,
    /// A time claim before 1970-01-01.
    BeforeEpoch,
    /// A time claim after 9999-12-31.
    AfterYear9999,
    /// `iss`, `sub` or `jti` that is not a JSON string.
    NotAString,
    /// `aud` that is neither a string nor a non-empty array of strings.
    NotAnAudience,
}

impl core::fmt::Display for ClaimProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ClaimProblem::NotANumber => "must be a JSON number of seconds since the epoch",
            ClaimProblem::NotFinite => "is not a finite number",
            ClaimProblem::BeforeEpoch => "is before 1970",
            ClaimProblem::AfterYear9999 => "is after the year 9999",
            ClaimProblem::NotAString => "must be a string",
            ClaimProblem::NotAnAudience => "must be a string or a non-empty array of strings",
        })
    }
}

/// Why the claims did not fit the caller's type; see [`Error::ClaimsType`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ClaimsProblem {
    /// A field the type requires is absent from the token.
    MissingField,
    /// The type does not allow a claim the token carries (`deny_unknown_fields`).
    UnknownClaim,
    /// The type does not accept a claim's JSON type or value.
    WrongTypeOrValue,
    /// The type does not deserialise from a JSON object at all.
    NotAnObjectType,
}

impl core::fmt::Display for ClaimsProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ClaimsProblem::MissingField => "a field of the claims type is missing from the token",
            ClaimsProblem::UnknownClaim => "the claims type does not allow this claim",
            ClaimsProblem::WrongTypeOrValue => {
                "the claims type does not accept this claim's type or value"
            }
            ClaimsProblem::NotAnObjectType => {
                "the claims type does not deserialise from a JSON object"
            }
        })
    }
}

/// Where the requirement comes from, so the message says how to change it.
fn missing_claim_hint(claim: &str) -> &'static str {
    if claim == "exp" {
        " (required by default, and by `Validation::require`; `allow_missing_exp` lifts the default)"
    } else {
        " (an expected `iss`/`aud`/`sub`, `max_age` or `Validation::require` asks for it)"
    }
}

fn claim_suffix(claim: &Option<Box<str>>) -> String {
    match claim {
        Some(name) => format!(" (claim `{name}`)"),
        None => String::new(),
    }
}

/// A stable, machine-readable classification of an [`Error`].
///
/// The [`code`](ErrorKind::code) strings are a public contract: logs, metrics, the tracing
/// verifier's `error.type` field and HTTP adapters use them, and they never change meaning.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::TokenTooLarge`] and [`Error::HeaderTooLarge`].
    TooLarge,
    /// See [`Error::Malformed`].
    Malformed,
    /// See [`Error::InvalidBase64`].
    InvalidBase64,
    /// See [`Error::InvalidHeader`].
    InvalidHeader,
    /// See [`Error::UnknownAlgorithm`].
    UnknownAlgorithm,
    /// See [`Error::UnsupportedAlgorithm`].
    UnsupportedAlgorithm,
    /// See [`Error::AlgorithmNotAllowed`].
    AlgorithmNotAllowed,
    /// See [`Error::UnsupportedCriticalHeader`], [`Error::UnencodedPayload`] and
    /// [`Error::NestedToken`].
    UnsupportedHeader,
    /// See [`Error::UnknownKeyId`].
    UnknownKeyId,
    /// See [`Error::AmbiguousKey`].
    AmbiguousKey,
    /// See [`Error::InvalidSignature`].
    InvalidSignature,
    /// See [`Error::InvalidPayload`] and [`Error::ClaimsType`].
    InvalidPayload,
    /// See [`Error::InvalidClaim`].
    InvalidClaim,
    /// See [`Error::Expired`].
    Expired,
    /// See [`Error::NotYetValid`].
    NotYetValid,
    /// See [`Error::IssuedInFuture`].
    IssuedInFuture,
    /// See [`Error::TooOld`].
    TooOld,
    /// See [`Error::WrongIssuer`].
    WrongIssuer,
    /// See [`Error::WrongAudience`].
    WrongAudience,
    /// See [`Error::WrongSubject`].
    WrongSubject,
    /// See [`Error::WrongType`].
    WrongType,
    /// See [`Error::MissingClaim`].
    MissingClaim,
    /// See [`Error::InvalidKey`].
    InvalidKey,
    /// See [`Error::WeakKey`].
    WeakKey,
    /// See [`Error::KeyMismatch`].
    KeyMismatch,
    /// See [`Error::UnsupportedKey`].
    UnsupportedKey,
    /// See [`Error::Encoding`] and [`Error::Signing`].
    Encoding,
}

impl ErrorKind {
    /// The stable code, e.g. `"expired"` or `"invalid_signature"`.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Malformed => "malformed",
            ErrorKind::InvalidBase64 => "invalid_base64",
            ErrorKind::InvalidHeader => "invalid_header",
            ErrorKind::UnknownAlgorithm => "unknown_algorithm",
            ErrorKind::UnsupportedAlgorithm => "unsupported_algorithm",
            ErrorKind::AlgorithmNotAllowed => "algorithm_not_allowed",
            ErrorKind::UnsupportedHeader => "unsupported_header",
            ErrorKind::UnknownKeyId => "unknown_key_id",
            ErrorKind::AmbiguousKey => "ambiguous_key",
            ErrorKind::InvalidSignature => "invalid_signature",
            ErrorKind::InvalidPayload => "invalid_payload",
            ErrorKind::InvalidClaim => "invalid_claim",
            ErrorKind::Expired => "expired",
            ErrorKind::NotYetValid => "not_yet_valid",
            ErrorKind::IssuedInFuture => "issued_in_future",
            ErrorKind::TooOld => "too_old",
            ErrorKind::WrongIssuer => "wrong_issuer",
            ErrorKind::WrongAudience => "wrong_audience",
            ErrorKind::WrongSubject => "wrong_subject",
            ErrorKind::WrongType => "wrong_type",
            ErrorKind::MissingClaim => "missing_claim",
            ErrorKind::InvalidKey => "invalid_key",
            ErrorKind::WeakKey => "weak_key",
            ErrorKind::KeyMismatch => "key_mismatch",
            ErrorKind::UnsupportedKey => "unsupported_key",
            ErrorKind::Encoding => "encoding_failed",
        }
    }

    /// Whether the failure is about time (`exp`, `nbf`, `iat`) on a token whose signature and
    /// other claims were fine. Refresh flows act on these; see [`crate::Rejection`].
    pub const fn is_time_failure(self) -> bool {
        matches!(
            self,
            ErrorKind::Expired
                | ErrorKind::NotYetValid
                | ErrorKind::IssuedInFuture
                | ErrorKind::TooOld
        )
    }

    /// Whether the failure was caused by the token (the client), as opposed to the verifier's
    /// configuration or keys. HTTP adapters answer the first with 401 and log the second loudly.
    pub const fn is_token_fault(self) -> bool {
        !matches!(
            self,
            ErrorKind::InvalidKey
                | ErrorKind::WeakKey
                | ErrorKind::KeyMismatch
                | ErrorKind::UnsupportedKey
                | ErrorKind::Encoding
        )
    }
}

impl core::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code())
    }
}

impl Error {
    /// The stable classification of this error.
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Error::TokenTooLarge { .. } | Error::HeaderTooLarge { .. } => ErrorKind::TooLarge,
            Error::Malformed(_) => ErrorKind::Malformed,
            Error::InvalidBase64(_) => ErrorKind::InvalidBase64,
            Error::InvalidHeader(_) => ErrorKind::InvalidHeader,
            Error::UnknownAlgorithm => ErrorKind::UnknownAlgorithm,
            Error::UnsupportedAlgorithm { .. } => ErrorKind::UnsupportedAlgorithm,
            Error::AlgorithmNotAllowed { .. } => ErrorKind::AlgorithmNotAllowed,
            Error::UnsupportedCriticalHeader | Error::UnencodedPayload | Error::NestedToken => {
                ErrorKind::UnsupportedHeader
            }
            Error::UnknownKeyId => ErrorKind::UnknownKeyId,
            Error::AmbiguousKey => ErrorKind::AmbiguousKey,
            Error::InvalidSignature => ErrorKind::InvalidSignature,
            Error::InvalidPayload(_) | Error::ClaimsType { .. } => ErrorKind::InvalidPayload,
            Error::InvalidClaim { .. } => ErrorKind::InvalidClaim,
            Error::Expired => ErrorKind::Expired,
            Error::NotYetValid => ErrorKind::NotYetValid,
            Error::IssuedInFuture => ErrorKind::IssuedInFuture,
            Error::TooOld => ErrorKind::TooOld,
            Error::WrongIssuer => ErrorKind::WrongIssuer,
            Error::WrongAudience => ErrorKind::WrongAudience,
            Error::WrongSubject => ErrorKind::WrongSubject,
            Error::WrongType => ErrorKind::WrongType,
            Error::MissingClaim(_) => ErrorKind::MissingClaim,
            Error::InvalidKey(_) => ErrorKind::InvalidKey,
            Error::WeakKey(_) => ErrorKind::WeakKey,
            Error::KeyMismatch { .. } => ErrorKind::KeyMismatch,
            Error::UnsupportedKey(_) => ErrorKind::UnsupportedKey,
            Error::Encoding(_) | Error::Signing => ErrorKind::Encoding,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_stays_small() {
        // Results of verify travel through every request: keep the error a few words wide.
        assert!(
            core::mem::size_of::<Error>() <= 32,
            "{}",
            core::mem::size_of::<Error>()
        );
    }

    #[test]
    fn codes_are_unique() {
        let kinds = [
            ErrorKind::TooLarge,
            ErrorKind::Malformed,
            ErrorKind::InvalidBase64,
            ErrorKind::InvalidHeader,
            ErrorKind::UnknownAlgorithm,
            ErrorKind::UnsupportedAlgorithm,
            ErrorKind::AlgorithmNotAllowed,
            ErrorKind::UnsupportedHeader,
            ErrorKind::UnknownKeyId,
            ErrorKind::AmbiguousKey,
            ErrorKind::InvalidSignature,
            ErrorKind::InvalidPayload,
            ErrorKind::InvalidClaim,
            ErrorKind::Expired,
            ErrorKind::NotYetValid,
            ErrorKind::IssuedInFuture,
            ErrorKind::TooOld,
            ErrorKind::WrongIssuer,
            ErrorKind::WrongAudience,
            ErrorKind::WrongSubject,
            ErrorKind::WrongType,
            ErrorKind::MissingClaim,
            ErrorKind::InvalidKey,
            ErrorKind::WeakKey,
            ErrorKind::KeyMismatch,
            ErrorKind::UnsupportedKey,
            ErrorKind::Encoding,
        ];
        let mut codes: Vec<_> = kinds.iter().map(|k| k.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
    }
}
