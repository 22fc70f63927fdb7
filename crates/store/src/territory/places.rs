//! 网格与房屋 — grids, estates, buildings, units and dwellings of a community.

use crate::{Conn, StoreError};
use linli_domain::access::RegionCode;
use linli_domain::territory::places::DwellingSpec;
use linli_domain::time::UnixMs;
use sqlx::Row;
use sqlx::any::AnyRow;

fn code(r: &AnyRow, i: usize, what: &str) -> Result<RegionCode, StoreError> {
    let s: String = r.try_get(i)?;
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what}: code {s}")))
}

// ---- region outlines -------------------------------------------------------

pub async fn set_region_shape(
    conn: &mut Conn,
    region: &RegionCode,
    geojson: &str,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO region_shapes (code, boundary, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO UPDATE SET boundary = excluded.boundary, updated_at = excluded.updated_at",
    )
    .bind(region.as_str())
    .bind(geojson)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn region_shape(
    conn: &mut Conn,
    region: &RegionCode,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT boundary FROM region_shapes WHERE code = $1")
        .bind(region.as_str())
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

// ---- grids -------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub id: i64,
    pub code: RegionCode,
    pub parent_id: Option<i64>,
    pub name: String,
    pub boundary: Option<String>,
}

const GRID_COLS: &str = "id, code, parent_id, name, boundary";

fn grid(r: &AnyRow) -> Result<Grid, StoreError> {
    Ok(Grid {
        id: r.try_get(0)?,
        code: code(r, 1, "grid")?,
        parent_id: r.try_get(2)?,
        name: r.try_get(3)?,
        boundary: r.try_get(4)?,
    })
}

pub async fn insert_grid(
    conn: &mut Conn,
    code: &RegionCode,
    community: &RegionCode,
    parent_id: Option<i64>,
    name: &str,
    boundary: Option<&str>,
    now: UnixMs,
) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "INSERT INTO grids (code, community_code, parent_id, name, boundary, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(code.as_str())
    .bind(community.as_str())
    .bind(parent_id)
    .bind(name)
    .bind(boundary)
    .bind(now.0)
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}

