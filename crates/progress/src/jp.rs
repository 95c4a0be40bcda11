//! JP (jam pelajaran): the unit of competence-development hours, the yearly ledger, and the
//! conversion of external development activities into JP.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lang::Language;

/// The default time zone for "which year": the regencies Lentera serves first are on WIB.
pub const JAKARTA: Tz = chrono_tz::Asia::Jakarta;

/// An amount of JP, in fixed point (hundredths), so halves (and quarter hours on conversions)
/// add up exactly. Never negative.
///
/// In JSON it is a plain number (`2.5`); in text it is written the Indonesian way (`2,5`) or the
/// English way (`2.5`) by [`Jp::format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Jp(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpError {
    #[error("{0:?} is not a JP amount (a number with at most two decimals, e.g. 2 or 2,5)")]
    Invalid(String),
    #[error("JP amount {0:?} is too large")]
    TooLarge(String),
}

impl Jp {
    pub const ZERO: Jp = Jp(0);

    pub const fn from_hundredths(hundredths: u32) -> Self {
        Self(hundredths)
    }

    pub const fn whole(jp: u32) -> Self {
        Self(jp.saturating_mul(100))
    }

    /// `halves(5)` is 2.5 JP.
    pub const fn halves(halves: u32) -> Self {
        Self(halves.saturating_mul(50))
    }

    pub const fn hundredths(self) -> u32 {
        self.0
    }

    /// Minutes of learning as JP, rounded *down* to a half JP so time is never over-credited
    /// (100 minutes at 45 minutes a JP is 2 JP, 120 minutes is 2,5 JP).
    pub fn from_minutes(minutes: u32, minutes_per_jp: u32) -> Self {
        if minutes_per_jp == 0 {
            return Self::ZERO;
        }
        let halves = u64::from(minutes) * 2 / u64::from(minutes_per_jp);
        Self(u32::try_from(halves * 50).unwrap_or(u32::MAX))
    }

    pub fn saturating_add(self, other: Jp) -> Jp {
        Jp(self.0.saturating_add(other.0))
    }

    pub fn saturating_sub(self, other: Jp) -> Jp {
        Jp(self.0.saturating_sub(other.0))
    }

    pub fn saturating_mul(self, n: u32) -> Jp {
        Jp(self.0.saturating_mul(n))
    }

    /// `percent` of this amount, rounded down to a hundredth.
    pub fn percent(self, percent: u32) -> Jp {
        let v = u64::from(self.0) * u64::from(percent) / 100;
        Jp(u32::try_from(v).unwrap_or(u32::MAX))
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// Parses `2`, `2.5`, `2,5`, `0.25` (at most two decimals).
    pub fn parse(input: &str) -> Result<Jp, JpError> {
        let s = input.trim();
        let invalid = || JpError::Invalid(input.to_owned());
        let (whole, frac) = match s.find(['.', ',']) {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => (s, ""),
        };
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
            return Err(invalid());
        }
        let whole: u32 = whole
            .parse()
            .map_err(|_| JpError::TooLarge(input.to_owned()))?;
        let frac: u32 = match frac.len() {
            0 => 0,
            1 => frac.parse::<u32>().map_err(|_| invalid())? * 10,
            _ => frac.parse::<u32>().map_err(|_| invalid())?,
        };
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .map(Jp)
            .ok_or_else(|| JpError::TooLarge(input.to_owned()))
    }

    /// `14`, `14,5` / `14.5`, `0,25` / `0.25`: no trailing zeros.
    pub fn format(self, lang: Language) -> String {
        let whole = self.0 / 100;
        let frac = self.0 % 100;
        let sep = match lang {
            Language::Id => ',',
            Language::En => '.',
        };
        match frac {
            0 => whole.to_string(),
            f if f % 10 == 0 => format!("{whole}{sep}{}", f / 10),
            f => format!("{whole}{sep}{f:02}"),
        }
    }
}

/// Indonesian notation, the interface default.
impl fmt::Display for Jp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Language::Id))
    }
}

impl FromStr for Jp {
    type Err = JpError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Jp::parse(s)
    }
}

impl std::iter::Sum for Jp {
    fn sum<I: Iterator<Item = Jp>>(iter: I) -> Jp {
        iter.fold(Jp::ZERO, Jp::saturating_add)
    }
}

