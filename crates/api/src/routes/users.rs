use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use lentera_accounts::{
    Email, EmploymentType, HrScope, Language, Nip, OpdId, Principal, Role, RoleGrant, UserId, parse_user_csv,
};
use lentera_storage::accounts::{self, ImportOptions, NewUser, UserFilter, UserRecord, UserUpdate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::blocking;
use crate::auth::random_token;
use crate::{ApiError, AppState, AuthUser};

#[derive(Debug, Serialize, ToSchema)]
pub struct OpdRef {
    #[schema(value_type = String, format = Uuid)]
    pub id: OpdId,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct RoleView {
    #[schema(value_type = String, example = "learner")]
    pub role: Role,
    /// Only for `hr`: the one OPD the officer is limited to.
    #[schema(value_type = Option<String>, format = Uuid)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opd_id: Option<OpdId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    pub nip: Option<String>,
    pub name: String,
    pub email: String,
    pub opd: Option<OpdRef>,
    pub jabatan: String,
    /// `PNS` or `PPPK`.
    pub employment_type: Option<String>,
    /// `id` or `en`.
    pub language: String,
    pub active: bool,
    pub roles: Vec<RoleView>,
    pub created_at: chrono::NaiveDateTime,
}

impl From<UserRecord> for UserView {
    fn from(u: UserRecord) -> Self {
        Self {
            id: u.id,
            nip: u.nip,
            name: u.name,
            email: u.email,
            opd: u.opd.map(|o| OpdRef { id: o.id, name: o.name }),
            jabatan: u.jabatan,
            employment_type: u.employment_type.map(|e| e.as_str().to_string()),
            language: u.language.as_str().to_string(),
            active: u.active,
            roles: u.roles.into_iter().map(|g| RoleView { role: g.role, opd_id: g.opd }).collect(),
            created_at: u.created_at,
        }
    }
}

fn grants(roles: &[RoleView]) -> Vec<RoleGrant> {
    roles.iter().map(|r| RoleGrant { role: r.role, opd: r.opd_id }).collect()
}

fn hr_scope(p: &Principal) -> Result<HrScope, ApiError> {
    p.hr_scope().ok_or_else(ApiError::forbidden)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Search in name, e-mail and NIP.
    pub q: Option<String>,
    #[param(value_type = Option<String>, format = Uuid)]
    pub opd_id: Option<OpdId>,
    #[param(value_type = Option<String>)]
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// 1-based page number.
    pub page: Option<i64>,
    /// At most 200.
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// List users (hr within their scope, admin all).
#[utoipa::path(tag = "users", operation_id = "list_users", params(ListQuery), responses((status = 200, body = UserPage), (status = 403, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> Result<web::Json<UserPage>, ApiError> {
    let scope = hr_scope(&user.principal)?;
    let q = query.into_inner();
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).max(1);
    let filter = UserFilter {
        q: q.q,
        opd: q.opd_id,
        role: q.role,
        active: q.active,
        scope,
        offset: (page - 1) * per_page,
        limit: per_page,
    };
    let db = state.db.clone();
    let (items, total) = blocking(move || Ok(db.read(|c| accounts::list_users(c, &filter))?)).await?;
    Ok(web::Json(UserPage { items: items.into_iter().map(UserView::from).collect(), total, page, per_page }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// 18-digit NIP; optional only for accounts of non-ASN staff (e.g. a system administrator).
    pub nip: Option<String>,
    pub name: String,
    pub email: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub opd_id: Option<OpdId>,
    #[serde(default)]
    pub jabatan: String,
    /// `PNS` or `PPPK`.
    pub employment_type: Option<String>,
    /// `id` (default) or `en`.
    #[schema(value_type = Option<String>)]
    pub language: Option<Language>,
    /// Defaults to `[{"role": "learner"}]`.
    pub roles: Option<Vec<RoleView>>,
    /// Omit to have one generated and returned once.
    pub password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserView,
    /// Present only when the server generated the password: shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
}

fn parse_nip(nip: Option<&str>) -> Result<Option<Nip>, ApiError> {
    nip.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Nip::parse(s).map_err(|e| ApiError::validation(format!("invalid_{}", e.code()), e.to_string())))
        .transpose()
}

fn parse_email(s: &str) -> Result<Email, ApiError> {
    Email::parse(s).map_err(|e| ApiError::validation("invalid_email", e.to_string()))
}

fn parse_kind(s: Option<&str>) -> Result<Option<EmploymentType>, ApiError> {
    s.map(|k| k.parse::<EmploymentType>().map_err(|e| ApiError::validation("invalid_employment_type", e))).transpose()
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() || name.len() > 200 {
        return Err(ApiError::validation("invalid_name", "name must be 1 to 200 characters"));
    }
    Ok(())
}

/// Create a user. hr may create learners and mentors in their own OPD; admins anything.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = CreateUser,
    responses(
        (status = 201, body = CreatedUser),
        (status = 409, description = "duplicate_nip or duplicate_email", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_nip_*, invalid_email, …", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let roles = body.roles.as_deref().map(grants).unwrap_or_else(|| vec![RoleGrant::global(Role::Learner)]);
    if !user.principal.can_manage_user(body.opd_id, &roles) {
        return Err(if user.principal.hr_scope().is_some() { ApiError::out_of_scope() } else { ApiError::forbidden() });
    }
    check_name(&body.name)?;
    let nip = parse_nip(body.nip.as_deref())?;
    let email = parse_email(&body.email)?;
    let employment_type = parse_kind(body.employment_type.as_deref())?;
    let (password, generated) = match body.password {
        Some(p) => (p, false),
        None => (random_token()[..16].to_string(), true),
    };
    lentera_accounts::check_password_policy(&password).map_err(|e| ApiError::validation(e.code(), e.to_string()))?;
    let st = state.clone();
    let record = blocking(move || {
        let hash = st.passwords.hash(&password)?;
        let new = NewUser {
            nip,
            name: body.name,
            email,
            opd_id: body.opd_id,
            jabatan: body.jabatan,
            employment_type,
            language: body.language.unwrap_or_default(),
            password_hash: Some(hash),
            roles,
        };
        let record = st.db.write(|c| {
            let id = accounts::create_user(c, &new)?;
            accounts::get_user(c, id)
        })?;
        Ok((record, password))
    })
    .await?;
    let (record, password) = record;
    tracing::info!(by = %user.id(), user = %record.id, "user created");
    super::programmes::reapply_rules_for(&state, record.id).await;
    Ok(HttpResponse::Created().json(CreatedUser {
        user: UserView::from(record),
        generated_password: generated.then_some(password),
    }))
}

async fn load_visible(state: &web::Data<AppState>, user: &AuthUser, id: UserId) -> Result<UserRecord, ApiError> {
    let db = state.db.clone();
    let record = blocking(move || Ok(db.read(|c| accounts::get_user(c, id))?))
        .await
        .map_err(|e| if matches!(e, ApiError::NotFound { .. }) { ApiError::NotFound { what: "user" } } else { e })?;
    if !user.principal.can_view_user(id, record.opd.as_ref().map(|o| o.id)) {
        // Out of scope looks the same as absent: a scoped officer learns nothing of other OPDs.
        return Err(ApiError::NotFound { what: "user" });
    }
    Ok(record)
}

async fn load_manageable(state: &web::Data<AppState>, user: &AuthUser, id: UserId) -> Result<UserRecord, ApiError> {
    let record = load_visible(state, user, id).await?;
    let current: Vec<RoleGrant> = record.roles.clone();
    if !user.principal.can_manage_user(record.opd.as_ref().map(|o| o.id), &current) {
        return Err(ApiError::forbidden());
    }
    Ok(record)
}

/// One user (oneself, or within one's hr scope).
#[utoipa::path(tag = "users", operation_id = "get_user", responses((status = 200, body = UserView), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/users/{id}")]
pub async fn get(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<web::Json<UserView>, ApiError> {
    let id = parse_user_id(&id)?;
    Ok(web::Json(UserView::from(load_visible(&state, &user, id).await?)))
}

fn parse_user_id(s: &str) -> Result<UserId, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound { what: "user" })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub name: Option<String>,
    pub email: Option<String>,
    /// `null` removes the OPD.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub opd_id: Option<Option<OpdId>>,
    pub jabatan: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub employment_type: Option<Option<String>>,
    #[schema(value_type = Option<String>)]
    pub language: Option<Language>,
    pub roles: Option<Vec<RoleView>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Edit a user.
#[utoipa::path(tag = "users", operation_id = "update_user", request_body = UpdateUser, responses((status = 200, body = UserView)), security(("bearer" = [])))]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<UpdateUser>,
) -> Result<web::Json<UserView>, ApiError> {
    let id = parse_user_id(&id)?;
    let existing = load_manageable(&state, &user, id).await?;
    let body = body.into_inner();
    let new_roles = body.roles.as_deref().map(grants);
    let target_opd = body.opd_id.unwrap_or(existing.opd.as_ref().map(|o| o.id));
    if !user.principal.can_manage_user(target_opd, new_roles.as_deref().unwrap_or(&existing.roles)) {
        return Err(ApiError::forbidden());
    }
    if let Some(name) = &body.name {
        check_name(name)?;
    }
    let update = UserUpdate {
        name: body.name,
        email: body.email.as_deref().map(parse_email).transpose()?,
        opd_id: body.opd_id,
        jabatan: body.jabatan,
        employment_type: body.employment_type.map(|k| parse_kind(k.as_deref())).transpose()?,
        language: body.language,
        roles: new_roles,
    };
    let db = state.db.clone();
    let record = blocking(move || {
        Ok(db.write(|c| {
            accounts::update_user(c, id, &update)?;
            accounts::get_user(c, id)
        })?)
    })
    .await?;
    state.sessions.invalidate();
    super::programmes::reapply_rules_for(&state, id).await;
    Ok(web::Json(UserView::from(record)))
}

async fn set_active(state: web::Data<AppState>, user: AuthUser, id: &str, active: bool) -> Result<HttpResponse, ApiError> {
    let id = parse_user_id(id)?;
    if id == user.id() && !active {
        return Err(ApiError::validation("cannot_deactivate_self", "you cannot deactivate your own account"));
    }
    load_manageable(&state, &user, id).await?;
    let db = state.db.clone();
    blocking(move || Ok(db.write(|c| accounts::set_active(c, id, active))?)).await?;
    state.sessions.invalidate();
    tracing::info!(by = %user.id(), user = %id, active, "user activation changed");
    Ok(HttpResponse::NoContent().finish())
}

/// Deactivate a user: they can no longer log in, and their sessions end at once.
#[utoipa::path(tag = "users", responses((status = 204)), security(("bearer" = [])))]
#[post("/users/{id}/deactivate")]
pub async fn deactivate(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    set_active(state, user, &id, false).await
}

/// Reactivate a user.
#[utoipa::path(tag = "users", responses((status = 204)), security(("bearer" = [])))]
#[post("/users/{id}/activate")]
pub async fn activate(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    set_active(state, user, &id, true).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GeneratedPassword {
    /// Shown this once; the user should change it after logging in.
    pub password: String,
}

/// Set a new, generated password for a user (their sessions end).
#[utoipa::path(tag = "users", responses((status = 200, body = GeneratedPassword)), security(("bearer" = [])))]
#[post("/users/{id}/reset-password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<GeneratedPassword>, ApiError> {
    let id = parse_user_id(&id)?;
    load_manageable(&state, &user, id).await?;
    let password = random_token()[..16].to_string();
    let st = state.clone();
    let pw = password.clone();
    blocking(move || {
        let hash = st.passwords.hash(&pw)?;
        Ok(st.db.write(|c| {
            accounts::set_password_hash(c, id, &hash)?;
            lentera_storage::tokens::revoke_user(c, id, None)
        })?)
    })
    .await?;
    state.sessions.invalidate();
    Ok(web::Json(GeneratedPassword { password }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Import the valid rows and report the others, instead of refusing the whole file.
    #[serde(default)]
    pub skip_invalid: bool,
    /// Check only; write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub skipped: usize,
    pub dry_run: bool,
    /// Rows left out (only with `skip_invalid`).
    pub problems: Vec<lentera_accounts::CsvProblem>,
}

/// Import users from CSV (columns NIP, nama, email, OPD, jabatan, jenis). All or nothing: any bad
/// row refuses the file with 422 and every problem listed with its row number.
#[utoipa::path(
    tag = "users",
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, body = ImportReport),
        (status = 422, description = "csv_invalid: `errors` lists {row, column, code, message}", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/users/import")]
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<web::Json<ImportReport>, ApiError> {
    let scope = hr_scope(&user.principal)?;
    let ct = req.headers().get(actix_web::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !(ct.starts_with("text/csv") || ct.starts_with("text/plain") || ct.starts_with("application/octet-stream")) {
        return Err(ApiError::UnsupportedMediaType { expected: "text/csv" });
    }
    let body = super::read_limited(payload, state.config.upload_limit).await?;
    let q = query.into_inner();
    let db = state.db.clone();
    let outcome = blocking(move || {
        let (rows, parse_problems) = parse_user_csv(&body);
        if rows.is_empty() && parse_problems.is_empty() {
            return Err(ApiError::validation("csv_empty", "the file has no rows"));
        }
        Ok(db.write(|c| {
            accounts::import_users(c, &rows, ImportOptions { skip_invalid: q.skip_invalid, scope: &scope, parse_problems, dry_run: q.dry_run })
        })?)
    })
    .await?;
    match outcome {
        Ok(o) => {
            tracing::info!(by = %user.id(), created = o.created, dry_run = q.dry_run, "users imported");
            Ok(web::Json(ImportReport { created: o.created, skipped: o.skipped, dry_run: q.dry_run, problems: o.problems }))
        }
        Err(problems) => Err(ApiError::Validation {
            code: "csv_invalid".into(),
            detail: format!("{} problem(s) in the file; nothing was imported", problems.len()),
            errors: serde_json::to_value(problems).ok(),
        }),
    }
}
