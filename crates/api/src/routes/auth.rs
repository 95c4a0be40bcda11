use std::net::IpAddr;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use lentera_accounts::{Language, UserId, check_password_policy};
use lentera_storage::accounts;
use lentera_storage::tokens::{self, RefreshOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::blocking;
use super::users::UserView;
use crate::auth::{random_token, token_hash};
use crate::{ApiError, AppState, AuthUser};

const REFRESH_COOKIE: &str = "lentera_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// NIP (18 digits, spaces allowed) or e-mail address.
    pub login: String,
    pub password: String,
    /// `true` for the web app: the refresh token goes into an HttpOnly cookie, not the body.
    #[serde(default)]
    pub use_cookie: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Only for API clients; the web app gets it as an HttpOnly cookie instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub user: UserView,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// The refresh token; omit it when it travels in the cookie.
    pub refresh_token: Option<String>,
}

fn client_ip(req: &HttpRequest, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        req.connection_info().realip_remote_addr().and_then(|s| s.parse().ok())
    } else {
        req.peer_addr().map(|a| a.ip())
    }
}

fn refresh_cookie(state: &AppState, value: String, max_age_days: i64) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value)
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(state.config.secure_cookies)
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::days(max_age_days))
        .finish()
}

/// Issues an access token and a new refresh token in `family` (a new family at login).
async fn issue(
    state: &web::Data<AppState>,
    user: UserId,
    family: String,
    use_cookie: bool,
) -> Result<HttpResponse, ApiError> {
    let new_refresh = random_token();
    let hash = token_hash(&new_refresh);
    let expires = lentera_storage::now() + chrono::TimeDelta::days(state.config.refresh_token_ttl_days);
    let db = state.db.clone();
    let fam = family.clone();
    let record = blocking(move || {
        Ok(db.write(|c| {
            tokens::insert_refresh(c, user, &fam, &hash, expires)?;
            accounts::get_user(c, user)
        })?)
    })
    .await?;
    let access = state.jwt.issue(user, &family, state.config.access_token_ttl_secs)?;
    let body = TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: state.config.access_token_ttl_secs,
        refresh_token: (!use_cookie).then(|| new_refresh.clone()),
        user: UserView::from(record),
    };
    let mut res = HttpResponse::Ok();
    res.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    if use_cookie {
        res.cookie(refresh_cookie(state, new_refresh, state.config.refresh_token_ttl_days));
    }
    Ok(res.json(body))
}

/// Log in with NIP or e-mail and password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "invalid_credentials or account_inactive", body = crate::Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited, with Retry-After", body = crate::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    state.login_limiter.check(&body.login, client_ip(&req, state.config.trust_proxy))?;
    let db = state.db.clone();
    let login = body.login.clone();
    let record = blocking(move || Ok(db.read(|c| accounts::find_login(c, &login))?)).await?;
    let st = state.clone();
    let password = body.password;
    let hash = record.as_ref().and_then(|r| r.password_hash.clone());
    let ok = blocking(move || Ok(st.passwords.verify(&password, hash.as_deref()))).await?;
    let Some(record) = record.filter(|_| ok) else {
        tracing::info!("login failed");
        return Err(ApiError::Unauthenticated { code: "invalid_credentials", detail: "wrong login name or password" });
    };
    if !record.active {
        return Err(ApiError::Unauthenticated { code: "account_inactive", detail: "this account has been deactivated" });
    }
    tracing::info!(user = %record.id, "login");
    issue(&state, record.id, uuid::Uuid::new_v4().to_string(), body.use_cookie).await
}

