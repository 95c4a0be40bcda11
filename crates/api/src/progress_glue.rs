//! The progress tracker's glue between the rules (`lentera-progress`), the certificate renderer
//! (`lentera-certificate`) and storage: syncing learning events, what a completion sets off (JP
//! credited, certificate issued, xAPI record kept), rebasing progress onto a new course version,
//! quiz results, the JP year summary, certificate rendering and the background jobs.
//!
//! Handlers (and the server's job worker) call these functions; the rules stay in the domain
//! crate and the SQL in storage. Every write that belongs together runs in one `Db::write`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use lentera_accounts::{HrScope, UserId};
use lentera_certificate::{CertificateData, Signatory, VerificationPage, VerificationStatus};
use lentera_progress::{
    Approval, CertificateNumber, DevelopmentForm, EntrySource, EnrolmentState, EventKind, EventLimits, Jp, JpPolicy, JpYear,
    Language, LearningEvent, LedgerEntry, VerificationCode, XapiActivity, XapiActor, XapiConfig, XapiOutcome, XapiStatement,
    YearSummary,
};
use lentera_storage::progress::{self as store, CertificateRow, EnrolmentRow, NewEvent, NewJob, XapiAudience};
use lentera_storage::{AnyConnection, Db, StorageError, courses};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Configuration.

/// The `[progress]` section of the server configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgressConfig {
    /// Yearly JP target, minutes per JP, the time zone that decides the year, and the conversion
    /// table for external training (defaults: 20 JP, 45 minutes, Asia/Jakarta, LAN's 2020 guide).
    pub jp: JpPolicy,
    /// Printed at the top of certificates.
    pub regency_name: String,
    /// The issuing agency, printed on certificates and shown on the verification page.
    pub issuer_name: String,
    /// A PNG, JPEG or SVG file drawn on certificates.
    pub certificate_logo: Option<PathBuf>,
    /// Certificate numbers are `{prefix}/{year}/{sequence}`.
    pub certificate_prefix: String,
    /// Who signs certificates (position, name, NIP).
    pub signatory: Option<Signatory>,
    /// Plausibility limits for learning events (reading time per event, device clock skew).
    pub event_limits: EventLimits,
    /// Most events in one sync request.
    pub max_batch_events: usize,
    /// hr's default window for "certifications expiring within N days".
    pub expiry_warning_days: u32,
    /// How often an idle job worker looks for work, in milliseconds.
    pub job_poll_ms: u64,
    /// Job worker threads per server process.
    pub job_workers: usize,
    /// How long a worker holds a job before another worker may take it over (its process died):
    /// the longest a job waits after a crash. Long jobs renew it as they go.
    pub job_lease_secs: u64,
}

impl Default for ProgressConfig {
    fn default() -> Self {
        Self {
            jp: JpPolicy::default(),
            regency_name: "Pemerintah Kabupaten Batang Hari".into(),
            issuer_name: "BKPSDM Kabupaten Batang Hari".into(),
            certificate_logo: None,
            certificate_prefix: "LTR".into(),
            signatory: None,
            event_limits: EventLimits::default(),
            max_batch_events: 500,
            expiry_warning_days: 90,
            job_poll_ms: 1000,
            job_workers: 1,
            job_lease_secs: 60,
        }
    }
}

/// Where "now" comes from: the system clock, or a fixed time in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The progress settings handlers and workers use, built once from [`ProgressConfig`] (the logo
/// read, the prefix checked) and registered as `web::Data<ProgressSettings>`.
#[derive(Clone)]
pub struct ProgressSettings {
    pub config: ProgressConfig,
    /// Base of verification links and xAPI ids, without a trailing slash.
    pub public_url: String,
    pub logo: Option<Vec<u8>>,
    pub clock: Clock,
}

impl std::fmt::Debug for ProgressSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressSettings").field("config", &self.config).field("public_url", &self.public_url).finish_non_exhaustive()
    }
}

impl Default for ProgressSettings {
    fn default() -> Self {
        Self {
            config: ProgressConfig::default(),
            public_url: "http://127.0.0.1:8080".into(),
            logo: None,
            clock: Arc::new(Utc::now),
        }
    }
}

impl ProgressSettings {
    /// Checks the configuration and reads the logo file.
    pub fn from_config(config: ProgressConfig, public_url: &str) -> Result<Self, String> {
        CertificateNumber::new(&config.certificate_prefix, 2026, 1).map_err(|e| format!("progress.certificate_prefix: {e}"))?;
        if config.jp.minutes_per_jp == 0 {
            return Err("progress.jp.minutes_per_jp must be at least 1".into());
        }
        let logo = match &config.certificate_logo {
            Some(path) => Some(std::fs::read(path).map_err(|e| format!("progress.certificate_logo {}: {e}", path.display()))?),
            None => None,
        };
        Ok(Self { config, public_url: public_url.trim_end_matches('/').to_string(), logo, clock: Arc::new(Utc::now) })
    }

