//! Progress: syncing learning events, stored progress, the JP ledger (with external training hr
//! approves), professional certifications, proof files and the xAPI export.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use lentera_accounts::{HrScope, OpdId, Principal, UserId};
use lentera_programmes::NotificationKind;
use lentera_progress::{Amount, DevelopmentForm, Jp, LearningEvent};
use lentera_storage::StorageError;
use lentera_storage::progress::{self as store, CertificationRow, TrainingRow, XapiAudience};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::blocking;
use crate::progress_glue::{self as glue, IncomingEvent, JpReport, Outcome, ProgressSettings, ProgressView};
use crate::{ApiError, AppState, AuthUser};

/// The progress settings the server registered (defaults when it registered none).
pub(crate) fn progress_settings(req: &HttpRequest) -> web::Data<ProgressSettings> {
    req.app_data::<web::Data<ProgressSettings>>().cloned().unwrap_or_else(|| web::Data::new(ProgressSettings::default()))
}

fn opd_of(s: Option<&str>) -> Option<OpdId> {
    s.and_then(|o| o.parse().ok())
}

/// May the caller read this user's records? Themselves, hr covering their OPD, admins. Anyone
/// else gets the same 404 as for a record that does not exist, so scope does not leak existence.
pub(crate) fn check_view(p: &Principal, owner: &str, owner_opd: Option<&str>, what: &'static str) -> Result<(), ApiError> {
    let owner: UserId = owner.parse().map_err(|_| ApiError::NotFound { what })?;
    if p.can_view_user(owner, opd_of(owner_opd)) { Ok(()) } else { Err(ApiError::NotFound { what }) }
}

/// May the caller act as hr on this user's records? Learners get 403; hr outside their scope 404.
pub(crate) fn check_hr(p: &Principal, owner_opd: Option<&str>, what: &'static str) -> Result<(), ApiError> {
    match p.hr_scope() {
        None => Err(ApiError::forbidden()),
        Some(scope) if scope.covers(opd_of(owner_opd)) => Ok(()),
        Some(_) => Err(ApiError::NotFound { what }),
    }
}

fn not_found(what: &'static str) -> impl Fn(StorageError) -> ApiError {
    move |e| match e {
        StorageError::NotFound => ApiError::NotFound { what },
        other => other.into(),
    }
}

/// The user a hr officer asks about, checked against their scope.
fn target_user(db: &lentera_storage::Db, p: &Principal, id: &str) -> Result<UserId, ApiError> {
    let opd = db.read(|c| store::user_opd(c, id)).map_err(not_found("user"))?;
    check_view(p, id, opd.as_deref(), "user")?;
    id.parse().map_err(|_| ApiError::NotFound { what: "user" })
}

// ---------------------------------------------------------------------------------------------
// Sync.

#[derive(Debug, Deserialize, ToSchema)]
pub struct SyncRequest {
    /// Each: `{"client_id": uuid, "course_id": id or slug, "kind": {"type": "lesson_opened" |
    /// "lesson_completed" | "time_spent" | "quiz_passed" | "quiz_failed" | "position", …},
    /// "occurred_at": RFC 3339}`. A malformed event is rejected alone, not the batch.
    #[schema(value_type = Vec<WireEvent>)]
    pub events: Vec<serde_json::Value>,
}

