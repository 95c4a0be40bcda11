//! Report queries: completion per learner × course (paged by key, for streaming exports),
//! aggregates per course and per OPD, and JP per learner for a period. Periods arrive as UTC
//! bounds: the caller decides what a "year" is (Asia/Jakarta by default).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::Serialize;

use crate::schema::{courses, enrolments, opds, users};
use crate::schema_progress::certificates;
use crate::{AnyConnection, StorageError};

/// Whose rows a report may contain.
#[derive(Debug, Clone)]
pub enum ReportScope {
    All,
    /// OPD ids (a scoped hr officer).
    Opds(Vec<String>),
    /// User ids (a mentor's mentees, or a learner themself).
    Users(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct ReportFilter {
    /// `[start, end)` in UTC.
    pub period: Option<(NaiveDateTime, NaiveDateTime)>,
    pub opd_id: Option<String>,
    pub course_slug: Option<String>,
    /// `PNS` or `PPPK`.
    pub employment_type: Option<String>,
    /// `completed`, `active` (in progress or not started) or `withdrawn`.
    pub status: Option<String>,
    /// A programme's id: only its courses, and only learners of its cohorts.
    pub programme_id: Option<String>,
    pub scope: ReportScope,
}

#[derive(Debug, Clone, Serialize, Queryable)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompletionRow {
    pub enrolment_id: String,
    pub nip: Option<String>,
    pub name: String,
    pub opd: Option<String>,
    pub jabatan: String,
    pub employment_type: Option<String>,
    pub course_slug: String,
    pub course_title: String,
    pub enrolled_at: NaiveDateTime,
    pub status: String,
    pub percent_complete: i32,
    pub completed_at: Option<NaiveDateTime>,
    pub course_jp_hundredths: i64,
    /// Best passed quiz score, 0–100.
    pub score_percent: Option<f64>,
    /// The completion certificate's number, unless it was revoked.
    pub certificate_number: Option<String>,
}

macro_rules! apply_filter {
    ($query:expr, $f:expr) => {{
        let mut q = $query;
        let f: &ReportFilter = $f;
        match &f.scope {
            ReportScope::All => {}
            ReportScope::Opds(ids) => q = q.filter(users::opd_id.eq_any(ids.clone())),
            ReportScope::Users(ids) => q = q.filter(users::id.eq_any(ids.clone())),
        }
        if let Some(opd) = &f.opd_id {
            q = q.filter(users::opd_id.eq(opd.clone()));
        }
        if let Some(slug) = &f.course_slug {
            q = q.filter(courses::slug.eq(slug.clone()));
        }
        if let Some(kind) = &f.employment_type {
            q = q.filter(users::employment_type.eq(kind.clone()));
        }
        if let Some(status) = &f.status {
            q = q.filter(enrolments::status.eq(status.clone()));
        }
        if let Some(programme) = &f.programme_id {
            use diesel::dsl::sql;
            use diesel::sql_types::{Bool, Text};
            q = q.filter(sql::<Bool>(PROGRAMME_COURSES_DSL).bind::<Text, _>(programme.clone()).sql(")"));
            q = q.filter(sql::<Bool>(PROGRAMME_LEARNERS_DSL).bind::<Text, _>(programme.clone()).sql(")"));
        }
        if let Some((start, end)) = f.period {
            // Completed within the period, or still open and begun before its end.
            q = q.filter(
                enrolments::completed_at
                    .ge(start)
                    .and(enrolments::completed_at.lt(end))
                    .or(enrolments::completed_at.is_null().and(enrolments::enrolled_at.lt(end))),
            );
        }
        q
    }};
}

/// Where a completion export has got to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportCursor {
    Start,
    /// SQLite: the enrolments table's own row order (a sequential read of the table; the id
    /// index would visit the rows in random order, three times slower for a million rows).
    Rowid(i64),
    /// PostgreSQL: by id.
    Id(String),
}

macro_rules! completion_query {
    ($f:expr) => {
        apply_filter!(
            enrolments::table
                .inner_join(users::table)
                .inner_join(courses::table)
                .left_join(opds::table.on(users::opd_id.eq(opds::id.nullable())))
                .left_join(certificates::table.on(certificates::enrolment_id.eq(enrolments::id).and(certificates::revoked_at.is_null())))
                .into_boxed(),
            $f
        )
    };
}

macro_rules! completion_columns {
    () => {
        (
            enrolments::id,
            users::nip,
            users::name,
            opds::name.nullable(),
            users::jabatan,
            users::employment_type,
            courses::slug,
            courses::title,
            enrolments::enrolled_at,
            enrolments::status,
            enrolments::percent_complete,
            enrolments::completed_at,
            courses::jp_hundredths,
            enrolments::score_percent,
            certificates::number.nullable(),
        )
    };
}

