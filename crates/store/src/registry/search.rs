//! Resident lists: the filters people use, the caller's scope as SQL,
//! keyset pages and capped counts, planned well on both databases.

use super::{RESIDENT_SELECT, Resident, resident};
use crate::{Conn, StoreError};
use linli_domain::access::RegionCode;
use sqlx::Row;

/// What a resident list is filtered by; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResidentFilter {
    /// 姓名 starting with this
    pub name_prefix: Option<String>,
    /// 姓名 exactly this (for viewers a prefix would give an oracle to)
    pub name_exact: Option<String>,
    /// exact document, as blind indexes under every key
    pub doc_index: Vec<String>,
    /// exact phone, as blind indexes under every key
    pub phone_index: Vec<String>,
    /// masked phone ending with these digits (last 4) or starting with them (first 3)
    pub phone_part: Option<String>,
    /// 小区 or 楼栋 name containing this
    pub address: Option<String>,
    pub community: Option<RegionCode>,
    pub building_id: Option<i64>,
    pub dwelling_id: Option<i64>,
    pub tag_id: Option<i64>,
    /// birth date bounds, `YYYY-MM-DD`, inclusive
    pub born_from: Option<String>,
    pub born_to: Option<String>,
    pub include_moved_out: bool,
    /// keyset: ids after this one
    pub after_id: Option<i64>,
    pub limit: i64,
}

enum Bind {
    Text(String),
    Int(i64),
}

/// The caller's reach, resolved once for all the searches and counts of
/// one request: the code prefixes ("" reaches everything), the backend, and
/// on PostgreSQL the ids of the buildings in reach.
#[derive(Debug, Clone)]
pub struct Scope {
    prefixes: Vec<String>,
    sqlite: bool,
    buildings: Option<Vec<i64>>,
}

/// Resolves `prefixes` into a [`Scope`].
pub async fn scope(conn: &mut Conn, prefixes: &[String]) -> Result<Scope, StoreError> {
    let sqlite = conn.backend_name() == "SQLite";
    let buildings = buildings_in_scope(conn, prefixes, sqlite).await?;
    Ok(Scope {
        prefixes: prefixes.to_vec(),
        sqlite,
        buildings,
    })
}

/// Builds the WHERE clause of a resident search.
fn filter_sql(f: &ResidentFilter, scope: &Scope) -> (String, Vec<Bind>) {
    let (scopes, sqlite, buildings) = (&scope.prefixes, scope.sqlite, scope.buildings.as_deref());
    let mut binds: Vec<Bind> = Vec::new();
    let push = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    let mut conds: Vec<String> = Vec::new();
    if !scopes.iter().any(String::is_empty) {
        // SQLite plans best with the building joined (it walks residents in
        // id order); PostgreSQL with the buildings in scope as a set of ids
        // that it probes (joined, it reads every resident in scope)
        let (alias_g, alias_b) = if sqlite { ("g", "b") } else { ("sg", "sb") };
        let likes: Vec<String> = scopes
            .iter()
            .map(|s| {
                let p = push(Bind::Text(format!("{s}%")), &mut binds);
                format!("COALESCE({alias_g}.code, {alias_b}.community_code) LIKE {p}")
            })
            .collect();
        conds.push(match (likes.is_empty(), sqlite, buildings) {
            (true, _, _) => "1 = 0".to_owned(),
            (false, true, _) => format!("({})", likes.join(" OR ")),
            // ids, not a subquery: PostgreSQL misjudges the LIKE and would
            // read every resident in scope to find a page of tagged ones
            (false, false, Some([])) => "1 = 0".to_owned(),
            (false, false, Some(ids)) => {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                format!("r.building_id IN ({})", list.join(", "))
            }
            (false, false, None) => format!(
                "r.building_id IN (SELECT sb.id FROM buildings sb LEFT JOIN grids sg ON sg.id = sb.grid_id
                 WHERE {})",
                likes.join(" OR ")
            ),
        });
    }
    let mut list = |col: &str, vals: &[String], binds: &mut Vec<Bind>| {
        if !vals.is_empty() {
            let ps: Vec<String> = vals
                .iter()
                .map(|v| push(Bind::Text(v.clone()), binds))
                .collect();
            conds.push(format!("{col} IN ({})", ps.join(", ")));
        }
    };
    list("r.doc_index", &f.doc_index, &mut binds);
    list("r.phone_index", &f.phone_index, &mut binds);
    if let Some(n) = &f.name_prefix {
        let p = push(Bind::Text(format!("{n}%")), &mut binds);
        conds.push(format!("r.name LIKE {p}"));
        if sqlite {
            // SQLite's LIKE never uses an index; the same prefix as a
            // range does (binary UTF-8 order). PostgreSQL's LIKE uses the
            // text_pattern_ops index.
            let lo = push(Bind::Text(n.clone()), &mut binds);
            let hi = push(Bind::Text(format!("{n}{}", char::MAX)), &mut binds);
            conds.push(format!("r.name >= {lo} AND r.name < {hi}"));
        }
    }
    if let Some(n) = &f.name_exact {
        let p = push(Bind::Text(n.clone()), &mut binds);
        conds.push(format!("r.name = {p}"));
    }
    if let Some(part) = &f.phone_part {
        let a = push(Bind::Text(format!("%{part}")), &mut binds);
        let b = push(Bind::Text(format!("{part}%")), &mut binds);
        conds.push(format!(
            "(r.phone_masked LIKE {a} OR r.phone_masked LIKE {b})"
        ));
    }
    if let Some(a) = &f.address {
        let p = push(Bind::Text(format!("%{a}%")), &mut binds);
        conds.push(format!("(e.name LIKE {p} OR b.name LIKE {p})"));
    }
    if let Some(c) = &f.community {
        let p = push(Bind::Text(c.as_str().to_owned()), &mut binds);
        conds.push(format!("r.community_code = {p}"));
    }
    if let Some(id) = f.building_id {
        let p = push(Bind::Int(id), &mut binds);
        conds.push(format!("r.building_id = {p}"));
    }
    if let Some(id) = f.dwelling_id {
        let p = push(Bind::Int(id), &mut binds);
        conds.push(format!("r.dwelling_id = {p}"));
    }
    if let Some(t) = f.tag_id {
        let p = push(Bind::Int(t), &mut binds);
        conds.push(format!(
            "r.id IN (SELECT rt.resident_id FROM resident_tags rt WHERE rt.tag_id = {p})"
        ));
    }
    if let Some(d) = &f.born_from {
        let p = push(Bind::Text(d.clone()), &mut binds);
        conds.push(format!("r.birth_date >= {p}"));
    }
    if let Some(d) = &f.born_to {
        let p = push(Bind::Text(d.clone()), &mut binds);
        conds.push(format!("r.birth_date <= {p}"));
    }
    if !f.include_moved_out {
        conds.push("r.moved_out IS NULL".to_owned());
    }
    if let Some(after) = f.after_id {
        let p = push(Bind::Int(after), &mut binds);
        conds.push(format!("r.id > {p}"));
    }
    let sql = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    (sql, binds)
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}

