//! Sending the outbox, and the background worker that does it with the other periodic work of
//! programmes (re-applying assignment rules, programme progress, deadline reminders, abandoned
//! assignment jobs).
//!
//! Delivery is at least once per message row, and a row exists once per (user, kind, subject):
//! a message is claimed for a lease, sent, then marked sent. A process killed between the SMTP
//! server's "250 OK" and the mark would send that one message again after the lease; the
//! message's `Message-ID` is derived from the row, so the copy is recognisably the same
//! message. Everything else (an SMTP outage, a crash before sending, two processes draining at
//! once) neither loses nor doubles a message.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::TimeDelta;
use lentera_programmes::notify::{default_template, render};
use lentera_programmes::{NotificationKind, RenderInput, Template, retry_delay};
use lentera_storage::notifications::{self as store, OutboxItem, TemplateOverride};
use lentera_storage::{Db, programmes};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

use crate::config::{Config, NotificationsConfig, SmtpConfig, SmtpSecurity};

/// An SMTP client with its sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    /// The domain in `Message-ID`s.
    domain: String,
    connections: usize,
}

impl Mailer {
    /// `None` when no SMTP host is configured (e-mail off).
    pub fn from_config(c: &SmtpConfig, public_url: &str) -> anyhow::Result<Option<Self>> {
        if c.host.trim().is_empty() {
            return Ok(None);
        }
        let builder = match c.security {
            SmtpSecurity::Tls => SmtpTransport::relay(&c.host).context("smtp: TLS set-up")?,
            SmtpSecurity::Starttls => SmtpTransport::starttls_relay(&c.host).context("smtp: STARTTLS set-up")?,
            SmtpSecurity::None => SmtpTransport::builder_dangerous(&c.host),
        };
        let mut builder = builder
            .port(c.port)
            .timeout(Some(Duration::from_secs(c.timeout_secs.max(1))))
            .pool_config(PoolConfig::new().max_size(c.connections.max(1)));
        if let (Some(user), Some(password)) = (&c.username, &c.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let from: Mailbox = c.from.parse().with_context(|| format!("smtp.from {:?} is not an e-mail address", c.from))?;
        let domain = public_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':']).next())
            .filter(|h| !h.is_empty())
            .unwrap_or("lentera")
            .to_string();
        Ok(Some(Self { transport: builder.build(), from, domain, connections: c.connections.max(1) as usize }))
    }
}

/// What one drain did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DrainReport {
    pub sent: usize,
    /// Failed this time; will be tried again.
    pub retrying: usize,
    /// Given up (permanently refused too often, or undeliverable).
    pub failed: usize,
    /// Not to be sent (inactive account, e-mail turned off, expired link).
    pub skipped: usize,
}

impl std::ops::AddAssign for DrainReport {
    fn add_assign(&mut self, o: Self) {
        self.sent += o.sent;
        self.retrying += o.retrying;
        self.failed += o.failed;
        self.skipped += o.skipped;
    }
}

/// A name for this process in the outbox's `claimed_by`.
pub fn worker_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "lentera".into());
    format!("{host}:{}:{}", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..8])
}

enum Outcome {
    Sent,
    Retry,
    Failed,
    Skipped,
    /// The server is unreachable: stop this pass, keep the rest for later.
    Outage,
}

struct Sender<'a> {
    db: &'a Db,
    mailer: &'a Mailer,
    cfg: &'a NotificationsConfig,
    public_url: &'a str,
    worker: &'a str,
    overrides: &'a [TemplateOverride],
}

