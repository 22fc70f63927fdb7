//! The ledger of hours and points: accounts with their balance, transfers
//! written once under an idempotency key, two entries each. Nothing here
//! updates or deletes a transfer or an entry.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// The account of `holder` in `unit`, opened at zero when it is new.
pub async fn account(conn: &mut Conn, holder: &str, unit: &str) -> Result<i64, StoreError> {
    sqlx::query(
        "INSERT INTO ledger_accounts (holder, unit, balance) VALUES ($1, $2, 0)
         ON CONFLICT (holder, unit) DO NOTHING",
    )
    .bind(holder)
    .bind(unit)
    .execute(&mut *conn)
    .await?;
    Ok(
        sqlx::query("SELECT id FROM ledger_accounts WHERE holder = $1 AND unit = $2")
            .bind(holder)
            .bind(unit)
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}

/// The balance of `holder` in `unit` (0 when it has no account).
pub async fn balance(conn: &mut Conn, holder: &str, unit: &str) -> Result<i64, StoreError> {
    let r = sqlx::query("SELECT balance FROM ledger_accounts WHERE holder = $1 AND unit = $2")
        .bind(holder)
        .bind(unit)
        .fetch_optional(conn)
        .await?;
    Ok(r.map(|r| r.try_get(0)).transpose()?.unwrap_or(0))
}

/// A transfer to write.
pub struct NewTransfer<'a> {
    pub idem_key: &'a str,
    pub unit: &'a str,
    pub amount: i64,
    pub from: i64,
    pub to: i64,
    pub reason: &'a str,
    pub source_ref: &'a str,
    pub operator: i64,
    pub reverses: Option<i64>,
    /// refuse when the paying account would go below zero
    pub covered: bool,
    pub at: UnixMs,
}

/// What writing a transfer came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    /// written, with its id
    New(i64),
    /// its key was written before: nothing moved again
    Again,
    /// the paying account does not cover it: nothing may be kept (the
    /// caller rolls back)
    Short,
}

/// Writes a transfer and its two entries and moves both balances, once
/// per `idem_key`.
pub async fn post(conn: &mut Conn, t: &NewTransfer<'_>) -> Result<Posted, StoreError> {
    let row = sqlx::query(
        "INSERT INTO ledger_transfers (idem_key, unit, amount, from_account, to_account, reason,
                                       source_ref, operator_user, reverses, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (idem_key) DO NOTHING RETURNING id",
    )
    .bind(t.idem_key)
    .bind(t.unit)
    .bind(t.amount)
    .bind(t.from)
    .bind(t.to)
    .bind(t.reason)
    .bind(t.source_ref)
    .bind(t.operator)
    .bind(t.reverses)
    .bind(t.at.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Posted::Again);
    };
    let id: i64 = row.try_get(0)?;
    let debited = sqlx::query(
        "UPDATE ledger_accounts SET balance = balance - $2 WHERE id = $1 AND ($3 = 0 OR balance >= $2)",
    )
    .bind(t.from)
    .bind(t.amount)
    .bind(i64::from(t.covered))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if debited == 0 {
        return Ok(Posted::Short);
    }
    sqlx::query("UPDATE ledger_accounts SET balance = balance + $2 WHERE id = $1")
        .bind(t.to)
        .bind(t.amount)
        .execute(&mut *conn)
        .await?;
    let [debit, credit] = linli_domain::volunteering::ledger::entries(t.amount);
    sqlx::query(
        "INSERT INTO ledger_entries (transfer_id, account_id, amount) VALUES ($1, $2, $3), ($1, $4, $5)",
    )
    .bind(id)
    .bind(t.from)
    .bind(debit)
    .bind(t.to)
    .bind(credit)
    .execute(conn)
    .await?;
    Ok(Posted::New(id))
}

/// A transfer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRow {
    pub id: i64,
    pub unit: String,
    pub amount: i64,
    pub from_holder: String,
    pub to_holder: String,
    pub from_account: i64,
    pub to_account: i64,
    pub reason: String,
    pub source_ref: String,
    pub reverses: Option<i64>,
    pub reversed: bool,
    pub at: i64,
}

const TRANSFER: &str = "t.id, t.unit, t.amount, f.holder, g.holder, t.from_account, t.to_account,
    t.reason, t.source_ref, t.reverses,
    (SELECT COUNT(*) FROM ledger_transfers r WHERE r.reverses = t.id), t.at
    FROM ledger_transfers t JOIN ledger_accounts f ON f.id = t.from_account
    JOIN ledger_accounts g ON g.id = t.to_account";

fn transfer_of(r: &sqlx::any::AnyRow) -> Result<TransferRow, StoreError> {
    Ok(TransferRow {
        id: r.try_get(0)?,
        unit: r.try_get(1)?,
        amount: r.try_get(2)?,
        from_holder: r.try_get(3)?,
        to_holder: r.try_get(4)?,
        from_account: r.try_get(5)?,
        to_account: r.try_get(6)?,
        reason: r.try_get(7)?,
        source_ref: r.try_get(8)?,
        reverses: r.try_get(9)?,
        reversed: r.try_get::<i64, _>(10)? > 0,
        at: r.try_get(11)?,
    })
}

