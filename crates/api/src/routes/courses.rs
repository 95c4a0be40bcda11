use std::path::PathBuf;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use lentera_accounts::{Role, UserId};
use lentera_storage::accounts;
use lentera_storage::courses::{self, CatalogQuery, CourseDetail, CourseSummary, Viewer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::blocking;
use crate::course_import::{self, CheckOutput, ImportError, Importer};
use crate::lesson_cache::CachedLesson;
use crate::{ApiError, AppState, AuthUser};

fn viewer(user: &AuthUser) -> Viewer {
    Viewer { user_id: user.id(), sees_hidden: user.principal.hr_scope().is_some() }
}

fn not_found_course(e: ApiError) -> ApiError {
    if matches!(e, ApiError::NotFound { .. }) { ApiError::NotFound { what: "course" } } else { e }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogParams {
    /// Words to search for in titles, summaries, tags and lesson titles (Indonesian or English; prefixes match).
    pub q: Option<String>,
    pub category: Option<String>,
    /// `dasar`, `menengah` or `lanjut`.
    pub level: Option<String>,
    /// `id` or `en`.
    pub language: Option<String>,
    pub jp_min: Option<f64>,
    pub jp_max: Option<f64>,
    /// Only courses assigned to me as required.
    #[serde(default)]
    pub required_for_me: bool,
    /// Only courses I am enrolled in.
    #[serde(default)]
    pub mine: bool,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoursePage {
    pub items: Vec<CourseSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The course catalogue: search, filters and paging.
#[utoipa::path(tag = "courses", params(CatalogParams), responses((status = 200, body = CoursePage)), security(("bearer" = [])))]
#[get("/courses")]
pub async fn catalog(state: web::Data<AppState>, user: AuthUser, params: web::Query<CatalogParams>) -> Result<web::Json<CoursePage>, ApiError> {
    let p = params.into_inner();
    let per_page = p.per_page.unwrap_or(24).clamp(1, 100);
    let page = p.page.unwrap_or(1).max(1);
    let query = CatalogQuery {
        q: p.q,
        category: p.category,
        level: p.level,
        language: p.language,
        jp_min: p.jp_min,
        jp_max: p.jp_max,
        required_for_me: p.required_for_me,
        mine: p.mine,
    };
    let v = viewer(&user);
    let st = state.clone();
    let (items, total) = blocking(move || {
        let offset = (page - 1) * per_page;
        // Searches without per-user filters are the same for everyone who sees the same courses:
        // such a page is shared (and cached); only the viewer's own enrolments are added to it.
        let shared = !query.mine && !query.required_for_me && (v.sees_hidden || !st.db.read(|c| courses::sees_some_hidden_course(c, v.user_id))?);
        if !shared {
            return Ok(st.db.read(|c| courses::list_courses(c, &v, &query, offset, per_page))?);
        }
        let key = format!("{}|{offset}|{per_page}|{query:?}", v.sees_hidden);
        let page = st.catalogue.get_or_compute(key, || {
            let anyone = courses::Viewer { user_id: UserId(uuid::Uuid::nil()), sees_hidden: v.sees_hidden };
            Ok::<_, ApiError>(Arc::new(st.db.read(|c| courses::list_courses(c, &anyone, &query, offset, per_page))?))
        })?;
        let (mut items, total) = (page.0.clone(), page.1);
        st.db.read(|c| courses::attach_enrolments(c, v.user_id, &mut items))?;
        Ok((items, total))
    })
    .await?;
    Ok(web::Json(CoursePage { items, total, page, per_page }))
}

/// A course with its syllabus (modules and lessons), files and my enrolment.
#[utoipa::path(tag = "courses", responses((status = 200, body = CourseDetail), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/courses/{slug}")]
pub async fn detail(state: web::Data<AppState>, user: AuthUser, slug: web::Path<String>) -> Result<web::Json<CourseDetail>, ApiError> {
    let v = viewer(&user);
    let db = state.db.clone();
    let d = blocking(move || Ok(db.read(|c| courses::course_detail(c, &v, &slug))?)).await.map_err(not_found_course)?;
    Ok(web::Json(d))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// Enrol someone else (instructors of the course, hr within their scope, admins).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub user_id: Option<UserId>,
    /// Mark the course as required for that learner.
    #[serde(default)]
    pub required: bool,
    pub due_at: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolResponse {
    pub enrolled: bool,
    /// False when the learner was already enrolled (the request changed nothing).
    pub changed: bool,
}

/// Enrol in a course: oneself where the course allows self-enrolment, or another learner.
#[utoipa::path(tag = "courses", request_body(content = Option<EnrolRequest>), responses((status = 200, body = EnrolResponse), (status = 403, description = "enrolment_closed, forbidden or out_of_scope", body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/courses/{slug}/enrol")]
pub async fn enrol(
    state: web::Data<AppState>,
    user: AuthUser,
    slug: web::Path<String>,
    body: Option<web::Json<EnrolRequest>>,
) -> Result<web::Json<EnrolResponse>, ApiError> {
    let body = body.map(|b| b.into_inner()).unwrap_or_default();
    let db = state.db.clone();
    let principal = user.principal.clone();
    let changed = blocking(move || {
        let course = db.read(|c| courses::course_by_slug(c, &slug)).map_err(|e| not_found_course(e.into()))?;
        let target = body.user_id.unwrap_or(principal.user_id);
        let by_other = target != principal.user_id;
        if by_other {
            let instructs = db.read(|c| courses::is_instructor(c, &course.id, principal.user_id))?;
            let target_opd = db.read(|c| accounts::get_user(c, target)).map_err(|_| ApiError::NotFound { what: "user" })?.opd.map(|o| o.id);
            let hr_ok = principal.hr_scope().is_some_and(|s| s.covers(target_opd));
            if !(instructs || hr_ok || principal.is_admin()) {
                return Err(if principal.hr_scope().is_some() { ApiError::out_of_scope() } else { ApiError::forbidden() });
            }
        } else if course.visibility != "public" || !course.self_enrol {
            return Err(ApiError::Forbidden { code: "enrolment_closed", detail: "this course does not take self-enrolment; ask your instructor or HR" });
        }
        if course.current_version_id.is_none() {
            return Err(ApiError::NotFound { what: "course" });
        }
        let required = by_other && body.required;
        Ok(db.write(|c| courses::enrol(c, &course.id, target, by_other.then_some(principal.user_id), required, body.due_at))?)
    })
    .await?;
    Ok(web::Json(EnrolResponse { enrolled: true, changed }))
}

/// Leave a course. Progress and any completion are kept.
#[utoipa::path(tag = "courses", responses((status = 204), (status = 404, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[delete("/courses/{slug}/enrolment")]
pub async fn unenrol(state: web::Data<AppState>, user: AuthUser, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let me = user.id();
    blocking(move || {
        let course = db.read(|c| courses::course_by_slug(c, &slug)).map_err(|e| not_found_course(e.into()))?;
        db.write(|c| courses::unenrol(c, &course.id, me)).map_err(|e| match e {
            lentera_storage::StorageError::NotFound => ApiError::NotFound { what: "enrolment" },
            other => other.into(),
        })
    })
    .await?;
    state.course_access.invalidate();
    Ok(HttpResponse::NoContent().finish())
}

/// May `user` read the lessons of `course_id`? Enrolled learners, its instructors, hr and admins.
pub(crate) fn may_read(db: &lentera_storage::Db, course_id: &str, user: &AuthUser) -> Result<bool, ApiError> {
    if user.principal.hr_scope().is_some() {
        return Ok(true);
    }
    Ok(db.read(|c| Ok(courses::is_enrolled(c, course_id, user.id())? || courses::is_instructor(c, course_id, user.id())?))?)
}

/// A lesson's rendered HTML, table of contents and neighbours (enrolled learners).
#[utoipa::path(tag = "courses", responses((status = 200, body = courses::LessonView), (status = 304), (status = 403, description = "not_enrolled", body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[get("/courses/{slug}/lessons/{lesson}")]
pub async fn lesson(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    let (slug, key) = path.into_inner();
    // The common case needs no database: access checked moments ago, the body cached (a version
    // never changes, so a cached body is never stale).
    let access_key = (user.id(), slug);
    let known = state.course_access.get(&access_key).and_then(|version| state.lessons.get(&version, &key));
    let cached = match known {
        Some(hit) => hit,
        None => {
            let st = state.clone();
            blocking(move || {
                let epoch = st.course_access.epoch();
                let (course, member) = st.db.read(|c| courses::course_access(c, &access_key.1, user.id())).map_err(|e| not_found_course(e.into()))?;
                if !member && user.principal.hr_scope().is_none() {
                    return Err(ApiError::Forbidden { code: "not_enrolled", detail: "enrol in the course to read its lessons" });
                }
                let version = course.current_version_id.ok_or(ApiError::NotFound { what: "lesson" })?;
                st.course_access.insert(access_key, version.clone(), epoch);
                if let Some(hit) = st.lessons.get(&version, &key) {
                    return Ok(hit);
                }
                let view = st.db.read(|c| courses::lesson_in_version(c, &version, &key)).map_err(|e| match e {
                    lentera_storage::StorageError::NotFound => ApiError::NotFound { what: "lesson" },
                    other => other.into(),
                })?;
                let etag = format!("\"{}\"", &view.content_hash[..32.min(view.content_hash.len())]);
                let body = serde_json::to_vec(&view).map_err(|e| ApiError::Internal(e.to_string()))?;
                Ok(st.lessons.insert(&version, &key, CachedLesson { body: body.into(), etag }))
            })
            .await?
        }
    };
    if req.headers().get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == cached.etag.as_bytes()) {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, cached.etag.clone())).finish());
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, cached.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(cached.body.clone()))
}

/// A course file (image, attachment) by its SHA-256. Files are immutable and addressed by their
/// content, so the URL itself is the capability: no login (an `<img>` sends no token).
#[utoipa::path(tag = "courses", responses((status = 200, description = "the file"), (status = 304), (status = 404, body = crate::Problem, content_type = "application/problem+json")))]
#[get("/assets/{sha256}")]
pub async fn asset(req: HttpRequest, state: web::Data<AppState>, sha: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let sha = sha.into_inner();
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::NotFound { what: "file" });
    }
    let etag = format!("\"{sha}\"");
    if req.headers().get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .finish());
    }
    let db = state.db.clone();
    let key = sha.to_lowercase();
    let (media_type, data) = blocking(move || Ok(db.read(|c| courses::asset(c, &key))?)).await.map_err(|e| match e {
        ApiError::NotFound { .. } => ApiError::NotFound { what: "file" },
        other => other,
    })?;
    let mut res = HttpResponse::Ok();
    res.content_type(media_type.clone())
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // An SVG or HTML file could carry script: never let it run in our origin.
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"));
    let inline = media_type.starts_with("image/") || media_type == "application/pdf" || media_type.starts_with("video/") || media_type.starts_with("audio/");
    if !inline {
        res.insert_header((header::CONTENT_DISPOSITION, "attachment"));
    }
    Ok(res.body(data))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// `zip` or `tar.gz` (default: from Content-Type).
    pub format: Option<String>,
    /// Check only; import nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadResponse {
    pub check: CheckOutput,
    pub import: Option<lentera_storage::courses::ImportResult>,
}

