//! 楼栋与房屋 — a community's estates, buildings, units and dwellings,
//! every read and write checked against the caller's scope.

use super::places::{BuildingInput, Location, PlaceRef, community_region, invalid, require};
use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, reaches};
use linli_domain::territory::places::{DwellingSpec, clean_name};
use linli_store::audit;
use linli_store::territory::places::{self as store, Building, Dwelling, Grid, NewBuilding, Unit};

impl App {
    /// Adds an estate (小区) to a community.
    pub async fn add_estate(
        &self,
        who: &Principal,
        community: &RegionCode,
        name: &str,
        address: Option<&str>,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        require(who, Permission::EditPlaces, community)?;
        let name = clean_name(name, 40).map_err(invalid)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        community_region(&mut tx, community).await?;
        let id = store::insert_estate(&mut tx, community, &name, address, now).await?;
        audit::append(
            &mut tx,
            event(actor, "estate.create", format!("estate:{id}"), name),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a building to an estate; its grid is the leaf grid holding its point.
    pub async fn add_building(
        &self,
        who: &Principal,
        community: &RegionCode,
        new: BuildingInput<'_>,
        actor: &Actor,
    ) -> Result<Building, AppError> {
        let BuildingInput {
            estate_id,
            name,
            at,
            floors,
        } = new;
        let name = clean_name(name, 40).map_err(invalid)?;
        let point = at.map(Location::wgs84).transpose()?;
        let grid = match at {
            Some(at) => self.locate(at).await?.filter(|g| community.covers(&g.code)),
            None => None,
        };
        let scope = grid
            .as_ref()
            .map_or_else(|| community.clone(), |g| g.code.clone());
        require(who, Permission::EditPlaces, &scope)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let estates = store::estates_of(&mut tx, community).await?;
        if !estates.iter().any(|e| e.id == estate_id) {
            return Err(invalid("小区不属于该社区"));
        }
        let id = store::insert_building(
            &mut tx,
            NewBuilding {
                community,
                estate_id,
                grid_id: grid.map(|g| g.id),
                name: &name,
                lng_lat: point.map(|p| (p.lng, p.lat)),
                floors,
                now,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(actor, "building.create", format!("building:{id}"), name),
            now,
        )
        .await?;
        let b = store::building_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(b)
    }

    /// One grid (its outline is visible to anyone working in its community).
    pub async fn grid(&self, who: &Principal, id: i64) -> Result<Grid, AppError> {
        let g = store::grid_by_id(&mut *self.db.conn().await?, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let community = g.code.community().ok_or(AppError::NotFound)?;
        if !reaches(&who.grants, Permission::ViewPlaces, &community) {
            return Err(AppError::Forbidden);
        }
        Ok(g)
    }

    /// A building the caller may see.
    pub async fn building(
        &self,
        who: &Principal,
        id: i64,
    ) -> Result<(Building, Vec<Unit>), AppError> {
        let mut conn = self.db.conn().await?;
        let b = store::building_by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        require(who, Permission::ViewPlaces, &b.scope)?;
        let units = store::units_of(&mut conn, id).await?;
        Ok((b, units))
    }

    /// A page of a building's dwellings.
    pub async fn dwellings(
        &self,
        who: &Principal,
        building_id: i64,
        page: i64,
        per_page: i64,
    ) -> Result<Vec<Dwelling>, AppError> {
        let mut conn = self.db.conn().await?;
        let b = store::building_by_id(&mut conn, building_id)
            .await?
            .ok_or(AppError::NotFound)?;
        require(who, Permission::ViewPlaces, &b.scope)?;
        let per_page = per_page.clamp(1, 500);
        let offset = page.max(0).saturating_mul(per_page);
        Ok(store::dwellings_of(&mut conn, building_id, per_page, offset).await?)
    }

    /// Adds a unit with its dwellings, all or nothing.
    pub async fn add_unit(
        &self,
        who: &Principal,
        building_id: i64,
        name: &str,
        dwellings: &[DwellingSpec],
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let name = clean_name(name, 20).map_err(invalid)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let b = store::building_by_id(&mut tx, building_id)
            .await?
            .ok_or(AppError::NotFound)?;
        require(who, Permission::EditPlaces, &b.scope)?;
        let id = store::insert_unit(&mut tx, building_id, &name).await?;
        store::insert_dwellings(&mut tx, id, dwellings).await?;
        let detail = format!("{} {name} dwellings={}", b.name, dwellings.len());
        audit::append(
            &mut tx,
            event(actor, "unit.create", format!("unit:{id}"), detail),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Moves a building into another grid of its community (or out of
    /// every grid). Needs the right over both the old and the new grid.
    pub async fn assign_building(
        &self,
        who: &Principal,
        building_id: i64,
        grid_id: Option<i64>,
        actor: &Actor,
    ) -> Result<Building, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let b = store::building_by_id(&mut tx, building_id)
            .await?
            .ok_or(AppError::NotFound)?;
        require(who, Permission::EditPlaces, &b.scope)?;
        let target = match grid_id {
            None => b.community.clone(),
            Some(g) => {
                store::grid_by_id(&mut tx, g)
                    .await?
                    .ok_or(AppError::NotFound)?
                    .code
            }
        };
        if !b.community.covers(&target) {
            return Err(invalid("只能移到同一社区的网格"));
        }
        require(who, Permission::EditPlaces, &target)?;
        store::set_building_grid(&mut tx, building_id, grid_id).await?;
        let detail = format!("{} -> {target}", b.scope);
        audit::append(
            &mut tx,
            event(
                actor,
                "building.assign",
                format!("building:{building_id}"),
                detail,
            ),
            now,
        )
        .await?;
        let b = store::building_by_id(&mut tx, building_id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(b)
    }

    /// Renames a building.
    pub async fn rename_building(
        &self,
        who: &Principal,
        id: i64,
        name: &str,
        actor: &Actor,
    ) -> Result<Building, AppError> {
        let name = clean_name(name, 40).map_err(invalid)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let b = store::building_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        require(who, Permission::EditPlaces, &b.scope)?;
        store::rename_building(&mut tx, id, &name).await?;
        let detail = format!("{} -> {name}", b.name);
        audit::append(
            &mut tx,
            event(actor, "building.rename", format!("building:{id}"), detail),
            now,
        )
        .await?;
        let b = store::building_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(b)
    }

    /// Deletes a building, a unit or a dwelling. A building with units, a
    /// unit with dwellings and a dwelling that is a party member household
    /// are refused: empty them first.
    pub async fn delete_place(
        &self,
        who: &Principal,
        what: PlaceRef,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let building_id = match what {
            PlaceRef::Building(id) => Some(id),
            PlaceRef::Unit(id) => store::building_of_unit(&mut tx, id).await?,
            PlaceRef::Dwelling(id) => store::building_of_dwelling(&mut tx, id).await?,
        }
        .ok_or(AppError::NotFound)?;
        let b = store::building_by_id(&mut tx, building_id)
            .await?
            .ok_or(AppError::NotFound)?;
        require(who, Permission::EditPlaces, &b.scope)?;
        let (deleted, refusal, object) = match what {
            PlaceRef::Building(id) => (
                store::delete_building(&mut tx, id).await?,
                format!(
                    "{}还有 {} 个单元、{} 户,请先删除",
                    b.name, b.units, b.dwellings
                ),
                format!("building:{id}"),
            ),
            PlaceRef::Unit(id) => (
                store::delete_unit(&mut tx, id).await?,
                "该单元还有住户,请先删除".to_owned(),
                format!("unit:{id}"),
            ),
            PlaceRef::Dwelling(id) => (
                store::delete_dwelling(&mut tx, id).await?,
                "该户是党员家庭户,请先在党组织中解除".to_owned(),
                format!("dwelling:{id}"),
            ),
        };
        if !deleted {
            return Err(AppError::Invalid(refusal));
        }
        audit::append(
            &mut tx,
            event(actor, "place.delete", object, b.name.clone()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
