//! Attempts: drawing the questions, grading a submission, combining attempts, regrading and
//! the learner's review.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::bank::QuestionBank;
use crate::error::QuizError;
use crate::grade::{Feedback, Grade, GradeState, Response, grade_response, manual_grade};
use crate::ids::{OptionId, QuestionId};
use crate::learner::{LearnerQuestion, OptionShuffle};
use crate::model::CorrectAnswer;
use crate::rng::{below, rng_for, shuffle};
use crate::spec::{GradingMethod, QuizSpec, ReviewLevel, Section};

/// The questions of one attempt, fixed when it starts and stored with it, so that later edits
/// of the quiz settings do not change an attempt in progress or its grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptPlan {
    pub quiz_id: String,
    pub seed: u64,
    pub shuffle_options: bool,
    pub slots: Vec<Slot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    pub question_id: QuestionId,
    pub max_points: f64,
    /// Index of the section of the spec the question came from.
    pub section: usize,
}

/// Draws the questions of a new attempt, reproducibly: the same spec, bank and seed always give
/// the same plan.
///
/// Draws pick without replacement from the category's questions sorted by id (so the bank's
/// file order does not matter) and never repeat a question used by another section. With
/// `shuffle_questions`, questions are shuffled within each section, keeping sections in order.
pub fn build_attempt(
    spec: &QuizSpec,
    bank: &QuestionBank,
    seed: u64,
) -> Result<AttemptPlan, QuizError> {
    // Fixed questions are reserved first so that a draw cannot take one a later section names.
    let mut used: BTreeSet<QuestionId> = BTreeSet::new();
    for section in &spec.sections {
        if let Section::Fixed { questions, .. } = section {
            for id in questions {
                bank.require(id)?;
                if !used.insert(id.clone()) {
                    return Err(QuizError::QuestionRepeated(id.clone()));
                }
            }
        }
    }
    let mut slots = Vec::new();
    for (index, section) in spec.sections.iter().enumerate() {
        let mut chosen: Vec<(QuestionId, f64)> = match section {
            Section::Fixed { questions, points } => questions
                .iter()
                .map(|id| {
                    bank.require(id)
                        .map(|q| (id.clone(), points.unwrap_or(q.default_points)))
                })
                .collect::<Result<_, _>>()?,
            Section::Draw {
                category,
                count,
                points,
            } => {
                let mut pool: Vec<_> = bank
                    .in_category(category)
                    .filter(|q| q.is_gradable() && !used.contains(&q.id))
                    .collect();
                pool.sort_by(|a, b| a.id.cmp(&b.id));
                let wanted = *count as usize;
                if pool.len() < wanted {
                    return Err(QuizError::NotEnoughQuestions {
                        category: category.clone(),
                        wanted: *count,
                        available: pool.len(),
                    });
                }
                let mut rng = rng_for(seed, "draw", &format!("{index}:{category}"));
                // Partial Fisher–Yates: the first `wanted` places hold a uniform sample.
                for i in 0..wanted {
                    let j = i + below(&mut rng, pool.len() - i);
                    pool.swap(i, j);
                }
                pool.truncate(wanted);
                let picked: Vec<_> = pool
                    .iter()
                    .map(|q| (q.id.clone(), points.unwrap_or(q.default_points)))
                    .collect();
                used.extend(picked.iter().map(|(id, _)| id.clone()));
                picked
            }
        };
        if spec.shuffle_questions {
            shuffle(
                &mut rng_for(seed, "questions", &index.to_string()),
                &mut chosen,
            );
        }
        for (question_id, max_points) in chosen {
            if !max_points.is_finite() || max_points < 0.0 {
                return Err(QuizError::InvalidSpec(format!(
                    "points for `{question_id}` must be ≥ 0"
                )));
            }
            slots.push(Slot {
                question_id,
                max_points,
                section: index,
            });
        }
    }
    Ok(AttemptPlan {
        quiz_id: spec.id.clone(),
        seed,
        shuffle_options: spec.shuffle_options,
        slots,
    })
}

