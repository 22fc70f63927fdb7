//! 四级党组织网络 — 社区党委 → 网格党支部 → 楼栋党小组 → 党员家庭户,
//! each organisation bound to the territory node it serves, and the posts
//! (网格员, 楼栋长, 党支部书记 …) held by people on those nodes.

use serde::Serialize;
use std::collections::BTreeSet;
use std::str::FromStr;

/// The kind of territory node something is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Community,
    Grid,
    Estate,
    Building,
    Unit,
    Dwelling,
}

impl NodeKind {
    pub const ALL: [NodeKind; 6] = [
        NodeKind::Community,
        NodeKind::Grid,
        NodeKind::Estate,
        NodeKind::Building,
        NodeKind::Unit,
        NodeKind::Dwelling,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            NodeKind::Community => "community",
            NodeKind::Grid => "grid",
            NodeKind::Estate => "estate",
            NodeKind::Building => "building",
            NodeKind::Unit => "unit",
            NodeKind::Dwelling => "dwelling",
        }
    }

    pub const fn label_zh(self) -> &'static str {
        match self {
            NodeKind::Community => "社区",
            NodeKind::Grid => "网格",
            NodeKind::Estate => "小区",
            NodeKind::Building => "楼栋",
            NodeKind::Unit => "单元",
            NodeKind::Dwelling => "户",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartyError {
    #[error("未知的{what}“{got}”")]
    Unknown { what: &'static str, got: String },
    #[error("{org}应设在{expected}上,不能设在{got}上")]
    WrongNode {
        org: &'static str,
        expected: &'static str,
        got: &'static str,
    },
    #[error("{child}的上级应为{expected}")]
    WrongParent {
        child: &'static str,
        expected: &'static str,
    },
    #[error("日期应为 YYYY-MM-DD,且结束不早于开始")]
    BadDates,
}

impl FromStr for NodeKind {
    type Err = PartyError;
    fn from_str(s: &str) -> Result<Self, PartyError> {
        NodeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| PartyError::Unknown {
                what: "节点类型",
                got: s.to_owned(),
            })
    }
}

/// A party organisation's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgKind {
    Committee,
    GeneralBranch,
    Branch,
    Group,
    CenterHousehold,
    Household,
    /// A partner unit's organisation in the 大党委 (兼职委员单位).
    PartnerOrg,
}

named_enum!(OrgKind, PartyError, "党组织类型",
    Committee => "committee", "社区党委",
    GeneralBranch => "general_branch", "社区党总支",
    Branch => "branch", "党支部",
    Group => "group", "党小组",
    CenterHousehold => "center_household", "党员中心户",
    Household => "household", "党员家庭户",
    PartnerOrg => "partner_org", "共建单位党组织",
);

impl OrgKind {
    /// Where an organisation of this kind is set up.
    pub const fn node(self) -> &'static [NodeKind] {
        match self {
            OrgKind::Committee | OrgKind::GeneralBranch | OrgKind::PartnerOrg => {
                &[NodeKind::Community]
            }
            OrgKind::Branch => &[NodeKind::Grid, NodeKind::Estate],
            OrgKind::Group => &[NodeKind::Building],
            OrgKind::CenterHousehold | OrgKind::Household => &[NodeKind::Dwelling],
        }
    }

    /// The kinds its parent may have (`None`: it stands at the top).
    pub const fn parents(self) -> Option<&'static [OrgKind]> {
        match self {
            OrgKind::Committee | OrgKind::GeneralBranch => None,
            OrgKind::PartnerOrg | OrgKind::Branch => {
                Some(&[OrgKind::Committee, OrgKind::GeneralBranch])
            }
            OrgKind::Group => Some(&[OrgKind::Branch]),
            OrgKind::CenterHousehold | OrgKind::Household => {
                Some(&[OrgKind::Group, OrgKind::Branch])
            }
        }
    }

    /// Checks where an organisation sits and under whom.
    pub fn check(self, node: NodeKind, parent: Option<OrgKind>) -> Result<(), PartyError> {
        if !self.node().contains(&node) {
            return Err(PartyError::WrongNode {
                org: self.label_zh(),
                expected: self.node()[0].label_zh(),
                got: node.label_zh(),
            });
        }
        let ok = match (self.parents(), parent) {
            (None, None) => true,
            (Some(allowed), Some(p)) => allowed.contains(&p),
            _ => false,
        };
        if !ok {
            let expected = self.parents().map_or("无", |p| p[0].label_zh());
            return Err(PartyError::WrongParent {
                child: self.label_zh(),
                expected,
            });
        }
        Ok(())
    }
}

/// 岗位 — posts people hold on territory nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PostKind {
    GridWorker,
    GridHead,
    BuildingHead,
    UnitHead,
    BranchSecretary,
    GroupLeader,
    FirstSecretary,
    PartyInstructor,
    ConcurrentMember,
}

named_enum!(PostKind, PartyError, "岗位",
    GridWorker => "grid_worker", "网格员",
    GridHead => "grid_head", "网格长",
    BuildingHead => "building_head", "楼栋长",
    UnitHead => "unit_head", "单元长",
    BranchSecretary => "branch_secretary", "党支部书记",
    GroupLeader => "group_leader", "党小组长",
    FirstSecretary => "first_secretary", "第一书记",
    PartyInstructor => "party_instructor", "党建指导员",
    ConcurrentMember => "concurrent_member", "兼职委员",
);