impl Sender<'_> {
    fn template(&self, kind: NotificationKind, item: &OutboxItem) -> Template {
        self.overrides
            .iter()
            .find(|o| o.kind == kind && o.language == item.language)
            .map(|o| o.template.clone())
            .unwrap_or_else(|| default_template(kind, item.language))
    }

    fn handle(&self, item: &OutboxItem) -> anyhow::Result<Outcome> {
        let now = lentera_storage::now();
        let secret = item.kind == NotificationKind::PasswordReset;
        let skip = |reason: &str| -> anyhow::Result<Outcome> {
            self.db.write(|c| store::mark_skipped(c, &item.id, self.worker, reason, secret))?;
            Ok(Outcome::Skipped)
        };
        if !item.active {
            return skip("account inactive");
        }
        if !item.email_enabled {
            return skip("e-mail turned off by the user");
        }
        if secret && !self.db.read(|c| store::password_reset_usable(c, &item.subject_id, now))? {
            return skip("reset link expired or used");
        }
        let input = RenderInput {
            kind: item.kind,
            language: item.language,
            recipient: &item.name,
            base_url: self.public_url,
            params: &item.params,
        };
        // An override that no longer renders must not stop the mail: fall back to the default.
        let rendered = match render(&self.template(item.kind, item), &input) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(kind = %item.kind, error = %e, "template override fails to render; using the default");
                render(&default_template(item.kind, item.language), &input).map_err(|e| anyhow::anyhow!("default template: {e}"))?
            }
        };
        let to = match item.email.parse() {
            Ok(address) => Mailbox::new(Some(item.name.clone()), address),
            Err(e) => {
                self.db.write(|c| store::mark_failed(c, &item.id, self.worker, &format!("bad address: {e}"), None))?;
                return Ok(Outcome::Failed);
            }
        };
        let message = Message::builder()
            .from(self.mailer.from.clone())
            .to(to)
            .subject(rendered.subject)
            .message_id(Some(format!("<{}@{}>", item.id, self.mailer.domain)))
            .multipart(MultiPart::alternative_plain_html(rendered.text, rendered.html))
            .context("building the message")?;
        match self.mailer.transport.send(&message) {
            Ok(_) => {
                let at = lentera_storage::now();
                if !self.db.write(|c| store::mark_sent(c, &item.id, self.worker, &item.email, at, secret))? {
                    tracing::warn!(message = %item.id, "sent after the claim had lapsed");
                }
                Ok(Outcome::Sent)
            }
            Err(e) => {
                let attempts = u32::try_from(item.attempts).unwrap_or(0) + 1;
                let error = e.to_string();
                if e.is_permanent() {
                    let retry = (attempts < self.cfg.max_attempts).then(|| now + self.delay(attempts, &item.id));
                    let gave_up = retry.is_none();
                    self.db.write(|c| store::mark_failed(c, &item.id, self.worker, &error, retry))?;
                    tracing::warn!(message = %item.id, attempts, error = %error, gave_up, "SMTP server refused a message");
                    return Ok(if gave_up { Outcome::Failed } else { Outcome::Retry });
                }
                let retry = now + self.delay(attempts, &item.id);
                self.db.write(|c| store::mark_failed(c, &item.id, self.worker, &error, Some(retry)))?;
                if e.is_transient() {
                    tracing::info!(message = %item.id, attempts, error = %error, "SMTP server deferred a message");
                    return Ok(Outcome::Retry);
                }
                tracing::warn!(error = %error, "SMTP server unreachable; mail waits in the outbox");
                Ok(Outcome::Outage)
            }
        }
    }

    fn delay(&self, attempts: u32, id: &str) -> TimeDelta {
        let seed = id.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        retry_delay(attempts, self.cfg.retry_base_secs, self.cfg.retry_max_secs, seed)
    }
}

