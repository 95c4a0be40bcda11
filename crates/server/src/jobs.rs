//! The background job worker: threads that take due jobs from the `jobs` table (certificate
//! issue and rendering, bulk issue and re-issue) and run them, so requests that start long work
//! answer at once. Jobs are taken with row locks (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the
//! write lock on SQLite) under a lease, so several threads or server instances share the queue
//! and a job whose worker died is taken again when its lease runs out.

use std::sync::Arc;
use std::time::Duration;

use lentera_api::progress_glue::{self, ProgressSettings};
use lentera_storage::Db;

/// Jobs one worker takes per round.
const BATCH: i64 = 10;

/// Starts the configured number of worker threads; they run until the process ends.
pub fn start(db: &Db, settings: Arc<ProgressSettings>) -> anyhow::Result<()> {
    let workers = settings.config.job_workers;
    let poll = Duration::from_millis(settings.config.job_poll_ms.max(10));
    for n in 0..workers {
        let db = db.clone();
        let settings = settings.clone();
        let name = format!("pid{}-job{n}", std::process::id());
        std::thread::Builder::new().name(format!("lentera-job-{n}")).spawn(move || run(&db, &settings, &name, poll))?;
    }
    if workers > 0 {
        tracing::info!(workers, "background job workers started");
    }
    Ok(())
}

fn run(db: &Db, settings: &ProgressSettings, name: &str, poll: Duration) {
    loop {
        match progress_glue::work_once(db, settings, name, BATCH) {
            // More may be waiting: go on without sleeping.
            Ok(n) if n > 0 => {}
            Ok(_) => std::thread::sleep(poll),
            Err(e) => {
                tracing::warn!(worker = name, error = %e, "job worker could not reach the database");
                std::thread::sleep(poll.max(Duration::from_secs(1)));
            }
        }
    }
}
