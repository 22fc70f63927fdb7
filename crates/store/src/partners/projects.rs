//! 项目清单: projects that meet a need with units' resources, their
//! progress log and funding lines; the yearly evaluation of units; and the
//! year's figures per community, rolled up in the same transaction as each
//! change (`partner_tally`).

use crate::territory::scope::{patterns, prefix_match};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A project as stored, with its lead unit's name and funding totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRow {
    pub id: i64,
    pub community_code: String,
    pub need_id: i64,
    pub meeting_id: Option<i64>,
    pub title: String,
    pub lead_unit_id: i64,
    pub lead_name: String,
    pub owner: String,
    pub due_on: String,
    pub budget_fen: i64,
    pub state: String,
    pub outcome: Option<String>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    /// (money 分, goods 分, minutes) put in so far
    pub put_in: (i64, i64, i64),
}

const COLUMNS: &str = "p.id, p.community_code, p.need_id, p.meeting_id, p.title, p.lead_unit_id,
    u.name, p.owner, p.due_on, p.budget_fen, p.state, p.outcome, p.created_at, p.closed_at,
    CAST(COALESCE((SELECT SUM(f.amount) FROM partner_fundings f WHERE f.project_id = p.id AND f.kind = 'money'), 0) AS BIGINT),
    CAST(COALESCE((SELECT SUM(f.amount) FROM partner_fundings f WHERE f.project_id = p.id AND f.kind = 'goods'), 0) AS BIGINT),
    CAST(COALESCE((SELECT SUM(f.amount) FROM partner_fundings f WHERE f.project_id = p.id AND f.kind = 'hours'), 0) AS BIGINT)";
const FROM: &str = "partner_projects p JOIN partner_units u ON u.id = p.lead_unit_id";

fn row_of(r: &sqlx::any::AnyRow) -> Result<ProjectRow, StoreError> {
    Ok(ProjectRow {
        id: r.try_get(0)?,
        community_code: r.try_get(1)?,
        need_id: r.try_get(2)?,
        meeting_id: r.try_get(3)?,
        title: r.try_get(4)?,
        lead_unit_id: r.try_get(5)?,
        lead_name: r.try_get(6)?,
        owner: r.try_get(7)?,
        due_on: r.try_get(8)?,
        budget_fen: r.try_get(9)?,
        state: r.try_get(10)?,
        outcome: r.try_get(11)?,
        created_at: r.try_get(12)?,
        closed_at: r.try_get(13)?,
        put_in: (r.try_get(14)?, r.try_get(15)?, r.try_get(16)?),
    })
}

/// A project being started.
pub struct NewProject<'a> {
    pub community_code: &'a str,
    pub need_id: i64,
    pub meeting_id: Option<i64>,
    pub title: &'a str,
    pub lead_unit_id: i64,
    pub units: &'a [i64],
    pub owner: &'a str,
    pub due_on: &'a str,
    pub budget_fen: i64,
    pub by: i64,
    pub now: UnixMs,
}

/// Starts a project with its units (the lead among them).
pub async fn insert(conn: &mut Conn, p: &NewProject<'_>) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query(
        "INSERT INTO partner_projects (community_code, need_id, meeting_id, title, lead_unit_id,
             owner, due_on, budget_fen, state, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'underway', $9, $10) RETURNING id",
    )
    .bind(p.community_code)
    .bind(p.need_id)
    .bind(p.meeting_id)
    .bind(p.title)
    .bind(p.lead_unit_id)
    .bind(p.owner)
    .bind(p.due_on)
    .bind(p.budget_fen)
    .bind(p.by)
    .bind(p.now.0)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    for u in std::iter::once(&p.lead_unit_id).chain(p.units) {
        sqlx::query(
            "INSERT INTO partner_project_units (project_id, unit_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(u)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<ProjectRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(|r| row_of(&r))
    .transpose()
}

/// The units on a project: (id, name).
pub async fn units_of(conn: &mut Conn, project: i64) -> Result<Vec<(i64, String)>, StoreError> {
    sqlx::query(
        "SELECT u.id, u.name FROM partner_project_units pu JOIN partner_units u ON u.id = pu.unit_id
          WHERE pu.project_id = $1 ORDER BY u.name",
    )
    .bind(project)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect()
}

/// The projects of the communities under `prefixes`, newest first.
pub async fn in_scope(conn: &mut Conn, prefixes: &[String]) -> Result<Vec<ProjectRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY p.id DESC LIMIT 500",
        prefix_match("p.community_code", prefixes.len(), 1)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    q.fetch_all(conn).await?.iter().map(row_of).collect()
}

