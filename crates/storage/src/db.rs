//! Connections: one binary, two backends chosen by the URL's scheme, pooled with r2d2.

use std::sync::{Arc, Weak};
use std::time::Duration;

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::StorageError;
use crate::writer::{WriteCounts, Writer};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the database is: parsed once from `LENTERA_DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path (`data/lentera.db`, `sqlite://data/lentera.db`, `sqlite:data/lentera.db`).
    Sqlite(String),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, StorageError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_string()));
        }
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            return Ok(Self::Sqlite(path.to_string()));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(StorageError::Config(format!(
                "unsupported database URL scheme {scheme:?}: use postgres://… or a SQLite file path"
            )));
        }
        if url.is_empty() {
            return Err(StorageError::Config("the database URL is empty".into()));
        }
        Ok(Self::Sqlite(url.to_string()))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

/// r2d2 manager that opens the backend the URL names and prepares each new connection.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
    /// SQLite's `synchronous` setting: `NORMAL` unless `LENTERA_SQLITE_SYNCHRONOUS` says `FULL`.
    synchronous: &'static str,
}

impl Manager {
    fn new(url: DatabaseUrl) -> Result<Self, StorageError> {
        let setting = std::env::var("LENTERA_SQLITE_SYNCHRONOUS").unwrap_or_default();
        let synchronous = match setting.to_ascii_uppercase().as_str() {
            "" | "NORMAL" => "NORMAL",
            "FULL" => "FULL",
            _ => {
                return Err(StorageError::Config(format!("LENTERA_SQLITE_SYNCHRONOUS is {setting:?}: use NORMAL or FULL")));
            }
        };
        Ok(Self { url, synchronous })
    }
}

/// WAL pages after which a committing writer checkpoints by itself. The checkpointer thread
/// (see [`spawn_checkpointer`]) normally keeps the WAL far below this; it is the backstop for
/// when that thread falls behind.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