impl AttemptPlan {
    /// The questions as the learner's device shows them, in attempt order.
    pub fn learner_questions(
        &self,
        bank: &QuestionBank,
    ) -> Result<Vec<LearnerQuestion>, QuizError> {
        let setting = if self.shuffle_options {
            OptionShuffle::AsQuestionSays
        } else {
            OptionShuffle::Never
        };
        self.slots
            .iter()
            .map(|slot| {
                bank.require(&slot.question_id)
                    .map(|q| q.for_learner_with(self.seed, setting, slot.max_points))
            })
            .collect()
    }

    pub fn max_points(&self) -> f64 {
        self.slots.iter().map(|s| s.max_points).sum()
    }

    pub fn slot(&self, question_id: &QuestionId) -> Option<&Slot> {
        self.slots.iter().find(|s| s.question_id == *question_id)
    }
}

/// A learner's attempt as stored: the plan, the responses and any grades set by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    pub plan: AttemptPlan,
    pub started_at: DateTime<Utc>,
    /// `None` while in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub responses: BTreeMap<QuestionId, Response>,
    #[serde(default)]
    pub manual_grades: BTreeMap<QuestionId, ManualGrade>,
}

/// Points an instructor gave (essays, or an override of the automatic grade).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManualGrade {
    pub points: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Attempt {
    pub fn new(number: u32, plan: AttemptPlan, started_at: DateTime<Utc>) -> Self {
        Self {
            number,
            plan,
            started_at,
            submitted_at: None,
            responses: BTreeMap::new(),
            manual_grades: BTreeMap::new(),
        }
    }

    /// Records a grade given by hand, checked against the question's mark in this attempt.
    pub fn set_manual_grade(
        &mut self,
        question_id: &QuestionId,
        points: f64,
        comment: Option<String>,
    ) -> Result<(), QuizError> {
        let slot = self
            .plan
            .slot(question_id)
            .ok_or_else(|| QuizError::NotInAttempt(question_id.clone()))?;
        if !points.is_finite() || points < 0.0 || points > slot.max_points + 1e-9 {
            return Err(QuizError::InvalidManualGrade {
                question_id: question_id.clone(),
                points,
                max_points: slot.max_points,
            });
        }
        self.manual_grades
            .insert(question_id.clone(), ManualGrade { points, comment });
        Ok(())
    }
}

/// The grade of one attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptGrade {
    /// One per slot, in attempt order.
    pub questions: Vec<SlotGrade>,
    pub points: f64,
    pub max_points: f64,
    /// `points / max_points` × 100 (0 when the maximum is 0).
    pub percent: f64,
    /// `false` while a question waits for manual grading.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotGrade {
    pub question_id: QuestionId,
    pub grade: Grade,
}

/// Whether an attempt or a final grade passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PassState {
    Passed,
    Failed,
    /// Waiting for manual grading; may still pass.
    Pending,
    /// The quiz has no pass mark.
    NoPassMark,
}

impl AttemptGrade {
    /// Pass check against a pass mark in percent. An incomplete attempt that already reaches
    /// the mark has passed (manual grades can only add points).
    pub fn pass_state(&self, pass_mark_percent: Option<f64>) -> PassState {
        pass_state(self.percent, self.complete, pass_mark_percent)
    }

    pub fn get(&self, question_id: &QuestionId) -> Option<&Grade> {
        self.questions
            .iter()
            .find(|g| g.question_id == *question_id)
            .map(|g| &g.grade)
    }
}

fn pass_state(percent: f64, complete: bool, pass_mark_percent: Option<f64>) -> PassState {
    match pass_mark_percent {
        None => PassState::NoPassMark,
        Some(mark) if percent + 1e-9 >= mark => PassState::Passed,
        Some(_) if !complete => PassState::Pending,
        Some(_) => PassState::Failed,
    }
}

