//! Loading and checking a course folder (see `docs/COURSE-FORMAT-DRAFT.md` and
//! `docs/AUTHORING.md`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::assets::{Asset, CourseRoot, FileIssue};
use crate::front_matter::{field_line, parse_front_matter, split_front_matter};
use crate::ids::{check_id, default_id, order_key};
use crate::manifest::{
    CourseManifest, Located, MANIFEST_FILE, MODULE_FILE, ManifestDraft, QuizRole, id_problem,
    parse_manifest, parse_module,
};
use crate::problem::{Problem, ProblemCode, Problems, Severity};
use crate::render::{
    DEFAULT_ASSET_BASE, Destination, Refusal, RenderContext, RenderedLesson, classify,
    referenced_files, render_lesson,
};

/// Limits and settings for loading a course folder.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Prefix of asset URLs in rendered lessons.
    pub asset_base: String,
    /// The largest single file (asset, lesson or quiz) accepted.
    pub max_file_bytes: u64,
    /// The largest total size of all assets.
    pub max_total_asset_bytes: u64,
    /// The most files and folders looked at in the course folder.
    pub max_walk_entries: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            asset_base: DEFAULT_ASSET_BASE.to_owned(),
            max_file_bytes: 50 * 1024 * 1024,
            max_total_asset_bytes: 500 * 1024 * 1024,
            max_walk_entries: 20_000,
        }
    }
}

/// The result of checking a course folder: every problem found and, when none of them is an
/// error, the course.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub course: Option<CourseBundle>,
    /// Sorted by file, then line.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
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

    /// The course, or every problem when there is an error.
    pub fn into_result(self) -> Result<CourseBundle, Problems> {
        match self.course {
            Some(course) if !self.problems.iter().any(Problem::is_error) => Ok(course),
            _ => Err(Problems(self.problems)),
        }
    }
}

/// A checked course, ready to be stored.
#[derive(Debug, Clone, Serialize)]
pub struct CourseBundle {
    pub manifest: CourseManifest,
    pub modules: Vec<Module>,
    pub quizzes: Vec<QuizSource>,
    /// Every referenced file, once per content.
    pub assets: Vec<Asset>,
    pub cover_sha256: Option<String>,
    /// SHA-256 over every source file and asset: equal fingerprints mean an identical course.
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Module {
    /// Folder name without its order prefix.
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    /// Course-relative folder.
    pub dir: String,
    pub lessons: Vec<Lesson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    /// Counts for completion.
    pub required: bool,
    pub duration_minutes: Option<u32>,
    /// Course-relative path of the file.
    pub path: String,
    /// The Markdown body, without front matter.
    pub markdown: String,
    /// The line of the file on which `markdown` starts.
    pub body_first_line: u32,
    pub rendered: RenderedLesson,
}

/// A quiz file, found and read but not parsed: the quiz engine parses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuizSource {
    /// File stem without the quiz extension(s): `ujian-akhir` for `kuis/ujian-akhir.quiz.md`.
    pub id: String,
    /// Course-relative path.
    pub path: String,
    pub format: QuizFormat,
    pub role: QuizRole,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuizFormat {
    /// `*.quiz.md`
    Markdown,
    /// `*.gift` (Moodle GIFT)
    Gift,
    /// `*.aiken.txt`
    Aiken,
}

impl QuizFormat {
    /// The format and quiz id of a file name, if it is a quiz file.
    pub fn detect(file_name: &str) -> Option<(Self, &str)> {
        let lower = file_name.to_ascii_lowercase();
        for (suffix, format) in [
            (".quiz.md", Self::Markdown),
            (".gift", Self::Gift),
            (".aiken.txt", Self::Aiken),
        ] {
            if lower.ends_with(suffix) && lower.len() > suffix.len() {
                return Some((format, file_name.get(..file_name.len() - suffix.len())?));
            }
        }
        None
    }
}

impl CourseBundle {
    pub fn lessons(&self) -> impl Iterator<Item = &Lesson> {
        self.modules.iter().flat_map(|m| m.lessons.iter())
    }

