//! 人房地情 — care tags, households and residents. Personal fields arrive
//! sealed and leave sealed: this layer never sees a clear ID number or
//! phone. Every read that lists residents takes the caller's scope
//! prefixes and keeps only the buildings they reach.

use crate::{Conn, StoreError};
use linli_domain::access::RegionCode;
use linli_domain::time::UnixMs;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

pub mod binding;
pub mod care_cards;
pub mod occupancy;
pub mod pipl;
mod search;
mod tags;

pub use search::{COUNT_CAP, ResidentFilter, Scope, count, scope, search};
pub use tags::{PersonTag, Tag, add_tags, ensure_tag, set_tags, tags, tags_of};

/// The import's page cache: a million residents' five random-keyed
/// indexes outgrow it, but more buys little (160 MiB: ±5 s of ~55 s, 35 MiB
/// more RSS) and it is most of the import's memory.
const BULK_CACHE_MIB: i64 = 128;

/// Gives a bulk import's connection a larger SQLite page cache (the blind
/// indexes are random keys: a million of them outgrow the default cache),
/// or puts the default back. Nothing on PostgreSQL.
pub async fn bulk_cache(conn: &mut Conn, on: bool) -> Result<(), StoreError> {
    if conn.backend_name() != "SQLite" {
        return Ok(());
    }
    let sql = if on {
        format!("PRAGMA cache_size = -{}", BULK_CACHE_MIB * 1024)
    } else {
        "PRAGMA cache_size = -32768".to_owned()
    };
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(conn).await?;
    Ok(())
}

/// Makes imports into one community take turns (PostgreSQL: a lock held to
/// the end of the transaction; SQLite writers take turns already). Two
/// uploads of the same file at once would otherwise both find nobody
/// registered, and the second would leave households with nobody in them.
pub async fn lock_for_import(conn: &mut Conn, community: &RegionCode) -> Result<(), StoreError> {
    if conn.backend_name() == "SQLite" {
        return Ok(());
    }
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('residents-import:' || $1))")
        .bind(community.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// How many households of a community have nobody in them.
pub async fn empty_households(conn: &mut Conn, community: &RegionCode) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "SELECT COUNT(*) FROM households h WHERE h.community_code = $1
         AND NOT EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id)",
    )
    .bind(community.as_str())
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}

/// Refreshes PostgreSQL's planner statistics after a bulk import (it would
/// otherwise plan with the empty table's figures until autovacuum comes
/// round). SQLite is left without statistics on purpose: with them its
/// planner reads a page of residents by building and sorts it, ten times
/// slower than walking them in id order.
pub async fn refresh_statistics(conn: &mut Conn) -> Result<(), StoreError> {
    if conn.backend_name() != "SQLite" {
        sqlx::query("ANALYZE").execute(conn).await?;
    }
    Ok(())
}

/// Where a dwelling is, for the importer: (estate, building, unit, room)
/// → (dwelling id, building id), for one community.
pub type DwellingKey = (String, String, String, String);

pub async fn dwelling_keys(
    conn: &mut Conn,
    community: &RegionCode,
) -> Result<HashMap<DwellingKey, (i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT e.name, b.name, u.name, d.room, d.id, b.id
         FROM dwellings d JOIN units u ON u.id = d.unit_id
         JOIN buildings b ON b.id = u.building_id JOIN estates e ON e.id = b.estate_id
         WHERE b.community_code = $1",
    )
    .bind(community.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?),
                (r.try_get(4)?, r.try_get(5)?),
            ))
        })
        .collect()
}

/// The dwelling's building and the scope that reaches it.
pub async fn dwelling_place(
    conn: &mut Conn,
    dwelling_id: i64,
) -> Result<Option<(i64, RegionCode, RegionCode)>, StoreError> {
    let row = sqlx::query(
        "SELECT b.id, b.community_code, COALESCE(g.code, b.community_code)
         FROM dwellings d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
         LEFT JOIN grids g ON g.id = b.grid_id WHERE d.id = $1",
    )
    .bind(dwelling_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((r.try_get(0)?, code(&r, 1)?, code(&r, 2)?)))
        .transpose()
}

