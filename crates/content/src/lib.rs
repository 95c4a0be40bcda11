//! Lentera's course content: a course is a folder of Markdown lessons, a `course.toml`
//! manifest, quiz files, images and attachments (see `docs/AUTHORING.md`). This crate
//!
//! - checks such a folder and loads it ([`load_course_dir`]), reporting *every* problem with
//!   its file, line and column ([`Problem`]), never stopping at the first;
//! - reads, hashes and deduplicates the files the course refers to ([`Asset`]);
//! - renders a lesson's Markdown to sanitised HTML with a table of contents ([`render_lesson`]);
//! - unpacks uploaded `.zip`/`.tar.gz` courses safely ([`extract_archive`]).
//!
//! **Architecture Invariant:** this crate knows nothing of HTTP, SQL or the server: no diesel,
//! no actix-web, no database or network crate. Plain types in, plain types out, so everything
//! here is tested with files and strings alone. Storing a course (and rejecting a slug already
//! taken on the server) is the storage crate's job; serving HTML and assets is the API's.
//!
//! **Architecture Invariant:** quiz files are found, read and returned as [`QuizSource`], never
//! parsed here; the quiz crate owns their formats.
//!
//! **Architecture Invariant:** rendered HTML is always passed through the allow-list sanitiser
//! last, so no author input — Markdown, raw HTML, front matter — reaches a page unchecked.

mod archive;
mod assets;
mod course;
mod front_matter;
mod ids;
mod manifest;
mod problem;
mod render;

pub use archive::{ArchiveError, ArchiveKind, Limits, extract_archive};
pub use assets::{Asset, media_type, sha256_hex};
pub use course::{
    CheckReport, CourseBundle, Lesson, LoadOptions, Module, QuizFormat, QuizSource,
    load_course_dir, load_course_dir_with,
};
pub use front_matter::{
    FrontMatter, FrontMatterError, LessonPreview, SplitLesson, preview_lesson, split_front_matter,
};
pub use ids::{CourseSlug, IdError, check_id, default_id, slugify, split_order_prefix};
pub use manifest::{
    Completion, CourseManifest, Jp, Language, Level, MANIFEST_FILE, MODULE_FILE, QuizEntry,
    QuizRole, Visibility,
};
pub use problem::{Problem, ProblemCode, Problems, Severity};
pub use render::{
    DEFAULT_ASSET_BASE, HighlightCssError, HighlightTheme, LessonLink, LinkTarget, Refusal,
    RenderContext, RenderedLesson, TocEntry, WORDS_PER_MINUTE, highlight_css, render_lesson,
};
