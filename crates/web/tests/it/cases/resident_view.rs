//! What a resident sees of their own case (issue 19): the progress in
//! plain words, 撤回 while nobody accepted it, and no staff tools — no
//! dispatch settings, category changes, coordinates, channels or codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{self, Client, token};
use axum::http::Method;
use linli_store::{Db, db_test};
use serde_json::json;

db_test!(
    a_resident_sees_their_case_without_staff_tools,
    |db: Db| async move {
        let mut c = Client::new(db).await;
        c.app.seed_demo_community().await.unwrap().unwrap();
        common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
        let resident = token(&c, "jumin1").await;
        let case = common::file_in_grid1(&mut c, &resident, "snapshot", "路灯不亮").await;
        let id = case["id"].as_i64().unwrap();
        c.login("jumin1", "Jumin-Mima-2026-ok").await;
        let list = c.get("/cases").await;
        assert!(
            list.body.contains("我的诉求") && !list.body.contains("诉求台账"),
            "{}",
            list.body
        );
        assert!(!list.body.contains("/dashboard"), "{}", list.body);
        let page = c.get(&format!("/cases/{id}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for staff_only in [
            "派遣设置",
            "立案时调整类别",
            "处置人账号",
            "紧急程度",
            "来源",
            "gcj02",
            "wgs84",
            "220103008003",
        ] {
            assert!(
                !page.body.contains(staff_only),
                "{staff_only}: {}",
                page.body
            );
        }
        assert!(page.body.contains("撤回诉求"), "{}", page.body);
        // accepted, it can no longer be withdrawn
        let shuji = token(&c, "shuji").await;
        let r = c
            .api(
                Method::POST,
                &format!("/api/v1/cases/{id}/steps"),
                &shuji,
                Some(&json!({"step": "accept"}).to_string()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let page = c.get(&format!("/cases/{id}")).await;
        assert!(!page.body.contains("撤回诉求"), "{}", page.body);
        // the timeline names people, never their logins
        assert!(page.body.contains("立案"), "{}", page.body);
        for login in ["shuji", "jumin1"] {
            assert!(
                !page.body.contains(&format!(" {login}<"))
                    && !page.body.contains(&format!(">{login}<")),
                "{login}: {}",
                page.body
            );
        }
    }
);

db_test!(home_shows_what_waits_for_each_role, |db: Db| async move {
    let mut c = Client::new(db).await;
    let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    let shuji = token(&c, "shuji").await;
    let count = |body: &str, label: &str| -> i64 {
        let before = body.split(&format!("<span>{label}</span>")).next().unwrap();
        before
            .rsplit("<strong class=\"count\">")
            .next()
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    for text in ["路灯不亮", "井盖松动"] {
        common::file_in_grid1(&mut c, &resident, "snapshot", text).await;
    }
    let mut sec = c.stranger();
    sec.login("shuji", &common::password_of(&accounts, "shuji"))
        .await;
    let home = sec.get("/home").await;
    assert_eq!(count(&home.body, "待受理"), 2, "{}", home.body);
    let list = c
        .api(Method::GET, "/api/v1/cases?state=submitted", &shuji, None)
        .await
        .json();
    let id = list["rows"][0]["id"].as_i64().unwrap();
    for s in ["accept", "dispatch"] {
        let r = c
            .api(
                Method::POST,
                &format!("/api/v1/cases/{id}/steps"),
                &shuji,
                Some(&json!({"step": s}).to_string()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let home = sec.get("/home").await;
    assert_eq!(count(&home.body, "待受理"), 1);
    // the list's status tabs count each state; 办理中 lists the dispatched one
    let list = sec.get("/cases").await;
    for tab in [
        "全部<span class=\"n\">2</span>",
        "待受理<span class=\"n\">1</span>",
        "办理中<span class=\"n\">1</span>",
        "已办结<span class=\"n\">0</span>",
    ] {
        assert!(list.body.contains(tab), "{tab}: {}", list.body);
    }
    let open = sec.get("/cases?state=open").await;
    assert_eq!(open.body.matches("<li class=\"case").count(), 1);
    assert!(open.body.contains("aria-current=\"page\">办理中"));
    // the secretary's month: both requests, nothing last month or last year
    // to compare with, and 第一网格 first on the ranking
    let figures = home.body.split("id=\"figures\"").nth(1).expect("本月概况");
    let received: i64 = figures
        .split("<strong class=\"count\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(received, 2, "{figures}");
    assert!(figures.contains("环比 — · 同比 —"));
    let ranking = home.body.split("id=\"ranking\"").nth(1).expect("a ranking");
    assert!(
        ranking
            .starts_with("><li><span class=\"name\">第一网格</span><span class=\"n\">2 件</span>"),
        "{ranking}"
    );
    let mut worker = c.stranger();
    worker
        .login("wangge1", &common::password_of(&accounts, "wangge1"))
        .await;
    let home = worker.get("/home").await;
    assert_eq!(count(&home.body, "待处理"), 1, "{}", home.body);
    assert_eq!(count(&home.body, "已超期"), 0);
    // a resident has nothing waiting to handle
    let mut me = c.stranger();
    me.login("jumin1", "Jumin-Mima-2026-ok").await;
    let mine = me.get("/home").await;
    assert!(!mine.body.contains("今日待办") && !mine.body.contains("本月概况"));
    // nor does the grid worker get the manager's figures
    assert!(!worker.get("/home").await.body.contains("本月概况"));
});

db_test!(
    an_address_naming_a_building_places_the_case_in_its_grid,
    |db: Db| async move {
        let mut c = Client::new(db).await;
        c.app.seed_demo_community().await.unwrap().unwrap();
        common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
        let resident = token(&c, "jumin1").await;
        let file = async |c: &mut Client, address: &str| {
            let body = json!({
                "kind": "snapshot", "category": "0104", "description": "楼门口堆了垃圾",
                "address": address, "community": linli_app::demo::COMMUNITY
            })
            .to_string();
            let r = c
                .api(Method::POST, "/api/v1/cases", &resident, Some(&body))
                .await;
            assert_eq!(r.status, 201, "{}", r.body);
            r.json()
        };
        // the seed's 5号楼: which grid holds it
        let community: linli_domain::access::RegionCode =
            linli_app::demo::COMMUNITY.parse().unwrap();
        let view = c
            .app
            .community(&linli_app::accounts::auth::Principal::cli(), &community)
            .await
            .unwrap();
        let five = view.buildings.iter().find(|b| b.name == "5号楼").unwrap();
        for address in ["长山花园5号楼1单元门口", "5栋东侧", "五号楼楼下"] {
            let case = file(&mut c, address).await;
            assert_eq!(
                case["scope"].as_str(),
                Some(five.scope.as_str()),
                "{address}: {case}"
            );
            assert!(case["lng"].is_number(), "placed at the building");
        }
        // naming no building: the community's desk, as before
        let desk = file(&mut c, "小区东门外").await;
        assert_eq!(desk["scope"], linli_app::demo::COMMUNITY, "{desk}");
    }
);