impl Serialize for Jp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(100) {
            s.serialize_u32(self.0 / 100)
        } else {
            s.serialize_f64(self.as_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Jp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        let hundredths = (v * 100.0).round();
        if !v.is_finite() || v < 0.0 || hundredths > f64::from(u32::MAX) {
            return Err(serde::de::Error::custom(format!("{v} is not a JP amount")));
        }
        if ((v * 100.0) - hundredths).abs() > 1e-6 {
            return Err(serde::de::Error::custom(format!(
                "{v} has more than two decimals"
            )));
        }
        // In range and integral: checked above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(Jp(hundredths as u32))
    }
}

/// The calendar year that JP count towards: the year in which the learning was completed, in
/// the given time zone. 2026-12-31T17:30Z is already 1 January 2027 in Jakarta (UTC+7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct JpYear(pub i32);

impl JpYear {
    pub fn of(completed_at: DateTime<Utc>, tz: Tz) -> JpYear {
        JpYear(completed_at.with_timezone(&tz).year())
    }

    pub fn of_jakarta(completed_at: DateTime<Utc>) -> JpYear {
        Self::of(completed_at, JAKARTA)
    }

    pub fn value(self) -> i32 {
        self.0
    }
}

impl fmt::Display for JpYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Forms of competence development (SIASN `jenisDiklat`) and their default JP conversion.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FormCategory {
    /// Klasikal: face-to-face, in a classroom.
    Klasikal,
    /// Non-klasikal: at the workplace, online, self-directed.
    NonKlasikal,
}

/// The forms of competence development of Peraturan LAN 10/2018, numbered as SIASN's
/// `jenisDiklat` reference (1–25): classical first, then non-classical. External training
/// records use these. Names, category and default conversion live in one table, [`FORMS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DevelopmentForm {
    DiklatStruktural,
    DiklatFungsional,
    DiklatTeknis,
    Workshop,
    PelatihanManajerial,
    PelatihanSosialKultural,
    Sosialisasi,
    BimbinganTeknis,
    Seminar,
    Magang,
    Kursus,
    Penataran,
    KlasikalLainnya,
    Coaching,
    Mentoring,
    ELearning,
    PelatihanJarakJauh,
    Detasering,
    PembelajaranAlamTerbuka,
    PatokBanding,
    PertukaranPns,
    BelajarMandiri,
    KomunitasBelajar,
    BimbinganDiTempatKerja,
    NonKlasikalLainnya,
}

/// How an activity of one form turns into JP. The defaults follow LAN's 2020 guide to
/// non-classical development as agencies quote it; an admin may change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ConversionRule {
    /// A training programme counts the JP it states, plus a bonus abroad.
    StatedJp { abroad_bonus_percent: u32 },
    /// So many JP per day of attendance (seminar, workshop).
    PerDay { jp: Jp, abroad_jp: Jp },
    /// The actual learning time, converted at the policy's minutes per JP, capped per day.
    ActualTimeCappedPerDay { max_per_day: Jp },
    /// A fixed amount per activity (internship, secondment, exchange, benchmarking).
    PerActivity { jp: Jp },
    /// So many JP per session, optionally with at most so many sessions a month.
    PerSession {
        jp: Jp,
        max_sessions_per_month: Option<u32>,
    },
}

struct FormRow {
    form: DevelopmentForm,
    siasn_id: u8,
    name_id: &'static str,
    name_en: &'static str,
    category: FormCategory,
    rule: ConversionRule,
}

const PROGRAMME: ConversionRule = ConversionRule::StatedJp {
    abroad_bonus_percent: 20,
};
const STATED: ConversionRule = ConversionRule::StatedJp {
    abroad_bonus_percent: 0,
};
const ACTIVITY_20: ConversionRule = ConversionRule::PerActivity { jp: Jp::whole(20) };
const SESSION_2: ConversionRule = ConversionRule::PerSession {
    jp: Jp::whole(2),
    max_sessions_per_month: None,
};

use ConversionRule::{ActualTimeCappedPerDay, PerActivity, PerDay, PerSession};
use DevelopmentForm as F;
use FormCategory::{Klasikal, NonKlasikal};

