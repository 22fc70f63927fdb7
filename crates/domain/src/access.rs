//! Roles and territory scopes (DESIGN.md §3).
//!
//! A user holds roles, each granted on a territory node; a grant reaches
//! that node's subtree and nothing else. Until the territory tree exists a
//! scope is a 12-digit statistical region code (统计用区划代码): the node
//! is identified by its significant prefix (2 digits province, 4 city,
//! 6 county, 9 street, 12 community), so "reaches the subtree" is a prefix
//! test. `000000000000` is the whole country.
//!
//! Grids extend the code below the community: a grid's code is its
//! parent's code plus a 3-digit sequence (`220103008003` → `220103008003001`
//! → `220103008003001002`), so a grant on a grid reaches its sub-grids and
//! the buildings inside them by the same prefix test.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A role. System admin, security admin and auditor are separate
/// (三权分立): none of them implies another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 居民
    Resident,
    /// 志愿者
    Volunteer,
    /// 党员
    PartyMember,
    /// 网格员
    GridWorker,
    /// 楼栋长/单元长
    BuildingHead,
    /// 社区工作人员
    CommunityStaff,
    /// 社区书记
    CommunitySecretary,
    /// 部门处置人员
    DepartmentHandler,
    /// 共建单位
    PartnerUnit,
    /// 街道管理员
    StreetAdmin,
    /// 区级管理员
    DistrictAdmin,
    /// 审计管理员
    Auditor,
    /// 安全管理员
    SecurityAdmin,
    /// 系统管理员
    SystemAdmin,
}

impl Role {
    pub const ALL: [Role; 14] = [
        Role::Resident,
        Role::Volunteer,
        Role::PartyMember,
        Role::GridWorker,
        Role::BuildingHead,
        Role::CommunityStaff,
        Role::CommunitySecretary,
        Role::DepartmentHandler,
        Role::PartnerUnit,
        Role::StreetAdmin,
        Role::DistrictAdmin,
        Role::Auditor,
        Role::SecurityAdmin,
        Role::SystemAdmin,
    ];

    /// The stable name used in the database, the CLI and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Volunteer => "volunteer",
            Role::PartyMember => "party_member",
            Role::GridWorker => "grid_worker",
            Role::BuildingHead => "building_head",
            Role::CommunityStaff => "community_staff",
            Role::CommunitySecretary => "community_secretary",
            Role::DepartmentHandler => "department_handler",
            Role::PartnerUnit => "partner_unit",
            Role::StreetAdmin => "street_admin",
            Role::DistrictAdmin => "district_admin",
            Role::Auditor => "auditor",
            Role::SecurityAdmin => "security_admin",
            Role::SystemAdmin => "system_admin",
        }
    }

    /// The name shown to people.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Role::Resident => "居民",
            Role::Volunteer => "志愿者",
            Role::PartyMember => "党员",
            Role::GridWorker => "网格员",
            Role::BuildingHead => "楼栋长/单元长",
            Role::CommunityStaff => "社区工作人员",
            Role::CommunitySecretary => "社区书记",
            Role::DepartmentHandler => "部门处置人员",
            Role::PartnerUnit => "共建单位",
            Role::StreetAdmin => "街道管理员",
            Role::DistrictAdmin => "区级管理员",
            Role::Auditor => "审计管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::SystemAdmin => "系统管理员",
        }
    }

    /// Staff accounts follow the stricter 等保 password policy; residents
    /// and volunteers the ASVS one.
    pub const fn is_staff(self) -> bool {
        !matches!(self, Role::Resident | Role::Volunteer | Role::PartyMember)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("unknown role `{0}`; known roles: {known}", known = known_roles())]
    UnknownRole(String),
    #[error(
        "a scope is a 2, 4, 6, 9 or 12 digit region code or a 15, 18 or 21 digit grid code, got `{0}`"
    )]
    BadScope(String),
}

fn known_roles() -> String {
    Role::ALL.map(Role::as_str).join(", ")
}

