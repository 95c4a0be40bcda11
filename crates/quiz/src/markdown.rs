//! Lentera's Markdown quiz format (`*.quiz.md`), written for instructors: settings in front
//! matter, one `## ` heading per question, options as a task list. `docs/AUTHORING.md` is
//! the user's guide; the summary:
//!
//! ```markdown
//! ---
//! title: Kuis Pancasila
//! pass_mark_percent: 70
//! ---
//!
//! ## Ibu kota {#ibu-kota points=2}
//!
//! Apa ibu kota Indonesia?
//!
//! - [x] Jakarta
//!   > Benar.
//! - [ ] Bandung
//!
//! Pembahasan: Jakarta menjadi ibu kota sejak 1945.
//! ```
//!
//! Types are recognised from the answers (task list → single or multiple choice, two options
//! "Benar"/"Salah" → true/false, `Jawaban:` → short answer, numeric or true/false, `a -> b`
//! items → matching) or set with `type=` (required for ordering, essay and description).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::bank::QuestionBank;
use crate::error::QuizError;
use crate::grade::parse_number;
use crate::ids::{OptionId, QuestionId, is_valid_id};
use crate::model::{
    Choice, NumericAnswer, NumericValue, OrderItem, OrderingScoring, Question, QuestionKind,
    TextAnswer, TextFormat, build_matching, unique_option_id,
};
use crate::problem::{IdAllocator, Problem, ProblemCode, Severity, title_from_text};
use crate::spec::{GradingMethod, QuizRole, QuizSpec, ReviewLevel, ReviewPolicy, Section};

/// A parsed `*.quiz.md` file: the quiz settings, its own question bank, and the problems found.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QuizDocument {
    pub spec: QuizSpec,
    /// Markdown between the front matter and the first question, shown before the quiz starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    pub questions: Vec<Question>,
    pub problems: Vec<Problem>,
}

impl QuizDocument {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// The file's questions as a bank, ready for [`crate::build_attempt`].
    pub fn bank(&self) -> Result<QuestionBank, QuizError> {
        QuestionBank::new(self.questions.clone())
    }
}

/// Parses a Markdown quiz. `default_id` (usually the file stem, e.g. `ujian-akhir` for
/// `ujian-akhir.quiz.md`) is the quiz id unless the front matter sets one. Never panics.
pub fn parse_quiz_markdown(source: &str, default_id: &str) -> QuizDocument {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let lines: Vec<&str> = source
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut problems = Vec::new();

    let (front, body_start) = match read_front_matter(&lines, &mut problems) {
        Ok(v) => v,
        Err(()) => {
            return QuizDocument {
                spec: QuizSpec::simple(default_id, default_id, Vec::new()),
                intro: None,
                questions: Vec::new(),
                problems,
            };
        }
    };

    let mut parser = Body {
        problems,
        ids: IdAllocator::new(),
        questions: Vec::new(),
    };
    let intro = parser.body(&lines, body_start);
    let mut problems = parser.problems;
    let questions = parser.questions;
    let spec = build_spec(front, default_id, &questions, &mut problems);
    problems.sort_by_key(|p| (p.line, p.column));
    QuizDocument {
        spec,
        intro,
        questions,
        problems,
    }
}

// ---------------------------------------------------------------------------------------------
// Front matter

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FrontMatter {
    id: Option<String>,
    title: Option<String>,
    role: Option<QuizRole>,
    #[serde(alias = "time_limit")]
    time_limit_minutes: Option<u32>,
    max_attempts: Option<u32>,
    #[serde(alias = "pass_mark")]
    pass_mark_percent: Option<f64>,
    #[serde(alias = "grading")]
    grading_method: Option<GradingMethod>,
    /// Sets both `shuffle_questions` and `shuffle_options`.
    shuffle: Option<bool>,
    shuffle_questions: Option<bool>,
    shuffle_options: Option<bool>,
    review: Option<FrontReview>,
    sections: Option<Vec<FrontSection>>,
    /// Where the front matter's keys are, for messages.
    #[serde(skip)]
    lines: BTreeMap<String, u32>,
    /// The front matter could not be read (already reported).
    #[serde(skip)]
    invalid: bool,
}

/// `review: feedback` (the same at both moments) or `review: {immediately: …, after_close: …}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FrontReview {
    Both(ReviewLevel),
    Split {
        #[serde(default)]
        immediately: Option<ReviewLevel>,
        #[serde(default)]
        after_close: Option<ReviewLevel>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontSection {
    #[serde(default)]
    draw: Option<u32>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    questions: Option<Vec<String>>,
    #[serde(default)]
    points: Option<f64>,
}

const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "role",
    "time_limit_minutes",
    "time_limit",
    "max_attempts",
    "pass_mark_percent",
    "pass_mark",
    "grading_method",
    "grading",
    "shuffle",
    "shuffle_questions",
    "shuffle_options",
    "review",
    "sections",
];

/// Reads YAML between `---` lines or TOML between `+++` lines at the top. Returns the settings
/// and the index of the first body line; `Err` when the front matter never closes.
fn read_front_matter(
    lines: &[&str],
    problems: &mut Vec<Problem>,
) -> Result<(FrontMatter, usize), ()> {
    let fence = match lines.first().map(|l| l.trim_end()) {
        Some("---") => "---",
        Some("+++") => "+++",
        _ => return Ok((FrontMatter::default(), 0)),
    };
    let Some(end) = lines.iter().skip(1).position(|l| {
        let l = l.trim_end();
        l == fence || (fence == "---" && l == "...")
    }) else {
        problems.push(Problem::error(
            1,
            1,
            ProblemCode::FrontMatterUnclosed,
            format!("the front matter opened here is never closed with `{fence}`"),
        ));
        return Err(());
    };
    let end = end + 1;
    let text = lines[1..end].join("\n");
    let key_lines: BTreeMap<String, u32> = lines[1..end]
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.starts_with([' ', '\t', '-', '#']))
        .filter_map(|(i, l)| {
            let key = l.split([':', '=']).next()?.trim().trim_matches('"');
            // lines[1..] starts at file line 2.
            (!key.is_empty()).then(|| (key.to_string(), line_no(i + 2)))
        })
        .collect();
    let at = |key: &str| key_lines.get(key).copied().unwrap_or(1);

    let (parsed, keys): (Result<FrontMatter, Located>, Vec<String>) = if fence == "---" {
        let parsed = serde_norway::from_str::<Option<FrontMatter>>(&text)
            .map(Option::unwrap_or_default)
            .map_err(|e| {
                let (l, c) = e
                    .location()
                    .map_or((1, 1), |loc| (line_no(loc.line()), col_no(loc.column())));
                (l + 1, c, e.to_string())
            });
        let keys = serde_norway::from_str::<BTreeMap<String, serde_norway::Value>>(&text)
            .map(|m| m.into_keys().collect())
            .unwrap_or_default();
        (parsed, keys)
    } else {
        let parsed = toml::from_str::<FrontMatter>(&text).map_err(|e| {
            let (l, c) = e.span().map_or((0, 0), |span| line_col(&text, span.start));
            (l + 2, c + 1, e.message().to_string())
        });
        let keys = toml::from_str::<toml::Table>(&text)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        (parsed, keys)
    };
    for key in keys.iter().filter(|k| !KNOWN_KEYS.contains(&k.as_str())) {
        problems.push(Problem::warning(
            at(key),
            1,
            ProblemCode::UnknownSetting,
            format!(
                "unknown setting `{key}` is ignored (known: {})",
                KNOWN_KEYS.join(", ")
            ),
        ));
    }
    match parsed {
        Ok(mut front) => {
            front.lines = key_lines;
            Ok((front, end + 1))
        }
        Err((line, column, message)) => {
            problems.push(Problem::error(
                line,
                column,
                ProblemCode::FrontMatterInvalid,
                format!("invalid quiz settings: {message}"),
            ));
            // The questions are still worth reading and checking.
            Ok((
                FrontMatter {
                    invalid: true,
                    ..FrontMatter::default()
                },
                end + 1,
            ))
        }
    }
}

