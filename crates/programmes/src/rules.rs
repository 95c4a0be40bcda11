//! Assignment rules: who a cohort is assigned to, what an hr officer may assign, and the NIP lists
//! hr pastes or uploads.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use lentera_accounts::{CsvProblem, EmploymentType, HrScope, Nip, OpdId, UserId};
use serde::{Deserialize, Serialize};

/// Whom a rule reaches. Rules are kept, so that people who later join an OPD, take up a position or
/// get an account are assigned too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum RuleTarget {
    /// Everyone in an OPD.
    Opd(OpdId),
    /// Everyone holding a position (jabatan), matched ignoring case and repeated spaces.
    Position(String),
    /// Every PNS, or every PPPK.
    EmploymentType(EmploymentType),
    /// One person (also what a pasted or uploaded NIP list becomes).
    User(UserId),
}

/// A stored rule: a target, limited to one OPD when a scoped hr officer made it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rule {
    pub target: RuleTarget,
    pub within: Option<OpdId>,
}

/// What the rules look at in a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub opd: Option<OpdId>,
    pub jabatan: String,
    pub employment_type: Option<EmploymentType>,
    pub active: bool,
}

/// Positions are typed by people: compare them lower-cased with single spaces.
pub fn normalise_position(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

impl RuleTarget {
    pub fn kind(&self) -> RuleKind {
        match self {
            Self::Opd(_) => RuleKind::Opd,
            Self::Position(_) => RuleKind::Position,
            Self::EmploymentType(_) => RuleKind::EmploymentType,
            Self::User(_) => RuleKind::User,
        }
    }

    /// The value as stored (an id, a normalised position, `PNS`/`PPPK`).
    pub fn value(&self) -> String {
        match self {
            Self::Opd(o) => o.to_string(),
            Self::Position(p) => normalise_position(p),
            Self::EmploymentType(e) => e.as_str().to_string(),
            Self::User(u) => u.to_string(),
        }
    }

    /// Rebuilds a target from its stored kind and value.
    pub fn from_stored(kind: RuleKind, value: &str) -> Result<Self, String> {
        let bad = |what: &str| format!("bad {what} in a stored rule: {value:?}");
        Ok(match kind {
            RuleKind::Opd => Self::Opd(value.parse().map_err(|_| bad("OPD id"))?),
            RuleKind::Position => Self::Position(value.to_string()),
            RuleKind::EmploymentType => Self::EmploymentType(value.parse()?),
            RuleKind::User => Self::User(value.parse().map_err(|_| bad("user id"))?),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Opd,
    Position,
    EmploymentType,
    User,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opd => "opd",
            Self::Position => "position",
            Self::EmploymentType => "employment_type",
            Self::User => "user",
        }
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RuleKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "opd" => Ok(Self::Opd),
            "position" => Ok(Self::Position),
            "employment_type" => Ok(Self::EmploymentType),
            "user" => Ok(Self::User),
            other => Err(format!("unknown rule kind {other:?}")),
        }
    }
}

impl Rule {
    /// Does this rule reach `p`? Deactivated accounts are never assigned.
    pub fn matches(&self, p: &Person) -> bool {
        if !p.active {
            return false;
        }
        if self.within.is_some_and(|within| p.opd != Some(within)) {
            return false;
        }
        match &self.target {
            RuleTarget::Opd(o) => p.opd == Some(*o),
            RuleTarget::Position(pos) => {
                let want = normalise_position(pos);
                !want.is_empty() && normalise_position(&p.jabatan) == want
            }
            RuleTarget::EmploymentType(e) => p.employment_type == Some(*e),
            RuleTarget::User(u) => p.id == *u,
        }
    }
}

/// What an hr officer asks to assign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignTo {
    Opd(OpdId),
    Position(String),
    EmploymentType(EmploymentType),
    /// One person, with the OPD they are in now.
    User { id: UserId, opd: Option<OpdId> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// An OPD outside the officer's scope.
    #[error("this OPD is outside your scope")]
    OpdOutOfScope,
    /// A person outside the officer's scope: reported as unknown, so scope does not reveal them.
    #[error("no such user")]
    UnknownUser,
    #[error("a position must not be empty")]
    EmptyPosition,
}

/// The rules to store for an assignment made within `scope`. Regency-wide hr and admins assign to
/// anyone; an officer scoped to OPDs assigns their own OPDs and their own people, and a position
/// or employment-type rule they make reaches only their OPDs (one rule per OPD).
pub fn scope_rules(scope: &HrScope, to: AssignTo) -> Result<Vec<Rule>, ScopeError> {
    if matches!(&to, AssignTo::Position(p) if normalise_position(p).is_empty()) {
        return Err(ScopeError::EmptyPosition);
    }
    let unscoped = |target| Ok(vec![Rule { target, within: None }]);
    match (scope, to) {
        (_, AssignTo::User { id, opd }) => {
            if scope.covers(opd) { unscoped(RuleTarget::User(id)) } else { Err(ScopeError::UnknownUser) }
        }
        (_, AssignTo::Opd(o)) => {
            if scope.covers(Some(o)) { unscoped(RuleTarget::Opd(o)) } else { Err(ScopeError::OpdOutOfScope) }
        }
        (HrScope::All, AssignTo::Position(p)) => unscoped(RuleTarget::Position(normalise_position(&p))),
        (HrScope::All, AssignTo::EmploymentType(e)) => unscoped(RuleTarget::EmploymentType(e)),
        (HrScope::Opds(opds), AssignTo::Position(p)) => Ok(opds
            .iter()
            .map(|o| Rule { target: RuleTarget::Position(normalise_position(&p)), within: Some(*o) })
            .collect()),
        (HrScope::Opds(opds), AssignTo::EmploymentType(e)) => {
            Ok(opds.iter().map(|o| Rule { target: RuleTarget::EmploymentType(e), within: Some(*o) }).collect())
        }
    }
}

/// One NIP of a pasted or uploaded list, with the row it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NipRow {
    /// As a spreadsheet numbers it: with a header, the header is row 1.
    pub row: u64,
    pub nip: Nip,
}

