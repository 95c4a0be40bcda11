use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::completion::{CompletionRules, completion_time};
use crate::event::{EventKind, LearningEvent};
use crate::outline::CourseOutline;

/// Everything known about one learner in one course, folded from their learning events.
///
/// Every field is a function of the *set* of events applied, not of the order they arrived in:
/// sets grow, counters add up, "latest" follows `occurred_at` (ties broken by event id) and
/// "earliest" likewise. So an offline phone that syncs a day late cannot move the resume point
/// backwards or change the completion date.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentState {
    /// Completed lessons that exist in the current version of the course.
    pub completed_lessons: BTreeSet<String>,
    /// When each completed lesson was first completed.
    pub lesson_completed_at: BTreeMap<String, DateTime<Utc>>,
    /// Lessons completed in an earlier version that the current version no longer has, with
    /// when they were completed. Kept so a later version that brings them back restores them.
    pub archived_lessons: BTreeMap<String, DateTime<Utc>>,
    /// Total reading time: the sum of `time_events`.
    pub seconds_spent: u64,
    /// Every counted `TimeSpent`, by client id, so applying the same event again never counts
    /// its time twice (storage also stores each client id once; this is the second guard).
    pub time_events: BTreeMap<Uuid, TimeEntry>,
    /// The lesson to resume: the one the latest lesson event was about.
    pub last_lesson_id: Option<String>,
    /// The anchor to resume at within `last_lesson_id`, from the latest `Position` there.
    pub last_position: Option<String>,
    pub last_lesson: Option<LessonMark>,
    /// Latest `Position` per lesson.
    pub lesson_positions: BTreeMap<String, PositionMark>,
    pub started_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Best score per passed quiz.
    pub quizzes_passed: BTreeMap<String, f64>,
    /// When each quiz was first passed.
    pub quiz_passed_at: BTreeMap<String, DateTime<Utc>>,
    /// Completed required lessons out of the required lessons of the current outline, 0–100.
    pub percent_complete: u8,
    pub status: EnrolmentStatus,
    pub completed_at: Option<DateTime<Utc>>,
    /// The course version under which `completed_at` was reached; a later version keeps it.
    pub completed_version: Option<u32>,
    /// Set by the evaluation (evaluasi) feature through [`submit_feedback`].
    pub feedback_submitted: bool,
    pub feedback_submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    #[default]
    NotStarted,
    InProgress,
    Completed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeEntry {
    pub lesson_id: String,
    pub at: DateTime<Utc>,
    pub seconds: u32,
}

/// A lesson event's place in time; ordered by time, then by event id so that two events with the
/// same timestamp still have one winner whatever order they arrive in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonMark {
    pub at: DateTime<Utc>,
    pub event_id: Uuid,
    pub lesson_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionMark {
    pub at: DateTime<Utc>,
    pub event_id: Uuid,
    pub anchor: Option<String>,
}

/// Folds one (validated) event into the state.
///
/// Deterministic and order-independent: applying a set of events in any order gives the same
/// state, and applying an event twice changes nothing. De-duplication by client id is still the
/// storage layer's job (it must not store an event twice); `apply` never double-counts time
/// because it keeps the ids of the time events it has counted.
///
/// Events about lessons or quizzes the outline does not have are not recorded as progress (they
/// should have been rejected by [`crate::validate`]); their time still counts as reading time.
pub fn apply(
    state: EnrolmentState,
    event: &LearningEvent,
    outline: &CourseOutline,
    rules: &CompletionRules,
) -> EnrolmentState {
    let mut s = state;
    let at = event.occurred_at;
    s.last_activity_at = Some(s.last_activity_at.map_or(at, |t| t.max(at)));
    s.started_at = Some(s.started_at.map_or(at, |t| t.min(at)));
    if let Some(lesson_id) = event.kind.lesson_id()
        && outline.has_lesson(lesson_id)
    {
        let mark = LessonMark {
            at,
            event_id: event.client_id,
            lesson_id: lesson_id.to_owned(),
        };
        if s.last_lesson.as_ref().is_none_or(|m| mark > *m) {
            s.last_lesson = Some(mark);
        }
    }
    match &event.kind {
        EventKind::LessonOpened { .. } | EventKind::QuizFailed { .. } => {}
        EventKind::LessonCompleted { lesson_id } => {
            if outline.has_lesson(lesson_id) {
                s.completed_lessons.insert(lesson_id.clone());
                keep_earliest(&mut s.lesson_completed_at, lesson_id, at);
            }
        }
        EventKind::TimeSpent { lesson_id, seconds } => {
            let seconds = u32::try_from((*seconds).max(0)).unwrap_or(u32::MAX);
            let entry = TimeEntry {
                lesson_id: lesson_id.clone(),
                at,
                seconds,
            };
            // The same id with different content is a broken client; keep one deterministically.
            let slot = s
                .time_events
                .entry(event.client_id)
                .or_insert_with(|| entry.clone());
            if (entry.at, entry.seconds, &entry.lesson_id)
                > (slot.at, slot.seconds, &slot.lesson_id)
            {
                *slot = entry;
            }
            s.seconds_spent = s.time_events.values().map(|e| u64::from(e.seconds)).sum();
        }
        EventKind::QuizPassed {
            quiz_id,
            score_percent,
        } => {
            if outline.has_quiz(quiz_id) {
                let best = s
                    .quizzes_passed
                    .entry(quiz_id.clone())
                    .or_insert(*score_percent);
                *best = best.max(*score_percent);
                keep_earliest(&mut s.quiz_passed_at, quiz_id, at);
            }
        }
        EventKind::Position { lesson_id, anchor } => {
            if outline.has_lesson(lesson_id) {
                let mark = PositionMark {
                    at,
                    event_id: event.client_id,
                    anchor: anchor.clone(),
                };
                match s.lesson_positions.get_mut(lesson_id) {
                    Some(old) if *old >= mark => {}
                    Some(old) => *old = mark,
                    None => {
                        s.lesson_positions.insert(lesson_id.clone(), mark);
                    }
                }
            }
        }
    }
    refresh(s, outline, rules)
}

