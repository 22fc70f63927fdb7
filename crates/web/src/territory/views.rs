//! What pages and the API show of grids, buildings and reports: one set
//! of views, serialised by the API and rendered by the templates.

use linli_app::territory::party::{Org, Post};
use linli_app::territory::places::{BuildingRow, CommunityView, Dwelling, GridInfo, Unit};
use linli_app::territory::report::CoverageView;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// A grid (网格).
#[derive(Serialize, ToSchema, Clone)]
pub struct GridView {
    pub id: i64,
    /// community code + 3 digits per level
    #[schema(example = "220103008003001")]
    pub code: String,
    pub name: String,
    /// 1 = 一级网格, 2 = 二级, 3 = 三级(微网格)
    pub level: usize,
    pub parent_id: Option<i64>,
    pub has_boundary: bool,
    pub buildings: i64,
    pub dwellings: i64,
    /// 网格员/网格长 in post
    pub staff: Vec<String>,
}

impl From<&GridInfo> for GridView {
    fn from(g: &GridInfo) -> Self {
        GridView {
            id: g.grid.id,
            code: g.grid.code.to_string(),
            name: g.grid.name.clone(),
            level: g.level,
            parent_id: g.grid.parent_id,
            has_boundary: g.grid.boundary.is_some(),
            buildings: g.buildings,
            dwellings: g.dwellings,
            staff: g.staff.clone(),
        }
    }
}

/// A building (楼栋).
#[derive(Serialize, ToSchema, Clone)]
pub struct BuildingView {
    pub id: i64,
    pub name: String,
    pub estate: String,
    pub grid_id: Option<i64>,
    /// WGS-84
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub floors: Option<i64>,
    pub units: i64,
    pub dwellings: i64,
}

impl From<&BuildingRow> for BuildingView {
    fn from(b: &BuildingRow) -> Self {
        BuildingView {
            id: b.id,
            name: b.name.clone(),
            estate: b.estate.clone(),
            grid_id: b.grid_id,
            lng: b.lng,
            lat: b.lat,
            floors: b.floors,
            units: b.units,
            dwellings: b.dwellings,
        }
    }
}

/// A community with its grids and the buildings the caller may see.
#[derive(Serialize, ToSchema)]
pub struct CommunityOut {
    #[schema(example = "220103008003")]
    pub code: String,
    pub name: String,
    /// 省 › 市 › 区 › 街道
    pub path: Vec<String>,
    pub has_boundary: bool,
    pub grids: Vec<GridView>,
    pub buildings: Vec<BuildingView>,
    /// buildings of the community outside the caller's scope
    pub hidden_buildings: usize,
    pub can_manage: bool,
}

