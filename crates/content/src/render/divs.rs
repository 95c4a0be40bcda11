//! Pandoc/Quarto fenced divs (`::: callout-note`, `::: {.callout-tip}`, `::: challenge`).
//!
//! pulldown-cmark does not know them, so before parsing each fence line is replaced by a
//! one-line HTML block (`<div>`/`</div>` followed by a blank line, so the content between stays
//! Markdown). The renderer recognises those synthetic blocks by their byte offset, not by their
//! text, so an author cannot forge one. Every edit is recorded, so byte offsets in the
//! rewritten text map back to the author's file for line/column reports.

use std::collections::BTreeMap;

use crate::problem::ProblemCode;

/// One fenced div, as opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DivSpec {
    /// The callout kind from the first class (`note` for `callout-note`, `.note` or `callout`).
    pub(crate) kind: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) title: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Open(usize),
    Close(usize),
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    new_start: usize,
    orig_start: usize,
    len: usize,
    synthetic: bool,
}

#[derive(Debug)]
pub(crate) struct Preprocessed {
    pub(crate) text: String,
    segments: Vec<Segment>,
    /// Offset (in `text`) of the `<` of each synthetic tag.
    markers: BTreeMap<usize, Marker>,
    pub(crate) divs: Vec<DivSpec>,
    /// Problems found, at offsets in the original text.
    pub(crate) problems: Vec<(ProblemCode, usize, String)>,
}

impl Preprocessed {
    /// Maps an offset in the rewritten text back to the author's text.
    pub(crate) fn original_offset(&self, new: usize) -> usize {
        let idx = self.segments.partition_point(|s| s.new_start <= new);
        let Some(seg) = idx.checked_sub(1).and_then(|i| self.segments.get(i)) else {
            return 0;
        };
        if seg.synthetic {
            seg.orig_start
        } else {
            seg.orig_start + (new - seg.new_start).min(seg.len)
        }
    }

    /// The synthetic div tag inside `range` of the rewritten text, if any.
    pub(crate) fn marker_in(&self, range: &std::ops::Range<usize>) -> Option<Marker> {
        self.markers.range(range.clone()).next().map(|(_, m)| *m)
    }
}

struct Builder<'a> {
    src: &'a str,
    out: String,
    segments: Vec<Segment>,
    markers: BTreeMap<usize, Marker>,
}

impl Builder<'_> {
    fn copy(&mut self, orig_start: usize, len: usize) {
        if len == 0 {
            return;
        }
        self.segments.push(Segment {
            new_start: self.out.len(),
            orig_start,
            len,
            synthetic: false,
        });
        self.out.push_str(
            self.src
                .get(orig_start..orig_start + len)
                .unwrap_or_default(),
        );
    }

    /// Writes `container` + `tag` + a blank line, all mapped to `orig_at`.
    fn synthetic(
        &mut self,
        orig_at: usize,
        container: &str,
        tag: &str,
        marker: Option<Marker>,
        blank_before: bool,
    ) {
        let new_start = self.out.len();
        let blank = container.trim_end();
        if blank_before {
            self.out.push_str(blank);
            self.out.push('\n');
        }
        self.out.push_str(container);
        if let Some(marker) = marker {
            self.markers.insert(self.out.len(), marker);
        }
        self.out.push_str(tag);
        self.out.push('\n');
        self.out.push_str(blank);
        self.out.push('\n');
        self.segments.push(Segment {
            new_start,
            orig_start: orig_at,
            len: self.out.len() - new_start,
            synthetic: true,
        });
    }
}

struct CodeFence {
    ch: u8,
    len: usize,
}

