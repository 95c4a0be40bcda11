//! Programmes, cohorts (angkatan), assignment rules and jobs, and a learner's own programmes.
//!
//! Who may do what: hr (regency-wide or scoped to an OPD) and admins see programmes and create
//! them; the owner, regency-wide hr and admins edit a programme and add cohorts to it; any hr
//! officer assigns a cohort within their scope (a scoped officer only to their own OPD and its
//! people; anyone else is "not found"). Learners see their own programmes.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDateTime;
use lentera_accounts::{CsvProblem, EmploymentType, HrScope, OpdId, Principal, UserId};
use lentera_programmes::{AssignTo, CohortDates, CourseId, ProgrammeCourse, ScopeError, check_programme, default_jp_hundredths, scope_rules};
use lentera_storage::programmes::{self as store, CohortStats, JobView, MemberView, MyProgramme, ProgrammeDetail, ProgrammeSummary, RuleView};
use lentera_storage::{Db, StorageError, now};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::blocking;
use crate::{ApiError, AppState, AuthUser};

fn hr_scope(p: &Principal) -> Result<HrScope, ApiError> {
    p.hr_scope().ok_or_else(ApiError::forbidden)
}

fn not_found(what: &'static str) -> impl Fn(StorageError) -> ApiError {
    move |e| match e {
        StorageError::NotFound => ApiError::NotFound { what },
        other => other.into(),
    }
}

/// May this user change the programme (and add cohorts to it)? Its owner, regency-wide hr and
/// admins.
fn can_edit(p: &Principal, owner_id: &str) -> bool {
    p.hr_scope() == Some(HrScope::All) || p.user_id.to_string() == owner_id
}