impl From<&CommunityView> for CommunityOut {
    fn from(v: &CommunityView) -> Self {
        CommunityOut {
            code: v.region.code.to_string(),
            name: v.region.name.clone(),
            path: v.ancestors.iter().map(|a| a.name.clone()).collect(),
            has_boundary: v.boundary.is_some(),
            grids: v.grids.iter().map(GridView::from).collect(),
            buildings: v.buildings.iter().map(BuildingView::from).collect(),
            hidden_buildings: v.hidden_buildings,
            can_manage: v.can_manage,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitView {
    pub id: i64,
    pub name: String,
    pub dwellings: i64,
}

impl From<&Unit> for UnitView {
    fn from(u: &Unit) -> Self {
        UnitView {
            id: u.id,
            name: u.name.clone(),
            dwellings: u.dwellings,
        }
    }
}

/// A dwelling (户).
#[derive(Serialize, ToSchema)]
pub struct DwellingView {
    pub id: i64,
    pub unit: String,
    pub floor: i64,
    pub room: String,
    pub area_m2: Option<f64>,
}

impl From<&Dwelling> for DwellingView {
    fn from(d: &Dwelling) -> Self {
        DwellingView {
            id: d.id,
            unit: d.unit.clone(),
            floor: d.floor,
            room: d.room.clone(),
            area_m2: d.area_m2,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OverlapOut {
    pub a: String,
    pub b: String,
    pub area_m2: f64,
}

#[derive(Serialize, ToSchema)]
pub struct MisplacedOut {
    pub building_id: i64,
    pub building: String,
    pub dwellings: i64,
    pub problem: String,
}

/// The validation report of a community (网格校验).
#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    pub community: String,
    /// no overlaps, no gap, every building in exactly one leaf grid
    pub grids_clean: bool,
    /// every grid has a branch, every building a group
    pub party_clean: bool,
    pub grids: usize,
    pub buildings: usize,
    pub dwellings: i64,
    pub overlaps: Vec<OverlapOut>,
    /// uncovered community area (m²); null when the community has no outline
    pub gap_m2: Option<f64>,
    pub misplaced: Vec<MisplacedOut>,
    pub grids_without_boundary: Vec<String>,
    pub branches: usize,
    pub groups: usize,
    pub households: usize,
    pub grids_without_branch: Vec<String>,
    pub buildings_without_group: Vec<String>,
}

impl From<&CoverageView> for ReportOut {
    fn from(r: &CoverageView) -> Self {
        ReportOut {
            community: r.community.clone(),
            grids_clean: r.grids_clean(),
            party_clean: r.party_clean(),
            grids: r.grids,
            buildings: r.buildings,
            dwellings: r.dwellings,
            overlaps: r
                .overlaps
                .iter()
                .map(|o| OverlapOut {
                    a: o.a.clone(),
                    b: o.b.clone(),
                    area_m2: (o.area_m2 * 10.0).round() / 10.0,
                })
                .collect(),
            gap_m2: r.gap_m2.map(|g| (g * 10.0).round() / 10.0),
            misplaced: r
                .misplaced
                .iter()
                .map(|m| MisplacedOut {
                    building_id: m.building_id,
                    building: m.building.clone(),
                    dwellings: m.dwellings,
                    problem: m.problem.clone(),
                })
                .collect(),
            grids_without_boundary: r.grids_without_boundary.clone(),
            branches: r.party.branches,
            groups: r.party.groups,
            households: r.party.households,
            grids_without_branch: r.grids_without_branch.clone(),
            buildings_without_group: r.buildings_without_group.clone(),
        }
    }
}

/// A party organisation.
#[derive(Serialize, ToSchema)]
pub struct OrgView {
    pub id: i64,
    pub parent_id: Option<i64>,
    #[schema(example = "branch")]
    pub kind: String,
    #[schema(example = "党支部")]
    pub kind_label: String,
    pub name: String,
    pub node_kind: String,
    pub node_id: Option<i64>,
}

impl From<&Org> for OrgView {
    fn from(o: &Org) -> Self {
        OrgView {
            id: o.id,
            parent_id: o.parent_id,
            kind: o.kind.as_str().to_owned(),
            kind_label: o.kind.label_zh().to_owned(),
            name: o.name.clone(),
            node_kind: o.node_kind.as_str().to_owned(),
            node_id: o.node_id,
        }
    }
}

/// A post held by a person on a node.
#[derive(Serialize, ToSchema)]
pub struct PostView {
    pub id: i64,
    #[schema(example = "grid_worker")]
    pub post: String,
    #[schema(example = "网格员")]
    pub post_label: String,
    pub node_kind: String,
    pub node_id: Option<i64>,
    pub person_name: String,
    pub unit_name: Option<String>,
    pub start_date: String,
    pub end_date: Option<String>,
}

impl From<&Post> for PostView {
    fn from(p: &Post) -> Self {
        PostView {
            id: p.id,
            post: p.post.as_str().to_owned(),
            post_label: p.post.label_zh().to_owned(),
            node_kind: p.node_kind.as_str().to_owned(),
            node_id: p.node_id,
            person_name: p.person_name.clone(),
            unit_name: p.unit_name.clone(),
            start_date: p.start_date.clone(),
            end_date: p.end_date.clone(),
        }
    }
}

fn geometry(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

/// The community as a GeoJSON FeatureCollection (WGS-84): its outline,
/// its grids (with level) and the buildings the caller may see.
pub fn map_features(v: &CommunityView) -> Value {
    let mut features = Vec::new();
    if v.boundary.is_some() {
        features.push(json!({
            "type": "Feature",
            "geometry": geometry(v.boundary.as_deref()),
            "properties": {"kind": "community", "code": v.region.code.to_string(), "name": v.region.name},
        }));
    }
    for g in v.grids.iter().filter(|g| g.grid.boundary.is_some()) {
        features.push(json!({
            "type": "Feature",
            "geometry": geometry(g.grid.boundary.as_deref()),
            "properties": {
                "kind": "grid", "id": g.grid.id, "code": g.grid.code.to_string(),
                "name": g.grid.name, "level": g.level,
                "buildings": g.buildings, "dwellings": g.dwellings,
            },
        }));
    }
    for b in &v.buildings {
        if let (Some(lng), Some(lat)) = (b.lng, b.lat) {
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lng, lat]},
                "properties": {
                    "kind": "building", "id": b.id, "name": b.name, "estate": b.estate,
                    "units": b.units, "dwellings": b.dwellings,
                },
            }));
        }
    }
    json!({"type": "FeatureCollection", "features": features})
}
