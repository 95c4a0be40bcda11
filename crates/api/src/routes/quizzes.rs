//! Quizzes: taking one (start → autosave → submit, the time limit enforced here), the learner's
//! results and reviews, and the instructor's side: a course's attempts, manual grading of
//! essays, regrading after a corrected question, item analysis, bank quizzes and the course's
//! question bank (GIFT and Aiken uploads).
//!
//! **Correct answers never reach a learner before their attempt is submitted.** An attempt in
//! progress is sent only as `lentera_quiz::LearnerQuestion`s, which carry no answer key, weight
//! or feedback by construction; after submitting, `review_attempt` shows no more than the
//! quiz's review policy allows. Only the course's instructors, hr and admins see questions with
//! their answers.
//!
//! The handlers are thin; the steps that need both the database and the quiz engine (load an
//! attempt, check its time, grade it, store it, tell the progress tracker) are the plain
//! functions in the "attempt workflow" section, each run inside one `Db::write` transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use lentera_accounts::{HrScope, UserId};
use lentera_quiz::{
    Attempt, AttemptGrade, AttemptPlan, AttemptReview, FinalGrade, GradedAttempt, GradingMethod, LearnerQuestion, ManualGrade, PassState,
    Question, QuestionBank, QuestionId, QuizError, QuizRole, QuizSpec, QuizStatistics, RegradeChange, RegradeWarning, Response, ReviewLevel,
    ReviewMoment, ReviewPolicy, Section,
};
use lentera_storage::courses::{self, CourseRef};
use lentera_storage::quizzes::{self as store, AttemptFilter, AttemptListing, AttemptRecord, AttemptSummary, QuizRecord};
use lentera_storage::{AnyConnection, Db, StorageError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::blocking;
use super::progress::progress_settings;
use crate::memo::Memo;
use crate::progress_glue::ProgressSettings;
use crate::{ApiError, AppState, AuthUser};

/// Seconds after the end of a timed attempt during which a submission is still accepted: the
/// client counts down to the time limit and submits by itself, and the grace absorbs network
/// delay on a weak link.
pub const SUBMIT_GRACE_SECS: i64 = 30;

fn grace() -> TimeDelta {
    TimeDelta::seconds(SUBMIT_GRACE_SECS)
}

// ---------------------------------------------------------------------------------------------
// Small helpers

fn parse<T: DeserializeOwned>(what: &str, text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Internal(format!("stored {what} is unreadable: {e}")))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(format!("serialising: {e}")))
}

fn snake<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Now, at the precision both databases keep, so what is answered equals what is read back.
fn now() -> DateTime<Utc> {
    lentera_storage::now().and_utc()
}

fn engine(e: QuizError) -> ApiError {
    ApiError::Internal(format!("quiz engine: {e}"))
}

/// Runs `f` in one write transaction. An `ApiError` rolls everything back and is returned as it
/// is (not flattened into a storage error).
fn write<T>(db: &Db, f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>) -> Result<T, ApiError> {
    let mut failure: Option<ApiError> = None;
    let result = db.write(|conn| {
        f(conn).map_err(|e| {
            failure = Some(e);
            StorageError::Config("rolled back".into())
        })
    });
    match (result, failure) {
        (_, Some(e)) => Err(e),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(e.into()),
    }
}

fn read<T>(db: &Db, f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>) -> Result<T, ApiError> {
    let mut conn = db.conn()?;
    f(&mut conn)
}

fn course(conn: &mut AnyConnection, slug: &str) -> Result<CourseRef, ApiError> {
    courses::course_by_slug(conn, slug).map_err(|e| match e {
        StorageError::NotFound => ApiError::NotFound { what: "course" },
        other => other.into(),
    })
}

