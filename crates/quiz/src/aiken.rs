//! The Aiken format: the simplest multiple-choice format Moodle imports.
//!
//! ```text
//! Apa ibu kota Indonesia?
//! A. Bandung
//! B) Jakarta
//! C. Surabaya
//! ANSWER: B
//! ```
//!
//! The question text may span several lines (Moodle wants one). `ANSWER: A, C` (several letters)
//! is accepted as an extension and makes a multiple-response question, with a warning.
//! Questions are worth one point.

use crate::ids::OptionId;
use crate::model::{Choice, Question, QuestionKind, TextFormat, unique_option_id};
use crate::problem::{IdAllocator, ParseOutput, Problem, ProblemCode, title_from_text};

/// Parses an Aiken file. Never panics.
pub fn parse_aiken(source: &str) -> ParseOutput {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut state = State {
        out: ParseOutput::default(),
        ids: IdAllocator::new(),
        current: None,
    };
    let mut after_blank = false;
    for (i, raw) in source.split('\n').enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim();
        if trimmed.is_empty() {
            after_blank = true;
            continue;
        }
        if let Some(answer) = answer_line(trimmed) {
            state.answer(n, answer);
        } else if let Some((letter, text)) = option_line(trimmed) {
            state.option(n, letter, text);
        } else {
            state.text(n, trimmed, after_blank);
        }
        after_blank = false;
    }
    state.unfinished(None);
    state.out
}

struct Pending {
    line: u32,
    text: Vec<String>,
    options: Vec<(char, String, u32)>,
    /// An error was reported; the rest of this question is skipped up to its `ANSWER:`.
    poisoned: bool,
}

struct State {
    out: ParseOutput,
    ids: IdAllocator,
    current: Option<Pending>,
}

impl State {
    /// Reports a question that never got its `ANSWER:` line.
    fn unfinished(&mut self, next_line: Option<u32>) {
        if let Some(q) = self.current.take() {
            let until = next_line.map_or_else(
                || "before the file ends".to_string(),
                |l| format!("before line {l}"),
            );
            self.out.problems.push(Problem::error(
                q.line,
                1,
                ProblemCode::MissingAnswer,
                format!("the question has no `ANSWER:` line {until}"),
            ));
        }
    }

    fn text(&mut self, n: u32, line: &str, after_blank: bool) {
        // Text after a blank line that follows options starts a new question: the previous one
        // lacks its ANSWER line.
        if after_blank && self.current.as_ref().is_some_and(|q| !q.options.is_empty()) {
            self.unfinished(Some(n));
        }
        match &mut self.current {
            None => {
                self.current = Some(Pending {
                    line: n,
                    text: vec![line.to_string()],
                    options: Vec::new(),
                    poisoned: false,
                })
            }
            Some(q) if q.poisoned => {}
            Some(q) if q.options.is_empty() => q.text.push(line.to_string()),
            Some(q) => {
                // A line after the options that is neither an option nor ANSWER: most likely an
                // option that wraps. Keep it, but say so.
                if let Some(last) = q.options.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line);
                    let letter = last.0;
                    self.out.problems.push(Problem::warning(
                        n,
                        1,
                        ProblemCode::IgnoredText,
                        format!("this line is not an option (`A.` or `A)`) nor `ANSWER:`; it was added to option {letter}"),
                    ));
                }
            }
        }
    }

    fn option(&mut self, n: u32, letter: char, text: &str) {
        match &mut self.current {
            Some(q) if q.poisoned => {}
            Some(q) => {
                if q.options.iter().any(|o| o.0 == letter) {
                    self.out.problems.push(Problem::error(
                        n,
                        1,
                        ProblemCode::DuplicateOption,
                        format!("option {letter} appears twice in this question"),
                    ));
                    // Its answer would be ambiguous: skip the question.
                    q.poisoned = true;
                    return;
                }
                let expected = char::from(b'A' + u8::try_from(q.options.len() % 26).unwrap_or(0));
                if letter != expected {
                    self.out.problems.push(Problem::warning(
                        n,
                        1,
                        ProblemCode::IgnoredText,
                        format!("option {letter} comes where {expected} was expected"),
                    ));
                }
                q.options.push((letter, text.to_string(), n));
            }
            None => {
                self.out.problems.push(Problem::error(
                    n,
                    1,
                    ProblemCode::OptionWithoutQuestion,
                    format!("option {letter} has no question before it"),
                ));
            }
        }
    }

    fn answer(&mut self, n: u32, answer: &str) {
        let Some(q) = self.current.take() else {
            self.out.problems.push(Problem::error(
                n,
                1,
                ProblemCode::OptionWithoutQuestion,
                "`ANSWER:` without a question",
            ));
            return;
        };
        if q.poisoned {
            return; // An error was already reported for this question.
        }
        if q.options.len() < 2 {
            self.out.problems.push(Problem::error(
                q.line,
                1,
                ProblemCode::TooFewOptions,
                "an Aiken question needs at least two options (`A. …`, `B. …`)",
            ));
            return;
        }
        let letters: Vec<char> = answer
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.trim_end_matches(['.', ')']))
            .filter_map(|s| {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.is_ascii_alphabetic() => Some(c.to_ascii_uppercase()),
                    _ => None,
                }
            })
            .collect();
        let valid_shape = !letters.is_empty()
            && answer
                .split([',', ' ', ';'])
                .filter(|s| !s.trim().is_empty())
                .count()
                == letters.len();
        if !valid_shape {
            self.out.problems.push(Problem::error(
                n,
                1,
                ProblemCode::MissingAnswer,
                format!("`ANSWER: {answer}` must name an option letter, e.g. `ANSWER: B`"),
            ));
            return;
        }
        for l in &letters {
            if !q.options.iter().any(|o| o.0 == *l) {
                self.out.problems.push(Problem::error(
                    n,
                    1,
                    ProblemCode::AnswerNotAnOption,
                    format!("the answer {l} is not one of the options"),
                ));
                return;
            }
        }
        let multiple = letters.len() > 1;
        if multiple {
            self.out.problems.push(Problem::warning(
                n,
                1,
                ProblemCode::UnsupportedFeature,
                "several answer letters are not standard Aiken; imported as multiple response",
            ));
        }
        let right = letters.len() as f64;
        let wrong = (q.options.len() - letters.len()) as f64;
        let mut choices: Vec<Choice> = Vec::new();
        for (letter, text, _) in &q.options {
            let correct = letters.contains(letter);
            let weight = match (multiple, correct) {
                (_, true) => 1.0 / right,
                (true, false) if wrong > 0.0 => -1.0 / wrong,
                _ => 0.0,
            };
            let id: OptionId = unique_option_id(text, choices.iter().map(|c| &c.id));
            choices.push(Choice {
                id,
                text: text.clone(),
                weight,
                feedback: None,
            });
        }
        let text = q.text.join("\n");
        let id = self
            .ids
            .allocate(None, None, q.line, &mut self.out.problems);
        let kind = if multiple {
            QuestionKind::MultipleResponse {
                choices,
                shuffle: true,
            }
        } else {
            QuestionKind::SingleChoice {
                choices,
                shuffle: true,
            }
        };
        self.out.questions.push(Question {
            id,
            title: title_from_text(&text),
            text,
            text_format: TextFormat::Plain,
            default_points: 1.0,
            category: None,
            tags: Vec::new(),
            general_feedback: None,
            kind,
            source_line: Some(q.line),
        });
    }
}

