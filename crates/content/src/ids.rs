//! Identifiers: the course slug, lesson/module/quiz ids, heading anchors and `NN-` prefixes.

use std::fmt;

use serde::Serialize;

/// The maximum length of a course slug or a lesson, module or quiz id.
pub const MAX_ID_LEN: usize = 100;

/// A course slug: lowercase ASCII letters and digits in groups joined by single `-`
/// (`pengelolaan-data-spreadsheet`). It appears in URLs, so it is parsed once and then trusted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct CourseSlug(String);

/// Why a string is not a valid slug or id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {MAX_ID_LEN} characters")]
    TooLong,
    #[error(
        "may only contain lowercase letters a-z, digits 0-9 and single '-' between them (found {0:?})"
    )]
    BadCharacters(String),
}

impl CourseSlug {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        check_id(s)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CourseSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CourseSlug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Checks the shape shared by slugs and lesson, module and quiz ids.
pub fn check_id(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.len() > MAX_ID_LEN {
        return Err(IdError::TooLong);
    }
    let ok_chars = s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let ok_dashes = !s.starts_with('-') && !s.ends_with('-') && !s.contains("--");
    if ok_chars && ok_dashes {
        Ok(())
    } else {
        Err(IdError::BadCharacters(s.to_owned()))
    }
}

/// Splits a leading order prefix (`01-`, `2_`, `10.`) off a file or folder name.
/// Returns the number and the rest; names without a prefix give `None`.
pub fn split_order_prefix(name: &str) -> Option<(u64, &str)> {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = name.get(digits..)?;
    let sep = rest.chars().next()?;
    if !matches!(sep, '-' | '_' | '.' | ' ') {
        return None;
    }
    let rest = rest.get(1..)?;
    if rest.is_empty() {
        return None;
    }
    let number = name.get(..digits)?.parse().ok()?;
    Some((number, rest))
}

/// The sort key that orders names "by prefix, then name": prefixed names first by number,
/// then unprefixed names alphabetically.
pub(crate) fn order_key(name: &str) -> (u8, u64, String) {
    match split_order_prefix(name) {
        Some((n, _)) => (0, n, name.to_owned()),
        None => (1, 0, name.to_owned()),
    }
}

/// The default id of a lesson or module: its file stem or folder name without the order
/// prefix, lowercased, with `_` and spaces turned into `-`.
pub fn default_id(stem: &str) -> String {
    let bare = split_order_prefix(stem).map_or(stem, |(_, rest)| rest);
    let mut out = String::with_capacity(bare.len());
    for c in bare.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if matches!(c, '-' | '_' | ' ' | '.') && !out.ends_with('-') {
            out.push('-');
        } else if !matches!(c, '-' | '_' | ' ' | '.') {
            // Leave other characters in so check_id names them in its message.
            out.push(c);
        }
    }
    out.trim_matches('-').to_owned()
}

/// An anchor id for a heading: lowercase, letters and digits kept (any script, so Indonesian
/// and names with accents keep their letters), everything else collapsed into single `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if (c.is_whitespace() || matches!(c, '-' | '_' | '.' | '/' | ':'))
            && !out.is_empty()
            && !out.ends_with('-')
        {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Hands out unique anchor ids within one rendered lesson.
#[derive(Debug, Default)]
pub(crate) struct IdAllocator {
    used: std::collections::BTreeSet<String>,
}

impl IdAllocator {
    /// Reserve `wanted` (or `fallback` when it is empty), adding `-1`, `-2`, … on clashes.
    pub(crate) fn allocate(&mut self, wanted: &str, fallback: &str) -> String {
        let base = if wanted.is_empty() { fallback } else { wanted };
        if self.used.insert(base.to_owned()) {
            return base.to_owned();
        }
        let mut n = 1u32;
        loop {
            let candidate = format!("{base}-{n}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.used.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(CourseSlug::parse("pengelolaan-data-spreadsheet").is_ok());
        assert!(CourseSlug::parse("a1").is_ok());
        assert_eq!(CourseSlug::parse(""), Err(IdError::Empty));
        for bad in ["Data", "data_x", "-a", "a-", "a--b", "a b", "dátá"] {
            assert!(
                matches!(CourseSlug::parse(bad), Err(IdError::BadCharacters(_))),
                "{bad}"
            );
        }
        assert_eq!(CourseSlug::parse(&"a".repeat(101)), Err(IdError::TooLong));
    }

    #[test]
    fn prefixes_and_default_ids() {
        assert_eq!(
            split_order_prefix("01-apa-itu-data"),
            Some((1, "apa-itu-data"))
        );
        assert_eq!(split_order_prefix("10_x"), Some((10, "x")));
        assert_eq!(split_order_prefix("2024"), None);
        assert_eq!(split_order_prefix("abc"), None);
        assert_eq!(default_id("01-Apa_Itu Data"), "apa-itu-data");
        assert_eq!(default_id("introduction"), "introduction");
        let mut names = vec!["b", "10-x", "2-y", "a"];
        names.sort_by_key(|n| order_key(n));
        assert_eq!(names, ["2-y", "10-x", "a", "b"]);
    }

    #[test]
    fn heading_anchors_are_indonesian_friendly_and_unique() {
        assert_eq!(slugify("Apa Itu Data?"), "apa-itu-data");
        assert_eq!(slugify("Langkah 1: Buka  Excel"), "langkah-1-buka-excel");
        assert_eq!(slugify("Rumus & Fungsi (SUM)"), "rumus-fungsi-sum");
        assert_eq!(slugify("Café Tubruk"), "café-tubruk");
        assert_eq!(slugify("???"), "");
        let mut ids = IdAllocator::default();
        assert_eq!(ids.allocate("latihan", "bagian"), "latihan");
        assert_eq!(ids.allocate("latihan", "bagian"), "latihan-1");
        assert_eq!(ids.allocate("", "bagian"), "bagian");
        assert_eq!(ids.allocate("", "bagian"), "bagian-1");
        assert!(ids.contains("latihan-1"));
    }
}
