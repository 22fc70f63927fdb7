//! Who reaches a case and how: staff of its scope, its handler, or its
//! reporter; which steps each may take; and who holds a role over a scope.
//! Shared by the steps and 吹哨报到, so that neither reaches into the other.

use crate::AppError;
use crate::accounts::auth::Principal;
use linli_domain::access::{Permission, RegionCode, Role, allowed};
use linli_domain::cases::{CaseState, Step};
use linli_store::Conn;
use linli_store::accounts::users;
use linli_store::cases::CaseRow;

pub(crate) fn bad(msg: &str) -> AppError {
    AppError::Invalid(msg.to_owned())
}

pub(crate) fn parse_state(s: &str) -> Result<CaseState, AppError> {
    s.parse()
        .map_err(|_| AppError::Internal(format!("stored case state `{s}`")))
}

/// Enabled accounts holding some roles, each with the scope of such a
/// grant: who is told of a case, or may be called to one, is matched
/// against the case's scope with [`RegionCode::covers`].
pub(crate) struct Holders(Vec<(i64, String, RegionCode)>);

impl Holders {
    pub(crate) async fn load(conn: &mut Conn, roles: &[Role]) -> Result<Holders, AppError> {
        let mut out = Vec::new();
        for role in roles {
            for (id, name, scope) in users::holders_of(conn, role.as_str()).await? {
                if let Ok(s) = scope.parse() {
                    out.push((id, name, s));
                }
            }
        }
        Ok(Holders(out))
    }

    /// (id, display name) of those whose grant covers `scope`, each once.
    pub(crate) fn over(&self, scope: &RegionCode) -> Vec<(i64, &str)> {
        let mut out: Vec<(i64, &str)> = Vec::new();
        for (id, name, g) in &self.0 {
            if g.covers(scope) && !out.iter().any(|(seen, _)| seen == id) {
                out.push((*id, name.as_str()));
            }
        }
        out
    }
}

/// How a caller reaches a case.
pub(crate) enum Reach {
    Staff(RegionCode),
    Handler(RegionCode),
    Reporter,
}

/// Whether `who` may take `step` on `c`; a postpone comes back approved
/// when the caller may approve it.
pub(crate) fn authorise(
    who: &Principal,
    reach: &Reach,
    c: &CaseRow,
    step: Step,
) -> Result<Step, AppError> {
    let scope = match reach {
        Reach::Staff(s) | Reach::Handler(s) => s,
        Reach::Reporter => {
            // a reporter may only withdraw what nobody has accepted yet
            return match step {
                Step::Cancel if c.state == CaseState::Submitted.as_str() => Ok(step),
                _ => Err(AppError::Forbidden),
            };
        }
    };
    let manage = allowed(&who.grants, Permission::ManageCases, scope);
    let handle = allowed(&who.grants, Permission::HandleCases, scope)
        || c.handler_user_id == Some(who.user_id);
    let ok = match step {
        Step::Start | Step::Handle | Step::Resume => manage || handle,
        Step::CloseOnSpot => manage || allowed(&who.grants, Permission::HandleCases, scope),
        Step::Postpone { .. } => return Ok(Step::Postpone { approved: manage }),
        _ => manage,
    };
    if ok {
        Ok(step)
    } else {
        Err(AppError::Forbidden)
    }
}
