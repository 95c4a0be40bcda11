//! Refresh tokens: stored only as hashes, rotated on every use, grouped in families so that a
//! token presented twice (stolen and replayed) revokes every token descended from the same login.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lentera_accounts::UserId;

use crate::accounts::parse_id;
use crate::schema::refresh_tokens;
use crate::{AnyConnection, StorageError, now};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was current; it is now spent and the caller issues its successor.
    Valid { user_id: UserId, family_id: String },
    /// The token had already been spent: its whole family is now revoked.
    Reused { user_id: UserId },
    Revoked,
    Expired,
    Unknown,
}

pub fn insert_refresh(
    conn: &mut AnyConnection,
    user: UserId,
    family_id: &str,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> Result<(), StorageError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(uuid::Uuid::now_v7().to_string()),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::user_id.eq(user.to_string()),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::created_at.eq(now()),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Spends a refresh token. Run inside a write transaction together with the insert of its
/// successor. A token spent less than `grace` ago is honoured once more (a page reloaded while
/// its refresh was in flight never saw the successor); later reuse is a replay and revokes the
/// family.
pub fn spend_refresh(conn: &mut AnyConnection, token_hash: &str, grace: chrono::TimeDelta) -> Result<RefreshOutcome, StorageError> {
    type Row = (String, String, String, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>);
    let row: Option<Row> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            refresh_tokens::id,
            refresh_tokens::family_id,
            refresh_tokens::user_id,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
        ))
        .get_result(conn)
        .optional()?;
    let Some((id, family_id, user_id, expires_at, used_at, revoked_at)) = row else {
        return Ok(RefreshOutcome::Unknown);
    };
    let user_id: UserId = parse_id(&user_id)?;
    if revoked_at.is_some() {
        return Ok(RefreshOutcome::Revoked);
    }
    let at = now();
    if let Some(spent_at) = used_at
        && at - spent_at < grace && expires_at > at {
            return Ok(RefreshOutcome::Valid { user_id, family_id });
        }
    // Spend it only if nobody spent it first (two tabs refreshing at once race here).
    let spent = diesel::update(
        refresh_tokens::table.filter(refresh_tokens::id.eq(&id)).filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(at))
    .execute(conn)?;
    if used_at.is_some() || spent == 0 {
        revoke_family(conn, &family_id)?;
        return Ok(RefreshOutcome::Reused { user_id });
    }
    if expires_at <= at {
        return Ok(RefreshOutcome::Expired);
    }
    Ok(RefreshOutcome::Valid { user_id, family_id })
}

pub fn revoke_family(conn: &mut AnyConnection, family_id: &str) -> Result<(), StorageError> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(())
}

/// Is this login session (token family) still alive? Access tokens name their family so that
/// logout and reuse detection end them too.
pub fn family_alive(conn: &mut AnyConnection, family_id: &str) -> Result<bool, StorageError> {
    let alive: i64 = refresh_tokens::table
        .filter(refresh_tokens::family_id.eq(family_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(alive > 0)
}

pub fn revoke_user(conn: &mut AnyConnection, user: UserId, except_family: Option<&str>) -> Result<(), StorageError> {
    let mut q = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user.to_string()))
        .filter(refresh_tokens::revoked_at.is_null())
        .into_boxed();
    if let Some(f) = except_family {
        q = q.filter(refresh_tokens::family_id.ne(f));
    }
    let ids: Vec<String> = q.select(refresh_tokens::id).load(conn)?;
    for chunk in ids.chunks(500) {
        diesel::update(refresh_tokens::table.filter(refresh_tokens::id.eq_any(chunk)))
            .set(refresh_tokens::revoked_at.eq(now()))
            .execute(conn)?;
    }
    Ok(())
}
