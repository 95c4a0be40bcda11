//! Users, OPDs and role grants.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lentera_accounts::{
    CsvProblem, Email, EmploymentType, HrScope, Language, Nip, OpdId, Role, RoleGrant, UserCsvRow,
    UserId,
};
use serde::Serialize;

use crate::schema::{opds, refresh_tokens, user_roles, users};
use crate::{AnyConnection, StorageError, now};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opd {
    pub id: OpdId,
    pub name: String,
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub nip: Option<String>,
    pub name: String,
    pub email: String,
    pub opd: Option<Opd>,
    pub jabatan: String,
    pub employment_type: Option<EmploymentType>,
    pub language: Language,
    pub active: bool,
    pub roles: Vec<RoleGrant>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What the login check needs and nothing more.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub id: UserId,
    pub password_hash: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub nip: Option<Nip>,
    pub name: String,
    pub email: Email,
    pub opd_id: Option<OpdId>,
    pub jabatan: String,
    pub employment_type: Option<EmploymentType>,
    pub language: Language,
    pub password_hash: Option<String>,
    pub roles: Vec<RoleGrant>,
}

/// A partial update: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub name: Option<String>,
    pub email: Option<Email>,
    pub opd_id: Option<Option<OpdId>>,
    pub jabatan: Option<String>,
    pub employment_type: Option<Option<EmploymentType>>,
    pub language: Option<Language>,
    pub roles: Option<Vec<RoleGrant>>,
}

#[derive(Debug, Clone)]
pub struct UserFilter {
    pub q: Option<String>,
    pub opd: Option<OpdId>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Whose users the caller may see.
    pub scope: HrScope,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Queryable)]
struct UserRow {
    id: String,
    nip: Option<String>,
    name: String,
    email: String,
    opd_id: Option<String>,
    jabatan: String,
    employment_type: Option<String>,
    language: String,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    opd_name: Option<String>,
    opd_code: Option<String>,
}

type UserColumns = (
    users::id,
    users::nip,
    users::name,
    users::email,
    users::opd_id,
    users::jabatan,
    users::employment_type,
    users::language,
    users::active,
    users::created_at,
    users::updated_at,
    diesel::helper_types::Nullable<opds::name>,
    diesel::helper_types::Nullable<opds::code>,
);

fn user_columns() -> UserColumns {
    (
        users::id,
        users::nip,
        users::name,
        users::email,
        users::opd_id,
        users::jabatan,
        users::employment_type,
        users::language,
        users::active,
        users::created_at,
        users::updated_at,
        opds::name.nullable(),
        opds::code.nullable(),
    )
}

pub(crate) fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, StorageError> {
    s.parse().map_err(|_| StorageError::Corrupt(format!("bad id {s:?}")))
}