/// Grades every slot of `attempt` against the questions currently in `bank`; grades set by
/// hand replace the automatic ones.
pub fn grade_attempt(attempt: &Attempt, bank: &QuestionBank) -> Result<AttemptGrade, QuizError> {
    let mut questions = Vec::with_capacity(attempt.plan.slots.len());
    for slot in &attempt.plan.slots {
        let question = bank.require(&slot.question_id)?;
        let response = attempt.responses.get(&slot.question_id);
        let grade = match attempt.manual_grades.get(&slot.question_id) {
            Some(m) if question.is_gradable() => manual_grade(
                question,
                response,
                slot.max_points,
                // The mark may have been lowered since; keep the manual grade within it.
                m.points.clamp(0.0, slot.max_points.max(0.0)),
                m.comment.clone(),
            )?,
            _ => grade_response(question, response, slot.max_points),
        };
        questions.push(SlotGrade {
            question_id: slot.question_id.clone(),
            grade,
        });
    }
    let points: f64 = questions.iter().map(|g| g.grade.points).sum();
    let max_points: f64 = questions.iter().map(|g| g.grade.max_points).sum();
    let complete = questions.iter().all(|g| !g.grade.is_pending());
    let percent = if max_points > 0.0 {
        (points / max_points * 100.0).clamp(0.0, 100.0)
    } else {
        0.0
    };
    Ok(AttemptGrade {
        questions,
        points: round4(points),
        max_points: round4(max_points),
        percent: round4(percent),
        complete,
    })
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// An attempt with its grade, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradedAttempt {
    pub attempt: Attempt,
    pub grade: AttemptGrade,
}

impl GradedAttempt {
    pub fn grade(attempt: Attempt, bank: &QuestionBank) -> Result<Self, QuizError> {
        let grade = grade_attempt(&attempt, bank)?;
        Ok(Self { attempt, grade })
    }
}

/// The learner's grade for the quiz across attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinalGrade {
    pub percent: f64,
    pub method: GradingMethod,
    /// Numbers of the attempts the grade comes from.
    pub attempts: Vec<u32>,
    /// An attempt it comes from still waits for manual grading.
    pub pending: bool,
}

impl FinalGrade {
    pub fn pass_state(&self, pass_mark_percent: Option<f64>) -> PassState {
        pass_state(self.percent, !self.pending, pass_mark_percent)
    }
}

/// Combines the submitted attempts (unsubmitted ones are ignored) by `method`; `None` when none
/// was submitted. "First" and "last" go by submission time, then attempt number.
pub fn final_grade(attempts: &[GradedAttempt], method: GradingMethod) -> Option<FinalGrade> {
    let mut submitted: Vec<&GradedAttempt> = attempts
        .iter()
        .filter(|a| a.attempt.submitted_at.is_some())
        .collect();
    submitted.sort_by_key(|a| (a.attempt.submitted_at, a.attempt.number));
    let one = |a: &GradedAttempt| FinalGrade {
        percent: a.grade.percent,
        method,
        attempts: vec![a.attempt.number],
        pending: !a.grade.complete,
    };
    match method {
        GradingMethod::First => submitted.first().map(|a| one(a)),
        GradingMethod::Last => submitted.last().map(|a| one(a)),
        GradingMethod::Highest => submitted
            .iter()
            // Ties go to the earlier attempt.
            .fold(None::<&GradedAttempt>, |best, a| match best {
                Some(b) if b.grade.percent >= a.grade.percent => Some(b),
                _ => Some(a),
            })
            .map(one),
        GradingMethod::Average => {
            if submitted.is_empty() {
                return None;
            }
            let mean =
                submitted.iter().map(|a| a.grade.percent).sum::<f64>() / submitted.len() as f64;
            Some(FinalGrade {
                percent: round4(mean),
                method,
                attempts: submitted.iter().map(|a| a.attempt.number).collect(),
                pending: submitted.iter().any(|a| !a.grade.complete),
            })
        }
    }
}

/// What regrading changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Regrade {
    pub graded: GradedAttempt,
    pub changes: Vec<RegradeChange>,
    pub warnings: Vec<RegradeWarning>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegradeChange {
    pub question_id: QuestionId,
    pub old_points: f64,
    pub new_points: f64,
}

/// Responses the corrected question can no longer read; they now score nothing, and someone
/// should look at them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegradeWarning {
    /// The response names options the question no longer has (an option was removed or its
    /// text, and so its id, changed).
    UnknownOptions {
        question_id: QuestionId,
        options: Vec<OptionId>,
    },
    /// The question changed type; the response no longer fits.
    ResponseNoLongerFits { question_id: QuestionId },
}