/// On PostgreSQL, the ids of the buildings `scopes` reach (up to 5,000;
/// beyond that the filter stays a subquery). `None` on SQLite or when the
/// scope is the whole country.
async fn buildings_in_scope(
    conn: &mut Conn,
    scopes: &[String],
    sqlite: bool,
) -> Result<Option<Vec<i64>>, StoreError> {
    if sqlite || scopes.is_empty() || scopes.iter().any(String::is_empty) {
        return Ok(None);
    }
    let likes: Vec<String> = (1..=scopes.len())
        .map(|i| format!("COALESCE(g.code, b.community_code) LIKE ${i}"))
        .collect();
    let sql = format!(
        "SELECT b.id FROM buildings b LEFT JOIN grids g ON g.id = b.grid_id WHERE {} LIMIT 5001",
        likes.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for s in scopes {
        q = q.bind(format!("{s}%"));
    }
    let ids: Vec<i64> = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    Ok((ids.len() <= 5000).then_some(ids))
}

/// Residents matching `f` inside `scope`, by id (keyset paging).
pub async fn search(
    conn: &mut Conn,
    f: &ResidentFilter,
    scope: &Scope,
) -> Result<Vec<Resident>, StoreError> {
    let (cond, binds) = filter_sql(f, scope);
    let sql = format!(
        "{RESIDENT_SELECT}{cond} ORDER BY r.id LIMIT {}",
        f.limit.clamp(1, 10_000)
    );
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
        .fetch_all(conn)
        .await?;
    rows.iter().map(resident).collect()
}

/// Counts beyond this are reported as "at least": a list never pays for
/// scanning a million rows to print one number.
pub const COUNT_CAP: i64 = 10_000;

/// How many residents match `f` inside `scope` (paging ignored), up to
/// [`COUNT_CAP`] + 1.
pub async fn count(conn: &mut Conn, f: &ResidentFilter, scope: &Scope) -> Result<i64, StoreError> {
    let f = ResidentFilter {
        after_id: None,
        ..f.clone()
    };
    let sqlite = scope.sqlite;
    let (cond, binds) = filter_sql(&f, scope);
    // only the joins the conditions need (see filter_sql)
    let mut joins = String::new();
    if sqlite || f.address.is_some() {
        joins.push_str(" JOIN buildings b ON b.id = r.building_id");
    }
    if sqlite {
        joins.push_str(" LEFT JOIN grids g ON g.id = b.grid_id");
    }
    if f.address.is_some() {
        joins.push_str(" JOIN estates e ON e.id = b.estate_id");
    }
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM residents r{joins}{cond} LIMIT {}) t",
        COUNT_CAP + 1
    );
    let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}