fn not_found(what: &'static str) -> impl Fn(StorageError) -> ApiError {
    move |e| match e {
        StorageError::NotFound => ApiError::NotFound { what },
        other => other.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Who may do what

/// A caller's standing towards a course's quizzes, beyond taking them.
#[derive(Debug, Clone)]
enum Staff {
    /// The course's instructors and admins: everything, including grading and editing.
    Author,
    /// hr: read results within their scope.
    Reader(HrScope),
}

impl Staff {
    fn covers(&self, opd: Option<&str>) -> bool {
        match self {
            Staff::Author => true,
            Staff::Reader(scope) => scope.covers(opd.and_then(|o| o.parse().ok())),
        }
    }

    fn opd_filter(&self) -> Option<Vec<String>> {
        match self {
            Staff::Reader(HrScope::Opds(opds)) => Some(opds.iter().map(|o| o.to_string()).collect()),
            _ => None,
        }
    }
}

fn staff(conn: &mut AnyConnection, course_id: &str, user: &AuthUser) -> Result<Option<Staff>, ApiError> {
    if user.principal.is_admin() || courses::is_instructor(conn, course_id, user.id())? {
        return Ok(Some(Staff::Author));
    }
    Ok(user.principal.hr_scope().map(Staff::Reader))
}

fn require_staff(conn: &mut AnyConnection, course_id: &str, user: &AuthUser) -> Result<Staff, ApiError> {
    staff(conn, course_id, user)?.ok_or_else(ApiError::forbidden)
}

fn require_author(conn: &mut AnyConnection, course_id: &str, user: &AuthUser) -> Result<(), ApiError> {
    match staff(conn, course_id, user)? {
        Some(Staff::Author) => Ok(()),
        _ => Err(ApiError::Forbidden { code: "not_course_instructor", detail: "only the course's instructors may do this" }),
    }
}

fn not_enrolled() -> ApiError {
    ApiError::Forbidden { code: "not_enrolled", detail: "enrol in the course to take its quizzes" }
}

/// How the caller may see an attempt: their own, or as staff of its course. Anyone else gets
/// 404, so an attempt id tells nothing about whether it exists.
enum Viewer {
    Owner,
    Staff(Staff),
}

fn attempt_viewer(conn: &mut AnyConnection, rec: &AttemptRecord, user: &AuthUser) -> Result<Viewer, ApiError> {
    if rec.user_id == user.id().to_string() {
        return Ok(Viewer::Owner);
    }
    if let Some(s) = staff(conn, &rec.course_id, user)? {
        let opd = store::user_opd(conn, &rec.user_id)?;
        if s.covers(opd.as_deref()) {
            return Ok(Viewer::Staff(s));
        }
    }
    Err(ApiError::NotFound { what: "attempt" })
}

// ---------------------------------------------------------------------------------------------
// Quizzes as stored

/// A quiz of a course version with its settings read.
struct QuizDef {
    record: QuizRecord,
    spec: QuizSpec,
}

fn quiz_def(record: QuizRecord) -> Result<QuizDef, ApiError> {
    let spec = parse("quiz settings", &record.spec)?;
    Ok(QuizDef { record, spec })
}

fn current_version(course: &CourseRef) -> Result<&str, ApiError> {
    course.current_version_id.as_deref().ok_or(ApiError::NotFound { what: "course" })
}

fn current_quiz(conn: &mut AnyConnection, course: &CourseRef, key: &str) -> Result<QuizDef, ApiError> {
    let version = current_version(course)?;
    quiz_def(store::quiz_in_version(conn, version, key).map_err(not_found("quiz"))?)
}

fn course_bank(conn: &mut AnyConnection, course_id: &str) -> Result<Vec<Question>, ApiError> {
    store::bank_questions(conn, course_id)?.iter().map(|q| parse("bank question", &q.question)).collect()
}

/// The newest text of the questions a quiz draws from: the quiz file's own (current version) or
/// the course's bank.
fn latest_questions(conn: &mut AnyConnection, quiz: &QuizDef) -> Result<Vec<Question>, ApiError> {
    if quiz.record.origin == store::ORIGIN_BANK {
        course_bank(conn, &quiz.record.course_id)
    } else {
        parse("quiz questions", &store::quiz_questions(conn, &quiz.record.id)?)
    }
}

/// How many questions an attempt will have.
fn slot_count(spec: &QuizSpec) -> usize {
    spec.sections
        .iter()
        .map(|s| match s {
            Section::Fixed { questions, .. } => questions.len(),
            Section::Draw { count, .. } => *count as usize,
        })
        .sum()
}

// ---------------------------------------------------------------------------------------------
// Attempts as stored

/// An attempt read back into the quiz engine's types. Its questions are those drawn when it
/// started (replaced only by a regrade), so what is graded is what the learner saw.
struct Loaded {
    record: AttemptRecord,
    attempt: Attempt,
    bank: Arc<QuestionBank>,
    grade: Option<AttemptGrade>,
}

/// Attempts' questions, parsed, by their stored text. Attempts of a quiz that draw the same
/// questions store the same text (in the quiz's order, see [`start_attempt`]), so submitting parses
/// it once rather than once per learner (it was a tenth of a submit's CPU).
static PAPERS: std::sync::LazyLock<Memo<QuestionBank>> = std::sync::LazyLock::new(|| Memo::new(32 << 20));

fn load(record: AttemptRecord) -> Result<Loaded, ApiError> {
    let plan: AttemptPlan = parse("attempt plan", &record.plan)?;
    // Parsed questions hold about three times their text.
    let bank = PAPERS.get_or_try(&record.questions, record.questions.len() * 3, || {
        let questions: Vec<Question> = parse("attempt questions", &record.questions)?;
        QuestionBank::new(questions).map_err(engine)
    })?;
    let attempt = Attempt {
        number: u32::try_from(record.number).unwrap_or(0),
        plan,
        started_at: utc(record.started_at),
        submitted_at: record.submitted_at.map(utc),
        responses: parse("responses", &record.responses)?,
        manual_grades: parse("manual grades", &record.manual_grades)?,
    };
    let grade = record.grade.as_deref().map(|g| parse("grade", g)).transpose()?;
    Ok(Loaded { record, attempt, bank, grade })
}

fn time_limit(rec: &AttemptRecord) -> Option<TimeDelta> {
    rec.time_limit_minutes.filter(|m| *m > 0).map(|m| TimeDelta::minutes(i64::from(m)))
}

/// When the client's countdown ends.
fn ends_at(rec: &AttemptRecord) -> Option<DateTime<Utc>> {
    time_limit(rec).map(|l| utc(rec.started_at) + l)
}

fn is_late(rec: &AttemptRecord, now: DateTime<Utc>) -> bool {
    lentera_quiz::is_submission_late(utc(rec.started_at), now, time_limit(rec), grace())
}

fn pass_state_of(s: &str) -> Option<PassState> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

/// The learner's quiz grade across their submitted attempts, from the stored figures.
fn final_from(attempts: &[AttemptSummary], method: GradingMethod) -> Option<FinalGrade> {
    let graded: Vec<GradedAttempt> = attempts
        .iter()
        .filter(|a| a.submitted_at.is_some())
        .map(|a| GradedAttempt {
            attempt: Attempt {
                number: u32::try_from(a.number).unwrap_or(0),
                plan: AttemptPlan { quiz_id: String::new(), seed: 0, shuffle_options: false, slots: Vec::new() },
                started_at: utc(a.started_at),
                submitted_at: a.submitted_at.map(utc),
                responses: BTreeMap::new(),
                manual_grades: BTreeMap::new(),
            },
            grade: AttemptGrade {
                questions: Vec::new(),
                points: a.points.unwrap_or(0.0),
                max_points: a.max_points.unwrap_or(0.0),
                percent: a.percent.unwrap_or(0.0),
                complete: !a.needs_grading,
            },
        })
        .collect();
    lentera_quiz::final_grade(&graded, method)
}

/// The review level a learner gets now: more once no attempt is left (answers then cannot leak
/// into a later attempt).
fn review_level(spec: &QuizSpec, attempts_used: usize) -> ReviewLevel {
    let used = u32::try_from(attempts_used).unwrap_or(u32::MAX);
    let moment = if spec.attempts_left(used) == Some(0) { ReviewMoment::AfterClose } else { ReviewMoment::Immediately };
    spec.review_policy.level_at(moment)
}

/// Tells the progress tracker the learner's quiz grade once it is final (not waiting for an
/// instructor). A quiz without a pass mark counts as passed once submitted.
/// With `settings` at hand a completion's certificate is issued at once, else by a job.
fn notify_progress(
    conn: &mut AnyConnection,
    settings: Option<&ProgressSettings>,
    course_id: &str,
    user_id: &str,
    quiz: &QuizDef,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let user = user_of(user_id)?;
    let attempts = store::attempts_of(conn, course_id, &quiz.record.quiz_key, user)?;
    notify_progress_with(conn, settings, course_id, user, quiz, &attempts, at)
}

fn user_of(user_id: &str) -> Result<UserId, ApiError> {
    user_id.parse().map_err(|_| ApiError::Internal(format!("bad user id {user_id:?}")))
}

/// [`notify_progress`] with the learner's attempts already read.
fn notify_progress_with(
    conn: &mut AnyConnection,
    settings: Option<&ProgressSettings>,
    course_id: &str,
    user: UserId,
    quiz: &QuizDef,
    attempts: &[AttemptSummary],
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(fin) = final_from(attempts, quiz.spec.grading_method) else { return Ok(()) };
    let passed = match fin.pass_state(quiz.spec.pass_mark_percent) {
        PassState::Passed | PassState::NoPassMark => true,
        PassState::Failed => false,
        PassState::Pending => return Ok(()),
    };
    crate::progress_glue::record_quiz_result(conn, settings, course_id, user, &quiz.record.quiz_key, fin.percent, passed, at)?;
    Ok(())
}

/// A graded attempt ready to be stored as closed: everything computed before the write
/// transaction, so SQLite's one writer holds its lock only for the update itself.
struct Closing {
    submitted_at: DateTime<Utc>,
    closed_by: &'static str,
    grade: AttemptGrade,
    pass_state: String,
    responses: String,
    manual_grades: String,
    grade_json: String,
}

fn prepare_close(loaded: &Loaded, quiz: &QuizDef, submitted_at: DateTime<Utc>, closed_by: &'static str) -> Result<Closing, ApiError> {
    let mut attempt = loaded.attempt.clone();
    attempt.submitted_at = Some(submitted_at);
    let grade = lentera_quiz::grade_attempt(&attempt, &loaded.bank).map_err(engine)?;
    Ok(Closing {
        submitted_at,
        closed_by,
        pass_state: snake(&grade.pass_state(quiz.spec.pass_mark_percent)),
        responses: to_json(&loaded.attempt.responses)?,
        manual_grades: to_json(&loaded.attempt.manual_grades)?,
        grade_json: to_json(&grade)?,
        grade,
    })
}

/// Stores the closing if the attempt is still open and unchanged since `loaded` was read (an
/// autosave in between changes `updated_at`); updates `loaded` to what was stored. Returns
/// `false`, writing nothing, otherwise. The caller tells the progress tracker.
fn store_close(conn: &mut AnyConnection, loaded: &mut Loaded, closing: Closing, now: DateTime<Utc>) -> Result<bool, ApiError> {
    let grade = &closing.grade;
    let closed = store::close_attempt(
        conn,
        &loaded.record.id,
        loaded.record.updated_at,
        closing.submitted_at.naive_utc(),
        closing.closed_by,
        &store::GradeWrite {
            responses: &closing.responses,
            manual_grades: &closing.manual_grades,
            questions: None,
            grade: &closing.grade_json,
            points: grade.points,
            max_points: grade.max_points,
            percent: grade.percent,
            pass_state: &closing.pass_state,
            needs_grading: !grade.complete,
            at: now.naive_utc(),
        },
    )?;
    if closed {
        let rec = &mut loaded.record;
        rec.submitted_at = Some(closing.submitted_at.naive_utc());
        rec.closed_by = Some(closing.closed_by.to_string());
        rec.points = Some(grade.points);
        rec.max_points = Some(grade.max_points);
        rec.percent = Some(grade.percent);
        rec.needs_grading = !grade.complete;
        rec.updated_at = now.naive_utc();
        rec.responses = closing.responses;
        rec.manual_grades = closing.manual_grades;
        rec.pass_state = Some(closing.pass_state);
        rec.grade = Some(closing.grade_json);
        loaded.attempt.submitted_at = Some(closing.submitted_at);
        loaded.grade = Some(closing.grade);
    }
    Ok(closed)
}

/// Closes an attempt whose time ran out, with the responses saved in time; it counts as
/// submitted at the end of its time limit.
fn close_timed_out(conn: &mut AnyConnection, loaded: &mut Loaded, quiz: &QuizDef, now: DateTime<Utc>) -> Result<(), ApiError> {
    let end = ends_at(&loaded.record).unwrap_or(now).min(now);
    let closing = prepare_close(loaded, quiz, end, store::CLOSED_BY_TIMEOUT)?;
    if store_close(conn, loaded, closing, now)? {
        notify_progress(conn, None, &loaded.record.course_id, &loaded.record.user_id, quiz, now)?;
    }
    Ok(())
}

/// The quiz an attempt belongs to, as it is now: the course's current version of that quiz, or
/// the attempt's own version when the current one no longer has it.
fn quiz_of_attempt(conn: &mut AnyConnection, rec: &AttemptRecord) -> Result<QuizDef, ApiError> {
    let course = courses::course_ref_by_id(conn, &rec.course_id)?;
    if let Some(version) = &course.current_version_id
        && let Some(q) = store::quiz_in_version(conn, version, &rec.quiz_key).map(Some).or_else(|e| match e {
            StorageError::NotFound => Ok(None),
            other => Err(other),
        })? {
            return quiz_def(q);
        }
    quiz_def(store::quiz_by_id(conn, &rec.quiz_id)?)
}

// ---------------------------------------------------------------------------------------------
// What is sent

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    InProgress,
    Submitted,
    /// Closed by the server when its time ran out, with the responses saved in time.
    TimedOut,
}

fn state_of(rec: &AttemptRecord) -> AttemptState {
    match (&rec.submitted_at, rec.closed_by.as_deref()) {
        (None, _) => AttemptState::InProgress,
        (Some(_), Some(store::CLOSED_BY_TIMEOUT)) => AttemptState::TimedOut,
        (Some(_), _) => AttemptState::Submitted,
    }
}

/// The learner's grade for a quiz across attempts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FinalGradeView {
    pub percent: f64,
    #[schema(value_type = String, example = "passed")]
    pub pass_state: PassState,
    /// A counted attempt still waits for an instructor.
    pub pending: bool,
    #[schema(value_type = String, example = "highest")]
    pub method: GradingMethod,
    /// Numbers of the attempts the grade comes from.
    pub attempts: Vec<u32>,
}