fn jp_hundredths(jp: f64) -> Result<i64, ApiError> {
    if !jp.is_finite() || !(0.0..=10_000.0).contains(&jp) {
        return Err(ApiError::validation("invalid_jp", "JP must be between 0 and 10000"));
    }
    Ok((jp * 100.0).round() as i64)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeCourseInput {
    /// The course's id or slug.
    pub course: String,
    /// `false` for an elective. Default `true`.
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProgramme {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// In order. Electives are the courses with `required: false`.
    pub courses: Vec<ProgrammeCourseInput>,
    /// How many electives a learner must complete ("any N of"). Default 0.
    #[serde(default)]
    pub electives_needed: u32,
    /// The programme's JP. Default: its required courses plus the `electives_needed` electives
    /// with the fewest JP.
    pub jp: Option<f64>,
    /// Issue a programme certificate on completion. Default `true`.
    #[serde(default = "yes")]
    pub certificate: bool,
}

/// Resolves course references and checks the definition with the domain rules.
async fn resolve_courses(
    state: &web::Data<AppState>,
    title: &str,
    input: Vec<ProgrammeCourseInput>,
    electives_needed: u32,
    jp: Option<f64>,
) -> Result<(Vec<(String, bool)>, i64), ApiError> {
    let refs: Vec<String> = input.iter().map(|c| c.course.trim().to_string()).collect();
    let db = state.db.clone();
    let facts = blocking(move || Ok(db.read(|c| store::course_facts(c, &refs))?)).await?;
    let mut courses = Vec::new();
    let mut unknown = Vec::new();
    for (i, (fact, item)) in facts.into_iter().zip(&input).enumerate() {
        match fact {
            Some(f) => courses.push(ProgrammeCourse { course: CourseId(f.id), required: item.required, jp_hundredths: f.jp_hundredths }),
            None => unknown.push(serde_json::json!({"index": i, "course": item.course, "code": "unknown_course"})),
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::Validation {
            code: "unknown_course".into(),
            detail: "some courses do not exist (or have no published version)".into(),
            errors: Some(serde_json::Value::Array(unknown)),
        });
    }
    let jp = jp.map(jp_hundredths).transpose()?;
    check_programme(title, &courses, electives_needed, jp).map_err(|e| ApiError::validation(e.code(), e.to_string()))?;
    let total = jp.unwrap_or_else(|| default_jp_hundredths(&courses, electives_needed));
    Ok((courses.into_iter().map(|c| (c.course.0, c.required)).collect(), total))
}

/// Create a programme (hr, admin). The caller owns it.
#[utoipa::path(
    tag = "programmes",
    request_body = CreateProgramme,
    responses(
        (status = 201, description = "the programme with its courses", body = ProgrammeDetail),
        (status = 403, body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_title, programme_without_courses, duplicate_course, electives_needed_too_many, invalid_jp, unknown_course", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/programmes")]
pub async fn create_programme(state: web::Data<AppState>, user: AuthUser, body: web::Json<CreateProgramme>) -> Result<HttpResponse, ApiError> {
    let scope = hr_scope(&user.principal)?;
    let body = body.into_inner();
    let (courses, jp) = resolve_courses(&state, &body.title, body.courses, body.electives_needed, body.jp).await?;
    let owner_opd = match scope {
        HrScope::All => None,
        HrScope::Opds(o) => o.first().copied(),
    };
    let new = store::NewProgramme {
        title: body.title,
        description: body.description,
        courses,
        electives_needed: body.electives_needed,
        jp_hundredths: jp,
        certificate: body.certificate,
        owner: user.id(),
        owner_opd,
    };
    let db = state.db.clone();
    let detail = blocking(move || {
        Ok(db.write(|c| {
            let id = store::create_programme(c, &new, now())?;
            store::programme_detail(c, &id)
        })?)
    })
    .await?;
    tracing::info!(by = %user.id(), programme = %detail.programme.id, "programme created");
    Ok(HttpResponse::Created().json(detail))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<i64>,
    /// At most 200.
    pub per_page: Option<i64>,
}

impl PageQuery {
    fn bounds(&self) -> (i64, i64) {
        let per_page = self.per_page.unwrap_or(50).clamp(1, 200);
        let page = self.page.unwrap_or(1).max(1);
        (page, per_page)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammePage {
    pub items: Vec<ProgrammeSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// List programmes (hr, admin).
#[utoipa::path(tag = "programmes", params(PageQuery), responses((status = 200, body = ProgrammePage), (status = 403, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/programmes")]
pub async fn list_programmes(state: web::Data<AppState>, user: AuthUser, query: web::Query<PageQuery>) -> Result<web::Json<ProgrammePage>, ApiError> {
    hr_scope(&user.principal)?;
    let (page, per_page) = query.bounds();
    let db = state.db.clone();
    let (items, total) = blocking(move || Ok(db.read(|c| store::list_programmes(c, (page - 1) * per_page, per_page))?)).await?;
    Ok(web::Json(ProgrammePage { items, total, page, per_page }))
}

/// A programme with its courses and cohorts (hr, admin).
#[utoipa::path(tag = "programmes", responses((status = 200, body = ProgrammeDetail), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/programmes/{id}")]
pub async fn get_programme(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<web::Json<ProgrammeDetail>, ApiError> {
    hr_scope(&user.principal)?;
    let db = state.db.clone();
    let d = blocking(move || db.read(|c| store::programme_detail(c, &id)).map_err(not_found("programme"))).await?;
    Ok(web::Json(d))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProgramme {
    pub title: Option<String>,
    pub description: Option<String>,
    pub jp: Option<f64>,
    pub certificate: Option<bool>,
    /// Replaces the courses; only while the programme has no cohort (a running cohort's courses
    /// do not change under its learners).
    pub courses: Option<Vec<ProgrammeCourseInput>>,
    pub electives_needed: Option<u32>,
}

/// Edit a programme (its owner, regency-wide hr, admin).
#[utoipa::path(
    tag = "programmes",
    request_body = UpdateProgramme,
    responses(
        (status = 200, body = ProgrammeDetail),
        (status = 409, description = "programme_has_cohorts", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/programmes/{id}")]
pub async fn update_programme(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<UpdateProgramme>,
) -> Result<web::Json<ProgrammeDetail>, ApiError> {
    hr_scope(&user.principal)?;
    let id = id.into_inner();
    let db = state.db.clone();
    let pid = id.clone();
    let (current, cohorts) =
        blocking(move || db.read(|c| Ok((store::programme_detail(c, &pid)?, store::cohort_count(c, &pid)?))).map_err(not_found("programme")))
            .await?;
    if !can_edit(&user.principal, &current.programme.owner_id) {
        return Err(ApiError::forbidden());
    }
    let body = body.into_inner();
    let title = body.title.clone().unwrap_or_else(|| current.programme.title.clone());
    let mut upd = store::ProgrammeUpdate { title: body.title, description: body.description, certificate: body.certificate, ..Default::default() };
    if body.courses.is_some() || body.electives_needed.is_some() {
        if cohorts > 0 {
            return Err(ApiError::Conflict {
                code: "programme_has_cohorts".into(),
                detail: "the courses of a programme with cohorts cannot change; create a new programme".into(),
            });
        }
        let list = match body.courses {
            Some(l) => l,
            None => current.courses.iter().map(|c| ProgrammeCourseInput { course: c.course_id.clone(), required: c.required }).collect(),
        };
        let needed = body.electives_needed.unwrap_or(current.programme.electives_needed.max(0) as u32);
        let (courses, default_jp) = resolve_courses(&state, &title, list, needed, body.jp).await?;
        upd.courses = Some((courses, needed));
        upd.jp_hundredths = Some(default_jp);
    } else {
        if title.trim().is_empty() || title.trim().chars().count() > 200 {
            let e = lentera_programmes::ProgrammeError::Title;
            return Err(ApiError::validation(e.code(), e.to_string()));
        }
        upd.jp_hundredths = body.jp.map(jp_hundredths).transpose()?;
    }
    let db = state.db.clone();
    let d = blocking(move || {
        Ok(db.write(|c| {
            store::update_programme(c, &id, &upd, now())?;
            store::programme_detail(c, &id)
        })?)
    })
    .await?;
    Ok(web::Json(d))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCohort {
    /// e.g. "Angkatan I 2027"; unique within the programme.
    pub name: String,
    /// UTC, like every time in the API.
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    /// When assignment rules start adding learners. Default: now.
    pub enrol_opens_at: Option<NaiveDateTime>,
    /// When they stop (people who join an OPD later are no longer added). Default: `due_at`.
    pub enrol_closes_at: Option<NaiveDateTime>,
    /// The deadline of the courses assigned. Default: `ends_at`.
    pub due_at: Option<NaiveDateTime>,
}

/// Add a cohort (angkatan) to a programme (its owner, regency-wide hr, admin).
#[utoipa::path(
    tag = "programmes",
    request_body = CreateCohort,
    responses(
        (status = 201, body = CohortOut),
        (status = 409, description = "duplicate_name", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_name, cohort_ends_before_start, enrolment_closes_before_opens, enrolment_closes_after_end, due_outside_cohort", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/programmes/{id}/cohorts")]
pub async fn create_cohort(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<CreateCohort>,
) -> Result<HttpResponse, ApiError> {
    hr_scope(&user.principal)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let db = state.db.clone();
    let pid = id.clone();
    let (owner, _) = blocking(move || db.read(|c| store::programme_owner(c, &pid)).map_err(not_found("programme"))).await?;
    if !can_edit(&user.principal, &owner) {
        return Err(ApiError::forbidden());
    }
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(ApiError::validation("invalid_name", "the cohort's name must be 1 to 120 characters"));
    }
    let at = now();
    let due_at = body.due_at.unwrap_or(body.ends_at);
    let dates = CohortDates {
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        enrol_opens_at: body.enrol_opens_at.unwrap_or(at.min(body.starts_at)),
        enrol_closes_at: body.enrol_closes_at.unwrap_or(due_at),
        due_at,
    };
    dates.check().map_err(|e| ApiError::validation(e.code(), e.to_string()))?;
    let db = state.db.clone();
    let by = user.id();
    let cohort = blocking(move || {
        Ok(db.write(|c| {
            let cid = store::create_cohort(c, &id, &name, &dates, by, at)?;
            let ctx = store::cohort_ctx(c, &cid)?;
            Ok(CohortOut::from(&ctx))
        })?)
    })
    .await?;
    Ok(HttpResponse::Created().json(cohort))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortOut {
    pub id: String,
    pub programme_id: String,
    pub programme_title: String,
    pub name: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub enrol_opens_at: NaiveDateTime,
    pub enrol_closes_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
}

impl From<&store::CohortCtx> for CohortOut {
    fn from(c: &store::CohortCtx) -> Self {
        Self {
            id: c.id.clone(),
            programme_id: c.programme_id.clone(),
            programme_title: c.programme_title.clone(),
            name: c.name.clone(),
            starts_at: c.dates.starts_at,
            ends_at: c.dates.ends_at,
            enrol_opens_at: c.dates.enrol_opens_at,
            enrol_closes_at: c.dates.enrol_closes_at,
            due_at: c.dates.due_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortDetail {
    #[serde(flatten)]
    pub cohort: CohortOut,
    pub enrolment_open: bool,
    /// The rules that reach into the caller's scope.
    pub rules: Vec<RuleView>,
    /// Members and completions within the caller's scope, overall and per OPD.
    pub stats: CohortStats,
}

/// A cohort with its rules and completion per OPD, within the caller's scope (hr, admin).
#[utoipa::path(tag = "programmes", responses((status = 200, body = CohortDetail), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/cohorts/{id}")]
pub async fn get_cohort(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<web::Json<CohortDetail>, ApiError> {
    let scope = hr_scope(&user.principal)?;
    let db = state.db.clone();
    let at = now();
    let d = blocking(move || {
        db.read(|c| {
            let ctx = store::cohort_ctx(c, &id)?;
            Ok(CohortDetail {
                enrolment_open: ctx.dates.enrolment_open(at),
                cohort: CohortOut::from(&ctx),
                rules: store::cohort_rule_views(c, &id, &scope)?,
                stats: store::cohort_stats(c, &id, &scope, at)?,
            })
        })
        .map_err(not_found("cohort"))
    })
    .await?;
    Ok(web::Json(d))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<MemberView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A cohort's learners and their programme progress, within the caller's scope (hr, admin).
#[utoipa::path(tag = "programmes", params(PageQuery), responses((status = 200, body = MemberPage), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/cohorts/{id}/members")]
pub async fn cohort_members(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<MemberPage>, ApiError> {
    let scope = hr_scope(&user.principal)?;
    let (page, per_page) = query.bounds();
    let db = state.db.clone();
    let (items, total) = blocking(move || {
        db.read(|c| {
            store::cohort_ctx(c, &id)?;
            store::cohort_members(c, &id, &scope, (page - 1) * per_page, per_page)
        })
        .map_err(not_found("cohort"))
    })
    .await?;
    Ok(web::Json(MemberPage { items, total, page, per_page }))
}

/// Whom to assign a cohort to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AssignRequest {
    /// Everyone in an OPD, now and later.
    Opd {
        #[schema(value_type = String, format = Uuid)]
        opd_id: OpdId,
    },
    /// Everyone holding a position (jabatan), matched ignoring case and extra spaces.
    Position { position: String },
    /// Every PNS or every PPPK (within a scoped officer's OPD).
    EmploymentType { employment_type: String },
    /// These people.
    Users {
        #[schema(value_type = Vec<String>)]
        user_ids: Vec<UserId>,
    },
    /// These NIPs, as pasted: every bad or unknown one is reported with its position (1-based)
    /// and nothing is assigned.
    Nips { nips: Vec<String> },
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignAccepted {
    /// Watch it at `GET /api/v1/assignment-jobs/{job_id}`.
    pub job_id: String,
    pub cohort_id: String,
    /// Rules stored by this request (a rule already there is not stored twice).
    pub rules_added: usize,
    /// False when enrolment has not opened yet: the rules are kept and applied when it opens.
    pub enrolment_open: bool,
}

fn scope_error(e: ScopeError) -> ApiError {
    match e {
        ScopeError::OpdOutOfScope => ApiError::out_of_scope(),
        ScopeError::UnknownUser => ApiError::NotFound { what: "user" },
        ScopeError::EmptyPosition => ApiError::validation("invalid_position", e.to_string()),
    }
}

fn nip_problems(problems: Vec<CsvProblem>) -> ApiError {
    ApiError::Validation {
        code: "nip_list_invalid".into(),
        detail: format!("{} problem(s) in the list; nobody was assigned", problems.len()),
        errors: serde_json::to_value(problems).ok(),
    }
}

/// Turns NIP rows into people, reporting unknown ones (and, alike, those outside the caller's
/// scope) with their rows.
async fn resolve_nips(state: &web::Data<AppState>, scope: &HrScope, rows: Vec<lentera_programmes::NipRow>) -> Result<Vec<AssignTo>, ApiError> {
    let nips: Vec<String> = rows.iter().map(|r| r.nip.as_str().to_string()).collect();
    let db = state.db.clone();
    let found = blocking(move || Ok(db.read(|c| store::users_by_nip(c, &nips))?)).await?;
    let by_nip: HashMap<String, (String, Option<String>)> = found.into_iter().map(|(n, id, opd)| (n, (id, opd))).collect();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for r in rows {
        let hit = by_nip.get(r.nip.as_str()).and_then(|(id, opd)| {
            let id: UserId = id.parse().ok()?;
            let opd: Option<OpdId> = opd.as_deref().and_then(|o| o.parse().ok());
            scope.covers(opd).then_some(AssignTo::User { id, opd })
        });
        match hit {
            Some(a) => out.push(a),
            None => problems.push(CsvProblem {
                row: r.row,
                column: Some("nip".into()),
                code: "unknown_nip".into(),
                message: format!("no account with NIP {}", r.nip),
            }),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(nip_problems(problems)) }
}

/// Stores the rules, queues the job that applies them, and starts it in the background.
async fn assign(state: &web::Data<AppState>, user: &AuthUser, cohort: String, targets: Vec<AssignTo>, scope: &HrScope) -> Result<HttpResponse, ApiError> {
    let mut rules = Vec::new();
    for t in targets {
        rules.extend(scope_rules(scope, t).map_err(scope_error)?);
    }
    let db = state.db.clone();
    let by = user.id();
    let at = now();
    let accepted = blocking(move || {
        let ctx = db.read(|c| store::cohort_ctx(c, &cohort)).map_err(not_found("cohort"))?;
        if at >= ctx.dates.enrol_closes_at {
            return Err(ApiError::validation("enrolment_closed", "enrolment in this cohort has closed"));
        }
        let (rules_added, job_id) = db.write(|c| {
            let added = store::add_rules(c, &cohort, &rules, by, at)?;
            Ok((added, store::queue_job(c, &cohort, by, at)?))
        })?;
        Ok(AssignAccepted { job_id, cohort_id: cohort, rules_added, enrolment_open: ctx.dates.enrolment_open(at) })
    })
    .await?;
    spawn_job(state.db.clone(), accepted.job_id.clone());
    tracing::info!(by = %user.id(), cohort = %accepted.cohort_id, job = %accepted.job_id, "cohort assignment queued");
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/assignment-jobs/{}", accepted.job_id)))
        .json(accepted))
}

/// Runs an assignment job on the blocking pool, after the request has been answered. Should this
/// process die first, the background worker picks the job up.
fn spawn_job(db: Db, job: String) {
    actix_web::rt::spawn(async move {
        let id = job.clone();
        match web::block(move || store::run_job(&db, &id, now())).await {
            Ok(Ok(Some(j))) => tracing::info!(job = %j.id, assigned = j.assigned, "assignment job done"),
            Ok(Ok(None)) => {}
            Ok(Err(e)) => tracing::error!(job = %job, error = %e, "assignment job failed"),
            Err(e) => tracing::error!(job = %job, error = %e, "assignment job did not run"),
        }
    });
}

/// Assign a cohort to an OPD, a position, an employment type, people, or NIPs (hr within their
/// scope, admin). Rules are kept and reach people who join later while enrolment is open. The
/// work runs in the background: 202 with a job to watch.
#[utoipa::path(
    tag = "programmes",
    request_body = AssignRequest,
    responses(
        (status = 202, body = AssignAccepted, headers(("Location" = String, description = "the job"))),
        (status = 403, description = "out_of_scope: an OPD outside the officer's scope", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "cohort or user not found (people outside the scope are not found either)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "enrolment_closed, nip_list_invalid (`errors`: {row, column, code, message}), invalid_employment_type, invalid_position", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/cohorts/{id}/assignments")]
pub async fn assign_cohort(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<AssignRequest>,
) -> Result<HttpResponse, ApiError> {
    let scope = hr_scope(&user.principal)?;
    let targets = match body.into_inner() {
        AssignRequest::Opd { opd_id } => vec![AssignTo::Opd(opd_id)],
        AssignRequest::Position { position } => vec![AssignTo::Position(position)],
        AssignRequest::EmploymentType { employment_type } => vec![AssignTo::EmploymentType(
            employment_type.parse::<EmploymentType>().map_err(|e| ApiError::validation("invalid_employment_type", e))?,
        )],
        AssignRequest::Users { user_ids } => {
            if user_ids.is_empty() {
                return Err(ApiError::validation("no_users", "name at least one user"));
            }
            let ids: Vec<String> = user_ids.iter().map(|u| u.to_string()).collect();
            let db = state.db.clone();
            let opds = blocking(move || Ok(db.read(|c| store::user_opds(c, &ids))?)).await?;
            let mut out = Vec::new();
            for u in user_ids {
                let opd = opds.get(&u.to_string()).ok_or(ApiError::NotFound { what: "user" })?;
                out.push(AssignTo::User { id: u, opd: opd.as_deref().and_then(|o| o.parse().ok()) });
            }
            out
        }
        AssignRequest::Nips { nips } => {
            let rows = lentera_programmes::parse_nips(&nips, chrono::Utc::now().date_naive()).map_err(nip_problems)?;
            resolve_nips(&state, &scope, rows).await?
        }
    };
    assign(&state, &user, id.into_inner(), targets, &scope).await
}

/// Assign a cohort to the NIPs of an uploaded file (hr within their scope, admin): a CSV with a
/// `nip` column, or one NIP per line. Any bad or unknown NIP refuses the whole list with its row.
#[utoipa::path(
    tag = "programmes",
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 202, body = AssignAccepted),
        (status = 422, description = "nip_list_invalid: `errors` lists {row, column, code, message}", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/cohorts/{id}/assignments/nips")]
pub async fn assign_cohort_nips(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let scope = hr_scope(&user.principal)?;
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !(ct.starts_with("text/csv") || ct.starts_with("text/plain") || ct.starts_with("application/octet-stream")) {
        return Err(ApiError::UnsupportedMediaType { expected: "text/csv" });
    }
    let body = super::read_limited(payload, state.config.upload_limit).await?;
    let rows = lentera_programmes::parse_nip_list(&body, chrono::Utc::now().date_naive()).map_err(nip_problems)?;
    let targets = resolve_nips(&state, &scope, rows).await?;
    assign(&state, &user, id.into_inner(), targets, &scope).await
}

/// Remove a rule: nobody new is assigned by it; those already assigned stay (hr within their
/// scope, admin).
#[utoipa::path(tag = "programmes", responses((status = 204), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[delete("/cohorts/{id}/rules/{rule_id}")]
pub async fn delete_cohort_rule(state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    let scope = hr_scope(&user.principal)?;
    let (cohort, rule) = path.into_inner();
    let db = state.db.clone();
    blocking(move || {
        let visible = db.read(|c| store::cohort_rule_views(c, &cohort, &scope))?;
        if !visible.iter().any(|r| r.id == rule) {
            return Err(ApiError::NotFound { what: "rule" });
        }
        Ok(db.write(|c| store::delete_rule(c, &cohort, &rule))?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An assignment job (who requested it, regency-wide hr, admin).
#[utoipa::path(tag = "programmes", responses((status = 200, body = lentera_storage::programmes::JobView), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/assignment-jobs/{id}")]
pub async fn get_job(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<web::Json<JobView>, ApiError> {
    let scope = hr_scope(&user.principal)?;
    let db = state.db.clone();
    let j = blocking(move || db.read(|c| store::job(c, &id)).map_err(not_found("job"))).await?;
    if scope != HrScope::All && j.requested_by.as_deref() != Some(user.id().to_string().as_str()) {
        return Err(ApiError::NotFound { what: "job" });
    }
    Ok(web::Json(j))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyProgrammes {
    pub items: Vec<MyProgramme>,
}

/// My programmes: each cohort I am in, its courses with my state and deadline, my progress
/// (required done, electives done of those needed, percent) and whether it is overdue.
#[utoipa::path(tag = "programmes", responses((status = 200, body = MyProgrammes)), security(("bearer" = [])))]
#[get("/me/programmes")]
pub async fn my_programmes(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<MyProgrammes>, ApiError> {
    let db = state.db.clone();
    let me = user.id();
    let items = blocking(move || Ok(db.read(|c| store::my_programmes(c, me, now()))?)).await?;
    Ok(web::Json(MyProgrammes { items }))
}

/// Applies open cohorts' rules to a user whose account was just created or changed. Failures
/// are logged, not returned: the background worker applies every rule again on its next pass.
pub async fn reapply_rules_for(state: &web::Data<AppState>, user: UserId) {
    let db = state.db.clone();
    let result = web::block(move || db.write(|c| store::apply_rules_for_user(c, user, now()))).await;
    match result {
        Ok(Ok(cohorts)) if !cohorts.is_empty() => tracing::info!(user = %user, cohorts = cohorts.len(), "assigned by rules"),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(user = %user, error = %e, "could not apply assignment rules; the worker will"),
        Err(e) => tracing::warn!(user = %user, error = %e, "could not apply assignment rules; the worker will"),
    }
}
