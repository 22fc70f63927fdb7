//! 志愿服务 (issue 23): volunteers and 双报到 members, 三单制 service
//! orders, activities with check-in by a rotating code, and the ledger of
//! hours and points with its shelf. Residents see their own orders and
//! ledger; volunteers the orders given to them (the resident's contact
//! only once they accept); community staff dispatch, hold activities and
//! keep the shelf in their scope; the street and district read.

mod activities;
mod certificates;
mod figures;
pub(crate) mod ledger;
mod orders;
mod rewards;
mod volunteers;
mod wishes;

pub use activities::{
    ActivityCard, ActivityInput, ActivityPage, CheckCode, PersonLine, check_token,
};
pub use certificates::{Certificate, CertificateCheck};
pub use figures::VolunteeringFigures;
pub use ledger::{Balances, StatementLine};
pub use orders::{OrderCard, OrderInput, OrderStep, OrderView, StepLine};
pub use rewards::{RedemptionLine, Shelf, ShelfItem};
pub use volunteers::{JoinInput, MyVolunteering, VolunteerDetail, VolunteerLine};
pub use wishes::{OPEN_CLAIMS, WISH_POINTS, WishInput, WishView};

use crate::accounts::auth::Principal;
use crate::{App, AppError};
use linli_domain::access::{Permission, RegionCode, allowed};
use linli_domain::volunteering::VolunteeringError;
use linli_store::Conn;
use linli_store::registry::pipl::resident_of_user;
use linli_store::volunteering::volunteers::{self as vstore, VolunteerRow};

fn invalid(e: impl ToString) -> AppError {
    AppError::Invalid(e.to_string())
}

impl From<VolunteeringError> for AppError {
    fn from(e: VolunteeringError) -> Self {
        invalid(e)
    }
}

/// Whether the caller manages volunteering in `community`.
fn manages(who: &Principal, community: &str) -> Result<bool, AppError> {
    let scope: RegionCode = community.parse()?;
    Ok(allowed(&who.grants, Permission::ManageVolunteering, &scope))
}

/// Whether the caller reads volunteering in `community`.
fn reads(who: &Principal, community: &str) -> Result<bool, AppError> {
    let scope: RegionCode = community.parse()?;
    Ok(allowed(&who.grants, Permission::ViewVolunteering, &scope))
}

/// Who the caller is as a person: their name and their community — from
/// their bound resident record, else their account's name and the
/// community of their first grant.
pub(crate) struct Person {
    pub name: String,
    pub community: Option<String>,
    pub resident: Option<linli_store::registry::Resident>,
}

async fn person(conn: &mut Conn, who: &Principal) -> Result<Person, AppError> {
    if let Some(rid) = resident_of_user(conn, who.user_id).await?
        && let Some(r) = linli_store::registry::resident_by_id(conn, rid).await?
    {
        return Ok(Person {
            name: r.record.name.clone(),
            community: Some(r.record.community.to_string()),
            resident: Some(r),
        });
    }
    Ok(Person {
        name: who.display_name.clone(),
        community: who
            .grants
            .iter()
            .find_map(|g| g.scope.community())
            .map(|c| c.to_string()),
        resident: None,
    })
}

/// The caller's volunteer record, if they joined.
async fn me(conn: &mut Conn, who: &Principal) -> Result<Option<VolunteerRow>, AppError> {
    Ok(vstore::by_user(conn, who.user_id).await?)
}

impl App {
    /// The communities the caller manages volunteering in (12-digit codes).
    pub fn volunteering_communities(&self, who: &Principal) -> Vec<String> {
        linli_domain::access::scope_prefixes(&who.grants, Permission::ManageVolunteering)
            .into_iter()
            .filter(|p| p.len() == 12)
            .collect()
    }
}
