//! Open311 GeoReport v2: partner api_keys and the public request query.

use super::{CASE_COLS, CaseRow, case};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A partner's key as stored (the key itself only as its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub revoked: bool,
}

pub async fn insert_key(
    conn: &mut Conn,
    name: &str,
    key_hash: &str,
    now: UnixMs,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO open311_keys (name, key_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(key_hash)
    .bind(now.0)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

pub async fn key_by_hash(conn: &mut Conn, key_hash: &str) -> Result<Option<ApiKey>, StoreError> {
    let row = sqlx::query("SELECT id, name, revoked_at FROM open311_keys WHERE key_hash = $1")
        .bind(key_hash)
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(ApiKey {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            revoked: r.try_get::<Option<i64>, _>(2)?.is_some(),
        })
    })
    .transpose()
}

/// Revokes the key named `name`; whether one was active.
pub async fn revoke_key(conn: &mut Conn, name: &str, now: UnixMs) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE open311_keys SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
    )
    .bind(name)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_case_key(conn: &mut Conn, case_id: i64, key_id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE cases SET api_key_id = $2 WHERE id = $1")
        .bind(case_id)
        .bind(key_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Which key filed a case, if one did.
pub async fn case_key(conn: &mut Conn, case_id: i64) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT api_key_id FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?.flatten())
}

/// The GET requests query: by numbers (overriding the rest), or by
/// category ids, states and a creation window; newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicQuery {
    pub numbers: Vec<String>,
    pub category_ids: Vec<i64>,
    pub states: Vec<String>,
    pub from: UnixMs,
    pub to: UnixMs,
    pub limit: i64,
}

pub async fn public_cases(conn: &mut Conn, q: &PublicQuery) -> Result<Vec<CaseRow>, StoreError> {
    let mut n = 0;
    let mut mark = || {
        n += 1;
        format!("${n}")
    };
    let mut conds = vec![PUBLISHABLE.to_owned()];
    if !q.numbers.is_empty() {
        let m: Vec<String> = q.numbers.iter().map(|_| mark()).collect();
        conds.push(format!("number IN ({})", m.join(", ")));
    } else {
        conds.push(format!(
            "created_at >= {} AND created_at <= {}",
            mark(),
            mark()
        ));
        if !q.category_ids.is_empty() {
            let m: Vec<String> = q.category_ids.iter().map(|_| mark()).collect();
            conds.push(format!("category_id IN ({})", m.join(", ")));
        }
        if !q.states.is_empty() {
            let m: Vec<String> = q.states.iter().map(|_| mark()).collect();
            conds.push(format!("state IN ({})", m.join(", ")));
        }
    }
    let limit = mark();
    let sql = format!(
        "SELECT {CASE_COLS} FROM cases WHERE {} ORDER BY created_at DESC, id DESC LIMIT {limit}",
        conds.join(" AND ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if !q.numbers.is_empty() {
        for x in &q.numbers {
            query = query.bind(x.clone());
        }
    } else {
        query = query.bind(q.from.0).bind(q.to.0);
        for c in &q.category_ids {
            query = query.bind(*c);
        }
        for s in &q.states {
            query = query.bind(s.clone());
        }
    }
    let rows = query.bind(q.limit).fetch_all(conn).await?;
    rows.iter().map(case).collect()
}

/// What may be published to anyone: 随手拍 and 建议 under a category
/// marked public, linked to no dwelling (the rule is
/// `linli_domain::cases::publish`).
const PUBLISHABLE: &str = "kind IN ('snapshot', 'suggestion') AND dwelling_id IS NULL
     AND category_id IN (SELECT id FROM case_categories WHERE public = 1)";

/// A publishable case by its number.
pub async fn case_by_number(conn: &mut Conn, number: &str) -> Result<Option<CaseRow>, StoreError> {
    let sql = format!("SELECT {CASE_COLS} FROM cases WHERE number = $1 AND {PUBLISHABLE}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(number)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(case).transpose()
}
