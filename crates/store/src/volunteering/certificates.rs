//! 志愿服务记录证明: certificates and the hours they rest on.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

pub async fn insert(
    conn: &mut Conn,
    serial: &str,
    volunteer: i64,
    minutes: i64,
    now: UnixMs,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO volunteer_certificates (serial, volunteer_id, minutes, issued_at)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(serial)
    .bind(volunteer)
    .bind(minutes)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// A certificate: (volunteer, minutes, issued at, revoked at).
pub async fn by_serial(
    conn: &mut Conn,
    serial: &str,
) -> Result<Option<(i64, i64, i64, Option<i64>)>, StoreError> {
    let r = sqlx::query(
        "SELECT volunteer_id, minutes, issued_at, revoked_at FROM volunteer_certificates WHERE serial = $1",
    )
    .bind(serial)
    .fetch_optional(conn)
    .await?;
    r.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .transpose()
}

/// Every movement of `holder`'s hours: (at, reason, signed minutes), oldest
/// first — the lines a certificate lists.
pub async fn hours_of(
    conn: &mut Conn,
    holder: &str,
) -> Result<Vec<(i64, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.at, t.reason, e.amount FROM ledger_entries e
         JOIN ledger_accounts a ON a.id = e.account_id JOIN ledger_transfers t ON t.id = e.transfer_id
         WHERE a.holder = $1 AND a.unit = 'hours' ORDER BY t.id",
    )
    .bind(holder)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}
