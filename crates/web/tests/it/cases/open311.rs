//! Open311 GeoReport v2 on both databases, from the spec: discovery,
//! services and a definition in JSON and XML, POST with and without a
//! valid api_key (form-encoded, attribute[...]), GET requests with its
//! filters and 90-day window, one request, tokens, the spec's error bodies,
//! and no reporter data ever in the public output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use crate::common::Client;
use axum::http::Method;
use linli_app::Actor;
use linli_store::{Db, db_test};

db_test!(georeport_v2, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    let key = c
        .app
        .open311_key_add("城管系统", &Actor::cli())
        .await
        .unwrap();
    let p = common::grid1_point(&c).await;

    // discovery and services, both formats
    let d = c.get("/open311/v2/discovery.json").await;
    assert_eq!(d.status, 200);
    assert_eq!(
        d.json()["endpoints"][0]["url"],
        "http://localhost/open311/v2"
    );
    let x = c.get("/open311/v2/discovery.xml").await;
    assert!(
        x.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    assert!(
        x.body
            .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
    );
    assert!(x.body.contains("<format>application/json</format>"));
    let s = c.get("/open311/v2/services.json").await.json();
    let road = s
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["service_code"] == "0104")
        .unwrap();
    assert_eq!(
        (road["service_name"].as_str(), road["group"].as_str()),
        (Some("道路不洁"), Some("市容环境"))
    );
    let xs = c.get("/open311/v2/services.xml").await.body;
    assert!(xs.contains("<services><service>") && xs.contains("<service_code>0104</service_code>"));
    let def = c.get("/open311/v2/services/0104.json").await.json();
    assert_eq!(def["attributes"][0]["code"], "kind");
    let defx = c.get("/open311/v2/services/0104.xml").await.body;
    assert!(defx.contains("<attributes><attribute>") && defx.contains("<values><value>"));
    let r = c.get("/open311/v2/services/9999.xml").await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("<errors><error><code>404</code>"));
    assert_eq!(c.get("/open311/v2/services.csv").await.status, 404);

    // POST: a key is required; a bad one is 403 with the spec's body
    let form = |k: &str, extra: &str| {
        format!(
            "api_key={k}&service_code=0104&lat={}&long={}&first_name=%E4%B8%89&last_name=%E5%BC%A0\
             &phone=13812345678&description=%E8%B7%AF%E9%9D%A2%E6%B2%B9%E6%B1%A1&attribute[kind]=snapshot{extra}",
            p.lat, p.lng
        )
    };
    let ctype = "application/x-www-form-urlencoded; charset=utf-8";
    let r = c
        .post_raw("/open311/v2/requests.json", ctype, form("wrong", ""))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.json()[0]["code"], 403);
    let r = c
        .post_raw("/open311/v2/requests.xml", ctype, form("", ""))
        .await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("<errors>"));
    let r = c
        .post_raw("/open311/v2/requests.json", ctype, form(key.expose(), ""))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 13);
    // bad input: the spec's 400 and 404
    let bad = format!("api_key={}&service_code=0104&lat=abc&long=1", key.expose());
    let r = c.post_raw("/open311/v2/requests.json", ctype, bad).await;
    assert_eq!(r.status, 400);
    let r = c
        .post_raw(
            "/open311/v2/requests.json",
            ctype,
            format!("api_key={}&service_code=9999&lat=1&long=1", key.expose()),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = c
        .post_raw(
            "/open311/v2/requests.json",
            ctype,
            format!("api_key={}&service_code=0104&description=x", key.expose()),
        )
        .await;
    assert_eq!(r.status, 400, "no location");
    let r = c
        .post_raw(
            "/open311/v2/requests.json",
            ctype,
            form(key.expose(), "&attribute[kind]=fax"),
        )
        .await;
    assert_eq!(r.status, 201, "the first attribute[kind] wins: {}", r.body);

    // media_url: a plain web link is kept and echoed (never fetched); a
    // script or data URL is the spec's 400
    let media = "https://img.example.cn/12345/photo-1.jpg";
    let r = c
        .post_raw(
            "/open311/v2/requests.json",
            ctype,
            form(
                key.expose(),
                &format!(
                    "&media_url={}",
                    media.replace(':', "%3A").replace('/', "%2F")
                ),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let with_media = r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let one = c
        .get(&format!("/open311/v2/requests/{with_media}.json"))
        .await;
    assert_eq!(one.json()[0]["media_url"], media, "{}", one.body);
    let onex = c
        .get(&format!("/open311/v2/requests/{with_media}.xml"))
        .await;
    assert!(
        onex.body
            .contains(&format!("<media_url>{media}</media_url>")),
        "{}",
        onex.body
    );
    for bad in [
        "javascript%3Aalert(1)",
        "data%3Aimage%2Fpng%3Bbase64%2CAAAA",
    ] {
        let r = c
            .post_raw(
                "/open311/v2/requests.json",
                ctype,
                form(key.expose(), &format!("&media_url={bad}")),
            )
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(
            r.json()[0]["description"]
                .as_str()
                .unwrap()
                .contains("附件链接")
        );
    }

    // the case landed in grid 1, filed by the key; staff see it in the loop
    let case = c.app.open311_request(&id).await.unwrap();
    assert!(case.open && case.status_notes.starts_with("已上报"));
    // GET requests: public fields only
    let all = c.get("/open311/v2/requests.json").await;
    assert_eq!(all.status, 200);
    let rows = all.json();
    let mine = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["service_request_id"] == id.as_str())
        .unwrap();
    assert_eq!(mine["status"], "open");
    assert_eq!(mine["service_code"], "0104");
    assert!(
        mine["requested_datetime"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    // the point blurred to about 100 m
    let lat = mine["lat"].as_f64().unwrap();
    assert!((lat - p.lat).abs() <= 0.0005 && (lat * 1000.0 - (lat * 1000.0).round()).abs() < 1e-6);
    assert!(
        !all.body.contains("13812345678")
            && !all.body.contains("张三")
            && !all.body.contains("138****")
    );
    let one = c.get(&format!("/open311/v2/requests/{id}.xml")).await;
    assert!(
        one.body
            .contains(&format!("<service_request_id>{id}</service_request_id>"))
    );
    assert!(one.body.contains("<status>open</status>"));
    assert_eq!(
        c.get("/open311/v2/requests/0000000000000.json")
            .await
            .status,
        404
    );
    let t = c.get(&format!("/open311/v2/tokens/{id}.json")).await.json();
    assert_eq!(t[0]["service_request_id"], id.as_str());
    assert_eq!(c.get("/open311/v2/tokens/nope.xml").await.status, 404);
    // filters
    let closed = c
        .get("/open311/v2/requests.json?status=closed")
        .await
        .json();
    assert!(closed.as_array().unwrap().is_empty());
    let other = c
        .get("/open311/v2/requests.json?service_code=0101")
        .await
        .json();
    assert!(other.as_array().unwrap().is_empty());
    let by_id = c
        .get(&format!(
            "/open311/v2/requests.json?service_request_id={id},0000000000000"
        ))
        .await
        .json();
    assert_eq!(by_id.as_array().unwrap().len(), 1);
    let r = c
        .get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z")
        .await;
    assert_eq!(r.status, 400, "over 90 days");
    let r = c
        .get("/open311/v2/requests.json?start_date=yesterday")
        .await;
    assert_eq!(r.status, 400);
    let r = c.get("/open311/v2/requests.json?status=pending").await;
    assert_eq!(r.status, 400);

    // staff close it; Open311 shows closed with the note
    let shuji = c
        .app
        .create_token("shuji", "t", &Actor::cli())
        .await
        .unwrap()
        .secret
        .expose()
        .to_owned();
    let list = c
        .api(Method::GET, "/api/v1/cases?limit=5", &shuji, None)
        .await
        .json();
    let case_id = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["number"] == id.as_str())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(list["rows"][0]["channel"], "open311");
    for s in ["close_on_spot"] {
        let body = format!(r#"{{"step":"{s}","note":"已现场处理"}}"#);
        let r = c
            .api(
                Method::POST,
                &format!("/api/v1/cases/{case_id}/steps"),
                &shuji,
                Some(&body),
            )
            .await;
        assert_eq!(r.status, 200, "{s}: {}", r.body);
    }
    let one = c
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await
        .json();
    assert_eq!(one[0]["status"], "closed");
    // the state only: what staff wrote is not published
    assert_eq!(one[0]["status_notes"], "已结案");

    // a revoked key files nothing more
    assert!(
        c.app
            .open311_key_revoke("城管系统", &Actor::cli())
            .await
            .unwrap()
    );
    let r = c
        .post_raw("/open311/v2/requests.json", ctype, form(key.expose(), ""))
        .await;
    assert_eq!(r.status, 403);
});

db_test!(
    open311_publishes_only_what_is_public_by_nature,
    |db: Db| async move {
        let config = linli_web::WebConfig {
            open311_per_minute: 12,
            ..linli_web::WebConfig::default()
        };
        let mut c = Client::with_config(db, config).await;
        c.app.seed_demo_community().await.unwrap().unwrap();
        common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
        let resident = common::token(&c, "jumin1").await;
        let shuji = common::token(&c, "shuji").await;
        let p = linli_domain::geo::wgs84_to_gcj02(common::grid1_point(&c).await);
        let file = |kind: &str, category: &str, text: &str| {
            serde_json::json!({
                "kind": kind, "category": category, "description": text,
                "lng": p.lng, "lat": p.lat, "coord_sys": "gcj02",
                "address": "长山花园小区3号楼2单元502室"
            })
            .to_string()
        };
        let mut numbers = Vec::new();
        for (kind, category, text) in [
            ("snapshot", "0104", "路面油污一大片"),
            ("help", "0104", "我家老人摔倒了需要帮助"),
            ("complaint", "0104", "楼上住户天天往下扔垃圾"),
            ("snapshot", "1001", "邻居吵架"),
        ] {
            let r = c
                .api(
                    Method::POST,
                    "/api/v1/cases",
                    &resident,
                    Some(&file(kind, category, text)),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.body);
            numbers.push((
                r.json()["number"].as_str().unwrap().to_owned(),
                r.json()["id"].as_i64().unwrap(),
            ));
        }
        // staff notes and a dispatch to a person stay inside
        let (public_no, public_id) = numbers[0].clone();
        for body in [
            r#"{"step":"accept","note":"已核实,联系人王小明 13900001111"}"#,
            r#"{"step":"dispatch","note":"请王小明今天处理"}"#,
        ] {
            let r = c
                .api(
                    Method::POST,
                    &format!("/api/v1/cases/{public_id}/steps"),
                    &shuji,
                    Some(body),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let all = c.get("/open311/v2/requests.json").await;
        assert_eq!(all.status, 200, "{}", all.body);
        let listed: Vec<String> = all
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["service_request_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(listed, vec![public_no.clone()], "{}", all.body);
        let one = &all.json()[0];
        assert_eq!(one["address"], "长山花园小区", "{}", all.body);
        assert_eq!(one["status_notes"], "已派遣", "{}", all.body);
        assert_eq!(
            one["agency_responsible"],
            linli_domain::cases::HandlerKind::GridWorker.label_zh()
        );
        for private in [
            "王小明",
            "13900001111",
            "502",
            "3号楼",
            "老人摔倒",
            "楼上住户",
            "邻居吵架",
        ] {
            assert!(!all.body.contains(private), "{private}: {}", all.body);
        }
        // by number: a private case is as if it did not exist
        for (n, _) in &numbers[1..] {
            let r = c.get(&format!("/open311/v2/requests/{n}.json")).await;
            assert_eq!(r.status, 404, "{n}: {}", r.body);
        }
        // reading is limited per address like filing (12 a minute here, 4 used)
        let mut codes = Vec::new();
        for _ in 0..9 {
            codes.push(c.get("/open311/v2/requests.json").await.status.as_u16());
        }
        assert_eq!(codes.iter().filter(|s| **s == 429).count(), 1, "{codes:?}");
    }
);

db_test!(
    open311_conformance_description_and_points_near_the_area,
    |db: Db| async move {
        let mut c = Client::new(db).await;
        c.app.seed_demo_community().await.unwrap().unwrap();
        let key = c
            .app
            .open311_key_add("城管系统", &Actor::cli())
            .await
            .unwrap();
        let p = common::grid1_point(&c).await;
        let ctype = "application/x-www-form-urlencoded; charset=utf-8";
        let post = |lat: f64, lng: f64, extra: String| {
            format!(
                "api_key={}&service_code=0104&lat={lat}&long={lng}&phone=13812345678&attribute[kind]=snapshot{extra}",
                key.expose()
            )
        };
        // description is optional: the service names the request then
        let r = c
            .post_raw(
                "/open311/v2/requests.json",
                ctype,
                post(p.lat, p.lng, String::new()),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let n = r.json()[0]["service_request_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            c.app.open311_request(&n).await.unwrap().description,
            "道路不洁"
        );
        // up to 4,000 characters
        for (len, status) in [(4000, 201), (4001, 400)] {
            let text = "油".repeat(len);
            let r = c
                .post_raw(
                    "/open311/v2/requests.json",
                    ctype,
                    post(p.lat, p.lng, format!("&description={text}")),
                )
                .await;
            assert_eq!(r.status.as_u16(), status, "{len}: {}", r.body);
        }
        // a point a little outside every grid goes to the nearest community's
        // intake queue; one far outside the area is refused
        let loc = |lng: f64| linli_app::territory::places::Location {
            lng,
            lat: p.lat,
            sys: linli_domain::geo::CoordSys::Wgs84,
        };
        let mut lng = p.lng;
        while c.app.locate(loc(lng)).await.unwrap().is_some() {
            lng += 0.001;
        }
        lng += 0.002; // ≈ 160 m beyond the last grid's edge
        let gap = linli_domain::geo::distance_m(p, linli_domain::geo::LngLat { lng, lat: p.lat });
        assert!(gap < 3000.0, "{gap}");
        let r = c
            .post_raw(
                "/open311/v2/requests.json",
                ctype,
                post(p.lat, lng, "&description=x".into()),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let r = c
            .post_raw(
                "/open311/v2/requests.json",
                ctype,
                post(p.lat, lng + 0.2, "&description=x".into()),
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert!(r.body.contains("服务范围"), "{}", r.body);
    }
);

db_test!(
    a_partners_media_link_is_a_link_only_to_a_trusted_host,
    |db: Db| async move {
        let accounts = Client::new(db.clone())
            .await
            .app
            .seed_demo_community()
            .await
            .unwrap()
            .unwrap();
        for (i, hosts, linked) in [
            (1, vec![], false),
            (2, vec!["img.example.cn".to_owned()], true),
        ] {
            let config = linli_web::WebConfig {
                media_hosts: hosts,
                ..linli_web::WebConfig::default()
            };
            let mut c = Client::with_config(db.clone(), config).await;
            let key = c
                .app
                .open311_key_add(&format!("城管系统{i}"), &Actor::cli())
                .await
                .unwrap();
            let p = common::grid1_point(&c).await;
            let body = format!(
                "api_key={}&service_code=0104&lat={}&long={}&description=x&attribute[kind]=snapshot\
             &media_url=https%3A%2F%2Fimg.example.cn%2Fa.jpg",
                key.expose(),
                p.lat,
                p.lng
            );
            let r = c
                .post_raw(
                    "/open311/v2/requests.json",
                    "application/x-www-form-urlencoded",
                    body,
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.body);
            let number = r.json()[0]["service_request_id"]
                .as_str()
                .unwrap()
                .to_owned();
            let shuji = common::token(&c, "shuji").await;
            let list = c
                .api(Method::GET, "/api/v1/cases?limit=5", &shuji, None)
                .await
                .json();
            let id = list["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["number"] == number.as_str())
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            c.login("shuji", &common::password_of(&accounts, "shuji"))
                .await;
            let page = c.get(&format!("/cases/{id}")).await;
            assert_eq!(page.status, 200, "{}", page.body);
            assert_eq!(
                page.body.contains(r#"<a id="media-url""#),
                linked,
                "{}",
                page.body
            );
            assert!(page.body.contains("img.example.cn/a.jpg"));
        }
    }
);
