use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Nomor Induk Pegawai: 18 digits — birth date `YYYYMMDD`, start of service (TMT CPNS) `YYYYMM`,
/// sex digit (1 male, 2 female) and a 3-digit sequence. It reveals a birth date and sex, so the
/// whole number must never appear on a public page: use [`Nip::masked`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Nip(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NipError {
    #[error("NIP must be exactly 18 digits (got {0} characters)")]
    Length(usize),
    #[error("NIP may contain digits only")]
    NotDigits,
    #[error("NIP digits 1-8 are not a real birth date (YYYYMMDD): {0}")]
    BirthDate(String),
    #[error("NIP digits 9-14 are not a real start of service (YYYYMM): {0}")]
    Tmt(String),
    #[error("NIP start of service {tmt} is before the holder turned 17 (born {born})")]
    TmtTooEarly { born: String, tmt: String },
    #[error("NIP digit 15 must be 1 (male) or 2 (female), got {0}")]
    Sex(char),
    #[error("NIP sequence (digits 16-18) must not be 000")]
    Sequence,
}

impl NipError {
    /// Stable machine-readable code, used in API errors and CSV row problems.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length(_) => "nip_length",
            Self::NotDigits => "nip_not_digits",
            Self::BirthDate(_) => "nip_birth_date",
            Self::Tmt(_) | Self::TmtTooEarly { .. } => "nip_tmt",
            Self::Sex(_) => "nip_sex_digit",
            Self::Sequence => "nip_sequence",
        }
    }
}

/// Digits 13–14 of a PPPK's NIP: not a month but the marker of a contract (PPPK) appointment.
const PPPK_MARKER: u32 = 21;

impl Nip {
    /// Parses a NIP, tolerating the spaces people type between its groups
    /// (`19860926 201505 1 001`).
    pub fn parse(input: &str) -> Result<Self, NipError> {
        Self::parse_at(input, chrono::Utc::now().date_naive())
    }

    /// As [`Nip::parse`], with "today" given so the rules are testable.
    pub fn parse_at(input: &str, today: NaiveDate) -> Result<Self, NipError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.chars().count() != 18 {
            return Err(NipError::Length(compact.chars().count()));
        }
        if !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NipError::NotDigits);
        }
        let num = |range: std::ops::Range<usize>| -> u32 {
            compact[range].bytes().fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
        };
        let born = NaiveDate::from_ymd_opt(num(0..4) as i32, num(4..6), num(6..8))
            .filter(|d| d.year() >= 1900 && *d <= today)
            .ok_or_else(|| NipError::BirthDate(compact[0..8].to_string()))?;
        let (tmt_year, tmt_month) = (num(8..12) as i32, num(12..14));
        // PPPK numbers carry "21" where a PNS number has the TMT month: the year of
        // appointment followed by the PPPK marker.
        let tmt_month = if tmt_month == PPPK_MARKER { 1 } else { tmt_month };
        let tmt = NaiveDate::from_ymd_opt(tmt_year, tmt_month, 1)
            .filter(|d| d.year() >= 1950)
            // A TMT may be set for the coming months when a formation is announced.
            .filter(|d| *d <= today + chrono::Months::new(24))
            .ok_or_else(|| NipError::Tmt(compact[8..14].to_string()))?;
        if born + chrono::Months::new(17 * 12) > tmt + chrono::Months::new(1) {
            return Err(NipError::TmtTooEarly {
                born: compact[0..8].to_string(),
                tmt: compact[8..14].to_string(),
            });
        }
        let sex = compact.as_bytes()[14] as char;
        if sex != '1' && sex != '2' {
            return Err(NipError::Sex(sex));
        }
        if &compact[15..18] == "000" {
            return Err(NipError::Sequence);
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[0..8], "%Y%m%d").ok()
    }

    pub fn sex(&self) -> Sex {
        if self.0.as_bytes()[14] == b'2' { Sex::Female } else { Sex::Male }
    }

    /// The NIP as it may appear on a public page: the first four and last four digits, the ten
    /// in between (birth month and day, TMT, sex) hidden.
    pub fn masked(&self) -> String {
        mask_nip(&self.0)
    }
}

/// Masks any NIP-like string: never more than the first 4 and the last 4 characters stay visible;
/// anything of 8 characters or fewer is masked whole.
pub fn mask_nip(nip: &str) -> String {
    let chars: Vec<char> = nip.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars[..4].iter().chain(std::iter::repeat_n(&'*', n - 8)).chain(chars[n - 4..].iter()).collect()
}

impl fmt::Display for Nip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Nip {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Nip::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn parses_the_example_from_the_product_brief() {
        let nip = Nip::parse_at("198609262015051001", today()).unwrap();
        assert_eq!(nip.birth_date(), NaiveDate::from_ymd_opt(1986, 9, 26));
        assert_eq!(nip.sex(), Sex::Male);
        assert_eq!(nip.masked(), "1986**********1001");
    }

    #[test]
    fn accepts_the_pppk_marker_in_place_of_the_tmt_month() {
        let nip = Nip::parse_at("199204052022212002", today()).unwrap();
        assert_eq!(nip.sex(), Sex::Female);
    }

    #[test]
    fn tolerates_grouping_spaces() {
        let nip = Nip::parse_at("19860926 201505 2 001", today()).unwrap();
        assert_eq!(nip.as_str(), "198609262015052001");
        assert_eq!(nip.sex(), Sex::Female);
    }

    #[test]
    fn rejects_each_broken_part_with_its_own_code() {
        let cases = [
            ("12345", "nip_length"),
            ("19860926201505100a", "nip_not_digits"),
            ("198602302015051001", "nip_birth_date"), // 30 February
            ("198613262015051001", "nip_birth_date"), // month 13
            ("203001012015051001", "nip_birth_date"), // born in the future
            ("198609262015131001", "nip_tmt"),        // TMT month 13
            ("198609262015221001", "nip_tmt"),        // month 22 is neither a month nor the PPPK marker
            ("198609261999051001", "nip_tmt"),        // started service aged 12
            ("198609262015053001", "nip_sex_digit"),
            ("198609262015051000", "nip_sequence"),
        ];
        for (input, code) in cases {
            let err = Nip::parse_at(input, today()).unwrap_err();
            assert_eq!(err.code(), code, "{input}: {err}");
        }
    }

    #[test]
    fn masking_never_shows_more_than_eight_characters() {
        assert_eq!(mask_nip("12345678"), "********");
        assert_eq!(mask_nip("123456789"), "1234*6789");
    }
}
