//! 三单制 service orders and their steps.

use crate::territory::scope::{patterns, prefix_match};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A service order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub id: i64,
    pub community_code: String,
    pub requester_user: i64,
    pub requester_name: String,
    pub place: String,
    /// the estate and building only, shown before the order is accepted
    pub area: String,
    pub contact_sealed: Option<String>,
    pub service: String,
    pub body: String,
    pub state: String,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub assignee_user: Option<i64>,
    pub minutes: Option<i64>,
    pub done_note: Option<String>,
    pub rating: Option<String>,
    pub rating_note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "o.id, o.community_code, o.requester_user, o.requester_name, o.place,
    o.area, o.contact_sealed, o.service, o.body, o.state, o.assignee_id, v.name, v.user_id,
    o.minutes, o.done_note, o.rating, o.rating_note, o.created_at, o.updated_at";
const FROM: &str = "service_orders o LEFT JOIN volunteers v ON v.id = o.assignee_id";

fn row_of(r: &sqlx::any::AnyRow) -> Result<OrderRow, StoreError> {
    Ok(OrderRow {
        id: r.try_get(0)?,
        community_code: r.try_get(1)?,
        requester_user: r.try_get(2)?,
        requester_name: r.try_get(3)?,
        place: r.try_get(4)?,
        area: r.try_get(5)?,
        contact_sealed: r.try_get(6)?,
        service: r.try_get(7)?,
        body: r.try_get(8)?,
        state: r.try_get(9)?,
        assignee_id: r.try_get(10)?,
        assignee_name: r.try_get(11)?,
        assignee_user: r.try_get(12)?,
        minutes: r.try_get(13)?,
        done_note: r.try_get(14)?,
        rating: r.try_get(15)?,
        rating_note: r.try_get(16)?,
        created_at: r.try_get(17)?,
        updated_at: r.try_get(18)?,
    })
}

/// An order being placed.
pub struct NewOrder<'a> {
    pub community_code: &'a str,
    pub requester_user: i64,
    pub requester_name: &'a str,
    pub place: &'a str,
    pub area: &'a str,
    pub contact_sealed: Option<&'a str>,
    pub service: &'a str,
    pub body: &'a str,
    pub now: UnixMs,
}

pub async fn insert(conn: &mut Conn, o: &NewOrder<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO service_orders (community_code, requester_user, requester_name, place, area,
                                     contact_sealed, service, body, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $9, $5, $6, $7, 'ordered', $8, $8) RETURNING id",
    )
    .bind(o.community_code)
    .bind(o.requester_user)
    .bind(o.requester_name)
    .bind(o.place)
    .bind(o.contact_sealed)
    .bind(o.service)
    .bind(o.body)
    .bind(o.now.0)
    .bind(o.area)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<OrderRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE o.id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row_of)
    .transpose()
}

/// Reads an order under its row lock (two hands never move one order at
/// once on PostgreSQL; SQLite has one writer).
pub async fn lock(conn: &mut Conn, id: i64) -> Result<Option<OrderRow>, StoreError> {
    let n = sqlx::query("UPDATE service_orders SET state = state WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(None);
    }
    by_id(conn, id).await
}

/// What a step changes besides the state.
#[derive(Debug, Clone, Default)]
pub struct Change<'a> {
    pub assignee_id: Option<Option<i64>>,
    pub minutes: Option<i64>,
    pub done_note: Option<&'a str>,
    pub rating: Option<&'a str>,
    pub rating_note: Option<&'a str>,
}

pub async fn set_state(
    conn: &mut Conn,
    id: i64,
    state: &str,
    c: &Change<'_>,
    now: UnixMs,
) -> Result<(), StoreError> {
    let (set_assignee, assignee) = match c.assignee_id {
        Some(a) => (1_i64, a),
        None => (0, None),
    };
    sqlx::query(
        "UPDATE service_orders SET state = $2, updated_at = $3,
            assignee_id = CASE WHEN $4 = 1 THEN $5 ELSE assignee_id END,
            minutes = COALESCE($6, minutes), done_note = COALESCE($7, done_note),
            rating = COALESCE($8, rating), rating_note = COALESCE($9, rating_note)
         WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(now.0)
    .bind(set_assignee)
    .bind(assignee)
    .bind(c.minutes)
    .bind(c.done_note)
    .bind(c.rating)
    .bind(c.rating_note)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn add_step(
    conn: &mut Conn,
    order_id: i64,
    action: &str,
    actor: (i64, &str),
    note: &str,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO service_order_steps (order_id, action, actor_user, actor_name, note, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(order_id)
    .bind(action)
    .bind(actor.0)
    .bind(actor.1)
    .bind(note)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// An order's steps in order: (action, actor's name, note, at).
pub async fn steps(
    conn: &mut Conn,
    order_id: i64,
) -> Result<Vec<(String, String, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT action, actor_name, note, at FROM service_order_steps WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect()
}

/// Whom a list is for.
pub enum Whose<'a> {
    Requester(i64),
    Assignee(i64),
    Communities(&'a [String]),
}

/// Orders newest first, at most 200.
pub async fn list(conn: &mut Conn, whose: Whose<'_>) -> Result<Vec<OrderRow>, StoreError> {
    let (cond, prefixes): (String, &[String]) = match whose {
        Whose::Requester(_) => ("o.requester_user = $1".into(), &[]),
        Whose::Assignee(_) => ("o.assignee_id = $1".into(), &[]),
        Whose::Communities(p) => (prefix_match("o.community_code", p.len(), 1), p),
    };
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {cond} ORDER BY o.id DESC LIMIT 200");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    match whose {
        Whose::Requester(id) | Whose::Assignee(id) => q = q.bind(id),
        Whose::Communities(_) => {
            for p in patterns(prefixes) {
                q = q.bind(p);
            }
        }
    }
    q.fetch_all(conn).await?.iter().map(row_of).collect()
}