/// A message with its line and column.
type Located = (u32, u32, String);

fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
    (line_no(line), line_no(col))
}

fn line_no(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn col_no(i: usize) -> u32 {
    line_no(i).max(1)
}

fn build_spec(
    front: FrontMatter,
    default_id: &str,
    questions: &[Question],
    problems: &mut Vec<Problem>,
) -> QuizSpec {
    let at = |key: &str| front.lines.get(key).copied().unwrap_or(1);
    let mut spec = QuizSpec::simple(
        front.id.clone().unwrap_or_else(|| default_id.to_string()),
        front
            .title
            .clone()
            .unwrap_or_else(|| default_id.to_string()),
        Vec::new(),
    );
    if front.title.is_none() && !front.invalid {
        problems.push(Problem::warning(
            1,
            1,
            ProblemCode::UnknownSetting,
            "the quiz has no `title:` in its front matter; its id is used",
        ));
    }
    if let Some(role) = front.role {
        spec.role = role;
    }
    spec.time_limit_minutes = front.time_limit_minutes.filter(|&m| m > 0);
    if front.time_limit_minutes == Some(0) {
        problems.push(Problem::warning(
            at("time_limit_minutes").max(at("time_limit")),
            1,
            ProblemCode::FrontMatterInvalid,
            "a time limit of 0 minutes means no time limit",
        ));
    }
    spec.max_attempts = front.max_attempts;
    if front.max_attempts == Some(0) {
        problems.push(Problem::error(
            at("max_attempts"),
            1,
            ProblemCode::FrontMatterInvalid,
            "max_attempts must be at least 1",
        ));
        spec.max_attempts = None;
    }
    match front.pass_mark_percent {
        Some(p) if !(0.0..=100.0).contains(&p) || !p.is_finite() => problems.push(Problem::error(
            at("pass_mark_percent").max(at("pass_mark")),
            1,
            ProblemCode::FrontMatterInvalid,
            format!("pass_mark_percent must be between 0 and 100, not {p}"),
        )),
        other => spec.pass_mark_percent = other,
    }
    if let Some(g) = front.grading_method {
        spec.grading_method = g;
    }
    spec.shuffle_questions = front.shuffle_questions.or(front.shuffle).unwrap_or(false);
    spec.shuffle_options = front.shuffle_options.or(front.shuffle).unwrap_or(true);
    spec.review_policy = match front.review {
        None => ReviewPolicy::default(),
        Some(FrontReview::Both(level)) => ReviewPolicy {
            immediately: level,
            after_close: level,
        },
        Some(FrontReview::Split {
            immediately,
            after_close,
        }) => {
            let d = ReviewPolicy::default();
            ReviewPolicy {
                immediately: immediately.unwrap_or(d.immediately),
                after_close: after_close.unwrap_or(d.after_close),
            }
        }
    };

    let sections_line = at("sections");
    let bank_ids: Vec<&QuestionId> = questions.iter().map(|q| &q.id).collect();
    spec.sections = match front.sections {
        None => vec![Section::Fixed {
            questions: bank_ids.into_iter().cloned().collect(),
            points: None,
        }],
        Some(sections) => {
            let mut out = Vec::new();
            let mut unknown = false;
            for s in sections {
                if let Some(p) = s.points.filter(|p| !p.is_finite() || *p < 0.0) {
                    problems.push(Problem::error(
                        sections_line,
                        1,
                        ProblemCode::BadPoints,
                        format!("points {p} must be ≥ 0"),
                    ));
                    continue;
                }
                match (s.draw, s.category, s.questions) {
                    (Some(count), Some(category), None) => out.push(Section::Draw {
                        category,
                        count,
                        points: s.points,
                    }),
                    (None, None, Some(ids)) => {
                        let ids: Vec<QuestionId> = ids.into_iter().map(QuestionId::new).collect();
                        for id in &ids {
                            if !questions.iter().any(|q| q.id == *id) {
                                unknown = true;
                                problems.push(Problem::error(
                                    sections_line,
                                    1,
                                    ProblemCode::UnknownQuestion,
                                    format!(
                                        "section names question `{id}`, which is not in this file"
                                    ),
                                ));
                            }
                        }
                        out.push(Section::Fixed {
                            questions: ids,
                            points: s.points,
                        });
                    }
                    _ => problems.push(Problem::error(
                        sections_line,
                        1,
                        ProblemCode::FrontMatterInvalid,
                        "a section is either `draw: N` with `category: …`, or `questions: [id, …]`",
                    )),
                }
            }
            // Whether a draw can succeed does not depend on the seed: try one.
            let trial = QuizSpec {
                sections: out.clone(),
                ..spec.clone()
            };
            if !unknown
                && let Err(e) = QuestionBank::new(questions.to_vec())
                    .and_then(|bank| crate::attempt::build_attempt(&trial, &bank, 0))
            {
                let code = match e {
                    QuizError::NotEnoughQuestions { .. } => ProblemCode::NotEnoughQuestions,
                    _ => ProblemCode::FrontMatterInvalid,
                };
                problems.push(Problem::error(
                    sections_line,
                    1,
                    code,
                    format!("the sections cannot be drawn: {e}"),
                ));
            }
            out
        }
    };
    spec
}

// ---------------------------------------------------------------------------------------------
// Body

struct Body {
    problems: Vec<Problem>,
    ids: IdAllocator,
    questions: Vec<Question>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Label {
    Answer,
    Feedback,
    GraderInfo,
    Template,
}

#[derive(Debug, Clone)]
enum Kind<'a> {
    Blank,
    Task {
        checked: bool,
        text: &'a str,
    },
    Bullet {
        text: &'a str,
    },
    Ordered {
        text: &'a str,
    },
    Quote {
        text: &'a str,
    },
    Label {
        label: Label,
        rest: String,
    },
    Text,
    /// Inside a fenced code block: never a heading, an option or a label.
    Code,
}

#[derive(Debug, Clone)]
struct Line<'a> {
    n: u32,
    raw: &'a str,
    indent: usize,
    kind: Kind<'a>,
}

