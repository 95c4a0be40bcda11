//! Problems found while parsing a quiz file, with where they are.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Question;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = QuizSeverity))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The question (or setting) was not imported.
    Error,
    /// Imported, but something was ignored or guessed; the author should look.
    Warning,
}

/// Machine-readable kind of problem; the UI translates it, the message says it in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = QuizProblemCode))]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    UnclosedBrace,
    UnmatchedBrace,
    NestedBrace,
    MultipleAnswerBlocks,
    UnterminatedTitle,
    EmptyQuestion,
    MissingAnswer,
    NoCorrectAnswer,
    TooFewOptions,
    BadWeight,
    BadNumeric,
    BadMatchingPair,
    WeightsDoNotAddUp,
    IgnoredText,
    UnsupportedFeature,
    UnknownConstruct,
    UnknownFormat,
    InvalidId,
    DuplicateId,
    DuplicateOption,
    AnswerNotAnOption,
    OptionWithoutQuestion,
    FrontMatterUnclosed,
    FrontMatterInvalid,
    UnknownSetting,
    UnknownAttribute,
    UnknownType,
    TypeMismatch,
    BadPoints,
    UnknownQuestion,
    NotEnoughQuestions,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::UnclosedBrace => "unclosed_brace",
            ProblemCode::UnmatchedBrace => "unmatched_brace",
            ProblemCode::NestedBrace => "nested_brace",
            ProblemCode::MultipleAnswerBlocks => "multiple_answer_blocks",
            ProblemCode::UnterminatedTitle => "unterminated_title",
            ProblemCode::EmptyQuestion => "empty_question",
            ProblemCode::MissingAnswer => "missing_answer",
            ProblemCode::NoCorrectAnswer => "no_correct_answer",
            ProblemCode::TooFewOptions => "too_few_options",
            ProblemCode::BadWeight => "bad_weight",
            ProblemCode::BadNumeric => "bad_numeric",
            ProblemCode::BadMatchingPair => "bad_matching_pair",
            ProblemCode::WeightsDoNotAddUp => "weights_do_not_add_up",
            ProblemCode::IgnoredText => "ignored_text",
            ProblemCode::UnsupportedFeature => "unsupported_feature",
            ProblemCode::UnknownConstruct => "unknown_construct",
            ProblemCode::UnknownFormat => "unknown_format",
            ProblemCode::InvalidId => "invalid_id",
            ProblemCode::DuplicateId => "duplicate_id",
            ProblemCode::DuplicateOption => "duplicate_option",
            ProblemCode::AnswerNotAnOption => "answer_not_an_option",
            ProblemCode::OptionWithoutQuestion => "option_without_question",
            ProblemCode::FrontMatterUnclosed => "front_matter_unclosed",
            ProblemCode::FrontMatterInvalid => "front_matter_invalid",
            ProblemCode::UnknownSetting => "unknown_setting",
            ProblemCode::UnknownAttribute => "unknown_attribute",
            ProblemCode::UnknownType => "unknown_type",
            ProblemCode::TypeMismatch => "type_mismatch",
            ProblemCode::BadPoints => "bad_points",
            ProblemCode::UnknownQuestion => "unknown_question",
            ProblemCode::NotEnoughQuestions => "not_enough_questions",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem at a 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = QuizProblem))]
pub struct Problem {
    pub line: u32,
    pub column: u32,
    pub code: ProblemCode,
    pub message: String,
    pub severity: Severity,
}

impl Problem {
    pub fn error(line: u32, column: u32, code: ProblemCode, message: impl Into<String>) -> Self {
        Self {
            line,
            column,
            code,
            message: message.into(),
            severity: Severity::Error,
        }
    }

    pub fn warning(line: u32, column: u32, code: ProblemCode, message: impl Into<String>) -> Self {
        Self {
            line,
            column,
            code,
            message: message.into(),
            severity: Severity::Warning,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}: {severity}[{}]: {}",
            self.line, self.column, self.code, self.message
        )
    }
}

/// Questions read from a file, and what went wrong on the way.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParseOutput {
    pub questions: Vec<Question>,
    pub problems: Vec<Problem>,
}

impl ParseOutput {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
    }
}

/// Gives each question without an explicit id one derived from its title, else `q<position>`,
/// and makes all ids unique with `-2`, `-3`… suffixes (warning about explicit duplicates).
pub(crate) struct IdAllocator {
    taken: std::collections::BTreeSet<String>,
    position: usize,
}

impl IdAllocator {
    pub(crate) fn new() -> Self {
        Self {
            taken: std::collections::BTreeSet::new(),
            position: 0,
        }
    }

    pub(crate) fn allocate(
        &mut self,
        explicit: Option<&str>,
        title: Option<&str>,
        line: u32,
        problems: &mut Vec<Problem>,
    ) -> crate::ids::QuestionId {
        self.position += 1;
        let explicit = explicit.map(str::trim).filter(|id| !id.is_empty());
        let base = match explicit {
            Some(id) if crate::ids::is_valid_id(id) => {
                if self.taken.contains(id) {
                    problems.push(Problem::warning(
                        line,
                        1,
                        ProblemCode::DuplicateId,
                        format!("question id `{id}` is already used; this one gets a suffix"),
                    ));
                }
                id.to_string()
            }
            other => {
                if let Some(bad) = other {
                    problems.push(Problem::warning(
                        line,
                        1,
                        ProblemCode::InvalidId,
                        format!("`{bad}` is not a valid id (use letters, digits, `-`, `_`, `.`); an id is made from the title"),
                    ));
                }
                title
                    .and_then(crate::ids::slugify)
                    .unwrap_or_else(|| format!("q{}", self.position))
            }
        };
        let mut id = base.clone();
        let mut n = 2;
        while self.taken.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.taken.insert(id.clone());
        crate::ids::QuestionId::new(id)
    }
}

/// A default title from the question text: its first 60 characters on one line.
pub(crate) fn title_from_text(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 60 {
        flat
    } else {
        let cut: String = flat.chars().take(60).collect();
        format!("{}…", cut.trim_end())
    }
}