impl FromStr for Role {
    type Err = AccessError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| AccessError::UnknownRole(s.to_owned()))
    }
}

/// 区划代码 scope — a territory node named by its 12-digit statistical code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub const COUNTRY: &'static str = "000000000000";

    pub fn country() -> Self {
        RegionCode(Self::COUNTRY.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits that name the node: `220103008003` → all 12,
    /// `220103000000` → `220103`, the country → "".
    pub fn significant_prefix(&self) -> &str {
        let len = match self.0.trim_end_matches('0').len() {
            0 => 0,
            1..=2 => 2,
            3..=4 => 4,
            5..=6 => 6,
            7..=9 => 9,
            _ if self.0.len() > 12 => self.0.len(),
            _ => 12,
        };
        &self.0[..len]
    }

    /// Whether a grant on `self` reaches `other` (the same node or below it).
    pub fn covers(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.significant_prefix())
    }

    /// A grid's code (longer than the 12 statistical digits).
    pub fn is_grid(&self) -> bool {
        self.0.len() > 12
    }

    /// The community (社区/村) a grid code lies in, or the code itself
    /// when it names a community.
    pub fn community(&self) -> Option<RegionCode> {
        (self.significant_prefix().len() >= 12).then(|| RegionCode(self.0[..12].to_owned()))
    }

    /// Whether `self` and `other` lie on one branch (one is inside the other).
    pub fn related(&self, other: &RegionCode) -> bool {
        self.covers(other) || other.covers(self)
    }
}

impl From<RegionCode> for String {
    fn from(s: RegionCode) -> String {
        s.0
    }
}

impl FromStr for RegionCode {
    type Err = AccessError;
    /// Accepts the full 12-digit code or its significant prefix
    /// (2, 4, 6 or 9 digits), padding with zeros as the statistics do, and
    /// grid codes of 15, 18 or 21 digits below a community.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let ok_len = matches!(t.len(), 2 | 4 | 6 | 9 | 12 | 15 | 18 | 21);
        if !ok_len || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AccessError::BadScope(s.to_owned()));
        }
        let code = RegionCode(format!("{t:0<12}"));
        if code.is_grid() && code.0[9..12] == *"000" {
            // a grid lies below a community, never directly below a street
            return Err(AccessError::BadScope(s.to_owned()));
        }
        Ok(code)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One role granted on one territory node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub scope: RegionCode,
}

/// Whether any of `grants` gives `role` over `target`.
pub fn has_role_over(grants: &[Grant], role: Role, target: &RegionCode) -> bool {
    grants
        .iter()
        .any(|g| g.role == role && g.scope.covers(target))
}

/// What may be done with the places of the territory (grids, estates,
/// buildings, units, dwellings) and the party network bound to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See grids, buildings, dwellings, party organisations and posts.
    ViewPlaces,
    /// Add and change estates, buildings, units and dwellings.
    EditPlaces,
    /// Create, move, redraw and delete grids; party organisations and posts.
    ManageGrids,
    /// See residents in scope, personal fields masked (人房地情).
    ViewResidents,
    /// Add, change, move and tag residents.
    EditResidents,
    /// Reveal a masked field, giving a reason; every reveal is audited.
    RevealPersonal,
    /// Import and export the registry in bulk (exports masked).
    BulkResidents,
    /// Export without masks (audited).
    ExportUnmasked,
    /// See the requests (诉求) in scope and their whole timeline.
    ViewCases,
    /// Accept, reject, dispatch, verify, merge, postpone (as approver) and
    /// re-categorise requests (受理、派遣、核查).
    ManageCases,
    /// Handle requests in scope, and close simple ones on the spot
    /// (简易问题自行处置).
    HandleCases,
    /// See the request dashboards (三率 and the GB/T 30428 indicators).
    ViewDashboard,
    /// Set what the whole deployment's loop runs on: the category tree and
    /// the holiday calendar (基础数据; routing rules are `ManageCases`).
    ConfigureLoop,
    /// Publish and withdraw notices (通知公告) to the residents in scope, and
    /// see who has read them.
    PublishNotices,
    /// Visit residents in scope and record the visits (走访).
    RecordVisits,
    /// See the owners' votes in scope and their results (业主表决).
    ViewVotes,
    /// Keep the owners' register (业主名册), prepare, open and count owners'
    /// votes, and enter paper and proxy ballots (audited).
    ManageVotes,
    /// See the volunteers, service orders, activities and points in scope
    /// (志愿服务).
    ViewVolunteering,
    /// Place 双报到 members, dispatch service orders (派单), hold activities,
    /// keep the points shelf and correct the ledger (audited).
    ManageVolunteering,
    /// See the partner units, their agreements, the three lists (需求、资源、
    /// 项目) and their evaluations in scope (共建单位).
    ViewPartners,
    /// Accept units that report in, keep the needs, hold the 联席会议,
    /// start and close projects, evaluate units (audited).
    ManagePartners,
}

