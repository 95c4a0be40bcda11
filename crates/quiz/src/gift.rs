//! Moodle's GIFT format.
//!
//! Follows Moodle's own importer (`question/format/gift/format.php`) so that files that import
//! there import here the same way, with these differences, all reported as problems rather
//! than silently:
//! - a question Moodle would reject is an error with a line and column, and the rest of the
//!   file is still read;
//! - weights must be numbers between −100 and 100 (Moodle silently reads `%abc%` as 0);
//! - `=%50%answer` in a multiple-choice question gives 50 % (Moodle ignores the weight);
//! - a `[format]` on an answer or feedback is removed (a question has one text format);
//! - `[id:…]` and `[tag:…]`, written by recent Moodle versions at the start of the question
//!   or in a `//` comment line just before it, set the question's id and tags.
//!
//! Question text without `[format]` is Moodle's auto-format ([`TextFormat::Moodle`]), as in
//! Moodle: plain text whose line breaks are kept.

use crate::model::{
    BLANK_MARKER, Choice, NumericAnswer, NumericValue, Question, QuestionKind, TextAnswer,
    TextFormat, build_matching, unique_option_id,
};
use crate::problem::{IdAllocator, ParseOutput, Problem, ProblemCode, title_from_text};

/// Parses a GIFT file. Never panics; see [`ParseOutput`].
pub fn parse_gift(source: &str) -> ParseOutput {
    let mut parser = Parser {
        out: ParseOutput::default(),
        ids: IdAllocator::new(),
        category: None,
    };
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut block: Vec<(u32, &str)> = Vec::new();
    let mut meta = Meta::default();
    for (i, raw) in source.split('\n').enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if !block.is_empty() {
                parser.block(&block, std::mem::take(&mut meta));
                block.clear();
            }
        } else if line.trim_start().starts_with("//") {
            // Comments may carry Moodle's `[id:…]` and `[tag:…]` for the next question.
            meta.read_markers(line);
        } else {
            block.push((line_no, line));
        }
    }
    if !block.is_empty() {
        parser.block(&block, meta);
    }
    parser.out
}

/// One character of the source, remembering whether it was escaped and where it was.
#[derive(Debug, Clone, Copy)]
struct Ch {
    c: char,
    esc: bool,
    line: u32,
    col: u32,
}

#[derive(Debug, Default)]
struct Meta {
    id: Option<String>,
    tags: Vec<String>,
}

impl Meta {
    fn read_markers(&mut self, text: &str) {
        let mut rest = text;
        while let Some(start) = rest.find('[') {
            let after = &rest[start + 1..];
            let Some(end) = after.find(']') else { break };
            let inner = after[..end].trim();
            if let Some(id) = inner.strip_prefix("id:") {
                self.id = Some(id.trim().to_string());
            } else if let Some(tag) = inner.strip_prefix("tag:") {
                let tag = tag.trim();
                if !tag.is_empty() && !self.tags.iter().any(|t| t == tag) {
                    self.tags.push(tag.to_string());
                }
            }
            rest = &after[end + 1..];
        }
    }
}

struct Parser {
    out: ParseOutput,
    ids: IdAllocator,
    category: Option<String>,
}

/// A question-level failure: reported, and the question is skipped.
type Skip = ();

impl Parser {
    fn error(&mut self, at: Pos, code: ProblemCode, message: impl Into<String>) {
        self.out
            .problems
            .push(Problem::error(at.0, at.1, code, message));
    }

    fn warn(&mut self, at: Pos, code: ProblemCode, message: impl Into<String>) {
        self.out
            .problems
            .push(Problem::warning(at.0, at.1, code, message));
    }

