//! Learner responses and grading of one question.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::QuizError;
use crate::ids::OptionId;
use crate::model::{OrderingScoring, Question, QuestionKind};

/// What a learner answered. Choices are named by option id, never by position, so the order in
/// which options were shown cannot change the grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    SingleChoice {
        option: OptionId,
    },
    MultipleResponse {
        options: Vec<OptionId>,
    },
    TrueFalse {
        value: bool,
    },
    ShortAnswer {
        text: String,
    },
    /// The text the learner typed; `3,5` and `3.5` are both three and a half (see
    /// [`parse_number`]).
    Numeric {
        input: String,
    },
    /// Prompt id → chosen choice id.
    Matching {
        pairs: BTreeMap<OptionId, OptionId>,
    },
    /// Item ids in the order the learner put them.
    Ordering {
        order: Vec<OptionId>,
    },
    Essay {
        text: String,
    },
}

impl Response {
    /// Option-like ids the response names, to find responses that refer to options a corrected
    /// question no longer has.
    pub fn option_ids(&self) -> Vec<&OptionId> {
        match self {
            Response::SingleChoice { option } => vec![option],
            Response::MultipleResponse { options } => options.iter().collect(),
            Response::Matching { pairs } => pairs.iter().flat_map(|(p, c)| [p, c]).collect(),
            Response::Ordering { order } => order.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// Whether this response has the shape `question` expects.
    pub fn fits(&self, question: &Question) -> bool {
        matches!(
            (&question.kind, self),
            (
                QuestionKind::SingleChoice { .. },
                Response::SingleChoice { .. }
            ) | (
                QuestionKind::MultipleResponse { .. },
                Response::MultipleResponse { .. }
            ) | (QuestionKind::TrueFalse { .. }, Response::TrueFalse { .. })
                | (
                    QuestionKind::ShortAnswer { .. },
                    Response::ShortAnswer { .. }
                )
                | (QuestionKind::Numeric { .. }, Response::Numeric { .. })
                | (QuestionKind::Matching { .. }, Response::Matching { .. })
                | (QuestionKind::Ordering { .. }, Response::Ordering { .. })
                | (QuestionKind::Essay { .. }, Response::Essay { .. })
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GradeState {
    Correct,
    Partial,
    Incorrect,
    /// Waiting for an instructor (essays).
    Pending,
    /// Nothing to grade (descriptions).
    Ungraded,
}

/// Feedback to show with a grade.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feedback {
    /// Feedback attached to what the learner chose or typed, in the question's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answer: Vec<String>,
    /// The question's general feedback, shown whatever the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub general: Option<String>,
    /// An instructor's comment from manual grading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Feedback {
    pub fn is_empty(&self) -> bool {
        self.answer.is_empty() && self.general.is_none() && self.comment.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grade {
    pub points: f64,
    pub max_points: f64,
    pub state: GradeState,
    pub feedback: Feedback,
}

impl Grade {
    /// Share of the maximum earned, in `[0, 1]` (0 when the maximum is 0).
    pub fn fraction(&self) -> f64 {
        if self.max_points > 0.0 {
            (self.points / self.max_points).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    pub fn is_pending(&self) -> bool {
        self.state == GradeState::Pending
    }
}

/// Grades `response` out of the question's default points.
pub fn grade(question: &Question, response: &Response) -> Grade {
    grade_response(question, Some(response), question.default_points)
}

/// Grades a possibly missing response out of `max_points` (a quiz may give a question another
/// mark than its default). Never panics and always returns `0 <= points <= max_points`, even for
/// a malformed question or a response of the wrong type (which scores 0).
pub fn grade_response(question: &Question, response: Option<&Response>, max_points: f64) -> Grade {
    let max_points = sane_max(max_points);
    let general = question
        .general_feedback
        .clone()
        .filter(|f| !f.trim().is_empty());
    if !question.is_gradable() {
        return Grade {
            points: 0.0,
            max_points: 0.0,
            state: GradeState::Ungraded,
            feedback: Feedback {
                general,
                ..Feedback::default()
            },
        };
    }
    let Some(response) = response else {
        return Grade {
            points: 0.0,
            max_points,
            state: GradeState::Incorrect,
            feedback: Feedback {
                general,
                ..Feedback::default()
            },
        };
    };
    let outcome = score(question, response);
    let (points, state) = match outcome.fraction {
        None => (0.0, GradeState::Pending),
        Some(f) => {
            let f = round7(sane_fraction(f));
            (round7(f * max_points).clamp(0.0, max_points), state_of(f))
        }
    };
    Grade {
        points,
        max_points,
        state,
        feedback: Feedback {
            answer: outcome.feedback,
            general,
            comment: None,
        },
    }
}

/// A grade set by an instructor (for an essay, or overriding the automatic grade of any other
/// question). Keeps the automatic answer feedback and adds the comment.
pub fn manual_grade(
    question: &Question,
    response: Option<&Response>,
    max_points: f64,
    points: f64,
    comment: Option<String>,
) -> Result<Grade, QuizError> {
    let max_points = sane_max(max_points);
    if !points.is_finite() || points < 0.0 || points > max_points + 1e-9 {
        return Err(QuizError::InvalidManualGrade {
            question_id: question.id.clone(),
            points,
            max_points,
        });
    }
    let mut grade = grade_response(question, response, max_points);
    let points = round7(points.min(max_points));
    grade.points = points;
    grade.state = state_of(if max_points > 0.0 {
        points / max_points
    } else {
        1.0
    });
    grade.feedback.comment = comment.filter(|c| !c.trim().is_empty());
    Ok(grade)
}

struct Outcome {
    /// `None` = needs an instructor.
    fraction: Option<f64>,
    feedback: Vec<String>,
}

fn score(question: &Question, response: &Response) -> Outcome {
    let incorrect = Outcome {
        fraction: Some(0.0),
        feedback: Vec::new(),
    };
    match (&question.kind, response) {
        (QuestionKind::SingleChoice { choices, .. }, Response::SingleChoice { option }) => {
            match choices.iter().find(|c| c.id == *option) {
                Some(c) => Outcome {
                    fraction: Some(c.weight),
                    feedback: c.feedback.iter().cloned().collect(),
                },
                None => incorrect,
            }
        }
        (
            QuestionKind::MultipleResponse { choices, .. },
            Response::MultipleResponse { options },
        ) => {
            let chosen: BTreeSet<&OptionId> = options.iter().collect();
            let mut sum = 0.0;
            let mut feedback = Vec::new();
            for c in choices.iter().filter(|c| chosen.contains(&c.id)) {
                sum += sane_weight(c.weight);
                feedback.extend(c.feedback.iter().cloned());
            }
            Outcome {
                fraction: Some(sum),
                feedback,
            }
        }
        (
            QuestionKind::TrueFalse {
                correct,
                feedback_true,
                feedback_false,
            },
            Response::TrueFalse { value },
        ) => {
            let feedback = if *value {
                feedback_true
            } else {
                feedback_false
            };
            Outcome {
                fraction: Some(if value == correct { 1.0 } else { 0.0 }),
                feedback: feedback.iter().cloned().collect(),
            }
        }
        (
            QuestionKind::ShortAnswer {
                answers,
                case_sensitive,
                normalise_whitespace,
            },
            Response::ShortAnswer { text },
        ) => {
            let typed = normalise_text(text, *case_sensitive, *normalise_whitespace);
            if typed.is_empty() {
                return incorrect;
            }
            best_match(
                answers
                    .iter()
                    .filter(|a| {
                        normalise_text(&a.text, *case_sensitive, *normalise_whitespace) == typed
                    })
                    .map(|a| (a.weight, &a.feedback)),
            )
            .unwrap_or(incorrect)
        }
        (
            QuestionKind::Numeric {
                answers,
                other_feedback,
            },
            Response::Numeric { input },
        ) => {
            let matched = parse_number(input).and_then(|x| {
                best_match(
                    answers
                        .iter()
                        .filter(|a| a.value.accepts(x))
                        .map(|a| (a.weight, &a.feedback)),
                )
            });
            matched.unwrap_or(Outcome {
                fraction: Some(0.0),
                feedback: other_feedback.iter().cloned().collect(),
            })
        }
        (QuestionKind::Matching { pairs, .. }, Response::Matching { pairs: answered }) => {
            if pairs.is_empty() {
                return incorrect;
            }
            let right = pairs
                .iter()
                .filter(|p| answered.get(&p.id) == Some(&p.answer))
                .count();
            Outcome {
                fraction: Some(right as f64 / pairs.len() as f64),
                feedback: Vec::new(),
            }
        }
        (QuestionKind::Ordering { items, scoring }, Response::Ordering { order }) => {
            let correct: Vec<&OptionId> = items.iter().map(|i| &i.id).collect();
            Outcome {
                fraction: Some(ordering_fraction(&correct, order, *scoring)),
                feedback: Vec::new(),
            }
        }
        (QuestionKind::Essay { .. }, Response::Essay { text }) => {
            if text.trim().is_empty() {
                incorrect
            } else {
                Outcome {
                    fraction: None,
                    feedback: Vec::new(),
                }
            }
        }
        _ => incorrect,
    }
}

/// The best weight among matching answers; the first one wins a tie (the author's order).
fn best_match<'a>(matches: impl Iterator<Item = (f64, &'a Option<String>)>) -> Option<Outcome> {
    let mut best: Option<(f64, &Option<String>)> = None;
    for (w, fb) in matches {
        let w = sane_weight(w);
        if best.is_none_or(|(bw, _)| w > bw) {
            best = Some((w, fb));
        }
    }
    best.map(|(w, fb)| Outcome {
        fraction: Some(w),
        feedback: fb.iter().cloned().collect(),
    })
}

/// Partial credit of an ordering response; see [`OrderingScoring`].
pub fn ordering_fraction(
    correct: &[&OptionId],
    response: &[OptionId],
    scoring: OrderingScoring,
) -> f64 {
    let n = correct.len();
    if n == 0 {
        return 0.0;
    }
    let exact = response.len() == n && response.iter().zip(correct).all(|(r, c)| r == *c);
    match scoring {
        OrderingScoring::AllOrNothing => {
            if exact {
                1.0
            } else {
                0.0
            }
        }
        OrderingScoring::AbsolutePosition => {
            response
                .iter()
                .zip(correct)
                .filter(|(r, c)| *r == **c)
                .count() as f64
                / n as f64
        }
        OrderingScoring::LongestOrderedSubsequence => {
            if n == 1 {
                return if exact { 1.0 } else { 0.0 };
            }
            // Map the response to correct positions, once per item (duplicates and unknown ids
            // earn nothing), then find the longest strictly increasing run of positions.
            let mut seen = BTreeSet::new();
            let positions: Vec<usize> = response
                .iter()
                .filter_map(|id| correct.iter().position(|c| *c == id))
                .filter(|p| seen.insert(*p))
                .collect();
            let lis = longest_increasing(&positions);
            if lis == 0 {
                0.0
            } else {
                (lis - 1) as f64 / (n - 1) as f64
            }
        }
    }
}

/// Length of the longest strictly increasing subsequence (patience sorting, O(n log n)).
fn longest_increasing(values: &[usize]) -> usize {
    let mut tails: Vec<usize> = Vec::new();
    for &v in values {
        let at = tails.partition_point(|&t| t < v);
        if at == tails.len() {
            tails.push(v);
        } else {
            tails[at] = v;
        }
    }
    tails.len()
}

/// How a short answer is compared: trimmed always; inner whitespace collapsed when asked;
/// lowercased (Unicode-aware) unless case-sensitive.
pub fn normalise_text(text: &str, case_sensitive: bool, normalise_whitespace: bool) -> String {
    let text = if normalise_whitespace {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        text.trim().to_string()
    };
    if case_sensitive {
        text
    } else {
        text.to_lowercase()
    }
}

/// Reads a number as a learner may type it, in Indonesian or English habits: `3,5` and `3.5`;
/// `1.234,5` and `1,234.5`; `1.000.000`; `+2`, `-2` and `−2`; `1e3`; spaces anywhere.
/// A lone separator followed by exactly three digits (`1.234`, `1,234`) is read as a decimal
/// point, as a calculator would. Returns `None` for anything else.
pub fn parse_number(input: &str) -> Option<f64> {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let s = s.replace('\u{2212}', "-");
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let normalised = match (dots, commas) {
        (_, 0) if dots <= 1 => s,
        (0, 1) => s.replace(',', "."),
        (0, _) => grouped(&s, ',')?,
        (_, 0) => grouped(&s, '.')?,
        _ => {
            let last_dot = s.rfind('.')?;
            let last_comma = s.rfind(',')?;
            if last_comma > last_dot {
                // 1.234,5: dots group thousands.
                if commas != 1 {
                    return None;
                }
                let (int, frac) = s.split_at(last_comma);
                format!("{}.{}", grouped(int, '.')?, &frac[1..])
            } else {
                if dots != 1 {
                    return None;
                }
                let (int, frac) = s.split_at(last_dot);
                format!("{}.{}", grouped(int, ',')?, &frac[1..])
            }
        }
    };
    let valid = normalised
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && normalised.chars().any(|c| c.is_ascii_digit());
    if !valid {
        return None;
    }
    normalised.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Removes thousands separators, checking they really group digits in threes.
fn grouped(s: &str, sep: char) -> Option<String> {
    let (sign, body) = match s.strip_prefix(['-', '+']) {
        Some(rest) => (&s[..1], rest),
        None => ("", s),
    };
    let mut groups = body.split(sep);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !first.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut out = format!("{sign}{first}");
    for g in groups {
        if g.len() != 3 || !g.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        out.push_str(g);
    }
    Some(out)
}

fn state_of(fraction: f64) -> GradeState {
    if fraction >= 1.0 - 1e-7 {
        GradeState::Correct
    } else if fraction > 1e-7 {
        GradeState::Partial
    } else {
        GradeState::Incorrect
    }
}

fn sane_max(max_points: f64) -> f64 {
    if max_points.is_finite() && max_points > 0.0 {
        max_points
    } else {
        0.0
    }
}

fn sane_weight(w: f64) -> f64 {
    if w.is_finite() {
        w.clamp(-1.0, 1.0)
    } else {
        0.0
    }
}

fn sane_fraction(f: f64) -> f64 {
    if f.is_finite() {
        f.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Moodle keeps fractions to 7 decimals; so do we, so that 3 × 1/3 is exactly 1.
fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::ids::QuestionId;
    use crate::model::*;

    fn q(kind: QuestionKind) -> Question {
        Question {
            id: QuestionId::new("q"),
            title: "t".into(),
            text: "text".into(),
            text_format: TextFormat::Markdown,
            default_points: 2.0,
            category: None,
            tags: vec![],
            general_feedback: Some("umum".into()),
            kind,
            source_line: None,
        }
    }

    fn choice(id: &str, weight: f64, fb: Option<&str>) -> Choice {
        Choice {
            id: OptionId::new(id),
            text: format!("text {id}"),
            weight,
            feedback: fb.map(Into::into),
        }
    }

    #[test]
    fn single_choice_uses_the_chosen_weight_and_its_feedback() {
        let question = q(QuestionKind::SingleChoice {
            choices: vec![
                choice("a", 1.0, Some("yes")),
                choice("b", 0.5, Some("almost")),
                choice("c", -0.5, None),
            ],
            shuffle: true,
        });
        let g = grade(&question, &Response::SingleChoice { option: "a".into() });
        assert_eq!(
            (g.points, g.max_points, g.state),
            (2.0, 2.0, GradeState::Correct)
        );
        assert_eq!(g.feedback.answer, vec!["yes".to_string()]);
        assert_eq!(g.feedback.general.as_deref(), Some("umum"));
        let g = grade(&question, &Response::SingleChoice { option: "b".into() });
        assert_eq!((g.points, g.state), (1.0, GradeState::Partial));
        let g = grade(&question, &Response::SingleChoice { option: "c".into() });
        assert_eq!(
            (g.points, g.state),
            (0.0, GradeState::Incorrect),
            "penalties never go below 0"
        );
        let g = grade(
            &question,
            &Response::SingleChoice {
                option: "zzz".into(),
            },
        );
        assert_eq!(g.state, GradeState::Incorrect);
    }

    #[test]
    fn multiple_response_sums_weights_with_penalties_and_clamps() {
        let question = q(QuestionKind::MultipleResponse {
            choices: vec![
                choice("a", 0.5, Some("a ok")),
                choice("b", 0.5, None),
                choice("c", -1.0, Some("no")),
                choice("d", 0.0, None),
            ],
            shuffle: false,
        });
        let r = |ids: &[&str]| Response::MultipleResponse {
            options: ids.iter().map(|i| OptionId::new(*i)).collect(),
        };
        assert_eq!(grade(&question, &r(&["a", "b"])).points, 2.0);
        assert_eq!(grade(&question, &r(&["a"])).points, 1.0);
        assert_eq!(
            grade(&question, &r(&["a", "a", "a"])).points,
            1.0,
            "duplicates count once"
        );
        let g = grade(&question, &r(&["a", "b", "c"]));
        assert_eq!((g.points, g.state), (0.0, GradeState::Incorrect));
        assert_eq!(
            g.feedback.answer,
            vec!["a ok".to_string(), "no".to_string()]
        );
        assert_eq!(grade(&question, &r(&["a", "b", "d"])).points, 2.0);
        assert_eq!(grade(&question, &r(&[])).points, 0.0);
    }

    #[test]
    fn true_false_feedback_follows_the_answer_given() {
        let question = q(QuestionKind::TrueFalse {
            correct: false,
            feedback_true: Some("salah pilih".into()),
            feedback_false: Some("tepat".into()),
        });
        let g = grade(&question, &Response::TrueFalse { value: false });
        assert_eq!(
            (g.state, g.feedback.answer.clone()),
            (GradeState::Correct, vec!["tepat".to_string()])
        );
        let g = grade(&question, &Response::TrueFalse { value: true });
        assert_eq!(
            (g.state, g.feedback.answer.clone()),
            (GradeState::Incorrect, vec!["salah pilih".to_string()])
        );
    }

    #[test]
    fn short_answer_case_and_whitespace_options() {
        let answers = vec![
            TextAnswer {
                text: "Jakarta".into(),
                weight: 1.0,
                feedback: Some("benar".into()),
            },
            TextAnswer {
                text: "DKI  Jakarta".into(),
                weight: 1.0,
                feedback: None,
            },
            TextAnswer {
                text: "Batavia".into(),
                weight: 0.5,
                feedback: Some("nama lama".into()),
            },
        ];
        let loose = q(QuestionKind::ShortAnswer {
            answers: answers.clone(),
            case_sensitive: false,
            normalise_whitespace: true,
        });
        let strict = q(QuestionKind::ShortAnswer {
            answers,
            case_sensitive: true,
            normalise_whitespace: false,
        });
        let r = |t: &str| Response::ShortAnswer { text: t.into() };
        assert_eq!(grade(&loose, &r("  jakarta ")).points, 2.0);
        assert_eq!(grade(&loose, &r("dki jakarta")).points, 2.0);
        let g = grade(&loose, &r("BATAVIA"));
        assert_eq!(
            (g.points, g.feedback.answer.clone()),
            (1.0, vec!["nama lama".to_string()])
        );
        assert_eq!(grade(&strict, &r("jakarta")).points, 0.0);
        assert_eq!(
            grade(&strict, &r(" Jakarta ")).points,
            2.0,
            "trimming always happens"
        );
        assert_eq!(
            grade(&strict, &r("DKI Jakarta")).points,
            0.0,
            "inner whitespace must match exactly"
        );
        assert_eq!(grade(&strict, &r("DKI  Jakarta")).points, 2.0);
        assert_eq!(grade(&loose, &r("")).state, GradeState::Incorrect);
    }

    #[test]
    fn numeric_takes_the_best_matching_answer() {
        let question = q(QuestionKind::Numeric {
            answers: vec![
                NumericAnswer {
                    value: NumericValue::Exact {
                        value: 1822.0,
                        tolerance: 0.0,
                    },
                    weight: 1.0,
                    feedback: Some("exact".into()),
                },
                NumericAnswer {
                    value: NumericValue::Exact {
                        value: 1822.0,
                        tolerance: 2.0,
                    },
                    weight: 0.5,
                    feedback: Some("close".into()),
                },
                NumericAnswer {
                    value: NumericValue::Range { min: 1.0, max: 5.0 },
                    weight: 0.25,
                    feedback: None,
                },
            ],
            other_feedback: Some("bukan".into()),
        });
        let r = |t: &str| Response::Numeric { input: t.into() };
        let g = grade(&question, &r("1822"));
        assert_eq!(
            (g.points, g.feedback.answer.clone()),
            (2.0, vec!["exact".to_string()])
        );
        assert_eq!(grade(&question, &r("1823,5")).points, 1.0);
        assert_eq!(grade(&question, &r("3")).points, 0.5);
        let g = grade(&question, &r("99"));
        assert_eq!(
            (g.points, g.feedback.answer.clone()),
            (0.0, vec!["bukan".to_string()])
        );
        assert_eq!(grade(&question, &r("abc")).points, 0.0);
    }

    #[test]
    fn matching_gives_a_share_per_correct_pair() {
        let (pairs, choices) = build_matching(&[
            ("Kanada".into(), "Ottawa".into()),
            ("Italia".into(), "Roma".into()),
            ("Jepang".into(), "Tokyo".into()),
            ("".into(), "Sydney".into()),
        ]);
        let question = q(QuestionKind::Matching {
            pairs: pairs.clone(),
            choices: choices.clone(),
            shuffle: true,
        });
        let mut answer: BTreeMap<OptionId, OptionId> = pairs
            .iter()
            .map(|p| (p.id.clone(), p.answer.clone()))
            .collect();
        assert_eq!(
            grade(
                &question,
                &Response::Matching {
                    pairs: answer.clone()
                }
            )
            .state,
            GradeState::Correct
        );
        let sydney = choices
            .iter()
            .find(|c| c.text == "Sydney")
            .unwrap()
            .id
            .clone();
        answer.insert(pairs[0].id.clone(), sydney);
        let g = grade(&question, &Response::Matching { pairs: answer });
        assert!((g.points - 2.0 * 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(g.state, GradeState::Partial);
    }

    #[test]
    fn ordering_scores_documented_strategies() {
        let ids: Vec<OptionId> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|s| OptionId::new(*s))
            .collect();
        let correct: Vec<&OptionId> = ids.iter().collect();
        let resp = |s: &str| {
            s.chars()
                .map(|c| OptionId::new(c.to_string()))
                .collect::<Vec<_>>()
        };
        use OrderingScoring::*;
        assert_eq!(
            ordering_fraction(&correct, &resp("abcde"), LongestOrderedSubsequence),
            1.0
        );
        assert_eq!(
            ordering_fraction(&correct, &resp("edcba"), LongestOrderedSubsequence),
            0.0
        );
        // "e" moved to the front: a b c d still in order, LIS 4 → (4-1)/(5-1).
        assert_eq!(
            ordering_fraction(&correct, &resp("eabcd"), LongestOrderedSubsequence),
            0.75
        );
        assert_eq!(
            ordering_fraction(&correct, &resp("eabcd"), AbsolutePosition),
            0.0
        );
        assert_eq!(
            ordering_fraction(&correct, &resp("abced"), AbsolutePosition),
            0.6
        );
        assert_eq!(
            ordering_fraction(&correct, &resp("abced"), AllOrNothing),
            0.0
        );
        assert_eq!(
            ordering_fraction(&correct, &resp("aaaaa"), LongestOrderedSubsequence),
            0.0
        );
        assert_eq!(
            ordering_fraction(&correct, &resp("ab"), LongestOrderedSubsequence),
            0.25
        );
        assert_eq!(
            ordering_fraction(&correct, &resp(""), LongestOrderedSubsequence),
            0.0
        );
    }

    #[test]
    fn essays_are_pending_until_graded_by_hand() {
        let question = q(QuestionKind::Essay {
            response_template: None,
            grader_info: None,
        });
        let response = Response::Essay {
            text: "Jawaban saya".into(),
        };
        let g = grade(&question, &response);
        assert_eq!((g.points, g.state), (0.0, GradeState::Pending));
        assert_eq!(
            grade(&question, &Response::Essay { text: "  ".into() }).state,
            GradeState::Incorrect
        );
        let g = manual_grade(&question, Some(&response), 2.0, 1.5, Some("Bagus".into())).unwrap();
        assert_eq!(
            (g.points, g.state, g.feedback.comment.as_deref()),
            (1.5, GradeState::Partial, Some("Bagus"))
        );
        assert!(manual_grade(&question, Some(&response), 2.0, 2.5, None).is_err());
        assert!(manual_grade(&question, Some(&response), 2.0, -1.0, None).is_err());
        assert!(manual_grade(&question, Some(&response), 2.0, f64::NAN, None).is_err());
    }

    #[test]
    fn wrong_type_missing_response_and_description() {
        let question = q(QuestionKind::TrueFalse {
            correct: true,
            feedback_true: None,
            feedback_false: None,
        });
        assert_eq!(
            grade(
                &question,
                &Response::ShortAnswer {
                    text: "true".into()
                }
            )
            .state,
            GradeState::Incorrect
        );
        let g = grade_response(&question, None, 3.0);
        assert_eq!(
            (g.points, g.max_points, g.state),
            (0.0, 3.0, GradeState::Incorrect)
        );
        let d = q(QuestionKind::Description);
        let g = grade_response(&d, None, 5.0);
        assert_eq!((g.max_points, g.state), (0.0, GradeState::Ungraded));
        let g = grade_response(
            &question,
            Some(&Response::TrueFalse { value: true }),
            f64::NAN,
        );
        assert_eq!((g.points, g.max_points), (0.0, 0.0));
    }

    #[test]
    fn thirds_add_up_exactly() {
        let (pairs, choices) = build_matching(&[
            ("a".into(), "1".into()),
            ("b".into(), "2".into()),
            ("c".into(), "3".into()),
        ]);
        let question = q(QuestionKind::Matching {
            pairs: pairs.clone(),
            choices,
            shuffle: false,
        });
        let all = pairs
            .iter()
            .map(|p| (p.id.clone(), p.answer.clone()))
            .collect();
        assert_eq!(
            grade_response(&question, Some(&Response::Matching { pairs: all }), 3.0).points,
            3.0
        );
    }

    #[test]
    fn numbers_in_indonesian_and_english_habits() {
        assert_eq!(parse_number("3,5"), Some(3.5));
        assert_eq!(parse_number(" 3.5 "), Some(3.5));
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("1,234.5"), Some(1234.5));
        assert_eq!(parse_number("1.000.000"), Some(1_000_000.0));
        assert_eq!(parse_number("1,000,000"), Some(1_000_000.0));
        assert_eq!(parse_number("−2"), Some(-2.0));
        assert_eq!(parse_number("+2"), Some(2.0));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("1 822"), Some(1822.0));
        assert_eq!(parse_number("1.2.3,4,5"), None);
        assert_eq!(parse_number("12.34.5"), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("1e999"), None);
    }
}
