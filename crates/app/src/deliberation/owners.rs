//! 业主名册: who owns each dwelling of a building and its exclusive area,
//! kept by community staff (audited). Owners are picked among the
//! residents registered at the dwelling, or the developer for unsold units.

use super::invalid;
use crate::accounts::auth::Principal;
use crate::registry::require;
use crate::{Actor, App, AppError, event};
use linli_domain::access::Permission;
use linli_domain::deliberation::roll::Areas;
use linli_domain::deliberation::rules::{area_text, parse_area};
use linli_store::audit;
use linli_store::deliberation::owners::{self as store, SetOwner};

/// One dwelling on the register page.
#[derive(Debug, Clone)]
pub struct RegisterLine {
    pub dwelling_id: i64,
    /// `1单元 3层 301室`
    pub place: String,
    /// the owner's name, `开发商(未售)`, or empty when not registered
    pub owner: String,
    /// the area that counts, m², and its source
    pub area: Option<(String, &'static str)>,
    /// the three areas as typed, for the form
    pub areas: [String; 3],
    pub resident_id: Option<i64>,
    pub developer: bool,
    /// who lives there, to pick the owner from: (id, name)
    pub residents: Vec<(i64, String)>,
}

#[derive(Debug, Clone)]
pub struct RegisterView {
    pub building_id: i64,
    /// `长山花园 1号楼`
    pub building: String,
    pub lines: Vec<RegisterLine>,
    /// dwellings with an owner and an area
    pub complete: usize,
}

/// An owner set on a dwelling: a resident there, the developer, or nobody.
#[derive(Debug, Clone, Default)]
pub struct OwnerInput {
    pub dwelling_id: i64,
    /// `r:<id>`, `developer`, or empty to clear
    pub owner: String,
    /// m² as typed, each optional
    pub area_register: String,
    pub area_survey: String,
    pub area_contract: String,
}

fn area_of(s: &str) -> Result<Option<i64>, AppError> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_area(s).map(Some).map_err(invalid)
    }
}

impl App {
    async fn building_scope(
        &self,
        conn: &mut linli_store::Conn,
        who: &Principal,
        building_id: i64,
    ) -> Result<String, AppError> {
        let b = linli_store::territory::places::building_by_id(conn, building_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // outside the caller's communities the building does not exist
        require(who, Permission::ManageVotes, &b.community).map_err(|_| AppError::NotFound)?;
        Ok(format!("{} {}", b.estate, b.name))
    }

    /// The owners' register of one building.
    pub async fn owner_register(
        &self,
        who: &Principal,
        building_id: i64,
    ) -> Result<RegisterView, AppError> {
        let mut conn = self.db.conn().await?;
        let building = self.building_scope(&mut conn, who, building_id).await?;
        let rows = store::register_of_building(&mut conn, building_id).await?;
        let mut lines = Vec::with_capacity(rows.len());
        let mut complete = 0;
        for r in rows {
            let areas = Areas {
                register: r.area_register,
                survey: r.area_survey,
                contract: r.area_contract,
            };
            let area = areas.chosen().map(|(a, s)| (area_text(a), s.label_zh()));
            let owner = if r.developer {
                "开发商(未售)".to_owned()
            } else {
                r.owner_name.clone().unwrap_or_default()
            };
            if !owner.is_empty() && area.is_some() {
                complete += 1;
            }
            let txt = |v: Option<i64>| v.map(area_text).unwrap_or_default();
            lines.push(RegisterLine {
                dwelling_id: r.dwelling_id,
                place: format!("{} {}层 {}室", r.unit, r.floor, r.room),
                owner,
                area,
                areas: [
                    txt(r.area_register),
                    txt(r.area_survey),
                    txt(r.area_contract),
                ],
                resident_id: r.resident_id,
                developer: r.developer,
                residents: store::residents_of_dwelling(&mut conn, r.dwelling_id).await?,
            });
        }
        Ok(RegisterView {
            building_id,
            building,
            lines,
            complete,
        })
    }

    /// Sets (or clears) a dwelling's owner and areas. Returns its building.
    pub async fn set_owner(
        &self,
        who: &Principal,
        input: &OwnerInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let (_, building_id, _) = store::dwelling_place(&mut tx, input.dwelling_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.building_scope(&mut tx, who, building_id).await?;
        let owner = input.owner.trim();
        let detail;
        if owner.is_empty() {
            store::clear_owner(&mut tx, input.dwelling_id).await?;
            detail = "cleared".to_owned();
        } else {
            let resident_id = if owner == "developer" {
                None
            } else {
                let id: i64 = owner
                    .strip_prefix("r:")
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| invalid("请选择产权人"))?;
                // the owner is someone registered at this dwelling
                let here = store::residents_of_dwelling(&mut tx, input.dwelling_id).await?;
                if !here.iter().any(|(r, _)| *r == id) {
                    return Err(invalid("产权人应是登记在该房屋的居民"));
                }
                Some(id)
            };
            let o = SetOwner {
                dwelling_id: input.dwelling_id,
                resident_id,
                area_register: area_of(&input.area_register)?,
                area_survey: area_of(&input.area_survey)?,
                area_contract: area_of(&input.area_contract)?,
                by: who.user_id,
                now,
            };
            if o.area_register.is_none() && o.area_survey.is_none() && o.area_contract.is_none() {
                return Err(invalid("请至少填写一种专有部分面积"));
            }
            store::set_owner(&mut tx, &o).await?;
            detail = format!("owner={owner}");
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "owners.set",
                format!("dwelling:{}", input.dwelling_id),
                detail,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(building_id)
    }
}