impl Permission {
    /// The roles that carry this permission (over their scope). The system
    /// administrator sets up the territory (基础数据); residents' personal
    /// data is a different permission in the registry.
    pub const fn roles(self) -> &'static [Role] {
        const MANAGE: &[Role] = &[
            Role::CommunityStaff,
            Role::CommunitySecretary,
            Role::StreetAdmin,
            Role::DistrictAdmin,
            Role::SystemAdmin,
        ];
        match self {
            Permission::ViewPlaces => &[
                Role::GridWorker,
                Role::BuildingHead,
                Role::CommunityStaff,
                Role::CommunitySecretary,
                Role::StreetAdmin,
                Role::DistrictAdmin,
                Role::SystemAdmin,
            ],
            Permission::EditPlaces => &[
                Role::GridWorker,
                Role::CommunityStaff,
                Role::CommunitySecretary,
                Role::StreetAdmin,
                Role::DistrictAdmin,
                Role::SystemAdmin,
            ],
            Permission::ManageGrids => MANAGE,
            // the system administrator sets up places but never reads
            // personal data (三权分立); street and district see masked lists
            Permission::ViewResidents => &[
                Role::GridWorker,
                Role::BuildingHead,
                Role::CommunityStaff,
                Role::CommunitySecretary,
                Role::StreetAdmin,
                Role::DistrictAdmin,
            ],
            Permission::EditResidents | Permission::RevealPersonal => &[
                Role::GridWorker,
                Role::CommunityStaff,
                Role::CommunitySecretary,
            ],
            Permission::BulkResidents => &[Role::CommunityStaff, Role::CommunitySecretary],
            Permission::ExportUnmasked => &[Role::CommunitySecretary],
            // a department reaches only the cases dispatched or whistled
            // to it (by its account, not its grant's territory)
            Permission::ViewCases | Permission::ViewDashboard => &[
                Role::GridWorker,
                Role::CommunityStaff,
                Role::CommunitySecretary,
                Role::StreetAdmin,
                Role::DistrictAdmin,
            ],
            Permission::ManageCases => &[
                Role::CommunityStaff,
                Role::CommunitySecretary,
                Role::StreetAdmin,
                Role::DistrictAdmin,
            ],
            Permission::HandleCases => &[
                Role::GridWorker,
                Role::CommunityStaff,
                Role::CommunitySecretary,
            ],
            Permission::ConfigureLoop => &[Role::DistrictAdmin, Role::SystemAdmin],
            // a grid worker tells their grid; the community and the street all of it
            Permission::PublishNotices => &[
                Role::GridWorker,
                Role::CommunityStaff,
                Role::CommunitySecretary,
                Role::StreetAdmin,
            ],
            Permission::RecordVisits => &[
                Role::GridWorker,
                Role::CommunityStaff,
                Role::CommunitySecretary,
            ],
            Permission::ViewVotes => &[
                Role::CommunityStaff,
                Role::CommunitySecretary,
                Role::StreetAdmin,
                Role::DistrictAdmin,
            ],
            Permission::ManageVotes => &[Role::CommunityStaff, Role::CommunitySecretary],
            Permission::ViewVolunteering => &[
                Role::CommunityStaff,
                Role::CommunitySecretary,
                Role::StreetAdmin,
                Role::DistrictAdmin,
            ],
            Permission::ManageVolunteering | Permission::ManagePartners => {
                &[Role::CommunityStaff, Role::CommunitySecretary]
            }
            Permission::ViewPartners => &[
                Role::CommunityStaff,
                Role::CommunitySecretary,
                Role::StreetAdmin,
                Role::DistrictAdmin,
            ],
        }
    }
}

