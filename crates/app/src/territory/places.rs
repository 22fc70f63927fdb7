//! 网格与房屋 — a community's grids, estates, buildings, units and
//! dwellings, every read and write checked against the caller's scope.

use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, allowed, reaches};
use linli_domain::geo::{CoordSys, LngLat, to_wgs84};
use linli_domain::territory::grid_index::{GridIndex, boundary_geojson, parse_boundary};
use linli_domain::territory::places::{self as rules, clean_name};
use linli_domain::territory::{Region, RegionLevel};
use linli_store::territory::places::{self as store, Building, Grid};
use linli_store::{Conn, audit, territory::regions};
use std::sync::{Arc, RwLock};

pub use linli_store::territory::places::{
    Building as BuildingRow, Dwelling, Estate, Grid as GridRow, Unit,
};

/// The point → grid index over every leaf grid, built on first use and
/// dropped whenever a grid changes.
#[derive(Default, Clone)]
pub(crate) struct IndexCache(Arc<RwLock<Option<Arc<Leaves>>>>);

/// The leaf grids: the point → grid index and each grid's code, read
/// together (so intake places a case without reading the grid again).
pub struct Leaves {
    index: GridIndex,
    codes: std::collections::HashMap<i64, RegionCode>,
}

impl std::fmt::Debug for Leaves {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Leaves({} grids)", self.codes.len())
    }
}

impl Leaves {
    /// The one leaf grid holding `p` (id and code); none when no grid or
    /// several (overlapping, to be fixed by staff) hold it.
    pub fn locate(&self, p: LngLat) -> Option<(i64, &RegionCode)> {
        match self.index.locate_all(p).as_slice() {
            [id] => Some((*id, self.codes.get(id)?)),
            _ => None,
        }
    }

    /// The code of the leaf grid nearest to `p` within `max_m` metres.
    pub fn nearest(&self, p: LngLat, max_m: f64) -> Option<&RegionCode> {
        let (id, _) = self.index.nearest(p, max_m)?;
        self.codes.get(&id)
    }
}

impl std::fmt::Debug for IndexCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexCache")
    }
}

impl IndexCache {
    fn get(&self) -> Option<Arc<Leaves>> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
    fn set(&self, index: Option<Arc<Leaves>>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = index;
    }
}

/// A grid with what the tree and the map show beside it.
#[derive(Debug, Clone)]
pub struct GridInfo {
    pub grid: Grid,
    pub level: usize,
    pub buildings: i64,
    pub dwellings: i64,
    /// 网格员/网格长 now in post
    pub staff: Vec<String>,
}

/// A community as one user may see it.
#[derive(Debug, Clone)]
pub struct CommunityView {
    pub region: Region,
    pub ancestors: Vec<Region>,
    pub boundary: Option<String>,
    pub grids: Vec<GridInfo>,
    pub estates: Vec<Estate>,
    /// Only the buildings inside the caller's scope.
    pub buildings: Vec<Building>,
    /// Buildings of the community outside the caller's scope.
    pub hidden_buildings: usize,
    pub can_manage: bool,
}

/// Where a new grid goes.
#[derive(Debug, Clone, Copy)]
pub enum GridParent<'a> {
    Community(&'a RegionCode),
    Grid(i64),
}

/// A coordinate as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct Location {
    pub lng: f64,
    pub lat: f64,
    pub sys: CoordSys,
}

impl Location {
    pub fn wgs84(self) -> Result<LngLat, AppError> {
        let p = LngLat::parse(self.lng, self.lat).map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok(to_wgs84(p, self.sys))
    }
}

/// A building, unit or dwelling, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceRef {
    Building(i64),
    Unit(i64),
    Dwelling(i64),
}

/// A new building.
#[derive(Debug, Clone, Copy)]
pub struct BuildingInput<'a> {
    pub estate_id: i64,
    pub name: &'a str,
    pub at: Option<Location>,
    pub floors: Option<i64>,
}

