//! 需求清单: the community's needs open to its partner units, and the
//! 联席会议 that took them up.

use crate::territory::scope::{patterns, prefix_match};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A need as stored, with the name of the unit that took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedRow {
    pub id: i64,
    pub community_code: String,
    pub source: String,
    pub source_id: Option<i64>,
    pub category: String,
    pub title: String,
    pub body: String,
    pub place: String,
    pub state: String,
    pub taken_by: Option<i64>,
    pub taken_name: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "n.id, n.community_code, n.source, n.source_id, n.category, n.title,
    n.body, n.place, n.state, n.taken_by, u.name, n.created_at";
const FROM: &str = "partner_needs n LEFT JOIN partner_units u ON u.id = n.taken_by";

fn row_of(r: &sqlx::any::AnyRow) -> Result<NeedRow, StoreError> {
    Ok(NeedRow {
        id: r.try_get(0)?,
        community_code: r.try_get(1)?,
        source: r.try_get(2)?,
        source_id: r.try_get(3)?,
        category: r.try_get(4)?,
        title: r.try_get(5)?,
        body: r.try_get(6)?,
        place: r.try_get(7)?,
        state: r.try_get(8)?,
        taken_by: r.try_get(9)?,
        taken_name: r.try_get(10)?,
        created_at: r.try_get(11)?,
    })
}

/// A need being listed.
pub struct NewNeed<'a> {
    pub community_code: &'a str,
    pub source: &'a str,
    pub source_id: Option<i64>,
    pub category: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub place: &'a str,
    pub by: i64,
    pub now: UnixMs,
}

/// Lists a need; `None` when its case or visit is listed already.
pub async fn insert(conn: &mut Conn, n: &NewNeed<'_>) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "INSERT INTO partner_needs (community_code, source, source_id, category, title, body,
                                    place, state, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $9)
         ON CONFLICT (source, source_id) WHERE source_id IS NOT NULL DO NOTHING
         RETURNING id",
    )
    .bind(n.community_code)
    .bind(n.source)
    .bind(n.source_id)
    .bind(n.category)
    .bind(n.title)
    .bind(n.body)
    .bind(n.place)
    .bind(n.by)
    .bind(n.now.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<NeedRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE n.id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(|r| row_of(&r))
    .transpose()
}

/// The needs of the communities under `prefixes` in one of `states`
/// (all when empty), newest first.
pub async fn in_scope(
    conn: &mut Conn,
    prefixes: &[String],
    states: &[&str],
) -> Result<Vec<NeedRow>, StoreError> {
    let n = prefixes.len();
    let states_sql = if states.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = (0..states.len())
            .map(|i| format!("${}", n + 1 + i))
            .collect();
        format!(" AND n.state IN ({})", list.join(", "))
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE {}{states_sql} ORDER BY n.id DESC LIMIT 500",
        prefix_match("n.community_code", n, 1)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    for s in states {
        q = q.bind(*s);
    }
    q.fetch_all(conn).await?.iter().map(row_of).collect()
}

/// The needs a unit may see: open ones in the communities it is accepted
/// in, and those it took.
pub async fn open_to_unit(conn: &mut Conn, unit: i64) -> Result<Vec<NeedRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM}
          WHERE (n.state = 'open' AND n.community_code IN
                   (SELECT r.community_code FROM partner_reports r
                     WHERE r.unit_id = $1 AND r.state = 'accepted'))
             OR (n.taken_by = $1 AND n.state = 'taken')
          ORDER BY n.id DESC LIMIT 200"
    )))
    .bind(unit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row_of)
    .collect()
}

/// Moves a need from `from` to `to` (and who took it); false when it was
/// not in `from`.
pub async fn set_state(
    conn: &mut Conn,
    id: i64,
    from: &[&str],
    to: &str,
    taken_by: Option<i64>,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let list: Vec<String> = (0..from.len()).map(|i| format!("${}", 5 + i)).collect();
    let sql = format!(
        "UPDATE partner_needs SET state = $1, taken_by = COALESCE($2, taken_by), updated_at = $3
          WHERE id = $4 AND state IN ({})",
        list.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(to)
        .bind(taken_by)
        .bind(now.0)
        .bind(id);
    for s in from {
        q = q.bind(*s);
    }
    Ok(q.execute(conn).await?.rows_affected() == 1)
}

/// Puts needs on a meeting's agenda.
pub async fn put_on_agenda(conn: &mut Conn, meeting: i64, needs: &[i64]) -> Result<(), StoreError> {
    for n in needs {
        sqlx::query(
            "INSERT INTO partner_meeting_needs (meeting_id, need_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .bind(meeting)
        .bind(n)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A meeting's agenda.
pub async fn agenda(conn: &mut Conn, meeting: i64) -> Result<Vec<NeedRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} JOIN partner_meeting_needs m ON m.need_id = n.id
          WHERE m.meeting_id = $1 ORDER BY n.id"
    )))
    .bind(meeting)
    .fetch_all(conn)
    .await?
    .iter()
    .map(row_of)
    .collect()
}

/// A 联席会议 in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JointMeeting {
    pub id: i64,
    pub community_code: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub agenda: i64,
    pub minuted: bool,
}

/// The joint meetings of the communities under `prefixes`, newest first.
pub async fn joint_meetings(
    conn: &mut Conn,
    prefixes: &[String],
) -> Result<Vec<JointMeeting>, StoreError> {
    let sql = format!(
        "SELECT g.id, g.community_code, g.title, g.held_on, g.place,
                (SELECT COUNT(*) FROM partner_meeting_needs m WHERE m.meeting_id = g.id),
                (SELECT COUNT(*) FROM meeting_minutes x WHERE x.meeting_id = g.id)
           FROM meetings g
          WHERE g.kind = 'joint' AND g.proposal_id IS NULL AND {}
          ORDER BY g.held_on DESC, g.id DESC LIMIT 100",
        prefix_match("g.community_code", prefixes.len(), 1)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(JointMeeting {
                id: r.try_get(0)?,
                community_code: r.try_get(1)?,
                title: r.try_get(2)?,
                held_on: r.try_get(3)?,
                place: r.try_get(4)?,
                agenda: r.try_get(5)?,
                minuted: r.try_get::<i64, _>(6)? > 0,
            })
        })
        .collect()
}

/// The names of the people living in a dwelling (to strip them from a
/// need taken from a case about it).
pub async fn names_at_dwelling(conn: &mut Conn, dwelling: i64) -> Result<Vec<String>, StoreError> {
    sqlx::query("SELECT name FROM residents WHERE dwelling_id = $1")
        .bind(dwelling)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect()
}