/// Whether `grants` give `perm` over the node `target` (its subtree
/// included): some grant of a role carrying `perm` covers it.
pub fn allowed(grants: &[Grant], perm: Permission, target: &RegionCode) -> bool {
    grants
        .iter()
        .any(|g| perm.roles().contains(&g.role) && g.scope.covers(target))
}

/// Whether `grants` may set what the whole deployment runs on (the
/// category tree, the holiday calendar): `ConfigureLoop` over the whole
/// country, not over one district's part of it.
pub fn configures_deployment(grants: &[Grant]) -> bool {
    allowed(grants, Permission::ConfigureLoop, &RegionCode::country())
}

/// Whether some grant carries `perm`, wherever it is scoped (for settings
/// that belong to the whole deployment, not to a node).
pub fn holds(grants: &[Grant], perm: Permission) -> bool {
    grants.iter().any(|g| perm.roles().contains(&g.role))
}

/// Whether `grants` give `perm` anywhere on `target`'s branch — over it,
/// or over some node inside it (a grid worker sees their community's
/// outline and grids, and the buildings of their own grid only).
pub fn reaches(grants: &[Grant], perm: Permission, target: &RegionCode) -> bool {
    grants
        .iter()
        .any(|g| perm.roles().contains(&g.role) && g.scope.related(target))
}

