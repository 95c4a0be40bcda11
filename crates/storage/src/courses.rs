//! Courses: versions, modules, lessons (rendered once at import), content-addressed files,
//! the catalogue with full-text search, and enrolments.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use lentera_accounts::UserId;
use lentera_content::CourseBundle;
use serde::{Deserialize, Serialize};

use crate::accounts::parse_id;
use crate::schema::{assets, course_instructors, course_modules, course_versions, courses, enrolments, lessons, version_files};
use crate::{AnyConnection, StorageError, now};

fn enum_str<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn json<T: Serialize>(value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// A file of a course version as uploaded: every source file is kept, so a version can be
/// rebuilt, edited in the browser and exported exactly.
pub struct SourceFile {
    pub path: String,
    pub bytes: Vec<u8>,
    pub media_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResult {
    pub course_id: String,
    pub slug: String,
    pub version: i32,
    /// A new course (not a new version of an existing one).
    pub created: bool,
    /// The same content as the current version: nothing was written.
    pub unchanged: bool,
    /// Lessons of the previous version that this version no longer has (kept in the old version).
    pub archived_lessons: Vec<String>,
}

fn store_blobs(conn: &mut AnyConnection, files: &[(String, String, &[u8])]) -> Result<(), StorageError> {
    let hashes: Vec<String> = files.iter().map(|(h, _, _)| h.clone()).collect();
    let mut present: HashSet<String> = HashSet::new();
    for chunk in hashes.chunks(500) {
        let found: Vec<String> = assets::table.filter(assets::sha256.eq_any(chunk)).select(assets::sha256).load(conn)?;
        present.extend(found);
    }
    let at = now();
    for (sha, media, bytes) in files {
        if present.insert(sha.clone()) {
            diesel::insert_into(assets::table)
                .values((
                    assets::sha256.eq(sha),
                    assets::media_type.eq(media),
                    assets::size.eq(bytes.len() as i64),
                    assets::data.eq(*bytes),
                    assets::created_at.eq(at),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The words a course is found by.
fn search_text(bundle: &CourseBundle) -> String {
    let m = &bundle.manifest;
    let mut parts = vec![m.title.clone(), m.summary.clone(), m.category.clone(), m.tags.join(" ")];
    for module in &bundle.modules {
        parts.push(module.title.clone());
        for lesson in &module.lessons {
            parts.push(lesson.title.clone());
        }
    }
    parts.join(" \n ")
}

/// Stores a checked course as a new version (or as a new course) in the caller's transaction.
/// Learners' progress is keyed by the stable lesson ids, so unchanged lessons keep it.
pub fn import_course(
    conn: &mut AnyConnection,
    bundle: &CourseBundle,
    sources: &[SourceFile],
    source: &str,
    by: Option<UserId>,
) -> Result<ImportResult, StorageError> {
    let m = &bundle.manifest;
    let slug = m.slug.as_str().to_string();
    let existing: Option<(String, Option<String>)> = courses::table
        .filter(courses::slug.eq(&slug))
        .select((courses::id, courses::current_version_id))
        .get_result(conn)
        .optional()?;
    let at = now();
    let (course_id, created, previous_version) = match existing {
        Some((id, current)) => (id, false, current),
        None => (uuid::Uuid::now_v7().to_string(), true, None),
    };
    let mut previous_keys: Vec<String> = Vec::new();
    let mut number = 1;
    if let Some(prev) = &previous_version {
        let (prev_number, prev_fp): (i32, String) = course_versions::table
            .find(prev)
            .select((course_versions::number, course_versions::fingerprint))
            .get_result(conn)?;
        if prev_fp == bundle.fingerprint {
            return Ok(ImportResult { course_id, slug, version: prev_number, created: false, unchanged: true, archived_lessons: vec![] });
        }
        number = prev_number + 1;
        previous_keys = lessons::table.filter(lessons::version_id.eq(prev)).select(lessons::lesson_key).load(conn)?;
    }

    let row = (
        courses::title.eq(&m.title),
        courses::summary.eq(&m.summary),
        courses::category.eq(&m.category),
        courses::level.eq(enum_str(&m.level)),
        courses::language.eq(enum_str(&m.language)),
        courses::jp_hundredths.eq((m.jp.as_f64() * 100.0).round() as i64),
        courses::duration_minutes.eq(m.duration_minutes as i32),
        courses::tags.eq(json(&m.tags)?),
        courses::cover_sha256.eq(bundle.cover_sha256.clone()),
        courses::visibility.eq(enum_str(&m.visibility)),
        courses::self_enrol.eq(m.self_enrol),
        courses::completion.eq(json(&m.completion)?),
        courses::search_text.eq(search_text(bundle)),
        courses::lesson_count.eq(bundle.lessons().count() as i32),
        courses::updated_at.eq(at),
    );
    if created {
        diesel::insert_into(courses::table)
            .values((courses::id.eq(&course_id), courses::slug.eq(&slug), courses::created_at.eq(at), row))
            .execute(conn)?;
        if let Some(user) = by {
            diesel::insert_into(course_instructors::table)
                .values((course_instructors::course_id.eq(&course_id), course_instructors::user_id.eq(user.to_string())))
                .execute(conn)?;
        }
    } else {
        diesel::update(courses::table.find(&course_id)).set(row).execute(conn)?;
    }

    let version_id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(course_versions::table)
        .values((
            course_versions::id.eq(&version_id),
            course_versions::course_id.eq(&course_id),
            course_versions::number.eq(number),
            course_versions::fingerprint.eq(&bundle.fingerprint),
            course_versions::manifest.eq(json(m)?),
            course_versions::source.eq(source),
            course_versions::imported_by.eq(by.map(|u| u.to_string())),
            course_versions::created_at.eq(at),
        ))
        .execute(conn)?;

    // Every source file, content-addressed; referenced assets are among them.
    let mut blobs: Vec<(String, String, &[u8])> = Vec::new();
    let mut paths: BTreeMap<String, String> = BTreeMap::new();
    for f in sources {
        let sha = lentera_content::sha256_hex(&f.bytes);
        paths.insert(f.path.clone(), sha.clone());
        blobs.push((sha, f.media_type.clone(), &f.bytes));
    }
    for a in &bundle.assets {
        for p in &a.paths {
            paths.entry(p.clone()).or_insert_with(|| a.sha256.clone());
        }
        blobs.push((a.sha256.clone(), a.media_type.clone(), &a.bytes));
    }
    store_blobs(conn, &blobs)?;
    for (path, sha) in &paths {
        diesel::insert_into(version_files::table)
            .values((version_files::version_id.eq(&version_id), version_files::path.eq(path), version_files::sha256.eq(sha)))
            .execute(conn)?;
    }

    let mut position = 0;
    for (mi, module) in bundle.modules.iter().enumerate() {
        let module_id = uuid::Uuid::now_v7().to_string();
        diesel::insert_into(course_modules::table)
            .values((
                course_modules::id.eq(&module_id),
                course_modules::version_id.eq(&version_id),
                course_modules::module_key.eq(&module.id),
                course_modules::title.eq(&module.title),
                course_modules::summary.eq(&module.summary),
                course_modules::position.eq(mi as i32),
            ))
            .execute(conn)?;
        for lesson in &module.lessons {
            position += 1;
            diesel::insert_into(lessons::table)
                .values((
                    lessons::id.eq(uuid::Uuid::now_v7().to_string()),
                    lessons::version_id.eq(&version_id),
                    lessons::module_id.eq(&module_id),
                    lessons::lesson_key.eq(&lesson.id),
                    lessons::title.eq(&lesson.title),
                    lessons::required.eq(lesson.required),
                    lessons::duration_minutes.eq(lesson.duration_minutes.map(|d| d as i32)),
                    lessons::position.eq(position),
                    lessons::path.eq(&lesson.path),
                    lessons::markdown.eq(&lesson.markdown),
                    lessons::html.eq(&lesson.rendered.html),
                    lessons::toc.eq(json(&lesson.rendered.toc)?),
                    lessons::reading_minutes.eq(lesson.rendered.reading_minutes as i32),
                    lessons::word_count.eq(lesson.rendered.word_count as i32),
                    lessons::content_hash.eq(lentera_content::sha256_hex(lesson.rendered.html.as_bytes())),
                ))
                .execute(conn)?;
        }
    }
    diesel::update(courses::table.find(&course_id)).set(courses::current_version_id.eq(&version_id)).execute(conn)?;
    let current: HashSet<&str> = bundle.lessons().map(|l| l.id.as_str()).collect();
    let archived_lessons = previous_keys.into_iter().filter(|k| !current.contains(k.as_str())).collect();
    Ok(ImportResult { course_id, slug, version: number, created, unchanged: false, archived_lessons })
}

/// Who is looking at the catalogue.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: UserId,
    /// Admins and hr see hidden courses too.
    pub sees_hidden: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CatalogQuery {
    pub q: Option<String>,
    pub category: Option<String>,
    pub level: Option<String>,
    pub language: Option<String>,
    pub jp_min: Option<f64>,
    pub jp_max: Option<f64>,
    /// Only courses the viewer is required to take (assigned to them).
    pub required_for_me: bool,
    /// Only courses the viewer is enrolled in.
    pub mine: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseSummary {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub level: String,
    pub language: String,
    pub jp: f64,
    pub duration_minutes: i32,
    pub tags: Vec<String>,
    pub cover_sha256: Option<String>,
    pub visibility: String,
    pub self_enrol: bool,
    pub lesson_count: i32,
    pub version: i32,
    pub enrolment: Option<EnrolmentSummary>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentSummary {
    pub status: String,
    pub required: bool,
    pub due_at: Option<NaiveDateTime>,
    pub percent_complete: i32,
    pub last_lesson_key: Option<String>,
    pub completed_at: Option<NaiveDateTime>,
}

/// Search words, cleaned to letters and digits so no query syntax reaches the database.
fn search_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect()
}

#[derive(Queryable)]
struct CourseRow {
    id: String,
    slug: String,
    title: String,
    summary: String,
    category: String,
    level: String,
    language: String,
    jp_hundredths: i64,
    duration_minutes: i32,
    tags: String,
    cover_sha256: Option<String>,
    visibility: String,
    self_enrol: bool,
    lesson_count: i32,
    version: Option<i32>,
}

type CourseCols = (
    courses::id,
    courses::slug,
    courses::title,
    courses::summary,
    courses::category,
    courses::level,
    courses::language,
    courses::jp_hundredths,
    courses::duration_minutes,
    courses::tags,
    courses::cover_sha256,
    courses::visibility,
    courses::self_enrol,
    courses::lesson_count,
    diesel::helper_types::Nullable<course_versions::number>,
);

fn course_cols() -> CourseCols {
    (
        courses::id,
        courses::slug,
        courses::title,
        courses::summary,
        courses::category,
        courses::level,
        courses::language,
        courses::jp_hundredths,
        courses::duration_minutes,
        courses::tags,
        courses::cover_sha256,
        courses::visibility,
        courses::self_enrol,
        courses::lesson_count,
        course_versions::number.nullable(),
    )
}

fn summary(r: CourseRow, enrolment: Option<EnrolmentSummary>) -> CourseSummary {
    CourseSummary {
        id: r.id,
        slug: r.slug,
        title: r.title,
        summary: r.summary,
        category: r.category,
        level: r.level,
        language: r.language,
        jp: r.jp_hundredths as f64 / 100.0,
        duration_minutes: r.duration_minutes,
        tags: serde_json::from_str(&r.tags).unwrap_or_default(),
        cover_sha256: r.cover_sha256,
        visibility: r.visibility,
        self_enrol: r.self_enrol,
        lesson_count: r.lesson_count,
        version: r.version.unwrap_or(0),
        enrolment,
    }
}

type EnrolRow = (String, String, bool, Option<NaiveDateTime>, i32, Option<String>, Option<NaiveDateTime>);

fn enrolments_of(conn: &mut AnyConnection, user: UserId, course_ids: &[String]) -> Result<BTreeMap<String, EnrolmentSummary>, StorageError> {
    let rows: Vec<EnrolRow> = enrolments::table
        .filter(enrolments::user_id.eq(user.to_string()))
        .filter(enrolments::course_id.eq_any(course_ids))
        .select((
            enrolments::course_id,
            enrolments::status,
            enrolments::required,
            enrolments::due_at,
            enrolments::percent_complete,
            enrolments::last_lesson_key,
            enrolments::completed_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(course, status, required, due_at, percent_complete, last_lesson_key, completed_at)| {
            (course, EnrolmentSummary { status, required, due_at, percent_complete, last_lesson_key, completed_at })
        })
        .collect())
}

pub fn list_courses(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    q: &CatalogQuery,
    offset: i64,
    limit: i64,
) -> Result<(Vec<CourseSummary>, i64), StorageError> {
    let words = q.q.as_deref().map(search_words).unwrap_or_default();
    let is_sqlite = matches!(conn, AnyConnection::Sqlite(_));
    let me = viewer.user_id.to_string();
    let build = || {
        let mut query = courses::table
            .left_join(course_versions::table.on(courses::current_version_id.eq(course_versions::id.nullable())))
            .filter(courses::current_version_id.is_not_null())
            .into_boxed();
        if !viewer.sees_hidden {
            let instructs = course_instructors::table.filter(course_instructors::user_id.eq(me.clone())).select(course_instructors::course_id);
            let enrolled = enrolments::table.filter(enrolments::user_id.eq(me.clone())).select(enrolments::course_id);
            query = query.filter(
                courses::visibility.ne("hidden").or(courses::id.eq_any(instructs)).or(courses::id.eq_any(enrolled)),
            );
        }
        if !words.is_empty() {
            if is_sqlite {
                let expr = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ");
                query = query.filter(
                    sql::<Bool>("courses.rowid IN (SELECT rowid FROM courses_fts WHERE courses_fts MATCH ")
                        .bind::<Text, _>(expr)
                        .sql(")"),
                );
            } else {
                let expr = words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ");
                query = query.filter(
                    sql::<Bool>("to_tsvector('simple', courses.search_text) @@ to_tsquery('simple', ")
                        .bind::<Text, _>(expr)
                        .sql(")"),
                );
            }
        }
        if let Some(c) = &q.category {
            query = query.filter(courses::category.eq(c.clone()));
        }
        if let Some(l) = &q.level {
            query = query.filter(courses::level.eq(l.clone()));
        }
        if let Some(l) = &q.language {
            query = query.filter(courses::language.eq(l.clone()));
        }
        if let Some(min) = q.jp_min {
            query = query.filter(courses::jp_hundredths.ge((min * 100.0).round() as i64));
        }
        if let Some(max) = q.jp_max {
            query = query.filter(courses::jp_hundredths.le((max * 100.0).round() as i64));
        }
        if q.required_for_me {
            query = query.filter(courses::id.eq_any(
                enrolments::table
                    .filter(enrolments::user_id.eq(me.clone()))
                    .filter(enrolments::status.ne("withdrawn"))
                    .filter(enrolments::required.eq(true))
                    .select(enrolments::course_id),
            ));
        } else if q.mine {
            query = query.filter(courses::id.eq_any(
                enrolments::table
                    .filter(enrolments::user_id.eq(me.clone()))
                    .filter(enrolments::status.ne("withdrawn"))
                    .select(enrolments::course_id),
            ));
        }
        query
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<CourseRow> =
        build().select(course_cols()).order((courses::title.asc(), courses::id.asc())).offset(offset).limit(limit).load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut enrolled = enrolments_of(conn, viewer.user_id, &ids)?;
    Ok((rows.into_iter().map(|r| { let e = enrolled.remove(&r.id); summary(r, e) }).collect(), total))
}

/// The viewer's own enrolments among `course_ids`, attached to catalogue rows read without them
/// (e.g. a shared, cached page).
pub fn attach_enrolments(conn: &mut AnyConnection, user: UserId, rows: &mut [CourseSummary]) -> Result<(), StorageError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut enrolled = enrolments_of(conn, user, &ids)?;
    for r in rows {
        r.enrolment = enrolled.remove(&r.id);
    }
    Ok(())
}

/// Does `user` see a hidden course (one they teach or are enrolled in)? Only such viewers get a
/// catalogue different from everyone else's.
pub fn sees_some_hidden_course(conn: &mut AnyConnection, user: UserId) -> Result<bool, StorageError> {
    let me = user.to_string();
    let instructs = course_instructors::table.filter(course_instructors::user_id.eq(me.clone())).select(course_instructors::course_id);
    let enrolled = enrolments::table.filter(enrolments::user_id.eq(me)).select(enrolments::course_id);
    let n: i64 = courses::table
        .filter(courses::visibility.eq("hidden"))
        .filter(courses::id.eq_any(instructs).or(courses::id.eq_any(enrolled)))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyllabusLesson {
    pub id: String,
    pub title: String,
    pub required: bool,
    pub duration_minutes: Option<i32>,
    pub reading_minutes: i32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyllabusModule {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    pub lessons: Vec<SyllabusLesson>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseFile {
    pub path: String,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseDetail {
    #[serde(flatten)]
    pub course: CourseSummary,
    pub version_id: String,
    /// The completion rules of the course's manifest.
    #[cfg_attr(feature = "openapi", schema(value_type = lentera_content::Completion))]
    pub completion: serde_json::Value,
    pub modules: Vec<SyllabusModule>,
    pub instructors: Vec<String>,
    /// Files in the course that are not lessons, quizzes or manifests: attachments and images.
    pub files: Vec<CourseFile>,
}

/// The course a slug names, with its current version's syllabus, if the viewer may see it.
pub fn course_detail(conn: &mut AnyConnection, viewer: &Viewer, slug: &str) -> Result<CourseDetail, StorageError> {
    let row: CourseRow = courses::table
        .left_join(course_versions::table.on(courses::current_version_id.eq(course_versions::id.nullable())))
        .filter(courses::slug.eq(slug))
        .select(course_cols())
        .get_result(conn)?;
    let (version_id, completion): (Option<String>, String) =
        courses::table.find(&row.id).select((courses::current_version_id, courses::completion)).get_result(conn)?;
    let version_id = version_id.ok_or(StorageError::NotFound)?;
    let instructors: Vec<String> =
        course_instructors::table.filter(course_instructors::course_id.eq(&row.id)).select(course_instructors::user_id).load(conn)?;
    let mut enrolled = enrolments_of(conn, viewer.user_id, std::slice::from_ref(&row.id))?;
    let enrolment = enrolled.remove(&row.id);
    let me = viewer.user_id.to_string();
    if row.visibility == "hidden" && !viewer.sees_hidden && !instructors.contains(&me) && enrolment.is_none() {
        return Err(StorageError::NotFound);
    }
    let module_rows: Vec<(String, String, String, Option<String>)> = course_modules::table
        .filter(course_modules::version_id.eq(&version_id))
        .order(course_modules::position.asc())
        .select((course_modules::id, course_modules::module_key, course_modules::title, course_modules::summary))
        .load(conn)?;
    let lesson_rows: Vec<(String, String, String, bool, Option<i32>, i32)> = lessons::table
        .filter(lessons::version_id.eq(&version_id))
        .order(lessons::position.asc())
        .select((lessons::module_id, lessons::lesson_key, lessons::title, lessons::required, lessons::duration_minutes, lessons::reading_minutes))
        .load(conn)?;
    let modules = module_rows
        .into_iter()
        .map(|(mid, key, title, summary)| SyllabusModule {
            id: key,
            title,
            summary,
            lessons: lesson_rows
                .iter()
                .filter(|l| l.0 == mid)
                .map(|l| SyllabusLesson { id: l.1.clone(), title: l.2.clone(), required: l.3, duration_minutes: l.4, reading_minutes: l.5 })
                .collect(),
        })
        .collect();
    let lesson_paths: HashSet<String> =
        lessons::table.filter(lessons::version_id.eq(&version_id)).select(lessons::path).load::<String>(conn)?.into_iter().collect();
    let file_rows: Vec<(String, String, String, i64)> = version_files::table
        .inner_join(assets::table.on(assets::sha256.eq(version_files::sha256)))
        .filter(version_files::version_id.eq(&version_id))
        .order(version_files::path.asc())
        .select((version_files::path, version_files::sha256, assets::media_type, assets::size))
        .load(conn)?;
    let files = file_rows
        .into_iter()
        .filter(|(p, ..)| {
            let name = p.rsplit('/').next().unwrap_or(p);
            !lesson_paths.contains(p)
                && name != "course.toml"
                && name != "module.toml"
                && lentera_content::QuizFormat::detect(name).is_none()
        })
        .map(|(path, sha256, media_type, size)| CourseFile { path, sha256, media_type, size })
        .collect();
    Ok(CourseDetail {
        course: summary(row, enrolment),
        version_id,
        completion: serde_json::from_str(&completion).unwrap_or(serde_json::Value::Null),
        modules,
        instructors,
        files,
    })
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonView {
    pub id: String,
    pub title: String,
    pub module_id: String,
    pub module_title: String,
    pub required: bool,
    pub html: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<lentera_content::TocEntry>))]
    pub toc: serde_json::Value,
    pub reading_minutes: i32,
    pub word_count: i32,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub position: i32,
    pub count: i32,
    /// Changes whenever the stored HTML changes (an ETag for clients).
    pub content_hash: String,
}

/// A lesson of the course's current version.
pub fn lesson(conn: &mut AnyConnection, course_id: &str, key: &str) -> Result<LessonView, StorageError> {
    let version: Option<String> = courses::table.find(course_id).select(courses::current_version_id).get_result(conn)?;
    lesson_in_version(conn, &version.ok_or(StorageError::NotFound)?, key)
}

/// A lesson of one (immutable) course version, with its neighbours by position.
pub fn lesson_in_version(conn: &mut AnyConnection, version: &str, key: &str) -> Result<LessonView, StorageError> {
    type Row = (String, bool, String, String, i32, i32, String, String, String, i32);
    let (title, required, html, toc, reading_minutes, word_count, module_key, module_title, content_hash, position): Row = lessons::table
        .inner_join(course_modules::table)
        .filter(lessons::version_id.eq(version))
        .filter(lessons::lesson_key.eq(key))
        .select((
            lessons::title,
            lessons::required,
            lessons::html,
            lessons::toc,
            lessons::reading_minutes,
            lessons::word_count,
            course_modules::module_key,
            course_modules::title,
            lessons::content_hash,
            lessons::position,
        ))
        .get_result(conn)?;
    let in_version = || lessons::table.filter(lessons::version_id.eq(version));
    let previous: Option<String> =
        in_version().filter(lessons::position.lt(position)).order(lessons::position.desc()).select(lessons::lesson_key).first(conn).optional()?;
    let next: Option<String> =
        in_version().filter(lessons::position.gt(position)).order(lessons::position.asc()).select(lessons::lesson_key).first(conn).optional()?;
    let before: i64 = in_version().filter(lessons::position.lt(position)).count().get_result(conn)?;
    let count: i64 = in_version().count().get_result(conn)?;
    Ok(LessonView {
        id: key.to_string(),
        title,
        module_id: module_key,
        module_title,
        required,
        html,
        toc: serde_json::from_str(&toc).unwrap_or(serde_json::Value::Null),
        reading_minutes,
        word_count,
        previous,
        next,
        position: i32::try_from(before + 1).unwrap_or(i32::MAX),
        count: i32::try_from(count).unwrap_or(i32::MAX),
        content_hash,
    })
}

/// Who may read a course's lessons, answered in one connection: the course (with its current
/// version) and whether `user` is enrolled in it or teaches it.
pub fn course_access(conn: &mut AnyConnection, slug: &str, user: UserId) -> Result<(CourseRef, bool), StorageError> {
    let course = course_by_slug(conn, slug)?;
    let member = is_enrolled(conn, &course.id, user)? || is_instructor(conn, &course.id, user)?;
    Ok((course, member))
}

/// A stored file by its SHA-256: (media type, bytes).
pub fn asset(conn: &mut AnyConnection, sha256: &str) -> Result<(String, Vec<u8>), StorageError> {
    Ok(assets::table.find(sha256).select((assets::media_type, assets::data)).get_result(conn)?)
}

/// Every source file of the current version (to rebuild the folder for editing or export).
pub fn version_sources(conn: &mut AnyConnection, course_id: &str) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
    let version: Option<String> = courses::table.find(course_id).select(courses::current_version_id).get_result(conn)?;
    let version = version.ok_or(StorageError::NotFound)?;
    Ok(version_files::table
        .inner_join(assets::table.on(assets::sha256.eq(version_files::sha256)))
        .filter(version_files::version_id.eq(version))
        .select((version_files::path, assets::data))
        .load(conn)?)
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseRef {
    pub id: String,
    pub slug: String,
    pub visibility: String,
    pub self_enrol: bool,
    pub current_version_id: Option<String>,
}

pub fn course_by_slug(conn: &mut AnyConnection, slug: &str) -> Result<CourseRef, StorageError> {
    let (id, slug, visibility, self_enrol, current_version_id) = courses::table
        .filter(courses::slug.eq(slug))
        .select((courses::id, courses::slug, courses::visibility, courses::self_enrol, courses::current_version_id))
        .get_result(conn)?;
    Ok(CourseRef { id, slug, visibility, self_enrol, current_version_id })
}

pub fn is_instructor(conn: &mut AnyConnection, course_id: &str, user: UserId) -> Result<bool, StorageError> {
    let n: i64 = course_instructors::table
        .filter(course_instructors::course_id.eq(course_id))
        .filter(course_instructors::user_id.eq(user.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn add_instructor(conn: &mut AnyConnection, course_id: &str, user: UserId) -> Result<(), StorageError> {
    if !is_instructor(conn, course_id, user)? {
        diesel::insert_into(course_instructors::table)
            .values((course_instructors::course_id.eq(course_id), course_instructors::user_id.eq(user.to_string())))
            .execute(conn)?;
    }
    Ok(())
}

/// Enrols (or re-activates a withdrawn enrolment). Returns whether anything changed; progress
/// kept from before a withdrawal is kept.
pub fn enrol(
    conn: &mut AnyConnection,
    course_id: &str,
    user: UserId,
    by: Option<UserId>,
    required: bool,
    due_at: Option<NaiveDateTime>,
) -> Result<bool, StorageError> {
    let existing: Option<(String, String)> = enrolments::table
        .filter(enrolments::course_id.eq(course_id))
        .filter(enrolments::user_id.eq(user.to_string()))
        .select((enrolments::id, enrolments::status))
        .get_result(conn)
        .optional()?;
    match existing {
        Some((id, status)) if status == "withdrawn" => {
            let status = if status_completed(conn, &id)? { "completed" } else { "active" };
            diesel::update(enrolments::table.find(&id))
                .set((enrolments::status.eq(status), enrolments::withdrawn_at.eq(None::<NaiveDateTime>), enrolments::required.eq(required)))
                .execute(conn)?;
            Ok(true)
        }
        Some((id, _)) => {
            if required {
                diesel::update(enrolments::table.find(&id)).set((enrolments::required.eq(true), enrolments::due_at.eq(due_at))).execute(conn)?;
            }
            Ok(false)
        }
        None => {
            diesel::insert_into(enrolments::table)
                .values((
                    enrolments::id.eq(uuid::Uuid::now_v7().to_string()),
                    enrolments::course_id.eq(course_id),
                    enrolments::user_id.eq(user.to_string()),
                    enrolments::status.eq("active"),
                    enrolments::required.eq(required),
                    enrolments::due_at.eq(due_at),
                    enrolments::enrolled_by.eq(by.map(|b| b.to_string())),
                    enrolments::enrolled_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(true)
        }
    }
}

fn status_completed(conn: &mut AnyConnection, id: &str) -> Result<bool, StorageError> {
    let at: Option<NaiveDateTime> = enrolments::table.find(id).select(enrolments::completed_at).get_result(conn)?;
    Ok(at.is_some())
}

/// Withdraws an enrolment. The row (and any completion) is kept, never deleted.
pub fn unenrol(conn: &mut AnyConnection, course_id: &str, user: UserId) -> Result<(), StorageError> {
    let n = diesel::update(
        enrolments::table
            .filter(enrolments::course_id.eq(course_id))
            .filter(enrolments::user_id.eq(user.to_string()))
            .filter(enrolments::status.ne("withdrawn")),
    )
    .set((enrolments::status.eq("withdrawn"), enrolments::withdrawn_at.eq(now())))
    .execute(conn)?;
    if n == 0 { Err(StorageError::NotFound) } else { Ok(()) }
}

/// Is the user enrolled (not withdrawn) in the course?
pub fn is_enrolled(conn: &mut AnyConnection, course_id: &str, user: UserId) -> Result<bool, StorageError> {
    let n: i64 = enrolments::table
        .filter(enrolments::course_id.eq(course_id))
        .filter(enrolments::user_id.eq(user.to_string()))
        .filter(enrolments::status.ne("withdrawn"))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn user_id_of(s: &str) -> Result<UserId, StorageError> {
    parse_id(s)
}

/// The outline of a course version and its completion rules, as the progress rules need them.
pub fn outline(
    conn: &mut AnyConnection,
    version_id: &str,
) -> Result<(lentera_progress::CourseOutline, lentera_progress::CompletionRules), StorageError> {
    let (course_id, number): (String, i32) =
        native!(conn, |c| course_versions::table.find(version_id).select((course_versions::course_id, course_versions::number)).get_result(c))?;
    let completion: String = native!(conn, |c| courses::table.find(&course_id).select(courses::completion).get_result(c))?;
    let lessons: Vec<(String, bool)> = native!(conn, |c| lessons::table
        .filter(lessons::version_id.eq(version_id))
        .order(lessons::position.asc())
        .select((lessons::lesson_key, lessons::required))
        .load(c))?;
    let completion: serde_json::Value = serde_json::from_str(&completion).unwrap_or_default();
    let outline = lentera_progress::CourseOutline {
        course_id,
        version: number.max(0) as u32,
        lessons: lessons.into_iter().map(|(id, required)| lentera_progress::OutlineLesson { id, required }).collect(),
        quizzes: completion["require_quiz"].as_str().map(|q| vec![q.to_string()]).unwrap_or_default(),
    };
    let rules = lentera_progress::CompletionRules {
        required_lessons: lentera_progress::RequiredLessons::AllRequired,
        required_quiz: completion["require_quiz"].as_str().map(str::to_string),
        min_minutes: completion["min_minutes"].as_u64().filter(|m| *m > 0).map(|m| m as u32),
        feedback_required: false,
    };
    Ok((outline, rules))
}

/// The previous version of a course, if any (the one before the current one).
pub fn previous_version(conn: &mut AnyConnection, course_id: &str) -> Result<Option<String>, StorageError> {
    let ids: Vec<String> = course_versions::table
        .filter(course_versions::course_id.eq(course_id))
        .order(course_versions::number.desc())
        .limit(2)
        .select(course_versions::id)
        .load(conn)?;
    Ok(ids.get(1).cloned())
}

/// Enrolment rows of a course with their stored progress state (JSON).
pub fn enrolment_states(conn: &mut AnyConnection, course_id: &str) -> Result<Vec<(String, String)>, StorageError> {
    Ok(enrolments::table.filter(enrolments::course_id.eq(course_id)).select((enrolments::id, enrolments::state)).load(conn)?)
}

/// Stores an enrolment's progress state and the figures read from it.
pub fn store_enrolment_state(
    conn: &mut AnyConnection,
    enrolment_id: &str,
    state: &lentera_progress::EnrolmentState,
) -> Result<(), StorageError> {
    let completed_at = state.completed_at.map(|t| t.naive_utc());
    let status = match state.status {
        lentera_progress::EnrolmentStatus::Completed => "completed",
        _ => "active",
    };
    let current: String = native!(conn, |c| enrolments::table.find(enrolment_id).select(enrolments::status).get_result(c))?;
    let status = if current == "withdrawn" { "withdrawn" } else { status };
    let state_json = json(state)?;
    /// The statement's key in the prepared-statement cache.
    struct StoreState;
    native!(conn, |c| crate::fixed::fixed_update::<StoreState, _, _, _>(
        enrolments::table,
        (
            enrolments::state.eq(&state_json),
            enrolments::status.eq(status),
            enrolments::percent_complete.eq(i32::from(state.percent_complete)),
            enrolments::last_lesson_key.eq(state.last_lesson_id.clone()),
            enrolments::last_activity_at.eq(state.last_activity_at.map(|t| t.naive_utc())),
            enrolments::completed_at.eq(completed_at),
            enrolments::score_percent.eq(state.quizzes_passed.values().copied().reduce(f64::max)),
        ),
        enrolments::id.eq(enrolment_id),
    )
    .execute(c))?;
    Ok(())
}

pub fn course_ref_by_id(conn: &mut AnyConnection, id: &str) -> Result<CourseRef, StorageError> {
    let (id, slug, visibility, self_enrol, current_version_id) = native!(conn, |c| courses::table
        .find(id)
        .select((courses::id, courses::slug, courses::visibility, courses::self_enrol, courses::current_version_id))
        .get_result(c))?;
    Ok(CourseRef { id, slug, visibility, self_enrol, current_version_id })
}
