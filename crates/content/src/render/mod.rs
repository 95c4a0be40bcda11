//! Lesson Markdown to safe HTML: CommonMark + GFM, GitHub alerts, Pandoc/Quarto fenced divs,
//! heading anchors and a table of contents, highlighted code, maths, footnotes, and links to
//! other lessons and course files rewritten to their URLs. The HTML is sanitised last.

mod divs;
mod highlight;
mod rawhtml;
mod sanitize;
mod urls;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd,
};
use serde::Serialize;

use crate::ids::{IdAllocator, slugify};
use crate::manifest::Language;
use crate::problem::{LineIndex, Problem, ProblemCode};

pub use highlight::{HighlightCssError, HighlightTheme, highlight_css};
pub(crate) use urls::{Destination, classify, parent_dir};

/// Callouts nested deeper than this render as plain block quotes: it bounds the renderer's
/// recursion, so hostile input cannot overflow the stack.
const MAX_CALLOUT_DEPTH: usize = 16;

/// Words a learner reads per minute, for [`RenderedLesson::reading_minutes`].
pub const WORDS_PER_MINUTE: usize = 200;

/// The asset URL prefix the format agreement names; the server may use another.
pub const DEFAULT_ASSET_BASE: &str = "/api/v1/assets";

/// Everything the renderer needs to know about the course around a lesson. Plain data: the
/// course loader fills it from the folder, a browser preview fills what it knows.
#[derive(Debug, Clone, Default)]
pub struct RenderContext {
    pub course_slug: String,
    /// Prefix of asset URLs: an asset becomes `{asset_base}/{sha256}`.
    pub asset_base: String,
    /// The lesson's course-relative path (`01-pengantar/01-apa-itu-data.md`); relative links
    /// are resolved from its folder. Empty for a lesson that is not a file (browser editor).
    pub lesson_path: String,
    /// The line of the lesson file on which the Markdown body starts (after the front matter),
    /// so problems point at lines of the file, not of the body.
    pub first_line: u32,
    /// The course language, for the default titles of callouts.
    pub language: Language,
    /// Course-relative path → SHA-256 hex of every file a lesson may reference.
    pub assets: BTreeMap<String, String>,
    /// Files that exist but may not be used (outside the course through a symlink, too large).
    pub refused_assets: BTreeMap<String, Refusal>,
    /// Course-relative path of each lesson file → lesson id.
    pub lessons: BTreeMap<String, String>,
    /// Course-relative path of each quiz file → quiz id.
    pub quizzes: BTreeMap<String, String>,
}

/// Why a referenced file that exists may not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ProblemCode,
    pub message: String,
}

impl RenderContext {
    pub fn new(course_slug: impl Into<String>, asset_base: impl Into<String>) -> Self {
        Self {
            course_slug: course_slug.into(),
            asset_base: asset_base.into(),
            first_line: 1,
            ..Self::default()
        }
    }

    /// The same context for another lesson file whose body starts on `first_line`.
    pub fn for_lesson(&self, lesson_path: impl Into<String>, first_line: u32) -> Self {
        Self {
            lesson_path: lesson_path.into(),
            first_line,
            ..self.clone()
        }
    }

    pub fn asset_url(&self, sha256: &str) -> String {
        format!("{}/{sha256}", self.asset_base.trim_end_matches('/'))
    }

    pub fn lesson_url(&self, lesson_id: &str) -> String {
        format!("/courses/{}/lessons/{lesson_id}", self.course_slug)
    }

    pub fn quiz_url(&self, quiz_id: &str) -> String {
        format!("/courses/{}/quizzes/{quiz_id}", self.course_slug)
    }
}

/// A rendered lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenderedLesson {
    /// Sanitised HTML, safe to put in a page as is.
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub reading_minutes: u32,
    pub word_count: u32,
    pub links: Vec<LessonLink>,
    pub problems: Vec<Problem>,
}

/// A heading, for the lesson's table of contents. Callout titles are not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A link or image in a lesson and what it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonLink {
    /// The destination as the author wrote it.
    pub destination: String,
    pub is_image: bool,
    pub target: LinkTarget,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkTarget {
    External {
        url: String,
    },
    /// A path on this server (`/…`), left as written.
    Site {
        url: String,
    },
    /// A place in this lesson.
    Fragment {
        id: String,
    },
    Lesson {
        lesson_id: String,
        fragment: Option<String>,
        url: String,
    },
    Quiz {
        quiz_id: String,
        url: String,
    },
    Asset {
        path: String,
        sha256: String,
        url: String,
    },
    /// Not resolvable; reported in `problems` and rendered without a URL.
    Broken,
}

type Ev<'a> = (Event<'a>, Range<usize>);

fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
}