    fn block(&mut self, lines: &[(u32, &str)], meta: Meta) {
        let chars = unescape(lines);
        let s = trim(&chars);
        if s.is_empty() {
            return;
        }
        let start = pos(s, (lines[0].0, 1));
        if starts_with_ci(s, "$CATEGORY:") {
            let (first, rest) = split_line(&s[10..]);
            let path = text(trim(first));
            self.category = Some(clean_category(&path)).filter(|c| !c.is_empty());
            if !trim(rest).is_empty() {
                self.question(trim(rest), meta);
            }
            return;
        }
        if s[0].c == '$' && !s[0].esc {
            let word: String = s
                .iter()
                .skip(1)
                .take_while(|c| c.c.is_ascii_alphabetic())
                .map(|c| c.c)
                .collect();
            if !word.is_empty() && s.get(word.len() + 1).is_some_and(|c| c.c == ':') {
                self.warn(
                    start,
                    ProblemCode::UnknownConstruct,
                    format!("`${word}:` is not a GIFT command (only `$CATEGORY:` is); this block was skipped"),
                );
                return;
            }
        }
        self.question(s, meta);
    }

    fn question(&mut self, s: &[Ch], mut meta: Meta) {
        let start = pos(s, (1, 1));
        let _ = self.try_question(s, &mut meta, start);
    }

    fn try_question(&mut self, s: &[Ch], meta: &mut Meta, start: Pos) -> Result<(), Skip> {
        let mut rest = s;
        let mut title = None;
        if starts_with(rest, "::") {
            match find(&rest[2..], "::") {
                Some(end) => {
                    title = Some(text(trim(&rest[2..2 + end]))).filter(|t| !t.is_empty());
                    rest = trim(&rest[2 + end + 2..]);
                }
                None => {
                    self.warn(
                        start,
                        ProblemCode::UnterminatedTitle,
                        "the title has no closing `::`; it is read as question text",
                    );
                    rest = trim(&rest[2..]);
                }
            }
        }

        // `[format]`, `[id:…]` and `[tag:…]` before the text, in any order.
        let mut format = TextFormat::Moodle;
        while rest.first().is_some_and(|c| c.c == '[' && !c.esc) {
            let Some(end) = rest
                .iter()
                .position(|c| (c.c == ']' && !c.esc) || c.c == '\n')
            else {
                break;
            };
            if rest[end].c != ']' {
                break;
            }
            let inner = text(&rest[1..end]);
            let lower = inner.trim().to_ascii_lowercase();
            if let Some(f) = format_named(&lower) {
                format = f;
            } else if lower.starts_with("id:") || lower.starts_with("tag:") {
                meta.read_markers(&format!("[{inner}]"));
            } else {
                if !lower.is_empty()
                    && lower.len() <= 12
                    && lower.chars().all(|c| c.is_ascii_lowercase())
                {
                    self.warn(
                        pos(rest, start),
                        ProblemCode::UnknownFormat,
                        format!("`[{inner}]` is not a text format (html, markdown, plain, moodle); kept as text"),
                    );
                }
                break;
            }
            rest = trim(&rest[end + 1..]);
        }

        // Find the one answer block.
        let mut open: Option<usize> = None;
        let mut blocks: Vec<(usize, usize)> = Vec::new();
        for (i, ch) in rest.iter().enumerate() {
            if ch.esc {
                continue;
            }
            match ch.c {
                '{' => {
                    if open.is_some() {
                        self.error(
                            (ch.line, ch.col),
                            ProblemCode::NestedBrace,
                            "`{` inside an answer block; write `\\{` for a literal brace",
                        );
                        return Err(());
                    }
                    open = Some(i);
                }
                '}' => match open.take() {
                    Some(o) => blocks.push((o, i)),
                    None => {
                        self.error(
                            (ch.line, ch.col),
                            ProblemCode::UnmatchedBrace,
                            "`}` without an opening `{`; write `\\}` for a literal brace",
                        );
                        return Err(());
                    }
                },
                _ => {}
            }
        }
        if let Some(o) = open {
            self.error(
                (rest[o].line, rest[o].col),
                ProblemCode::UnclosedBrace,
                "the answer block opened here is never closed with `}` (questions end at a blank line)",
            );
            return Err(());
        }
        if blocks.len() > 1 {
            let second = rest[blocks[1].0];
            self.error(
                (second.line, second.col),
                ProblemCode::MultipleAnswerBlocks,
                "a GIFT question has one answer block; split this into several questions",
            );
            return Err(());
        }

        let (question_text, answer) = match blocks.first() {
            None => (text(rest).trim().to_string(), None),
            Some(&(o, c)) => {
                let before = text(&rest[..o]);
                let after = &rest[c + 1..];
                let t = if trim(after).is_empty() {
                    before.trim().to_string()
                } else {
                    format!("{before}{BLANK_MARKER}{}", text(after))
                        .trim()
                        .to_string()
                };
                (t, Some((&rest[o + 1..c], (rest[o].line, rest[o].col))))
            }
        };
        if question_text.is_empty() || (answer.is_some() && question_text == BLANK_MARKER) {
            self.error(
                start,
                ProblemCode::EmptyQuestion,
                "the question has no text",
            );
            return Err(());
        }

        let mut general_feedback = None;
        let kind = match answer {
            None => QuestionKind::Description,
            Some((body, brace_at)) => {
                let mut body = trim(body);
                if let Some(gf) = rfind(body, "####") {
                    general_feedback =
                        Some(self.clean(&body[gf + 4..], format)).filter(|f| !f.is_empty());
                    body = trim(&body[..gf]);
                }
                self.answers(body, brace_at, format)?
            }
        };

        let title_text = title
            .clone()
            .unwrap_or_else(|| title_from_text(&question_text.replace(BLANK_MARKER, "…")));
        let id = self.ids.allocate(
            meta.id.as_deref(),
            title.as_deref(),
            start.0,
            &mut self.out.problems,
        );
        let default_points = if matches!(kind, QuestionKind::Description) {
            0.0
        } else {
            1.0
        };
        self.out.questions.push(Question {
            id,
            title: title_text,
            text: question_text,
            text_format: format,
            default_points,
            category: self.category.clone(),
            tags: std::mem::take(&mut meta.tags),
            general_feedback,
            kind,
            source_line: Some(start.0),
        });
        Ok(())
    }

