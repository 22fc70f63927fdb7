//! Pictures of a signed agreement and of a project's progress.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A picture as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRow {
    pub id: i64,
    pub owner_kind: String,
    pub owner_id: i64,
    pub object_key: String,
    pub width: i64,
    pub height: i64,
}

fn row_of(r: &sqlx::any::AnyRow) -> Result<PhotoRow, StoreError> {
    Ok(PhotoRow {
        id: r.try_get(0)?,
        owner_kind: r.try_get(1)?,
        owner_id: r.try_get(2)?,
        object_key: r.try_get(3)?,
        width: r.try_get(4)?,
        height: r.try_get(5)?,
    })
}

/// A picture being recorded: (object key, bytes, width, height).
pub async fn insert(
    conn: &mut Conn,
    (owner_kind, owner_id): (&str, i64),
    (key, bytes, width, height): (&str, i64, i64, i64),
    now: UnixMs,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO partner_photos (owner_kind, owner_id, object_key, bytes, width, height,
                                     created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(owner_kind)
    .bind(owner_id)
    .bind(key)
    .bind(bytes)
    .bind(width)
    .bind(height)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<PhotoRow>, StoreError> {
    sqlx::query(
        "SELECT id, owner_kind, owner_id, object_key, width, height FROM partner_photos
          WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(|r| row_of(&r))
    .transpose()
}

/// The pictures of the owners of one kind, by owner then in order.
pub async fn of(
    conn: &mut Conn,
    owner_kind: &str,
    owners: &[i64],
) -> Result<Vec<PhotoRow>, StoreError> {
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..owners.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT id, owner_kind, owner_id, object_key, width, height FROM partner_photos
          WHERE owner_kind = $1 AND owner_id IN ({}) ORDER BY owner_id, id",
        list.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(owner_kind);
    for o in owners {
        q = q.bind(o);
    }
    q.fetch_all(conn).await?.iter().map(row_of).collect()
}
