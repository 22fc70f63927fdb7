//! The 楼盘表 (a building as units × floors) on both databases: flats
//! coloured by who lives there for staff who see residents, rooms only for
//! those who see places but not people, and a flat opening its residents
//! within the viewer's scope.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{import_people, seeded};
use crate::common::token;
use linli_app::Actor;
use linli_app::accounts::NewAccount;
use linli_app::demo::COMMUNITY;
use linli_domain::access::{Grant, Role};
use linli_domain::secret::Secret;
use linli_store::{Db, db_test};

/// The `href` of the flat whose label starts with `label`.
fn flat_link(body: &str, label: &str) -> String {
    let at = body
        .find(&format!("aria-label=\"{label}"))
        .unwrap_or_else(|| panic!("no flat labelled {label}"));
    let start = body[..at].rfind("href=\"").unwrap() + 6;
    body[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
}

db_test!(
    the_floor_plan_colours_flats_for_staff_who_see_residents,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        let shuji = token(&c, "shuji").await;
        import_people(&mut c, &shuji).await;
        c.login("shuji", &pw["shuji"]).await;
        let page = c.get(&format!("/places?code={COMMUNITY}&building=1")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("id=\"plan\""), "the plan is drawn");
        // 1号楼 has 276 flats: all on the plan, not a page of the table
        assert_eq!(page.body.matches("<a class=\"flat ").count(), 276);
        // 王秀兰 lives alone in 1单元 101, registered here, tagged 独居老人
        assert!(
            page.body.contains(
                "class=\"flat own cared key\" href=\"/residents?building_id=1&amp;dwelling_id="
            ),
            "101 is lived in, with someone needing care"
        );
        assert!(page.body.contains("aria-label=\"101室 自住 1人 重点关怀\""));
        assert!(page.body.matches("class=\"flat empty\"").count() > 200);
        // the flat opens its residents, and only theirs
        let flat = c.get(&flat_link(&page.body, "101室 自住")).await;
        assert_eq!(flat.status, 200);
        assert!(flat.body.contains("王秀兰") && flat.body.contains("只看所选的一户"));
        assert!(
            !flat.body.contains("赵大山"),
            "a neighbour of another building"
        );

        // the system administrator sets up places but never sees people: rooms only
        let admin = NewAccount {
            username: "xitong".into(),
            display_name: None,
            password: Secret::new("Changshan-Huayuan-26!"),
            grants: vec![Grant {
                role: Role::SystemAdmin,
                scope: "22".parse().unwrap(),
            }],
            must_change_password: false,
        };
        c.app.create_user(admin, &Actor::cli()).await.unwrap();
        c.cookies.clear();
        c.login("xitong", "Changshan-Huayuan-26!").await;
        let bare = c.get(&format!("/places?code={COMMUNITY}&building=1")).await;
        assert_eq!(bare.status, 200, "{}", bare.body);
        assert!(bare.body.contains("id=\"plan\""));
        assert_eq!(
            bare.body.matches("<a class=\"flat ").count(),
            0,
            "no links to people"
        );
        assert!(!bare.body.contains("自住") && !bare.body.contains("重点关怀"));
        assert_eq!(bare.body.matches("<span class=\"flat\"").count(), 276);
    }
);