    /// Reads the inside of `{…}` (general feedback already removed).
    fn answers(
        &mut self,
        body: &[Ch],
        brace_at: Pos,
        format: TextFormat,
    ) -> Result<QuestionKind, Skip> {
        if body.is_empty() {
            return Ok(QuestionKind::Essay {
                response_template: None,
                grader_info: None,
            });
        }
        if body[0].c == '#' && !body[0].esc {
            return self.numeric(&body[1..], brace_at, format);
        }
        if has(body, '~') {
            return self.multichoice(body, format);
        }
        if has(body, '=') && find(body, "->").is_some() {
            return self.matching(body, format);
        }
        let head = match body.iter().position(|c| c.c == '#' && !c.esc) {
            Some(h) => trim(&body[..h]),
            None => body,
        };
        let head_text = text(head).to_ascii_uppercase();
        if matches!(head_text.as_str(), "T" | "TRUE" | "F" | "FALSE") {
            return Ok(self.true_false(body, head_text.starts_with('T'), format));
        }
        self.short_answer(body, brace_at, format)
    }

    fn multichoice(&mut self, body: &[Ch], format: TextFormat) -> Result<QuestionKind, Skip> {
        let segments = self.segments(body, &['~', '='], "answer");
        let single = segments.iter().any(|s| s.marker == '=');
        let mut choices: Vec<Choice> = Vec::new();
        for seg in &segments {
            let (weight, rest) = self.weight(seg.body, seg.at)?;
            let weight = weight.unwrap_or(if seg.marker == '=' { 1.0 } else { 0.0 });
            let (answer, feedback) = self.answer_and_feedback(rest, format);
            if answer.is_empty() {
                self.error(
                    seg.at,
                    ProblemCode::MissingAnswer,
                    format!("empty answer after `{}`", seg.marker),
                );
                return Err(());
            }
            if choices.iter().any(|c| c.text == answer) {
                self.warn(
                    seg.at,
                    ProblemCode::DuplicateOption,
                    format!("option `{answer}` appears twice"),
                );
            }
            let id = unique_option_id(&answer, choices.iter().map(|c| &c.id));
            choices.push(Choice {
                id,
                text: answer,
                weight,
                feedback,
            });
        }
        let at = pos(body, (1, 1));
        if choices.len() < 2 {
            self.error(
                at,
                ProblemCode::TooFewOptions,
                "a multiple-choice question needs at least two answers",
            );
            return Err(());
        }
        let best = choices
            .iter()
            .map(|c| c.weight)
            .fold(f64::NEG_INFINITY, f64::max);
        if best <= 0.0 {
            self.error(
                at,
                ProblemCode::NoCorrectAnswer,
                "no answer earns credit: mark the right one with `=` or give weights like `~%50%`",
            );
            return Err(());
        }
        if single {
            if best < 1.0 {
                self.warn(
                    at,
                    ProblemCode::WeightsDoNotAddUp,
                    "no answer gives full marks (100 %)",
                );
            }
            Ok(QuestionKind::SingleChoice {
                choices,
                shuffle: true,
            })
        } else {
            let positive: f64 = choices.iter().map(|c| c.weight.max(0.0)).sum();
            if (positive - 1.0).abs() > 1e-3 {
                self.warn(
                    at,
                    ProblemCode::WeightsDoNotAddUp,
                    format!(
                        "the positive weights add up to {:.4}%, not 100%: {}",
                        positive * 100.0,
                        if positive < 1.0 {
                            "full marks are impossible"
                        } else {
                            "scores are capped at 100%"
                        }
                    ),
                );
            }
            Ok(QuestionKind::MultipleResponse {
                choices,
                shuffle: true,
            })
        }
    }