/// One page of completion rows, ordered by enrolment id, after `after` (keyset paging for the
/// JSON pages).
pub fn completion_page(
    conn: &mut AnyConnection,
    f: &ReportFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CompletionRow>, StorageError> {
    let mut q = completion_query!(f);
    if let Some(after) = after {
        q = q.filter(enrolments::id.gt(after.to_string()));
    }
    Ok(q.select(completion_columns!()).order(enrolments::id.asc()).limit(limit).load(conn)?)
}

/// The next page of an export: rows after `cursor` in the backend's cheapest stable order, and
/// the cursor to continue from (the same one once there are no more rows).
pub fn completion_export_page(
    conn: &mut AnyConnection,
    f: &ReportFilter,
    cursor: &ExportCursor,
    limit: i64,
) -> Result<(Vec<CompletionRow>, ExportCursor), StorageError> {
    use diesel::dsl::sql;
    if matches!(conn, AnyConnection::Sqlite(_)) {
        let after = match cursor {
            ExportCursor::Rowid(r) => *r,
            _ => i64::MIN,
        };
        let rows: Vec<(CompletionRow, i64)> = completion_query!(f)
            .filter(sql::<diesel::sql_types::Bool>("enrolments.rowid > ").bind::<BigInt, _>(after))
            .select((completion_columns!(), sql::<BigInt>("enrolments.rowid")))
            .order(sql::<BigInt>("enrolments.rowid"))
            .limit(limit)
            .load(conn)?;
        let next = rows.last().map_or_else(|| cursor.clone(), |r| ExportCursor::Rowid(r.1));
        return Ok((rows.into_iter().map(|r| r.0).collect(), next));
    }
    let after = match cursor {
        ExportCursor::Id(id) => Some(id.as_str()),
        _ => None,
    };
    let rows = completion_page(conn, f, after, limit)?;
    let next = rows.last().map_or_else(|| cursor.clone(), |r| ExportCursor::Id(r.enrolment_id.clone()));
    Ok((rows, next))
}

/// PostgreSQL: every completion row of the filter from one query, handed to `sink` row by row
/// as the server sends them (libpq's single-row mode: memory stays flat, and the planner joins
/// the whole tables at once instead of once per page). Rows come in the server's storage order.
/// The connection is busy until the last row; SQLite exports page with
/// [`completion_export_page`] instead, so as not to hold a read transaction open.
pub fn stream_completions_pg<E: From<StorageError>>(
    conn: &mut diesel::PgConnection,
    f: &ReportFilter,
    mut sink: impl FnMut(CompletionRow) -> Result<(), E>,
) -> Result<u64, E> {
    use diesel::pg::PgRowByRowLoadingMode;
    let rows = completion_query!(f)
        .select(completion_columns!())
        .load_iter::<CompletionRow, PgRowByRowLoadingMode>(conn)
        .map_err(StorageError::from)?;
    let mut count = 0;
    for row in rows {
        sink(row.map_err(StorageError::from)?)?;
        count += 1;
    }
    Ok(count)
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub enrolled: i64,
    pub not_started: i64,
    pub in_progress: i64,
    pub completed: i64,
    pub withdrawn: i64,
    #[serde(skip)]
    percent_sum: f64,
    #[serde(skip)]
    score_sum: f64,
    #[serde(skip)]
    scored: i64,
}

impl Tally {
    /// Mean progress over all enrolments of the group, 0–100.
    pub fn average_percent(&self) -> f64 {
        if self.enrolled == 0 { 0.0 } else { self.percent_sum / self.enrolled as f64 }
    }

    /// Mean score over the enrolments that have one (none: `None`).
    pub fn average_score(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.score_sum / self.scored as f64)
    }

    /// Completed as a share of enrolments that were not withdrawn (0 when there are none).
    pub fn completion_rate(&self) -> f64 {
        let base = self.enrolled - self.withdrawn;
        if base <= 0 { 0.0 } else { self.completed as f64 / base as f64 }
    }
}

/// A bound parameter of a hand-written report query.
enum Param {
    Text(String),
    Time(NaiveDateTime),
}

/// A programme filter: its courses, and the learners of its cohorts. The `_SQL` forms are for
/// the hand-written queries (aliases `c`, `u`, `?` placeholders), the `_DSL` forms are SQL
/// fragments for diesel queries (full table names; diesel adds the bound parameter).
const PROGRAMME_COURSES_SQL: &str = "c.id IN (SELECT pc.course_id FROM programme_courses pc WHERE pc.programme_id = ?)";
const PROGRAMME_LEARNERS_SQL: &str =
    "u.id IN (SELECT m.user_id FROM cohort_members m JOIN cohorts k ON k.id = m.cohort_id WHERE k.programme_id = ?)";
