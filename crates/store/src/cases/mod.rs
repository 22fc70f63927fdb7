//! 诉求 — cases, their timeline, idempotency keys and case numbers.
//! Categories, routing and the calendar are in `setup`; the roll-ups in
//! `stats`.

mod filing;
pub mod open311;
pub mod photos;
pub mod setup;
pub mod stats;
pub mod whistles;

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;
use sqlx::any::AnyRow;

pub use filing::{
    cases_for_keys, insert_cases, insert_event, insert_events, next_seqs, remember_keys,
};

/// A code prefix as a byte range (codes are digits; ':' follows '9'), so
/// the same SQL uses the index on both databases.
pub(crate) fn prefix_range(prefix: &str) -> (String, String) {
    (prefix.to_owned(), format!("{prefix}:"))
}

/// A case as stored. The mutable part is written back by [`update_case`].
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: i64,
    pub number: String,
    pub community: String,
    pub scope: String,
    pub grid_id: Option<i64>,
    pub category_id: i64,
    pub kind: String,
    pub channel: String,
    pub priority: String,
    pub state: String,
    pub description: String,
    pub address: String,
    /// WGS-84 in 1e-7 degrees
    pub lng_e7: Option<i64>,
    pub lat_e7: Option<i64>,
    pub dwelling_id: Option<i64>,
    pub reporter_id: Option<i64>,
    pub reporter_name: String,
    pub contact_sealed: Option<String>,
    pub contact_masked: Option<String>,
    pub handler_kind: Option<String>,
    pub handler_name: Option<String>,
    pub handler_user_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub due_at: Option<UnixMs>,
    pub accepted_at: Option<UnixMs>,
    pub closed_at: Option<UnixMs>,
    pub dispatches: i64,
    pub handlings: i64,
    pub closings: i64,
    pub reworks: i64,
    pub reopens: i64,
    pub postponements: i64,
    pub rating: Option<String>,
    pub rating_comment: Option<String>,
    pub rated_at: Option<UnixMs>,
    /// a link to media a partner keeps (Open311 `media_url`), never fetched
    pub media_url: Option<String>,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
}

pub(crate) const CASE_COLS: &str =
    "id, number, community_code, scope, grid_id, category_id, kind, channel,
    priority, state, description, address, lng_e7, lat_e7, dwelling_id, reporter_id, reporter_name,
    contact_sealed, contact_masked, handler_kind, handler_name, handler_user_id, merged_into,
    due_at, accepted_at, closed_at, dispatches, handlings, closings, reworks, reopens,
    postponements, rating, rating_comment, rated_at, created_at, updated_at, media_url";

fn ms(r: &AnyRow, i: usize) -> Result<Option<UnixMs>, StoreError> {
    Ok(r.try_get::<Option<i64>, _>(i)?.map(UnixMs))
}

pub(crate) fn case(r: &AnyRow) -> Result<CaseRow, StoreError> {
    Ok(CaseRow {
        id: r.try_get(0)?,
        number: r.try_get(1)?,
        community: r.try_get(2)?,
        scope: r.try_get(3)?,
        grid_id: r.try_get(4)?,
        category_id: r.try_get(5)?,
        kind: r.try_get(6)?,
        channel: r.try_get(7)?,
        priority: r.try_get(8)?,
        state: r.try_get(9)?,
        description: r.try_get(10)?,
        address: r.try_get(11)?,
        lng_e7: r.try_get(12)?,
        lat_e7: r.try_get(13)?,
        dwelling_id: r.try_get(14)?,
        reporter_id: r.try_get(15)?,
        reporter_name: r.try_get(16)?,
        contact_sealed: r.try_get(17)?,
        contact_masked: r.try_get(18)?,
        handler_kind: r.try_get(19)?,
        handler_name: r.try_get(20)?,
        handler_user_id: r.try_get(21)?,
        merged_into: r.try_get(22)?,
        due_at: ms(r, 23)?,
        accepted_at: ms(r, 24)?,
        closed_at: ms(r, 25)?,
        dispatches: r.try_get(26)?,
        handlings: r.try_get(27)?,
        closings: r.try_get(28)?,
        reworks: r.try_get(29)?,
        reopens: r.try_get(30)?,
        postponements: r.try_get(31)?,
        rating: r.try_get(32)?,
        rating_comment: r.try_get(33)?,
        rated_at: ms(r, 34)?,
        created_at: UnixMs(r.try_get(35)?),
        updated_at: UnixMs(r.try_get(36)?),
        media_url: r.try_get(37)?,
    })
}

