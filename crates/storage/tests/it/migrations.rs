use std::collections::BTreeSet;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::Text;
use lentera_storage::test_support::TestDb;
use lentera_storage::{AnyConnection, Backend};

fn folder_names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(backend);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_sets_have_the_same_migrations() {
    let sqlite = folder_names("sqlite");
    let postgres = folder_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must have matching folders");
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(backend).join(name).join(file);
                assert!(path.exists(), "{} is missing", path.display());
            }
        }
    }
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

fn columns(conn: &mut AnyConnection) -> BTreeSet<(String, String)> {
    let rows: Vec<Column> = match conn {
        AnyConnection::Sqlite(_) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
             AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%' AND m.name NOT LIKE '%_fts%'",
        )
        .load(conn)
        .unwrap(),
        AnyConnection::Postgresql(_) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name NOT LIKE '__diesel%'",
        )
        .load(conn)
        .unwrap(),
    };
    rows.into_iter().map(|c| (c.table_name, c.column_name)).collect()
}

/// Same tables and columns on both backends once every migration has run: the schema.rs the
/// queries are written against fits both.
#[test]
fn both_backends_end_with_the_same_tables_and_columns() {
    let Some(pg) = TestDb::new(Backend::Postgres) else { return };
    let sqlite = TestDb::new(Backend::Sqlite).unwrap();
    let a = columns(&mut sqlite.db.conn().unwrap());
    let b = columns(&mut pg.db.conn().unwrap());
    assert!(a.contains(&("users".into(), "nip".into())));
    assert_eq!(a, b);
}

#[test]
fn migrating_twice_applies_nothing_the_second_time() {
    let t = TestDb::new(Backend::Sqlite).unwrap();
    assert!(t.db.migrate().unwrap().is_empty());
}

#[test]
fn urls_pick_the_backend_by_scheme() {
    use lentera_storage::DatabaseUrl;
    assert_eq!(DatabaseUrl::parse("data/x.db").unwrap().backend(), Backend::Sqlite);
    assert_eq!(DatabaseUrl::parse("sqlite://data/x.db").unwrap(), DatabaseUrl::Sqlite("data/x.db".into()));
    assert_eq!(DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(), Backend::Postgres);
    assert!(DatabaseUrl::parse("postgress://u@h/db").is_err());
    assert!(DatabaseUrl::parse("mysql://u@h/db").is_err());
}

#[test]
fn an_unreachable_postgres_is_an_error_not_a_sqlite_file() {
    let err = lentera_storage::Db::connect("postgres://nobody@127.0.0.1:1/none", Some(1)).unwrap_err();
    assert!(matches!(err, lentera_storage::StorageError::Unavailable(_)), "{err:?}");
}

/// Writers leave checkpoints to the checkpointer thread: a committed write reaches the main
/// database file shortly after, although SQLite's own threshold (10,000 WAL pages) is far away.
#[test]
fn the_checkpointer_copies_the_wal_into_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ckpt.db");
    let db = lentera_storage::Db::connect(&path.display().to_string(), Some(2)).unwrap();
    db.write(|c| {
        diesel::sql_query("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").execute(c)?;
        Ok(())
    })
    .unwrap();
    // Let the table's creation reach the file first, then measure what the rows add.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = std::fs::metadata(&path).unwrap().len();
    for chunk in 0..20 {
        db.write(|c| {
            for i in 0..50 {
                diesel::sql_query(format!("INSERT INTO filler (id, body) VALUES ({}, printf('%.2000c', 'x'))", chunk * 50 + i)).execute(c)?;
            }
            Ok(())
        })
        .unwrap();
    }
    // 1,000 rows of 2 KB: about 500 pages, below SQLite's default threshold of 1,000 too.
    let mut grown = 0;
    for _ in 0..100 {
        grown = std::fs::metadata(&path).unwrap().len().saturating_sub(before);
        if grown > 1_500_000 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(grown > 1_500_000, "the database file grew by {grown} bytes only: the WAL was not checkpointed");
    let autocheckpoint: i64 = db
        .read(|c| {
            #[derive(QueryableByName)]
            struct Pages {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                wal_autocheckpoint: i64,
            }
            Ok(diesel::sql_query("PRAGMA wal_autocheckpoint").get_result::<Pages>(c)?.wal_autocheckpoint)
        })
        .unwrap();
    assert_eq!(autocheckpoint, 10_000, "writers checkpoint only as a backstop");
}

/// Migration 9 moves each attempt's paper (plan and questions) to its own table: attempts
/// stored before it keep their papers, and reverting it puts them back.
#[test]
fn attempts_keep_their_papers_across_the_paper_migration() {
    use diesel_migrations::MigrationHarness;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(t) = TestDb::new(backend) else { continue };
        let mut conn = t.db.conn().unwrap();
        let revert = |conn: &mut AnyConnection| match conn {
            AnyConnection::Sqlite(c) => c.revert_last_migration(lentera_storage::SQLITE_MIGRATIONS).map(|v| v.to_string()),
            AnyConnection::Postgresql(c) => c.revert_last_migration(lentera_storage::POSTGRES_MIGRATIONS).map(|v| v.to_string()),
        };
        assert_eq!(revert(&mut conn).unwrap(), "20261128000009");
        // The attempt's quiz, course and learner do not matter here.
        diesel::sql_query(match backend {
            Backend::Sqlite => "PRAGMA foreign_keys = OFF",
            Backend::Postgres => "SET session_replication_role = replica",
        })
        .execute(&mut conn)
        .unwrap();
        diesel::sql_query(
            "INSERT INTO quiz_attempts (id, quiz_id, course_id, quiz_key, user_id, number, seed, plan, questions, \
             responses, manual_grades, started_at, needs_grading, updated_at) VALUES ('a1', 'q1', 'c1', 'ujian', \
             '0190c1d2-0000-7000-8000-000000000001', 1, 42, '{\"plan\":1}', '[{\"q\":1}]', '{}', '{}', \
             '2026-11-01 08:00:00', FALSE, '2026-11-01 08:00:00')",
        )
        .execute(&mut conn)
        .unwrap();
        let applied = match &mut *conn {
            AnyConnection::Sqlite(c) => c.run_pending_migrations(lentera_storage::SQLITE_MIGRATIONS).unwrap().len(),
            AnyConnection::Postgresql(c) => c.run_pending_migrations(lentera_storage::POSTGRES_MIGRATIONS).unwrap().len(),
        };
        assert_eq!(applied, 1);
        let record = lentera_storage::quizzes::attempt(&mut conn, "a1").unwrap();
        assert_eq!((record.plan.as_str(), record.questions.as_str()), ("{\"plan\":1}", "[{\"q\":1}]"), "{backend:?}");

        assert_eq!(revert(&mut conn).unwrap(), "20261128000009");
        #[derive(QueryableByName)]
        struct Paper {
            #[diesel(sql_type = Text)]
            plan: String,
            #[diesel(sql_type = Text)]
            questions: String,
        }
        let back: Paper = diesel::sql_query("SELECT plan, questions FROM quiz_attempts WHERE id = 'a1'").get_result(&mut conn).unwrap();
        assert_eq!((back.plan.as_str(), back.questions.as_str()), ("{\"plan\":1}", "[{\"q\":1}]"), "{backend:?}");
    }
}