    fn matching(&mut self, body: &[Ch], format: TextFormat) -> Result<QuestionKind, Skip> {
        let segments = self.segments(body, &['='], "pair");
        let mut entries: Vec<(String, String)> = Vec::new();
        for seg in &segments {
            let (weight, rest) = self.weight(seg.body, seg.at)?;
            if weight.is_some() {
                self.warn(
                    seg.at,
                    ProblemCode::UnsupportedFeature,
                    "matching pairs cannot have weights; ignored",
                );
            }
            let rest = match rest.iter().position(|c| c.c == '#' && !c.esc) {
                Some(h) => {
                    self.warn(
                        pos(&rest[h..], seg.at),
                        ProblemCode::UnsupportedFeature,
                        "matching pairs cannot have feedback; ignored (use `####` for general feedback)",
                    );
                    &rest[..h]
                }
                None => rest,
            };
            let Some(arrow) = find(rest, "->") else {
                self.error(
                    seg.at,
                    ProblemCode::BadMatchingPair,
                    "a matching pair is written `=prompt -> answer`",
                );
                return Err(());
            };
            let prompt = self.clean(&rest[..arrow], format);
            let answer = self.clean(&rest[arrow + 2..], format);
            if answer.is_empty() {
                self.error(
                    seg.at,
                    ProblemCode::BadMatchingPair,
                    "the answer after `->` is empty",
                );
                return Err(());
            }
            entries.push((prompt, answer));
        }
        let (pairs, choices) = build_matching(&entries);
        if pairs.len() < 2 {
            self.error(
                pos(body, (1, 1)),
                ProblemCode::TooFewOptions,
                "a matching question needs at least two pairs with a prompt",
            );
            return Err(());
        }
        Ok(QuestionKind::Matching {
            pairs,
            choices,
            shuffle: true,
        })
    }