    /// A context for rendering this course's lessons again (with another asset base, say).
    /// Use [`RenderContext::for_lesson`] with a lesson's `path` and `body_first_line`.
    pub fn render_context(&self, asset_base: &str) -> RenderContext {
        let mut ctx = RenderContext::new(self.manifest.slug.as_str(), asset_base);
        ctx.language = self.manifest.language;
        for asset in &self.assets {
            for path in &asset.paths {
                ctx.assets.insert(path.clone(), asset.sha256.clone());
            }
        }
        for lesson in self.lessons() {
            ctx.lessons.insert(lesson.path.clone(), lesson.id.clone());
        }
        for quiz in &self.quizzes {
            ctx.quizzes.insert(quiz.path.clone(), quiz.id.clone());
        }
        ctx
    }
}

/// Checks a course folder with the default [`LoadOptions`].
pub fn load_course_dir(path: &Path) -> CheckReport {
    load_course_dir_with(path, &LoadOptions::default())
}

/// Checks a course folder: reads the manifest, modules, lessons, quiz files and every
/// referenced file, renders every lesson, and reports every problem found.
pub fn load_course_dir_with(path: &Path, options: &LoadOptions) -> CheckReport {
    let mut loader = Loader {
        options,
        problems: Vec::new(),
    };
    let course = loader.load(path);
    let mut problems = loader.problems;
    problems.sort_by(|a, b| {
        (&a.file, a.line.unwrap_or(0), a.column.unwrap_or(0)).cmp(&(
            &b.file,
            b.line.unwrap_or(0),
            b.column.unwrap_or(0),
        ))
    });
    let ok = !problems.iter().any(Problem::is_error);
    CheckReport {
        course: course.filter(|_| ok),
        problems,
    }
}

/// Files that are about the repository, not lessons, when they sit at the course root.
const ROOT_DOCS: &[&str] = &[
    "readme.md",
    "license.md",
    "contributing.md",
    "code_of_conduct.md",
    "changelog.md",
    "authoring.md",
    "index.md",
];

#[derive(Debug, Default)]
struct Tree {
    /// Course-relative paths of every regular file (or symlink to one) found.
    files: Vec<String>,
    /// Top-level folders.
    dirs: Vec<String>,
}

struct Loader<'o> {
    options: &'o LoadOptions,
    problems: Vec<Problem>,
}

struct LessonDraft {
    id: String,
    id_line: Option<u32>,
    title: String,
    required: bool,
    duration_minutes: Option<u32>,
    path: String,
    file_name: String,
    markdown: String,
    body_first_line: u32,
}

struct ModuleDraft {
    id: String,
    dir: String,
    title: String,
    summary: Option<String>,
    lessons: Vec<LessonDraft>,
}