const PROGRAMME_COURSES_DSL: &str = "courses.id IN (SELECT pc.course_id FROM programme_courses pc WHERE pc.programme_id = ";
const PROGRAMME_LEARNERS_DSL: &str =
    "users.id IN (SELECT m.user_id FROM cohort_members m JOIN cohorts k ON k.id = m.cohort_id WHERE k.programme_id = ";

/// The report filter as a SQL `WHERE` over `e` (enrolments), `u` (users) and `c` (courses), with
/// `?` placeholders and their parameters.
fn where_sql(f: &ReportFilter) -> (String, Vec<Param>) {
    let mut clauses = vec!["1 = 1".to_string()];
    let mut params = Vec::new();
    let list = |ids: &Vec<String>, column: &str, clauses: &mut Vec<String>, params: &mut Vec<Param>| {
        if ids.is_empty() {
            clauses.push("1 = 0".into());
        } else {
            clauses.push(format!("{column} IN ({})", vec!["?"; ids.len()].join(", ")));
            params.extend(ids.iter().cloned().map(Param::Text));
        }
    };
    match &f.scope {
        ReportScope::All => {}
        ReportScope::Opds(ids) => list(ids, "u.opd_id", &mut clauses, &mut params),
        ReportScope::Users(ids) => list(ids, "u.id", &mut clauses, &mut params),
    }
    for (value, column) in [(&f.opd_id, "u.opd_id"), (&f.course_slug, "c.slug"), (&f.employment_type, "u.employment_type"), (&f.status, "e.status")] {
        if let Some(v) = value {
            clauses.push(format!("{column} = ?"));
            params.push(Param::Text(v.clone()));
        }
    }
    if let Some(programme) = &f.programme_id {
        clauses.push(PROGRAMME_COURSES_SQL.into());
        clauses.push(PROGRAMME_LEARNERS_SQL.into());
        params.extend([Param::Text(programme.clone()), Param::Text(programme.clone())]);
    }
    if let Some((start, end)) = f.period {
        clauses.push("((e.completed_at >= ? AND e.completed_at < ?) OR (e.completed_at IS NULL AND e.enrolled_at < ?))".into());
        params.extend([Param::Time(start), Param::Time(end), Param::Time(end)]);
    }
    (clauses.join(" AND "), params)
}

/// Runs a hand-written query on either backend: `?` placeholders become `$n` on PostgreSQL.
fn load_sql<T>(conn: &mut AnyConnection, sql: &str, params: Vec<Param>) -> Result<Vec<T>, StorageError>
where
    T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
{
    macro_rules! run {
        ($c:expr, $db:ty, $sql:expr) => {{
            let mut q = diesel::sql_query($sql).into_boxed::<$db>();
            for p in params {
                q = match p {
                    Param::Text(t) => q.bind::<Text, _>(t),
                    Param::Time(t) => q.bind::<Timestamp, _>(t),
                };
            }
            q.load::<T>($c)?
        }};
    }
    Ok(match conn {
        AnyConnection::Sqlite(c) => run!(c, diesel::sqlite::Sqlite, sql.to_string()),
        AnyConnection::Postgresql(c) => {
            let mut n = 0;
            let numbered: String = sql
                .chars()
                .map(|ch| if ch == '?' { n += 1; format!("${n}") } else { ch.to_string() })
                .collect();
            run!(c, diesel::pg::Pg, numbered)
        }
    })
}

#[derive(QueryableByName)]
struct TallyRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    started: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    avg_percent: Option<f64>,
    #[diesel(sql_type = BigInt)]
    scored: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    score_sum: Option<f64>,
}

