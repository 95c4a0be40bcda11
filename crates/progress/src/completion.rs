use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::outline::CourseOutline;
use crate::state::EnrolmentState;

/// What a course demands before it counts as complete. Built per course (the manifest says
/// which quiz, how many minutes, whether feedback is needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompletionRules {
    #[serde(default)]
    pub required_lessons: RequiredLessons,
    /// A quiz that must be passed (its id in the outline).
    #[serde(default)]
    pub required_quiz: Option<String>,
    /// Least reading time, in minutes.
    #[serde(default)]
    pub min_minutes: Option<u32>,
    /// The evaluation form (evaluasi) must be submitted first; see [`crate::submit_feedback`].
    #[serde(default)]
    pub feedback_required: bool,
}

/// Which lessons must be completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequiredLessons {
    /// Every lesson the outline marks required. Because it refers to the outline rather than
    /// listing ids, the rule follows the course when a new version adds or drops lessons.
    #[default]
    AllRequired,
    /// No lesson is demanded: the quiz, time or feedback rules decide alone (a test-out course).
    None,
}

impl Default for CompletionRules {
    fn default() -> Self {
        Self {
            required_lessons: RequiredLessons::AllRequired,
            required_quiz: None,
            min_minutes: None,
            feedback_required: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompletionVerdict {
    pub complete: bool,
    /// What the current rules still ask for. For an enrolment completed under an earlier version
    /// of the course this may be non-empty while `complete` stays true: completion is never lost.
    pub missing: Vec<Missing>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Missing {
    Lesson {
        lesson_id: String,
    },
    Quiz {
        quiz_id: String,
    },
    Time {
        required_minutes: u32,
        spent_minutes: u64,
    },
    Feedback,
}

/// Says whether the enrolment is complete and, if not, what is missing (in reading order:
/// lessons, then the quiz, the time, the feedback).
pub fn evaluate(
    state: &EnrolmentState,
    outline: &CourseOutline,
    rules: &CompletionRules,
) -> CompletionVerdict {
    let missing = missing(state, outline, rules);
    CompletionVerdict {
        complete: state.completed_at.is_some() || missing.is_empty(),
        missing,
    }
}

fn missing(
    state: &EnrolmentState,
    outline: &CourseOutline,
    rules: &CompletionRules,
) -> Vec<Missing> {
    let mut missing = Vec::new();
    if rules.required_lessons == RequiredLessons::AllRequired {
        missing.extend(
            outline
                .required_lessons()
                .filter(|id| !state.completed_lessons.contains(*id))
                .map(|id| Missing::Lesson {
                    lesson_id: id.to_owned(),
                }),
        );
    }
    if let Some(quiz_id) = &rules.required_quiz
        && !state.quizzes_passed.contains_key(quiz_id)
    {
        missing.push(Missing::Quiz {
            quiz_id: quiz_id.clone(),
        });
    }
    if let Some(minutes) = rules.min_minutes
        && state.seconds_spent < u64::from(minutes) * 60
    {
        missing.push(Missing::Time {
            required_minutes: minutes,
            spent_minutes: state.seconds_spent / 60,
        });
    }
    if rules.feedback_required && !state.feedback_submitted {
        missing.push(Missing::Feedback);
    }
    missing
}

/// The moment the rules were first all met, judged by when things happened (`occurred_at`), not
/// by when they reached the server. Each rule is met from some moment on and stays met, so the
/// moment all are met is the latest of those moments. Computing it from facts (not from the order
/// of arrival) is what keeps `completed_at` the same whatever order the events come in.
pub(crate) fn completion_time(
    state: &EnrolmentState,
    outline: &CourseOutline,
    rules: &CompletionRules,
) -> Option<DateTime<Utc>> {
    if !missing(state, outline, rules).is_empty() {
        return None;
    }
    let fallback = state.last_activity_at;
    let mut moments: Vec<Option<DateTime<Utc>>> = Vec::new();
    if rules.required_lessons == RequiredLessons::AllRequired {
        moments.extend(
            outline
                .required_lessons()
                .map(|id| state.lesson_completed_at.get(id).copied().or(fallback)),
        );
    }
    if let Some(quiz_id) = &rules.required_quiz {
        moments.push(state.quiz_passed_at.get(quiz_id).copied().or(fallback));
    }
    if let Some(minutes) = rules.min_minutes {
        moments.push(time_threshold_reached_at(state, u64::from(minutes) * 60).or(fallback));
    }
    if rules.feedback_required {
        moments.push(state.feedback_submitted_at.or(fallback));
    }
    if moments.is_empty() {
        // Nothing is demanded: the course is complete once the learner has started it.
        return state.started_at;
    }
    moments
        .into_iter()
        .try_fold(None, |latest: Option<DateTime<Utc>>, m| {
            let m = m?;
            Some(Some(latest.map_or(m, |l| l.max(m))))
        })?
}

fn time_threshold_reached_at(state: &EnrolmentState, seconds: u64) -> Option<DateTime<Utc>> {
    if seconds == 0 {
        return state.started_at;
    }
    let mut entries: Vec<_> = state.time_events.iter().collect();
    entries.sort_by_key(|(id, e)| (e.at, **id));
    let mut total = 0u64;
    for (_, entry) in entries {
        total += u64::from(entry.seconds);
        if total >= seconds {
            return Some(entry.at);
        }
    }
    None
}
