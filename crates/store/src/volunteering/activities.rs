//! Activities and the people at them: sign-up, waiting list, check-in and
//! check-out, what was credited.

use crate::territory::scope::{patterns, prefix_match};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// An activity as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    pub id: i64,
    pub community_code: String,
    pub title: String,
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub points: i64,
    pub cap_minutes: i64,
    pub secret: String,
    pub organiser_user: i64,
    pub cancelled: bool,
    /// signed up and confirmed (not waiting)
    pub confirmed: i64,
    /// checked in (人次)
    pub came: i64,
}

const COLUMNS: &str = "a.id, a.community_code, a.title, a.place, a.starts_at, a.ends_at,
    a.capacity, a.points, a.cap_minutes, a.secret, a.organiser_user, a.cancelled,
    (SELECT COUNT(*) FROM activity_people p WHERE p.activity_id = a.id AND p.state = 'confirmed'),
    (SELECT COUNT(*) FROM activity_people p WHERE p.activity_id = a.id AND p.in_at IS NOT NULL)";

fn row_of(r: &sqlx::any::AnyRow) -> Result<ActivityRow, StoreError> {
    Ok(ActivityRow {
        id: r.try_get(0)?,
        community_code: r.try_get(1)?,
        title: r.try_get(2)?,
        place: r.try_get(3)?,
        starts_at: r.try_get(4)?,
        ends_at: r.try_get(5)?,
        capacity: r.try_get(6)?,
        points: r.try_get(7)?,
        cap_minutes: r.try_get(8)?,
        secret: r.try_get(9)?,
        organiser_user: r.try_get(10)?,
        cancelled: r.try_get::<i64, _>(11)? != 0,
        confirmed: r.try_get(12)?,
        came: r.try_get(13)?,
    })
}

/// An activity being planned.
pub struct NewActivity<'a> {
    pub community_code: &'a str,
    pub title: &'a str,
    pub place: &'a str,
    pub starts_at: UnixMs,
    pub ends_at: UnixMs,
    pub capacity: i64,
    pub points: i64,
    pub cap_minutes: i64,
    pub secret: &'a str,
    pub organiser_user: i64,
    pub now: UnixMs,
}

pub async fn insert(conn: &mut Conn, a: &NewActivity<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO activities (community_code, title, place, starts_at, ends_at, capacity, points,
                                 cap_minutes, secret, organiser_user, cancelled, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11) RETURNING id",
    )
    .bind(a.community_code)
    .bind(a.title)
    .bind(a.place)
    .bind(a.starts_at.0)
    .bind(a.ends_at.0)
    .bind(a.capacity)
    .bind(a.points)
    .bind(a.cap_minutes)
    .bind(a.secret)
    .bind(a.organiser_user)
    .bind(a.now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<ActivityRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM activities a WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row_of)
    .transpose()
}

/// Takes the activity's row lock (sign-ups against its capacity and
/// check-ins never interleave on PostgreSQL).
pub async fn lock(conn: &mut Conn, id: i64) -> Result<Option<ActivityRow>, StoreError> {
    let n = sqlx::query("UPDATE activities SET cancelled = cancelled WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(None);
    }
    by_id(conn, id).await
}

/// The activities under `prefixes` ending after `since`, soonest first,
/// then the past ones newest first; at most 100.
pub async fn in_communities(
    conn: &mut Conn,
    prefixes: &[String],
    since: UnixMs,
) -> Result<Vec<ActivityRow>, StoreError> {
    let n = prefixes.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM activities a WHERE {}
         ORDER BY CASE WHEN a.ends_at >= ${} THEN 0 ELSE 1 END,
                  CASE WHEN a.ends_at >= ${} THEN a.starts_at ELSE -a.starts_at END LIMIT 100",
        prefix_match("a.community_code", n, 1),
        n + 1,
        n + 1
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    q.bind(since.0)
        .fetch_all(conn)
        .await?
        .iter()
        .map(row_of)
        .collect()
}

/// One person's line at an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id: i64,
    pub volunteer_id: Option<i64>,
    pub name: String,
    /// confirmed | waiting | cancelled
    pub state: String,
    pub in_at: Option<i64>,
    pub out_at: Option<i64>,
    pub credited: Option<i64>,
}

