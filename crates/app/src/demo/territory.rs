//! The demo's territory: 长山花园's outline tiled by 10 grids, 11 buildings
//! with their units and dwellings, and the party network over them.

use super::{COMMUNITY, NUMERALS, person};
use crate::AppError;
use linli_domain::access::RegionCode;
use linli_domain::territory::grid_index::boundary_geojson;
use linli_domain::territory::party::{NodeKind, OrgKind, PostKind};
use linli_domain::territory::places::DwellingSpec;
use linli_store::Tx;
use linli_store::territory::party::{self, NewOrg, NewPost};
use linli_store::territory::places::{self, NewBuilding};

const COLS: usize = 5;
const ROWS: usize = 2;
const FLOORS: i64 = 23;
const ROOMS_PER_FLOOR: i64 = 3;
/// Units per building (45 in all).
const UNITS: [usize; 11] = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5];
/// 党小组 per building (24 in all).
const GROUPS: [usize; 11] = [2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3];
const HOUSEHOLDS: usize = 161;

/// The lattice corner (i, j) of the grid tiling: a 5 × 2 grid of cells
/// about 96 m × 200 m, with the inner corners nudged so that the grids
/// are irregular quadrilaterals, as streets make them, while still
/// sharing their edges exactly.
fn corner(i: usize, j: usize) -> (f64, f64) {
    let (lng0, lat0, dx, dy) = (125.3300, 43.9180, 0.0012, 0.0018);
    let wobble = |k: usize, m: usize| ((k * m) % 5) as f64 - 2.0;
    let inner_i = i > 0 && i < COLS;
    let inner_j = j > 0 && j < ROWS;
    let shift_lng = if inner_i {
        wobble(i + j, 7) * 0.00008
    } else {
        0.0
    };
    let shift_lat = if inner_j { wobble(i, 3) * 0.00010 } else { 0.0 };
    (
        lng0 + dx * i as f64 + shift_lng,
        lat0 + dy * j as f64 + shift_lat,
    )
}

fn polygon(ring: &[(f64, f64)]) -> String {
    let coords: Vec<geo::Coord<f64>> = ring.iter().map(|&(x, y)| geo::Coord { x, y }).collect();
    let poly = geo::Polygon::new(geo::LineString::new(coords), vec![]);
    boundary_geojson(&geo::MultiPolygon::new(vec![poly]))
}

/// The community outline and the ten grids, 第一网格 … 第十网格.
pub fn tiling() -> (String, Vec<(String, String)>) {
    let outline = polygon(&[
        corner(0, 0),
        corner(COLS, 0),
        corner(COLS, ROWS),
        corner(0, ROWS),
        corner(0, 0),
    ]);
    let mut grids = Vec::new();
    for j in 0..ROWS {
        for i in 0..COLS {
            let ring = [
                corner(i, j),
                corner(i + 1, j),
                corner(i + 1, j + 1),
                corner(i, j + 1),
                corner(i, j),
            ];
            let n = j * COLS + i;
            grids.push((format!("第{}网格", NUMERALS[n]), polygon(&ring)));
        }
    }
    (outline, grids)
}

/// Where building `b` (0-based) stands: the middle of its grid's cell;
/// the last cell holds two buildings, south and north of its middle.
pub fn building_site(b: usize) -> (usize, (f64, f64)) {
    let cell = b.min(COLS * ROWS - 1);
    let (i, j) = (cell % COLS, cell / COLS);
    let cs = [
        corner(i, j),
        corner(i + 1, j),
        corner(i + 1, j + 1),
        corner(i, j + 1),
    ];
    let mid = |t: f64| {
        // t: 0 = south edge, 1 = north edge, along the cell's middle
        let south = ((cs[0].0 + cs[1].0) / 2.0, (cs[0].1 + cs[1].1) / 2.0);
        let north = ((cs[3].0 + cs[2].0) / 2.0, (cs[3].1 + cs[2].1) / 2.0);
        (
            south.0 + (north.0 - south.0) * t,
            south.1 + (north.1 - south.1) * t,
        )
    };
    let at = match b {
        9 => mid(0.3),
        10 => mid(0.7),
        _ => mid(0.5),
    };
    (cell, at)
}

fn dwellings_of_unit() -> Vec<DwellingSpec> {
    let areas = [68.5, 89.2, 112.6];
    let mut out = Vec::new();
    for floor in 1..=FLOORS {
        for n in 1..=ROOMS_PER_FLOOR {
            out.push(DwellingSpec {
                floor,
                room: format!("{floor}{n:02}"),
                area_m2: Some(areas[(n - 1) as usize]),
            });
        }
    }
    out
}

pub(super) struct Seeded {
    pub(super) grid_ids: Vec<i64>,
    pub(super) grid_codes: Vec<RegionCode>,
}