pub async fn grid_by_id(conn: &mut Conn, id: i64) -> Result<Option<Grid>, StoreError> {
    let sql = format!("SELECT {GRID_COLS} FROM grids WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(grid).transpose()
}

pub async fn grid_by_code(conn: &mut Conn, c: &RegionCode) -> Result<Option<Grid>, StoreError> {
    let sql = format!("SELECT {GRID_COLS} FROM grids WHERE code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(c.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(grid).transpose()
}

/// All grids of a community, by code (parents before children).
pub async fn grids_of(conn: &mut Conn, community: &RegionCode) -> Result<Vec<Grid>, StoreError> {
    let sql = format!("SELECT {GRID_COLS} FROM grids WHERE community_code = $1 ORDER BY code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(community.as_str())
        .fetch_all(conn)
        .await?;
    rows.iter().map(grid).collect()
}

/// Keeps `code` from ever being issued again.
pub async fn retire_code(
    conn: &mut Conn,
    code: &RegionCode,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO retired_grid_codes (code, retired_at) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING",
    )
    .bind(code.as_str())
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// The retired codes of a community's grids.
pub async fn retired_codes(
    conn: &mut Conn,
    community: &RegionCode,
) -> Result<Vec<RegionCode>, StoreError> {
    let rows = sqlx::query("SELECT code FROM retired_grid_codes WHERE code LIKE $1")
        .bind(format!("{community}%"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| code(r, 0, "retired grid")).collect()
}

/// How many role grants name `code` or a code inside it.
pub async fn grants_within(conn: &mut Conn, code: &RegionCode) -> Result<i64, StoreError> {
    let r = sqlx::query("SELECT COUNT(*) FROM role_grants WHERE scope_code LIKE $1")
        .bind(format!("{code}%"))
        .fetch_one(conn)
        .await?;
    Ok(r.try_get(0)?)
}

pub async fn update_grid(
    conn: &mut Conn,
    id: i64,
    name: &str,
    boundary: Option<&str>,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let r = sqlx::query("UPDATE grids SET name = $2, boundary = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(name)
        .bind(boundary)
        .bind(now.0)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Re-parents grid `id` and rewrites the codes of its subtree (and of the
/// role grants scoped inside it) from `old` to `new`.
pub async fn move_grid(
    conn: &mut Conn,
    id: i64,
    parent_id: Option<i64>,
    old: &RegionCode,
    new: &RegionCode,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE grids SET parent_id = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(parent_id)
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
    let from = i64::try_from(old.as_str().len() + 1).unwrap_or(i64::MAX);
    let like = format!("{old}%");
    for table in [
        "grids SET code = $1 || substr(code, CAST($2 AS INTEGER)) WHERE code LIKE $3",
        "role_grants SET scope_code = $1 || substr(scope_code, CAST($2 AS INTEGER)) WHERE scope_code LIKE $3",
        // cases, their roll-ups and routing rules follow their grid
        "cases SET scope = $1 || substr(scope, CAST($2 AS INTEGER)) WHERE scope LIKE $3",
        "case_stats SET scope = $1 || substr(scope, CAST($2 AS INTEGER)),
           depth = LENGTH($1) + LENGTH(scope) - CAST($2 AS INTEGER) + 1 WHERE scope LIKE $3",
        "case_routes SET scope = $1 || substr(scope, CAST($2 AS INTEGER)) WHERE scope LIKE $3",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table}")))
            .bind(new.as_str())
            .bind(from)
            .bind(like.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// (id, code, boundary) of every leaf grid that has a boundary, nationwide.
pub async fn leaf_boundaries(
    conn: &mut Conn,
) -> Result<Vec<(i64, RegionCode, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT g.id, g.code, g.boundary FROM grids g
         WHERE g.boundary IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM grids c WHERE c.parent_id = g.id)",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, code(r, 1, "grid")?, r.try_get(2)?)))
        .collect()
}

/// How many child grids, buildings and requests (诉求) a grid holds.
pub async fn grid_contents(conn: &mut Conn, id: i64) -> Result<(i64, i64, i64), StoreError> {
    let r = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM grids WHERE parent_id = $1),
                (SELECT COUNT(*) FROM buildings WHERE grid_id = $1),
                (SELECT COUNT(*) FROM cases WHERE grid_id = $1)",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
}

pub async fn delete_grid(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    let r = sqlx::query("DELETE FROM grids WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

// ---- estates ------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Estate {
    pub id: i64,
    pub name: String,
    pub address: Option<String>,
}

pub async fn insert_estate(
    conn: &mut Conn,
    community: &RegionCode,
    name: &str,
    address: Option<&str>,
    now: UnixMs,
) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "INSERT INTO estates (community_code, name, address, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(community.as_str())
    .bind(name)
    .bind(address)
    .bind(now.0)
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}

pub async fn estates_of(
    conn: &mut Conn,
    community: &RegionCode,
) -> Result<Vec<Estate>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, address FROM estates WHERE community_code = $1 ORDER BY name",
    )
    .bind(community.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Estate {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                address: r.try_get(2)?,
            })
        })
        .collect()
}

// ---- buildings ----------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Building {
    pub id: i64,
    pub community: RegionCode,
    pub estate_id: i64,
    pub estate: String,
    pub grid_id: Option<i64>,
    /// The grid's code, or the community's when the building is in no grid:
    /// the scope that reaches it.
    pub scope: RegionCode,
    pub name: String,
    /// WGS-84
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub floors: Option<i64>,
    pub units: i64,
    pub dwellings: i64,
}

pub struct NewBuilding<'a> {
    pub community: &'a RegionCode,
    pub estate_id: i64,
    pub grid_id: Option<i64>,
    pub name: &'a str,
    pub lng_lat: Option<(f64, f64)>,
    pub floors: Option<i64>,
    pub now: UnixMs,
}

pub async fn insert_building(conn: &mut Conn, b: NewBuilding<'_>) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "INSERT INTO buildings (estate_id, community_code, grid_id, name, lng, lat, floors, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(b.estate_id)
    .bind(b.community.as_str())
    .bind(b.grid_id)
    .bind(b.name)
    .bind(b.lng_lat.map(|p| p.0))
    .bind(b.lng_lat.map(|p| p.1))
    .bind(b.floors)
    .bind(b.now.0)
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}

const BUILDING_SELECT: &str = "SELECT b.id, b.community_code, b.estate_id, e.name, b.grid_id,
        COALESCE(g.code, b.community_code), b.name, b.lng, b.lat, b.floors,
        (SELECT COUNT(*) FROM units u WHERE u.building_id = b.id),
        (SELECT COUNT(*) FROM dwellings d JOIN units u ON u.id = d.unit_id WHERE u.building_id = b.id)
     FROM buildings b JOIN estates e ON e.id = b.estate_id LEFT JOIN grids g ON g.id = b.grid_id";

fn building(r: &AnyRow) -> Result<Building, StoreError> {
    Ok(Building {
        id: r.try_get(0)?,
        community: code(r, 1, "building")?,
        estate_id: r.try_get(2)?,
        estate: r.try_get(3)?,
        grid_id: r.try_get(4)?,
        scope: code(r, 5, "building")?,
        name: r.try_get(6)?,
        lng: r.try_get(7)?,
        lat: r.try_get(8)?,
        floors: r.try_get(9)?,
        units: r.try_get(10)?,
        dwellings: r.try_get(11)?,
    })
}

pub async fn buildings_of(
    conn: &mut Conn,
    community: &RegionCode,
) -> Result<Vec<Building>, StoreError> {
    let sql = format!("{BUILDING_SELECT} WHERE b.community_code = $1 ORDER BY e.name, b.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(community.as_str())
        .fetch_all(conn)
        .await?;
    rows.iter().map(building).collect()
}

pub async fn building_by_id(conn: &mut Conn, id: i64) -> Result<Option<Building>, StoreError> {
    let sql = format!("{BUILDING_SELECT} WHERE b.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(building).transpose()
}

pub async fn set_building_grid(
    conn: &mut Conn,
    id: i64,
    grid_id: Option<i64>,
) -> Result<bool, StoreError> {
    let r = sqlx::query("UPDATE buildings SET grid_id = $2 WHERE id = $1")
        .bind(id)
        .bind(grid_id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

// ---- units and dwellings ----------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub dwellings: i64,
}

pub async fn insert_unit(conn: &mut Conn, building_id: i64, name: &str) -> Result<i64, StoreError> {
    let r = sqlx::query("INSERT INTO units (building_id, name) VALUES ($1, $2) RETURNING id")
        .bind(building_id)
        .bind(name)
        .fetch_one(conn)
        .await?;
    Ok(r.try_get(0)?)
}

pub async fn units_of(conn: &mut Conn, building_id: i64) -> Result<Vec<Unit>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.name, (SELECT COUNT(*) FROM dwellings d WHERE d.unit_id = u.id)
         FROM units u WHERE u.building_id = $1 ORDER BY u.id",
    )
    .bind(building_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Unit {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                dwellings: r.try_get(2)?,
            })
        })
        .collect()
}