/// The one table of forms: SIASN id, Indonesian and English names, category, default rule.
#[rustfmt::skip]
const FORMS: [FormRow; 25] = [
    row(F::DiklatStruktural, 1, "Diklat Struktural", "Structural training", Klasikal, PROGRAMME),
    row(F::DiklatFungsional, 2, "Diklat Fungsional", "Functional training", Klasikal, PROGRAMME),
    row(F::DiklatTeknis, 3, "Diklat Teknis", "Technical training", Klasikal, PROGRAMME),
    row(F::Workshop, 4, "Workshop", "Workshop", Klasikal, PerDay { jp: Jp::whole(5), abroad_jp: Jp::whole(7) }),
    row(F::PelatihanManajerial, 5, "Pelatihan Manajerial", "Managerial training", Klasikal, PROGRAMME),
    row(F::PelatihanSosialKultural, 6, "Pelatihan Sosial Kultural", "Socio-cultural training", Klasikal, PROGRAMME),
    row(F::Sosialisasi, 7, "Sosialisasi", "Briefing (sosialisasi)", Klasikal, PROGRAMME),
    row(F::BimbinganTeknis, 8, "Bimbingan Teknis", "Technical guidance", Klasikal, PROGRAMME),
    row(F::Seminar, 9, "Seminar", "Seminar or conference", Klasikal, PerDay { jp: Jp::whole(4), abroad_jp: Jp::whole(6) }),
    row(F::Magang, 10, "Magang", "Internship", Klasikal, ACTIVITY_20),
    row(F::Kursus, 11, "Kursus", "Course", Klasikal, PROGRAMME),
    row(F::Penataran, 12, "Penataran", "Upgrading course (penataran)", Klasikal, PROGRAMME),
    row(F::KlasikalLainnya, 13, "Pelatihan Klasikal Lainnya", "Other classical training", Klasikal, PROGRAMME),
    row(F::Coaching, 14, "Coaching", "Coaching", NonKlasikal, SESSION_2),
    row(F::Mentoring, 15, "Mentoring", "Mentoring", NonKlasikal, SESSION_2),
    row(F::ELearning, 16, "E-Learning", "E-learning", NonKlasikal, ActualTimeCappedPerDay { max_per_day: Jp::whole(3) }),
    row(F::PelatihanJarakJauh, 17, "Pelatihan Jarak Jauh", "Distance training", NonKlasikal, STATED),
    row(F::Detasering, 18, "Detasering", "Secondment", NonKlasikal, ACTIVITY_20),
    row(F::PembelajaranAlamTerbuka, 19, "Pembelajaran Alam Terbuka", "Outdoor learning (outbound)", NonKlasikal, STATED),
    row(F::PatokBanding, 20, "Patok Banding", "Benchmarking", NonKlasikal, PerActivity { jp: Jp::whole(10) }),
    row(F::PertukaranPns, 21, "Pertukaran PNS dengan Swasta/BUMN/BUMD", "Staff exchange with private or state-owned companies", NonKlasikal, ACTIVITY_20),
    row(F::BelajarMandiri, 22, "Belajar Mandiri", "Self-study", NonKlasikal, ActualTimeCappedPerDay { max_per_day: Jp::whole(2) }),
    row(F::KomunitasBelajar, 23, "Komunitas Belajar", "Community of practice", NonKlasikal, ActualTimeCappedPerDay { max_per_day: Jp::whole(2) }),
    row(F::BimbinganDiTempatKerja, 24, "Bimbingan di Tempat Kerja", "On-the-job guidance", NonKlasikal, PerSession { jp: Jp::whole(2), max_sessions_per_month: Some(2) }),
    row(F::NonKlasikalLainnya, 25, "Pelatihan Non-Klasikal Lainnya", "Other non-classical training", NonKlasikal, STATED),
];

const fn row(
    form: DevelopmentForm,
    siasn_id: u8,
    name_id: &'static str,
    name_en: &'static str,
    category: FormCategory,
    rule: ConversionRule,
) -> FormRow {
    FormRow {
        form,
        siasn_id,
        name_id,
        name_en,
        category,
        rule,
    }
}