pub(super) async fn seed_places(
    tx: &mut Tx,
    community: &RegionCode,
    now: linli_domain::time::UnixMs,
) -> Result<Seeded, AppError> {
    let (outline, grids) = tiling();
    places::set_region_shape(tx, community, &outline, now).await?;
    let org = |parent_id, kind, name: String, node_kind, node_id| {
        (parent_id, kind, name, node_kind, node_id)
    };
    let add_org = async |tx: &mut Tx,
                         (parent_id, kind, name, node_kind, node_id): (
        Option<i64>,
        OrgKind,
        String,
        NodeKind,
        Option<i64>,
    )| {
        party::insert_org(
            tx,
            NewOrg {
                community,
                parent_id,
                kind,
                name: &name,
                node_kind,
                node_id,
                now,
            },
        )
        .await
    };
    let add_post =
        async |tx: &mut Tx, post: PostKind, node_id: Option<i64>, k: usize, unit: Option<&str>| {
            let name = person(k);
            party::insert_post(
                tx,
                NewPost {
                    community,
                    post,
                    node_id,
                    person_name: &name,
                    user_id: None,
                    unit_name: unit,
                    start_date: "2024-01-01",
                    end_date: None,
                    now,
                },
            )
            .await
        };
    let committee = add_org(
        tx,
        org(
            None,
            OrgKind::Committee,
            "中共长山花园社区委员会".into(),
            NodeKind::Community,
            None,
        ),
    )
    .await?;
    for (unit, k) in [("团山派出所", 90), ("长山花园物业服务中心", 91)] {
        add_org(
            tx,
            org(
                Some(committee),
                OrgKind::PartnerOrg,
                format!("{unit}党支部"),
                NodeKind::Community,
                None,
            ),
        )
        .await?;
        add_post(tx, PostKind::ConcurrentMember, None, k, Some(unit)).await?;
    }
    add_post(tx, PostKind::FirstSecretary, None, 92, None).await?;
    add_post(tx, PostKind::PartyInstructor, None, 93, None).await?;

    let mut seeded = Seeded {
        grid_ids: Vec::new(),
        grid_codes: Vec::new(),
    };
    let mut branches = Vec::new();
    for (n, (name, boundary)) in grids.iter().enumerate() {
        let code: RegionCode = format!("{COMMUNITY}{:03}", n + 1).parse()?;
        let id = places::insert_grid(tx, &code, community, None, name, Some(boundary), now).await?;
        let branch = add_org(
            tx,
            org(
                Some(committee),
                OrgKind::Branch,
                format!("{name}党支部"),
                NodeKind::Grid,
                Some(id),
            ),
        )
        .await?;
        add_post(tx, PostKind::GridHead, Some(id), n, None).await?;
        add_post(tx, PostKind::BranchSecretary, Some(id), n + 10, None).await?;
        if n >= 2 {
            // the first two grids' workers are the demo accounts
            add_post(tx, PostKind::GridWorker, Some(id), n + 20, None).await?;
        }
        seeded.grid_ids.push(id);
        seeded.grid_codes.push(code);
        branches.push(branch);
    }

    let estate = places::insert_estate(
        tx,
        community,
        "长山花园小区",
        Some("长春市宽城区团山街道长山花园"),
        now,
    )
    .await?;
    let per_unit = dwellings_of_unit();
    let mut households_left = HOUSEHOLDS;
    let mut groups_left = GROUPS.iter().sum::<usize>();
    let mut k = 30;
    for b in 0..UNITS.len() {
        let (cell, at) = building_site(b);
        let name = format!("{}号楼", b + 1);
        let id = places::insert_building(
            tx,
            NewBuilding {
                community,
                estate_id: estate,
                grid_id: Some(seeded.grid_ids[cell]),
                name: &name,
                lng_lat: Some(at),
                floors: Some(FLOORS),
                now,
            },
        )
        .await?;
        if b < 10 {
            add_post(tx, PostKind::BuildingHead, Some(id), k, None).await?;
            k += 1;
        }
        for u in 0..UNITS[b] {
            let unit_name = format!("{}单元", u + 1);
            let unit = places::insert_unit(tx, id, &unit_name).await?;
            places::insert_dwellings(tx, unit, &per_unit).await?;
            add_post(tx, PostKind::UnitHead, Some(unit), k, None).await?;
            k += 1;
        }
        let dwellings = places::dwellings_of(tx, id, i64::MAX, 0).await?;
        let mut pick = 0usize;
        for numeral in &NUMERALS[..GROUPS[b]] {
            let group = add_org(
                tx,
                org(
                    Some(branches[cell]),
                    OrgKind::Group,
                    format!("{name}第{numeral}党小组"),
                    NodeKind::Building,
                    Some(id),
                ),
            )
            .await?;
            add_post(tx, PostKind::GroupLeader, Some(id), k, None).await?;
            k += 1;
            // spread the households evenly over the groups still to come
            let n = households_left.div_ceil(groups_left);
            households_left -= n;
            groups_left -= 1;
            for _ in 0..n {
                let d = &dwellings[(pick * 37) % dwellings.len()];
                pick += 1;
                let label = format!("{name}{}{}室党员家庭户", d.unit, d.room);
                add_org(
                    tx,
                    org(
                        Some(group),
                        OrgKind::Household,
                        label,
                        NodeKind::Dwelling,
                        Some(d.id),
                    ),
                )
                .await?;
            }
        }
    }
    Ok(seeded)
}
