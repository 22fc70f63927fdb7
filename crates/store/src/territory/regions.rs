//! 行政区划 — the administrative regions.

use crate::{Conn, StoreError};
use linli_domain::access::RegionCode;
use linli_domain::territory::{Region, RegionLevel};
use sqlx::Row;

/// Rows per INSERT statement (4 binds each; well under both databases' limits).
pub const BATCH: usize = 500;

/// Inserts or updates `regions`; rows that are already the same are not
/// touched. Returns how many rows were written (inserted + changed).
pub async fn upsert(conn: &mut Conn, regions: &[Region]) -> Result<u64, StoreError> {
    if regions.is_empty() {
        return Ok(0);
    }
    let mut sql = String::from("INSERT INTO regions (code, name, level, parent_code) VALUES ");
    for i in 0..regions.len() {
        let b = i * 4;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
    }
    sql.push_str(
        " ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,
          parent_code = excluded.parent_code
          WHERE regions.name <> excluded.name OR regions.level <> excluded.level
             OR regions.parent_code IS DISTINCT FROM excluded.parent_code",
    );
    // only placeholders are formatted into the statement; values are bound
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for r in regions {
        q = q
            .bind(r.code.as_str().to_owned())
            .bind(r.name.clone())
            .bind(r.level as i64)
            .bind(r.parent.as_ref().map(|p| p.as_str().to_owned()));
    }
    Ok(q.execute(conn).await?.rows_affected())
}

pub async fn count(conn: &mut Conn) -> Result<i64, StoreError> {
    let r = sqlx::query("SELECT COUNT(*) FROM regions")
        .fetch_one(conn)
        .await?;
    Ok(r.try_get(0)?)
}

/// Whether no region has been imported yet.
pub async fn is_empty(conn: &mut Conn) -> Result<bool, StoreError> {
    let r = sqlx::query("SELECT EXISTS (SELECT 1 FROM regions)")
        .fetch_one(conn)
        .await?;
    let any: bool = r
        .try_get::<i64, _>(0)
        .map(|v| v != 0)
        .or_else(|_| r.try_get::<bool, _>(0))?;
    Ok(!any)
}

pub async fn get(conn: &mut Conn, code: &RegionCode) -> Result<Option<Region>, StoreError> {
    let row = sqlx::query("SELECT code, name, level, parent_code FROM regions WHERE code = $1")
        .bind(code.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(region).transpose()
}

/// The direct children of a region, by code.
pub async fn children(conn: &mut Conn, parent: &RegionCode) -> Result<Vec<Region>, StoreError> {
    let rows = sqlx::query(
        "SELECT code, name, level, parent_code FROM regions WHERE parent_code = $1 ORDER BY code",
    )
    .bind(parent.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter().map(region).collect()
}

/// The communities (社区/村: 12 significant digits) at or below `node`,
/// (code, name) by code, at most 500.
pub async fn communities_under(
    conn: &mut Conn,
    node: &RegionCode,
) -> Result<Vec<(String, String)>, StoreError> {
    let prefix: String = node.significant_prefix().chars().take(12).collect();
    let rows = sqlx::query(
        "SELECT code, name FROM regions WHERE code LIKE $1 AND code NOT LIKE '%000'
          ORDER BY code LIMIT 500",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// The top level (provinces).
pub async fn roots(conn: &mut Conn) -> Result<Vec<Region>, StoreError> {
    let rows = sqlx::query("SELECT code, name, level, parent_code FROM regions WHERE parent_code IS NULL ORDER BY code")
        .fetch_all(conn)
        .await?;
    rows.iter().map(region).collect()
}

fn region(r: &sqlx::any::AnyRow) -> Result<Region, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("region: {what}"));
    let code: String = r.try_get(0)?;
    let parent: Option<String> = r.try_get(3)?;
    Ok(Region {
        code: code.parse().map_err(|_| corrupt("code"))?,
        name: r.try_get(1)?,
        level: RegionLevel::from_i64(r.try_get(2)?).ok_or_else(|| corrupt("level"))?,
        parent: parent
            .map(|p| p.parse())
            .transpose()
            .map_err(|_| corrupt("parent"))?,
    })
}
