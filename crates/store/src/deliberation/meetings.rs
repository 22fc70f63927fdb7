//! 会议: meetings on a proposal (or on their own), attendees, minutes by
//! version, and a resident meeting's show of hands.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRow {
    pub id: i64,
    pub community_code: String,
    pub proposal_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    /// a deciding meeting's show of hands: (present, for, against)
    pub show: Option<(i64, i64, i64)>,
}

const COLUMNS: &str = "id, community_code, proposal_id, kind, title, held_on, place, present, votes_for, votes_against";

fn row_of(r: &sqlx::any::AnyRow) -> Result<MeetingRow, StoreError> {
    let present: Option<i64> = r.try_get(7)?;
    let votes_for: Option<i64> = r.try_get(8)?;
    let against: Option<i64> = r.try_get(9)?;
    Ok(MeetingRow {
        id: r.try_get(0)?,
        community_code: r.try_get(1)?,
        proposal_id: r.try_get(2)?,
        kind: r.try_get(3)?,
        title: r.try_get(4)?,
        held_on: r.try_get(5)?,
        place: r.try_get(6)?,
        show: match (present, votes_for, against) {
            (Some(p), Some(f), Some(a)) => Some((p, f, a)),
            _ => None,
        },
    })
}

pub struct NewMeeting<'a> {
    pub community_code: &'a str,
    pub proposal_id: Option<i64>,
    pub kind: &'a str,
    pub title: &'a str,
    pub held_on: &'a str,
    pub place: &'a str,
    pub by: i64,
    pub now: UnixMs,
}

pub async fn insert(conn: &mut Conn, m: &NewMeeting<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO meetings (community_code, proposal_id, kind, title, held_on, place, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(m.community_code)
    .bind(m.proposal_id)
    .bind(m.kind)
    .bind(m.title)
    .bind(m.held_on)
    .bind(m.place)
    .bind(m.by)
    .bind(m.now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<MeetingRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM meetings WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row_of)
    .transpose()
}

pub async fn of_proposal(conn: &mut Conn, proposal_id: i64) -> Result<Vec<MeetingRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM meetings WHERE proposal_id = $1 ORDER BY held_on, id"
    )))
    .bind(proposal_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row_of)
    .collect()
}

/// The meetings of a proposal that have minutes.
pub async fn minuted(
    conn: &mut Conn,
    proposal_id: i64,
) -> Result<std::collections::HashSet<i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT n.meeting_id FROM meeting_minutes n JOIN meetings m ON m.id = n.meeting_id
         WHERE m.proposal_id = $1",
    )
    .bind(proposal_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Replaces the attendees.
pub async fn set_attendees(conn: &mut Conn, id: i64, names: &[String]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM meeting_attendees WHERE meeting_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (n, name) in names.iter().enumerate() {
        sqlx::query("INSERT INTO meeting_attendees (meeting_id, n, name) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(i64::try_from(n).unwrap_or(i64::MAX))
            .bind(name.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn attendees(conn: &mut Conn, id: i64) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT name FROM meeting_attendees WHERE meeting_id = $1 ORDER BY n")
        .bind(id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Records a show of hands once; false when one is recorded already.
pub async fn set_show(
    conn: &mut Conn,
    id: i64,
    present: i64,
    votes_for: i64,
    against: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE meetings SET present = $2, votes_for = $3, votes_against = $4
         WHERE id = $1 AND present IS NULL",
    )
    .bind(id)
    .bind(present)
    .bind(votes_for)
    .bind(against)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Takes the meeting's row lock (records of one meeting never interleave).
pub async fn lock(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE meetings SET id = id WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Minutes: every version, newest first: (version, body, decisions, at).
pub async fn minutes(
    conn: &mut Conn,
    id: i64,
) -> Result<Vec<(i64, String, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT version, body, decisions, written_at FROM meeting_minutes
         WHERE meeting_id = $1 ORDER BY version DESC",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect()
}

/// Publishes a new version of the minutes (the earlier ones stay).
pub async fn add_minutes(
    conn: &mut Conn,
    id: i64,
    body: &str,
    decisions: &str,
    by: i64,
    now: UnixMs,
) -> Result<i64, StoreError> {
    let v: i64 = sqlx::query(
        "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) FROM meeting_minutes WHERE meeting_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    sqlx::query(
        "INSERT INTO meeting_minutes (meeting_id, version, body, decisions, written_by, written_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(v)
    .bind(body)
    .bind(decisions)
    .bind(by)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(v)
}
