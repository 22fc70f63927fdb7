//! Owners' votes: the vote, its frozen roll, who took part (never what
//! they chose) and the count per option (sums only).

use crate::multirow::{pieces, placeholders};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A vote as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRow {
    pub id: i64,
    pub community_code: String,
    pub scope_kind: String,
    pub scope_id: i64,
    pub scope_name: String,
    pub item: i64,
    pub title: String,
    pub body: String,
    /// one option a line
    pub options: String,
    pub state: String,
    pub closes_on: String,
    pub area_total: i64,
    pub heads_total: i64,
    /// the verdict as JSON, once closed
    pub result: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, community_code, scope_kind, scope_id, scope_name, item, title, body,
    options, state, closes_on, area_total, heads_total, result, created_at";

fn vote_of(r: &sqlx::any::AnyRow) -> Result<VoteRow, StoreError> {
    Ok(VoteRow {
        id: r.try_get(0)?,
        community_code: r.try_get(1)?,
        scope_kind: r.try_get(2)?,
        scope_id: r.try_get(3)?,
        scope_name: r.try_get(4)?,
        item: r.try_get(5)?,
        title: r.try_get(6)?,
        body: r.try_get(7)?,
        options: r.try_get(8)?,
        state: r.try_get(9)?,
        closes_on: r.try_get(10)?,
        area_total: r.try_get(11)?,
        heads_total: r.try_get(12)?,
        result: r.try_get(13)?,
        created_at: r.try_get(14)?,
    })
}

/// A vote being drafted.
pub struct NewVote<'a> {
    pub community_code: &'a str,
    pub scope_kind: &'a str,
    pub scope_id: i64,
    pub scope_name: &'a str,
    pub item: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub options: &'a str,
    pub closes_on: &'a str,
    pub by: i64,
    pub now: UnixMs,
}

pub async fn insert_vote(conn: &mut Conn, v: &NewVote<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO owner_votes (community_code, scope_kind, scope_id, scope_name, item, title, body,
                                  options, state, closes_on, area_total, heads_total, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, 0, 0, $10, $11) RETURNING id",
    )
    .bind(v.community_code)
    .bind(v.scope_kind)
    .bind(v.scope_id)
    .bind(v.scope_name)
    .bind(v.item)
    .bind(v.title)
    .bind(v.body)
    .bind(v.options)
    .bind(v.closes_on)
    .bind(v.by)
    .bind(v.now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

pub async fn vote(conn: &mut Conn, id: i64) -> Result<Option<VoteRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM owner_votes WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(vote_of)
        .transpose()
}

/// The votes of the communities under `prefixes`, newest first.
pub async fn votes_in(conn: &mut Conn, prefixes: &[String]) -> Result<Vec<VoteRow>, StoreError> {
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let likes: Vec<String> = (0..prefixes.len())
        .map(|i| format!("community_code LIKE ${}", i + 1))
        .collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM owner_votes WHERE {} ORDER BY id DESC LIMIT 200",
        likes.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in prefixes {
        q = q.bind(format!("{p}%"));
    }
    q.fetch_all(conn).await?.iter().map(vote_of).collect()
}

/// The votes (past draft) whose scope holds a resident's dwelling, or on
/// whose roll they are, newest first.
pub async fn votes_of_resident(
    conn: &mut Conn,
    resident_id: i64,
) -> Result<Vec<VoteRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM owner_votes v WHERE v.state <> 'draft' AND (
           EXISTS (SELECT 1 FROM vote_roll r WHERE r.vote_id = v.id AND r.resident_id = $1)
           OR {})
         ORDER BY v.id DESC LIMIT 100",
        super::owners::lives_in_scope_of("v")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(resident_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(vote_of)
        .collect()
}

/// One owner on a roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollRow {
    pub owner_key: String,
    pub resident_id: Option<i64>,
    pub area: i64,
    pub units: String,
}

/// Freezes the roll and opens the vote (the caller's transaction).
/// Returns false when the vote was no longer a draft.
pub async fn open(
    conn: &mut Conn,
    vote_id: i64,
    roll: &[RollRow],
    now: UnixMs,
) -> Result<bool, StoreError> {
    let area: i64 = roll.iter().map(|r| r.area).sum();
    let heads = i64::try_from(roll.len()).unwrap_or(i64::MAX);
    let done = sqlx::query(
        "UPDATE owner_votes SET state = 'open', area_total = $2, heads_total = $3, opened_at = $4
         WHERE id = $1 AND state = 'draft'",
    )
    .bind(vote_id)
    .bind(area)
    .bind(heads)
    .bind(now.0)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done == 0 {
        return Ok(false);
    }
    for piece in pieces(roll.len()) {
        let sql = format!(
            "INSERT INTO vote_roll (vote_id, owner_key, resident_id, area, units) VALUES {}",
            placeholders(piece.len(), 5)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in &roll[piece] {
            q = q
                .bind(vote_id)
                .bind(r.owner_key.as_str())
                .bind(r.resident_id)
                .bind(r.area)
                .bind(r.units.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(true)
}

/// The roll of a vote, in its order, each owner with their name (none
/// for the developer).
pub async fn roll(
    conn: &mut Conn,
    vote_id: i64,
) -> Result<Vec<(RollRow, Option<String>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT v.owner_key, v.resident_id, v.area, v.units, r.name FROM vote_roll v
         LEFT JOIN residents r ON r.id = v.resident_id
         WHERE v.vote_id = $1 ORDER BY v.units",
    )
    .bind(vote_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                RollRow {
                    owner_key: r.try_get(0)?,
                    resident_id: r.try_get(1)?,
                    area: r.try_get(2)?,
                    units: r.try_get(3)?,
                },
                r.try_get(4)?,
            ))
        })
        .collect()
}