/// Writes back what the loop changes on a case.
pub async fn update_case(conn: &mut Conn, c: &CaseRow) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cases SET state = $2, scope = $3, grid_id = $4, category_id = $5, priority = $6,
            handler_kind = $7, handler_name = $8, handler_user_id = $9, merged_into = $10,
            due_at = $11, accepted_at = $12, closed_at = $13, dispatches = $14, handlings = $15,
            closings = $16, reworks = $17, reopens = $18, postponements = $19, rating = $20,
            rating_comment = $21, rated_at = $22, updated_at = $23
         WHERE id = $1",
    )
    .bind(c.id)
    .bind(&c.state)
    .bind(&c.scope)
    .bind(c.grid_id)
    .bind(c.category_id)
    .bind(&c.priority)
    .bind(c.handler_kind.as_deref())
    .bind(c.handler_name.as_deref())
    .bind(c.handler_user_id)
    .bind(c.merged_into)
    .bind(c.due_at.map(|t| t.0))
    .bind(c.accepted_at.map(|t| t.0))
    .bind(c.closed_at.map(|t| t.0))
    .bind(c.dispatches)
    .bind(c.handlings)
    .bind(c.closings)
    .bind(c.reworks)
    .bind(c.reopens)
    .bind(c.postponements)
    .bind(c.rating.as_deref())
    .bind(c.rating_comment.as_deref())
    .bind(c.rated_at.map(|t| t.0))
    .bind(c.updated_at.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn case_by_id(conn: &mut Conn, id: i64) -> Result<Option<CaseRow>, StoreError> {
    let sql = format!("SELECT {CASE_COLS} FROM cases WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(case).transpose()
}

/// [`case_by_id`] for a step: on PostgreSQL the row stays locked until the
/// transaction ends (`FOR UPDATE`), so two steps on one case take turns and
/// each counts from what the other wrote. SQLite's write transactions
/// (`BEGIN IMMEDIATE`) already take turns.
pub async fn case_for_step(conn: &mut Conn, id: i64) -> Result<Option<CaseRow>, StoreError> {
    let lock = if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT {CASE_COLS} FROM cases WHERE id = $1{lock}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(case).transpose()
}

/// Whose cases a list shows; the conditions are OR-ed (a grid worker sees
/// their grid's cases and the ones dispatched to them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseReach {
    /// territory code prefixes ("" is everywhere)
    pub prefixes: Vec<String>,
    pub handler_user_id: Option<i64>,
    pub reporter_id: Option<i64>,
    /// cases this account's department was whistled to (吹哨)
    pub called_user_id: Option<i64>,
}

/// What a case list is filtered by, beside the reach.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFilter {
    pub states: Vec<String>,
    pub category_id: Option<i64>,
    /// open cases due before this instant (overdue at it)
    pub due_before: Option<UnixMs>,
    /// keyset: ids below this one (newest first)
    pub before_id: Option<i64>,
    pub limit: i64,
}

enum Bind {
    Text(String),
    Int(i64),
}

fn push(b: Bind, binds: &mut Vec<Bind>) -> String {
    binds.push(b);
    format!("${}", binds.len())
}

