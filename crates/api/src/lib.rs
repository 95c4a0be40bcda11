//! The HTTP API under `/api/v1`: routes, authentication, role and OPD-scope checks,
//! problem+json errors and the generated OpenAPI document.
//!
//! Handlers are thin: extract → authorise → call a storage or domain function (on the blocking
//! pool) → answer JSON. Business rules live in the domain crates.
//!
//! **Architecture Invariant:** this is the only crate that knows actix-web. It writes no SQL.

pub mod auth;
pub mod course_import;
mod docs;
pub mod progress_glue;
pub mod lesson_cache;
pub mod memo;
pub mod ttl_cache;
pub mod reports;
pub mod error;
mod rate_limit;
mod routes;

use std::sync::Arc;

use actix_web::{App, HttpResponse, web};
use lentera_accounts::UserId;
use lentera_storage::Db;
use serde::{Deserialize, Serialize};

pub use auth::{Argon2Config, AuthUser, JwtKeys, PasswordHasherConfig};
pub use error::{ApiError, Problem};
pub use rate_limit::{LoginLimiter, LoginLimits};

/// Settings the API needs; built by the server from the configuration file and environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiConfig {
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_days: i64,
    /// A refresh token presented again within this many seconds of its use is honoured (a page
    /// reloaded mid-refresh); later reuse is treated as theft and ends the session.
    pub refresh_reuse_grace_secs: i64,
    /// Mark the refresh cookie `Secure` (browsers still accept it on http://localhost).
    pub secure_cookies: bool,
    pub argon2: Argon2Config,
    pub login_limits: LoginLimits,
    /// Largest JSON body accepted, in bytes.
    pub json_limit: usize,
    /// Largest upload (CSV, course archive) accepted, in bytes.
    pub upload_limit: usize,
    /// Take the client IP from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// How long, in milliseconds, a server keeps what it read of a session (account active,
    /// roles, session not revoked) and of a learner's access to a course. Changes made through
    /// this server act at once; changes made elsewhere (another server, the CLI) within this
    /// time. 0 reads the database on every request.
    pub session_cache_ms: u64,
    /// How long, in milliseconds, a catalogue page (a search with its filters) is kept and
    /// shared by everyone who sees the same courses. Imports through this server empty it at
    /// once; imports elsewhere (the CLI, another server) show within this time. 0 turns it off.
    pub catalogue_cache_ms: u64,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            refresh_reuse_grace_secs: 10,
            secure_cookies: true,
            argon2: Argon2Config::default(),
            login_limits: LoginLimits::default(),
            json_limit: 256 * 1024,
            upload_limit: 64 * 1024 * 1024,
            trust_proxy: false,
            session_cache_ms: 2000,
            catalogue_cache_ms: 5000,
        }
    }
}

/// A catalogue page as everyone who sees the same courses gets it: (courses, total).
pub type CataloguePage = (Vec<lentera_storage::courses::CourseSummary>, i64);

/// Everything a handler may use; cloned per worker, shared underneath.
pub struct AppState {
    pub db: Db,
    pub config: ApiConfig,
    pub jwt: JwtKeys,
    pub passwords: PasswordHasherConfig,
    pub login_limiter: LoginLimiter,
    pub openapi: Arc<serde_json::Value>,
    /// Rendered lesson bodies by (course version, lesson): 64 MiB at most.
    pub lessons: Arc<lesson_cache::LessonCache>,
    /// Sessions checked recently: (user, session) → who they are now.
    pub sessions: Arc<ttl_cache::TtlCache<(UserId, String), lentera_accounts::Principal>>,
    /// Learners' access to courses checked recently: (user, course slug) → the current version.
    pub course_access: Arc<ttl_cache::TtlCache<(UserId, String), String>>,
    /// Catalogue pages shared by viewers who see the same courses: query → (page, total).
    pub catalogue: Arc<ttl_cache::TtlCache<String, Arc<CataloguePage>>>,
}

impl AppState {
    /// After a course was imported or published here: readers and the catalogue see it at once.
    pub fn courses_changed(&self) {
        self.course_access.invalidate();
        self.catalogue.invalidate();
    }
}