/// The code prefixes over which `grants` give `perm` ("" is the whole
/// country), for filtering lists in the store.
pub fn scope_prefixes(grants: &[Grant], perm: Permission) -> Vec<String> {
    let mut out: Vec<String> = grants
        .iter()
        .filter(|g| perm.roles().contains(&g.role))
        .map(|g| g.scope.significant_prefix().to_owned())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// 三权分立: only an auditor over the whole country reads the audit log —
/// not the system admin, not the security admin.
pub fn can_read_audit_log(grants: &[Grant]) -> bool {
    has_role_over(grants, Role::Auditor, &RegionCode::country())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        s.parse().unwrap()
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!(matches!(
            "root".parse::<Role>(),
            Err(AccessError::UnknownRole(_))
        ));
    }

    #[test]
    fn scope_pads_and_rejects() {
        assert_eq!(code("220103").as_str(), "220103000000");
        assert_eq!(code("220103008003").significant_prefix(), "220103008003");
        assert_eq!(code("220103008").significant_prefix(), "220103008");
        assert_eq!(RegionCode::country().significant_prefix(), "");
        for bad in ["", "2201030", "22010300800x", "2201030080031", "长山花园"] {
            assert!(bad.parse::<RegionCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn grid_codes_extend_the_community_code() {
        let grid = code("220103008003001");
        assert!(grid.is_grid());
        assert_eq!(grid.significant_prefix(), "220103008003001");
        assert_eq!(grid.community(), Some(code("220103008003")));
        assert_eq!(code("220103008003").community(), Some(code("220103008003")));
        assert_eq!(code("220103008").community(), None);
        assert!(code("220103008003").covers(&grid));
        assert!(grid.covers(&code("220103008003001002")));
        assert!(!grid.covers(&code("220103008003002")));
        assert!(!grid.covers(&code("220103008003")));
        // below a street, not a community
        assert!("220103008000001".parse::<RegionCode>().is_err());
        assert!("2201030080030011".parse::<RegionCode>().is_err());
    }

    #[test]
    fn permissions_follow_roles_and_scopes() {
        let worker = vec![Grant {
            role: Role::GridWorker,
            scope: code("220103008003001"),
        }];
        let community = code("220103008003");
        let own = code("220103008003001");
        let other = code("220103008003002");
        assert!(allowed(&worker, Permission::EditPlaces, &own));
        assert!(!allowed(&worker, Permission::EditPlaces, &other));
        assert!(!allowed(&worker, Permission::ViewPlaces, &community));
        assert!(reaches(&worker, Permission::ViewPlaces, &community));
        assert!(!allowed(&worker, Permission::ManageGrids, &own));
        let secretary = vec![Grant {
            role: Role::CommunitySecretary,
            scope: community.clone(),
        }];
        assert!(allowed(&secretary, Permission::ManageGrids, &own));
        assert!(!allowed(
            &secretary,
            Permission::ViewPlaces,
            &code("220103008004")
        ));
        let auditor = vec![Grant {
            role: Role::Auditor,
            scope: RegionCode::country(),
        }];
        assert!(!allowed(&auditor, Permission::ViewPlaces, &own));
    }

    #[test]
    fn a_grant_reaches_its_subtree_only() {
        let street = code("220103008"); // 团山街道
        assert!(street.covers(&code("220103008003"))); // 长山花园社区
        assert!(!street.covers(&code("220103009001"))); // another street
        assert!(!code("220103008003").covers(&street)); // not upwards
        assert!(RegionCode::country().covers(&street));
        // a province code with a zero in its city digits still works
        assert!(code("110000000000").covers(&code("110105000000")));
        assert!(!code("110000000000").covers(&code("120105000000")));
    }

    #[test]
    fn personal_data_stays_with_the_community() {
        let g = |role, scope: &str| {
            vec![Grant {
                role,
                scope: code(scope),
            }]
        };
        let own = code("220103008003001");
        let admin = g(Role::SystemAdmin, "000000000000");
        assert!(!allowed(&admin, Permission::ViewResidents, &own));
        assert!(scope_prefixes(&admin, Permission::ViewResidents).is_empty());
        let street = g(Role::StreetAdmin, "220103008");
        assert!(allowed(&street, Permission::ViewResidents, &own));
        assert!(!allowed(&street, Permission::RevealPersonal, &own));
        let worker = g(Role::GridWorker, "220103008003001");
        assert!(allowed(&worker, Permission::RevealPersonal, &own));
        assert!(!allowed(&worker, Permission::BulkResidents, &own));
        assert_eq!(
            scope_prefixes(&worker, Permission::ViewResidents),
            ["220103008003001"]
        );
        let sec = g(Role::CommunitySecretary, "220103008003");
        assert!(allowed(&sec, Permission::ExportUnmasked, &own));
        assert!(!allowed(
            &g(Role::CommunityStaff, "220103008003"),
            Permission::ExportUnmasked,
            &own
        ));
    }

    #[test]
    fn only_a_national_auditor_reads_the_audit_log() {
        let g = |role, scope: &str| {
            vec![Grant {
                role,
                scope: code(scope),
            }]
        };
        assert!(can_read_audit_log(&g(Role::Auditor, "000000000000")));
        assert!(!can_read_audit_log(&g(Role::Auditor, "220103")));
        assert!(!can_read_audit_log(&g(Role::SystemAdmin, "000000000000")));
        assert!(!can_read_audit_log(&g(Role::SecurityAdmin, "000000000000")));
    }

    #[test]
    fn roles_are_checked_per_grant() {
        let grants = vec![Grant {
            role: Role::GridWorker,
            scope: code("220103008003"),
        }];
        assert!(has_role_over(
            &grants,
            Role::GridWorker,
            &code("220103008003")
        ));
        assert!(!has_role_over(
            &grants,
            Role::StreetAdmin,
            &code("220103008003")
        ));
        assert!(!has_role_over(
            &grants,
            Role::GridWorker,
            &code("220103008004")
        ));
    }
}
