//! Notifications: the in-app list, the e-mail outbox, users' e-mail choices, admins' template
//! overrides and password reset tokens.
//!
//! Every event is written by [`notify`] / [`notify_many`] in the caller's transaction, next to
//! the change that caused it; a background worker sends the outbox later. `(user, kind, subject)`
//! is unique in both tables, and rows are inserted with `ON CONFLICT DO NOTHING`, so an event
//! replayed after a crash, or raised by two processes at once, reaches a person once.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use lentera_accounts::{Language, UserId};
use lentera_programmes::{NotificationKind, Template};
use serde::Serialize;

use crate::accounts::parse_id;
use crate::schema::users;
use crate::schema_programmes::{notification_settings, notification_templates, notifications, outbox, password_resets};
use crate::{AnyConnection, StorageError};

/// `INSERT … ON CONFLICT DO NOTHING`: the same SQL on both backends, but diesel's query builder
/// offers it only on the concrete connections.
macro_rules! insert_ignore {
    ($conn:expr, $table:expr, $values:expr) => {
        match $conn {
            AnyConnection::Postgresql(c) => diesel::insert_into($table).values($values).on_conflict_do_nothing().execute(c),
            AnyConnection::Sqlite(c) => diesel::insert_into($table).values($values).on_conflict_do_nothing().execute(c),
        }
    };
}
pub(crate) use insert_ignore;

/// A multi-row `INSERT`: diesel builds one only on the concrete connections.
macro_rules! insert_many {
    ($conn:expr, $table:expr, $values:expr) => {
        match $conn {
            AnyConnection::Postgresql(c) => diesel::insert_into($table).values($values).execute(c),
            AnyConnection::Sqlite(c) => diesel::insert_into($table).values($values).execute(c),
        }
    };
}
pub(crate) use insert_many;

/// Outbox states. `pending` waits for (another) try; `sent`, `failed` (permanently refused, or
/// out of tries) and `skipped` (recipient inactive, opted out, or the link expired) are final.
pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const SKIPPED: &str = "skipped";

/// Something that happened to one person.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub user: UserId,
    pub kind: NotificationKind,
    /// What it is about (a cohort id, a course id, `cohort:stage`…): with user and kind, the
    /// message's unique key.
    pub subject_id: String,
    /// The facts its templates use; `link` is a path in the web app.
    pub params: serde_json::Value,
}

/// Records events for the in-app list and queues their e-mails, in the caller's transaction.
/// Returns how many e-mails were newly queued (events already recorded are left alone).
pub fn notify_many(conn: &mut AnyConnection, events: &[Event], now: NaiveDateTime) -> Result<usize, StorageError> {
    let mut queued = 0;
    for chunk in events.chunks(500) {
        let mut in_app = Vec::with_capacity(chunk.len());
        let mut mail = Vec::with_capacity(chunk.len());
        for e in chunk {
            let params = serde_json::to_string(&e.params).map_err(|err| StorageError::Corrupt(err.to_string()))?;
            if e.kind.in_app() {
                in_app.push((
                    notifications::id.eq(uuid::Uuid::now_v7().to_string()),
                    notifications::user_id.eq(e.user.to_string()),
                    notifications::kind.eq(e.kind.as_str()),
                    notifications::subject_id.eq(e.subject_id.clone()),
                    notifications::params.eq(params.clone()),
                    notifications::created_at.eq(now),
                ));
            }
            mail.push((
                outbox::id.eq(uuid::Uuid::now_v7().to_string()),
                outbox::user_id.eq(e.user.to_string()),
                outbox::kind.eq(e.kind.as_str()),
                outbox::subject_id.eq(e.subject_id.clone()),
                outbox::params.eq(params),
                outbox::status.eq(PENDING),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(now),
                outbox::created_at.eq(now),
            ));
        }
        if !in_app.is_empty() {
            insert_ignore!(conn, notifications::table, &in_app)?;
        }
        queued += insert_ignore!(conn, outbox::table, &mail)?;
    }
    Ok(queued)
}

/// [`notify_many`] for one event. Other parts of Lentera call this for their events (course
/// completed with its certificate, external training approved or rejected, certification
/// expiring) with the parameters [`lentera_programmes::notify::sample_params`] shows.
pub fn notify(conn: &mut AnyConnection, event: &Event, now: NaiveDateTime) -> Result<bool, StorageError> {
    Ok(notify_many(conn, std::slice::from_ref(event), now)? > 0)
}

