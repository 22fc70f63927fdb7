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
    // the auditor and the security administrator watch the system
    // administrator (三权分立): they are appointed at the command line only
    const SYSTEM: &[Role] = &[Role::DistrictAdmin, Role::StreetAdmin];
    match by {
        Role::CommunitySecretary => COMMUNITY,
        Role::StreetAdmin => STREET,
        Role::DistrictAdmin => DISTRICT,
        Role::SystemAdmin => SYSTEM,
        _ => &[],
    }
}

/// Whether `scope` is the level `role` works at: a community's roles at a
/// community or one of its grids, a street's at a street, a district's at
/// a district. A secretary "over a whole street" would reveal every
/// community's residents.
pub fn fits(role: Role, scope: &RegionCode) -> bool {
    let digits = scope.significant_prefix().len();
    match role {
        Role::Resident
        | Role::Volunteer
        | Role::PartyMember
        | Role::GridWorker
        | Role::BuildingHead
        | Role::CommunityStaff
        | Role::PartnerUnit
        | Role::CommunitySecretary => scope.community().is_some(),
        Role::DepartmentHandler | Role::StreetAdmin => digits == 9,
        Role::DistrictAdmin => digits == 6,
        Role::Auditor | Role::SecurityAdmin | Role::SystemAdmin => true,
    }
}

/// Whether `grants` may give `role` over `scope`: a role below their own,
/// at its own level, inside their scope.
pub fn may_grant(grants: &[Grant], role: Role, scope: &RegionCode) -> bool {
    fits(role, scope)
        && grants
            .iter()
            .any(|g| grantable(g.role).contains(&role) && g.scope.covers(scope))
}

/// The permissions an account must not get from someone who lacks them:
/// whoever creates it or resets its password learns its one-time password.
const HANDED_OVER: [Permission; 4] = [
    Permission::ViewResidents,
    Permission::RevealPersonal,
    Permission::ExportUnmasked,
    Permission::EditResidents,
];

/// Whether `grants` may learn the password of an account holding `target`
/// (create it, reset it): the account may do nothing with residents' data
/// that the administrator may not do there too. A street administrator,
/// who sees residents masked, cannot so become a community secretary.
pub fn may_hand_over(grants: &[Grant], target: &[Grant]) -> bool {
    target.iter().all(|t| {
        HANDED_OVER.iter().all(|perm| {
            !crate::access::allowed(std::slice::from_ref(t), *perm, &t.scope)
                || crate::access::allowed(grants, *perm, &t.scope)
        })
    })
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
        assert!(!may_administer(&system, &[g(Role::Auditor, "00")]));
    }

    #[test]
    fn a_role_is_granted_at_its_own_level() {
        let street = [g(Role::StreetAdmin, "220103008")];
        assert!(may_grant(
            &street,
            Role::CommunitySecretary,
            &C.parse().unwrap()
        ));
        // a secretary "over the street" would reveal every community
        assert!(!may_grant(
            &street,
            Role::CommunitySecretary,
            &"220103008".parse().unwrap()
        ));
        assert!(may_grant(
            &street,
            Role::DepartmentHandler,
            &"220103008".parse().unwrap()
        ));
        assert!(!may_grant(
            &street,
            Role::DepartmentHandler,
            &C.parse().unwrap()
        ));
        let district = [g(Role::DistrictAdmin, "220103")];
        assert!(!may_grant(
            &district,
            Role::GridWorker,
            &"220103".parse().unwrap()
        ));
        assert!(may_grant(
            &district,
            Role::StreetAdmin,
            &"220103008".parse().unwrap()
        ));
    }

    #[test]
    fn nobody_hands_over_more_than_they_may_do() {
        let shuji = [g(Role::CommunitySecretary, C)];
        let street = [g(Role::StreetAdmin, "220103008")];
        let worker = [g(Role::GridWorker, &format!("{C}001"))];
        let secretary = [g(Role::CommunitySecretary, C)];
        let dept = [g(Role::DepartmentHandler, "220103008")];
        assert!(may_hand_over(&shuji, &worker));
        // the street sees residents masked: it may not mint a revealer
        assert!(!may_hand_over(&street, &secretary));
        assert!(!may_hand_over(&street, &worker));
        assert!(may_hand_over(&street, &dept));
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