fn to_record(row: UserRow, roles: Vec<RoleGrant>) -> Result<UserRecord, StorageError> {
    let opd = match (row.opd_id, row.opd_name) {
        (Some(id), Some(name)) => Some(Opd { id: parse_id(&id)?, name, code: row.opd_code }),
        _ => None,
    };
    Ok(UserRecord {
        id: parse_id(&row.id)?,
        nip: row.nip,
        name: row.name,
        email: row.email,
        opd,
        jabatan: row.jabatan,
        employment_type: row.employment_type.as_deref().map(str::parse).transpose().map_err(StorageError::Corrupt)?,
        language: row.language.parse().map_err(StorageError::Corrupt)?,
        active: row.active,
        roles,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn roles_of(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, Vec<RoleGrant>>, StorageError> {
    let mut out: HashMap<String, Vec<RoleGrant>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String, Option<String>)> = user_roles::table
            .filter(user_roles::user_id.eq_any(chunk))
            .select((user_roles::user_id, user_roles::role, user_roles::opd_id))
            .load(conn)?;
        for (user, role, opd) in rows {
            let grant = RoleGrant {
                role: role.parse().map_err(StorageError::Corrupt)?,
                opd: opd.as_deref().map(parse_id).transpose()?,
            };
            out.entry(user).or_default().push(grant);
        }
    }
    for grants in out.values_mut() {
        grants.sort();
    }
    Ok(out)
}

fn set_roles(conn: &mut AnyConnection, user: UserId, roles: &[RoleGrant]) -> Result<(), StorageError> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user.to_string()))).execute(conn)?;
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    for grant in roles {
        // Only hr is scoped; a scope on any other role means nothing and is dropped.
        let opd = if grant.role == Role::Hr { grant.opd } else { None };
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::id.eq(uuid::Uuid::now_v7().to_string()),
                user_roles::user_id.eq(user.to_string()),
                user_roles::role.eq(grant.role.as_str()),
                user_roles::opd_id.eq(opd.map(|o| o.to_string())),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn create_opd(conn: &mut AnyConnection, name: &str, code: Option<&str>) -> Result<Opd, StorageError> {
    let id = OpdId::new();
    let name = name.trim();
    diesel::insert_into(opds::table)
        .values((
            opds::id.eq(id.to_string()),
            opds::name.eq(name),
            opds::name_key.eq(opd_key(name)),
            opds::code.eq(code),
            opds::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(Opd { id, name: name.to_string(), code: code.map(str::to_string) })
}

/// OPD names are matched ignoring case and repeated spaces ("Dinas  kesehatan" = "Dinas Kesehatan").
pub fn opd_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

pub fn list_opds(conn: &mut AnyConnection) -> Result<Vec<Opd>, StorageError> {
    let rows: Vec<(String, String, Option<String>)> =
        opds::table.select((opds::id, opds::name, opds::code)).order(opds::name.asc()).load(conn)?;
    rows.into_iter().map(|(id, name, code)| Ok(Opd { id: parse_id(&id)?, name, code })).collect()
}

pub fn find_opd_by_name(conn: &mut AnyConnection, name: &str) -> Result<Option<Opd>, StorageError> {
    let row: Option<(String, String, Option<String>)> = opds::table
        .filter(opds::name_key.eq(opd_key(name)))
        .select((opds::id, opds::name, opds::code))
        .get_result(conn)
        .optional()?;
    row.map(|(id, name, code)| Ok(Opd { id: parse_id(&id)?, name, code })).transpose()
}

pub fn create_user(conn: &mut AnyConnection, user: &NewUser) -> Result<UserId, StorageError> {
    let id = UserId::new();
    let at = now();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(id.to_string()),
            users::nip.eq(user.nip.as_ref().map(|n| n.as_str().to_string())),
            users::name.eq(user.name.trim()),
            users::email.eq(user.email.as_str()),
            users::opd_id.eq(user.opd_id.map(|o| o.to_string())),
            users::jabatan.eq(user.jabatan.trim()),
            users::employment_type.eq(user.employment_type.map(|e| e.as_str())),
            users::language.eq(user.language.as_str()),
            users::password_hash.eq(user.password_hash.as_deref()),
            users::active.eq(true),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .execute(conn)?;
    set_roles(conn, id, &user.roles)?;
    Ok(id)
}

pub fn get_user(conn: &mut AnyConnection, id: UserId) -> Result<UserRecord, StorageError> {
    let row: UserRow = users::table
        .left_join(opds::table)
        .filter(users::id.eq(id.to_string()))
        .select(user_columns())
        .get_result(conn)?;
    let mut roles = roles_of(conn, std::slice::from_ref(&row.id))?;
    let grants = roles.remove(&row.id).unwrap_or_default();
    to_record(row, grants)
}

/// Finds the account a login name refers to: an 18-digit NIP (spaces allowed) or an e-mail.
pub fn find_login(conn: &mut AnyConnection, login: &str) -> Result<Option<LoginRecord>, StorageError> {
    let compact: String = login.chars().filter(|c| !c.is_whitespace()).collect();
    let query = users::table.select((users::id, users::password_hash, users::active)).into_boxed();
    let query = if compact.len() == 18 && compact.bytes().all(|b| b.is_ascii_digit()) {
        query.filter(users::nip.eq(compact))
    } else {
        query.filter(users::email.eq(login.trim().to_lowercase()))
    };
    let row: Option<(String, Option<String>, bool)> = query.get_result(conn).optional()?;
    row.map(|(id, password_hash, active)| Ok(LoginRecord { id: parse_id(&id)?, password_hash, active }))
        .transpose()
}

pub fn password_hash(conn: &mut AnyConnection, id: UserId) -> Result<Option<String>, StorageError> {
    Ok(users::table.find(id.to_string()).select(users::password_hash).get_result(conn)?)
}

pub fn set_password_hash(conn: &mut AnyConnection, id: UserId, hash: &str) -> Result<(), StorageError> {
    let n = diesel::update(users::table.find(id.to_string()))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now())))
        .execute(conn)?;
    if n == 0 { Err(StorageError::NotFound) } else { Ok(()) }
}

