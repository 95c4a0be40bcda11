//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL schema on the server
//! named by `LENTERA_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
//! Without `CI=true` a missing PostgreSQL skips the PostgreSQL half of a test with a message;
//! under `CI=true` it fails the test.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::{Backend, Db};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn postgres_base_url() -> String {
    std::env::var("LENTERA_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string())
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A database that lives as long as this value: the SQLite file or PostgreSQL schema is
/// removed on drop.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { base: String, schema: String },
}

impl TestDb {
    /// A fresh, migrated database of the given backend, or `None` when PostgreSQL is not
    /// reachable outside CI.
    pub fn new(backend: Backend) -> Option<TestDb> {
        let t = match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::postgres()?,
        };
        #[allow(clippy::expect_used)]
        t.db.migrate().expect("migrations apply to a fresh database");
        Some(t)
    }

    fn sqlite() -> TestDb {
        #[allow(clippy::expect_used)]
        let dir = tempfile::tempdir().expect("temp dir");
        let url = dir.path().join("lentera.db").display().to_string();
        #[allow(clippy::expect_used)]
        let db = Db::connect(&url, Some(4)).expect("open sqlite");
        TestDb { db, url, cleanup: Cleanup::Sqlite(dir) }
    }

    fn postgres() -> Option<TestDb> {
        let base = postgres_base_url();
        let mut admin = match PgConnection::establish(&base) {
            Ok(c) => c,
            Err(e) if !in_ci() => {
                eprintln!("SKIPPED (PostgreSQL not reachable at {base}: {e}; under CI=true this fails)");
                return None;
            }
            #[allow(clippy::panic)]
            Err(e) => panic!("PostgreSQL required under CI=true but not reachable at {base}: {e}"),
        };
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        #[allow(clippy::expect_used)]
        admin.batch_execute(&format!("CREATE SCHEMA {schema}")).expect("create schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        #[allow(clippy::expect_used)]
        let db = Db::connect(&url, Some(4)).expect("open postgres");
        Some(TestDb { db, url, cleanup: Cleanup::Postgres { base, schema } })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { base, schema } = &self.cleanup
            && let Ok(mut c) = PgConnection::establish(base) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
    }
}

/// Declares a test that runs once per backend: `both_backends!(fn name(db: &Db) { … })`
/// expands to `name_sqlite` and `name_postgres`.
#[macro_export]
macro_rules! both_backends {
    ($(#[$m:meta])* fn $name:ident($db:ident : &TestDb) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($db: &$crate::test_support::TestDb) $body
            #[test]
            fn sqlite() {
                if let Some(t) = $crate::test_support::TestDb::new($crate::Backend::Sqlite) { run(&t) }
            }
            #[test]
            fn postgres() {
                if let Some(t) = $crate::test_support::TestDb::new($crate::Backend::Postgres) { run(&t) }
            }
        }
    };
}
