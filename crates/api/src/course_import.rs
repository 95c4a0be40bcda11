//! Checking and importing course folders: the one pipeline behind `lentera course check`,
//! `lentera course import`, the upload endpoint and in-browser publishing. Parsing and
//! rendering happen here, once; storage receives finished HTML.

use std::path::{Path, PathBuf};

use lentera_accounts::UserId;
use lentera_content::{CourseBundle, QuizFormat, Severity};
use lentera_storage::courses::{self, ImportResult, SourceFile};
use lentera_storage::{Db, StorageError};
use serde::Serialize;

/// One problem of a course folder, wherever it was found (course, lesson or quiz file).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CourseProblem {
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub code: String,
    pub severity: String,
    pub message: String,
}

impl std::fmt::Display for CourseProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = if self.file.is_empty() { "." } else { &self.file };
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{file}:{l}:{c}: {}: {} [{}]", self.severity, self.message, self.code),
            (Some(l), None) => write!(f, "{file}:{l}: {}: {} [{}]", self.severity, self.message, self.code),
            _ => write!(f, "{file}: {}: {} [{}]", self.severity, self.message, self.code),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuizSummary {
    pub id: String,
    pub path: String,
    pub format: QuizFormat,
    pub role: lentera_content::QuizRole,
    pub title: Option<String>,
    pub questions: Vec<QuestionSummary>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionSummary {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LessonSummary {
    pub id: String,
    pub title: String,
    pub path: String,
    pub required: bool,
    pub reading_minutes: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModuleSummary {
    pub id: String,
    pub title: String,
    pub lessons: Vec<LessonSummary>,
}

/// What `course check --format json` prints.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckOutput {
    pub path: String,
    pub ok: bool,
    pub slug: Option<String>,
    pub title: Option<String>,
    pub jp: Option<f64>,
    pub modules: Vec<ModuleSummary>,
    pub quizzes: Vec<QuizSummary>,
    pub problems: Vec<CourseProblem>,
}

/// A checked course folder: the bundle (when there are no errors), its quizzes and files.
pub struct Checked {
    pub output: CheckOutput,
    pub bundle: Option<CourseBundle>,
    pub sources: Vec<SourceFile>,
}

fn severity(s: Severity) -> String {
    match s {
        Severity::Error => "error".into(),
        Severity::Warning => "warning".into(),
    }
}

/// Every regular file below `root` (not hidden, not through symlinks), for keeping the version's
/// sources.
fn read_sources(root: &Path, max_bytes: u64) -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else { continue };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                if entry.metadata().map(|m| m.len() > max_bytes).unwrap_or(true) {
                    continue;
                }
                let Ok(rel) = path.strip_prefix(root) else { continue };
                let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                if let Ok(bytes) = std::fs::read(&path) {
                    out.push(SourceFile { media_type: lentera_content::media_type(&rel), path: rel, bytes });
                }
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Checks a course folder: the course itself through the content crate, each quiz file through
/// the quiz engine. Every problem is collected.
pub fn check_dir(root: &Path) -> Checked {
    let report = lentera_content::load_course_dir(root);
    let mut problems: Vec<CourseProblem> = report
        .problems
        .iter()
        .map(|p| CourseProblem {
            file: p.file.clone(),
            line: p.line,
            column: p.column,
            code: p.code.as_str().to_string(),
            severity: severity(p.severity),
            message: p.message.clone(),
        })
        .collect();
    let mut quizzes = Vec::new();
    let mut modules = Vec::new();
    if let Some(bundle) = &report.course {
        for q in &bundle.quizzes {
            let (title, questions, qproblems) = match q.format {
                QuizFormat::Markdown => {
                    let doc = lentera_quiz::parse_quiz_markdown(&q.text, &q.id);
                    (Some(doc.spec.title.clone()), doc.questions, doc.problems)
                }
                QuizFormat::Gift => {
                    let out = lentera_quiz::parse_gift(&q.text);
                    (None, out.questions, out.problems)
                }
                QuizFormat::Aiken => {
                    let out = lentera_quiz::parse_aiken(&q.text);
                    (None, out.questions, out.problems)
                }
            };
            for p in qproblems {
                problems.push(CourseProblem {
                    file: q.path.clone(),
                    line: Some(p.line),
                    column: Some(p.column),
                    code: p.code.as_str().to_string(),
                    severity: match p.severity {
                        lentera_quiz::Severity::Error => "error".into(),
                        lentera_quiz::Severity::Warning => "warning".into(),
                    },
                    message: p.message,
                });
            }
            if questions.is_empty() {
                problems.push(CourseProblem {
                    file: q.path.clone(),
                    line: None,
                    column: None,
                    code: "quiz_without_questions".into(),
                    severity: "error".into(),
                    message: "the quiz file has no questions".into(),
                });
            }
            quizzes.push(QuizSummary {
                id: q.id.clone(),
                path: q.path.clone(),
                format: q.format,
                role: q.role,
                title,
                questions: questions
                    .iter()
                    .map(|x| QuestionSummary { id: x.id.as_str().to_string(), kind: x.type_name().to_string(), title: x.title.clone() })
                    .collect(),
            });
        }
        modules = bundle
            .modules
            .iter()
            .map(|m| ModuleSummary {
                id: m.id.clone(),
                title: m.title.clone(),
                lessons: m
                    .lessons
                    .iter()
                    .map(|l| LessonSummary {
                        id: l.id.clone(),
                        title: l.title.clone(),
                        path: l.path.clone(),
                        required: l.required,
                        reading_minutes: l.rendered.reading_minutes,
                    })
                    .collect(),
            })
            .collect();
    }
    problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    let ok = report.course.is_some() && !problems.iter().any(|p| p.severity == "error");
    let output = CheckOutput {
        path: root.display().to_string(),
        ok,
        slug: report.course.as_ref().map(|b| b.manifest.slug.as_str().to_string()),
        title: report.course.as_ref().map(|b| b.manifest.title.clone()),
        jp: report.course.as_ref().map(|b| b.manifest.jp.as_f64()),
        modules,
        quizzes,
        problems,
    };
    let sources = if ok { read_sources(root, 50 * 1024 * 1024) } else { Vec::new() };
    Checked { output, bundle: report.course.filter(|_| ok), sources }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// At least one folder has errors: nothing was imported.
    #[error("the course has problems; nothing was imported")]
    Invalid(Vec<CheckOutput>),
    #[error("two folders have the same slug {0:?}")]
    DuplicateSlug(String),
    #[error("you may not replace the course {0:?}: you are not one of its instructors")]
    NotInstructor(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Who imports, for the permission check on replacing an existing course.
#[derive(Debug, Clone, Copy)]
pub enum Importer {
    /// The command line: the operator of the server may import anything.
    Operator,
    /// An instructor (may create courses and replace their own) or an admin (`is_admin`).
    User { id: UserId, is_admin: bool },
}

/// Checks every folder, then imports them all in one transaction: all or nothing.
pub fn import_dirs(db: &Db, roots: &[PathBuf], importer: Importer, source: &str) -> Result<Vec<ImportResult>, ImportError> {
    let checked: Vec<Checked> = roots.iter().map(|r| check_dir(r)).collect();
    if checked.iter().any(|c| !c.output.ok) {
        return Err(ImportError::Invalid(checked.into_iter().map(|c| c.output).collect()));
    }
    let mut slugs = std::collections::HashSet::new();
    for c in &checked {
        if let Some(slug) = &c.output.slug
            && !slugs.insert(slug.clone()) {
                return Err(ImportError::DuplicateSlug(slug.clone()));
            }
    }
    let by = match importer {
        Importer::Operator => None,
        Importer::User { id, .. } => Some(id),
    };
    let mut failure: Option<ImportError> = None;
    let result = db.write(|conn| {
        let mut out = Vec::new();
        for c in &checked {
            let Some(bundle) = &c.bundle else { continue };
            if let Importer::User { id, is_admin: false } = importer
                && let Ok(existing) = courses::course_by_slug(conn, bundle.manifest.slug.as_str())
                    && !courses::is_instructor(conn, &existing.id, id)? {
                        failure = Some(ImportError::NotInstructor(existing.slug));
                        return Err(StorageError::Config("not an instructor".into()));
                    }
            let result = courses::import_course(conn, bundle, &c.sources, source, by)?;
            store_quizzes(conn, bundle, &result)?;
            if !result.unchanged {
                crate::progress_glue::rebase_enrolments(conn, &result.course_id)?;
            }
            out.push(result);
        }
        Ok(out)
    });
    match (result, failure) {
        (_, Some(f)) => Err(f),
        (Ok(r), None) => Ok(r),
        (Err(e), None) => Err(e.into()),
    }
}

/// Stores the quizzes of a newly imported course version, keyed by quiz id (the file name
/// without its extension), and carries the course's bank quizzes forward from the previous
/// version. A quiz's role comes from the manifest's `[[quizzes]] role` when it lists the file,
/// else from the quiz file's front matter.
fn store_quizzes(conn: &mut lentera_storage::AnyConnection, bundle: &CourseBundle, result: &ImportResult) -> Result<(), StorageError> {
    use lentera_storage::quizzes::{self, NewQuiz};
    if result.unchanged {
        return Ok(());
    }
    let version = courses::course_ref_by_id(conn, &result.course_id)?.current_version_id.ok_or(StorageError::NotFound)?;
    fn json<T: Serialize>(v: &T) -> Result<String, StorageError> {
        serde_json::to_string(v).map_err(|e| StorageError::Corrupt(e.to_string()))
    }
    for q in &bundle.quizzes {
        let (mut spec, intro, questions, format) = match q.format {
            QuizFormat::Markdown => {
                let doc = lentera_quiz::parse_quiz_markdown(&q.text, &q.id);
                (doc.spec, doc.intro, doc.questions, "markdown")
            }
            QuizFormat::Gift | QuizFormat::Aiken => {
                let out = if q.format == QuizFormat::Gift { lentera_quiz::parse_gift(&q.text) } else { lentera_quiz::parse_aiken(&q.text) };
                let ids = out.questions.iter().map(|x| x.id.clone()).collect();
                let format = if q.format == QuizFormat::Gift { "gift" } else { "aiken" };
                (lentera_quiz::QuizSpec::simple(q.id.clone(), q.id.clone(), ids), None, out.questions, format)
            }
        };
        lentera_quiz::QuestionBank::new(questions.clone()).map_err(|e| StorageError::Corrupt(format!("{}: {e}", q.path)))?;
        let listed = q.role != lentera_content::QuizRole::Practice
            || bundle.manifest.quizzes.iter().any(|e| e.file.trim_start_matches("./") == q.path);
        if listed {
            spec.role = match q.role {
                lentera_content::QuizRole::Final => lentera_quiz::QuizRole::Final,
                lentera_content::QuizRole::Pretest => lentera_quiz::QuizRole::Pretest,
                lentera_content::QuizRole::Posttest => lentera_quiz::QuizRole::Posttest,
                lentera_content::QuizRole::Practice => lentera_quiz::QuizRole::Practice,
            };
        }
        spec.id = q.id.clone();
        let role = serde_json::to_value(spec.role).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let quiz = NewQuiz {
            quiz_key: q.id.clone(),
            title: spec.title.clone(),
            role,
            origin: quizzes::ORIGIN_FILE.into(),
            source_path: Some(q.path.clone()),
            format: format.into(),
            spec: json(&spec)?,
            intro,
            question_count: i32::try_from(questions.len()).unwrap_or(i32::MAX),
            questions: json(&questions)?,
        };
        quizzes::insert_quiz(conn, &result.course_id, &version, &quiz)?;
    }
    if let Some(previous) = courses::previous_version(conn, &result.course_id)? {
        quizzes::carry_forward_bank_quizzes(conn, &previous, &version)?;
    }
    Ok(())
}

