//! 房屋台账 in Excel: a template, export of what the caller may see, and
//! import of estates/buildings/units/dwellings with per-row errors. Valid
//! rows are kept and written in one transaction; a second import of the
//! same file changes nothing.

use crate::accounts::auth::Principal;
use crate::infra::xlsx::{Cell, Sheet, SheetOut, find_column, read_first_sheet, write_book};
use crate::territory::places::{Location, community_region};
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, allowed};
use linli_domain::geo::CoordSys;
use linli_domain::territory::places::{DwellingSpec, PLACE_COLUMNS, PlaceRow};
use linli_store::territory::places::{self as store, NewBuilding};
use linli_store::{Tx, audit};
use std::collections::{BTreeMap, HashMap};

/// A row that was not imported, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// the row number as Excel shows it
    pub row: usize,
    pub reason: String,
    pub cells: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlaceImport {
    pub rows: usize,
    pub estates: usize,
    pub buildings: usize,
    pub units: usize,
    pub dwellings: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: Vec<Rejected>,
    /// the file's headers, for writing the rejected rows back
    pub headers: Vec<String>,
}

fn headers() -> Vec<&'static str> {
    PLACE_COLUMNS.iter().map(|c| c.0).collect()
}

/// The rejected rows as an xlsx: the file's own columns plus 错误原因.
pub fn rejected_xlsx(report: &PlaceImport) -> Result<Vec<u8>, AppError> {
    rejected_rows_xlsx(&report.headers, &report.rejected)
}

/// Rejected rows under the file's own headers, with 错误原因 last.
pub fn rejected_rows_xlsx(headers: &[String], rejected: &[Rejected]) -> Result<Vec<u8>, AppError> {
    let mut cols: Vec<&str> = headers.iter().map(String::as_str).collect();
    cols.push("错误原因");
    let rows: Vec<Vec<Cell>> = rejected
        .iter()
        .map(|r| {
            let mut row: Vec<Cell> = r.cells.iter().map(|c| Cell::Text(c.clone())).collect();
            row.resize(cols.len() - 1, Cell::Empty);
            row.push(Cell::Text(format!("第 {} 行:{}", r.row, r.reason)));
            row
        })
        .collect();
    write_book(&[SheetOut {
        name: "未导入",
        headers: &cols,
        rows: &rows,
    }])
}

/// The template: the columns, two example rows and a sheet of notes.
pub fn places_template() -> Result<Vec<u8>, AppError> {
    let t = |s: &str| Cell::Text(s.to_owned());
    let example = vec![
        vec![
            t("长山花园小区"),
            t("1号楼"),
            t("1单元"),
            Cell::Number(1.0),
            t("101"),
            Cell::Number(68.5),
            Cell::Number(125.3306),
            Cell::Number(43.9189),
        ],
        vec![
            t("长山花园小区"),
            t("1号楼"),
            t("1单元"),
            Cell::Number(1.0),
            t("102"),
            Cell::Number(89.2),
            Cell::Empty,
            Cell::Empty,
        ],
    ];
    let notes: Vec<Vec<Cell>> = [
        "每行一户。小区、楼栋、单元、楼层、房号必填;建筑面积、经纬度可空。",
        "楼栋填 5 即 5号楼,单元填 1 即 1单元;全角数字会自动转换。",
        "经纬度为楼栋位置(WGS-84/GPS),同一楼栋填一行即可;系统据此判定所属网格。",
        "列的顺序不限,也可用 门牌号/室(房号)、面积(建筑面积)、楼号(楼栋)等列名。",
        "重复导入同一文件不会产生重复数据;有误的行会单独列出原因,其余行照常导入。",
    ]
    .iter()
    .map(|n| vec![t(n)])
    .collect();
    write_book(&[
        SheetOut {
            name: "房屋",
            headers: &headers(),
            rows: &example,
        },
        SheetOut {
            name: "填写说明",
            headers: &["说明"],
            rows: &notes,
        },
    ])
}

/// A building's dwellings: (unit id, room) → (dwelling id, floor, area).
type KnownDwellings = HashMap<(i64, String), (i64, i64, Option<f64>)>;

