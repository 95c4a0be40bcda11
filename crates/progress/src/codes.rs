//! Certificate numbers, verification codes and NIP masking.

use std::fmt;

use rand::{CryptoRng, Rng};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Certificate numbers: `LTR/2026/000123`.

/// A certificate's number: a configurable prefix (which may itself hold slashes, as Indonesian
/// letter numbers often do, e.g. `800/BKPSDM`), the year of issue and a sequence within the year,
/// zero-padded to six digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CertificateNumber {
    prefix: String,
    year: i32,
    sequence: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateNumberError {
    #[error(
        "prefix {0:?} must be 1–40 characters of A–Z, 0–9, '-', '.' or '/' (not at either end)"
    )]
    InvalidPrefix(String),
    #[error("year {0} is not a four-digit year")]
    InvalidYear(i32),
    #[error("the sequence must start at 1")]
    ZeroSequence,
    #[error("{0:?} is not a certificate number like LTR/2026/000123")]
    Malformed(String),
}

impl CertificateNumber {
    pub fn new(prefix: &str, year: i32, sequence: u32) -> Result<Self, CertificateNumberError> {
        let ok_char =
            |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '/');
        if prefix.is_empty()
            || prefix.len() > 40
            || !prefix.chars().all(ok_char)
            || prefix.starts_with('/')
            || prefix.ends_with('/')
            || prefix.contains("//")
        {
            return Err(CertificateNumberError::InvalidPrefix(prefix.to_owned()));
        }
        if !(1000..=9999).contains(&year) {
            return Err(CertificateNumberError::InvalidYear(year));
        }
        if sequence == 0 {
            return Err(CertificateNumberError::ZeroSequence);
        }
        Ok(Self {
            prefix: prefix.to_owned(),
            year,
            sequence,
        })
    }

    pub fn parse(input: &str) -> Result<Self, CertificateNumberError> {
        let malformed = || CertificateNumberError::Malformed(input.to_owned());
        let mut parts = input.trim().rsplitn(3, '/');
        let (Some(seq), Some(year), Some(prefix)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(seq) || year.len() != 4 || !digits(year) {
            return Err(malformed());
        }
        let sequence = seq.parse().map_err(|_| malformed())?;
        let year = year.parse().map_err(|_| malformed())?;
        Self::new(prefix, year, sequence)
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for CertificateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{:06}", self.prefix, self.year, self.sequence)
    }
}

impl Serialize for CertificateNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CertificateNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Verification codes.

/// Crockford's base 32: digits and letters without I, L, O and U, so a code read aloud or copied
/// by hand from paper is not misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_LEN: usize = 9;
const CODE_LEN: usize = RANDOM_LEN + 1;

/// The code printed on a certificate and in its QR link, which unlocks its public verification
/// page: 10 Crockford base-32 characters, 9 from a CSPRNG (45 bits) and a Luhn mod 32 check
/// character, so a mistyped code is refused before any look-up (every single wrong character and
/// almost every swap of neighbours is caught).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VerificationCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerificationCodeError {
    #[error("a verification code has 10 characters from 0–9 and A–Z (without I, L, O, U)")]
    Malformed,
    #[error("the verification code is mistyped (its check character does not match)")]
    BadCheck,
}

impl VerificationCode {
    /// A fresh code from the thread-local CSPRNG.
    pub fn generate() -> Self {
        Self::generate_with(&mut rand::rng())
    }

    /// A fresh code from the given cryptographically secure generator.
    pub fn generate_with<R: Rng + CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut values: Vec<u8> = (0..RANDOM_LEN).map(|_| rng.random_range(0..32u8)).collect();
        values.push(luhn32_check(&values));
        Self(
            values
                .iter()
                .map(|v| char::from(ALPHABET[usize::from(*v)]))
                .collect(),
        )
    }

    /// Reads a code as a person typed it: case, spaces and hyphens do not matter, and the
    /// letters Crockford maps (O to 0, I and L to 1) are accepted.
    pub fn parse(input: &str) -> Result<Self, VerificationCodeError> {
        let values: Vec<u8> = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(decode_char)
            .collect::<Option<_>>()
            .ok_or(VerificationCodeError::Malformed)?;
        if values.len() != CODE_LEN {
            return Err(VerificationCodeError::Malformed);
        }
        if !luhn32_valid(&values) {
            return Err(VerificationCodeError::BadCheck);
        }
        Ok(Self(
            values
                .iter()
                .map(|v| char::from(ALPHABET[usize::from(*v)]))
                .collect(),
        ))
    }

    /// Whether `input` is a well-formed code with a correct check character.
    pub fn is_valid(input: &str) -> bool {
        Self::parse(input).is_ok()
    }

    /// The canonical form (upper case, no separators), as stored and put in URLs.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `ABCDE-FGHJK`, easier to read off paper.
    pub fn grouped(&self) -> String {
        let (a, b) = self.0.split_at(CODE_LEN / 2);
        format!("{a}-{b}")
    }
}

impl fmt::Display for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for VerificationCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for VerificationCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn decode_char(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|a| char::from(*a) == c)
        .and_then(|p| u8::try_from(p).ok())
}

/// Luhn mod N with N = 32 over the values, from the right, doubling every second one.
fn luhn32_sum(values: &[u8], double_first: bool) -> u32 {
    let mut double = double_first;
    values
        .iter()
        .rev()
        .map(|v| {
            let mut addend = u32::from(*v) * if double { 2 } else { 1 };
            double = !double;
            addend = addend / 32 + addend % 32;
            addend
        })
        .sum()
}

fn luhn32_check(payload: &[u8]) -> u8 {
    let remainder = luhn32_sum(payload, true) % 32;
    // < 32, so it fits.
    u8::try_from((32 - remainder) % 32).unwrap_or(0)
}

fn luhn32_valid(values: &[u8]) -> bool {
    luhn32_sum(values, false).is_multiple_of(32)
}

// ---------------------------------------------------------------------------------------------
// NIP masking.

/// Masks a NIP for public pages (certificate verification, shared reports).
///
/// A NIP holds its owner's birth date and sex, so it is never shown whole in public. The rule:
/// whitespace is dropped, then at most the first 4 and the last 4 characters stay visible, and
/// never more than half of them: each visible end is `min(4, len / 4)` long. An 18-digit NIP
/// shows its birth year and its sequence (`1986**********1001`); the birth date, the start of
/// service and the sex digit are hidden. Shorter, malformed input is masked more, never less.
pub fn mask_nip(nip: &str) -> String {
    let chars: Vec<char> = nip.chars().filter(|c| !c.is_whitespace()).collect();
    let n = chars.len();
    let visible = (n / 4).min(4);
    chars[..visible]
        .iter()
        .copied()
        .chain(std::iter::repeat_n('*', n - 2 * visible))
        .chain(chars[n - visible..].iter().copied())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn luhn32_catches_every_single_substitution() {
        let code = VerificationCode::generate();
        let values: Vec<u8> = code
            .as_str()
            .chars()
            .map(|c| decode_char(c).unwrap())
            .collect();
        assert!(luhn32_valid(&values));
        for i in 0..values.len() {
            for v in 0..32u8 {
                if v != values[i] {
                    let mut bad = values.clone();
                    bad[i] = v;
                    assert!(!luhn32_valid(&bad), "substitution at {i} not caught");
                }
            }
        }
    }

    #[test]
    fn check_char_for_all_zeros_is_zero() {
        assert_eq!(luhn32_check(&[0; 9]), 0);
        assert!(VerificationCode::is_valid("0000000000"));
    }
}
