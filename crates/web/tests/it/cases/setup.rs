//! Editing what the loop runs on over HTTP, on both databases: routing
//! rules, a year's calendar and the category tree through the API (with
//! structured errors and the roles that may) and through the setup page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use crate::common::{Client, token};
use axum::http::Method;
use linli_app::Actor;
use linli_app::accounts::NewAccount;
use linli_app::demo::COMMUNITY;
use linli_domain::access::{Grant, Role};
use linli_domain::secret::Secret;
use linli_store::{Db, db_test};
use serde_json::json;

const ADMIN_PW: &str = "Qu-Guanli-Mima-2026";

/// `quzhang`, who sets what the whole deployment runs on (a system
/// administrator), and `quju`, a district administrator, who may not: the
/// categories and the calendar are every district's.
async fn district_admin(c: &Client) {
    for (name, role, scope) in [
        (
            "quzhang",
            Role::SystemAdmin,
            linli_domain::access::RegionCode::country(),
        ),
        ("quju", Role::DistrictAdmin, "220103".parse().unwrap()),
    ] {
        let account = NewAccount {
            username: name.into(),
            display_name: Some("管理员".into()),
            password: Secret::new(ADMIN_PW),
            grants: vec![Grant { role, scope }],
            must_change_password: false,
        };
        c.app.create_user(account, &Actor::cli()).await.unwrap();
    }
}

db_test!(loop_setup_over_the_api, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    district_admin(&c).await;
    let shuji = token(&c, "shuji").await;
    let wangge1 = token(&c, "wangge1").await;
    let admin = token(&c, "quzhang").await;

    // a rule for the community
    let rule = json!({"category": "0104", "scope": COMMUNITY, "handler_kind": "community_team",
        "handler_name": "环境整治组"})
    .to_string();
    let r = c
        .api(Method::PUT, "/api/v1/case-routes", &wangge1, Some(&rule))
        .await;
    assert_eq!(r.status, 403);
    let r = c
        .api(Method::PUT, "/api/v1/case-routes", &shuji, Some(&rule))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let bad = json!({"category": "0104", "scope": COMMUNITY, "handler_kind": "mayor",
        "handler_name": "x"})
    .to_string();
    let r = c
        .api(Method::PUT, "/api/v1/case-routes", &shuji, Some(&bad))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code().as_str()),
        (422, "handler_kind"),
        "{}",
        r.body
    );
    let list = format!("/api/v1/case-routes?scope={COMMUNITY}");
    let r = c.api(Method::GET, &list, &shuji, None).await;
    assert_eq!(r.json()[0]["handler_name"], "环境整治组", "{}", r.body);
    let del = format!("/api/v1/case-routes?scope={COMMUNITY}&category=0104");
    assert_eq!(c.api(Method::DELETE, &del, &shuji, None).await.status, 204);
    assert_eq!(c.api(Method::DELETE, &del, &shuji, None).await.status, 404);

    // the calendar: only the district (or system) administrator sets it
    let year = json!([
        {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"},
        {"date": "2027-10-09", "kind": "workday", "name": "国庆调休"}
    ])
    .to_string();
    let district = token(&c, "quju").await;
    for who in [&shuji, &district] {
        let r = c
            .api(Method::PUT, "/api/v1/calendar/2027", who, Some(&year))
            .await;
        assert_eq!(r.status, 403);
        let r = c
            .api(Method::POST, "/api/v1/case-categories", who, Some(r#"{"parent":"01","code":"0198","name":"x","deadline_days":2,"urgent_hours":4}"#))
            .await;
        assert_eq!(r.status, 403);
    }
    let r = c
        .api(Method::PUT, "/api/v1/calendar/2027", &admin, Some(&year))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = c
        .api(Method::GET, "/api/v1/calendar/2027", &wangge1, None)
        .await;
    let days = r.json();
    assert_eq!(days.as_array().unwrap().len(), 2);
    assert_eq!(days[1]["kind"], "workday");
    for (body, code) in [
        (json!([{"date": "2027-13-01", "kind": "holiday"}]), "date"),
        (json!([{"date": "2027-10-01", "kind": "vacation"}]), "kind"),
        (
            json!([{"date": "2027-10-08", "kind": "workday"}]),
            "invalid",
        ),
        (
            json!([{"date": "2028-01-01", "kind": "holiday"}]),
            "invalid",
        ),
    ] {
        let r = c
            .api(
                Method::PUT,
                "/api/v1/calendar/2027",
                &admin,
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.error_code()),
            (422, code.to_owned()),
            "{body}: {}",
            r.body
        );
    }
    let r = c
        .api(Method::GET, "/api/v1/calendar/2027", &admin, None)
        .await;
    assert_eq!(
        r.json().as_array().unwrap().len(),
        2,
        "bad input lost nothing"
    );

    // the category tree
    let cat = json!({"parent": "01", "code": "0199", "name": "共享单车乱停", "deadline_days": 2,
        "urgent_hours": 4})
    .to_string();
    let r = c
        .api(Method::POST, "/api/v1/case-categories", &shuji, Some(&cat))
        .await;
    assert_eq!(r.status, 403);
    let r = c
        .api(Method::POST, "/api/v1/case-categories", &admin, Some(&cat))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["parent"], "01");
    let r = c
        .api(Method::POST, "/api/v1/case-categories", &admin, Some(&cat))
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let r = c
        .api(Method::GET, "/api/v1/case-categories", &wangge1, None)
        .await;
    assert!(r.body.contains("共享单车乱停"));
    let off = json!({"active": false}).to_string();
    let r = c
        .api(
            Method::PATCH,
            "/api/v1/case-categories/0199",
            &admin,
            Some(&off),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = c
        .api(Method::GET, "/api/v1/case-categories", &wangge1, None)
        .await;
    assert!(
        !r.body.contains("共享单车乱停"),
        "a retired category is not offered"
    );
    let doc = c.get("/api/v1/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/calendar/{year}"].is_object());
});