pub fn list_users(conn: &mut AnyConnection, filter: &UserFilter) -> Result<(Vec<UserRecord>, i64), StorageError> {
    // The same filter twice: once to count, once to page.
    let build = || {
        let mut q = users::table.left_join(opds::table).into_boxed();
        if let HrScope::Opds(ids) = &filter.scope {
            q = q.filter(users::opd_id.eq_any(ids.iter().map(|o| o.to_string()).collect::<Vec<_>>()));
        }
        if let Some(opd) = filter.opd {
            q = q.filter(users::opd_id.eq(opd.to_string()));
        }
        if let Some(active) = filter.active {
            q = q.filter(users::active.eq(active));
        }
        if let Some(role) = filter.role {
            q = q.filter(users::id.eq_any(
                user_roles::table.filter(user_roles::role.eq(role.as_str())).select(user_roles::user_id),
            ));
        }
        if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            let pattern = format!("%{escaped}%");
            q = q.filter(
                lower(users::name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(users::email.like(pattern.clone()).escape('\\'))
                    .or(users::nip.like(pattern).escape('\\')),
            );
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<UserRow> = build()
        .select(user_columns())
        .order((users::name.asc(), users::id.asc()))
        .offset(filter.offset)
        .limit(filter.limit)
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut roles = roles_of(conn, &ids)?;
    let users = rows
        .into_iter()
        .map(|r| {
            let grants = roles.remove(&r.id).unwrap_or_default();
            to_record(r, grants)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((users, total))
}

pub fn update_user(conn: &mut AnyConnection, id: UserId, upd: &UserUpdate) -> Result<(), StorageError> {
    let key = id.to_string();
    let exists: i64 = users::table.filter(users::id.eq(&key)).count().get_result(conn)?;
    if exists == 0 {
        return Err(StorageError::NotFound);
    }
    let target = users::table.filter(users::id.eq(&key));
    if let Some(name) = &upd.name {
        diesel::update(target).set(users::name.eq(name.trim())).execute(conn)?;
    }
    if let Some(email) = &upd.email {
        diesel::update(target).set(users::email.eq(email.as_str())).execute(conn)?;
    }
    if let Some(opd) = &upd.opd_id {
        diesel::update(target).set(users::opd_id.eq(opd.map(|o| o.to_string()))).execute(conn)?;
    }
    if let Some(jabatan) = &upd.jabatan {
        diesel::update(target).set(users::jabatan.eq(jabatan.trim())).execute(conn)?;
    }
    if let Some(kind) = &upd.employment_type {
        diesel::update(target).set(users::employment_type.eq(kind.map(|k| k.as_str()))).execute(conn)?;
    }
    if let Some(language) = upd.language {
        diesel::update(target).set(users::language.eq(language.as_str())).execute(conn)?;
    }
    if let Some(roles) = &upd.roles {
        set_roles(conn, id, roles)?;
    }
    diesel::update(target).set(users::updated_at.eq(now())).execute(conn)?;
    Ok(())
}

/// Deactivates (or reactivates) an account. Deactivating also revokes every refresh token, so
/// the user is signed out everywhere once their short-lived access token expires — and at once,
/// since each request checks `active`.
pub fn set_active(conn: &mut AnyConnection, id: UserId, active: bool) -> Result<(), StorageError> {
    let n = diesel::update(users::table.find(id.to_string()))
        .set((users::active.eq(active), users::updated_at.eq(now())))
        .execute(conn)?;
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    if !active {
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::user_id.eq(id.to_string()))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(now()))
        .execute(conn)?;
    }
    Ok(())
}

/// The minimal facts the authorisation of one request needs.
#[derive(Debug, Clone)]
pub struct AuthFacts {
    pub active: bool,
    pub opd: Option<OpdId>,
    pub roles: Vec<RoleGrant>,
}

pub fn auth_facts(conn: &mut AnyConnection, id: UserId) -> Result<Option<AuthFacts>, StorageError> {
    let key = id.to_string();
    let row: Option<(bool, Option<String>)> =
        users::table.find(&key).select((users::active, users::opd_id)).get_result(conn).optional()?;
    let Some((active, opd)) = row else { return Ok(None) };
    let roles = roles_of(conn, std::slice::from_ref(&key))?.remove(&key).unwrap_or_default();
    Ok(Some(AuthFacts { active, opd: opd.as_deref().map(parse_id).transpose()?, roles }))
}

/// How a bulk import went.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportOutcome {
    pub created: usize,
    pub skipped: usize,
    pub problems: Vec<CsvProblem>,
}

pub struct ImportOptions<'a> {
    /// Import the valid rows and report the others, instead of refusing the whole file.
    pub skip_invalid: bool,
    /// Only rows whose OPD the importing officer covers are allowed.
    pub scope: &'a HrScope,
    /// Problems already found while parsing the file.
    pub parse_problems: Vec<CsvProblem>,
    pub dry_run: bool,
}

