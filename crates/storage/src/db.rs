//! Connections: one binary, two backends chosen by the URL's scheme, pooled with r2d2.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::StorageError;

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
}

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
                // connection and the process's memory with it).
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                     PRAGMA synchronous = NORMAL; PRAGMA cache_size = -8000; \
                     PRAGMA temp_store = MEMORY;",
                )
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// The database handle the rest of the program passes around (never a global).
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// SQLite allows one writer at a time; taking this lock before a write transaction turns
    /// "database is locked" failures into an orderly queue inside this process.
    write_lock: Arc<Mutex<()>>,
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
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(Manager { url })
            .map_err(|e| StorageError::Unavailable(e.to_string()))?;
        Ok(Self { pool, backend, write_lock: Arc::new(Mutex::new(())) })
    }

    /// A pool that connects on first use, failing each use after `timeout` while the database
    /// is down (the server's readiness probe then says so, instead of the process not starting).
    pub fn connect_lazy(url: &str, timeout: Duration) -> Result<Self, StorageError> {
        let url = DatabaseUrl::parse(url)?;
        let backend = url.backend();
        let pool = r2d2::Pool::builder().connection_timeout(timeout).build_unchecked(Manager { url });
        Ok(Self { pool, backend, write_lock: Arc::new(Mutex::new(())) })
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

    /// Runs `f` in one write transaction: all of it commits, or none of it.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let mut conn = self.conn()?;
        let _guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().unwrap_or_else(|p| p.into_inner())),
            Backend::Postgres => None,
        };
        let conn: &mut AnyConnection = &mut conn;
        conn.transaction(f)
    }
}
