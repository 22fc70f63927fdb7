//! The 楼盘表's counts for a building: for staff who may see the
//! residents of its grid, how each flat is lived in and whether someone
//! there needs care. Counts only; opening a flat lists its residents
//! through the usual (masked, scoped) list.

use crate::accounts::auth::Principal;
use crate::{App, AppError};
use linli_domain::access::{Permission, allowed};
use linli_domain::registry::occupancy::FlatCount;
use linli_store::registry::occupancy as store;
use linli_store::territory::places::building_by_id;
use std::collections::HashMap;

impl App {
    /// Counts per flat of a building, by dwelling id; `None` when the
    /// caller may see the building but not the residents in it.
    pub async fn building_occupancy(
        &self,
        who: &Principal,
        building_id: i64,
    ) -> Result<Option<HashMap<i64, FlatCount>>, AppError> {
        let mut conn = self.db.conn().await?;
        let b = building_by_id(&mut conn, building_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !allowed(&who.grants, Permission::ViewResidents, &b.scope) {
            return Ok(None);
        }
        Ok(Some(
            store::of_building(&mut conn, building_id)
                .await?
                .into_iter()
                .collect(),
        ))
    }
}
