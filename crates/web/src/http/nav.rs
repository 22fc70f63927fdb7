//! Role-based navigation: what a signed-in person can open, in words they
//! use. Phones get a bottom tab bar of 3–5 tabs (`ui.md` §1: 居民 首页 ·
//! 随手拍 · 消息 · 我的; 网格员 今日 · 住户 · 上报 · 消息 · 我的; 部门 待办 …),
//! desktops a side menu with everything; `我的` lists everything too, so a
//! phone reaches what is not a tab. Nothing appears that the roles cannot
//! use — a resident never sees 网格, 居民, 区划 or 访问令牌.

use linli_app::accounts::auth::Principal;
use linli_domain::access::{Permission, Role, can_read_audit_log, holds};
use linli_domain::accounts::admin::{administers, manages_lockouts};

/// One link of the navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    /// the icon's id in the sprite (web/build.mjs)
    pub icon: &'static str,
}

fn item(href: &'static str, label: &'static str) -> NavItem {
    NavItem {
        href,
        label,
        icon: icon(href),
    }
}

/// The icon of a destination, the same wherever it is linked.
pub fn icon(href: &str) -> &'static str {
    match href {
        "/home" => "house",
        "/cases/new" => "camera",
        "/cases" => "clipboard-list",
        "/inbox" => "message-circle",
        "/account" => "user",
        "/me" => "id-card",
        "/residents" => "users",
        "/places" => "map",
        "/dashboard" => "chart-column",
        "/cases/setup" => "settings",
        "/territory" => "landmark",
        "/admin/users" => "shield",
        "/audit" => "history",
        "/account/tokens" => "key-round",
        "/notices" => "megaphone",
        "/visits" => "hand-heart",
        "/votes" | "/proposals" => "vote",
        "/volunteer" | "/volunteers" => "heart-handshake",
        "/partners" => "handshake",
        _ => "layout-grid",
    }
}

/// The navigation of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nav {
    /// the person's name, as the top bar greets them
    pub name: String,
    /// the bottom tab bar on phones (3–5)
    pub tabs: Vec<NavItem>,
    /// the side menu on desktops, and 我的 on phones: everything they use
    pub menu: Vec<NavItem>,
    /// 长辈版: larger type and targets
    pub elder: bool,
}

/// What a person's roles open.
struct Can {
    resident: bool,
    grid_worker: bool,
    department: bool,
    cases: bool,
    residents: bool,
    places: bool,
    dashboard: bool,
    setup: bool,
    territory: bool,
    audit: bool,
    admin: bool,
    tokens: bool,
    notices: bool,
    visits: bool,
    votes: bool,
    volunteering: bool,
    /// community staff, the street and district (共建单位)
    partners: bool,
    /// a partner unit's account
    partner: bool,
    /// a party member or volunteer (no resident grant)
    member: bool,
}

fn can(p: &Principal) -> Can {
    let role = |r: Role| p.grants.iter().any(|g| g.role == r);
    let staff = p.grants.iter().any(|g| g.role.is_staff());
    Can {
        resident: role(Role::Resident),
        grid_worker: role(Role::GridWorker),
        department: role(Role::DepartmentHandler),
        cases: holds(&p.grants, Permission::ViewCases) || role(Role::DepartmentHandler),
        residents: holds(&p.grants, Permission::ViewResidents),
        places: holds(&p.grants, Permission::ViewPlaces),
        dashboard: holds(&p.grants, Permission::ViewDashboard),
        setup: holds(&p.grants, Permission::ManageCases)
            || holds(&p.grants, Permission::ConfigureLoop),
        territory: role(Role::SystemAdmin) || role(Role::DistrictAdmin),
        audit: can_read_audit_log(&p.grants),
        admin: administers(&p.grants) || manages_lockouts(&p.grants),
        tokens: staff,
        notices: holds(&p.grants, Permission::PublishNotices),
        visits: holds(&p.grants, Permission::RecordVisits),
        votes: holds(&p.grants, Permission::ViewVotes),
        volunteering: holds(&p.grants, Permission::ViewVolunteering),
        partners: holds(&p.grants, Permission::ViewPartners),
        partner: role(Role::PartnerUnit),
        member: role(Role::PartyMember) || role(Role::Volunteer),
    }
}

