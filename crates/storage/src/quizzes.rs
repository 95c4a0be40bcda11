//! Quizzes (per course version, keyed by the quiz id), each course's question bank, and
//! learners' attempts.
//!
//! Quiz content (settings, questions, plans, responses, grades) is stored as the quiz engine's
//! own serde JSON, so the engine's types stay the one definition of it. This module stores and
//! finds rows and never reads that JSON: drawing, time rules and grading stay in `lentera-quiz`,
//! and the API glue calls both inside one [`crate::Db::write`] transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lentera_accounts::UserId;
use serde::Serialize;

use crate::schema::users;
use crate::schema_quiz::{bank_questions, quiz_attempt_papers, quiz_attempts, quizzes};
use crate::{AnyConnection, StorageError};

// ---------------------------------------------------------------------------------------------
// Quizzes

/// Where a quiz comes from.
pub const ORIGIN_FILE: &str = "file";
/// Defined through the API over the course's question bank; carried forward to new versions.
pub const ORIGIN_BANK: &str = "bank";

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct QuizRecord {
    pub id: String,
    pub course_id: String,
    pub version_id: String,
    pub quiz_key: String,
    pub title: String,
    pub role: String,
    pub origin: String,
    pub source_path: Option<String>,
    pub format: String,
    /// `lentera_quiz::QuizSpec` as JSON.
    pub spec: String,
    pub intro: Option<String>,
    /// Questions in the quiz (the questions themselves are read on their own: [`quiz_questions`]).
    pub question_count: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

columns!(QuizColumns, QUIZ_COLUMNS = (
    quizzes::id,
    quizzes::course_id,
    quizzes::version_id,
    quizzes::quiz_key,
    quizzes::title,
    quizzes::role,
    quizzes::origin,
    quizzes::source_path,
    quizzes::format,
    quizzes::spec,
    quizzes::intro,
    quizzes::question_count,
    quizzes::created_at,
    quizzes::updated_at,
));

#[derive(Debug, Clone, PartialEq)]
pub struct NewQuiz {
    pub quiz_key: String,
    pub title: String,
    /// `pretest`, `posttest`, `final` or `practice`.
    pub role: String,
    pub origin: String,
    pub source_path: Option<String>,
    /// `markdown`, `gift`, `aiken` or `bank`.
    pub format: String,
    pub spec: String,
    pub intro: Option<String>,
    pub questions: String,
    pub question_count: i32,
}

/// Stores a quiz of a course version.
pub fn insert_quiz(conn: &mut AnyConnection, course_id: &str, version_id: &str, quiz: &NewQuiz) -> Result<String, StorageError> {
    let id = uuid::Uuid::now_v7().to_string();
    let at = crate::now();
    diesel::insert_into(quizzes::table)
        .values((
            quizzes::id.eq(&id),
            quizzes::course_id.eq(course_id),
            quizzes::version_id.eq(version_id),
            quizzes::quiz_key.eq(&quiz.quiz_key),
            quizzes::title.eq(&quiz.title),
            quizzes::role.eq(&quiz.role),
            quizzes::origin.eq(&quiz.origin),
            quizzes::source_path.eq(&quiz.source_path),
            quizzes::format.eq(&quiz.format),
            quizzes::spec.eq(&quiz.spec),
            quizzes::intro.eq(&quiz.intro),
            quizzes::questions.eq(&quiz.questions),
            quizzes::question_count.eq(quiz.question_count),
            quizzes::created_at.eq(at),
            quizzes::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Copies the bank quizzes of `from_version` into `to_version` (a new version of the same
/// course), except those whose id a quiz file of the new version now uses. Returns how many.
pub fn carry_forward_bank_quizzes(conn: &mut AnyConnection, from_version: &str, to_version: &str) -> Result<usize, StorageError> {
    let taken: Vec<String> = quizzes::table.filter(quizzes::version_id.eq(to_version)).select(quizzes::quiz_key).load(conn)?;
    let old: Vec<QuizRecord> = quizzes::table
        .filter(quizzes::version_id.eq(from_version))
        .filter(quizzes::origin.eq(ORIGIN_BANK))
        .select(QUIZ_COLUMNS)
        .load(conn)?;
    let mut n = 0;
    for q in old.into_iter().filter(|q| !taken.contains(&q.quiz_key)) {
        let questions = quiz_questions(conn, &q.id)?;
        let copy = NewQuiz {
            quiz_key: q.quiz_key,
            title: q.title,
            role: q.role,
            origin: q.origin,
            source_path: q.source_path,
            format: q.format,
            spec: q.spec,
            intro: q.intro,
            questions,
            question_count: q.question_count,
        };
        insert_quiz(conn, &q.course_id, to_version, &copy)?;
        n += 1;
    }
    Ok(n)
}

/// Creates or replaces a bank quiz of a version. A quiz file with the same id wins: replacing
/// it is refused with `Duplicate { field: "quiz_key" }`. Returns the row id and whether it is new.
pub fn upsert_bank_quiz(conn: &mut AnyConnection, course_id: &str, version_id: &str, quiz: &NewQuiz) -> Result<(String, bool), StorageError> {
    let existing: Option<(String, String)> = quizzes::table
        .filter(quizzes::version_id.eq(version_id))
        .filter(quizzes::quiz_key.eq(&quiz.quiz_key))
        .select((quizzes::id, quizzes::origin))
        .get_result(conn)
        .optional()?;
    match existing {
        Some((_, origin)) if origin != ORIGIN_BANK => Err(StorageError::Duplicate { field: "quiz_key".into() }),
        Some((id, _)) => {
            diesel::update(quizzes::table.find(&id))
                .set((
                    quizzes::title.eq(&quiz.title),
                    quizzes::role.eq(&quiz.role),
                    quizzes::spec.eq(&quiz.spec),
                    quizzes::intro.eq(&quiz.intro),
                    quizzes::question_count.eq(quiz.question_count),
                    quizzes::updated_at.eq(crate::now()),
                ))
                .execute(conn)?;
            Ok((id, false))
        }
        None => Ok((insert_quiz(conn, course_id, version_id, quiz)?, true)),
    }
}

/// The quizzes of a course version, quiz files first in path order, then bank quizzes.
pub fn quizzes_of_version(conn: &mut AnyConnection, version_id: &str) -> Result<Vec<QuizRecord>, StorageError> {
    let mut rows: Vec<QuizRecord> = quizzes::table.filter(quizzes::version_id.eq(version_id)).select(QUIZ_COLUMNS).load(conn)?;
    rows.sort_by(|a, b| (a.origin != ORIGIN_FILE, &a.source_path, &a.quiz_key).cmp(&(b.origin != ORIGIN_FILE, &b.source_path, &b.quiz_key)));
    Ok(rows)
}

/// A quiz of a course version by its id (`NotFound` when that version has no such quiz).
pub fn quiz_in_version(conn: &mut AnyConnection, version_id: &str, quiz_key: &str) -> Result<QuizRecord, StorageError> {
    Ok(native!(conn, |c| quizzes::table
        .filter(quizzes::version_id.eq(version_id))
        .filter(quizzes::quiz_key.eq(quiz_key))
        .select(QUIZ_COLUMNS)
        .get_result(c))?)
}

pub fn quiz_by_id(conn: &mut AnyConnection, id: &str) -> Result<QuizRecord, StorageError> {
    Ok(quizzes::table.find(id).select(QUIZ_COLUMNS).get_result(conn)?)
}

/// The quiz file's own questions (`Vec<lentera_quiz::Question>` as JSON; `[]` for a bank quiz).
/// Kept apart from [`QuizRecord`] because taking and grading an attempt never needs them.
pub fn quiz_questions(conn: &mut AnyConnection, id: &str) -> Result<String, StorageError> {
    Ok(quizzes::table.find(id).select(quizzes::questions).get_result(conn)?)
}

// ---------------------------------------------------------------------------------------------
// The question bank

#[derive(Debug, Clone, PartialEq, Queryable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankQuestionRecord {
    pub id: String,
    pub course_id: String,
    pub question_key: String,
    pub category: Option<String>,
    pub kind: String,
    /// `lentera_quiz::Question` as JSON.
    pub question: String,
    pub revision: i32,
    pub updated_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

columns!(BankColumns, BANK_COLUMNS = (
    bank_questions::id,
    bank_questions::course_id,
    bank_questions::question_key,
    bank_questions::category,
    bank_questions::kind,
    bank_questions::question,
    bank_questions::revision,
    bank_questions::updated_by,
    bank_questions::created_at,
    bank_questions::updated_at,
));

#[derive(Debug, Clone, PartialEq)]
pub struct BankQuestionInput {
    pub key: String,
    pub category: Option<String>,
    pub kind: String,
    pub question: String,
}

/// What writing one question to the bank did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BankWrite {
    Created,
    /// The question existed with other content: a new revision.
    Updated,
    Unchanged,
}

/// Every question in a course's bank, by id.
pub fn bank_questions(conn: &mut AnyConnection, course_id: &str) -> Result<Vec<BankQuestionRecord>, StorageError> {
    Ok(bank_questions::table
        .filter(bank_questions::course_id.eq(course_id))
        .order(bank_questions::question_key.asc())
        .select(BANK_COLUMNS)
        .load(conn)?)
}

/// The bank questions with these ids (those that exist).
pub fn bank_questions_by_keys(conn: &mut AnyConnection, course_id: &str, keys: &[String]) -> Result<Vec<BankQuestionRecord>, StorageError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(500) {
        let rows: Vec<BankQuestionRecord> = bank_questions::table
            .filter(bank_questions::course_id.eq(course_id))
            .filter(bank_questions::question_key.eq_any(chunk))
            .select(BANK_COLUMNS)
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// Adds a question to the bank or, when its id exists with other content, stores it as a new
/// revision.
pub fn upsert_bank_question(
    conn: &mut AnyConnection,
    course_id: &str,
    input: &BankQuestionInput,
    by: Option<UserId>,
) -> Result<BankWrite, StorageError> {
    let at = crate::now();
    let existing: Option<(String, Option<String>, String, i32)> = bank_questions::table
        .filter(bank_questions::course_id.eq(course_id))
        .filter(bank_questions::question_key.eq(&input.key))
        .select((bank_questions::id, bank_questions::category, bank_questions::question, bank_questions::revision))
        .get_result(conn)
        .optional()?;
    match existing {
        Some((_, category, question, _)) if category == input.category && question == input.question => Ok(BankWrite::Unchanged),
        Some((id, _, _, revision)) => {
            diesel::update(bank_questions::table.find(&id))
                .set((
                    bank_questions::category.eq(&input.category),
                    bank_questions::kind.eq(&input.kind),
                    bank_questions::question.eq(&input.question),
                    bank_questions::revision.eq(revision + 1),
                    bank_questions::updated_by.eq(by.map(|u| u.to_string())),
                    bank_questions::updated_at.eq(at),
                ))
                .execute(conn)?;
            Ok(BankWrite::Updated)
        }
        None => {
            diesel::insert_into(bank_questions::table)
                .values((
                    bank_questions::id.eq(uuid::Uuid::now_v7().to_string()),
                    bank_questions::course_id.eq(course_id),
                    bank_questions::question_key.eq(&input.key),
                    bank_questions::category.eq(&input.category),
                    bank_questions::kind.eq(&input.kind),
                    bank_questions::question.eq(&input.question),
                    bank_questions::revision.eq(1),
                    bank_questions::updated_by.eq(by.map(|u| u.to_string())),
                    bank_questions::created_at.eq(at),
                    bank_questions::updated_at.eq(at),
                ))
                .execute(conn)?;
            Ok(BankWrite::Created)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Attempts

/// `closed_by` of an attempt the learner submitted.
pub const CLOSED_BY_LEARNER: &str = "learner";
/// `closed_by` of an attempt the server closed because its time ran out.
pub const CLOSED_BY_TIMEOUT: &str = "timeout";

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct AttemptRecord {
    pub id: String,
    pub quiz_id: String,
    pub course_id: String,
    pub quiz_key: String,
    pub user_id: String,
    pub number: i32,
    /// The `u64` seed, stored bit for bit as a signed 64-bit integer.
    pub seed: i64,
    pub time_limit_minutes: Option<i32>,
    /// `lentera_quiz::AttemptPlan` as JSON.
    pub plan: String,
    /// The questions drawn (`Vec<lentera_quiz::Question>`) as JSON.
    pub questions: String,
    /// Question id → `lentera_quiz::Response`, as JSON.
    pub responses: String,
    /// Question id → `lentera_quiz::ManualGrade`, as JSON.
    pub manual_grades: String,
    pub started_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub closed_by: Option<String>,
    /// `lentera_quiz::AttemptGrade` as JSON, once submitted.
    pub grade: Option<String>,
    pub points: Option<f64>,
    pub max_points: Option<f64>,
    pub percent: Option<f64>,
    /// `lentera_quiz::PassState` in snake case.
    pub pass_state: Option<String>,
    pub needs_grading: bool,
    pub regraded_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

columns!(AttemptColumns, ATTEMPT_COLUMNS = (
    quiz_attempts::id,
    quiz_attempts::quiz_id,
    quiz_attempts::course_id,
    quiz_attempts::quiz_key,
    quiz_attempts::user_id,
    quiz_attempts::number,
    quiz_attempts::seed,
    quiz_attempts::time_limit_minutes,
    quiz_attempt_papers::plan,
    quiz_attempt_papers::questions,
    quiz_attempts::responses,
    quiz_attempts::manual_grades,
    quiz_attempts::started_at,
    quiz_attempts::submitted_at,
    quiz_attempts::closed_by,
    quiz_attempts::grade,
    quiz_attempts::points,
    quiz_attempts::max_points,
    quiz_attempts::percent,
    quiz_attempts::pass_state,
    quiz_attempts::needs_grading,
    quiz_attempts::regraded_at,
    quiz_attempts::updated_at,
));

/// An attempt without its JSON: for lists and for combining grades.
#[derive(Debug, Clone, PartialEq, Queryable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptSummary {
    pub id: String,
    pub quiz_id: String,
    pub user_id: String,
    pub number: i32,
    pub time_limit_minutes: Option<i32>,
    pub started_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub closed_by: Option<String>,
    pub points: Option<f64>,
    pub max_points: Option<f64>,
    pub percent: Option<f64>,
    pub pass_state: Option<String>,
    pub needs_grading: bool,
    pub regraded_at: Option<NaiveDateTime>,
}

columns!(SummaryColumns, SUMMARY_COLUMNS = (
    quiz_attempts::id,
    quiz_attempts::quiz_id,
    quiz_attempts::user_id,
    quiz_attempts::number,
    quiz_attempts::time_limit_minutes,
    quiz_attempts::started_at,
    quiz_attempts::submitted_at,
    quiz_attempts::closed_by,
    quiz_attempts::points,
    quiz_attempts::max_points,
    quiz_attempts::percent,
    quiz_attempts::pass_state,
    quiz_attempts::needs_grading,
    quiz_attempts::regraded_at,
));

#[derive(Debug, Clone)]
pub struct NewAttempt<'a> {
    pub id: &'a str,
    pub quiz_id: &'a str,
    pub course_id: &'a str,
    pub quiz_key: &'a str,
    pub user_id: UserId,
    pub number: i32,
    pub seed: u64,
    pub time_limit_minutes: Option<i32>,
    pub plan: &'a str,
    pub questions: &'a str,
    pub started_at: NaiveDateTime,
}

/// Stores a new attempt. Two attempts with the same number for one learner and quiz are
/// refused (`Duplicate`), so two concurrent starts cannot both pass the attempt limit.
pub fn insert_attempt(conn: &mut AnyConnection, a: &NewAttempt<'_>) -> Result<(), StorageError> {
    diesel::insert_into(quiz_attempts::table)
        .values((
            quiz_attempts::id.eq(a.id),
            quiz_attempts::quiz_id.eq(a.quiz_id),
            quiz_attempts::course_id.eq(a.course_id),
            quiz_attempts::quiz_key.eq(a.quiz_key),
            quiz_attempts::user_id.eq(a.user_id.to_string()),
            quiz_attempts::number.eq(a.number),
            quiz_attempts::seed.eq(i64::from_ne_bytes(a.seed.to_ne_bytes())),
            quiz_attempts::time_limit_minutes.eq(a.time_limit_minutes),
            quiz_attempts::responses.eq("{}"),
            quiz_attempts::manual_grades.eq("{}"),
            quiz_attempts::started_at.eq(a.started_at),
            quiz_attempts::needs_grading.eq(false),
            quiz_attempts::updated_at.eq(a.started_at),
        ))
        .execute(conn)?;
    diesel::insert_into(quiz_attempt_papers::table)
        .values((
            quiz_attempt_papers::attempt_id.eq(a.id),
            quiz_attempt_papers::plan.eq(a.plan),
            quiz_attempt_papers::questions.eq(a.questions),
        ))
        .execute(conn)?;
    Ok(())
}

/// An attempt by id.
pub fn attempt(conn: &mut AnyConnection, id: &str) -> Result<AttemptRecord, StorageError> {
    Ok(native!(conn, |c| quiz_attempts::table.find(id).inner_join(quiz_attempt_papers::table).select(ATTEMPT_COLUMNS).get_result(c))?)
}

/// An attempt by id, locked for the rest of the transaction on PostgreSQL (on SQLite the write
/// transaction already holds the database's one write lock), so a save and a submit of the same
/// attempt cannot interleave.
pub fn attempt_for_update(conn: &mut AnyConnection, id: &str) -> Result<AttemptRecord, StorageError> {
    let query = quiz_attempts::table.find(id).inner_join(quiz_attempt_papers::table).select(ATTEMPT_COLUMNS);
    Ok(match conn {
        AnyConnection::Postgresql(c) => query.for_update().get_result(c)?,
        AnyConnection::Sqlite(c) => query.get_result(c)?,
    })
}

/// The seed as the quiz engine uses it.
pub fn seed_of(record: &AttemptRecord) -> u64 {
    u64::from_ne_bytes(record.seed.to_ne_bytes())
}

/// A learner's attempts at a quiz (across course versions), by number.
pub fn attempts_of(conn: &mut AnyConnection, course_id: &str, quiz_key: &str, user: UserId) -> Result<Vec<AttemptSummary>, StorageError> {
    let user = user.to_string();
    Ok(native!(conn, |c| quiz_attempts::table
        .filter(quiz_attempts::course_id.eq(course_id))
        .filter(quiz_attempts::quiz_key.eq(quiz_key))
        .filter(quiz_attempts::user_id.eq(&user))
        .order(quiz_attempts::number.asc())
        .select(SUMMARY_COLUMNS)
        .load(c))?)
}

/// A learner's attempts at every quiz of a course: (quiz id, attempt).
pub fn attempts_in_course(conn: &mut AnyConnection, course_id: &str, user: UserId) -> Result<Vec<(String, AttemptSummary)>, StorageError> {
    Ok(quiz_attempts::table
        .filter(quiz_attempts::course_id.eq(course_id))
        .filter(quiz_attempts::user_id.eq(user.to_string()))
        .order((quiz_attempts::quiz_key.asc(), quiz_attempts::number.asc()))
        .select((quiz_attempts::quiz_key, SUMMARY_COLUMNS))
        .load(conn)?)
}

/// Every attempt at a quiz of a course (across versions), with its JSON: for regrading and item
/// analysis. `submitted_only` leaves out attempts in progress.
pub fn attempts_of_quiz(conn: &mut AnyConnection, course_id: &str, quiz_key: &str, submitted_only: bool) -> Result<Vec<AttemptRecord>, StorageError> {
    let mut query = quiz_attempts::table
        .inner_join(quiz_attempt_papers::table)
        .filter(quiz_attempts::course_id.eq(course_id))
        .filter(quiz_attempts::quiz_key.eq(quiz_key))
        .select(ATTEMPT_COLUMNS)
        .into_boxed();
    if submitted_only {
        query = query.filter(quiz_attempts::submitted_at.is_not_null());
    }
    Ok(query.order((quiz_attempts::user_id.asc(), quiz_attempts::number.asc())).load(conn)?)
}

/// Autosave: replaces the responses of an attempt that is still open. Returns `false` (and
/// writes nothing) when the attempt has been submitted meanwhile.
pub fn save_responses(conn: &mut AnyConnection, id: &str, responses: &str, at: NaiveDateTime) -> Result<bool, StorageError> {
    let n = diesel::update(quiz_attempts::table.find(id).filter(quiz_attempts::submitted_at.is_null()))
        .set((quiz_attempts::responses.eq(responses), quiz_attempts::updated_at.eq(at)))
        .execute(conn)?;
    Ok(n > 0)
}

/// A grade to store with an attempt.
#[derive(Debug, Clone)]
pub struct GradeWrite<'a> {
    pub responses: &'a str,
    pub manual_grades: &'a str,
    /// Replaces the stored questions (after a regrade with corrected questions).
    pub questions: Option<&'a str>,
    pub grade: &'a str,
    pub points: f64,
    pub max_points: f64,
    pub percent: f64,
    pub pass_state: &'a str,
    pub needs_grading: bool,
    pub at: NaiveDateTime,
}

/// Closes an open attempt with its grade, if it is still as it was read (`read_updated_at`).
/// Returns `false` (and writes nothing) when it was closed or changed meanwhile: a submit that
/// arrives twice counts once, and a grade never misses an autosave that came in between.
pub fn close_attempt(
    conn: &mut AnyConnection,
    id: &str,
    read_updated_at: NaiveDateTime,
    submitted_at: NaiveDateTime,
    closed_by: &str,
    g: &GradeWrite<'_>,
) -> Result<bool, StorageError> {
    /// The statement's key in the prepared-statement cache.
    struct CloseAttempt;
    let n = native!(conn, |c| crate::fixed::fixed_update::<CloseAttempt, _, _, _>(
        quiz_attempts::table,
        (
            quiz_attempts::submitted_at.eq(submitted_at),
            quiz_attempts::closed_by.eq(closed_by),
            quiz_attempts::responses.eq(g.responses),
            quiz_attempts::manual_grades.eq(g.manual_grades),
            quiz_attempts::grade.eq(g.grade),
            quiz_attempts::points.eq(g.points),
            quiz_attempts::max_points.eq(g.max_points),
            quiz_attempts::percent.eq(g.percent),
            quiz_attempts::pass_state.eq(g.pass_state),
            quiz_attempts::needs_grading.eq(g.needs_grading),
            quiz_attempts::updated_at.eq(g.at),
        ),
        quiz_attempts::id
            .eq(id)
            .and(quiz_attempts::submitted_at.is_null())
            .and(quiz_attempts::updated_at.eq(read_updated_at)),
    )
    .execute(c))?;
    Ok(n > 0)
}

/// Replaces the grade of a closed attempt (manual grading, regrading).
pub fn update_grade(conn: &mut AnyConnection, id: &str, g: &GradeWrite<'_>, regraded: bool) -> Result<(), StorageError> {
    let n = diesel::update(quiz_attempts::table.find(id).filter(quiz_attempts::submitted_at.is_not_null()))
        .set((
            quiz_attempts::responses.eq(g.responses),
            quiz_attempts::manual_grades.eq(g.manual_grades),
            quiz_attempts::grade.eq(g.grade),
            quiz_attempts::points.eq(g.points),
            quiz_attempts::max_points.eq(g.max_points),
            quiz_attempts::percent.eq(g.percent),
            quiz_attempts::pass_state.eq(g.pass_state),
            quiz_attempts::needs_grading.eq(g.needs_grading),
            quiz_attempts::updated_at.eq(g.at),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    if let Some(questions) = g.questions {
        diesel::update(quiz_attempt_papers::table.find(id)).set(quiz_attempt_papers::questions.eq(questions)).execute(conn)?;
    }
    if regraded {
        diesel::update(quiz_attempts::table.find(id)).set(quiz_attempts::regraded_at.eq(g.at)).execute(conn)?;
    }
    Ok(())
}

/// Replaces the questions of an attempt still in progress (a corrected question reaches it
/// before it is graded).
pub fn set_open_attempt_questions(conn: &mut AnyConnection, id: &str, questions: &str, at: NaiveDateTime) -> Result<bool, StorageError> {
    let n = diesel::update(quiz_attempts::table.find(id).filter(quiz_attempts::submitted_at.is_null()))
        .set((quiz_attempts::regraded_at.eq(at), quiz_attempts::updated_at.eq(at)))
        .execute(conn)?;
    if n > 0 {
        diesel::update(quiz_attempt_papers::table.find(id)).set(quiz_attempt_papers::questions.eq(questions)).execute(conn)?;
    }
    Ok(n > 0)
}

/// One row of the instructor's list of a course's attempts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptListing {
    /// The quiz's id within its course (the flattened attempt's `quiz_id` is its stored row).
    #[serde(rename = "quiz_key")]
    pub quiz_id: String,
    #[serde(flatten)]
    pub attempt: AttemptSummary,
    pub user_name: String,
    pub user_email: String,
    pub user_nip: Option<String>,
    pub user_opd_id: Option<String>,
}

/// Which attempts of a course to list.
#[derive(Debug, Clone, Default)]
pub struct AttemptFilter {
    pub quiz_key: Option<String>,
    pub user_id: Option<UserId>,
    /// Only learners of these OPDs (a scoped hr officer); `None`: everyone.
    pub opds: Option<Vec<String>>,
    /// Only submitted attempts waiting for manual grading.
    pub needs_grading: bool,
    pub offset: i64,
    pub limit: i64,
}

/// A course's attempts with the learners' names, newest first, and the total count.
pub fn course_attempts(conn: &mut AnyConnection, course_id: &str, f: &AttemptFilter) -> Result<(Vec<AttemptListing>, i64), StorageError> {
    let build = || {
        let mut q = quiz_attempts::table.inner_join(users::table).filter(quiz_attempts::course_id.eq(course_id.to_string())).into_boxed();
        if let Some(key) = &f.quiz_key {
            q = q.filter(quiz_attempts::quiz_key.eq(key.clone()));
        }
        if let Some(user) = f.user_id {
            q = q.filter(quiz_attempts::user_id.eq(user.to_string()));
        }
        if let Some(opds) = &f.opds {
            q = q.filter(users::opd_id.eq_any(opds.clone()));
        }
        if f.needs_grading {
            q = q.filter(quiz_attempts::needs_grading.eq(true));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    type Row = (String, AttemptSummary, String, String, Option<String>, Option<String>);
    let rows: Vec<Row> = build()
        .order((quiz_attempts::started_at.desc(), quiz_attempts::id.desc()))
        .offset(f.offset)
        .limit(f.limit)
        .select((quiz_attempts::quiz_key, SUMMARY_COLUMNS, users::name, users::email, users::nip, users::opd_id))
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|(quiz_id, attempt, user_name, user_email, user_nip, user_opd_id)| AttemptListing {
                quiz_id,
                attempt,
                user_name,
                user_email,
                user_nip,
                user_opd_id,
            })
            .collect(),
        total,
    ))
}

/// The OPD of a user (for an hr officer's scope), `NotFound` when there is no such user.
pub fn user_opd(conn: &mut AnyConnection, user_id: &str) -> Result<Option<String>, StorageError> {
    Ok(users::table.find(user_id).select(users::opd_id).get_result(conn)?)
}

/// Moves an attempt's start (tests use it as a clock: an attempt "started 31 minutes ago").
#[cfg(any(test, feature = "test-support"))]
pub fn set_started_at(conn: &mut AnyConnection, id: &str, at: NaiveDateTime) -> Result<(), StorageError> {
    diesel::update(quiz_attempts::table.find(id)).set(quiz_attempts::started_at.eq(at)).execute(conn)?;
    Ok(())
}
