//! `course.toml` and `module.toml`: typed, validated, every problem with its line and column.
//!
//! The TOML is read into toml's spanned document tree rather than straight into structs, so a
//! manifest with five mistakes yields five problems, each pointing at its own line.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use serde::Serialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::ids::{CourseSlug, check_id};
use crate::problem::{LineIndex, Problem, ProblemCode};

pub const MANIFEST_FILE: &str = "course.toml";
pub const MODULE_FILE: &str = "module.toml";

/// How hard a course is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Dasar,
    Menengah,
    Lanjut,
}

/// The language a course is written in. Indonesian is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Id,
    En,
}

/// Who sees a course in the catalogue and who may enrol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// In the catalogue; learners may enrol themselves.
    Public,
    /// In the catalogue; an instructor or hr enrols learners.
    Internal,
    /// Not in the catalogue.
    Hidden,
}

/// What a quiz is for in a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CourseQuizRole))]
#[serde(rename_all = "snake_case")]
pub enum QuizRole {
    Final,
    Pretest,
    Posttest,
    #[default]
    Practice,
}

/// JP (jam pelajaran) credited on completion: positive, in steps of a half.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Jp {
    halves: u32,
}

impl Jp {
    /// The most JP one course may credit; more is certainly a typo.
    pub const MAX: f64 = 1000.0;

    pub fn from_f64(value: f64) -> Option<Self> {
        let doubled = value * 2.0;
        let ok = value.is_finite() && value > 0.0 && value <= Self::MAX && doubled.fract() == 0.0;
        // `doubled` is a whole number in 1..=2000 here, so the cast is exact.
        ok.then_some(Self {
            halves: doubled as u32,
        })
    }

    pub fn halves(self) -> u32 {
        self.halves
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.halves) / 2.0
    }
}

impl fmt::Display for Jp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.halves.is_multiple_of(2) {
            write!(f, "{}", self.halves / 2)
        } else {
            write!(f, "{}.5", self.halves / 2)
        }
    }
}

impl Serialize for Jp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completion {
    /// Minutes a learner must have spent before the course counts as complete.
    pub min_minutes: u32,
    /// A quiz id that must be passed.
    pub require_quiz: Option<String>,
}

/// A `[[quizzes]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuizEntry {
    /// Course-relative path of the quiz file, as written.
    pub file: String,
    pub role: QuizRole,
}

/// A validated `course.toml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CourseManifest {
    pub slug: CourseSlug,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub level: Level,
    pub language: Language,
    pub jp: Jp,
    pub duration_minutes: u32,
    pub tags: Vec<String>,
    /// Course-relative path of the cover image.
    pub cover: Option<String>,
    pub visibility: Visibility,
    pub self_enrol: bool,
    pub completion: Completion,
    pub quizzes: Vec<QuizEntry>,
    /// Explicit module order (folder names or module ids), when given.
    pub modules: Option<Vec<String>>,
}

/// A value and where it was written, for problems found later (a missing file, an unknown
/// module name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located<T> {
    pub(crate) value: T,
    pub(crate) pos: Option<(u32, u32)>,
}

/// What a manifest says, kept even when some fields are wrong so the loader can still check
/// the rest of the course against it; `manifest` is there only when every field is valid.
#[derive(Debug, Clone)]
pub(crate) struct ManifestDraft {
    pub(crate) manifest: Option<CourseManifest>,
    pub(crate) slug: Option<CourseSlug>,
    pub(crate) language: Language,
    pub(crate) cover: Option<Located<String>>,
    pub(crate) quizzes: Vec<(Located<String>, QuizRole)>,
    pub(crate) require_quiz: Option<Located<String>>,
    pub(crate) modules: Option<Vec<Located<String>>>,
}

/// A validated `module.toml`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleDraft {
    pub(crate) title: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) order: Option<Vec<Located<String>>>,
}

/// Reads fields out of a spanned TOML table, reporting problems as it goes.
struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    /// Dotted prefix for messages (`completion.`).
    prefix: String,
    file: &'a str,
    lines: &'a LineIndex<'a>,
    problems: &'a mut Vec<Problem>,
    table_pos: Option<(u32, u32)>,
    read: BTreeSet<String>,
}

impl<'a, 'i> Fields<'a, 'i> {
    fn pos(&self, span: Range<usize>) -> Option<(u32, u32)> {
        Some(self.lines.position(span.start))
    }

