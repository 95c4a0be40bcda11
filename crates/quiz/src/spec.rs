//! Quiz settings: what a quiz draws, how long it lasts, how it is passed and reviewed.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::QuestionId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuizSpec {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub role: QuizRole,
    /// `None`: no time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_minutes: Option<u32>,
    /// `None`: unlimited attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// `None`: nothing to pass (practice, pre-tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_mark_percent: Option<f64>,
    #[serde(default)]
    pub grading_method: GradingMethod,
    #[serde(default)]
    pub review_policy: ReviewPolicy,
    /// Shuffle the questions within each section.
    #[serde(default)]
    pub shuffle_questions: bool,
    /// Let questions shuffle their options (each question may still forbid it).
    #[serde(default = "yes")]
    pub shuffle_options: bool,
    pub sections: Vec<Section>,
}

fn yes() -> bool {
    true
}

/// Where a quiz sits in a course; pre-test vs post-test gives the learning gain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuizRole {
    Pretest,
    Posttest,
    Final,
    #[default]
    Practice,
}

/// How the grades of several attempts make the learner's quiz grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GradingMethod {
    #[default]
    Highest,
    /// The latest submitted attempt.
    Last,
    Average,
    First,
}

/// A part of the quiz, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Section {
    /// `count` questions drawn at random from `category` (and its subcategories), none repeated
    /// from elsewhere in the quiz.
    Draw {
        category: String,
        count: u32,
        /// Mark for each drawn question; default: each question's own points.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<f64>,
    },
    /// These questions, always.
    Fixed {
        questions: Vec<QuestionId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<f64>,
    },
}

/// What a learner may see of a submitted attempt. Each level includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewLevel {
    /// Only that the attempt was submitted.
    Nothing,
    /// The score and whether it passed.
    Score,
    /// Plus their own responses, each marked right, partly right or wrong, with points.
    #[default]
    Responses,
    /// Plus the right answers.
    CorrectAnswers,
    /// Plus answer feedback, general feedback and instructors' comments.
    Feedback,
}

/// When the learner sees what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewPolicy {
    /// Right after submitting.
    #[serde(default)]
    pub immediately: ReviewLevel,
    /// Once the quiz is closed for the learner: no attempts left, or the course or programme
    /// has ended. Usually more than `immediately`, so answers do not leak to later attempts.
    #[serde(default = "feedback_level")]
    pub after_close: ReviewLevel,
}

fn feedback_level() -> ReviewLevel {
    ReviewLevel::Feedback
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        Self {
            immediately: ReviewLevel::Responses,
            after_close: ReviewLevel::Feedback,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewMoment {
    Immediately,
    AfterClose,
}

impl ReviewPolicy {
    /// The level in force; never less after closing than right after submitting.
    pub fn level_at(&self, moment: ReviewMoment) -> ReviewLevel {
        match moment {
            ReviewMoment::Immediately => self.immediately,
            ReviewMoment::AfterClose => self.after_close.max(self.immediately),
        }
    }
}

impl QuizSpec {
    /// A quiz of all `questions`, in order, with default settings.
    pub fn simple(
        id: impl Into<String>,
        title: impl Into<String>,
        questions: Vec<QuestionId>,
    ) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            role: QuizRole::default(),
            time_limit_minutes: None,
            max_attempts: None,
            pass_mark_percent: None,
            grading_method: GradingMethod::default(),
            review_policy: ReviewPolicy::default(),
            shuffle_questions: false,
            shuffle_options: true,
            sections: vec![Section::Fixed {
                questions,
                points: None,
            }],
        }
    }

    pub fn time_limit(&self) -> Option<TimeDelta> {
        self.time_limit_minutes
            .map(|m| TimeDelta::minutes(i64::from(m)))
    }

    /// Whether a learner who has used `attempts_used` attempts may start another.
    pub fn may_start_attempt(&self, attempts_used: u32) -> bool {
        self.max_attempts.is_none_or(|max| attempts_used < max)
    }

    /// Attempts left, `None` when unlimited.
    pub fn attempts_left(&self, attempts_used: u32) -> Option<u32> {
        self.max_attempts
            .map(|max| max.saturating_sub(attempts_used))
    }

    /// Whether `percent` reaches the pass mark; `None` when the quiz has no pass mark.
    pub fn passes(&self, percent: f64) -> Option<bool> {
        self.pass_mark_percent.map(|mark| percent + 1e-9 >= mark)
    }
}

/// The last instant a submission is accepted: `started_at + time_limit + grace`. `None` when
/// there is no time limit. The client counts down to `started_at + time_limit`; the grace
/// absorbs network delay and the automatic submission of a timed-out attempt. A negative grace
/// counts as zero.
pub fn deadline(
    started_at: DateTime<Utc>,
    time_limit: Option<TimeDelta>,
    grace: TimeDelta,
) -> Option<DateTime<Utc>> {
    let limit = time_limit?;
    let total = limit
        .max(TimeDelta::zero())
        .checked_add(&grace.max(TimeDelta::zero()))?;
    Some(
        started_at
            .checked_add_signed(total)
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    )
}

/// Whether a submission at `submitted_at` comes after the [`deadline`].
pub fn is_submission_late(
    started_at: DateTime<Utc>,
    submitted_at: DateTime<Utc>,
    time_limit: Option<TimeDelta>,
    grace: TimeDelta,
) -> bool {
    deadline(started_at, time_limit, grace).is_some_and(|d| submitted_at > d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn deadlines_include_the_grace_period() {
        let start = Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap();
        let limit = Some(TimeDelta::minutes(30));
        let grace = TimeDelta::seconds(60);
        assert_eq!(
            deadline(start, limit, grace),
            Some(Utc.with_ymd_and_hms(2025, 3, 1, 8, 31, 0).unwrap())
        );
        assert_eq!(deadline(start, None, grace), None);
        assert_eq!(
            deadline(start, limit, TimeDelta::seconds(-5)),
            Some(start + TimeDelta::minutes(30))
        );
        let on_time = start + TimeDelta::minutes(30) + TimeDelta::seconds(59);
        let late = start + TimeDelta::minutes(31) + TimeDelta::seconds(1);
        assert!(!is_submission_late(start, on_time, limit, grace));
        assert!(
            !is_submission_late(start, start + TimeDelta::minutes(31), limit, grace),
            "the deadline itself is on time"
        );
        assert!(is_submission_late(start, late, limit, grace));
        assert!(!is_submission_late(
            start,
            late + TimeDelta::days(400),
            None,
            grace
        ));
        assert!(deadline(start, Some(TimeDelta::MAX), TimeDelta::zero()).is_some());
    }

    #[test]
    fn attempts_pass_marks_and_review_levels() {
        let mut spec = QuizSpec::simple("k", "Kuis", vec![]);
        assert!(spec.may_start_attempt(100));
        assert_eq!(spec.passes(10.0), None);
        spec.max_attempts = Some(2);
        spec.pass_mark_percent = Some(70.0);
        assert!(spec.may_start_attempt(1) && !spec.may_start_attempt(2));
        assert_eq!(spec.attempts_left(5), Some(0));
        assert_eq!(spec.passes(70.0), Some(true));
        assert_eq!(spec.passes(69.99), Some(false));
        let policy = ReviewPolicy {
            immediately: ReviewLevel::Feedback,
            after_close: ReviewLevel::Score,
        };
        assert_eq!(
            policy.level_at(ReviewMoment::AfterClose),
            ReviewLevel::Feedback
        );
        assert!(
            ReviewLevel::Score < ReviewLevel::Responses
                && ReviewLevel::CorrectAnswers < ReviewLevel::Feedback
        );
    }
}
