//! 审计日志 — appends to the hash-chained audit log and reads it back.

use crate::{Conn, StoreError};
use linli_domain::audit::{AuditEvent, AuditRecord, Outcome, record_hash};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// Appends `event` at `now`. Call inside the transaction of the action it
/// records, so the record exists exactly when the action committed. The
/// first statement locks the chain head, which orders concurrent appends.
pub async fn append(
    conn: &mut Conn,
    event: AuditEvent,
    now: UnixMs,
) -> Result<AuditRecord, StoreError> {
    let head = sqlx::query(
        "UPDATE audit_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq, last_hash",
    )
    .fetch_one(&mut *conn)
    .await?;
    let seq: i64 = head.try_get(0)?;
    let prev_hash: String = head.try_get(1)?;
    let hash = record_hash(&prev_hash, seq, now, &event);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, object, outcome, source,
                                detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(seq)
    .bind(now.0)
    .bind(event.actor_id)
    .bind(&event.actor_name)
    .bind(&event.action)
    .bind(&event.object)
    .bind(event.outcome.as_str())
    .bind(&event.source)
    .bind(&event.detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(AuditRecord {
        seq,
        at: now,
        event,
        prev_hash,
        hash,
    })
}

/// The chain head: (last sequence number, last hash).
pub async fn head(conn: &mut Conn) -> Result<(i64, String), StoreError> {
    let r = sqlx::query("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

/// Up to `limit` records after `after_seq`, in order (for paging through
/// the whole log in constant memory).
pub async fn page(
    conn: &mut Conn,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, at, actor_id, actor_name, action, object, outcome, source, detail,
                prev_hash, hash
         FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(record).collect()
}

/// The newest records, newest first.
pub async fn recent(conn: &mut Conn, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
    before(conn, i64::MAX, limit).await
}

/// Up to `limit` records older than `before_seq`, newest first (keyset paging).
pub async fn before(
    conn: &mut Conn,
    before_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, at, actor_id, actor_name, action, object, outcome, source, detail,
                prev_hash, hash
         FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(before_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(record).collect()
}

fn record(r: &sqlx::any::AnyRow) -> Result<AuditRecord, StoreError> {
    let seq: i64 = r.try_get(0)?;
    let outcome: String = r.try_get(6)?;
    let outcome = Outcome::parse(&outcome)
        .ok_or_else(|| StoreError::Corrupt(format!("audit record {seq} has an unknown outcome")))?;
    Ok(AuditRecord {
        seq,
        at: UnixMs(r.try_get(1)?),
        event: AuditEvent {
            actor_id: r.try_get(2)?,
            actor_name: r.try_get(3)?,
            action: r.try_get(4)?,
            object: r.try_get(5)?,
            outcome,
            source: r.try_get(7)?,
            detail: r.try_get(8)?,
        },
        prev_hash: r.try_get(9)?,
        hash: r.try_get(10)?,
    })
}