impl Body {
    fn warn(&mut self, line: u32, code: ProblemCode, message: impl Into<String>) {
        self.problems.push(Problem::warning(line, 1, code, message));
    }

    fn error(&mut self, line: u32, code: ProblemCode, message: impl Into<String>) {
        self.problems.push(Problem::error(line, 1, code, message));
    }

    /// Reads everything after the front matter; returns the intro text.
    fn body(&mut self, lines: &[&str], start: usize) -> Option<String> {
        let classified = classify(lines, start);
        let mut intro: Vec<&str> = Vec::new();
        let mut category: Option<String> = None;
        let mut current: Option<(u32, &str, Vec<Line>)> = None;
        let mut orphan_text: Option<u32> = None;
        for line in classified {
            let heading = if matches!(line.kind, Kind::Text) && line.indent < 4 {
                heading_level(line.raw)
            } else {
                None
            };
            match heading {
                Some((1, title)) => {
                    if let Some((n, h, body)) = current.take() {
                        self.question(n, h, &body, category.as_deref());
                    }
                    let (title, _) = split_attributes(title);
                    category = Some(title.trim().to_string()).filter(|t| !t.is_empty());
                    orphan_text = None;
                }
                Some((2, title)) => {
                    if let Some((n, h, body)) = current.take() {
                        self.question(n, h, &body, category.as_deref());
                    }
                    current = Some((line.n, title, Vec::new()));
                }
                _ => match &mut current {
                    Some((_, _, body)) => body.push(line),
                    None if category.is_none() => intro.push(line.raw),
                    None => {
                        if !matches!(line.kind, Kind::Blank) && orphan_text.is_none() {
                            orphan_text = Some(line.n);
                            self.warn(
                                line.n,
                                ProblemCode::IgnoredText,
                                "text under a category heading (`# …`) is not shown to learners; make it a question with `type=description`",
                            );
                        }
                    }
                },
            }
        }
        if let Some((n, h, body)) = current.take() {
            self.question(n, h, &body, category.as_deref());
        }
        let intro = intro.join("\n").trim().to_string();
        (!intro.is_empty()).then_some(intro)
    }

