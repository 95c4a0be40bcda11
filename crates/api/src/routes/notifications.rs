//! Notifications: the in-app list, e-mail settings, password reset by e-mail, and the admin's
//! view of the outbox and the message templates.

use std::collections::BTreeMap;
use std::net::IpAddr;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::TimeDelta;
use lentera_accounts::{Language, UserId, check_password_policy};
use lentera_programmes::notify::{check_template, default_template, render_in_app, sample_params};
use lentera_programmes::{NotificationKind, RenderInput, Template};
use lentera_storage::notifications::{self as store, OutboxView};
use lentera_storage::{StorageError, accounts, now, tokens};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::blocking;
use crate::auth::{random_token, token_hash};
use crate::{ApiError, AppState, AuthUser};

/// How long a password reset link works.
pub const RESET_TTL: TimeDelta = TimeDelta::hours(1);
/// At most one reset e-mail per account in this time, however often it is asked for.
pub const RESET_QUIET: TimeDelta = TimeDelta::minutes(2);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only unread ones.
    #[serde(default)]
    pub unread: bool,
    pub page: Option<i64>,
    /// At most 100.
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    /// `programme_assigned`, `deadline_approaching`, `overdue`, `course_completed`,
    /// `programme_completed`, `external_training_approved`, `external_training_rejected`,
    /// `certification_expiring`.
    pub kind: String,
    /// In the user's language.
    pub title: String,
    pub body: String,
    /// Where it leads in the web app (a path).
    pub link: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub read_at: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    pub total: i64,
    /// Unread, whatever the filter (for the badge).
    pub unread: i64,
    pub page: i64,
    pub per_page: i64,
}

fn templates_for(overrides: &[store::TemplateOverride], kind: NotificationKind, language: Language) -> Template {
    overrides
        .iter()
        .find(|o| o.kind == kind && o.language == language)
        .map(|o| o.template.clone())
        .unwrap_or_else(|| default_template(kind, language))
}

