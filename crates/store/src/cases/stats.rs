//! The roll-ups: counters per scope × China day × category × channel,
//! added to in the transaction of each step and summed for dashboards.

use super::prefix_range;
use crate::{Conn, StoreError};
use linli_domain::cases::{Counter, Counts};
use sqlx::Row;

/// The row a step's counts go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatKey<'a> {
    pub scope: &'a str,
    /// `yyyymmdd` in China
    pub day: i64,
    pub category_id: i64,
    pub channel: &'a str,
    /// the handler's name, "" before dispatch
    pub handler: &'a str,
}

/// Adds `deltas` to the row of `key` (created at zero when new).
pub async fn bump(
    conn: &mut Conn,
    key: &StatKey<'_>,
    deltas: &[(Counter, i64)],
) -> Result<(), StoreError> {
    let mut sums: Vec<(Counter, i64)> = Vec::new();
    for (c, n) in deltas {
        match sums.iter_mut().find(|(k, _)| k == c) {
            Some((_, s)) => *s += n,
            None => sums.push((*c, *n)),
        }
    }
    if sums.is_empty() {
        return Ok(());
    }
    let cols: Vec<&str> = sums.iter().map(|(c, _)| c.column()).collect();
    let marks: Vec<String> = (0..cols.len()).map(|i| format!("${}", i + 6)).collect();
    let sets: Vec<String> = cols
        .iter()
        .map(|c| format!("{c} = case_stats.{c} + excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO case_stats (scope, day, category_id, channel, handler, {})
         VALUES ($1, $2, $3, $4, $5, {})
         ON CONFLICT (scope, day, category_id, channel, handler) DO UPDATE SET {}",
        cols.join(", "),
        marks.join(", "),
        sets.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key.scope)
        .bind(key.day)
        .bind(key.category_id)
        .bind(key.channel)
        .bind(key.handler);
    for (_, n) in &sums {
        q = q.bind(*n);
    }
    q.execute(conn).await?;
    Ok(())
}

/// How a sum is broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Total,
    Category,
    Channel,
    Handler,
    /// by the first `n` digits of the scope (12: community, 15: grid)
    Scope(usize),
    Day,
    Month,
}

impl Breakdown {
    fn key_sql(self) -> String {
        match self {
            Breakdown::Total => "''".to_owned(),
            Breakdown::Category => "CAST(category_id AS TEXT)".to_owned(),
            Breakdown::Channel => "channel".to_owned(),
            Breakdown::Handler => "handler".to_owned(),
            Breakdown::Scope(n) => format!("SUBSTR(scope, 1, {n})"),
            Breakdown::Day => "CAST(day AS TEXT)".to_owned(),
            Breakdown::Month => "CAST(day / 100 AS TEXT)".to_owned(),
        }
    }
}

/// The sums over the subtree `prefix` and the days `from..=to`, per group
/// of `by` (one row, keyed "", for `Total`), by key.
pub async fn sum(
    conn: &mut Conn,
    prefix: &str,
    from: i64,
    to: i64,
    by: Breakdown,
) -> Result<Vec<(String, Counts)>, StoreError> {
    let key = by.key_sql();
    let sums: Vec<String> = Counter::ALL
        .iter()
        .map(|c| format!("CAST(SUM({}) AS BIGINT)", c.column()))
        .collect();
    // a constant is no GROUP BY key on PostgreSQL: the total is one row
    let group = match by {
        Breakdown::Total => String::new(),
        _ => format!("GROUP BY {key} ORDER BY {key}"),
    };
    let sql = format!(
        "SELECT {key}, {} FROM case_stats
         WHERE scope >= $1 AND scope < $2 AND day >= $3 AND day <= $4 {group}",
        sums.join(", ")
    );
    let (lo, hi) = prefix_range(prefix);
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lo)
        .bind(hi)
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut counts = Counts::default();
        for (i, c) in Counter::ALL.iter().enumerate() {
            counts.add(*c, r.try_get::<Option<i64>, _>(i + 1)?.unwrap_or(0));
        }
        out.push((r.try_get(0)?, counts));
    }
    Ok(out)
}
