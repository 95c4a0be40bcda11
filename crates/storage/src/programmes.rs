//! Programmes, cohorts (angkatan), assignment rules and learners' programme progress.
//!
//! Assigning a learner to a cohort makes them a member, enrols them in the programme's courses
//! (required courses as required, with the cohort's deadline) and queues their "assigned"
//! notification, all in one transaction per chunk of learners. Everything here is idempotent:
//! a rule applied twice, by a crashed job resumed or by two processes at once, assigns nobody
//! twice and notifies nobody twice.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use lentera_accounts::{HrScope, OpdId, UserId};
use lentera_programmes::{
    CohortDates, CourseId, NotificationKind, Person, Rule, RuleKind, RuleTarget, is_overdue, normalise_position,
    programme_complete, reminder_stage,
};
use serde::Serialize;

use crate::accounts::parse_id;
use crate::notifications::{Event, insert_ignore, insert_many, notify_many};
use crate::schema::{courses, enrolments, opds, users};
use crate::schema_programmes::{assignment_jobs, cohort_members, cohort_rules, cohorts, programme_courses, programmes};
use crate::{AnyConnection, Db, StorageError};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Learners per write transaction when assigning: big enough to be fast, small enough that one
/// transaction never holds SQLite's write lock for long.
pub const CHUNK: usize = 500;

fn jp(hundredths: i64) -> f64 {
    hundredths as f64 / 100.0
}

// ---------------------------------------------------------------------------------------------
// Programmes

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseFact {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub jp_hundredths: i64,
}

/// Resolves course references (ids or slugs), in order; `None` where a reference names no course.
pub fn course_facts(conn: &mut AnyConnection, refs: &[String]) -> Result<Vec<Option<CourseFact>>, StorageError> {
    let rows: Vec<(String, String, String, i64)> = courses::table
        .filter(courses::id.eq_any(refs).or(courses::slug.eq_any(refs)))
        .filter(courses::current_version_id.is_not_null())
        .select((courses::id, courses::slug, courses::title, courses::jp_hundredths))
        .load(conn)?;
    let facts: Vec<CourseFact> =
        rows.into_iter().map(|(id, slug, title, jp_hundredths)| CourseFact { id, slug, title, jp_hundredths }).collect();
    Ok(refs.iter().map(|r| facts.iter().find(|f| &f.id == r || &f.slug == r).cloned()).collect())
}

#[derive(Debug, Clone)]
pub struct NewProgramme {
    pub title: String,
    pub description: String,
    /// (course id, required), in the programme's order.
    pub courses: Vec<(String, bool)>,
    pub electives_needed: u32,
    pub jp_hundredths: i64,
    pub certificate: bool,
    pub owner: UserId,
    /// The owner's OPD when the owner is an hr officer scoped to it.
    pub owner_opd: Option<OpdId>,
}

fn insert_courses(conn: &mut AnyConnection, programme: &str, list: &[(String, bool)]) -> Result<(), StorageError> {
    let rows: Vec<_> = list
        .iter()
        .enumerate()
        .map(|(i, (course, required))| {
            (
                programme_courses::programme_id.eq(programme.to_string()),
                programme_courses::course_id.eq(course.clone()),
                programme_courses::position.eq(i as i32 + 1),
                programme_courses::required.eq(*required),
            )
        })
        .collect();
    insert_many!(conn, programme_courses::table, &rows)?;
    Ok(())
}

pub fn create_programme(conn: &mut AnyConnection, p: &NewProgramme, now: NaiveDateTime) -> Result<String, StorageError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(programmes::table)
        .values((
            programmes::id.eq(&id),
            programmes::title.eq(p.title.trim()),
            programmes::description.eq(p.description.trim()),
            programmes::jp_hundredths.eq(p.jp_hundredths),
            programmes::electives_needed.eq(p.electives_needed as i32),
            programmes::certificate.eq(p.certificate),
            programmes::owner_id.eq(p.owner.to_string()),
            programmes::owner_opd_id.eq(p.owner_opd.map(|o| o.to_string())),
            programmes::created_at.eq(now),
            programmes::updated_at.eq(now),
        ))
        .execute(conn)?;
    insert_courses(conn, &id, &p.courses)?;
    Ok(id)
}

/// A partial update; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeUpdate {
    pub title: Option<String>,
    pub description: Option<String>,
    pub jp_hundredths: Option<i64>,
    pub certificate: Option<bool>,
    /// New courses and electives needed (only while the programme has no cohort).
    pub courses: Option<(Vec<(String, bool)>, u32)>,
}