fn final_view(fin: FinalGrade, pass_mark: Option<f64>) -> FinalGradeView {
    FinalGradeView { percent: fin.percent, pass_state: fin.pass_state(pass_mark), pending: fin.pending, method: fin.method, attempts: fin.attempts }
}

/// An attempt as its learner sees it. In progress: the questions without any answer key and the
/// responses saved so far. Submitted: the review the quiz's policy allows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptView {
    pub id: String,
    pub course_id: String,
    pub quiz_id: String,
    pub quiz_title: String,
    pub number: i32,
    pub state: AttemptState,
    pub started_at: DateTime<Utc>,
    pub time_limit_minutes: Option<i32>,
    /// Where the countdown ends (start + time limit); `null` when untimed. A submission is
    /// accepted for a few seconds more.
    pub ends_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The questions in attempt order, while in progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub questions: Option<Vec<LearnerQuestion>>,
    /// Question id → response saved so far, while in progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responses: Option<BTreeMap<QuestionId, Response>>,
    /// After submitting: as much as the review policy shows now (`level`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<AttemptReview>,
    /// After submitting, when the review shows scores: the grade across attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_grade: Option<FinalGradeView>,
    /// `null`: unlimited.
    pub attempts_left: Option<u32>,
}

fn learner_view(conn: &mut AnyConnection, loaded: &Loaded, quiz: &QuizDef) -> Result<AttemptView, ApiError> {
    let rec = &loaded.record;
    let attempts = store::attempts_of(conn, &rec.course_id, &rec.quiz_key, user_of(&rec.user_id)?)?;
    learner_view_with(loaded, quiz, &attempts)
}

/// [`learner_view`] with the learner's attempts at the quiz already read.
fn learner_view_with(loaded: &Loaded, quiz: &QuizDef, attempts: &[AttemptSummary]) -> Result<AttemptView, ApiError> {
    let rec = &loaded.record;
    let used = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
    let state = state_of(rec);
    let (questions, responses, review, final_grade) = match state {
        AttemptState::InProgress => {
            (Some(loaded.attempt.plan.learner_questions(&loaded.bank).map_err(engine)?), Some(loaded.attempt.responses.clone()), None, None)
        }
        _ => {
            let level = review_level(&quiz.spec, attempts.len());
            let graded = match &loaded.grade {
                Some(g) => GradedAttempt { attempt: loaded.attempt.clone(), grade: g.clone() },
                None => GradedAttempt::grade(loaded.attempt.clone(), &loaded.bank).map_err(engine)?,
            };
            let review = lentera_quiz::review_attempt(&graded, &loaded.bank, level, quiz.spec.pass_mark_percent).map_err(engine)?;
            let fin = (level >= ReviewLevel::Score)
                .then(|| final_from(attempts, quiz.spec.grading_method).map(|f| final_view(f, quiz.spec.pass_mark_percent)))
                .flatten();
            (None, None, Some(review), fin)
        }
    };
    Ok(AttemptView {
        id: rec.id.clone(),
        course_id: rec.course_id.clone(),
        quiz_id: rec.quiz_key.clone(),
        quiz_title: quiz.record.title.clone(),
        number: rec.number,
        state,
        started_at: utc(rec.started_at),
        time_limit_minutes: rec.time_limit_minutes,
        ends_at: ends_at(rec),
        submitted_at: rec.submitted_at.map(utc),
        questions,
        responses,
        review,
        final_grade,
        attempts_left: quiz.spec.attempts_left(used),
    })
}

/// An attempt as the course's instructors (and hr) see it: the questions with their answers,
/// the responses, the grade of every question and any manual grades.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffAttemptView {
    pub id: String,
    pub course_id: String,
    pub quiz_id: String,
    pub user_id: String,
    pub number: i32,
    pub state: AttemptState,
    pub started_at: DateTime<Utc>,
    pub time_limit_minutes: Option<i32>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub questions: Vec<Question>,
    pub responses: BTreeMap<QuestionId, Response>,
    pub manual_grades: BTreeMap<QuestionId, ManualGrade>,
    pub grade: Option<AttemptGrade>,
    #[schema(value_type = Option<String>)]
    pub pass_state: Option<PassState>,
    /// An essay (or other question) waits for manual grading.
    pub needs_grading: bool,
    pub regraded_at: Option<DateTime<Utc>>,
}

fn staff_view(loaded: &Loaded) -> StaffAttemptView {
    let rec = &loaded.record;
    StaffAttemptView {
        id: rec.id.clone(),
        course_id: rec.course_id.clone(),
        quiz_id: rec.quiz_key.clone(),
        user_id: rec.user_id.clone(),
        number: rec.number,
        state: state_of(rec),
        started_at: utc(rec.started_at),
        time_limit_minutes: rec.time_limit_minutes,
        submitted_at: rec.submitted_at.map(utc),
        questions: loaded.attempt.plan.slots.iter().filter_map(|s| loaded.bank.get(&s.question_id).cloned()).collect(),
        responses: loaded.attempt.responses.clone(),
        manual_grades: loaded.attempt.manual_grades.clone(),
        grade: loaded.grade.clone(),
        pass_state: rec.pass_state.as_deref().and_then(pass_state_of),
        needs_grading: rec.needs_grading,
        regraded_at: rec.regraded_at.map(utc),
    }
}

/// `GET /attempts/{id}` answers with one of these, by who is asking: its learner gets the
/// learner's view, the course's staff (instructors, hr in scope, admins) the full record.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AnyAttemptView {
    Learner(Box<AttemptView>),
    Staff(Box<StaffAttemptView>),
}

/// One of my attempts in a quiz's overview.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyAttempt {
    pub id: String,
    pub number: i32,
    pub state: AttemptState,
    pub started_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Shown when the review policy shows scores.
    pub percent: Option<f64>,
    #[schema(value_type = Option<String>)]
    pub pass_state: Option<PassState>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyQuizStatus {
    pub attempts_used: usize,
    /// `null`: unlimited.
    pub attempts_left: Option<u32>,
    /// The attempt to resume, if one is in progress.
    pub open_attempt_id: Option<String>,
    pub attempts: Vec<MyAttempt>,
    pub final_grade: Option<FinalGradeView>,
}

/// A quiz of a course with its settings, never its questions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuizInfo {
    pub id: String,
    pub title: String,
    /// `pretest`, `posttest`, `final` or `practice` (the course manifest's `[[quizzes]] role`
    /// wins over the quiz file's own).
    pub role: String,
    /// `file` (a quiz file of the course) or `bank` (drawn from the course's question bank).
    pub origin: String,
    pub format: String,
    /// Markdown shown before starting.
    pub intro: Option<String>,
    /// Questions in each attempt.
    pub question_count: usize,
    pub time_limit_minutes: Option<u32>,
    pub max_attempts: Option<u32>,
    pub pass_mark_percent: Option<f64>,
    #[schema(value_type = String, example = "highest")]
    pub grading_method: GradingMethod,
    pub review_policy: ReviewPolicy,
    /// Passing it is required to complete the course.
    pub required_for_completion: bool,
    /// The caller's attempts, when they take the course.
    pub my: Option<MyQuizStatus>,
}

fn quiz_info(quiz: &QuizDef, required: Option<&str>, my: Option<Vec<AttemptSummary>>) -> QuizInfo {
    let spec = &quiz.spec;
    let my = my.map(|attempts| {
        let level = review_level(spec, attempts.len());
        let show = level >= ReviewLevel::Score;
        let used = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
        MyQuizStatus {
            attempts_used: attempts.len(),
            attempts_left: spec.attempts_left(used),
            open_attempt_id: attempts.iter().find(|a| a.submitted_at.is_none()).map(|a| a.id.clone()),
            final_grade: if show { final_from(&attempts, spec.grading_method).map(|f| final_view(f, spec.pass_mark_percent)) } else { None },
            attempts: attempts
                .iter()
                .map(|a| MyAttempt {
                    id: a.id.clone(),
                    number: a.number,
                    state: match (&a.submitted_at, a.closed_by.as_deref()) {
                        (None, _) => AttemptState::InProgress,
                        (Some(_), Some(store::CLOSED_BY_TIMEOUT)) => AttemptState::TimedOut,
                        _ => AttemptState::Submitted,
                    },
                    started_at: utc(a.started_at),
                    submitted_at: a.submitted_at.map(utc),
                    percent: a.percent.filter(|_| show),
                    pass_state: a.pass_state.as_deref().and_then(pass_state_of).filter(|_| show),
                })
                .collect(),
        }
    });
    QuizInfo {
        id: quiz.record.quiz_key.clone(),
        title: quiz.record.title.clone(),
        role: quiz.record.role.clone(),
        origin: quiz.record.origin.clone(),
        format: quiz.record.format.clone(),
        intro: quiz.record.intro.clone(),
        question_count: slot_count(spec),
        time_limit_minutes: spec.time_limit_minutes,
        max_attempts: spec.max_attempts,
        pass_mark_percent: spec.pass_mark_percent,
        grading_method: spec.grading_method,
        review_policy: spec.review_policy,
        required_for_completion: required == Some(quiz.record.quiz_key.as_str()),
        my,
    }
}

