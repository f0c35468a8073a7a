//! The two ways a command fails, and the single stderr line each becomes.
//!
//! Why only two: scripts branch on the exit code. `1` means "this token is not acceptable"
//! (signature, claims, structure, unknown `kid`): retrying with the same token is pointless, but
//! the setup is fine. `2` means "the invocation is wrong" (flags, unreadable or unsuitable key
//! files, a payload that is not a JSON object): fix the command, not the token. Mixing them up
//! would make a misconfigured verifier look like an attack, or the reverse.
//!
//! Every message is forced onto one line, since wrapper scripts read exactly one line of stderr.
//! `jwt-core` errors are quoted with their stable [`jwt_core::ErrorKind`] code first, so the
//! line can be matched without parsing English.

use jwt_core::Error;

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The token was rejected (exit code 1).
    Rejected(String),
    /// The command line, a key file or an input is unusable (exit code 2).
    Usage(String),
}

impl Failure {
    /// A usage error with a message of our own.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    /// A verification failure: `token rejected: <code> (<what jwt-core says>)`.
    pub(crate) fn rejected(error: &Error) -> Self {
        Failure::Rejected(format!("token rejected: {}", describe(error)))
    }

    /// A token that could not even be read (for `inspect`, which verifies nothing).
    pub(crate) fn malformed(error: &Error) -> Self {
        Failure::Rejected(format!("malformed token: {}", describe(error)))
    }

    /// A usage error caused by a `jwt-core` error, with what was being done as context.
    pub(crate) fn usage_from(context: impl std::fmt::Display, error: &Error) -> Self {
        Failure::Usage(format!("{context}: {}", describe(error)))
    }

    /// The process exit code.
    pub(crate) const fn exit_code(&self) -> u8 {
        match self {
            Failure::Rejected(_) => 1,
            Failure::Usage(_) => 2,
        }
    }

    /// The one line written to stderr: `error: ...`, without any line break inside.
    pub(crate) fn line(&self) -> String {
        let message = match self {
            Failure::Rejected(message) | Failure::Usage(message) => message,
        };
        let flat: String = message
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!("error: {}", flat.trim())
    }
}

/// `<stable code> (<message>)`, e.g. `expired (the token has expired)`.
///
/// The message is jwt-core's, except where jwt-core's names its Rust API as the remedy: there
/// the CLI says which option to pass instead.
pub(crate) fn describe(error: &Error) -> String {
    let code = error.kind().code();
    match error {
        Error::Malformed(what) => format!("{code} ({what})"),
        Error::WrongAudience => format!(
            "{code} (the token's audience (aud) is not accepted; pass --aud with an audience it \
             names: without --aud, a token with an aud is refused)"
        ),
        Error::MissingClaim(name) if name == "exp" => {
            format!("{code} (required claim `exp` is missing: --require exp asks for it)")
        }
        Error::MissingClaim(name) => format!(
            "{code} (required claim `{name}` is missing: --iss, --aud, --sub or --require asks \
             for it)"
        ),
        Error::WeakKey(_) => {
            let message = error.to_string();
            // jwt-core's remedy (its `danger_...` constructor) is `--allow-short-secret` here,
            // which the caller adds where it applies.
            let kept = message
                .split_once("; generate one, or use danger_")
                .map_or(message.as_str(), |(kept, _)| kept);
            let kept = kept.strip_prefix("weak key: ").unwrap_or(kept);
            format!("{code} ({kept})")
        }
        _ => format!("{code} ({error})"),
    }
}

// Unit tests fail by unwrapping; the library code above stays under the workspace lints.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_single_and_prefixed() {
        let failure = Failure::usage("two\nlines\r\n");
        assert_eq!(failure.line(), "error: two lines");
        assert_eq!(failure.exit_code(), 2);
        let rejected = Failure::rejected(&Error::Expired);
        assert_eq!(
            rejected.line(),
            "error: token rejected: expired (the token has expired)"
        );
        assert_eq!(rejected.exit_code(), 1);
    }

    /// Remedies are CLI options, never jwt-core's Rust API; the code stays first.
    #[test]
    fn messages_name_options_not_library_calls() {
        let cases = [
            (
                Error::Malformed("a compact JWS has exactly three dot-separated segments"),
                "malformed (a compact JWS has exactly three dot-separated segments)",
            ),
            (Error::WrongAudience, "--aud"),
            (Error::MissingClaim("exp".into()), "--require exp"),
            (Error::MissingClaim("iss".into()), "--iss"),
        ];
        for (error, expected) in cases {
            let line = Failure::rejected(&error).line();
            assert!(line.contains(expected), "{line}");
            assert!(
                line.starts_with(&format!("error: token rejected: {}", error.kind().code())),
                "{line}"
            );
            assert!(!line.contains("Validation::"), "{line}");
        }
        let weak = jwt_core::SigningKey::from_hmac_secret(jwt_core::Algorithm::HS256, b"short")
            .unwrap_err();
        let line = Failure::usage_from("--secret", &weak).line();
        assert!(
            line.starts_with("error: --secret: weak_key (HS256 needs"),
            "{line}"
        );
        assert!(!line.contains("danger_"), "{line}");
    }
}
