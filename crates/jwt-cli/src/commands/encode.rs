//! `jwt encode`: sign a JSON payload given as text.
//!
//! Why text all the way: the payload is signed with `Encoder::encode_json`, which keeps member
//! order and number spelling, so `jwt encode` makes the same bytes as any issuer that writes the
//! same JSON compactly (PyJWT included). `--exp`/`--nbf`/`--iat` are appended to the text, not merged
//! through a map. The header is `alg`, `typ`, `kid` in that order (the encoder's fixed order).

use std::time::{SystemTime, UNIX_EPOCH};

use jwt_core::{Encoder, ErrorKind};

use super::Output;
use crate::cli::EncodeArgs;
use crate::failure::{Failure, describe};
use crate::{input, json_text, keys};

pub(super) fn run(args: &EncodeArgs) -> Result<Output, Failure> {
    let payload = input::payload(&args.payload)?;
    let key = keys::load(&args.key)?;
    let signing = keys::signing_key(&key, args.alg, args.kid.as_deref(), args.allow_short_secret)?;
    let payload = json_text::append_members(&payload, &time_members(args)?)?;

    let mut encoder = Encoder::new(&signing);
    if let Some(typ) = &args.typ {
        encoder = encoder.typ(typ.as_str());
    }
    if let Some(kid) = &args.kid {
        encoder = encoder.kid(kid.as_str());
    }
    let token = encoder.encode_json(&payload).map_err(|e| {
        // Only payload faults are blamed on the payload (a too-long --kid, an --exp beyond the
        // year 9999 are the options' faults, and the description names them).
        let what = match e.kind() {
            ErrorKind::InvalidPayload => {
                "PAYLOAD must be a strict JSON object (unique member names, bounded nesting)"
            }
            _ => "cannot sign these claims and header",
        };
        Failure::usage(format!("{what}: {}", describe(&e)))
    })?;
    Ok(Output::line(token))
}

/// The `exp`/`nbf`/`iat` members asked for, in that order.
fn time_members(args: &EncodeArgs) -> Result<Vec<(&'static str, u64)>, Failure> {
    if args.exp.is_none() && args.nbf.is_none() && !args.iat {
        return Ok(Vec::new());
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Failure::usage("the system clock is before 1970"))?
        .as_secs();
    let mut members = Vec::new();
    for (name, offset) in [("exp", args.exp), ("nbf", args.nbf)] {
        if let Some(seconds) = offset {
            let at = now.checked_add_signed(seconds).ok_or_else(|| {
                Failure::usage(format!(
                    "--{name} puts the time before 1970 or beyond the representable range"
                ))
            })?;
            members.push((name, at));
        }
    }
    if args.iat {
        members.push(("iat", now));
    }
    Ok(members)
}