impl Nav {
    pub fn of(p: &Principal) -> Nav {
        let c = can(p);
        let home = item("/home", if c.grid_worker { "今日" } else { "首页" });
        let inbox = item("/inbox", "消息");
        let mine = item("/account", "我的");
        let mut tabs = vec![home.clone()];
        if c.grid_worker {
            tabs.push(item("/residents", "住户"));
            tabs.push(item("/cases/new", "上报"));
        } else if c.department {
            tabs.push(item("/cases", "待办"));
        } else if c.cases && c.dashboard {
            tabs.push(item("/cases", "诉求"));
            tabs.push(item("/dashboard", "看板"));
        } else if c.resident {
            tabs.push(item("/cases/new", "随手拍"));
        } else if c.partner {
            tabs.push(item("/partners", "共建"));
        } else if c.member {
            tabs.push(item("/volunteer", "志愿"));
        }
        tabs.push(inbox.clone());
        tabs.push(mine.clone());

        let mut menu = vec![home];
        if c.resident && !c.cases {
            menu.push(item("/cases/new", "随手拍"));
            menu.push(item("/cases", "我的诉求"));
            menu.push(item("/notices", "社区通知"));
            menu.push(item("/proposals", "议事协商"));
            menu.push(item("/volunteer", "志愿服务"));
            menu.push(item("/me", "我的信息"));
        }
        if c.cases {
            menu.push(item(
                "/cases",
                if c.department {
                    "待我处理"
                } else {
                    "诉求"
                },
            ));
        }
        if c.grid_worker || (c.cases && !c.department) {
            menu.push(item("/cases/new", "上报"));
        }
        if c.residents {
            menu.push(item(
                "/residents",
                if c.grid_worker { "住户" } else { "居民" },
            ));
        }
        if c.visits {
            menu.push(item("/visits", "走访"));
        }
        if c.places {
            menu.push(item("/places", "网格"));
        }
        if c.dashboard {
            menu.push(item("/dashboard", "看板"));
        }
        if c.notices {
            menu.push(item("/notices", "通知公告"));
        }
        if c.votes {
            menu.push(item("/proposals", "议事协商"));
        }
        if c.volunteering || (c.member && !c.resident) {
            menu.push(item("/volunteer", "志愿服务"));
        }
        if c.partners || c.partner {
            menu.push(item("/partners", "共建单位"));
        }
        if c.setup {
            menu.push(item("/cases/setup", "诉求设置"));
        }
        if c.territory {
            menu.push(item("/territory", "区划"));
        }
        if c.admin {
            menu.push(item("/admin/users", "账号管理"));
        }
        if c.audit {
            menu.push(item("/audit", "审计日志"));
        }
        menu.push(inbox);
        menu.push(mine);
        if c.tokens {
            menu.push(item("/account/tokens", "访问令牌"));
        }
        Nav {
            name: p.display_name.clone(),
            tabs,
            menu,
            elder: p.elder,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_app::accounts::auth::Credential;
    use linli_domain::access::Grant;

    fn who(role: Role, scope: &str) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            display_name: "某人".into(),
            grants: vec![Grant {
                role,
                scope: scope.parse().unwrap(),
            }],
            must_change_password: false,
            last_login_at: None,
            credential: Credential::Token { token_id: 0 },
            elder: false,
        }
    }

    fn hrefs(items: &[NavItem]) -> Vec<&str> {
        items.iter().map(|i| i.href).collect()
    }

    #[test]
    fn a_resident_sees_no_staff_tools() {
        let n = Nav::of(&who(Role::Resident, "220103008003"));
        assert_eq!(
            hrefs(&n.tabs),
            ["/home", "/cases/new", "/inbox", "/account"]
        );
        for staff in [
            "/residents",
            "/places",
            "/territory",
            "/account/tokens",
            "/dashboard",
            "/cases/setup",
            "/admin/users",
        ] {
            assert!(!hrefs(&n.menu).contains(&staff), "{staff}");
        }
        assert!(hrefs(&n.menu).contains(&"/me"));
    }

    #[test]
    fn each_role_gets_its_own_tabs() {
        let w = Nav::of(&who(Role::GridWorker, "220103008003001"));
        assert_eq!(
            hrefs(&w.tabs),
            ["/home", "/residents", "/cases/new", "/inbox", "/account"]
        );
        assert_eq!(w.tabs[0].label, "今日");
        let d = Nav::of(&who(Role::DepartmentHandler, "220103008"));
        assert_eq!(hrefs(&d.tabs), ["/home", "/cases", "/inbox", "/account"]);
        assert!(!hrefs(&d.menu).contains(&"/residents"));
        let s = Nav::of(&who(Role::CommunitySecretary, "220103008003"));
        assert_eq!(
            hrefs(&s.tabs),
            ["/home", "/cases", "/dashboard", "/inbox", "/account"]
        );
        assert!(hrefs(&s.menu).contains(&"/admin/users") && hrefs(&s.menu).contains(&"/places"));
        assert!(hrefs(&s.menu).contains(&"/partners"));
        let p = Nav::of(&who(Role::PartnerUnit, "220103008"));
        assert_eq!(hrefs(&p.tabs), ["/home", "/partners", "/inbox", "/account"]);
        assert!(!hrefs(&p.menu).contains(&"/residents") && !hrefs(&p.menu).contains(&"/cases"));
        assert!(
            !hrefs(&w.menu).contains(&"/partners"),
            "grid workers have no partners menu"
        );
        let sys = Nav::of(&who(Role::SystemAdmin, "000000000000"));
        assert!(!hrefs(&sys.menu).contains(&"/residents") && !hrefs(&sys.menu).contains(&"/audit"));
        for n in [&w, &d, &s, &p, &sys] {
            assert!((3..=5).contains(&n.tabs.len()));
        }
    }
}