impl r2d2::ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(AnyConnection::Postgresql)
                .map_err(diesel::r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the one writer; synchronous=NORMAL in WAL mode is
                // durable against a killed process (only an OS crash may lose the last commits,
                // and then FULL is configurable through LENTERA_SQLITE_SYNCHRONOUS).
                // The busy timeout comes first: switching to WAL waits for a connection that is
                // migrating instead of failing. An 8 MiB page cache per connection keeps hot pages
                // (no memory map: a million-row export would map the whole file into every
                // connection and the process's memory with it). Checkpoints are the
                // checkpointer thread's work, so that no request waits for the copy and fsync
                // of a checkpoint while it holds the write lock.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                     PRAGMA synchronous = {}; PRAGMA cache_size = -8000; \
                     PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES};",
                    self.synchronous
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError)
    }

    /// A connection given back inside a transaction, or whose transaction state is lost, is
    /// not handed out again.
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        std::thread::panicking() || <AnyConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// The database handle the rest of the program passes around (never a global).
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// SQLite allows one writer at a time: this queue of the process's writers turns
    /// "database is locked" failures into an orderly wait, and commits them in groups.
    writer: Arc<Writer>,
    /// SQLite: kept alive by every clone; the checkpointer thread holds a weak reference and
    /// stops once the last handle is gone.
    _checkpointer: Option<Arc<()>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Db {
    /// Opens a pool. `max_size` of `None` picks a default per backend.
    pub fn connect(url: &str, max_size: Option<u32>) -> Result<Self, StorageError> {
        let url = DatabaseUrl::parse(url)?;
        let backend = url.backend();
        if let DatabaseUrl::Sqlite(path) = &url
            && let Some(parent) = std::path::Path::new(path).parent()
                && !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        StorageError::Config(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
        let size = max_size.unwrap_or(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        });
        let checkpointer = match &url {
            DatabaseUrl::Sqlite(path) => Some(spawn_checkpointer(path.clone())),
            DatabaseUrl::Postgres(_) => None,
        };
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(Manager::new(url)?)
            .map_err(|e| StorageError::Unavailable(e.to_string()))?;
        Ok(Self { pool, backend, writer: Arc::default(), _checkpointer: checkpointer })
    }

    /// A pool that connects on first use, failing each use after `timeout` while the database
    /// is down (the server's readiness probe then says so, instead of the process not starting).
    pub fn connect_lazy(url: &str, timeout: Duration) -> Result<Self, StorageError> {
        let url = DatabaseUrl::parse(url)?;
        let backend = url.backend();
        let checkpointer = match &url {
            DatabaseUrl::Sqlite(path) => Some(spawn_checkpointer(path.clone())),
            DatabaseUrl::Postgres(_) => None,
        };
        let pool = r2d2::Pool::builder().connection_timeout(timeout).build_unchecked(Manager::new(url)?);
        Ok(Self { pool, backend, writer: Arc::default(), _checkpointer: checkpointer })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn conn(&self) -> Result<PooledConnection, StorageError> {
        self.pool.get().map_err(|e| StorageError::Unavailable(e.to_string()))
    }

    /// Runs the embedded migrations for this backend; returns the names of those applied now.
    pub fn migrate(&self) -> Result<Vec<String>, StorageError> {
        let mut conn = self.conn()?;
        let applied = match &mut *conn {
            AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| StorageError::Migration(e.to_string()))?;
        Ok(applied.into_iter().map(|v| v.to_string()).collect())
    }

    /// Is the database reachable? (for `/readyz`)
    pub fn ping(&self) -> Result<(), StorageError> {
        let mut conn = self.conn()?;
        conn.batch_execute("SELECT 1").map_err(StorageError::from)
    }

    /// Runs `f` in a read transaction-less connection.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    /// SQLite: how many writes have committed so far, in how many transactions (group commit
    /// puts several in one). PostgreSQL: not counted (zeros).
    pub fn write_counts(&self) -> WriteCounts {
        self.writer.counts()
    }

    /// Runs `f` in one write transaction: all of it commits, or none of it, and it has
    /// committed when this returns. On SQLite, writes that queue up meanwhile share the
    /// transaction, each in a savepoint of its own (see [`Writer`]).
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        match self.backend {
            Backend::Sqlite => self.writer.write(&self.pool, f),
            Backend::Postgres => {
                let mut conn = self.conn()?;
                let conn: &mut AnyConnection = &mut conn;
                let started = std::time::Instant::now();
                let out = conn.transaction(f);
                let held = started.elapsed();
                if held > SLOW_WRITE {
                    tracing::warn!(held_ms = held.as_millis() as u64, "slow write transaction");
                }
                out
            }
        }
    }
}

/// A write transaction that takes longer than this is logged: on SQLite every other writer
/// waits for it.
pub(crate) const SLOW_WRITE: Duration = Duration::from_millis(50);

/// How often the checkpointer copies the WAL into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(50);

/// Starts the thread that checkpoints a SQLite database's WAL into the main file (PASSIVE: it
/// never blocks readers or the writer, and copies what no reader still needs; with nothing new
/// in the WAL it only reads the WAL index). Without it the writer whose commit crossed SQLite's
/// threshold did the copy and its fsync while holding the write lock, and every request queued
/// behind it waited. The thread ends within [`CHECKPOINT_EVERY`] of the last [`Db`] clone
/// being dropped.
fn spawn_checkpointer(path: String) -> Arc<()> {
    let alive = Arc::new(());
    let watched: Weak<()> = Arc::downgrade(&alive);
    let spawned = std::thread::Builder::new().name("sqlite-checkpoint".into()).spawn(move || {
        let mut conn: Option<SqliteConnection> = None;
        loop {
            std::thread::sleep(CHECKPOINT_EVERY);
            if watched.strong_count() == 0 {
                return;
            }
            if conn.is_none() {
                match SqliteConnection::establish(&path) {
                    Ok(c) => conn = Some(c),
                    Err(e) => {
                        tracing::warn!(error = %e, "the WAL checkpointer cannot open the database; writers checkpoint meanwhile");
                        continue;
                    }
                }
            }
            if let Some(c) = conn.as_mut()
                && let Err(e) = c.batch_execute("PRAGMA wal_checkpoint(PASSIVE)")
            {
                tracing::warn!(error = %e, "WAL checkpoint failed; retried");
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the WAL checkpointer; writers checkpoint instead");
    }
    alive
}