db_test!(loop_setup_through_the_page, |db: Db| async move {
    let c = Client::new(db).await;
    let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
    district_admin(&c).await;
    let pw = common::password_of(&accounts, "shuji");
    let mut shuji = c.stranger();
    shuji.login("shuji", &pw).await;
    let page = shuji.get("/cases/setup").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"route-form\"") && !page.body.contains("id=\"day-form\""));
    assert!(
        page.body.contains(&format!("value=\"{COMMUNITY}\"")),
        "defaults to the own community"
    );
    let r = shuji
        .post_form(
            "/cases/setup/route",
            &[
                ("category", "0104"),
                ("scope", COMMUNITY),
                ("handler_kind", "partner_unit"),
                ("handler_name", "<i>物业</i>公司"),
            ],
        )
        .await;
    assert!(r.location().contains("err=0"), "{}", r.location());
    let page = shuji.get(r.location()).await;
    assert!(
        page.body.contains("&#60;i&#62;物业"),
        "escaped: {}",
        page.body
    );
    // the secretary cannot change the calendar, even by posting the form
    let r = shuji
        .post_form(
            "/cases/setup/day",
            &[("date", "2027-05-01"), ("kind", "holiday")],
        )
        .await;
    assert_eq!(r.status, 403);

    let mut admin = c.stranger();
    admin.login("quzhang", ADMIN_PW).await;
    let r = admin
        .post_form(
            "/cases/setup/day",
            &[
                ("date", "2027-05-01"),
                ("kind", "holiday"),
                ("name", "劳动节"),
            ],
        )
        .await;
    assert!(r.location().contains("err=0"), "{}", r.location());
    let r = admin
        .post_form(
            "/cases/setup/day",
            &[("date", "2027-05-06"), ("kind", "workday")],
        )
        .await;
    assert!(
        r.location().contains("err=1"),
        "a Thursday is no make-up day"
    );
    let page = admin.get("/cases/setup?year=2027").await;
    assert!(page.body.contains("2027-05-01") && page.body.contains("劳动节"));
    assert!(!page.body.contains("2027-05-06"));
    // a deadline that is no number is refused; the same form with one is kept
    for (days, outcome) in [("三", "err=1"), ("3", "err=0")] {
        let fields = [
            ("parent", "01"),
            ("code", "0198"),
            ("name", "违规充电"),
            ("deadline_days", days),
            ("urgent_hours", "4"),
        ];
        let r = admin.post_form("/cases/setup/category", &fields).await;
        assert!(r.location().contains(outcome), "{days}: {}", r.location());
    }
    let r = admin
        .post_form("/cases/setup/day/delete", &[("date", "2027-05-01")])
        .await;
    assert!(r.location().contains("err=0"));
    assert!(c.app.calendar_year(2027).await.unwrap().is_empty());
});