impl DevelopmentForm {
    fn row(self) -> &'static FormRow {
        // The table is in enum order; `form_table_is_in_enum_order` checks it.
        &FORMS[self as usize]
    }

    /// All 25 forms in SIASN order.
    pub fn all() -> impl Iterator<Item = DevelopmentForm> {
        FORMS.iter().map(|r| r.form)
    }

    /// SIASN's `jenisDiklatId`.
    pub fn siasn_id(self) -> u8 {
        self.row().siasn_id
    }

    pub fn from_siasn_id(id: u8) -> Option<DevelopmentForm> {
        FORMS.iter().find(|r| r.siasn_id == id).map(|r| r.form)
    }

    pub fn name(self, lang: Language) -> &'static str {
        match lang {
            Language::Id => self.row().name_id,
            Language::En => self.row().name_en,
        }
    }

    pub fn category(self) -> FormCategory {
        self.row().category
    }

    pub fn default_rule(self) -> ConversionRule {
        self.row().rule
    }
}

/// How much of an activity there was, in the unit its form's rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "unit", rename_all = "snake_case")]
pub enum Amount {
    /// JP the organiser states on the certificate.
    StatedJp {
        jp: Jp,
    },
    Days {
        days: u32,
    },
    /// Actual learning time spread over `days` days.
    Time {
        minutes: u32,
        days: u32,
    },
    /// Sessions held over `months` months (the cap for on-the-job guidance is per month).
    Sessions {
        sessions: u32,
        months: u32,
    },
    Activities {
        activities: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversionError {
    #[error("{form:?} is counted in {expected}, not in the amount given")]
    WrongUnit {
        form: DevelopmentForm,
        expected: &'static str,
    },
    #[error("the number of days (or months) must be at least 1")]
    ZeroPeriod,
}

/// The JP rules of one deployment: the yearly target, the length of a JP, the time zone that
/// decides the year, and the conversion table for external activities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JpPolicy {
    pub yearly_target: Jp,
    pub minutes_per_jp: u32,
    #[serde(with = "tz_name")]
    pub timezone: Tz,
    pub conversions: BTreeMap<DevelopmentForm, ConversionRule>,
}

impl Default for JpPolicy {
    fn default() -> Self {
        Self {
            yearly_target: Jp::whole(20),
            minutes_per_jp: 45,
            timezone: JAKARTA,
            conversions: FORMS.iter().map(|r| (r.form, r.rule)).collect(),
        }
    }
}

mod tz_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(d)?;
        name.parse()
            .map_err(|_| serde::de::Error::custom(format!("unknown time zone {name:?}")))
    }
}

impl JpPolicy {
    pub fn rule(&self, form: DevelopmentForm) -> ConversionRule {
        self.conversions
            .get(&form)
            .copied()
            .unwrap_or_else(|| form.default_rule())
    }

    /// The JP an external activity earns by the conversion table: the figure hr is shown when
    /// approving a record (they may still enter another).
    pub fn suggest_jp(
        &self,
        form: DevelopmentForm,
        amount: Amount,
        abroad: bool,
    ) -> Result<Jp, ConversionError> {
        let wrong = |expected| ConversionError::WrongUnit { form, expected };
        match (self.rule(form), amount) {
            (
                ConversionRule::StatedJp {
                    abroad_bonus_percent,
                },
                Amount::StatedJp { jp },
            ) => Ok(if abroad {
                jp.saturating_add(jp.percent(abroad_bonus_percent))
            } else {
                jp
            }),
            (ConversionRule::StatedJp { .. }, _) => Err(wrong("stated JP")),
            (ConversionRule::PerDay { jp, abroad_jp }, Amount::Days { days }) => {
                Ok(if abroad { abroad_jp } else { jp }.saturating_mul(days))
            }
            (ConversionRule::PerDay { .. }, _) => Err(wrong("days")),
            (
                ConversionRule::ActualTimeCappedPerDay { max_per_day },
                Amount::Time { minutes, days },
            ) => {
                if days == 0 {
                    return Err(ConversionError::ZeroPeriod);
                }
                Ok(Jp::from_minutes(minutes, self.minutes_per_jp)
                    .min(max_per_day.saturating_mul(days)))
            }
            (ConversionRule::ActualTimeCappedPerDay { .. }, _) => Err(wrong("minutes over days")),
            (ConversionRule::PerActivity { jp }, Amount::Activities { activities }) => {
                Ok(jp.saturating_mul(activities))
            }
            (ConversionRule::PerActivity { .. }, _) => Err(wrong("activities")),
            (
                ConversionRule::PerSession {
                    jp,
                    max_sessions_per_month,
                },
                Amount::Sessions { sessions, months },
            ) => {
                let counted = match max_sessions_per_month {
                    Some(_) if months == 0 => return Err(ConversionError::ZeroPeriod),
                    Some(cap) => sessions.min(cap.saturating_mul(months)),
                    None => sessions,
                };
                Ok(jp.saturating_mul(counted))
            }
            (ConversionRule::PerSession { .. }, _) => Err(wrong("sessions")),
        }
    }
}