fn where_clause(reach: &CaseReach, f: &CaseFilter, binds: &mut Vec<Bind>) -> String {
    let mut any = Vec::new();
    for p in &reach.prefixes {
        let (lo, hi) = prefix_range(p);
        let lo = push(Bind::Text(lo), binds);
        let hi = push(Bind::Text(hi), binds);
        any.push(format!("(scope >= {lo} AND scope < {hi})"));
    }
    if let Some(id) = reach.handler_user_id {
        any.push(format!("handler_user_id = {}", push(Bind::Int(id), binds)));
    }
    if let Some(id) = reach.called_user_id {
        any.push(format!(
            "id IN (SELECT case_id FROM case_whistles WHERE dept_user_id = {})",
            push(Bind::Int(id), binds)
        ));
    }
    if let Some(id) = reach.reporter_id {
        any.push(format!("reporter_id = {}", push(Bind::Int(id), binds)));
    }
    if any.is_empty() {
        any.push("1 = 0".to_owned());
    }
    let mut all = vec![format!("({})", any.join(" OR "))];
    if !f.states.is_empty() {
        let ps: Vec<String> = f
            .states
            .iter()
            .map(|s| push(Bind::Text(s.clone()), binds))
            .collect();
        all.push(format!("state IN ({})", ps.join(", ")));
    }
    if let Some(c) = f.category_id {
        all.push(format!("category_id = {}", push(Bind::Int(c), binds)));
    }
    if let Some(t) = f.due_before {
        all.push(format!(
            "due_at < {} AND state NOT IN ('closed', 'rejected', 'cancelled', 'merged', 'postponed')",
            push(Bind::Int(t.0), binds)
        ));
    }
    if let Some(id) = f.before_id {
        all.push(format!("id < {}", push(Bind::Int(id), binds)));
    }
    all.join(" AND ")
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}

/// A page of cases, newest first.
pub async fn list_cases(
    conn: &mut Conn,
    reach: &CaseReach,
    f: &CaseFilter,
) -> Result<Vec<CaseRow>, StoreError> {
    let mut binds = Vec::new();
    let cond = where_clause(reach, f, &mut binds);
    let limit = push(Bind::Int(f.limit.clamp(1, 500)), &mut binds);
    let sql = format!("SELECT {CASE_COLS} FROM cases WHERE {cond} ORDER BY id DESC LIMIT {limit}");
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
        .fetch_all(conn)
        .await?;
    rows.iter().map(case).collect()
}

/// How many cases match, counted up to `cap`.
pub async fn count_cases(
    conn: &mut Conn,
    reach: &CaseReach,
    f: &CaseFilter,
    cap: i64,
) -> Result<i64, StoreError> {
    let mut binds = Vec::new();
    let cond = where_clause(reach, f, &mut binds);
    let cap = push(Bind::Int(cap), &mut binds);
    let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE {cond} LIMIT {cap}) t");
    let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// Open cases of the same category near a point in the last days, for
/// staff to merge (the box is wide enough; the service measures distance).
pub async fn nearby_open(
    conn: &mut Conn,
    category_id: i64,
    lng_e7: (i64, i64),
    lat_e7: (i64, i64),
    since: UnixMs,
    except: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    let sql = format!(
        "SELECT {CASE_COLS} FROM cases WHERE category_id = $1 AND lng_e7 BETWEEN $2 AND $3
           AND lat_e7 BETWEEN $4 AND $5 AND created_at >= $6 AND id <> $7
           AND state NOT IN ('closed', 'rejected', 'cancelled', 'merged')
         ORDER BY id DESC LIMIT 20"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(category_id)
        .bind(lng_e7.0)
        .bind(lng_e7.1)
        .bind(lat_e7.0)
        .bind(lat_e7.1)
        .bind(since.0)
        .bind(except)
        .fetch_all(conn)
        .await?;
    rows.iter().map(case).collect()
}

/// One step on a case's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub case_id: i64,
    pub step: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub note: String,
    /// shown to the reporter
    pub public: bool,
    pub at: UnixMs,
    /// the deadline in force after the step
    pub due_at: Option<UnixMs>,
}

pub async fn events_of(conn: &mut Conn, case_id: i64) -> Result<Vec<Event>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, case_id, step, from_state, to_state, actor_id, actor_name, note, public, at,
                due_at
         FROM case_events WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                id: r.try_get(0)?,
                case_id: r.try_get(1)?,
                step: r.try_get(2)?,
                from_state: r.try_get(3)?,
                to_state: r.try_get(4)?,
                actor_id: r.try_get(5)?,
                actor_name: r.try_get(6)?,
                note: r.try_get(7)?,
                public: r.try_get::<i64, _>(8)? != 0,
                at: UnixMs(r.try_get(9)?),
                due_at: r.try_get::<Option<i64>, _>(10)?.map(UnixMs),
            })
        })
        .collect()
}

/// The case an idempotency key already created.
pub async fn case_for_key(conn: &mut Conn, key_hash: &str) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT case_id FROM case_idempotency WHERE key_hash = $1")
        .bind(key_hash)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}