// ---------------------------------------------------------------------------------------------
// The in-app list

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationRecord {
    pub id: String,
    pub kind: NotificationKind,
    pub subject_id: String,
    pub params: serde_json::Value,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// A page of one user's notifications, newest first: (items, total, unread).
pub fn list_notifications(
    conn: &mut AnyConnection,
    user: UserId,
    unread_only: bool,
    offset: i64,
    limit: i64,
) -> Result<(Vec<NotificationRecord>, i64, i64), StorageError> {
    let me = user.to_string();
    let build = || {
        let mut q = notifications::table.filter(notifications::user_id.eq(me.clone())).into_boxed();
        if unread_only {
            q = q.filter(notifications::read_at.is_null());
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let unread: i64 = notifications::table
        .filter(notifications::user_id.eq(&me))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?;
    type Row = (String, String, String, String, NaiveDateTime, Option<NaiveDateTime>);
    let rows: Vec<Row> = build()
        .select((
            notifications::id,
            notifications::kind,
            notifications::subject_id,
            notifications::params,
            notifications::created_at,
            notifications::read_at,
        ))
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|(id, kind, subject_id, params, created_at, read_at)| {
            Ok(NotificationRecord {
                id,
                kind: kind.parse().map_err(StorageError::Corrupt)?,
                subject_id,
                params: serde_json::from_str(&params).unwrap_or(serde_json::Value::Null),
                created_at,
                read_at,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    Ok((items, total, unread))
}

/// Marks one of the user's notifications read; `NotFound` if it is not theirs.
pub fn mark_read(conn: &mut AnyConnection, user: UserId, id: &str, now: NaiveDateTime) -> Result<(), StorageError> {
    let me = user.to_string();
    let mine = || notifications::table.filter(notifications::id.eq(id)).filter(notifications::user_id.eq(me.clone()));
    let exists: i64 = mine().count().get_result(conn)?;
    if exists == 0 {
        return Err(StorageError::NotFound);
    }
    diesel::update(mine().filter(notifications::read_at.is_null())).set(notifications::read_at.eq(now)).execute(conn)?;
    Ok(())
}

pub fn mark_all_read(conn: &mut AnyConnection, user: UserId, now: NaiveDateTime) -> Result<usize, StorageError> {
    Ok(diesel::update(
        notifications::table.filter(notifications::user_id.eq(user.to_string())).filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)?)
}

// ---------------------------------------------------------------------------------------------
// E-mail choices

/// The user's e-mail choice per kind: off only where they turned it off (essential kinds are
/// always on).
pub fn email_settings(conn: &mut AnyConnection, user: UserId) -> Result<BTreeMap<NotificationKind, bool>, StorageError> {
    let rows: Vec<(String, bool)> = notification_settings::table
        .filter(notification_settings::user_id.eq(user.to_string()))
        .select((notification_settings::kind, notification_settings::email))
        .load(conn)?;
    let stored: HashMap<String, bool> = rows.into_iter().collect();
    Ok(NotificationKind::ALL
        .into_iter()
        .map(|k| (k, k.essential() || stored.get(k.as_str()).copied().unwrap_or(true)))
        .collect())
}

/// Stores choices; the caller has refused essential kinds already.
pub fn set_email_settings(
    conn: &mut AnyConnection,
    user: UserId,
    choices: &[(NotificationKind, bool)],
    now: NaiveDateTime,
) -> Result<(), StorageError> {
    for (kind, email) in choices {
        let key = (notification_settings::user_id.eq(user.to_string()), notification_settings::kind.eq(kind.as_str()));
        diesel::delete(notification_settings::table.filter(key.0).filter(key.1)).execute(conn)?;
        diesel::insert_into(notification_settings::table)
            .values((
                notification_settings::user_id.eq(user.to_string()),
                notification_settings::kind.eq(kind.as_str()),
                notification_settings::email.eq(*email),
                notification_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Templates

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateOverride {
    pub kind: NotificationKind,
    pub language: Language,
    pub template: Template,
    pub updated_by: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub fn template_overrides(conn: &mut AnyConnection) -> Result<Vec<TemplateOverride>, StorageError> {
    type Row = (String, String, String, String, String, Option<String>, NaiveDateTime);
    let rows: Vec<Row> = notification_templates::table
        .select((
            notification_templates::kind,
            notification_templates::language,
            notification_templates::subject,
            notification_templates::body_text,
            notification_templates::body_html,
            notification_templates::updated_by,
            notification_templates::updated_at,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for (kind, language, subject, text, html, updated_by, updated_at) in rows {
        // A kind this version no longer knows is ignored rather than failing every send.
        let (Ok(kind), Ok(language)) = (kind.parse::<NotificationKind>(), language.parse::<Language>()) else { continue };
        out.push(TemplateOverride { kind, language, template: Template { subject, text, html }, updated_by, updated_at });
    }
    Ok(out)
}

/// Stores an admin's template (checked by the caller) in place of the built-in one.
pub fn set_template(
    conn: &mut AnyConnection,
    kind: NotificationKind,
    language: Language,
    template: &Template,
    by: UserId,
    now: NaiveDateTime,
) -> Result<(), StorageError> {
    delete_template(conn, kind, language)?;
    diesel::insert_into(notification_templates::table)
        .values((
            notification_templates::kind.eq(kind.as_str()),
            notification_templates::language.eq(language.as_str()),
            notification_templates::subject.eq(&template.subject),
            notification_templates::body_text.eq(&template.text),
            notification_templates::body_html.eq(&template.html),
            notification_templates::updated_by.eq(by.to_string()),
            notification_templates::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Back to the built-in template. Returns whether there was an override.
pub fn delete_template(conn: &mut AnyConnection, kind: NotificationKind, language: Language) -> Result<bool, StorageError> {
    let n = diesel::delete(
        notification_templates::table
            .filter(notification_templates::kind.eq(kind.as_str()))
            .filter(notification_templates::language.eq(language.as_str())),
    )
    .execute(conn)?;
    Ok(n > 0)
}

// ---------------------------------------------------------------------------------------------
// The outbox

/// A claimed message with what sending it needs.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    pub id: String,
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub subject_id: String,
    pub params: serde_json::Value,
    /// Tries made before this one.
    pub attempts: i32,
    pub email: String,
    pub name: String,
    pub language: Language,
    pub active: bool,
    /// False when the user turned this (non-essential) kind off.
    pub email_enabled: bool,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Takes up to `limit` due messages for `worker` until `now + lease`. Several processes may
/// drain one outbox: on PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED`, so
/// two claims never take the same row (and never wait on each other); on SQLite the database
/// has one writer at a time, so the UPDATE alone is enough. A message whose worker died is taken
/// again once its lease has run out.
pub fn claim_outbox(
    conn: &mut AnyConnection,
    worker: &str,
    now: NaiveDateTime,
    lease: TimeDelta,
    limit: i64,
) -> Result<Vec<OutboxItem>, StorageError> {
    let until = now + lease;
    let ids: Vec<IdRow> = match conn {
        AnyConnection::Postgresql(c) => diesel::sql_query(
            "UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE id IN (\
               SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
               AND (claimed_until IS NULL OR claimed_until <= $3) \
               ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING id",
        )
        .bind::<Text, _>(worker)
        .bind::<Timestamp, _>(until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c)?,
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN (\
               SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? \
               AND (claimed_until IS NULL OR claimed_until <= ?) \
               ORDER BY next_attempt_at, id LIMIT ?) RETURNING id",
        )
        .bind::<Text, _>(worker)
        .bind::<Timestamp, _>(until)
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c)?,
    };
    let ids: Vec<String> = ids.into_iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    type Row = (String, String, String, String, String, i32, String, String, String, bool);
    let rows: Vec<Row> = outbox::table
        .inner_join(users::table)
        .filter(outbox::id.eq_any(&ids))
        .select((
            outbox::id,
            outbox::user_id,
            outbox::kind,
            outbox::subject_id,
            outbox::params,
            outbox::attempts,
            users::email,
            users::name,
            users::language,
            users::active,
        ))
        .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
        .load(conn)?;
    let user_ids: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let mut off: HashMap<(String, String), bool> = HashMap::new();
    for chunk in user_ids.chunks(500) {
        let found: Vec<(String, String, bool)> = notification_settings::table
            .filter(notification_settings::user_id.eq_any(chunk))
            .select((notification_settings::user_id, notification_settings::kind, notification_settings::email))
            .load(conn)?;
        off.extend(found.into_iter().map(|(u, k, e)| ((u, k), e)));
    }
    rows.into_iter()
        .map(|(id, user_id, kind, subject_id, params, attempts, email, name, language, active)| {
            let kind: NotificationKind = kind.parse().map_err(StorageError::Corrupt)?;
            let email_enabled = kind.essential() || off.get(&(user_id.clone(), kind.as_str().to_string())).copied().unwrap_or(true);
            Ok(OutboxItem {
                id,
                user_id: parse_id(&user_id)?,
                kind,
                subject_id,
                params: serde_json::from_str(&params).unwrap_or(serde_json::Value::Null),
                attempts,
                email,
                name,
                language: language.parse().unwrap_or_default(),
                active,
                email_enabled,
            })
        })
        .collect()
}

type Claimed<'a> =
    diesel::dsl::Filter<diesel::dsl::Filter<outbox::table, diesel::dsl::Eq<outbox::id, &'a str>>, diesel::dsl::Eq<outbox::claimed_by, &'a str>>;

/// The message, if `worker` still holds it.
fn claimed<'a>(id: &'a str, worker: &'a str) -> Claimed<'a> {
    outbox::table.filter(outbox::id.eq(id)).filter(outbox::claimed_by.eq(worker))
}

/// Records a delivery. `scrub` empties the parameters of a message that carried a secret (a
/// password reset link), so the database keeps no usable token once the mail is out.
/// Returns false if the claim had been lost (the lease ran out and another worker took it).
pub fn mark_sent(
    conn: &mut AnyConnection,
    id: &str,
    worker: &str,
    recipient: &str,
    now: NaiveDateTime,
    scrub: bool,
) -> Result<bool, StorageError> {
    let n = diesel::update(claimed(id, worker))
        .set((
            outbox::status.eq(SENT),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::sent_at.eq(now),
            outbox::recipient.eq(recipient),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    if scrub {
        diesel::update(outbox::table.filter(outbox::id.eq(id))).set(outbox::params.eq("{}")).execute(conn)?;
    }
    Ok(n > 0)
}

/// Records a failed try: retried at `retry_at`, or `None` to give up (status `failed`).
pub fn mark_failed(
    conn: &mut AnyConnection,
    id: &str,
    worker: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> Result<bool, StorageError> {
    let error: String = error.chars().take(1000).collect();
    let n = match retry_at {
        Some(at) => diesel::update(claimed(id, worker))
            .set((
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::next_attempt_at.eq(at),
                outbox::claimed_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(error),
            ))
            .execute(conn)?,
        None => diesel::update(claimed(id, worker))
            .set((
                outbox::status.eq(FAILED),
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::claimed_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(error),
            ))
            .execute(conn)?,
    };
    Ok(n > 0)
}

/// Gives claimed messages back untried (their tries are not counted), e.g. when the SMTP server
/// went away in the middle of a batch.
pub fn release(conn: &mut AnyConnection, ids: &[String], worker: &str) -> Result<usize, StorageError> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += diesel::update(outbox::table.filter(outbox::id.eq_any(chunk)).filter(outbox::claimed_by.eq(worker)))
            .set(outbox::claimed_until.eq(None::<NaiveDateTime>))
            .execute(conn)?;
    }
    Ok(n)
}

/// Settles a message that is not to be sent (inactive account, e-mail turned off, expired link).
pub fn mark_skipped(conn: &mut AnyConnection, id: &str, worker: &str, reason: &str, scrub: bool) -> Result<bool, StorageError> {
    let n = diesel::update(claimed(id, worker))
        .set((outbox::status.eq(SKIPPED), outbox::claimed_until.eq(None::<NaiveDateTime>), outbox::last_error.eq(reason)))
        .execute(conn)?;
    if scrub {
        diesel::update(outbox::table.filter(outbox::id.eq(id))).set(outbox::params.eq("{}")).execute(conn)?;
    }
    Ok(n > 0)
}

/// Makes every waiting message due now (after an outage is over, instead of waiting out the
/// backoff). Returns how many.
pub fn retry_pending_now(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, StorageError> {
    Ok(diesel::update(outbox::table.filter(outbox::status.eq(PENDING)).filter(outbox::next_attempt_at.gt(now)))
        .set(outbox::next_attempt_at.eq(now))
        .execute(conn)?)
}

/// Puts a failed message back in the queue (an admin's "retry"). `NotFound` if there is no such
/// message; `false` if it is not in the `failed` state.
pub fn retry_message(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> Result<bool, StorageError> {
    let status: String = outbox::table.find(id).select(outbox::status).get_result(conn)?;
    if status != FAILED {
        return Ok(false);
    }
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(PENDING),
            outbox::next_attempt_at.eq(now),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::claimed_by.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(true)
}

/// One message as an admin sees it: never its parameters (a reset link is a secret).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxView {
    pub id: String,
    pub user_id: String,
    pub user_email: String,
    pub kind: String,
    pub subject_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub recipient: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A page of the outbox, its total, and the count per status.
pub type OutboxPage = (Vec<OutboxView>, i64, BTreeMap<String, i64>);

/// A page of the outbox (newest first), its total, and the count per status.
pub fn list_outbox(conn: &mut AnyConnection, status: Option<&str>, offset: i64, limit: i64) -> Result<OutboxPage, StorageError> {
    let build = || {
        let mut q = outbox::table.inner_join(users::table).into_boxed();
        if let Some(s) = status {
            q = q.filter(outbox::status.eq(s.to_string()));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    type Row = (String, String, String, String, String, String, i32, NaiveDateTime, Option<String>, Option<String>, NaiveDateTime, Option<NaiveDateTime>);
    let rows: Vec<Row> = build()
        .select((
            outbox::id,
            outbox::user_id,
            users::email,
            outbox::kind,
            outbox::subject_id,
            outbox::status,
            outbox::attempts,
            outbox::next_attempt_at,
            outbox::last_error,
            outbox::recipient,
            outbox::created_at,
            outbox::sent_at,
        ))
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    let counts: Vec<(String, i64)> =
        outbox::table.group_by(outbox::status).select((outbox::status, diesel::dsl::count_star())).load(conn)?;
    let items = rows
        .into_iter()
        .map(|r| OutboxView {
            id: r.0,
            user_id: r.1,
            user_email: r.2,
            kind: r.3,
            subject_id: r.4,
            status: r.5,
            attempts: r.6,
            next_attempt_at: r.7,
            last_error: r.8,
            recipient: r.9,
            created_at: r.10,
            sent_at: r.11,
        })
        .collect();
    Ok((items, total, counts.into_iter().collect()))
}

// ---------------------------------------------------------------------------------------------
// Password resets

/// Stores a reset token's hash and queues its e-mail, in one transaction.
pub fn create_password_reset(
    conn: &mut AnyConnection,
    user: UserId,
    token_hash: &str,
    link: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), StorageError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::id.eq(&id),
            password_resets::user_id.eq(user.to_string()),
            password_resets::token_hash.eq(token_hash),
            password_resets::created_at.eq(now),
            password_resets::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    let params = serde_json::json!({ "link": link, "expires_at": expires_at });
    notify(conn, &Event { user, kind: NotificationKind::PasswordReset, subject_id: id, params }, now)?;
    Ok(())
}

/// Spends a reset token: the user it belongs to if it is known, unused and unexpired. Spending
/// it also spends every other outstanding token of that user.
pub fn spend_password_reset(conn: &mut AnyConnection, token_hash: &str, now: NaiveDateTime) -> Result<Option<UserId>, StorageError> {
    let row: Option<(String, String, NaiveDateTime, Option<NaiveDateTime>)> = password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .select((password_resets::id, password_resets::user_id, password_resets::expires_at, password_resets::used_at))
        .get_result(conn)
        .optional()?;
    let Some((id, user, expires_at, used_at)) = row else { return Ok(None) };
    if used_at.is_some() || expires_at <= now {
        return Ok(None);
    }
    // Only one of two concurrent confirmations wins.
    let n = diesel::update(password_resets::table.filter(password_resets::id.eq(&id)).filter(password_resets::used_at.is_null()))
        .set(password_resets::used_at.eq(now))
        .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    diesel::update(password_resets::table.filter(password_resets::user_id.eq(&user)).filter(password_resets::used_at.is_null()))
        .set(password_resets::used_at.eq(now))
        .execute(conn)?;
    Ok(Some(parse_id(&user)?))
}

/// Is a reset still usable? (the worker skips mailing an expired or spent link)
pub fn password_reset_usable(conn: &mut AnyConnection, reset_id: &str, now: NaiveDateTime) -> Result<bool, StorageError> {
    let row: Option<(NaiveDateTime, Option<NaiveDateTime>)> = password_resets::table
        .find(reset_id)
        .select((password_resets::expires_at, password_resets::used_at))
        .get_result(conn)
        .optional()?;
    Ok(row.is_some_and(|(expires_at, used_at)| used_at.is_none() && expires_at > now))
}

/// Was a reset link made for this user since `since`? (one mail per few minutes is enough)
pub fn password_reset_recent(conn: &mut AnyConnection, user: UserId, since: NaiveDateTime) -> Result<bool, StorageError> {
    let n: i64 = password_resets::table
        .filter(password_resets::user_id.eq(user.to_string()))
        .filter(password_resets::created_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