impl PostKind {
    /// The node a post is held on.
    pub const fn node(self) -> NodeKind {
        match self {
            PostKind::GridWorker | PostKind::GridHead | PostKind::BranchSecretary => NodeKind::Grid,
            PostKind::BuildingHead | PostKind::GroupLeader => NodeKind::Building,
            PostKind::UnitHead => NodeKind::Unit,
            PostKind::FirstSecretary | PostKind::PartyInstructor | PostKind::ConcurrentMember => {
                NodeKind::Community
            }
        }
    }
}

/// Checks a post's dates (`YYYY-MM-DD`; the end, when known, not before the start).
pub fn check_dates(start: &str, end: Option<&str>) -> Result<(), PartyError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let day = |s: &str| time::Date::parse(s, &fmt).map_err(|_| PartyError::BadDates);
    let from = day(start)?;
    if let Some(e) = end
        && day(e)? < from
    {
        return Err(PartyError::BadDates);
    }
    Ok(())
}

/// 组织覆盖 — which grids lack a branch and which buildings lack a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PartyCoverage {
    pub branches: usize,
    pub groups: usize,
    pub households: usize,
    pub grids_without_branch: Vec<i64>,
    pub buildings_without_group: Vec<i64>,
}

/// `grids` are (id, parent id); a grid counts as served when a branch is
/// bound to it or to one of its ancestors. `orgs` are (kind, node kind, node id).
pub fn coverage(
    grids: &[(i64, Option<i64>)],
    buildings: &[i64],
    orgs: &[(OrgKind, NodeKind, i64)],
) -> PartyCoverage {
    let count = |k: OrgKind| orgs.iter().filter(|o| o.0 == k).count();
    let with_branch: BTreeSet<i64> = orgs
        .iter()
        .filter(|o| o.0 == OrgKind::Branch && o.1 == NodeKind::Grid)
        .map(|o| o.2)
        .collect();
    let with_group: BTreeSet<i64> = orgs
        .iter()
        .filter(|o| o.0 == OrgKind::Group)
        .map(|o| o.2)
        .collect();
    let parent = |id: i64| grids.iter().find(|g| g.0 == id).and_then(|g| g.1);
    let served = |mut id: i64| {
        for _ in 0..=crate::territory::places::MAX_GRID_LEVEL {
            if with_branch.contains(&id) {
                return true;
            }
            match parent(id) {
                Some(p) => id = p,
                None => return false,
            }
        }
        false
    };
    PartyCoverage {
        branches: count(OrgKind::Branch),
        groups: count(OrgKind::Group),
        households: count(OrgKind::Household) + count(OrgKind::CenterHousehold),
        grids_without_branch: grids.iter().map(|g| g.0).filter(|&g| !served(g)).collect(),
        buildings_without_group: buildings
            .iter()
            .copied()
            .filter(|b| !with_group.contains(b))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_sit_where_they_belong() {
        assert!(OrgKind::Committee.check(NodeKind::Community, None).is_ok());
        assert!(
            OrgKind::Branch
                .check(NodeKind::Grid, Some(OrgKind::Committee))
                .is_ok()
        );
        assert!(
            OrgKind::Group
                .check(NodeKind::Building, Some(OrgKind::Branch))
                .is_ok()
        );
        assert!(
            OrgKind::Household
                .check(NodeKind::Dwelling, Some(OrgKind::Group))
                .is_ok()
        );
        assert!(matches!(
            OrgKind::Group.check(NodeKind::Grid, Some(OrgKind::Branch)),
            Err(PartyError::WrongNode { .. })
        ));
        assert!(matches!(
            OrgKind::Group.check(NodeKind::Building, Some(OrgKind::Committee)),
            Err(PartyError::WrongParent { .. })
        ));
        assert!(
            OrgKind::Committee
                .check(NodeKind::Community, Some(OrgKind::Committee))
                .is_err()
        );
        assert_eq!("group".parse::<OrgKind>(), Ok(OrgKind::Group));
        assert!("cell".parse::<OrgKind>().is_err());
        for p in PostKind::ALL {
            assert_eq!(p.as_str().parse::<PostKind>(), Ok(*p));
        }
    }

    #[test]
    fn dates_are_checked() {
        assert!(check_dates("2026-01-01", None).is_ok());
        assert!(check_dates("2026-01-01", Some("2026-12-31")).is_ok());
        assert!(check_dates("2026-13-01", None).is_err());
        assert!(check_dates("2026-05-01", Some("2026-04-30")).is_err());
    }

    #[test]
    fn coverage_finds_gaps() {
        let grids = [(1, None), (2, None), (3, Some(1))];
        let orgs = [
            (OrgKind::Branch, NodeKind::Grid, 1),
            (OrgKind::Group, NodeKind::Building, 10),
            (OrgKind::Household, NodeKind::Dwelling, 100),
        ];
        let c = coverage(&grids, &[10, 11], &orgs);
        assert_eq!(c.grids_without_branch, vec![2]); // 3 is served through 1
        assert_eq!(c.buildings_without_group, vec![11]);
        assert_eq!((c.branches, c.groups, c.households), (1, 1, 1));
    }
}
