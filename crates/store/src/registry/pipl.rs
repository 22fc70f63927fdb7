//! 个人信息权利 — residents' own accounts and their correction requests.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// Binds an account to a resident (replacing an earlier binding of either).
pub async fn link_account(
    conn: &mut Conn,
    user_id: i64,
    resident_id: i64,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM resident_accounts WHERE user_id = $1 OR resident_id = $2")
        .bind(user_id)
        .bind(resident_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO resident_accounts (user_id, resident_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(user_id)
    .bind(resident_id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// The resident an account belongs to.
pub async fn resident_of_user(conn: &mut Conn, user_id: i64) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT resident_id FROM resident_accounts WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The ids of a household's members, the given resident first.
pub async fn household_members(conn: &mut Conn, resident_id: i64) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.id FROM residents r JOIN residents m ON m.household_id = r.household_id
         WHERE r.id = $1 AND m.moved_out IS NULL ORDER BY CASE WHEN m.id = $1 THEN 0 ELSE 1 END, m.id",
    )
    .bind(resident_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

pub async fn insert_correction(
    conn: &mut Conn,
    resident_id: i64,
    user_id: i64,
    field: &str,
    value_sealed: &str,
    note: &str,
    now: UnixMs,
) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "INSERT INTO correction_requests (resident_id, user_id, field, value_sealed, note, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'open', $6) RETURNING id",
    )
    .bind(resident_id)
    .bind(user_id)
    .bind(field)
    .bind(value_sealed)
    .bind(note)
    .bind(now.0)
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}

/// A correction request as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub id: i64,
    pub resident_id: i64,
    pub field: String,
    pub value_sealed: String,
    pub note: String,
    pub status: String,
    pub created_at: UnixMs,
    pub resolution: Option<String>,
}

const COLS: &str = "id, resident_id, field, value_sealed, note, status, created_at, resolution";

fn correction(r: &sqlx::any::AnyRow) -> Result<Correction, StoreError> {
    Ok(Correction {
        id: r.try_get(0)?,
        resident_id: r.try_get(1)?,
        field: r.try_get(2)?,
        value_sealed: r.try_get(3)?,
        note: r.try_get(4)?,
        status: r.try_get(5)?,
        created_at: UnixMs(r.try_get(6)?),
        resolution: r.try_get(7)?,
    })
}

pub async fn correction_by_id(conn: &mut Conn, id: i64) -> Result<Option<Correction>, StoreError> {
    let sql = format!("SELECT {COLS} FROM correction_requests WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(correction).transpose()
}

/// Requests about the given residents, newest first.
pub async fn corrections_of(
    conn: &mut Conn,
    resident_id: i64,
) -> Result<Vec<Correction>, StoreError> {
    let sql =
        format!("SELECT {COLS} FROM correction_requests WHERE resident_id = $1 ORDER BY id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(resident_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(correction).collect()
}

/// Open requests whose resident lives under one of `scopes` (code prefixes).
pub async fn open_corrections(
    conn: &mut Conn,
    scopes: &[String],
) -> Result<Vec<Correction>, StoreError> {
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let likes: Vec<String> = (1..=scopes.len())
        .map(|i| format!("COALESCE(g.code, b.community_code) LIKE ${i}"))
        .collect();
    let sql = format!(
        "SELECT c.id, c.resident_id, c.field, c.value_sealed, c.note, c.status, c.created_at, c.resolution
         FROM correction_requests c JOIN residents r ON r.id = c.resident_id
         JOIN buildings b ON b.id = r.building_id LEFT JOIN grids g ON g.id = b.grid_id
         WHERE c.status = 'open' AND ({}) ORDER BY c.id LIMIT 200",
        likes.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for s in scopes {
        q = q.bind(format!("{s}%"));
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(correction).collect()
}

pub async fn resolve_correction(
    conn: &mut Conn,
    id: i64,
    status: &str,
    by: Option<i64>,
    resolution: &str,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE correction_requests SET status = $2, resolved_by = $3, resolved_at = $4, resolution = $5
         WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(status)
    .bind(by)
    .bind(now.0)
    .bind(resolution)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}
