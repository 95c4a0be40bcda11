//! Problems found in a course: what, where (file, line, column) and how bad.
//!
//! Problems are collected, never thrown: a course check reports every problem it finds so an
//! author can fix them all in one go. The `code` is stable and machine-readable (the web app
//! translates it); the `message` is English prose for logs and the command line.

use std::fmt;

use serde::Serialize;

/// How bad a problem is. An error blocks the import of a course; a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ContentSeverity))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// Stable, snake_case problem codes. Never rename one: clients match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ContentProblemCode))]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    // The course folder and its manifest.
    CourseDirUnreadable,
    MissingManifest,
    InvalidToml,
    MissingManifestField,
    InvalidFieldType,
    InvalidFieldValue,
    UnknownField,
    InvalidSlug,
    SelfEnrolIgnored,
    // Structure: modules and lessons.
    EmptyCourse,
    EmptyModule,
    InvalidModuleId,
    DuplicateModuleId,
    UnknownOrderEntry,
    NotInOrder,
    UnsupportedLessonFormat,
    LessonOutsideModule,
    SymlinkNotFollowed,
    // A lesson file.
    BadFrontMatter,
    MissingFrontMatterField,
    InvalidLessonId,
    DuplicateLessonId,
    InvalidEncoding,
    EmptyLesson,
    UnreadableFile,
    // Links, images and other files.
    BrokenLessonLink,
    MissingAsset,
    PathEscapesCourse,
    UnsafeUrl,
    UnknownAnchor,
    AssetTooLarge,
    IframeNotAllowed,
    // Pandoc/Quarto fenced divs.
    UnclosedDiv,
    UnmatchedDivFence,
    // Quiz files (parsed elsewhere; only found and listed here).
    MissingQuizFile,
    UnknownQuizFormat,
    DuplicateQuizId,
    InvalidQuizId,
    UnknownQuizReference,
}

impl ProblemCode {
    /// Every code, for documentation and exhaustive tests.
    pub const ALL: &'static [ProblemCode] = &[
        Self::CourseDirUnreadable,
        Self::MissingManifest,
        Self::InvalidToml,
        Self::MissingManifestField,
        Self::InvalidFieldType,
        Self::InvalidFieldValue,
        Self::UnknownField,
        Self::InvalidSlug,
        Self::SelfEnrolIgnored,
        Self::EmptyCourse,
        Self::EmptyModule,
        Self::InvalidModuleId,
        Self::DuplicateModuleId,
        Self::UnknownOrderEntry,
        Self::NotInOrder,
        Self::UnsupportedLessonFormat,
        Self::LessonOutsideModule,
        Self::SymlinkNotFollowed,
        Self::BadFrontMatter,
        Self::MissingFrontMatterField,
        Self::InvalidLessonId,
        Self::DuplicateLessonId,
        Self::InvalidEncoding,
        Self::EmptyLesson,
        Self::UnreadableFile,
        Self::BrokenLessonLink,
        Self::MissingAsset,
        Self::PathEscapesCourse,
        Self::UnsafeUrl,
        Self::UnknownAnchor,
        Self::AssetTooLarge,
        Self::IframeNotAllowed,
        Self::UnclosedDiv,
        Self::UnmatchedDivFence,
        Self::MissingQuizFile,
        Self::UnknownQuizFormat,
        Self::DuplicateQuizId,
        Self::InvalidQuizId,
        Self::UnknownQuizReference,
    ];

    /// The snake_case code, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CourseDirUnreadable => "course_dir_unreadable",
            Self::MissingManifest => "missing_manifest",
            Self::InvalidToml => "invalid_toml",
            Self::MissingManifestField => "missing_manifest_field",
            Self::InvalidFieldType => "invalid_field_type",
            Self::InvalidFieldValue => "invalid_field_value",
            Self::UnknownField => "unknown_field",
            Self::InvalidSlug => "invalid_slug",
            Self::SelfEnrolIgnored => "self_enrol_ignored",
            Self::EmptyCourse => "empty_course",
            Self::EmptyModule => "empty_module",
            Self::InvalidModuleId => "invalid_module_id",
            Self::DuplicateModuleId => "duplicate_module_id",
            Self::UnknownOrderEntry => "unknown_order_entry",
            Self::NotInOrder => "not_in_order",
            Self::UnsupportedLessonFormat => "unsupported_lesson_format",
            Self::LessonOutsideModule => "lesson_outside_module",
            Self::SymlinkNotFollowed => "symlink_not_followed",
            Self::BadFrontMatter => "bad_front_matter",
            Self::MissingFrontMatterField => "missing_front_matter_field",
            Self::InvalidLessonId => "invalid_lesson_id",
            Self::DuplicateLessonId => "duplicate_lesson_id",
            Self::InvalidEncoding => "invalid_encoding",
            Self::EmptyLesson => "empty_lesson",
            Self::UnreadableFile => "unreadable_file",
            Self::BrokenLessonLink => "broken_lesson_link",
            Self::MissingAsset => "missing_asset",
            Self::PathEscapesCourse => "path_escapes_course",
            Self::UnsafeUrl => "unsafe_url",
            Self::UnknownAnchor => "unknown_anchor",
            Self::AssetTooLarge => "asset_too_large",
            Self::IframeNotAllowed => "iframe_not_allowed",
            Self::UnclosedDiv => "unclosed_div",
            Self::UnmatchedDivFence => "unmatched_div_fence",
            Self::MissingQuizFile => "missing_quiz_file",
            Self::UnknownQuizFormat => "unknown_quiz_format",
            Self::DuplicateQuizId => "duplicate_quiz_id",
            Self::InvalidQuizId => "invalid_quiz_id",
            Self::UnknownQuizReference => "unknown_quiz_reference",
        }
    }

    /// The severity this code always has.
    pub fn severity(self) -> Severity {
        match self {
            Self::UnknownField
            | Self::SelfEnrolIgnored
            | Self::EmptyModule
            | Self::NotInOrder
            | Self::UnsupportedLessonFormat
            | Self::LessonOutsideModule
            | Self::SymlinkNotFollowed
            | Self::EmptyLesson
            | Self::UnknownAnchor
            | Self::IframeNotAllowed
            | Self::UnclosedDiv
            | Self::UnmatchedDivFence => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in a course, pointing at a file and, when known, a line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ContentProblem))]
