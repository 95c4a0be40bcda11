//! Progress: learning events (stored once per user and client id), the enrolment rows they
//! update, the JP ledger, external training and professional certifications with their proof
//! files, completion certificates, background jobs and the records xAPI statements are built from.
//!
//! The rules (validation, folding events into a state, completion, JP years) are the progress
//! crate's; the API's glue calls them and these functions only read and write rows. Writes that
//! belong together run in the caller's [`crate::Db::write`] transaction.

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use lentera_accounts::{HrScope, UserId};
use lentera_progress::{CompletionRules, CourseOutline, EnrolmentState};
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{course_versions, courses, enrolments, opds, users};
use crate::schema_progress::{
    certificate_sequences, certificates, external_trainings, jobs, jp_ledger, professional_certifications,
    progress_events, proof_files, xapi_records,
};
use crate::schema_quiz::quizzes;
use crate::{AnyConnection, StorageError};

fn corrupt(what: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("{what}: {e}"))
}

fn scope_ids(scope: &HrScope) -> Option<Vec<String>> {
    match scope {
        HrScope::All => None,
        HrScope::Opds(ids) => Some(ids.iter().map(|o| o.to_string()).collect()),
    }
}

/// Reads an enrolment's stored state; a row that never saw an event holds `{}`.
pub fn parse_state(json: &str) -> Result<EnrolmentState, StorageError> {
    if json.trim().is_empty() || json.trim() == "{}" {
        return Ok(EnrolmentState::default());
    }
    serde_json::from_str(json).map_err(|e| corrupt("enrolment state", e))
}

// ---------------------------------------------------------------------------------------------
// Courses and outlines.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseKey {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub current_version_id: Option<String>,
}

/// The courses named by id or by slug (clients may send either).
pub fn courses_by_ref(conn: &mut AnyConnection, refs: &[String]) -> Result<Vec<CourseKey>, StorageError> {
    let mut out = Vec::new();
    for chunk in refs.chunks(200) {
        let rows: Vec<(String, String, String, Option<String>)> = courses::table
            .filter(courses::id.eq_any(chunk).or(courses::slug.eq_any(chunk)))
            .select((courses::id, courses::slug, courses::title, courses::current_version_id))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(id, slug, title, current_version_id)| CourseKey { id, slug, title, current_version_id }));
    }
    Ok(out)
}

/// The outline of a course version for the progress rules: its lessons, and as quizzes the one
/// its completion rules require plus every quiz stored for the version.
pub fn outline(conn: &mut AnyConnection, version_id: &str) -> Result<(CourseOutline, CompletionRules), StorageError> {
    let (mut outline, rules) = crate::courses::outline(conn, version_id)?;
    let keys: Vec<String> = quizzes::table.filter(quizzes::version_id.eq(version_id)).select(quizzes::quiz_key).load(conn)?;
    for key in keys {
        if !outline.quizzes.contains(&key) {
            outline.quizzes.push(key);
        }
    }
    Ok((outline, rules))
}

// ---------------------------------------------------------------------------------------------
// Enrolments.

/// An enrolment as the sync needs it.
#[derive(Debug, Clone)]
pub struct EnrolmentRow {
    pub id: String,
    pub course_id: String,
    pub user_id: String,
    /// `active`, `completed` or `withdrawn`.
    pub status: String,
    pub enrolled_at: NaiveDateTime,
    pub state_json: String,
}

type EnrolmentCols =
    (enrolments::id, enrolments::course_id, enrolments::user_id, enrolments::status, enrolments::enrolled_at, enrolments::state);
const ENROLMENT_COLS: EnrolmentCols =
    (enrolments::id, enrolments::course_id, enrolments::user_id, enrolments::status, enrolments::enrolled_at, enrolments::state);

fn enrolment_row(r: (String, String, String, String, NaiveDateTime, String)) -> EnrolmentRow {
    EnrolmentRow { id: r.0, course_id: r.1, user_id: r.2, status: r.3, enrolled_at: r.4, state_json: r.5 }
}

/// The user's enrolments in these courses, locked until the transaction ends on PostgreSQL
/// (`FOR UPDATE`, in id order so two transactions cannot deadlock), so that concurrent syncs of
/// the same learner fold their events one after the other instead of overwriting each other's
/// state. SQLite has one writer at a time already.
pub fn lock_enrolments(conn: &mut AnyConnection, user: UserId, course_ids: &[String]) -> Result<Vec<EnrolmentRow>, StorageError> {
    let query = enrolments::table
        .filter(enrolments::user_id.eq(user.to_string()))
        .filter(enrolments::course_id.eq_any(course_ids))
        .order(enrolments::id.asc())
        .select(ENROLMENT_COLS);
    let rows: Vec<(String, String, String, String, NaiveDateTime, String)> = match conn {
        AnyConnection::Postgresql(pg) => query.for_update().load(pg)?,
        AnyConnection::Sqlite(_) => query.load(conn)?,
    };
    Ok(rows.into_iter().map(enrolment_row).collect())
}

/// One enrolment of a learner, locked like [`lock_enrolments`] (a statement diesel can keep
/// prepared, unlike an `IN` list).
pub fn lock_enrolment(conn: &mut AnyConnection, user: UserId, course_id: &str) -> Result<Option<EnrolmentRow>, StorageError> {
    let user = user.to_string();
    let query = enrolments::table.filter(enrolments::user_id.eq(&user)).filter(enrolments::course_id.eq(course_id)).select(ENROLMENT_COLS);
    let row: Option<(String, String, String, String, NaiveDateTime, String)> = match conn {
        AnyConnection::Postgresql(pg) => query.for_update().get_result(pg).optional()?,
        AnyConnection::Sqlite(c) => query.get_result(c).optional()?,
    };
    Ok(row.map(enrolment_row))
}

/// Every enrolment of a course, locked like [`lock_enrolments`] (for rebasing onto a new version).
pub fn lock_course_enrolments(conn: &mut AnyConnection, course_id: &str) -> Result<Vec<EnrolmentRow>, StorageError> {
    let query = enrolments::table.filter(enrolments::course_id.eq(course_id)).order(enrolments::id.asc()).select(ENROLMENT_COLS);
    let rows: Vec<(String, String, String, String, NaiveDateTime, String)> = match conn {
        AnyConnection::Postgresql(pg) => query.for_update().load(pg)?,
        AnyConnection::Sqlite(_) => query.load(conn)?,
    };
    Ok(rows.into_iter().map(enrolment_row).collect())
}

