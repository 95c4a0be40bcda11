//! What a learner's device receives: the question without any secret.
//!
//! These types are built field by field from a [`Question`] rather than by hiding fields of it,
//! so a field added to the model later cannot leak by accident: it has to be copied here on
//! purpose. There is deliberately no title (titles often name the answer), no weight, no
//! correct flag, no accepted answer, no tolerance, no feedback and no grader information.

use serde::{Deserialize, Serialize};

use crate::ids::{OptionId, QuestionId};
use crate::model::{Question, QuestionKind, TextFormat};
use crate::rng::{rng_for, shuffle};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LearnerQuestion {
    pub id: QuestionId,
    pub text: String,
    pub text_format: TextFormat,
    /// Points the question is worth in this quiz (shown as "2 poin").
    pub points: f64,
    pub kind: LearnerKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LearnerOption {
    pub id: OptionId,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LearnerKind {
    SingleChoice {
        options: Vec<LearnerOption>,
    },
    MultipleResponse {
        options: Vec<LearnerOption>,
    },
    TrueFalse,
    ShortAnswer,
    Numeric,
    /// Answer with a choice id for each prompt id.
    Matching {
        prompts: Vec<LearnerOption>,
        choices: Vec<LearnerOption>,
    },
    /// Items in a random order; answer with all item ids in the chosen order.
    Ordering {
        items: Vec<LearnerOption>,
    },
    Essay {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_template: Option<String>,
    },
    Description,
}

/// Whether options may be shuffled; a quiz can switch shuffling off for all its questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OptionShuffle {
    /// Follow each question's own `shuffle` flag.
    AsQuestionSays,
    /// Keep the author's order (matching choices and ordering items are still shuffled, since
    /// their author order *is* the answer).
    Never,
}

impl Question {
    /// The learner's view of the question, with options shuffled (when the question allows it)
    /// reproducibly from `seed`: the same seed always gives the same order.
    pub fn for_learner(&self, seed: u64) -> LearnerQuestion {
        self.for_learner_with(seed, OptionShuffle::AsQuestionSays, self.default_points)
    }

    /// [`Question::for_learner`] with the quiz's shuffle setting and the quiz's mark.
    pub fn for_learner_with(
        &self,
        seed: u64,
        shuffle_setting: OptionShuffle,
        points: f64,
    ) -> LearnerQuestion {
        let allowed = shuffle_setting == OptionShuffle::AsQuestionSays;
        let key = self.id.as_str();
        let kind = match &self.kind {
            QuestionKind::SingleChoice {
                choices,
                shuffle: s,
            } => LearnerKind::SingleChoice {
                options: shuffled(
                    choices.iter().map(|c| opt(&c.id, &c.text)).collect(),
                    (allowed && *s).then_some((seed, "options", key)),
                ),
            },
            QuestionKind::MultipleResponse {
                choices,
                shuffle: s,
            } => LearnerKind::MultipleResponse {
                options: shuffled(
                    choices.iter().map(|c| opt(&c.id, &c.text)).collect(),
                    (allowed && *s).then_some((seed, "options", key)),
                ),
            },
            QuestionKind::TrueFalse { .. } => LearnerKind::TrueFalse,
            QuestionKind::ShortAnswer { .. } => LearnerKind::ShortAnswer,
            QuestionKind::Numeric { .. } => LearnerKind::Numeric,
            QuestionKind::Matching {
                pairs,
                choices,
                shuffle: s,
            } => LearnerKind::Matching {
                prompts: shuffled(
                    pairs.iter().map(|p| opt(&p.id, &p.prompt)).collect(),
                    (allowed && *s).then_some((seed, "prompts", key)),
                ),
                choices: shuffled(
                    choices.iter().map(|c| opt(&c.id, &c.text)).collect(),
                    Some((seed, "choices", key)),
                ),
            },
            QuestionKind::Ordering { items, .. } => LearnerKind::Ordering {
                items: shuffled(
                    items.iter().map(|i| opt(&i.id, &i.text)).collect(),
                    Some((seed, "items", key)),
                ),
            },
            QuestionKind::Essay {
                response_template, ..
            } => LearnerKind::Essay {
                response_template: response_template.clone(),
            },
            QuestionKind::Description => LearnerKind::Description,
        };
        LearnerQuestion {
            id: self.id.clone(),
            text: self.text.clone(),
            text_format: self.text_format,
            points: if self.is_gradable() && points.is_finite() && points > 0.0 {
                points
            } else {
                0.0
            },
            kind,
        }
    }
}

fn opt(id: &OptionId, text: &str) -> LearnerOption {
    LearnerOption {
        id: id.clone(),
        text: text.to_string(),
    }
}

fn shuffled(mut options: Vec<LearnerOption>, how: Option<(u64, &str, &str)>) -> Vec<LearnerOption> {
    if let Some((seed, domain, key)) = how {
        shuffle(&mut rng_for(seed, domain, key), &mut options);
    }
    options
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::model::*;

    fn choice_question(shuffle: bool) -> Question {
        let choices = (0..6)
            .map(|i| Choice {
                id: OptionId::from_text(&format!("opsi {i}")),
                text: format!("opsi {i}"),
                weight: if i == 0 { 1.0 } else { 0.0 },
                feedback: Some(format!("RAHASIA-{i}")),
            })
            .collect();
        Question {
            id: QuestionId::new("q1"),
            title: "Judul rahasia".into(),
            text: "Pilih satu".into(),
            text_format: TextFormat::Markdown,
            default_points: 1.0,
            category: None,
            tags: vec![],
            general_feedback: Some("RAHASIA-umum".into()),
            kind: QuestionKind::SingleChoice { choices, shuffle },
            source_line: None,
        }
    }

    fn order(q: &LearnerQuestion) -> Vec<String> {
        match &q.kind {
            LearnerKind::SingleChoice { options } => {
                options.iter().map(|o| o.text.clone()).collect()
            }
            _ => vec![],
        }
    }

    #[test]
    fn shuffle_is_reproducible_from_the_seed_and_varies_between_seeds() {
        let q = choice_question(true);
        assert_eq!(order(&q.for_learner(7)), order(&q.for_learner(7)));
        let distinct: std::collections::BTreeSet<_> =
            (0..20).map(|s| order(&q.for_learner(s))).collect();
        assert!(
            distinct.len() > 10,
            "20 seeds gave only {} orders",
            distinct.len()
        );
    }

    #[test]
    fn no_shuffle_keeps_the_author_order() {
        let q = choice_question(false);
        let expected: Vec<String> = (0..6).map(|i| format!("opsi {i}")).collect();
        assert_eq!(order(&q.for_learner(3)), expected);
        let q = choice_question(true);
        assert_eq!(
            order(&q.for_learner_with(3, OptionShuffle::Never, 1.0)),
            expected
        );
    }

    #[test]
    fn learner_view_has_no_title_feedback_or_weights() {
        let json = serde_json::to_string(&choice_question(true).for_learner(1)).unwrap();
        assert!(!json.contains("RAHASIA"), "{json}");
        assert!(!json.contains("Judul"), "{json}");
        assert!(!json.contains("weight"), "{json}");
    }

    #[test]
    fn ordering_items_are_always_shuffled() {
        let items: Vec<OrderItem> = (0..8)
            .map(|i| OrderItem {
                id: OptionId::from_text(&i.to_string()),
                text: i.to_string(),
            })
            .collect();
        let mut q = choice_question(false);
        q.kind = QuestionKind::Ordering {
            items: items.clone(),
            scoring: OrderingScoring::default(),
        };
        let shown = q.for_learner_with(5, OptionShuffle::Never, 1.0);
        let LearnerKind::Ordering { items: shown } = shown.kind else {
            panic!("not ordering")
        };
        let shown: Vec<_> = shown.into_iter().map(|o| o.text).collect();
        let author: Vec<_> = items.into_iter().map(|i| i.text).collect();
        assert_ne!(shown, author);
        let mut sorted = shown.clone();
        sorted.sort();
        assert_eq!(sorted, author);
    }
}