fn required_quiz(conn: &mut AnyConnection, course: &CourseRef) -> Result<Option<String>, ApiError> {
    let version = current_version(course)?;
    let (_, rules) = courses::outline(conn, version)?;
    Ok(rules.required_quiz)
}

// ---------------------------------------------------------------------------------------------
// Learners: quizzes, attempts, autosave, submit

/// The quizzes of a course (current version), with my attempts. Never the questions.
#[utoipa::path(tag = "quizzes", responses((status = 200, body = Vec<QuizInfo>), (status = 403, description = "not_enrolled", body = crate::Problem, content_type = "application/problem+json"), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/courses/{slug}/quizzes")]
pub async fn list(state: web::Data<AppState>, user: AuthUser, slug: web::Path<String>) -> Result<web::Json<Vec<QuizInfo>>, ApiError> {
    let db = state.db.clone();
    let out = blocking(move || {
        let course = read(&db, |c| course(c, &slug))?;
        if !super::courses::may_read(&db, &course.id, &user)? {
            return Err(not_enrolled());
        }
        read(&db, |c| {
            let version = current_version(&course)?;
            let required = required_quiz(c, &course)?;
            let enrolled = courses::is_enrolled(c, &course.id, user.id())?;
            let mut mine: HashMap<String, Vec<AttemptSummary>> = HashMap::new();
            for (key, a) in store::attempts_in_course(c, &course.id, user.id())? {
                mine.entry(key).or_default().push(a);
            }
            store::quizzes_of_version(c, version)?
                .into_iter()
                .map(|r| {
                    let q = quiz_def(r)?;
                    let my = (enrolled || mine.contains_key(&q.record.quiz_key)).then(|| mine.remove(&q.record.quiz_key).unwrap_or_default());
                    Ok(quiz_info(&q, required.as_deref(), my))
                })
                .collect()
        })
    })
    .await?;
    Ok(web::Json(out))
}

/// One quiz of a course: its settings and my attempts. Never the questions.
#[utoipa::path(tag = "quizzes", responses((status = 200, body = QuizInfo), (status = 403, description = "not_enrolled", body = crate::Problem, content_type = "application/problem+json"), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/courses/{slug}/quizzes/{quiz_id}")]
pub async fn detail(state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>) -> Result<web::Json<QuizInfo>, ApiError> {
    let (slug, key) = path.into_inner();
    let db = state.db.clone();
    let out = blocking(move || {
        let course = read(&db, |c| course(c, &slug))?;
        if !super::courses::may_read(&db, &course.id, &user)? {
            return Err(not_enrolled());
        }
        read(&db, |c| {
            let quiz = current_quiz(c, &course, &key)?;
            let required = required_quiz(c, &course)?;
            let mine = store::attempts_of(c, &course.id, &key, user.id())?;
            let my = (courses::is_enrolled(c, &course.id, user.id())? || !mine.is_empty()).then_some(mine);
            Ok(quiz_info(&quiz, required.as_deref(), my))
        })
    })
    .await?;
    Ok(web::Json(out))
}

/// Start an attempt, or resume the one in progress (the same attempt comes back, so a retried
/// start never uses up an attempt). Questions are drawn and their options shuffled from a
/// per-attempt seed; no answer key is sent.
#[utoipa::path(
    tag = "quizzes",
    responses(
        (status = 201, description = "a new attempt", body = AttemptView),
        (status = 200, description = "the attempt in progress, resumed", body = AttemptView),
        (status = 403, description = "not_enrolled", body = crate::Problem, content_type = "application/problem+json"),
        (status = 409, description = "max_attempts_reached or quiz_not_drawable", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/courses/{slug}/quizzes/{quiz_id}/attempts")]
pub async fn start(state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    let (slug, key) = path.into_inner();
    let db = state.db.clone();
    let started = blocking(move || {
        let course = read(&db, |c| course(c, &slug))?;
        write(&db, |c| start_attempt(c, &course, &key, user.id(), now()))
    })
    .await?;
    match started {
        Started::New(view) => Ok(HttpResponse::Created().json(view)),
        Started::Resumed(view) => Ok(HttpResponse::Ok().json(view)),
        Started::NoAttemptLeft(used) => Err(ApiError::Conflict {
            code: "max_attempts_reached".into(),
            detail: format!("you have used all {used} attempt(s) at this quiz"),
        }),
    }
}

enum Started {
    New(Box<AttemptView>),
    Resumed(Box<AttemptView>),
    /// Refused, but an attempt whose time ran out may have been closed on the way: that is kept.
    NoAttemptLeft(u32),
}

fn start_attempt(conn: &mut AnyConnection, course: &CourseRef, key: &str, user: UserId, now: DateTime<Utc>) -> Result<Started, ApiError> {
    if !courses::is_enrolled(conn, &course.id, user)? {
        return Err(not_enrolled());
    }
    let quiz = current_quiz(conn, course, key)?;
    let attempts = store::attempts_of(conn, &course.id, key, user)?;
    if let Some(open) = attempts.iter().find(|a| a.submitted_at.is_none()) {
        let mut loaded = load(store::attempt_for_update(conn, &open.id)?)?;
        if !is_late(&loaded.record, now) {
            return Ok(Started::Resumed(Box::new(learner_view(conn, &loaded, &quiz)?)));
        }
        close_timed_out(conn, &mut loaded, &quiz, now)?;
    }
    let used = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
    if !quiz.spec.may_start_attempt(used) {
        return Ok(Started::NoAttemptLeft(used));
    }
    let bank = QuestionBank::new(latest_questions(conn, &quiz)?).map_err(engine)?;
    let seed: u64 = rand::random();
    let plan = lentera_quiz::build_attempt(&quiz.spec, &bank, seed)
        .map_err(|e| ApiError::Conflict { code: "quiz_not_drawable".into(), detail: format!("this quiz cannot be started: {e}") })?;
    // In the quiz's order, not the drawn one (the plan keeps that): attempts drawing the same
    // questions then store the same text, which [`load`] parses once for all of them.
    let drawn_ids: HashSet<&QuestionId> = plan.slots.iter().map(|s| &s.question_id).collect();
    let drawn: Vec<&Question> = bank.questions().iter().filter(|q| drawn_ids.contains(&q.id)).collect();
    let id = uuid::Uuid::now_v7().to_string();
    let number = attempts.iter().map(|a| a.number).max().unwrap_or(0) + 1;
    let started_at = now.naive_utc();
    let plan_json = to_json(&plan)?;
    let questions_json = to_json(&drawn)?;
    store::insert_attempt(
        conn,
        &store::NewAttempt {
            id: &id,
            quiz_id: &quiz.record.id,
            course_id: &course.id,
            quiz_key: key,
            user_id: user,
            number,
            seed,
            time_limit_minutes: quiz.spec.time_limit_minutes.and_then(|m| i32::try_from(m).ok()),
            plan: &plan_json,
            questions: &questions_json,
            started_at,
        },
    )
    .map_err(|e| match e {
        StorageError::Duplicate { .. } => ApiError::Conflict { code: "attempt_conflict".into(), detail: "another attempt was started at the same moment; retry".into() },
        other => other.into(),
    })?;
    let loaded = load(store::attempt(conn, &id)?)?;
    Ok(Started::New(Box::new(learner_view(conn, &loaded, &quiz)?)))
}

/// An attempt: mine (as the learner sees it: no answers before submitting, then the review the
/// quiz allows), or, for the course's instructors, hr in scope and admins, the full record.
#[utoipa::path(tag = "quizzes", responses((status = 200, description = "AttemptView for its learner, StaffAttemptView for staff", body = AnyAttemptView), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/attempts/{attempt_id}")]
pub async fn get_attempt(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<web::Json<AnyAttemptView>, ApiError> {
    let db = state.db.clone();
    let out = blocking(move || {
        let rec = read(&db, |c| store::attempt(c, &id).map_err(not_found("attempt")))?;
        let viewer = read(&db, |c| attempt_viewer(c, &rec, &user))?;
        // An attempt whose time ran out is closed the first time anyone looks at it.
        if rec.submitted_at.is_none() && is_late(&rec, now()) {
            write(&db, |c| {
                let mut loaded = load(store::attempt_for_update(c, &id)?)?;
                if loaded.record.submitted_at.is_none() {
                    let quiz = quiz_of_attempt(c, &loaded.record)?;
                    close_timed_out(c, &mut loaded, &quiz, now())?;
                }
                Ok(())
            })?;
        }
        read(&db, |c| {
            let loaded = load(store::attempt(c, &id)?)?;
            match viewer {
                Viewer::Owner => {
                    let quiz = quiz_of_attempt(c, &loaded.record)?;
                    Ok(AnyAttemptView::Learner(Box::new(learner_view(c, &loaded, &quiz)?)))
                }
                Viewer::Staff(_) => Ok(AnyAttemptView::Staff(Box::new(staff_view(&loaded)))),
            }
        })
    })
    .await?;
    Ok(web::Json(out))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponsesRequest {
    /// Question id → response (`{"type": "single_choice", "option": "…"}`, …); `null` clears
    /// a saved response. Questions not named keep what was saved.
    #[serde(default)]
    #[schema(schema_with = responses_or_null)]
    pub responses: BTreeMap<QuestionId, Option<Response>>,
}

/// `{question id: Response or null}` (utoipa cannot derive a map of optional values).
fn responses_or_null() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, Type};
    use utoipa::openapi::{Ref, RefOr};
    let value = OneOfBuilder::new().item(Ref::from_schema_name("Response")).item(ObjectBuilder::new().schema_type(Type::Null)).build();
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(Schema::OneOf(value)))))
        .build()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavedResponses {
    pub attempt_id: String,
    /// Questions with a saved response.
    pub answered: usize,
    pub saved_at: DateTime<Utc>,
}