/// My notifications, newest first, with the unread count.
#[utoipa::path(tag = "notifications", params(ListQuery), responses((status = 200, body = NotificationPage)), security(("bearer" = [])))]
#[get("/me/notifications")]
pub async fn my_notifications(state: web::Data<AppState>, user: AuthUser, query: web::Query<ListQuery>) -> Result<web::Json<NotificationPage>, ApiError> {
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100);
    let page = query.page.unwrap_or(1).max(1);
    let unread_only = query.unread;
    let db = state.db.clone();
    let me = user.id();
    let (records, total, unread, overrides, language, name) = blocking(move || {
        Ok(db.read(|c| {
            let (records, total, unread) = store::list_notifications(c, me, unread_only, (page - 1) * per_page, per_page)?;
            let account = accounts::get_user(c, me)?;
            Ok((records, total, unread, store::template_overrides(c)?, account.language, account.name))
        })?)
    })
    .await?;
    let items = records
        .into_iter()
        .map(|r| {
            let template = templates_for(&overrides, r.kind, language);
            let input = RenderInput { kind: r.kind, language, recipient: &name, base_url: "", params: &r.params };
            let (title, body) = render_in_app(&template, &input)
                .or_else(|_| render_in_app(&default_template(r.kind, language), &input))
                .map_err(|e| ApiError::Internal(format!("template {}: {e}", r.kind)))?;
            Ok(NotificationView {
                id: r.id,
                kind: r.kind.as_str().to_string(),
                title,
                body,
                link: r.params.get("link").and_then(|l| l.as_str()).map(str::to_string),
                created_at: r.created_at,
                read_at: r.read_at,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(web::Json(NotificationPage { items, total, unread, page, per_page }))
}

/// Mark one of my notifications read.
#[utoipa::path(tag = "notifications", responses((status = 204), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/me/notifications/{id}/read")]
pub async fn mark_notification_read(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let me = user.id();
    blocking(move || {
        db.write(|c| store::mark_read(c, me, &id, now())).map_err(|e| match e {
            StorageError::NotFound => ApiError::NotFound { what: "notification" },
            other => other.into(),
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    pub marked: usize,
}

/// Mark all my notifications read.
#[utoipa::path(tag = "notifications", responses((status = 200, body = MarkedRead)), security(("bearer" = [])))]
#[post("/me/notifications/read-all")]
pub async fn mark_all_notifications_read(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<MarkedRead>, ApiError> {
    let db = state.db.clone();
    let me = user.id();
    let marked = blocking(move || Ok(db.write(|c| store::mark_all_read(c, me, now()))?)).await?;
    Ok(web::Json(MarkedRead { marked }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSettings {
    /// Per kind: are e-mails sent? (in-app notifications always are)
    pub email: BTreeMap<NotificationKind, bool>,
    /// Kinds whose e-mails cannot be turned off.
    #[schema(value_type = Vec<String>)]
    pub essential: Vec<NotificationKind>,
}

fn settings_view(email: BTreeMap<NotificationKind, bool>) -> NotificationSettings {
    NotificationSettings { email, essential: NotificationKind::ALL.into_iter().filter(|k| k.essential()).collect() }
}

/// My e-mail choices.
#[utoipa::path(tag = "notifications", responses((status = 200, body = NotificationSettings)), security(("bearer" = [])))]
#[get("/me/notification-settings")]
pub async fn notification_settings(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<NotificationSettings>, ApiError> {
    let db = state.db.clone();
    let me = user.id();
    let email = blocking(move || Ok(db.read(|c| store::email_settings(c, me))?)).await?;
    Ok(web::Json(settings_view(email)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    /// Kinds to turn on (`true`) or off (`false`), e.g. `{"deadline_approaching": false}`.
    pub email: BTreeMap<String, bool>,
}

/// Turn non-essential e-mails off or on.
#[utoipa::path(
    tag = "notifications",
    request_body = UpdateSettings,
    responses(
        (status = 200, body = NotificationSettings),
        (status = 422, description = "unknown_notification_kind, notification_essential", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/me/notification-settings")]
pub async fn update_notification_settings(state: web::Data<AppState>, user: AuthUser, body: web::Json<UpdateSettings>) -> Result<web::Json<NotificationSettings>, ApiError> {
    let mut choices = Vec::new();
    for (name, on) in &body.email {
        let kind: NotificationKind = name.parse().map_err(|e| ApiError::validation("unknown_notification_kind", e))?;
        if kind.essential() && !on {
            return Err(ApiError::validation("notification_essential", format!("{kind} e-mails cannot be turned off")));
        }
        choices.push((kind, *on));
    }
    let db = state.db.clone();
    let me = user.id();
    let email = blocking(move || {
        Ok(db.write(|c| {
            store::set_email_settings(c, me, &choices, now())?;
            store::email_settings(c, me)
        })?)
    })
    .await?;
    Ok(web::Json(settings_view(email)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequest {
    /// NIP or e-mail address.
    pub login: String,
}

fn client_ip(req: &HttpRequest, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        req.connection_info().realip_remote_addr().and_then(|s| s.parse().ok())
    } else {
        req.peer_addr().map(|a| a.ip())
    }
}

/// Ask for a password reset link by e-mail. Always 202, whether or not the login names an
/// account, so the answer reveals nothing; the link works once, for an hour.
#[utoipa::path(tag = "auth", request_body = ResetRequest, responses((status = 202)))]
#[post("/auth/password-reset")]
pub async fn password_reset(req: HttpRequest, state: web::Data<AppState>, body: web::Json<ResetRequest>) -> Result<HttpResponse, ApiError> {
    let login = body.into_inner().login;
    let ip = client_ip(&req, state.config.trust_proxy);
    // Limited like logins (per account and per IP); over the limit nothing is sent, and the
    // answer is the same.
    if state.login_limiter.check(&format!("reset:{login}"), ip).is_ok() {
        let db = state.db.clone();
        let result = blocking(move || {
            let Some(account) = db.read(|c| accounts::find_login(c, &login))? else { return Ok(()) };
            if !account.active {
                return Ok(());
            }
            let token = random_token();
            let at = now();
            let link = format!("/reset-password?token={token}");
            db.write(|c| {
                if store::password_reset_recent(c, account.id, at - RESET_QUIET)? {
                    return Ok(());
                }
                store::create_password_reset(c, account.id, &token_hash(&token), &link, at, at + RESET_TTL)
            })?;
            Ok(())
        })
        .await;
        if let Err(e) = result {
            // Still 202: the caller learns nothing, the log has the cause.
            tracing::error!(error = %e, "password reset request failed");
        }
    }
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetConfirm {
    pub token: String,
    pub new_password: String,
}

/// Set a new password with a reset link's token. The token works once; every login session of
/// the account ends.
#[utoipa::path(
    tag = "auth",
    request_body = ResetConfirm,
    responses(
        (status = 204),
        (status = 422, description = "reset_token_invalid (unknown, used or expired), password_too_short, password_too_long", body = crate::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn password_reset_confirm(state: web::Data<AppState>, body: web::Json<ResetConfirm>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    check_password_policy(&body.new_password).map_err(|e| ApiError::validation(e.code(), e.to_string()))?;
    let st = state.clone();
    let done = blocking(move || {
        // Hash first: the slow part stays outside the write transaction.
        let hash = st.passwords.hash(&body.new_password)?;
        let token = token_hash(body.token.trim());
        Ok(st.db.write(|c| {
            let Some(user) = store::spend_password_reset(c, &token, now())? else { return Ok(None) };
            if !accounts::auth_facts(c, user)?.is_some_and(|f| f.active) {
                return Ok(None);
            }
            accounts::set_password_hash(c, user, &hash)?;
            tokens::revoke_user(c, user, None)?;
            Ok(Some(user))
        })?)
    })
    .await?;
    match done {
        Some(user) => {
            state.sessions.invalidate();
            tracing::info!(user = %user, "password reset");
            Ok(HttpResponse::NoContent().finish())
        }
        None => Err(ApiError::validation("reset_token_invalid", "this reset link is unknown, already used or expired; ask for a new one")),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `pending`, `sent`, `failed` or `skipped`.
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxPage {
    pub items: Vec<OutboxView>,
    pub total: i64,
    /// Messages per status, over the whole outbox.
    pub counts: BTreeMap<String, i64>,
    pub page: i64,
    pub per_page: i64,
}

/// The e-mail queue: what waits, what was sent, what failed and why (admin). Message contents
/// are not shown.
#[utoipa::path(tag = "notifications", params(OutboxQuery), responses((status = 200, body = OutboxPage), (status = 403, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/admin/outbox")]
pub async fn admin_outbox(state: web::Data<AppState>, user: AuthUser, query: web::Query<OutboxQuery>) -> Result<web::Json<OutboxPage>, ApiError> {
    user.require_admin()?;
    let q = query.into_inner();
    if q.status.as_deref().is_some_and(|s| ![store::PENDING, store::SENT, store::FAILED, store::SKIPPED].contains(&s)) {
        return Err(ApiError::BadRequest { code: "invalid_query", detail: "status is pending, sent, failed or skipped".into() });
    }
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).max(1);
    let db = state.db.clone();
    let (items, total, counts) =
        blocking(move || Ok(db.read(|c| store::list_outbox(c, q.status.as_deref(), (page - 1) * per_page, per_page))?)).await?;
    Ok(web::Json(OutboxPage { items, total, counts, page, per_page }))
}

/// Put a failed message back in the queue (admin).
#[utoipa::path(
    tag = "notifications",
    responses((status = 204), (status = 404, body = crate::Problem, content_type = "application/problem+json"), (status = 409, description = "not_failed", body = crate::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/admin/outbox/{id}/retry")]
pub async fn admin_outbox_retry(state: web::Data<AppState>, user: AuthUser, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    user.require_admin()?;
    let db = state.db.clone();
    let retried = blocking(move || {
        db.write(|c| store::retry_message(c, &id, now())).map_err(|e| match e {
            StorageError::NotFound => ApiError::NotFound { what: "message" },
            other => other.into(),
        })
    })
    .await?;
    if !retried {
        return Err(ApiError::Conflict { code: "not_failed".into(), detail: "only failed messages can be retried".into() });
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    pub kind: String,
    pub language: String,
    pub essential: bool,
    /// What is sent: the override if there is one, otherwise the built-in template.
    pub template: Template,
    pub overridden: bool,
    pub default: Template,
    /// Names the template may use (besides `name`, `url`, `settings_url` and `language`).
    #[schema(value_type = BTreeMap<String, serde_json::Value>)]
    pub sample_params: serde_json::Value,
    pub updated_at: Option<chrono::NaiveDateTime>,
}

/// Every message template, per kind and language (admin).
#[utoipa::path(tag = "notifications", responses((status = 200, body = Vec<TemplateView>)), security(("bearer" = [])))]
#[get("/admin/notification-templates")]
pub async fn admin_templates(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Vec<TemplateView>>, ApiError> {
    user.require_admin()?;
    let db = state.db.clone();
    let overrides = blocking(move || Ok(db.read(store::template_overrides)?)).await?;
    let mut out = Vec::new();
    for kind in NotificationKind::ALL {
        for language in [Language::Id, Language::En] {
            let o = overrides.iter().find(|o| o.kind == kind && o.language == language);
            let default = default_template(kind, language);
            out.push(TemplateView {
                kind: kind.as_str().into(),
                language: language.as_str().into(),
                essential: kind.essential(),
                template: o.map_or_else(|| default.clone(), |o| o.template.clone()),
                overridden: o.is_some(),
                default,
                sample_params: sample_params(kind),
                updated_at: o.map(|o| o.updated_at),
            });
        }
    }
    Ok(web::Json(out))
}

fn template_key(path: (String, String)) -> Result<(NotificationKind, Language), ApiError> {
    let kind = path.0.parse().map_err(|_| ApiError::NotFound { what: "template" })?;
    let language = path.1.parse().map_err(|_| ApiError::NotFound { what: "template" })?;
    Ok((kind, language))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// One line after rendering.
    pub subject: String,
    pub text: String,
    /// The HTML body's content (values are HTML-escaped; the layout and footer are fixed).
    pub html: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplatePreview {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Override a template (admin). It is rendered against sample parameters first: a syntax error
/// or an unknown name is refused with the part and line. Answers with that preview.
#[utoipa::path(
    tag = "notifications",
    request_body = TemplateInput,
    responses(
        (status = 200, body = TemplatePreview),
        (status = 422, description = "template_invalid: `errors` has {part, line, message}", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/admin/notification-templates/{kind}/{language}")]
pub async fn admin_put_template(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: web::Json<TemplateInput>,
) -> Result<web::Json<TemplatePreview>, ApiError> {
    user.require_admin()?;
    let (kind, language) = template_key(path.into_inner())?;
    let body = body.into_inner();
    let template = Template { subject: body.subject, text: body.text, html: body.html };
    if template.subject.len() + template.text.len() + template.html.len() > 64 * 1024 {
        return Err(ApiError::validation("template_too_large", "a template may be at most 64 KiB"));
    }
    let preview = check_template(kind, language, &template).map_err(|e| ApiError::Validation {
        code: "template_invalid".into(),
        detail: e.to_string(),
        errors: serde_json::to_value(vec![e]).ok(),
    })?;
    let db = state.db.clone();
    let by: UserId = user.id();
    blocking(move || Ok(db.write(|c| store::set_template(c, kind, language, &template, by, now()))?)).await?;
    tracing::info!(by = %user.id(), kind = %kind, language = language.as_str(), "notification template changed");
    Ok(web::Json(TemplatePreview { subject: preview.subject, text: preview.text, html: preview.html }))
}

/// Go back to the built-in template (admin).
#[utoipa::path(tag = "notifications", responses((status = 204), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[delete("/admin/notification-templates/{kind}/{language}")]
pub async fn admin_delete_template(state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    user.require_admin()?;
    let (kind, language) = template_key(path.into_inner())?;
    let db = state.db.clone();
    let existed = blocking(move || Ok(db.write(|c| store::delete_template(c, kind, language))?)).await?;
    if !existed {
        return Err(ApiError::NotFound { what: "template override" });
    }
    Ok(HttpResponse::NoContent().finish())
}