/// Rows keyed by (estate, building, unit, room).
type Key = (String, String, String, String);

fn parse_rows(sheet: &Sheet, report: &mut PlaceImport) -> Result<Vec<(usize, PlaceRow)>, AppError> {
    let cols: Vec<(&str, Option<usize>)> = PLACE_COLUMNS
        .iter()
        .map(|(name, syn)| (*name, find_column(&sheet.headers, name, syn)))
        .collect();
    let missing: Vec<&str> = cols
        .iter()
        .take(5)
        .filter(|c| c.1.is_none())
        .map(|c| c.0)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Invalid(format!(
            "缺少必需的列:{}(请使用导入模板)",
            missing.join("、")
        )));
    }
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut out = Vec::new();
    for (row_no, cells) in &sheet.rows {
        let cell = |name: &str| {
            cols.iter()
                .find(|c| c.0 == name)
                .and_then(|c| c.1)
                .and_then(|i| cells.get(i))
                .map_or("", String::as_str)
        };
        let parsed = PlaceRow::parse(cell).and_then(|r| {
            let key = (
                r.estate.clone(),
                r.building.clone(),
                r.unit.clone(),
                r.dwelling.room.clone(),
            );
            match seen.insert(key, *row_no) {
                Some(first) => Err(format!("与第 {first} 行重复(同一单元同一房号)")),
                None => Ok(r),
            }
        });
        match parsed {
            Ok(r) => out.push((*row_no, r)),
            Err(reason) => report.rejected.push(Rejected {
                row: *row_no,
                reason,
                cells: cells.clone(),
            }),
        }
    }
    Ok(out)
}

