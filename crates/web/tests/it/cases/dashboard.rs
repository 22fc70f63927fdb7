//! The dashboard page's charts on both databases: the trend's series and
//! the community's grid heat map come from the roll-ups and move with a
//! new case; a street's dashboard has no grid map.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use crate::common::{Client, token};
use linli_app::demo::COMMUNITY;
use linli_store::{Db, db_test};
use serde_json::Value;

/// A JSON data attribute of the page, unescaped.
fn attr(html: &str, name: &str) -> Option<Value> {
    let raw = html
        .split(&format!("{name}=\""))
        .nth(1)?
        .split('"')
        .next()?;
    let text = raw
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    serde_json::from_str(&text).ok()
}

db_test!(the_dashboard_draws_trend_and_heat, |db: Db| async move {
    let c = Client::new(db).await;
    let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
    let pw = |name: &str| common::password_of(&accounts, name);
    let mut shuji = c.stranger();
    shuji.login("shuji", &pw("shuji")).await;
    let page = shuji.get(&format!("/dashboard?code={COMMUNITY}")).await;
    assert_eq!(page.status, 200);
    let before = attr(&page.body, "data-heat").expect("a community has the heat map");
    let grid1 = format!("{COMMUNITY}001");
    let had = before["counts"][&grid1].as_u64().unwrap_or(0);
    let trend = attr(&page.body, "data-trend").unwrap();
    let days = trend["labels"].as_array().unwrap().len();
    assert_eq!(days, trend["received"].as_array().unwrap().len());
    let received_before: u64 = trend["received"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();

    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    let mut api = c.stranger();
    common::file_in_grid1(&mut api, &resident, "help", "井盖松动").await;

    let page = shuji.get(&format!("/dashboard?code={COMMUNITY}")).await;
    let after = attr(&page.body, "data-heat").unwrap();
    assert_eq!(after["counts"][&grid1].as_u64(), Some(had + 1));
    assert_eq!(after["kind"], "grid");
    assert_eq!(
        after["srcs"][0],
        format!("/api/v1/communities/{COMMUNITY}/map")
    );
    let trend = attr(&page.body, "data-trend").unwrap();
    let received: u64 = trend["received"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(received, received_before + 1, "the trend counts it today");
    assert!(page.body.contains("/static/echarts."));
    let js = shuji.get("/static/echarts.js").await;
    assert_eq!(js.status, 200);
    assert!(
        js.body.starts_with("/*! ECharts") && js.bytes.len() > 300_000,
        "the real ECharts (only the charts drawn) is served"
    );

    // the street's dashboard: a map of its communities, drawn from each
    // community's outline (which the street may read)
    let mut street = c.stranger();
    street.login("tuanshan", &pw("tuanshan")).await;
    let page = street.get("/dashboard?code=220103008").await;
    assert_eq!(page.status, 200);
    let heat = attr(&page.body, "data-heat").expect("the street's map of communities");
    assert_eq!(heat["kind"], "community");
    assert!(heat["counts"][COMMUNITY].as_u64().unwrap() >= 1);
    assert!(page.body.contains("各社区热力"));
    for src in heat["srcs"].as_array().unwrap() {
        let map = street.get(src.as_str().unwrap()).await;
        assert_eq!(map.status, 200, "{src}");
        assert!(map.body.contains("\"kind\":\"community\""));
    }
    assert!(attr(&page.body, "data-trend").is_some());
});

db_test!(
    the_command_screen_shows_figures_without_people,
    |db: Db| async move {
        let c = Client::new(db).await;
        let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
        let pw = |name: &str| common::password_of(&accounts, name);
        common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
        let resident = token(&c, "jumin1").await;
        let mut api = c.stranger();
        common::file_in_grid1(&mut api, &resident, "help", "楼道灯坏了").await;

        let mut street = c.stranger();
        street.login("tuanshan", &pw("tuanshan")).await;
        let screen = street.get("/screen?code=220103008").await;
        assert_eq!(screen.status, 200);
        assert!(
            screen.body.contains("诉求办理指挥大屏") && screen.body.contains("data-refresh=\"60\"")
        );
        assert!(
            screen
                .body
                .contains("<span class=\"label\">本月受理</span><strong>1</strong>"),
            "{}",
            screen.body
        );
        assert!(
            screen.body.contains("长山花园社区 第一网格"),
            "the newest request by place"
        );
        // the request's category and place, never the person or their phone
        assert!(!screen.body.contains("李秀英") && !screen.body.contains("13812345678"));
        assert!(!screen.body.contains("李**"));
        // a resident has no screen; a grid worker's is their grid's
        let mut me = c.stranger();
        me.login("jumin1", "Jumin-Mima-2026-ok").await;
        assert_eq!(me.get("/screen").await.status, 403);
        let mut worker = c.stranger();
        worker.login("wangge1", &pw("wangge1")).await;
        assert_eq!(worker.get("/screen?code=220103008").await.status, 403);
    }
);
