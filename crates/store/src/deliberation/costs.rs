//! 民筹: a vote's cost-sharing plan, its funding lines and each dwelling's
//! share and payment.

use crate::multirow::{pieces, placeholders};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub vote_id: i64,
    /// `floor` or `area`
    pub basis: String,
    /// the floor table as written (empty by area)
    pub coefficients: String,
    pub owners_fen: i64,
    pub created_at: i64,
}

/// One dwelling's share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareRow {
    pub dwelling_id: i64,
    pub label: String,
    pub floor: i64,
    pub owner_key: String,
    pub weight: i64,
    pub share_fen: i64,
    pub paid_at: Option<i64>,
}

/// Replaces a vote's plan (none of whose shares is paid) with a new one.
/// Returns false, writing nothing, when some share is paid already.
pub async fn replace(
    conn: &mut Conn,
    plan: &PlanRow,
    funding: &[(String, i64)],
    shares: &[ShareRow],
    by: i64,
) -> Result<bool, StoreError> {
    let paid: i64 =
        sqlx::query("SELECT COUNT(*) FROM cost_shares WHERE vote_id = $1 AND paid_at IS NOT NULL")
            .bind(plan.vote_id)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
    if paid > 0 {
        return Ok(false);
    }
    for table in ["cost_shares", "cost_funding", "cost_plans"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE vote_id = $1"
        )))
        .bind(plan.vote_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO cost_plans (vote_id, basis, coefficients, owners_fen, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(plan.vote_id)
    .bind(plan.basis.as_str())
    .bind(plan.coefficients.as_str())
    .bind(plan.owners_fen)
    .bind(by)
    .bind(plan.created_at)
    .execute(&mut *conn)
    .await?;
    for (n, (label, amount)) in funding.iter().enumerate() {
        sqlx::query(
            "INSERT INTO cost_funding (vote_id, n, label, amount_fen) VALUES ($1, $2, $3, $4)",
        )
        .bind(plan.vote_id)
        .bind(i64::try_from(n).unwrap_or(i64::MAX))
        .bind(label.as_str())
        .bind(*amount)
        .execute(&mut *conn)
        .await?;
    }
    for piece in pieces(shares.len()) {
        let sql = format!(
            "INSERT INTO cost_shares (vote_id, dwelling_id, label, floor, owner_key, weight, share_fen)
             VALUES {}",
            placeholders(piece.len(), 7)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in &shares[piece] {
            q = q
                .bind(plan.vote_id)
                .bind(s.dwelling_id)
                .bind(s.label.as_str())
                .bind(s.floor)
                .bind(s.owner_key.as_str())
                .bind(s.weight)
                .bind(s.share_fen);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(true)
}

pub async fn plan(conn: &mut Conn, vote_id: i64) -> Result<Option<PlanRow>, StoreError> {
    let row = sqlx::query(
        "SELECT vote_id, basis, coefficients, owners_fen, created_at FROM cost_plans WHERE vote_id = $1",
    )
    .bind(vote_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(PlanRow {
            vote_id: r.try_get(0)?,
            basis: r.try_get(1)?,
            coefficients: r.try_get(2)?,
            owners_fen: r.try_get(3)?,
            created_at: r.try_get(4)?,
        })
    })
    .transpose()
}

pub async fn funding(conn: &mut Conn, vote_id: i64) -> Result<Vec<(String, i64)>, StoreError> {
    let rows =
        sqlx::query("SELECT label, amount_fen FROM cost_funding WHERE vote_id = $1 ORDER BY n")
            .bind(vote_id)
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

pub async fn shares(conn: &mut Conn, vote_id: i64) -> Result<Vec<ShareRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT dwelling_id, label, floor, owner_key, weight, share_fen, paid_at FROM cost_shares
         WHERE vote_id = $1 ORDER BY floor, label",
    )
    .bind(vote_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ShareRow {
                dwelling_id: r.try_get(0)?,
                label: r.try_get(1)?,
                floor: r.try_get(2)?,
                owner_key: r.try_get(3)?,
                weight: r.try_get(4)?,
                share_fen: r.try_get(5)?,
                paid_at: r.try_get(6)?,
            })
        })
        .collect()
}

/// Marks a dwelling's share paid. False when there is none or it is paid.
pub async fn mark_paid(
    conn: &mut Conn,
    vote_id: i64,
    dwelling_id: i64,
    now: UnixMs,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE cost_shares SET paid_at = $3 WHERE vote_id = $1 AND dwelling_id = $2 AND paid_at IS NULL",
    )
    .bind(vote_id)
    .bind(dwelling_id)
    .bind(now.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