/// Imports parsed rows in one transaction (the caller wraps this in [`crate::Db::write`]):
/// every row is checked against the database first; unless `skip_invalid`, any problem means
/// nothing is written and `Err(problems)` comes back.
pub fn import_users(
    conn: &mut AnyConnection,
    rows: &[UserCsvRow],
    opts: ImportOptions<'_>,
) -> Result<Result<ImportOutcome, Vec<CsvProblem>>, StorageError> {
    let mut problems = opts.parse_problems;
    let problem = |row: u64, column: &str, code: &str, message: String| CsvProblem {
        row,
        column: Some(column.to_string()),
        code: code.to_string(),
        message,
    };
    let opds: HashMap<String, OpdId> = {
        let all: Vec<(String, String)> = opds::table.select((opds::name_key, opds::id)).load(conn)?;
        all.into_iter().map(|(k, id)| Ok((k, parse_id(&id)?))).collect::<Result<_, StorageError>>()?
    };
    let nips: Vec<String> = rows.iter().map(|r| r.nip.as_str().to_string()).collect();
    let emails: Vec<String> = rows.iter().map(|r| r.email.as_str().to_string()).collect();
    let mut taken_nips = std::collections::HashSet::new();
    let mut taken_emails = std::collections::HashSet::new();
    for chunk in nips.chunks(500) {
        let found: Vec<Option<String>> =
            users::table.filter(users::nip.eq_any(chunk)).select(users::nip).load(conn)?;
        taken_nips.extend(found.into_iter().flatten());
    }
    for chunk in emails.chunks(500) {
        let found: Vec<String> = users::table.filter(users::email.eq_any(chunk)).select(users::email).load(conn)?;
        taken_emails.extend(found);
    }

    let mut valid = Vec::new();
    for row in rows {
        let before = problems.len();
        let opd = opds.get(&opd_key(&row.opd)).copied();
        match opd {
            None => problems.push(problem(row.row, "opd", "unknown_opd", format!("no OPD named {:?}", row.opd))),
            Some(o) if !opts.scope.covers(Some(o)) => problems.push(problem(
                row.row,
                "opd",
                "opd_out_of_scope",
                format!("you may not import users into {:?}", row.opd),
            )),
            Some(_) => {}
        }
        if taken_nips.contains(row.nip.as_str()) {
            problems.push(problem(row.row, "nip", "duplicate_nip", format!("NIP {} already has an account", row.nip)));
        }
        if taken_emails.contains(row.email.as_str()) {
            problems.push(problem(row.row, "email", "duplicate_email", format!("{} already has an account", row.email)));
        }
        if problems.len() == before {
            valid.push((row, opd));
        }
    }
    problems.sort_by_key(|p| p.row);
    if !problems.is_empty() && !opts.skip_invalid {
        return Ok(Err(problems));
    }
    let skipped = problems.iter().map(|p| p.row).filter(|r| *r > 1).collect::<std::collections::BTreeSet<_>>().len();
    if !opts.dry_run {
        for (row, opd) in &valid {
            create_user(
                conn,
                &NewUser {
                    nip: Some(row.nip.clone()),
                    name: row.name.clone(),
                    email: row.email.clone(),
                    opd_id: *opd,
                    jabatan: row.jabatan.clone(),
                    employment_type: Some(row.employment_type),
                    language: Language::Id,
                    password_hash: None,
                    roles: vec![RoleGrant::global(Role::Learner)],
                },
            )?;
        }
    }
    Ok(Ok(ImportOutcome { created: valid.len(), skipped, problems }))
}
