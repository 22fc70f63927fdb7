//! 微心愿: small wishes, their review, claim, delivery and confirmation.

use crate::territory::scope::{patterns, prefix_match};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A wish as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WishRow {
    pub id: i64,
    pub community_code: String,
    pub author_user: i64,
    pub for_name: String,
    pub place: String,
    pub title: String,
    pub body: String,
    pub state: String,
    pub answer: Option<String>,
    pub claimer_user: Option<i64>,
    pub claimer_name: Option<String>,
    pub delivered_note: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, community_code, author_user, for_name, place, title, body, state,
    answer, claimer_user, claimer_name, delivered_note, created_at";

fn row_of(r: &sqlx::any::AnyRow) -> Result<WishRow, StoreError> {
    Ok(WishRow {
        id: r.try_get(0)?,
        community_code: r.try_get(1)?,
        author_user: r.try_get(2)?,
        for_name: r.try_get(3)?,
        place: r.try_get(4)?,
        title: r.try_get(5)?,
        body: r.try_get(6)?,
        state: r.try_get(7)?,
        answer: r.try_get(8)?,
        claimer_user: r.try_get(9)?,
        claimer_name: r.try_get(10)?,
        delivered_note: r.try_get(11)?,
        created_at: r.try_get(12)?,
    })
}

/// A wish being posted.
pub struct NewWish<'a> {
    pub community_code: &'a str,
    pub author_user: i64,
    pub for_name: &'a str,
    pub place: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub now: UnixMs,
}

pub async fn insert(conn: &mut Conn, w: &NewWish<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO wishes (community_code, author_user, for_name, place, title, body, state,
                             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $7) RETURNING id",
    )
    .bind(w.community_code)
    .bind(w.author_user)
    .bind(w.for_name)
    .bind(w.place)
    .bind(w.title)
    .bind(w.body)
    .bind(w.now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<WishRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM wishes WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row_of)
    .transpose()
}

/// Moves a wish from `from` to `to` (a claim sets who claimed it);
/// false when it was no longer in `from` (two claims race: one wins).
pub async fn advance(
    conn: &mut Conn,
    id: i64,
    from: &str,
    to: &str,
    claimer: Option<(i64, &str)>,
    text: Option<&str>,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let set_text = match to {
        "delivered" => "delivered_note = COALESCE($6, delivered_note)",
        _ => "answer = COALESCE($6, answer)",
    };
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE wishes SET state = $3, updated_at = $7,
            claimer_user = COALESCE($4, claimer_user), claimer_name = COALESCE($5, claimer_name),
            {set_text}
         WHERE id = $1 AND state = $2"
    )))
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(claimer.map(|c| c.0))
    .bind(claimer.map(|c| c.1))
    .bind(text)
    .bind(now.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Wishes under `prefixes` in any of `states` (or of `user`, as author or
/// claimer, in any state), newest first, at most 200.
pub async fn list(
    conn: &mut Conn,
    prefixes: &[String],
    states: &[&str],
    user: i64,
) -> Result<Vec<WishRow>, StoreError> {
    let n = prefixes.len();
    let in_states: Vec<String> = (0..states.len())
        .map(|i| format!("${}", n + 2 + i))
        .collect();
    let state_cond = if states.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("state IN ({})", in_states.join(", "))
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM wishes WHERE {} AND ({state_cond} OR author_user = ${u} OR claimer_user = ${u})
         ORDER BY id DESC LIMIT 200",
        prefix_match("community_code", n, 1),
        u = n + 1
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    q = q.bind(user);
    for s in states {
        q = q.bind(*s);
    }
    q.fetch_all(conn).await?.iter().map(row_of).collect()
}

/// How many wishes `user` holds claimed and not yet delivered.
pub async fn open_claims(conn: &mut Conn, user: i64) -> Result<i64, StoreError> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM wishes WHERE claimer_user = $1 AND state = 'claimed'")
            .bind(user)
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}