pub async fn transfer(conn: &mut Conn, id: i64) -> Result<Option<TransferRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TRANSFER} WHERE t.id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(transfer_of)
    .transpose()
}

/// The transfers touching `holder`'s accounts, newest first, at most 200.
pub async fn statement(conn: &mut Conn, holder: &str) -> Result<Vec<TransferRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TRANSFER} WHERE f.holder = $1 OR g.holder = $1 ORDER BY t.id DESC LIMIT 200"
    )))
    .bind(holder)
    .fetch_all(conn)
    .await?
    .iter()
    .map(transfer_of)
    .collect()
}

/// The transfers written for `source_ref` (an order, an attendance).
pub async fn of_source(conn: &mut Conn, source_ref: &str) -> Result<Vec<TransferRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TRANSFER} WHERE t.source_ref = $1 ORDER BY t.id"
    )))
    .bind(source_ref)
    .fetch_all(conn)
    .await?
    .iter()
    .map(transfer_of)
    .collect()
}

/// What the ledger check finds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerHealth {
    pub transfers: i64,
    pub entries: i64,
    /// the sum of every entry (0)
    pub total: i64,
    /// transfers whose entries are not exactly −amount on the payer and
    /// +amount on the payee
    pub unbalanced: Vec<i64>,
    /// accounts whose balance is not the sum of their entries
    pub drifted: Vec<i64>,
    /// (community, unit, the daily roll-up's sum, the recount from the
    /// ledger) where they differ
    pub rollups_off: Vec<(String, String, i64, i64)>,
}

/// Checks that the ledger sums to zero, every transfer has its two
/// entries, and every balance equals its entries.
pub async fn health(conn: &mut Conn) -> Result<LedgerHealth, StoreError> {
    let r = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM ledger_transfers), COUNT(*), CAST(COALESCE(SUM(amount), 0) AS BIGINT)
         FROM ledger_entries",
    )
    .fetch_one(&mut *conn)
    .await?;
    let unbalanced = sqlx::query(
        "SELECT t.id FROM ledger_transfers t WHERE
           (SELECT COUNT(*) FROM ledger_entries e WHERE e.transfer_id = t.id) <> 2
           OR (SELECT COUNT(*) FROM ledger_entries e WHERE e.transfer_id = t.id
               AND ((e.account_id = t.from_account AND e.amount = -t.amount)
                 OR (e.account_id = t.to_account AND e.amount = t.amount))) <> 2
         ORDER BY t.id LIMIT 100",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let drifted = sqlx::query(
        "SELECT a.id FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
         GROUP BY a.id, a.balance HAVING a.balance <> COALESCE(SUM(e.amount), 0)
         ORDER BY a.id LIMIT 100",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let recount: Vec<(String, String, i64)> = sqlx::query(
        "SELECT a.holder, a.unit, CAST(COALESCE(SUM(-e.amount), 0) AS BIGINT)
         FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
         WHERE a.holder LIKE 'issuer:%' GROUP BY a.holder, a.unit",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let holder: String = r.try_get(0)?;
        Ok((
            holder.trim_start_matches("issuer:").to_owned(),
            r.try_get(1)?,
            r.try_get(2)?,
        ))
    })
    .collect::<Result<_, StoreError>>()?;
    let rolled: Vec<(String, String, i64)> = sqlx::query(
        "SELECT community_code, unit, CAST(SUM(amount) AS BIGINT) FROM ledger_daily
         GROUP BY community_code, unit",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
    .collect::<Result<_, StoreError>>()?;
    let mut rollups_off = Vec::new();
    for (c, u, n) in &recount {
        let have = rolled
            .iter()
            .find(|(rc, ru, _)| rc == c && ru == u)
            .map_or(0, |r| r.2);
        if have != *n {
            rollups_off.push((c.clone(), u.clone(), have, *n));
        }
    }
    for (c, u, have) in &rolled {
        if *have != 0 && !recount.iter().any(|(rc, ru, _)| rc == c && ru == u) {
            rollups_off.push((c.clone(), u.clone(), *have, 0));
        }
    }
    Ok(LedgerHealth {
        transfers: r.try_get(0)?,
        entries: r.try_get(1)?,
        total: r.try_get(2)?,
        unbalanced,
        drifted,
        rollups_off,
    })
}

/// What `holder` was credited in `unit` since `since` (corrections
/// included), for a year's progress.
pub async fn credited_since(
    conn: &mut Conn,
    holder: &str,
    unit: &str,
    since: UnixMs,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "SELECT CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) FROM ledger_entries e
         JOIN ledger_accounts a ON a.id = e.account_id JOIN ledger_transfers t ON t.id = e.transfer_id
         WHERE a.holder = $1 AND a.unit = $2 AND t.at >= $3",
    )
    .bind(holder)
    .bind(unit)
    .bind(since.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// Adds `delta` to what `community` credited in `unit` on `day`.
pub async fn roll_daily(
    conn: &mut Conn,
    community: &str,
    day: &str,
    unit: &str,
    delta: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO ledger_daily (community_code, day, unit, amount) VALUES ($1, $2, $3, $4)
         ON CONFLICT (community_code, day, unit) DO UPDATE SET amount = ledger_daily.amount + excluded.amount",
    )
    .bind(community)
    .bind(day)
    .bind(unit)
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(())
}
