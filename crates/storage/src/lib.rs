//! Storage: the one schema, the migrations for SQLite and PostgreSQL, and every query the program
//! runs. Functions take plain domain types and return plain records.
//!
//! **Architecture Invariant:** this is the only crate that knows diesel or SQL. It knows nothing
//! of HTTP: callers get [`StorageError`]s and decide what they mean for a user.

/// Runs a diesel query on the concrete connection inside an [`AnyConnection`] (the body is
/// compiled once per backend). Hot queries use it: on a concrete connection diesel finds its
/// cached prepared statement by the query's type, while through `AnyConnection` it renders the
/// SQL text on every call to look it up (measured: a tenth of a quiz submit's CPU).
macro_rules! native {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::AnyConnection::Sqlite($c) => $body,
            $crate::AnyConnection::Postgresql($c) => $body,
        }
    };
}

/// A select list, which diesel needs twice (its type for signatures, its value to select),
/// written once: `columns!(AttemptColumns, ATTEMPT_COLUMNS = (t::a, t::b))`.
macro_rules! columns {
    ($ty:ident, $value:ident = ($($col:path),+ $(,)?)) => {
        type $ty = ($($col,)+);
        const $value: $ty = ($($col,)+);
    };
}

pub mod accounts;
pub mod bulk;
pub mod courses;
pub mod mentoring;
pub mod notifications;
pub mod programmes;
pub mod reports;
pub mod progress;
pub mod quizzes;
mod db;
mod error;
mod fixed;
pub mod schema;
pub mod schema_progress;
pub mod schema_quiz;
pub mod schema_programmes;
pub mod tokens;
mod writer;

pub use db::{AnyConnection, Backend, DatabaseUrl, Db, PooledConnection, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
pub use error::StorageError;
pub use writer::WriteCounts;

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

/// Current time as stored: UTC, microsecond precision (what both backends keep).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}
