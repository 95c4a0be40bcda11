//! Mentoring: hr officers (within their OPDs) and admins pair mentors with mentees, list the
//! pairs and end them; a mentor lists their current mentees with JP and courses.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use lentera_accounts::{HrScope, Role, UserId};
use lentera_storage::StorageError;
use lentera_storage::mentoring::{self as store, PairView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::blocking;
use super::progress::progress_settings;
use crate::progress_glue as glue;
use crate::{ApiError, AppState, AuthUser};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairRequest {
    #[schema(value_type = String, format = Uuid)]
    pub mentor_id: UserId,
    #[schema(value_type = String, format = Uuid)]
    pub mentee_id: UserId,
}

/// Pair a mentor with a mentee (hr within their OPD scope, admin). Pairing again resumes an
/// ended pair.
#[utoipa::path(
    tag = "mentoring",
    request_body = PairRequest,
    responses(
        (status = 204),
        (status = 403, body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "a user outside the caller's scope", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_a_mentor", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/mentorships")]
pub async fn pair(state: web::Data<AppState>, user: AuthUser, body: web::Json<PairRequest>) -> Result<HttpResponse, ApiError> {
    let scope = user.principal.hr_scope().ok_or_else(ApiError::forbidden)?;
    let db = state.db.clone();
    let body = body.into_inner();
    blocking(move || {
        for id in [body.mentor_id, body.mentee_id] {
            let u = db.read(|c| lentera_storage::accounts::get_user(c, id)).map_err(|_| ApiError::NotFound { what: "user" })?;
            if !scope.covers(u.opd.map(|o| o.id)) {
                return Err(ApiError::NotFound { what: "user" });
            }
        }
        let mentor = db.read(|c| lentera_storage::accounts::get_user(c, body.mentor_id))?;
        if !mentor.roles.iter().any(|g| g.role == Role::Mentor) {
            return Err(ApiError::validation("not_a_mentor", "the mentor needs the mentor role"));
        }
        let by = user.id().to_string();
        Ok(db.write(|c| lentera_storage::reports::pair_mentor(c, &body.mentor_id.to_string(), &body.mentee_id.to_string(), &by))?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<i64>,
    /// At most 200 (default 50).
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PairPage {
    pub items: Vec<PairView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Current mentoring pairs the caller manages, by mentor then mentee (hr: pairs whose mentor
/// and mentee are both in their OPDs; regency hr and admins: all).
#[utoipa::path(
    tag = "mentoring",
    operation_id = "list_mentorships",
    params(PageQuery),
    responses((status = 200, body = PairPage), (status = 403, body = crate::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/mentorships")]
pub async fn list(state: web::Data<AppState>, user: AuthUser, q: web::Query<PageQuery>) -> Result<web::Json<PairPage>, ApiError> {
    let scope = user.principal.hr_scope().ok_or_else(ApiError::forbidden)?;
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).max(1);
    let db = state.db.clone();
    let (items, total) = blocking(move || Ok(db.read(|c| store::list_pairs(c, &scope, (page - 1) * per_page, per_page))?)).await?;
    Ok(web::Json(PairPage { items, total, page, per_page }))
}

/// Whether `scope` manages the pair: both people in its OPDs (as when pairing).
fn manages(scope: &HrScope, found: &PairView) -> bool {
    let covers = |opd: &Option<String>| scope.covers(opd.as_deref().and_then(|o| o.parse().ok()));
    matches!(scope, HrScope::All) || (covers(&found.mentor.opd_id) && covers(&found.mentee.opd_id))
}

/// End a mentoring pair (hr within their OPD scope, admin): the mentee leaves the mentor's
/// list and reports at once. A pair outside the caller's scope, or already ended, is 404.
#[utoipa::path(
    tag = "mentoring",
    operation_id = "end_mentorship",
    responses(
        (status = 204),
        (status = 403, body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/mentorships/{id}")]
pub async fn end(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let scope = user.principal.hr_scope().ok_or_else(ApiError::forbidden)?;
    let db = state.db.clone();
    let id = id.into_inner();
    let not_found = |e: StorageError| match e {
        StorageError::NotFound => ApiError::NotFound { what: "mentorship" },
        other => other.into(),
    };
    blocking(move || {
        db.write(|c| {
            let found = store::pair(c, &id)?;
            if !manages(&scope, &found) {
                return Err(StorageError::NotFound);
            }
            store::end_pair(c, &id, lentera_storage::now())
        })
        .map_err(not_found)?;
        tracing::info!(by = %user.id(), mentorship = %id, "mentorship ended");
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A current mentee, as their mentor sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenteeView {
    pub id: String,
    pub name: String,
    pub nip: Option<String>,
    pub opd_id: Option<String>,
    pub opd_name: Option<String>,
    /// The calendar year the JP count towards (this year, in the deployment's time zone).
    pub year: i32,
    /// JP earned this year (completed courses and approved external training).
    pub jp_earned: f64,
    /// The yearly JP target.
    pub jp_target: f64,
    pub target_met: bool,
    /// Courses enrolled in (not withdrawn from).
    pub courses_enrolled: i64,
    pub courses_completed: i64,
}

/// My current mentees with their JP this year against the target and their courses (mentors).
#[utoipa::path(
    tag = "mentoring",
    operation_id = "my_mentees",
    responses((status = 200, body = Vec<MenteeView>), (status = 403, body = crate::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/me/mentees")]
pub async fn my_mentees(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Vec<MenteeView>>, ApiError> {
    if !user.principal.has(Role::Mentor) {
        return Err(ApiError::forbidden());
    }
    let settings = progress_settings(&req);
    let db = state.db.clone();
    let me = user.id().to_string();
    let out = blocking(move || {
        let year = settings.current_year();
        Ok(db.read(|c| {
            let rows = store::mentees(c, &me)?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let id: UserId = r.id.parse().map_err(|_| StorageError::Config(format!("user id {} is not a UUID", r.id)))?;
                let jp = glue::jp_report(c, &settings, id, year)?;
                out.push(MenteeView {
                    id: r.id,
                    name: r.name,
                    nip: r.nip,
                    opd_id: r.opd_id,
                    opd_name: r.opd_name,
                    year,
                    jp_earned: jp.summary.earned.as_f64(),
                    jp_target: jp.summary.target.as_f64(),
                    target_met: jp.target_met,
                    courses_enrolled: r.courses_enrolled,
                    courses_completed: r.courses_completed,
                });
            }
            Ok(out)
        })?)
    })
    .await?;
    Ok(web::Json(out))
}