/// The first household of a dwelling, created when it has none.
pub async fn household_for(
    conn: &mut Conn,
    community: &RegionCode,
    dwelling_id: i64,
    now: UnixMs,
) -> Result<i64, StoreError> {
    let found = sqlx::query("SELECT MIN(id) FROM households WHERE dwelling_id = $1")
        .bind(dwelling_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get::<Option<i64>, _>(0)?;
    if let Some(id) = found {
        return Ok(id);
    }
    let r = sqlx::query(
        "INSERT INTO households (community_code, dwelling_id, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(community.as_str())
    .bind(dwelling_id)
    .bind(now.0)
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}

/// A resident's stored fields; personal ones sealed.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentRecord {
    pub community: RegionCode,
    pub household_id: i64,
    pub dwelling_id: i64,
    pub building_id: i64,
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub doc_kind: String,
    pub doc_sealed: String,
    pub doc_index: String,
    pub doc_masked: String,
    pub phone_sealed: Option<String>,
    pub phone_index: Option<String>,
    pub phone_masked: Option<String>,
    pub health_sealed: Option<String>,
    pub ethnicity: String,
    pub political: String,
    pub relation: String,
    pub residency: String,
    pub work_unit: String,
    pub moved_in: Option<String>,
}

const INSERT_COLS: &str = "community_code, household_id, dwelling_id, building_id, name, gender,
    birth_date, doc_kind, doc_sealed, doc_index, doc_masked, phone_sealed, phone_index,
    phone_masked, health_sealed, ethnicity, political, relation, residency, work_unit,
    moved_in, created_at, updated_at";

/// Inserts many residents with one statement per 100 (the importer's
/// path). Someone already registered under the same blind index is left
/// as they are: the unique index finds them in the same descent that
/// would insert them, so no separate lookup is paid per row. Returns the
/// (blind index, id) of each one inserted.
pub async fn insert_residents(
    conn: &mut Conn,
    records: &[&ResidentRecord],
    now: UnixMs,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut inserted = Vec::with_capacity(records.len());
    // SQLite gets positional `?` placeholders: sqlx binds `$n` there by
    // scanning every parameter's name, which costs the square of the
    // parameter count; PostgreSQL takes `$n` as they are.
    let sqlite = conn.backend_name() == "SQLite";
    for batch in records.chunks(if sqlite { 100 } else { 50 }) {
        let mut n = 0;
        let mut param = || {
            n += 1;
            if sqlite {
                "?".to_owned()
            } else {
                format!("${n}")
            }
        };
        let rows: Vec<String> = batch
            .iter()
            .map(|_| {
                let ps: Vec<String> = (0..23).map(|_| param()).collect();
                format!("({})", ps.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO residents ({INSERT_COLS}) VALUES {}
             ON CONFLICT (doc_index) DO NOTHING RETURNING doc_index, id",
            rows.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in batch {
            q = q
                .bind(r.community.as_str().to_owned())
                .bind(r.household_id)
                .bind(r.dwelling_id)
                .bind(r.building_id)
                .bind(r.name.clone())
                .bind(r.gender.clone())
                .bind(r.birth_date.clone())
                .bind(r.doc_kind.clone())
                .bind(r.doc_sealed.clone())
                .bind(r.doc_index.clone())
                .bind(r.doc_masked.clone())
                .bind(r.phone_sealed.clone())
                .bind(r.phone_index.clone())
                .bind(r.phone_masked.clone())
                .bind(r.health_sealed.clone())
                .bind(r.ethnicity.clone())
                .bind(r.political.clone())
                .bind(r.relation.clone())
                .bind(r.residency.clone())
                .bind(r.work_unit.clone())
                .bind(r.moved_in.clone())
                .bind(now.0)
                .bind(now.0);
        }
        for r in q.fetch_all(&mut *conn).await? {
            inserted.push((r.try_get(0)?, r.try_get(1)?));
        }
    }
    Ok(inserted)
}

/// Which of these blind indexes are already registered: (doc_index, id,
/// dwelling id) for each match.
pub async fn doc_matches(
    conn: &mut Conn,
    indexes: &[String],
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let mut out = Vec::new();
    for batch in indexes.chunks(200) {
        let ps: Vec<String> = (1..=batch.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT doc_index, id, dwelling_id FROM residents WHERE doc_index IN ({})",
            ps.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in batch {
            q = q.bind(v.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
        }
    }
    Ok(out)
}

pub async fn insert_resident(
    conn: &mut Conn,
    r: &ResidentRecord,
    now: UnixMs,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO residents (community_code, household_id, dwelling_id, building_id, name, gender,
            birth_date, doc_kind, doc_sealed, doc_index, doc_masked, phone_sealed, phone_index,
            phone_masked, health_sealed, ethnicity, political, relation, residency, work_unit,
            moved_in, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19, $20, $21, $22, $22)
         RETURNING id",
    )
    .bind(r.community.as_str())
    .bind(r.household_id)
    .bind(r.dwelling_id)
    .bind(r.building_id)
    .bind(&r.name)
    .bind(&r.gender)
    .bind(&r.birth_date)
    .bind(&r.doc_kind)
    .bind(&r.doc_sealed)
    .bind(&r.doc_index)
    .bind(&r.doc_masked)
    .bind(&r.phone_sealed)
    .bind(&r.phone_index)
    .bind(&r.phone_masked)
    .bind(&r.health_sealed)
    .bind(&r.ethnicity)
    .bind(&r.political)
    .bind(&r.relation)
    .bind(&r.residency)
    .bind(&r.work_unit)
    .bind(&r.moved_in)
    .bind(now.0)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Rewrites a resident's fields other than where they live.
pub async fn update_resident(
    conn: &mut Conn,
    id: i64,
    r: &ResidentRecord,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE residents SET name = $2, gender = $3, birth_date = $4, doc_kind = $5,
            doc_sealed = $6, doc_index = $7, doc_masked = $8, phone_sealed = $9, phone_index = $10,
            phone_masked = $11, ethnicity = $12, political = $13, relation = $14, residency = $15,
            work_unit = $16, updated_at = $17
         WHERE id = $1",
    )
    .bind(id)
    .bind(&r.name)
    .bind(&r.gender)
    .bind(&r.birth_date)
    .bind(&r.doc_kind)
    .bind(&r.doc_sealed)
    .bind(&r.doc_index)
    .bind(&r.doc_masked)
    .bind(&r.phone_sealed)
    .bind(&r.phone_index)
    .bind(&r.phone_masked)
    .bind(&r.ethnicity)
    .bind(&r.political)
    .bind(&r.relation)
    .bind(&r.residency)
    .bind(&r.work_unit)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves a resident to another household and dwelling (迁居).
pub async fn move_resident(
    conn: &mut Conn,
    id: i64,
    to: (i64, i64, i64),
    community: &RegionCode,
    now: UnixMs,
) -> Result<(), StoreError> {
    let (household, dwelling, building) = to;
    sqlx::query(
        "UPDATE residents SET household_id = $2, dwelling_id = $3, building_id = $4,
            community_code = $5, moved_in = NULL, moved_out = NULL, updated_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(household)
    .bind(dwelling)
    .bind(building)
    .bind(community.as_str())
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_health(
    conn: &mut Conn,
    id: i64,
    sealed: Option<&str>,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE residents SET health_sealed = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(sealed)
        .bind(now.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the 包保人 and visit period of one tag on one person.
pub async fn set_carer(
    conn: &mut Conn,
    resident_id: i64,
    tag_id: i64,
    carer: Option<&str>,
    visit_days: Option<i64>,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE resident_tags SET carer = $3, visit_days = $4 WHERE resident_id = $1 AND tag_id = $2",
    )
    .bind(resident_id)
    .bind(tag_id)
    .bind(carer)
    .bind(visit_days)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A resident as read back: stored fields, address and scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Resident {
    pub id: i64,
    pub record: ResidentRecord,
    /// the grid's code, or the community's when the building is in no grid
    pub scope: RegionCode,
    pub estate: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub moved_out: Option<String>,
    pub updated_at: UnixMs,
}

const RESIDENT_SELECT: &str = "SELECT r.id, r.community_code, r.household_id, r.dwelling_id,
    r.building_id, r.name, r.gender, r.birth_date, r.doc_kind, r.doc_sealed, r.doc_index,
    r.doc_masked, r.phone_sealed, r.phone_index, r.phone_masked, r.health_sealed, r.ethnicity,
    r.political, r.relation, r.residency, r.work_unit, r.moved_in, r.moved_out, r.updated_at,
    COALESCE(g.code, b.community_code), e.name, b.name, u.name, d.room
    FROM residents r JOIN dwellings d ON d.id = r.dwelling_id JOIN units u ON u.id = d.unit_id
    JOIN buildings b ON b.id = r.building_id JOIN estates e ON e.id = b.estate_id
    LEFT JOIN grids g ON g.id = b.grid_id";

fn code(r: &AnyRow, i: usize) -> Result<RegionCode, StoreError> {
    let s: String = r.try_get(i)?;
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("resident scope {s}")))
}

fn resident(r: &AnyRow) -> Result<Resident, StoreError> {
    Ok(Resident {
        id: r.try_get(0)?,
        record: ResidentRecord {
            community: code(r, 1)?,
            household_id: r.try_get(2)?,
            dwelling_id: r.try_get(3)?,
            building_id: r.try_get(4)?,
            name: r.try_get(5)?,
            gender: r.try_get(6)?,
            birth_date: r.try_get(7)?,
            doc_kind: r.try_get(8)?,
            doc_sealed: r.try_get(9)?,
            doc_index: r.try_get(10)?,
            doc_masked: r.try_get(11)?,
            phone_sealed: r.try_get(12)?,
            phone_index: r.try_get(13)?,
            phone_masked: r.try_get(14)?,
            health_sealed: r.try_get(15)?,
            ethnicity: r.try_get(16)?,
            political: r.try_get(17)?,
            relation: r.try_get(18)?,
            residency: r.try_get(19)?,
            work_unit: r.try_get(20)?,
            moved_in: r.try_get(21)?,
        },
        moved_out: r.try_get(22)?,
        updated_at: UnixMs(r.try_get(23)?),
        scope: code(r, 24)?,
        estate: r.try_get(25)?,
        building: r.try_get(26)?,
        unit: r.try_get(27)?,
        room: r.try_get(28)?,
    })
}

pub async fn resident_by_id(conn: &mut Conn, id: i64) -> Result<Option<Resident>, StoreError> {
    let sql = format!("{RESIDENT_SELECT} WHERE r.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(resident).transpose()
}

/// A resident's sealed values, for re-sealing.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub id: i64,
    pub doc_kind: String,
    pub doc: String,
    pub phone: Option<String>,
    pub health: Option<String>,
}

pub async fn sealed_page(
    conn: &mut Conn,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Sealed>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, doc_kind, doc_sealed, phone_sealed, health_sealed FROM residents
         WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Sealed {
                id: r.try_get(0)?,
                doc_kind: r.try_get(1)?,
                doc: r.try_get(2)?,
                phone: r.try_get(3)?,
                health: r.try_get(4)?,
            })
        })
        .collect()
}

/// Re-sealed values and their new blind indexes for one resident.
pub struct Resealed<'a> {
    pub doc_sealed: &'a str,
    pub doc_index: &'a str,
    pub phone_sealed: Option<&'a str>,
    pub phone_index: Option<&'a str>,
    pub health_sealed: Option<&'a str>,
}

pub async fn reseal(conn: &mut Conn, id: i64, v: Resealed<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE residents SET doc_sealed = $2, doc_index = $3, phone_sealed = $4, phone_index = $5,
            health_sealed = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(v.doc_sealed)
    .bind(v.doc_index)
    .bind(v.phone_sealed)
    .bind(v.phone_index)
    .bind(v.health_sealed)
    .execute(conn)
    .await?;
    Ok(())
}