/// A resident's entry on a vote's roll.
pub async fn roll_entry_of(
    conn: &mut Conn,
    vote_id: i64,
    resident_id: i64,
) -> Result<Option<RollRow>, StoreError> {
    roll_entry(conn, vote_id, &format!("r:{resident_id}")).await
}

pub async fn roll_entry(
    conn: &mut Conn,
    vote_id: i64,
    owner_key: &str,
) -> Result<Option<RollRow>, StoreError> {
    let row = sqlx::query(
        "SELECT owner_key, resident_id, area, units FROM vote_roll WHERE vote_id = $1 AND owner_key = $2",
    )
    .bind(vote_id)
    .bind(owner_key)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(RollRow {
            owner_key: r.try_get(0)?,
            resident_id: r.try_get(1)?,
            area: r.try_get(2)?,
            units: r.try_get(3)?,
        })
    })
    .transpose()
}

/// Someone's part in a vote: how, and the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participation {
    pub owner_key: String,
    pub channel: String,
    pub receipt: String,
    pub created_at: i64,
}

/// A ballot: who took part (without the choice) and the choice added to
/// the count (without who). Returns false — and writes nothing — when
/// the owner has taken part already, by any channel.
#[allow(clippy::too_many_arguments)]
pub async fn cast(
    conn: &mut Conn,
    vote_id: i64,
    entry: &RollRow,
    channel: &str,
    proof: &str,
    entered_by: Option<i64>,
    receipt: &str,
    choice: &str,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO vote_participation (vote_id, owner_key, channel, proof, entered_by, receipt, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (vote_id, owner_key) DO NOTHING",
    )
    .bind(vote_id)
    .bind(entry.owner_key.as_str())
    .bind(channel)
    .bind(proof)
    .bind(entered_by)
    .bind(receipt)
    .bind(now.0)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO vote_counts (vote_id, choice, area, heads) VALUES ($1, $2, $3, 1)
         ON CONFLICT (vote_id, choice) DO UPDATE
         SET area = vote_counts.area + excluded.area, heads = vote_counts.heads + 1",
    )
    .bind(vote_id)
    .bind(choice)
    .bind(entry.area)
    .execute(conn)
    .await?;
    Ok(true)
}

pub async fn participation(
    conn: &mut Conn,
    vote_id: i64,
    owner_key: &str,
) -> Result<Option<Participation>, StoreError> {
    let row = sqlx::query(
        "SELECT owner_key, channel, receipt, created_at FROM vote_participation
         WHERE vote_id = $1 AND owner_key = $2",
    )
    .bind(vote_id)
    .bind(owner_key)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(Participation {
            owner_key: r.try_get(0)?,
            channel: r.try_get(1)?,
            receipt: r.try_get(2)?,
            created_at: r.try_get(3)?,
        })
    })
    .transpose()
}

/// Who has taken part: (owner key, channel), for the staff's roll.
pub async fn participants(
    conn: &mut Conn,
    vote_id: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query("SELECT owner_key, channel FROM vote_participation WHERE vote_id = $1")
        .bind(vote_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Taking part so far: (area, heads) of the owners who have.
pub async fn turnout(conn: &mut Conn, vote_id: i64) -> Result<(i64, i64), StoreError> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(r.area), 0) AS BIGINT), COUNT(*) FROM vote_participation p
         JOIN vote_roll r ON r.vote_id = p.vote_id AND r.owner_key = p.owner_key
         WHERE p.vote_id = $1",
    )
    .bind(vote_id)
    .fetch_one(conn)
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

/// The count per option: (choice, area, heads).
pub async fn counts(conn: &mut Conn, vote_id: i64) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT choice, area, heads FROM vote_counts WHERE vote_id = $1 ORDER BY choice",
    )
    .bind(vote_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Closes an open vote with its verdict. False when it was not open.
pub async fn close(
    conn: &mut Conn,
    vote_id: i64,
    result: &str,
    now: UnixMs,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE owner_votes SET state = 'closed', result = $2, closed_at = $3
         WHERE id = $1 AND state = 'open'",
    )
    .bind(vote_id)
    .bind(result)
    .bind(now.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Takes the vote's row lock if it is open (PostgreSQL holds it to the
/// end of the transaction, so a ballot and the close never interleave;
/// SQLite has one writer anyway). False when it is not open.
pub async fn lock_open(conn: &mut Conn, vote_id: i64) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("UPDATE owner_votes SET state = state WHERE id = $1 AND state = 'open'")
            .bind(vote_id)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Takes the vote's row lock whatever its state (cost plans and payments
/// of one vote never interleave on PostgreSQL). False when there is none.
pub async fn lock(conn: &mut Conn, vote_id: i64) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("UPDATE owner_votes SET state = state WHERE id = $1")
            .bind(vote_id)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// The accounts of the owners on a vote's roll (those bound to their record).
pub async fn roll_accounts(conn: &mut Conn, vote_id: i64) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.user_id FROM vote_roll r JOIN resident_accounts a ON a.resident_id = r.resident_id
         WHERE r.vote_id = $1 ORDER BY a.user_id",
    )
    .bind(vote_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Turnout (area, heads) of every vote of a community, in one statement.
pub async fn turnouts(
    conn: &mut Conn,
    community: &str,
) -> Result<std::collections::HashMap<i64, (i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT p.vote_id, CAST(COALESCE(SUM(r.area), 0) AS BIGINT), COUNT(*) FROM vote_participation p
         JOIN vote_roll r ON r.vote_id = p.vote_id AND r.owner_key = p.owner_key
         JOIN owner_votes v ON v.id = p.vote_id
         WHERE v.community_code = $1 GROUP BY p.vote_id",
    )
    .bind(community)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?))))
        .collect()
}
