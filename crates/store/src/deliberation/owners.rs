//! 业主名册: the owner and exclusive area of each dwelling.

use crate::{Conn, StoreError, flag};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A dwelling of a building with its owner, for the register page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    pub dwelling_id: i64,
    pub unit: String,
    pub floor: i64,
    pub room: String,
    pub resident_id: Option<i64>,
    pub owner_name: Option<String>,
    pub developer: bool,
    pub area_register: Option<i64>,
    pub area_survey: Option<i64>,
    pub area_contract: Option<i64>,
}

/// A dwelling's place, for checks: (community code, building id, unit id).
pub async fn dwelling_place(
    conn: &mut Conn,
    dwelling_id: i64,
) -> Result<Option<(String, i64, i64)>, StoreError> {
    let row = sqlx::query(
        "SELECT b.community_code, b.id, u.id FROM dwellings d
         JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
         WHERE d.id = $1",
    )
    .bind(dwelling_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .transpose()
}

/// Every dwelling of a building with its owner, by unit, floor and room.
pub async fn register_of_building(
    conn: &mut Conn,
    building_id: i64,
) -> Result<Vec<RegisterRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT d.id, u.name, d.floor, d.room, o.resident_id, r.name, o.developer,
                o.area_register, o.area_survey, o.area_contract
         FROM dwellings d JOIN units u ON u.id = d.unit_id
         LEFT JOIN dwelling_owners o ON o.dwelling_id = d.id
         LEFT JOIN residents r ON r.id = o.resident_id
         WHERE u.building_id = $1
         ORDER BY u.id, d.floor, d.room",
    )
    .bind(building_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RegisterRow {
                dwelling_id: r.try_get(0)?,
                unit: r.try_get(1)?,
                floor: r.try_get(2)?,
                room: r.try_get(3)?,
                resident_id: r.try_get(4)?,
                owner_name: r.try_get(5)?,
                developer: r.try_get::<Option<i64>, _>(6)? == Some(1),
                area_register: r.try_get(7)?,
                area_survey: r.try_get(8)?,
                area_contract: r.try_get(9)?,
            })
        })
        .collect()
}

/// An owner being set on a dwelling.
pub struct SetOwner {
    pub dwelling_id: i64,
    /// `None` is the developer
    pub resident_id: Option<i64>,
    pub area_register: Option<i64>,
    pub area_survey: Option<i64>,
    pub area_contract: Option<i64>,
    pub by: i64,
    pub now: UnixMs,
}