fn problem(row: u64, code: &str, message: String) -> CsvProblem {
    CsvProblem { row, column: Some("nip".into()), code: code.into(), message }
}

/// Reads a list of NIPs: a CSV file with a `nip` column (comma or semicolon separated, optional
/// BOM, other columns ignored), or plain text with one NIP per line (several on a line may be
/// separated by commas, semicolons or tabs; spaces inside a NIP are allowed). Every bad NIP is
/// reported with its row; a NIP listed twice is taken once. All or nothing: any problem means no
/// rows.
pub fn parse_nip_list(data: &[u8], today: NaiveDate) -> Result<Vec<NipRow>, Vec<CsvProblem>> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let text = String::from_utf8_lossy(data);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let has_header = first.chars().any(|c| c.is_alphabetic());
    let mut items: Vec<(u64, String)> = Vec::new();
    let mut problems = Vec::new();
    if has_header {
        let delimiter = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(data);
        let column = match reader.headers() {
            Ok(h) => h.iter().position(|name| name.trim().eq_ignore_ascii_case("nip")),
            Err(e) => return Err(vec![CsvProblem { row: 1, column: None, code: "csv_unreadable".into(), message: e.to_string() }]),
        };
        let Some(column) = column else {
            return Err(vec![CsvProblem {
                row: 1,
                column: None,
                code: "csv_missing_columns".into(),
                message: "the header has no `nip` column (or send one NIP per line without a header)".into(),
            }]);
        };
        for record in reader.records() {
            match record {
                Ok(r) => {
                    let row = r.position().map_or(0, |p| p.line());
                    let value = r.get(column).unwrap_or("").trim();
                    if !r.iter().all(|f| f.trim().is_empty()) {
                        items.push((row, value.to_string()));
                    }
                }
                Err(e) => {
                    let row = e.position().map_or(0, |p| p.line());
                    problems.push(CsvProblem { row, column: None, code: "csv_unreadable".into(), message: e.to_string() });
                }
            }
        }
    } else {
        for (i, line) in text.lines().enumerate() {
            for part in line.split([',', ';', '\t']) {
                let part = part.trim();
                if !part.is_empty() {
                    items.push((i as u64 + 1, part.to_string()));
                }
            }
        }
    }
    let rows = check_nips(items, today, &mut problems);
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