pub struct Problem {
    pub severity: Severity,
    pub code: ProblemCode,
    /// Path relative to the course root, with `/` separators (`01-pengantar/01-apa.md`).
    /// Empty when the problem is about the course folder itself.
    pub file: String,
    /// 1-based line in `file`, when the problem has a place.
    pub line: Option<u32>,
    /// 1-based column (in characters) in `line`.
    pub column: Option<u32>,
    pub message: String,
}

impl Problem {
    pub fn new(code: ProblemCode, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: code.severity(),
            code,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn at_pos(self, pos: Option<(u32, u32)>) -> Self {
        match pos {
            Some((line, column)) => self.at(line, column),
            None => self,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    /// `file:line:column: error[code]: message`, the shape editors and CI logs understand.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = if self.file.is_empty() {
            "."
        } else {
            &self.file
        };
        f.write_str(file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {severity}[{}]: {}", self.code, self.message)
    }
}

/// The error returned when a course has at least one error-severity problem. It carries every
/// problem found (warnings included), not just the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} error(s) in the course; first: {}", count_errors(.0), first_error(.0))]
pub struct Problems(pub Vec<Problem>);

fn count_errors(problems: &[Problem]) -> usize {
    problems.iter().filter(|p| p.is_error()).count()
}

fn first_error(problems: &[Problem]) -> String {
    problems
        .iter()
        .find(|p| p.is_error())
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Converts byte offsets in a text to 1-based (line, column) pairs, columns counted in
/// characters, lines shifted by the line the text starts on in its file.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    first_line: u32,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str, first_line: u32) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            text,
            line_starts,
            first_line: first_line.max(1),
        }
    }

    pub(crate) fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line_idx).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count());
        let line = u32::try_from(line_idx).unwrap_or(u32::MAX - self.first_line);
        (
            self.first_line.saturating_add(line),
            u32::try_from(column + 1).unwrap_or(u32::MAX),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_in_characters_and_shifted() {
        let text = "ab\ncé x\n\nz";
        let idx = LineIndex::new(text, 1);
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(3), (2, 1));
        // 'x' comes after "cé " — 4 bytes but 3 characters.
        assert_eq!(idx.position(text.find('x').unwrap_or(0)), (2, 4));
        assert_eq!(idx.position(text.len()), (4, 2));
        let shifted = LineIndex::new(text, 5);
        assert_eq!(shifted.position(3), (6, 1));
    }

    #[test]
    fn codes_are_snake_case_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ProblemCode::ALL {
            let s = code.as_str();
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
            assert!(seen.insert(s), "duplicate {s}");
            let json = serde_json_like(*code);
            assert_eq!(json, s);
        }
    }

    fn serde_json_like(code: ProblemCode) -> String {
        // The serde name must match as_str(); use the toml serialiser to check without
        // pulling serde_json in.
        #[derive(Serialize)]
        struct W {
            c: ProblemCode,
        }
        let out = toml::to_string(&W { c: code }).unwrap_or_default();
        out.trim()
            .trim_start_matches("c = ")
            .trim_matches('"')
            .to_string()
    }

    #[test]
    fn display_is_editor_friendly() {
        let p = Problem::new(ProblemCode::MissingAsset, "a/b.md", "gone").at(3, 7);
        assert_eq!(p.to_string(), "a/b.md:3:7: error[missing_asset]: gone");
    }
}
