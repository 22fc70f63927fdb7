//! Who administers whose account (`/admin/users`), and who must use two
//! factors. An administrator grants only roles below their own, only
//! within their own scope, and administers an account only when every one
//! of its grants is one they could have given. Security administrators
//! clear lockouts; nobody else's role lets them read personal data or the
//! audit log through this (三权分立 stays: the system administrator grants
//! the top-level roles but reads neither).

use crate::access::{Grant, Permission, RegionCode, Role, holds};

/// The roles each administering role may grant.
pub const fn grantable(by: Role) -> &'static [Role] {
    const COMMUNITY: &[Role] = &[
        Role::Resident,
        Role::Volunteer,
        Role::PartyMember,
        Role::GridWorker,
        Role::BuildingHead,
        Role::CommunityStaff,
        Role::PartnerUnit,
    ];
    const STREET: &[Role] = &[
        Role::Resident,
        Role::Volunteer,
        Role::PartyMember,
        Role::GridWorker,
        Role::BuildingHead,
        Role::CommunityStaff,
        Role::PartnerUnit,
        Role::CommunitySecretary,
        Role::DepartmentHandler,
    ];
    const DISTRICT: &[Role] = &[
        Role::Resident,
        Role::Volunteer,
        Role::PartyMember,
        Role::GridWorker,
        Role::BuildingHead,
        Role::CommunityStaff,
        Role::PartnerUnit,
        Role::CommunitySecretary,
        Role::DepartmentHandler,
        Role::StreetAdmin,
    ];
    const SYSTEM: &[Role] = &[
        Role::DistrictAdmin,
        Role::StreetAdmin,
        Role::Auditor,
        Role::SecurityAdmin,
    ];
    match by {
        Role::CommunitySecretary => COMMUNITY,
        Role::StreetAdmin => STREET,
        Role::DistrictAdmin => DISTRICT,
        Role::SystemAdmin => SYSTEM,
        _ => &[],
    }
}

/// Whether `grants` may give `role` over `scope`.
pub fn may_grant(grants: &[Grant], role: Role, scope: &RegionCode) -> bool {
    grants
        .iter()
        .any(|g| grantable(g.role).contains(&role) && g.scope.covers(scope))
}

/// Whether `grants` administer accounts at all (the menu entry).
pub fn administers(grants: &[Grant]) -> bool {
    grants.iter().any(|g| !grantable(g.role).is_empty())
}

/// Whether `grants` may administer an account holding `target` (reset its
/// password, disable it, see it in the list): every one of its grants is
/// one they could have given. An account without grants is the system
/// administrator's alone.
pub fn may_administer(grants: &[Grant], target: &[Grant]) -> bool {
    if target.is_empty() {
        return grants.iter().any(|g| g.role == Role::SystemAdmin);
    }
    target.iter().all(|t| may_grant(grants, t.role, &t.scope))
}

/// Whether `grants` clear failed-login locks.
pub fn manages_lockouts(grants: &[Grant]) -> bool {
    grants.iter().any(|g| g.role == Role::SecurityAdmin)
}

/// Whether an account holding `grants` must sign in with a second factor
/// (等保 三级: two factors for administrators): every role that can reveal
/// personal data, export it unmasked or administer accounts, and the
/// security, audit and system administrators.
pub fn needs_second_factor(grants: &[Grant]) -> bool {
    holds(grants, Permission::RevealPersonal)
        || holds(grants, Permission::ExportUnmasked)
        || administers(grants)
        || grants.iter().any(|g| {
            matches!(
                g.role,
                Role::SecurityAdmin | Role::Auditor | Role::SystemAdmin
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(role: Role, scope: &str) -> Grant {
        Grant {
            role,
            scope: scope.parse().unwrap(),
        }
    }

    const C: &str = "220103008003";

    #[test]
    fn a_secretary_grants_below_and_inside() {
        let shuji = [g(Role::CommunitySecretary, C)];
        assert!(may_grant(
            &shuji,
            Role::GridWorker,
            &format!("{C}001").parse().unwrap()
        ));
        assert!(may_grant(&shuji, Role::CommunityStaff, &C.parse().unwrap()));
        // not their own rank, not above, not outside
        assert!(!may_grant(
            &shuji,
            Role::CommunitySecretary,
            &C.parse().unwrap()
        ));
        assert!(!may_grant(&shuji, Role::StreetAdmin, &C.parse().unwrap()));
        assert!(!may_grant(
            &shuji,
            Role::GridWorker,
            &"220103008004".parse().unwrap()
        ));
        assert!(!may_grant(
            &shuji,
            Role::GridWorker,
            &"220103008".parse().unwrap()
        ));
    }

    #[test]
    fn administering_needs_every_grant_to_be_grantable() {
        let shuji = [g(Role::CommunitySecretary, C)];
        let worker = [g(Role::GridWorker, &format!("{C}001"))];
        let mixed = [g(Role::GridWorker, C), g(Role::StreetAdmin, "220103008")];
        assert!(may_administer(&shuji, &worker));
        assert!(!may_administer(&shuji, &mixed));
        assert!(!may_administer(&shuji, &shuji));
        assert!(!may_administer(&shuji, &[]));
        let street = [g(Role::StreetAdmin, "220103008")];
        assert!(may_administer(&street, &shuji));
        // the system administrator hands out the top roles, not the ones
        // that read residents
        let system = [g(Role::SystemAdmin, "00")];
        assert!(may_administer(&system, &[g(Role::DistrictAdmin, "220103")]));
        assert!(!may_administer(&system, &worker));
    }

    #[test]
    fn who_needs_two_factors() {
        assert!(needs_second_factor(&[g(Role::GridWorker, C)]));
        assert!(needs_second_factor(&[g(Role::CommunitySecretary, C)]));
        assert!(needs_second_factor(&[g(Role::StreetAdmin, "220103008")]));
        assert!(needs_second_factor(&[g(Role::SecurityAdmin, "00")]));
        assert!(!needs_second_factor(&[g(Role::Resident, C)]));
        assert!(!needs_second_factor(&[g(Role::Volunteer, C)]));
        assert!(!needs_second_factor(&[g(
            Role::DepartmentHandler,
            "220103008"
        )]));
    }
}