    fn question(&mut self, line: u32, heading: &str, body: &[Line], category: Option<&str>) {
        // A `---` (or `***`) line between questions is a separator, not content.
        let keep = body
            .iter()
            .rposition(|l| match l.kind {
                Kind::Blank => false,
                Kind::Code => true,
                _ => !is_thematic_break(l.raw),
            })
            .map_or(0, |i| i + 1);
        let body = &body[..keep];
        let (title, attrs) = split_attributes(heading);
        let attrs = self.attributes(line, attrs);
        let Ok(kind_hint) = self.type_hint(line, attrs.get("type").map(String::as_str)) else {
            return;
        };

        let mut points = if kind_hint == Some(Hint::Description) {
            0.0
        } else {
            1.0
        };
        if let Some(p) = attrs.get("points") {
            match parse_number(p).filter(|x| *x >= 0.0) {
                Some(x) => points = x,
                None => {
                    self.error(
                        line,
                        ProblemCode::BadPoints,
                        format!("points=`{p}` must be a number ≥ 0"),
                    );
                    return;
                }
            }
        }

        // Labelled parts after the answers: general feedback, grader info, response template.
        let cut = body
            .iter()
            .position(|l| matches!(l.kind, Kind::Label { label, .. } if label != Label::Answer))
            .unwrap_or(body.len());
        let (pre, post) = body.split_at(cut);
        let mut general_feedback = None;
        let mut grader_info = None;
        let mut template = None;
        let mut i = 0;
        while i < post.len() {
            let Kind::Label { label, rest } = &post[i].kind else {
                i += 1;
                continue;
            };
            let mut text = vec![rest.clone()];
            let mut j = i + 1;
            while j < post.len() && !matches!(post[j].kind, Kind::Label { .. }) {
                text.push(post[j].raw.to_string());
                j += 1;
            }
            let text = Some(dedent_join(&text)).filter(|t| !t.is_empty());
            match label {
                Label::Feedback => general_feedback = text,
                Label::GraderInfo => grader_info = text,
                Label::Template => template = text,
                Label::Answer => {
                    self.warn(
                        post[i].n,
                        ProblemCode::IgnoredText,
                        "a second `Jawaban:` after the feedback is ignored",
                    );
                }
            }
            i = j;
        }

        let Ok((text, kind)) = self.answers(line, pre, kind_hint, &attrs, grader_info, template)
        else {
            return;
        };
        // A question whose answers failed has had its error reported already.
        let Some(kind) = kind else { return };
        let text = text.trim().to_string();
        if text.is_empty() {
            self.error(
                line,
                ProblemCode::EmptyQuestion,
                "the question has no text under its heading",
            );
            return;
        }
        let title = title.trim();
        let id = self.ids.allocate(
            attrs.get("id").map(String::as_str),
            Some(title).filter(|t| !t.is_empty()),
            line,
            &mut self.problems,
        );
        let category = attrs
            .get("category")
            .cloned()
            .or_else(|| category.map(str::to_string));
        let tags = attrs
            .get("tags")
            .map(|t| {
                t.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        self.questions.push(Question {
            id,
            title: if title.is_empty() {
                title_from_text(&text)
            } else {
                title.to_string()
            },
            text,
            text_format: TextFormat::Markdown,
            default_points: points,
            category,
            tags,
            general_feedback,
            kind,
            source_line: Some(line),
        });
    }

    /// Reads `{#id key=value …}` from a heading.
    fn attributes(&mut self, line: u32, attrs: Option<&str>) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(attrs) = attrs else { return out };
        for token in tokens(attrs) {
            if let Some(id) = token.strip_prefix('#') {
                out.insert("id".to_string(), id.to_string());
                continue;
            }
            let Some((key, value)) = token.split_once('=') else {
                self.warn(
                    line,
                    ProblemCode::UnknownAttribute,
                    format!("`{token}` is not an attribute (write key=value)"),
                );
                continue;
            };
            let key = match key.trim().to_ascii_lowercase().as_str() {
                "points" | "poin" | "nilai" => "points",
                "type" | "tipe" | "jenis" => "type",
                "shuffle" | "acak" => "shuffle",
                "case" | "huruf" => "case",
                "whitespace" | "spasi" => "whitespace",
                "scoring" | "penilaian" => "scoring",
                "category" | "kategori" => "category",
                "tags" | "tag" | "label" => "tags",
                "id" => "id",
                other => {
                    self.warn(
                        line,
                        ProblemCode::UnknownAttribute,
                        format!("unknown attribute `{other}` is ignored (known: points, type, shuffle, case, whitespace, scoring, category, tags)"),
                    );
                    continue;
                }
            };
            out.insert(key.to_string(), value.trim_matches('"').to_string());
        }
        out
    }

    fn type_hint(&mut self, line: u32, value: Option<&str>) -> Result<Option<Hint>, ()> {
        let Some(value) = value else { return Ok(None) };
        let hint = match value.to_ascii_lowercase().as_str() {
            "single" | "pilihan-ganda" | "pg" => Hint::Single,
            "multiple" | "multiple-response" | "pilihan-ganda-kompleks" | "pgk" => Hint::Multiple,
            "truefalse" | "true-false" | "tf" | "benar-salah" | "bs" => Hint::TrueFalse,
            "short" | "short-answer" | "isian" | "isian-singkat" => Hint::Short,
            "numeric" | "number" | "numerik" | "angka" => Hint::Numeric,
            "matching" | "menjodohkan" | "jodohkan" => Hint::Matching,
            "ordering" | "order" | "urutan" | "mengurutkan" => Hint::Ordering,
            "essay" | "esai" | "uraian" => Hint::Essay,
            "description" | "deskripsi" | "teks" => Hint::Description,
            other => {
                self.error(
                    line,
                    ProblemCode::UnknownType,
                    format!("unknown type `{other}` (single, multiple, truefalse, short, numeric, matching, ordering, essay, description)"),
                );
                return Err(());
            }
        };
        Ok(Some(hint))
    }

    /// Splits the lines before the feedback into question text and answers.
    fn answers(
        &mut self,
        line: u32,
        pre: &[Line],
        hint: Option<Hint>,
        attrs: &BTreeMap<String, String>,
        grader_info: Option<String>,
        template: Option<String>,
    ) -> Result<(String, Option<QuestionKind>), ()> {
        let top = |l: &Line| l.indent < 4;
        let whole = || pre.iter().map(|l| l.raw).collect::<Vec<_>>().join("\n");
        match hint {
            Some(Hint::Essay) => {
                return Ok((
                    whole(),
                    Some(QuestionKind::Essay {
                        response_template: template,
                        grader_info,
                    }),
                ));
            }
            Some(Hint::Description) => return Ok((whole(), Some(QuestionKind::Description))),
            _ => {}
        }
        if grader_info.is_some() {
            self.warn(
                line,
                ProblemCode::IgnoredText,
                "`Pedoman penilaian:` is only used by essay questions; ignored",
            );
        }
        let task = pre
            .iter()
            .position(|l| top(l) && matches!(l.kind, Kind::Task { .. }));
        let label = pre.iter().position(|l| {
            top(l)
                && matches!(
                    l.kind,
                    Kind::Label {
                        label: Label::Answer,
                        ..
                    }
                )
        });
        let arrow = pre.iter().position(|l| {
            top(l) && matches!(l.kind, Kind::Bullet { text } if arrow_split(text).is_some())
        });
        let ordered = last_list_start(pre);
        let start = match hint {
            Some(Hint::Single | Hint::Multiple) => task.map(|s| (s, Form::Choices)),
            Some(Hint::TrueFalse) => match (task, label) {
                (Some(t), Some(l)) => Some(if t < l {
                    (t, Form::Choices)
                } else {
                    (l, Form::Label)
                }),
                (Some(t), None) => Some((t, Form::Choices)),
                (None, Some(l)) => Some((l, Form::Label)),
                (None, None) => None,
            },
            Some(Hint::Short | Hint::Numeric) => label.map(|s| (s, Form::Label)),
            Some(Hint::Matching) => arrow.map(|s| (s, Form::Matching)),
            Some(Hint::Ordering) => ordered.map(|s| (s, Form::Ordering)),
            // A task list wins over the rest: an arrow or a "Jawaban:" inside the question
            // text of a choice question must not turn it into another type.
            None => task
                .map(|s| (s, Form::Choices))
                .or(label.map(|s| (s, Form::Label)))
                .or(arrow.map(|s| (s, Form::Matching))),
            Some(Hint::Essay | Hint::Description) => None,
        };
        let Some((start, form)) = start else {
            let expected = match hint {
                Some(Hint::Single | Hint::Multiple) => {
                    "options written as a task list: `- [x] right` / `- [ ] wrong`"
                }
                Some(Hint::TrueFalse) => "`Jawaban: Benar` or `Jawaban: Salah`",
                Some(Hint::Short | Hint::Numeric) => "a `Jawaban:` line",
                Some(Hint::Matching) => "pairs written `- prompt -> answer`",
                Some(Hint::Ordering) => "a numbered list `1. …` in the right order",
                _ => {
                    "options (`- [x] …`), `Jawaban: …`, pairs (`- a -> b`), or `type=essay` / `type=description` in the heading"
                }
            };
            self.error(
                line,
                ProblemCode::MissingAnswer,
                format!("no answers found: expected {expected}"),
            );
            return Err(());
        };
        let text = pre[..start]
            .iter()
            .map(|l| l.raw)
            .collect::<Vec<_>>()
            .join("\n");
        let answers = &pre[start..];
        let kind = match form {
            Form::Choices => self.choices(line, answers, hint, attrs),
            Form::Label => self.labelled(line, answers, hint, attrs),
            Form::Matching => self.matching(line, answers, attrs),
            Form::Ordering => self.ordering(line, answers, attrs),
        };
        Ok((text, kind))
    }

    fn choices(
        &mut self,
        line: u32,
        lines: &[Line],
        hint: Option<Hint>,
        attrs: &BTreeMap<String, String>,
    ) -> Option<QuestionKind> {
        let mut items: Vec<Item> = Vec::new();
        self.collect_items(lines, &mut items, |kind| match kind {
            Kind::Task { checked, text } => Some((*checked, *text)),
            _ => None,
        });
        if items.len() < 2 {
            self.error(
                line,
                ProblemCode::TooFewOptions,
                "a choice question needs at least two options",
            );
            return None;
        }
        let explicit_weights = items.iter().any(|i| i.weight.is_some());
        let checked = items.iter().filter(|i| i.checked).count();
        let tf_words: Vec<Option<bool>> = items.iter().map(|i| truth_word(&i.text)).collect();
        let looks_tf = items.len() == 2
            && checked == 1
            && !explicit_weights
            && tf_words.iter().all(Option::is_some)
            && tf_words[0] != tf_words[1];
        if hint == Some(Hint::TrueFalse) || (hint.is_none() && looks_tf) {
            if !looks_tf {
                self.error(
                    line,
                    ProblemCode::TypeMismatch,
                    "a true/false question has two options, `Benar` and `Salah`, one checked",
                );
                return None;
            }
            let mut feedback_true = None;
            let mut feedback_false = None;
            let mut correct = false;
            for (item, word) in items.iter().zip(&tf_words) {
                let is_true = word.unwrap_or(false);
                if is_true {
                    feedback_true = item.feedback.clone();
                } else {
                    feedback_false = item.feedback.clone();
                }
                if item.checked {
                    correct = is_true;
                }
            }
            return Some(QuestionKind::TrueFalse {
                correct,
                feedback_true,
                feedback_false,
            });
        }
        let multiple = match hint {
            Some(Hint::Multiple) => true,
            Some(Hint::Single) => {
                if checked > 1 {
                    self.error(
                        line,
                        ProblemCode::TypeMismatch,
                        format!("type=single but {checked} options are checked; use type=multiple"),
                    );
                    return None;
                }
                false
            }
            _ => checked > 1,
        };
        let wrong = items.len() - checked;
        let mut choices: Vec<Choice> = Vec::new();
        for item in &items {
            let weight = item.weight.unwrap_or(match (multiple, item.checked) {
                (false, true) => 1.0,
                (false, false) => 0.0,
                (true, true) => 1.0 / checked as f64,
                (true, false) if wrong > 0 => -1.0 / wrong as f64,
                (true, false) => 0.0,
            });
            if choices.iter().any(|c| c.text == item.text) {
                self.warn(
                    item.line,
                    ProblemCode::DuplicateOption,
                    format!("option `{}` appears twice", item.text),
                );
            }
            let id = self.option_id(item, choices.iter().map(|c| &c.id));
            choices.push(Choice {
                id,
                text: item.text.clone(),
                weight,
                feedback: item.feedback.clone(),
            });
        }
        let best = choices
            .iter()
            .map(|c| c.weight)
            .fold(f64::NEG_INFINITY, f64::max);
        if best <= 0.0 {
            self.error(
                line,
                ProblemCode::NoCorrectAnswer,
                "no option is right: check one with `- [x]`",
            );
            return None;
        }
        let shuffle = self.flag(line, attrs, "shuffle", true);
        if multiple {
            let positive: f64 = choices.iter().map(|c| c.weight.max(0.0)).sum();
            if (positive - 1.0).abs() > 1e-3 {
                self.warn(
                    line,
                    ProblemCode::WeightsDoNotAddUp,
                    format!(
                        "the positive weights add up to {:.4}%, not 100%",
                        positive * 100.0
                    ),
                );
            }
            Some(QuestionKind::MultipleResponse { choices, shuffle })
        } else {
            if best < 1.0 {
                self.warn(
                    line,
                    ProblemCode::WeightsDoNotAddUp,
                    "no option gives full marks (100%)",
                );
            }
            Some(QuestionKind::SingleChoice { choices, shuffle })
        }
    }

    /// `Jawaban: …` (one answer, or several separated by `|`) or `Jawaban:` followed by a list.
    fn labelled(
        &mut self,
        line: u32,
        lines: &[Line],
        hint: Option<Hint>,
        attrs: &BTreeMap<String, String>,
    ) -> Option<QuestionKind> {
        let (first, rest) = lines.split_first()?;
        let Kind::Label { rest: inline, .. } = &first.kind else {
            return None;
        };
        let mut items: Vec<Item> = Vec::new();
        if !inline.trim().is_empty() {
            for part in inline.split('|').map(str::trim).filter(|p| !p.is_empty()) {
                let (weight, text, id) = item_parts(part);
                items.push(Item {
                    line: first.n,
                    checked: true,
                    text,
                    weight,
                    id,
                    feedback: None,
                });
            }
            // `>` lines right after an inline answer are its feedback (of the last one when
            // several are given).
            let mut feedback = Vec::new();
            let mut k = 0;
            while k < rest.len() {
                match &rest[k].kind {
                    Kind::Quote { text } => feedback.push(*text),
                    Kind::Blank if feedback.is_empty() => {}
                    _ => break,
                }
                k += 1;
            }
            if let Some(last) = items.last_mut() {
                last.feedback =
                    Some(feedback.join("\n").trim().to_string()).filter(|f| !f.is_empty());
            }
            self.leftovers(&rest[k..]);
        } else {
            self.collect_items(rest, &mut items, |kind| match kind {
                Kind::Bullet { text } | Kind::Ordered { text } => Some((true, *text)),
                Kind::Task { text, .. } => Some((true, *text)),
                _ => None,
            });
        }
        let items: Vec<Item> = items.into_iter().filter(|i| !i.text.is_empty()).collect();
        if items.is_empty() {
            self.error(
                first.n,
                ProblemCode::MissingAnswer,
                "`Jawaban:` has no answer after it",
            );
            return None;
        }
        let numeric: Vec<Option<NumericValue>> =
            items.iter().map(|i| numeric_answer(&i.text)).collect();
        let truth = if items.len() == 1 {
            truth_word(&items[0].text)
        } else {
            None
        };
        let hint = hint.unwrap_or(if truth.is_some() {
            Hint::TrueFalse
        } else if numeric.iter().all(Option::is_some) {
            Hint::Numeric
        } else {
            Hint::Short
        });
        match hint {
            Hint::TrueFalse => {
                let Some(correct) = truth else {
                    self.error(
                        first.n,
                        ProblemCode::MissingAnswer,
                        "a true/false answer is `Benar` or `Salah` (or True/False)",
                    );
                    return None;
                };
                let feedback = items[0].feedback.clone();
                let (feedback_true, feedback_false) = if correct {
                    (feedback, None)
                } else {
                    (None, feedback)
                };
                Some(QuestionKind::TrueFalse {
                    correct,
                    feedback_true,
                    feedback_false,
                })
            }
            Hint::Numeric => {
                let mut answers = Vec::new();
                for (item, value) in items.iter().zip(numeric) {
                    let Some(value) = value else {
                        self.error(
                            item.line,
                            ProblemCode::BadNumeric,
                            format!(
                                "`{}` is not a number, a range `1..5` or a tolerance `3.14 ± 0.01`",
                                item.text
                            ),
                        );
                        return None;
                    };
                    answers.push(NumericAnswer {
                        value,
                        weight: item.weight.unwrap_or(1.0),
                        feedback: item.feedback.clone(),
                    });
                }
                if !answers.iter().any(|a| a.weight > 0.0) {
                    self.error(
                        line,
                        ProblemCode::NoCorrectAnswer,
                        "no numeric answer earns credit",
                    );
                    return None;
                }
                Some(QuestionKind::Numeric {
                    answers,
                    other_feedback: None,
                })
            }
            _ => {
                let answers: Vec<TextAnswer> = items
                    .iter()
                    .map(|i| TextAnswer {
                        text: i.text.clone(),
                        weight: i.weight.unwrap_or(1.0),
                        feedback: i.feedback.clone(),
                    })
                    .collect();
                if !answers.iter().any(|a| a.weight > 0.0) {
                    self.error(
                        line,
                        ProblemCode::NoCorrectAnswer,
                        "no accepted answer earns credit",
                    );
                    return None;
                }
                let case_sensitive = match attrs.get("case").map(|c| c.to_ascii_lowercase()) {
                    None => false,
                    Some(c)
                        if matches!(c.as_str(), "sensitive" | "exact" | "peka" | "true" | "ya") =>
                    {
                        true
                    }
                    Some(c)
                        if matches!(
                            c.as_str(),
                            "insensitive" | "ignore" | "bebas" | "false" | "tidak"
                        ) =>
                    {
                        false
                    }
                    Some(c) => {
                        self.warn(
                            line,
                            ProblemCode::UnknownAttribute,
                            format!("case=`{c}`: use case=sensitive or case=insensitive"),
                        );
                        false
                    }
                };
                let normalise_whitespace =
                    match attrs.get("whitespace").map(|c| c.to_ascii_lowercase()) {
                        None => true,
                        Some(c) if matches!(c.as_str(), "exact" | "persis" | "false") => false,
                        Some(c)
                            if matches!(
                                c.as_str(),
                                "normalise" | "normalize" | "collapse" | "true"
                            ) =>
                        {
                            true
                        }
                        Some(c) => {
                            self.warn(
                                line,
                                ProblemCode::UnknownAttribute,
                                format!(
                                    "whitespace=`{c}`: use whitespace=exact or whitespace=normalise"
                                ),
                            );
                            true
                        }
                    };
                Some(QuestionKind::ShortAnswer {
                    answers,
                    case_sensitive,
                    normalise_whitespace,
                })
            }
        }
    }

    fn matching(
        &mut self,
        line: u32,
        lines: &[Line],
        attrs: &BTreeMap<String, String>,
    ) -> Option<QuestionKind> {
        let mut items: Vec<Item> = Vec::new();
        self.collect_items(lines, &mut items, |kind| match kind {
            Kind::Bullet { text } | Kind::Ordered { text } => Some((true, *text)),
            _ => None,
        });
        let mut entries = Vec::new();
        for item in &items {
            if item.feedback.is_some() {
                self.warn(
                    item.line,
                    ProblemCode::UnsupportedFeature,
                    "matching pairs have no feedback of their own; use `Pembahasan:`",
                );
            }
            let Some((prompt, answer)) = arrow_split(&item.text) else {
                self.error(
                    item.line,
                    ProblemCode::BadMatchingPair,
                    "a matching pair is written `- prompt -> answer`",
                );
                return None;
            };
            if answer.is_empty() {
                self.error(
                    item.line,
                    ProblemCode::BadMatchingPair,
                    "the answer after `->` is empty",
                );
                return None;
            }
            entries.push((prompt.to_string(), answer.to_string()));
        }
        let (pairs, choices) = build_matching(&entries);
        if pairs.len() < 2 {
            self.error(
                line,
                ProblemCode::TooFewOptions,
                "a matching question needs at least two pairs with a prompt",
            );
            return None;
        }
        let shuffle = self.flag(line, attrs, "shuffle", true);
        Some(QuestionKind::Matching {
            pairs,
            choices,
            shuffle,
        })
    }

    fn ordering(
        &mut self,
        line: u32,
        lines: &[Line],
        attrs: &BTreeMap<String, String>,
    ) -> Option<QuestionKind> {
        let mut items: Vec<Item> = Vec::new();
        self.collect_items(lines, &mut items, |kind| match kind {
            Kind::Ordered { text } | Kind::Bullet { text } => Some((true, *text)),
            _ => None,
        });
        if items.iter().any(|i| i.feedback.is_some()) {
            self.warn(
                line,
                ProblemCode::UnsupportedFeature,
                "ordering items have no feedback of their own; use `Pembahasan:`",
            );
        }
        if items.len() < 2 {
            self.error(
                line,
                ProblemCode::TooFewOptions,
                "an ordering question needs at least two items",
            );
            return None;
        }
        let mut order: Vec<OrderItem> = Vec::new();
        for item in &items {
            if order.iter().any(|o| o.text == item.text) {
                self.warn(
                    item.line,
                    ProblemCode::DuplicateOption,
                    format!("item `{}` appears twice", item.text),
                );
            }
            let id = self.option_id(item, order.iter().map(|o| &o.id));
            order.push(OrderItem {
                id,
                text: item.text.clone(),
            });
        }
        let scoring = match attrs.get("scoring").map(|s| s.to_ascii_lowercase()) {
            None => OrderingScoring::default(),
            Some(s) => match s.as_str() {
                "all" | "all-or-nothing" | "semua" => OrderingScoring::AllOrNothing,
                "position" | "absolute" | "posisi" => OrderingScoring::AbsolutePosition,
                "subsequence" | "relative" | "urutan" => OrderingScoring::LongestOrderedSubsequence,
                other => {
                    self.warn(
                        line,
                        ProblemCode::UnknownAttribute,
                        format!("scoring=`{other}`: use all, position or subsequence"),
                    );
                    OrderingScoring::default()
                }
            },
        };
        Some(QuestionKind::Ordering {
            items: order,
            scoring,
        })
    }

    /// Groups list items with their `>` feedback and indented continuation lines; anything else
    /// is reported.
    fn collect_items<'a>(
        &mut self,
        lines: &[Line<'a>],
        items: &mut Vec<Item>,
        start: impl Fn(&Kind<'a>) -> Option<(bool, &'a str)>,
    ) {
        let mut feedback: Vec<String> = Vec::new();
        let mut blank = false;
        let flush = |items: &mut Vec<Item>, feedback: &mut Vec<String>| {
            if let Some(last) = items.last_mut()
                && !feedback.is_empty()
            {
                let mut all: Vec<String> = last.feedback.take().into_iter().collect();
                all.append(feedback);
                last.feedback = Some(all.join("\n").trim().to_string()).filter(|f| !f.is_empty());
            }
            feedback.clear();
        };
        for l in lines {
            if l.indent < 4
                && let Some((checked, text)) = start(&l.kind)
            {
                flush(items, &mut feedback);
                let (weight, text, id) = item_parts(text);
                if let Some(w) = weight
                    && !(-1.0..=1.0).contains(&w)
                {
                    self.warn(
                        l.n,
                        ProblemCode::BadWeight,
                        format!(
                            "weight {}% is outside -100%..100%; it is limited to that range",
                            w * 100.0
                        ),
                    );
                }
                let weight = weight.map(|w| w.clamp(-1.0, 1.0));
                items.push(Item {
                    line: l.n,
                    checked,
                    text,
                    weight,
                    id,
                    feedback: None,
                });
                blank = false;
                continue;
            }
            match &l.kind {
                Kind::Blank => blank = true,
                Kind::Quote { text } if !items.is_empty() => {
                    feedback.push(text.to_string());
                    blank = false;
                }
                _ if !items.is_empty() && l.indent >= 2 && !blank && feedback.is_empty() => {
                    // A wrapped option: continue its text.
                    if let Some(last) = items.last_mut() {
                        last.text.push(' ');
                        last.text.push_str(l.raw.trim());
                    }
                }
                _ if !items.is_empty() && l.indent >= 2 && !feedback.is_empty() => {
                    feedback.push(l.raw.trim().to_string());
                }
                _ if is_thematic_break(l.raw) => {}
                _ => self.warn(
                    l.n,
                    ProblemCode::IgnoredText,
                    "this line is not an answer, nor `> feedback` under one, nor `Pembahasan:`; it is ignored",
                ),
            }
        }
        flush(items, &mut feedback);
    }

    /// Warns about lines after an inline `Jawaban:` that belong to nothing.
    fn leftovers(&mut self, lines: &[Line]) {
        if let Some(l) = lines
            .iter()
            .find(|l| !matches!(l.kind, Kind::Blank) && !is_thematic_break(l.raw))
        {
            self.warn(
                l.n,
                ProblemCode::IgnoredText,
                "text after the answer is ignored (general feedback goes after `Pembahasan:`)",
            );
        }
    }

    fn option_id<'a>(
        &mut self,
        item: &Item,
        taken: impl Iterator<Item = &'a OptionId> + Clone,
    ) -> OptionId {
        if let Some(id) = &item.id {
            if is_valid_id(id) && !taken.clone().any(|t| t.as_str() == id) {
                return OptionId::new(id.clone());
            }
            self.warn(
                item.line,
                ProblemCode::InvalidId,
                format!("option id `{id}` is invalid or used twice; one is made from the text"),
            );
        }
        unique_option_id(&item.text, taken)
    }

