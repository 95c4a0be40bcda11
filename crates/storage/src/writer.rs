//! SQLite's single writer, shared by group commit.
//!
//! SQLite lets one connection write at a time, so the process queues its writers. Each write
//! used to be a transaction of its own, and its COMMIT (appending every page it touched to the
//! WAL, including the index pages that every other write touches too) was a good part of the
//! time the lock was held. Here the writers that queue up while one of them works share one
//! transaction: each runs in its own savepoint, so its failure undoes only its own changes, and
//! the last one of the queue (or the one that finds the group full or old) commits for all.
//! Nobody returns before the COMMIT that holds their work has succeeded, so "written" still
//! means "durable"; when that COMMIT fails, every member of the group gets the error and none
//! of their work is kept.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};

use crate::StorageError;
use crate::db::{AnyConnection, Manager, PooledConnection, SLOW_WRITE};

/// At most this many writes share a transaction: the first of them waits for the others.
const MAX_MEMBERS: usize = 32;
/// A group this old commits with its next member even while others queue.
const MAX_AGE: Duration = Duration::from_millis(10);

type Commit = Result<(), String>;

/// What became of a group's COMMIT, for its members waiting to return.
#[derive(Default)]
struct Outcome {
    done: Mutex<Option<Commit>>,
    settled: Condvar,
}

impl Outcome {
    fn settle(&self, commit: Commit) {
        *self.done.lock().unwrap_or_else(|p| p.into_inner()) = Some(commit);
        self.settled.notify_all();
    }

    fn wait(&self) -> Commit {
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(commit) = done.as_ref() {
                return commit.clone();
            }
            done = self.settled.wait(done).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// The open group, if any: the connection holding its transaction and who is in it.
struct Group {
    conn: PooledConnection,
    opened: Instant,
    members: usize,
    outcome: Arc<Outcome>,
}

impl Group {
    fn open(pool: &r2d2::Pool<Manager>) -> Result<Self, StorageError> {
        let mut conn = pool.get().map_err(|e| StorageError::Unavailable(e.to_string()))?;
        // IMMEDIATE takes SQLite's write lock now (waiting up to the busy timeout for another
        // process, such as the CLI), instead of failing later in the middle of a member's work.
        match &mut *conn {
            AnyConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
            AnyConnection::Postgresql(_) => unreachable!("group commit is for SQLite"),
        }
        Ok(Self { conn, opened: Instant::now(), members: 0, outcome: Arc::default() })
    }

    /// Still one open transaction with no savepoint left over? (SQLite rolls a whole
    /// transaction back by itself after some errors, e.g. a full disk.)
    fn intact(&mut self) -> bool {
        let conn: &mut AnyConnection = &mut self.conn;
        matches!(
            <AnyConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn).transaction_depth(),
            Ok(Some(d)) if d.get() == 1
        )
    }

    /// Ends the transaction: COMMIT, or ROLLBACK with `failure`, and tells the members.
    /// Did it commit?
    fn close(mut self, failure: Option<String>) -> bool {
        let conn: &mut AnyConnection = &mut self.conn;
        let commit = match failure {
            // When COMMIT fails diesel rolls back by itself.
            None => <AnyConnection as Connection>::TransactionManager::commit_transaction(conn).map_err(|e| e.to_string()),
            Some(why) => {
                // Should even this fail, the connection says it is broken and the pool drops it
                // instead of handing it to the next reader.
                let _ = <AnyConnection as Connection>::TransactionManager::rollback_transaction(conn);
                Err(why)
            }
        };
        if let Err(e) = &commit {
            tracing::error!(error = %e, members = self.members, "a group of writes was not committed");
        }
        let committed = commit.is_ok();
        self.outcome.settle(commit);
        committed
    }
}

/// The queue of SQLite writers of one database.
#[derive(Default)]
pub(crate) struct Writer {
    group: Mutex<Option<Group>>,
    /// Writers waiting for `group`'s lock: while there are any, a member leaves the COMMIT to
    /// them.
    queued: AtomicUsize,
    /// Writes committed, and the transactions that committed them.
    committed_writes: AtomicU64,
    committed_groups: AtomicU64,
}

/// How many writes have committed, in how many transactions ([`crate::Db::write_counts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteCounts {
    pub writes: u64,
    pub transactions: u64,
}

impl Writer {
    pub(crate) fn write<T>(
        &self,
        pool: &r2d2::Pool<Manager>,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let asked = Instant::now();
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut slot = self.group.lock().unwrap_or_else(|p| p.into_inner());
        self.queued.fetch_sub(1, Ordering::SeqCst);
        let started = Instant::now();
        let group = match slot.as_mut() {
            Some(group) => group,
            None => slot.insert(Group::open(pool)?),
        };
        let conn: &mut AnyConnection = &mut group.conn;
        let out = match catch_unwind(AssertUnwindSafe(|| conn.transaction(f))) {
            Ok(out) => out,
            Err(panic) => {
                close(&mut slot, Some("another write of the same transaction panicked".into()));
                drop(slot);
                resume_unwind(panic);
            }
        };
        let worked = started.elapsed();
        if worked > SLOW_WRITE {
            tracing::warn!(held_ms = worked.as_millis() as u64, waited_ms = (started - asked).as_millis() as u64, "slow write transaction");
        }
        let Some(group) = slot.as_mut() else {
            return Err(StorageError::Unavailable("the write transaction was closed under a write".into()));
        };
        if !group.intact() {
            let lost = "the transaction was lost by a failed write; retry";
            close(&mut slot, Some(lost.into()));
            // The write's own error says more than the loss it caused.
            return out.and(Err(StorageError::Unavailable(lost.into())));
        }
        let (v, outcome) = match out {
            Ok(v) => {
                group.members += 1;
                (v, group.outcome.clone())
            }
            Err(e) => {
                // Undone to its savepoint; the group goes on without it.
                if self.last(group) {
                    self.commit(&mut slot);
                }
                return Err(e);
            }
        };
        if self.last(group) {
            self.commit(&mut slot);
        }
        drop(slot);
        match outcome.wait() {
            Ok(()) => Ok(v),
            Err(e) => Err(StorageError::Unavailable(format!("not committed: {e}"))),
        }
    }

    fn commit(&self, slot: &mut MutexGuard<'_, Option<Group>>) {
        if let Some(members) = close(slot, None).filter(|m| *m > 0) {
            self.committed_writes.fetch_add(members as u64, Ordering::Relaxed);
            self.committed_groups.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn counts(&self) -> WriteCounts {
        WriteCounts {
            writes: self.committed_writes.load(Ordering::Relaxed),
            transactions: self.committed_groups.load(Ordering::Relaxed),
        }
    }

    /// Does the group end with this member?
    fn last(&self, group: &Group) -> bool {
        self.queued.load(Ordering::SeqCst) == 0 || group.members >= MAX_MEMBERS || group.opened.elapsed() >= MAX_AGE
    }
}

fn close(slot: &mut MutexGuard<'_, Option<Group>>, failure: Option<String>) -> Option<usize> {
    let group = slot.take()?;
    let members = group.members;
    group.close(failure).then_some(members)
}
