//! What the loop is configured with: the category tree, the routing rules
//! and the holiday calendar.

use super::prefix_range;
use crate::{Conn, StoreError, flag};
use linli_domain::time::UnixMs;
use sqlx::Row;
use sqlx::any::AnyRow;

/// 案件类别 — two levels; `code` is the Open311 service_code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    /// working days for a normal case
    pub deadline_days: i64,
    /// hours for an urgent one
    pub urgent_hours: i64,
    pub active: bool,
}

const CATEGORY_COLS: &str = "id, parent_id, code, name, deadline_days, urgent_hours, active";

fn category(r: &AnyRow) -> Result<Category, StoreError> {
    Ok(Category {
        id: r.try_get(0)?,
        parent_id: r.try_get(1)?,
        code: r.try_get(2)?,
        name: r.try_get(3)?,
        deadline_days: r.try_get(4)?,
        urgent_hours: r.try_get(5)?,
        active: r.try_get::<i64, _>(6)? != 0,
    })
}

/// Every category, parents before their children, by code.
pub async fn categories(conn: &mut Conn) -> Result<Vec<Category>, StoreError> {
    let sql = format!("SELECT {CATEGORY_COLS} FROM case_categories ORDER BY code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?;
    rows.iter().map(category).collect()
}

pub async fn category_by_id(conn: &mut Conn, id: i64) -> Result<Option<Category>, StoreError> {
    let sql = format!("SELECT {CATEGORY_COLS} FROM case_categories WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(category).transpose()
}

pub async fn category_by_code(conn: &mut Conn, code: &str) -> Result<Option<Category>, StoreError> {
    let sql = format!("SELECT {CATEGORY_COLS} FROM case_categories WHERE code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(category).transpose()
}

/// Adds a category (a unique `code` or a conflict); returns its id.
pub async fn insert_category(
    conn: &mut Conn,
    c: &Category,
    now: UnixMs,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO case_categories (parent_id, code, name, deadline_days, urgent_hours, active,
            created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(c.parent_id)
    .bind(&c.code)
    .bind(&c.name)
    .bind(c.deadline_days)
    .bind(c.urgent_hours)
    .bind(flag(c.active))
    .bind(now.0)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// A routing rule's handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub scope: String,
    pub handler_kind: String,
    pub handler_name: String,
}

/// The rule for `category_id` whose scope is the longest prefix of `scope`.
pub async fn route_for(
    conn: &mut Conn,
    category_id: i64,
    scope: &str,
) -> Result<Option<Route>, StoreError> {
    // the scopes that are prefixes of `scope`: every leading part of it
    let prefixes: Vec<&str> = (0..=scope.len())
        .filter(|i| scope.is_char_boundary(*i))
        .map(|i| &scope[..i])
        .collect();
    let marks: Vec<String> = (0..prefixes.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT scope, handler_kind, handler_name FROM case_routes
         WHERE category_id = $1 AND scope IN ({}) ORDER BY LENGTH(scope) DESC LIMIT 1",
        marks.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(category_id);
    for p in prefixes {
        q = q.bind(p);
    }
    let row = q.fetch_optional(conn).await?;
    row.map(|r| {
        Ok(Route {
            scope: r.try_get(0)?,
            handler_kind: r.try_get(1)?,
            handler_name: r.try_get(2)?,
        })
    })
    .transpose()
}

/// Sets (or replaces) the rule for a category on a territory node.
pub async fn set_route(
    conn: &mut Conn,
    category_id: i64,
    route: &Route,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_routes (category_id, scope, handler_kind, handler_name, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (category_id, scope) DO UPDATE
           SET handler_kind = excluded.handler_kind, handler_name = excluded.handler_name",
    )
    .bind(category_id)
    .bind(&route.scope)
    .bind(&route.handler_kind)
    .bind(&route.handler_name)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// The rules on a territory subtree, as (category id, route).
pub async fn routes_in(conn: &mut Conn, prefix: &str) -> Result<Vec<(i64, Route)>, StoreError> {
    let (lo, hi) = prefix_range(prefix);
    let rows = sqlx::query(
        "SELECT category_id, scope, handler_kind, handler_name FROM case_routes
         WHERE scope >= $1 AND scope < $2 ORDER BY scope, category_id",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                Route {
                    scope: r.try_get(1)?,
                    handler_kind: r.try_get(2)?,
                    handler_name: r.try_get(3)?,
                },
            ))
        })
        .collect()
}

/// The calendar's entries as (`YYYY-MM-DD`, kind, name), by date.
pub async fn calendar_days(conn: &mut Conn) -> Result<Vec<(String, String, String)>, StoreError> {
    let rows = sqlx::query("SELECT day, kind, name FROM calendar_days ORDER BY day")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Sets a day's entry, or removes it when `kind` is `None`.
pub async fn set_calendar_day(
    conn: &mut Conn,
    day: &str,
    kind: Option<(&str, &str)>,
) -> Result<(), StoreError> {
    match kind {
        Some((kind, name)) => {
            sqlx::query(
                "INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)
                 ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
            )
            .bind(day)
            .bind(kind)
            .bind(name)
            .execute(conn)
            .await?
        }
        None => {
            sqlx::query("DELETE FROM calendar_days WHERE day = $1")
                .bind(day)
                .execute(conn)
                .await?
        }
    };
    Ok(())
}

/// What the category suggestion learns from: the `limit` newest accepted
/// cases whose category is not `unsorted`, as (category code, description).
pub async fn confirmed_examples(
    conn: &mut Conn,
    unsorted: &str,
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT k.code, c.description FROM cases c
         JOIN case_categories k ON k.id = c.category_id
         WHERE c.accepted_at IS NOT NULL AND k.code <> $1
         ORDER BY c.id DESC LIMIT $2",
    )
    .bind(unsorted)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Changes a category's name, deadlines and whether it takes new cases.
pub async fn update_category(conn: &mut Conn, c: &Category) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE case_categories SET name = $1, deadline_days = $2, urgent_hours = $3, active = $4
         WHERE id = $5",
    )
    .bind(&c.name)
    .bind(c.deadline_days)
    .bind(c.urgent_hours)
    .bind(flag(c.active))
    .bind(c.id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the rule for a category on a node; false when there was none.
pub async fn delete_route(
    conn: &mut Conn,
    category_id: i64,
    scope: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM case_routes WHERE category_id = $1 AND scope = $2")
        .bind(category_id)
        .bind(scope)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a year's calendar entries (`YYYY-MM-DD`, kind, name).
pub async fn replace_year(
    conn: &mut Conn,
    year: i32,
    days: &[(String, String, String)],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM calendar_days WHERE day >= $1 AND day < $2")
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{:04}-01-01", year + 1))
        .execute(&mut *conn)
        .await?;
    for (day, kind, name) in days {
        set_calendar_day(conn, day, Some((kind, name))).await?;
    }
    Ok(())
}
