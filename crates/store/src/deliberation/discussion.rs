//! 民议 民办: comments on a proposal (hidden, never deleted) and the
//! progress of an adopted matter.

use crate::{Conn, StoreError, flag};
use linli_domain::time::UnixMs;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_user: i64,
    pub author_name: String,
    pub staff: bool,
    pub body: String,
    pub hidden_reason: Option<String>,
    pub created_at: i64,
}

pub struct NewComment<'a> {
    pub proposal_id: i64,
    pub parent_id: Option<i64>,
    pub author_user: i64,
    pub author_name: &'a str,
    pub staff: bool,
    pub body: &'a str,
    pub now: UnixMs,
}

pub async fn insert_comment(conn: &mut Conn, c: &NewComment<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO proposal_comments (proposal_id, parent_id, author_user, author_name, staff, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(c.proposal_id)
    .bind(c.parent_id)
    .bind(c.author_user)
    .bind(c.author_name)
    .bind(flag(c.staff))
    .bind(c.body)
    .bind(c.now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// A proposal's comments, oldest first.
pub async fn comments(conn: &mut Conn, proposal_id: i64) -> Result<Vec<CommentRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, parent_id, author_user, author_name, staff, body, hidden_reason, created_at
         FROM proposal_comments WHERE proposal_id = $1 ORDER BY id LIMIT 1000",
    )
    .bind(proposal_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CommentRow {
                id: r.try_get(0)?,
                parent_id: r.try_get(1)?,
                author_user: r.try_get(2)?,
                author_name: r.try_get(3)?,
                staff: r.try_get::<i64, _>(4)? == 1,
                body: r.try_get(5)?,
                hidden_reason: r.try_get(6)?,
                created_at: r.try_get(7)?,
            })
        })
        .collect()
}

/// The proposal a comment belongs to, and its parent.
pub async fn comment_place(
    conn: &mut Conn,
    id: i64,
) -> Result<Option<(i64, Option<i64>)>, StoreError> {
    let row = sqlx::query("SELECT proposal_id, parent_id FROM proposal_comments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// Hides a comment with a reason; false when it was hidden already.
pub async fn hide_comment(
    conn: &mut Conn,
    id: i64,
    reason: &str,
    by: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE proposal_comments SET hidden_reason = $2, hidden_by = $3
         WHERE id = $1 AND hidden_reason IS NULL",
    )
    .bind(id)
    .bind(reason)
    .bind(by)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// How many comments a user wrote since `since` (a day's limit).
pub async fn comments_since(conn: &mut Conn, user: i64, since: UnixMs) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM proposal_comments WHERE author_user = $1 AND created_at >= $2",
    )
    .bind(user)
    .bind(since.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

pub async fn add_progress(
    conn: &mut Conn,
    proposal_id: i64,
    body: &str,
    spent_fen: i64,
    by: i64,
    now: UnixMs,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO proposal_progress (proposal_id, body, spent_fen, written_by, written_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(proposal_id)
    .bind(body)
    .bind(spent_fen)
    .bind(by)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// A matter's progress, newest first: (body, spent 分, at).
pub async fn progress(
    conn: &mut Conn,
    proposal_id: i64,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT body, spent_fen, written_at FROM proposal_progress WHERE proposal_id = $1 ORDER BY id DESC",
    )
    .bind(proposal_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}
