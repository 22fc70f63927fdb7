//! 吹哨报到 rows, and the deadline sweep's queries: the open cases past
//! (or near) their deadline that have not been warned about yet.

use super::{CASE_COLS, CaseRow, case};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One department called by a whistle.
#[derive(Debug, Clone, PartialEq)]
pub struct Whistle {
    pub id: i64,
    pub case_id: i64,
    pub dept_user_id: i64,
    pub dept_name: String,
    pub raised_by_id: Option<i64>,
    pub raised_by_name: String,
    pub reason: String,
    pub raised_at: UnixMs,
    pub due_at: UnixMs,
    pub acked_at: Option<UnixMs>,
    pub ack_by_name: Option<String>,
    pub ack_note: Option<String>,
}

const COLS: &str = "id, case_id, dept_user_id, dept_name, raised_by_id, raised_by_name, reason,
    raised_at, due_at, acked_at, ack_by_name, ack_note";

fn whistle(r: &AnyRow) -> Result<Whistle, StoreError> {
    Ok(Whistle {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        dept_user_id: r.try_get(2)?,
        dept_name: r.try_get(3)?,
        raised_by_id: r.try_get(4)?,
        raised_by_name: r.try_get(5)?,
        reason: r.try_get(6)?,
        raised_at: UnixMs(r.try_get(7)?),
        due_at: UnixMs(r.try_get(8)?),
        acked_at: r.try_get::<Option<i64>, _>(9)?.map(UnixMs),
        ack_by_name: r.try_get(10)?,
        ack_note: r.try_get(11)?,
    })
}

/// Records a department called (its `id` and ack fields are ignored).
pub async fn insert(conn: &mut Conn, w: &Whistle) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO case_whistles (case_id, dept_user_id, dept_name, raised_by_id,
            raised_by_name, reason, raised_at, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(w.case_id)
    .bind(w.dept_user_id)
    .bind(&w.dept_name)
    .bind(w.raised_by_id)
    .bind(&w.raised_by_name)
    .bind(&w.reason)
    .bind(w.raised_at.0)
    .bind(w.due_at.0)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Every department called on a case, in the order they were called.
pub async fn of_case(conn: &mut Conn, case_id: i64) -> Result<Vec<Whistle>, StoreError> {
    let sql = format!("SELECT {COLS} FROM case_whistles WHERE case_id = $1 ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(case_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(whistle).collect()
}

/// Whether the account `dept_user_id` was ever called to the case.
pub async fn called(conn: &mut Conn, case_id: i64, dept_user_id: i64) -> Result<bool, StoreError> {
    let row =
        sqlx::query("SELECT 1 FROM case_whistles WHERE case_id = $1 AND dept_user_id = $2 LIMIT 1")
            .bind(case_id)
            .bind(dept_user_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.is_some())
}

/// 报到: sets the ack of a call not yet answered; false when it was.
pub async fn ack(
    conn: &mut Conn,
    id: i64,
    by_name: &str,
    note: &str,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE case_whistles SET acked_at = $1, ack_by_name = $2, ack_note = $3
         WHERE id = $4 AND acked_at IS NULL",
    )
    .bind(now.0)
    .bind(by_name)
    .bind(note)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The calls a department has not answered yet, oldest first.
pub async fn waiting_for(conn: &mut Conn, dept_user_id: i64) -> Result<Vec<Whistle>, StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM case_whistles WHERE dept_user_id = $1 AND acked_at IS NULL
         ORDER BY due_at, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(dept_user_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(whistle).collect()
}

/// The unanswered calls past their deadline at `now` whose lateness has
/// not been warned about (the warning table keys them as `whistle:<id>`).
pub async fn overdue_unwarned(
    conn: &mut Conn,
    now: UnixMs,
    limit: i64,
) -> Result<Vec<Whistle>, StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM case_whistles w WHERE acked_at IS NULL AND due_at < $1
           AND NOT EXISTS (SELECT 1 FROM case_deadline_warnings d
                           WHERE d.case_id = w.case_id AND d.due_at = w.due_at
                             AND d.level = 'whistle:' || CAST(w.id AS TEXT))
         ORDER BY due_at LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now.0)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(whistle).collect()
}

/// Open cases due in `[from, before)` (the sweep asks for the past for
/// overdue, the coming days for near-due) with no `level` warning for
/// their current deadline. The caller filters by its own rule.
pub async fn due_unwarned(
    conn: &mut Conn,
    (from, before): (UnixMs, UnixMs),
    level: &str,
    limit: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    // the outer FROM holds only `cases`, so its columns need no prefix
    let sql = format!(
        "SELECT {CASE_COLS} FROM cases c
         WHERE c.closed_at IS NULL AND c.due_at < $1 AND c.due_at >= $4
           AND c.state IN ('accepted', 'dispatched', 'in_progress', 'handled', 'submitted')
           AND NOT EXISTS (SELECT 1 FROM case_deadline_warnings d
                           WHERE d.case_id = c.id AND d.due_at = c.due_at AND d.level = $2)
         ORDER BY c.due_at LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(before.0)
        .bind(level)
        .bind(limit)
        .bind(from.0)
        .fetch_all(conn)
        .await?;
    rows.iter().map(case).collect()
}

/// Records that a warning went out; false when it already had.
pub async fn mark_warned(
    conn: &mut Conn,
    case_id: i64,
    due_at: UnixMs,
    level: &str,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO case_deadline_warnings (case_id, due_at, level, sent_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(case_id)
    .bind(due_at.0)
    .bind(level)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