/// Counts per group (a course slug, or an OPD id), by status.
pub fn tally(conn: &mut AnyConnection, f: &ReportFilter, by_opd: bool) -> Result<HashMap<String, Tally>, StorageError> {
    let key = if by_opd { "u.opd_id" } else { "c.slug" };
    let (where_clause, params) = where_sql(f);
    let sql = format!(
        "SELECT {key} AS key, e.status AS status, CASE WHEN e.percent_complete > 0 THEN 1 ELSE 0 END AS started, \
         CAST(COUNT(*) AS BIGINT) AS n, CAST(AVG(e.percent_complete) AS DOUBLE PRECISION) AS avg_percent, \
         CAST(COUNT(e.score_percent) AS BIGINT) AS scored, CAST(SUM(e.score_percent) AS DOUBLE PRECISION) AS score_sum \
         FROM enrolments e JOIN users u ON u.id = e.user_id JOIN courses c ON c.id = e.course_id \
         WHERE {where_clause} GROUP BY {key}, e.status, CASE WHEN e.percent_complete > 0 THEN 1 ELSE 0 END"
    );
    let rows: Vec<TallyRow> = load_sql(conn, &sql, params)?;
    let mut out: HashMap<String, Tally> = HashMap::new();
    for r in rows {
        let t = out.entry(r.key.unwrap_or_default()).or_default();
        t.enrolled += r.n;
        t.percent_sum += r.avg_percent.unwrap_or(0.0) * r.n as f64;
        t.scored += r.scored;
        t.score_sum += r.score_sum.unwrap_or(0.0);
        match (r.status.as_str(), r.started == 1) {
            ("completed", _) => t.completed += r.n,
            ("withdrawn", _) => t.withdrawn += r.n,
            (_, true) => t.in_progress += r.n,
            (_, false) => t.not_started += r.n,
        }
    }
    Ok(out)
}

#[derive(QueryableByName)]
struct BucketRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    bucket: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Which enrolment time a [`timeline`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineOf {
    Enrolled,
    Completed,
}

/// Enrolments (or completions) within the filter, counted per interval `[bounds[i], bounds[i+1])`
/// (e.g. the months of a year as UTC instants). The filter's own period is ignored.
pub fn timeline(conn: &mut AnyConnection, f: &ReportFilter, of: TimelineOf, bounds: &[NaiveDateTime]) -> Result<Vec<i64>, StorageError> {
    let mut out = vec![0; bounds.len().saturating_sub(1)];
    if out.is_empty() {
        return Ok(out);
    }
    let column = match of {
        TimelineOf::Enrolled => "e.enrolled_at",
        TimelineOf::Completed => "e.completed_at",
    };
    let unbounded = ReportFilter { period: None, ..f.clone() };
    let (where_clause, filter_params) = where_sql(&unbounded);
    let mut params = Vec::new();
    let mut case = String::from("CASE");
    for (i, end) in bounds[1..].iter().enumerate() {
        case.push_str(&format!(" WHEN {column} < ? THEN {i}"));
        params.push(Param::Time(*end));
    }
    case.push_str(" END");
    params.extend(filter_params);
    params.extend([Param::Time(bounds[0]), Param::Time(bounds[bounds.len() - 1])]);
    let sql = format!(
        "SELECT CAST({case} AS INTEGER) AS bucket, CAST(COUNT(*) AS BIGINT) AS n \
         FROM enrolments e JOIN users u ON u.id = e.user_id JOIN courses c ON c.id = e.course_id \
         WHERE {where_clause} AND {column} >= ? AND {column} < ? GROUP BY 1"
    );
    for r in load_sql::<BucketRow>(conn, &sql, params)? {
        if let Some(slot) = usize::try_from(r.bucket).ok().and_then(|i| out.get_mut(i)) {
            *slot += r.n;
        }
    }
    Ok(out)
}

#[derive(QueryableByName)]
struct JpRow {
    #[diesel(sql_type = Text)]
    user_id: String,
    #[diesel(sql_type = BigInt)]
    jp: i64,
}

/// JP (hundredths) credited by completed courses per learner, completed within `[start, end)`.
pub fn course_jp_by_user(
    conn: &mut AnyConnection,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Result<HashMap<String, i64>, StorageError> {
    const SQL: &str = "SELECT e.user_id AS user_id, CAST(SUM(c.jp_hundredths) AS BIGINT) AS jp \
         FROM enrolments e JOIN courses c ON c.id = e.course_id \
         WHERE e.completed_at >= {1} AND e.completed_at < {2} GROUP BY e.user_id";
    let rows: Vec<JpRow> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(SQL.replace("{1}", "?").replace("{2}", "?"))
            .bind::<Timestamp, _>(start)
            .bind::<Timestamp, _>(end)
            .load(c)?,
        AnyConnection::Postgresql(c) => diesel::sql_query(SQL.replace("{1}", "$1").replace("{2}", "$2"))
            .bind::<Timestamp, _>(start)
            .bind::<Timestamp, _>(end)
            .load(c)?,
    };
    Ok(rows.into_iter().map(|r| (r.user_id, r.jp)).collect())
}

/// JP (hundredths) of approved external training per learner whose last day falls within
/// `[first, last]` (dates in the deployment's calendar, as the learner entered them).
pub fn external_jp_by_user(conn: &mut AnyConnection, first: chrono::NaiveDate, last: chrono::NaiveDate) -> Result<HashMap<String, i64>, StorageError> {
    use diesel::sql_types::Date;
    const SQL: &str = "SELECT t.user_id AS user_id, CAST(SUM(t.jp_hundredths) AS BIGINT) AS jp \
         FROM external_trainings t WHERE t.status = 'approved' AND t.end_date >= {1} AND t.end_date <= {2} GROUP BY t.user_id";
    let rows: Vec<JpRow> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(SQL.replace("{1}", "?").replace("{2}", "?"))
            .bind::<Date, _>(first)
            .bind::<Date, _>(last)
            .load(c)?,
        AnyConnection::Postgresql(c) => diesel::sql_query(SQL.replace("{1}", "$1").replace("{2}", "$2"))
            .bind::<Date, _>(first)
            .bind::<Date, _>(last)
            .load(c)?,
    };
    Ok(rows.into_iter().map(|r| (r.user_id, r.jp)).collect())
}

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct LearnerRow {
    pub id: String,
    pub nip: Option<String>,
    pub name: String,
    pub opd_id: Option<String>,
    pub opd: Option<String>,
    pub jabatan: String,
    pub employment_type: Option<String>,
}

