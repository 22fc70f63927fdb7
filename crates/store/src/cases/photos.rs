//! The rows that tie a case's photos to its timeline; the images are in
//! the object store ([`crate::blobs`]).

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A stored photo (its image is at `object_key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRow {
    pub id: i64,
    pub case_id: i64,
    pub event_id: i64,
    pub stage: String,
    pub object_key: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub sm3: String,
    pub created_at: UnixMs,
}

const COLS: &str =
    "id, case_id, event_id, stage, object_key, bytes, width, height, sm3, created_at";

fn photo(r: &sqlx::any::AnyRow) -> Result<PhotoRow, StoreError> {
    Ok(PhotoRow {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        event_id: r.try_get(2)?,
        stage: r.try_get(3)?,
        object_key: r.try_get(4)?,
        bytes: r.try_get(5)?,
        width: r.try_get(6)?,
        height: r.try_get(7)?,
        sm3: r.try_get(8)?,
        created_at: UnixMs(r.try_get(9)?),
    })
}

/// Records a photo (its `id` is ignored); returns the new id.
pub async fn insert_photo(conn: &mut Conn, p: &PhotoRow) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO case_photos (case_id, event_id, stage, object_key, bytes, width, height, sm3,
            created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(p.case_id)
    .bind(p.event_id)
    .bind(&p.stage)
    .bind(&p.object_key)
    .bind(p.bytes)
    .bind(p.width)
    .bind(p.height)
    .bind(&p.sm3)
    .bind(p.created_at.0)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Photos after `after_id` in id order, (id, object key, bytes), for
/// checking them against the object store a page at a time.
pub async fn keys_after(
    conn: &mut Conn,
    after_id: i64,
    limit: i64,
) -> Result<Vec<(i64, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, object_key, bytes FROM case_photos WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// A case's photos in the order they came.
pub async fn photos_of(conn: &mut Conn, case_id: i64) -> Result<Vec<PhotoRow>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM case_photos WHERE case_id = $1 ORDER BY id"
    )))
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(photo).collect()
}

/// How many photos a case holds at a stage.
pub async fn count_at_stage(conn: &mut Conn, case_id: i64, stage: &str) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) FROM case_photos WHERE case_id = $1 AND stage = $2")
        .bind(case_id)
        .bind(stage)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// One photo of one case (none when the id belongs to another case).
pub async fn photo_of_case(
    conn: &mut Conn,
    case_id: i64,
    photo_id: i64,
) -> Result<Option<PhotoRow>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM case_photos WHERE id = $1 AND case_id = $2"
    )))
    .bind(photo_id)
    .bind(case_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(photo).transpose()
}

/// Which of `keys` a photo row points at.
pub async fn keys_in_use(
    conn: &mut Conn,
    keys: &[String],
) -> Result<std::collections::HashSet<String>, StoreError> {
    let mut out = std::collections::HashSet::new();
    for chunk in keys.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT DISTINCT object_key FROM case_photos WHERE object_key IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for k in chunk {
            q = q.bind(k.as_str());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(r.try_get(0)?);
        }
    }
    Ok(out)
}
