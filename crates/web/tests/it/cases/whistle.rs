//! 吹哨报到 and the inbox over HTTP on both databases: the API's departments,
//! whistle and report-in with structured errors; the case page's forms;
//! the inbox page and marking read; the live stream (SSE) sending a new
//! unread count when a dispatch notifies the grid worker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use crate::common::{Client, token};
use axum::body::Body;
use axum::http::{Method, Request, header};
use http_body_util::BodyExt;
use linli_store::{Db, db_test};
use serde_json::json;
use std::time::Duration;
use tower::ServiceExt;

/// Files a resident's case and has the secretary accept and dispatch it.
async fn dispatched(c: &mut Client, resident: &str, shuji: &str) -> i64 {
    let case = common::file_in_grid1(c, resident, "complaint", "小区门口占道经营,屡劝不改").await;
    let id = case["id"].as_i64().unwrap();
    for s in ["accept", "dispatch"] {
        let path = format!("/api/v1/cases/{id}/steps");
        let step = json!({ "step": s }).to_string();
        let r = c.api(Method::POST, &path, shuji, Some(&step)).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    id
}

db_test!(whistle_and_report_in_over_the_api, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    let shuji = token(&c, "shuji").await;
    let wangge1 = token(&c, "wangge1").await;
    let chengguan = token(&c, "chengguan").await;
    let id = dispatched(&mut c, &resident, &shuji).await;

    let r = c
        .api(
            Method::GET,
            &format!("/api/v1/cases/{id}/departments"),
            &shuji,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let depts = r.json();
    let names: Vec<&str> = depts
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let dept = depts
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"].as_str().unwrap().contains("执法"))
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();
    let r = c
        .api(
            Method::GET,
            &format!("/api/v1/cases/{id}/departments"),
            &wangge1,
            None,
        )
        .await;
    assert_eq!(r.status, 403);

    let whistle = format!("/api/v1/cases/{id}/whistle");
    // structured errors: no reason, unknown field, hours out of range
    for (body, status) in [
        (json!({"departments": [dept], "reason": ""}), 422),
        (
            json!({"departments": [dept], "reason": "x", "urgent": true}),
            422,
        ),
        (
            json!({"departments": [dept], "reason": "x", "hours": 500}),
            422,
        ),
        (json!({"departments": "all", "reason": "x"}), 422),
    ] {
        let r = c
            .api(Method::POST, &whistle, &shuji, Some(&body.to_string()))
            .await;
        assert_eq!(r.status.as_u16(), status, "{body} → {}", r.body);
        assert!(!r.error_code().is_empty(), "{}", r.body);
    }
    let ok = json!({"departments": [dept], "hours": 4, "reason": "占道经营需执法"}).to_string();
    let r = c.api(Method::POST, &whistle, &wangge1, Some(&ok)).await;
    assert_eq!(r.status, 403, "a grid worker does not whistle");
    let r = c.api(Method::POST, &whistle, &shuji, Some(&ok)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let called = r.json();
    assert_eq!(called[0]["state"], "waiting");
    assert_eq!(
        called[0]["due_at"].as_i64().unwrap() - called[0]["raised_at"].as_i64().unwrap(),
        4 * 3_600_000
    );

    // the department sees it in its inbox and reports in
    let r = c
        .api(Method::GET, "/api/v1/notifications", &chengguan, None)
        .await;
    assert_eq!(r.json()["unread"], 1, "{}", r.body);
    let report_in = format!("/api/v1/cases/{id}/report-in");
    let note = json!({"note": "已到场"}).to_string();
    let r = c.api(Method::POST, &report_in, &wangge1, Some(&note)).await;
    assert_eq!(r.status, 422, "not called: {}", r.body);
    let r = c
        .api(Method::POST, &report_in, &chengguan, Some(&note))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["state"], "on_time");
    assert_eq!(r.json()["ack_note"], "已到场");
    let r = c
        .api(Method::POST, &report_in, &chengguan, Some(&note))
        .await;
    assert_eq!(r.status, 422);

    // who came and when: staff see the calls, the reporter the public steps
    let r = c
        .api(Method::GET, &format!("/api/v1/cases/{id}"), &shuji, None)
        .await;
    let v = r.json();
    assert_eq!(v["calls"].as_array().unwrap().len(), 1);
    assert!(v["calls"][0]["acked_at"].is_i64());
    let r = c
        .api(Method::GET, &format!("/api/v1/cases/{id}"), &resident, None)
        .await;
    let v = r.json();
    assert!(v["calls"].as_array().unwrap().is_empty());
    let steps: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert!(steps.contains(&"whistle") && steps.contains(&"report_in"));

    // marking read: all of them, then nothing is left
    let r = c
        .api(
            Method::POST,
            "/api/v1/notifications/read",
            &chengguan,
            Some("{}"),
        )
        .await;
    assert_eq!(
        (r.json()["marked"].as_u64(), r.json()["unread"].as_i64()),
        (Some(1), Some(0))
    );
    let doc = c.get("/api/v1/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/cases/{id}/whistle"].is_object());
    assert!(doc["paths"]["/api/v1/notifications/stream"].is_object());
});