pub(super) fn invalid(e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(e.to_string())
}

pub(super) fn require(
    who: &Principal,
    perm: Permission,
    scope: &RegionCode,
) -> Result<(), AppError> {
    if allowed(&who.grants, perm, scope) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A boundary from GeoJSON text, validated and re-serialised canonically.
fn canonical_boundary(text: &str) -> Result<String, AppError> {
    Ok(boundary_geojson(&parse_boundary(text).map_err(invalid)?))
}

pub(crate) async fn community_region(
    conn: &mut Conn,
    code: &RegionCode,
) -> Result<Region, AppError> {
    let region = regions::get(conn, code).await?.ok_or(AppError::NotFound)?;
    if region.level != RegionLevel::Community {
        return Err(AppError::Invalid(format!("{} 不是社区/村", region.name)));
    }
    Ok(region)
}

impl App {
    pub(crate) fn forget_grid_index(&self) {
        self.grid_index.set(None);
    }

    /// Ends a grid write: the audit record, the grid as stored, commit,
    /// and a fresh point → grid index on next use.
    async fn finish_grid_write(
        &self,
        mut tx: linli_store::Tx,
        id: i64,
        ev: linli_domain::audit::AuditEvent,
        now: linli_domain::time::UnixMs,
    ) -> Result<Grid, AppError> {
        audit::append(&mut tx, ev, now).await?;
        let grid = store::grid_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        self.forget_grid_index();
        Ok(grid)
    }

    /// The index over all leaf grids with a boundary.
    pub async fn grid_index(&self) -> Result<Arc<Leaves>, AppError> {
        if let Some(i) = self.grid_index.get() {
            return Ok(i);
        }
        let mut conn = self.db.conn().await?;
        let leaves = store::leaf_boundaries(&mut conn).await?;
        let mut codes = std::collections::HashMap::with_capacity(leaves.len());
        let mut shapes = Vec::with_capacity(leaves.len());
        for (id, code, text) in leaves {
            if let Ok(s) = parse_boundary(&text) {
                codes.insert(id, code);
                shapes.push((id, s));
            }
        }
        let index = Arc::new(Leaves {
            index: GridIndex::new(shapes),
            codes,
        });
        self.grid_index.set(Some(index.clone()));
        Ok(index)
    }

    /// The buildings of a community with a point, as a report form offers
    /// them (`长山花园小区 5号楼`, WGS-84): names and places of buildings,
    /// nothing about who lives there, for anyone signed in to pick from.
    pub async fn building_points(
        &self,
        community: &RegionCode,
    ) -> Result<Vec<(String, f64, f64)>, AppError> {
        let all = store::buildings_of(&mut *self.db.conn().await?, community).await?;
        Ok(all
            .into_iter()
            .filter_map(|b| Some((format!("{} {}", b.estate, b.name), b.lng?, b.lat?)))
            .collect())
    }

    /// 坐标定位网格: the leaf grid holding a point, if exactly one does.
    pub async fn locate(&self, at: Location) -> Result<Option<Grid>, AppError> {
        let p = at.wgs84()?;
        let Some((id, _)) = self.grid_index().await?.locate(p) else {
            return Ok(None);
        };
        Ok(store::grid_by_id(&mut *self.db.conn().await?, id).await?)
    }

    /// A community's grids and the buildings the caller may see.
    pub async fn community(
        &self,
        who: &Principal,
        code: &RegionCode,
    ) -> Result<CommunityView, AppError> {
        if !reaches(&who.grants, Permission::ViewPlaces, code) {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.db.conn().await?;
        let region = community_region(&mut conn, code).await?;
        let ancestors = self.region_ancestors(&region).await?;
        let grids = store::grids_of(&mut conn, code).await?;
        let all = store::buildings_of(&mut conn, code).await?;
        let posts = linli_store::territory::party::posts_of(&mut conn, code).await?;
        let infos = grids
            .into_iter()
            .map(|g| {
                let inside = |b: &&Building| g.code.covers(&b.scope);
                let staff = posts
                    .iter()
                    .filter(|p| {
                        p.node_id == Some(g.id)
                            && p.end_date.is_none()
                            && matches!(
                                p.post,
                                linli_domain::territory::party::PostKind::GridWorker
                                    | linli_domain::territory::party::PostKind::GridHead
                            )
                    })
                    .map(|p| format!("{}({})", p.person_name, p.post.label_zh()))
                    .collect();
                GridInfo {
                    level: rules::grid_level(&g.code),
                    buildings: all.iter().filter(inside).count() as i64,
                    dwellings: all.iter().filter(inside).map(|b| b.dwellings).sum(),
                    staff,
                    grid: g,
                }
            })
            .collect();
        let (buildings, hidden): (Vec<Building>, Vec<Building>) = all
            .into_iter()
            .partition(|b| allowed(&who.grants, Permission::ViewPlaces, &b.scope));
        Ok(CommunityView {
            boundary: store::region_shape(&mut conn, code).await?,
            estates: store::estates_of(&mut conn, code).await?,
            can_manage: allowed(&who.grants, Permission::ManageGrids, code),
            region,
            ancestors,
            grids: infos,
            buildings,
            hidden_buildings: hidden.len(),
        })
    }

    /// Sets a community's outline (GeoJSON).
    pub async fn set_community_boundary(
        &self,
        who: &Principal,
        code: &RegionCode,
        geojson: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        require(who, Permission::ManageGrids, code)?;
        let boundary = canonical_boundary(geojson)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        community_region(&mut tx, code).await?;
        store::set_region_shape(&mut tx, code, &boundary, now).await?;
        let ev = event(
            actor,
            "community.boundary",
            format!("region:{code}"),
            String::new(),
        );
        audit::append(&mut tx, ev, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates a grid under a community or another grid.
    pub async fn create_grid(
        &self,
        who: &Principal,
        parent: GridParent<'_>,
        name: &str,
        boundary: Option<&str>,
        actor: &Actor,
    ) -> Result<Grid, AppError> {
        let name = clean_name(name, 40).map_err(invalid)?;
        let boundary = boundary.map(canonical_boundary).transpose()?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let (parent_code, parent_id) = match parent {
            GridParent::Community(c) => (c.clone(), None),
            GridParent::Grid(id) => {
                let g = store::grid_by_id(&mut tx, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                (g.code, Some(id))
            }
        };
        require(who, Permission::ManageGrids, &parent_code)?;
        let community = parent_code
            .community()
            .ok_or_else(|| invalid("上级须为社区或网格"))?;
        community_region(&mut tx, &community).await?;
        // retired codes count as taken: a code is never issued twice
        let mut taken: Vec<RegionCode> = store::grids_of(&mut tx, &community)
            .await?
            .into_iter()
            .map(|g| g.code)
            .collect();
        taken.extend(store::retired_codes(&mut tx, &community).await?);
        let code = rules::next_child_code(&parent_code, &taken).map_err(invalid)?;
        let id = store::insert_grid(
            &mut tx,
            &code,
            &community,
            parent_id,
            &name,
            boundary.as_deref(),
            now,
        )
        .await?;
        let ev = event(
            actor,
            "grid.create",
            format!("grid:{id}"),
            format!("{code} {name}"),
        );
        self.finish_grid_write(tx, id, ev, now).await
    }

    /// Renames a grid and/or replaces its boundary (`None` keeps it).
    pub async fn update_grid(
        &self,
        who: &Principal,
        id: i64,
        name: Option<&str>,
        boundary: Option<&str>,
        actor: &Actor,
    ) -> Result<Grid, AppError> {
        let name = name
            .map(|n| clean_name(n, 40).map_err(invalid))
            .transpose()?;
        let boundary = boundary.map(canonical_boundary).transpose()?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let g = store::grid_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        require(who, Permission::ManageGrids, &g.code)?;
        let new_name = name.unwrap_or_else(|| g.name.clone());
        let new_boundary = boundary.or_else(|| g.boundary.clone());
        store::update_grid(&mut tx, id, &new_name, new_boundary.as_deref(), now).await?;
        let what = if new_boundary != g.boundary {
            "boundary changed"
        } else {
            ""
        };
        let ev = event(
            actor,
            "grid.update",
            format!("grid:{id}"),
            format!("{new_name} {what}"),
        );
        self.finish_grid_write(tx, id, ev, now).await
    }

    /// Moves a grid (and its subtree) under another grid of the same
    /// community, or to the top (`None`). Codes are re-issued.
    pub async fn move_grid(
        &self,
        who: &Principal,
        id: i64,
        new_parent: Option<i64>,
        actor: &Actor,
    ) -> Result<Grid, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let g = store::grid_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let community = g
            .code
            .community()
            .ok_or_else(|| AppError::Internal("grid code".into()))?;
        require(who, Permission::ManageGrids, &g.code)?;
        let parent_code = match new_parent {
            None => community.clone(),
            Some(p) => {
                store::grid_by_id(&mut tx, p)
                    .await?
                    .ok_or(AppError::NotFound)?
                    .code
            }
        };
        require(who, Permission::ManageGrids, &parent_code)?;
        let all = store::grids_of(&mut tx, &community).await?;
        let depth = all
            .iter()
            .filter(|o| g.code.covers(&o.code))
            .map(|o| rules::grid_level(&o.code) - rules::grid_level(&g.code))
            .max()
            .unwrap_or(0);
        rules::check_move(&g.code, depth, &parent_code).map_err(invalid)?;
        if g.parent_id == new_parent {
            return Ok(g);
        }
        let mut codes: Vec<RegionCode> = all.into_iter().map(|o| o.code).collect();
        codes.extend(store::retired_codes(&mut tx, &community).await?);
        let new_code = rules::next_child_code(&parent_code, &codes).map_err(invalid)?;
        store::move_grid(&mut tx, id, new_parent, &g.code, &new_code, now).await?;
        store::retire_code(&mut tx, &g.code, now).await?;
        let ev = event(
            actor,
            "grid.move",
            format!("grid:{id}"),
            format!("{} -> {new_code}", g.code),
        );
        self.finish_grid_write(tx, id, ev, now).await
    }

    /// Deletes an empty grid: one that still holds grids or buildings
    /// (and so dwellings) is refused.
    pub async fn delete_grid(
        &self,
        who: &Principal,
        id: i64,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let g = store::grid_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        require(who, Permission::ManageGrids, &g.code)?;
        let (children, buildings, cases) = store::grid_contents(&mut tx, id).await?;
        if children > 0 || buildings > 0 {
            return Err(AppError::Invalid(format!(
                "网格“{}”下还有 {children} 个子网格和 {buildings} 栋楼(含住户),请先移走再删除",
                g.name
            )));
        }
        if cases > 0 {
            return Err(AppError::Invalid(format!(
                "网格“{}”有 {cases} 件诉求记录,诉求台账须保留,不能删除该网格",
                g.name
            )));
        }
        // a grant naming the grid would cover whatever next has its code
        // (codes are never reused now, but the grant would still name a
        // grid that is gone): revoke first
        let grants = store::grants_within(&mut tx, &g.code).await?;
        if grants > 0 {
            return Err(AppError::Invalid(format!(
                "网格“{}”还有 {grants} 项账号授权,请先在账号管理中收回再删除",
                g.name
            )));
        }
        store::delete_grid(&mut tx, id).await?;
        store::retire_code(&mut tx, &g.code, now).await?;
        let ev = event(
            actor,
            "grid.delete",
            format!("grid:{id}"),
            format!("{} {}", g.code, g.name),
        );
        audit::append(&mut tx, ev, now).await?;
        tx.commit().await?;
        self.forget_grid_index();
        Ok(())
    }
}
