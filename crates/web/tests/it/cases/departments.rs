//! A street department (部门) reaches only the cases dispatched or
//! whistled to it (issue 17, item 3), and takes only its role's steps;
//! a dispatch names only a department of the case's street or staff in
//! its scope, and the channel is the server's to say (item 18).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use crate::common::{Client, token};
use axum::http::Method;
use linli_store::{Db, db_test};
use serde_json::json;

async fn step(c: &mut Client, id: i64, who: &str, body: serde_json::Value) -> common::Res {
    let path = format!("/api/v1/cases/{id}/steps");
    c.api(Method::POST, &path, who, Some(&body.to_string()))
        .await
}

db_test!(a_department_sees_only_its_own_cases, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    let shuji = token(&c, "shuji").await;
    let chengguan = token(&c, "chengguan").await;
    let mut ids = Vec::new();
    for text in ["门口占道经营", "楼道堆放杂物", "路灯不亮"] {
        let case = common::file_in_grid1(&mut c, &resident, "complaint", text).await;
        let id = case["id"].as_i64().unwrap();
        let r = step(&mut c, id, &shuji, json!({"step": "accept"})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        ids.push(id);
    }
    let (mine, whistled, other) = (ids[0], ids[1], ids[2]);
    // a dispatch names a department of the street, or staff in scope
    let r = step(
        &mut c,
        mine,
        &shuji,
        json!({"step": "dispatch", "handler_username": "jumin1"}),
    )
    .await;
    assert_eq!(r.status, 422, "a resident is no handler: {}", r.body);
    let r = step(
        &mut c,
        mine,
        &shuji,
        json!({"step": "dispatch", "handler_kind": "department", "handler_username": "chengguan"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = step(&mut c, whistled, &shuji, json!({"step": "dispatch"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let depts = c
        .api(
            Method::GET,
            &format!("/api/v1/cases/{whistled}/departments"),
            &shuji,
            None,
        )
        .await;
    let dept = depts
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"].as_str().unwrap().contains("执法"))
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();
    let call = json!({"departments": [dept], "reason": "占道需执法"}).to_string();
    let r = c
        .api(
            Method::POST,
            &format!("/api/v1/cases/{whistled}/whistle"),
            &shuji,
            Some(&call),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);

    // its list: the dispatched and the whistled case, not the street's others
    let list = c.api(Method::GET, "/api/v1/cases", &chengguan, None).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let mut seen: Vec<i64> = list.json()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, vec![mine, whistled], "{}", list.body);
    let r = c
        .api(
            Method::GET,
            &format!("/api/v1/cases/{other}"),
            &chengguan,
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = step(
        &mut c,
        other,
        &chengguan,
        json!({"step": "close_on_spot", "note": "已处理"}),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);

    // dispatched to it: it starts and handles, but never closes on the spot
    let r = step(
        &mut c,
        mine,
        &chengguan,
        json!({"step": "close_on_spot", "note": "已处理"}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    for s in ["start", "handle"] {
        let r = step(
            &mut c,
            mine,
            &chengguan,
            json!({"step": s, "note": "已到场处置"}),
        )
        .await;
        assert_eq!(r.status, 200, "{s}: {}", r.body);
    }
    // whistled to it: it sees the case and reports in; the steps are the handler's
    let r = c
        .api(
            Method::GET,
            &format!("/api/v1/cases/{whistled}"),
            &chengguan,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = step(&mut c, whistled, &chengguan, json!({"step": "start"})).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let note = json!({"note": "已到场"}).to_string();
    let r = c
        .api(
            Method::POST,
            &format!("/api/v1/cases/{whistled}/report-in"),
            &chengguan,
            Some(&note),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
});

db_test!(the_channel_is_the_servers_to_say, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    for claimed in ["api", "open311"] {
        let body = json!({"kind": "suggestion", "description": "多装几个长椅", "community": linli_app::demo::COMMUNITY, "channel": claimed}).to_string();
        let r = c
            .api(Method::POST, "/api/v1/cases", &resident, Some(&body))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.error_code()),
            (422, "channel".to_owned()),
            "{}",
            r.body
        );
    }
    let body = json!({"kind": "suggestion", "description": "多装几个长椅", "community": linli_app::demo::COMMUNITY}).to_string();
    let r = c
        .api(Method::POST, "/api/v1/cases", &resident, Some(&body))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["channel"], "api", "{}", r.body);
});