/// Rows per multi-row INSERT of dwellings (4 binds each).
pub const DWELLING_BATCH: usize = 400;

/// Adds dwellings to a unit in multi-row statements.
pub async fn insert_dwellings(
    conn: &mut Conn,
    unit_id: i64,
    ds: &[DwellingSpec],
) -> Result<u64, StoreError> {
    let mut n = 0;
    for chunk in ds.chunks(DWELLING_BATCH) {
        let mut sql = String::from("INSERT INTO dwellings (unit_id, floor, room, area_m2) VALUES ");
        for i in 0..chunk.len() {
            let b = i * 4;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for d in chunk {
            q = q
                .bind(unit_id)
                .bind(d.floor)
                .bind(d.room.clone())
                .bind(d.area_m2);
        }
        n += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(n)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dwelling {
    pub id: i64,
    pub unit_id: i64,
    pub unit: String,
    pub floor: i64,
    pub room: String,
    pub area_m2: Option<f64>,
}

/// A page of a building's dwellings, by unit then floor and room.
pub async fn dwellings_of(
    conn: &mut Conn,
    building_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<Dwelling>, StoreError> {
    let rows = sqlx::query(
        "SELECT d.id, d.unit_id, u.name, d.floor, d.room, d.area_m2
         FROM dwellings d JOIN units u ON u.id = d.unit_id
         WHERE u.building_id = $1 ORDER BY u.id, d.floor, d.room LIMIT $2 OFFSET $3",
    )
    .bind(building_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Dwelling {
                id: r.try_get(0)?,
                unit_id: r.try_get(1)?,
                unit: r.try_get(2)?,
                floor: r.try_get(3)?,
                room: r.try_get(4)?,
                area_m2: r.try_get(5)?,
            })
        })
        .collect()
}

/// The building a dwelling is in.
pub async fn building_of_dwelling(
    conn: &mut Conn,
    dwelling_id: i64,
) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "SELECT u.building_id FROM dwellings d JOIN units u ON u.id = d.unit_id WHERE d.id = $1",
    )
    .bind(dwelling_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The building a unit is in.
pub async fn building_of_unit(conn: &mut Conn, unit_id: i64) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT building_id FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Changes a dwelling's floor and area (its room number is its identity).
pub async fn update_dwelling(
    conn: &mut Conn,
    id: i64,
    floor: i64,
    area_m2: Option<f64>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE dwellings SET floor = $2, area_m2 = $3 WHERE id = $1")
        .bind(id)
        .bind(floor)
        .bind(area_m2)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn rename_building(conn: &mut Conn, id: i64, name: &str) -> Result<bool, StoreError> {
    let r = sqlx::query("UPDATE buildings SET name = $2 WHERE id = $1")
        .bind(id)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Deletes a building that has no units left.
pub async fn delete_building(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "DELETE FROM buildings WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM units WHERE building_id = $1)",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Deletes a unit that has no dwellings left.
pub async fn delete_unit(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "DELETE FROM units WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM dwellings WHERE unit_id = $1)",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Deletes a dwelling unless a party organisation is bound to it.
pub async fn delete_dwelling(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "DELETE FROM dwellings WHERE id = $1 AND NOT EXISTS
           (SELECT 1 FROM party_orgs WHERE node_kind = 'dwelling' AND node_id = $1)",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}
