//! `jwt inspect`: show a token's header and payload without verifying anything.
//!
//! Why one JSON object (`{"header":{...},"payload":{...}}` on one line): it is a single value
//! for `jq` and scripts, and both members are the token's own bytes (whitespace removed), so the
//! whole header is shown, not only the members `jwt_core::Header` keeps, and payload numbers are
//! never rewritten. The token is read with `jwt_core::danger_decode_unverified`, which applies the
//! verifier's structural strictness; the payload must also parse as strict claims, so `inspect`
//! never shows a token the verifier would read differently. A warning on stderr says that nothing
//! was verified.

use super::Output;
use crate::cli::InspectArgs;
use crate::failure::Failure;
use crate::{input, json_text};

pub(super) fn run(args: &InspectArgs) -> Result<Output, Failure> {
    let token = input::token(&args.token)?;
    let unverified =
        jwt_core::danger_decode_unverified(&token).map_err(|e| Failure::malformed(&e))?;
    unverified
        .claims::<serde_json::Value>()
        .map_err(|e| Failure::malformed(&e))?;
    // jwt-core accepted the header segment as canonical base64url of a strict JSON object.
    let header = std::str::from_utf8(unverified.header_bytes())
        .map_err(|_| Failure::Rejected("malformed token: unreadable header".to_owned()))?;
    let payload = std::str::from_utf8(unverified.payload())
        .map_err(|_| Failure::Rejected("malformed token: the payload is not UTF-8".to_owned()))?;
    let mut output = Output::line(format!(
        "{{\"header\":{},\"payload\":{}}}",
        json_text::minify(header),
        json_text::minify(payload)
    ));
    output.warning = Some("signature NOT verified".to_owned());
    Ok(output)
}
