//! The request loop over HTTP on both databases: intake with a GCJ-02
//! point and an Idempotency-Key, structured errors for bad input, steps by
//! role, the reporter's rating, the dashboard's figures and who may see
//! which case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use crate::common::{Client, token};
use axum::http::Method;
use axum::http::header;
use linli_app::demo::COMMUNITY;
use linli_domain::geo::{LngLat, wgs84_to_gcj02};
use linli_store::{Db, db_test};
use serde_json::json;

/// A point in grid 1, as WeChat (GCJ-02) would give it.
async fn grid1_gcj(c: &Client) -> LngLat {
    wgs84_to_gcj02(common::grid1_point(c).await)
}

db_test!(cases_over_the_api, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    let shuji = token(&c, "shuji").await;
    let wangge1 = token(&c, "wangge1").await;
    let wangge2 = token(&c, "wangge2").await;
    let street = token(&c, "tuanshan").await;
    let p = grid1_gcj(&c).await;
    let body = json!({
        "kind": "snapshot", "category": "0104",
        "description": "<b>门前</b>有油污", "lng": p.lng, "lat": p.lat, "coord_sys": "gcj02",
        "contact_phone": "13812345678"
    })
    .to_string();
    let submit = |key: Option<&str>, token: &str, body: &str| {
        let mut b = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/v1/cases")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(k) = key {
            b = b.header("Idempotency-Key", k);
        }
        b.body(axum::body::Body::from(body.to_owned())).unwrap()
    };
    let r = c.send(submit(Some("abc-1"), &resident, &body)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let case = r.json();
    let id = case["id"].as_i64().unwrap();
    assert_eq!(case["scope"], format!("{COMMUNITY}001"));
    assert_eq!(case["contact_masked"], "138****5678");
    assert!(!r.body.contains("13812345678"));
    // replayed: the same case, 200, not a second one
    let r = c.send(submit(Some("abc-1"), &resident, &body)).await;
    assert_eq!(
        (r.status.as_u16(), r.json()["id"].as_i64()),
        (200, Some(id))
    );

    // bad input gets structured errors
    for (bad, code) in [
        (json!({"kind": "fax", "description": "x"}), "kind"),
        (
            json!({"kind": "help", "description": "x", "lng": 125.3}),
            "location",
        ),
        (
            json!({"kind": "help", "description": "x", "lng": 1.0, "lat": 2.0, "coord_sys": "mars"}),
            "coord_sys",
        ),
        (
            json!({"kind": "help", "description": "", "community": COMMUNITY}),
            "invalid",
        ),
        (
            json!({"kind": "help", "description": "x", "lng": p.lat, "lat": p.lng}),
            "invalid",
        ),
        (
            json!({"kind": "help", "description": "x", "surprise": 1}),
            "bad_request",
        ),
    ] {
        let r = c.send(submit(None, &resident, &bad.to_string())).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert_eq!(r.error_code(), code, "{bad}: {}", r.body);
    }
    let r = c.send(submit(None, &resident, "{not json")).await;
    assert!(r.status.is_client_error() && r.json()["errors"].is_array());

    // who sees the case
    let path = format!("/api/v1/cases/{id}");
    for (t, status) in [
        (&wangge1, 200),
        (&wangge2, 404),
        (&street, 200),
        (&resident, 200),
    ] {
        let r = c.api(Method::GET, &path, t, None).await;
        assert_eq!(r.status, status, "{}", r.body);
    }
    let list = c.api(Method::GET, "/api/v1/cases", &wangge2, None).await;
    assert_eq!(list.json()["total"], 0);

    // the loop; a wrong step says why
    let steps = format!("/api/v1/cases/{id}/steps");
    let step = |s: &str| json!({"step": s, "note": "说明"}).to_string();
    let r = c
        .api(Method::POST, &steps, &shuji, Some(&step("verify_pass")))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code().as_str()),
        (422, "invalid"),
        "{}",
        r.body
    );
    let r = c
        .api(Method::POST, &steps, &shuji, Some(&step("teleport")))
        .await;
    assert_eq!(r.error_code(), "step");
    let r = c
        .api(Method::POST, &steps, &wangge1, Some(&step("accept")))
        .await;
    assert_eq!(r.status, 403);
    for (t, s) in [
        (&shuji, "accept"),
        (&shuji, "dispatch"),
        (&wangge1, "start"),
        (&wangge1, "handle"),
        (&shuji, "verify_pass"),
    ] {
        let r = c.api(Method::POST, &steps, t, Some(&step(s))).await;
        assert_eq!(r.status, 200, "{s}: {}", r.body);
    }
    let rating = format!("/api/v1/cases/{id}/rating");
    let r = c
        .api(
            Method::POST,
            &rating,
            &shuji,
            Some(r#"{"rating":"satisfied"}"#),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = c
        .api(
            Method::POST,
            &rating,
            &resident,
            Some(r#"{"rating":"great"}"#),
        )
        .await;
    assert_eq!(r.error_code(), "rating");
    let r = c
        .api(
            Method::POST,
            &rating,
            &resident,
            Some(r#"{"rating":"satisfied","comment":"好"}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // the reporter's view has no internal steps; staff see the whole
    let mine = c.api(Method::GET, &path, &resident, None).await.json();
    let staff = c.api(Method::GET, &path, &shuji, None).await.json();
    assert!(
        staff["timeline"].as_array().unwrap().len() >= mine["timeline"].as_array().unwrap().len()
    );
    assert_eq!(mine["case"]["state"], "closed");
    assert_eq!(mine["category"], "道路不洁");

    // the dashboard moved
    let d = c
        .api(
            Method::GET,
            &format!("/api/v1/dashboard?code={COMMUNITY}"),
            &shuji,
            None,
        )
        .await;
    assert_eq!(d.status, 200, "{}", d.body);
    let d = d.json();
    assert_eq!(d["total"]["received"], 1);
    assert_eq!(d["total"]["closed"], 1);
    assert_eq!(d["total"]["indicators"]["satisfaction_rate"], 1.0);
    assert!(d["total"]["indicators"]["rework_rate"].as_f64() == Some(0.0));
    // each figure comes with the counts it is computed from, or a reason
    let figures = d["total"]["figures"].as_array().unwrap();
    assert_eq!(figures.len(), 13);
    for f in figures {
        let (num, den) = (
            f["numerator"].as_f64().unwrap(),
            f["denominator"].as_u64().unwrap(),
        );
        assert!(num <= den as f64, "{f}");
        if den == 0 {
            assert!(
                f["value"].is_null() && f["empty_reason"].as_str().is_some(),
                "{f}"
            );
        } else {
            assert_eq!(f["value"].as_f64(), Some(num / den as f64), "{f}");
        }
    }
    let closure = figures.iter().find(|f| f["name"] == "结案率").unwrap();
    assert_eq!(
        (
            closure["numerator"].as_f64(),
            closure["denominator"].as_u64()
        ),
        (Some(1.0), Some(1))
    );
    // the same figures as a workbook: the indicator sheet holds the counts
    // and the rates in percent, computed from the roll-ups like the JSON
    let x = c
        .api(
            Method::GET,
            &format!("/api/v1/dashboard.xlsx?code={COMMUNITY}"),
            &shuji,
            None,
        )
        .await;
    assert_eq!(x.status, 200, "{}", x.body);
    assert!(
        x.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let (sheet, broken) = linli_app::infra::xlsx::read_first_sheet(&x.bytes).unwrap();
    assert!(broken.is_empty());
    assert_eq!(sheet.headers, ["项目", "数值", "口径"]);
    let value = |name: &str| -> f64 {
        let row = sheet.rows.iter().find(|(_, r)| r[0] == name);
        row.unwrap_or_else(|| panic!("no row {name}")).1[1]
            .parse()
            .unwrap()
    };
    assert_eq!(value("上报数"), 1.0);
    assert_eq!(value("结案数"), 1.0);
    assert_eq!(value("满意率(%)"), 100.0);
    assert_eq!(value("返工率(%)"), 0.0);
    // both forms refuse another grid's worker and a bad date alike
    for form in ["dashboard", "dashboard.xlsx"] {
        let url = format!("/api/v1/{form}?code={COMMUNITY}");
        let r = c.api(Method::GET, &url, &wangge2, None).await;
        assert_eq!(r.status, 403, "{form}");
        let r = c
            .api(Method::GET, &format!("{url}&from=2026-13-01"), &shuji, None)
            .await;
        assert_eq!(r.error_code(), "date", "{form}");
    }
    let cats = c
        .api(Method::GET, "/api/v1/case-categories", &resident, None)
        .await
        .json();
    assert!(
        cats.as_array()
            .unwrap()
            .iter()
            .any(|k| k["code"] == "0104" && k["parent"] == "01")
    );
    // the OpenAPI document lists the new paths
    let doc = c
        .api(Method::GET, "/api/v1/openapi.json", &resident, None)
        .await
        .json();
    assert!(doc["paths"]["/api/v1/cases/{id}/steps"].is_object());
});

db_test!(cases_through_the_pages, |db: Db| async move {
    let c = Client::new(db).await;
    let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
    let pw = |name: &str| {
        accounts
            .iter()
            .find(|(u, _, _)| u == name)
            .map(|(_, _, p)| p.expose().to_owned())
            .unwrap()
    };
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let p = grid1_gcj(&c).await;
    let mut resident = c.stranger();
    let r = resident.login("jumin1", "Jumin-Mima-2026-ok").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let form = resident.get("/cases/new").await;
    assert_eq!(form.status, 200);
    // no coordinate system on screen: the place comes from the phone or a building
    assert!(
        form.body.contains("道路不洁") && !form.body.contains("GCJ-02"),
        "{}",
        form.body
    );
    assert!(
        form.body.contains("1号楼"),
        "buildings to pick from: {}",
        form.body
    );
    let nonce = form
        .body
        .split("name=\"nonce\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let (lng, lat) = (p.lng.to_string(), p.lat.to_string());
    let fields = [
        ("kind", "snapshot"),
        ("category", "0104"),
        ("description", "<script>alert('x')</script>门前油污"),
        ("lng", lng.as_str()),
        ("lat", lat.as_str()),
        ("coord_sys", "gcj02"),
        ("contact_phone", "13812345678"),
        ("nonce", nonce.as_str()),
    ];
    // a wrong number keeps what was typed and says why, in Chinese
    let mut bad = fields.to_vec();
    bad[3] = ("lng", "东经125");
    let r = resident.post_form("/cases/new", &bad).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("经度应为数字") && r.body.contains("门前油污"));
    let r = resident.post_form("/cases/new", &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.location().to_owned();
    assert!(to.starts_with("/cases/"), "{to}");
    // a double click: the same form files once
    let again = resident.post_form("/cases/new", &fields).await;
    assert_eq!(again.location().split('?').next(), to.split('?').next());
    let page = resident.get(&to).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("已提交,案件编号"));
    assert!(
        page.body.contains("&#60;script&#62;alert") && !page.body.contains("<script>alert"),
        "{}",
        page.body
    );
    // the grid by its name, never its code
    assert!(page.body.contains("长山花园社区 第一网格"), "{}", page.body);
    assert!(
        !page.body.contains(&format!("{COMMUNITY}001")),
        "{}",
        page.body
    );
    let id: i64 = to
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // staff take the steps through the form
    let mut shuji = c.stranger();
    shuji.login("shuji", &pw("shuji")).await;
    let mut wangge = c.stranger();
    wangge.login("wangge1", &pw("wangge1")).await;
    let step_path = format!("/cases/{id}/step");
    let r = shuji
        .post_form(&step_path, &[("step", "reject"), ("note", "")])
        .await;
    assert!(r.location().contains("err=1"), "a reason is needed");
    for (staff, step) in [
        (true, "accept"),
        (true, "dispatch"),
        (false, "handle"),
        (true, "verify_pass"),
    ] {
        let who = if staff { &mut shuji } else { &mut wangge };
        let r = who
            .post_form(&step_path, &[("step", step), ("note", "已办")])
            .await;
        assert!(r.location().contains("err=0"), "{step}: {}", r.location());
    }
    let staff_page = shuji.get(&format!("/cases/{id}")).await;
    assert!(staff_page.body.contains("138****5678"));
    assert!(!staff_page.body.contains("13812345678"));
    let mine = resident.get(&format!("/cases/{id}")).await;
    assert!(mine.body.contains("id=\"rate-form\""));
    let r = resident
        .post_form(
            &format!("/cases/{id}/rate"),
            &[("rating", "satisfied"), ("comment", "及时")],
        )
        .await;
    assert!(r.location().contains("err=0"), "{}", r.location());
    let mine = resident.get(&format!("/cases/{id}")).await;
    assert!(!mine.body.contains("id=\"rate-form\"") && mine.body.contains("满意"));
    // the list and the dashboard
    let list = shuji.get("/cases").await;
    assert!(list.body.contains("class=\"case"));
    let d = shuji.get(&format!("/dashboard?code={COMMUNITY}")).await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert!(d.body.contains("id=\"total-received\">1<") && d.body.contains("满意率"));
    assert!(d.body.contains("100.00%"));
    // the page links its export with the same period; the session may follow it
    let link = format!("/api/v1/dashboard.xlsx?code={COMMUNITY}&amp;from=");
    assert!(d.body.contains(&link), "no export link");
    let x = shuji
        .get(&format!("/api/v1/dashboard.xlsx?code={COMMUNITY}"))
        .await;
    assert_eq!(x.status, 200);
    assert!(linli_app::infra::xlsx::read_first_sheet(&x.bytes).is_ok());
    let r = resident.get("/dashboard").await;
    assert_eq!(r.status, 403);
});

db_test!(the_category_suggestion_over_http, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    let shuji = token(&c, "shuji").await;
    for (code, text) in [
        ("0504", "消防通道被私家车乱停堵住"),
        ("0504", "车辆乱停放,单元门口出不去"),
        ("0201", "单元门上贴满了开锁小广告"),
        ("0201", "电线杆上全是办证小广告"),
    ] {
        let body = json!({"kind": "complaint", "category": code, "description": text,
            "community": COMMUNITY})
        .to_string();
        let r = c
            .api(Method::POST, "/api/v1/cases", &resident, Some(&body))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let step = json!({"step": "accept"}).to_string();
        let path = format!("/api/v1/cases/{id}/steps");
        assert_eq!(
            c.api(Method::POST, &path, &shuji, Some(&step)).await.status,
            200
        );
    }
    let q = |t: &str| format!("/api/v1/case-categories/suggest?text={}", urlencode(t));
    let s = c
        .api(Method::GET, &q("楼下乱停车堵住消防通道"), &resident, None)
        .await
        .json();
    assert_eq!(
        (s["category"].as_str(), s["name"].as_str()),
        (Some("0504"), Some("机动车乱停放"))
    );
    assert!(s["confidence"].as_u64().unwrap() >= 50);
    let s = c
        .api(Method::GET, &q("今天天气不错"), &resident, None)
        .await
        .json();
    assert!(s["category"].is_null(), "{s}");
    assert_eq!(c.stranger().get(&q("小广告")).await.status, 401);
    // the report form's hint, as htmx fetches it while the description is typed
    c.login("jumin1", "Jumin-Mima-2026-ok").await;
    let hint = c
        .get(&format!(
            "/cases/suggest?description={}",
            urlencode("门上贴了很多小广告")
        ))
        .await;
    assert_eq!(hint.status, 200);
    // the likeliest categories to tap, 不确定 among them, and no figures
    assert!(
        hint.body.contains("class=\"pill\" data-code=\"")
            && hint.body.contains(">非法小广告</button>")
            && hint.body.contains(">不确定</button>"),
        "{}",
        hint.body
    );
    let first = hint.body.split("class=\"pill\"").nth(1).unwrap();
    assert!(
        first.contains(">非法小广告<"),
        "the likeliest first: {}",
        hint.body
    );
    assert!(hint.body.matches("class=\"pill\"").count() <= 4);
    assert!(!hint.body.contains('%') && !hint.body.contains("置信"));
});

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned()
}