/// Regrades a stored attempt against the current (corrected) questions. Manual grades are kept.
pub fn regrade_attempt(stored: &GradedAttempt, bank: &QuestionBank) -> Result<Regrade, QuizError> {
    let grade = grade_attempt(&stored.attempt, bank)?;
    let mut changes = Vec::new();
    let mut warnings = Vec::new();
    for new in &grade.questions {
        let old_points = stored.grade.get(&new.question_id).map_or(0.0, |g| g.points);
        if (old_points - new.grade.points).abs() > 1e-9 {
            changes.push(RegradeChange {
                question_id: new.question_id.clone(),
                old_points,
                new_points: new.grade.points,
            });
        }
        let question = bank.require(&new.question_id)?;
        if let Some(response) = stored.attempt.responses.get(&new.question_id) {
            if !response.fits(question) {
                warnings.push(RegradeWarning::ResponseNoLongerFits {
                    question_id: new.question_id.clone(),
                });
                continue;
            }
            let known = question.option_ids();
            let unknown: Vec<OptionId> = response
                .option_ids()
                .into_iter()
                .filter(|id| !known.contains(id))
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if !unknown.is_empty() {
                warnings.push(RegradeWarning::UnknownOptions {
                    question_id: new.question_id.clone(),
                    options: unknown,
                });
            }
        }
    }
    Ok(Regrade {
        graded: GradedAttempt {
            attempt: stored.attempt.clone(),
            grade,
        },
        changes,
        warnings,
    })
}

/// A submitted attempt as the learner may see it under a [`ReviewLevel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptReview {
    pub level: ReviewLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_state: Option<PassState>,
    /// Empty below [`ReviewLevel::Responses`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<ReviewItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewItem {
    pub question: LearnerQuestion,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    pub points: f64,
    pub max_points: f64,
    pub state: GradeState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_answer: Option<CorrectAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
}