fn course_problems(outputs: Vec<CheckOutput>) -> ApiError {
    let problems: Vec<_> = outputs.iter().flat_map(|o| o.problems.iter().cloned()).collect();
    let errors = problems.iter().filter(|p| p.severity == "error").count();
    ApiError::Validation {
        code: "course_invalid".into(),
        detail: format!("{errors} error(s) in the course; nothing was imported"),
        errors: serde_json::to_value(problems).ok(),
    }
}

pub(crate) fn import_error(e: ImportError) -> ApiError {
    match e {
        ImportError::Invalid(outputs) => course_problems(outputs),
        ImportError::DuplicateSlug(s) => ApiError::validation("duplicate_slug", format!("two folders have the slug {s:?}")),
        ImportError::NotInstructor(_) => ApiError::Forbidden { code: "not_course_instructor", detail: "a course with this slug exists and you are not one of its instructors" },
        ImportError::Storage(s) => s.into(),
    }
}

fn importer(user: &AuthUser) -> Result<Importer, ApiError> {
    if !(user.principal.has(Role::Instructor) || user.principal.is_admin()) {
        return Err(ApiError::forbidden());
    }
    Ok(Importer::User { id: user.id(), is_admin: user.principal.is_admin() })
}

/// Upload a course folder as a `.zip` or `.tar.gz`: checked, then imported in one transaction
/// (a new version if the slug exists). Problems come back with file, line and column.
#[utoipa::path(
    tag = "courses",
    params(UploadParams),
    request_body(content = Vec<u8>, content_type = "application/zip"),
    responses(
        (status = 200, body = UploadResponse),
        (status = 413, body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "course_invalid (errors: [{file, line, column, code, severity, message}]) or archive_*", body = crate::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/courses/import")]
pub async fn upload(req: HttpRequest, state: web::Data<AppState>, user: AuthUser, params: web::Query<UploadParams>, payload: web::Payload) -> Result<web::Json<UploadResponse>, ApiError> {
    let who = importer(&user)?;
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let kind = match params.format.as_deref() {
        Some("zip") => lentera_content::ArchiveKind::Zip,
        Some("tar.gz") | Some("tgz") => lentera_content::ArchiveKind::TarGz,
        Some(other) => return Err(ApiError::validation("unknown_archive_format", format!("format must be zip or tar.gz, got {other:?}"))),
        None if ct.contains("zip") => lentera_content::ArchiveKind::Zip,
        None if ct.contains("gzip") || ct.contains("x-tar") => lentera_content::ArchiveKind::TarGz,
        None => return Err(ApiError::UnsupportedMediaType { expected: "application/zip or application/gzip" }),
    };
    let body = super::read_limited(payload, state.config.upload_limit).await?;
    let db = state.db.clone();
    let dry_run = params.dry_run;
    let result = blocking(move || {
        let tmp = tempfile::tempdir().map_err(|e| ApiError::Internal(e.to_string()))?;
        let root = lentera_content::extract_archive(&body, kind, tmp.path(), &lentera_content::Limits::default()).map_err(|e| {
            if e.is_client_error() { ApiError::validation(e.code(), e.to_string()) } else { ApiError::Internal(e.to_string()) }
        })?;
        let checked = course_import::check_dir(&root);
        let mut check = checked.output;
        check.path = String::new();
        if !check.ok {
            return Err(course_problems(vec![check]));
        }
        if dry_run {
            return Ok(UploadResponse { check, import: None });
        }
        let results = course_import::import_dirs(&db, &[root], who, "upload").map_err(import_error)?;
        Ok(UploadResponse { check, import: results.into_iter().next() })
    })
    .await?;
    // Readers and the catalogue move to the new version at once.
    state.courses_changed();
    Ok(web::Json(result))
}

/// May `user` author `course_id`?
fn require_author(db: &lentera_storage::Db, course_id: &str, user: &AuthUser) -> Result<(), ApiError> {
    if user.principal.is_admin() || db.read(|c| courses::is_instructor(c, course_id, user.id()))? {
        Ok(())
    } else {
        Err(ApiError::Forbidden { code: "not_course_instructor", detail: "only the course's instructors may edit it" })
    }
}

/// Writes the current version's files into a temporary folder (the editor's working copy).
fn materialise(db: &lentera_storage::Db, course_id: &str) -> Result<(tempfile::TempDir, PathBuf), ApiError> {
    let files = db.read(|c| courses::version_sources(c, course_id))?;
    let tmp = tempfile::tempdir().map_err(|e| ApiError::Internal(e.to_string()))?;
    let root = tmp.path().join("course");
    for (path, bytes) in files {
        let target = safe_join(&root, &path)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ApiError::Internal(e.to_string()))?;
        }
        std::fs::write(&target, bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    Ok((tmp, root))
}

fn safe_join(root: &std::path::Path, rel: &str) -> Result<PathBuf, ApiError> {
    let bad = || ApiError::validation("invalid_path", format!("{rel:?} is not a path inside the course"));
    if rel.is_empty() || rel.starts_with('/') || rel.contains('\\') || rel.split('/').any(|c| c.is_empty() || c == "." || c == ".." || c.starts_with('.')) {
        return Err(bad());
    }
    Ok(root.join(rel))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceFileView {
    pub path: String,
    /// UTF-8 text of the file (lessons, manifests, quizzes); binary files are listed without it.
    pub text: Option<String>,
    pub size: usize,
}

/// The course's source files, for the in-browser editor (instructors of the course).
#[utoipa::path(tag = "authoring", responses((status = 200, body = Vec<SourceFileView>)), security(("bearer" = [])))]
#[get("/courses/{slug}/source")]
pub async fn source(state: web::Data<AppState>, user: AuthUser, slug: web::Path<String>) -> Result<web::Json<Vec<SourceFileView>>, ApiError> {
    let db = state.db.clone();
    let files = blocking(move || {
        let course = db.read(|c| courses::course_by_slug(c, &slug)).map_err(|e| not_found_course(e.into()))?;
        require_author(&db, &course.id, &user)?;
        Ok(db.read(|c| courses::version_sources(c, &course.id))?)
    })
    .await?;
    Ok(web::Json(
        files
            .into_iter()
            .map(|(path, bytes)| {
                let textual = path.ends_with(".md") || path.ends_with(".toml") || path.ends_with(".gift") || path.ends_with(".txt");
                let size = bytes.len();
                SourceFileView { text: if textual { String::from_utf8(bytes).ok() } else { None }, path, size }
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// Course-relative path of the lesson file (relative links resolve from its folder).
    pub path: String,
    /// The whole lesson file: front matter and Markdown.
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewResponse {
    pub title: Option<String>,
    pub html: String,
    pub toc: Vec<lentera_content::TocEntry>,
    pub reading_minutes: u32,
    pub problems: Vec<course_import::CourseProblem>,
}

/// Render a lesson exactly as publishing would, without saving it (live preview).
#[utoipa::path(tag = "authoring", request_body = PreviewRequest, responses((status = 200, body = PreviewResponse)), security(("bearer" = [])))]
#[post("/courses/{slug}/preview")]
pub async fn preview(state: web::Data<AppState>, user: AuthUser, slug: web::Path<String>, body: web::Json<PreviewRequest>) -> Result<web::Json<PreviewResponse>, ApiError> {
    let db = state.db.clone();
    let body = body.into_inner();
    let out = blocking(move || {
        let course = db.read(|c| courses::course_by_slug(c, &slug)).map_err(|e| not_found_course(e.into()))?;
        require_author(&db, &course.id, &user)?;
        let (_tmp, root) = materialise(&db, &course.id)?;
        safe_join(&root, &body.path)?;
        let report = lentera_content::load_course_dir(&root);
        let ctx = match &report.course {
            Some(b) => b.render_context(lentera_content::DEFAULT_ASSET_BASE),
            None => lentera_content::RenderContext::new(&course.slug, lentera_content::DEFAULT_ASSET_BASE),
        };
        let mut ctx = ctx;
        ctx.lesson_path = body.path.clone();
        let p = lentera_content::preview_lesson(&body.source, &ctx);
        Ok(PreviewResponse {
            title: p.title,
            html: p.rendered.html,
            toc: p.rendered.toc,
            reading_minutes: p.rendered.reading_minutes,
            problems: p
                .rendered
                .problems
                .iter()
                .map(|x| course_import::CourseProblem {
                    file: x.file.clone(),
                    line: x.line,
                    column: x.column,
                    code: x.code.as_str().into(),
                    severity: if x.is_error() { "error".into() } else { "warning".into() },
                    message: x.message.clone(),
                })
                .collect(),
        })
    })
    .await?;
    Ok(web::Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// Files to create or replace: course-relative path → full text (lessons, module.toml to
    /// reorder, course.toml, quizzes).
    #[serde(default)]
    pub files: std::collections::BTreeMap<String, String>,
    /// Files to remove (e.g. a lesson). Its learners' progress is archived, not deleted.
    #[serde(default)]
    pub delete: Vec<String>,
}

/// Publish edits made in the browser as a new version, through the same check and import as an
/// upload. Learners keep progress on unchanged lessons.
#[utoipa::path(tag = "authoring", request_body = PublishRequest, responses((status = 200, body = UploadResponse), (status = 422, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/courses/{slug}/publish")]
pub async fn publish(state: web::Data<AppState>, user: AuthUser, slug: web::Path<String>, body: web::Json<PublishRequest>) -> Result<web::Json<UploadResponse>, ApiError> {
    let who = importer(&user)?;
    let db = state.db.clone();
    let body = body.into_inner();
    let out = blocking(move || {
        let course = db.read(|c| courses::course_by_slug(c, &slug)).map_err(|e| not_found_course(e.into()))?;
        require_author(&db, &course.id, &user)?;
        let (_tmp, root) = materialise(&db, &course.id)?;
        for path in &body.delete {
            let target = safe_join(&root, path)?;
            std::fs::remove_file(&target).map_err(|_| ApiError::validation("unknown_file", format!("{path} is not a file of the course")))?;
        }
        for (path, text) in &body.files {
            let target = safe_join(&root, path)?;
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| ApiError::Internal(e.to_string()))?;
            }
            std::fs::write(&target, text).map_err(|e| ApiError::Internal(e.to_string()))?;
        }
        let checked = course_import::check_dir(&root);
        let mut check = checked.output;
        check.path = String::new();
        if !check.ok {
            return Err(course_problems(vec![check]));
        }
        if check.slug.as_deref() != Some(course.slug.as_str()) {
            return Err(ApiError::validation("slug_changed", "publishing cannot change a course's slug"));
        }
        let results = course_import::import_dirs(&db, &[root], who, "editor").map_err(import_error)?;
        Ok(UploadResponse { check, import: results.into_iter().next() })
    })
    .await?;
    state.courses_changed();
    Ok(web::Json(out))
}