/// [`JpPolicy::suggest_jp`] with the default policy.
pub fn suggest_jp(
    form: DevelopmentForm,
    amount: Amount,
    abroad: bool,
) -> Result<Jp, ConversionError> {
    JpPolicy::default().suggest_jp(form, amount, abroad)
}

// ---------------------------------------------------------------------------------------------
// The ledger.

/// One record of JP earned: a completed Lentera course, or an external activity the learner
/// reported with proof. It keeps what the regulations ask a record to hold: the provider, the
/// material, the date, the JP and the proof.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntry {
    pub id: Uuid,
    /// The material: course title or the external activity's name (SIASN `namaKursus`).
    pub title: String,
    /// Who organised it (SIASN `institusiPenyelenggara`).
    pub provider: String,
    pub completed_at: DateTime<Utc>,
    pub jp: Jp,
    pub source: EntrySource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntrySource {
    Course {
        course_id: String,
    },
    External {
        form: DevelopmentForm,
        approval: Approval,
        /// A reference to the uploaded proof (certificate scan).
        #[serde(default)]
        proof: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    Pending,
    Approved,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Course,
    External,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    PendingApproval,
    Rejected,
    Duplicate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceTotals {
    pub courses: Jp,
    pub external: Jp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakdownLine {
    pub entry_id: Uuid,
    pub title: String,
    pub completed_at: DateTime<Utc>,
    pub jp: Jp,
    pub source: SourceKind,
    pub counted: bool,
    pub excluded_because: Option<ExclusionReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearSummary {
    pub year: JpYear,
    pub earned: Jp,
    pub target: Jp,
    pub remaining: Jp,
    pub by_source: SourceTotals,
    /// Every entry of the year in date order, counted or not (so a learner sees why a pending
    /// record does not add up yet).
    pub breakdown: Vec<BreakdownLine>,
}

impl YearSummary {
    pub fn target_met(&self) -> bool {
        self.earned >= self.target
    }

    /// "14 / 20 JP" (Indonesian: "14,5 / 20 JP").
    pub fn label(&self, lang: Language) -> String {
        format!(
            "{} / {} JP",
            self.earned.format(lang),
            self.target.format(lang)
        )
    }
}

impl fmt::Display for YearSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label(Language::Id))
    }
}

/// Adds up the JP of one year. Courses always count; external records count only once hr
/// approved them. The year of an entry is the calendar year of its completion in the policy's
/// time zone. An entry id seen twice counts once.
pub fn year_summary(entries: &[LedgerEntry], year: JpYear, policy: &JpPolicy) -> YearSummary {
    let mut in_year: Vec<&LedgerEntry> = entries
        .iter()
        .filter(|e| JpYear::of(e.completed_at, policy.timezone) == year)
        .collect();
    in_year.sort_by_key(|e| (e.completed_at, e.id));

    let mut seen = BTreeSet::new();
    let mut by_source = SourceTotals::default();
    let mut breakdown = Vec::with_capacity(in_year.len());
    for e in in_year {
        let (source, excluded) = match &e.source {
            EntrySource::Course { .. } => (SourceKind::Course, None),
            EntrySource::External {
                approval: Approval::Approved,
                ..
            } => (SourceKind::External, None),
            EntrySource::External {
                approval: Approval::Pending,
                ..
            } => (SourceKind::External, Some(ExclusionReason::PendingApproval)),
            EntrySource::External {
                approval: Approval::Rejected,
                ..
            } => (SourceKind::External, Some(ExclusionReason::Rejected)),
        };
        let excluded = match excluded {
            None if !seen.insert(e.id) => Some(ExclusionReason::Duplicate),
            other => other,
        };
        if excluded.is_none() {
            match source {
                SourceKind::Course => by_source.courses = by_source.courses.saturating_add(e.jp),
                SourceKind::External => {
                    by_source.external = by_source.external.saturating_add(e.jp)
                }
            }
        }
        breakdown.push(BreakdownLine {
            entry_id: e.id,
            title: e.title.clone(),
            completed_at: e.completed_at,
            jp: e.jp,
            source,
            counted: excluded.is_none(),
            excluded_because: excluded,
        });
    }
    let earned = by_source.courses.saturating_add(by_source.external);
    YearSummary {
        year,
        earned,
        target: policy.yearly_target,
        remaining: policy.yearly_target.saturating_sub(earned),
        by_source,
        breakdown,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn form_table_is_in_enum_order_and_complete() {
        for (i, r) in FORMS.iter().enumerate() {
            assert_eq!(r.form as usize, i);
            assert_eq!(usize::from(r.siasn_id), i + 1);
        }
        assert_eq!(DevelopmentForm::all().count(), 25);
        assert_eq!(
            DevelopmentForm::from_siasn_id(16),
            Some(DevelopmentForm::ELearning)
        );
        assert_eq!(DevelopmentForm::from_siasn_id(26), None);
        assert_eq!(DevelopmentForm::Seminar.category(), FormCategory::Klasikal);
        assert_eq!(
            DevelopmentForm::Coaching.category(),
            FormCategory::NonKlasikal
        );
        assert_eq!(
            DevelopmentForm::PatokBanding.name(Language::Id),
            "Patok Banding"
        );
    }

    #[test]
    fn jp_parses_and_formats() {
        assert_eq!(Jp::parse("2,5").unwrap(), Jp::halves(5));
        assert_eq!(Jp::parse(" 2.5 ").unwrap(), Jp::halves(5));
        assert_eq!(Jp::parse("0.25").unwrap(), Jp::from_hundredths(25));
        assert_eq!(Jp::parse("20").unwrap(), Jp::whole(20));
        for bad in ["", "-1", "1.234", "1,2,3", "abc", ".5", "99999999999"] {
            assert!(Jp::parse(bad).is_err(), "{bad:?} should not parse");
        }
        assert_eq!(Jp::halves(29).to_string(), "14,5");
        assert_eq!(Jp::halves(29).format(Language::En), "14.5");
        assert_eq!(Jp::from_hundredths(25).format(Language::Id), "0,25");
        assert_eq!(Jp::from_hundredths(205).format(Language::En), "2.05");
        assert_eq!(Jp::whole(14).to_string(), "14");
    }

    #[test]
    fn jp_json_is_a_number() {
        assert_eq!(serde_json::to_string(&Jp::halves(5)).unwrap(), "2.5");
        assert_eq!(serde_json::to_string(&Jp::whole(3)).unwrap(), "3");
        assert_eq!(serde_json::from_str::<Jp>("2.5").unwrap(), Jp::halves(5));
        assert_eq!(
            serde_json::from_str::<Jp>("0.1").unwrap(),
            Jp::from_hundredths(10)
        );
        assert!(serde_json::from_str::<Jp>("-1").is_err());
        assert!(serde_json::from_str::<Jp>("1.001").is_err());
    }

    #[test]
    fn minutes_round_down_to_half_jp() {
        assert_eq!(Jp::from_minutes(45, 45), Jp::whole(1));
        assert_eq!(Jp::from_minutes(100, 45), Jp::whole(2));
        assert_eq!(Jp::from_minutes(120, 45), Jp::halves(5));
        assert_eq!(Jp::from_minutes(10, 0), Jp::ZERO);
    }

    #[test]
    fn policy_round_trips_through_json() {
        let policy = JpPolicy::default();
        let json = serde_json::to_string(&policy).unwrap();
        assert!(json.contains("Asia/Jakarta"), "{json}");
        let back: JpPolicy = serde_json::from_str(&json).unwrap();
        assert_eq!(back, policy);
    }
}
