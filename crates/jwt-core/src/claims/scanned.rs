//! The payload's top-level members as the scan found them, each name kept once, duplicates
//! refused on the way in.
//!
//! Why one structure for two jobs: the replay needs every member's name and value, and the
//! duplicate check needs every name. Keeping each name once, with a small fingerprint beside it,
//! spares a second copy of every name and a second table to set up and tear down on every
//! verification. Payloads with more than [`MAX_MEMBERS`] members are not replayed (serde_json
//! reads them whole); from that point on the names go into a [`SeenKeys`] instead.

use std::borrow::Cow;

use super::Plain;
use super::replay::{Entry, MAX_MEMBERS};
use crate::json::{SeenKeys, fingerprint};

/// The members scanned so far.
pub(crate) struct ScannedMembers<'de> {
    /// The first `len` slots are filled. `Option` makes the empty table cheap to set up (one
    /// word a slot) and to drop.
    entries: [Option<Entry<'de>>; MAX_MEMBERS],
    /// [`fingerprint`] of each entry's name: most names differ there, without a string compare.
    prints: [u64; MAX_MEMBERS],
    len: usize,
    /// Every name, once there are more members than `entries` holds.
    overflow: Option<SeenKeys<'de>>,
}

impl<'de> ScannedMembers<'de> {
    pub(crate) fn new() -> Self {
        ScannedMembers {
            entries: std::array::from_fn(|_| None),
            prints: [0; MAX_MEMBERS],
            len: 0,
            overflow: None,
        }
    }

    /// Adds a member; returns `false`, adding nothing, if its name is already present.
    #[inline(always)]
    pub(crate) fn push(&mut self, name: Cow<'de, str>, raw: &'de str, plain: Plain<'de>) -> bool {
        if let Some(seen) = &mut self.overflow {
            return seen.insert(name);
        }
        let print = fingerprint(&name);
        if self.inline_contains(&name, print) {
            return false;
        }
        match (
            self.entries.get_mut(self.len),
            self.prints.get_mut(self.len),
        ) {
            (Some(entry), Some(slot)) => {
                *entry = Some(Entry { name, raw, plain });
                *slot = print;
                self.len = self.len.saturating_add(1);
            }
            _ => {
                // The first member past the table: every name moves to a `SeenKeys`.
                let mut seen = SeenKeys::new();
                for entry in self.entries.iter_mut().filter_map(Option::take) {
                    seen.insert(entry.name);
                }
                seen.insert(name);
                self.overflow = Some(seen);
            }
        }
        true
    }

    /// Whether a member is named `name`.
    pub(crate) fn contains(&self, name: &str) -> bool {
        match &self.overflow {
            Some(seen) => seen.contains(name),
            None => self.inline_contains(name, fingerprint(name)),
        }
    }

    fn inline_contains(&self, name: &str, print: u64) -> bool {
        let prints = self.prints.get(..self.len).unwrap_or_default();
        let entries = self.entries.get(..self.len).unwrap_or_default();
        prints.iter().zip(entries).any(|(seen_print, entry)| {
            *seen_print == print && entry.as_ref().is_some_and(|e| *e.name == *name)
        })
    }

    /// Every member in order, or `None` when there were too many to keep.
    pub(crate) fn replayable(&self) -> Option<&[Option<Entry<'de>>]> {
        match self.overflow {
            Some(_) => None,
            None => self.entries.get(..self.len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(members: &mut ScannedMembers<'static>, name: &str) -> bool {
        members.push(Cow::Owned(name.to_owned()), "1", Plain::Digits(1))
    }

    #[test]
    fn duplicates_are_refused_before_and_after_the_table_fills() {
        for total in [0, 1, 5, MAX_MEMBERS - 1, MAX_MEMBERS, MAX_MEMBERS + 1, 40] {
            let mut members = ScannedMembers::new();
            for i in 0..total {
                assert!(push(&mut members, &format!("m{i}")), "{total} {i}");
            }
            for i in 0..total {
                let name = format!("m{i}");
                assert!(!push(&mut members, &name), "{total} {i}");
                assert!(members.contains(&name));
            }
            assert!(!members.contains("m999") && !members.contains(""));
            match members.replayable() {
                Some(entries) => {
                    assert!(total <= MAX_MEMBERS);
                    let names: Vec<&str> = entries.iter().flatten().map(|e| &*e.name).collect();
                    assert_eq!(entries.iter().flatten().count(), entries.len());
                    let expected: Vec<String> = (0..total).map(|i| format!("m{i}")).collect();
                    assert_eq!(names, expected);
                }
                None => assert!(total > MAX_MEMBERS),
            }
        }
    }

    #[test]
    fn equal_fingerprints_are_told_apart() {
        let mut members = ScannedMembers::new();
        assert!(members.push(Cow::Borrowed("abxc"), "1", Plain::Json));
        assert!(members.push(Cow::Borrowed("abyc"), "1", Plain::Json));
        assert!(!members.push(Cow::Borrowed("abxc"), "1", Plain::Json));
        assert!(members.contains("abyc") && !members.contains("abzc"));
        assert!(members.push(Cow::Borrowed(""), "1", Plain::Json));
        assert!(!members.push(Cow::Borrowed(""), "1", Plain::Json));
        assert_eq!(members.replayable().map(<[_]>::len), Some(3));
    }
}