impl Loader<'_> {
    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn load(&mut self, path: &Path) -> Option<CourseBundle> {
        let root = match CourseRoot::open(path) {
            Ok(root) => root,
            Err(e) => {
                self.push(Problem::new(
                    ProblemCode::CourseDirUnreadable,
                    "",
                    format!("cannot open the course folder {}: {e}", path.display()),
                ));
                return None;
            }
        };
        // Without a usable manifest the lessons are still checked, so an author sees every
        // problem at once; only the bundle is withheld.
        let manifest_text = self.read_text(&root, MANIFEST_FILE, true);
        let draft = manifest_text
            .as_deref()
            .and_then(|text| parse_manifest(text, MANIFEST_FILE, &mut self.problems));
        let tree = self.walk(&root);

        let mut modules = self.load_modules(&root, &tree, draft.as_ref());
        self.check_lesson_ids(&modules);
        let quizzes = self.load_quizzes(&root, &tree, draft.as_ref());

        let (assets, refused, cover_sha256) = self.collect_assets(&root, &modules, draft.as_ref());
        let slug = draft
            .as_ref()
            .and_then(|d| d.slug.as_ref())
            .map_or("course", |s| s.as_str());
        let mut ctx = RenderContext::new(slug, self.options.asset_base.as_str());
        ctx.language = draft.as_ref().map(|d| d.language).unwrap_or_default();
        ctx.refused_assets = refused;
        for asset in assets.values() {
            for p in &asset.paths {
                ctx.assets.insert(p.clone(), asset.sha256.clone());
            }
        }
        for lesson in modules.iter().flat_map(|m| &m.lessons) {
            ctx.lessons.insert(lesson.path.clone(), lesson.id.clone());
        }
        for quiz in &quizzes {
            ctx.quizzes.insert(quiz.path.clone(), quiz.id.clone());
        }

        let mut out_modules = Vec::new();
        for module in modules.drain(..) {
            let mut lessons = Vec::new();
            for lesson in module.lessons {
                let lesson_ctx = ctx.for_lesson(lesson.path.as_str(), lesson.body_first_line);
                let rendered = render_lesson(&lesson.markdown, &lesson_ctx);
                self.problems.extend(rendered.problems.iter().cloned());
                lessons.push(Lesson {
                    id: lesson.id,
                    title: lesson.title,
                    required: lesson.required,
                    duration_minutes: lesson.duration_minutes,
                    path: lesson.path,
                    markdown: lesson.markdown,
                    body_first_line: lesson.body_first_line,
                    rendered,
                });
            }
            out_modules.push(Module {
                id: module.id,
                title: module.title,
                summary: module.summary,
                dir: module.dir,
                lessons,
            });
        }

        let mut assets: Vec<Asset> = assets.into_values().collect();
        for asset in &mut assets {
            asset.paths.sort();
        }
        let (manifest, manifest_text) = (draft?.manifest?, manifest_text?);
        let fingerprint = fingerprint(&manifest_text, &out_modules, &quizzes, &assets);
        Some(CourseBundle {
            manifest,
            modules: out_modules,
            quizzes,
            assets,
            cover_sha256,
            fingerprint,
        })
    }

    /// Reads a UTF-8 text file of the course; problems are reported, `None` returned.
    fn read_text(&mut self, root: &CourseRoot, rel: &str, is_manifest: bool) -> Option<String> {
        match root.read(rel, self.options.max_file_bytes) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Some(
                    text.strip_prefix('\u{feff}')
                        .map(str::to_owned)
                        .unwrap_or(text),
                ),
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to();
                    let bytes = e.as_bytes();
                    let before = String::from_utf8_lossy(bytes.get(..valid).unwrap_or_default());
                    let line = u32::try_from(before.matches('\n').count() + 1).unwrap_or(1);
                    let column = u32::try_from(
                        before
                            .rsplit('\n')
                            .next()
                            .unwrap_or_default()
                            .chars()
                            .count()
                            + 1,
                    )
                    .unwrap_or(1);
                    self.push(
                        Problem::new(
                            ProblemCode::InvalidEncoding,
                            rel,
                            "the file is not UTF-8 text; save it as UTF-8",
                        )
                        .at(line, column),
                    );
                    None
                }
            },
            Err(FileIssue::NotFound) if is_manifest => {
                self.push(Problem::new(
                    ProblemCode::MissingManifest,
                    rel,
                    "the course folder has no course.toml",
                ));
                None
            }
            Err(issue) => {
                self.push(file_issue_problem(rel, &issue, None));
                None
            }
        }
    }

    /// Lists the course folder. Hidden (`.x`) and private (`_x`) entries are skipped; symlinked
    /// folders are not followed.
    fn walk(&mut self, root: &CourseRoot) -> Tree {
        let mut tree = Tree::default();
        let mut stack = vec![String::new()];
        let mut seen = 0usize;
        while let Some(rel_dir) = stack.pop() {
            let dir = if rel_dir.is_empty() {
                root.path().to_path_buf()
            } else {
                root.path().join(&rel_dir)
            };
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) => {
                    self.push(Problem::new(
                        ProblemCode::UnreadableFile,
                        rel_dir.as_str(),
                        format!("cannot list the folder: {e}"),
                    ));
                    continue;
                }
            };
            let mut names: Vec<(String, fs::FileType)> = entries
                .filter_map(Result::ok)
                .filter_map(|e| Some((e.file_name().into_string().ok()?, e.file_type().ok()?)))
                .collect();
            names.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, file_type) in names {
                if name.starts_with('.') || name.starts_with('_') {
                    continue;
                }
                seen += 1;
                if seen > self.options.max_walk_entries {
                    self.push(Problem::new(
                        ProblemCode::UnreadableFile,
                        "",
                        format!("the course folder has more than {} files and folders; the rest were not read", self.options.max_walk_entries),
                    ));
                    return tree;
                }
                let rel = if rel_dir.is_empty() {
                    name.clone()
                } else {
                    format!("{rel_dir}/{name}")
                };
                let is_dir = if file_type.is_symlink() {
                    match fs::metadata(root.path().join(&rel)) {
                        Ok(meta) if meta.is_dir() => {
                            self.push(Problem::new(
                                ProblemCode::SymlinkNotFollowed,
                                rel.as_str(),
                                "symbolic links to folders are not followed; copy the folder instead",
                            ));
                            continue;
                        }
                        // Files behind symlinks are checked when they are read.
                        _ => false,
                    }
                } else {
                    file_type.is_dir()
                };
                if is_dir {
                    if rel_dir.is_empty() {
                        tree.dirs.push(rel.clone());
                    }
                    stack.push(rel);
                } else {
                    tree.files.push(rel);
                }
            }
        }
        tree.files.sort();
        tree.dirs.sort_by_key(|d| order_key(d));
        tree
    }

    fn load_modules(
        &mut self,
        root: &CourseRoot,
        tree: &Tree,
        manifest: Option<&ManifestDraft>,
    ) -> Vec<ModuleDraft> {
        let is_lesson =
            |f: &str| f.to_ascii_lowercase().ends_with(".md") && QuizFormat::detect(f).is_none();
        for file in &tree.files {
            let lower = file.to_ascii_lowercase();
            if lower.ends_with(".rmd") || lower.ends_with(".qmd") {
                self.push(Problem::new(
                    ProblemCode::UnsupportedLessonFormat,
                    file.as_str(),
                    "R Markdown and Quarto files are not run; render them to .md first",
                ));
            } else if !file.contains('/') && is_lesson(file) && !ROOT_DOCS.contains(&lower.as_str())
            {
                self.push(Problem::new(
                    ProblemCode::LessonOutsideModule,
                    file.as_str(),
                    "lessons belong in a module folder; this file is not part of the course",
                ));
            }
        }

        let mut modules = Vec::new();
        let mut module_ids: BTreeMap<String, String> = BTreeMap::new();
        for dir in &tree.dirs {
            let lesson_files: Vec<&String> = tree
                .files
                .iter()
                .filter(|f| {
                    f.strip_prefix(dir.as_str())
                        .and_then(|r| r.strip_prefix('/'))
                        .is_some_and(|name| !name.contains('/') && is_lesson(name))
                })
                .collect();
            let module_toml = format!("{dir}/{MODULE_FILE}");
            let has_toml = tree.files.contains(&module_toml);
            if lesson_files.is_empty() && !has_toml {
                continue; // a folder of images, attachments or quizzes
            }
            let meta = if has_toml {
                match self.read_text(root, &module_toml, false) {
                    Some(text) => parse_module(&text, &module_toml, &mut self.problems),
                    None => crate::manifest::ModuleDraft::default(),
                }
            } else {
                crate::manifest::ModuleDraft::default()
            };
            let id = default_id(dir);
            if let Some(reason) = id_problem(&id) {
                self.push(Problem::new(
                    ProblemCode::InvalidModuleId,
                    dir.as_str(),
                    format!("the module id '{id}' made from this folder name {reason}; rename the folder"),
                ));
            }
            if let Some(first) = module_ids.get(&id) {
                self.push(Problem::new(
                    ProblemCode::DuplicateModuleId,
                    dir.as_str(),
                    format!("module id '{id}' is also the id of folder '{first}'"),
                ));
            } else {
                module_ids.insert(id.clone(), dir.clone());
            }

            let mut lessons: Vec<LessonDraft> = lesson_files
                .into_iter()
                .filter_map(|file| self.load_lesson(root, file))
                .collect();
            lessons.sort_by_key(|l| order_key(&l.file_name));
            if let Some(order) = &meta.order {
                lessons = self.apply_order(
                    lessons,
                    order,
                    &module_toml,
                    |l, entry| {
                        entry == l.file_name
                            || Some(entry) == l.file_name.strip_suffix(".md")
                            || entry == l.id
                    },
                    |l| l.path.clone(),
                );
            }
            if lessons.is_empty() {
                self.push(Problem::new(
                    ProblemCode::EmptyModule,
                    dir.as_str(),
                    "this module has no lessons",
                ));
                continue;
            }
            let title = meta.title.unwrap_or_else(|| title_from_id(&id));
            modules.push(ModuleDraft {
                id,
                dir: dir.clone(),
                title,
                summary: meta.summary,
                lessons,
            });
        }

        if let Some(order) = manifest.and_then(|m| m.modules.as_ref()) {
            modules = self.apply_order(
                modules,
                order,
                MANIFEST_FILE,
                |m, entry| entry == m.dir || entry == m.id,
                |m| m.dir.clone(),
            );
        }
        if modules.is_empty() {
            self.push(Problem::new(
                ProblemCode::EmptyCourse,
                "",
                "the course has no lessons: put lesson .md files in module folders (01-pengantar/01-apa-itu-data.md)",
            ));
        }
        modules
    }

    /// Orders `items` as listed; unknown entries are errors, unlisted items follow with a
    /// warning.
    fn apply_order<T>(
        &mut self,
        items: Vec<T>,
        order: &[Located<String>],
        order_file: &str,
        matches: impl Fn(&T, &str) -> bool,
        file_of: impl Fn(&T) -> String,
    ) -> Vec<T> {
        let mut remaining: Vec<Option<T>> = items.into_iter().map(Some).collect();
        let mut ordered = Vec::new();
        for entry in order {
            let found = remaining.iter_mut().find(|slot| {
                slot.as_ref()
                    .is_some_and(|item| matches(item, &entry.value))
            });
            match found.and_then(Option::take) {
                Some(item) => ordered.push(item),
                None => self.push(
                    Problem::new(
                        ProblemCode::UnknownOrderEntry,
                        order_file,
                        format!("'{}' in the order list names nothing in this folder (or is listed twice)", entry.value),
                    )
                    .at_pos(entry.pos),
                ),
            }
        }
        for item in remaining.into_iter().flatten() {
            self.push(Problem::new(
                ProblemCode::NotInOrder,
                file_of(&item),
                format!("not listed in the order in {order_file}; placed after the listed ones"),
            ));
            ordered.push(item);
        }
        ordered
    }

    fn load_lesson(&mut self, root: &CourseRoot, path: &str) -> Option<LessonDraft> {
        let text = self.read_text(root, path, false)?;
        let file_name = path.rsplit('/').next().unwrap_or(path).to_owned();
        let split = match split_front_matter(&text) {
            Ok(split) => split,
            Err(e) => {
                self.push(
                    Problem::new(ProblemCode::BadFrontMatter, path, e.message).at(e.line, e.column),
                );
                return None;
            }
        };
        let front = match split.yaml {
            Some(yaml) => match parse_front_matter(yaml, path, split.yaml_first_line) {
                Ok(front) => front,
                Err(problem) => {
                    self.push(problem);
                    return None;
                }
            },
            None => Default::default(),
        };
        let yaml = split.yaml.unwrap_or_default();
        let stem = file_name
            .get(..file_name.len().saturating_sub(3))
            .unwrap_or_default();
        let (id, id_line) = match front.id {
            Some(id) => (
                id.trim().to_owned(),
                field_line(yaml, "id", split.yaml_first_line),
            ),
            None => (default_id(stem), None),
        };
        let mut ok = true;
        if let Err(e) = check_id(&id) {
            let hint = if id_line.is_some() {
                ""
            } else {
                "; set `id:` in the front matter or rename the file"
            };
            self.push(
                Problem::new(
                    ProblemCode::InvalidLessonId,
                    path,
                    format!("lesson id '{id}' {e}{hint}"),
                )
                .at_pos(id_line.map(|l| (l, 1))),
            );
            ok = false;
        }
        let title = front
            .title
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if title.is_none() {
            let line = if split.yaml.is_some() {
                split.yaml_first_line
            } else {
                1
            };
            self.push(
                Problem::new(
                    ProblemCode::MissingFrontMatterField,
                    path,
                    "the lesson has no title: start the file with front matter such as\n---\ntitle: Apa Itu Data?\n---",
                )
                .at(line, 1),
            );
            ok = false;
        }
        if split.body.trim().is_empty() {
            self.push(
                Problem::new(ProblemCode::EmptyLesson, path, "the lesson has no content")
                    .at(split.body_first_line, 1),
            );
        }
        if !ok {
            return None;
        }
        Some(LessonDraft {
            id,
            id_line,
            title: title.unwrap_or_default(),
            required: front.required.unwrap_or(true),
            duration_minutes: front.duration_minutes,
            path: path.to_owned(),
            file_name,
            markdown: split.body.to_owned(),
            body_first_line: split.body_first_line,
        })
    }

    fn check_lesson_ids(&mut self, modules: &[ModuleDraft]) {
        let mut first: BTreeMap<&str, &str> = BTreeMap::new();
        let mut dups = Vec::new();
        for lesson in modules.iter().flat_map(|m| &m.lessons) {
            if let Some(other) = first.get(lesson.id.as_str()) {
                dups.push(
                    Problem::new(
                        ProblemCode::DuplicateLessonId,
                        lesson.path.as_str(),
                        format!("lesson id '{}' is already used by {other}; ids must be unique in a course", lesson.id),
                    )
                    .at_pos(lesson.id_line.map(|l| (l, 1))),
                );
            } else {
                first.insert(&lesson.id, &lesson.path);
            }
        }
        self.problems.extend(dups);
    }

    fn load_quizzes(
        &mut self,
        root: &CourseRoot,
        tree: &Tree,
        manifest: Option<&ManifestDraft>,
    ) -> Vec<QuizSource> {
        let mut roles: BTreeMap<String, QuizRole> = BTreeMap::new();
        let mut listed: Vec<String> = Vec::new();
        if let Some(manifest) = manifest {
            for (located, role) in &manifest.quizzes {
                let path = match classify(&located.value, "") {
                    Destination::Relative { path, .. } => path,
                    _ => {
                        self.push(
                            Problem::new(
                                ProblemCode::PathEscapesCourse,
                                MANIFEST_FILE,
                                format!(
                                    "quiz file '{}' must be a path inside the course folder",
                                    located.value
                                ),
                            )
                            .at_pos(located.pos),
                        );
                        continue;
                    }
                };
                let name = path.rsplit('/').next().unwrap_or(&path);
                if QuizFormat::detect(name).is_none() {
                    self.push(
                        Problem::new(
                            ProblemCode::UnknownQuizFormat,
                            MANIFEST_FILE,
                            format!("'{path}' is not a quiz file: quiz files end in .quiz.md, .gift or .aiken.txt"),
                        )
                        .at_pos(located.pos),
                    );
                    continue;
                }
                match root.resolve_file(&path) {
                    Ok(_) => {}
                    Err(FileIssue::NotFound | FileIssue::NotAFile) => {
                        self.push(
                            Problem::new(
                                ProblemCode::MissingQuizFile,
                                MANIFEST_FILE,
                                format!("quiz file '{path}' does not exist"),
                            )
                            .at_pos(located.pos),
                        );
                        continue;
                    }
                    Err(issue) => {
                        self.push(
                            file_issue_problem(MANIFEST_FILE, &issue, located.pos).with_path(&path),
                        );
                        continue;
                    }
                }
                roles.insert(path.clone(), *role);
                listed.push(path);
            }
        }

        let mut paths: Vec<String> = tree
            .files
            .iter()
            .filter(|f| QuizFormat::detect(f.rsplit('/').next().unwrap_or(f)).is_some())
            .cloned()
            .collect();
        for path in listed {
            if !paths.contains(&path) {
                // Listed in the manifest inside a hidden folder, say: still a quiz.
                paths.push(path);
            }
        }

        let mut quizzes = Vec::new();
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        for path in paths {
            let name = path.rsplit('/').next().unwrap_or(&path);
            let Some((format, stem)) = QuizFormat::detect(name) else {
                continue;
            };
            let id = stem.to_owned();
            if let Some(reason) = id_problem(&id) {
                self.push(Problem::new(
                    ProblemCode::InvalidQuizId,
                    path.as_str(),
                    format!("the quiz id '{id}' (the file name without its extension) {reason}; rename the file"),
                ));
                continue;
            }
            if let Some(first) = ids.get(&id) {
                self.push(Problem::new(
                    ProblemCode::DuplicateQuizId,
                    path.as_str(),
                    format!("quiz id '{id}' is also the id of {first}"),
                ));
                continue;
            }
            let Some(text) = self.read_text(root, &path, false) else {
                continue;
            };
            ids.insert(id.clone(), path.clone());
            quizzes.push(QuizSource {
                id,
                role: roles.get(&path).copied().unwrap_or_default(),
                path,
                format,
                text,
            });
        }

        if let Some(required) = manifest.and_then(|m| m.require_quiz.as_ref())
            && !quizzes.iter().any(|q| q.id == required.value)
        {
            self.push(
                Problem::new(
                    ProblemCode::UnknownQuizReference,
                    MANIFEST_FILE,
                    format!("completion.require_quiz names '{}', but the course has no quiz with that id", required.value),
                )
                .at_pos(required.pos),
            );
        }
        quizzes
    }

    /// Reads every file the lessons and the manifest refer to. Files that are missing are left
    /// to the renderer, which reports them with their line; files that exist but may not be
    /// used are passed on as refusals, for the same reason.
    fn collect_assets(
        &mut self,
        root: &CourseRoot,
        modules: &[ModuleDraft],
        draft: Option<&ManifestDraft>,
    ) -> (
        BTreeMap<String, Asset>,
        BTreeMap<String, Refusal>,
        Option<String>,
    ) {
        let mut by_hash: BTreeMap<String, Asset> = BTreeMap::new();
        let mut refused = BTreeMap::new();
        let mut looked_at = BTreeSet::new();
        let mut total = 0u64;
        let mut add =
            |path: &str, bytes: Vec<u8>, by_hash: &mut BTreeMap<String, Asset>| -> String {
                let asset = Asset::from_bytes(path, bytes);
                let sha = asset.sha256.clone();
                match by_hash.get_mut(&sha) {
                    Some(existing) => {
                        if !existing.paths.iter().any(|p| p == path) {
                            existing.paths.push(path.to_owned());
                        }
                    }
                    None => {
                        total += asset.size;
                        by_hash.insert(sha.clone(), asset);
                    }
                }
                sha
            };

        let mut cover_sha256 = None;
        if let Some(cover) = draft.and_then(|d| d.cover.as_ref()) {
            match classify(&cover.value, "") {
                Destination::Relative { path, .. } => {
                    match root.read(&path, self.options.max_file_bytes) {
                        Ok(bytes) => {
                            looked_at.insert(path.clone());
                            cover_sha256 = Some(add(&path, bytes, &mut by_hash));
                        }
                        Err(FileIssue::NotFound | FileIssue::NotAFile) => self.push(
                            Problem::new(
                                ProblemCode::MissingAsset,
                                MANIFEST_FILE,
                                format!("cover '{path}' does not exist"),
                            )
                            .at_pos(cover.pos),
                        ),
                        Err(issue) => self.push(
                            file_issue_problem(MANIFEST_FILE, &issue, cover.pos).with_path(&path),
                        ),
                    }
                }
                _ => self.push(
                    Problem::new(
                        ProblemCode::PathEscapesCourse,
                        MANIFEST_FILE,
                        format!(
                            "cover '{}' must be a path inside the course folder",
                            cover.value
                        ),
                    )
                    .at_pos(cover.pos),
                ),
            }
        }

        for lesson in modules.iter().flat_map(|m| &m.lessons) {
            for path in referenced_files(&lesson.markdown, &lesson.path) {
                let is_quiz =
                    QuizFormat::detect(path.rsplit('/').next().unwrap_or(&path)).is_some();
                // Links to quizzes become quiz links, not downloads.
                if is_quiz || !looked_at.insert(path.clone()) {
                    continue;
                }
                match root.read(&path, self.options.max_file_bytes) {
                    Ok(bytes) => {
                        add(&path, bytes, &mut by_hash);
                    }
                    Err(FileIssue::NotFound) => {}
                    Err(issue) => {
                        let problem =
                            file_issue_problem(&lesson.path, &issue, None).with_path(&path);
                        refused.insert(
                            path,
                            Refusal {
                                code: problem.code,
                                message: problem.message,
                            },
                        );
                    }
                }
            }
        }

        if total > self.options.max_total_asset_bytes {
            self.push(Problem::new(
                ProblemCode::AssetTooLarge,
                "",
                format!(
                    "the course's files add up to {total} bytes, more than the {} allowed",
                    self.options.max_total_asset_bytes
                ),
            ));
        }
        (by_hash, refused, cover_sha256)
    }
}