    /// The same settings with another clock (tests).
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Now as stored: UTC, microseconds.
    fn stored_now(&self) -> NaiveDateTime {
        to_stored(self.now())
    }

    pub fn policy(&self) -> &JpPolicy {
        &self.config.jp
    }

    /// The calendar year "now" is in, in the policy's time zone.
    pub fn current_year(&self) -> i32 {
        JpYear::of(self.now(), self.config.jp.timezone).value()
    }

    /// A date in the policy's time zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.config.jp.timezone).date_naive()
    }

    pub fn verification_url(&self, code: &str) -> String {
        format!("{}/verify/{code}", self.public_url)
    }

    pub fn xapi(&self) -> XapiConfig {
        XapiConfig { home_page: self.public_url.clone(), activity_base: format!("{}/xapi/activities", self.public_url) }
    }
}

fn to_stored(at: DateTime<Utc>) -> NaiveDateTime {
    let n = at.naive_utc();
    chrono::DurationRound::duration_trunc(n, chrono::TimeDelta::microseconds(1)).unwrap_or(n)
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// A stable id derived from parts (for events the server makes up itself, such as quiz results,
/// so that recording the same result twice stores it once).
fn derived_id(parts: &[&str]) -> Uuid {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

fn event_type(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::LessonOpened { .. } => "lesson_opened",
        EventKind::LessonCompleted { .. } => "lesson_completed",
        EventKind::TimeSpent { .. } => "time_spent",
        EventKind::QuizPassed { .. } => "quiz_passed",
        EventKind::QuizFailed { .. } => "quiz_failed",
        EventKind::Position { .. } => "position",
    }
}

// ---------------------------------------------------------------------------------------------
// Syncing learning events.

/// One event of a sync batch, with the course it belongs to (its id or slug).
#[derive(Debug, Clone)]
pub struct IncomingEvent {
    pub course: String,
    pub event: LearningEvent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Stored now, and folded into the enrolment.
    Accepted,
    /// Stored before (a retry, or the same id twice in one batch): nothing changed.
    Duplicate,
    /// Not stored; sending it again gives the same answer.
    Rejected { code: String, message: String },
}

/// An enrolment's stored figures after a sync.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CourseProgress {
    pub course_id: String,
    pub course_slug: String,
    pub percent_complete: u8,
    /// `not_started`, `in_progress` or `completed`.
    pub status: lentera_progress::EnrolmentStatus,
    pub last_lesson_id: Option<String>,
    pub last_position: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The certificate this batch's completion issued, if it completed the course.
    pub certificate_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SyncOutcome {
    pub results: Vec<(Uuid, Outcome)>,
    pub progress: Vec<CourseProgress>,
}

fn rejected(code: &str, message: impl Into<String>) -> Outcome {
    Outcome::Rejected { code: code.to_string(), message: message.into() }
}

/// An enrolment being updated by a batch.
struct Working {
    row: EnrolmentRow,
    slug: String,
    outline: Option<(lentera_progress::CourseOutline, lentera_progress::CompletionRules)>,
    state: EnrolmentState,
    before: EnrolmentState,
    /// The accepted event after which the enrolment first counted as complete.
    completing_event: Option<Uuid>,
    dirty: bool,
}

/// Stores a batch of one learner's events and updates their enrolments, all in one
/// transaction: an event is accepted (stored and folded into the enrolment), a duplicate
/// (already stored: changes nothing) or rejected with a reason. Retrying a batch is safe.
pub fn sync_events(db: &Db, settings: &ProgressSettings, user: UserId, events: &[IncomingEvent]) -> Result<SyncOutcome, StorageError> {
    let now = settings.now();
    db.write(|conn| sync_in(conn, settings, user, events, now))
}

fn sync_in(
    conn: &mut AnyConnection,
    settings: &ProgressSettings,
    user: UserId,
    events: &[IncomingEvent],
    now: DateTime<Utc>,
) -> Result<SyncOutcome, StorageError> {
    let received_at = to_stored(now);
    let mut refs: Vec<String> = events.iter().map(|e| e.course.clone()).collect();
    refs.sort();
    refs.dedup();
    let found = store::courses_by_ref(conn, &refs)?;
    let mut course_of: HashMap<&str, &store::CourseKey> = HashMap::new();
    for c in &found {
        course_of.insert(c.id.as_str(), c);
    }
    for c in &found {
        course_of.entry(c.slug.as_str()).or_insert(c);
    }
    let ids: Vec<String> = found.iter().map(|c| c.id.clone()).collect();
    let mut working: BTreeMap<String, Working> = BTreeMap::new();
    for row in store::lock_enrolments(conn, user, &ids)? {
        let state = store::parse_state(&row.state_json)?;
        let Some(course) = found.iter().find(|c| c.id == row.course_id) else { continue };
        let outline = match (&course.current_version_id, row.status.as_str()) {
            (Some(v), "active" | "completed") => Some(store::outline(conn, v)?),
            _ => None,
        };
        working.insert(
            row.course_id.clone(),
            Working { slug: course.slug.clone(), row, outline, before: state.clone(), state, completing_event: None, dirty: false },
        );
    }
    let client_ids: Vec<Uuid> = events.iter().map(|e| e.event.client_id).collect();
    let stored = store::stored_client_ids(conn, user, &client_ids)?;
    let mut seen: HashSet<Uuid> = HashSet::new();
    let limits = settings.config.event_limits;
    let mut results = Vec::with_capacity(events.len());
    for incoming in events {
        let ev = &incoming.event;
        if stored.contains(&ev.client_id) || !seen.insert(ev.client_id) {
            results.push((ev.client_id, Outcome::Duplicate));
            continue;
        }
        let Some(course) = course_of.get(incoming.course.as_str()) else {
            results.push((ev.client_id, rejected("unknown_course", format!("there is no course {:?}", incoming.course))));
            continue;
        };
        let Some(w) = working.get_mut(&course.id) else {
            results.push((ev.client_id, rejected("not_enrolled", format!("you are not enrolled in {}", course.slug))));
            continue;
        };
        let Some((outline, rules)) = &w.outline else {
            results.push((ev.client_id, rejected("not_enrolled", format!("you are not enrolled in {}", course.slug))));
            continue;
        };
        if let Err(r) = lentera_progress::validate_with(ev, outline, utc(w.row.enrolled_at), now, &limits) {
            results.push((ev.client_id, rejected(r.code.as_str(), r.message)));
            continue;
        }
        let payload = serde_json::to_string(ev).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let fresh = store::insert_event(
            conn,
            &NewEvent {
                user_id: user,
                client_id: ev.client_id,
                course_id: &course.id,
                kind: event_type(&ev.kind),
                payload,
                occurred_at: to_stored(ev.occurred_at),
                received_at,
            },
        )?;
        if !fresh {
            results.push((ev.client_id, Outcome::Duplicate));
            continue;
        }
        let was_complete = w.state.completed_at.is_some();
        w.state = lentera_progress::apply(std::mem::take(&mut w.state), ev, outline, rules);
        w.dirty = true;
        if !was_complete && w.state.completed_at.is_some() {
            w.completing_event = Some(ev.client_id);
        }
        record_quiz_xapi(conn, &w.row, ev, received_at)?;
        results.push((ev.client_id, Outcome::Accepted));
    }
    let mut progress = Vec::new();
    for w in working.values() {
        let mut certificate_id = None;
        if w.dirty {
            courses::store_enrolment_state(conn, &w.row.id, &w.state)?;
            certificate_id = completion_effects(conn, Some(settings), &w.row, &w.before, &w.state, w.completing_event, received_at)?;
        }
        // Every enrolment here is one the batch named.
        progress.push(CourseProgress {
            course_id: w.row.course_id.clone(),
            course_slug: w.slug.clone(),
            percent_complete: w.state.percent_complete,
            status: w.state.status,
            last_lesson_id: w.state.last_lesson_id.clone(),
            last_position: w.state.last_position.clone(),
            completed_at: w.state.completed_at,
            certificate_id,
        });
    }
    Ok(SyncOutcome { results, progress })
}

fn record_quiz_xapi(conn: &mut AnyConnection, row: &EnrolmentRow, ev: &LearningEvent, recorded_at: NaiveDateTime) -> Result<(), StorageError> {
    let (verb, quiz, score) = match &ev.kind {
        EventKind::QuizPassed { quiz_id, score_percent } => ("passed", quiz_id, *score_percent),
        EventKind::QuizFailed { quiz_id, score_percent } => ("failed", quiz_id, *score_percent),
        _ => return Ok(()),
    };
    store::insert_xapi(
        conn,
        &store::NewXapiRecord {
            user_id: &row.user_id,
            course_id: &row.course_id,
            verb,
            quiz_key: Some(quiz),
            score_percent: Some(score),
            event_client_id: ev.client_id,
            occurred_at: to_stored(ev.occurred_at),
            recorded_at,
        },
    )
}

/// What a (new or moved) completion sets off, in the caller's transaction: the JP ledger and the
/// xAPI record; the certificate is issued now when the settings are at hand (its number needs
/// the configured prefix), else by a job. Returns the certificate's id when there is one.
fn completion_effects(
    conn: &mut AnyConnection,
    settings: Option<&ProgressSettings>,
    row: &EnrolmentRow,
    before: &EnrolmentState,
    after: &EnrolmentState,
    completing_event: Option<Uuid>,
    at: NaiveDateTime,
) -> Result<Option<String>, StorageError> {
    let Some(completed_at) = after.completed_at else { return Ok(None) };
    if before.completed_at == Some(completed_at) {
        return Ok(None);
    }
    let event = completing_event.unwrap_or_else(|| derived_id(&["completion", &row.id]));
    store::record_completion(conn, &row.id, to_stored(completed_at), event, at)?;
    if before.completed_at.is_some() {
        return Ok(None);
    }
    match settings {
        Some(s) => {
            let (cert, created) = issue_in(conn, s, &row.id, at)?;
            if created {
                enqueue_render(conn, &cert.id, None, None, at)?;
            }
            Ok(Some(cert.id))
        }
        None => {
            store::enqueue_job(
                conn,
                &NewJob {
                    kind: "issue_certificate",
                    payload: serde_json::json!({ "enrolment_id": row.id }).to_string(),
                    parent_id: None,
                    created_by: None,
                    max_attempts: 5,
                    at,
                },
            )?;
            Ok(None)
        }
    }
}

fn issue_in(conn: &mut AnyConnection, s: &ProgressSettings, enrolment_id: &str, at: NaiveDateTime) -> Result<(CertificateRow, bool), StorageError> {
    let year = JpYear::of(utc(at), s.config.jp.timezone).value();
    let code = VerificationCode::generate();
    store::issue_certificate(conn, enrolment_id, &s.config.certificate_prefix, year, code.as_str(), at)
}

fn enqueue_render(
    conn: &mut AnyConnection,
    certificate_id: &str,
    parent: Option<&str>,
    by: Option<UserId>,
    at: NaiveDateTime,
) -> Result<String, StorageError> {
    store::enqueue_job(
        conn,
        &NewJob {
            kind: "render_certificate",
            payload: serde_json::json!({ "certificate_id": certificate_id }).to_string(),
            parent_id: parent,
            created_by: by,
            max_attempts: 5,
            at,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Course versions and quiz results (called inside other features' transactions).

/// After a new version of a course was imported (in the import's transaction): every
/// enrolment's state is rebased onto the new outline. Completed lessons that still exist stay
/// completed, removed ones are archived, and a completed enrolment stays completed with its
/// date. One that the new version completes (it dropped what was missing) is credited, and its
/// certificate is issued by a job.
pub fn rebase_enrolments(conn: &mut AnyConnection, course_id: &str) -> Result<(), StorageError> {
    let Some(previous) = courses::previous_version(conn, course_id)? else { return Ok(()) };
    let current = courses::course_ref_by_id(conn, course_id)?.current_version_id.ok_or(StorageError::NotFound)?;
    let (old_outline, _) = store::outline(conn, &previous)?;
    let (new_outline, new_rules) = store::outline(conn, &current)?;
    let at = lentera_storage::now();
    for row in store::lock_course_enrolments(conn, course_id)? {
        let state = store::parse_state(&row.state_json)?;
        if state == EnrolmentState::default() {
            continue;
        }
        let rebased = lentera_progress::rebase(state.clone(), &old_outline, &new_outline, &new_rules)
            .map_err(|e| StorageError::Corrupt(format!("rebase: {e}")))?;
        courses::store_enrolment_state(conn, &row.id, &rebased)?;
        completion_effects(conn, None, &row, &state, &rebased, None, at)?;
    }
    Ok(())
}

/// Records a submitted quiz attempt as a learning event of the learner (once per attempt time)
/// and updates their enrolment, which may complete the course. The quiz engine calls it in the
/// transaction that stores the attempt. Without an enrolment (an instructor trying the quiz) the
/// result is kept for xAPI but no progress changes.
#[allow(clippy::too_many_arguments)] // one quiz result: who, which quiz, the grade, when
pub fn record_quiz_result(
    conn: &mut AnyConnection,
    settings: Option<&ProgressSettings>,
    course_id: &str,
    user: UserId,
    quiz_id: &str,
    score_percent: f64,
    passed: bool,
    at: DateTime<Utc>,
) -> Result<(), StorageError> {
    let score = if score_percent.is_finite() { score_percent.clamp(0.0, 100.0) } else { 0.0 };
    let client_id = derived_id(&["quiz", &user.to_string(), course_id, quiz_id, &at.timestamp_micros().to_string()]);
    let kind = if passed {
        EventKind::QuizPassed { quiz_id: quiz_id.to_string(), score_percent: score }
    } else {
        EventKind::QuizFailed { quiz_id: quiz_id.to_string(), score_percent: score }
    };
    let event = LearningEvent { client_id, kind, occurred_at: at };
    let payload = serde_json::to_string(&event).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let recorded_at = lentera_storage::now();
    let fresh = store::insert_event(
        conn,
        &NewEvent {
            user_id: user,
            client_id,
            course_id,
            kind: event_type(&event.kind),
            payload,
            occurred_at: to_stored(at),
            received_at: recorded_at,
        },
    )?;
    if !fresh {
        return Ok(());
    }
    let row = match store::lock_enrolment(conn, user, course_id)? {
        Some(r) => r,
        None => {
            let stand_in = EnrolmentRow {
                id: String::new(),
                course_id: course_id.to_string(),
                user_id: user.to_string(),
                status: "none".into(),
                enrolled_at: recorded_at,
                state_json: String::new(),
            };
            return record_quiz_xapi(conn, &stand_in, &event, recorded_at);
        }
    };
    record_quiz_xapi(conn, &row, &event, recorded_at)?;
    if row.status == "withdrawn" {
        return Ok(());
    }
    let Some(version) = store::current_version(conn, course_id)? else { return Ok(()) };
    let (outline, rules) = store::outline(conn, &version)?;
    let before = store::parse_state(&row.state_json)?;
    let after = lentera_progress::apply(before.clone(), &event, &outline, &rules);
    courses::store_enrolment_state(conn, &row.id, &after)?;
    completion_effects(conn, settings, &row, &before, &after, Some(client_id), recorded_at)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading progress.

/// An enrolment's stored progress plus what its completion rules still ask for.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgressView {
    #[serde(flatten)]
    pub stored: store::ProgressRow,
    pub status: lentera_progress::EnrolmentStatus,
    pub last_position: Option<String>,
    pub seconds_spent: u64,
    pub completed_lessons: Vec<String>,
    /// What the current rules still ask for (empty once complete).
    pub missing: Vec<lentera_progress::Missing>,
}

/// A user's enrolments as stored (dashboards read these figures; no events are replayed).
pub fn progress_of(conn: &mut AnyConnection, user: UserId, course_id: Option<&str>, with_missing: bool) -> Result<Vec<ProgressView>, StorageError> {
    let rows = store::progress_of(conn, user, course_id)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let state = store::parse_state(&row.state_json)?;
        let missing = match (&row.current_version_id, with_missing) {
            (Some(v), true) => {
                let (outline, rules) = store::outline(conn, v)?;
                lentera_progress::evaluate(&state, &outline, &rules).missing
            }
            _ => Vec::new(),
        };
        out.push(ProgressView {
            status: state.status,
            last_position: state.last_position.clone(),
            seconds_spent: state.seconds_spent,
            completed_lessons: state.completed_lessons.iter().cloned().collect(),
            missing: if state.completed_at.is_some() { Vec::new() } else { missing },
            stored: row,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The JP ledger.

/// A breakdown line with what the pure summary does not carry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JpLine {
    #[serde(flatten)]
    pub line: lentera_progress::BreakdownLine,
    pub provider: String,
    pub course_id: Option<String>,
    pub external_id: Option<String>,
    pub form: Option<DevelopmentForm>,
    /// `pending`, `approved` or `rejected` for external training.
    pub approval: Option<Approval>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JpReport {
    pub summary: YearSummary,
    /// "14 / 20 JP" (Indonesian number format) and the English form.
    pub label_id: String,
    pub label_en: String,
    pub target_met: bool,
    pub lines: Vec<JpLine>,
}

fn year_bounds(policy: &JpPolicy, year: i32) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let start = policy.timezone.with_ymd_and_hms(year, 1, 1, 0, 0, 0).earliest()?;
    let end = policy.timezone.with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0).earliest()?;
    Some((start.with_timezone(&Utc).naive_utc(), end.with_timezone(&Utc).naive_utc()))
}

/// A user's JP for one calendar year (in the policy's time zone): courses completed that year,
/// external training that ended that year (counted once approved), against the yearly target.
pub fn jp_report(conn: &mut AnyConnection, settings: &ProgressSettings, user: UserId, year: i32) -> Result<JpReport, StorageError> {
    let policy = settings.policy();
    let (from, to) = year_bounds(policy, year).ok_or_else(|| StorageError::Config(format!("no year {year}")))?;
    let ledger = store::ledger_of(conn, user, from, to)?;
    let first = NaiveDate::from_ymd_opt(year, 1, 1);
    let last = NaiveDate::from_ymd_opt(year, 12, 31);
    let trainings = store::trainings_of(conn, user, first, last)?;
    let mut entries = Vec::new();
    let mut extra: HashMap<Uuid, JpLine> = HashMap::new();
    let provider = settings.config.issuer_name.clone();
    for l in &ledger {
        let id = Uuid::parse_str(&l.id).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        entries.push(LedgerEntry {
            id,
            title: l.title.clone(),
            provider: provider.clone(),
            completed_at: utc(l.completed_at),
            jp: Jp::from_hundredths(u32::try_from(l.jp_hundredths).unwrap_or(0)),
            source: EntrySource::Course { course_id: l.course_id.clone() },
        });
    }
    for t in &trainings {
        let id = Uuid::parse_str(&t.id).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let form: DevelopmentForm = serde_json::from_value(serde_json::Value::String(t.form.clone()))
            .map_err(|e| StorageError::Corrupt(format!("training form: {e}")))?;
        let approval = match t.status.as_str() {
            "approved" => Approval::Approved,
            "rejected" => Approval::Rejected,
            _ => Approval::Pending,
        };
        // Noon of the last day, local time: the day (and so the year) it ended, whatever the zone.
        let ended = policy
            .timezone
            .with_ymd_and_hms(t.end_date.year(), t.end_date.month(), t.end_date.day(), 12, 0, 0)
            .earliest()
            .map(|d| d.with_timezone(&Utc))
            .ok_or_else(|| StorageError::Corrupt("training end date".into()))?;
        entries.push(LedgerEntry {
            id,
            title: t.title.clone(),
            provider: t.provider.clone(),
            completed_at: ended,
            jp: Jp::from_hundredths(u32::try_from(t.jp_hundredths).unwrap_or(0)),
            source: EntrySource::External { form, approval, proof: t.proof_id.clone() },
        });
        extra.insert(id, JpLine {
            line: placeholder_line(),
            provider: t.provider.clone(),
            course_id: None,
            external_id: Some(t.id.clone()),
            form: Some(form),
            approval: Some(approval),
        });
    }
    let summary = lentera_progress::year_summary(&entries, JpYear(year), policy);
    let mut lines = Vec::with_capacity(summary.breakdown.len());
    for b in &summary.breakdown {
        let line = match extra.remove(&b.entry_id) {
            Some(mut l) => {
                l.line = b.clone();
                l
            }
            None => JpLine {
                line: b.clone(),
                provider: provider.clone(),
                course_id: entries.iter().find(|e| e.id == b.entry_id).and_then(|e| match &e.source {
                    EntrySource::Course { course_id } => Some(course_id.clone()),
                    EntrySource::External { .. } => None,
                }),
                external_id: None,
                form: None,
                approval: None,
            },
        };
        lines.push(line);
    }
    Ok(JpReport {
        label_id: format!("{} tahun {year}", summary.label(Language::Id)),
        label_en: format!("{} in {year}", summary.label(Language::En)),
        target_met: summary.target_met(),
        summary,
        lines,
    })
}

fn placeholder_line() -> lentera_progress::BreakdownLine {
    lentera_progress::BreakdownLine {
        entry_id: Uuid::nil(),
        title: String::new(),
        completed_at: DateTime::<Utc>::MIN_UTC,
        jp: Jp::ZERO,
        source: lentera_progress::SourceKind::External,
        counted: false,
        excluded_because: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Certificates: rendering and verification.

/// What a certificate row prints, with the configured regency, issuer, logo and signatory.
pub fn certificate_data(settings: &ProgressSettings, c: &CertificateRow) -> Result<CertificateData, StorageError> {
    let number = CertificateNumber::parse(&c.number).map_err(|e| StorageError::Corrupt(format!("certificate number: {e}")))?;
    Ok(CertificateData {
        regency_name: settings.config.regency_name.clone(),
        issuer_name: settings.config.issuer_name.clone(),
        logo: settings.logo.clone(),
        learner_name: c.learner_name.clone(),
        nip: c.nip.clone(),
        course_title: c.course_title.clone(),
        completed_on: settings.local_date(utc(c.completed_at)),
        jp: Jp::from_hundredths(u32::try_from(c.jp_hundredths).unwrap_or(0)),
        certificate_number: number,
        verification_url: settings.verification_url(&c.verification_code),
        signatory: settings.config.signatory.clone(),
        language: if c.language == "en" { Language::En } else { Language::Id },
    })
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("certificate: {0}")]
    Certificate(#[from] lentera_certificate::CertificateError),
}

/// The certificate's PDF: the stored one if it is of the current revision, else rendered now
/// and stored.
pub fn certificate_pdf(db: &Db, settings: &ProgressSettings, id: &str) -> Result<(CertificateRow, Vec<u8>), RenderError> {
    let (row, stored) = db.read(|c| Ok((store::certificate(c, id)?, store::certificate_pdf(c, id)?)))?;
    if let Some(pdf) = stored {
        return Ok((row, pdf));
    }
    let pdf = render(settings, &row)?;
    db.write(|c| store::store_certificate_pdf(c, &row.id, row.revision, &pdf))?;
    Ok((row, pdf))
}

fn render(settings: &ProgressSettings, row: &CertificateRow) -> Result<Vec<u8>, RenderError> {
    let data = certificate_data(settings, row)?;
    Ok(lentera_certificate::render_pdf(&data)?)
}

/// The public verification page's data for a code (the NIP masked).
pub fn verification(db: &Db, settings: &ProgressSettings, code: &str) -> Result<Option<VerificationPage>, StorageError> {
    let Ok(code) = VerificationCode::parse(code) else { return Ok(None) };
    let row = match db.read(|c| store::certificate_by_code(c, code.as_str())) {
        Ok(r) => r,
        Err(StorageError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let data = certificate_data(settings, &row)?;
    let status = match row.revoked_at {
        Some(at) => VerificationStatus::Revoked { revoked_on: settings.local_date(utc(at)), reason: row.revoke_reason.clone().unwrap_or_default() },
        None => VerificationStatus::Valid,
    };
    Ok(Some(VerificationPage::new(&data, status)))
}

/// Queues a re-issue of one certificate (what is printed refreshed, then rendered again).
pub fn queue_reissue(db: &Db, settings: &ProgressSettings, certificate_id: &str, by: UserId) -> Result<String, StorageError> {
    let at = settings.stored_now();
    db.write(|c| {
        store::certificate(c, certificate_id)?;
        store::enqueue_job(
            c,
            &NewJob {
                kind: "reissue_certificate",
                payload: serde_json::json!({ "certificate_id": certificate_id }).to_string(),
                parent_id: None,
                created_by: Some(by),
                max_attempts: 5,
                at,
            },
        )
    })
}

/// Queues the bulk issue of a course's certificates (those missing) and, with `reissue`, the
/// re-issue of those already issued, for the learners within `scope`.
pub fn queue_bulk(db: &Db, settings: &ProgressSettings, course_id: &str, scope: &HrScope, reissue: bool, by: UserId) -> Result<String, StorageError> {
    let at = settings.stored_now();
    let opds = match scope {
        HrScope::All => None,
        HrScope::Opds(ids) => Some(ids.iter().map(|o| o.to_string()).collect::<Vec<_>>()),
    };
    db.write(|c| {
        store::enqueue_job(
            c,
            &NewJob {
                kind: "bulk_certificates",
                payload: serde_json::json!({ "course_id": course_id, "opds": opds, "reissue": reissue }).to_string(),
                parent_id: None,
                created_by: Some(by),
                max_attempts: 3,
                at,
            },
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Background jobs.

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt later (the database was busy or down).
    #[error("{0}")]
    Retry(String),
    /// Will fail the same way again (bad payload, a record that does not exist).
    #[error("{0}")]
    Fatal(String),
}

impl From<StorageError> for JobError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Unavailable(_) | StorageError::Database(_) => Self::Retry(e.to_string()),
            other => Self::Fatal(other.to_string()),
        }
    }
}

impl From<RenderError> for JobError {
    fn from(e: RenderError) -> Self {
        match e {
            RenderError::Storage(s) => s.into(),
            RenderError::Certificate(c) => Self::Fatal(c.to_string()),
        }
    }
}

fn payload_str(job: &store::JobRow, key: &str) -> Result<String, JobError> {
    let v: serde_json::Value = serde_json::from_str(&job.payload).map_err(|e| JobError::Fatal(format!("payload: {e}")))?;
    v[key].as_str().map(str::to_string).ok_or_else(|| JobError::Fatal(format!("payload has no {key}")))
}

/// Rows per transaction in bulk work, so a bulk job never holds SQLite's write lock for long.
const BULK_CHUNK: usize = 200;

fn lease_until(settings: &ProgressSettings) -> NaiveDateTime {
    let secs = i64::try_from(settings.config.job_lease_secs.max(1)).unwrap_or(i64::MAX / 2);
    settings.stored_now() + chrono::TimeDelta::seconds(secs.min(7 * 24 * 3600))
}

/// Runs one job `worker` claimed; returns its result (JSON) for the job row.
pub fn run_job(db: &Db, settings: &ProgressSettings, job: &store::JobRow, worker: &str) -> Result<serde_json::Value, JobError> {
    match job.kind.as_str() {
        "render_certificate" => {
            let id = payload_str(job, "certificate_id")?;
            let row = db.read(|c| store::certificate(c, &id))?;
            let pdf = render(settings, &row)?;
            let stored = db.write(|c| store::store_certificate_pdf(c, &id, row.revision, &pdf))?;
            Ok(serde_json::json!({ "certificate_id": id, "bytes": pdf.len(), "stored": stored }))
        }
        "issue_certificate" => {
            let enrolment_id = payload_str(job, "enrolment_id")?;
            let at = settings.stored_now();
            let (row, created) = db.write(|c| issue_in(c, settings, &enrolment_id, at))?;
            if db.read(|c| store::certificate_pdf(c, &row.id))?.is_none() {
                let pdf = render(settings, &row)?;
                db.write(|c| store::store_certificate_pdf(c, &row.id, row.revision, &pdf))?;
            }
            Ok(serde_json::json!({ "certificate_id": row.id, "number": row.number, "issued_now": created }))
        }
        "reissue_certificate" => {
            let id = payload_str(job, "certificate_id")?;
            let row = db.write(|c| store::refresh_certificate(c, &id))?;
            let pdf = render(settings, &row)?;
            db.write(|c| store::store_certificate_pdf(c, &id, row.revision, &pdf))?;
            Ok(serde_json::json!({ "certificate_id": id, "revision": row.revision }))
        }
        "bulk_certificates" => {
            let v: serde_json::Value = serde_json::from_str(&job.payload).map_err(|e| JobError::Fatal(format!("payload: {e}")))?;
            let course_id = v["course_id"].as_str().ok_or_else(|| JobError::Fatal("payload has no course_id".into()))?.to_string();
            let reissue = v["reissue"].as_bool().unwrap_or(false);
            let scope = match v["opds"].as_array() {
                None => HrScope::All,
                Some(ids) => HrScope::Opds(ids.iter().filter_map(|i| i.as_str()).filter_map(|s| s.parse().ok()).collect()),
            };
            let missing = db.read(|c| store::completed_without_certificate(c, &course_id, &scope))?;
            let mut issued = 0usize;
            let mut renders = 0usize;
            for chunk in missing.chunks(BULK_CHUNK) {
                let at = settings.stored_now();
                let until = lease_until(settings);
                let (n, r) = db.write(|c| {
                    store::extend_lease(c, &job.id, worker, until)?;
                    let (mut n, mut r) = (0, 0);
                    for enrolment_id in chunk {
                        let (cert, created) = issue_in(c, settings, enrolment_id, at)?;
                        if created {
                            n += 1;
                            enqueue_render(c, &cert.id, Some(&job.id), None, at)?;
                            r += 1;
                        }
                    }
                    Ok((n, r))
                })?;
                issued += n;
                renders += r;
            }
            let mut reissued = 0usize;
            if reissue {
                let existing = db.read(|c| store::certificate_ids_of_course(c, &course_id, &scope))?;
                for chunk in existing.chunks(BULK_CHUNK) {
                    let at = settings.stored_now();
                    let until = lease_until(settings);
                    reissued += db.write(|c| {
                        store::extend_lease(c, &job.id, worker, until)?;
                        for id in chunk {
                            store::refresh_certificate(c, id)?;
                            enqueue_render(c, id, Some(&job.id), None, at)?;
                        }
                        Ok(chunk.len())
                    })?;
                }
                renders += reissued;
            }
            Ok(serde_json::json!({ "course_id": course_id, "issued": issued, "reissued": reissued, "renders_queued": renders }))
        }
        other => Err(JobError::Fatal(format!("unknown job kind {other:?}"))),
    }
}

/// Takes up to `limit` due jobs and runs them; returns how many it ran.
pub fn work_once(db: &Db, settings: &ProgressSettings, worker: &str, limit: i64) -> Result<usize, StorageError> {
    let now = settings.stored_now();
    let lease = lease_until(settings);
    let claimed = db.write(|c| store::claim_jobs(c, worker, limit, now, lease))?;
    for job in &claimed {
        let outcome = run_job(db, settings, job, worker);
        let at = settings.stored_now();
        match outcome {
            Ok(result) => {
                let text = result.to_string();
                db.write(|c| store::finish_job(c, &job.id, worker, Some(&text), at))?;
            }
            Err(e) => {
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
                let retry = match e {
                    JobError::Retry(_) => Some(at + chrono::TimeDelta::seconds(5i64 << job.attempts.clamp(0, 10))),
                    JobError::Fatal(_) => None,
                };
                let message = e.to_string();
                db.write(|c| store::fail_job(c, &job.id, worker, &message, retry, at))?;
            }
        }
    }
    Ok(claimed.len())
}

/// Runs jobs until none is due (tests, and a CLI that wants the queue drained).
pub fn run_pending_jobs(db: &Db, settings: &ProgressSettings) -> Result<usize, StorageError> {
    let worker = format!("inline-{}", Uuid::now_v7());
    let mut total = 0;
    loop {
        let n = work_once(db, settings, &worker, 20)?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

// ---------------------------------------------------------------------------------------------
// xAPI.

/// Statements for the audience's records from `since` (inclusive) or after a page's cursor;
/// returns the statements and the cursor of the next page (`None` at the end).
pub fn xapi_statements(
    db: &Db,
    settings: &ProgressSettings,
    audience: &XapiAudience,
    since: Option<DateTime<Utc>>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<(Vec<XapiStatement>, Option<String>), StorageError> {
    let after = cursor.and_then(parse_cursor);
    let rows = db.read(|c| store::xapi_records(c, audience, since.map(to_stored), after, limit + 1))?;
    let more = rows.len() as i64 > limit;
    let config = settings.xapi();
    let mut out = Vec::new();
    let mut next = None;
    for r in rows.into_iter().take(usize::try_from(limit).unwrap_or(0)) {
        let actor = XapiActor { account_name: r.user_id.clone(), display_name: Some(r.user_name.clone()) };
        let (activity, outcome) = match (r.verb.as_str(), &r.quiz_key) {
            ("passed" | "failed", Some(quiz)) => {
                let name = r.quiz_title.clone().unwrap_or_else(|| quiz.clone());
                let score = r.score_percent.unwrap_or(0.0);
                (
                    XapiActivity::Quiz { course_id: r.course_id.clone(), quiz_id: quiz.clone(), name_id: name.clone(), name_en: name },
                    if r.verb == "passed" { XapiOutcome::Passed { score_percent: score } } else { XapiOutcome::Failed { score_percent: score } },
                )
            }
            _ => (
                XapiActivity::Course { course_id: r.course_id.clone(), name_id: r.course_title.clone(), name_en: r.course_title.clone() },
                XapiOutcome::Completed,
            ),
        };
        out.push(lentera_progress::statement(&config, &actor, &activity, outcome, r.event_client_id, utc(r.occurred_at)));
        next = Some(format!("{}_{}", r.recorded_at.and_utc().timestamp_micros(), r.id));
    }
    Ok((out, if more { next } else { None }))
}

fn parse_cursor(s: &str) -> Option<(NaiveDateTime, String)> {
    let (micros, id) = s.split_once('_')?;
    let at = DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
    Some((at, id.to_string()))
}
