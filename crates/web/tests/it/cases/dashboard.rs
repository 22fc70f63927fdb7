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
    assert_eq!(after["src"], format!("/api/v1/communities/{COMMUNITY}/map"));
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

    // the street's dashboard: communities, no grid map
    let mut street = c.stranger();
    street.login("tuanshan", &pw("tuanshan")).await;
    let page = street.get("/dashboard?code=220103008").await;
    assert_eq!(page.status, 200);
    assert!(attr(&page.body, "data-heat").is_none());
    assert!(attr(&page.body, "data-trend").is_some());
});