/// Builds the learner's review of a graded attempt, showing no more than `level` allows.
pub fn review_attempt(
    graded: &GradedAttempt,
    bank: &QuestionBank,
    level: ReviewLevel,
    pass_mark_percent: Option<f64>,
) -> Result<AttemptReview, QuizError> {
    let mut review = AttemptReview {
        level,
        points: None,
        max_points: None,
        percent: None,
        pass_state: None,
        questions: Vec::new(),
    };
    if level >= ReviewLevel::Score {
        review.points = Some(graded.grade.points);
        review.max_points = Some(graded.grade.max_points);
        review.percent = Some(graded.grade.percent);
        review.pass_state = Some(graded.grade.pass_state(pass_mark_percent));
    }
    if level >= ReviewLevel::Responses {
        let shown = graded.attempt.plan.learner_questions(bank)?;
        for (question, slot_grade) in shown.into_iter().zip(&graded.grade.questions) {
            let full = bank.require(&slot_grade.question_id)?;
            let g = &slot_grade.grade;
            review.questions.push(ReviewItem {
                response: graded.attempt.responses.get(&question.id).cloned(),
                points: g.points,
                max_points: g.max_points,
                state: g.state,
                correct_answer: (level >= ReviewLevel::CorrectAnswers)
                    .then(|| full.correct_answer()),
                feedback: (level >= ReviewLevel::Feedback && !g.feedback.is_empty())
                    .then(|| g.feedback.clone()),
                question,
            });
        }
    }
    Ok(review)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::model::*;
    use crate::spec::{QuizRole, ReviewPolicy};
    use chrono::{TimeDelta, TimeZone};

    fn tf(id: &str, category: &str, points: f64) -> Question {
        Question {
            id: QuestionId::new(id),
            title: id.into(),
            text: format!("Pernyataan {id}"),
            text_format: TextFormat::Markdown,
            default_points: points,
            category: Some(category.into()),
            tags: vec![],
            general_feedback: Some(format!("umum {id}")),
            kind: QuestionKind::TrueFalse {
                correct: true,
                feedback_true: Some("ya".into()),
                feedback_false: None,
            },
            source_line: None,
        }
    }

    fn essay(id: &str) -> Question {
        Question {
            kind: QuestionKind::Essay {
                response_template: None,
                grader_info: Some("rubrik".into()),
            },
            ..tf(id, "esai", 4.0)
        }
    }

    fn bank() -> QuestionBank {
        let mut qs: Vec<Question> = (0..10)
            .map(|i| tf(&format!("a{i}"), "Dasar", 1.0))
            .collect();
        qs.extend((0..5).map(|i| tf(&format!("b{i}"), "Lanjut/Sub", 2.0)));
        qs.push(essay("e1"));
        QuestionBank::new(qs).unwrap()
    }

    fn spec(sections: Vec<Section>) -> QuizSpec {
        QuizSpec {
            id: "ujian".into(),
            title: "Ujian".into(),
            role: QuizRole::Final,
            time_limit_minutes: Some(30),
            max_attempts: Some(3),
            pass_mark_percent: Some(60.0),
            grading_method: GradingMethod::Highest,
            review_policy: ReviewPolicy::default(),
            shuffle_questions: true,
            shuffle_options: true,
            sections,
        }
    }

    fn ids(plan: &AttemptPlan) -> Vec<String> {
        plan.slots
            .iter()
            .map(|s| s.question_id.to_string())
            .collect()
    }

    #[test]
    fn draws_are_reproducible_without_repeats_and_respect_sections() {
        let spec = spec(vec![
            Section::Fixed {
                questions: vec!["a0".into()],
                points: None,
            },
            Section::Draw {
                category: "dasar".into(),
                count: 4,
                points: Some(0.5),
            },
            Section::Draw {
                category: "Lanjut".into(),
                count: 2,
                points: None,
            },
        ]);
        let bank = bank();
        let a = build_attempt(&spec, &bank, 99).unwrap();
        assert_eq!(a, build_attempt(&spec, &bank, 99).unwrap());
        assert_eq!(a.slots.len(), 7);
        assert_eq!(ids(&a)[0], "a0");
        let unique: BTreeSet<_> = ids(&a).into_iter().collect();
        assert_eq!(unique.len(), 7, "no question twice");
        assert!(
            a.slots[1..5]
                .iter()
                .all(|s| s.question_id.as_str().starts_with('a') && s.max_points == 0.5)
        );
        assert!(
            a.slots[5..]
                .iter()
                .all(|s| s.question_id.as_str().starts_with('b') && s.max_points == 2.0)
        );
        assert!(
            !a.slots[1..5].iter().any(|s| s.question_id.as_str() == "a0"),
            "fixed question not drawn again"
        );
        let draws: BTreeSet<Vec<String>> = (0..30)
            .map(|s| ids(&build_attempt(&spec, &bank, s).unwrap()))
            .collect();
        assert!(draws.len() > 20, "seeds should give different draws");
        // The bank's order does not matter, only its contents.
        let mut reversed: Vec<Question> = bank.questions().to_vec();
        reversed.reverse();
        let reversed = QuestionBank::new(reversed).unwrap();
        assert_eq!(
            ids(&build_attempt(&spec, &reversed, 99).unwrap())
                .into_iter()
                .collect::<BTreeSet<_>>(),
            unique
        );
    }

    #[test]
    fn draw_errors() {
        let bank = bank();
        let too_many = spec(vec![Section::Draw {
            category: "Lanjut".into(),
            count: 6,
            points: None,
        }]);
        assert_eq!(
            build_attempt(&too_many, &bank, 1),
            Err(QuizError::NotEnoughQuestions {
                category: "Lanjut".into(),
                wanted: 6,
                available: 5
            })
        );
        let unknown = spec(vec![Section::Fixed {
            questions: vec!["zz".into()],
            points: None,
        }]);
        assert_eq!(
            build_attempt(&unknown, &bank, 1),
            Err(QuizError::UnknownQuestion("zz".into()))
        );
        let twice = spec(vec![
            Section::Fixed {
                questions: vec!["a1".into()],
                points: None,
            },
            Section::Fixed {
                questions: vec!["a1".into()],
                points: None,
            },
        ]);
        assert_eq!(
            build_attempt(&twice, &bank, 1),
            Err(QuizError::QuestionRepeated("a1".into()))
        );
    }

    fn submitted(
        number: u32,
        plan: &AttemptPlan,
        answers: &[(&str, bool)],
        minute: u32,
    ) -> Attempt {
        let start = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).unwrap();
        let mut a = Attempt::new(number, plan.clone(), start);
        a.submitted_at = Some(start + TimeDelta::minutes(i64::from(minute)));
        for (id, v) in answers {
            a.responses
                .insert(QuestionId::new(*id), Response::TrueFalse { value: *v });
        }
        a
    }

    #[test]
    fn attempt_grading_pass_marks_and_manual_grades() {
        let bank = bank();
        let spec = spec(vec![Section::Fixed {
            questions: vec!["a1".into(), "b1".into(), "e1".into()],
            points: None,
        }]);
        let plan = build_attempt(&spec, &bank, 5).unwrap();
        let mut attempt = submitted(1, &plan, &[("a1", true), ("b1", true)], 10);
        attempt.responses.insert(
            "e1".into(),
            Response::Essay {
                text: "uraian".into(),
            },
        );
        let g = grade_attempt(&attempt, &bank).unwrap();
        assert_eq!((g.points, g.max_points, g.complete), (3.0, 7.0, false));
        assert_eq!(g.pass_state(Some(60.0)), PassState::Pending);
        assert_eq!(
            g.pass_state(Some(40.0)),
            PassState::Passed,
            "already above the mark"
        );
        assert_eq!(g.pass_state(None), PassState::NoPassMark);
        assert!(attempt.set_manual_grade(&"e1".into(), 5.0, None).is_err());
        assert!(attempt.set_manual_grade(&"zz".into(), 1.0, None).is_err());
        attempt
            .set_manual_grade(&"e1".into(), 2.0, Some("cukup".into()))
            .unwrap();
        let g = grade_attempt(&attempt, &bank).unwrap();
        assert_eq!((g.points, g.complete), (5.0, true));
        assert!((g.percent - 71.4286).abs() < 1e-9);
        assert_eq!(g.pass_state(Some(60.0)), PassState::Passed);
        assert_eq!(g.pass_state(Some(80.0)), PassState::Failed);
        assert_eq!(
            g.get(&"e1".into()).unwrap().feedback.comment.as_deref(),
            Some("cukup")
        );
    }

    #[test]
    fn grading_methods_across_attempts() {
        let bank = bank();
        let spec = spec(vec![Section::Fixed {
            questions: vec!["a1".into(), "a2".into()],
            points: None,
        }]);
        let plan = build_attempt(&spec, &bank, 5).unwrap();
        let graded = |a: Attempt| GradedAttempt::grade(a, &bank).unwrap();
        // Attempt 1 (submitted 3rd): 50 %; attempt 2 (submitted 1st): 100 %; attempt 3 (2nd): 0 %.
        let attempts = vec![
            graded(submitted(1, &plan, &[("a1", true)], 30)),
            graded(submitted(2, &plan, &[("a1", true), ("a2", true)], 10)),
            graded(submitted(3, &plan, &[], 20)),
            graded(Attempt::new(4, plan.clone(), Utc::now())),
        ];
        let f = |m| final_grade(&attempts, m).unwrap();
        assert_eq!(
            (
                f(GradingMethod::Highest).percent,
                f(GradingMethod::Highest).attempts
            ),
            (100.0, vec![2])
        );
        assert_eq!(
            (
                f(GradingMethod::First).percent,
                f(GradingMethod::First).attempts
            ),
            (100.0, vec![2])
        );
        assert_eq!(
            (
                f(GradingMethod::Last).percent,
                f(GradingMethod::Last).attempts
            ),
            (50.0, vec![1])
        );
        assert_eq!(f(GradingMethod::Average).percent, 50.0);
        assert_eq!(f(GradingMethod::Average).attempts, vec![2, 3, 1]);
        assert_eq!(
            f(GradingMethod::Last).pass_state(Some(60.0)),
            PassState::Failed
        );
        assert!(
            final_grade(&attempts[3..], GradingMethod::Highest).is_none(),
            "unsubmitted attempts do not count"
        );
    }

    #[test]
    fn regrade_after_a_corrected_question_reports_changes_and_keeps_manual_grades() {
        let mut bank = bank();
        let spec = spec(vec![Section::Fixed {
            questions: vec!["a1".into(), "e1".into()],
            points: None,
        }]);
        let plan = build_attempt(&spec, &bank, 5).unwrap();
        let mut attempt = submitted(1, &plan, &[("a1", false)], 10);
        attempt
            .responses
            .insert("e1".into(), Response::Essay { text: "x".into() });
        attempt.set_manual_grade(&"e1".into(), 3.0, None).unwrap();
        let stored = GradedAttempt::grade(attempt, &bank).unwrap();
        assert_eq!(stored.grade.points, 3.0);
        // The author discovers the key was wrong: the statement is false.
        let mut fixed = bank.get(&"a1".into()).unwrap().clone();
        fixed.kind = QuestionKind::TrueFalse {
            correct: false,
            feedback_true: None,
            feedback_false: None,
        };
        bank.upsert(fixed).unwrap();
        let r = regrade_attempt(&stored, &bank).unwrap();
        assert_eq!(r.graded.grade.points, 4.0);
        assert_eq!(
            r.changes,
            vec![RegradeChange {
                question_id: "a1".into(),
                old_points: 0.0,
                new_points: 1.0
            }]
        );
        assert!(r.warnings.is_empty());
        // Changing the type leaves the stored response unreadable: warn.
        let mut changed = bank.get(&"a1".into()).unwrap().clone();
        changed.kind = QuestionKind::SingleChoice {
            choices: vec![Choice {
                id: "x".into(),
                text: "x".into(),
                weight: 1.0,
                feedback: None,
            }],
            shuffle: false,
        };
        bank.upsert(changed).unwrap();
        let r = regrade_attempt(&stored, &bank).unwrap();
        assert_eq!(
            r.warnings,
            vec![RegradeWarning::ResponseNoLongerFits {
                question_id: "a1".into()
            }]
        );
    }

    #[test]
    fn regrade_warns_about_options_that_disappeared() {
        let choices = vec![
            Choice {
                id: "x".into(),
                text: "x".into(),
                weight: 1.0,
                feedback: None,
            },
            Choice {
                id: "y".into(),
                text: "y".into(),
                weight: 0.0,
                feedback: None,
            },
        ];
        let q = Question {
            kind: QuestionKind::SingleChoice {
                choices,
                shuffle: true,
            },
            ..tf("c1", "c", 1.0)
        };
        let mut bank = QuestionBank::new(vec![q.clone()]).unwrap();
        let plan = build_attempt(&QuizSpec::simple("k", "k", vec!["c1".into()]), &bank, 1).unwrap();
        let mut attempt = Attempt::new(1, plan, Utc::now());
        attempt
            .responses
            .insert("c1".into(), Response::SingleChoice { option: "y".into() });
        let stored = GradedAttempt::grade(attempt, &bank).unwrap();
        let mut fixed = q;
        fixed.kind = QuestionKind::SingleChoice {
            choices: vec![Choice {
                id: "x".into(),
                text: "x".into(),
                weight: 1.0,
                feedback: None,
            }],
            shuffle: true,
        };
        bank.upsert(fixed).unwrap();
        let r = regrade_attempt(&stored, &bank).unwrap();
        assert_eq!(
            r.warnings,
            vec![RegradeWarning::UnknownOptions {
                question_id: "c1".into(),
                options: vec!["y".into()]
            }]
        );
    }

    #[test]
    fn review_levels_reveal_progressively() {
        let bank = bank();
        let spec = spec(vec![Section::Fixed {
            questions: vec!["a1".into()],
            points: None,
        }]);
        let plan = build_attempt(&spec, &bank, 5).unwrap();
        let graded = GradedAttempt::grade(submitted(1, &plan, &[("a1", true)], 1), &bank).unwrap();
        let r = |l| review_attempt(&graded, &bank, l, Some(50.0)).unwrap();
        assert_eq!(r(ReviewLevel::Nothing).points, None);
        let score = r(ReviewLevel::Score);
        assert_eq!(
            (score.percent, score.pass_state, score.questions.len()),
            (Some(100.0), Some(PassState::Passed), 0)
        );
        let resp = r(ReviewLevel::Responses);
        assert_eq!(
            resp.questions[0].response,
            Some(Response::TrueFalse { value: true })
        );
        assert!(resp.questions[0].correct_answer.is_none() && resp.questions[0].feedback.is_none());
        let json = serde_json::to_string(&resp).unwrap();
        assert!(!json.contains("umum a1"));
        let ca = r(ReviewLevel::CorrectAnswers);
        assert_eq!(
            ca.questions[0].correct_answer,
            Some(CorrectAnswer::TrueFalse { value: true })
        );
        assert!(ca.questions[0].feedback.is_none());
        let fb = r(ReviewLevel::Feedback);
        let feedback = fb.questions[0].feedback.clone().unwrap();
        assert_eq!(
            (feedback.answer, feedback.general.as_deref()),
            (vec!["ya".to_string()], Some("umum a1"))
        );
    }
}
