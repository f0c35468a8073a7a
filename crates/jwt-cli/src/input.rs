//! Reading the command's inputs: key files, and `-` meaning standard input.
//!
//! Why bounded reads: a token is at most 8 KiB (`jwt-core`'s default limit) and a key file a few
//! KiB, so reading `/dev/zero` or a mistyped multi-gigabyte path must fail quickly with a clear
//! message instead of exhausting memory.

use std::io::Read;
use std::path::Path;

use crate::failure::Failure;

/// The most bytes read from standard input or from one key file (1 MiB).
pub(crate) const MAX_INPUT: usize = 1024 * 1024;

/// Reads at most [`MAX_INPUT`] bytes from `reader`; `None` if there were more.
fn read_bounded(reader: impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_INPUT)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    reader.take(limit).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= MAX_INPUT).then_some(bytes))
}

/// All of standard input, as bytes; `too_large` is the failure for more than [`MAX_INPUT`].
fn stdin_bytes(what: &str, too_large: Failure) -> Result<Vec<u8>, Failure> {
    match read_bounded(std::io::stdin().lock()) {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(too_large),
        Err(e) => Err(Failure::usage(format!(
            "cannot read {what} from standard input: {e}"
        ))),
    }
}

/// The whole file at `path`, as bytes (key files).
pub(crate) fn file_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    let unreadable =
        |e: std::io::Error| Failure::usage(format!("cannot read key file {}: {e}", quoted(path)));
    let file = std::fs::File::open(path).map_err(unreadable)?;
    match read_bounded(file) {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(Failure::usage(format!(
            "key file {} is larger than {MAX_INPUT} bytes; it cannot be a key",
            quoted(path)
        ))),
        Err(e) => Err(unreadable(e)),
    }
}

/// The token argument: the text itself, or standard input for `-` (one trailing newline, LF or
/// CRLF, is dropped; nothing else is trimmed).
pub(crate) fn token(arg: &str) -> Result<String, Failure> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    // A token that large is a token problem (exit 1), like any token over jwt-core's limit.
    let too_large = Failure::Rejected(format!(
        "token rejected: too_large (the token on standard input is larger than {MAX_INPUT} bytes)"
    ));
    let bytes = stdin_bytes("the token", too_large)?;
    let mut text = String::from_utf8(bytes).map_err(|_| {
        Failure::Rejected("token rejected: malformed (the token is not UTF-8 text)".to_owned())
    })?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

/// The payload argument of `encode`: the JSON text itself, or standard input for `-`.
pub(crate) fn payload(arg: &str) -> Result<String, Failure> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let too_large = Failure::usage(format!(
        "the payload on standard input is larger than {MAX_INPUT} bytes"
    ));
    String::from_utf8(stdin_bytes("the payload", too_large)?)
        .map_err(|_| Failure::usage("the payload on standard input is not UTF-8 text"))
}

/// A path for an error message, quoted.
pub(crate) fn quoted(path: &Path) -> String {
    format!("'{}'", path.display())
}