fn person_of(r: &sqlx::any::AnyRow) -> Result<PersonRow, StoreError> {
    Ok(PersonRow {
        id: r.try_get(0)?,
        volunteer_id: r.try_get(1)?,
        name: r.try_get(2)?,
        state: r.try_get(3)?,
        in_at: r.try_get(4)?,
        out_at: r.try_get(5)?,
        credited: r.try_get(6)?,
    })
}

const PERSON: &str = "id, volunteer_id, name, state, in_at, out_at, credited";

pub async fn people(conn: &mut Conn, activity: i64) -> Result<Vec<PersonRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON} FROM activity_people WHERE activity_id = $1 ORDER BY id"
    )))
    .bind(activity)
    .fetch_all(conn)
    .await?
    .iter()
    .map(person_of)
    .collect()
}

pub async fn person(
    conn: &mut Conn,
    activity: i64,
    volunteer: i64,
) -> Result<Option<PersonRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON} FROM activity_people WHERE activity_id = $1 AND volunteer_id = $2"
    )))
    .bind(activity)
    .bind(volunteer)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(person_of)
    .transpose()
}

/// Adds a person (a volunteer, or a walk-in by name when `volunteer` is
/// None) in `state`; a volunteer already there is set to `state`.
pub async fn put_person(
    conn: &mut Conn,
    activity: i64,
    volunteer: Option<i64>,
    name: &str,
    state: &str,
    now: UnixMs,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO activity_people (activity_id, volunteer_id, name, state, signed_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (activity_id, volunteer_id) DO UPDATE SET state = excluded.state
         RETURNING id",
    )
    .bind(activity)
    .bind(volunteer)
    .bind(name)
    .bind(state)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

pub async fn set_state(conn: &mut Conn, id: i64, state: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE activity_people SET state = $2 WHERE id = $1")
        .bind(id)
        .bind(state)
        .execute(conn)
        .await?;
    Ok(())
}

/// The first on the waiting list, if any.
pub async fn first_waiting(conn: &mut Conn, activity: i64) -> Result<Option<i64>, StoreError> {
    let r = sqlx::query(
        "SELECT id FROM activity_people WHERE activity_id = $1 AND state = 'waiting' ORDER BY id LIMIT 1",
    )
    .bind(activity)
    .fetch_optional(conn)
    .await?;
    r.map(|r| Ok(r.try_get(0)?)).transpose()
}

/// Marks a check-in; false when already checked in.
pub async fn mark_in(conn: &mut Conn, id: i64, at: UnixMs) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE activity_people SET in_at = $2, state = 'confirmed' WHERE id = $1 AND in_at IS NULL",
    )
    .bind(id)
    .bind(at.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Marks a check-out with the minutes credited; false when not checked
/// in or already out.
pub async fn mark_out(
    conn: &mut Conn,
    id: i64,
    at: UnixMs,
    credited: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE activity_people SET out_at = $2, credited = $3
         WHERE id = $1 AND in_at IS NOT NULL AND out_at IS NULL",
    )
    .bind(id)
    .bind(at.0)
    .bind(credited)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// A volunteer's activities, newest first: (activity, their line).
pub async fn of_volunteer(
    conn: &mut Conn,
    volunteer: i64,
) -> Result<Vec<(ActivityRow, PersonRow)>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, p.id, p.volunteer_id, p.name, p.state, p.in_at, p.out_at, p.credited
         FROM activities a JOIN activity_people p ON p.activity_id = a.id
         WHERE p.volunteer_id = $1 ORDER BY a.starts_at DESC LIMIT 100"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(volunteer)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                row_of(r)?,
                PersonRow {
                    id: r.try_get(14)?,
                    volunteer_id: r.try_get(15)?,
                    name: r.try_get(16)?,
                    state: r.try_get(17)?,
                    in_at: r.try_get(18)?,
                    out_at: r.try_get(19)?,
                    credited: r.try_get(20)?,
                },
            ))
        })
        .collect()
}
