//! The question model: what an author writes, with every secret (right answers, weights,
//! tolerances, feedback). Learners never see this type; they get [`crate::LearnerQuestion`].

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::QuizError;
use crate::ids::{OptionId, QuestionId};

/// Marker that stands for the blank in a "missing word" question (GIFT's
/// `Moodle costs {~lots =nothing} to download.`). It is the marker Moodle itself inserts, and it
/// renders as a visible line in Markdown, so a client that does not replace it still shows a
/// sensible sentence.
pub const BLANK_MARKER: &str = "_____";

/// How the question text (and its answers and feedback) is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TextFormat {
    /// CommonMark; the default everywhere in Lentera.
    #[default]
    Markdown,
    /// HTML; must be sanitised by the renderer.
    Html,
    /// Plain text: no markup at all.
    Plain,
    /// Moodle's "auto-format": plain text whose line breaks are kept.
    Moodle,
}

/// One question with everything needed to grade it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    pub id: QuestionId,
    /// Author-facing name (GIFT `::title::`, Markdown `## heading`). Not shown to learners:
    /// titles often give the answer away ("Ibu kota = Jakarta").
    pub title: String,
    /// The question text, Markdown unless `text_format` says otherwise. A missing-word question
    /// contains [`BLANK_MARKER`] where the answer goes.
    pub text: String,
    #[serde(default)]
    pub text_format: TextFormat,
    /// Points the question is worth unless a quiz gives it another mark.
    pub default_points: f64,
    /// Category path such as `Keuangan/Anggaran`, used by random draws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Shown to every learner after grading, whatever they answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub general_feedback: Option<String>,
    pub kind: QuestionKind,
    /// Line in the source file where the question starts, for error messages and previews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_line: Option<u32>,
}

