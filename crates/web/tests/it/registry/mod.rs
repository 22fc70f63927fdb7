//! The resident registry over HTTP on both databases: import through the
//! API, scoped lists, masked pages, an audited reveal, refusals by role
//! and scope, and a disabled account losing access at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use crate::common::{Client, token};
use axum::http::Method;
use linli_app::Actor;
use linli_app::demo::COMMUNITY;
use linli_app::infra::xlsx::{Cell, SheetOut, write_book};
use linli_store::{Db, db_test};
use std::collections::HashMap;

pub(crate) const PLANTED_ID: &str = "11010519491231002X";
pub(crate) const PLANTED_PHONE: &str = "13812345678";

pub(crate) fn people() -> Vec<u8> {
    let t = |s: &str| Cell::Text(s.to_owned());
    let rows = vec![
        vec![
            t("王秀兰"),
            t(PLANTED_ID),
            t("长山花园小区"),
            t("1号楼"),
            t("1单元"),
            t("101"),
            t(PLANTED_PHONE),
            t("独居老人"),
        ],
        vec![
            t("赵大山"),
            t("440524188001010014"),
            t("长山花园小区"),
            t("2号楼"),
            t("1单元"),
            t("101"),
            t(""),
            t(""),
        ],
        vec![
            t("错号码"),
            t("110105194912310021"),
            t("长山花园小区"),
            t("1号楼"),
            t("1单元"),
            t("102"),
            t(""),
            t(""),
        ],
    ];
    let headers = [
        "姓名",
        "身份证号码",
        "小区",
        "楼栋",
        "单元",
        "室",
        "联系电话",
        "标签",
    ];
    write_book(&[SheetOut {
        name: "居民",
        headers: &headers,
        rows: &rows,
    }])
    .unwrap()
}

pub(crate) async fn seeded(db: Db) -> (Client, HashMap<String, String>) {
    let c = Client::new(db).await;
    let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
    let pw = accounts
        .into_iter()
        .map(|(u, _, p)| (u, p.expose().to_owned()))
        .collect();
    (c, pw)
}

