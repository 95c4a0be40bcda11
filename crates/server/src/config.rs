//! The typed configuration: defaults, then an optional TOML file, then `LENTERA_*` environment
//! variables (nested keys with `__`, e.g. `LENTERA_API__ACCESS_TOKEN_TTL_SECS=600`). Every
//! setting is documented in the README's configuration table.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use lentera_api::ApiConfig;
use lentera_api::progress_glue::ProgressConfig;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// SQLite file path (default) or `postgres://…` URL.
    pub database_url: String,
    /// Connections in the pool (default: 8 for SQLite, 16 for PostgreSQL).
    pub database_pool_size: Option<u32>,
    /// Address to listen on.
    pub bind: String,
    /// Where generated secrets (and the default SQLite database) live.
    pub data_dir: PathBuf,
    /// HMAC key for access tokens. Unset: generated on first start into `data_dir/jwt.key`.
    /// Several instances behind a load balancer must share one value.
    pub jwt_secret: Option<String>,
    /// The address users reach the server at (used in e-mails and certificate QR codes).
    pub public_url: String,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: String,
    /// A tracing filter, e.g. `info` or `lentera=debug,info`.
    pub log_level: String,
    /// HTTP worker threads (default: number of cores).
    pub workers: Option<usize>,
    /// Serve Prometheus metrics at `/metrics`.
    pub metrics: bool,
    /// Folder of sample courses imported by `serve --demo` (each subfolder one course).
    pub content_dir: PathBuf,
    pub api: ApiConfig,
    /// Outgoing e-mail (`[smtp]`).
    pub smtp: SmtpConfig,
    /// The notification worker: outbox, reminders, assignment rules (`[notifications]`).
    pub notifications: NotificationsConfig,
    /// Progress tracking, the JP ledger and certificates (`[progress]`).
    pub progress: ProgressConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "data/lentera.db".into(),
            database_pool_size: None,
            bind: "127.0.0.1:8080".into(),
            data_dir: "data".into(),
            jwt_secret: None,
            public_url: "http://127.0.0.1:8080".into(),
            log_format: "pretty".into(),
            log_level: "info".into(),
            workers: None,
            metrics: true,
            content_dir: "content".into(),
            api: ApiConfig::default(),
            smtp: SmtpConfig::default(),
            notifications: NotificationsConfig::default(),
            progress: ProgressConfig::default(),
        }
    }
}

impl Config {
    /// Loads defaults ← file (if given, or `lentera.toml` if present) ← environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => {
                anyhow::ensure!(f.exists(), "configuration file {} does not exist", f.display());
                fig = fig.merge(Toml::file(f));
            }
            None if Path::new("lentera.toml").exists() => fig = fig.merge(Toml::file("lentera.toml")),
            None => {}
        }
        fig = fig.merge(Env::prefixed("LENTERA_").split("__").ignore(&["config"]));
        fig.extract().context("invalid configuration")
    }

    /// The JWT key: configured, or read from (and on first start generated into) the data dir.
    pub fn jwt_secret(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(s) = &self.jwt_secret {
            anyhow::ensure!(s.len() >= 32, "LENTERA_JWT_SECRET must be at least 32 characters");
            return Ok(s.as_bytes().to_vec());
        }
        let path = self.data_dir.join("jwt.key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let key = existing.trim();
            anyhow::ensure!(key.len() >= 32, "{} is too short; delete it to generate a new key", path.display());
            return Ok(key.as_bytes().to_vec());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?;
        let mut bytes = [0u8; 48];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let key = hex::encode(bytes);
        write_private(&path, &key)?;
        tracing::info!(path = %path.display(), "generated a new JWT signing key");
        Ok(key.into_bytes())
    }
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

/// How to reach the SMTP server. With an empty `host`, e-mail is off: messages wait in the
/// outbox (nothing is lost) until a host is configured.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `starttls` (upgrade a plain connection, port 587), `tls` (implicit TLS, port 465) or
    /// `none` (plain text: only for a relay on the same machine or network).
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Lentera BKPSDM Batanghari <lentera@batanghari.go.id>`.
    pub from: String,
    /// Seconds to wait for the server on each command.
    pub timeout_secs: u64,
    /// Connections kept open to the server; messages are sent over them in parallel.
    pub connections: u32,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    None,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: None,
            password: None,
            from: "Lentera <lentera@localhost>".into(),
            timeout_secs: 30,
            connections: 8,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationsConfig {
    /// Run the worker thread inside `serve`. Turn it off on instances that should only answer
    /// requests (`lentera outbox drain` can then send from elsewhere).
    pub worker: bool,
    /// Seconds between the worker's outbox passes.
    pub interval_secs: u64,
    /// Seconds between passes that re-apply every open cohort's assignment rules, recompute
    /// programme progress, queue deadline reminders and resume abandoned assignment jobs.
    pub rules_interval_secs: u64,
    /// Deadline reminders, in days before a cohort's deadline.
    pub reminder_days: Vec<u32>,
    /// Overdue notices are sent for deadlines passed at most this many days ago.
    pub overdue_horizon_days: u32,
    /// Messages claimed per database round trip.
    pub batch_size: i64,
    /// First retry after this many seconds; each further one waits twice as long…
    pub retry_base_secs: u64,
    /// …but never longer than this.
    pub retry_max_secs: u64,
    /// Tries before a message the server refuses permanently (5xx) is given up as failed. An
    /// unreachable server or a temporary refusal (4xx) is retried without limit.
    pub max_attempts: u32,
    /// Seconds a worker holds claimed messages; a worker that dies releases them after this.
    pub lease_secs: u64,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        Self {
            worker: true,
            interval_secs: 15,
            rules_interval_secs: 600,
            reminder_days: vec![7, 1],
            overdue_horizon_days: 30,
            batch_size: 100,
            retry_base_secs: 60,
            retry_max_secs: 3600,
            max_attempts: 5,
            lease_secs: 300,
        }
    }
}
