//! Completion certificates: the learner's list and PDFs, hr's revocation, re-issue and bulk issue
//! (background jobs), and the public verification page and API (no login; the NIP masked).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use lentera_accounts::{Principal, UserId};
use lentera_certificate::{VerificationPage, VerificationStatus};
use lentera_storage::StorageError;
use lentera_storage::progress::{self as store, CertificateRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::blocking;
use super::progress::{check_hr, check_view, progress_settings};
use crate::progress_glue::{self as glue, ProgressSettings};
use crate::{ApiError, AppState, AuthUser};

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateView {
    pub id: String,
    /// e.g. `LTR/2026/000123`.
    pub number: String,
    pub verification_code: String,
    /// The address in the QR code.
    pub verification_url: String,
    pub user_id: String,
    pub learner_name: String,
    /// Shown whole to its holder and hr; the public page masks it.
    pub nip: Option<String>,
    pub course_id: String,
    pub course_title: String,
    pub jp: f64,
    /// The completion date in the deployment's time zone.
    pub completed_on: chrono::NaiveDate,
    pub issued_at: chrono::NaiveDateTime,
    pub revision: i32,
    /// The PDF of this revision has been rendered (it is rendered on request otherwise).
    pub pdf_ready: bool,
    pub revoked: bool,
    pub revoked_at: Option<chrono::NaiveDateTime>,
    pub revoke_reason: Option<String>,
    pub pdf_url: String,
}

fn view(settings: &ProgressSettings, c: CertificateRow) -> CertificateView {
    CertificateView {
        verification_url: settings.verification_url(&c.verification_code),
        pdf_url: format!("/api/v1/certificates/{}/pdf", c.id),
        completed_on: settings.local_date(c.completed_at.and_utc()),
        jp: c.jp_hundredths as f64 / 100.0,
        pdf_ready: c.pdf_revision == Some(c.revision),
        revoked: c.revoked_at.is_some(),
        id: c.id,
        number: c.number,
        verification_code: c.verification_code,
        user_id: c.user_id,
        learner_name: c.learner_name,
        nip: c.nip,
        course_id: c.course_id,
        course_title: c.course_title,
        issued_at: c.issued_at,
        revision: c.revision,
        revoked_at: c.revoked_at,
        revoke_reason: c.revoke_reason,
    }
}

fn not_found(e: StorageError) -> ApiError {
    match e {
        StorageError::NotFound => ApiError::NotFound { what: "certificate" },
        other => other.into(),
    }
}

/// The certificate, if the caller may see it (its holder, hr within scope, admins).
fn visible(db: &lentera_storage::Db, p: &Principal, id: &str) -> Result<CertificateRow, ApiError> {
    let row = db.read(|c| store::certificate(c, id)).map_err(not_found)?;
    check_view(p, &row.user_id, row.opd_id.as_deref(), "certificate")?;
    Ok(row)
}

/// My certificates, newest first.
#[utoipa::path(tag = "certificates", operation_id = "my_certificates", responses((status = 200, body = Vec<CertificateView>)), security(("bearer" = [])))]
#[get("/me/certificates")]
pub async fn mine(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Vec<CertificateView>>, ApiError> {
    let settings = progress_settings(&req);
    let db = state.db.clone();
    let me = user.id();
    let rows = blocking(move || Ok(db.read(|c| store::certificates_of(c, me))?)).await?;
    Ok(web::Json(rows.into_iter().map(|r| view(&settings, r)).collect()))
}

/// One certificate (its holder, hr within their scope, admins).
#[utoipa::path(tag = "certificates", operation_id = "get_certificate", responses((status = 200, body = CertificateView), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/certificates/{id}")]
pub async fn get(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<web::Json<CertificateView>, ApiError> {
    let settings = progress_settings(&req);
    let db = state.db.clone();
    let row = blocking(move || visible(&db, &user.principal, &id)).await?;
    Ok(web::Json(view(&settings, row)))
}

/// The certificate as a PDF (A4 landscape, with the QR code to its verification page).
#[utoipa::path(tag = "certificates", operation_id = "certificate_pdf", responses((status = 200, description = "application/pdf"), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/certificates/{id}/pdf")]
pub async fn pdf(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let settings = progress_settings(&req);
    let db = state.db.clone();
    let (row, bytes) = blocking(move || {
        visible(&db, &user.principal, &id)?;
        glue::certificate_pdf(&db, &settings, &id).map_err(|e| match e {
            glue::RenderError::Storage(s) => not_found(s),
            glue::RenderError::Certificate(c) => ApiError::Internal(c.to_string()),
        })
    })
    .await?;
    let file = format!("sertifikat-{}.pdf", row.number.replace('/', "-"));
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((header::CONTENT_DISPOSITION, format!("inline; filename=\"{file}\"")))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(bytes))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    pub reason: String,
}

/// Revoke a certificate with a reason (hr within their scope, admins). The verification page
/// then says it is revoked, and why.
#[utoipa::path(tag = "certificates", operation_id = "revoke_certificate", request_body = RevokeRequest, responses((status = 200, body = CertificateView), (status = 404, body = crate::Problem, content_type = "application/problem+json"), (status = 409, description = "already_revoked", body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/certificates/{id}/revoke")]
pub async fn revoke(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, id: web::Path<String>, body: web::Json<RevokeRequest>) -> Result<web::Json<CertificateView>, ApiError> {
    let reason = body.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::validation("invalid_reason", "reason must be 1 to 1000 characters"));
    }
    let settings = progress_settings(&req);
    let at = settings.now().naive_utc();
    let db = state.db.clone();
    let row = blocking(move || {
        let row = db.read(|c| store::certificate(c, &id)).map_err(not_found)?;
        check_hr(&user.principal, row.opd_id.as_deref(), "certificate")?;
        let by = user.id();
        if !db.write(|c| store::revoke_certificate(c, &id, &reason, by, at))? {
            return Err(ApiError::Conflict { code: "already_revoked".into(), detail: "this certificate is already revoked".into() });
        }
        Ok(db.read(|c| store::certificate(c, &id))?)
    })
    .await?;
    Ok(web::Json(view(&settings, row)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobAccepted {
    pub job_id: String,
    /// Where to watch it: `GET /api/v1/jobs/{id}`.
    pub status_url: String,
}

fn accepted(job_id: String) -> HttpResponse {
    HttpResponse::Accepted().json(JobAccepted { status_url: format!("/api/v1/jobs/{job_id}"), job_id })
}

/// Re-issue a certificate (hr within their scope, admins): same number and code, the printed
/// name, NIP and course title refreshed, the PDF rendered again in the background.
#[utoipa::path(tag = "certificates", operation_id = "reissue_certificate", responses((status = 202, body = JobAccepted), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/certificates/{id}/reissue")]
pub async fn reissue(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let settings = progress_settings(&req);
    let db = state.db.clone();
    let job_id = blocking(move || {
        let row = db.read(|c| store::certificate(c, &id)).map_err(not_found)?;
        check_hr(&user.principal, row.opd_id.as_deref(), "certificate")?;
        Ok(glue::queue_reissue(&db, &settings, &id, user.id())?)
    })
    .await?;
    Ok(accepted(job_id))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// The course's slug or id.
    pub course: String,
    /// Also re-issue (refresh and render again) certificates already issued.
    #[serde(default)]
    pub reissue: bool,
}

/// Issue every missing certificate of a course (and with `reissue`, re-issue the others) for
/// the learners within the caller's scope, in the background (hr, admins). Answers at once with
/// the job to watch.
#[utoipa::path(tag = "certificates", operation_id = "bulk_certificates", request_body = BulkRequest, responses((status = 202, body = JobAccepted), (status = 403, body = crate::Problem, content_type = "application/problem+json"), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/certificates/bulk")]
pub async fn bulk(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, body: web::Json<BulkRequest>) -> Result<HttpResponse, ApiError> {
    let scope = user.principal.hr_scope().ok_or_else(ApiError::forbidden)?;
    let settings = progress_settings(&req);
    let b = body.into_inner();
    let db = state.db.clone();
    let job_id = blocking(move || {
        let found = db.read(|c| store::courses_by_ref(c, std::slice::from_ref(&b.course)))?;
        let course = found.into_iter().next().ok_or(ApiError::NotFound { what: "course" })?;
        Ok(glue::queue_bulk(&db, &settings, &course.id, &scope, b.reissue, user.id())?)
    })
    .await?;
    Ok(accepted(job_id))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    pub id: String,
    pub kind: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// Work it fanned out (e.g. one render per certificate), by status.
    pub children: std::collections::BTreeMap<String, i64>,
    pub created_at: chrono::NaiveDateTime,
    pub finished_at: Option<chrono::NaiveDateTime>,
}

/// A background job's progress (whoever started it, admins).
#[utoipa::path(tag = "certificates", operation_id = "get_job", responses((status = 200, body = JobView), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/jobs/{id}")]
pub async fn job(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<web::Json<JobView>, ApiError> {
    let db = state.db.clone();
    let view = blocking(move || {
        let job = db.read(|c| store::job(c, &id)).map_err(|e| match e {
            StorageError::NotFound => ApiError::NotFound { what: "job" },
            other => other.into(),
        })?;
        let own = job.created_by.as_deref().and_then(|s| s.parse::<UserId>().ok()) == Some(user.id());
        if !(own || user.principal.is_admin()) {
            return Err(ApiError::NotFound { what: "job" });
        }
        let children = db.read(|c| store::job_children(c, &job.id))?;
        Ok(JobView {
            result: job.result.as_deref().and_then(|r| serde_json::from_str(r).ok()),
            id: job.id,
            kind: job.kind,
            status: job.status,
            attempts: job.attempts,
            last_error: job.last_error,
            children,
            created_at: job.created_at,
            finished_at: job.finished_at,
        })
    })
    .await?;
    Ok(web::Json(view))
}

// ---------------------------------------------------------------------------------------------
// Public verification.

async fn lookup(req: &HttpRequest, state: &web::Data<AppState>, code: String) -> Result<Option<VerificationPage>, ApiError> {
    let settings = progress_settings(req);
    let db = state.db.clone();
    blocking(move || Ok(glue::verification(&db, &settings, &code)?)).await
}

/// Verify a certificate by the code on it (public, no login): valid or revoked, with the
/// holder's name and masked NIP, the course, the date and the JP.
#[utoipa::path(tag = "certificates", operation_id = "verify_certificate", responses((status = 200, body = lentera_certificate::VerificationPage), (status = 404, body = crate::Problem, content_type = "application/problem+json")))]
#[get("/verify/{code}")]
pub async fn verify(req: HttpRequest, state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let page = lookup(&req, &state, code.into_inner()).await?.ok_or(ApiError::NotFound { what: "certificate" })?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-cache")).json(page))
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const MONTHS: [&str; 12] = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];

fn tanggal(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#191919}}\
         .status{{padding:1rem;border-radius:.5rem;font-weight:bold;font-size:1.2rem}}\
         .valid{{background:#e3f5e6;color:#14532d}}.revoked{{background:#fde2e1;color:#7f1d1d}}\
         dt{{color:#5f5f5f;font-size:.9rem;margin-top:.8rem}}dd{{margin:0;font-size:1.05rem}}\
         </style></head><body>{body}</body></html>"
    )
}

/// The public verification page the certificate's QR code leads to (HTML, no login).
#[utoipa::path(tag = "certificates", operation_id = "verify_certificate_page", responses((status = 200, description = "text/html"), (status = 404, description = "text/html")))]
#[get("/verify/{code}")]
pub async fn verify_page(req: HttpRequest, state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let Some(p) = lookup(&req, &state, code.clone()).await? else {
        let body = format!(
            "<h1>Sertifikat tidak ditemukan</h1><p>Tidak ada sertifikat dengan kode <code>{}</code>. Periksa kembali kode pada sertifikat.</p>\
             <p lang=\"en\">No certificate has this code. Check the code printed on the certificate.</p>",
            esc(&code)
        );
        return Ok(HttpResponse::NotFound().content_type("text/html; charset=utf-8").body(html_page("Sertifikat tidak ditemukan", &body)));
    };
    let status = match &p.status {
        VerificationStatus::Valid => "<p class=\"status valid\">✔ Sertifikat SAH <span lang=\"en\">(valid)</span></p>".to_string(),
        VerificationStatus::Revoked { revoked_on, reason } => format!(
            "<p class=\"status revoked\">✘ Sertifikat DICABUT <span lang=\"en\">(revoked)</span> pada {}</p><p>Alasan: {}</p>",
            tanggal(*revoked_on),
            esc(reason)
        ),
    };
    let row = |label: &str, value: &str| format!("<dt>{label}</dt><dd>{}</dd>", esc(value));
    let body = format!(
        "<h1>Verifikasi Sertifikat</h1>{status}<dl>{}{}{}{}{}{}{}</dl>",
        row("Nomor", &p.certificate_number.to_string()),
        row("Nama", &p.learner_name),
        row("NIP", p.nip_masked.as_deref().unwrap_or("-")),
        row("Pelatihan", &p.course_title),
        row("Tanggal selesai", &tanggal(p.completed_on)),
        row("Bobot", &format!("{} JP", p.jp)),
        row("Diterbitkan oleh", &p.issuer_name),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"))
        .body(html_page("Verifikasi Sertifikat", &body)))
}