/// Checks responses against the attempt: each names a question of the attempt, has the shape
/// of its type and names only options it has. All problems are reported at once.
fn check_responses(loaded: &Loaded, incoming: &BTreeMap<QuestionId, Option<Response>>) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (qid, response) in incoming {
        let (Some(_), Some(question)) = (loaded.attempt.plan.slot(qid), loaded.bank.get(qid)) else {
            errors.push(serde_json::json!({"question_id": qid, "code": "unknown_question", "message": format!("question {qid} is not part of this attempt")}));
            continue;
        };
        let Some(response) = response else { continue };
        if !response.fits(question) {
            errors.push(serde_json::json!({"question_id": qid, "code": "response_does_not_fit", "message": format!("question {qid} takes a response of type {}", question.type_name())}));
            continue;
        }
        let known = question.option_ids();
        let unknown: BTreeSet<&str> = response.option_ids().into_iter().filter(|o| !known.contains(o)).map(|o| o.as_str()).collect();
        if !unknown.is_empty() {
            errors.push(serde_json::json!({"question_id": qid, "code": "unknown_option", "message": format!("question {qid} has no option(s) {}", unknown.into_iter().collect::<Vec<_>>().join(", "))}));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation {
            code: "invalid_responses".into(),
            detail: format!("{} response(s) do not fit this attempt; nothing was saved", errors.len()),
            errors: Some(serde_json::Value::Array(errors)),
        })
    }
}

fn merge(loaded: &mut Loaded, incoming: BTreeMap<QuestionId, Option<Response>>) {
    for (qid, response) in incoming {
        match response {
            Some(r) => {
                loaded.attempt.responses.insert(qid, r);
            }
            None => {
                loaded.attempt.responses.remove(&qid);
            }
        }
    }
}

fn time_limit_exceeded() -> ApiError {
    ApiError::Conflict {
        code: "time_limit_exceeded".into(),
        detail: "the time for this attempt has run out; it was closed with the responses saved in time".into(),
    }
}

fn already_submitted() -> ApiError {
    ApiError::Conflict { code: "attempt_submitted".into(), detail: "this attempt has been submitted; its responses can no longer change".into() }
}

enum Saved {
    Ok(SavedResponses),
    TimedOut,
}

/// Autosave: store responses of an attempt in progress. Idempotent: sending the same body twice
/// leaves the same state. Refused once submitted or after the time limit (plus grace).
#[utoipa::path(
    tag = "quizzes",
    request_body = ResponsesRequest,
    responses(
        (status = 200, body = SavedResponses),
        (status = 404, body = crate::Problem, content_type = "application/problem+json"),
        (status = 409, description = "attempt_submitted or time_limit_exceeded", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_responses (errors: [{question_id, code, message}])", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/attempts/{attempt_id}/responses")]
pub async fn save(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>, body: web::Json<ResponsesRequest>) -> Result<web::Json<SavedResponses>, ApiError> {
    let db = state.db.clone();
    let body = body.into_inner();
    let me = user.id().to_string();
    let saved = blocking(move || {
        write(&db, |c| {
            let mut loaded = load(store::attempt_for_update(c, &id).map_err(not_found("attempt"))?)?;
            if loaded.record.user_id != me {
                return Err(ApiError::NotFound { what: "attempt" });
            }
            if loaded.record.submitted_at.is_some() {
                return Err(if state_of(&loaded.record) == AttemptState::TimedOut { time_limit_exceeded() } else { already_submitted() });
            }
            let now = now();
            if is_late(&loaded.record, now) {
                let quiz = quiz_of_attempt(c, &loaded.record)?;
                close_timed_out(c, &mut loaded, &quiz, now)?;
                return Ok(Saved::TimedOut);
            }
            check_responses(&loaded, &body.responses)?;
            merge(&mut loaded, body.responses);
            let json = to_json(&loaded.attempt.responses)?;
            if !store::save_responses(c, &id, &json, now.naive_utc())? {
                return Err(already_submitted());
            }
            Ok(Saved::Ok(SavedResponses { attempt_id: id.clone(), answered: loaded.attempt.responses.len(), saved_at: now }))
        })
    })
    .await?;
    match saved {
        Saved::Ok(s) => Ok(web::Json(s)),
        Saved::TimedOut => Err(time_limit_exceeded()),
    }
}

enum Submitted {
    Ok(Box<AttemptView>),
    TimedOut,
}

/// Submit an attempt, optionally with final responses (e.g. answered offline: an untimed
/// attempt may be submitted any time later). Graded at once, except essays, which wait for an
/// instructor. Idempotent by attempt id: a submit that arrives twice counts once and gets the
/// same result. After the time limit plus grace it is refused (`time_limit_exceeded`) and the
/// attempt is closed with the responses saved in time.
#[utoipa::path(
    tag = "quizzes",
    request_body(content = Option<ResponsesRequest>),
    responses(
        (status = 200, body = AttemptView),
        (status = 404, body = crate::Problem, content_type = "application/problem+json"),
        (status = 409, description = "time_limit_exceeded", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_responses", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/attempts/{attempt_id}/submit")]
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: Option<web::Json<ResponsesRequest>>,
) -> Result<web::Json<AttemptView>, ApiError> {
    let db = state.db.clone();
    let settings = progress_settings(&req);
    let body = body.map(|b| b.into_inner()).unwrap_or_default();
    let me = user.id().to_string();
    let out = blocking(move || submit_attempt(&db, &settings, &id, &me, body)).await?;
    match out {
        Submitted::Ok(view) => Ok(web::Json(*view)),
        Submitted::TimedOut => Err(time_limit_exceeded()),
    }
}

/// Submits optimistically: reads, checks and grades outside the write transaction, then stores
/// the result only if the attempt is still open and unchanged (else reads again: a concurrent
/// submit has closed it, and its result is the answer; an autosave came in between, and is
/// graded too). SQLite's single writer thus holds its lock only for the update and the
/// progress record.
/// The learner's completion, if this submit completes the course, gets its certificate at once.
fn submit_attempt(db: &Db, settings: &ProgressSettings, id: &str, me: &str, body: ResponsesRequest) -> Result<Submitted, ApiError> {
    for _ in 0..5 {
        let now = now();
        let (mut loaded, quiz) = read(db, |c| {
            let record = store::attempt(c, id).map_err(not_found("attempt"))?;
            if record.user_id != me {
                return Err(ApiError::NotFound { what: "attempt" });
            }
            let quiz = quiz_of_attempt(c, &record)?;
            Ok((load(record)?, quiz))
        })?;
        match state_of(&loaded.record) {
            // A repeated submit: the stored result, nothing changes.
            AttemptState::Submitted => return Ok(Submitted::Ok(Box::new(read(db, |c| learner_view(c, &loaded, &quiz))?))),
            AttemptState::TimedOut => return Ok(Submitted::TimedOut),
            AttemptState::InProgress => {}
        }
        if is_late(&loaded.record, now) {
            write(db, |c| close_timed_out(c, &mut loaded, &quiz, now))?;
            if loaded.record.submitted_at.is_some() {
                return Ok(Submitted::TimedOut);
            }
            continue;
        }
        check_responses(&loaded, &body.responses)?;
        merge(&mut loaded, body.responses.clone());
        let closing = prepare_close(&loaded, &quiz, now, store::CLOSED_BY_LEARNER)?;
        let stored = write(db, |c| {
            if !store_close(c, &mut loaded, closing, now)? {
                return Ok(None);
            }
            let user = user_of(&loaded.record.user_id)?;
            let attempts = store::attempts_of(c, &loaded.record.course_id, &loaded.record.quiz_key, user)?;
            notify_progress_with(c, Some(settings), &loaded.record.course_id, user, &quiz, &attempts, now)?;
            Ok(Some(attempts))
        })?;
        if let Some(attempts) = stored {
            return Ok(Submitted::Ok(Box::new(learner_view_with(&loaded, &quiz, &attempts)?)));
        }
    }
    Err(ApiError::Conflict { code: "attempt_busy".into(), detail: "the attempt kept changing while it was submitted; retry".into() })
}