/// Active learners within the filter's scope, OPD and employment type (the population of a JP
/// compliance report: everyone counts, also those with no course at all).
pub fn learners(conn: &mut AnyConnection, f: &ReportFilter) -> Result<Vec<LearnerRow>, StorageError> {
    let mut q = users::table.left_join(opds::table).filter(users::active.eq(true)).filter(users::nip.is_not_null()).into_boxed();
    match &f.scope {
        ReportScope::All => {}
        ReportScope::Opds(ids) => q = q.filter(users::opd_id.eq_any(ids.clone())),
        ReportScope::Users(ids) => q = q.filter(users::id.eq_any(ids.clone())),
    }
    if let Some(opd) = &f.opd_id {
        q = q.filter(users::opd_id.eq(opd.clone()));
    }
    if let Some(kind) = &f.employment_type {
        q = q.filter(users::employment_type.eq(kind.clone()));
    }
    if let Some(programme) = &f.programme_id {
        use diesel::dsl::sql;
        use diesel::sql_types::Bool;
        q = q.filter(sql::<Bool>(PROGRAMME_LEARNERS_DSL).bind::<Text, _>(programme.clone()).sql(")"));
    }
    // Unordered: the caller sorts what it shows (sorting 100,000 names in SQL costs more).
    Ok(q.select((users::id, users::nip, users::name, users::opd_id, opds::name.nullable(), users::jabatan, users::employment_type)).load(conn)?)
}

/// OPD id → name.
pub fn opd_names(conn: &mut AnyConnection) -> Result<HashMap<String, String>, StorageError> {
    Ok(opds::table.select((opds::id, opds::name)).load::<(String, String)>(conn)?.into_iter().collect())
}

/// Course slug → title.
pub fn course_titles(conn: &mut AnyConnection) -> Result<HashMap<String, String>, StorageError> {
    Ok(courses::table.select((courses::slug, courses::title)).load::<(String, String)>(conn)?.into_iter().collect())
}

/// The current mentees of a mentor (user ids).
pub fn mentees_of(conn: &mut AnyConnection, mentor: &str) -> Result<Vec<String>, StorageError> {
    use crate::schema::mentorships;
    Ok(mentorships::table
        .filter(mentorships::mentor_id.eq(mentor))
        .filter(mentorships::ended_at.is_null())
        .select(mentorships::mentee_id)
        .load(conn)?)
}

/// Pairs a mentor with a mentee (idempotent).
pub fn pair_mentor(conn: &mut AnyConnection, mentor: &str, mentee: &str, by: &str) -> Result<(), StorageError> {
    use crate::schema::mentorships;
    let exists: i64 = mentorships::table
        .filter(mentorships::mentor_id.eq(mentor))
        .filter(mentorships::mentee_id.eq(mentee))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(mentorships::table)
            .values((
                mentorships::id.eq(uuid::Uuid::now_v7().to_string()),
                mentorships::mentor_id.eq(mentor),
                mentorships::mentee_id.eq(mentee),
                mentorships::created_by.eq(Some(by)),
                mentorships::created_at.eq(crate::now()),
            ))
            .execute(conn)?;
    } else {
        diesel::update(mentorships::table.filter(mentorships::mentor_id.eq(mentor)).filter(mentorships::mentee_id.eq(mentee)))
            .set(mentorships::ended_at.eq(None::<NaiveDateTime>))
            .execute(conn)?;
    }
    Ok(())
}
