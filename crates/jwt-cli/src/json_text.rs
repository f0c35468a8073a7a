//! JSON handled as *text*, so member order and number spelling survive.
//!
//! Why not `serde_json::Value`: a payload's bytes are what was signed, and scripts compare them.
//! A round trip through `Value` would reorder members (no `preserve_order`), turn
//! `18446744073709551615.0` or `1.50` into other spellings, and lose integers beyond `u64`.
//! So the CLI prints the verified bytes themselves, only removing insignificant whitespace (and
//! escaping the few characters that could deceive a terminal, see [`minify`]), and adds
//! `exp`/`nbf`/`iat` to a payload by appending members to its text.

use crate::failure::Failure;

/// Removes whitespace outside strings from JSON text that is already known to be valid
/// (verified payloads, parsed headers). Never reorders, never rewrites numbers or escapes.
///
/// One exception, for the terminal: characters inside strings that can make printed text lie
/// about itself (C1 controls, bidirectional overrides and isolates, line and paragraph
/// separators; the token's issuer chooses them) are written as `\uXXXX` escapes. The JSON value
/// is the same; only its spelling differs, and only for such text.
pub(crate) fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            if deceptive(c) {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
                continue;
            }
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

/// Characters a terminal may act on instead of showing (see [`minify`]).
fn deceptive(c: char) -> bool {
    matches!(
        c,
        '\u{80}'..='\u{9f}'
            | '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Appends `"name":value` members to the JSON object `text`, refusing names it already has.
///
/// The object is parsed once to learn its member names (escaped names such as `"\u0065xp"` count
/// as `exp`); the text itself is kept, so `jwt-core` later signs exactly what the user wrote plus
/// the new members.
pub(crate) fn append_members(text: &str, members: &[(&str, u64)]) -> Result<String, Failure> {
    if members.is_empty() {
        return Ok(text.to_owned());
    }
    // Only the names are needed: values are skipped by their syntax (`IgnoredAny`), so a payload
    // is accepted with these options exactly when it is without them (numbers beyond `f64`,
    // deep nesting; jwt-core judges the whole text when it signs).
    let object: std::collections::BTreeMap<String, serde::de::IgnoredAny> =
        serde_json::from_str(text).map_err(|_| Failure::usage("PAYLOAD is not a JSON object"))?;
    let body = text
        .trim_end()
        .strip_suffix('}')
        .ok_or_else(|| Failure::usage("PAYLOAD is not a JSON object"))?;
    let mut out = body.to_owned();
    let mut first = object.is_empty();
    for (name, value) in members {
        if object.contains_key(*name) {
            return Err(Failure::usage(format!(
                "PAYLOAD already has an \"{name}\" member; drop it or the --{name} option"
            )));
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&format!("\"{name}\":{value}"));
    }
    out.push('}');
    Ok(out)
}

// Unit tests fail by unwrapping; the library code above stays under the workspace lints.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn minify_keeps_strings_order_and_numbers() {
        assert_eq!(
            minify("{ \"b\" : 1.50 ,\n\t\"a\": \"x y\\\" z\", \"n\": 18446744073709551615 }"),
            r#"{"b":1.50,"a":"x y\" z","n":18446744073709551615}"#
        );
        assert_eq!(minify(r#"{"a":"\\"}"#), r#"{"a":"\\"}"#);
    }

    #[test]
    fn minify_escapes_text_that_could_deceive_a_terminal() {
        let shown = minify("{\"sub\": \"admin\u{202e}nimda\u{85}\u{2066}x\", \"é\": \"日本\"}");
        assert_eq!(
            shown,
            r#"{"sub":"admin\u202enimda\u0085\u2066x","é":"日本"}"#
        );
        let a: serde_json::Value = serde_json::from_str(&shown).unwrap();
        let b: serde_json::Value =
            serde_json::from_str("{\"sub\":\"admin\u{202e}nimda\u{85}\u{2066}x\",\"é\":\"日本\"}")
                .unwrap();
        assert_eq!(a, b, "the same JSON value");
    }

    #[test]
    fn append_to_empty_and_full_objects() {
        assert_eq!(
            append_members("{ }", &[("exp", 5)]).unwrap(),
            r#"{ "exp":5}"#
        );
        assert_eq!(
            append_members("{\"a\":1}\n", &[("exp", 5), ("iat", 2)]).unwrap(),
            r#"{"a":1,"exp":5,"iat":2}"#
        );
        assert_eq!(append_members("[1]", &[]).unwrap(), "[1]");
    }

    #[test]
    fn append_refuses_existing_members_and_non_objects() {
        assert!(append_members(r#"{"exp":1}"#, &[("exp", 5)]).is_err());
        assert!(append_members(r#"{"\u0069at":1}"#, &[("iat", 5)]).is_err());
        assert!(append_members("[1]", &[("exp", 5)]).is_err());
        assert!(append_members("{", &[("exp", 5)]).is_err());
    }

    #[test]
    fn append_judges_names_only() {
        assert_eq!(
            append_members(r#"{"n":1e400}"#, &[("exp", 5)]).unwrap(),
            r#"{"n":1e400,"exp":5}"#
        );
        let deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(200), "]".repeat(200));
        let appended = append_members(&deep, &[("iat", 2)]).unwrap();
        assert!(appended.ends_with(r#","iat":2}"#));
    }
}