/// Renders the Markdown body of a lesson (front matter already removed; see
/// [`crate::split_front_matter`]) to sanitised HTML with its table of contents, links and
/// problems. Never fails: what cannot be rendered is reported in `problems`.
pub fn render_lesson(markdown: &str, ctx: &RenderContext) -> RenderedLesson {
    let pre = divs::preprocess(markdown);
    let mut events: Vec<Ev<'_>> = Parser::new_ext(&pre.text, parser_options())
        .into_offset_iter()
        .collect();
    merge_adjacent(&mut events);
    let image_attrs = take_image_attributes(&mut events);

    let mut r = Renderer {
        ctx,
        pre: &pre,
        lines: LineIndex::new(markdown, ctx.first_line),
        lesson_dir: parent_dir(&ctx.lesson_path).to_owned(),
        ids: IdAllocator::default(),
        heading_ids: HashMap::new(),
        title_headings: HashSet::new(),
        div_ids: HashMap::new(),
        image_attrs,
        toc: Vec::new(),
        links: Vec::new(),
        problems: Vec::new(),
        words: 0,
        footnote_numbers: HashMap::new(),
        footnote_refs: HashMap::new(),
        footnote_defs: Vec::new(),
        table: TableState::default(),
        link_depth: 0,
        callout_depth: 0,
        pending_iframe_closes: 0,
    };
    for (code, offset, message) in &pre.problems {
        let (line, column) = r.lines.position(*offset);
        r.problems
            .push(Problem::new(*code, &ctx.lesson_path, message.clone()).at(line, column));
    }
    r.assign_ids(&events);

    let mut out = Vec::with_capacity(events.len());
    r.render_range(&events, 0, events.len(), &mut out);
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    r.append_footnotes(&mut html);

    let words = u32::try_from(r.words).unwrap_or(u32::MAX);
    let reading_minutes = u32::try_from(r.words.div_ceil(WORDS_PER_MINUTE)).unwrap_or(u32::MAX);
    RenderedLesson {
        html: sanitize::clean(&html),
        toc: r.toc,
        reading_minutes,
        word_count: words,
        links: r.links,
        problems: r.problems,
    }
}

