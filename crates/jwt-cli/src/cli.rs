//! The command line: clap definitions, help texts, and one-line rendering of clap's errors.
//!
//! Why `try_parse` and a custom rendering: clap prints usage errors over several lines (message,
//! usage, "for more information"), and exits with its own code. The contract is one line on
//! stderr and exit code 2, so every clap error except `--help`/`--version` is flattened into a
//! single line here; help and version go to stdout with exit code 0, as usual.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use jwt_core::Algorithm;

use crate::failure::Failure;

/// The exit-code section shared by every help text (a macro so `concat!` can compose it).
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  success (the answer is on stdout)
  1  token rejected: bad signature, expired, wrong claims, malformed, unknown kid, ...
  2  usage error: bad flags, unreadable or unsuitable key file, bad PAYLOAD
On exit codes 1 and 2 stdout is empty and stderr holds exactly one line:
  error: <reason>   (jwt-core errors quote their stable code first, e.g.
  error: token rejected: expired (the token has expired))"
    };
}

/// The key-file section of `encode` and `decode` help.
macro_rules! key_files {
    () => {
        "Key files (--key FILE):
  HS256/384/512  the file's raw bytes are the secret (nothing is trimmed); or --secret STRING.
                 A PEM file or a JWK/JWK Set JSON file (also behind a byte order mark, or as
                 UTF-16) is never used as raw HMAC bytes: an `oct` JWK gives its `k`, anything
                 else is refused; so is UTF-8 text that starts with `{` or `[` or holds \"kty\".
  RS*/PS*        PEM PRIVATE KEY (PKCS#8) or RSA PRIVATE KEY (PKCS#1) to sign; PUBLIC KEY (SPKI)
                 or RSA PUBLIC KEY (PKCS#1) to verify; a private key also verifies. >= 2048 bits.
  ES256/ES384    PEM PRIVATE KEY (PKCS#8) or EC PRIVATE KEY (SEC1) to sign; PUBLIC KEY to verify.
  EdDSA/Ed25519  PEM PRIVATE KEY (PKCS#8) to sign; PUBLIC KEY (SPKI) to verify.
  any alg        a JSON JWK (object with \"kty\") or JWK Set (object with \"keys\"); DER files
                 holding the containers above are accepted as well.
HMAC secrets shorter than the hash (32/48/64 bytes) are refused unless --allow-short-secret."
    };
}

const EXIT_CODES: &str = exit_codes!();

/// `jwt`: sign, verify and inspect JSON Web Tokens.
#[derive(Debug, Parser)]
#[command(
    name = "jwt",
    version,
    about = "Sign, verify and inspect JSON Web Tokens (JWS compact serialization)",
    after_help = EXIT_CODES
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Sign a JSON payload and print the compact token.
    #[command(after_help = ENCODE_HELP)]
    Encode(EncodeArgs),
    /// Verify a token's signature and claims, then print its payload.
    #[command(after_help = DECODE_HELP)]
    Decode(DecodeArgs),
    /// Print a token's header and payload WITHOUT verifying anything.
    #[command(after_help = INSPECT_HELP)]
    Inspect(InspectArgs),
    /// Print a new private key (PKCS#8 PEM) or HMAC secret.
    #[command(after_help = KEYGEN_HELP)]
    Keygen(KeygenArgs),
    /// Print the public JWK Set of one or more keys.
    #[command(after_help = JWKS_HELP)]
    Jwks(JwksArgs),
}

const ENCODE_HELP: &str = concat!(
    "\
Output: the compact token and a newline. The header is {\"alg\":..,\"typ\":..,\"kid\":..} in that
order (typ defaults to JWT; kid from --kid, else the JWK's own kid, else none). PAYLOAD members
keep their order and number spelling; only insignificant whitespace is removed.
--exp, --nbf and --iat append \"exp\"/\"nbf\"/\"iat\" members; a PAYLOAD that already has one is a usage
error.
--alg may be left out when the key is a JWK that names its \"alg\", or an EC or Ed25519 key
(ES256, ES384 or EdDSA follows from the key); RSA keys and HMAC secrets need it.
With a JWK Set, --kid chooses the key (a set of one key needs no --kid).

Examples:
  jwt encode --alg HS256 --key hs256.secret --exp 3600 '{\"sub\":\"alice\"}'
  echo '{\"sub\":\"alice\"}' | jwt encode --alg ES256 --key ec-private.pem --kid k1 -",
    "\n\n",
    key_files!(),
    "\n\n",
    exit_codes!()
);

const DECODE_HELP: &str = concat!(
    "\
Output: the verified payload as compact JSON on one line, members and numbers exactly as signed.
Checks: the signature with the given key (the token's own alg is never trusted: --alg, the
JWK's \"alg\" or the EC/Ed25519 key's one algorithm decides); exp and nbf whenever present (exp
is only required with --require exp, unlike jwt-core's default: this is a debugging tool);
--iss/--aud/--sub must match and the claim must be present; --typ compares the header typ.
Strict audience rule: a token that carries \"aud\" is REJECTED unless --aud names one of its
audiences (a token meant for some audience must not be accepted by a verifier that does not
know which audience it is).
With a JWK Set, the token's kid chooses the key; a kid naming no key is a rejection (exit 1).
A token without kid is accepted only when exactly one key of the set fits its alg.

Examples:
  jwt decode --alg RS256 --key rsa-public.pem --aud api \"$TOKEN\"
  jwt encode --alg HS256 --key s.secret '{}' | jwt decode --alg HS256 --key s.secret -",
    "\n\n",
    key_files!(),
    "\n\n",
    exit_codes!()
);

const INSPECT_HELP: &str = "\
Output: one line of JSON, {\"header\":{...},\"payload\":{...}}, both exactly as in the token
(whitespace removed), and the line `warning: signature NOT verified` on stderr.
Nothing is verified: never act on what this prints. The token must still be well formed (three
canonical base64url segments, header and payload strict JSON objects, registered claims of the
right types); otherwise exit code 1.

Exit codes:
  0  printed
  1  malformed token (one line on stderr, stdout empty)
  2  usage error (one line on stderr, stdout empty)";

const KEYGEN_HELP: &str = "\
Output:
  ES256, ES384, EdDSA, Ed25519  a new private key, PKCS#8 PEM (derive the public JWK Set with
                                `jwt jwks --key FILE`)
  HS256, HS384, HS512           64 random bytes, base64url encoded: 86 characters. With --out,
                                the file holds exactly those characters (no newline), so
                                --key FILE and --secret \"$(cat FILE)\" are the same secret;
                                printed, a newline follows (and `> FILE` keeps it, making the
                                newline part of the secret as --key FILE).
  RS*, PS*                      refused (exit 2): RSA keys cannot be generated here; use
                                `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072`
With --jwk the key is printed as a private JWK (JSON, with \"alg\" and --kid) instead.

Exit codes:
  0  printed
  2  usage error (RSA, unknown --alg, ...; one line on stderr, stdout empty)";

const JWKS_HELP: &str = "\
Output: {\"keys\":[...]} on one line, the PUBLIC JWK of every --key, each with \"alg\",
\"use\":\"sig\" and \"kid\".
--key may be repeated. --kid and --alg are either given once (for a single key / for every
key) or once per --key, in the same order. Without --alg, the algorithm is the key's own (a JWK
\"alg\"), or follows from the key type for EC (ES256/ES384) and Ed25519 (EdDSA) keys; RSA keys
need --alg. Without --kid, a JWK keeps its kid and other keys get their RFC 7638 thumbprint.
HMAC secrets (raw files, oct JWKs) have no public form and are refused (exit 2).

Exit codes:
  0  printed
  2  usage error (unreadable or unsuitable key, HMAC secret; one line on stderr, stdout empty)";

/// Parses `--alg` values byte for byte: `hs256` is not `HS256`.
fn parse_alg(name: &str) -> Result<Algorithm, String> {
    Algorithm::from_name(name).map_err(|e| match e.kind() {
        jwt_core::ErrorKind::UnsupportedAlgorithm => e.to_string(),
        _ => "unknown algorithm (names are case-sensitive): expected one of HS256, HS384, HS512, \
              RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA, Ed25519"
            .to_owned(),
    })
}

/// Where the key comes from: exactly one of `--key FILE` or `--secret STRING`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct KeySource {
    /// Key file: raw HMAC secret bytes, PEM, DER, JWK or JWK Set (see below).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// HMAC secret given as text (HS256/384/512 only; visible to other local users in the
    /// process list: prefer --key FILE, or --key /dev/stdin).
    // Hyphen values allowed: a secret starting with `-` (1 in 64 of `jwt keygen`'s) must be
    // taken as the value, never reported (and so echoed) as an unknown option.
    #[arg(long, value_name = "STRING", allow_hyphen_values = true)]
    pub(crate) secret: Option<String>,
}

/// `jwt encode`.
#[derive(Debug, Args)]
pub(crate) struct EncodeArgs {
    /// Signature algorithm (case-sensitive); optional when the key names it (a JWK with "alg")
    /// or has only one (an EC or Ed25519 key: ES256, ES384, EdDSA).
    #[arg(long, value_name = "ALG", value_parser = parse_alg)]
    pub(crate) alg: Option<Algorithm>,
    #[command(flatten)]
    pub(crate) key: KeySource,
    /// Accept an HMAC secret shorter than the hash output (legacy issuers only).
    #[arg(long)]
    pub(crate) allow_short_secret: bool,
    /// Key id written into the header (and, with a JWK Set, the key to sign with).
    #[arg(long, value_name = "KID")]
    pub(crate) kid: Option<String>,
    /// Header typ (default JWT).
    #[arg(long, value_name = "TYP")]
    pub(crate) typ: Option<String>,
    /// Append "exp": now + SECONDS (may be negative, to make an expired token).
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub(crate) exp: Option<i64>,
    /// Append "nbf": now + SECONDS (not valid before then; may be negative).
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub(crate) nbf: Option<i64>,
    /// Append "iat": now.
    #[arg(long)]
    pub(crate) iat: bool,
    /// The claims: a JSON object, or - to read it from stdin.
    #[arg(value_name = "PAYLOAD")]
    pub(crate) payload: String,
}

/// `jwt decode`.
#[derive(Debug, Args)]
pub(crate) struct DecodeArgs {
    /// Expected algorithm (case-sensitive); optional when the key is a JWK (or the JWK Set entry
    /// the token's kid selects) naming its alg, or an EC or Ed25519 key (ES256, ES384, EdDSA).
    #[arg(long, value_name = "ALG", value_parser = parse_alg)]
    pub(crate) alg: Option<Algorithm>,
    #[command(flatten)]
    pub(crate) key: KeySource,
    /// Accept an HMAC secret shorter than the hash output (legacy issuers only).
    #[arg(long)]
    pub(crate) allow_short_secret: bool,
    /// Require "iss" to be this issuer (repeat to accept any of several).
    #[arg(long, value_name = "ISS")]
    pub(crate) iss: Vec<String>,
    /// Require "aud" to contain this audience (repeat to accept any of several). Without --aud,
    /// a token that has an "aud" claim is rejected.
    #[arg(long, value_name = "AUD")]
    pub(crate) aud: Vec<String>,
    /// Require "sub" to be exactly this subject.
    #[arg(long, value_name = "SUB")]
    pub(crate) sub: Option<String>,
    /// Clock skew tolerated on exp/nbf, in seconds (0 to 300).
    #[arg(long, value_name = "SECONDS", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=300))]
    pub(crate) leeway: u64,
    /// Require this claim to be present (repeatable; --require exp makes exp mandatory).
    #[arg(long, value_name = "CLAIM")]
    pub(crate) require: Vec<String>,
    /// Require the header typ to be this media type (case-insensitive, application/ optional).
    #[arg(long, value_name = "TYP")]
    pub(crate) typ: Option<String>,
    /// The token, or - to read it from stdin (one trailing newline is ignored).
    #[arg(value_name = "TOKEN")]
    pub(crate) token: String,
}

/// `jwt inspect`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The token, or - to read it from stdin (one trailing newline is ignored).
    #[arg(value_name = "TOKEN")]
    pub(crate) token: String,
}

/// `jwt keygen`.
#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Algorithm the key is for: ES256, ES384, EdDSA, Ed25519, HS256, HS384, HS512.
    #[arg(long, value_name = "ALG", value_parser = parse_alg)]
    pub(crate) alg: Algorithm,
    /// Print a private JWK (JSON) instead of PEM / a bare secret.
    #[arg(long)]
    pub(crate) jwk: bool,
    /// Key id for the JWK (requires --jwk).
    #[arg(long, value_name = "KID", requires = "jwk")]
    pub(crate) kid: Option<String>,
    /// Write the key to FILE instead of stdout: a new file (never overwritten), readable by
    /// its owner only (mode 0600 on Unix). Prefer it to `> FILE`, which the umask decides.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

/// `jwt jwks`.
#[derive(Debug, Args)]
pub(crate) struct JwksArgs {
    /// Key file (PEM, DER, JWK or JWK Set; private keys are reduced to their public half);
    /// repeatable.
    #[arg(long, value_name = "FILE", required = true)]
    pub(crate) key: Vec<PathBuf>,
    /// Key id: once for a single key, or once per --key in order.
    #[arg(long, value_name = "KID")]
    pub(crate) kid: Vec<String>,
    /// Algorithm: once for every key, or once per --key in order.
    #[arg(long, value_name = "ALG", value_parser = parse_alg)]
    pub(crate) alg: Vec<Algorithm>,
}

/// What parsing the command line came to.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// Run this command (boxed: the arguments are far larger than `Done`).
    Run(Box<Cli>),
    /// `--help` or `--version` was printed; exit 0.
    Done,
}

/// Parses `std::env::args`, printing help/version itself and flattening errors to one line.
pub(crate) fn parse() -> Result<Parsed, Failure> {
    use clap::error::ErrorKind;
    match Cli::try_parse() {
        Ok(cli) => Ok(Parsed::Run(Box::new(cli))),
        Err(err) => match err.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                // Goes to stdout for these kinds; a closed stdout changes nothing worth reporting.
                let _ = err.print();
                Ok(Parsed::Done)
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
                Err(Failure::usage(
                    "a command is required: encode, decode, inspect, keygen or jwks (see jwt --help)",
                ))
            }
            _ => Err(Failure::usage(one_line(&err.render().to_string()))),
        },
    }
}

/// clap's multi-line error text as one line: the message lines before `Usage:`, joined.
fn one_line(rendered: &str) -> String {
    let mut parts = Vec::new();
    for line in rendered.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line.strip_prefix("error:").unwrap_or(line).trim());
        }
    }
    let message = parts.join(" ");
    if message.is_empty() {
        "invalid command line (see jwt --help)".to_owned()
    } else {
        format!("{message} (see --help)")
    }
}

// Unit tests fail by unwrapping; the library code above stays under the workspace lints.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn clap_definitions_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn clap_errors_become_one_line() {
        let err = Cli::try_parse_from(["jwt", "decode", "--alg", "hs256", "--key", "k", "t"])
            .unwrap_err();
        let line = one_line(&err.render().to_string());
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("hs256"), "{line}");
        assert!(line.contains("case-sensitive"), "{line}");
        let err = Cli::try_parse_from(["jwt", "encode", "--alg", "HS256", "{}"]).unwrap_err();
        let line = one_line(&err.render().to_string());
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("--key"), "{line}");
    }

    #[test]
    fn options_may_follow_positionals() {
        let cli =
            Cli::try_parse_from(["jwt", "decode", "TOKEN", "--alg", "ES256", "--key", "k.pem"])
                .unwrap();
        let Command::Decode(args) = cli.command else {
            unreachable!("parsed as decode")
        };
        assert_eq!(args.token, "TOKEN");
        assert_eq!(args.alg, Some(Algorithm::ES256));
    }
}