impl AppState {
    pub fn new(db: Db, config: ApiConfig, jwt_secret: &[u8]) -> Result<Self, ApiError> {
        Ok(Self {
            db,
            jwt: JwtKeys::from_secret(jwt_secret),
            passwords: PasswordHasherConfig::new(config.argon2)?,
            login_limiter: LoginLimiter::new(config.login_limits),
            openapi: Arc::new(openapi_json()),
            lessons: Arc::new(lesson_cache::LessonCache::new(64 << 20)),
            sessions: Arc::new(ttl_cache::TtlCache::new(std::time::Duration::from_millis(config.session_cache_ms), 100_000)),
            course_access: Arc::new(ttl_cache::TtlCache::new(std::time::Duration::from_millis(config.session_cache_ms), 100_000)),
            catalogue: Arc::new(ttl_cache::TtlCache::new(std::time::Duration::from_millis(config.catalogue_cache_ms), 10_000)),
            config,
        })
    }
}

/// The OpenAPI document, generated from the handlers' annotations and the Rust types.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure))
        .split_for_parts();
    api.info.title = "Lentera API".into();
    api.info.version = env!("CARGO_PKG_VERSION").into();
    api.info.description = Some(
        "Self-hosted learning platform for Indonesian civil servants (ASN). Every error is \
         application/problem+json with a machine-readable `code`."
            .into(),
    );
    let mut components = api.components.take().unwrap_or_default();
    components.add_security_scheme(
        "bearer",
        utoipa::openapi::security::SecurityScheme::Http(
            utoipa::openapi::security::HttpBuilder::new()
                .scheme(utoipa::openapi::security::HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    use utoipa::PartialSchema;
    components.schemas.insert("Problem".into(), Problem::schema());
    api.components = Some(components);
    api
}

fn openapi_json() -> serde_json::Value {
    serde_json::to_value(openapi()).unwrap_or_default()
}

/// Registers the API, health endpoints and docs on an actix `App` (or a scope of one).
pub fn configure(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let json_limit = state.config.json_limit;
        cfg.app_data(state)
            .app_data(web::JsonConfig::default().limit(json_limit).error_handler(error::extractors::json))
            .app_data(web::QueryConfig::default().error_handler(error::extractors::query))
            .app_data(web::PathConfig::default().error_handler(error::extractors::path))
            .route("/healthz", web::get().to(routes::health::healthz))
            .route("/readyz", web::get().to(routes::health::readyz))
            .route("/api/openapi.json", web::get().to(docs::openapi_json))
            .route("/api/docs", web::get().to(docs::docs_page))
            .service(routes::certificates::verify_page)
            .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure));
    }
}

/// The answer for an unknown path under `/api` (the server's default service routes here).
pub async fn api_not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound { what: "API endpoint" })
}

/// Turns any error response that is not already a problem document (actix's own 404, 405, …)
/// into one, so that every error under `/api` is `application/problem+json`.
pub fn problem_errors<B: actix_web::body::MessageBody + 'static>() -> actix_web::middleware::ErrorHandlers<B> {
    use actix_web::dev::ServiceResponse;
    use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_problem = res
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
        if is_problem || !res.request().path().starts_with("/api") {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let err = match status.as_u16() {
            404 => ApiError::NotFound { what: "API endpoint" },
            405 => ApiError::BadRequest { code: "method_not_allowed", detail: "this endpoint does not take that method".into() },
            413 => ApiError::PayloadTooLarge { limit: 0 },
            415 => ApiError::UnsupportedMediaType { expected: "application/json" },
            s if s >= 500 => ApiError::Internal(format!("unhandled {status}")),
            _ => ApiError::BadRequest { code: "bad_request", detail: status.canonical_reason().unwrap_or("bad request").into() },
        };
        let mut problem = actix_web::ResponseError::error_response(&err);
        *problem.status_mut() = status;
        let (req, _) = res.into_parts();
        Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, problem).map_into_right_body()))
    })
}