trait WithPath {
    fn with_path(self, path: &str) -> Self;
}

impl WithPath for Problem {
    /// Names the file a problem is about when the problem is reported in another file.
    fn with_path(mut self, path: &str) -> Self {
        self.message = format!("'{path}': {}", self.message);
        self
    }
}

fn file_issue_problem(file: &str, issue: &FileIssue, pos: Option<(u32, u32)>) -> Problem {
    let (code, message) = match issue {
        FileIssue::NotFound => (
            ProblemCode::MissingAsset,
            "the file does not exist".to_owned(),
        ),
        FileIssue::NotAFile => (
            ProblemCode::MissingAsset,
            "this is a folder, not a file".to_owned(),
        ),
        FileIssue::Escapes => (
            ProblemCode::PathEscapesCourse,
            "the file is outside the course folder (through '..' or a symbolic link)".to_owned(),
        ),
        FileIssue::TooLarge { size, limit } => (
            ProblemCode::AssetTooLarge,
            format!("the file is {size} bytes, more than the {limit} allowed"),
        ),
        FileIssue::Io(e) => (
            ProblemCode::UnreadableFile,
            format!("the file cannot be read: {e}"),
        ),
    };
    Problem::new(code, file, message).at_pos(pos)
}

fn title_from_id(id: &str) -> String {
    let spaced = id.replace('-', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn fingerprint(
    manifest: &str,
    modules: &[Module],
    quizzes: &[QuizSource],
    assets: &[Asset],
) -> String {
    let mut hasher = Sha256::new();
    let mut part = |label: &str, name: &str, body: &[u8]| {
        for piece in [label.as_bytes(), name.as_bytes(), body] {
            hasher.update((piece.len() as u64).to_le_bytes());
            hasher.update(piece);
        }
    };
    part("manifest", MANIFEST_FILE, manifest.as_bytes());
    for module in modules {
        part("module", &module.dir, module.title.as_bytes());
        for lesson in &module.lessons {
            part("lesson", &lesson.path, lesson.markdown.as_bytes());
            part("lesson-meta", &lesson.id, lesson.title.as_bytes());
        }
    }
    for quiz in quizzes {
        part("quiz", &quiz.path, quiz.text.as_bytes());
    }
    for asset in assets {
        part("asset", &asset.paths.join("\n"), asset.sha256.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiz_formats() {
        assert_eq!(
            QuizFormat::detect("ujian-akhir.quiz.md"),
            Some((QuizFormat::Markdown, "ujian-akhir"))
        );
        assert_eq!(
            QuizFormat::detect("pretest.GIFT"),
            Some((QuizFormat::Gift, "pretest"))
        );
        assert_eq!(
            QuizFormat::detect("latihan.aiken.txt"),
            Some((QuizFormat::Aiken, "latihan"))
        );
        assert_eq!(QuizFormat::detect("notes.txt"), None);
        assert_eq!(QuizFormat::detect("lesson.md"), None);
        assert_eq!(QuizFormat::detect(".gift"), None);
    }

    #[test]
    fn module_titles_from_ids() {
        assert_eq!(title_from_id("tipe-data"), "Tipe data");
    }
}
