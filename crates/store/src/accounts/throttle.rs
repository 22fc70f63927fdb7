//! Failed logins per (name, source address): see migration 0015.

use crate::{Conn, StoreError};
use linli_domain::accounts::LockState;
use linli_domain::time::UnixMs;
use sqlx::Row;

/// The state kept for one key (zeroes when none is).
pub async fn get(conn: &mut Conn, key: &str) -> Result<LockState, StoreError> {
    let row =
        sqlx::query("SELECT failures, lockouts, locked_until FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?;
    Ok(match row {
        Some(r) => LockState {
            failed_logins: u32::try_from(r.try_get::<i64, _>(0)?).unwrap_or(u32::MAX),
            lockouts: u32::try_from(r.try_get::<i64, _>(1)?).unwrap_or(u32::MAX),
            locked_until: r.try_get::<Option<i64>, _>(2)?.map(UnixMs),
        },
        None => LockState::default(),
    })
}

/// Stores the state for `key` (of the login name `name`).
pub async fn put(
    conn: &mut Conn,
    key: &str,
    name: &str,
    s: LockState,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO login_throttle (key, name, failures, lockouts, locked_until, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (key) DO UPDATE SET failures = $3, lockouts = $4, locked_until = $5, updated_at = $6",
    )
    .bind(key)
    .bind(name)
    .bind(i64::from(s.failed_logins))
    .bind(i64::from(s.lockouts))
    .bind(s.locked_until.map(|t| t.0))
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets `key` (a login succeeded from there).
pub async fn clear(conn: &mut Conn, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Clears every lock on the login name `name` (a security administrator's
/// unlock); how many were cleared.
pub async fn clear_name(conn: &mut Conn, name: &str) -> Result<u64, StoreError> {
    let r = sqlx::query("DELETE FROM login_throttle WHERE name = $1")
        .bind(name)
        .execute(conn)
        .await?;
    Ok(r.rows_affected())
}

/// (sources locked now, failures counted) for the login name `name`.
pub async fn summary(conn: &mut Conn, name: &str, now: UnixMs) -> Result<(i64, i64), StoreError> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN locked_until > $2 THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(failures), 0) AS BIGINT)
         FROM login_throttle WHERE name = $1",
    )
    .bind(name)
    .bind(now.0)
    .fetch_one(conn)
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}
