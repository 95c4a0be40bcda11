//! SQLite group commit: writes that queue up share one transaction, each in its own savepoint,
//! and none of them returns before that transaction has committed.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use diesel::prelude::*;
use lentera_storage::{Db, StorageError};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn sqlite_with_table(dir: &tempfile::TempDir) -> Db {
    let db = Db::connect(&dir.path().join("group.db").display().to_string(), Some(8)).unwrap();
    db.write(|c| {
        diesel::sql_query("CREATE TABLE marks (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL)").execute(c)?;
        Ok(())
    })
    .unwrap();
    db
}

fn insert(c: &mut lentera_storage::AnyConnection, id: i64, writer: i64) -> Result<(), StorageError> {
    diesel::sql_query(format!("INSERT INTO marks (id, writer) VALUES ({id}, {writer})")).execute(c)?;
    Ok(())
}

fn count(db: &Db, filter: &str) -> i64 {
    db.read(|c| Ok(diesel::sql_query(format!("SELECT COUNT(*) AS n FROM marks WHERE {filter}")).get_result::<Count>(c)?.n)).unwrap()
}

/// Eight writers at once, each write slow enough that the others queue behind it: they share
/// transactions, and every one of them, once `write` returns, is visible to another connection
/// (it has committed), including the failed ones' absence.
#[test]
fn queued_writes_share_transactions_and_return_only_once_committed() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_with_table(&dir);
    let before = db.write_counts();
    let start = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8i64)
        .map(|t| {
            let (db, start) = (db.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                for i in 0..20i64 {
                    let id = t * 1000 + i;
                    let fails = i % 5 == 4;
                    let out = db.write(|c| {
                        insert(c, id, t)?;
                        std::thread::sleep(Duration::from_millis(1));
                        if fails {
                            return Err(StorageError::Config("this write changes its mind".into()));
                        }
                        Ok(id)
                    });
                    // Read through another pooled connection: it sees only committed data.
                    let seen = count(&db, &format!("id = {id}"));
                    if fails {
                        assert!(out.is_err());
                        assert_eq!(seen, 0, "write {id} failed, yet its row is there");
                    } else {
                        assert_eq!(out.unwrap(), id);
                        assert_eq!(seen, 1, "write {id} returned before its transaction committed");
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(count(&db, "1 = 1"), 8 * 16, "every successful write is kept once, no failed one");
    let after = db.write_counts();
    let (writes, transactions) = (after.writes - before.writes, after.transactions - before.transactions);
    assert_eq!(writes, 8 * 16);
    assert!(transactions < writes, "{writes} writes took {transactions} transactions: none were grouped");
}

/// A write that panics takes down only the transaction it shared: the writes of its group get an
/// error (they were not committed, and none of their rows is kept), and the next writes work.
#[test]
fn a_panicking_write_fails_its_group_and_the_writer_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_with_table(&dir);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = db.write(|c| -> Result<(), StorageError> {
            insert(c, 1, 1)?;
            panic!("a bug in a write");
        });
    }));
    assert!(panicked.is_err(), "the panic reaches its own caller");
    assert_eq!(count(&db, "1 = 1"), 0);
    db.write(|c| insert(c, 2, 2)).unwrap();
    assert_eq!(count(&db, "id = 2"), 1, "the writer works after a panic");
}

/// When the COMMIT itself fails (here a foreign key checked only at COMMIT), the write gets an
/// error and nothing of it is kept.
#[test]
fn a_failed_commit_is_an_error_and_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_with_table(&dir);
    db.write(|c| {
        diesel::sql_query("CREATE TABLE owners (id INTEGER PRIMARY KEY)").execute(c)?;
        diesel::sql_query("CREATE TABLE pets (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL REFERENCES owners (id))").execute(c)?;
        Ok(())
    })
    .unwrap();
    let out = db.write(|c| {
        diesel::sql_query("PRAGMA defer_foreign_keys = ON").execute(c)?;
        insert(c, 7, 7)?;
        diesel::sql_query("INSERT INTO pets (id, owner) VALUES (1, 99)").execute(c)?;
        Ok(())
    });
    let err = out.expect_err("a commit that fails is not reported as written");
    assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
    assert_eq!(count(&db, "1 = 1"), 0, "the rows of an uncommitted write are gone");
    db.write(|c| insert(c, 8, 8)).unwrap();
    assert_eq!(count(&db, "1 = 1"), 1);
}