/// The same checks for a list sent as JSON: row `n` is the n-th item.
pub fn parse_nips(items: &[String], today: NaiveDate) -> Result<Vec<NipRow>, Vec<CsvProblem>> {
    let mut problems = Vec::new();
    let items = items.iter().enumerate().map(|(i, s)| (i as u64 + 1, s.trim().to_string())).collect();
    let rows = check_nips(items, today, &mut problems);
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

fn check_nips(items: Vec<(u64, String)>, today: NaiveDate, problems: &mut Vec<CsvProblem>) -> Vec<NipRow> {
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (row, value) in items {
        if value.is_empty() {
            problems.push(problem(row, "required", "the NIP is empty".into()));
            continue;
        }
        match Nip::parse_at(&value, today) {
            Ok(nip) => {
                if seen.insert(nip.clone()) {
                    rows.push(NipRow { row, nip });
                }
            }
            Err(e) => problems.push(problem(row, e.code(), e.to_string())),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(CsvProblem { row: 1, column: None, code: "csv_empty".into(), message: "the list has no NIPs".into() });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(opd: Option<OpdId>, jabatan: &str, kind: Option<EmploymentType>) -> Person {
        Person { id: UserId::new(), opd, jabatan: jabatan.into(), employment_type: kind, active: true }
    }

    #[test]
    fn each_target_reaches_whom_it_names() {
        let dinkes = OpdId::new();
        let dinsos = OpdId::new();
        let nurse = person(Some(dinkes), "Perawat  Ahli Pertama", Some(EmploymentType::Pppk));
        let social = person(Some(dinsos), "Pekerja Sosial", Some(EmploymentType::Pns));
        let rule = |target| Rule { target, within: None };
        assert!(rule(RuleTarget::Opd(dinkes)).matches(&nurse));
        assert!(!rule(RuleTarget::Opd(dinkes)).matches(&social));
        assert!(rule(RuleTarget::Position("perawat ahli pertama".into())).matches(&nurse));
        assert!(!rule(RuleTarget::Position("perawat".into())).matches(&nurse), "whole positions, not parts");
        assert!(rule(RuleTarget::EmploymentType(EmploymentType::Pns)).matches(&social));
        assert!(!rule(RuleTarget::EmploymentType(EmploymentType::Pns)).matches(&nurse));
        assert!(rule(RuleTarget::User(nurse.id)).matches(&nurse));
        assert!(!rule(RuleTarget::User(nurse.id)).matches(&social));
        let mut gone = nurse.clone();
        gone.active = false;
        assert!(!rule(RuleTarget::Opd(dinkes)).matches(&gone), "deactivated accounts are never assigned");
    }

    #[test]
    fn a_rule_within_an_opd_reaches_only_that_opd() {
        let dinkes = OpdId::new();
        let r = Rule { target: RuleTarget::EmploymentType(EmploymentType::Pns), within: Some(dinkes) };
        assert!(r.matches(&person(Some(dinkes), "Staf", Some(EmploymentType::Pns))));
        assert!(!r.matches(&person(Some(OpdId::new()), "Staf", Some(EmploymentType::Pns))));
        assert!(!r.matches(&person(None, "Staf", Some(EmploymentType::Pns))));
    }

    #[test]
    fn a_scoped_officer_assigns_only_within_their_opd() {
        let mine = OpdId::new();
        let other = OpdId::new();
        let scope = HrScope::Opds(vec![mine]);
        assert_eq!(scope_rules(&scope, AssignTo::Opd(mine)).unwrap(), vec![Rule { target: RuleTarget::Opd(mine), within: None }]);
        assert_eq!(scope_rules(&scope, AssignTo::Opd(other)), Err(ScopeError::OpdOutOfScope));
        assert_eq!(
            scope_rules(&scope, AssignTo::Position(" Analis  Kebijakan ".into())).unwrap(),
            vec![Rule { target: RuleTarget::Position("analis kebijakan".into()), within: Some(mine) }]
        );
        assert_eq!(
            scope_rules(&scope, AssignTo::EmploymentType(EmploymentType::Pppk)).unwrap()[0].within,
            Some(mine)
        );
        let u = UserId::new();
        assert!(scope_rules(&scope, AssignTo::User { id: u, opd: Some(mine) }).is_ok());
        assert_eq!(scope_rules(&scope, AssignTo::User { id: u, opd: Some(other) }), Err(ScopeError::UnknownUser));
        assert_eq!(scope_rules(&scope, AssignTo::User { id: u, opd: None }), Err(ScopeError::UnknownUser));
        assert_eq!(scope_rules(&scope, AssignTo::Position("  ".into())), Err(ScopeError::EmptyPosition));
    }

    #[test]
    fn regency_hr_assigns_anywhere_without_limits() {
        let rules = scope_rules(&HrScope::All, AssignTo::EmploymentType(EmploymentType::Pns)).unwrap();
        assert_eq!(rules, vec![Rule { target: RuleTarget::EmploymentType(EmploymentType::Pns), within: None }]);
        assert!(scope_rules(&HrScope::All, AssignTo::User { id: UserId::new(), opd: None }).is_ok());
    }

    #[test]
    fn stored_targets_round_trip() {
        for t in [
            RuleTarget::Opd(OpdId::new()),
            RuleTarget::Position("camat".into()),
            RuleTarget::EmploymentType(EmploymentType::Pppk),
            RuleTarget::User(UserId::new()),
        ] {
            assert_eq!(RuleTarget::from_stored(t.kind(), &t.value()).unwrap(), t);
            assert_eq!(t.kind().as_str().parse::<RuleKind>().unwrap(), t.kind());
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn a_pasted_list_reports_bad_nips_by_line() {
        let text = "198609262015051001\n\n19860926 201505 2 001, 123\n198609262015053001\n198609262015051001\n";
        let problems = parse_nip_list(text.as_bytes(), today()).unwrap_err();
        let summary: Vec<(u64, &str)> = problems.iter().map(|p| (p.row, p.code.as_str())).collect();
        assert_eq!(summary, vec![(3, "nip_length"), (4, "nip_sex_digit")]);
        let ok = parse_nip_list(b"198609262015051001\n19860926 201505 2 001;198609262015051001\n", today()).unwrap();
        let rows: Vec<(u64, &str)> = ok.iter().map(|r| (r.row, r.nip.as_str())).collect();
        assert_eq!(rows, vec![(1, "198609262015051001"), (2, "198609262015052001")], "duplicates are taken once");
    }

    #[test]
    fn a_csv_with_a_nip_column_is_read_by_header() {
        let csv = "\u{feff}Nama;NIP;OPD\nBudi;198609262015051001;Dinkes\nSiti;19860926201505100x;Dinsos\n";
        let problems = parse_nip_list(csv.as_bytes(), today()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].row, problems[0].code.as_str()), (3, "nip_not_digits"));
        let rows = parse_nip_list(b"nama,nip\nBudi,198609262015051001\n", today()).unwrap();
        assert_eq!(rows[0].row, 2);
        let missing = parse_nip_list(b"nama,opd\nBudi,Dinkes\n", today()).unwrap_err();
        assert_eq!((missing[0].row, missing[0].code.as_str()), (1, "csv_missing_columns"));
        assert_eq!(parse_nip_list(b"\n\n", today()).unwrap_err()[0].code, "csv_empty");
    }

    #[test]
    fn a_json_list_numbers_items_from_one() {
        let problems = parse_nips(&["198609262015051001".into(), "".into()], today()).unwrap_err();
        assert_eq!((problems[0].row, problems[0].code.as_str()), (2, "required"));
    }
}
