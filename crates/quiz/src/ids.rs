//! Identifiers of questions and of the parts of a question (options, pairs, items).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Stable identifier of a question inside a bank. Attempts, statistics and regrading refer to
/// questions by this id, so it must survive edits of the question's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct QuestionId(String);

impl QuestionId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for QuestionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for QuestionId {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

/// Identifier of an option (choice), a matching prompt or choice, or an ordering item, unique
/// within its question. Responses name options by id, never by position, so shuffling the
/// display order can never change a grade.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct OptionId(String);

impl OptionId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id the parsers give an option that has no explicit id: a short hash of its text.
    ///
    /// Why a hash and not the position ("a", "b", "1", "2"): the learner sees option ids, and
    /// positional ids would tell them the author's order — which for an ordering question *is*
    /// the answer, and for GIFT (where authors usually write the right answer first) is a hint.
    /// A hash of the text reveals nothing the learner cannot already read, and it stays the same
    /// when options are reordered, so stored responses still regrade correctly.
    pub fn from_text(text: &str) -> Self {
        let normalised: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        Self(format!(
            "{:08x}",
            avalanche(fnv1a64(normalised.as_bytes())) as u32
        ))
    }
}

impl fmt::Display for OptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for OptionId {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

/// FNV-1a, 64 bits: tiny, dependency-free and fixed forever (ids derived from it are stored).
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// SplitMix64's finaliser: spreads FNV's weak low bits so that ids of similar texts ("a",
/// "b") do not look alike.
pub(crate) fn avalanche(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Whether `id` is acceptable as an explicit question or option id written by an author:
/// ASCII letters, digits, `-`, `_` and `.`, 1 to 100 characters.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A URL-friendly id made from a title: lowercase ASCII letters and digits separated by `-`.
/// Returns `None` when nothing usable remains (e.g. a title made only of punctuation).
pub fn slugify(title: &str) -> Option<String> {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in title.chars() {
        let c = fold_latin(c);
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    (!out.is_empty()).then_some(out)
}

fn fold_latin(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_ids_from_text_ignore_whitespace_differences_and_are_stable() {
        assert_eq!(
            OptionId::from_text("Jakarta"),
            OptionId::from_text("  Jakarta ")
        );
        assert_ne!(
            OptionId::from_text("Jakarta"),
            OptionId::from_text("Bandung")
        );
        // Pinned: ids are stored in attempts, so the hash must never change.
        assert_eq!(OptionId::from_text("Jakarta").as_str(), "a6195d42");
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn slugs_and_ids() {
        assert_eq!(
            slugify("Ibu Kota Indonesia?").as_deref(),
            Some("ibu-kota-indonesia")
        );
        assert_eq!(slugify("  Café — crème  ").as_deref(), Some("cafe-creme"));
        assert_eq!(slugify("???"), None);
        assert!(is_valid_id("q-1.a_b"));
        assert!(!is_valid_id("q 1"));
        assert!(!is_valid_id(""));
    }
}