    fn flag(
        &mut self,
        line: u32,
        attrs: &BTreeMap<String, String>,
        key: &str,
        default: bool,
    ) -> bool {
        match attrs.get(key).map(|v| v.to_ascii_lowercase()) {
            None => default,
            Some(v) if matches!(v.as_str(), "true" | "yes" | "ya" | "on") => true,
            Some(v) if matches!(v.as_str(), "false" | "no" | "tidak" | "off") => false,
            Some(v) => {
                self.warn(
                    line,
                    ProblemCode::UnknownAttribute,
                    format!("{key}=`{v}`: use true or false"),
                );
                default
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Hint {
    Single,
    Multiple,
    TrueFalse,
    Short,
    Numeric,
    Matching,
    Ordering,
    Essay,
    Description,
}

#[derive(Debug, Clone, Copy)]
enum Form {
    Choices,
    Label,
    Matching,
    Ordering,
}

#[derive(Debug, Clone)]
struct Item {
    line: u32,
    checked: bool,
    text: String,
    weight: Option<f64>,
    id: Option<String>,
    feedback: Option<String>,
}

/// Classifies body lines; lines inside fenced code blocks are always text.
fn classify<'a>(lines: &[&'a str], start: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (i, raw) in lines.iter().enumerate().skip(start) {
        let n = line_no(i + 1);
        let indent = indent_of(raw);
        let trimmed = raw.trim();
        let fence_mark = (indent < 4)
            .then(|| {
                let c = trimmed.chars().next()?;
                if c != '`' && c != '~' {
                    return None;
                }
                let len = trimmed.chars().take_while(|&x| x == c).count();
                (len >= 3).then_some((c, len))
            })
            .flatten();
        if let Some((c, len)) = fence {
            if fence_mark
                .is_some_and(|(fc, fl)| fc == c && fl >= len && trimmed.chars().all(|x| x == c))
            {
                fence = None;
            }
            out.push(Line {
                n,
                raw,
                indent,
                kind: Kind::Code,
            });
            continue;
        }
        if let Some(mark) = fence_mark {
            fence = Some(mark);
            out.push(Line {
                n,
                raw,
                indent,
                kind: Kind::Code,
            });
            continue;
        }
        out.push(Line {
            n,
            raw,
            indent,
            kind: line_kind(trimmed),
        });
    }
    out
}

fn line_kind(t: &str) -> Kind<'_> {
    if t.is_empty() {
        return Kind::Blank;
    }
    if let Some(q) = t.strip_prefix('>') {
        return Kind::Quote {
            text: q.strip_prefix(' ').unwrap_or(q),
        };
    }
    if let Some(rest) = t.strip_prefix(['-', '*', '+'])
        && let Some(item) = rest.strip_prefix([' ', '\t'])
    {
        let item = item.trim_start();
        for (mark, checked) in [("[x]", true), ("[X]", true), ("[ ]", false)] {
            if let Some(text) = item.strip_prefix(mark)
                && (text.is_empty() || text.starts_with([' ', '\t']))
            {
                return Kind::Task {
                    checked,
                    text: text.trim(),
                };
            }
        }
        return Kind::Bullet { text: item.trim() };
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &t[digits..];
        if let Some(item) = rest.strip_prefix(['.', ')'])
            && (item.is_empty() || item.starts_with([' ', '\t']))
        {
            return Kind::Ordered { text: item.trim() };
        }
    }
    if let Some((label, rest)) = label_of(t) {
        return Kind::Label { label, rest };
    }
    Kind::Text
}

/// `Jawaban: …`, `**Pembahasan:** …` and friends.
fn label_of(t: &str) -> Option<(Label, String)> {
    let colon = t.find(':')?;
    let head: String = t[..colon]
        .chars()
        .filter(|c| *c != '*' && *c != '_')
        .collect();
    let label = match head.trim().to_lowercase().as_str() {
        "jawaban" | "jawab" | "kunci" | "kunci jawaban" | "answer" | "answers" => Label::Answer,
        "pembahasan" | "umpan balik" | "penjelasan" | "feedback" | "general feedback" => {
            Label::Feedback
        }
        "pedoman penilaian" | "rubrik" | "grader info" | "grading guide" => Label::GraderInfo,
        "templat" | "templat jawaban" | "template" | "response template" => Label::Template,
        _ => return None,
    };
    let rest = t[colon + 1..]
        .trim_start_matches(['*', '_'])
        .trim()
        .to_string();
    Some((label, rest))
}

fn heading_level(raw: &str) -> Option<(usize, &str)> {
    let t = raw.trim_start();
    let level = t.chars().take_while(|&c| c == '#').count();
    if !(1..=2).contains(&level) {
        return None;
    }
    let rest = &t[level..];
    if rest.is_empty() || rest.starts_with([' ', '\t']) {
        Some((level, rest.trim().trim_end_matches('#').trim()))
    } else {
        None
    }
}

/// `Title {#id points=2}` → (`Title`, `#id points=2`).
fn split_attributes(heading: &str) -> (&str, Option<&str>) {
    let h = heading.trim();
    if let Some(body) = h.strip_suffix('}')
        && let Some(open) = body.rfind('{')
    {
        let inner = &body[open + 1..];
        let looks = inner.trim_start().starts_with('#') || inner.contains('=');
        if looks {
            return (&h[..open], Some(inner));
        }
    }
    (h, None)
}

/// Splits on whitespace, keeping `"quoted values"` together.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `(50%) text {#id}` → weight 0.5, text, id.
fn item_parts(text: &str) -> (Option<f64>, String, Option<String>) {
    let mut t = text.trim();
    let mut weight = None;
    if let Some(rest) = t.strip_prefix('(')
        && let Some(close) = rest.find("%)")
        && let Some(w) = parse_number(&rest[..close])
    {
        weight = Some(w / 100.0);
        t = rest[close + 2..].trim_start();
    }
    let mut id = None;
    if let Some(body) = t.strip_suffix('}')
        && let Some(open) = body.rfind("{#")
    {
        id = Some(body[open + 2..].trim().to_string());
        t = body[..open].trim_end();
    }
    (weight, t.to_string(), id)
}

fn arrow_split(text: &str) -> Option<(&str, &str)> {
    let (i, len) = match (text.find("->"), text.find('→')) {
        (Some(a), Some(b)) if b < a => (b, '→'.len_utf8()),
        (Some(a), _) => (a, 2),
        (None, Some(b)) => (b, '→'.len_utf8()),
        (None, None) => return None,
    };
    Some((text[..i].trim(), text[i + len..].trim()))
}

/// `benar`/`true` → true, `salah`/`false` → false.
fn truth_word(text: &str) -> Option<bool> {
    match text.trim().trim_end_matches('.').to_lowercase().as_str() {
        "benar" | "true" | "betul" => Some(true),
        "salah" | "false" => Some(false),
        _ => None,
    }
}

/// `1945`, `3,14`, `3.14 ± 0.01`, `3.14 +- 0.01`, `3.14 +/- 0.01`, `1..5`, `1 .. 5`.
fn numeric_answer(text: &str) -> Option<NumericValue> {
    let t = text.trim();
    for sep in ["±", "+/-", "+-"] {
        if let Some((v, tol)) = t.split_once(sep) {
            let value = parse_number(v)?;
            let tolerance = parse_number(tol)?;
            return (tolerance >= 0.0).then_some(NumericValue::Exact { value, tolerance });
        }
    }
    if let Some(i) = t.find("..").filter(|&i| i > 0) {
        let a = parse_number(&t[..i])?;
        let b = parse_number(&t[i + 2..])?;
        return Some(NumericValue::Range {
            min: a.min(b),
            max: a.max(b),
        });
    }
    parse_number(t).map(|value| NumericValue::Exact {
        value,
        tolerance: 0.0,
    })
}

/// Start of the last ordered list among `lines`.
fn last_list_start(lines: &[Line]) -> Option<usize> {
    let last = lines
        .iter()
        .rposition(|l| l.indent < 4 && matches!(l.kind, Kind::Ordered { .. }))?;
    let mut start = last;
    let mut k = last;
    while k > 0 {
        k -= 1;
        match lines[k].kind {
            Kind::Ordered { .. } if lines[k].indent < 4 => start = k,
            Kind::Blank | Kind::Quote { .. } => {}
            _ if lines[k].indent >= 2 => {}
            _ => break,
        }
    }
    Some(start)
}

fn indent_of(raw: &str) -> usize {
    raw.chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

fn is_thematic_break(raw: &str) -> bool {
    let t: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    t.len() >= 3
        && (t.chars().all(|c| c == '-')
            || t.chars().all(|c| c == '*')
            || t.chars().all(|c| c == '_'))
}

/// Joins lines, removing the indentation they share (the first line is the label's rest).
fn dedent_join(lines: &[String]) -> String {
    let common = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_of(l))
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            out.push(l.trim().to_string());
        } else {
            let skip: usize = l
                .chars()
                .take(common)
                .take_while(|c| c.is_whitespace())
                .count();
            out.push(
                l.chars()
                    .skip(skip)
                    .collect::<String>()
                    .trim_end()
                    .to_string(),
            );
        }
    }
    out.join("\n").trim().to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn item_parts_reads_weights_and_ids() {
        assert_eq!(
            item_parts("(50%) Batavia"),
            (Some(0.5), "Batavia".into(), None)
        );
        let (w, text, id) = item_parts("(-33,3%) salah {#s1}");
        assert!((w.unwrap() + 0.333).abs() < 1e-12);
        assert_eq!((text.as_str(), id.as_deref()), ("salah", Some("s1")));
        assert_eq!(
            item_parts("(catatan) teks"),
            (None, "(catatan) teks".into(), None)
        );
    }

    #[test]
    #[allow(clippy::approx_constant)]
    fn numeric_answer_forms() {
        assert_eq!(
            numeric_answer("3,14 ± 0,01"),
            Some(NumericValue::Exact {
                value: 3.14,
                tolerance: 0.01
            })
        );
        assert_eq!(
            numeric_answer("3.14 +- 0.01"),
            Some(NumericValue::Exact {
                value: 3.14,
                tolerance: 0.01
            })
        );
        assert_eq!(
            numeric_answer("5 .. 1"),
            Some(NumericValue::Range { min: 1.0, max: 5.0 })
        );
        assert_eq!(
            numeric_answer("1945"),
            Some(NumericValue::Exact {
                value: 1945.0,
                tolerance: 0.0
            })
        );
        assert_eq!(numeric_answer("Jakarta"), None);
        assert_eq!(numeric_answer("3 ± -1"), None);
    }

    #[test]
    fn line_kinds() {
        assert!(matches!(
            line_kind("- [x] Jakarta"),
            Kind::Task {
                checked: true,
                text: "Jakarta"
            }
        ));
        assert!(matches!(
            line_kind("* [ ] Bandung"),
            Kind::Task {
                checked: false,
                text: "Bandung"
            }
        ));
        assert!(matches!(line_kind("- [x]Jakarta"), Kind::Bullet { .. }));
        assert!(matches!(
            line_kind("1. satu"),
            Kind::Ordered { text: "satu" }
        ));
        assert!(matches!(line_kind("2024. tahun"), Kind::Ordered { .. }));
        assert!(
            matches!(line_kind("**Jawaban:** Jakarta"), Kind::Label { label: Label::Answer, ref rest } if rest == "Jakarta")
        );
        assert!(matches!(
            line_kind("Pembahasan: x"),
            Kind::Label {
                label: Label::Feedback,
                ..
            }
        ));
        assert!(matches!(line_kind("Catatan: x"), Kind::Text));
        assert_eq!(heading_level("## Soal {#a}"), Some((2, "Soal {#a}")));
        assert_eq!(heading_level("### Sub"), None);
        assert_eq!(heading_level("#tag"), None);
        assert_eq!(
            split_attributes("Soal {#a points=2}"),
            ("Soal ", Some("#a points=2"))
        );
        assert_eq!(
            split_attributes("Himpunan {1, 2}"),
            ("Himpunan {1, 2}", None)
        );
    }
}
