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
    /// the case was dispatched to the caller (a department, a worker)
    Handler(RegionCode),
    /// the caller's department was whistled to it (吹哨): it sees the case
    /// and reports in
    Called,
    Reporter,
}

/// How `who` reaches `c`, given whether their department was called to
/// it: staff in scope, the handler, a called department, the reporter.
pub(crate) fn reach_given(who: &Principal, c: &CaseRow, called: bool) -> Result<Reach, AppError> {
    let scope: RegionCode = c
        .scope
        .parse()
        .map_err(|_| AppError::Internal("stored case scope".into()))?;
    if allowed(&who.grants, Permission::ViewCases, &scope) {
        return Ok(Reach::Staff(scope));
    }
    if c.handler_user_id == Some(who.user_id) {
        return Ok(Reach::Handler(scope));
    }
    if called {
        return Ok(Reach::Called);
    }
    if c.reporter_id == Some(who.user_id) {
        return Ok(Reach::Reporter);
    }
    Err(AppError::NotFound)
}

/// [`reach_given`], looking up whether the caller was called.
pub(crate) async fn reach_of(
    conn: &mut Conn,
    who: &Principal,
    c: &CaseRow,
) -> Result<Reach, AppError> {
    match reach_given(who, c, false) {
        Ok(Reach::Reporter) | Err(_)
            if linli_store::cases::whistles::called(conn, c.id, who.user_id).await? =>
        {
            reach_given(who, c, true)
        }
        other => other,
    }
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
        // a called department reports in (its own step, not one of these)
        Reach::Called => return Err(AppError::Forbidden),
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
        // closing on the spot is the case's own grid and community staff's:
        // a handler from outside (a department) never closes it
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