pub async fn set_owner(conn: &mut Conn, o: &SetOwner) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO dwelling_owners (dwelling_id, resident_id, developer, area_register, area_survey,
                                      area_contract, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (dwelling_id) DO UPDATE SET resident_id = excluded.resident_id,
             developer = excluded.developer, area_register = excluded.area_register,
             area_survey = excluded.area_survey, area_contract = excluded.area_contract,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(o.dwelling_id)
    .bind(o.resident_id)
    .bind(flag(o.resident_id.is_none()))
    .bind(o.area_register)
    .bind(o.area_survey)
    .bind(o.area_contract)
    .bind(o.by)
    .bind(o.now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear_owner(conn: &mut Conn, dwelling_id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM dwelling_owners WHERE dwelling_id = $1")
        .bind(dwelling_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A registered owner of a dwelling in a scope, for the roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingRow {
    pub dwelling_id: i64,
    pub resident_id: Option<i64>,
    pub area_register: Option<i64>,
    pub area_survey: Option<i64>,
    pub area_contract: Option<i64>,
    pub floor: i64,
    /// `1号楼1单元301`
    pub label: String,
}

/// The owned dwellings in an estate, a building or a unit (`kind` is
/// `estate`, `building` or `unit`). Dwellings without an owner in the
/// register are not on any roll.
pub async fn holdings(conn: &mut Conn, kind: &str, id: i64) -> Result<Vec<HoldingRow>, StoreError> {
    let filter = match kind {
        "estate" => "b.estate_id = $1",
        "building" => "b.id = $1",
        _ => "u.id = $1",
    };
    let sql = format!(
        "SELECT d.id, o.resident_id, o.area_register, o.area_survey, o.area_contract,
                b.name, u.name, d.room, d.floor
         FROM dwelling_owners o JOIN dwellings d ON d.id = o.dwelling_id
         JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
         WHERE {filter} ORDER BY b.id, u.id, d.floor, d.room"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(HoldingRow {
                dwelling_id: r.try_get(0)?,
                resident_id: r.try_get(1)?,
                area_register: r.try_get(2)?,
                area_survey: r.try_get(3)?,
                area_contract: r.try_get(4)?,
                floor: r.try_get(8)?,
                label: format!(
                    "{}{}{}",
                    r.try_get::<String, _>(5)?,
                    r.try_get::<String, _>(6)?,
                    r.try_get::<String, _>(7)?
                ),
            })
        })
        .collect()
}

/// A place a vote can be held on: (community code, its name), for an
/// estate, building or unit id.
pub async fn scope_place(
    conn: &mut Conn,
    kind: &str,
    id: i64,
) -> Result<Option<(String, String)>, StoreError> {
    let sql = match kind {
        "estate" => "SELECT e.community_code, e.name FROM estates e WHERE e.id = $1",
        "building" => {
            "SELECT b.community_code, e.name || ' ' || b.name FROM buildings b
             JOIN estates e ON e.id = b.estate_id WHERE b.id = $1"
        }
        _ => {
            "SELECT b.community_code, e.name || ' ' || b.name || u.name FROM units u
             JOIN buildings b ON b.id = u.building_id JOIN estates e ON e.id = b.estate_id
             WHERE u.id = $1"
        }
    };
    let row = sqlx::query(sql).bind(id).fetch_optional(conn).await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// The estates, buildings and units of the communities under `prefixes`,
/// for the scope picker: (kind, id, name), estates first.
pub async fn scopes(
    conn: &mut Conn,
    prefixes: &[String],
) -> Result<Vec<(String, i64, String)>, StoreError> {
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let likes: Vec<String> = (0..prefixes.len())
        .map(|i| format!("b.community_code LIKE ${}", i + 1))
        .collect();
    let sql = format!(
        "SELECT 'estate', e.id, e.name, e.id, 0, 0 FROM estates e
           WHERE e.id IN (SELECT b.estate_id FROM buildings b WHERE {w})
         UNION ALL
         SELECT 'building', b.id, e.name || ' ' || b.name, e.id, b.id, 0 FROM buildings b
           JOIN estates e ON e.id = b.estate_id WHERE {w}
         UNION ALL
         SELECT 'unit', u.id, e.name || ' ' || b.name || u.name, e.id, b.id, u.id FROM units u
           JOIN buildings b ON b.id = u.building_id JOIN estates e ON e.id = b.estate_id WHERE {w}
         ORDER BY 4, 5, 6",
        w = likes.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in prefixes {
        q = q.bind(format!("{p}%"));
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// SQL: the resident `$1` (not moved out) lives in the estate, building or
/// unit named by the row `alias` (its `scope_kind`, `scope_id`).
pub(crate) fn lives_in_scope_of(alias: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM residents p JOIN dwellings d ON d.id = p.dwelling_id
                 JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
                 WHERE p.id = $1 AND p.moved_out IS NULL AND (
                   ({alias}.scope_kind = 'unit' AND {alias}.scope_id = u.id)
                   OR ({alias}.scope_kind = 'building' AND {alias}.scope_id = b.id)
                   OR ({alias}.scope_kind = 'estate' AND {alias}.scope_id = b.estate_id)))"
    )
}

/// Whether a resident (not moved out) lives in an estate, building or unit.
pub async fn lives_in(
    conn: &mut Conn,
    resident_id: i64,
    kind: &str,
    id: i64,
) -> Result<bool, StoreError> {
    let filter = match kind {
        "estate" => "b.estate_id = $2",
        "building" => "b.id = $2",
        _ => "u.id = $2",
    };
    let sql = format!(
        "SELECT COUNT(*) FROM residents p JOIN dwellings d ON d.id = p.dwelling_id
         JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
         WHERE p.id = $1 AND p.moved_out IS NULL AND {filter}"
    );
    let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(resident_id)
        .bind(id)
        .fetch_one(conn)
        .await?
        .try_get(0)?;
    Ok(n > 0)
}

/// The residents (not moved out) living in a dwelling: (id, name).
pub async fn residents_of_dwelling(
    conn: &mut Conn,
    dwelling_id: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name FROM residents WHERE dwelling_id = $1 AND moved_out IS NULL ORDER BY id",
    )
    .bind(dwelling_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Sets many owners at once (the demo, an import): new rows only.
pub async fn insert_owners(conn: &mut Conn, rows: &[SetOwner]) -> Result<(), StoreError> {
    for piece in crate::multirow::pieces(rows.len()) {
        let sql = format!(
            "INSERT INTO dwelling_owners (dwelling_id, resident_id, developer, area_register, area_survey,
                                          area_contract, updated_by, updated_at) VALUES {}",
            crate::multirow::placeholders(piece.len(), 8)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for o in &rows[piece] {
            q = q
                .bind(o.dwelling_id)
                .bind(o.resident_id)
                .bind(flag(o.resident_id.is_none()))
                .bind(o.area_register)
                .bind(o.area_survey)
                .bind(o.area_contract)
                .bind(o.by)
                .bind(o.now.0);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Every dwelling of an estate with the first resident living there:
/// (dwelling, building, unit, floor, first resident).
pub async fn dwellings_of_estate(
    conn: &mut Conn,
    estate_id: i64,
) -> Result<Vec<(i64, i64, i64, i64, Option<i64>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT d.id, b.id, u.id, d.floor,
                (SELECT MIN(r.id) FROM residents r WHERE r.dwelling_id = d.id AND r.moved_out IS NULL)
         FROM dwellings d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
         WHERE b.estate_id = $1 ORDER BY b.id, u.id, d.floor, d.room",
    )
    .bind(estate_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
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