/// A community's finished projects (the public board), newest first.
pub async fn done_in(conn: &mut Conn, community: &str) -> Result<Vec<ProjectRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.community_code = $1 AND p.state = 'done'
          ORDER BY p.closed_at DESC LIMIT 200"
    )))
    .bind(community)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row_of)
    .collect()
}

/// The projects a unit is on.
pub async fn of_unit(conn: &mut Conn, unit: i64) -> Result<Vec<ProjectRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM}
          WHERE p.id IN (SELECT project_id FROM partner_project_units WHERE unit_id = $1)
          ORDER BY p.id DESC"
    )))
    .bind(unit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row_of)
    .collect()
}

/// Whether the unit is on the project.
pub async fn has_unit(conn: &mut Conn, project: i64, unit: i64) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("SELECT 1 FROM partner_project_units WHERE project_id = $1 AND unit_id = $2")
            .bind(project)
            .bind(unit)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Closes an underway project with its outcome; false when it was not
/// underway.
pub async fn close(
    conn: &mut Conn,
    id: i64,
    outcome: &str,
    now: UnixMs,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE partner_projects SET state = 'done', outcome = $1, closed_at = $2
          WHERE id = $3 AND state = 'underway'",
    )
    .bind(outcome)
    .bind(now.0)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// A line of a project's progress log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressRow {
    pub id: i64,
    pub by_name: String,
    pub unit_name: Option<String>,
    pub note: String,
    pub at: i64,
}

pub async fn add_progress(
    conn: &mut Conn,
    project: i64,
    unit: Option<i64>,
    by: (i64, &str),
    note: &str,
    now: UnixMs,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO partner_progress (project_id, unit_id, by_user, by_name, note, at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(project)
    .bind(unit)
    .bind(by.0)
    .bind(by.1)
    .bind(note)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// A project's progress, oldest first.
pub async fn progress(conn: &mut Conn, project: i64) -> Result<Vec<ProgressRow>, StoreError> {
    sqlx::query(
        "SELECT g.id, g.by_name, u.name, g.note, g.at FROM partner_progress g
           LEFT JOIN partner_units u ON u.id = g.unit_id
          WHERE g.project_id = $1 ORDER BY g.id",
    )
    .bind(project)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ProgressRow {
            id: r.try_get(0)?,
            by_name: r.try_get(1)?,
            unit_name: r.try_get(2)?,
            note: r.try_get(3)?,
            at: r.try_get(4)?,
        })
    })
    .collect()
}

/// A funding line: (unit name, kind, amount, note, at).
pub type FundingRow = (String, String, i64, String, i64);

/// A funding line being written.
pub struct NewFunding<'a> {
    pub project: i64,
    pub unit: i64,
    pub kind: &'a str,
    pub amount: i64,
    pub note: &'a str,
    pub by: i64,
    pub now: UnixMs,
}

pub async fn add_funding(conn: &mut Conn, f: &NewFunding<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO partner_fundings (project_id, unit_id, kind, amount, note, by_user, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(f.project)
    .bind(f.unit)
    .bind(f.kind)
    .bind(f.amount)
    .bind(f.note)
    .bind(f.by)
    .bind(f.now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn fundings(conn: &mut Conn, project: i64) -> Result<Vec<FundingRow>, StoreError> {
    sqlx::query(
        "SELECT u.name, f.kind, f.amount, f.note, f.at FROM partner_fundings f
           JOIN partner_units u ON u.id = f.unit_id WHERE f.project_id = $1 ORDER BY f.id",
    )
    .bind(project)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
        ))
    })
    .collect()
}

/// What the year's roll-up moves by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub needs_opened: i64,
    pub needs_met: i64,
    pub projects_started: i64,
    pub projects_done: i64,
    pub money_fen: i64,
    pub goods_fen: i64,
    pub minutes: i64,
}

/// Adds `t` to the community's figures for `year`.
pub async fn tally(
    conn: &mut Conn,
    community: &str,
    year: i32,
    t: &Tally,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO partner_tally (community_code, year, needs_opened, needs_met,
             projects_started, projects_done, money_fen, goods_fen, minutes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (community_code, year) DO UPDATE SET
             needs_opened = partner_tally.needs_opened + excluded.needs_opened,
             needs_met = partner_tally.needs_met + excluded.needs_met,
             projects_started = partner_tally.projects_started + excluded.projects_started,
             projects_done = partner_tally.projects_done + excluded.projects_done,
             money_fen = partner_tally.money_fen + excluded.money_fen,
             goods_fen = partner_tally.goods_fen + excluded.goods_fen,
             minutes = partner_tally.minutes + excluded.minutes",
    )
    .bind(community)
    .bind(i64::from(year))
    .bind(t.needs_opened)
    .bind(t.needs_met)
    .bind(t.projects_started)
    .bind(t.projects_done)
    .bind(t.money_fen)
    .bind(t.goods_fen)
    .bind(t.minutes)
    .execute(conn)
    .await?;
    Ok(())
}