/// Rewrites fenced divs into synthetic HTML blocks; see the module documentation.
pub(crate) fn preprocess(src: &str) -> Preprocessed {
    let mut b = Builder {
        src,
        out: String::with_capacity(src.len() + 64),
        segments: Vec::new(),
        markers: BTreeMap::new(),
    };
    let mut divs = Vec::new();
    let mut problems = Vec::new();
    let mut open: Vec<(usize, usize)> = Vec::new(); // (div index, original offset)
    let mut fence: Option<CodeFence> = None;
    let mut prev_blank = true;
    let mut offset = 0;

    for line in src.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let (container, rest) = split_container(content);

        if let Some(f) = &fence {
            if closes_code_fence(rest, f) {
                fence = None;
            }
            b.copy(start, line.len());
            prev_blank = false;
            continue;
        }
        if let Some(f) = opens_code_fence(rest) {
            fence = Some(f);
            b.copy(start, line.len());
            prev_blank = false;
            continue;
        }

        match parse_div_fence(rest) {
            None => {
                b.copy(start, line.len());
                prev_blank = rest.trim().is_empty();
            }
            Some(FenceLine::Close) => {
                if let Some((idx, _)) = open.pop() {
                    b.synthetic(
                        start,
                        container,
                        "</div>",
                        Some(Marker::Close(idx)),
                        !prev_blank,
                    );
                } else {
                    problems.push((
                        ProblemCode::UnmatchedDivFence,
                        start,
                        "this ':::' closes no open div; it was ignored".to_owned(),
                    ));
                    // Keep the line count and the block structure: an empty line.
                    b.synthetic(start, container, "", None, false);
                }
                prev_blank = true;
            }
            Some(FenceLine::Open(spec)) => {
                let idx = divs.len();
                divs.push(spec);
                open.push((idx, start));
                b.synthetic(
                    start,
                    container,
                    "<div>",
                    Some(Marker::Open(idx)),
                    !prev_blank,
                );
                prev_blank = true;
            }
        }
    }

    if !open.is_empty() && !b.out.ends_with('\n') {
        b.out.push('\n');
    }
    while let Some((idx, at)) = open.pop() {
        problems.push((
            ProblemCode::UnclosedDiv,
            at,
            "this div is never closed with a ':::' line; it was closed at the end of the lesson"
                .to_owned(),
        ));
        b.synthetic(src.len(), "", "</div>", Some(Marker::Close(idx)), true);
    }

    Preprocessed {
        text: b.out,
        segments: b.segments,
        markers: b.markers,
        divs,
        problems,
    }
}

/// Splits the block-quote markers and indentation a line is nested in from its content.
fn split_container(line: &str) -> (&str, &str) {
    let end = line
        .char_indices()
        .find(|(_, c)| !matches!(c, ' ' | '\t' | '>'))
        .map_or(line.len(), |(i, _)| i);
    line.split_at(end)
}

fn opens_code_fence(rest: &str) -> Option<CodeFence> {
    let ch = *rest.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|b| *b == ch).count();
    if len < 3 {
        return None;
    }
    // A backtick fence's info string may not contain backticks (CommonMark).
    if ch == b'`' && rest.get(len..).is_some_and(|info| info.contains('`')) {
        return None;
    }
    Some(CodeFence { ch, len })
}

fn closes_code_fence(rest: &str, fence: &CodeFence) -> bool {
    let len = rest.bytes().take_while(|b| *b == fence.ch).count();
    len >= fence.len && rest.get(len..).is_some_and(|tail| tail.trim().is_empty())
}

enum FenceLine {
    Open(DivSpec),
    Close,
}

fn parse_div_fence(rest: &str) -> Option<FenceLine> {
    let colons = rest.bytes().take_while(|b| *b == b':').count();
    if colons < 3 {
        return None;
    }
    let attrs = rest.get(colons..)?.trim();
    let attrs = attrs.trim_end_matches(':').trim();
    if attrs.is_empty() {
        return Some(FenceLine::Close);
    }
    Some(FenceLine::Open(parse_attributes(attrs)))
}

/// `{.callout-tip #id title="Judul"}` or `challenge` or `callout-note Some title`.
fn parse_attributes(attrs: &str) -> DivSpec {
    let mut classes = Vec::new();
    let mut id = None;
    let mut title = None;
    if let Some(inner) = attrs.strip_prefix('{') {
        let inner = inner.strip_suffix('}').unwrap_or(inner);
        for token in tokenize(inner) {
            if let Some(class) = token.strip_prefix('.') {
                classes.push(class.to_owned());
            } else if let Some(i) = token.strip_prefix('#') {
                id = Some(i.to_owned());
            } else if let Some((key, value)) = token.split_once('=') {
                if key.eq_ignore_ascii_case("title") {
                    title = Some(unquote(value).to_owned());
                }
            } else {
                classes.push(token);
            }
        }
    } else {
        let (word, tail) = attrs.split_once(char::is_whitespace).unwrap_or((attrs, ""));
        classes.push(word.to_owned());
        let tail = unquote(tail.trim());
        if !tail.is_empty() {
            title = Some(tail.to_owned());
        }
    }
    DivSpec {
        kind: classes.first().and_then(|c| callout_kind(c)),
        id: id
            .map(|i| crate::ids::slugify(&i))
            .filter(|i| !i.is_empty()),
        title,
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Splits on whitespace outside quotes.
fn tokenize(s: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                cur.push(c);
            }
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                cur.push(c);
            }
            None if c.is_whitespace() => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    tokens
}

