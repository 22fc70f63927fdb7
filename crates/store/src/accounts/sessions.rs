//! 会话 — server-side sessions, keyed by the hash of the cookie secret.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user_id: i64,
    pub created_at: UnixMs,
    pub last_seen_at: UnixMs,
}

pub async fn insert(
    conn: &mut Conn,
    id_hash: &str,
    user_id: i64,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, id_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
    let row =
        sqlx::query("SELECT user_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        Ok(SessionRecord {
            user_id: r.try_get(0)?,
            created_at: UnixMs(r.try_get(1)?),
            last_seen_at: UnixMs(r.try_get(2)?),
        })
    })
    .transpose()
}

pub async fn touch(conn: &mut Conn, id_hash: &str, now: UnixMs) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
        .bind(id_hash)
        .bind(now.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, id_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user but `keep` (the caller's own, if any).
pub async fn delete_for_user(
    conn: &mut Conn,
    user_id: i64,
    keep: Option<&str>,
) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Removes sessions past their idle or absolute timeout.
pub async fn delete_expired(
    conn: &mut Conn,
    idle_before: UnixMs,
    created_before: UnixMs,
) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_before.0)
        .bind(created_before.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
