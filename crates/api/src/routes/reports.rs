use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::Datelike;
use lentera_accounts::Role;
use lentera_storage::reports::{self, ReportFilter, ReportScope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::blocking;
use crate::reports::{self as rep, Cell, CsvOut, XlsxOut};
use crate::{ApiError, AppState, AuthUser};

/// Whose rows the caller may see: admins and regency hr all; a scoped hr officer their OPD; a
/// mentor their mentees; anyone else only themself.
pub(crate) fn report_scope(db: &lentera_storage::Db, user: &AuthUser) -> Result<ReportScope, ApiError> {
    Ok(match user.principal.hr_scope() {
        Some(lentera_accounts::HrScope::All) => ReportScope::All,
        Some(lentera_accounts::HrScope::Opds(ids)) => ReportScope::Opds(ids.iter().map(|o| o.to_string()).collect()),
        None if user.principal.has(Role::Mentor) => {
            let me = user.id().to_string();
            let mut ids = db.read(|c| reports::mentees_of(c, &me))?;
            ids.push(me);
            ReportScope::Users(ids)
        }
        None => ReportScope::Users(vec![user.id().to_string()]),
    })
}

/// The scope of a report that counts people (tallies, timelines): a learner alone gets none.
fn aggregate_scope(db: &lentera_storage::Db, user: &AuthUser) -> Result<ReportScope, ApiError> {
    let scope = report_scope(db, user)?;
    if matches!(scope, ReportScope::Users(_)) && !user.principal.has(Role::Mentor) && !user.principal.is_admin() {
        return Err(ApiError::forbidden());
    }
    Ok(scope)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Calendar year in Asia/Jakarta (default: this year for JP; all years for completions).
    pub year: Option<i32>,
    pub opd_id: Option<String>,
    /// Course slug.
    pub course: Option<String>,
    /// `PNS` or `PPPK`.
    pub employment_type: Option<String>,
    /// `completed`, `active` or `withdrawn`.
    pub status: Option<String>,
    /// A programme's id: only its courses and the learners of its cohorts.
    pub programme_id: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
    /// Column names and labels: `id` (default) or `en`.
    pub lang: Option<String>,
    pub per_page: Option<i64>,
    /// JP compliance in JSON: list at most this many learners below the target (default 200,
    /// at most 10,000; `below_total` counts them all, and the exports list them all).
    pub below_limit: Option<usize>,
}

fn filter(p: &ReportParams, scope: ReportScope, tz: chrono_tz::Tz, year_default: Option<i32>) -> Result<ReportFilter, ApiError> {
    let request = rep::FilterRequest {
        year: p.year.or(year_default),
        opd_id: p.opd_id.clone(),
        course_slug: p.course.clone(),
        employment_type: p.employment_type.clone(),
        status: p.status.clone(),
        programme_id: p.programme_id.clone(),
    };
    rep::report_filter(request, scope, tz).map_err(|(code, detail)| ApiError::validation(code, detail))
}

fn tz() -> chrono_tz::Tz {
    lentera_progress::JAKARTA
}

/// Streams bytes produced on a blocking thread: headers go out at once, rows as they are read.
fn stream_response(content_type: &str, file_name: &str, produce: impl FnOnce(Sender) -> Result<(), rep::ReportError> + Send + 'static) -> HttpResponse {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(16);
    std::thread::spawn(move || {
        let sender = Sender { tx: tx.clone(), buf: Vec::with_capacity(64 * 1024) };
        if let Err(e) = produce(sender) {
            tracing::error!(error = %e, "report export failed");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    HttpResponse::Ok()
        .content_type(content_type.to_string())
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body)
}

/// A `Write` that ships its bytes to the response in 64 KiB chunks.
pub struct Sender {
    tx: tokio::sync::mpsc::Sender<Result<web::Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl std::io::Write for Sender {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = web::Bytes::from(std::mem::take(&mut self.buf));
            self.tx.blocking_send(Ok(chunk)).map_err(|_| std::io::Error::other("client went away"))?;
        }
        Ok(())
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

/// Writes a table as CSV or XLSX to the response, rows pulled by `rows`.
pub(crate) fn export(
    format: &str,
    base_name: &str,
    headers: &'static [&'static str],
    rows: impl FnOnce(&mut dyn FnMut(Vec<Cell>) -> Result<(), rep::ReportError>) -> Result<(), rep::ReportError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    match format {
        "csv" => Ok(stream_response("text/csv; charset=utf-8", &format!("{base_name}.csv"), move |sender| {
            let mut out = CsvOut::new(sender, headers)?;
            rows(&mut |cells| out.row(&cells))?;
            out.finish()?;
            Ok(())
        })),
        "xlsx" => Ok(stream_response(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{base_name}.xlsx"),
            move |mut sender| {
                let mut out = XlsxOut::new("Laporan", headers)?;
                rows(&mut |cells| out.row(&cells))?;
                let tmp = tempfile::NamedTempFile::new()?;
                out.save(tmp.path())?;
                let mut file = std::fs::File::open(tmp.path())?;
                std::io::copy(&mut file, &mut sender)?;
                Ok(())
            },
        )),
        other => Err(ApiError::validation("invalid_format", format!("format must be json, csv or xlsx, got {other:?}"))),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionPage {
    pub items: Vec<lentera_storage::reports::CompletionRow>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AfterParam {
    /// Keyset cursor from the previous page (JSON only).
    pub after: Option<String>,
}

/// Completion per learner × course. `format=csv|xlsx` streams every row as a download
/// (Indonesian column names by default); JSON pages by key.
#[utoipa::path(tag = "reports", params(ReportParams, AfterParam), responses((status = 200, body = CompletionPage)), security(("bearer" = [])))]
#[get("/reports/completions")]
pub async fn completions(state: web::Data<AppState>, user: AuthUser, p: web::Query<ReportParams>, after: web::Query<AfterParam>) -> Result<HttpResponse, ApiError> {
    let p = p.into_inner();
    let db = state.db.clone();
    let u = user.clone();
    let scope = blocking(move || report_scope(&db, &u)).await?;
    let f = filter(&p, scope, tz(), None)?;
    let format = p.format.clone().unwrap_or_else(|| "json".into());
    let en = p.lang.as_deref() == Some("en");
    if format == "json" {
        let limit = p.per_page.unwrap_or(100).clamp(1, 1000);
        let db = state.db.clone();
        let after = after.into_inner().after;
        let items = blocking(move || Ok(db.read(|c| reports::completion_page(c, &f, after.as_deref(), limit))?)).await?;
        let next = (items.len() as i64 == limit).then(|| items.last().map(|r| r.enrolment_id.clone())).flatten();
        return Ok(HttpResponse::Ok().json(CompletionPage { items, next }));
    }
    let db = state.db.clone();
    let headers: &'static [&'static str] = if en { &rep::COMPLETION_COLUMNS_EN } else { &rep::COMPLETION_COLUMNS_ID };
    let name = if en { "completions" } else { "laporan-penyelesaian" };
    export(&format, name, headers, move |emit| {
        rep::for_each_completion(&db, &f, |row| emit(rep::completion_cells(row, tz(), en)).map_err(|e| std::io::Error::other(e.to_string())))?;
        Ok(())
    })
}

pub use crate::reports::TallyRow;

async fn tally(state: web::Data<AppState>, user: AuthUser, p: ReportParams, by_opd: bool) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let rows = blocking(move || {
        let scope = aggregate_scope(&db, &user)?;
        let f = filter(&p, scope, tz(), None)?;
        let rows = rep::tallies(&db, &f, by_opd)?;
        Ok((rows, p.format.unwrap_or_else(|| "json".into()), p.lang.as_deref() == Some("en")))
    })
    .await?;
    let (rows, format, en) = rows;
    if format == "json" {
        return Ok(HttpResponse::Ok().json(rows));
    }
    export(&format, rep::tally_file_name(by_opd, en), rep::tally_columns(en), move |emit| {
        for r in &rows {
            emit(rep::tally_cells(r))?;
        }
        Ok(())
    })
}

/// Per course: enrolled, not started, in progress, completed, completion rate, average progress.
#[utoipa::path(tag = "reports", params(ReportParams), responses((status = 200, body = Vec<TallyRow>)), security(("bearer" = [])))]
#[get("/reports/courses")]
pub async fn per_course(state: web::Data<AppState>, user: AuthUser, p: web::Query<ReportParams>) -> Result<HttpResponse, ApiError> {
    tally(state, user, p.into_inner(), false).await
}

/// Per OPD: enrolled, not started, in progress, completed, completion rate, average progress.
#[utoipa::path(tag = "reports", params(ReportParams), responses((status = 200, body = Vec<TallyRow>)), security(("bearer" = [])))]
#[get("/reports/opds")]
pub async fn per_opd(state: web::Data<AppState>, user: AuthUser, p: web::Query<ReportParams>) -> Result<HttpResponse, ApiError> {
    tally(state, user, p.into_inner(), true).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCount {
    /// 1–12.
    pub month: u32,
    pub enrolled: i64,
    pub completed: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Timeline {
    pub year: i32,
    pub months: Vec<MonthCount>,
}

/// Enrolments and completions per month of a year in Asia/Jakarta (the dashboard's chart of
/// completion over time), within the caller's scope and the filters. Not for learners.
#[utoipa::path(tag = "reports", params(ReportParams), responses((status = 200, body = Timeline), (status = 403, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/reports/timeline")]
pub async fn timeline(state: web::Data<AppState>, user: AuthUser, p: web::Query<ReportParams>) -> Result<web::Json<Timeline>, ApiError> {
    let p = p.into_inner();
    let year = p.year.unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz()).year());
    let db = state.db.clone();
    let out = blocking(move || {
        let scope = aggregate_scope(&db, &user)?;
        let f = filter(&ReportParams { year: Some(year), ..p }, scope, tz(), None)?;
        let bounds: Vec<chrono::NaiveDateTime> = (0..=12)
            .map(|i| {
                let (y, m) = if i == 12 { (year + 1, 1) } else { (year, i + 1) };
                rep::month_start(y, m, tz())
            })
            .collect::<Option<_>>()
            .ok_or_else(|| ApiError::validation("invalid_year", format!("year {year} is out of range")))?;
        let (enrolled, completed) = db.read(|c| {
            Ok((reports::timeline(c, &f, reports::TimelineOf::Enrolled, &bounds)?, reports::timeline(c, &f, reports::TimelineOf::Completed, &bounds)?))
        })?;
        let months = (0..12).map(|i| MonthCount { month: i as u32 + 1, enrolled: enrolled[i], completed: completed[i] }).collect();
        Ok(Timeline { year, months })
    })
    .await?;
    Ok(web::Json(out))
}

/// JP compliance for a year: per OPD the share of ASN at or above the target, and everyone
/// below it with the JP they still need. `format=csv|xlsx` exports the list below target.
#[utoipa::path(tag = "reports", params(ReportParams), responses((status = 200, description = "JSON; with `format=csv` or `xlsx` the learners below the target as a file", body = rep::JpCompliance)), security(("bearer" = [])))]
#[get("/reports/jp-compliance")]
pub async fn jp_compliance(state: web::Data<AppState>, user: AuthUser, p: web::Query<ReportParams>) -> Result<HttpResponse, ApiError> {
    let p = p.into_inner();
    let year = p.year.unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz()).year());
    let db = state.db.clone();
    let format = p.format.clone().unwrap_or_else(|| "json".into());
    let en = p.lang.as_deref() == Some("en");
    let below_limit = p.below_limit;
    let target = i64::from(lentera_progress::JpPolicy::default().yearly_target.hundredths());
    let report = blocking(move || {
        let scope = report_scope(&db, &user)?;
        let f = filter(&ReportParams { year: Some(year), ..p }, scope, tz(), None)?;
        rep::jp_compliance(&db, &f, year, tz(), target).map_err(|e| ApiError::Internal(e.to_string()))
    })
    .await?;
    if format == "json" {
        let mut report = report;
        report.below.truncate(below_limit.unwrap_or(200).min(10_000));
        return Ok(HttpResponse::Ok().json(report));
    }
    let target = report.target;
    export(&format, if en { "jp-below-target" } else { "asn-belum-memenuhi-jp" }, if en { &rep::JP_COLUMNS_EN } else { &rep::JP_COLUMNS_ID }, move |emit| {
        for l in &report.below {
            emit(rep::jp_cells(l, target))?;
        }
        Ok(())
    })
}