/// Records that the learner submitted the course's evaluation form at `at`, then re-evaluates
/// completion (a course whose rules demand feedback completes here).
pub fn submit_feedback(
    state: EnrolmentState,
    at: DateTime<Utc>,
    outline: &CourseOutline,
    rules: &CompletionRules,
) -> EnrolmentState {
    let mut s = state;
    s.feedback_submitted = true;
    s.feedback_submitted_at = Some(s.feedback_submitted_at.map_or(at, |t| t.min(at)));
    refresh(s, outline, rules)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RebaseError {
    #[error("cannot move progress from course {from:?} to course {to:?}")]
    CourseMismatch { from: String, to: String },
}

/// Moves an enrolment to a new version of its course.
///
/// Completed lessons whose ids still exist stay completed; the others move to
/// `archived_lessons` (and come back if a later version restores them). The percentage is
/// recomputed against the new version. An enrolment that was complete stays complete with the
/// same `completed_at`, even if the new version adds required lessons; one that was not complete
/// may become complete if the new version dropped what was missing.
pub fn rebase(
    state: EnrolmentState,
    old_outline: &CourseOutline,
    new_outline: &CourseOutline,
    new_rules: &CompletionRules,
) -> Result<EnrolmentState, RebaseError> {
    if old_outline.course_id != new_outline.course_id {
        return Err(RebaseError::CourseMismatch {
            from: old_outline.course_id.clone(),
            to: new_outline.course_id.clone(),
        });
    }
    let mut s = state;
    let (kept, gone): (BTreeMap<_, _>, BTreeMap<_, _>) = std::mem::take(&mut s.lesson_completed_at)
        .into_iter()
        .partition(|(id, _)| new_outline.has_lesson(id));
    s.lesson_completed_at = kept;
    s.archived_lessons.extend(gone);
    let (restored, archived): (BTreeMap<_, _>, BTreeMap<_, _>) =
        std::mem::take(&mut s.archived_lessons)
            .into_iter()
            .partition(|(id, _)| new_outline.has_lesson(id));
    s.archived_lessons = archived;
    for (id, at) in restored {
        keep_earliest(&mut s.lesson_completed_at, &id, at);
    }
    // A lesson listed as completed without a time (should not happen) is kept only if it exists.
    s.completed_lessons.retain(|id| new_outline.has_lesson(id));
    s.completed_lessons
        .extend(s.lesson_completed_at.keys().cloned());
    s.lesson_positions
        .retain(|id, _| new_outline.has_lesson(id));
    if s.last_lesson
        .as_ref()
        .is_some_and(|m| !new_outline.has_lesson(&m.lesson_id))
    {
        // Resume at the latest remembered position that still exists.
        s.last_lesson = s
            .lesson_positions
            .iter()
            .map(|(id, p)| LessonMark {
                at: p.at,
                event_id: p.event_id,
                lesson_id: id.clone(),
            })
            .max();
    }
    Ok(refresh(s, new_outline, new_rules))
}

fn keep_earliest(map: &mut BTreeMap<String, DateTime<Utc>>, key: &str, at: DateTime<Utc>) {
    match map.get_mut(key) {
        Some(t) => *t = (*t).min(at),
        None => {
            map.insert(key.to_owned(), at);
        }
    }
}

/// Recomputes the derived fields (resume point, percentage, completion, status).
fn refresh(
    mut s: EnrolmentState,
    outline: &CourseOutline,
    rules: &CompletionRules,
) -> EnrolmentState {
    s.last_lesson_id = s.last_lesson.as_ref().map(|m| m.lesson_id.clone());
    s.last_position = s
        .last_lesson_id
        .as_ref()
        .and_then(|id| s.lesson_positions.get(id))
        .and_then(|p| p.anchor.clone());

    if let Some(reached) = completion_time(&s, outline, rules) {
        match s.completed_at {
            None => {
                s.completed_at = Some(reached);
                s.completed_version = Some(outline.version);
            }
            // Same version: a late event that happened earlier can only move completion earlier.
            Some(prev) if s.completed_version == Some(outline.version) => {
                s.completed_at = Some(prev.min(reached));
            }
            // Completed under an earlier version: that date stands.
            Some(_) => {}
        }
    }
    let required: Vec<&str> = outline.required_lessons().collect();
    s.percent_complete = if required.is_empty() {
        if s.completed_at.is_some() { 100 } else { 0 }
    } else {
        let done = required
            .iter()
            .filter(|id| s.completed_lessons.contains(**id))
            .count();
        u8::try_from(done * 100 / required.len()).unwrap_or(100)
    };

    s.status = if s.completed_at.is_some() {
        EnrolmentStatus::Completed
    } else if s.started_at.is_some() {
        EnrolmentStatus::InProgress
    } else {
        EnrolmentStatus::NotStarted
    };
    s
}
