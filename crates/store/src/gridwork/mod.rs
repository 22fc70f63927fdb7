//! 走访: visits, and the people in scope who are due one (those with a
//! care tag that has a visit period), each with their last visit.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A visit being recorded.
pub struct NewVisit<'a> {
    pub resident_id: i64,
    pub user_id: Option<i64>,
    pub visitor_name: &'a str,
    pub way: &'a str,
    /// the needs found, joined with 、
    pub needs: &'a str,
    pub note: &'a str,
    /// `YYYY-MM-DD`, China
    pub visited_on: &'a str,
    pub now: UnixMs,
}

pub async fn insert_visit(conn: &mut Conn, v: &NewVisit<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO visits (resident_id, user_id, visitor_name, way, needs, note, visited_on, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(v.resident_id)
    .bind(v.user_id)
    .bind(v.visitor_name)
    .bind(v.way)
    .bind(v.needs)
    .bind(v.note)
    .bind(v.visited_on)
    .bind(v.now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// A person who is visited by plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub resident_id: i64,
    pub name: String,
    /// 小区 楼栋 单元 室
    pub address: String,
    /// the shortest period of their tags, in days
    pub period_days: i64,
    /// the tags that set a period, joined with 、
    pub tags: String,
    /// `YYYY-MM-DD` of the last visit
    pub last_visit: Option<String>,
}

/// The residents (not moved out) under any of `prefixes` (grid or
/// community codes) with a care tag that has a visit period.
pub async fn planned(conn: &mut Conn, prefixes: &[String]) -> Result<Vec<Planned>, StoreError> {
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let likes: Vec<String> = (0..prefixes.len())
        .map(|i| format!("COALESCE(g.code, r.community_code) LIKE ${}", i + 1))
        .collect();
    let sql = format!(
        "SELECT r.id, r.name, e.name, b.name, un.name, d.room,
                MIN(COALESCE(rt.visit_days, t.visit_days)),
                (SELECT MAX(v.visited_on) FROM visits v WHERE v.resident_id = r.id)
         FROM residents r
         JOIN resident_tags rt ON rt.resident_id = r.id
         JOIN care_tags t ON t.id = rt.tag_id
         JOIN buildings b ON b.id = r.building_id
         JOIN estates e ON e.id = b.estate_id
         LEFT JOIN grids g ON g.id = b.grid_id
         JOIN dwellings d ON d.id = r.dwelling_id
         JOIN units un ON un.id = d.unit_id
         WHERE r.moved_out IS NULL AND COALESCE(rt.visit_days, t.visit_days) IS NOT NULL
           AND ({})
         GROUP BY r.id, r.name, e.name, b.name, un.name, d.room
         ORDER BY r.id",
        likes.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in prefixes {
        q = q.bind(format!("{p}%"));
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(Planned {
            resident_id: r.try_get(0)?,
            name: r.try_get(1)?,
            address: format!(
                "{} {} {} {}室",
                r.try_get::<String, _>(2)?,
                r.try_get::<String, _>(3)?,
                r.try_get::<String, _>(4)?,
                r.try_get::<String, _>(5)?
            ),
            period_days: r.try_get(6)?,
            tags: String::new(),
            last_visit: r.try_get(7)?,
        });
    }
    // the tags that set the plan, one statement for all
    if !out.is_empty() {
        let ids: Vec<String> = out.iter().map(|p| p.resident_id.to_string()).collect();
        let sql = format!(
            "SELECT rt.resident_id, t.name FROM resident_tags rt JOIN care_tags t ON t.id = rt.tag_id
             WHERE COALESCE(rt.visit_days, t.visit_days) IS NOT NULL AND rt.resident_id IN ({})
             ORDER BY rt.resident_id, t.id",
            ids.join(",")
        );
        let tags = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(conn)
            .await?;
        for t in &tags {
            let id: i64 = t.try_get(0)?;
            let name: String = t.try_get(1)?;
            if let Some(p) = out.iter_mut().find(|p| p.resident_id == id) {
                if !p.tags.is_empty() {
                    p.tags.push('、');
                }
                p.tags.push_str(&name);
            }
        }
    }
    Ok(out)
}