/// Sends every message due now, in batches, over the mailer's connections in parallel, until
/// none is left (or the server turns out to be unreachable: the rest then waits for the next
/// pass). Messages claimed by another process are not touched. With `retry_now`, messages
/// waiting out a backoff are made due first (after an outage is over).
pub fn drain(db: &Db, mailer: &Mailer, cfg: &NotificationsConfig, public_url: &str, worker: &str, retry_now: bool) -> anyhow::Result<DrainReport> {
    let pass = lentera_storage::now();
    if retry_now {
        db.write(|c| store::retry_pending_now(c, pass))?;
    }
    let overrides = db.read(store::template_overrides)?;
    let sender = Sender { db, mailer, cfg, public_url, worker, overrides: &overrides };
    let lease = TimeDelta::seconds(i64::try_from(cfg.lease_secs.max(30)).unwrap_or(300));
    let mut report = DrainReport::default();
    loop {
        let batch = db.write(|c| store::claim_outbox(c, worker, pass, lease, cfg.batch_size.max(1)))?;
        if batch.is_empty() {
            break;
        }
        let lanes = mailer.connections.min(batch.len()).max(1);
        let per_lane = batch.len().div_ceil(lanes);
        let results: Vec<anyhow::Result<(DrainReport, bool)>> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .chunks(per_lane)
                .map(|lane| {
                    let sender = &sender;
                    s.spawn(move || -> anyhow::Result<(DrainReport, bool)> {
                        let mut r = DrainReport::default();
                        let mut untouched = Vec::new();
                        let mut outage = false;
                        for item in lane {
                            if outage {
                                untouched.push(item.id.clone());
                                continue;
                            }
                            match sender.handle(item)? {
                                Outcome::Sent => r.sent += 1,
                                Outcome::Retry => r.retrying += 1,
                                Outcome::Failed => r.failed += 1,
                                Outcome::Skipped => r.skipped += 1,
                                Outcome::Outage => {
                                    r.retrying += 1;
                                    outage = true;
                                }
                            }
                        }
                        if !untouched.is_empty() {
                            db.write(|c| store::release(c, &untouched, worker))?;
                        }
                        Ok((r, outage))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("a sender thread panicked")))).collect()
        });
        let mut outage = false;
        for r in results {
            let (r, o) = r?;
            report += r;
            outage |= o;
        }
        if outage {
            break;
        }
    }
    Ok(report)
}

/// The periodic work besides sending: resume abandoned assignment jobs, re-apply the rules of
/// every open cohort (people created or moved by any path), recompute programme progress, and
/// queue deadline reminders and overdue notices.
pub fn periodic(db: &Db, cfg: &NotificationsConfig) -> anyhow::Result<()> {
    let now = lentera_storage::now();
    let jobs = programmes::run_pending_jobs(db, now)?;
    let assigned = programmes::apply_all_rules(db, now)?;
    let completed = programmes::refresh_all_progress(db, now)?;
    let horizon = TimeDelta::days(i64::from(cfg.overdue_horizon_days));
    let (reminders, overdue) = programmes::enqueue_deadline_notices(db, now, &cfg.reminder_days, horizon)?;
    if jobs + assigned + completed + reminders + overdue > 0 {
        tracing::info!(jobs, assigned, completed, reminders, overdue, "programme pass");
    }
    Ok(())
}

/// Starts the background worker thread of `serve`.
pub fn spawn_worker(db: Db, config: &Config) -> anyhow::Result<()> {
    let mailer = Mailer::from_config(&config.smtp, &config.public_url)?;
    if mailer.is_none() {
        tracing::warn!("e-mail is off (no smtp.host): notifications are kept in the outbox until it is set");
    }
    let cfg = config.notifications.clone();
    let public_url = config.public_url.clone();
    let worker = worker_id();
    std::thread::Builder::new()
        .name("lentera-worker".into())
        .spawn(move || {
            let interval = Duration::from_secs(cfg.interval_secs.max(1));
            let periodic_every = Duration::from_secs(cfg.rules_interval_secs.max(1));
            let mut last_periodic: Option<Instant> = None;
            loop {
                if last_periodic.is_none_or(|t| t.elapsed() >= periodic_every) {
                    if let Err(e) = periodic(&db, &cfg) {
                        tracing::error!(error = %format!("{e:#}"), "programme pass failed");
                    }
                    last_periodic = Some(Instant::now());
                }
                if let Some(m) = &mailer {
                    match drain(&db, m, &cfg, &public_url, &worker, false) {
                        Ok(r) if r != DrainReport::default() => {
                            tracing::info!(sent = r.sent, retrying = r.retrying, failed = r.failed, skipped = r.skipped, "outbox pass")
                        }
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %format!("{e:#}"), "outbox pass failed"),
                    }
                }
                std::thread::sleep(interval);
            }
        })
        .context("cannot start the worker thread")?;
    Ok(())
}