/// Reads the next server-sent event's data line, waiting at most 10 s.
async fn next_event(body: &mut Body) -> String {
    let mut text = String::new();
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame())
            .await
            .expect("an event within 10 s")
            .expect("the stream is open")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
        if text.contains("\n\n") && text.contains("event: inbox") {
            return text;
        }
    }
}

db_test!(the_inbox_streams_its_unread_count, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    let shuji = token(&c, "shuji").await;
    let wangge1 = token(&c, "wangge1").await;
    let req = Request::get("/api/v1/notifications/stream")
        .header(header::HOST, "localhost")
        .header(header::AUTHORIZATION, format!("Bearer {wangge1}"))
        .body(Body::empty())
        .unwrap();
    let res = c.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = res.into_body();
    let first = next_event(&mut body).await;
    assert!(first.contains(r#""unread":0"#), "{first}");
    // a dispatch to grid 1's worker arrives as a new count
    dispatched(&mut c, &resident, &shuji).await;
    let second = next_event(&mut body).await;
    assert!(second.contains(r#""unread":1"#), "{second}");
    // no token: no stream
    let r = c.get("/api/v1/notifications/stream").await;
    assert_eq!(r.status, 401);
});

db_test!(whistle_and_inbox_through_the_pages, |db: Db| async move {
    let mut c = Client::new(db).await;
    let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
    let pw = |name: &str| common::password_of(&accounts, name);
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    let shuji_token = token(&c, "shuji").await;
    let id = dispatched(&mut c, &resident, &shuji_token).await;

    let mut shuji = c.stranger();
    shuji.login("shuji", &pw("shuji")).await;
    let page = shuji.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"whistle-form\""), "{}", page.body);
    assert!(page.body.contains("团山街道综合行政执法队"));
    assert!(
        page.body.contains("id=\"inbox-unread\""),
        "the top bar has the badge"
    );
    // the checkbox of 综合行政执法队 (the list is ordered by name)
    let dept = page
        .body
        .split("name=\"departments\" value=\"")
        .skip(1)
        .find(|s| s.split("</label>").next().unwrap().contains("执法"))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let path = format!("/cases/{id}/whistle");
    // no reason: a Chinese error, nothing called
    let r = shuji
        .post_form(
            &path,
            &[("departments", &dept), ("hours", "24"), ("reason", "")],
        )
        .await;
    assert!(r.location().contains("err=1"), "{}", r.location());
    let r = shuji
        .post_form(
            &path,
            &[("departments", &dept), ("hours", "二十"), ("reason", "x")],
        )
        .await;
    assert!(r.location().contains("err=1"), "{}", r.location());
    let r = shuji
        .post_form(
            &path,
            &[
                ("departments", &dept),
                ("hours", "24"),
                ("reason", "<b>占道</b>经营"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(r.location().contains("err=0"), "{}", r.location());
    let page = shuji.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("待报到") && page.body.contains("&#60;b&#62;占道"));

    // the department's inbox lists the call; it reports in from the page
    let mut dept_user = c.stranger();
    dept_user.login("chengguan", &pw("chengguan")).await;
    let inbox = dept_user.get("/inbox").await;
    assert_eq!(inbox.status, 200);
    assert!(
        inbox.body.contains("未读 1 条") && inbox.body.contains("id=\"calls-waiting\""),
        "{}",
        inbox.body
    );
    let page = dept_user.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("id=\"report-in-form\""));
    let r = dept_user
        .post_form(&format!("/cases/{id}/report-in"), &[("note", "已到场")])
        .await;
    assert!(r.location().contains("err=0"), "{}", r.location());
    let page = dept_user.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("按时报到") && !page.body.contains("id=\"report-in-form\""));
    // 全部标为已读
    let r = dept_user.post_form("/inbox/read", &[]).await;
    assert_eq!(r.status, 303);
    let inbox = dept_user.get("/inbox").await;
    assert!(inbox.body.contains("未读 0 条"), "{}", inbox.body);
});