/// One event of a sync batch, as the client sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = SyncEvent)]
struct WireEvent {
    #[serde(alias = "course")]
    course_id: String,
    #[serde(flatten)]
    event: LearningEvent,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventResult {
    /// Position of the event in the request.
    pub index: usize,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub client_id: Option<Uuid>,
    /// `accepted`, `duplicate` or `rejected`.
    pub status: String,
    /// Why it was rejected: `unknown_course`, `not_enrolled`, `invalid_event`, `unknown_lesson`,
    /// `unknown_quiz`, `negative_time`, `implausible_time`, `invalid_score`, `invalid_anchor`,
    /// `in_future`, `before_enrolment`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncResponse {
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub results: Vec<EventResult>,
    /// The stored progress of every course the batch named.
    pub progress: Vec<glue::CourseProgress>,
}

/// Sync a batch of learning events (online, or an offline outbox). Every event is answered
/// `accepted` (stored and counted), `duplicate` (stored before: nothing changes) or `rejected`
/// with a code; all accepted events and the enrolments they update are written in one
/// transaction, so an answer means they are stored. Safe to retry.
#[utoipa::path(
    tag = "progress",
    operation_id = "sync_events",
    request_body = SyncRequest,
    responses(
        (status = 200, body = SyncResponse),
        (status = 413, body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "batch_too_large or invalid_body", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/progress/events")]
pub async fn sync(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, payload: web::Payload) -> Result<web::Json<SyncResponse>, ApiError> {
    let settings = progress_settings(&req);
    let json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(ApiError::UnsupportedMediaType { expected: "application/json" });
    }
    let max = settings.config.max_batch_events;
    // A batch may be larger than ordinary JSON bodies: allow about 2 KiB per event.
    let limit = state.config.json_limit.max(max.saturating_mul(2048));
    let body = super::read_limited(payload, limit).await?;
    let request: SyncRequest = serde_json::from_slice(&body).map_err(|e| {
        if e.is_data() {
            ApiError::validation("invalid_body", format!("the JSON body does not fit this endpoint: {e}"))
        } else {
            ApiError::BadRequest { code: "malformed_json", detail: format!("the body is not valid JSON: {e}") }
        }
    })?;
    if request.events.len() > max {
        return Err(ApiError::validation("batch_too_large", format!("send at most {max} events per request")));
    }
    let mut results: Vec<Option<EventResult>> = Vec::with_capacity(request.events.len());
    let mut incoming = Vec::new();
    let mut positions = Vec::new();
    for (index, value) in request.events.into_iter().enumerate() {
        let client_id = value.get("client_id").and_then(|v| v.as_str()).and_then(|s| Uuid::parse_str(s).ok());
        match serde_json::from_value::<WireEvent>(value) {
            Ok(w) => {
                positions.push(index);
                incoming.push(IncomingEvent { course: w.course_id, event: w.event });
                results.push(None);
            }
            Err(e) => results.push(Some(EventResult {
                index,
                client_id,
                status: "rejected".into(),
                code: Some("invalid_event".into()),
                message: Some(e.to_string()),
            })),
        }
    }
    let db = state.db.clone();
    let me = user.id();
    let outcome = blocking(move || Ok(glue::sync_events(&db, &settings, me, &incoming)?)).await?;
    for ((client_id, o), index) in outcome.results.into_iter().zip(positions) {
        let (status, code, message) = match o {
            Outcome::Accepted => ("accepted", None, None),
            Outcome::Duplicate => ("duplicate", None, None),
            Outcome::Rejected { code, message } => ("rejected", Some(code), Some(message)),
        };
        results[index] = Some(EventResult { index, client_id: Some(client_id), status: status.into(), code, message });
    }
    let results: Vec<EventResult> = results.into_iter().flatten().collect();
    let count = |s: &str| results.iter().filter(|r| r.status == s).count();
    Ok(web::Json(SyncResponse {
        accepted: count("accepted"),
        duplicates: count("duplicate"),
        rejected: count("rejected"),
        results,
        progress: outcome.progress,
    }))
}

// ---------------------------------------------------------------------------------------------
// Stored progress.

/// My enrolments with their stored progress (percentage, where to resume, status, completion).
#[utoipa::path(tag = "progress", operation_id = "my_progress", responses((status = 200, body = Vec<ProgressView>)), security(("bearer" = [])))]
#[get("/me/progress")]
pub async fn my_progress(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Vec<ProgressView>>, ApiError> {
    let db = state.db.clone();
    let me = user.id();
    Ok(web::Json(blocking(move || Ok(db.read(|c| glue::progress_of(c, me, None, false))?)).await?))
}

/// My progress in one course, with what its completion rules still ask for.
#[utoipa::path(tag = "progress", operation_id = "course_progress", responses((status = 200, body = ProgressView), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/courses/{slug}/progress")]
pub async fn course_progress(state: web::Data<AppState>, user: AuthUser, slug: web::Path<String>) -> Result<web::Json<ProgressView>, ApiError> {
    let db = state.db.clone();
    let me = user.id();
    let view = blocking(move || {
        let course = db.read(|c| lentera_storage::courses::course_by_slug(c, &slug)).map_err(not_found("course"))?;
        let mut rows = db.read(|c| glue::progress_of(c, me, Some(&course.id), true))?;
        rows.pop().ok_or(ApiError::NotFound { what: "enrolment" })
    })
    .await?;
    Ok(web::Json(view))
}

/// A learner's enrolments and progress (hr within their scope, admins).
#[utoipa::path(tag = "progress", operation_id = "user_progress", responses((status = 200, body = Vec<ProgressView>), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/users/{id}/progress")]
pub async fn user_progress(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<web::Json<Vec<ProgressView>>, ApiError> {
    let db = state.db.clone();
    let rows = blocking(move || {
        let target = target_user(&db, &user.principal, &id)?;
        Ok(db.read(|c| glue::progress_of(c, target, None, false))?)
    })
    .await?;
    Ok(web::Json(rows))
}

// ---------------------------------------------------------------------------------------------
// JP.

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Calendar year (Asia/Jakarta by default); the current one if omitted.
    pub year: Option<i32>,
}

fn year_of(settings: &ProgressSettings, q: &YearQuery) -> Result<i32, ApiError> {
    let year = q.year.unwrap_or_else(|| settings.current_year());
    if !(2000..=2200).contains(&year) {
        return Err(ApiError::validation("invalid_year", format!("year {year} is out of range")));
    }
    Ok(year)
}

/// My JP for a year: "14 / 20 JP in 2026" with every course and external record behind it.
#[utoipa::path(tag = "jp", operation_id = "my_jp", params(YearQuery), responses((status = 200, body = JpReport)), security(("bearer" = [])))]
#[get("/me/jp")]
pub async fn my_jp(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, q: web::Query<YearQuery>) -> Result<web::Json<JpReport>, ApiError> {
    let settings = progress_settings(&req);
    let year = year_of(&settings, &q)?;
    let db = state.db.clone();
    let me = user.id();
    Ok(web::Json(blocking(move || Ok(db.read(|c| glue::jp_report(c, &settings, me, year))?)).await?))
}

/// A learner's JP for a year (hr within their scope, admins).
#[utoipa::path(tag = "jp", operation_id = "user_jp", params(YearQuery), responses((status = 200, body = JpReport), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/users/{id}/jp")]
pub async fn user_jp(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, id: web::Path<String>, q: web::Query<YearQuery>) -> Result<web::Json<JpReport>, ApiError> {
    let settings = progress_settings(&req);
    let year = year_of(&settings, &q)?;
    let db = state.db.clone();
    let report = blocking(move || {
        let target = target_user(&db, &user.principal, &id)?;
        Ok(db.read(|c| glue::jp_report(c, &settings, target, year))?)
    })
    .await?;
    Ok(web::Json(report))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FormView {
    /// The value to send as `form`.
    pub id: String,
    /// SIASN `jenisDiklatId`.
    pub siasn_id: u8,
    pub name_id: String,
    pub name_en: String,
    /// `klasikal` or `nonklasikal`.
    pub category: String,
    /// How its JP are counted (this deployment's table).
    pub rule: lentera_progress::ConversionRule,
}

fn enum_text<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The 25 forms of competence development (Peraturan LAN 10/2018, SIASN `jenisDiklat`) and how
/// each converts to JP.
#[utoipa::path(tag = "jp", operation_id = "jp_forms", responses((status = 200, body = Vec<FormView>)), security(("bearer" = [])))]
#[get("/jp/forms")]
pub async fn forms(req: HttpRequest, _user: AuthUser) -> Result<web::Json<Vec<FormView>>, ApiError> {
    let settings = progress_settings(&req);
    Ok(web::Json(
        DevelopmentForm::all()
            .map(|f| FormView {
                id: enum_text(&f),
                siasn_id: f.siasn_id(),
                name_id: f.name(lentera_progress::Language::Id).into(),
                name_en: f.name(lentera_progress::Language::En).into(),
                category: enum_text(&f.category()),
                rule: settings.policy().rule(f),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestRequest {
    #[schema(value_type = String, example = "seminar")]
    pub form: DevelopmentForm,
    /// In the form's unit, e.g. `{"unit": "days", "days": 2}` or `{"unit": "stated_jp", "jp": 30}`.
    pub amount: Amount,
    #[serde(default)]
    pub abroad: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    #[schema(value_type = f64)]
    pub jp: Jp,
}

fn suggest(settings: &ProgressSettings, form: DevelopmentForm, amount: Amount, abroad: bool) -> Result<Jp, ApiError> {
    settings.policy().suggest_jp(form, amount, abroad).map_err(|e| ApiError::validation("wrong_amount_unit", e.to_string()))
}

/// The JP an external activity earns by this deployment's conversion table.
#[utoipa::path(tag = "jp", operation_id = "suggest_jp", request_body = SuggestRequest, responses((status = 200, body = SuggestResponse), (status = 422, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/jp/suggest")]
pub async fn suggest_jp(req: HttpRequest, _user: AuthUser, body: web::Json<SuggestRequest>) -> Result<web::Json<SuggestResponse>, ApiError> {
    let b = body.into_inner();
    Ok(web::Json(SuggestResponse { jp: suggest(&progress_settings(&req), b.form, b.amount, b.abroad)? }))
}

// ---------------------------------------------------------------------------------------------
// Proof files.

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProofQuery {
    /// The file's name as the learner knows it.
    pub file_name: Option<String>,
}

/// What kind of file the bytes are; only PDF, PNG and JPEG are kept as proof.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Upload a proof file (certificate scan: PDF, PNG or JPEG) as the raw request body; refer to
/// its id from an external training record or a professional certification.
#[utoipa::path(
    tag = "jp",
    operation_id = "upload_proof",
    params(ProofQuery),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 201, body = store::ProofMeta), (status = 413, body = crate::Problem, content_type = "application/problem+json"), (status = 422, description = "unsupported_proof_type", body = crate::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/me/proofs")]
pub async fn upload_proof(state: web::Data<AppState>, user: AuthUser, q: web::Query<ProofQuery>, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    let body = super::read_limited(payload, state.config.upload_limit).await?;
    let media_type = sniff(&body).ok_or_else(|| ApiError::validation("unsupported_proof_type", "proof must be a PDF, PNG or JPEG file"))?;
    let name: String = q.file_name.clone().unwrap_or_else(|| "bukti".into()).chars().filter(|c| !c.is_control()).take(200).collect();
    let db = state.db.clone();
    let me = user.id();
    let meta = blocking(move || {
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body));
        let at = lentera_storage::now();
        Ok(db.write(|c| {
            store::insert_proof(c, &store::NewProof { user_id: me, file_name: &name, media_type, sha256: &sha, data: &body, at })
        })?)
    })
    .await?;
    Ok(HttpResponse::Created().json(meta))
}

/// A proof file (its owner, hr within their scope, admins).
#[utoipa::path(tag = "jp", operation_id = "get_proof", responses((status = 200, description = "the file"), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/proofs/{id}")]
pub async fn proof(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let (meta, data) = blocking(move || {
        let meta = db.read(|c| store::proof_meta(c, &id)).map_err(not_found("proof"))?;
        let opd = db.read(|c| store::user_opd(c, &meta.user_id))?;
        check_view(&user.principal, &meta.user_id, opd.as_deref(), "proof")?;
        let data = db.read(|c| store::proof_data(c, &meta.id))?;
        Ok((meta, data))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(meta.media_type.clone())
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_DISPOSITION, "inline"))
        .body(data))
}

fn check_proof(db: &lentera_storage::Db, proof_id: Option<&str>, me: UserId) -> Result<(), ApiError> {
    if let Some(id) = proof_id {
        let meta = db.read(|c| store::proof_meta(c, id)).map_err(|_| ApiError::validation("unknown_proof", "no proof file with this id"))?;
        if meta.user_id != me.to_string() {
            return Err(ApiError::validation("unknown_proof", "no proof file with this id"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// External training.

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrainingRequest {
    /// One of the 25 forms (`GET /jp/forms`), e.g. `seminar`, `e_learning`, `diklat_teknis`.
    #[schema(value_type = String, example = "seminar")]
    pub form: DevelopmentForm,
    /// The material (SIASN `namaKursus`).
    pub title: String,
    /// Who organised it (SIASN `institusiPenyelenggara`).
    pub provider: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    #[serde(default)]
    pub abroad: bool,
    /// How much there was, in the form's unit (see `GET /jp/forms`).
    pub amount: Amount,
    /// JP claimed; defaults to the conversion table's suggestion.
    #[schema(value_type = Option<f64>)]
    pub jp: Option<Jp>,
    /// SIASN `nomorSertipikat`.
    pub certificate_number: Option<String>,
    /// An uploaded proof file (`POST /me/proofs`).
    pub proof_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingView {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub form: String,
    pub siasn_id: Option<u8>,
    pub form_name: Option<String>,
    pub title: String,
    pub provider: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub abroad: bool,
    #[schema(value_type = Amount)]
    pub amount: serde_json::Value,
    pub suggested_jp: Option<f64>,
    pub claimed_jp: f64,
    /// What counts (once approved): the claim, or what hr set on approval.
    pub jp: f64,
    pub certificate_number: Option<String>,
    pub proof_id: Option<String>,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_at: Option<chrono::NaiveDateTime>,
    pub decision_reason: Option<String>,
    pub created_at: chrono::NaiveDateTime,
}

impl From<TrainingRow> for TrainingView {
    fn from(t: TrainingRow) -> Self {
        let form: Option<DevelopmentForm> = serde_json::from_value(serde_json::Value::String(t.form.clone())).ok();
        Self {
            siasn_id: form.map(|f| f.siasn_id()),
            form_name: form.map(|f| f.name(lentera_progress::Language::Id).to_string()),
            id: t.id,
            user_id: t.user_id,
            user_name: t.user_name,
            form: t.form,
            title: t.title,
            provider: t.provider,
            start_date: t.start_date,
            end_date: t.end_date,
            abroad: t.abroad,
            amount: serde_json::from_str(&t.amount).unwrap_or(serde_json::Value::Null),
            suggested_jp: t.suggested_jp_hundredths.map(|j| j as f64 / 100.0),
            claimed_jp: t.claimed_jp_hundredths as f64 / 100.0,
            jp: t.jp_hundredths as f64 / 100.0,
            certificate_number: t.certificate_number,
            proof_id: t.proof_id,
            status: t.status,
            decided_at: t.decided_at,
            decision_reason: t.decision_reason,
            created_at: t.created_at,
        }
    }
}

fn text_field(value: &str, field: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(ApiError::validation(format!("invalid_{field}"), format!("{field} must be 1 to {max} characters")));
    }
    Ok(v.to_string())
}

/// Most JP one record may claim: far above any real activity, far below an overflow.
const MAX_CLAIM: Jp = Jp::whole(1000);

/// Record external training (a learner, for themselves); it counts once hr approves it.
#[utoipa::path(
    tag = "jp",
    operation_id = "create_external_training",
    request_body = NewTrainingRequest,
    responses((status = 201, body = TrainingView), (status = 422, description = "invalid_*, wrong_amount_unit, unknown_proof", body = crate::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/me/external-trainings")]
pub async fn create_training(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, body: web::Json<NewTrainingRequest>) -> Result<HttpResponse, ApiError> {
    let settings = progress_settings(&req);
    let b = body.into_inner();
    let title = text_field(&b.title, "title", 300)?;
    let provider = text_field(&b.provider, "provider", 300)?;
    if b.end_date < b.start_date {
        return Err(ApiError::validation("invalid_dates", "end_date is before start_date"));
    }
    if b.end_date > settings.local_date(settings.now()) {
        return Err(ApiError::validation("invalid_dates", "end_date is in the future: record training once it has ended"));
    }
    let suggested = suggest(&settings, b.form, b.amount, b.abroad)?;
    let claimed = b.jp.unwrap_or(suggested);
    if claimed == Jp::ZERO || claimed > MAX_CLAIM {
        return Err(ApiError::validation("invalid_jp", "jp must be more than 0 and at most 1000"));
    }
    let number = b.certificate_number.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| text_field(s, "certificate_number", 100)).transpose()?;
    let amount = serde_json::to_string(&b.amount).map_err(|e| ApiError::Internal(e.to_string()))?;
    let form = enum_text(&b.form);
    let db = state.db.clone();
    let me = user.id();
    let row = blocking(move || {
        check_proof(&db, b.proof_id.as_deref(), me)?;
        let at = lentera_storage::now();
        let id = db.write(|c| {
            store::insert_training(
                c,
                &store::NewTraining {
                    user_id: me,
                    form: &form,
                    title: &title,
                    provider: &provider,
                    start_date: b.start_date,
                    end_date: b.end_date,
                    abroad: b.abroad,
                    amount,
                    suggested_jp_hundredths: Some(i64::from(suggested.hundredths())),
                    claimed_jp_hundredths: i64::from(claimed.hundredths()),
                    certificate_number: number.as_deref(),
                    proof_id: b.proof_id.as_deref(),
                    at,
                },
            )
        })?;
        Ok(db.read(|c| store::training(c, &id))?)
    })
    .await?;
    Ok(HttpResponse::Created().json(TrainingView::from(row)))
}

/// My external training records, newest first.
#[utoipa::path(tag = "jp", operation_id = "my_external_trainings", responses((status = 200, body = Vec<TrainingView>)), security(("bearer" = [])))]
#[get("/me/external-trainings")]
pub async fn my_trainings(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Vec<TrainingView>>, ApiError> {
    let db = state.db.clone();
    let me = user.id();
    let rows = blocking(move || Ok(db.read(|c| store::trainings_of(c, me, None, None))?)).await?;
    Ok(web::Json(rows.into_iter().map(TrainingView::from).collect()))
}

/// Withdraw one of my records while it is still pending.
#[utoipa::path(tag = "jp", operation_id = "delete_external_training", responses((status = 204), (status = 404, body = crate::Problem, content_type = "application/problem+json"), (status = 409, description = "already_decided", body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[delete("/me/external-trainings/{id}")]
pub async fn delete_training(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let me = user.id();
    blocking(move || {
        let row = db.read(|c| store::training(c, &id)).map_err(not_found("external training"))?;
        if row.user_id != me.to_string() {
            return Err(ApiError::NotFound { what: "external training" });
        }
        if !db.write(|c| store::delete_pending_training(c, &id, me))? {
            return Err(ApiError::Conflict { code: "already_decided".into(), detail: "hr has already decided on this record".into() });
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// `pending` (default), `approved`, `rejected` or `all`.
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingPage {
    pub items: Vec<TrainingView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// External training records to review (hr within their scope, admins), oldest first.
#[utoipa::path(tag = "jp", operation_id = "review_external_trainings", params(ReviewQuery), responses((status = 200, body = TrainingPage), (status = 403, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/external-trainings")]
pub async fn review_list(state: web::Data<AppState>, user: AuthUser, q: web::Query<ReviewQuery>) -> Result<web::Json<TrainingPage>, ApiError> {
    let scope = user.principal.hr_scope().ok_or_else(ApiError::forbidden)?;
    let status = match q.status.as_deref().unwrap_or("pending") {
        "all" => None,
        s @ ("pending" | "approved" | "rejected") => Some(s.to_string()),
        other => return Err(ApiError::validation("invalid_status", format!("status must be pending, approved, rejected or all, not {other:?}"))),
    };
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).max(1);
    let db = state.db.clone();
    let (rows, total) = blocking(move || Ok(db.read(|c| store::trainings_for_review(c, &scope, status.as_deref(), (page - 1) * per_page, per_page))?)).await?;
    Ok(web::Json(TrainingPage { items: rows.into_iter().map(TrainingView::from).collect(), total, page, per_page }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// The JP to count, if not the claim.
    #[schema(value_type = Option<f64>)]
    pub jp: Option<Jp>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

fn decide(db: &lentera_storage::Db, p: &Principal, id: &str, approving: bool, jp: Option<Jp>, reason: Option<String>) -> Result<TrainingRow, ApiError> {
    let row = db.read(|c| store::training(c, id)).map_err(not_found("external training"))?;
    check_hr(p, row.opd_id.as_deref(), "external training")?;
    let jp = jp.map(|j| i64::from(j.hundredths()));
    let at = lentera_storage::now();
    let by = p.user_id;
    let learner: UserId = row.user_id.parse().map_err(|_| ApiError::Internal(format!("bad user id {:?}", row.user_id)))?;
    // The decision and the learner's notification (in-app, and e-mail through the outbox) are
    // kept in one transaction.
    let decided = db.write(|c| {
        if !store::decide_training(c, id, approving, jp, reason.as_deref(), by, at)? {
            return Ok(false);
        }
        let after = store::training(c, id)?;
        let (kind, params) = if approving {
            (NotificationKind::ExternalTrainingApproved, serde_json::json!({"title": after.title, "jp": after.jp_hundredths as f64 / 100.0, "link": "/jp"}))
        } else {
            (NotificationKind::ExternalTrainingRejected, serde_json::json!({"title": after.title, "reason": reason, "link": "/jp"}))
        };
        lentera_storage::notifications::notify(c, &lentera_storage::notifications::Event { user: learner, kind, subject_id: id.to_string(), params }, at)?;
        Ok(true)
    })?;
    if !decided {
        return Err(ApiError::Conflict { code: "already_decided".into(), detail: format!("this record is already {}", row.status) });
    }
    Ok(db.read(|c| store::training(c, id))?)
}

/// Approve an external training record (hr within their scope): its JP count from now on.
#[utoipa::path(tag = "jp", operation_id = "approve_external_training", request_body(content = Option<ApproveRequest>), responses((status = 200, body = TrainingView), (status = 404, body = crate::Problem, content_type = "application/problem+json"), (status = 409, description = "already_decided", body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/external-trainings/{id}/approve")]
pub async fn approve(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>, body: Option<web::Json<ApproveRequest>>) -> Result<web::Json<TrainingView>, ApiError> {
    let jp = body.and_then(|b| b.into_inner().jp);
    if jp.is_some_and(|j| j == Jp::ZERO || j > MAX_CLAIM) {
        return Err(ApiError::validation("invalid_jp", "jp must be more than 0 and at most 1000"));
    }
    let db = state.db.clone();
    let row = blocking(move || decide(&db, &user.principal, &id, true, jp, None)).await?;
    Ok(web::Json(row.into()))
}

/// Reject an external training record with a reason (hr within their scope).
#[utoipa::path(tag = "jp", operation_id = "reject_external_training", request_body = ReasonRequest, responses((status = 200, body = TrainingView), (status = 404, body = crate::Problem, content_type = "application/problem+json"), (status = 409, description = "already_decided", body = crate::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid_reason", body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/external-trainings/{id}/reject")]
pub async fn reject(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>, body: web::Json<ReasonRequest>) -> Result<web::Json<TrainingView>, ApiError> {
    let reason = text_field(&body.reason, "reason", 1000)?;
    let db = state.db.clone();
    let row = blocking(move || decide(&db, &user.principal, &id, false, None, Some(reason))).await?;
    Ok(web::Json(row.into()))
}

// ---------------------------------------------------------------------------------------------
// Professional certifications.

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCertificationRequest {
    pub name: String,
    pub issuer: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub proof_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificationView {
    #[serde(flatten)]
    pub row: CertificationRow,
    /// Days until it expires (negative once expired), in the deployment's time zone.
    pub days_left: Option<i64>,
}

fn certification_view(settings: &ProgressSettings, row: CertificationRow) -> CertificationView {
    let today = settings.local_date(settings.now());
    CertificationView { days_left: row.expires_on.map(|e| (e - today).num_days()), row }
}

/// Record a professional certification (a learner, for themselves).
#[utoipa::path(tag = "certifications", operation_id = "create_certification", request_body = NewCertificationRequest, responses((status = 201, body = CertificationView), (status = 422, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/me/certifications")]
pub async fn create_certification(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, body: web::Json<NewCertificationRequest>) -> Result<HttpResponse, ApiError> {
    let settings = progress_settings(&req);
    let b = body.into_inner();
    let name = text_field(&b.name, "name", 300)?;
    let issuer = text_field(&b.issuer, "issuer", 300)?;
    let number = text_field(&b.number, "number", 100)?;
    if b.expires_on.is_some_and(|e| e < b.issued_on) {
        return Err(ApiError::validation("invalid_dates", "expires_on is before issued_on"));
    }
    let db = state.db.clone();
    let me = user.id();
    let row = blocking(move || {
        check_proof(&db, b.proof_id.as_deref(), me)?;
        let at = lentera_storage::now();
        let id = db.write(|c| {
            store::insert_certification(
                c,
                &store::NewCertification {
                    user_id: me,
                    name: &name,
                    issuer: &issuer,
                    number: &number,
                    issued_on: b.issued_on,
                    expires_on: b.expires_on,
                    proof_id: b.proof_id.as_deref(),
                    at,
                },
            )
        })?;
        let rows = db.read(|c| store::certifications_of(c, me))?;
        rows.into_iter().find(|r| r.id == id).ok_or(ApiError::NotFound { what: "certification" })
    })
    .await?;
    Ok(HttpResponse::Created().json(certification_view(&settings, row)))
}

/// My professional certifications, soonest expiry first.
#[utoipa::path(tag = "certifications", operation_id = "my_certifications", responses((status = 200, body = Vec<CertificationView>)), security(("bearer" = [])))]
#[get("/me/certifications")]
pub async fn my_certifications(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Vec<CertificationView>>, ApiError> {
    let settings = progress_settings(&req);
    let db = state.db.clone();
    let me = user.id();
    let rows = blocking(move || Ok(db.read(|c| store::certifications_of(c, me))?)).await?;
    Ok(web::Json(rows.into_iter().map(|r| certification_view(&settings, r)).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpiringQuery {
    /// Window in days (default: `progress.expiry_warning_days`, 90).
    pub days: Option<u32>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
    /// Column names: `id` (default) or `en`.
    pub lang: Option<String>,
}

/// Professional certifications expiring within N days (hr within their scope, admins).
#[utoipa::path(tag = "certifications", operation_id = "expiring_certifications", params(ExpiringQuery), responses((status = 200, body = Vec<CertificationView>), (status = 403, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/certifications/expiring")]
pub async fn expiring(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, q: web::Query<ExpiringQuery>) -> Result<HttpResponse, ApiError> {
    let scope: HrScope = user.principal.hr_scope().ok_or_else(ApiError::forbidden)?;
    let settings = progress_settings(&req);
    let q = q.into_inner();
    let days = q.days.unwrap_or(settings.config.expiry_warning_days).min(3650);
    let today = settings.local_date(settings.now());
    let until = today + chrono::Days::new(u64::from(days));
    let db = state.db.clone();
    let rows = blocking(move || Ok(db.read(|c| store::certifications_expiring(c, &scope, today, until))?)).await?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(HttpResponse::Ok().json(rows.into_iter().map(|r| certification_view(&settings, r)).collect::<Vec<_>>())),
        format => {
            let en = q.lang.as_deref() == Some("en");
            let name = if en { "certifications-expiring" } else { "sertifikasi-akan-berakhir" };
            super::reports::export(format, name, crate::reports::expiring_columns(en), move |emit| {
                for r in &rows {
                    emit(crate::reports::expiring_cells(r))?;
                }
                Ok(())
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// xAPI.

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct XapiQuery {
    /// Records kept at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// The `cursor` of the previous page.
    pub cursor: Option<String>,
    /// At most 2000 (default 500).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct XapiPage {
    /// xAPI 1.0.3 statements (ids are stable: exporting again yields the same ids).
    pub statements: Vec<lentera_progress::XapiStatement>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub cursor: Option<String>,
}

/// xAPI statements for completions and quiz results: hr (their scope) and admins get everyone's,
/// a learner their own.
#[utoipa::path(tag = "progress", operation_id = "xapi_statements", params(XapiQuery), responses((status = 200, body = XapiPage)), security(("bearer" = [])))]
#[get("/xapi/statements")]
pub async fn xapi(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, q: web::Query<XapiQuery>) -> Result<HttpResponse, ApiError> {
    let settings = progress_settings(&req);
    let audience = match user.principal.hr_scope() {
        Some(scope) => XapiAudience::Scope(scope),
        None => XapiAudience::User(user.id()),
    };
    let q = q.into_inner();
    let limit = q.limit.unwrap_or(500).clamp(1, 2000);
    let db = state.db.clone();
    let (statements, cursor) =
        blocking(move || Ok(glue::xapi_statements(&db, &settings, &audience, q.since, q.cursor.as_deref(), limit)?)).await?;
    Ok(HttpResponse::Ok().insert_header(("X-Experience-API-Version", "1.0.3")).json(XapiPage { statements, cursor }))
}
