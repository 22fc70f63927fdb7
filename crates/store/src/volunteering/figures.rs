//! The figures of volunteering for a territory and a period, counted from
//! the rows themselves (one statement each, by index).

use crate::territory::scope::{patterns, prefix_match};
use crate::{Conn, StoreError};
use linli_domain::cases::china_date;
use linli_domain::time::UnixMs;
use sqlx::Row;

/// What the figures count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub volunteers: i64,
    pub party_members: i64,
    /// minutes and points credited on the China days of the period
    /// (corrections netted)
    pub minutes: i64,
    pub points: i64,
    /// orders placed in the period, by state
    pub orders: Vec<(String, i64)>,
    /// of them rated, by rating
    pub ratings: Vec<(String, i64)>,
    pub activities: i64,
    /// check-ins at the period's activities (人次)
    pub person_times: i64,
    /// wishes posted in the period, and of them fulfilled
    pub wishes: i64,
    pub wishes_fulfilled: i64,
}

async fn one_row(
    conn: &mut Conn,
    sql: String,
    prefixes: &[String],
    from: UnixMs,
    to: UnixMs,
) -> Result<sqlx::any::AnyRow, StoreError> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    Ok(q.bind(from.0).bind(to.0).fetch_one(conn).await?)
}

async fn grouped(
    conn: &mut Conn,
    col: &str,
    prefixes: &[String],
    from: UnixMs,
    to: UnixMs,
) -> Result<Vec<(String, i64)>, StoreError> {
    let n = prefixes.len();
    let sql = format!(
        "SELECT {col}, COUNT(*) FROM service_orders WHERE {} AND created_at >= ${} AND created_at < ${}
           AND {col} IS NOT NULL GROUP BY {col} ORDER BY {col}",
        prefix_match("community_code", n, 1),
        n + 1,
        n + 2
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    q.bind(from.0)
        .bind(to.0)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// The figures of the communities under `prefixes` for `[from, to)`.
pub async fn figures(
    conn: &mut Conn,
    prefixes: &[String],
    from: UnixMs,
    to: UnixMs,
) -> Result<Figures, StoreError> {
    let n = prefixes.len();
    let (a, b) = (n + 1, n + 2);
    let (volunteers, party_members) = super::volunteers::counts(conn, prefixes).await?;
    // what the communities credited in the period, from the daily roll-up
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN unit = 'hours' THEN amount ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN unit = 'points' THEN amount ELSE 0 END), 0) AS BIGINT)
         FROM ledger_daily WHERE {} AND day >= ${a} AND day < ${b}",
        prefix_match("community_code", n, 1)
    )));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    let r = q
        .bind(china_date(from).to_string())
        .bind(china_date(to).to_string())
        .fetch_one(&mut *conn)
        .await?;
    let (minutes, points) = (r.try_get(0)?, r.try_get(1)?);
    let r = one_row(
        conn,
        format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM((SELECT COUNT(*) FROM activity_people p
                    WHERE p.activity_id = x.id AND p.in_at IS NOT NULL)), 0) AS BIGINT)
             FROM activities x WHERE {} AND x.starts_at >= ${a} AND x.starts_at < ${b}",
            prefix_match("x.community_code", n, 1)
        ),
        prefixes,
        from,
        to,
    )
    .await?;
    let (activities, person_times) = (r.try_get(0)?, r.try_get(1)?);
    let r = one_row(
        conn,
        format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN state = 'confirmed' THEN 1 ELSE 0 END), 0) AS BIGINT)
             FROM wishes WHERE {} AND created_at >= ${a} AND created_at < ${b}",
            prefix_match("community_code", n, 1)
        ),
        prefixes,
        from,
        to,
    )
    .await?;
    let (wishes, wishes_fulfilled) = (r.try_get(0)?, r.try_get(1)?);
    Ok(Figures {
        volunteers,
        party_members,
        minutes,
        points,
        orders: grouped(conn, "state", prefixes, from, to).await?,
        ratings: grouped(conn, "rating", prefixes, from, to).await?,
        activities,
        person_times,
        wishes,
        wishes_fulfilled,
    })
}
