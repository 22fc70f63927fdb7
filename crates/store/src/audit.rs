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
    let mut records = append_all(conn, vec![(event, now)]).await?;
    records
        .pop()
        .ok_or_else(|| StoreError::Corrupt("no audit record".into()))
}

/// [`append`] for several events, chained in order: the head moves once
/// and the records go in one statement.
pub async fn append_all(
    conn: &mut Conn,
    events: Vec<(AuditEvent, UnixMs)>,
) -> Result<Vec<AuditRecord>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let head = sqlx::query(
        "UPDATE audit_head SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq, last_hash",
    )
    .bind(count)
    .fetch_one(&mut *conn)
    .await?;
    let last_seq: i64 = head.try_get(0)?;
    let mut prev_hash: String = head.try_get(1)?;
    let mut records = Vec::with_capacity(events.len());
    for (seq, (event, at)) in (last_seq - count + 1..).zip(events) {
        let hash = record_hash(&prev_hash, seq, at, &event);
        records.push(AuditRecord {
            seq,
            at,
            event,
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        });
    }
    for piece in crate::multirow::pieces(records.len()) {
        let records = &records[piece];
        let sql = format!(
            "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, object, outcome,
                                    source, detail, prev_hash, hash) VALUES {}",
            crate::multirow::placeholders(records.len(), 11)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in records {
            q = q
                .bind(r.seq)
                .bind(r.at.0)
                .bind(r.event.actor_id)
                .bind(&r.event.actor_name)
                .bind(&r.event.action)
                .bind(&r.event.object)
                .bind(r.event.outcome.as_str())
                .bind(&r.event.source)
                .bind(&r.event.detail)
                .bind(&r.prev_hash)
                .bind(&r.hash);
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&prev_hash)
        .execute(&mut *conn)
        .await?;
    Ok(records)
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

/// How many `action` records `actor_id` has made since `since` (with
/// `outcome` when given), for limits that must survive a restart: number
/// searches, second-factor codes. Reads only the recent end of the log
/// through its time index.
pub async fn count_since(
    conn: &mut Conn,
    actor_id: Option<i64>,
    action: &str,
    outcome: Option<Outcome>,
    since: UnixMs,
) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "SELECT COUNT(*) FROM audit_log
         WHERE at >= $1 AND action = $2
           AND ($3 IS NULL OR actor_id = $3)
           AND ($4 IS NULL OR outcome = $4)",
    )
    .bind(since.0)
    .bind(action)
    .bind(actor_id)
    .bind(outcome.map(Outcome::as_str))
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}