    fn problem(&mut self, code: ProblemCode, span: Option<Range<usize>>, message: String) {
        let pos = span.and_then(|s| self.pos(s)).or(self.table_pos);
        self.problems
            .push(Problem::new(code, self.file, message).at_pos(pos));
    }

    fn get(&mut self, key: &str, required: bool) -> Option<&'a Spanned<DeValue<'i>>> {
        self.read.insert(key.to_owned());
        let value = self.table.get(key);
        if value.is_none() && required {
            let message = format!("'{}{key}' is required", self.prefix);
            let code = ProblemCode::MissingManifestField;
            self.problems
                .push(Problem::new(code, self.file, message).at_pos(self.table_pos));
        }
        value
    }

    fn wrong_type(&mut self, key: &str, value: &Spanned<DeValue<'i>>, expected: &str) {
        let message = format!(
            "'{}{key}' must be {expected}, not {}",
            self.prefix,
            value.get_ref().type_str()
        );
        self.problem(ProblemCode::InvalidFieldType, Some(value.span()), message);
    }

    fn string(&mut self, key: &str, required: bool) -> Option<Located<String>> {
        let value = self.get(key, required)?;
        match value.get_ref() {
            DeValue::String(s) => {
                let trimmed = s.trim();
                if trimmed.is_empty() && required {
                    let message = format!("'{}{key}' may not be empty", self.prefix);
                    self.problem(ProblemCode::InvalidFieldValue, Some(value.span()), message);
                    return None;
                }
                Some(Located {
                    value: trimmed.to_owned(),
                    pos: self.pos(value.span()),
                })
            }
            _ => {
                self.wrong_type(key, value, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, key: &str) -> Option<bool> {
        let value = self.get(key, false)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(key, value, "true or false");
                None
            }
        }
    }

    /// A whole number in `min..=max`.
    fn integer(&mut self, key: &str, required: bool, min: u32, max: u32) -> Option<u32> {
        let value = self.get(key, required)?;
        let parsed = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => {
                self.wrong_type(key, value, "a whole number");
                return None;
            }
        };
        match parsed
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (min..=max).contains(n))
        {
            Some(n) => Some(n),
            None => {
                let message = format!("'{}{key}' must be between {min} and {max}", self.prefix);
                self.problem(ProblemCode::InvalidFieldValue, Some(value.span()), message);
                None
            }
        }
    }

    fn number(&mut self, key: &str, required: bool) -> Option<(f64, Range<usize>)> {
        let value = self.get(key, required)?;
        let parsed = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => {
                self.wrong_type(key, value, "a number");
                return None;
            }
        };
        parsed.map(|n| (n, value.span()))
    }

    /// One of `choices` (the string form of `T`).
    fn choice<T: Copy>(&mut self, key: &str, required: bool, choices: &[(&str, T)]) -> Option<T> {
        let located = self.string(key, required)?;
        let found = choices
            .iter()
            .find(|(name, _)| *name == located.value)
            .map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            let message = format!(
                "'{}{key}' must be one of {}, not '{}'",
                self.prefix,
                names.join(", "),
                located.value
            );
            let code = ProblemCode::InvalidFieldValue;
            self.problems
                .push(Problem::new(code, self.file, message).at_pos(located.pos));
        }
        found
    }

    fn string_array(&mut self, key: &str) -> Option<Vec<Located<String>>> {
        let value = self.get(key, false)?;
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(key, value, "a list of strings");
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => out.push(Located {
                    value: s.trim().to_owned(),
                    pos: self.pos(item.span()),
                }),
                _ => {
                    let message = format!(
                        "every entry of '{}{key}' must be a non-empty string",
                        self.prefix
                    );
                    self.problem(ProblemCode::InvalidFieldType, Some(item.span()), message);
                }
            }
        }
        Some(out)
    }

    fn table(&mut self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        let value = self.get(key, false)?;
        if value.get_ref().is_table() {
            Some(value)
        } else {
            self.wrong_type(key, value, "a table");
            None
        }
    }

    fn nested<'b>(
        &'b mut self,
        table: &'a DeTable<'i>,
        prefix: String,
        span: Range<usize>,
    ) -> Fields<'b, 'i>
    where
        'a: 'b,
    {
        Fields {
            table,
            prefix,
            file: self.file,
            lines: self.lines,
            problems: self.problems,
            table_pos: Some(self.lines.position(span.start)),
            read: BTreeSet::new(),
        }
    }

    /// Warns about keys nobody asked for: usually a typo (`titel`, `self_enroll`).
    fn finish(self) {
        for (key, _) in self.table.iter() {
            let name: &str = key.get_ref();
            if !self.read.contains(name) {
                let pos = Some(self.lines.position(key.span().start));
                let message = format!("unknown field '{}{name}' is ignored", self.prefix);
                self.problems
                    .push(Problem::new(ProblemCode::UnknownField, self.file, message).at_pos(pos));
            }
        }
    }
}

