//! Attacker-controlled text, made safe to log: clipped to [`MAX_VALUE_LEN`] bytes and always
//! written with Rust's `Debug` escaping inside quotes.
//!
//! A `kid` of `"k1\n2026-01-01T00:00:00Z  INFO token accepted"` or one carrying ANSI escapes
//! (`\u{1b}[2K`) must not start a new log line or repaint the operator's terminal, and a kid with
//! spaces and `=` must not pass for more fields. `Debug` escaping turns control characters,
//! quotes, backslashes and the invisible Unicode format characters (bidi overrides, line
//! separators) into `\n`, `\u{1b}`, `\"`, `\u{202e}`, ..., and the surrounding quotes keep the
//! value one token for a `key=value` parser. When the text was clipped, `...` follows the
//! closing quote, outside the attacker's text.

use std::fmt;

/// How many bytes of an attacker-controlled string (`kid`, `typ`, `iss`, `sub`, an error
/// message) are recorded; longer values are cut at a character boundary and marked `...`.
pub const MAX_VALUE_LEN: usize = 128;

/// The longest prefix of `text` that fits in `max` bytes and ends on a character boundary.
fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let end = (0..=max)
        .rev()
        .find(|&end| text.is_char_boundary(end))
        .unwrap_or(0);
    text.get(..end).unwrap_or_default()
}

/// A borrowed string as it is recorded: clipped and `Debug`-escaped.
#[derive(Clone, Copy)]
pub(crate) struct Clipped<'a> {
    text: &'a str,
    truncated: bool,
}

impl<'a> Clipped<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let kept = clip(text, MAX_VALUE_LEN);
        Clipped {
            text: kept,
            truncated: kept.len() < text.len(),
        }
    }
}

impl fmt::Debug for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.text, f)?;
        if self.truncated {
            f.write_str("...")?;
        }
        Ok(())
    }
}

/// An owned copy of a clipped string, kept inline (no allocation) until the final event.
#[derive(Clone, Copy)]
pub(crate) struct Snippet {
    bytes: [u8; MAX_VALUE_LEN],
    len: usize,
    truncated: bool,
}

impl Snippet {
    const EMPTY: Snippet = Snippet {
        bytes: [0; MAX_VALUE_LEN],
        len: 0,
        truncated: false,
    };

    /// A copy of `text`, clipped.
    pub(crate) fn new(text: &str) -> Self {
        let mut snippet = Self::EMPTY;
        // `write_str` clips and never fails.
        let _ = fmt::Write::write_str(&mut snippet, text);
        snippet
    }

    /// `value`'s `Display` output, clipped, without allocating for the result.
    pub(crate) fn display(value: &dyn fmt::Display) -> Self {
        let mut snippet = Self::EMPTY;
        // `write_str` never fails, so neither does `write!` (a failing `Display` just stops).
        let _ = fmt::Write::write_fmt(&mut snippet, format_args!("{value}"));
        snippet
    }

    fn as_str(&self) -> &str {
        // Only whole UTF-8 characters are ever copied in, so this never falls back.
        self.bytes
            .get(..self.len)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .unwrap_or_default()
    }

    /// The recorded form.
    pub(crate) fn clipped(&self) -> Clipped<'_> {
        Clipped {
            text: self.as_str(),
            truncated: self.truncated,
        }
    }
}

impl fmt::Write for Snippet {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if self.truncated {
            return Ok(());
        }
        let room = MAX_VALUE_LEN.saturating_sub(self.len);
        let kept = clip(text, room);
        let end = self.len.saturating_add(kept.len());
        if let Some(slot) = self.bytes.get_mut(self.len..end) {
            slot.copy_from_slice(kept.as_bytes());
            self.len = end;
        }
        if kept.len() < text.len() {
            self.truncated = true;
        }
        Ok(())
    }
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.clipped(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        format!("{:?}", Clipped::new(text))
    }

    #[test]
    fn control_characters_quotes_and_format_characters_are_escaped() {
        assert_eq!(shown("k1"), r#""k1""#);
        assert_eq!(shown("a\nb\r\u{1b}[31m\"c\\"), r#""a\nb\r\u{1b}[31m\"c\\""#);
        // Bidi override, line/paragraph separators, NEL, zero-width space: all invisible or
        // line-breaking somewhere, all escaped.
        for sneaky in [
            "\u{202e}", "\u{2028}", "\u{2029}", "\u{85}", "\u{200b}", "\u{0}",
        ] {
            let out = shown(sneaky);
            assert!(out.is_ascii(), "{sneaky:?} came out as {out}");
        }
        // Ordinary non-ASCII text stays readable.
        assert_eq!(shown("clé"), "\"clé\"");
    }

    #[test]
    fn long_values_are_clipped_on_a_character_boundary_and_marked() {
        let long = "é".repeat(MAX_VALUE_LEN); // two bytes each
        let clipped = Clipped::new(&long);
        assert_eq!(clipped.text.len(), MAX_VALUE_LEN);
        assert!(clipped.truncated);
        assert!(shown(&long).ends_with("\"..."));

        let odd = format!("a{long}"); // the boundary falls inside a character
        let clipped = Clipped::new(&odd);
        assert_eq!(clipped.text.len(), MAX_VALUE_LEN - 1);
        assert!(clipped.truncated);

        let exact = "x".repeat(MAX_VALUE_LEN);
        assert!(!Clipped::new(&exact).truncated);
        assert_eq!(shown(&exact), format!("\"{exact}\""));
    }

    #[test]
    fn snippets_copy_clip_and_format_like_borrowed_values() {
        for text in ["", "k1", "a\nb\u{1b}", &"€".repeat(100), &"z".repeat(500)] {
            assert_eq!(
                format!("{:?}", Snippet::new(text)),
                format!("{:?}", Clipped::new(text))
            );
        }
        let message = Snippet::display(&format_args!("{}-{}", "x".repeat(100), "é".repeat(40)));
        assert!(message.clipped().truncated);
        assert!(message.as_str().len() <= MAX_VALUE_LEN);
        assert!(message.as_str().starts_with(&"x".repeat(100)));
        assert_eq!(format!("{:?}", Snippet::display(&"short")), r#""short""#);
    }
}