pub fn enrolment(conn: &mut AnyConnection, course_id: &str, user: UserId) -> Result<EnrolmentRow, StorageError> {
    let row = enrolments::table
        .filter(enrolments::course_id.eq(course_id))
        .filter(enrolments::user_id.eq(user.to_string()))
        .select(ENROLMENT_COLS)
        .get_result(conn)?;
    Ok(enrolment_row(row))
}

/// One enrolment's stored progress, as dashboards read it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressRow {
    pub enrolment_id: String,
    pub course_id: String,
    pub course_slug: String,
    pub course_title: String,
    pub jp: f64,
    /// `active`, `completed` or `withdrawn`.
    pub enrolment_status: String,
    pub required: bool,
    pub due_at: Option<NaiveDateTime>,
    pub enrolled_at: NaiveDateTime,
    pub percent_complete: i32,
    pub last_lesson_id: Option<String>,
    pub last_activity_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    #[serde(skip)]
    pub state_json: String,
    #[serde(skip)]
    pub current_version_id: Option<String>,
}

type ProgressTuple = (
    String,
    String,
    String,
    String,
    i64,
    String,
    bool,
    Option<NaiveDateTime>,
    NaiveDateTime,
    i32,
    Option<String>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    String,
    Option<String>,
);

/// A user's enrolments with their stored figures, newest activity first; `course_id` narrows to one.
pub fn progress_of(conn: &mut AnyConnection, user: UserId, course_id: Option<&str>) -> Result<Vec<ProgressRow>, StorageError> {
    let mut q = enrolments::table
        .inner_join(courses::table)
        .filter(enrolments::user_id.eq(user.to_string()))
        .into_boxed();
    if let Some(c) = course_id {
        q = q.filter(enrolments::course_id.eq(c.to_string()));
    }
    let rows: Vec<ProgressTuple> = q
        .order((enrolments::last_activity_at.desc(), enrolments::enrolled_at.desc()))
        .select((
            enrolments::id,
            enrolments::course_id,
            courses::slug,
            courses::title,
            courses::jp_hundredths,
            enrolments::status,
            enrolments::required,
            enrolments::due_at,
            enrolments::enrolled_at,
            enrolments::percent_complete,
            enrolments::last_lesson_key,
            enrolments::last_activity_at,
            enrolments::completed_at,
            enrolments::state,
            courses::current_version_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| ProgressRow {
            enrolment_id: r.0,
            course_id: r.1,
            course_slug: r.2,
            course_title: r.3,
            jp: r.4 as f64 / 100.0,
            enrolment_status: r.5,
            required: r.6,
            due_at: r.7,
            enrolled_at: r.8,
            percent_complete: r.9,
            last_lesson_id: r.10,
            last_activity_at: r.11,
            completed_at: r.12,
            state_json: r.13,
            current_version_id: r.14,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Learning events.

/// A learning event to store.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub user_id: UserId,
    pub client_id: Uuid,
    pub course_id: &'a str,
    /// The event type (`lesson_opened`, `quiz_passed`, …).
    pub kind: &'a str,
    /// The whole event as JSON.
    pub payload: String,
    pub occurred_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
}

/// Which of these client ids the user has already sent (and were stored).
pub fn stored_client_ids(conn: &mut AnyConnection, user: UserId, ids: &[Uuid]) -> Result<HashSet<Uuid>, StorageError> {
    let mut out = HashSet::new();
    let me = user.to_string();
    for chunk in ids.chunks(500) {
        let keys: Vec<String> = chunk.iter().map(Uuid::to_string).collect();
        let found: Vec<String> = progress_events::table
            .filter(progress_events::user_id.eq(&me))
            .filter(progress_events::client_id.eq_any(keys))
            .select(progress_events::client_id)
            .load(conn)?;
        for f in found {
            out.insert(Uuid::parse_str(&f).map_err(|e| corrupt("event client id", e))?);
        }
    }
    Ok(out)
}

/// Stores an event unless the user already sent one with this client id; `Ok(false)` then.
/// `ON CONFLICT DO NOTHING` makes a concurrent second copy wait for the first and then do
/// nothing, instead of failing the whole batch.
pub fn insert_event(conn: &mut AnyConnection, e: &NewEvent<'_>) -> Result<bool, StorageError> {
    let values = (
        progress_events::user_id.eq(e.user_id.to_string()),
        progress_events::client_id.eq(e.client_id.to_string()),
        progress_events::course_id.eq(e.course_id),
        progress_events::kind.eq(e.kind),
        progress_events::payload.eq(&e.payload),
        progress_events::occurred_at.eq(e.occurred_at),
        progress_events::received_at.eq(e.received_at),
    );
    let n = match conn {
        AnyConnection::Sqlite(c) => {
            diesel::insert_into(progress_events::table).values(values).on_conflict_do_nothing().execute(c)?
        }
        AnyConnection::Postgresql(c) => {
            diesel::insert_into(progress_events::table).values(values).on_conflict_do_nothing().execute(c)?
        }
    };
    Ok(n == 1)
}

/// How many events a user has stored (for tests and support).
pub fn event_count(conn: &mut AnyConnection, user: UserId) -> Result<i64, StorageError> {
    Ok(progress_events::table.filter(progress_events::user_id.eq(user.to_string())).count().get_result(conn)?)
}

// ---------------------------------------------------------------------------------------------
// Completion: the JP ledger and the xAPI record.

/// What a completion credits, read from the enrolment and its course.
#[derive(Debug, Clone)]
pub struct CompletionFacts {
    pub user_id: String,
    pub course_id: String,
    pub course_title: String,
    pub jp_hundredths: i64,
}

fn completion_facts(conn: &mut AnyConnection, enrolment_id: &str) -> Result<CompletionFacts, StorageError> {
    let (user_id, course_id, course_title, jp_hundredths): (String, String, String, i64) = enrolments::table
        .inner_join(courses::table)
        .filter(enrolments::id.eq(enrolment_id))
        .select((enrolments::user_id, enrolments::course_id, courses::title, courses::jp_hundredths))
        .get_result(conn)?;
    Ok(CompletionFacts { user_id, course_id, course_title, jp_hundredths })
}

/// Records that an enrolment is complete: the course's JP go to the ledger (title and JP as
/// they are now) and an xAPI "completed" record is kept. Idempotent: a second call only moves
/// the ledger's date if the completion moved earlier (a late offline event).
pub fn record_completion(
    conn: &mut AnyConnection,
    enrolment_id: &str,
    completed_at: NaiveDateTime,
    event_client_id: Uuid,
    recorded_at: NaiveDateTime,
) -> Result<(), StorageError> {
    let existing: Option<(String, NaiveDateTime)> = jp_ledger::table
        .filter(jp_ledger::enrolment_id.eq(enrolment_id))
        .select((jp_ledger::id, jp_ledger::completed_at))
        .get_result(conn)
        .optional()?;
    match existing {
        Some((id, at)) => {
            if at != completed_at {
                diesel::update(jp_ledger::table.find(id)).set(jp_ledger::completed_at.eq(completed_at)).execute(conn)?;
            }
        }
        None => {
            let f = completion_facts(conn, enrolment_id)?;
            diesel::insert_into(jp_ledger::table)
                .values((
                    jp_ledger::id.eq(Uuid::now_v7().to_string()),
                    jp_ledger::user_id.eq(&f.user_id),
                    jp_ledger::course_id.eq(&f.course_id),
                    jp_ledger::enrolment_id.eq(enrolment_id),
                    jp_ledger::title.eq(&f.course_title),
                    jp_ledger::jp_hundredths.eq(f.jp_hundredths),
                    jp_ledger::completed_at.eq(completed_at),
                    jp_ledger::created_at.eq(recorded_at),
                ))
                .execute(conn)?;
            insert_xapi(conn, &NewXapiRecord {
                user_id: &f.user_id,
                course_id: &f.course_id,
                verb: "completed",
                quiz_key: None,
                score_percent: None,
                event_client_id,
                occurred_at: completed_at,
                recorded_at,
            })?;
        }
    }
    Ok(())
}

/// A user's course JP entries completed within `[from, to)`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerRow {
    pub id: String,
    pub course_id: String,
    pub title: String,
    pub jp_hundredths: i64,
    pub completed_at: NaiveDateTime,
}

pub fn ledger_of(conn: &mut AnyConnection, user: UserId, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<LedgerRow>, StorageError> {
    let rows: Vec<(String, String, String, i64, NaiveDateTime)> = jp_ledger::table
        .filter(jp_ledger::user_id.eq(user.to_string()))
        .filter(jp_ledger::completed_at.ge(from))
        .filter(jp_ledger::completed_at.lt(to))
        .order(jp_ledger::completed_at.asc())
        .select((jp_ledger::id, jp_ledger::course_id, jp_ledger::title, jp_ledger::jp_hundredths, jp_ledger::completed_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, course_id, title, jp_hundredths, completed_at)| LedgerRow { id, course_id, title, jp_hundredths, completed_at })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// xAPI records.

pub struct NewXapiRecord<'a> {
    pub user_id: &'a str,
    pub course_id: &'a str,
    /// `completed`, `passed` or `failed`.
    pub verb: &'a str,
    pub quiz_key: Option<&'a str>,
    pub score_percent: Option<f64>,
    pub event_client_id: Uuid,
    pub occurred_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
}

/// Keeps an xAPI record unless the same (user, event, verb) is already kept.
pub fn insert_xapi(conn: &mut AnyConnection, r: &NewXapiRecord<'_>) -> Result<(), StorageError> {
    let values = (
        xapi_records::id.eq(Uuid::now_v7().to_string()),
        xapi_records::user_id.eq(r.user_id),
        xapi_records::course_id.eq(r.course_id),
        xapi_records::verb.eq(r.verb),
        xapi_records::quiz_key.eq(r.quiz_key),
        xapi_records::score_percent.eq(r.score_percent),
        xapi_records::event_client_id.eq(r.event_client_id.to_string()),
        xapi_records::occurred_at.eq(r.occurred_at),
        xapi_records::recorded_at.eq(r.recorded_at),
    );
    match conn {
        AnyConnection::Sqlite(c) => diesel::insert_into(xapi_records::table).values(values).on_conflict_do_nothing().execute(c)?,
        AnyConnection::Postgresql(c) => diesel::insert_into(xapi_records::table).values(values).on_conflict_do_nothing().execute(c)?,
    };
    Ok(())
}

#[derive(Debug, Clone)]
pub struct XapiRow {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub course_id: String,
    pub course_title: String,
    pub verb: String,
    pub quiz_key: Option<String>,
    pub quiz_title: Option<String>,
    pub score_percent: Option<f64>,
    pub event_client_id: Uuid,
    pub occurred_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
}

/// Whose records an export covers.
#[derive(Debug, Clone)]
pub enum XapiAudience {
    User(UserId),
    Scope(HrScope),
}

/// Records in the order they were kept, from `since` (inclusive) or strictly after the
/// `(recorded_at, id)` cursor of a previous page.
pub fn xapi_records(
    conn: &mut AnyConnection,
    audience: &XapiAudience,
    since: Option<NaiveDateTime>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<XapiRow>, StorageError> {
    let mut q = xapi_records::table.inner_join(users::table).inner_join(courses::table).into_boxed();
    match audience {
        XapiAudience::User(u) => q = q.filter(xapi_records::user_id.eq(u.to_string())),
        XapiAudience::Scope(scope) => {
            if let Some(ids) = scope_ids(scope) {
                q = q.filter(users::opd_id.eq_any(ids));
            }
        }
    }
    if let Some(s) = since {
        q = q.filter(xapi_records::recorded_at.ge(s));
    }
    if let Some((at, id)) = after {
        q = q.filter(xapi_records::recorded_at.gt(at).or(xapi_records::recorded_at.eq(at).and(xapi_records::id.gt(id))));
    }
    type Row = (String, String, String, String, String, String, Option<String>, Option<f64>, String, NaiveDateTime, NaiveDateTime);
    let rows: Vec<Row> = q
        .order((xapi_records::recorded_at.asc(), xapi_records::id.asc()))
        .limit(limit)
        .select((
            xapi_records::id,
            xapi_records::user_id,
            users::name,
            xapi_records::course_id,
            courses::title,
            xapi_records::verb,
            xapi_records::quiz_key,
            xapi_records::score_percent,
            xapi_records::event_client_id,
            xapi_records::occurred_at,
            xapi_records::recorded_at,
        ))
        .load(conn)?;
    let mut titles: BTreeMap<(String, String), String> = BTreeMap::new();
    for r in &rows {
        if let Some(key) = &r.6
            && let std::collections::btree_map::Entry::Vacant(slot) = titles.entry((r.3.clone(), key.clone()))
        {
            let title: Option<String> = quizzes::table
                .filter(quizzes::course_id.eq(&r.3))
                .filter(quizzes::quiz_key.eq(key))
                .order(quizzes::created_at.desc())
                .select(quizzes::title)
                .first(conn)
                .optional()?;
            slot.insert(title.unwrap_or_else(|| key.clone()));
        }
    }
    rows.into_iter()
        .map(|r| {
            let quiz_title = r.6.as_ref().and_then(|k| titles.get(&(r.3.clone(), k.clone())).cloned());
            Ok(XapiRow {
                event_client_id: Uuid::parse_str(&r.8).map_err(|e| corrupt("xapi event id", e))?,
                id: r.0,
                user_id: r.1,
                user_name: r.2,
                course_id: r.3,
                course_title: r.4,
                verb: r.5,
                quiz_key: r.6,
                quiz_title,
                score_percent: r.7,
                occurred_at: r.9,
                recorded_at: r.10,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Proof files.

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProofMeta {
    pub id: String,
    pub user_id: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

pub struct NewProof<'a> {
    pub user_id: UserId,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub sha256: &'a str,
    pub data: &'a [u8],
    pub at: NaiveDateTime,
}

pub fn insert_proof(conn: &mut AnyConnection, p: &NewProof<'_>) -> Result<ProofMeta, StorageError> {
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(proof_files::table)
        .values((
            proof_files::id.eq(&id),
            proof_files::user_id.eq(p.user_id.to_string()),
            proof_files::file_name.eq(p.file_name),
            proof_files::media_type.eq(p.media_type),
            proof_files::size.eq(p.data.len() as i64),
            proof_files::sha256.eq(p.sha256),
            proof_files::data.eq(p.data),
            proof_files::created_at.eq(p.at),
        ))
        .execute(conn)?;
    Ok(ProofMeta {
        id,
        user_id: p.user_id.to_string(),
        file_name: p.file_name.to_string(),
        media_type: p.media_type.to_string(),
        size: p.data.len() as i64,
        sha256: p.sha256.to_string(),
        created_at: p.at,
    })
}

pub fn proof_meta(conn: &mut AnyConnection, id: &str) -> Result<ProofMeta, StorageError> {
    let (id, user_id, file_name, media_type, size, sha256, created_at) = proof_files::table
        .find(id)
        .select((
            proof_files::id,
            proof_files::user_id,
            proof_files::file_name,
            proof_files::media_type,
            proof_files::size,
            proof_files::sha256,
            proof_files::created_at,
        ))
        .get_result(conn)?;
    Ok(ProofMeta { id, user_id, file_name, media_type, size, sha256, created_at })
}

pub fn proof_data(conn: &mut AnyConnection, id: &str) -> Result<Vec<u8>, StorageError> {
    Ok(proof_files::table.find(id).select(proof_files::data).get_result(conn)?)
}

/// The OPD of a user (for hr scope checks); `NotFound` if there is no such user.
pub fn user_opd(conn: &mut AnyConnection, user_id: &str) -> Result<Option<String>, StorageError> {
    Ok(users::table.find(user_id).select(users::opd_id).get_result(conn)?)
}

// ---------------------------------------------------------------------------------------------
// External training.

#[derive(Debug, Clone)]
pub struct NewTraining<'a> {
    pub user_id: UserId,
    pub form: &'a str,
    pub title: &'a str,
    pub provider: &'a str,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub abroad: bool,
    /// `lentera_progress::Amount` as JSON.
    pub amount: String,
    pub suggested_jp_hundredths: Option<i64>,
    pub claimed_jp_hundredths: i64,
    pub certificate_number: Option<&'a str>,
    pub proof_id: Option<&'a str>,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingRow {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub opd_id: Option<String>,
    pub form: String,
    pub title: String,
    pub provider: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub abroad: bool,
    pub amount: String,
    pub suggested_jp_hundredths: Option<i64>,
    pub claimed_jp_hundredths: i64,
    pub jp_hundredths: i64,
    pub certificate_number: Option<String>,
    pub proof_id: Option<String>,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert_training(conn: &mut AnyConnection, t: &NewTraining<'_>) -> Result<String, StorageError> {
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(external_trainings::table)
        .values((
            external_trainings::id.eq(&id),
            external_trainings::user_id.eq(t.user_id.to_string()),
            external_trainings::form.eq(t.form),
            external_trainings::title.eq(t.title),
            external_trainings::provider.eq(t.provider),
            external_trainings::start_date.eq(t.start_date),
            external_trainings::end_date.eq(t.end_date),
            external_trainings::abroad.eq(t.abroad),
            external_trainings::amount.eq(&t.amount),
            external_trainings::suggested_jp_hundredths.eq(t.suggested_jp_hundredths),
            external_trainings::claimed_jp_hundredths.eq(t.claimed_jp_hundredths),
            external_trainings::jp_hundredths.eq(t.claimed_jp_hundredths),
            external_trainings::certificate_number.eq(t.certificate_number),
            external_trainings::proof_id.eq(t.proof_id),
            external_trainings::status.eq("pending"),
            external_trainings::created_at.eq(t.at),
            external_trainings::updated_at.eq(t.at),
        ))
        .execute(conn)?;
    Ok(id)
}

type TrainingTuple = (
    (String, String, String, Option<String>, String, String, String, NaiveDate, NaiveDate, bool),
    (String, Option<i64>, i64, i64, Option<String>, Option<String>, String, Option<String>, Option<NaiveDateTime>, Option<String>),
    NaiveDateTime,
);

fn training_row(t: TrainingTuple) -> TrainingRow {
    let (a, b, created_at) = t;
    TrainingRow {
        id: a.0,
        user_id: a.1,
        user_name: a.2,
        opd_id: a.3,
        form: a.4,
        title: a.5,
        provider: a.6,
        start_date: a.7,
        end_date: a.8,
        abroad: a.9,
        amount: b.0,
        suggested_jp_hundredths: b.1,
        claimed_jp_hundredths: b.2,
        jp_hundredths: b.3,
        certificate_number: b.4,
        proof_id: b.5,
        status: b.6,
        decided_by: b.7,
        decided_at: b.8,
        decision_reason: b.9,
        created_at,
    }
}

macro_rules! training_select {
    () => {
        (
            (
                external_trainings::id,
                external_trainings::user_id,
                users::name,
                users::opd_id,
                external_trainings::form,
                external_trainings::title,
                external_trainings::provider,
                external_trainings::start_date,
                external_trainings::end_date,
                external_trainings::abroad,
            ),
            (
                external_trainings::amount,
                external_trainings::suggested_jp_hundredths,
                external_trainings::claimed_jp_hundredths,
                external_trainings::jp_hundredths,
                external_trainings::certificate_number,
                external_trainings::proof_id,
                external_trainings::status,
                external_trainings::decided_by,
                external_trainings::decided_at,
                external_trainings::decision_reason,
            ),
            external_trainings::created_at,
        )
    };
}

pub fn training(conn: &mut AnyConnection, id: &str) -> Result<TrainingRow, StorageError> {
    let t: TrainingTuple = external_trainings::table
        .inner_join(users::table)
        .filter(external_trainings::id.eq(id))
        .select(training_select!())
        .get_result(conn)?;
    Ok(training_row(t))
}

/// A user's external training ending within `[from, to]` (all of it without bounds), by date.
pub fn trainings_of(
    conn: &mut AnyConnection,
    user: UserId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<TrainingRow>, StorageError> {
    let mut q = external_trainings::table.inner_join(users::table).filter(external_trainings::user_id.eq(user.to_string())).into_boxed();
    if let Some(f) = from {
        q = q.filter(external_trainings::end_date.ge(f));
    }
    if let Some(t) = to {
        q = q.filter(external_trainings::end_date.le(t));
    }
    let rows: Vec<TrainingTuple> =
        q.order((external_trainings::end_date.desc(), external_trainings::id.desc())).select(training_select!()).load(conn)?;
    Ok(rows.into_iter().map(training_row).collect())
}

/// Records for hr to review, oldest first, within the officer's scope.
pub fn trainings_for_review(
    conn: &mut AnyConnection,
    scope: &HrScope,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<TrainingRow>, i64), StorageError> {
    let build = || {
        let mut q = external_trainings::table.inner_join(users::table).into_boxed();
        if let Some(ids) = scope_ids(scope) {
            q = q.filter(users::opd_id.eq_any(ids));
        }
        if let Some(s) = status {
            q = q.filter(external_trainings::status.eq(s.to_string()));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<TrainingTuple> = build()
        .order((external_trainings::created_at.asc(), external_trainings::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(training_select!())
        .load(conn)?;
    Ok((rows.into_iter().map(training_row).collect(), total))
}

/// Approves or rejects a pending record; `Ok(false)` if it was no longer pending.
pub fn decide_training(
    conn: &mut AnyConnection,
    id: &str,
    approve: bool,
    jp_hundredths: Option<i64>,
    reason: Option<&str>,
    by: UserId,
    at: NaiveDateTime,
) -> Result<bool, StorageError> {
    let target = external_trainings::table.filter(external_trainings::id.eq(id)).filter(external_trainings::status.eq("pending"));
    let status = if approve { "approved" } else { "rejected" };
    let n = diesel::update(target)
        .set((
            external_trainings::status.eq(status),
            external_trainings::decided_by.eq(by.to_string()),
            external_trainings::decided_at.eq(at),
            external_trainings::decision_reason.eq(reason),
            external_trainings::updated_at.eq(at),
        ))
        .execute(conn)?;
    if let (1, Some(jp)) = (n, jp_hundredths) {
        diesel::update(external_trainings::table.find(id)).set(external_trainings::jp_hundredths.eq(jp)).execute(conn)?;
    }
    Ok(n == 1)
}

/// Deletes a record its owner withdraws while it is still pending; `Ok(false)` otherwise.
pub fn delete_pending_training(conn: &mut AnyConnection, id: &str, user: UserId) -> Result<bool, StorageError> {
    let n = diesel::delete(
        external_trainings::table
            .filter(external_trainings::id.eq(id))
            .filter(external_trainings::user_id.eq(user.to_string()))
            .filter(external_trainings::status.eq("pending")),
    )
    .execute(conn)?;
    Ok(n == 1)
}

// ---------------------------------------------------------------------------------------------
// Professional certifications.

#[derive(Debug, Clone)]
pub struct NewCertification<'a> {
    pub user_id: UserId,
    pub name: &'a str,
    pub issuer: &'a str,
    pub number: &'a str,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub proof_id: Option<&'a str>,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificationRow {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub nip: Option<String>,
    pub opd_id: Option<String>,
    pub opd_name: Option<String>,
    pub name: String,
    pub issuer: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub proof_id: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert_certification(conn: &mut AnyConnection, c: &NewCertification<'_>) -> Result<String, StorageError> {
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(professional_certifications::table)
        .values((
            professional_certifications::id.eq(&id),
            professional_certifications::user_id.eq(c.user_id.to_string()),
            professional_certifications::name.eq(c.name),
            professional_certifications::issuer.eq(c.issuer),
            professional_certifications::number.eq(c.number),
            professional_certifications::issued_on.eq(c.issued_on),
            professional_certifications::expires_on.eq(c.expires_on),
            professional_certifications::proof_id.eq(c.proof_id),
            professional_certifications::created_at.eq(c.at),
            professional_certifications::updated_at.eq(c.at),
        ))
        .execute(conn)?;
    Ok(id)
}

type CertificationTuple = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<String>,
    NaiveDateTime,
);

macro_rules! certification_select {
    () => {
        (
            professional_certifications::id,
            professional_certifications::user_id,
            users::name,
            users::nip,
            users::opd_id,
            opds::name.nullable(),
            professional_certifications::name,
            professional_certifications::issuer,
            professional_certifications::number,
            professional_certifications::issued_on,
            professional_certifications::expires_on,
            professional_certifications::proof_id,
            professional_certifications::created_at,
        )
    };
}

fn certification_row(r: CertificationTuple) -> CertificationRow {
    CertificationRow {
        id: r.0,
        user_id: r.1,
        user_name: r.2,
        nip: r.3,
        opd_id: r.4,
        opd_name: r.5,
        name: r.6,
        issuer: r.7,
        number: r.8,
        issued_on: r.9,
        expires_on: r.10,
        proof_id: r.11,
        created_at: r.12,
    }
}

pub fn certifications_of(conn: &mut AnyConnection, user: UserId) -> Result<Vec<CertificationRow>, StorageError> {
    let rows: Vec<CertificationTuple> = professional_certifications::table
        .inner_join(users::table.left_join(opds::table))
        .filter(professional_certifications::user_id.eq(user.to_string()))
        .order((professional_certifications::expires_on.asc(), professional_certifications::id.asc()))
        .select(certification_select!())
        .load(conn)?;
    Ok(rows.into_iter().map(certification_row).collect())
}

/// Certifications that expire within `[from, to]`, soonest first, within the officer's scope.
pub fn certifications_expiring(
    conn: &mut AnyConnection,
    scope: &HrScope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CertificationRow>, StorageError> {
    let mut q = professional_certifications::table
        .inner_join(users::table.left_join(opds::table))
        .filter(professional_certifications::expires_on.ge(from))
        .filter(professional_certifications::expires_on.le(to))
        .into_boxed();
    if let Some(ids) = scope_ids(scope) {
        q = q.filter(users::opd_id.eq_any(ids));
    }
    let rows: Vec<CertificationTuple> = q
        .order((professional_certifications::expires_on.asc(), professional_certifications::id.asc()))
        .limit(5000)
        .select(certification_select!())
        .load(conn)?;
    Ok(rows.into_iter().map(certification_row).collect())
}

// ---------------------------------------------------------------------------------------------
// Certificates.

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateRow {
    pub id: String,
    pub enrolment_id: String,
    pub user_id: String,
    pub course_id: String,
    pub number: String,
    pub verification_code: String,
    pub learner_name: String,
    /// Printed on the certificate; masked on every public page.
    pub nip: Option<String>,
    pub course_title: String,
    pub jp_hundredths: i64,
    pub completed_at: NaiveDateTime,
    pub issued_at: NaiveDateTime,
    pub revision: i32,
    /// The revision the stored PDF was rendered from (`None`: not rendered yet).
    pub pdf_revision: Option<i32>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoke_reason: Option<String>,
    /// The learner's interface language (`id` or `en`): the certificate's language.
    pub language: String,
    pub opd_id: Option<String>,
}

type CertificateTuple = (
    (String, String, String, String, String, String, String, Option<String>, String, i64),
    (NaiveDateTime, NaiveDateTime, i32, Option<i32>, Option<NaiveDateTime>, Option<String>, String, Option<String>),
);

macro_rules! certificate_select {
    () => {
        (
            (
                certificates::id,
                certificates::enrolment_id,
                certificates::user_id,
                certificates::course_id,
                certificates::number,
                certificates::verification_code,
                certificates::learner_name,
                certificates::nip,
                certificates::course_title,
                certificates::jp_hundredths,
            ),
            (
                certificates::completed_at,
                certificates::issued_at,
                certificates::revision,
                certificates::pdf_revision,
                certificates::revoked_at,
                certificates::revoke_reason,
                users::language,
                users::opd_id,
            ),
        )
    };
}

fn certificate_row(t: CertificateTuple) -> CertificateRow {
    let (a, b) = t;
    CertificateRow {
        id: a.0,
        enrolment_id: a.1,
        user_id: a.2,
        course_id: a.3,
        number: a.4,
        verification_code: a.5,
        learner_name: a.6,
        nip: a.7,
        course_title: a.8,
        jp_hundredths: a.9,
        completed_at: b.0,
        issued_at: b.1,
        revision: b.2,
        pdf_revision: b.3,
        revoked_at: b.4,
        revoke_reason: b.5,
        language: b.6,
        opd_id: b.7,
    }
}

pub fn certificate(conn: &mut AnyConnection, id: &str) -> Result<CertificateRow, StorageError> {
    let t: CertificateTuple =
        certificates::table.inner_join(users::table).filter(certificates::id.eq(id)).select(certificate_select!()).get_result(conn)?;
    Ok(certificate_row(t))
}

pub fn certificate_by_code(conn: &mut AnyConnection, code: &str) -> Result<CertificateRow, StorageError> {
    let t: CertificateTuple = certificates::table
        .inner_join(users::table)
        .filter(certificates::verification_code.eq(code))
        .select(certificate_select!())
        .get_result(conn)?;
    Ok(certificate_row(t))
}

pub fn certificate_of_enrolment(conn: &mut AnyConnection, enrolment_id: &str) -> Result<Option<CertificateRow>, StorageError> {
    let t: Option<CertificateTuple> = certificates::table
        .inner_join(users::table)
        .filter(certificates::enrolment_id.eq(enrolment_id))
        .select(certificate_select!())
        .get_result(conn)
        .optional()?;
    Ok(t.map(certificate_row))
}

pub fn certificates_of(conn: &mut AnyConnection, user: UserId) -> Result<Vec<CertificateRow>, StorageError> {
    let rows: Vec<CertificateTuple> = certificates::table
        .inner_join(users::table)
        .filter(certificates::user_id.eq(user.to_string()))
        .order((certificates::issued_at.desc(), certificates::id.desc()))
        .select(certificate_select!())
        .load(conn)?;
    Ok(rows.into_iter().map(certificate_row).collect())
}

/// The certificates of a course's learners within a scope (for bulk re-issue).
pub fn certificate_ids_of_course(conn: &mut AnyConnection, course_id: &str, scope: &HrScope) -> Result<Vec<String>, StorageError> {
    let mut q = certificates::table.inner_join(users::table).filter(certificates::course_id.eq(course_id)).into_boxed();
    if let Some(ids) = scope_ids(scope) {
        q = q.filter(users::opd_id.eq_any(ids));
    }
    Ok(q.order(certificates::id.asc()).select(certificates::id).load(conn)?)
}

/// Completed enrolments of a course that have no certificate yet, within a scope.
pub fn completed_without_certificate(conn: &mut AnyConnection, course_id: &str, scope: &HrScope) -> Result<Vec<String>, StorageError> {
    let mut q = enrolments::table
        .inner_join(users::table.on(users::id.eq(enrolments::user_id)))
        .filter(enrolments::course_id.eq(course_id))
        .filter(enrolments::completed_at.is_not_null())
        .filter(diesel::dsl::not(enrolments::id.eq_any(certificates::table.select(certificates::enrolment_id))))
        .into_boxed();
    if let Some(ids) = scope_ids(scope) {
        q = q.filter(users::opd_id.eq_any(ids));
    }
    Ok(q.order(enrolments::id.asc()).select(enrolments::id).load(conn)?)
}

/// The next sequence number of `year`: an upsert, so concurrent issuers on PostgreSQL queue on
/// the row instead of both taking the same number.
fn next_sequence(conn: &mut AnyConnection, year: i32) -> Result<i32, StorageError> {
    let values = (certificate_sequences::year.eq(year), certificate_sequences::last_value.eq(1));
    let bump = certificate_sequences::last_value.eq(certificate_sequences::last_value + 1);
    match conn {
        AnyConnection::Sqlite(c) => diesel::insert_into(certificate_sequences::table)
            .values(values)
            .on_conflict(certificate_sequences::year)
            .do_update()
            .set(bump)
            .execute(c)?,
        AnyConnection::Postgresql(c) => diesel::insert_into(certificate_sequences::table)
            .values(values)
            .on_conflict(certificate_sequences::year)
            .do_update()
            .set(bump)
            .execute(c)?,
    };
    Ok(certificate_sequences::table.find(year).select(certificate_sequences::last_value).get_result(conn)?)
}

/// Issues the certificate of a completed enrolment (or returns the one it has): the next number
/// of `year` under `prefix`, the given verification code, and what is printed as it is now.
/// `Ok((row, true))` when it was issued now.
pub fn issue_certificate(
    conn: &mut AnyConnection,
    enrolment_id: &str,
    prefix: &str,
    year: i32,
    verification_code: &str,
    at: NaiveDateTime,
) -> Result<(CertificateRow, bool), StorageError> {
    if let Some(existing) = certificate_of_enrolment(conn, enrolment_id)? {
        return Ok((existing, false));
    }
    let (user_id, course_id, completed_at): (String, String, Option<NaiveDateTime>) = enrolments::table
        .find(enrolment_id)
        .select((enrolments::user_id, enrolments::course_id, enrolments::completed_at))
        .get_result(conn)?;
    let completed_at = completed_at.ok_or(StorageError::NotFound)?;
    let (learner_name, nip): (String, Option<String>) = users::table.find(&user_id).select((users::name, users::nip)).get_result(conn)?;
    // The ledger keeps the title and JP as they were at completion.
    let credited: Option<(String, i64)> = jp_ledger::table
        .filter(jp_ledger::enrolment_id.eq(enrolment_id))
        .select((jp_ledger::title, jp_ledger::jp_hundredths))
        .get_result(conn)
        .optional()?;
    let (course_title, jp_hundredths) = match credited {
        Some(c) => c,
        None => courses::table.find(&course_id).select((courses::title, courses::jp_hundredths)).get_result(conn)?,
    };
    let sequence = next_sequence(conn, year)?;
    let number = lentera_progress::CertificateNumber::new(prefix, year, sequence.max(1) as u32)
        .map_err(|e| StorageError::Config(format!("certificate number: {e}")))?
        .to_string();
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(certificates::table)
        .values((
            certificates::id.eq(&id),
            certificates::enrolment_id.eq(enrolment_id),
            certificates::user_id.eq(&user_id),
            certificates::course_id.eq(&course_id),
            certificates::number.eq(&number),
            certificates::verification_code.eq(verification_code),
            certificates::learner_name.eq(&learner_name),
            certificates::nip.eq(&nip),
            certificates::course_title.eq(&course_title),
            certificates::jp_hundredths.eq(jp_hundredths),
            certificates::completed_at.eq(completed_at),
            certificates::issued_at.eq(at),
            certificates::revision.eq(1),
        ))
        .execute(conn)?;
    Ok((certificate(conn, &id)?, true))
}

/// Re-issues a certificate: the same number and code, what is printed refreshed from the
/// learner's and course's current records, a new revision whose PDF is rendered again.
pub fn refresh_certificate(conn: &mut AnyConnection, id: &str) -> Result<CertificateRow, StorageError> {
    let c = certificate(conn, id)?;
    let (learner_name, nip): (String, Option<String>) = users::table.find(&c.user_id).select((users::name, users::nip)).get_result(conn)?;
    let (course_title, completed_at): (String, Option<NaiveDateTime>) = enrolments::table
        .inner_join(courses::table)
        .filter(enrolments::id.eq(&c.enrolment_id))
        .select((courses::title, enrolments::completed_at))
        .get_result(conn)?;
    diesel::update(certificates::table.find(id))
        .set((
            certificates::learner_name.eq(learner_name),
            certificates::nip.eq(nip),
            certificates::course_title.eq(course_title),
            certificates::completed_at.eq(completed_at.unwrap_or(c.completed_at)),
            certificates::revision.eq(c.revision + 1),
            certificates::pdf.eq(None::<Vec<u8>>),
            certificates::pdf_revision.eq(None::<i32>),
        ))
        .execute(conn)?;
    certificate(conn, id)
}

/// The stored PDF, if it was rendered from the current revision.
pub fn certificate_pdf(conn: &mut AnyConnection, id: &str) -> Result<Option<Vec<u8>>, StorageError> {
    let (pdf, pdf_revision, revision): (Option<Vec<u8>>, Option<i32>, i32) =
        certificates::table.find(id).select((certificates::pdf, certificates::pdf_revision, certificates::revision)).get_result(conn)?;
    Ok(pdf.filter(|_| pdf_revision == Some(revision)))
}

/// Stores a rendered PDF unless the certificate moved on to a newer revision meanwhile.
pub fn store_certificate_pdf(conn: &mut AnyConnection, id: &str, revision: i32, pdf: &[u8]) -> Result<bool, StorageError> {
    let n = diesel::update(certificates::table.filter(certificates::id.eq(id)).filter(certificates::revision.eq(revision)))
        .set((certificates::pdf.eq(pdf), certificates::pdf_revision.eq(revision)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Revokes a certificate; `Ok(false)` if it already was.
pub fn revoke_certificate(conn: &mut AnyConnection, id: &str, reason: &str, by: UserId, at: NaiveDateTime) -> Result<bool, StorageError> {
    let n = diesel::update(certificates::table.filter(certificates::id.eq(id)).filter(certificates::revoked_at.is_null()))
        .set((certificates::revoked_at.eq(at), certificates::revoked_by.eq(by.to_string()), certificates::revoke_reason.eq(reason)))
        .execute(conn)?;
    Ok(n == 1)
}

// ---------------------------------------------------------------------------------------------
// Background jobs.

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobRow {
    pub id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub payload: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub result: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

type JobTuple = (
    String,
    Option<String>,
    String,
    String,
    String,
    i32,
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

macro_rules! job_select {
    () => {
        (
            jobs::id,
            jobs::parent_id,
            jobs::kind,
            jobs::payload,
            jobs::status,
            jobs::attempts,
            jobs::max_attempts,
            jobs::last_error,
            jobs::result,
            jobs::created_by,
            jobs::created_at,
            jobs::updated_at,
            jobs::finished_at,
        )
    };
}

fn job_row(t: JobTuple) -> JobRow {
    JobRow {
        id: t.0,
        parent_id: t.1,
        kind: t.2,
        payload: t.3,
        status: t.4,
        attempts: t.5,
        max_attempts: t.6,
        last_error: t.7,
        result: t.8,
        created_by: t.9,
        created_at: t.10,
        updated_at: t.11,
        finished_at: t.12,
    }
}

pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: String,
    pub parent_id: Option<&'a str>,
    pub created_by: Option<UserId>,
    pub max_attempts: i32,
    pub at: NaiveDateTime,
}

pub fn enqueue_job(conn: &mut AnyConnection, j: &NewJob<'_>) -> Result<String, StorageError> {
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(&id),
            jobs::parent_id.eq(j.parent_id),
            jobs::kind.eq(j.kind),
            jobs::payload.eq(&j.payload),
            jobs::status.eq("queued"),
            jobs::attempts.eq(0),
            jobs::max_attempts.eq(j.max_attempts.max(1)),
            jobs::run_after.eq(j.at),
            jobs::created_by.eq(j.created_by.map(|u| u.to_string())),
            jobs::created_at.eq(j.at),
            jobs::updated_at.eq(j.at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Takes up to `limit` jobs that are due (queued, or running under a lease that ran out) for
/// `worker`, leasing them until `lease_until`. Run it in its own [`crate::Db::write`]
/// transaction: on PostgreSQL the rows are read `FOR UPDATE SKIP LOCKED`, so several workers
/// (threads or server instances) each take different jobs without waiting for one another; on
/// SQLite the write lock already lets one transaction in at a time.
pub fn claim_jobs(
    conn: &mut AnyConnection,
    worker: &str,
    limit: i64,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> Result<Vec<JobRow>, StorageError> {
    // A job that used up its attempts while running (its worker died each time) fails for good.
    diesel::update(
        jobs::table
            .filter(jobs::status.eq("running"))
            .filter(jobs::locked_until.lt(now))
            .filter(jobs::attempts.ge(jobs::max_attempts)),
    )
    .set((
        jobs::status.eq("failed"),
        jobs::last_error.eq("the worker stopped while running it, too many times"),
        jobs::finished_at.eq(now),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)?;
    let due = jobs::status
        .eq("queued")
        .and(jobs::run_after.le(now))
        .or(jobs::status.eq("running").and(jobs::locked_until.lt(now)));
    let query = jobs::table.filter(due).order((jobs::run_after.asc(), jobs::id.asc())).limit(limit).select(jobs::id);
    let ids: Vec<String> = match conn {
        AnyConnection::Postgresql(pg) => query.for_update().skip_locked().load(pg)?,
        AnyConnection::Sqlite(_) => query.load(conn)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(jobs::table.filter(jobs::id.eq_any(&ids)))
        .set((
            jobs::status.eq("running"),
            jobs::locked_by.eq(worker),
            jobs::locked_until.eq(lease_until),
            jobs::attempts.eq(jobs::attempts + 1),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    let rows: Vec<JobTuple> = jobs::table.filter(jobs::id.eq_any(&ids)).order((jobs::run_after.asc(), jobs::id.asc())).select(job_select!()).load(conn)?;
    Ok(rows.into_iter().map(job_row).collect())
}

/// Renews `worker`'s lease on a job it is still running (long jobs call it as they go).
pub fn extend_lease(conn: &mut AnyConnection, id: &str, worker: &str, until: NaiveDateTime) -> Result<bool, StorageError> {
    let n = diesel::update(jobs::table.filter(jobs::id.eq(id)).filter(jobs::locked_by.eq(worker)).filter(jobs::status.eq("running")))
        .set(jobs::locked_until.eq(until))
        .execute(conn)?;
    Ok(n == 1)
}

/// Marks a job done (if `worker` still holds it).
pub fn finish_job(conn: &mut AnyConnection, id: &str, worker: &str, result: Option<&str>, at: NaiveDateTime) -> Result<bool, StorageError> {
    let n = diesel::update(jobs::table.filter(jobs::id.eq(id)).filter(jobs::locked_by.eq(worker)).filter(jobs::status.eq("running")))
        .set((
            jobs::status.eq("done"),
            jobs::result.eq(result),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::finished_at.eq(at),
            jobs::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Records a failure: the job runs again at `retry_at`, or fails for good when that is `None`
/// or its attempts are used up.
pub fn fail_job(
    conn: &mut AnyConnection,
    id: &str,
    worker: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> Result<(), StorageError> {
    let (attempts, max_attempts): (i32, i32) = jobs::table.find(id).select((jobs::attempts, jobs::max_attempts)).get_result(conn)?;
    let target = jobs::table.filter(jobs::id.eq(id)).filter(jobs::locked_by.eq(worker)).filter(jobs::status.eq("running"));
    match retry_at.filter(|_| attempts < max_attempts) {
        Some(when) => diesel::update(target)
            .set((
                jobs::status.eq("queued"),
                jobs::run_after.eq(when),
                jobs::last_error.eq(error),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::updated_at.eq(at),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                jobs::status.eq("failed"),
                jobs::last_error.eq(error),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::finished_at.eq(at),
                jobs::updated_at.eq(at),
            ))
            .execute(conn)?,
    };
    Ok(())
}

pub fn job(conn: &mut AnyConnection, id: &str) -> Result<JobRow, StorageError> {
    let t: JobTuple = jobs::table.find(id).select(job_select!()).get_result(conn)?;
    Ok(job_row(t))
}

/// How many of a job's children are in each status.
pub fn job_children(conn: &mut AnyConnection, id: &str) -> Result<BTreeMap<String, i64>, StorageError> {
    let statuses: Vec<String> = jobs::table.filter(jobs::parent_id.eq(id)).select(jobs::status).load(conn)?;
    let mut out = BTreeMap::new();
    for s in statuses {
        *out.entry(s).or_insert(0) += 1;
    }
    Ok(out)
}

/// Jobs not finished yet (queued or running).
pub fn pending_job_count(conn: &mut AnyConnection) -> Result<i64, StorageError> {
    Ok(jobs::table.filter(jobs::status.eq_any(["queued", "running"])).count().get_result(conn)?)
}

/// The current version id of a course, for outlines.
pub fn current_version(conn: &mut AnyConnection, course_id: &str) -> Result<Option<String>, StorageError> {
    Ok(native!(conn, |c| courses::table.find(course_id).select(courses::current_version_id).get_result(c))?)
}

/// The version number of a version id.
pub fn version_number(conn: &mut AnyConnection, version_id: &str) -> Result<i32, StorageError> {
    Ok(course_versions::table.find(version_id).select(course_versions::number).get_result(conn)?)
}