    fn true_false(&mut self, body: &[Ch], correct: bool, format: TextFormat) -> QuestionKind {
        let parts = split_n(body, '#', 3);
        let wrong = parts
            .get(1)
            .map(|p| self.clean(p, format))
            .filter(|s| !s.is_empty());
        let right = parts
            .get(2)
            .map(|p| self.clean(p, format))
            .filter(|s| !s.is_empty());
        let (feedback_true, feedback_false) = if correct {
            (right, wrong)
        } else {
            (wrong, right)
        };
        QuestionKind::TrueFalse {
            correct,
            feedback_true,
            feedback_false,
        }
    }

    fn short_answer(
        &mut self,
        body: &[Ch],
        brace_at: Pos,
        format: TextFormat,
    ) -> Result<QuestionKind, Skip> {
        if !has(body, '=') {
            self.error(
                brace_at,
                ProblemCode::MissingAnswer,
                format!(
                    "`{{{}}}` has no answer: write `{{=answer}}` (short answer), `{{=right ~wrong}}` (choice), `{{T}}`/`{{F}}` or `{{#number}}`",
                    text(body)
                ),
            );
            return Err(());
        }
        let segments = self.segments(body, &['='], "answer");
        let mut answers: Vec<TextAnswer> = Vec::new();
        for seg in &segments {
            let (weight, rest) = self.weight(seg.body, seg.at)?;
            let (answer, feedback) = self.answer_and_feedback(rest, format);
            if answer.is_empty() {
                self.error(seg.at, ProblemCode::MissingAnswer, "empty answer after `=`");
                return Err(());
            }
            answers.push(TextAnswer {
                text: answer,
                weight: weight.unwrap_or(1.0),
                feedback,
            });
        }
        if !answers.iter().any(|a| a.weight > 0.0) {
            self.error(
                brace_at,
                ProblemCode::NoCorrectAnswer,
                "no accepted answer earns credit",
            );
            return Err(());
        }
        Ok(QuestionKind::ShortAnswer {
            answers,
            case_sensitive: false,
            normalise_whitespace: true,
        })
    }

    fn numeric(
        &mut self,
        body: &[Ch],
        brace_at: Pos,
        format: TextFormat,
    ) -> Result<QuestionKind, Skip> {
        let mut body = trim(body);
        // `~…#feedback` at the end: feedback for any other number.
        let mut other_feedback = None;
        if let Some(t) = body.iter().position(|c| c.c == '~' && !c.esc) {
            let tail = &body[t + 1..];
            let (_, tail) = self.weight(tail, pos(tail, brace_at))?;
            match tail.iter().position(|c| c.c == '#' && !c.esc) {
                Some(h) => {
                    let before = text(trim(&tail[..h]));
                    if !before.is_empty() && before != "*" {
                        self.warn(pos(tail, brace_at), ProblemCode::IgnoredText, format!("`{before}` after `~` is ignored"));
                    }
                    other_feedback = Some(self.clean(&tail[h + 1..], format)).filter(|f| !f.is_empty());
                }
                None => self.warn(
                    pos(tail, brace_at),
                    ProblemCode::IgnoredText,
                    "`~` in a numeric question introduces feedback for other answers: write `~#feedback`",
                ),
            }
            body = trim(&body[..t]);
        }
        let pieces: Vec<(&[Ch], Pos)> = if has(body, '=') {
            let mut out = Vec::new();
            let first = body.iter().position(|c| c.c == '=' && !c.esc).unwrap_or(0);
            if !trim(&body[..first]).is_empty() {
                out.push((trim(&body[..first]), pos(body, brace_at)));
            }
            out.extend(
                self.segments(&body[first..], &['='], "answer")
                    .into_iter()
                    .map(|s| (s.body, s.at)),
            );
            out
        } else if body.is_empty() {
            Vec::new()
        } else {
            vec![(body, pos(body, brace_at))]
        };
        if pieces.is_empty() {
            self.error(
                brace_at,
                ProblemCode::MissingAnswer,
                "a numeric question needs a number, e.g. `{#5:0.5}` or `{#1..5}`",
            );
            return Err(());
        }
        let mut answers = Vec::new();
        for (piece, at) in pieces {
            let (weight, rest) = self.weight(piece, at)?;
            let (value_text, feedback) = self.answer_and_feedback(rest, format);
            let value = match parse_numeric_answer(&value_text) {
                Ok(v) => v,
                Err(why) => {
                    self.error(
                        at,
                        ProblemCode::BadNumeric,
                        format!("`{value_text}` is not a numeric answer: {why}"),
                    );
                    return Err(());
                }
            };
            answers.push(NumericAnswer {
                value,
                weight: weight.unwrap_or(1.0),
                feedback,
            });
        }
        if !answers.iter().any(|a| a.weight > 0.0) {
            self.error(
                brace_at,
                ProblemCode::NoCorrectAnswer,
                "no numeric answer earns credit",
            );
            return Err(());
        }
        Ok(QuestionKind::Numeric {
            answers,
            other_feedback,
        })
    }

