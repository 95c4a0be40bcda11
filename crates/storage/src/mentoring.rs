//! Mentoring pairs: who mentors whom, as hr and admins see them, and a mentor's mentees with
//! their course figures. Pairing itself is `reports::pair_mentor` (a mentor's report scope is
//! `reports::mentees_of`); a pair that ended keeps its row with `ended_at` set, so it can be
//! resumed and stays on record.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lentera_accounts::HrScope;
use serde::Serialize;

use crate::schema::{enrolments, mentorships, opds, users};
use crate::{AnyConnection, StorageError};

/// One side of a pair.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairPerson {
    pub id: String,
    pub name: String,
    pub opd_id: Option<String>,
    pub opd_name: Option<String>,
}

/// A current mentoring pair.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairView {
    pub id: String,
    pub mentor: PairPerson,
    pub mentee: PairPerson,
    pub created_at: NaiveDateTime,
}

fn scope_ids(scope: &HrScope) -> Option<Vec<String>> {
    match scope {
        HrScope::All => None,
        HrScope::Opds(o) => Some(o.iter().map(|x| x.to_string()).collect()),
    }
}

/// Current pairs that `scope` may manage, mentor name then mentee name, a page at a time, with
/// the number of them all. A scoped hr officer manages the pairs whose mentor and mentee are
/// both in their OPDs (the rule `POST /mentorships` pairs by).
pub fn list_pairs(conn: &mut AnyConnection, scope: &HrScope, offset: i64, limit: i64) -> Result<(Vec<PairView>, i64), StorageError> {
    let query = || {
        let mut q = mentorships::table.filter(mentorships::ended_at.is_null()).into_boxed();
        if let Some(ids) = scope_ids(scope) {
            let in_scope = users::table.filter(users::opd_id.eq_any(ids)).select(users::id);
            q = q.filter(mentorships::mentor_id.eq_any(in_scope.clone())).filter(mentorships::mentee_id.eq_any(in_scope));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(String, String, String, NaiveDateTime)> = query()
        .order((mentorships::mentor_id.asc(), mentorships::mentee_id.asc()))
        .select((mentorships::id, mentorships::mentor_id, mentorships::mentee_id, mentorships::created_at))
        .load(conn)?;
    // Names come from the users table: load those of every pair, sort by them, then cut the
    // page (pairs number in the hundreds, not millions, so the ids fit one query).
    let mut ids: Vec<&str> = rows.iter().flat_map(|r| [r.1.as_str(), r.2.as_str()]).collect();
    ids.sort_unstable();
    ids.dedup();
    let people = people(conn, &ids)?;
    let person = |id: &str| {
        people.get(id).cloned().unwrap_or_else(|| PairPerson { id: id.to_string(), name: String::new(), opd_id: None, opd_name: None })
    };
    let mut pairs: Vec<PairView> =
        rows.iter().map(|(id, mentor, mentee, at)| PairView { id: id.clone(), mentor: person(mentor), mentee: person(mentee), created_at: *at }).collect();
    pairs.sort_by(|a, b| (&a.mentor.name, &a.mentee.name, &a.id).cmp(&(&b.mentor.name, &b.mentee.name, &b.id)));
    let page = pairs.into_iter().skip(usize::try_from(offset).unwrap_or(0)).take(usize::try_from(limit).unwrap_or(0)).collect();
    Ok((page, total))
}

fn people(conn: &mut AnyConnection, ids: &[&str]) -> Result<HashMap<String, PairPerson>, StorageError> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String, Option<String>, Option<String>)> = users::table
            .left_join(opds::table)
            .filter(users::id.eq_any(chunk))
            .select((users::id, users::name, users::opd_id, opds::name.nullable()))
            .load(conn)?;
        for (id, name, opd_id, opd_name) in rows {
            out.insert(id.clone(), PairPerson { id, name, opd_id, opd_name });
        }
    }
    Ok(out)
}

/// A current pair by id, with both people (for the scope check before ending it).
pub fn pair(conn: &mut AnyConnection, id: &str) -> Result<PairView, StorageError> {
    let (id, mentor, mentee, created_at): (String, String, String, NaiveDateTime) = mentorships::table
        .filter(mentorships::id.eq(id))
        .filter(mentorships::ended_at.is_null())
        .select((mentorships::id, mentorships::mentor_id, mentorships::mentee_id, mentorships::created_at))
        .first(conn)?;
    let mut people = people(conn, &[&mentor, &mentee])?;
    let mentor = people.remove(&mentor).ok_or(StorageError::NotFound)?;
    let mentee = people.remove(&mentee).ok_or(StorageError::NotFound)?;
    Ok(PairView { id, mentor, mentee, created_at })
}

/// Ends a current pair: the mentee leaves the mentor's list and report scope. `NotFound` if
/// there is no current pair with that id.
pub fn end_pair(conn: &mut AnyConnection, id: &str, at: NaiveDateTime) -> Result<(), StorageError> {
    let n = diesel::update(mentorships::table.filter(mentorships::id.eq(id)).filter(mentorships::ended_at.is_null()))
        .set(mentorships::ended_at.eq(Some(at)))
        .execute(conn)?;
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    Ok(())
}

/// A current mentee with their enrolment counts (JP are added by the caller, which knows the
/// JP rules).
#[derive(Debug, Clone)]
pub struct MenteeRow {
    pub id: String,
    pub name: String,
    pub nip: Option<String>,
    pub opd_id: Option<String>,
    pub opd_name: Option<String>,
    /// Courses enrolled in and not withdrawn from.
    pub courses_enrolled: i64,
    pub courses_completed: i64,
}

/// (id, name, NIP, OPD id, OPD name).
type MenteePerson = (String, String, Option<String>, Option<String>, Option<String>);

/// The current mentees of `mentor`, by name.
pub fn mentees(conn: &mut AnyConnection, mentor: &str) -> Result<Vec<MenteeRow>, StorageError> {
    let people: Vec<MenteePerson> = mentorships::table
        .inner_join(users::table.on(users::id.eq(mentorships::mentee_id)))
        .left_join(opds::table.on(opds::id.nullable().eq(users::opd_id)))
        .filter(mentorships::mentor_id.eq(mentor))
        .filter(mentorships::ended_at.is_null())
        .order((users::name.asc(), users::id.asc()))
        .select((users::id, users::name, users::nip, users::opd_id, opds::name.nullable()))
        .load(conn)?;
    let ids: Vec<&str> = people.iter().map(|p| p.0.as_str()).collect();
    let mut counts: HashMap<String, (i64, i64)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String)> = enrolments::table
            .filter(enrolments::user_id.eq_any(chunk))
            .filter(enrolments::status.ne("withdrawn"))
            .select((enrolments::user_id, enrolments::status))
            .load(conn)?;
        for (user, status) in rows {
            let c = counts.entry(user).or_default();
            c.0 += 1;
            if status == "completed" {
                c.1 += 1;
            }
        }
    }
    Ok(people
        .into_iter()
        .map(|(id, name, nip, opd_id, opd_name)| {
            let (courses_enrolled, courses_completed) = counts.get(&id).copied().unwrap_or_default();
            MenteeRow { id, name, nip, opd_id, opd_name, courses_enrolled, courses_completed }
        })
        .collect())
}