/// `A. text` or `A) text` with an uppercase letter.
fn option_line(line: &str) -> Option<(char, &str)> {
    let mut chars = line.chars();
    let letter = chars.next().filter(char::is_ascii_uppercase)?;
    let sep = chars.next()?;
    if sep != '.' && sep != ')' {
        return None;
    }
    let rest = chars.as_str();
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let text = rest.trim();
    (!text.is_empty()).then_some((letter, text))
}

fn answer_line(line: &str) -> Option<&str> {
    let head = line.get(..7)?;
    if head.eq_ignore_ascii_case("answer:") {
        line.get(7..).map(str::trim)
    } else {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_questions_with_dots_and_parentheses() {
        let out = parse_aiken(
            "Apa ibu kota Indonesia?\nA. Bandung\nB) Jakarta\nC. Surabaya\nANSWER: B\n\nSiapa proklamator?\nA. Soekarno\nB. Sudirman\nANSWER: A\n",
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.questions.len(), 2);
        let QuestionKind::SingleChoice { choices, .. } = &out.questions[0].kind else {
            panic!()
        };
        let right: Vec<_> = choices
            .iter()
            .filter(|c| c.weight == 1.0)
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(right, ["Jakarta"]);
        assert_eq!(out.questions[1].source_line, Some(7));
    }

    #[test]
    fn line_numbered_errors() {
        let out = parse_aiken(
            "A. tanpa soal\nANSWER: A\n\nSoal?\nA. satu\nB. dua\nANSWER: D\n\nSoal dua?\nA. x\nB. y\n\nSoal tiga?\nA. x\nA. y\nANSWER: A\n\nSoal empat?\nA. x\nB. y\n",
        );
        let found: Vec<(u32, ProblemCode)> =
            out.problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            found,
            [
                (1, ProblemCode::OptionWithoutQuestion),
                (2, ProblemCode::OptionWithoutQuestion),
                (7, ProblemCode::AnswerNotAnOption),
                (9, ProblemCode::MissingAnswer),
                (15, ProblemCode::DuplicateOption),
                (18, ProblemCode::MissingAnswer),
            ]
        );
        assert!(out.questions.is_empty());
    }

    #[test]
    fn multiple_letters_make_multiple_response() {
        let out = parse_aiken("Pilih dua\nA. a\nB. b\nC. c\nANSWER: A, C\n");
        assert_eq!(out.problems.len(), 1);
        let QuestionKind::MultipleResponse { choices, .. } = &out.questions[0].kind else {
            panic!()
        };
        assert_eq!(
            choices.iter().map(|c| c.weight).collect::<Vec<_>>(),
            [0.5, -1.0, 0.5]
        );
    }

    #[test]
    fn too_few_options_and_bad_answer_lines() {
        let out = parse_aiken("Satu saja\nA. a\nANSWER: A\n\nSoal\nA. a\nB. b\nANSWER: Jakarta\n");
        let codes: Vec<_> = out.problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            codes,
            [
                (1, ProblemCode::TooFewOptions),
                (8, ProblemCode::MissingAnswer)
            ]
        );
    }
}
