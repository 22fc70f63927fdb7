//! 议题: proposals, their supports, the community's settings, ratings.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A proposal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalRow {
    pub id: i64,
    pub community_code: String,
    pub scope_kind: String,
    pub scope_id: i64,
    pub scope_name: String,
    pub author_user: i64,
    pub author_name: String,
    pub title: String,
    pub body: String,
    pub state: String,
    pub supports: i64,
    pub threshold: i64,
    pub answer: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, community_code, scope_kind, scope_id, scope_name, author_user,
    author_name, title, body, state, supports, threshold, answer, created_at, updated_at";

fn row_of(r: &sqlx::any::AnyRow) -> Result<ProposalRow, StoreError> {
    Ok(ProposalRow {
        id: r.try_get(0)?,
        community_code: r.try_get(1)?,
        scope_kind: r.try_get(2)?,
        scope_id: r.try_get(3)?,
        scope_name: r.try_get(4)?,
        author_user: r.try_get(5)?,
        author_name: r.try_get(6)?,
        title: r.try_get(7)?,
        body: r.try_get(8)?,
        state: r.try_get(9)?,
        supports: r.try_get(10)?,
        threshold: r.try_get(11)?,
        answer: r.try_get(12)?,
        created_at: r.try_get(13)?,
        updated_at: r.try_get(14)?,
    })
}

/// The community's (support threshold, meeting quorum), if it set them.
pub async fn settings(conn: &mut Conn, community: &str) -> Result<Option<(i64, i64)>, StoreError> {
    let row = sqlx::query(
        "SELECT support_threshold, meeting_quorum FROM deliberation_settings WHERE community_code = $1",
    )
    .bind(community)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

pub async fn set_settings(
    conn: &mut Conn,
    community: &str,
    threshold: i64,
    quorum: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO deliberation_settings (community_code, support_threshold, meeting_quorum)
         VALUES ($1, $2, $3) ON CONFLICT (community_code) DO UPDATE
         SET support_threshold = excluded.support_threshold, meeting_quorum = excluded.meeting_quorum",
    )
    .bind(community)
    .bind(threshold)
    .bind(quorum)
    .execute(conn)
    .await?;
    Ok(())
}

/// A proposal being filed.
pub struct NewProposal<'a> {
    pub community_code: &'a str,
    pub scope_kind: &'a str,
    pub scope_id: i64,
    pub scope_name: &'a str,
    pub author_user: i64,
    pub author_name: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub threshold: i64,
    pub now: UnixMs,
}

pub async fn insert(conn: &mut Conn, p: &NewProposal<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO proposals (community_code, scope_kind, scope_id, scope_name, author_user, author_name,
                                title, body, state, supports, threshold, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'seeking', 0, $9, $10, $10) RETURNING id",
    )
    .bind(p.community_code)
    .bind(p.scope_kind)
    .bind(p.scope_id)
    .bind(p.scope_name)
    .bind(p.author_user)
    .bind(p.author_name)
    .bind(p.title)
    .bind(p.body)
    .bind(p.threshold)
    .bind(p.now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<ProposalRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM proposals WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row_of)
    .transpose()
}

/// The proposals of the communities under `prefixes`, newest first.
pub async fn in_communities(
    conn: &mut Conn,
    prefixes: &[String],
) -> Result<Vec<ProposalRow>, StoreError> {
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let likes: Vec<String> = (0..prefixes.len())
        .map(|i| format!("community_code LIKE ${}", i + 1))
        .collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM proposals WHERE {} ORDER BY id DESC LIMIT 200",
        likes.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in prefixes {
        q = q.bind(format!("{p}%"));
    }
    q.fetch_all(conn).await?.iter().map(row_of).collect()
}

/// The proposals whose scope a resident lives in, newest first.
pub async fn of_resident(
    conn: &mut Conn,
    resident_id: i64,
) -> Result<Vec<ProposalRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM proposals x WHERE {} ORDER BY x.id DESC LIMIT 200",
        super::owners::lives_in_scope_of("x")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(resident_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(row_of)
        .collect()
}

/// Adds a resident's support once; returns the new count, or `None` when
/// they had supported it already.
pub async fn support(
    conn: &mut Conn,
    id: i64,
    resident_id: i64,
    now: UnixMs,
) -> Result<Option<i64>, StoreError> {
    let added = sqlx::query(
        "INSERT INTO proposal_supports (proposal_id, resident_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (proposal_id, resident_id) DO NOTHING",
    )
    .bind(id)
    .bind(resident_id)
    .bind(now.0)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if added == 0 {
        return Ok(None);
    }
    let n: i64 = sqlx::query(
        "UPDATE proposals SET supports = supports + 1, updated_at = $2 WHERE id = $1 RETURNING supports",
    )
    .bind(id)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(Some(n))
}