/// Trade a refresh token for a new access token and a new refresh token. Each refresh token
/// works once: presenting a spent one revokes the whole login session.
#[utoipa::path(
    tag = "auth",
    request_body(content = Option<RefreshRequest>),
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "refresh_invalid, refresh_reused or account_inactive", body = crate::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Option<web::Json<RefreshRequest>>,
) -> Result<HttpResponse, ApiError> {
    let from_body = body.and_then(|b| b.into_inner().refresh_token);
    let use_cookie = from_body.is_none();
    let token = from_body
        .or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_string()))
        .ok_or(ApiError::Unauthenticated { code: "refresh_invalid", detail: "no refresh token was sent" })?;
    let hash = token_hash(&token);
    let db = state.db.clone();
    let grace = chrono::TimeDelta::seconds(state.config.refresh_reuse_grace_secs.max(0));
    let outcome = blocking(move || {
        Ok(db.write(|c| {
            let outcome = tokens::spend_refresh(c, &hash, grace)?;
            let active = match &outcome {
                RefreshOutcome::Valid { user_id, .. } => {
                    accounts::auth_facts(c, *user_id)?.is_some_and(|f| f.active)
                }
                _ => false,
            };
            Ok((outcome, active))
        })?)
    })
    .await?;
    match outcome {
        (RefreshOutcome::Valid { user_id, family_id }, true) => issue(&state, user_id, family_id, use_cookie).await,
        (RefreshOutcome::Valid { .. }, false) => {
            Err(ApiError::Unauthenticated { code: "account_inactive", detail: "this account has been deactivated" })
        }
        (RefreshOutcome::Reused { user_id }, _) => {
            state.sessions.invalidate();
            tracing::warn!(user = %user_id, "refresh token reused; session revoked");
            Err(ApiError::Unauthenticated {
                code: "refresh_reused",
                detail: "this refresh token was already used; the session has been ended for safety",
            })
        }
        _ => Err(ApiError::Unauthenticated { code: "refresh_invalid", detail: "the refresh token is unknown, expired or revoked" }),
    }
}

/// End this login session (its refresh tokens and access tokens stop working).
#[utoipa::path(tag = "auth", responses((status = 204)), security(("bearer" = [])))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let family = user.family_id.clone();
    blocking(move || Ok(db.write(|c| tokens::revoke_family(c, &family))?)).await?;
    state.sessions.invalidate();
    let mut gone = refresh_cookie(&state, String::new(), 0);
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

/// The logged-in user.
#[utoipa::path(tag = "auth", responses((status = 200, body = UserView)), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<UserView>, ApiError> {
    let db = state.db.clone();
    let id = user.id();
    let record = blocking(move || Ok(db.read(|c| accounts::get_user(c, id))?)).await?;
    Ok(web::Json(UserView::from(record)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    #[schema(value_type = Option<String>, example = "id")]
    pub language: Option<Language>,
}

/// Change one's own preferences (language).
#[utoipa::path(tag = "auth", request_body = UpdateMe, responses((status = 200, body = UserView)), security(("bearer" = [])))]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<UpdateMe>,
) -> Result<web::Json<UserView>, ApiError> {
    let db = state.db.clone();
    let id = user.id();
    let update = accounts::UserUpdate { language: body.language, ..Default::default() };
    let record = blocking(move || {
        Ok(db.write(|c| {
            accounts::update_user(c, id, &update)?;
            accounts::get_user(c, id)
        })?)
    })
    .await?;
    Ok(web::Json(UserView::from(record)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password. Every other login session ends.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePassword,
    responses(
        (status = 204),
        (status = 403, description = "wrong_password", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "password_too_short / password_too_long", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    check_password_policy(&body.new_password).map_err(|e| ApiError::validation(e.code(), e.to_string()))?;
    state.login_limiter.check(&user.id().to_string(), None)?;
    let st = state.clone();
    let id = user.id();
    let family = user.family_id.clone();
    blocking(move || {
        let current = st.db.read(|c| accounts::password_hash(c, id))?;
        if !st.passwords.verify(&body.current_password, current.as_deref()) {
            return Err(ApiError::Forbidden { code: "wrong_password", detail: "the current password is wrong" });
        }
        let hash = st.passwords.hash(&body.new_password)?;
        Ok(st.db.write(|c| {
            accounts::set_password_hash(c, id, &hash)?;
            tokens::revoke_user(c, id, Some(&family))
        })?)
    })
    .await?;
    state.sessions.invalidate();
    Ok(HttpResponse::NoContent().finish())
}
