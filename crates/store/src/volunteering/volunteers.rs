//! Volunteers (志愿者 and 双报到 party members) and their teams.

use crate::territory::scope::{patterns, prefix_match};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A volunteer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteerRow {
    pub id: i64,
    pub user_id: Option<i64>,
    pub community_code: String,
    pub name: String,
    pub skills: String,
    pub team: Option<String>,
    pub party_member: bool,
    pub employer_org: Option<String>,
    /// the grid's name (进一网)
    pub grid: Option<String>,
    pub post: Option<String>,
    pub paired_resident_id: Option<i64>,
    /// who they are paired with, as staff chose them (name · address)
    pub paired_label: Option<String>,
    pub target_minutes: i64,
    pub joined_at: i64,
    /// the service minutes they hold (their hours account's balance)
    pub minutes: i64,
}

const COLUMNS: &str = "v.id, v.user_id, v.community_code, v.name, v.skills, t.name,
    v.party_member, v.employer_org,
    (SELECT g.name FROM grids g WHERE g.code = v.grid_code), v.post, v.paired_resident_id,
    v.paired_label, v.target_minutes, v.joined_at,
    COALESCE((SELECT a.balance FROM ledger_accounts a
              WHERE a.holder = 'volunteer:' || v.id AND a.unit = 'hours'), 0)";
const FROM: &str = "volunteers v LEFT JOIN volunteer_teams t ON t.id = v.team_id";

fn row_of(r: &sqlx::any::AnyRow) -> Result<VolunteerRow, StoreError> {
    Ok(VolunteerRow {
        id: r.try_get(0)?,
        user_id: r.try_get(1)?,
        community_code: r.try_get(2)?,
        name: r.try_get(3)?,
        skills: r.try_get(4)?,
        team: r.try_get(5)?,
        party_member: r.try_get::<i64, _>(6)? != 0,
        employer_org: r.try_get(7)?,
        grid: r.try_get(8)?,
        post: r.try_get(9)?,
        paired_resident_id: r.try_get(10)?,
        paired_label: r.try_get(11)?,
        target_minutes: r.try_get(12)?,
        joined_at: r.try_get(13)?,
        minutes: r.try_get(14)?,
    })
}

/// A volunteer joining.
pub struct NewVolunteer<'a> {
    pub user_id: Option<i64>,
    pub community_code: &'a str,
    pub name: &'a str,
    pub skills: &'a str,
    pub team_id: Option<i64>,
    pub party_member: bool,
    pub employer_org: Option<&'a str>,
    pub target_minutes: i64,
    pub now: UnixMs,
}

/// Adds a volunteer; `None` when the account has joined already.
pub async fn insert(conn: &mut Conn, v: &NewVolunteer<'_>) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "INSERT INTO volunteers (user_id, community_code, name, skills, team_id, party_member,
                                 employer_org, target_minutes, joined_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (user_id) DO NOTHING RETURNING id",
    )
    .bind(v.user_id)
    .bind(v.community_code)
    .bind(v.name)
    .bind(v.skills)
    .bind(v.team_id)
    .bind(i64::from(v.party_member))
    .bind(v.employer_org)
    .bind(v.target_minutes)
    .bind(v.now.0)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok(r.try_get(0)?)).transpose()
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<VolunteerRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE v.id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row_of)
    .transpose()
}

pub async fn by_user(conn: &mut Conn, user_id: i64) -> Result<Option<VolunteerRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE v.user_id = $1"
    )))
    .bind(user_id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(row_of)
    .transpose()
}

/// The volunteers of the communities under `prefixes`, party members
/// first, then by name; at most `limit`.
pub async fn in_communities(
    conn: &mut Conn,
    prefixes: &[String],
    limit: i64,
) -> Result<Vec<VolunteerRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY v.party_member DESC, v.id LIMIT {limit}",
        prefix_match("v.community_code", prefixes.len(), 1)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    q.fetch_all(conn).await?.iter().map(row_of).collect()
}

/// (volunteers, of them party members reported in) under `prefixes`.
pub async fn counts(conn: &mut Conn, prefixes: &[String]) -> Result<(i64, i64), StoreError> {
    let sql = format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(party_member), 0) AS BIGINT) FROM volunteers WHERE {}",
        prefix_match("community_code", prefixes.len(), 1)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    let r = q.fetch_one(conn).await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

/// 进一网 and 联一户: the community places a member in a grid and pairs
/// them with a household.
pub async fn place(
    conn: &mut Conn,
    id: i64,
    grid_code: Option<&str>,
    paired: Option<(i64, &str)>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE volunteers SET grid_code = COALESCE($2, grid_code),
            paired_resident_id = COALESCE($3, paired_resident_id),
            paired_label = COALESCE($4, paired_label) WHERE id = $1",
    )
    .bind(id)
    .bind(grid_code)
    .bind(paired.map(|p| p.0))
    .bind(paired.map(|p| p.1))
    .execute(conn)
    .await?;
    Ok(())
}

/// 认一岗: the member claims a post.
pub async fn claim_post(conn: &mut Conn, id: i64, post: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE volunteers SET post = $2 WHERE id = $1")
        .bind(id)
        .bind(post)
        .execute(conn)
        .await?;
    Ok(())
}

/// The teams of a community: (id, name, leader, members).
pub async fn teams(
    conn: &mut Conn,
    community: &str,
) -> Result<Vec<(i64, String, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.id, t.name, t.leader_name, COUNT(v.id) FROM volunteer_teams t
         LEFT JOIN volunteers v ON v.team_id = t.id
         WHERE t.community_code = $1 GROUP BY t.id, t.name, t.leader_name ORDER BY t.id",
    )
    .bind(community)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect()
}

pub async fn insert_team(
    conn: &mut Conn,
    community: &str,
    name: &str,
    leader: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO volunteer_teams (community_code, name, leader_name) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(community)
    .bind(name)
    .bind(leader)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}