    /// Splits at unescaped marker characters; text before the first marker is reported.
    fn segments<'a>(&mut self, body: &'a [Ch], markers: &[char], what: &str) -> Vec<Segment<'a>> {
        let starts: Vec<usize> = body
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.esc && markers.contains(&c.c))
            .map(|(i, _)| i)
            .collect();
        let lead_end = starts.first().copied().unwrap_or(body.len());
        let lead = trim(&body[..lead_end]);
        if !lead.is_empty() {
            self.warn(
                pos(lead, (1, 1)),
                ProblemCode::IgnoredText,
                format!("`{}` before the first {what} is ignored", text(lead)),
            );
        }
        starts
            .iter()
            .enumerate()
            .map(|(k, &s)| {
                let end = starts.get(k + 1).copied().unwrap_or(body.len());
                Segment {
                    marker: body[s].c,
                    at: (body[s].line, body[s].col),
                    body: trim(&body[s + 1..end]),
                }
            })
            .collect()
    }

    /// Reads an optional `%weight%` prefix (percent, −100..100) and returns it as a fraction.
    fn weight<'a>(&mut self, body: &'a [Ch], at: Pos) -> Result<(Option<f64>, &'a [Ch]), Skip> {
        let body = trim(body);
        if !body.first().is_some_and(|c| c.c == '%' && !c.esc) {
            return Ok((None, body));
        }
        let Some(close) = body[1..].iter().position(|c| c.c == '%' && !c.esc) else {
            self.error(
                at,
                ProblemCode::BadWeight,
                "the weight has no closing `%` (write `%50%`)",
            );
            return Err(());
        };
        let raw = text(&body[1..1 + close]);
        match raw.trim().parse::<f64>() {
            Ok(w) if w.is_finite() && (-100.0..=100.0).contains(&w) => {
                Ok((Some(w / 100.0), trim(&body[close + 2..])))
            }
            _ => {
                self.error(
                    at,
                    ProblemCode::BadWeight,
                    format!("`%{raw}%` is not a weight between -100 and 100"),
                );
                Err(())
            }
        }
    }

    fn answer_and_feedback(&mut self, body: &[Ch], format: TextFormat) -> (String, Option<String>) {
        match body.iter().position(|c| c.c == '#' && !c.esc) {
            Some(h) => {
                let feedback = self.clean(&body[h + 1..], format);
                (
                    self.clean(&body[..h], format),
                    Some(feedback).filter(|f| !f.is_empty()),
                )
            }
            None => (self.clean(body, format), None),
        }
    }

    /// Text of a part, trimmed, without a `[format]` prefix (warned about when it differs).
    fn clean(&mut self, part: &[Ch], format: TextFormat) -> String {
        let part = trim(part);
        let t = text(part);
        if let Some(rest) = t.strip_prefix('[')
            && let Some(end) = rest.find(']')
            && let Some(f) = format_named(&rest[..end].to_ascii_lowercase())
        {
            if f != format {
                self.warn(
                    pos(part, (1, 1)),
                    ProblemCode::UnsupportedFeature,
                    format!(
                        "`[{}]` on an answer is ignored: a question has one text format",
                        &rest[..end]
                    ),
                );
            }
            return rest[end + 1..].trim().to_string();
        }
        t.trim().to_string()
    }
}