pub async fn supported_by(conn: &mut Conn, id: i64, resident_id: i64) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("SELECT 1 FROM proposal_supports WHERE proposal_id = $1 AND resident_id = $2")
            .bind(id)
            .bind(resident_id)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Moves a proposal from `from` to `to` (with staff's answer, if any).
/// False when it was no longer in `from`.
pub async fn set_state(
    conn: &mut Conn,
    id: i64,
    from: &str,
    to: &str,
    answer: Option<&str>,
    now: UnixMs,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE proposals SET state = $3, answer = COALESCE($4, answer), updated_at = $5
         WHERE id = $1 AND state = $2",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(answer)
    .bind(now.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// A resident's rating once; false when they rated it already.
pub async fn rate(
    conn: &mut Conn,
    id: i64,
    resident_id: i64,
    score: i64,
    now: UnixMs,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO proposal_ratings (proposal_id, resident_id, score, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (proposal_id, resident_id) DO NOTHING",
    )
    .bind(id)
    .bind(resident_id)
    .bind(score)
    .bind(now.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// (ratings, sum of scores, the resident's own score).
pub async fn ratings(
    conn: &mut Conn,
    id: i64,
    resident_id: Option<i64>,
) -> Result<(i64, i64, Option<i64>), StoreError> {
    let r = sqlx::query(
        "SELECT COUNT(*), CAST(COALESCE(SUM(score), 0) AS BIGINT),
                MAX(CASE WHEN resident_id = $2 THEN score END)
         FROM proposal_ratings WHERE proposal_id = $1",
    )
    .bind(id)
    .bind(resident_id.unwrap_or(0))
    .fetch_one(conn)
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
}

/// The votes held on a proposal: (id, title, state).
pub async fn votes_of(conn: &mut Conn, id: i64) -> Result<Vec<(i64, String, String)>, StoreError> {
    let rows =
        sqlx::query("SELECT id, title, state FROM owner_votes WHERE proposal_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

pub async fn link_vote(conn: &mut Conn, vote_id: i64, proposal_id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE owner_votes SET proposal_id = $2 WHERE id = $1")
        .bind(vote_id)
        .bind(proposal_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The proposal a vote decides, if any.
pub async fn of_vote(conn: &mut Conn, vote_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query("SELECT proposal_id FROM owner_votes WHERE id = $1")
            .bind(vote_id)
            .fetch_optional(conn)
            .await?
            .map(|r| r.try_get::<Option<i64>, _>(0))
            .transpose()?
            .flatten(),
    )
}

/// Takes the proposal's row lock (a support and a staff answer never
/// interleave on PostgreSQL).
pub async fn lock(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE proposals SET id = id WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The accounts of a proposal's supporters (those bound to their record).
pub async fn supporter_accounts(conn: &mut Conn, id: i64) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.user_id FROM proposal_supports s JOIN resident_accounts a ON a.resident_id = s.resident_id
         WHERE s.proposal_id = $1 ORDER BY a.user_id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// What the public board shows of each proposal of a community, in three
/// grouped statements instead of three a proposal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardFigures {
    pub ratings: i64,
    pub score_sum: i64,
    pub meetings: i64,
    pub spent_fen: i64,
    /// the newest progress
    pub progress: Option<String>,
}

pub async fn board_figures(
    conn: &mut Conn,
    community: &str,
) -> Result<std::collections::HashMap<i64, BoardFigures>, StoreError> {
    let mut out: std::collections::HashMap<i64, BoardFigures> = std::collections::HashMap::new();
    let rows = sqlx::query(
        "SELECT r.proposal_id, COUNT(*), CAST(SUM(r.score) AS BIGINT) FROM proposal_ratings r
         JOIN proposals p ON p.id = r.proposal_id WHERE p.community_code = $1 GROUP BY r.proposal_id",
    )
    .bind(community)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let e = out.entry(r.try_get(0)?).or_default();
        e.ratings = r.try_get(1)?;
        e.score_sum = r.try_get(2)?;
    }
    let rows = sqlx::query(
        "SELECT proposal_id, COUNT(*) FROM meetings
         WHERE community_code = $1 AND proposal_id IS NOT NULL GROUP BY proposal_id",
    )
    .bind(community)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        out.entry(r.try_get(0)?).or_default().meetings = r.try_get(1)?;
    }
    let rows = sqlx::query(
        "SELECT g.proposal_id, g.spent, g.body FROM (
           SELECT pr.proposal_id,
                  CAST(SUM(pr.spent_fen) OVER (PARTITION BY pr.proposal_id) AS BIGINT) AS spent,
                  pr.body,
                  ROW_NUMBER() OVER (PARTITION BY pr.proposal_id ORDER BY pr.id DESC) AS n
           FROM proposal_progress pr JOIN proposals p ON p.id = pr.proposal_id
           WHERE p.community_code = $1) g
         WHERE g.n = 1",
    )
    .bind(community)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let e = out.entry(r.try_get(0)?).or_default();
        e.spent_fen = r.try_get(1)?;
        e.progress = Some(r.try_get(2)?);
    }
    Ok(out)
}