// ---------------------------------------------------------------------------------------------
// Instructors and hr: results, manual grading, regrading, item analysis

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttemptsParams {
    /// Only this quiz.
    pub quiz_id: Option<String>,
    /// Only this learner.
    pub user_id: Option<String>,
    /// Only attempts waiting for manual grading.
    #[serde(default)]
    pub needs_grading: bool,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptPage {
    pub items: Vec<AttemptListing>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A course's attempts, newest first (the course's instructors and admins; hr within scope).
#[utoipa::path(tag = "quiz results", params(AttemptsParams), responses((status = 200, body = AttemptPage), (status = 403, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/courses/{slug}/quiz-attempts")]
pub async fn course_attempts(state: web::Data<AppState>, user: AuthUser, slug: web::Path<String>, params: web::Query<AttemptsParams>) -> Result<web::Json<AttemptPage>, ApiError> {
    let p = params.into_inner();
    let per_page = p.per_page.unwrap_or(50).clamp(1, 200);
    let page = p.page.unwrap_or(1).max(1);
    let db = state.db.clone();
    let out = blocking(move || {
        read(&db, |c| {
            let course = course(c, &slug)?;
            let staff = require_staff(c, &course.id, &user)?;
            let user_id = match p.user_id.as_deref() {
                Some(u) => Some(u.parse::<UserId>().map_err(|_| ApiError::validation("invalid_user_id", "user_id is not a user id"))?),
                None => None,
            };
            let filter = AttemptFilter {
                quiz_key: p.quiz_id,
                user_id,
                opds: staff.opd_filter(),
                needs_grading: p.needs_grading,
                offset: (page - 1) * per_page,
                limit: per_page,
            };
            let (items, total) = store::course_attempts(c, &course.id, &filter)?;
            Ok(AttemptPage { items, total, page, per_page })
        })
    })
    .await?;
    Ok(web::Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualGradeItem {
    #[schema(value_type = String)]
    pub question_id: QuestionId,
    /// Between 0 and the question's points in this attempt.
    pub points: f64,
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualGradesRequest {
    pub grades: Vec<ManualGradeItem>,
}

/// Grade questions by hand (essays, or an override of an automatic grade) in a submitted
/// attempt. The course's instructors and admins.
#[utoipa::path(
    tag = "quiz results",
    request_body = ManualGradesRequest,
    responses(
        (status = 200, body = StaffAttemptView),
        (status = 403, description = "not_course_instructor", body = crate::Problem, content_type = "application/problem+json"),
        (status = 409, description = "attempt_not_submitted", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_manual_grade", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/attempts/{attempt_id}/grades")]
pub async fn manual_grades(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<ManualGradesRequest>,
) -> Result<web::Json<StaffAttemptView>, ApiError> {
    let db = state.db.clone();
    let settings = progress_settings(&req);
    let body = body.into_inner();
    let out = blocking(move || {
        write(&db, |c| {
            let mut loaded = load(store::attempt_for_update(c, &id).map_err(not_found("attempt"))?)?;
            match attempt_viewer(c, &loaded.record, &user)? {
                Viewer::Staff(Staff::Author) => {}
                Viewer::Staff(Staff::Reader(_)) => {
                    return Err(ApiError::Forbidden { code: "not_course_instructor", detail: "only the course's instructors may grade" });
                }
                // Nobody grades their own attempt (an instructor enrolled in their own course).
                Viewer::Owner => return Err(ApiError::forbidden()),
            }
            if loaded.record.submitted_at.is_none() {
                return Err(ApiError::Conflict { code: "attempt_not_submitted".into(), detail: "an attempt is graded after it is submitted".into() });
            }
            for g in body.grades {
                loaded
                    .attempt
                    .set_manual_grade(&g.question_id, g.points, g.comment.filter(|c| !c.trim().is_empty()))
                    .map_err(|e| ApiError::validation("invalid_manual_grade", e.to_string()))?;
            }
            let quiz = quiz_of_attempt(c, &loaded.record)?;
            store_regrade(c, &mut loaded, &quiz, None, false)?;
            notify_progress(c, Some(&settings), &loaded.record.course_id, &loaded.record.user_id, &quiz, now())?;
            Ok(staff_view(&loaded))
        })
    })
    .await?;
    Ok(web::Json(out))
}

/// Grades a closed attempt again (after manual grading or a correction) and stores it.
fn store_regrade(conn: &mut AnyConnection, loaded: &mut Loaded, quiz: &QuizDef, questions: Option<&str>, regraded: bool) -> Result<AttemptGrade, ApiError> {
    let grade = lentera_quiz::grade_attempt(&loaded.attempt, &loaded.bank).map_err(engine)?;
    let pass = grade.pass_state(quiz.spec.pass_mark_percent);
    let responses = to_json(&loaded.attempt.responses)?;
    let manual = to_json(&loaded.attempt.manual_grades)?;
    let grade_json = to_json(&grade)?;
    let now = lentera_storage::now();
    store::update_grade(
        conn,
        &loaded.record.id,
        &store::GradeWrite {
            responses: &responses,
            manual_grades: &manual,
            questions,
            grade: &grade_json,
            points: grade.points,
            max_points: grade.max_points,
            percent: grade.percent,
            pass_state: &snake(&pass),
            needs_grading: !grade.complete,
            at: now,
        },
        regraded,
    )?;
    loaded.record.pass_state = Some(snake(&pass));
    loaded.record.needs_grading = !grade.complete;
    loaded.record.percent = Some(grade.percent);
    if regraded {
        loaded.record.regraded_at = Some(now);
    }
    loaded.grade = Some(grade.clone());
    Ok(grade)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegradeParams {
    /// Report what would change; store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegradedAttempt {
    pub attempt_id: String,
    pub user_id: String,
    pub number: i32,
    pub old_percent: Option<f64>,
    pub new_percent: f64,
    #[schema(value_type = Option<String>)]
    pub old_pass_state: Option<PassState>,
    #[schema(value_type = String)]
    pub new_pass_state: PassState,
    pub changes: Vec<RegradeChange>,
    /// Responses the corrected question can no longer read (they now score nothing).
    pub warnings: Vec<RegradeWarning>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegradeReport {
    pub dry_run: bool,
    /// Questions whose current text differs from what some attempt was graded with.
    pub questions_changed: Vec<String>,
    /// Submitted attempts looked at.
    pub attempts_checked: usize,
    /// Attempts in progress that now show the corrected questions.
    pub open_attempts_updated: usize,
    /// Submitted attempts graded again with the corrected questions.
    pub attempts: Vec<RegradedAttempt>,
}

/// Questions equal but for where they sit in their file.
fn same_question(a: &Question, b: &Question) -> bool {
    if a.source_line == b.source_line {
        return a == b;
    }
    let (mut a, mut b) = (a.clone(), b.clone());
    a.source_line = None;
    b.source_line = None;
    a == b
}

/// Regrade every attempt at a quiz against its current questions: those of the course's newest
/// version (a corrected quiz file) or the bank as edited. Manual grades are kept.
#[utoipa::path(
    tag = "quiz results",
    params(RegradeParams),
    responses((status = 200, body = RegradeReport), (status = 403, description = "not_course_instructor", body = crate::Problem, content_type = "application/problem+json"), (status = 404, body = crate::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/courses/{slug}/quizzes/{quiz_id}/regrade")]
pub async fn regrade(state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>, params: web::Query<RegradeParams>) -> Result<web::Json<RegradeReport>, ApiError> {
    let (slug, key) = path.into_inner();
    let dry_run = params.dry_run;
    let db = state.db.clone();
    let out = blocking(move || {
        write(&db, |c| {
            let course = course(c, &slug)?;
            require_author(c, &course.id, &user)?;
            let quiz = current_quiz(c, &course, &key)?;
            regrade_quiz(c, &course, &quiz, dry_run)
        })
    })
    .await?;
    Ok(web::Json(out))
}

fn regrade_quiz(conn: &mut AnyConnection, course: &CourseRef, quiz: &QuizDef, dry_run: bool) -> Result<RegradeReport, ApiError> {
    let latest: HashMap<QuestionId, Question> = latest_questions(conn, quiz)?.into_iter().map(|q| (q.id.clone(), q)).collect();
    let mut report = RegradeReport { dry_run, questions_changed: Vec::new(), attempts_checked: 0, open_attempts_updated: 0, attempts: Vec::new() };
    let mut changed_ids: BTreeSet<String> = BTreeSet::new();
    let mut learners: BTreeSet<String> = BTreeSet::new();
    let at = now();
    for rec in store::attempts_of_quiz(conn, &course.id, &quiz.record.quiz_key, false)? {
        let mut loaded = load(rec)?;
        let submitted = loaded.record.submitted_at.is_some();
        if submitted {
            report.attempts_checked += 1;
        }
        let mut replaced = false;
        let questions: Vec<Question> = loaded
            .bank
            .questions()
            .iter()
            .map(|q| match latest.get(&q.id) {
                Some(new) if !same_question(q, new) => {
                    replaced = true;
                    changed_ids.insert(q.id.to_string());
                    new.clone()
                }
                _ => q.clone(),
            })
            .collect();
        if !replaced {
            continue;
        }
        let questions_json = to_json(&questions)?;
        let bank = QuestionBank::new(questions).map_err(engine)?;
        if !submitted {
            // A dry run counts what a real one would update.
            if dry_run || store::set_open_attempt_questions(conn, &loaded.record.id, &questions_json, at.naive_utc())? {
                report.open_attempts_updated += 1;
            }
            continue;
        }
        let old_grade = match loaded.grade.clone() {
            Some(g) => g,
            None => lentera_quiz::grade_attempt(&loaded.attempt, &loaded.bank).map_err(engine)?,
        };
        let stored = GradedAttempt { attempt: loaded.attempt.clone(), grade: old_grade };
        let result = lentera_quiz::regrade_attempt(&stored, &bank).map_err(engine)?;
        let new_grade = &result.graded.grade;
        let item = RegradedAttempt {
            attempt_id: loaded.record.id.clone(),
            user_id: loaded.record.user_id.clone(),
            number: loaded.record.number,
            old_percent: loaded.record.percent,
            new_percent: new_grade.percent,
            old_pass_state: loaded.record.pass_state.as_deref().and_then(pass_state_of),
            new_pass_state: new_grade.pass_state(quiz.spec.pass_mark_percent),
            changes: result.changes.clone(),
            warnings: result.warnings.clone(),
        };
        if !dry_run {
            loaded.bank = Arc::new(bank);
            store_regrade(conn, &mut loaded, quiz, Some(&questions_json), true)?;
            learners.insert(loaded.record.user_id.clone());
        }
        report.attempts.push(item);
    }
    for user in learners {
        notify_progress(conn, None, &course.id, &user, quiz, at)?;
    }
    report.questions_changed = changed_ids.into_iter().collect();
    Ok(report)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsParams {
    /// `first` (default: each learner's first attempt, as Moodle does, so retries after seeing
    /// the answers do not count) or `all` submitted attempts.
    pub attempts: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizStatisticsView {
    pub quiz_id: String,
    /// `first` or `all`.
    pub attempts_counted: String,
    /// Facility (0..1), discrimination (−1..1, the corrected item–total correlation) and how
    /// often each option was chosen, per question; mean, median, SD and Cronbach's alpha.
    pub statistics: QuizStatistics,
}

/// Item analysis of a quiz: per question facility, discrimination and distractor counts; test
/// mean, median, standard deviation and Cronbach's alpha. Only graded attempts count.
#[utoipa::path(tag = "quiz results", params(StatisticsParams), responses((status = 200, body = QuizStatisticsView), (status = 403, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/courses/{slug}/quizzes/{quiz_id}/statistics")]
pub async fn statistics(state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>, params: web::Query<StatisticsParams>) -> Result<web::Json<QuizStatisticsView>, ApiError> {
    let (slug, key) = path.into_inner();
    let mode = params.into_inner().attempts.unwrap_or_else(|| "first".into());
    if mode != "first" && mode != "all" {
        return Err(ApiError::validation("invalid_attempts", "attempts must be `first` or `all`"));
    }
    let db = state.db.clone();
    let out = blocking(move || {
        read(&db, |c| {
            let course = course(c, &slug)?;
            let staff = require_staff(c, &course.id, &user)?;
            let quiz = current_quiz(c, &course, &key)?;
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut opds: HashMap<String, Option<String>> = HashMap::new();
            let mut graded = Vec::new();
            let mut snapshot: HashMap<QuestionId, Question> = HashMap::new();
            for rec in store::attempts_of_quiz(c, &course.id, &key, true)? {
                if mode == "first" && !seen.insert(rec.user_id.clone()) {
                    continue;
                }
                if matches!(staff, Staff::Reader(HrScope::Opds(_))) {
                    let opd = match opds.get(&rec.user_id) {
                        Some(o) => o.clone(),
                        None => {
                            let o = store::user_opd(c, &rec.user_id)?;
                            opds.insert(rec.user_id.clone(), o.clone());
                            o
                        }
                    };
                    if !staff.covers(opd.as_deref()) {
                        continue;
                    }
                }
                let loaded = load(rec)?;
                for q in loaded.bank.questions() {
                    snapshot.entry(q.id.clone()).or_insert_with(|| q.clone());
                }
                let grade = match loaded.grade {
                    Some(g) => g,
                    None => lentera_quiz::grade_attempt(&loaded.attempt, &loaded.bank).map_err(engine)?,
                };
                graded.push(GradedAttempt { attempt: loaded.attempt, grade });
            }
            // Labels and weights from the newest text of each question.
            for q in latest_questions(c, &quiz)? {
                snapshot.insert(q.id.clone(), q);
            }
            let mut questions: Vec<Question> = snapshot.into_values().collect();
            questions.sort_by(|a, b| a.id.cmp(&b.id));
            let bank = QuestionBank::new(questions).map_err(engine)?;
            Ok(QuizStatisticsView { quiz_id: key.clone(), attempts_counted: mode.clone(), statistics: lentera_quiz::item_analysis(&graded, &bank) })
        })
    })
    .await?;
    Ok(web::Json(out))
}

// ---------------------------------------------------------------------------------------------
// The question bank and quizzes drawn from it

#[derive(Debug, Serialize, ToSchema)]
pub struct BankQuestionView {
    pub id: String,
    pub category: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub revision: i32,
    pub updated_at: DateTime<Utc>,
    /// The whole question, answers included (instructors only).
    pub question: Question,
}

fn bank_view(r: store::BankQuestionRecord) -> Result<BankQuestionView, ApiError> {
    Ok(BankQuestionView {
        question: parse("bank question", &r.question)?,
        id: r.question_key,
        category: r.category,
        kind: r.kind,
        revision: r.revision,
        updated_at: utc(r.updated_at),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BankParams {
    /// Only this category and its subcategories (`Keuangan` includes `Keuangan/Anggaran`).
    pub category: Option<String>,
}

/// The course's question bank, answers included (the course's instructors and admins).
#[utoipa::path(tag = "question bank", params(BankParams), responses((status = 200, body = Vec<BankQuestionView>), (status = 403, description = "not_course_instructor", body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/courses/{slug}/bank")]
pub async fn bank_list(state: web::Data<AppState>, user: AuthUser, slug: web::Path<String>, params: web::Query<BankParams>) -> Result<web::Json<Vec<BankQuestionView>>, ApiError> {
    let db = state.db.clone();
    let category = params.into_inner().category.map(|c| lentera_quiz::normalise_category(&c));
    let out = blocking(move || {
        read(&db, |c| {
            let course = course(c, &slug)?;
            require_author(c, &course.id, &user)?;
            store::bank_questions(c, &course.id)?
                .into_iter()
                .filter(|q| match &category {
                    None => true,
                    Some(want) => q.category.as_deref().map(lentera_quiz::normalise_category).is_some_and(|have| {
                        have == *want || (have.starts_with(want.as_str()) && have[want.len()..].starts_with('/'))
                    }),
                })
                .map(bank_view)
                .collect()
        })
    })
    .await?;
    Ok(web::Json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BankImportParams {
    /// `gift` or `aiken` (default: from Content-Type, else `gift`).
    pub format: Option<String>,
    /// Category for questions the file does not put in one (GIFT `$CATEGORY:` wins).
    pub category: Option<String>,
    /// Replace bank questions that have the same id (corrections). Without it, a file whose
    /// ids are already taken by other questions is refused.
    #[serde(default)]
    pub replace: bool,
    /// Check only; store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedQuestion {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub category: Option<String>,
    #[schema(value_type = String, example = "created")]
    pub result: store::BankWrite,
    pub line: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BankImportReport {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub questions: Vec<ImportedQuestion>,
    /// Things the author should look at, with line and column; nothing was refused for them.
    pub warnings: Vec<lentera_quiz::Problem>,
}

/// Upload a GIFT or Aiken file into the course's question bank. All or nothing: any error in the
/// file refuses it whole, with every problem's line and column.
#[utoipa::path(
    tag = "question bank",
    params(BankImportParams),
    request_body(content = String, content_type = "text/plain"),
    responses(
        (status = 200, body = BankImportReport),
        (status = 403, description = "not_course_instructor", body = crate::Problem, content_type = "application/problem+json"),
        (status = 409, description = "question_id_taken", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "quiz_file_invalid (errors: [{line, column, code, severity, message}]), quiz_file_empty or not_utf8", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/courses/{slug}/bank/import")]
pub async fn bank_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    slug: web::Path<String>,
    params: web::Query<BankImportParams>,
    payload: web::Payload,
) -> Result<web::Json<BankImportReport>, ApiError> {
    let p = params.into_inner();
    let ct = req.headers().get(actix_web::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let aiken = match p.format.as_deref() {
        Some("gift") => false,
        Some("aiken") => true,
        Some(other) => return Err(ApiError::validation("unknown_quiz_format", format!("format must be gift or aiken, got {other:?}"))),
        None => ct.contains("aiken"),
    };
    let body = super::read_limited(payload, state.config.upload_limit).await?;
    let text = String::from_utf8(body.to_vec()).map_err(|e| ApiError::validation("not_utf8", format!("the file is not UTF-8 text: {e}")))?;
    let db = state.db.clone();
    let out = blocking(move || {
        let course_id = read(&db, |c| {
            let course = course(c, &slug)?;
            require_author(c, &course.id, &user)?;
            Ok(course.id)
        })?;
        let parsed = if aiken { lentera_quiz::parse_aiken(&text) } else { lentera_quiz::parse_gift(&text) };
        if parsed.has_errors() {
            let errors = parsed.errors().count();
            return Err(ApiError::Validation {
                code: "quiz_file_invalid".into(),
                detail: format!("{errors} error(s) in the file; nothing was imported"),
                errors: serde_json::to_value(&parsed.problems).ok(),
            });
        }
        if parsed.questions.is_empty() {
            return Err(ApiError::validation("quiz_file_empty", "the file holds no question"));
        }
        let default_category = p.category.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        let questions: Vec<Question> = parsed
            .questions
            .into_iter()
            .map(|mut q| {
                if q.category.is_none() {
                    q.category = default_category.clone();
                }
                q
            })
            .collect();
        let warnings: Vec<lentera_quiz::Problem> = parsed.problems;
        let by = user.id();
        write(&db, |c| {
            let keys: Vec<String> = questions.iter().map(|q| q.id.to_string()).collect();
            let existing: HashMap<String, Question> = store::bank_questions_by_keys(c, &course_id, &keys)?
                .iter()
                .map(|r| Ok((r.question_key.clone(), parse::<Question>("bank question", &r.question)?)))
                .collect::<Result<_, ApiError>>()?;
            if !p.replace {
                let taken: Vec<&str> = questions
                    .iter()
                    .filter(|q| existing.get(q.id.as_str()).is_some_and(|old| !same_question(old, q)))
                    .map(|q| q.id.as_str())
                    .collect();
                if !taken.is_empty() {
                    return Err(ApiError::Conflict {
                        code: "question_id_taken".into(),
                        detail: format!(
                            "the bank already has other questions with the id(s) {}; send replace=true to replace them, or give the questions other ids ([id:…] in GIFT)",
                            taken.join(", ")
                        ),
                    });
                }
            }
            let mut report = BankImportReport { dry_run: p.dry_run, created: 0, updated: 0, unchanged: 0, questions: Vec::new(), warnings };
            for q in &questions {
                let result = if p.dry_run {
                    match existing.get(q.id.as_str()) {
                        None => store::BankWrite::Created,
                        Some(old) if same_question(old, q) => store::BankWrite::Unchanged,
                        Some(_) => store::BankWrite::Updated,
                    }
                } else {
                    let mut stored = q.clone();
                    stored.source_line = None;
                    store::upsert_bank_question(
                        c,
                        &course_id,
                        &store::BankQuestionInput { key: q.id.to_string(), category: q.category.clone(), kind: q.type_name().into(), question: to_json(&stored)? },
                        Some(by),
                    )?
                };
                match result {
                    store::BankWrite::Created => report.created += 1,
                    store::BankWrite::Updated => report.updated += 1,
                    store::BankWrite::Unchanged => report.unchanged += 1,
                }
                report.questions.push(ImportedQuestion {
                    id: q.id.to_string(),
                    kind: q.type_name().into(),
                    title: q.title.clone(),
                    category: q.category.clone(),
                    result,
                    line: q.source_line,
                });
            }
            Ok(report)
        })
    })
    .await?;
    Ok(web::Json(out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BankQuestionSaved {
    #[schema(value_type = String, example = "updated")]
    pub result: store::BankWrite,
    pub question: BankQuestionView,
}

/// Create or correct one question of the bank (the whole question, in the quiz engine's JSON
/// form). Attempts keep the text they were graded with until the quiz is regraded.
#[utoipa::path(
    tag = "question bank",
    request_body(content = Question, description = "a question, answers included"),
    responses((status = 200, body = BankQuestionSaved), (status = 403, description = "not_course_instructor", body = crate::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid_question or id_mismatch", body = crate::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/courses/{slug}/bank/questions/{question_id}")]
pub async fn bank_put(state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>, body: web::Json<Question>) -> Result<web::Json<BankQuestionSaved>, ApiError> {
    let (slug, key) = path.into_inner();
    let mut question = body.into_inner();
    if question.id.as_str() != key {
        return Err(ApiError::validation("id_mismatch", format!("the question's id {:?} is not the id in the path {key:?}", question.id.as_str())));
    }
    if !lentera_quiz::is_valid_id(&key) {
        return Err(ApiError::validation("invalid_question", "a question id is 1 to 100 letters, digits, `-`, `_` or `.`"));
    }
    question.validate().map_err(|e| ApiError::validation("invalid_question", e.to_string()))?;
    question.source_line = None;
    let db = state.db.clone();
    let out = blocking(move || {
        write(&db, |c| {
            let course = course(c, &slug)?;
            require_author(c, &course.id, &user)?;
            let input = store::BankQuestionInput { key: key.clone(), category: question.category.clone(), kind: question.type_name().into(), question: to_json(&question)? };
            let result = store::upsert_bank_question(c, &course.id, &input, Some(user.id()))?;
            let record = store::bank_questions_by_keys(c, &course.id, std::slice::from_ref(&key))?.into_iter().next().ok_or(ApiError::NotFound { what: "question" })?;
            Ok(BankQuestionSaved { result, question: bank_view(record)? })
        })
    })
    .await?;
    Ok(web::Json(out))
}

fn yes() -> bool {
    true
}

/// Settings of a quiz drawn from the course's question bank.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankQuizRequest {
    pub title: String,
    /// `pretest`, `posttest`, `final` or `practice` (default).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub role: QuizRole,
    /// Markdown shown before starting.
    pub intro: Option<String>,
    pub time_limit_minutes: Option<u32>,
    pub max_attempts: Option<u32>,
    pub pass_mark_percent: Option<f64>,
    /// `highest` (default), `last`, `average` or `first`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub grading_method: GradingMethod,
    /// `{"immediately": "responses", "after_close": "feedback"}` (levels: nothing, score,
    /// responses, correct_answers, feedback).
    #[serde(default)]
    pub review_policy: ReviewPolicy,
    #[serde(default)]
    pub shuffle_questions: bool,
    #[serde(default = "yes")]
    pub shuffle_options: bool,
    /// `[{"type": "draw", "category": "Keuangan", "count": 10}, {"type": "fixed", "questions": ["q1"]}]`
    pub sections: Vec<Section>,
}

/// Create or change a quiz that draws from the course's question bank (the course's
/// instructors and admins). Kept in every new version of the course; a quiz file with the same
/// id wins.
#[utoipa::path(
    tag = "question bank",
    request_body = BankQuizRequest,
    responses(
        (status = 201, body = QuizInfo),
        (status = 200, body = QuizInfo),
        (status = 403, description = "not_course_instructor", body = crate::Problem, content_type = "application/problem+json"),
        (status = 409, description = "quiz_defined_in_course_files", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_quiz or quiz_not_drawable", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/courses/{slug}/quizzes/{quiz_id}")]
pub async fn put_bank_quiz(state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>, body: web::Json<BankQuizRequest>) -> Result<HttpResponse, ApiError> {
    let (slug, key) = path.into_inner();
    let b = body.into_inner();
    let invalid = |m: &str| ApiError::validation("invalid_quiz", m.to_string());
    if !lentera_quiz::is_valid_id(&key) {
        return Err(invalid("a quiz id is 1 to 100 letters, digits, `-`, `_` or `.`"));
    }
    if b.title.trim().is_empty() {
        return Err(invalid("the quiz needs a title"));
    }
    if b.max_attempts == Some(0) {
        return Err(invalid("max_attempts must be at least 1"));
    }
    if b.pass_mark_percent.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
        return Err(invalid("pass_mark_percent must be between 0 and 100"));
    }
    if b.sections.is_empty() {
        return Err(invalid("the quiz needs at least one section"));
    }
    let spec = QuizSpec {
        id: key.clone(),
        title: b.title.trim().to_string(),
        role: b.role,
        time_limit_minutes: b.time_limit_minutes.filter(|m| *m > 0),
        max_attempts: b.max_attempts,
        pass_mark_percent: b.pass_mark_percent,
        grading_method: b.grading_method,
        review_policy: b.review_policy,
        shuffle_questions: b.shuffle_questions,
        shuffle_options: b.shuffle_options,
        sections: b.sections,
    };
    let intro = b.intro;
    let db = state.db.clone();
    let (info, created) = blocking(move || {
        write(&db, |c| {
            let course = course(c, &slug)?;
            require_author(c, &course.id, &user)?;
            let version = current_version(&course)?.to_string();
            let bank = QuestionBank::new(course_bank(c, &course.id)?).map_err(engine)?;
            // A draw that works for one seed works for every seed.
            lentera_quiz::build_attempt(&spec, &bank, 0)
                .map_err(|e| ApiError::validation("quiz_not_drawable", format!("the sections cannot be drawn from the bank: {e}")))?;
            let new = store::NewQuiz {
                quiz_key: key.clone(),
                title: spec.title.clone(),
                role: snake(&spec.role),
                origin: store::ORIGIN_BANK.into(),
                source_path: None,
                format: "bank".into(),
                spec: to_json(&spec)?,
                intro: intro.clone(),
                questions: "[]".into(),
                question_count: i32::try_from(slot_count(&spec)).unwrap_or(i32::MAX),
            };
            let (_, created) = store::upsert_bank_quiz(c, &course.id, &version, &new).map_err(|e| match e {
                StorageError::Duplicate { .. } => ApiError::Conflict {
                    code: "quiz_defined_in_course_files".into(),
                    detail: format!("the course's files define a quiz {key:?}; change it there"),
                },
                other => other.into(),
            })?;
            let quiz = current_quiz(c, &course, &key)?;
            let required = required_quiz(c, &course)?;
            Ok((quiz_info(&quiz, required.as_deref(), None), created))
        })
    })
    .await?;
    Ok(if created { HttpResponse::Created().json(info) } else { HttpResponse::Ok().json(info) })
}