/// `callout-note`, `note` → `note`; Carpentries' plain `callout` is a note.
pub(crate) fn callout_kind(class: &str) -> Option<String> {
    let class = class.trim_start_matches('.').to_ascii_lowercase();
    let kind = class
        .strip_prefix("callout-")
        .filter(|k| !k.is_empty())
        .unwrap_or(&class);
    let kind = if kind == "callout" { "note" } else { kind };
    let kind: String = kind
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        .collect();
    let kind = kind.trim_matches('-');
    (!kind.is_empty()).then(|| kind.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(p: &Preprocessed) -> Vec<Option<&str>> {
        p.divs.iter().map(|d| d.kind.as_deref()).collect()
    }

    #[test]
    fn fence_spellings() {
        let src = "::: callout-note\na\n:::\n\n::: {.callout-tip title=\"Judul Saya\" #x}\nb\n:::\n\n::: {.note}\nc\n:::\n\n:::::: warning ::::::\nd\n::::::\n\n::: challenge\n::: solution\ne\n:::\n:::\n\n::: callout\nf\n:::\n";
        let p = preprocess(src);
        assert_eq!(
            kinds(&p),
            [
                Some("note"),
                Some("tip"),
                Some("note"),
                Some("warning"),
                Some("challenge"),
                Some("solution"),
                Some("note")
            ]
        );
        assert_eq!(p.divs[1].title.as_deref(), Some("Judul Saya"));
        assert_eq!(p.divs[1].id.as_deref(), Some("x"));
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert!(!p.text.contains(":::"), "{}", p.text);
    }

    #[test]
    fn code_fences_are_left_alone() {
        let src = "```\n::: not-a-div\n```\n\n~~~~\n:::\n~~~~\n";
        let p = preprocess(src);
        assert_eq!(p.text, src);
        assert!(p.divs.is_empty());
        assert!(p.problems.is_empty());
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let src = "intro\n::: note\nbody text\n:::\nafter\n";
        let p = preprocess(src);
        let body_new = p.text.find("body text").unwrap_or(0);
        assert_eq!(
            p.original_offset(body_new),
            src.find("body text").unwrap_or(1)
        );
        let after_new = p.text.find("after").unwrap_or(0);
        assert_eq!(p.original_offset(after_new), src.find("after").unwrap_or(1));
        // Anything inside the synthetic block maps to the fence line.
        let div_new = p.text.find("<div>").unwrap_or(0);
        assert_eq!(
            p.original_offset(div_new),
            src.find("::: note").unwrap_or(1)
        );
        assert_eq!(p.marker_in(&(div_new..div_new + 5)), Some(Marker::Open(0)));
    }

    #[test]
    fn unclosed_and_stray_fences_are_reported() {
        let src = "a\n:::\nb\n\n::: note\nc\n";
        let p = preprocess(src);
        let codes: Vec<_> = p.problems.iter().map(|(c, o, _)| (*c, *o)).collect();
        assert_eq!(
            codes,
            [
                (ProblemCode::UnmatchedDivFence, 2),
                (ProblemCode::UnclosedDiv, 9)
            ]
        );
        assert!(!p.text.contains(":::"));
        assert!(p.text.trim_end().ends_with("</div>"), "{}", p.text);
    }

    #[test]
    fn fences_inside_block_quotes_keep_their_container() {
        let p = preprocess("> ::: tip\n> inside\n> :::\n");
        assert!(p.text.starts_with("> <div>\n>\n"), "{:?}", p.text);
        assert_eq!(kinds(&p), [Some("tip")]);
    }
}