/// Parses TOML, reporting syntax errors with their line and column. `None` when the document
/// has syntax errors: fields of a half-parsed document would only add noise.
fn parse_toml<'i>(
    text: &'i str,
    file: &str,
    lines: &LineIndex<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Spanned<DeTable<'i>>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Some(table);
    }
    for error in errors {
        let pos = error.span().map(|s| lines.position(s.start));
        let message = error.message().trim().to_owned();
        problems.push(
            Problem::new(
                ProblemCode::InvalidToml,
                file,
                format!("invalid TOML: {message}"),
            )
            .at_pos(pos),
        );
    }
    None
}

pub(crate) fn parse_manifest(
    text: &str,
    file: &str,
    problems: &mut Vec<Problem>,
) -> Option<ManifestDraft> {
    let lines = LineIndex::new(text, 1);
    let doc = parse_toml(text, file, &lines, problems)?;
    let errors_before = problems.iter().filter(|p| p.is_error()).count();
    let mut f = Fields {
        table: doc.get_ref(),
        prefix: String::new(),
        file,
        lines: &lines,
        problems,
        table_pos: None,
        read: BTreeSet::new(),
    };

    let slug = f
        .string("slug", true)
        .and_then(|s| match CourseSlug::parse(&s.value) {
            Ok(slug) => Some(slug),
            Err(e) => {
                let message = format!("slug '{}' {e}", s.value);
                f.problems
                    .push(Problem::new(ProblemCode::InvalidSlug, file, message).at_pos(s.pos));
                None
            }
        });
    let title = f.string("title", true);
    let summary = f.string("summary", true);
    let category = f.string("category", true);
    let level = f.choice(
        "level",
        true,
        &[
            ("dasar", Level::Dasar),
            ("menengah", Level::Menengah),
            ("lanjut", Level::Lanjut),
        ],
    );
    let language = f
        .choice(
            "language",
            false,
            &[("id", Language::Id), ("en", Language::En)],
        )
        .unwrap_or_default();
    let jp = f.number("jp", true).and_then(|(value, span)| {
        let jp = Jp::from_f64(value);
        if jp.is_none() {
            let message = format!(
                "'jp' must be more than 0 and at most {}, in steps of 0.5 (found {value})",
                Jp::MAX
            );
            f.problem(ProblemCode::InvalidFieldValue, Some(span), message);
        }
        jp
    });
    let duration_minutes = f.integer("duration_minutes", true, 1, 100_000);
    let tags = f.string_array("tags").unwrap_or_default();
    let cover = f.string("cover", false);
    let visibility = f
        .choice(
            "visibility",
            false,
            &[
                ("public", Visibility::Public),
                ("internal", Visibility::Internal),
                ("hidden", Visibility::Hidden),
            ],
        )
        .unwrap_or(Visibility::Public);
    let self_enrol_value = f.get("self_enrol", false).map(|v| v.span());
    let self_enrol = f.boolean("self_enrol");
    if self_enrol == Some(true) && visibility != Visibility::Public {
        f.problem(
            ProblemCode::SelfEnrolIgnored,
            self_enrol_value,
            "'self_enrol = true' has no effect unless visibility is \"public\"".to_owned(),
        );
    }
    let self_enrol = visibility == Visibility::Public && self_enrol.unwrap_or(true);

    let mut completion = Completion::default();
    let mut require_quiz = None;
    if let Some(value) = f.table("completion") {
        if let DeValue::Table(t) = value.get_ref() {
            let mut c = f.nested(t, "completion.".to_owned(), value.span());
            completion.min_minutes = c.integer("min_minutes", false, 0, 100_000).unwrap_or(0);
            require_quiz = c.string("require_quiz", false);
            c.finish();
        }
        completion.require_quiz = require_quiz.as_ref().map(|q| q.value.clone());
    }

    let mut quizzes = Vec::new();
    if let Some(value) = f.get("quizzes", false) {
        match value.get_ref() {
            DeValue::Array(items) => {
                for (n, item) in items.iter().enumerate() {
                    let DeValue::Table(t) = item.get_ref() else {
                        let message =
                            "every [[quizzes]] entry must be a table with a 'file'".to_owned();
                        f.problem(ProblemCode::InvalidFieldType, Some(item.span()), message);
                        continue;
                    };
                    let mut q = f.nested(t, format!("quizzes[{n}]."), item.span());
                    let file_field = q.string("file", true);
                    let role = q
                        .choice(
                            "role",
                            false,
                            &[
                                ("final", QuizRole::Final),
                                ("pretest", QuizRole::Pretest),
                                ("posttest", QuizRole::Posttest),
                                ("practice", QuizRole::Practice),
                            ],
                        )
                        .unwrap_or_default();
                    q.finish();
                    if let Some(file_field) = file_field {
                        quizzes.push((file_field, role));
                    }
                }
            }
            _ => f.wrong_type("quizzes", value, "a list of [[quizzes]] tables"),
        }
    }

    let modules = f.string_array("modules");
    f.finish();

    let all_valid = problems.iter().filter(|p| p.is_error()).count() == errors_before;
    let mut seen = BTreeSet::new();
    let tags = tags
        .into_iter()
        .map(|t| t.value)
        .filter(|t| seen.insert(t.to_lowercase()))
        .collect();
    let manifest = (|| {
        Some(CourseManifest {
            slug: slug.clone()?,
            title: title?.value,
            summary: summary?.value,
            category: category?.value,
            level: level?,
            language,
            jp: jp?,
            duration_minutes: duration_minutes?,
            tags,
            cover: cover.as_ref().map(|c| c.value.clone()),
            visibility,
            self_enrol,
            completion,
            quizzes: quizzes
                .iter()
                .map(|(file, role)| QuizEntry {
                    file: file.value.clone(),
                    role: *role,
                })
                .collect(),
            modules: modules
                .as_ref()
                .map(|m| m.iter().map(|l| l.value.clone()).collect()),
        })
    })()
    .filter(|_| all_valid);
    Some(ManifestDraft {
        manifest,
        slug,
        language,
        cover,
        quizzes,
        require_quiz,
        modules,
    })
}

