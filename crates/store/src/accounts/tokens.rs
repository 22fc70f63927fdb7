//! 访问令牌 — personal access tokens for API clients, stored as hashes.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: UnixMs,
    pub last_used_at: Option<UnixMs>,
    pub revoked_at: Option<UnixMs>,
}

pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub hash: &'a str,
    pub prefix: &'a str,
    pub now: UnixMs,
}

pub async fn insert(conn: &mut Conn, t: NewToken<'_>) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO api_tokens (user_id, name, token_hash, token_prefix, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(t.user_id)
    .bind(t.name)
    .bind(t.hash)
    .bind(t.prefix)
    .bind(t.now.0)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// An unrevoked token found by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveToken {
    pub id: i64,
    pub user_id: i64,
    pub last_used_at: Option<UnixMs>,
}

pub async fn find_active(conn: &mut Conn, hash: &str) -> Result<Option<ActiveToken>, StoreError> {
    let row = sqlx::query(
        "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(ActiveToken {
            id: r.try_get(0)?,
            user_id: r.try_get(1)?,
            last_used_at: r.try_get::<Option<i64>, _>(2)?.map(UnixMs),
        })
    })
    .transpose()
}

pub async fn touch(conn: &mut Conn, id: i64, now: UnixMs) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn list(conn: &mut Conn, user_id: i64) -> Result<Vec<TokenRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, token_prefix, created_at, last_used_at, revoked_at
         FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenRecord {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                prefix: r.try_get(2)?,
                created_at: UnixMs(r.try_get(3)?),
                last_used_at: r.try_get::<Option<i64>, _>(4)?.map(UnixMs),
                revoked_at: r.try_get::<Option<i64>, _>(5)?.map(UnixMs),
            })
        })
        .collect()
}

/// Revokes one of `user_id`'s own tokens; false when there is no such
/// active token of theirs.
pub async fn revoke(
    conn: &mut Conn,
    user_id: i64,
    id: i64,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every active token of `user_id`; returns how many.
pub async fn revoke_all(conn: &mut Conn, user_id: i64, now: UnixMs) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