/// Course-relative paths of the files (not lessons) a lesson body refers to, through Markdown
/// links and images or raw `<img src>`/`<a href>`. The loader reads and hashes these before
/// rendering.
pub(crate) fn referenced_files(markdown: &str, lesson_path: &str) -> Vec<String> {
    let pre = divs::preprocess(markdown);
    let dir = parent_dir(lesson_path);
    let mut found = Vec::new();
    let mut push = |dest: &str| {
        if let Destination::Relative { path, .. } = classify(dest, dir)
            && !is_markdown_path(&path)
            && !found.contains(&path)
        {
            found.push(path);
        }
    };
    for event in Parser::new_ext(&pre.text, parser_options()) {
        match event {
            Event::Start(Tag::Link {
                dest_url,
                link_type,
                ..
            }) if link_type != LinkType::Email => {
                push(&dest_url);
            }
            Event::Start(Tag::Image { dest_url, .. }) => push(&dest_url),
            Event::Html(html) | Event::InlineHtml(html) => {
                for tag in rawhtml::scan_tags(&html) {
                    let attr = match tag.name.as_str() {
                        "img" => tag.attr("src"),
                        "a" => tag.attr("href"),
                        _ => None,
                    };
                    if let Some(value) = attr.and_then(|a| a.value.as_deref()) {
                        push(value);
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn is_markdown_path(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".md")
}

/// Merges runs of text (the parser splits text at every `[` or `!` it tried as syntax) and runs
/// of raw HTML lines in one block, so later steps see whole strings.
fn merge_adjacent(events: &mut Vec<Ev<'_>>) {
    let mut merged: Vec<Ev<'_>> = Vec::with_capacity(events.len());
    for (event, range) in events.drain(..) {
        if let Some((last, last_range)) = merged.last_mut() {
            let joined = match (&*last, &event) {
                (Event::Text(a), Event::Text(b)) => Some(Event::Text(format!("{a}{b}").into())),
                (Event::Html(a), Event::Html(b)) => Some(Event::Html(format!("{a}{b}").into())),
                _ => None,
            };
            if let Some(joined) = joined {
                *last = joined;
                last_range.end = range.end;
                continue;
            }
        }
        merged.push((event, range));
    }
    *events = merged;
}

/// Pandoc attributes after an image, `![Caption](fig/x.png){alt='…' width=50%}`, as Carpentries
/// lessons write them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct ImageAttrs {
    alt: Option<String>,
    width: Option<String>,
    height: Option<String>,
}

/// Takes `{…}` attribute blocks that directly follow images out of the text, keyed by the index
/// of the image's start event.
fn take_image_attributes(events: &mut [Ev<'_>]) -> HashMap<usize, ImageAttrs> {
    let mut found = HashMap::new();
    let mut starts = Vec::new();
    for i in 0..events.len() {
        match &events[i].0 {
            Event::Start(Tag::Image { .. }) => starts.push(i),
            Event::End(TagEnd::Image) => {
                let Some(start) = starts.pop() else { continue };
                let Some((Event::Text(text), range)) = events.get(i + 1) else {
                    continue;
                };
                if range.start != events[i].1.end || !text.starts_with('{') {
                    continue;
                }
                let Some(close) = text.find('}') else {
                    continue;
                };
                let attrs = parse_image_attrs(text.get(1..close).unwrap_or_default());
                let rest = text.get(close + 1..).unwrap_or_default().to_owned();
                found.insert(start, attrs);
                if let Some(next) = events.get_mut(i + 1) {
                    next.0 = Event::Text(rest.into());
                }
            }
            _ => {}
        }
    }
    found
}

fn parse_image_attrs(s: &str) -> ImageAttrs {
    let mut attrs = ImageAttrs::default();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest.get(..key_end).unwrap_or_default();
        rest = rest.get(key_end..).unwrap_or_default().trim_start();
        let mut value = None;
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let (v, remaining) = match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = after_eq.get(1..).unwrap_or_default();
                    match body.find(q) {
                        Some(end) => (
                            body.get(..end).unwrap_or_default(),
                            body.get(end + 1..).unwrap_or_default(),
                        ),
                        None => (body, ""),
                    }
                }
                _ => {
                    let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                    (
                        after_eq.get(..end).unwrap_or_default(),
                        after_eq.get(end..).unwrap_or_default(),
                    )
                }
            };
            value = Some(v.to_owned());
            rest = remaining.trim_start();
        }
        match (key, value) {
            ("alt", Some(v)) => attrs.alt = Some(v),
            ("width", Some(v)) => attrs.width = Some(v),
            ("height", Some(v)) => attrs.height = Some(v),
            _ => {}
        }
    }
    attrs
}

#[derive(Debug, Default)]
struct TableState {
    alignments: Vec<Alignment>,
    in_head: bool,
    body_open: bool,
    cell: usize,
}

struct Renderer<'c, 'p> {
    ctx: &'c RenderContext,
    pre: &'p divs::Preprocessed,
    lines: LineIndex<'c>,
    lesson_dir: String,
    ids: IdAllocator,
    heading_ids: HashMap<usize, String>,
    title_headings: HashSet<usize>,
    div_ids: HashMap<usize, String>,
    image_attrs: HashMap<usize, ImageAttrs>,
    toc: Vec<TocEntry>,
    links: Vec<LessonLink>,
    problems: Vec<Problem>,
    words: usize,
    footnote_numbers: HashMap<String, usize>,
    footnote_refs: HashMap<String, usize>,
    footnote_defs: Vec<(String, String)>,
    table: TableState,
    link_depth: usize,
    callout_depth: usize,
    pending_iframe_closes: usize,
}

/// Where the matching end of the start event at `i` is.
fn find_end(events: &[Ev<'_>], i: usize) -> usize {
    let mut depth = 0usize;
    for (j, (event, _)) in events.iter().enumerate().skip(i) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

fn plain_text(events: &[Ev<'_>]) -> String {
    let mut s = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                s.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

fn escape_href(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pulldown_cmark_escape::escape_href(&mut out, s);
    out
}

fn html_event<'a>(s: String) -> Event<'a> {
    Event::InlineHtml(CowStr::from(s))
}

/// Kinds shown folded (`<details>`): the learner opens them when ready.
fn is_collapsible(kind: &str) -> bool {
    matches!(kind, "solution" | "hint" | "spoiler" | "answer")
}

/// The title a callout gets when the author gave none.
pub(crate) fn default_title(kind: &str, language: Language) -> Option<&'static str> {
    let (id, en) = match kind {
        "note" => ("Catatan", "Note"),
        "tip" => ("Tips", "Tip"),
        "important" => ("Penting", "Important"),
        "warning" => ("Peringatan", "Warning"),
        "caution" => ("Hati-hati", "Caution"),
        "challenge" | "exercise" => ("Latihan", "Challenge"),
        "solution" | "answer" => ("Pembahasan", "Solution"),
        "hint" => ("Petunjuk", "Hint"),
        "discussion" => ("Diskusi", "Discussion"),
        "objectives" => ("Tujuan", "Objectives"),
        "questions" => ("Pertanyaan", "Questions"),
        "keypoints" => ("Poin Kunci", "Key Points"),
        "prereq" => ("Prasyarat", "Prerequisites"),
        "checklist" => ("Daftar Periksa", "Checklist"),
        "instructor" => ("Catatan Instruktur", "Instructor Note"),
        "spoiler" => ("Tampilkan", "Show"),
        _ => return None,
    };
    Some(match language {
        Language::Id => id,
        Language::En => en,
    })
}

fn alert_kind(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

/// `[!kind]` at the start of a block quote's first line (Obsidian-style, with a title after it,
/// or a kind GitHub does not know): (kind, rest of the text).
fn alert_marker(text: &str) -> Option<(String, &str)> {
    let inner = text.strip_prefix("[!")?;
    let close = inner.find(']')?;
    let kind = inner.get(..close)?;
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let rest = inner.get(close + 1..)?;
    let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    Some((divs::callout_kind(kind)?, rest))
}

struct Resolved {
    href: Option<String>,
    lesson_id: Option<String>,
    quiz_id: Option<String>,
}

impl<'a> Renderer<'_, '_> {
    fn position(&self, offset_in_rewritten: usize) -> (u32, u32) {
        self.lines
            .position(self.pre.original_offset(offset_in_rewritten))
    }

    fn problem(&mut self, code: ProblemCode, offset: usize, message: String) {
        let (line, column) = self.position(offset);
        self.problems
            .push(Problem::new(code, &self.ctx.lesson_path, message).at(line, column));
    }

    /// Heading and div ids first, in document order, so `#fragment` links can be checked
    /// wherever they appear.
    fn assign_ids(&mut self, events: &[Ev<'a>]) {
        let mut i = 0;
        while i < events.len() {
            let (event, range) = &events[i];
            match event {
                Event::Html(_) | Event::InlineHtml(_) => {
                    if let Some(divs::Marker::Open(idx)) = self.pre.marker_in(range) {
                        let spec = self.pre.divs.get(idx);
                        if let Some(id) = spec.and_then(|s| s.id.as_deref()) {
                            let id = self.ids.allocate(id, "div");
                            self.div_ids.insert(idx, id);
                        }
                        let next = self.next_significant(events, i + 1);
                        let untitled = spec.is_some_and(|s| s.title.is_none());
                        if untitled
                            && matches!(
                                events.get(next),
                                Some((Event::Start(Tag::Heading { .. }), _))
                            )
                        {
                            self.title_headings.insert(next);
                        }
                    }
                }
                Event::Start(Tag::Heading { id, .. }) if !self.title_headings.contains(&i) => {
                    let end = find_end(events, i);
                    let text = plain_text(events.get(i + 1..end).unwrap_or_default());
                    let wanted = match id {
                        Some(explicit) => explicit
                            .chars()
                            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
                            .collect(),
                        None => slugify(&text),
                    };
                    // fn-N and fnref-N belong to footnotes.
                    let wanted = if wanted.starts_with("fn-") || wanted.starts_with("fnref-") {
                        format!("h-{wanted}")
                    } else {
                        wanted
                    };
                    let id = self.ids.allocate(&wanted, "bagian");
                    self.heading_ids.insert(i, id);
                }
                _ => {}
            }
            i += 1;
        }
    }

    fn next_significant(&self, events: &[Ev<'a>], mut i: usize) -> usize {
        while let Some((Event::End(TagEnd::HtmlBlock) | Event::Start(Tag::HtmlBlock), _)) =
            events.get(i)
        {
            i += 1;
        }
        i
    }

    fn render_to_string(&mut self, events: &[Ev<'a>], start: usize, end: usize) -> String {
        let mut out = Vec::new();
        self.render_range(events, start, end, &mut out);
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, out.into_iter());
        html
    }

    fn render_range(
        &mut self,
        events: &[Ev<'a>],
        start: usize,
        end: usize,
        out: &mut Vec<Event<'a>>,
    ) {
        let mut i = start;
        while i < end {
            let Some((event, range)) = events.get(i) else {
                break;
            };
            match event {
                Event::Start(_) => {
                    i = self.render_start(events, i, out);
                    continue;
                }
                Event::End(tag_end) => self.render_end(tag_end, out),
                Event::Html(html) | Event::InlineHtml(html) => {
                    if let Some(marker) = self.pre.marker_in(range) {
                        i = self.render_marker(events, i, marker, out);
                        continue;
                    }
                    let rewritten = self.rewrite_raw_html(html, range.start);
                    out.push(html_event(rewritten));
                }
                Event::Text(text) => {
                    self.words += text.split_whitespace().count();
                    self.push_text(text, range.start, out);
                }
                Event::Code(code) => {
                    self.words += code.split_whitespace().count();
                    out.push(event.clone());
                }
                Event::InlineMath(tex) => out.push(html_event(format!(
                    "<span class=\"math math-inline\">{}</span>",
                    escape_html(tex)
                ))),
                Event::DisplayMath(tex) => out.push(html_event(format!(
                    "<span class=\"math math-display\">{}</span>",
                    escape_html(tex)
                ))),
                Event::FootnoteReference(label) => {
                    let html = self.footnote_reference(label);
                    out.push(html_event(html));
                }
                Event::TaskListMarker(checked) => out.push(html_event(format!(
                    "<input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled{}> ",
                    if *checked { " checked" } else { "" }
                ))),
                Event::SoftBreak | Event::HardBreak | Event::Rule => out.push(event.clone()),
            }
            i += 1;
        }
    }

    /// Renders the construct starting at `i`; returns the index to continue from.
    fn render_start(&mut self, events: &[Ev<'a>], i: usize, out: &mut Vec<Event<'a>>) -> usize {
        let Some((Event::Start(tag), range)) = events.get(i) else {
            return i + 1;
        };
        match tag {
            Tag::Heading { level, .. } => {
                let end = find_end(events, i);
                let level = *level as u8;
                let id = self.heading_ids.get(&i).cloned().unwrap_or_default();
                let text = plain_text(events.get(i + 1..end).unwrap_or_default());
                self.toc.push(TocEntry {
                    level,
                    id: id.clone(),
                    text,
                });
                out.push(html_event(format!(
                    "<h{level} id=\"{}\">",
                    escape_html(&id)
                )));
                self.render_range(events, i + 1, end, out);
                out.push(html_event(format!("</h{level}>\n")));
                end + 1
            }
            Tag::Paragraph => self.render_paragraph(events, i, out),
            Tag::BlockQuote(Some(kind)) if self.callout_depth < MAX_CALLOUT_DEPTH => {
                let end = find_end(events, i);
                out.push(html_event(self.callout_open(alert_kind(*kind), None, None)));
                self.callout_depth += 1;
                self.render_range(events, i + 1, end, out);
                self.callout_depth -= 1;
                out.push(html_event("</div>\n".to_owned()));
                end + 1
            }
            Tag::BlockQuote(None) => match self.render_marked_quote(events, i, out) {
                Some(next) => next,
                None => {
                    out.push(Event::Start(tag.clone()));
                    i + 1
                }
            },
            Tag::CodeBlock(kind) => {
                let end = find_end(events, i);
                let code: String = events
                    .get(i + 1..end)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|(e, _)| match e {
                        Event::Text(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => highlight::language_of(info),
                    CodeBlockKind::Indented => None,
                };
                out.push(Event::Html(
                    highlight::code_block_html(&code, lang.as_deref()).into(),
                ));
                end + 1
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                let end = find_end(events, i);
                let dest = if *link_type == LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                };
                let resolved = self.resolve(&dest, range.start, false);
                out.push(html_event(anchor_open(&resolved, title)));
                self.link_depth += 1;
                self.render_range(events, i + 1, end, out);
                self.link_depth -= 1;
                out.push(html_event("</a>".to_owned()));
                end + 1
            }
            Tag::Image { .. } => {
                let end = find_end(events, i);
                let html = self.image_html(events, i, end);
                out.push(html_event(html));
                end + 1
            }
            Tag::Table(alignments) => {
                self.table = TableState {
                    alignments: alignments.clone(),
                    ..TableState::default()
                };
                out.push(html_event("<table>\n".to_owned()));
                i + 1
            }
            Tag::TableHead => {
                self.table.in_head = true;
                self.table.cell = 0;
                out.push(html_event("<thead><tr>".to_owned()));
                i + 1
            }
            Tag::TableRow => {
                if !self.table.body_open {
                    self.table.body_open = true;
                    out.push(html_event("<tbody>\n".to_owned()));
                }
                self.table.cell = 0;
                out.push(html_event("<tr>".to_owned()));
                i + 1
            }
            Tag::TableCell => {
                let cell = if self.table.in_head { "th" } else { "td" };
                let align = match self.table.alignments.get(self.table.cell) {
                    Some(Alignment::Left) => " align=\"left\"",
                    Some(Alignment::Center) => " align=\"center\"",
                    Some(Alignment::Right) => " align=\"right\"",
                    _ => "",
                };
                out.push(html_event(format!("<{cell}{align}>")));
                i + 1
            }
            Tag::List(None) if self.starts_task_item(events, i + 1) => {
                out.push(html_event("<ul class=\"contains-task-list\">\n".to_owned()));
                i + 1
            }
            Tag::Item if self.starts_task_item(events, i) => {
                out.push(html_event("<li class=\"task-list-item\">".to_owned()));
                i + 1
            }
            Tag::FootnoteDefinition(label) => {
                let end = find_end(events, i);
                let html = self.render_to_string(events, i + 1, end);
                self.footnote_defs.push((label.to_string(), html));
                end + 1
            }
            _ => {
                out.push(Event::Start(tag.clone()));
                i + 1
            }
        }
    }

    fn render_end(&mut self, tag_end: &TagEnd, out: &mut Vec<Event<'a>>) {
        match tag_end {
            TagEnd::Table => {
                let close = if self.table.body_open {
                    "</tbody></table>\n"
                } else {
                    "</table>\n"
                };
                out.push(html_event(close.to_owned()));
            }
            TagEnd::TableHead => {
                self.table.in_head = false;
                out.push(html_event("</tr></thead>\n".to_owned()));
            }
            TagEnd::TableRow => out.push(html_event("</tr>\n".to_owned())),
            TagEnd::TableCell => {
                let cell = if self.table.in_head { "th" } else { "td" };
                self.table.cell += 1;
                out.push(html_event(format!("</{cell}>")));
            }
            other => out.push(Event::End(*other)),
        }
    }

    fn starts_task_item(&self, events: &[Ev<'a>], item: usize) -> bool {
        if !matches!(events.get(item), Some((Event::Start(Tag::Item), _))) {
            return false;
        }
        match events.get(item + 1) {
            Some((Event::TaskListMarker(_), _)) => true,
            Some((Event::Start(Tag::Paragraph), _)) => {
                matches!(events.get(item + 2), Some((Event::TaskListMarker(_), _)))
            }
            _ => false,
        }
    }

    fn render_paragraph(&mut self, events: &[Ev<'a>], i: usize, out: &mut Vec<Event<'a>>) -> usize {
        let end = find_end(events, i);
        let inner = events.get(i + 1..end).unwrap_or_default();
        let is_blank = |e: &Event<'_>| match e {
            Event::Text(t) => t.trim().is_empty(),
            Event::SoftBreak | Event::HardBreak => true,
            _ => false,
        };

        // A paragraph that is only display maths becomes a block.
        let maths: Vec<&str> = inner
            .iter()
            .filter_map(|(e, _)| match e {
                Event::DisplayMath(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        if maths.len() == 1
            && inner
                .iter()
                .all(|(e, _)| matches!(e, Event::DisplayMath(_)) || is_blank(e))
        {
            let tex = maths.first().copied().unwrap_or_default();
            out.push(Event::Html(
                format!(
                    "<div class=\"math math-display\">{}</div>\n",
                    escape_html(tex)
                )
                .into(),
            ));
            return end + 1;
        }

        // A paragraph that is only an image with a caption becomes a figure (as in Pandoc).
        if let Some((Event::Start(Tag::Image { .. }), _)) = inner.first() {
            let img_start = i + 1;
            let img_end = find_end(events, img_start);
            let trailing_blank = events
                .get(img_end + 1..end)
                .unwrap_or_default()
                .iter()
                .all(|(e, _)| is_blank(e));
            let caption = plain_text(events.get(img_start + 1..img_end).unwrap_or_default());
            if trailing_blank && !caption.is_empty() {
                let img = self.image_html(events, img_start, img_end);
                out.push(Event::Html(
                    format!(
                        "<figure>{img}<figcaption>{}</figcaption></figure>\n",
                        escape_html(&caption)
                    )
                    .into(),
                ));
                return end + 1;
            }
        }

        out.push(Event::Start(Tag::Paragraph));
        i + 1
    }

    /// A block quote starting `[!kind] Title` (Obsidian style, or a kind GitHub does not know)
    /// is a callout too. Returns `None` for an ordinary quote.
    fn render_marked_quote(
        &mut self,
        events: &[Ev<'a>],
        i: usize,
        out: &mut Vec<Event<'a>>,
    ) -> Option<usize> {
        if self.callout_depth >= MAX_CALLOUT_DEPTH {
            return None;
        }
        let (Event::Start(Tag::Paragraph), _) = events.get(i + 1)? else {
            return None;
        };
        let (Event::Text(first), _) = events.get(i + 2)? else {
            return None;
        };
        let (kind, rest) = alert_marker(first)?;
        let quote_end = find_end(events, i);
        let para_end = find_end(events, i + 1);
        // The title runs to the end of the first line.
        let mut line_end = i + 3;
        while line_end < para_end {
            match events.get(line_end) {
                Some((Event::SoftBreak | Event::HardBreak, _)) => break,
                Some((Event::Start(_), _)) => line_end = find_end(events, line_end) + 1,
                _ => line_end += 1,
            }
        }
        let line_end = line_end.min(para_end);
        self.callout_depth += 1;
        self.words += rest.split_whitespace().count();
        let mut title = escape_html(rest.trim_start());
        title.push_str(&self.render_to_string(events, i + 3, line_end));
        let title = title.trim().to_owned();
        let title = (!title.is_empty()).then_some(title);
        out.push(html_event(self.callout_open(&kind, None, title)));
        if line_end < para_end {
            out.push(Event::Start(Tag::Paragraph));
            self.render_range(events, line_end + 1, para_end, out);
            out.push(Event::End(TagEnd::Paragraph));
        }
        self.render_range(events, para_end + 1, quote_end, out);
        self.callout_depth -= 1;
        let close = if is_collapsible(&kind) {
            "</details>\n"
        } else {
            "</div>\n"
        };
        out.push(html_event(close.to_owned()));
        Some(quote_end + 1)
    }

    /// The opening HTML of a callout; `title_html` is already-escaped HTML.
    fn callout_open(&self, kind: &str, id: Option<&str>, title_html: Option<String>) -> String {
        let title = title_html.or_else(|| default_title(kind, self.ctx.language).map(escape_html));
        let id_attr = id.map_or_else(String::new, |id| format!(" id=\"{}\"", escape_html(id)));
        if is_collapsible(kind) {
            let summary = title.unwrap_or_else(|| escape_html(kind));
            format!(
                "<details class=\"callout callout-{kind}\"{id_attr}><summary class=\"callout-title\">{summary}</summary>\n"
            )
        } else {
            let title = title.map_or_else(String::new, |t| {
                format!("<p class=\"callout-title\">{t}</p>\n")
            });
            format!("<div class=\"callout callout-{kind}\"{id_attr}>\n{title}")
        }
    }

    fn render_marker(
        &mut self,
        events: &[Ev<'a>],
        i: usize,
        marker: divs::Marker,
        out: &mut Vec<Event<'a>>,
    ) -> usize {
        match marker {
            divs::Marker::Open(idx) => {
                let spec = self.pre.divs.get(idx).cloned();
                let kind = spec.as_ref().and_then(|s| s.kind.clone());
                let id = self.div_ids.get(&idx).cloned();
                let mut next = i + 1;
                let mut title = spec
                    .as_ref()
                    .and_then(|s| s.title.as_deref())
                    .map(escape_html);
                let heading = self.next_significant(events, i + 1);
                if self.title_headings.contains(&heading) {
                    let heading_end = find_end(events, heading);
                    let html = self.render_to_string(events, heading + 1, heading_end);
                    title = Some(html.trim().to_owned());
                    next = heading_end + 1;
                }
                let html = match kind.as_deref() {
                    Some(kind) => self.callout_open(kind, id.as_deref(), title),
                    None => {
                        let id_attr = id
                            .map_or_else(String::new, |id| format!(" id=\"{}\"", escape_html(&id)));
                        let title = title.map_or_else(String::new, |t| {
                            format!("<p class=\"callout-title\">{t}</p>\n")
                        });
                        format!("<div class=\"callout\"{id_attr}>\n{title}")
                    }
                };
                out.push(Event::Html(html.into()));
                next
            }
            divs::Marker::Close(idx) => {
                let collapsible = self
                    .pre
                    .divs
                    .get(idx)
                    .and_then(|s| s.kind.as_deref())
                    .is_some_and(is_collapsible);
                let close = if collapsible {
                    "</details>\n"
                } else {
                    "</div>\n"
                };
                out.push(Event::Html(close.into()));
                i + 1
            }
        }
    }

    /// An `<img>` for the image whose start event is at `i`; the alt text is the image's text
    /// unless a Pandoc `{alt=…}` attribute says otherwise.
    fn image_html(&mut self, events: &[Ev<'a>], i: usize, end: usize) -> String {
        let Some((
            Event::Start(Tag::Image {
                dest_url, title, ..
            }),
            range,
        )) = events.get(i)
        else {
            return String::new();
        };
        let attrs = self.image_attrs.get(&i).cloned().unwrap_or_default();
        let alt = attrs
            .alt
            .clone()
            .unwrap_or_else(|| plain_text(events.get(i + 1..end).unwrap_or_default()));
        let resolved = self.resolve(dest_url, range.start, true);
        let Some(src) = resolved.href else {
            return format!("<span class=\"broken-link\">{}</span>", escape_html(&alt));
        };
        let mut html = format!(
            "<img src=\"{}\" alt=\"{}\"",
            escape_href(&src),
            escape_html(&alt)
        );
        if !title.is_empty() {
            html.push_str(&format!(" title=\"{}\"", escape_html(title)));
        }
        for (name, value) in [("width", &attrs.width), ("height", &attrs.height)] {
            if let Some(v) = value {
                html.push_str(&format!(" {name}=\"{}\"", escape_html(v)));
            }
        }
        html.push('>');
        html
    }

    /// Resolves a link or image destination, records it and reports what is wrong with it.
    fn resolve(&mut self, dest: &str, offset: usize, is_image: bool) -> Resolved {
        let mut resolved = Resolved {
            href: None,
            lesson_id: None,
            quiz_id: None,
        };
        let what = if is_image { "image" } else { "link" };
        let target = match classify(dest, &self.lesson_dir) {
            Destination::Empty => return resolved,
            Destination::External(url) => {
                resolved.href = Some(url.clone());
                LinkTarget::External { url }
            }
            Destination::Site(url) => {
                resolved.href = Some(url.clone());
                LinkTarget::Site { url }
            }
            Destination::Fragment(id) => {
                if !self.ids.contains(&id) && !id.starts_with("fn-") && !id.starts_with("fnref-") {
                    self.problem(
                        ProblemCode::UnknownAnchor,
                        offset,
                        format!("no heading in this lesson has the id '{id}'"),
                    );
                }
                resolved.href = Some(dest.trim().to_owned());
                LinkTarget::Fragment { id }
            }
            Destination::Unsafe(scheme) => {
                self.problem(
                    ProblemCode::UnsafeUrl,
                    offset,
                    format!("{what} '{dest}' uses '{scheme}', which lessons may not use; only http, https, mailto and tel links are allowed"),
                );
                LinkTarget::Broken
            }
            Destination::Escapes(path) => {
                self.problem(
                    ProblemCode::PathEscapesCourse,
                    offset,
                    format!("{what} '{path}' points outside the course folder"),
                );
                LinkTarget::Broken
            }
            Destination::Relative { path, fragment } => {
                self.resolve_relative(path, fragment, offset, is_image, &mut resolved)
            }
        };
        let (line, column) = self.position(offset);
        self.links.push(LessonLink {
            destination: dest.to_owned(),
            is_image,
            target,
            line,
            column,
        });
        resolved
    }

    fn resolve_relative(
        &mut self,
        path: String,
        fragment: Option<String>,
        offset: usize,
        is_image: bool,
        resolved: &mut Resolved,
    ) -> LinkTarget {
        let ctx = self.ctx;
        if let Some(quiz_id) = ctx.quizzes.get(&path) {
            let url = ctx.quiz_url(quiz_id);
            resolved.href = Some(url.clone());
            resolved.quiz_id = Some(quiz_id.clone());
            return LinkTarget::Quiz {
                quiz_id: quiz_id.clone(),
                url,
            };
        }
        if is_markdown_path(&path) && !is_image {
            if let Some(lesson_id) = ctx.lessons.get(&path) {
                let mut url = ctx.lesson_url(lesson_id);
                if let Some(f) = &fragment {
                    url.push('#');
                    url.push_str(f);
                }
                resolved.href = Some(url.clone());
                resolved.lesson_id = Some(lesson_id.clone());
                return LinkTarget::Lesson {
                    lesson_id: lesson_id.clone(),
                    fragment,
                    url,
                };
            }
            self.problem(
                ProblemCode::BrokenLessonLink,
                offset,
                format!("link to '{path}', which is not a lesson of this course"),
            );
            return LinkTarget::Broken;
        }
        if let Some(sha256) = ctx.assets.get(&path) {
            let mut url = ctx.asset_url(sha256);
            if let Some(f) = &fragment {
                url.push('#');
                url.push_str(f);
            }
            resolved.href = Some(url.clone());
            return LinkTarget::Asset {
                path,
                sha256: sha256.clone(),
                url,
            };
        }
        if let Some(refusal) = ctx.refused_assets.get(&path) {
            self.problem(refusal.code, offset, refusal.message.clone());
            return LinkTarget::Broken;
        }
        let what = if is_image { "image" } else { "file" };
        self.problem(
            ProblemCode::MissingAsset,
            offset,
            format!("{what} '{path}' does not exist in the course folder"),
        );
        LinkTarget::Broken
    }

    /// Text, with bare `https://…`, `www.…` and e-mail addresses turned into links (GFM's
    /// autolink extension) outside links.
    fn push_text(&mut self, text: &CowStr<'a>, offset: usize, out: &mut Vec<Event<'a>>) {
        if self.link_depth > 0 {
            out.push(Event::Text(text.clone()));
            return;
        }
        let mut finder = linkify::LinkFinder::new();
        finder.url_must_have_scheme(false);
        let mut last = 0;
        for link in finder.links(text) {
            let found = link.as_str();
            let lower = found.to_ascii_lowercase();
            let href = match link.kind() {
                linkify::LinkKind::Email => format!("mailto:{found}"),
                linkify::LinkKind::Url
                    if lower.starts_with("https://") || lower.starts_with("http://") =>
                {
                    found.to_owned()
                }
                linkify::LinkKind::Url if lower.starts_with("www.") => format!("https://{found}"),
                _ => continue,
            };
            if link.start() > last {
                out.push(Event::Text(
                    text.get(last..link.start())
                        .unwrap_or_default()
                        .to_owned()
                        .into(),
                ));
            }
            let resolved = self.resolve(&href, offset + link.start(), false);
            out.push(html_event(anchor_open(&resolved, "")));
            out.push(Event::Text(found.to_owned().into()));
            out.push(html_event("</a>".to_owned()));
            last = link.end();
        }
        if last == 0 {
            out.push(Event::Text(text.clone()));
        } else if last < text.len() {
            out.push(Event::Text(
                text.get(last..).unwrap_or_default().to_owned().into(),
            ));
        }
    }

    fn footnote_reference(&mut self, label: &str) -> String {
        let next = self.footnote_numbers.len() + 1;
        let number = *self
            .footnote_numbers
            .entry(label.to_owned())
            .or_insert(next);
        let count = self.footnote_refs.entry(label.to_owned()).or_insert(0);
        *count += 1;
        let ref_id = if *count == 1 {
            format!("fnref-{number}")
        } else {
            format!("fnref-{number}-{count}")
        };
        format!(
            "<sup class=\"footnote-ref\"><a href=\"#fn-{number}\" id=\"{ref_id}\">{number}</a></sup>"
        )
    }

    fn append_footnotes(&mut self, html: &mut String) {
        if self.footnote_defs.is_empty() {
            return;
        }
        let mut defs: Vec<(usize, bool, String)> = Vec::new();
        for (label, body) in std::mem::take(&mut self.footnote_defs) {
            let referenced = self.footnote_numbers.contains_key(&label);
            let next = self.footnote_numbers.len() + 1;
            let number = *self.footnote_numbers.entry(label).or_insert(next);
            defs.push((number, referenced, body));
        }
        defs.sort_by_key(|(n, _, _)| *n);
        html.push_str("<section class=\"footnotes\">\n<ol>\n");
        for (number, referenced, body) in defs {
            let back = if referenced {
                format!(" <a href=\"#fnref-{number}\" class=\"footnote-backref\">↩</a>")
            } else {
                String::new()
            };
            html.push_str(&format!(
                "<li id=\"fn-{number}\">\n{}{back}\n</li>\n",
                body.trim_end()
            ));
        }
        html.push_str("</ol>\n</section>\n");
    }

    /// Author-written HTML: relative `img src`/`a href` rewritten like Markdown links, iframes
    /// that are not allowed removed (with their end tags).
    fn rewrite_raw_html(&mut self, html: &str, offset: usize) -> String {
        let tags = rawhtml::scan_tags(html);
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        for tag in &tags {
            match (tag.name.as_str(), tag.closing) {
                ("iframe", false) => {
                    let src = tag
                        .attr("src")
                        .and_then(|a| a.value.clone())
                        .unwrap_or_default();
                    if !sanitize::iframe_src_allowed(&src) {
                        self.problem(
                            ProblemCode::IframeNotAllowed,
                            offset + tag.range.start,
                            format!("iframe '{src}' was removed: only https embeds from YouTube and Vimeo are allowed"),
                        );
                        edits.push((tag.range.clone(), String::new()));
                        self.pending_iframe_closes += 1;
                    } else if tag.attr("loading").is_none() {
                        edits.push((tag.insert_at..tag.insert_at, " loading=\"lazy\"".to_owned()));
                    }
                }
                ("iframe", true) if self.pending_iframe_closes > 0 => {
                    self.pending_iframe_closes -= 1;
                    edits.push((tag.range.clone(), String::new()));
                }
                ("img" | "a", false) => {
                    let attr_name = if tag.name == "img" { "src" } else { "href" };
                    let Some(attr) = tag.attr(attr_name) else {
                        continue;
                    };
                    let Some(value) = attr.value.as_deref() else {
                        continue;
                    };
                    let resolved =
                        self.resolve(value, offset + attr.range.start, tag.name == "img");
                    match &resolved.href {
                        Some(href) if href.as_str() == value.trim() => {}
                        Some(href) => {
                            edits.push((
                                attr.range.clone(),
                                format!("{attr_name}=\"{}\"", escape_href(href)),
                            ));
                        }
                        None => edits.push((attr.range.clone(), String::new())),
                    }
                    let extra = match (&resolved.lesson_id, &resolved.quiz_id) {
                        (Some(id), _) => format!(" data-lesson-id=\"{}\"", escape_html(id)),
                        (_, Some(id)) => format!(" data-quiz-id=\"{}\"", escape_html(id)),
                        _ => String::new(),
                    };
                    if !extra.is_empty() {
                        edits.push((tag.insert_at..tag.insert_at, extra));
                    }
                }
                _ => {}
            }
        }
        if edits.is_empty() {
            return html.to_owned();
        }
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = String::with_capacity(html.len());
        let mut pos = 0;
        for (range, replacement) in edits {
            if range.start < pos {
                continue;
            }
            out.push_str(html.get(pos..range.start).unwrap_or_default());
            out.push_str(&replacement);
            pos = range.end;
        }
        out.push_str(html.get(pos..).unwrap_or_default());
        out
    }
}

fn anchor_open(resolved: &Resolved, title: &str) -> String {
    let mut html = String::from("<a");
    if let Some(href) = &resolved.href {
        html.push_str(&format!(" href=\"{}\"", escape_href(href)));
    } else {
        html.push_str(" class=\"broken-link\"");
    }
    if let Some(id) = &resolved.lesson_id {
        html.push_str(&format!(
            " class=\"lesson-link\" data-lesson-id=\"{}\"",
            escape_html(id)
        ));
    }
    if let Some(id) = &resolved.quiz_id {
        html.push_str(&format!(" data-quiz-id=\"{}\"", escape_html(id)));
    }
    if !title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", escape_html(title)));
    }
    html.push('>');
    html
}