struct Segment<'a> {
    marker: char,
    at: Pos,
    body: &'a [Ch],
}

type Pos = (u32, u32);

fn format_named(name: &str) -> Option<TextFormat> {
    match name {
        "html" => Some(TextFormat::Html),
        "markdown" => Some(TextFormat::Markdown),
        "plain" => Some(TextFormat::Plain),
        "moodle" => Some(TextFormat::Moodle),
        _ => None,
    }
}

/// Reads `5`, `5:0.5` (value and tolerance) or `1..5` (range).
fn parse_numeric_answer(s: &str) -> Result<NumericValue, &'static str> {
    let s = s.trim();
    if let Some(i) = s.find("..").filter(|&i| i > 0) {
        let min = number(&s[..i])?;
        let max = number(&s[i + 2..])?;
        let (min, max) = if min <= max { (min, max) } else { (max, min) };
        return Ok(NumericValue::Range { min, max });
    }
    if let Some(i) = s.find(':').filter(|&i| i > 0) {
        let value = number(&s[..i])?;
        let tolerance = number(&s[i + 1..])?;
        if tolerance < 0.0 {
            return Err("the tolerance after `:` cannot be negative");
        }
        return Ok(NumericValue::Exact { value, tolerance });
    }
    Ok(NumericValue::Exact {
        value: number(s)?,
        tolerance: 0.0,
    })
}

fn number(s: &str) -> Result<f64, &'static str> {
    let s = s.trim();
    if s.is_empty() {
        return Err("a number is missing");
    }
    if s.contains(',') {
        return Err("use a dot as the decimal separator (3.5, not 3,5)");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return Err("write numbers like 5, -2.5 or 1e3, ranges like 1..5, tolerances like 5:0.5");
    }
    s.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or("not a finite number")
}

/// Strips Moodle's context prefix (`$course$/`, `$system$/`…) and its `top/` from a category.
fn clean_category(path: &str) -> String {
    let mut p = path.trim();
    if p.starts_with('$')
        && let Some(end) = p[1..].find('$')
    {
        p = p[end + 2..].trim_start_matches('/');
    }
    let p = p
        .strip_prefix("top/")
        .unwrap_or(if p == "top" { "" } else { p });
    p.split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// Turns lines into characters, resolving GIFT escapes: `\~ \= \# \{ \} \:` and `\\` stand for
/// the character itself, `\n` for a line break; any other backslash stays (Markdown uses it).
fn unescape(lines: &[(u32, &str)]) -> Vec<Ch> {
    let mut out = Vec::new();
    for (k, (line, text)) in lines.iter().enumerate() {
        if k > 0 {
            let prev = lines[k - 1];
            let col = u32::try_from(prev.1.chars().count() + 1).unwrap_or(u32::MAX);
            out.push(Ch {
                c: '\n',
                esc: false,
                line: prev.0,
                col,
            });
        }
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let col = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let c = chars[i];
            if c == '\\'
                && let Some(&next) = chars.get(i + 1)
            {
                let escaped = match next {
                    '~' | '=' | '#' | '{' | '}' | ':' | '\\' => Some(next),
                    'n' => Some('\n'),
                    _ => None,
                };
                if let Some(e) = escaped {
                    out.push(Ch {
                        c: e,
                        esc: true,
                        line: *line,
                        col,
                    });
                    i += 2;
                    continue;
                }
            }
            out.push(Ch {
                c,
                esc: false,
                line: *line,
                col,
            });
            i += 1;
        }
    }
    out
}

fn text(s: &[Ch]) -> String {
    s.iter().map(|c| c.c).collect()
}