db_test!(residents_over_the_api_and_pages, |db: Db| async move {
    let (mut c, pw) = seeded(db).await;
    let shuji = token(&c, "shuji").await;
    let wangge1 = token(&c, "wangge1").await;
    let wangge2 = token(&c, "wangge2").await;
    let street = token(&c, "tuanshan").await;

    // import through the API: the file is the body; a grid worker may not
    let url = format!("/api/v1/communities/{COMMUNITY}/residents.xlsx");
    let import = |token: String| {
        axum::http::Request::builder()
            .method(Method::POST)
            .uri(url.clone())
            .header("authorization", format!("Bearer {token}"))
            .header(
                "content-type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .body(axum::body::Body::from(people()))
            .unwrap()
    };
    let saved = std::mem::take(&mut c.cookies);
    let r = c.send(import(wangge1.clone())).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = c.send(import(shuji.clone())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(
        (j["rows"].as_i64(), j["imported"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(j["rejected"][0]["row"], 4);
    assert!(
        j["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("校验位")
    );
    // an upload over the import limit (32 MiB) is refused whole
    let huge = c
        .send(
            axum::http::Request::builder()
                .method(Method::POST)
                .uri(url.clone())
                .header("authorization", format!("Bearer {shuji}"))
                .body(axum::body::Body::from(vec![b'x'; 33 * 1024 * 1024]))
                .unwrap(),
        )
        .await;
    assert_eq!(huge.status, 413, "{}", huge.body);
    c.cookies = saved;
    let junk = c
        .api(Method::GET, "/api/v1/residents?age_min=abc", &shuji, None)
        .await;
    assert_eq!(junk.status, 400, "{}", junk.body);
    // a form's blank number fields mean "not given"
    let blank = c
        .api(
            Method::GET,
            "/api/v1/residents?age_min=&age_max=&q=",
            &shuji,
            None,
        )
        .await;
    assert_eq!(blank.status, 200, "{}", blank.body);

    // lists follow scope: the secretary and street see both, each grid worker one
    for (t, n) in [(&shuji, 2), (&street, 2), (&wangge1, 1), (&wangge2, 1)] {
        let r = c.api(Method::GET, "/api/v1/residents", t, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["total"], n, "{}", r.body);
        assert!(!r.body.contains(PLANTED_ID) && !r.body.contains(PLANTED_PHONE));
    }
    let list = c
        .api(
            Method::POST,
            "/api/v1/residents/search",
            &shuji,
            Some(&format!(r#"{{"q":"{PLANTED_ID}"}}"#)),
        )
        .await;
    let id = list.json()["rows"][0]["id"].as_i64().unwrap();
    assert_eq!(list.json()["rows"][0]["doc_masked"], "110105********002X");
    assert_eq!(list.json()["rows"][0]["tags"][0]["name"], "独居老人");
    let one = format!("/api/v1/residents/{id}");
    assert_eq!(c.api(Method::GET, &one, &wangge2, None).await.status, 404);
    assert_eq!(c.api(Method::GET, &one, &wangge1, None).await.status, 200);
    let street_view = c.api(Method::GET, &one, &street, None).await;
    assert_eq!(street_view.json()["name"], "王**");

    // reveal: a reason is required; the street may not; each reveal audited
    let reveal = format!("/api/v1/residents/{id}/reveal");
    let body = r#"{"field":"phone","reason":"入户走访核实"}"#;
    let r = c.api(Method::POST, &reveal, &wangge1, Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["value"], PLANTED_PHONE);
    assert_eq!(
        c.api(Method::POST, &reveal, &street, Some(body))
            .await
            .status,
        403
    );
    assert_eq!(
        c.api(Method::POST, &reveal, &wangge2, Some(body))
            .await
            .status,
        404
    );
    let r = c
        .api(
            Method::POST,
            &reveal,
            &shuji,
            Some(r#"{"field":"phone","reason":""}"#),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = c
        .api(
            Method::POST,
            &reveal,
            &shuji,
            Some(r#"{"field":"salary","reason":"看看"}"#),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);

    // masked export for the secretary's bulk permission; unmasked too, audited
    let r = c.api(Method::GET, &url, &shuji, None).await;
    assert_eq!(r.status, 200);
    let (sheet, _) = linli_app::infra::xlsx::read_first_sheet(&r.bytes).unwrap();
    assert_eq!(sheet.rows.len(), 2);
    assert!(!format!("{:?}", sheet.rows).contains(PLANTED_ID));
    assert_eq!(c.api(Method::GET, &url, &wangge1, None).await.status, 403);

    // the pages: list masked, reveal form shows the value once, audited
    c.login("wangge1", &pw["wangge1"]).await;
    let page = c.get("/residents").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("王秀兰") && page.body.contains("110105********002X"));
    assert!(
        !page.body.contains("赵大山"),
        "another grid's resident on the page"
    );
    assert!(!page.body.contains(PLANTED_PHONE));
    let detail = c.get(&format!("/residents/{id}")).await;
    assert!(detail.body.contains("138****5678") && detail.body.contains("查看完整信息"));
    let shown = c
        .post_form(
            &format!("/residents/{id}"),
            &[("field", "id_number"), ("reason", "办理高龄补贴")],
        )
        .await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains(PLANTED_ID));
    let refused = c
        .post_form(
            &format!("/residents/{id}"),
            &[("field", "id_number"), ("reason", "")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("请填写查看原因") && !refused.body.contains(PLANTED_ID));
    let log = linli_store::testing::table_text(&db_of(&c), "audit_log").await;
    assert_eq!(log.matches("resident.reveal").count(), 2, "{log}");
    assert!(log.contains("办理高龄补贴") && !log.contains(PLANTED_ID));

    // a disabled account loses access at once, by token and by session
    c.app
        .set_disabled("wangge1", true, &Actor::cli())
        .await
        .unwrap();
    assert_eq!(
        c.api(Method::GET, "/api/v1/residents", &wangge1, None)
            .await
            .status,
        401
    );
    let after = c.get("/residents").await;
    assert_ne!(after.status, 200);
});

fn db_of(c: &Client) -> Db {
    c.app.db().clone()
}

db_test!(
    a_scanned_card_shows_a_masked_page_without_login,
    |db: Db| async move {
        let config = linli_web::WebConfig {
            scans_per_minute: 6,
            ..Default::default()
        };
        let mut c = Client::with_config(db, config).await;
        c.app.seed_demo_community().await.unwrap().unwrap();
        let shuji = token(&c, "shuji").await;
        let id = import_people(&mut c, &shuji).await;
        let card = format!("/api/v1/residents/{id}/card");
        let body = r#"{"guardian_name":"王建国","guardian_relation":"女儿","guardian_phone":"13900001111","hotline":"0431-85551234"}"#;
        let issued = c.api(Method::POST, &card, &shuji, Some(body)).await;
        assert_eq!(issued.status, 201, "{}", issued.body);
        let url = issued.json()["url"].as_str().unwrap().to_owned();
        assert!(issued.json()["svg"].as_str().unwrap().contains("<svg"));
        let path = url.split_once("localhost").unwrap().1.to_owned();
        assert!(path.starts_with("/c/") && path.len() == 3 + 32);

        // a stranger's phone: no session, no token
        let mut stranger = c.stranger();
        let page = stranger.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("王**") && !page.body.contains("王秀兰"));
        assert!(!page.body.contains(PLANTED_PHONE) && !page.body.contains("13900001111"));
        assert!(page.body.contains("043185551234"), "the community hotline");
        // the guardian by relation; the check asks for the printed digits
        assert!(page.body.contains("女儿") && !page.body.contains("王建国"));
        let code = issued.json()["check_code"].as_str().unwrap().to_owned();
        let state_of = |body: &str| {
            body.split("name=\"state\" value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_owned()
        };
        let state = state_of(&page.body);
        let wrong_code = if code == "1234" { "4321" } else { "1234" };
        let wrong = stranger
            .post_form(&path, &[("answer", wrong_code), ("state", &state)])
            .await;
        assert_eq!(wrong.status, 422);
        assert!(!wrong.body.contains("13900001111"));
        // the spent check is not taken again; the page gives a new one
        let again = stranger
            .post_form(&path, &[("answer", &code), ("state", &state)])
            .await;
        assert_eq!(again.status, 422, "{}", again.body);
        let state = state_of(&again.body);
        let shown = stranger
            .post_form(
                &path,
                &[
                    ("answer", &code),
                    ("state", &state),
                    ("lng", "125.3306"),
                    ("lat", "43.9189"),
                ],
            )
            .await;
        assert_eq!(shown.status, 200, "{}", shown.body);
        assert!(shown.body.contains("13900001111"));
        // staff see the scans; a revoked card's page is gone
        let history = c.api(Method::GET, &card, &shuji, None).await;
        assert_eq!(
            history.json()["scans"].as_array().unwrap().len(),
            2,
            "{}",
            history.body
        );
        assert_eq!(history.json()["scans"][0]["lng"], 125.331);
        assert_eq!(c.api(Method::DELETE, &card, &shuji, None).await.status, 204);
        let gone = stranger.get(&path).await;
        assert_eq!(gone.status, 404);
        let unknown = stranger.get(&format!("/c/{}", "0".repeat(32))).await;
        assert_eq!(unknown.status, 404);
        assert!(unknown.body.contains("二维码无效或已注销"));
        // scans are limited per address: six a minute here, all used
        let limited = stranger.get(&path).await;
        assert_eq!(limited.status, 429);
        assert!(limited.body.contains("扫码过于频繁"));
    }
);

db_test!(
    a_resident_reads_and_corrects_their_own_data,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        let shuji = token(&c, "shuji").await;
        let id = import_people(&mut c, &shuji).await;
        c.app
            .create_user(
                linli_app::accounts::NewAccount {
                    username: "wangxl".into(),
                    display_name: Some("王秀兰".into()),
                    password: linli_domain::secret::Secret::new(common::PW),
                    grants: vec![linli_domain::access::Grant {
                        role: linli_domain::access::Role::Resident,
                        scope: COMMUNITY.parse().unwrap(),
                    }],
                    must_change_password: false,
                },
                &Actor::cli(),
            )
            .await
            .unwrap();
        let bind = c
            .api(
                Method::POST,
                &format!("/api/v1/residents/{id}/account"),
                &shuji,
                Some(r#"{"username":"wangxl"}"#),
            )
            .await;
        assert_eq!(bind.status, 204, "{}", bind.body);
        let mine = token(&c, "wangxl").await;
        let me = c
            .api(Method::GET, "/api/v1/me/household", &mine, None)
            .await;
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(me.json()["id_number"], PLANTED_ID);
        assert_eq!(me.json()["phone"], PLANTED_PHONE);
        let xlsx = c
            .api(Method::GET, "/api/v1/me/household.xlsx", &mine, None)
            .await;
        assert_eq!(xlsx.status, 200);
        // the download holds their own numbers in full, never a mask
        let (sheet, _) = linli_app::infra::xlsx::read_first_sheet(&xlsx.bytes).unwrap();
        let cells: Vec<&String> = sheet.rows.iter().flat_map(|(_, r)| r).collect();
        assert!(cells.iter().any(|v| v.as_str() == PLANTED_ID), "{cells:?}");
        assert!(
            cells.iter().any(|v| v.as_str() == PLANTED_PHONE),
            "{cells:?}"
        );
        let own_row = sheet
            .rows
            .iter()
            .find(|(_, r)| r.iter().any(|v| v == PLANTED_ID));
        assert!(
            own_row.is_some_and(|(_, r)| r.iter().all(|v| !v.contains('*'))),
            "{own_row:?}"
        );
        // the resident cannot reach the staff views
        assert_eq!(
            c.api(Method::GET, "/api/v1/residents", &mine, None)
                .await
                .status,
            403
        );
        assert_eq!(
            c.api(Method::GET, "/api/v1/corrections", &mine, None)
                .await
                .status,
            403
        );
        let bad = c
            .api(
                Method::POST,
                "/api/v1/me/corrections",
                &mine,
                Some(r#"{"field":"工资","value":"x"}"#),
            )
            .await;
        assert_eq!(bad.status, 422);
        let ok = c
            .api(
                Method::POST,
                "/api/v1/me/corrections",
                &mine,
                Some(r#"{"field":"工作单位","value":"长春市第一汽车厂","note":"已退休前单位"}"#),
            )
            .await;
        assert_eq!(ok.status, 201, "{}", ok.body);
        let open = c
            .api(Method::GET, "/api/v1/corrections", &shuji, None)
            .await;
        assert_eq!(open.json()[0]["value"], "长春市第一汽车厂");
        let rid = open.json()[0]["id"].as_i64().unwrap();
        let done = c
            .api(
                Method::POST,
                &format!("/api/v1/corrections/{rid}"),
                &shuji,
                Some(r#"{"done":true,"resolution":"已更新"}"#),
            )
            .await;
        assert_eq!(done.status, 204, "{}", done.body);
        // the resident's page shows their data and the outcome
        c.login("wangxl", common::PW).await;
        let page = c.get("/me").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains(PLANTED_ID) && page.body.contains("已更正"));
        let _ = pw;
    }
);

/// Imports the three-row sheet as the secretary (by token, no cookies) and
/// returns the id of the resident with the planted numbers.
pub(crate) async fn import_people(c: &mut Client, token: &str) -> i64 {
    let saved = std::mem::take(&mut c.cookies);
    let r = c
        .send(
            axum::http::Request::builder()
                .method(Method::POST)
                .uri(format!("/api/v1/communities/{COMMUNITY}/residents.xlsx"))
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::from(people()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    c.cookies = saved;
    let list = c
        .api(
            Method::POST,
            "/api/v1/residents/search",
            token,
            Some(&format!(r#"{{"q":"{PLANTED_ID}"}}"#)),
        )
        .await;
    list.json()["rows"][0]["id"].as_i64().unwrap()
}
mod binding;
mod hostile_files;
mod masking;
mod plan;