/// The year's figures summed over the communities under `prefixes`, with
/// (units accepted, commitments signed, needs open now) beside them.
pub async fn figures(
    conn: &mut Conn,
    prefixes: &[String],
    year: i32,
) -> Result<(Tally, (i64, i64, i64)), StoreError> {
    let n = prefixes.len();
    let m = |c: &str| prefix_match(c, n, 2);
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(needs_opened), 0) AS BIGINT), CAST(COALESCE(SUM(needs_met), 0) AS BIGINT),
                CAST(COALESCE(SUM(projects_started), 0) AS BIGINT), CAST(COALESCE(SUM(projects_done), 0) AS BIGINT),
                CAST(COALESCE(SUM(money_fen), 0) AS BIGINT), CAST(COALESCE(SUM(goods_fen), 0) AS BIGINT),
                CAST(COALESCE(SUM(minutes), 0) AS BIGINT),
                (SELECT COUNT(DISTINCT r.unit_id) FROM partner_reports r
                  WHERE r.state = 'accepted' AND {}),
                (SELECT CAST(COALESCE(SUM(a.commitment_count), 0) AS BIGINT) FROM partner_agreements a WHERE {}),
                (SELECT COUNT(*) FROM partner_needs x WHERE x.state IN ('open', 'taken') AND {})
           FROM partner_tally t WHERE t.year = $1 AND {}",
        m("r.community_code"),
        m("a.community_code"),
        m("x.community_code"),
        m("t.community_code"),
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    let r = q.fetch_one(conn).await?;
    Ok((
        Tally {
            needs_opened: r.try_get(0)?,
            needs_met: r.try_get(1)?,
            projects_started: r.try_get(2)?,
            projects_done: r.try_get(3)?,
            money_fen: r.try_get(4)?,
            goods_fen: r.try_get(5)?,
            minutes: r.try_get(6)?,
        },
        (r.try_get(7)?, r.try_get(8)?, r.try_get(9)?),
    ))
}

/// One unit's year in a community, for its evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitYear {
    pub unit_id: i64,
    pub name: String,
    pub kind: String,
    pub commitments: i64,
    pub projects: i64,
    pub projects_done: i64,
    pub money_fen: i64,
    pub goods_fen: i64,
    /// minutes given on projects, and the hours its in-service party
    /// members credited as volunteers (双报到, by employer)
    pub minutes: i64,
    pub member_minutes: i64,
    /// (score, grade, comment) once evaluated
    pub evaluation: Option<(i64, String, String)>,
}