fn trim(s: &[Ch]) -> &[Ch] {
    let start = s
        .iter()
        .position(|c| !c.c.is_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|c| !c.c.is_whitespace())
        .map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

fn pos(s: &[Ch], fallback: Pos) -> Pos {
    s.first().map_or(fallback, |c| (c.line, c.col))
}

fn has(s: &[Ch], c: char) -> bool {
    s.iter().any(|x| x.c == c && !x.esc)
}

fn matches_at(s: &[Ch], at: usize, pat: &[char]) -> bool {
    s.len() >= at + pat.len()
        && s[at..at + pat.len()]
            .iter()
            .zip(pat)
            .all(|(x, p)| x.c == *p && !x.esc)
}

fn find(s: &[Ch], pat: &str) -> Option<usize> {
    let pat: Vec<char> = pat.chars().collect();
    (0..s.len()).find(|&i| matches_at(s, i, &pat))
}

fn rfind(s: &[Ch], pat: &str) -> Option<usize> {
    let pat: Vec<char> = pat.chars().collect();
    (0..s.len()).rev().find(|&i| matches_at(s, i, &pat))
}

fn starts_with(s: &[Ch], pat: &str) -> bool {
    let pat: Vec<char> = pat.chars().collect();
    matches_at(s, 0, &pat)
}

fn starts_with_ci(s: &[Ch], pat: &str) -> bool {
    let pat: Vec<char> = pat.chars().collect();
    s.len() >= pat.len()
        && s.iter()
            .zip(&pat)
            .all(|(x, p)| !x.esc && x.c.eq_ignore_ascii_case(p))
}

fn split_line(s: &[Ch]) -> (&[Ch], &[Ch]) {
    match s.iter().position(|c| c.c == '\n' && !c.esc) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, &[]),
    }
}

/// Splits at unescaped `sep` into at most `n` parts (the last keeps the rest).
fn split_n(s: &[Ch], sep: char, n: usize) -> Vec<&[Ch]> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in s.iter().enumerate() {
        if parts.len() + 1 == n {
            break;
        }
        if c.c == sep && !c.esc {
            parts.push(&s[start..i]);
            start = i + 1;
        }
    }
    parts.push(&s[start..]);
    parts
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_positions() {
        let chars = unescape(&[(3, r"a\{b\n\x")]);
        assert_eq!(text(&chars), "a{b\n\\x");
        assert!(chars[1].esc && chars[3].esc && !chars[4].esc);
        assert_eq!((chars[4].line, chars[4].col, chars[5].col), (3, 7, 8));
    }

    #[test]
    fn numeric_answers() {
        assert_eq!(
            parse_numeric_answer("5"),
            Ok(NumericValue::Exact {
                value: 5.0,
                tolerance: 0.0
            })
        );
        assert_eq!(
            parse_numeric_answer("5:0.5"),
            Ok(NumericValue::Exact {
                value: 5.0,
                tolerance: 0.5
            })
        );
        assert_eq!(
            parse_numeric_answer("-5..-1"),
            Ok(NumericValue::Range {
                min: -5.0,
                max: -1.0
            })
        );
        assert_eq!(
            parse_numeric_answer("1.5..2.5"),
            Ok(NumericValue::Range { min: 1.5, max: 2.5 })
        );
        assert_eq!(
            parse_numeric_answer("5..1"),
            Ok(NumericValue::Range { min: 1.0, max: 5.0 })
        );
        assert!(parse_numeric_answer("abc").is_err());
        assert!(parse_numeric_answer("3,5").is_err());
        assert!(parse_numeric_answer("1..").is_err());
        assert!(parse_numeric_answer("5:-1").is_err());
        assert!(parse_numeric_answer("inf").is_err());
    }

    #[test]
    fn categories_lose_moodle_context_prefixes() {
        assert_eq!(
            clean_category("$course$/top/Keuangan/Anggaran"),
            "Keuangan/Anggaran"
        );
        assert_eq!(clean_category("$system$/Umum"), "Umum");
        assert_eq!(clean_category(" tom / dick /harry "), "tom/dick/harry");
        assert_eq!(clean_category("top"), "");
    }
}
