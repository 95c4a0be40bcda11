//! Batched inserts for generated data (`lentera demo-data`): many rows per statement, so a
//! hundred thousand learners and a million enrolments load in seconds, on both backends.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{enrolments, users};
use crate::{AnyConnection, StorageError};

pub struct BulkUser {
    pub id: String,
    pub nip: String,
    pub name: String,
    pub email: String,
    pub opd_id: String,
    pub jabatan: String,
    pub employment_type: &'static str,
    pub created_at: NaiveDateTime,
}

pub struct BulkEnrolment {
    pub id: String,
    pub course_id: String,
    pub user_id: String,
    pub status: &'static str,
    pub required: bool,
    pub enrolled_at: NaiveDateTime,
    pub percent_complete: i32,
    pub last_activity_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    /// Best passed quiz score, 0–100.
    pub score_percent: Option<f64>,
}

/// Runs the same diesel expression on whichever backend `conn` is (multi-row INSERTs do not go
/// through the multi-backend connection).
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            AnyConnection::Sqlite($c) => $body,
            AnyConnection::Postgresql($c) => $body,
        }
    };
}

/// Rows per INSERT: SQLite allows 32,766 bound parameters per statement.
const BATCH: usize = 1_000;

pub fn insert_users(conn: &mut AnyConnection, rows: &[BulkUser]) -> Result<(), StorageError> {
    for chunk in rows.chunks(BATCH) {
        let values: Vec<_> = chunk
            .iter()
            .map(|u| {
                (
                    users::id.eq(&u.id),
                    users::nip.eq(Some(&u.nip)),
                    users::name.eq(&u.name),
                    users::email.eq(&u.email),
                    users::opd_id.eq(Some(&u.opd_id)),
                    users::jabatan.eq(&u.jabatan),
                    users::employment_type.eq(Some(u.employment_type)),
                    users::language.eq("id"),
                    users::active.eq(true),
                    users::created_at.eq(u.created_at),
                    users::updated_at.eq(u.created_at),
                )
            })
            .collect();
        on_backend!(&mut *conn, |c| diesel::insert_into(users::table).values(values).execute(c))?;
    }
    Ok(())
}

pub fn insert_enrolments(conn: &mut AnyConnection, rows: &[BulkEnrolment]) -> Result<(), StorageError> {
    for chunk in rows.chunks(BATCH) {
        let values: Vec<_> = chunk
            .iter()
            .map(|e| {
                (
                    enrolments::id.eq(&e.id),
                    enrolments::course_id.eq(&e.course_id),
                    enrolments::user_id.eq(&e.user_id),
                    enrolments::status.eq(e.status),
                    enrolments::required.eq(e.required),
                    enrolments::enrolled_at.eq(e.enrolled_at),
                    enrolments::percent_complete.eq(e.percent_complete),
                    enrolments::last_activity_at.eq(e.last_activity_at),
                    enrolments::completed_at.eq(e.completed_at),
                    enrolments::score_percent.eq(e.score_percent),
                    enrolments::state.eq("{}"),
                )
            })
            .collect();
        on_backend!(&mut *conn, |c| diesel::insert_into(enrolments::table).values(values).execute(c))?;
    }
    Ok(())
}
