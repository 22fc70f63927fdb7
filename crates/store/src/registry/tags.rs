//! Care tags (关爱标签): the tag list, and the tags a resident carries.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// 标签
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    pub id: i64,
    pub name: String,
    pub color: String,
    pub visit_days: Option<i64>,
}

pub async fn tags(conn: &mut Conn) -> Result<Vec<Tag>, StoreError> {
    let rows = sqlx::query("SELECT id, name, color, visit_days FROM care_tags ORDER BY id")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Tag {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                color: r.try_get(2)?,
                visit_days: r.try_get(3)?,
            })
        })
        .collect()
}

/// Adds a tag unless one of that name exists; returns its id.
pub async fn ensure_tag(
    conn: &mut Conn,
    name: &str,
    color: &str,
    visit_days: Option<i64>,
    now: UnixMs,
) -> Result<i64, StoreError> {
    sqlx::query(
        "INSERT INTO care_tags (name, color, visit_days, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(color)
    .bind(visit_days)
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    let r = sqlx::query("SELECT id FROM care_tags WHERE name = $1")
        .bind(name)
        .fetch_one(conn)
        .await?;
    Ok(r.try_get(0)?)
}

/// Replaces a resident's tags with `tag_ids` (carer and period kept for
/// tags that stay).
pub async fn set_tags(
    conn: &mut Conn,
    resident_id: i64,
    tag_ids: &[i64],
    now: UnixMs,
) -> Result<(), StoreError> {
    let keep: Vec<String> = tag_ids.iter().map(i64::to_string).collect();
    let sql = if keep.is_empty() {
        "DELETE FROM resident_tags WHERE resident_id = $1".to_owned()
    } else {
        format!(
            "DELETE FROM resident_tags WHERE resident_id = $1 AND tag_id NOT IN ({})",
            keep.join(",")
        )
    };
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(resident_id)
        .execute(&mut *conn)
        .await?;
    for t in tag_ids {
        sqlx::query(
            "INSERT INTO resident_tags (resident_id, tag_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (resident_id, tag_id) DO NOTHING",
        )
        .bind(resident_id)
        .bind(*t)
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Puts tags on people who have none yet (a bulk import's new people),
/// many pairs a statement.
pub async fn add_tags(
    conn: &mut Conn,
    pairs: &[(i64, i64)],
    now: UnixMs,
) -> Result<(), StoreError> {
    for piece in crate::multirow::pieces(pairs.len()) {
        let part = &pairs[piece];
        let sql = format!(
            "INSERT INTO resident_tags (resident_id, tag_id, created_at) VALUES {}
             ON CONFLICT (resident_id, tag_id) DO NOTHING",
            crate::multirow::placeholders(part.len(), 3)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (resident, tag) in part {
            q = q.bind(*resident).bind(*tag).bind(now.0);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A tag on a person.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonTag {
    pub resident_id: i64,
    pub tag_id: i64,
    pub name: String,
    pub color: String,
    pub carer: Option<String>,
    pub visit_days: Option<i64>,
}

/// The tags of the given residents.
pub async fn tags_of(conn: &mut Conn, ids: &[i64]) -> Result<Vec<PersonTag>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT rt.resident_id, t.id, t.name, t.color, rt.carer, COALESCE(rt.visit_days, t.visit_days)
         FROM resident_tags rt JOIN care_tags t ON t.id = rt.tag_id
         WHERE rt.resident_id IN ({}) ORDER BY rt.resident_id, t.id",
        list.join(",")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PersonTag {
                resident_id: r.try_get(0)?,
                tag_id: r.try_get(1)?,
                name: r.try_get(2)?,
                color: r.try_get(3)?,
                carer: r.try_get(4)?,
                visit_days: r.try_get(5)?,
            })
        })
        .collect()
}
