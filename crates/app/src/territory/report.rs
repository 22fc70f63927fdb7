//! 网格校验报告 — a community's grids checked against the seeds' rule
//! ("边界清晰,不留空白区域,不交叉重叠,确保住户全覆盖") and its party
//! network's coverage, with names instead of ids.

use crate::accounts::auth::Principal;
use crate::territory::places::community_region;
use crate::{App, AppError};
use linli_domain::access::{Permission, RegionCode, allowed};
use linli_domain::geo::LngLat;
use linli_domain::territory::coverage::{self, GridShape, Misplaced, Placed};
use linli_domain::territory::grid_index::parse_boundary;
use linli_domain::territory::party::{self, PartyCoverage};
use linli_store::{territory::party as party_store, territory::places};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct OverlapView {
    pub a: String,
    pub b: String,
    pub area_m2: f64,
}

/// A building that is not inside exactly one leaf grid, or not in the
/// grid it is filed under.
#[derive(Debug, Clone, PartialEq)]
pub struct MisplacedView {
    pub building_id: i64,
    pub building: String,
    pub dwellings: i64,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CoverageView {
    pub community: String,
    pub grids: usize,
    pub buildings: usize,
    pub dwellings: i64,
    pub overlaps: Vec<OverlapView>,
    /// None when the community has no outline.
    pub gap_m2: Option<f64>,
    pub misplaced: Vec<MisplacedView>,
    pub grids_without_boundary: Vec<String>,
    pub party: PartyCoverage,
    pub grids_without_branch: Vec<String>,
    pub buildings_without_group: Vec<String>,
}

impl CoverageView {
    /// Grids tile the community and every household is in one grid.
    pub fn grids_clean(&self) -> bool {
        self.overlaps.is_empty()
            && self.gap_m2.is_none_or(|g| g < coverage::AREA_TOLERANCE_M2)
            && self.misplaced.is_empty()
            && self.grids_without_boundary.is_empty()
    }

    /// Every grid has a branch and every building a group.
    pub fn party_clean(&self) -> bool {
        self.grids_without_branch.is_empty() && self.buildings_without_group.is_empty()
    }
}

impl App {
    /// The validation report of one community.
    pub async fn coverage_report(
        &self,
        who: &Principal,
        code: &RegionCode,
    ) -> Result<CoverageView, AppError> {
        if !allowed(&who.grants, Permission::ViewPlaces, code) {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.db.conn().await?;
        let region = community_region(&mut conn, code).await?;
        let grids = places::grids_of(&mut conn, code).await?;
        let buildings = places::buildings_of(&mut conn, code).await?;
        let orgs = party_store::orgs_of(&mut conn, code).await?;
        let outline = places::region_shape(&mut conn, code)
            .await?
            .and_then(|t| parse_boundary(&t).ok());

        let grid_name: BTreeMap<i64, String> =
            grids.iter().map(|g| (g.id, g.name.clone())).collect();
        let name_of = |id: i64| {
            grid_name
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("网格{id}"))
        };
        let shapes: Vec<GridShape> = grids
            .iter()
            .filter_map(|g| {
                let shape = parse_boundary(g.boundary.as_deref()?).ok()?;
                Some(GridShape {
                    id: g.id,
                    name: g.name.clone(),
                    parent: g.parent_id,
                    shape,
                })
            })
            .collect();
        let label = |b: &places::Building| format!("{} {}", b.estate, b.name);
        let placed: Vec<Placed> = buildings
            .iter()
            .filter_map(|b| {
                Some(Placed {
                    id: b.id,
                    label: label(b),
                    at: LngLat {
                        lng: b.lng?,
                        lat: b.lat?,
                    },
                })
            })
            .collect();
        let checked = coverage::check(outline.as_ref(), &shapes, &placed);

        let by_id: BTreeMap<i64, &places::Building> = buildings.iter().map(|b| (b.id, b)).collect();
        let view = |id: i64, problem: String| MisplacedView {
            building_id: id,
            building: by_id.get(&id).map(|b| label(b)).unwrap_or_default(),
            dwellings: by_id.get(&id).map_or(0, |b| b.dwellings),
            problem,
        };
        let mut misplaced: Vec<MisplacedView> = checked
            .misplaced
            .iter()
            .map(|m| match m {
                Misplaced::Uncovered { id, .. } => view(*id, "不在任何网格内".to_owned()),
                Misplaced::Ambiguous { id, grids, .. } => {
                    let names: Vec<String> = grids.iter().map(|g| name_of(*g)).collect();
                    view(*id, format!("同时落在 {}", names.join("、")))
                }
            })
            .collect();
        for b in &buildings {
            if b.lng.is_none() {
                misplaced.push(view(b.id, "未标注位置".to_owned()));
            } else if b.grid_id.is_none()
                && !checked.misplaced.iter().any(|m| misplaced_id(m) == b.id)
            {
                misplaced.push(view(b.id, "尚未划入网格".to_owned()));
            }
        }

        let grid_links: Vec<(i64, Option<i64>)> =
            grids.iter().map(|g| (g.id, g.parent_id)).collect();
        let building_ids: Vec<i64> = buildings.iter().map(|b| b.id).collect();
        let org_links: Vec<_> = orgs
            .iter()
            .filter_map(|o| Some((o.kind, o.node_kind, o.node_id?)))
            .collect();
        let party = party::coverage(&grid_links, &building_ids, &org_links);
        Ok(CoverageView {
            community: region.name,
            grids: grids.len(),
            buildings: buildings.len(),
            dwellings: buildings.iter().map(|b| b.dwellings).sum(),
            overlaps: checked
                .overlaps
                .iter()
                .map(|o| OverlapView {
                    a: name_of(o.a),
                    b: name_of(o.b),
                    area_m2: o.area_m2,
                })
                .collect(),
            gap_m2: checked.gap_m2,
            misplaced,
            grids_without_boundary: grids
                .iter()
                .filter(|g| g.boundary.is_none())
                .map(|g| g.name.clone())
                .collect(),
            grids_without_branch: party
                .grids_without_branch
                .iter()
                .map(|g| name_of(*g))
                .collect(),
            buildings_without_group: party
                .buildings_without_group
                .iter()
                .map(|b| by_id.get(b).map(|b| label(b)).unwrap_or_default())
                .collect(),
            party,
        })
    }
}

fn misplaced_id(m: &Misplaced) -> i64 {
    match m {
        Misplaced::Uncovered { id, .. } | Misplaced::Ambiguous { id, .. } => *id,
    }
}