pub(crate) fn parse_module(text: &str, file: &str, problems: &mut Vec<Problem>) -> ModuleDraft {
    let lines = LineIndex::new(text, 1);
    let Some(doc) = parse_toml(text, file, &lines, problems) else {
        return ModuleDraft::default();
    };
    let mut f = Fields {
        table: doc.get_ref(),
        prefix: String::new(),
        file,
        lines: &lines,
        problems,
        table_pos: None,
        read: BTreeSet::new(),
    };
    let draft = ModuleDraft {
        title: f.string("title", false).map(|l| l.value),
        summary: f.string("summary", false).map(|l| l.value),
        order: f.string_array("order"),
    };
    f.finish();
    draft
}

/// Checks a lesson, module or quiz id, for messages.
pub(crate) fn id_problem(id: &str) -> Option<String> {
    check_id(id).err().map(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
slug = "pengelolaan-data-spreadsheet"
title = "Pengelolaan Data dengan Spreadsheet"
summary = "Dasar-dasar."
category = "Teknologi Informasi"
level = "dasar"
language = "id"
jp = 6.5
duration_minutes = 270
tags = ["data", "spreadsheet", "Data"]
cover = "cover.svg"
visibility = "public"
self_enrol = true

[completion]
min_minutes = 0
require_quiz = "ujian-akhir"

[[quizzes]]
file = "kuis/ujian-akhir.quiz.md"
role = "final"
"#;

    #[test]
    fn reads_a_complete_manifest() {
        let mut problems = Vec::new();
        let draft = parse_manifest(GOOD, "course.toml", &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let Some(draft) = draft else {
            panic!("no manifest")
        };
        let cover_pos = draft.cover.and_then(|c| c.pos);
        let Some(m) = draft.manifest else {
            panic!("invalid manifest")
        };
        assert_eq!(m.slug.as_str(), "pengelolaan-data-spreadsheet");
        assert_eq!(m.level, Level::Dasar);
        assert_eq!(m.jp.to_string(), "6.5");
        assert_eq!(m.tags, ["data", "spreadsheet"]);
        assert_eq!(m.completion.require_quiz.as_deref(), Some("ujian-akhir"));
        assert_eq!(
            m.quizzes,
            [QuizEntry {
                file: "kuis/ujian-akhir.quiz.md".into(),
                role: QuizRole::Final
            }]
        );
        assert!(m.self_enrol);
        assert_eq!(cover_pos, Some((11, 9)));
    }

    #[test]
    fn collects_every_problem_with_its_place() {
        let text = "slug = \"Bad Slug\"\ntitle = 3\nlevel = \"expert\"\njp = 0.3\nduration_minutes = -5\ntitel = \"x\"\n[[quizzes]]\nrole = \"final\"\n";
        let mut problems = Vec::new();
        let draft = parse_manifest(text, "course.toml", &mut problems);
        assert!(draft.as_ref().is_some_and(|d| d.manifest.is_none()));
        let got: Vec<(ProblemCode, Option<u32>)> =
            problems.iter().map(|p| (p.code, p.line)).collect();
        for expected in [
            (ProblemCode::InvalidSlug, Some(1)),
            (ProblemCode::InvalidFieldType, Some(2)),
            (ProblemCode::MissingManifestField, None), // summary
            (ProblemCode::InvalidFieldValue, Some(3)),
            (ProblemCode::InvalidFieldValue, Some(4)),
            (ProblemCode::InvalidFieldValue, Some(5)),
            (ProblemCode::UnknownField, Some(6)),
            (ProblemCode::MissingManifestField, Some(7)), // quizzes[0].file
        ] {
            assert!(got.contains(&expected), "{expected:?} not in {got:?}");
        }
    }

    #[test]
    fn toml_syntax_errors_carry_line_and_column() {
        let mut problems = Vec::new();
        assert!(
            parse_manifest(
                "slug = \"a\"\ntitle = \"unterminated\n",
                "course.toml",
                &mut problems
            )
            .is_none()
        );
        let p = problems.first().cloned();
        assert_eq!(p.as_ref().map(|p| p.code), Some(ProblemCode::InvalidToml));
        assert_eq!(p.and_then(|p| p.line), Some(2));
    }

    #[test]
    fn self_enrol_needs_public() {
        let text = GOOD.replace("visibility = \"public\"", "visibility = \"internal\"");
        let mut problems = Vec::new();
        let draft = parse_manifest(&text, "course.toml", &mut problems);
        assert_eq!(
            problems.iter().map(|p| p.code).collect::<Vec<_>>(),
            [ProblemCode::SelfEnrolIgnored]
        );
        assert_eq!(
            draft.and_then(|d| d.manifest).map(|m| m.self_enrol),
            Some(false)
        );
    }

    #[test]
    fn jp_steps() {
        assert_eq!(Jp::from_f64(6.0).map(|j| j.halves()), Some(12));
        assert_eq!(Jp::from_f64(0.5).map(|j| j.to_string()), Some("0.5".into()));
        assert!(Jp::from_f64(0.0).is_none());
        assert!(Jp::from_f64(1.25).is_none());
        assert!(Jp::from_f64(f64::NAN).is_none());
        assert!(Jp::from_f64(5000.0).is_none());
    }

    #[test]
    fn module_toml() {
        let mut problems = Vec::new();
        let m = parse_module(
            "title = \"Pengantar\"\norder = [\"b.md\", \"a\"]\nextra = 1\n",
            "01-x/module.toml",
            &mut problems,
        );
        assert_eq!(m.title.as_deref(), Some("Pengantar"));
        let order: Vec<_> = m
            .order
            .unwrap_or_default()
            .into_iter()
            .map(|l| (l.value, l.pos))
            .collect();
        assert_eq!(
            order,
            [
                ("b.md".to_owned(), Some((2, 10))),
                ("a".to_owned(), Some((2, 18)))
            ]
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, ProblemCode::UnknownField);
        assert_eq!(problems[0].line, Some(3));
    }
}