/// Every unit accepted in `community`, with its figures for the year
/// starting at `from` (ms) before `to`.
pub async fn unit_years(
    conn: &mut Conn,
    community: &str,
    year: i32,
    (from, to): (UnixMs, UnixMs),
) -> Result<Vec<UnitYear>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.kind,
            (SELECT CAST(COALESCE(SUM(a.commitment_count), 0) AS BIGINT) FROM partner_agreements a
              WHERE a.unit_id = u.id AND a.community_code = $1),
            (SELECT COUNT(*) FROM partner_project_units pu JOIN partner_projects p ON p.id = pu.project_id
              WHERE pu.unit_id = u.id AND p.community_code = $1 AND p.created_at >= $2 AND p.created_at < $3),
            (SELECT COUNT(*) FROM partner_project_units pu JOIN partner_projects p ON p.id = pu.project_id
              WHERE pu.unit_id = u.id AND p.community_code = $1 AND p.state = 'done'
                AND p.closed_at >= $2 AND p.closed_at < $3),
            (SELECT CAST(COALESCE(SUM(f.amount), 0) AS BIGINT) FROM partner_fundings f JOIN partner_projects p ON p.id = f.project_id
              WHERE f.unit_id = u.id AND p.community_code = $1 AND f.kind = 'money' AND f.at >= $2 AND f.at < $3),
            (SELECT CAST(COALESCE(SUM(f.amount), 0) AS BIGINT) FROM partner_fundings f JOIN partner_projects p ON p.id = f.project_id
              WHERE f.unit_id = u.id AND p.community_code = $1 AND f.kind = 'goods' AND f.at >= $2 AND f.at < $3),
            (SELECT CAST(COALESCE(SUM(f.amount), 0) AS BIGINT) FROM partner_fundings f JOIN partner_projects p ON p.id = f.project_id
              WHERE f.unit_id = u.id AND p.community_code = $1 AND f.kind = 'hours' AND f.at >= $2 AND f.at < $3),
            (SELECT CAST(COALESCE(SUM(l.balance), 0) AS BIGINT) FROM volunteers v
               JOIN ledger_accounts l ON l.holder = 'volunteer:' || v.id AND l.unit = 'hours'
              WHERE v.community_code = $1 AND v.party_member = 1
                AND (v.employer_org = u.name OR v.employer_org = u.party_org)),
            e.score, e.grade, e.comment
           FROM partner_reports r JOIN partner_units u ON u.id = r.unit_id
           LEFT JOIN partner_evaluations e
                  ON e.unit_id = u.id AND e.community_code = r.community_code AND e.year = $4
          WHERE r.community_code = $1 AND r.state = 'accepted'
          ORDER BY u.name",
    )
    .bind(community)
    .bind(from.0)
    .bind(to.0)
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let score: Option<i64> = r.try_get(10)?;
            Ok(UnitYear {
                unit_id: r.try_get(0)?,
                name: r.try_get(1)?,
                kind: r.try_get(2)?,
                commitments: r.try_get(3)?,
                projects: r.try_get(4)?,
                projects_done: r.try_get(5)?,
                money_fen: r.try_get(6)?,
                goods_fen: r.try_get(7)?,
                minutes: r.try_get(8)?,
                member_minutes: r.try_get(9)?,
                evaluation: match score {
                    Some(s) => Some((s, r.try_get(11)?, r.try_get(12)?)),
                    None => None,
                },
            })
        })
        .collect()
}

/// Writes (or rewrites) a unit's evaluation for a year.
pub async fn evaluate(
    conn: &mut Conn,
    unit: i64,
    community: &str,
    year: i32,
    (score, grade, comment): (i64, &str, &str),
    by: i64,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO partner_evaluations (unit_id, community_code, year, score, grade, comment,
                                          by_user, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (unit_id, community_code, year) DO UPDATE SET
             score = excluded.score, grade = excluded.grade, comment = excluded.comment,
             by_user = excluded.by_user, at = excluded.at",
    )
    .bind(unit)
    .bind(community)
    .bind(i64::from(year))
    .bind(score)
    .bind(grade)
    .bind(comment)
    .bind(by)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// The project a need became.
pub async fn for_need(conn: &mut Conn, need: i64) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT id FROM partner_projects WHERE need_id = $1")
        .bind(need)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The projects decided at a meeting.
pub async fn of_meeting(conn: &mut Conn, meeting: i64) -> Result<Vec<ProjectRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.meeting_id = $1 ORDER BY p.id"
    )))
    .bind(meeting)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row_of)
    .collect()
}

/// What earlier meetings of the community decided, for the follow-up at
/// this one: projects from joint meetings held before `held_on`.
pub async fn decided_before(
    conn: &mut Conn,
    community: &str,
    meeting: i64,
    held_on: &str,
) -> Result<Vec<ProjectRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} JOIN meetings g ON g.id = p.meeting_id
          WHERE p.community_code = $1 AND g.id <> $2 AND g.held_on <= $3
          ORDER BY p.id DESC LIMIT 50"
    )))
    .bind(community)
    .bind(meeting)
    .bind(held_on)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row_of)
    .collect()
}

/// Every funding line of a community's finished projects: (unit name,
/// kind, amount, at), oldest first.
pub async fn fundings_in(
    conn: &mut Conn,
    community: &str,
) -> Result<Vec<(String, String, i64, i64)>, StoreError> {
    sqlx::query(
        "SELECT u.name, f.kind, f.amount, f.at FROM partner_fundings f
           JOIN partner_projects p ON p.id = f.project_id
           JOIN partner_units u ON u.id = f.unit_id
          WHERE p.community_code = $1 AND p.state = 'done' ORDER BY f.at",
    )
    .bind(community)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
    .collect()
}

/// The project a progress line belongs to.
pub async fn project_of_progress(conn: &mut Conn, line: i64) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT project_id FROM partner_progress WHERE id = $1")
        .bind(line)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}
