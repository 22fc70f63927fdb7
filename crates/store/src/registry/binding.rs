//! 实名绑定: residents' requests to link their account to their registry
//! record, and the lookup that checks them (by blind indexes only).

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A record found by ID number in a community.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub id: i64,
    pub name: String,
    pub phone_index: Option<String>,
    /// the account already bound to it
    pub bound_user: Option<i64>,
}

pub async fn by_document(
    conn: &mut Conn,
    community: &str,
    doc_index: &[String],
) -> Result<Option<Found>, StoreError> {
    if doc_index.is_empty() {
        return Ok(None);
    }
    let marks: Vec<String> = (0..doc_index.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT r.id, r.name, r.phone_index, ra.user_id FROM residents r
         LEFT JOIN resident_accounts ra ON ra.resident_id = r.id
         WHERE r.community_code = $1 AND r.moved_out IS NULL AND r.doc_index IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(community);
    for d in doc_index {
        q = q.bind(d);
    }
    let row = q.fetch_optional(conn).await?;
    row.map(|r| {
        Ok(Found {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            phone_index: r.try_get(2)?,
            bound_user: r.try_get(3)?,
        })
    })
    .transpose()
}

/// A binding request.
#[derive(Debug, Clone, PartialEq)]
pub struct BindRequest {
    pub id: i64,
    pub user_id: i64,
    pub resident_id: i64,
    pub state: String,
    pub note: String,
    pub created_at: UnixMs,
}

fn request(r: &AnyRow) -> Result<BindRequest, StoreError> {
    Ok(BindRequest {
        id: r.try_get(0)?,
        user_id: r.try_get(1)?,
        resident_id: r.try_get(2)?,
        state: r.try_get(3)?,
        note: r.try_get(4)?,
        created_at: UnixMs(r.try_get(5)?),
    })
}

const COLUMNS: &str = "id, user_id, resident_id, state, note, created_at";

pub async fn insert(
    conn: &mut Conn,
    user_id: i64,
    resident_id: i64,
    now: UnixMs,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO bind_requests (user_id, resident_id, state, created_at)
         VALUES ($1, $2, 'pending', $3) RETURNING id",
    )
    .bind(user_id)
    .bind(resident_id)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// The newest request of an account.
pub async fn latest_of(conn: &mut Conn, user_id: i64) -> Result<Option<BindRequest>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM bind_requests WHERE user_id = $1 ORDER BY id DESC LIMIT 1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(request).transpose()
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<BindRequest>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM bind_requests WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(request).transpose()
}

/// Pending requests whose resident lives in a community under any of
/// `prefixes`, oldest first.
pub async fn pending_in(
    conn: &mut Conn,
    prefixes: &[String],
) -> Result<Vec<BindRequest>, StoreError> {
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let conds: Vec<String> = (0..prefixes.len())
        .map(|i| format!("r.community_code LIKE ${}", i + 1))
        .collect();
    let sql = format!(
        "SELECT b.id, b.user_id, b.resident_id, b.state, b.note, b.created_at
         FROM bind_requests b JOIN residents r ON r.id = b.resident_id
         WHERE b.state = 'pending' AND ({}) ORDER BY b.id LIMIT 200",
        conds.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in prefixes {
        q = q.bind(format!("{}%", p.get(..12).unwrap_or(p)));
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(request).collect()
}

/// Records a decision on a pending request; false when it was not pending.
pub async fn decide(
    conn: &mut Conn,
    id: i64,
    approved: bool,
    note: &str,
    by: &str,
    now: UnixMs,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE bind_requests SET state = $2, note = $3, decided_by = $4, decided_at = $5
         WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(if approved { "approved" } else { "rejected" })
    .bind(note)
    .bind(by)
    .bind(now.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Locks a resident's row until the transaction ends (PostgreSQL; a SQLite
/// write transaction already holds the whole database), so that two
/// approvals for one record take turns.
pub async fn lock_resident(conn: &mut Conn, resident_id: i64) -> Result<(), StoreError> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT id FROM residents WHERE id = $1 FOR UPDATE")
            .bind(resident_id)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

/// The account bound to a resident, if any.
pub async fn bound_user(conn: &mut Conn, resident_id: i64) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT user_id FROM resident_accounts WHERE resident_id = $1")
        .bind(resident_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}
