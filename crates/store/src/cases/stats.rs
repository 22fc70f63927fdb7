//! The roll-ups: counters per territory node × China day, in total and per
//! category, channel and handler, added to in the transaction of each step
//! and read one node at a time by the dashboards.

use super::prefix_range;
use crate::multirow::{pieces, placeholders};
use crate::{Conn, StoreError};
use linli_domain::cases::{Counter, Counts};
use sqlx::Row;
use std::collections::BTreeMap;

/// Where a step's counts go: every node in `scopes` (significant code
/// prefixes, see `domain::cases::rollup_scopes`) on `day`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatKey<'a> {
    pub scopes: &'a [String],
    /// `yyyymmdd` in China
    pub day: i64,
    pub category_id: i64,
    pub channel: &'a str,
    /// the handler's name, "" before dispatch
    pub handler: &'a str,
}

/// Adds `deltas` to every row of `key` (rows are created at zero).
pub async fn bump(
    conn: &mut Conn,
    key: &StatKey<'_>,
    deltas: &[(Counter, i64)],
) -> Result<(), StoreError> {
    bump_all(conn, &[(key.clone(), deltas)]).await
}

/// [`bump`] for many keys at once: the deltas of rows that meet (the same
/// node, day, dimension and key) are summed first, and every row is
/// written by a few multi-row statements, in a fixed order (so concurrent
/// writers on PostgreSQL take the rows' locks in the same order).
pub async fn bump_all(
    conn: &mut Conn,
    bumps: &[(StatKey<'_>, &[(Counter, i64)])],
) -> Result<(), StoreError> {
    let mut cols: Vec<Counter> = Vec::new();
    for (_, deltas) in bumps {
        for (c, n) in *deltas {
            if *n != 0 && !cols.contains(c) {
                cols.push(*c);
            }
        }
    }
    cols.sort_by_key(|c| c.column());
    let mut rows: BTreeMap<(String, &str, String, i64), Vec<i64>> = BTreeMap::new();
    for (key, deltas) in bumps {
        let category = key.category_id.to_string();
        let dims = [
            ("total", String::new()),
            ("category", category),
            ("channel", key.channel.to_owned()),
            ("handler", key.handler.to_owned()),
        ];
        for scope in key.scopes {
            for (dim, dim_key) in &dims {
                let sums = rows
                    .entry((scope.clone(), *dim, dim_key.clone(), key.day))
                    .or_insert_with(|| vec![0; cols.len()]);
                for (c, n) in *deltas {
                    if let Some(i) = cols.iter().position(|k| k == c) {
                        sums[i] += n;
                    }
                }
            }
        }
    }
    rows.retain(|_, sums| sums.iter().any(|n| *n != 0));
    if rows.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = cols.iter().map(|c| c.column()).collect();
    let width = 5 + names.len();
    let sets: Vec<String> = names
        .iter()
        .map(|c| format!("{c} = case_stats.{c} + excluded.{c}"))
        .collect();
    let rows: Vec<_> = rows.into_iter().collect();
    for piece in pieces(rows.len()) {
        let chunk = &rows[piece];
        let sql = format!(
            "INSERT INTO case_stats (scope, depth, dim, dim_key, day, {}) VALUES {}
             ON CONFLICT (dim, scope, day, dim_key) DO UPDATE SET {}",
            names.join(", "),
            placeholders(chunk.len(), width),
            sets.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ((scope, dim, dim_key, day), sums) in chunk {
            q = q
                .bind(scope.as_str())
                .bind(i64::try_from(scope.len()).unwrap_or(0))
                .bind(*dim)
                .bind(dim_key.as_str())
                .bind(*day);
            for v in sums {
                q = q.bind(*v);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// How a sum is broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Total,
    Category,
    Channel,
    Handler,
    /// by the node's children, which have this depth (12: communities,
    /// 15: grids)
    Children(usize),
    Day,
    Month,
}

/// The sums of the node `scope` (a significant prefix) over the days
/// `from..=to`, per group of `by` (one row, keyed "", for `Total`), by key.
pub async fn sum(
    conn: &mut Conn,
    scope: &str,
    from: i64,
    to: i64,
    by: Breakdown,
) -> Result<Vec<(String, Counts)>, StoreError> {
    let sums: Vec<String> = Counter::ALL
        .iter()
        .map(|c| format!("CAST(SUM({}) AS BIGINT)", c.column()))
        .collect();
    let (dim, key) = match by {
        Breakdown::Total => ("total", "''"),
        Breakdown::Category => ("category", "dim_key"),
        Breakdown::Channel => ("channel", "dim_key"),
        Breakdown::Handler => ("handler", "dim_key"),
        Breakdown::Children(_) => ("total", "scope"),
        Breakdown::Day => ("total", "CAST(day AS TEXT)"),
        Breakdown::Month => ("total", "CAST(day / 100 AS TEXT)"),
    };
    let place = match by {
        Breakdown::Children(_) => "depth = $5 AND scope >= $2 AND scope < $6",
        _ => "scope = $2",
    };
    // a constant is no GROUP BY key on PostgreSQL: the total is one row
    let group = match by {
        Breakdown::Total => String::new(),
        _ => format!("GROUP BY {key} ORDER BY {key}"),
    };
    let sql = format!(
        "SELECT {key}, {} FROM case_stats
         WHERE dim = $1 AND {place} AND day >= $3 AND day <= $4 {group}",
        sums.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(dim)
        .bind(scope)
        .bind(from)
        .bind(to);
    if let Breakdown::Children(depth) = by {
        let (_, hi) = prefix_range(scope);
        q = q.bind(i64::try_from(depth).unwrap_or(0)).bind(hi);
    }
    let rows = q.fetch_all(conn).await?;
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

/// The counts a case has added to the roll-ups so far (`Counts::encode`);
/// `None` for a case no step has counted since intake.
pub async fn tally_of(conn: &mut Conn, case_id: i64) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT counts FROM case_tallies WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Keeps the counts a case has added to the roll-ups.
pub async fn set_tally(conn: &mut Conn, case_id: i64, counts: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_tallies (case_id, counts) VALUES ($1, $2)
         ON CONFLICT (case_id) DO UPDATE SET counts = excluded.counts",
    )
    .bind(case_id)
    .bind(counts)
    .execute(conn)
    .await?;
    Ok(())
}