impl App {
    /// Imports the 房屋 sheet of an xlsx into a community.
    pub async fn import_places(
        &self,
        who: &Principal,
        community: &RegionCode,
        bytes: &[u8],
        actor: &Actor,
    ) -> Result<PlaceImport, AppError> {
        if !allowed(&who.grants, Permission::EditPlaces, community) {
            return Err(AppError::Forbidden);
        }
        let (sheet, broken) = read_first_sheet(bytes)?;
        let mut report = PlaceImport {
            headers: sheet.headers.clone(),
            rows: sheet.rows.len() + broken.len(),
            ..PlaceImport::default()
        };
        report
            .rejected
            .extend(broken.into_iter().map(|(row, reason)| Rejected {
                row,
                reason,
                cells: Vec::new(),
            }));
        let rows = parse_rows(&sheet, &mut report)?;
        // the grid of each new building's point, found before writing
        let mut grid_of: HashMap<(String, String), Option<i64>> = HashMap::new();
        for (_, r) in &rows {
            let key = (r.estate.clone(), r.building.clone());
            if let (Some(p), false) = (r.at, grid_of.contains_key(&key)) {
                let at = Location {
                    lng: p.lng,
                    lat: p.lat,
                    sys: CoordSys::Wgs84,
                };
                let grid = self.locate(at).await?.filter(|g| community.covers(&g.code));
                grid_of.insert(key, grid.map(|g| g.id));
            }
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        community_region(&mut tx, community).await?;
        write_rows(&mut tx, community, &rows, &grid_of, &mut report, now).await?;
        let detail = format!(
            "rows={} estates={} buildings={} units={} dwellings={} updated={} rejected={}",
            report.rows,
            report.estates,
            report.buildings,
            report.units,
            report.dwellings,
            report.updated,
            report.rejected.len()
        );
        audit::append(
            &mut tx,
            event(
                actor,
                "places.import",
                format!("region:{community}"),
                detail,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        report.rejected.sort_by_key(|r| r.row);
        Ok(report)
    }

    /// The dwellings the caller may see, as the template's sheet.
    pub async fn export_places(
        &self,
        who: &Principal,
        community: &RegionCode,
    ) -> Result<Vec<u8>, AppError> {
        let view = self.community(who, community).await?;
        let mut rows = Vec::new();
        let mut conn = self.db.conn().await?;
        for b in &view.buildings {
            let num = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
            for d in store::dwellings_of(&mut conn, b.id, i64::MAX, 0).await? {
                rows.push(vec![
                    Cell::Text(b.estate.clone()),
                    Cell::Text(b.name.clone()),
                    Cell::Text(d.unit),
                    Cell::Number(d.floor as f64),
                    Cell::Text(d.room),
                    num(d.area_m2),
                    num(b.lng),
                    num(b.lat),
                ]);
            }
        }
        write_book(&[SheetOut {
            name: "房屋",
            headers: &headers(),
            rows: &rows,
        }])
    }
}

async fn write_rows(
    tx: &mut Tx,
    community: &RegionCode,
    rows: &[(usize, PlaceRow)],
    grid_of: &HashMap<(String, String), Option<i64>>,
    report: &mut PlaceImport,
    now: linli_domain::time::UnixMs,
) -> Result<(), AppError> {
    let mut estates: HashMap<String, i64> = store::estates_of(tx, community)
        .await?
        .into_iter()
        .map(|e| (e.name, e.id))
        .collect();
    let mut buildings: HashMap<(i64, String), i64> = store::buildings_of(tx, community)
        .await?
        .into_iter()
        .map(|b| ((b.estate_id, b.name), b.id))
        .collect();
    // per building: unit name → id, and (unit id, room) → (dwelling id, floor, area)
    let mut units: HashMap<i64, HashMap<String, i64>> = HashMap::new();
    let mut dwellings: HashMap<i64, KnownDwellings> = HashMap::new();
    let mut new_dwellings: BTreeMap<i64, Vec<DwellingSpec>> = BTreeMap::new();
    for (_, r) in rows {
        let estate = match estates.get(&r.estate) {
            Some(id) => *id,
            None => {
                let id = store::insert_estate(tx, community, &r.estate, None, now).await?;
                report.estates += 1;
                estates.insert(r.estate.clone(), id);
                id
            }
        };
        let building = match buildings.get(&(estate, r.building.clone())) {
            Some(id) => *id,
            None => {
                let grid_id = grid_of
                    .get(&(r.estate.clone(), r.building.clone()))
                    .copied()
                    .flatten();
                let new = NewBuilding {
                    community,
                    estate_id: estate,
                    grid_id,
                    name: &r.building,
                    lng_lat: r.at.map(|p| (p.lng, p.lat)),
                    floors: None,
                    now,
                };
                let id = store::insert_building(tx, new).await?;
                report.buildings += 1;
                buildings.insert((estate, r.building.clone()), id);
                id
            }
        };
        if let std::collections::hash_map::Entry::Vacant(e) = units.entry(building) {
            let known = store::units_of(tx, building).await?;
            e.insert(known.into_iter().map(|u| (u.name, u.id)).collect());
            let ds = store::dwellings_of(tx, building, i64::MAX, 0).await?;
            let map = ds
                .into_iter()
                .map(|d| ((d.unit_id, d.room), (d.id, d.floor, d.area_m2)))
                .collect();
            dwellings.insert(building, map);
        }
        let unit_ids = units.entry(building).or_default();
        let unit = match unit_ids.get(&r.unit) {
            Some(id) => *id,
            None => {
                let id = store::insert_unit(tx, building, &r.unit).await?;
                report.units += 1;
                unit_ids.insert(r.unit.clone(), id);
                id
            }
        };
        let known = dwellings.entry(building).or_default();
        match known.get(&(unit, r.dwelling.room.clone())) {
            Some(&(id, floor, area)) => {
                if floor != r.dwelling.floor || area != r.dwelling.area_m2 {
                    store::update_dwelling(tx, id, r.dwelling.floor, r.dwelling.area_m2).await?;
                    report.updated += 1;
                } else {
                    report.unchanged += 1;
                }
            }
            None => new_dwellings
                .entry(unit)
                .or_default()
                .push(r.dwelling.clone()),
        }
    }
    for (unit, ds) in new_dwellings {
        report.dwellings += store::insert_dwellings(tx, unit, &ds).await? as usize;
    }
    Ok(())
}
