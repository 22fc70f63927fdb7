//! 共建单位 (issue 24): units report in to communities (单位报到) and sign
//! 共建协议; the community keeps 三张清单 with them — needs (a need taken
//! from a case is stripped of names and numbers before any unit reads it),
//! resources, and projects decided at the 大党委's 联席会议 (deliberation's
//! meetings, kind `joint`) with their progress and funding; a yearly
//! evaluation of each unit; figures rolled up at write time; finished
//! projects on a public board.
//!
//! Who sees what: community staff manage their community; the street and
//! district read; a unit's accounts (role `partner_unit`, bound to their
//! unit when they register it) see their own unit, the needs open to them
//! where they are accepted, and their projects — never residents' data.

mod board;
mod evaluation;
mod home;
mod meetings;
mod needs;
mod photos;
mod projects;
mod units;

pub use board::{BoardProject, PartnersBoard, UnitTotal};
pub use evaluation::{EvaluationLine, PartnersFigures};
pub use home::{PartnersHome, UnitView};
pub use meetings::{JointMeetingInput, JointMeetingView, MeetingLine};
pub use needs::{NeedInput, NeedLine, NeedView, SuggestionLine};
pub use projects::{
    FundingInput, FundingLine, ProgressLine, ProjectInput, ProjectLine, ProjectView,
};
pub use units::{
    AgreementInput, AgreementLine, ReportLine, ResourceInput, ResourceLine, UnitInput,
};

use crate::AppError;
use crate::accounts::auth::Principal;
use linli_domain::access::{Permission, RegionCode, Role, allowed, scope_prefixes};
use linli_domain::partners::PartnersError;
use linli_store::Conn;
use linli_store::partners::units as ustore;

fn invalid(e: impl ToString) -> AppError {
    AppError::Invalid(e.to_string())
}

impl From<PartnersError> for AppError {
    fn from(e: PartnersError) -> Self {
        invalid(e)
    }
}

/// Whether the caller manages partners in `community`.
fn manages(who: &Principal, community: &str) -> Result<bool, AppError> {
    let scope: RegionCode = community.parse()?;
    Ok(allowed(&who.grants, Permission::ManagePartners, &scope))
}

/// Whether the caller reads partners in `community` (staff, street, district).
fn reads(who: &Principal, community: &str) -> Result<bool, AppError> {
    let scope: RegionCode = community.parse()?;
    Ok(allowed(&who.grants, Permission::ViewPartners, &scope))
}

/// The unit the caller works for: an account with the `partner_unit`
/// role bound to a unit.
async fn my_unit(conn: &mut Conn, who: &Principal) -> Result<Option<i64>, AppError> {
    if !who.grants.iter().any(|g| g.role == Role::PartnerUnit) {
        return Ok(None);
    }
    Ok(ustore::unit_of_user(conn, who.user_id).await?)
}

/// The region-code prefixes the caller reads partners in.
fn read_prefixes(who: &Principal) -> Vec<String> {
    scope_prefixes(&who.grants, Permission::ViewPartners)
}

/// A community code as typed, checked to name a community.
fn community_code(s: &str) -> Result<String, AppError> {
    let code: RegionCode = s.parse().map_err(|_| invalid("请选择社区"))?;
    match code.community() {
        Some(c) if c == code => Ok(code.to_string()),
        _ => Err(invalid("请选择社区")),
    }
}