pub fn update_programme(conn: &mut AnyConnection, id: &str, upd: &ProgrammeUpdate, now: NaiveDateTime) -> Result<(), StorageError> {
    let target = programmes::table.filter(programmes::id.eq(id));
    if let Some(t) = &upd.title {
        diesel::update(target).set(programmes::title.eq(t.trim())).execute(conn)?;
    }
    if let Some(d) = &upd.description {
        diesel::update(target).set(programmes::description.eq(d.trim())).execute(conn)?;
    }
    if let Some(j) = upd.jp_hundredths {
        diesel::update(target).set(programmes::jp_hundredths.eq(j)).execute(conn)?;
    }
    if let Some(c) = upd.certificate {
        diesel::update(target).set(programmes::certificate.eq(c)).execute(conn)?;
    }
    if let Some((list, needed)) = &upd.courses {
        diesel::delete(programme_courses::table.filter(programme_courses::programme_id.eq(id))).execute(conn)?;
        insert_courses(conn, id, list)?;
        diesel::update(target).set(programmes::electives_needed.eq(*needed as i32)).execute(conn)?;
    }
    let n = diesel::update(target).set(programmes::updated_at.eq(now)).execute(conn)?;
    if n == 0 { Err(StorageError::NotFound) } else { Ok(()) }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeSummary {
    pub id: String,
    pub title: String,
    pub description: String,
    pub jp: f64,
    pub electives_needed: i32,
    pub certificate: bool,
    pub owner_id: String,
    pub owner_name: String,
    pub owner_opd_id: Option<String>,
    pub course_count: i64,
    pub cohort_count: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeCourseView {
    pub course_id: String,
    pub slug: String,
    pub title: String,
    pub jp: f64,
    pub required: bool,
    pub position: i32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortView {
    pub id: String,
    pub programme_id: String,
    pub name: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub enrol_opens_at: NaiveDateTime,
    pub enrol_closes_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeDetail {
    #[serde(flatten)]
    pub programme: ProgrammeSummary,
    pub courses: Vec<ProgrammeCourseView>,
    pub cohorts: Vec<CohortView>,
}

type ProgrammeRow = (String, String, String, i64, i32, bool, String, String, Option<String>, NaiveDateTime, NaiveDateTime);

fn programme_rows(conn: &mut AnyConnection, ids: Option<&[String]>, offset: i64, limit: i64) -> Result<Vec<ProgrammeSummary>, StorageError> {
    let mut q = programmes::table.inner_join(users::table.on(users::id.eq(programmes::owner_id))).into_boxed();
    if let Some(ids) = ids {
        q = q.filter(programmes::id.eq_any(ids.to_vec()));
    }
    let rows: Vec<ProgrammeRow> = q
        .select((
            programmes::id,
            programmes::title,
            programmes::description,
            programmes::jp_hundredths,
            programmes::electives_needed,
            programmes::certificate,
            programmes::owner_id,
            users::name,
            programmes::owner_opd_id,
            programmes::created_at,
            programmes::updated_at,
        ))
        .order((programmes::title.asc(), programmes::id.asc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let course_counts: HashMap<String, i64> = programme_courses::table
        .filter(programme_courses::programme_id.eq_any(&ids))
        .group_by(programme_courses::programme_id)
        .select((programme_courses::programme_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let cohort_counts: HashMap<String, i64> = cohorts::table
        .filter(cohorts::programme_id.eq_any(&ids))
        .group_by(cohorts::programme_id)
        .select((cohorts::programme_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| ProgrammeSummary {
            course_count: course_counts.get(&r.0).copied().unwrap_or(0),
            cohort_count: cohort_counts.get(&r.0).copied().unwrap_or(0),
            id: r.0,
            title: r.1,
            description: r.2,
            jp: jp(r.3),
            electives_needed: r.4,
            certificate: r.5,
            owner_id: r.6,
            owner_name: r.7,
            owner_opd_id: r.8,
            created_at: r.9,
            updated_at: r.10,
        })
        .collect())
}

pub fn list_programmes(conn: &mut AnyConnection, offset: i64, limit: i64) -> Result<(Vec<ProgrammeSummary>, i64), StorageError> {
    let total: i64 = programmes::table.count().get_result(conn)?;
    Ok((programme_rows(conn, None, offset, limit)?, total))
}

fn cohort_views(conn: &mut AnyConnection, programme: Option<&str>, ids: Option<&[String]>) -> Result<Vec<CohortView>, StorageError> {
    let mut q = cohorts::table.into_boxed();
    if let Some(p) = programme {
        q = q.filter(cohorts::programme_id.eq(p.to_string()));
    }
    if let Some(ids) = ids {
        q = q.filter(cohorts::id.eq_any(ids.to_vec()));
    }
    type Row = (String, String, String, NaiveDateTime, NaiveDateTime, NaiveDateTime, NaiveDateTime, NaiveDateTime, NaiveDateTime);
    let rows: Vec<Row> = q
        .select((
            cohorts::id,
            cohorts::programme_id,
            cohorts::name,
            cohorts::starts_at,
            cohorts::ends_at,
            cohorts::enrol_opens_at,
            cohorts::enrol_closes_at,
            cohorts::due_at,
            cohorts::created_at,
        ))
        .order((cohorts::starts_at.asc(), cohorts::id.asc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| CohortView {
            id: r.0,
            programme_id: r.1,
            name: r.2,
            starts_at: r.3,
            ends_at: r.4,
            enrol_opens_at: r.5,
            enrol_closes_at: r.6,
            due_at: r.7,
            created_at: r.8,
        })
        .collect())
}

fn programme_course_views(conn: &mut AnyConnection, programme: &str) -> Result<Vec<ProgrammeCourseView>, StorageError> {
    let rows: Vec<(String, String, String, i64, bool, i32)> = programme_courses::table
        .inner_join(courses::table)
        .filter(programme_courses::programme_id.eq(programme))
        .order(programme_courses::position.asc())
        .select((
            courses::id,
            courses::slug,
            courses::title,
            courses::jp_hundredths,
            programme_courses::required,
            programme_courses::position,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(course_id, slug, title, j, required, position)| ProgrammeCourseView { course_id, slug, title, jp: jp(j), required, position })
        .collect())
}

pub fn programme_detail(conn: &mut AnyConnection, id: &str) -> Result<ProgrammeDetail, StorageError> {
    let programme = programme_rows(conn, Some(&[id.to_string()]), 0, 1)?.into_iter().next().ok_or(StorageError::NotFound)?;
    let courses = programme_course_views(conn, id)?;
    let cohorts = cohort_views(conn, Some(id), None)?;
    Ok(ProgrammeDetail { programme, courses, cohorts })
}

// ---------------------------------------------------------------------------------------------
// Cohorts

pub fn create_cohort(
    conn: &mut AnyConnection,
    programme_id: &str,
    name: &str,
    dates: &CohortDates,
    by: UserId,
    now: NaiveDateTime,
) -> Result<String, StorageError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(cohorts::table)
        .values((
            cohorts::id.eq(&id),
            cohorts::programme_id.eq(programme_id),
            cohorts::name.eq(name.trim()),
            cohorts::starts_at.eq(dates.starts_at),
            cohorts::ends_at.eq(dates.ends_at),
            cohorts::enrol_opens_at.eq(dates.enrol_opens_at),
            cohorts::enrol_closes_at.eq(dates.enrol_closes_at),
            cohorts::due_at.eq(dates.due_at),
            cohorts::created_by.eq(by.to_string()),
            cohorts::created_at.eq(now),
            cohorts::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| match StorageError::from(e) {
            StorageError::Duplicate { .. } => StorageError::Duplicate { field: "name".into() },
            other => other,
        })?;
    Ok(id)
}

/// A cohort with what applying its rules needs.
#[derive(Debug, Clone)]
pub struct CohortCtx {
    pub id: String,
    pub name: String,
    pub programme_id: String,
    pub programme_title: String,
    pub jp_hundredths: i64,
    pub electives_needed: u32,
    pub certificate: bool,
    pub owner_id: String,
    pub owner_opd_id: Option<String>,
    pub dates: CohortDates,
    /// (course id, title, required), in order.
    pub courses: Vec<(String, String, bool)>,
}

pub fn cohort_ctx(conn: &mut AnyConnection, id: &str) -> Result<CohortCtx, StorageError> {
    type Row = (
        String,
        String,
        String,
        i64,
        i32,
        bool,
        String,
        Option<String>,
        (NaiveDateTime, NaiveDateTime, NaiveDateTime, NaiveDateTime, NaiveDateTime),
    );
    let (name, programme_id, programme_title, jp_hundredths, needed, certificate, owner_id, owner_opd_id, d): Row = cohorts::table
        .inner_join(programmes::table)
        .filter(cohorts::id.eq(id))
        .select((
            cohorts::name,
            cohorts::programme_id,
            programmes::title,
            programmes::jp_hundredths,
            programmes::electives_needed,
            programmes::certificate,
            programmes::owner_id,
            programmes::owner_opd_id,
            (cohorts::starts_at, cohorts::ends_at, cohorts::enrol_opens_at, cohorts::enrol_closes_at, cohorts::due_at),
        ))
        .get_result(conn)?;
    let courses: Vec<(String, String, bool)> = programme_courses::table
        .inner_join(courses::table)
        .filter(programme_courses::programme_id.eq(&programme_id))
        .order(programme_courses::position.asc())
        .select((courses::id, courses::title, programme_courses::required))
        .load(conn)?;
    Ok(CohortCtx {
        id: id.to_string(),
        name,
        programme_id,
        programme_title,
        jp_hundredths,
        electives_needed: needed.max(0) as u32,
        certificate,
        owner_id,
        owner_opd_id,
        dates: CohortDates { starts_at: d.0, ends_at: d.1, enrol_opens_at: d.2, enrol_closes_at: d.3, due_at: d.4 },
        courses,
    })
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleView {
    pub id: String,
    pub kind: String,
    pub value: String,
    /// A readable form of the value: the OPD's or the person's name.
    pub label: String,
    pub within_opd_id: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpdProgress {
    pub opd_id: Option<String>,
    pub opd_name: Option<String>,
    pub members: i64,
    pub completed: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortStats {
    pub members: i64,
    pub completed: i64,
    /// Not complete and past the deadline.
    pub overdue: i64,
    pub by_opd: Vec<OpdProgress>,
}

fn scope_ids(scope: &HrScope) -> Option<Vec<String>> {
    match scope {
        HrScope::All => None,
        HrScope::Opds(o) => Some(o.iter().map(|x| x.to_string()).collect()),
    }
}

/// The cohort's rules as `scope` may see them: a scoped officer sees the rules that reach into
/// their OPDs (their own OPD, rules limited to it, and the people of it), nothing of others.
pub fn cohort_rule_views(conn: &mut AnyConnection, cohort: &str, scope: &HrScope) -> Result<Vec<RuleView>, StorageError> {
    type Row = (String, String, String, Option<String>, Option<String>, NaiveDateTime);
    let rows: Vec<Row> = cohort_rules::table
        .filter(cohort_rules::cohort_id.eq(cohort))
        .select((
            cohort_rules::id,
            cohort_rules::kind,
            cohort_rules::value,
            cohort_rules::within_opd_id,
            cohort_rules::created_by,
            cohort_rules::created_at,
        ))
        .order((cohort_rules::created_at.asc(), cohort_rules::id.asc()))
        .load(conn)?;
    let user_ids: Vec<String> = rows.iter().filter(|r| r.1 == "user").map(|r| r.2.clone()).collect();
    let mut people: HashMap<String, (String, Option<String>)> = HashMap::new();
    for chunk in user_ids.chunks(500) {
        let found: Vec<(String, String, Option<String>)> =
            users::table.filter(users::id.eq_any(chunk)).select((users::id, users::name, users::opd_id)).load(conn)?;
        people.extend(found.into_iter().map(|(id, name, opd)| (id, (name, opd))));
    }
    let opd_names: HashMap<String, String> = opds::table.select((opds::id, opds::name)).load::<(String, String)>(conn)?.into_iter().collect();
    let allowed = scope_ids(scope);
    let visible = |opd: Option<&String>| allowed.as_ref().is_none_or(|a| opd.is_some_and(|o| a.contains(o)));
    Ok(rows
        .into_iter()
        .filter(|(_, kind, value, within, ..)| match kind.as_str() {
            "opd" => visible(Some(value)),
            "user" => visible(people.get(value).and_then(|p| p.1.as_ref())),
            _ => within.is_some() && visible(within.as_ref()) || allowed.is_none(),
        })
        .map(|(id, kind, value, within_opd_id, created_by, created_at)| {
            let label = match kind.as_str() {
                "opd" => opd_names.get(&value).cloned().unwrap_or_else(|| value.clone()),
                "user" => people.get(&value).map(|p| p.0.clone()).unwrap_or_else(|| value.clone()),
                _ => value.clone(),
            };
            RuleView { id, kind, value, label, within_opd_id, created_by, created_at }
        })
        .collect())
}

/// Members and completions, overall and per OPD, within `scope`.
pub fn cohort_stats(conn: &mut AnyConnection, cohort: &str, scope: &HrScope, now: NaiveDateTime) -> Result<CohortStats, StorageError> {
    let due: NaiveDateTime = cohorts::table.find(cohort).select(cohorts::due_at).get_result(conn)?;
    let mut q = cohort_members::table
        .inner_join(users::table)
        .left_join(opds::table.on(users::opd_id.eq(opds::id.nullable())))
        .filter(cohort_members::cohort_id.eq(cohort))
        .into_boxed();
    if let Some(ids) = scope_ids(scope) {
        q = q.filter(users::opd_id.eq_any(ids));
    }
    let rows: Vec<(Option<String>, Option<String>, Option<NaiveDateTime>)> =
        q.select((users::opd_id, opds::name.nullable(), cohort_members::completed_at)).load(conn)?;
    let mut by: BTreeMap<(Option<String>, Option<String>), (i64, i64)> = BTreeMap::new();
    let (mut members, mut completed) = (0, 0);
    for (opd, name, done) in rows {
        let e = by.entry((name, opd)).or_default();
        e.0 += 1;
        members += 1;
        if done.is_some() {
            e.1 += 1;
            completed += 1;
        }
    }
    let overdue = if is_overdue(due, now) { members - completed } else { 0 };
    Ok(CohortStats {
        members,
        completed,
        overdue,
        by_opd: by
            .into_iter()
            .map(|((opd_name, opd_id), (members, completed))| OpdProgress { opd_id, opd_name, members, completed })
            .collect(),
    })
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub user_id: String,
    pub name: String,
    pub nip: Option<String>,
    pub opd_id: Option<String>,
    pub opd_name: Option<String>,
    pub jabatan: String,
    pub assigned_at: NaiveDateTime,
    pub required_done: i32,
    pub electives_done: i32,
    pub percent: i32,
    pub completed_at: Option<NaiveDateTime>,
    pub certificate_id: Option<String>,
}

/// A page of a cohort's members within `scope`, by name.
pub fn cohort_members(
    conn: &mut AnyConnection,
    cohort: &str,
    scope: &HrScope,
    offset: i64,
    limit: i64,
) -> Result<(Vec<MemberView>, i64), StorageError> {
    let scope = scope_ids(scope);
    let build = || {
        let mut q = cohort_members::table
            .inner_join(users::table)
            .left_join(opds::table.on(users::opd_id.eq(opds::id.nullable())))
            .filter(cohort_members::cohort_id.eq(cohort.to_string()))
            .into_boxed();
        if let Some(ids) = &scope {
            q = q.filter(users::opd_id.eq_any(ids.clone()));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    type Row = (String, String, Option<String>, Option<String>, Option<String>, String, NaiveDateTime, i32, i32, i32, Option<NaiveDateTime>, Option<String>);
    let rows: Vec<Row> = build()
        .select((
            users::id,
            users::name,
            users::nip,
            users::opd_id,
            opds::name.nullable(),
            users::jabatan,
            cohort_members::assigned_at,
            cohort_members::required_done,
            cohort_members::electives_done,
            cohort_members::percent,
            cohort_members::completed_at,
            cohort_members::certificate_id,
        ))
        .order((users::name.asc(), users::id.asc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|r| MemberView {
                user_id: r.0,
                name: r.1,
                nip: r.2,
                opd_id: r.3,
                opd_name: r.4,
                jabatan: r.5,
                assigned_at: r.6,
                required_done: r.7,
                electives_done: r.8,
                percent: r.9,
                completed_at: r.10,
                certificate_id: r.11,
            })
            .collect(),
        total,
    ))
}

// ---------------------------------------------------------------------------------------------
// Rules and jobs

fn rule_key(cohort: &str, rule: &Rule) -> String {
    let within = rule.within.map(|o| o.to_string()).unwrap_or_default();
    format!("{cohort}|{}|{}|{within}", rule.target.kind(), rule.target.value())
}

/// Stores rules (a rule already stored is left as it is). Returns how many are new.
pub fn add_rules(conn: &mut AnyConnection, cohort: &str, rules: &[Rule], by: UserId, now: NaiveDateTime) -> Result<usize, StorageError> {
    let mut added = 0;
    for chunk in rules.chunks(CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    cohort_rules::id.eq(uuid::Uuid::now_v7().to_string()),
                    cohort_rules::cohort_id.eq(cohort.to_string()),
                    cohort_rules::kind.eq(r.target.kind().as_str()),
                    cohort_rules::value.eq(r.target.value()),
                    cohort_rules::within_opd_id.eq(r.within.map(|o| o.to_string())),
                    cohort_rules::rule_key.eq(rule_key(cohort, r)),
                    cohort_rules::created_by.eq(by.to_string()),
                    cohort_rules::created_at.eq(now),
                )
            })
            .collect();
        added += insert_ignore!(conn, cohort_rules::table, &rows)?;
    }
    Ok(added)
}

/// Removes a rule: nobody new is assigned by it; those it assigned stay members.
pub fn delete_rule(conn: &mut AnyConnection, cohort: &str, rule: &str) -> Result<(), StorageError> {
    diesel::update(cohort_members::table.filter(cohort_members::rule_id.eq(rule)))
        .set(cohort_members::rule_id.eq(None::<String>))
        .execute(conn)?;
    let n = diesel::delete(cohort_rules::table.filter(cohort_rules::id.eq(rule)).filter(cohort_rules::cohort_id.eq(cohort)))
        .execute(conn)?;
    if n == 0 { Err(StorageError::NotFound) } else { Ok(()) }
}

/// A stored rule as the domain sees it, with its id and author.
#[derive(Debug, Clone)]
pub struct StoredRule {
    pub id: String,
    pub rule: Rule,
    pub created_by: Option<String>,
}

fn load_rules(conn: &mut AnyConnection, cohort: &str) -> Result<Vec<StoredRule>, StorageError> {
    let rows: Vec<RuleRow> = cohort_rules::table
        .filter(cohort_rules::cohort_id.eq(cohort))
        .select((cohort_rules::id, cohort_rules::kind, cohort_rules::value, cohort_rules::within_opd_id, cohort_rules::created_by))
        .order(cohort_rules::created_at.asc())
        .load(conn)?;
    rows.into_iter().map(stored_rule).collect()
}

/// (id, kind, value, within OPD, created by) as stored.
type RuleRow = (String, String, String, Option<String>, Option<String>);

fn stored_rule((id, kind, value, within, created_by): RuleRow) -> Result<StoredRule, StorageError> {
    let kind: RuleKind = kind.parse().map_err(StorageError::Corrupt)?;
    let target = RuleTarget::from_stored(kind, &value).map_err(StorageError::Corrupt)?;
    Ok(StoredRule { id, rule: Rule { target, within: within.as_deref().map(parse_id).transpose()? }, created_by })
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AssignmentJobView))]
pub struct JobView {
    pub id: String,
    pub cohort_id: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub requested_by: Option<String>,
    /// Learners newly assigned so far.
    pub assigned: i32,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
}

pub fn queue_job(conn: &mut AnyConnection, cohort: &str, by: UserId, now: NaiveDateTime) -> Result<String, StorageError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(assignment_jobs::table)
        .values((
            assignment_jobs::id.eq(&id),
            assignment_jobs::cohort_id.eq(cohort),
            assignment_jobs::status.eq("queued"),
            assignment_jobs::requested_by.eq(by.to_string()),
            assignment_jobs::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn job(conn: &mut AnyConnection, id: &str) -> Result<JobView, StorageError> {
    type Row = (String, String, String, Option<String>, i32, Option<String>, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>);
    let r: Row = assignment_jobs::table
        .find(id)
        .select((
            assignment_jobs::id,
            assignment_jobs::cohort_id,
            assignment_jobs::status,
            assignment_jobs::requested_by,
            assignment_jobs::assigned,
            assignment_jobs::error,
            assignment_jobs::created_at,
            assignment_jobs::started_at,
            assignment_jobs::finished_at,
        ))
        .get_result(conn)?;
    Ok(JobView {
        id: r.0,
        cohort_id: r.1,
        status: r.2,
        requested_by: r.3,
        assigned: r.4,
        error: r.5,
        created_at: r.6,
        started_at: r.7,
        finished_at: r.8,
    })
}

/// A running job whose process has not reported for this long is taken to have died.
pub const JOB_STALE_AFTER: TimeDelta = TimeDelta::minutes(5);

/// Runs a queued assignment job (or one whose runner died) to the end. Returns `None` when the
/// job is not there to take (done, or running elsewhere). Each chunk of learners commits on its
/// own, so a job that dies half-way loses nothing: run again, it assigns only who is missing.
pub fn run_job(db: &Db, id: &str, now: NaiveDateTime) -> Result<Option<JobView>, StorageError> {
    let stale = now - JOB_STALE_AFTER;
    let (taken, cohort) = db.write(|c| {
        let n = diesel::update(
            assignment_jobs::table.filter(assignment_jobs::id.eq(id)).filter(
                assignment_jobs::status
                    .eq("queued")
                    .or(assignment_jobs::status.eq("running").and(assignment_jobs::heartbeat_at.lt(stale))),
            ),
        )
        .set((
            assignment_jobs::status.eq("running"),
            assignment_jobs::started_at.eq(now),
            assignment_jobs::heartbeat_at.eq(now),
        ))
        .execute(c)?;
        let cohort: String = assignment_jobs::table.find(id).select(assignment_jobs::cohort_id).get_result(c)?;
        Ok((n > 0, cohort))
    })?;
    if !taken {
        return Ok(None);
    }
    let result = apply_cohort(db, &cohort, now, |c, n| {
        diesel::update(assignment_jobs::table.find(id))
            .set((assignment_jobs::assigned.eq(assignment_jobs::assigned + n as i32), assignment_jobs::heartbeat_at.eq(crate::now())))
            .execute(c)?;
        Ok(())
    });
    let (status, error) = match &result {
        Ok(_) => ("done", None),
        Err(e) => ("failed", Some(e.to_string())),
    };
    db.write(|c| {
        diesel::update(assignment_jobs::table.find(id))
            .set((assignment_jobs::status.eq(status), assignment_jobs::error.eq(error.clone()), assignment_jobs::finished_at.eq(crate::now())))
            .execute(c)?;
        Ok(())
    })?;
    result?;
    db.read(|c| job(c, id)).map(Some)
}

/// Runs every job left queued (its process died before starting it) or abandoned while running.
pub fn run_pending_jobs(db: &Db, now: NaiveDateTime) -> Result<usize, StorageError> {
    let stale = now - JOB_STALE_AFTER;
    let ids: Vec<String> = db.read(|c| {
        Ok(assignment_jobs::table
            .filter(
                assignment_jobs::status
                    .eq("queued")
                    .or(assignment_jobs::status.eq("running").and(assignment_jobs::heartbeat_at.lt(stale))),
            )
            .select(assignment_jobs::id)
            .load(c)?)
    })?;
    let mut ran = 0;
    for id in ids {
        if run_job(db, &id, now)?.is_some() {
            ran += 1;
        }
    }
    Ok(ran)
}

// ---------------------------------------------------------------------------------------------
// Applying rules

type PersonRow = (String, Option<String>, String, Option<String>, bool);

fn person(row: PersonRow) -> Result<Person, StorageError> {
    Ok(Person {
        id: parse_id(&row.0)?,
        opd: row.1.as_deref().map(parse_id).transpose()?,
        jabatan: row.2,
        employment_type: row.3.as_deref().map(str::parse).transpose().map_err(StorageError::Corrupt)?,
        active: row.4,
    })
}

/// Who a rule reaches and is not yet a member. SQL narrows the candidates; the domain's
/// [`Rule::matches`] decides, so the bulk path and the one-person path cannot disagree.
fn matching_users(conn: &mut AnyConnection, cohort: &str, rule: &Rule) -> Result<Vec<String>, StorageError> {
    let members = cohort_members::table.filter(cohort_members::cohort_id.eq(cohort.to_string())).select(cohort_members::user_id);
    let mut q = users::table
        .filter(users::active.eq(true))
        .filter(diesel::dsl::not(users::id.eq_any(members)))
        .select((users::id, users::opd_id, users::jabatan, users::employment_type, users::active))
        .into_boxed();
    if let Some(w) = rule.within {
        q = q.filter(users::opd_id.eq(w.to_string()));
    }
    q = match &rule.target {
        RuleTarget::Opd(o) => q.filter(users::opd_id.eq(o.to_string())),
        RuleTarget::EmploymentType(e) => q.filter(users::employment_type.eq(e.as_str())),
        RuleTarget::User(u) => q.filter(users::id.eq(u.to_string())),
        RuleTarget::Position(p) => {
            // Narrow by the position's longest word; the exact comparison is the domain's.
            let word = normalise_position(p).split(' ').max_by_key(|w| w.len()).unwrap_or("").to_string();
            let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            q.filter(lower(users::jabatan).like(format!("%{escaped}%")).escape('\\'))
        }
    };
    let rows: Vec<PersonRow> = q.load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let p = person(row)?;
        if rule.matches(&p) {
            out.push(p.id.to_string());
        }
    }
    Ok(out)
}

/// One learner to assign, with the rule that reaches them and its author.
#[derive(Debug, Clone)]
pub struct Assignee {
    pub user_id: String,
    pub rule_id: Option<String>,
    pub by: Option<String>,
}

/// Assigns learners to a cohort in the caller's transaction: membership, enrolment in every
/// course of the programme (required ones as required, due at the cohort's deadline; an existing
/// enrolment keeps the earlier of two deadlines), progress from what they completed before, and
/// the "assigned" notification. Returns how many were newly assigned.
pub fn assign_users(conn: &mut AnyConnection, ctx: &CohortCtx, who: &[Assignee], now: NaiveDateTime) -> Result<usize, StorageError> {
    let mut assigned = 0;
    for chunk in who.chunks(CHUNK) {
        let ids: Vec<String> = chunk.iter().map(|a| a.user_id.clone()).collect();
        let existing: HashSet<String> = cohort_members::table
            .filter(cohort_members::cohort_id.eq(&ctx.id))
            .filter(cohort_members::user_id.eq_any(&ids))
            .select(cohort_members::user_id)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let mut seen = HashSet::new();
        let fresh: Vec<&Assignee> =
            chunk.iter().filter(|a| !existing.contains(&a.user_id) && seen.insert(a.user_id.clone())).collect();
        if fresh.is_empty() {
            continue;
        }
        let rows: Vec<_> = fresh
            .iter()
            .map(|a| {
                (
                    cohort_members::cohort_id.eq(ctx.id.clone()),
                    cohort_members::user_id.eq(a.user_id.clone()),
                    cohort_members::rule_id.eq(a.rule_id.clone()),
                    cohort_members::assigned_by.eq(a.by.clone()),
                    cohort_members::assigned_at.eq(now),
                )
            })
            .collect();
        insert_ignore!(conn, cohort_members::table, &rows)?;
        let fresh_ids: Vec<String> = fresh.iter().map(|a| a.user_id.clone()).collect();
        enrol_members(conn, ctx, &fresh, now)?;
        let courses: Vec<serde_json::Value> =
            ctx.courses.iter().map(|(_, title, required)| serde_json::json!({"title": title, "required": required})).collect();
        let params = serde_json::json!({
            "programme": ctx.programme_title,
            "cohort": ctx.name,
            "due_at": ctx.dates.due_at,
            "jp": jp(ctx.jp_hundredths),
            "courses": courses,
            "electives_needed": ctx.electives_needed,
            "link": format!("/programmes/{}", ctx.id),
        });
        let events: Vec<Event> = fresh_ids
            .iter()
            .map(|u| {
                Ok(Event {
                    user: parse_id(u)?,
                    kind: NotificationKind::ProgrammeAssigned,
                    subject_id: ctx.id.clone(),
                    params: params.clone(),
                })
            })
            .collect::<Result<_, StorageError>>()?;
        notify_many(conn, &events, now)?;
        refresh_members(conn, ctx, &fresh_ids, now)?;
        assigned += fresh.len();
    }
    Ok(assigned)
}

fn enrol_members(conn: &mut AnyConnection, ctx: &CohortCtx, who: &[&Assignee], now: NaiveDateTime) -> Result<(), StorageError> {
    let ids: Vec<String> = who.iter().map(|a| a.user_id.clone()).collect();
    let course_ids: Vec<String> = ctx.courses.iter().map(|c| c.0.clone()).collect();
    type Row = (String, String, String, String, bool, Option<NaiveDateTime>);
    let existing: Vec<Row> = enrolments::table
        .filter(enrolments::user_id.eq_any(&ids))
        .filter(enrolments::course_id.eq_any(&course_ids))
        .select((enrolments::id, enrolments::course_id, enrolments::user_id, enrolments::status, enrolments::required, enrolments::due_at))
        .load(conn)?;
    let have: HashMap<(String, String), Row> =
        existing.into_iter().map(|r| ((r.1.clone(), r.2.clone()), r)).collect();
    let due = ctx.dates.due_at;
    let mut new_rows = Vec::new();
    for a in who {
        for (course, _, required) in &ctx.courses {
            match have.get(&(course.clone(), a.user_id.clone())) {
                None => new_rows.push((
                    enrolments::id.eq(uuid::Uuid::now_v7().to_string()),
                    enrolments::course_id.eq(course.clone()),
                    enrolments::user_id.eq(a.user_id.clone()),
                    enrolments::status.eq("active"),
                    enrolments::required.eq(*required),
                    enrolments::due_at.eq(Some(due)),
                    enrolments::enrolled_by.eq(a.by.clone()),
                    enrolments::enrolled_at.eq(now),
                )),
                Some((id, _, _, status, was_required, was_due)) => {
                    let user: UserId = parse_id(&a.user_id)?;
                    let by = a.by.as_deref().map(parse_id).transpose()?;
                    if status == "withdrawn" {
                        crate::courses::enrol(conn, course, user, by, *required || *was_required, Some(due))?;
                    }
                    if *required {
                        let new_due = was_due.map_or(due, |d| d.min(due));
                        if !was_required || *was_due != Some(new_due) {
                            diesel::update(enrolments::table.find(id))
                                .set((enrolments::required.eq(true), enrolments::due_at.eq(Some(new_due))))
                                .execute(conn)?;
                        }
                    }
                }
            }
        }
    }
    // SQLite allows 32,766 bound parameters per statement: 8 columns × 1,000 rows stays well inside.
    for chunk in new_rows.chunks(1_000) {
        insert_ignore!(conn, enrolments::table, chunk)?;
    }
    Ok(())
}

/// Recomputes the programme progress of these members from their course completions; those
/// who have now completed it get their completion time, the programme certificate (see
/// [`issue_programme_certificate`]) and a notification. Returns who completed it now.
pub fn refresh_members(conn: &mut AnyConnection, ctx: &CohortCtx, user_ids: &[String], now: NaiveDateTime) -> Result<Vec<String>, StorageError> {
    let required: Vec<CourseId> = ctx.courses.iter().filter(|c| c.2).map(|c| CourseId(c.0.clone())).collect();
    let electives: Vec<CourseId> = ctx.courses.iter().filter(|c| !c.2).map(|c| CourseId(c.0.clone())).collect();
    let course_ids: Vec<String> = ctx.courses.iter().map(|c| c.0.clone()).collect();
    let mut completed_now = Vec::new();
    for chunk in user_ids.chunks(CHUNK) {
        let members: Vec<(String, i32, i32, i32)> = cohort_members::table
            .filter(cohort_members::cohort_id.eq(&ctx.id))
            .filter(cohort_members::user_id.eq_any(chunk))
            .filter(cohort_members::completed_at.is_null())
            .select((cohort_members::user_id, cohort_members::required_done, cohort_members::electives_done, cohort_members::percent))
            .load(conn)?;
        if members.is_empty() {
            continue;
        }
        let member_ids: Vec<String> = members.iter().map(|m| m.0.clone()).collect();
        let done: Vec<(String, String)> = enrolments::table
            .filter(enrolments::user_id.eq_any(&member_ids))
            .filter(enrolments::course_id.eq_any(&course_ids))
            .filter(enrolments::completed_at.is_not_null())
            .select((enrolments::user_id, enrolments::course_id))
            .load(conn)?;
        let mut by_user: HashMap<String, HashSet<CourseId>> = HashMap::new();
        for (u, c) in done {
            by_user.entry(u).or_default().insert(CourseId(c));
        }
        let empty = HashSet::new();
        let mut events = Vec::new();
        for (user, req_before, el_before, pct_before) in members {
            let p = programme_complete(&required, &electives, ctx.electives_needed as usize, by_user.get(&user).unwrap_or(&empty));
            let (req, el, pct) = (p.required_done as i32, p.electives_done as i32, i32::from(p.percent));
            let row = cohort_members::table.filter(cohort_members::cohort_id.eq(&ctx.id)).filter(cohort_members::user_id.eq(&user));
            if (req, el, pct) != (req_before, el_before, pct_before) {
                diesel::update(row)
                    .set((cohort_members::required_done.eq(req), cohort_members::electives_done.eq(el), cohort_members::percent.eq(pct)))
                    .execute(conn)?;
            }
            if p.complete {
                let uid: UserId = parse_id(&user)?;
                let certificate = if ctx.certificate { issue_programme_certificate(conn, ctx, uid, now)? } else { None };
                diesel::update(row.filter(cohort_members::completed_at.is_null()))
                    .set((cohort_members::completed_at.eq(now), cohort_members::certificate_id.eq(certificate.clone())))
                    .execute(conn)?;
                events.push(Event {
                    user: uid,
                    kind: NotificationKind::ProgrammeCompleted,
                    subject_id: ctx.id.clone(),
                    params: serde_json::json!({
                        "programme": ctx.programme_title,
                        "cohort": ctx.name,
                        "jp": jp(ctx.jp_hundredths),
                        "percent": 100,
                        "due_at": ctx.dates.due_at,
                        "certificate_id": certificate,
                        "link": format!("/programmes/{}", ctx.id),
                    }),
                });
                completed_now.push(user);
            }
        }
        notify_many(conn, &events, now)?;
    }
    Ok(completed_now)
}

/// HOOK — programme certificates. A learner has just completed a programme that issues a
/// certificate: this is where the programme's own certificate is to be issued, in the same
/// transaction, returning its id (stored on the membership and shown to the learner). The course
/// certificate code (`lentera_storage::progress`, being written alongside this) has no issuing
/// function yet; until it does, no certificate is issued and the completion is recorded without
/// one. Replace the body with a call to that function when it lands; it must be idempotent
/// (return the certificate this membership already has), since two workers may complete the
/// same membership at once and only one of their updates records it.
pub fn issue_programme_certificate(
    _conn: &mut AnyConnection,
    _ctx: &CohortCtx,
    _user: UserId,
    _now: NaiveDateTime,
) -> Result<Option<String>, StorageError> {
    Ok(None)
}

/// Call when a learner completes a course (in the transaction that records it): their progress
/// in every cohort whose programme includes the course is recomputed, and any programme now
/// complete is completed. Returns the cohorts completed now.
pub fn on_course_completed(conn: &mut AnyConnection, user: UserId, course_id: &str, now: NaiveDateTime) -> Result<Vec<String>, StorageError> {
    let cohort_ids: Vec<String> = cohort_members::table
        .inner_join(cohorts::table)
        .inner_join(programme_courses::table.on(programme_courses::programme_id.eq(cohorts::programme_id)))
        .filter(cohort_members::user_id.eq(user.to_string()))
        .filter(cohort_members::completed_at.is_null())
        .filter(programme_courses::course_id.eq(course_id))
        .select(cohort_members::cohort_id)
        .load(conn)?;
    let mut done = Vec::new();
    for cohort in cohort_ids {
        let ctx = cohort_ctx(conn, &cohort)?;
        if !refresh_members(conn, &ctx, &[user.to_string()], now)?.is_empty() {
            done.push(cohort);
        }
    }
    Ok(done)
}

/// Applies every rule of a cohort, if its enrolment is open, in transactions of [`CHUNK`]
/// learners; `after_chunk` runs inside each (a job records its progress there). Returns how many
/// were newly assigned.
pub fn apply_cohort(
    db: &Db,
    cohort: &str,
    now: NaiveDateTime,
    mut after_chunk: impl FnMut(&mut AnyConnection, usize) -> Result<(), StorageError>,
) -> Result<usize, StorageError> {
    let (ctx, rules) = db.read(|c| Ok((cohort_ctx(c, cohort)?, load_rules(c, cohort)?)))?;
    if !ctx.dates.enrolment_open(now) {
        return Ok(0);
    }
    let mut who: Vec<Assignee> = Vec::new();
    let mut seen = HashSet::new();
    // Rules naming one person each (a NIP list becomes thousands of them) are looked up in
    // chunks, not one query per rule.
    let (people, groups): (Vec<&StoredRule>, Vec<&StoredRule>) =
        rules.iter().partition(|r| matches!(r.rule.target, RuleTarget::User(_)) && r.rule.within.is_none());
    for chunk in people.chunks(CHUNK) {
        let ids: Vec<String> = chunk.iter().map(|r| r.rule.target.value()).collect();
        let found: HashSet<String> = db.read(|c| {
            let members = cohort_members::table.filter(cohort_members::cohort_id.eq(cohort.to_string())).select(cohort_members::user_id);
            Ok(users::table
                .filter(users::id.eq_any(&ids))
                .filter(users::active.eq(true))
                .filter(diesel::dsl::not(users::id.eq_any(members)))
                .select(users::id)
                .load::<String>(c)?
                .into_iter()
                .collect())
        })?;
        for r in chunk {
            let user_id = r.rule.target.value();
            if found.contains(&user_id) && seen.insert(user_id.clone()) {
                who.push(Assignee { user_id, rule_id: Some(r.id.clone()), by: r.created_by.clone() });
            }
        }
    }
    for r in groups {
        for user_id in db.read(|c| matching_users(c, cohort, &r.rule))? {
            if seen.insert(user_id.clone()) {
                who.push(Assignee { user_id, rule_id: Some(r.id.clone()), by: r.created_by.clone() });
            }
        }
    }
    // The same order in every process, so two transactions inserting the same members on
    // PostgreSQL wait for each other instead of deadlocking.
    who.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    let mut assigned = 0;
    for chunk in who.chunks(CHUNK) {
        assigned += db.write(|c| {
            let n = assign_users(c, &ctx, chunk, now)?;
            after_chunk(c, n)?;
            Ok(n)
        })?;
    }
    Ok(assigned)
}

fn open_cohorts(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<Vec<String>, StorageError> {
    Ok(cohorts::table
        .filter(cohorts::enrol_opens_at.le(now))
        .filter(cohorts::enrol_closes_at.gt(now))
        .select(cohorts::id)
        .order(cohorts::id.asc())
        .load(conn)?)
}

/// Applies the rules of every cohort whose enrolment is open (the background worker's pass:
/// it catches people added or moved by any path, e.g. a CSV import).
pub fn apply_all_rules(db: &Db, now: NaiveDateTime) -> Result<usize, StorageError> {
    let mut assigned = 0;
    for cohort in db.read(|c| open_cohorts(c, now))? {
        assigned += apply_cohort(db, &cohort, now, |_, _| Ok(()))?;
    }
    Ok(assigned)
}

/// Applies open cohorts' rules to one person (after their account is created or their OPD,
/// position or employment type changes), in the caller's transaction. Returns the cohorts they
/// were newly assigned to.
pub fn apply_rules_for_user(conn: &mut AnyConnection, user: UserId, now: NaiveDateTime) -> Result<Vec<String>, StorageError> {
    let row: Option<PersonRow> = users::table
        .find(user.to_string())
        .select((users::id, users::opd_id, users::jabatan, users::employment_type, users::active))
        .get_result(conn)
        .optional()?;
    let Some(row) = row else { return Ok(Vec::new()) };
    let p = person(row)?;
    if !p.active {
        return Ok(Vec::new());
    }
    let me = user.to_string();
    let mut values = vec![me.clone(), normalise_position(&p.jabatan)];
    if let Some(o) = p.opd {
        values.push(o.to_string());
    }
    if let Some(e) = p.employment_type {
        values.push(e.as_str().to_string());
    }
    let open = open_cohorts(conn, now)?;
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let mine = cohort_members::table.filter(cohort_members::user_id.eq(&me)).select(cohort_members::cohort_id);
    let rows: Vec<(String, RuleRow)> = cohort_rules::table
        .filter(cohort_rules::cohort_id.eq_any(&open))
        .filter(diesel::dsl::not(cohort_rules::cohort_id.eq_any(mine)))
        .filter(cohort_rules::value.eq_any(&values))
        .select((
            cohort_rules::cohort_id,
            (cohort_rules::id, cohort_rules::kind, cohort_rules::value, cohort_rules::within_opd_id, cohort_rules::created_by),
        ))
        .order((cohort_rules::cohort_id.asc(), cohort_rules::created_at.asc()))
        .load(conn)?;
    let mut by_cohort: BTreeMap<String, Assignee> = BTreeMap::new();
    for (cohort, row) in rows {
        let r = stored_rule(row)?;
        if r.rule.matches(&p) {
            by_cohort.entry(cohort).or_insert(Assignee { user_id: me.clone(), rule_id: Some(r.id), by: r.created_by });
        }
    }
    let mut assigned = Vec::new();
    for (cohort, who) in by_cohort {
        let ctx = cohort_ctx(conn, &cohort)?;
        if assign_users(conn, &ctx, std::slice::from_ref(&who), now)? > 0 {
            assigned.push(cohort);
        }
    }
    Ok(assigned)
}

/// Recomputes the progress of every member who has not completed (the worker's pass: catches
/// completions recorded by any path). Returns how many completed a programme now.
pub fn refresh_all_progress(db: &Db, now: NaiveDateTime) -> Result<usize, StorageError> {
    let open: Vec<String> = db.read(|c| {
        Ok(cohort_members::table
            .filter(cohort_members::completed_at.is_null())
            .select(cohort_members::cohort_id)
            .distinct()
            .load(c)?)
    })?;
    let mut completed = 0;
    for cohort in open {
        let (ctx, members) = db.read(|c| {
            let ctx = cohort_ctx(c, &cohort)?;
            let members: Vec<String> = cohort_members::table
                .filter(cohort_members::cohort_id.eq(&cohort))
                .filter(cohort_members::completed_at.is_null())
                .select(cohort_members::user_id)
                .load(c)?;
            Ok((ctx, members))
        })?;
        for chunk in members.chunks(CHUNK) {
            completed += db.write(|c| refresh_members(c, &ctx, chunk, now))?.len();
        }
    }
    Ok(completed)
}

// ---------------------------------------------------------------------------------------------
// Deadlines

/// Queues deadline reminders (`days_before` stages, e.g. `[7, 1]`) and overdue notices for
/// members who have not completed, as of `now`. Each stage and each overdue notice is sent once
/// per person and cohort (they are part of the message key), so the worker may run this as
/// often as it likes. Cohorts whose deadline passed more than `overdue_horizon` ago are left
/// alone. Returns (reminders, overdue notices) newly queued.
pub fn enqueue_deadline_notices(
    db: &Db,
    now: NaiveDateTime,
    days_before: &[u32],
    overdue_horizon: TimeDelta,
) -> Result<(usize, usize), StorageError> {
    let ahead = TimeDelta::days(i64::from(days_before.iter().copied().max().unwrap_or(0)));
    type Row = (String, String, i32, String, String, i64, NaiveDateTime);
    let rows: Vec<Row> = db.read(|c| {
        Ok(cohort_members::table
            .inner_join(cohorts::table.inner_join(programmes::table))
            .inner_join(users::table)
            .filter(cohort_members::completed_at.is_null())
            .filter(users::active.eq(true))
            .filter(cohorts::due_at.gt(now - overdue_horizon))
            .filter(cohorts::due_at.le(now + ahead))
            .select((
                cohort_members::user_id,
                cohort_members::cohort_id,
                cohort_members::percent,
                programmes::title,
                cohorts::name,
                programmes::jp_hundredths,
                cohorts::due_at,
            ))
            .load(c)?)
    })?;
    let mut reminders = Vec::new();
    let mut overdue = Vec::new();
    for (user, cohort, percent, programme, name, jp_h, due) in rows {
        let base = serde_json::json!({
            "programme": programme,
            "cohort": name,
            "due_at": due,
            "jp": jp(jp_h),
            "percent": percent,
            "link": format!("/programmes/{cohort}"),
        });
        let user: UserId = parse_id(&user)?;
        if is_overdue(due, now) {
            overdue.push(Event { user, kind: NotificationKind::Overdue, subject_id: cohort, params: base });
        } else if let Some(stage) = reminder_stage(due, now, days_before) {
            let left = (due - now).num_seconds();
            let days = (left + 86_399) / 86_400;
            let mut params = base;
            params["days"] = serde_json::json!(days);
            reminders.push(Event { user, kind: NotificationKind::DeadlineApproaching, subject_id: format!("{cohort}:{stage}d"), params });
        }
    }
    let mut queued = (0, 0);
    for chunk in reminders.chunks(CHUNK) {
        queued.0 += db.write(|c| notify_many(c, chunk, now))?;
    }
    for chunk in overdue.chunks(CHUNK) {
        queued.1 += db.write(|c| notify_many(c, chunk, now))?;
    }
    Ok(queued)
}

// ---------------------------------------------------------------------------------------------
// A learner's own view

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyCourse {
    pub course_id: String,
    pub slug: String,
    pub title: String,
    pub jp: f64,
    pub required: bool,
    pub position: i32,
    /// `active`, `completed` or `withdrawn`; absent if not enrolled (withdrawn by hand).
    pub status: Option<String>,
    pub percent_complete: i32,
    pub due_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyProgramme {
    pub cohort: CohortView,
    pub programme_id: String,
    pub title: String,
    pub description: String,
    pub jp: f64,
    pub electives_needed: i32,
    pub certificate: bool,
    pub courses: Vec<MyCourse>,
    pub progress: lentera_programmes::ProgrammeProgress,
    pub assigned_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
    pub certificate_id: Option<String>,
    /// Not complete and past the cohort's deadline.
    pub overdue: bool,
}

/// The cohorts a learner belongs to, soonest deadline first, with each course's state and the
/// programme progress computed now.
pub fn my_programmes(conn: &mut AnyConnection, user: UserId, now: NaiveDateTime) -> Result<Vec<MyProgramme>, StorageError> {
    let me = user.to_string();
    let memberships: Vec<(String, NaiveDateTime, Option<NaiveDateTime>, Option<String>)> = cohort_members::table
        .filter(cohort_members::user_id.eq(&me))
        .select((cohort_members::cohort_id, cohort_members::assigned_at, cohort_members::completed_at, cohort_members::certificate_id))
        .load(conn)?;
    let cohort_ids: Vec<String> = memberships.iter().map(|m| m.0.clone()).collect();
    let views = cohort_views(conn, None, Some(&cohort_ids))?;
    let mut out = Vec::new();
    for (cohort_id, assigned_at, completed_at, certificate_id) in memberships {
        let Some(cohort) = views.iter().find(|v| v.id == cohort_id).cloned() else { continue };
        let (title, description, jp_h, needed, certificate): (String, String, i64, i32, bool) = programmes::table
            .find(&cohort.programme_id)
            .select((programmes::title, programmes::description, programmes::jp_hundredths, programmes::electives_needed, programmes::certificate))
            .get_result(conn)?;
        let list = programme_course_views(conn, &cohort.programme_id)?;
        let ids: Vec<String> = list.iter().map(|c| c.course_id.clone()).collect();
        type E = (String, String, i32, Option<NaiveDateTime>, Option<NaiveDateTime>);
        let enrolled: HashMap<String, E> = enrolments::table
            .filter(enrolments::user_id.eq(&me))
            .filter(enrolments::course_id.eq_any(&ids))
            .select((enrolments::course_id, enrolments::status, enrolments::percent_complete, enrolments::due_at, enrolments::completed_at))
            .load::<E>(conn)?
            .into_iter()
            .map(|e| (e.0.clone(), e))
            .collect();
        let courses: Vec<MyCourse> = list
            .into_iter()
            .map(|c| {
                let e = enrolled.get(&c.course_id);
                MyCourse {
                    status: e.map(|e| e.1.clone()),
                    percent_complete: e.map_or(0, |e| e.2),
                    due_at: e.and_then(|e| e.3),
                    completed_at: e.and_then(|e| e.4),
                    course_id: c.course_id,
                    slug: c.slug,
                    title: c.title,
                    jp: c.jp,
                    required: c.required,
                    position: c.position,
                }
            })
            .collect();
        let required: Vec<CourseId> = courses.iter().filter(|c| c.required).map(|c| CourseId(c.course_id.clone())).collect();
        let electives: Vec<CourseId> = courses.iter().filter(|c| !c.required).map(|c| CourseId(c.course_id.clone())).collect();
        let done: HashSet<CourseId> =
            courses.iter().filter(|c| c.completed_at.is_some()).map(|c| CourseId(c.course_id.clone())).collect();
        let progress = programme_complete(&required, &electives, needed.max(0) as usize, &done);
        let overdue = completed_at.is_none() && !progress.complete && is_overdue(cohort.due_at, now);
        out.push(MyProgramme {
            cohort,
            programme_id: String::new(),
            title,
            description,
            jp: jp(jp_h),
            electives_needed: needed,
            certificate,
            courses,
            progress,
            assigned_at,
            completed_at,
            certificate_id,
            overdue,
        });
    }
    for p in &mut out {
        p.programme_id = p.cohort.programme_id.clone();
    }
    out.sort_by(|a, b| a.cohort.due_at.cmp(&b.cohort.due_at).then_with(|| a.cohort.id.cmp(&b.cohort.id)));
    Ok(out)
}

/// The owner of a programme and their OPD (for permission checks).
pub fn programme_owner(conn: &mut AnyConnection, id: &str) -> Result<(String, Option<String>), StorageError> {
    Ok(programmes::table.find(id).select((programmes::owner_id, programmes::owner_opd_id)).get_result(conn)?)
}

/// How many cohorts a programme has (its courses are fixed once it has one).
pub fn cohort_count(conn: &mut AnyConnection, programme: &str) -> Result<i64, StorageError> {
    Ok(cohorts::table.filter(cohorts::programme_id.eq(programme)).count().get_result(conn)?)
}

/// Users named by NIP: (NIP, user id, OPD id) of those that exist.
pub fn users_by_nip(conn: &mut AnyConnection, nips: &[String]) -> Result<Vec<(String, String, Option<String>)>, StorageError> {
    let mut out = Vec::new();
    for chunk in nips.chunks(CHUNK) {
        let rows: Vec<(Option<String>, String, Option<String>)> =
            users::table.filter(users::nip.eq_any(chunk)).select((users::nip, users::id, users::opd_id)).load(conn)?;
        out.extend(rows.into_iter().filter_map(|(nip, id, opd)| nip.map(|n| (n, id, opd))));
    }
    Ok(out)
}

/// (user id, OPD id) of those that exist, for scope checks.
pub fn user_opds(conn: &mut AnyConnection, ids: &[String]) -> Result<HashMap<String, Option<String>>, StorageError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(String, Option<String>)> = users::table.filter(users::id.eq_any(chunk)).select((users::id, users::opd_id)).load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}