/// The type of a question and its answer key.
///
/// Weights are fractions of the question's points: `1.0` is 100 %, `-0.5` is a 50 % penalty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Exactly one option may be chosen; its weight is the score (partial credit allowed).
    SingleChoice { choices: Vec<Choice>, shuffle: bool },
    /// Any number of options may be chosen; the score is the sum of the chosen weights,
    /// clamped to `[0, 1]`. Wrong options usually carry negative weights, otherwise choosing
    /// everything would earn full marks.
    MultipleResponse { choices: Vec<Choice>, shuffle: bool },
    TrueFalse {
        correct: bool,
        /// Feedback for a learner who answered "true".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback_true: Option<String>,
        /// Feedback for a learner who answered "false".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback_false: Option<String>,
    },
    /// Typed answer compared with each accepted answer; the best matching weight counts.
    ShortAnswer {
        answers: Vec<TextAnswer>,
        case_sensitive: bool,
        /// Trim and collapse runs of whitespace in both the response and the answers.
        normalise_whitespace: bool,
    },
    /// Typed number; the best matching answer's weight counts.
    Numeric {
        answers: Vec<NumericAnswer>,
        /// Feedback for any number that matches no answer (GIFT `~#...`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        other_feedback: Option<String>,
    },
    /// Each prompt must be matched with one choice; one point share per correct pair.
    Matching {
        pairs: Vec<MatchPair>,
        /// Every choice offered, including distractors that answer no prompt.
        choices: Vec<MatchChoice>,
        /// Whether the prompts may be shuffled (the choices are always shuffled, otherwise
        /// their order would mirror the prompts').
        shuffle: bool,
    },
    /// Items to be put in order; `items` is the correct order.
    Ordering {
        items: Vec<OrderItem>,
        scoring: OrderingScoring,
    },
    /// Free text graded by an instructor.
    Essay {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_template: Option<String>,
        /// Guidance for the grader; never shown to learners.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grader_info: Option<String>,
    },
    /// Text only (instructions, a case study); worth nothing and not answered.
    Description,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Choice {
    pub id: OptionId,
    pub text: String,
    pub weight: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextAnswer {
    pub text: String,
    pub weight: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NumericAnswer {
    pub value: NumericValue,
    pub weight: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// What numbers an accepted numeric answer covers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NumericValue {
    /// `value ± tolerance` (tolerance 0 means exactly `value`).
    Exact { value: f64, tolerance: f64 },
    /// `min ..= max`.
    Range { min: f64, max: f64 },
}

impl NumericValue {
    /// Whether `x` is accepted. A relative slack of 1e-9 absorbs binary rounding, so `0.1 + 0.2`
    /// typed as `0.3` is still `0.3`.
    pub fn accepts(&self, x: f64) -> bool {
        if !x.is_finite() {
            return false;
        }
        match *self {
            NumericValue::Exact { value, tolerance } => {
                let slack = 1e-9 * value.abs().max(1.0);
                (x - value).abs() <= tolerance.abs() + slack
            }
            NumericValue::Range { min, max } => {
                let (lo, hi) = if min <= max { (min, max) } else { (max, min) };
                let slack = 1e-9 * lo.abs().max(hi.abs()).max(1.0);
                x >= lo - slack && x <= hi + slack
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchPair {
    pub id: OptionId,
    pub prompt: String,
    /// Id of the [`MatchChoice`] that answers this prompt.
    pub answer: OptionId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchChoice {
    pub id: OptionId,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderItem {
    pub id: OptionId,
    pub text: String,
}

/// How an ordering question gives partial credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderingScoring {
    /// Full marks only for the exact order.
    AllOrNothing,
    /// Share of items placed at their exact position. Harsh: one item moved from the end to the
    /// front misplaces every item.
    AbsolutePosition,
    /// The default: the longest run of items that appear in the right relative order (not
    /// necessarily adjacent), scored `(length - 1) / (n - 1)`. The correct order scores 1, the
    /// reversed order 0, and one item moved to a wrong place costs exactly one step.
    #[default]
    LongestOrderedSubsequence,
}

/// A response that would earn full marks or as many as the key allows; the learner-facing
/// "correct answer" shown in reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CorrectAnswer {
    /// Options that carry credit (every full-credit option for a single choice).
    Choices {
        options: Vec<OptionId>,
    },
    TrueFalse {
        value: bool,
    },
    /// Accepted texts with full credit.
    Text {
        answers: Vec<String>,
    },
    Numeric {
        answers: Vec<NumericValue>,
    },
    /// Prompt id → choice id.
    Matching {
        pairs: Vec<(OptionId, OptionId)>,
    },
    Ordering {
        order: Vec<OptionId>,
    },
    /// Essays and descriptions have no answer key.
    None,
}

impl Question {
    /// Whether the question is answered and scored at all (descriptions are not).
    pub fn is_gradable(&self) -> bool {
        !matches!(self.kind, QuestionKind::Description)
    }

    /// Whether grading needs an instructor.
    pub fn needs_manual_grading(&self) -> bool {
        matches!(self.kind, QuestionKind::Essay { .. })
    }

    /// Short machine name of the type, as used in the Markdown format's `type=`.
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }

    /// Whether the text contains a missing-word blank.
    pub fn has_blank(&self) -> bool {
        self.text.contains(BLANK_MARKER)
    }

    /// The answer key as a learner may see it in a review.
    pub fn correct_answer(&self) -> CorrectAnswer {
        match &self.kind {
            QuestionKind::SingleChoice { choices, .. } => {
                let best = choices
                    .iter()
                    .map(|c| c.weight)
                    .fold(f64::NEG_INFINITY, f64::max);
                CorrectAnswer::Choices {
                    options: choices
                        .iter()
                        .filter(|c| c.weight > 0.0 && c.weight >= best)
                        .map(|c| c.id.clone())
                        .collect(),
                }
            }
            QuestionKind::MultipleResponse { choices, .. } => CorrectAnswer::Choices {
                options: choices
                    .iter()
                    .filter(|c| c.weight > 0.0)
                    .map(|c| c.id.clone())
                    .collect(),
            },
            QuestionKind::TrueFalse { correct, .. } => CorrectAnswer::TrueFalse { value: *correct },
            QuestionKind::ShortAnswer { answers, .. } => {
                let best = answers
                    .iter()
                    .map(|a| a.weight)
                    .fold(f64::NEG_INFINITY, f64::max);
                CorrectAnswer::Text {
                    answers: answers
                        .iter()
                        .filter(|a| a.weight > 0.0 && a.weight >= best)
                        .map(|a| a.text.clone())
                        .collect(),
                }
            }
            QuestionKind::Numeric { answers, .. } => {
                let best = answers
                    .iter()
                    .map(|a| a.weight)
                    .fold(f64::NEG_INFINITY, f64::max);
                CorrectAnswer::Numeric {
                    answers: answers
                        .iter()
                        .filter(|a| a.weight > 0.0 && a.weight >= best)
                        .map(|a| a.value)
                        .collect(),
                }
            }
            QuestionKind::Matching { pairs, .. } => CorrectAnswer::Matching {
                pairs: pairs
                    .iter()
                    .map(|p| (p.id.clone(), p.answer.clone()))
                    .collect(),
            },
            QuestionKind::Ordering { items, .. } => CorrectAnswer::Ordering {
                order: items.iter().map(|i| i.id.clone()).collect(),
            },
            QuestionKind::Essay { .. } | QuestionKind::Description => CorrectAnswer::None,
        }
    }

    /// A response that earns the most the answer key allows, or `None` for essays and
    /// descriptions. Useful for previews ("show me the right answer") and for tests.
    pub fn best_response(&self) -> Option<crate::Response> {
        use crate::Response;
        match &self.kind {
            QuestionKind::SingleChoice { choices, .. } => choices
                .iter()
                .max_by(|a, b| a.weight.total_cmp(&b.weight))
                .map(|c| Response::SingleChoice {
                    option: c.id.clone(),
                }),
            QuestionKind::MultipleResponse { choices, .. } => Some(Response::MultipleResponse {
                options: choices
                    .iter()
                    .filter(|c| c.weight > 0.0)
                    .map(|c| c.id.clone())
                    .collect(),
            }),
            QuestionKind::TrueFalse { correct, .. } => {
                Some(Response::TrueFalse { value: *correct })
            }
            QuestionKind::ShortAnswer { answers, .. } => answers
                .iter()
                .max_by(|a, b| a.weight.total_cmp(&b.weight))
                .map(|a| Response::ShortAnswer {
                    text: a.text.clone(),
                }),
            QuestionKind::Numeric { answers, .. } => answers
                .iter()
                .max_by(|a, b| a.weight.total_cmp(&b.weight))
                .map(|a| {
                    let x = match a.value {
                        NumericValue::Exact { value, .. } => value,
                        NumericValue::Range { min, max } => min + (max - min) / 2.0,
                    };
                    Response::Numeric {
                        input: format!("{x}"),
                    }
                }),
            QuestionKind::Matching { pairs, .. } => Some(Response::Matching {
                pairs: pairs
                    .iter()
                    .map(|p| (p.id.clone(), p.answer.clone()))
                    .collect(),
            }),
            QuestionKind::Ordering { items, .. } => Some(Response::Ordering {
                order: items.iter().map(|i| i.id.clone()).collect(),
            }),
            QuestionKind::Essay { .. } | QuestionKind::Description => None,
        }
    }

    /// Every option-like id a response may name (options, prompts, choices, items).
    pub fn option_ids(&self) -> BTreeSet<&OptionId> {
        match &self.kind {
            QuestionKind::SingleChoice { choices, .. }
            | QuestionKind::MultipleResponse { choices, .. } => {
                choices.iter().map(|c| &c.id).collect()
            }
            QuestionKind::Matching { pairs, choices, .. } => pairs
                .iter()
                .map(|p| &p.id)
                .chain(choices.iter().map(|c| &c.id))
                .collect(),
            QuestionKind::Ordering { items, .. } => items.iter().map(|i| &i.id).collect(),
            _ => BTreeSet::new(),
        }
    }

    /// Checks the invariants the grader relies on: finite non-negative points, finite weights
    /// in `[-1, 1]`, unique option ids, matching answers that exist.
    pub fn validate(&self) -> Result<(), QuizError> {
        let bad = |reason: String| QuizError::InvalidQuestion {
            id: self.id.clone(),
            reason,
        };
        if !self.default_points.is_finite() || self.default_points < 0.0 {
            return Err(bad(format!(
                "points must be a number ≥ 0, not {}",
                self.default_points
            )));
        }
        let check_weight = |w: f64| -> Result<(), QuizError> {
            if w.is_finite() && (-1.0..=1.0).contains(&w) {
                Ok(())
            } else {
                Err(bad(format!("weight {w} is outside -100 %..100 %")))
            }
        };
        let unique = |ids: Vec<&OptionId>| -> Result<(), QuizError> {
            let mut seen = BTreeSet::new();
            for id in ids {
                if !seen.insert(id) {
                    return Err(bad(format!("option id `{id}` is used twice")));
                }
            }
            Ok(())
        };
        match &self.kind {
            QuestionKind::SingleChoice { choices, .. }
            | QuestionKind::MultipleResponse { choices, .. } => {
                if choices.is_empty() {
                    return Err(bad("a choice question needs options".into()));
                }
                for c in choices {
                    check_weight(c.weight)?;
                }
                unique(choices.iter().map(|c| &c.id).collect())?;
            }
            QuestionKind::ShortAnswer { answers, .. } => {
                if answers.is_empty() {
                    return Err(bad("a short-answer question needs accepted answers".into()));
                }
                for a in answers {
                    check_weight(a.weight)?;
                }
            }
            QuestionKind::Numeric { answers, .. } => {
                if answers.is_empty() {
                    return Err(bad("a numeric question needs accepted answers".into()));
                }
                for a in answers {
                    check_weight(a.weight)?;
                    let finite = match a.value {
                        NumericValue::Exact { value, tolerance } => {
                            value.is_finite() && tolerance.is_finite()
                        }
                        NumericValue::Range { min, max } => min.is_finite() && max.is_finite(),
                    };
                    if !finite {
                        return Err(bad("numeric answers must be finite numbers".into()));
                    }
                }
            }
            QuestionKind::Matching { pairs, choices, .. } => {
                if pairs.is_empty() {
                    return Err(bad("a matching question needs pairs".into()));
                }
                unique(pairs.iter().map(|p| &p.id).collect())?;
                unique(choices.iter().map(|c| &c.id).collect())?;
                for p in pairs {
                    if !choices.iter().any(|c| c.id == p.answer) {
                        return Err(bad(format!(
                            "pair `{}` answers unknown choice `{}`",
                            p.id, p.answer
                        )));
                    }
                }
            }
            QuestionKind::Ordering { items, .. } => {
                if items.len() < 2 {
                    return Err(bad("an ordering question needs at least two items".into()));
                }
                unique(items.iter().map(|i| &i.id).collect())?;
            }
            QuestionKind::TrueFalse { .. }
            | QuestionKind::Essay { .. }
            | QuestionKind::Description => {}
        }
        Ok(())
    }
}

impl QuestionKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            QuestionKind::SingleChoice { .. } => "single",
            QuestionKind::MultipleResponse { .. } => "multiple",
            QuestionKind::TrueFalse { .. } => "truefalse",
            QuestionKind::ShortAnswer { .. } => "short",
            QuestionKind::Numeric { .. } => "numeric",
            QuestionKind::Matching { .. } => "matching",
            QuestionKind::Ordering { .. } => "ordering",
            QuestionKind::Essay { .. } => "essay",
            QuestionKind::Description => "description",
        }
    }
}

/// Builds matching pairs and choices from `(prompt, answer)` texts, deduplicating answers that
/// several prompts share; an empty prompt makes the answer a distractor.
pub fn build_matching(entries: &[(String, String)]) -> (Vec<MatchPair>, Vec<MatchChoice>) {
    let mut choices: Vec<MatchChoice> = Vec::new();
    let mut pairs: Vec<MatchPair> = Vec::new();
    for (prompt, answer) in entries {
        let choice_id = match choices.iter().find(|c| c.text == *answer) {
            Some(c) => c.id.clone(),
            None => {
                let id = unique_option_id(answer, choices.iter().map(|c| &c.id));
                choices.push(MatchChoice {
                    id: id.clone(),
                    text: answer.clone(),
                });
                id
            }
        };
        if !prompt.trim().is_empty() {
            let id = unique_option_id(prompt, pairs.iter().map(|p| &p.id));
            pairs.push(MatchPair {
                id,
                prompt: prompt.clone(),
                answer: choice_id,
            });
        }
    }
    (pairs, choices)
}

/// [`OptionId::from_text`], made unique against `taken` by a `-2`, `-3`… suffix.
pub fn unique_option_id<'a>(
    text: &str,
    taken: impl Iterator<Item = &'a OptionId> + Clone,
) -> OptionId {
    let base = OptionId::from_text(text);
    if !taken.clone().any(|t| *t == base) {
        return base;
    }
    let mut n = 2;
    loop {
        let candidate = OptionId::new(format!("{base}-{n}"));
        if !taken.clone().any(|t| *t == candidate) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn numeric_values_accept_with_tolerance_and_ranges() {
        let exact = NumericValue::Exact {
            value: 5.0,
            tolerance: 0.5,
        };
        assert!(exact.accepts(5.5));
        assert!(exact.accepts(4.5));
        assert!(!exact.accepts(5.51));
        assert!(!exact.accepts(f64::NAN));
        let zero = NumericValue::Exact {
            value: 0.3,
            tolerance: 0.0,
        };
        assert!(zero.accepts(0.1 + 0.2));
        let range = NumericValue::Range { min: 1.0, max: 5.0 };
        assert!(range.accepts(1.0) && range.accepts(5.0) && range.accepts(3.3));
        assert!(!range.accepts(5.01) && !range.accepts(0.99));
        let reversed = NumericValue::Range { min: 5.0, max: 1.0 };
        assert!(reversed.accepts(3.0));
    }

    #[test]
    fn matching_builder_shares_answers_and_keeps_distractors() {
        let (pairs, choices) = build_matching(&[
            ("Kucing".into(), "Mamalia".into()),
            ("Paus".into(), "Mamalia".into()),
            ("Elang".into(), "Burung".into()),
            ("".into(), "Ikan".into()),
        ]);
        assert_eq!(pairs.len(), 3);
        assert_eq!(choices.len(), 3);
        assert_eq!(pairs[0].answer, pairs[1].answer);
        assert!(choices.iter().any(|c| c.text == "Ikan"));
    }

    #[test]
    fn unique_ids_get_suffixes() {
        let a = OptionId::from_text("x");
        let taken = [a.clone(), OptionId::new(format!("{a}-2"))];
        assert_eq!(
            unique_option_id("x", taken.iter()).as_str(),
            format!("{a}-3")
        );
    }
}
