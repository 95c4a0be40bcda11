//! Storage: the one schema, the migrations for SQLite and PostgreSQL, and every query the program
//! runs. Functions take plain domain types and return plain records.
//!
//! **Architecture Invariant:** this is the only crate that knows diesel or SQL. It knows nothing
//! of HTTP: callers get [`StorageError`]s and decide what they mean for a user.

pub mod accounts;
pub mod bulk;
pub mod courses;
pub mod notifications;
pub mod programmes;
pub mod reports;
pub mod progress;
pub mod quizzes;
mod db;
mod error;
pub mod schema;
pub mod schema_progress;
pub mod schema_quiz;
pub mod schema_programmes;
pub mod tokens;

pub use db::{AnyConnection, Backend, DatabaseUrl, Db, PooledConnection, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
pub use error::StorageError;

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

/// Current time as stored: UTC, microsecond precision (what both backends keep).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}
