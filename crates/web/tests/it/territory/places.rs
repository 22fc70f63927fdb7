//! Grids and houses over HTTP on both databases: the pages, the API and
//! its access matrix (role × scope × action), forms, GeoJSON up/download.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{Client, token};
use axum::http::Method;
use linli_app::Actor;
use linli_app::accounts::NewAccount;
use linli_app::demo::{COMMUNITY, building_site};
use linli_domain::access::{Grant, Role};
use linli_domain::geo::{LngLat, wgs84_to_gcj02};
use linli_domain::secret::Secret;
use linli_store::{Db, db_test};
use std::collections::HashMap;

/// Seeds 长山花园 and returns the demo accounts' passwords.
async fn seeded(db: Db) -> (Client, HashMap<String, String>) {
    let c = Client::new(db).await;
    let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
    let pw = accounts
        .into_iter()
        .map(|(u, _, p)| (u, p.expose().to_owned()))
        .collect();
    (c, pw)
}

fn path(p: &str) -> String {
    p.replace("{c}", COMMUNITY)
}

db_test!(
    the_pages_show_tree_map_report_and_party,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        c.login("shuji", &pw["shuji"]).await;
        let tree = c.get(&path("/places?code={c}")).await;
        assert_eq!(tree.status, 200, "{}", tree.body);
        assert!(tree.body.contains("第十网格") && tree.body.contains("11号楼"));
        assert!(tree.body.contains("3105"), "community dwelling count");
        let ids: Vec<i64> = serde_json::from_str::<serde_json::Value>(
            &c.get(&path("/api/v1/communities/{c}")).await.body,
        )
        .unwrap()["grids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_i64().unwrap())
            .collect();
        let grid = c
            .get(&format!("/places?code={COMMUNITY}&grid={}", ids[9]))
            .await;
        assert!(grid.body.contains("10号楼") && grid.body.contains("11号楼"));
        assert!(!grid.body.contains(">1号楼<"));
        let b = c.get(&path("/places?code={c}&building=1")).await;
        assert_eq!(b.body.matches("class=\"dwelling\"").count(), 50);
        assert!(b.body.contains("第 1 / 6 页"), "276 dwellings, 50 a page");
        let last = c.get(&path("/places?code={c}&building=1&page=5")).await;
        assert_eq!(last.body.matches("class=\"dwelling\"").count(), 26);
        let filtered = c.get(&path("/places?code={c}&q=11%E5%8F%B7")).await;
        assert_eq!(filtered.body.matches("class=\"building\"").count(), 1);

        let map = c.get(&path("/places/map?code={c}")).await;
        assert!(map.body.contains("/static/leaflet."));
        let fc = c.get(&path("/api/v1/communities/{c}/map")).await;
        assert_eq!(fc.headers["content-type"], "application/geo+json");
        let kinds: Vec<String> = fc.json()["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["kind"].as_str().unwrap().to_owned())
            .collect();
        let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
        assert_eq!(
            (count("community"), count("grid"), count("building")),
            (1, 10, 11)
        );
        assert_eq!(c.get("/static/leaflet.js").await.status, 200);

        let report = c.get(&path("/places/report?code={c}")).await;
        assert!(report.body.contains("校验通过"), "{}", report.body);
        let party = c.get(&path("/places/party?code={c}")).await;
        assert!(party.body.contains("中共长山花园社区委员会"));
        assert!(party.body.contains("共 161 户"));

        // names are escaped on every page
        let r = c
            .post_form(
                "/places/grids",
                &[("code", COMMUNITY), ("name", "<script>alert(1)</script>")],
            )
            .await;
        assert_eq!(r.status, 303);
        let tree = c.get(&path("/places?code={c}")).await;
        let shown = tree
            .body
            .lines()
            .find(|l| l.contains("alert(1)"))
            .unwrap_or("");
        assert!(
            shown.contains("&#60;script&#62;") || shown.contains("&lt;script&gt;"),
            "{shown}"
        );
        assert!(!tree.body.contains("<script>alert(1)"));
        // a grid worker gets no management forms
        let mut w = Client::new(c.app.db().clone()).await;
        w.login("wangge1", &pw["wangge1"]).await;
        let page = w.get(&path("/places?code={c}")).await;
        assert!(!page.body.contains("新建网格"));
        assert!(page.body.contains("另有 10 栋不在您的管辖范围"));
    }
);

db_test!(the_api_enforces_the_access_matrix, |db: Db| async move {
    let (mut c, _) = seeded(db).await;
    // the neighbouring community must exist before anyone is granted it
    let longshan =
        linli_domain::territory::Region::parse("220103008004", "龙山路社区", Some("220103008"))
            .unwrap();
    linli_store::territory::regions::upsert(&mut c.app.db().conn().await.unwrap(), &[longshan])
        .await
        .unwrap();
    let neighbour = NewAccount {
        username: "longshan".into(),
        display_name: None,
        password: Secret::new("Dongfeng-Lu-2026!"),
        grants: vec![Grant {
            role: Role::CommunitySecretary,
            scope: "220103008004".parse().unwrap(),
        }],
        must_change_password: false,
    };
    c.app.create_user(neighbour, &Actor::cli()).await.unwrap();
    let mut t = HashMap::new();
    for u in ["shuji", "wangge1", "tuanshan", "longshan"] {
        t.insert(u, token(&c, u).await);
    }
    let community = c
        .api(
            Method::GET,
            &path("/api/v1/communities/{c}"),
            &t["shuji"],
            None,
        )
        .await
        .json();
    let grid_of = |n: usize| community["grids"][n]["id"].as_i64().unwrap();
    let building_in = |g: i64| {
        community["buildings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["grid_id"].as_i64() == Some(g))
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (own, other) = (building_in(grid_of(0)), building_in(grid_of(1)));
    let grid_body = r#"{"name":"API网格"}"#;
    // (user, method, path, body, expected status)
    let cases: Vec<(&str, Method, String, Option<&str>, u16)> = vec![
        (
            "shuji",
            Method::GET,
            path("/api/v1/communities/{c}"),
            None,
            200,
        ),
        (
            "wangge1",
            Method::GET,
            path("/api/v1/communities/{c}"),
            None,
            200,
        ),
        (
            "tuanshan",
            Method::GET,
            path("/api/v1/communities/{c}"),
            None,
            200,
        ),
        (
            "longshan",
            Method::GET,
            path("/api/v1/communities/{c}"),
            None,
            403,
        ),
        (
            "wangge1",
            Method::GET,
            format!("/api/v1/buildings/{own}"),
            None,
            200,
        ),
        (
            "wangge1",
            Method::GET,
            format!("/api/v1/buildings/{other}"),
            None,
            403,
        ),
        (
            "wangge1",
            Method::GET,
            format!("/api/v1/buildings/{other}/dwellings"),
            None,
            403,
        ),
        (
            "longshan",
            Method::GET,
            format!("/api/v1/buildings/{own}"),
            None,
            403,
        ),
        (
            "shuji",
            Method::GET,
            format!("/api/v1/buildings/{other}/dwellings"),
            None,
            200,
        ),
        (
            "wangge1",
            Method::GET,
            path("/api/v1/communities/{c}/report"),
            None,
            403,
        ),
        (
            "tuanshan",
            Method::GET,
            path("/api/v1/communities/{c}/report"),
            None,
            200,
        ),
        (
            "longshan",
            Method::GET,
            path("/api/v1/communities/{c}/party"),
            None,
            403,
        ),
        (
            "wangge1",
            Method::POST,
            path("/api/v1/communities/{c}/grids"),
            Some(grid_body),
            403,
        ),
        (
            "longshan",
            Method::POST,
            path("/api/v1/communities/{c}/grids"),
            Some(grid_body),
            403,
        ),
        (
            "tuanshan",
            Method::POST,
            path("/api/v1/communities/{c}/grids"),
            Some(grid_body),
            201,
        ),
        (
            "wangge1",
            Method::DELETE,
            format!("/api/v1/grids/{}", grid_of(0)),
            None,
            403,
        ),
        (
            "shuji",
            Method::DELETE,
            format!("/api/v1/grids/{}", grid_of(0)),
            None,
            422,
        ),
        (
            "wangge1",
            Method::GET,
            format!("/api/v1/grids/{}/boundary", grid_of(1)),
            None,
            200,
        ),
        (
            "longshan",
            Method::GET,
            format!("/api/v1/grids/{}/boundary", grid_of(1)),
            None,
            403,
        ),
        (
            "shuji",
            Method::GET,
            "/api/v1/buildings/999999".to_owned(),
            None,
            404,
        ),
    ];
    for (user, method, p, body, expect) in cases {
        let r = c.api(method.clone(), &p, &t[user], body).await;
        assert_eq!(r.status.as_u16(), expect, "{user} {method} {p}: {}", r.body);
        if expect >= 400 {
            assert!(!r.error_code().is_empty(), "structured error for {p}");
        }
    }
    let w = c
        .api(
            Method::GET,
            &path("/api/v1/communities/{c}"),
            &t["wangge1"],
            None,
        )
        .await
        .json();
    assert_eq!(w["buildings"].as_array().unwrap().len(), 1);
    assert_eq!(w["hidden_buildings"], 10);
    let anon = c.get(&path("/api/v1/communities/{c}")).await;
    assert_eq!(anon.status, 401);
});

db_test!(
    boundaries_go_up_and_down_and_points_find_grids,
    |db: Db| async move {
        let (mut c, _) = seeded(db).await;
        let t = token(&c, "shuji").await;
        let created = c
            .api(
                Method::POST,
                &path("/api/v1/communities/{c}/grids"),
                &t,
                Some(r#"{"name":"飞地网格","boundary":{"type":"Polygon","coordinates":[[[125.40,43.95],[125.41,43.95],[125.41,43.96],[125.40,43.96],[125.40,43.95]]]}}"#),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.json()["id"].as_i64().unwrap();
        let down = c
            .api(
                Method::GET,
                &format!("/api/v1/grids/{id}/boundary"),
                &t,
                None,
            )
            .await;
        assert!(
            down.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("grid-220103008003011.geojson")
        );
        assert_eq!(down.json()["geometry"]["type"], "MultiPolygon");

        // upload the downloaded file to another grid, and bad files
        let empty = c
            .api(
                Method::POST,
                &path("/api/v1/communities/{c}/grids"),
                &t,
                Some(r#"{"name":"空网格"}"#),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let put = |body: String| {
            axum::http::Request::builder()
                .method(Method::PUT)
                .uri(format!("/api/v1/grids/{empty}/boundary"))
                .header("authorization", format!("Bearer {t}"))
                .header("content-type", "application/geo+json")
                .body(axum::body::Body::from(body))
                .unwrap()
        };
        let bow_tie = r#"{"type":"Polygon","coordinates":[[[125.5,43.9],[125.51,43.91],[125.51,43.9],[125.5,43.91],[125.5,43.9]]]}"#;
        for (body, expect) in [
            (bow_tie.to_owned(), "自相交"),
            ("{\"type\":\"Polygon\"".to_owned(), "GeoJSON"),
            (r#"{"type":"Polygon","coordinates":[[[43.9,125.5],[43.91,125.5],[43.91,125.51],[43.9,125.5]]]}"#.to_owned(), "填反"),
        ] {
            let r = c.send(put(body)).await;
            assert_eq!(r.status, 422, "{}", r.body);
            assert!(r.json()["errors"][0]["detail"].as_str().unwrap().contains(expect), "{}", r.body);
        }
        let r = c.send(put(down.body.clone())).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.json()["has_boundary"].as_bool().unwrap());

        // point → grid from a WeChat (GCJ-02) location
        let (cell, (lng, lat)) = building_site(4);
        let g = wgs84_to_gcj02(LngLat { lng, lat });
        let r = c
            .api(
                Method::GET,
                &format!("/api/v1/locate?lng={}&lat={}&coord_sys=gcj02", g.lng, g.lat),
                &t,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let j = r.json();
        assert_eq!(j["grid"]["code"], format!("{COMMUNITY}{:03}", cell + 1));
        assert!((j["lng"].as_f64().unwrap() - lng).abs() < 1e-6);
        for (q, expect) in [
            (format!("lng={lat}&lat={lng}"), "填反"),
            (format!("lng={lng}&lat={lat}&coord_sys=mars"), "坐标系"),
        ] {
            let r = c
                .api(Method::GET, &format!("/api/v1/locate?{q}"), &t, None)
                .await;
            assert_eq!(r.status, 422, "{q}: {}", r.body);
            assert!(r.body.contains(expect), "{}", r.body);
        }
        let nowhere = c
            .api(Method::GET, "/api/v1/locate?lng=116.4&lat=39.9", &t, None)
            .await;
        assert!(nowhere.json()["grid"].is_null());
    }
);

db_test!(forms_manage_grids_with_guards, |db: Db| async move {
    let (mut c, pw) = seeded(db).await;
    c.login("shuji", &pw["shuji"]).await;
    let r = c
        .post_form(
            "/places/grids",
            &[("code", COMMUNITY), ("name", "东片"), ("parent_id", "")],
        )
        .await;
    assert_eq!(r.status, 303);
    let target = r.location().to_owned();
    let page = c.get(&target).await;
    assert!(
        page.body.contains("已新建网格“东片”,编码 220103008003011"),
        "{}",
        page.body
    );
    let id = c
        .app
        .community(
            &c.app
                .principal_from_token(&token(&c, "shuji").await)
                .await
                .unwrap()
                .unwrap(),
            &COMMUNITY.parse().unwrap(),
        )
        .await
        .unwrap()
        .grids
        .iter()
        .find(|g| g.grid.name == "东片")
        .unwrap()
        .grid
        .id;
    let first = 1;
    let act = |action: &'static str, extra: Vec<(&'static str, String)>| {
        let mut f = vec![
            ("code", COMMUNITY.to_owned()),
            ("action", action.to_owned()),
        ];
        f.extend(extra);
        f
    };
    for (grid, fields, expect) in [
        (
            id,
            act("rename", vec![("name", "东片区".into())]),
            "已更名为“东片区”",
        ),
        (
            id,
            act("move", vec![("parent_id", first.to_string())]),
            "新编码 220103008003001001",
        ),
        (
            first,
            act("move", vec![("parent_id", id.to_string())]),
            "不能把网格移动到它自己或它的下级网格之下",
        ),
        (first, act("delete", vec![]), "请先移走再删除"),
        (
            id,
            act(
                "boundary",
                vec![("boundary", "{\"type\":\"Point\"}".into())],
            ),
            "不是有效的 GeoJSON",
        ),
        (id, act("delete", vec![]), "网格已删除"),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = c.post_form(&format!("/places/grids/{grid}"), &fields).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = c.get(r.location()).await;
        assert!(page.body.contains(expect), "{expect}: {}", r.location());
    }
    // without the CSRF field nothing happens
    let r = c
        .post_raw(
            "/places/grids",
            "application/x-www-form-urlencoded",
            format!("code={COMMUNITY}&name=x"),
        )
        .await;
    assert_eq!(r.status, 403);
});

db_test!(excel_goes_in_and_out_over_the_api, |db: Db| async move {
    let (mut c, _) = seeded(db).await;
    let (shuji, worker) = (token(&c, "shuji").await, token(&c, "wangge1").await);
    let template = c
        .api(Method::GET, "/api/v1/places/template.xlsx", &shuji, None)
        .await;
    assert_eq!(template.status, 200);
    assert!(
        template.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let raw = |tok: &str, body: Vec<u8>| {
        axum::http::Request::builder()
            .method(Method::POST)
            .uri(path("/api/v1/communities/{c}/places.xlsx"))
            .header("authorization", format!("Bearer {tok}"))
            .header(
                "content-type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let file = linli_app::territory::xlsx::places_template().unwrap();
    let r = c.send(raw(&shuji, file.clone())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(
        (j["rows"].as_u64(), j["unchanged"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(j["rejected"].as_array().unwrap().len(), 0);
    let r = c.send(raw(&worker, file)).await;
    assert_eq!(r.status, 403);
    let r = c
        .send(raw(&shuji, b"%PDF-1.4 not a spreadsheet".to_vec()))
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不是有效的 Excel"), "{}", r.body);
    // what a grid worker exports is their grid only
    let mine = c
        .api(
            Method::GET,
            &path("/api/v1/communities/{c}/places.xlsx"),
            &worker,
            None,
        )
        .await;
    assert_eq!(mine.status, 200);
    let (sheet, _) = linli_app::infra::xlsx::read_first_sheet(mine.body_bytes()).unwrap();
    assert_eq!(sheet.rows.len(), 276);
});

db_test!(
    building_forms_rename_add_units_and_refuse_unsafe_deletes,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        c.login("shuji", &pw["shuji"]).await;
        let page = c.get(&path("/places?code={c}&building=1")).await;
        assert!(page.body.contains("管理本楼栋"));
        for (fields, expect) in [
            (
                vec![("action", "rename"), ("name", "一号楼")],
                "已更名为“一号楼”",
            ),
            (
                vec![
                    ("action", "add_unit"),
                    ("name", "5单元"),
                    ("floors", "2"),
                    ("rooms_per_floor", "2"),
                ],
                "已新增单元,4 户",
            ),
            (
                vec![
                    ("action", "add_unit"),
                    ("name", "6单元"),
                    ("floors", "二"),
                    ("rooms_per_floor", "2"),
                ],
                "楼层数应为数字",
            ),
            (vec![("action", "delete")], "还有 5 个单元"),
            (
                vec![("action", "assign"), ("grid_id", "2")],
                "已划入 220103008003002",
            ),
        ] {
            let mut f = fields.clone();
            f.push(("code", COMMUNITY));
            let r = c.post_form("/places/buildings/1", &f).await;
            assert_eq!(r.status, 303, "{}", r.body);
            let page = c.get(r.location()).await;
            assert!(page.body.contains(expect), "{expect}: {}", r.location());
        }
        // units and dwellings are deleted on their own routes; a party household is refused
        let r = c
            .post_form(
                "/places/dwellings/1/delete",
                &[("code", COMMUNITY), ("building", "1")],
            )
            .await;
        assert!(c.get(r.location()).await.body.contains("党员家庭户"));
        let r = c
            .post_form(
                "/places/dwellings/2/delete",
                &[("code", COMMUNITY), ("building", "1")],
            )
            .await;
        assert!(c.get(r.location()).await.body.contains("该户已删除"));
        let r = c
            .post_form(
                "/places/units/1/delete",
                &[("code", COMMUNITY), ("building", "1")],
            )
            .await;
        assert!(c.get(r.location()).await.body.contains("还有住户"));
        assert_eq!(
            c.post_form(
                "/places/rooms/1/delete",
                &[("code", COMMUNITY), ("building", "1")]
            )
            .await
            .status,
            404
        );
        // a grid worker of the old grid no longer sees it, nor can post to it
        let mut w = Client::new(c.app.db().clone()).await;
        w.login("wangge1", &pw["wangge1"]).await;
        assert_eq!(
            w.get(&path("/places?code={c}&building=1")).await.status,
            403
        );
        let r = w
            .post_form(
                "/places/buildings/1",
                &[("code", COMMUNITY), ("action", "delete")],
            )
            .await;
        assert_eq!(r.status, 403);
    }
);

db_test!(
    party_forms_set_up_organisations_and_posts,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        c.login("shuji", &pw["shuji"]).await;
        let party = c.get(&path("/api/v1/communities/{c}/party")).await.json();
        let committee = party["orgs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == "committee")
            .unwrap()["id"]
            .as_i64()
            .unwrap()
            .to_string();
        type Fields<'a> = Vec<(&'a str, &'a str)>;
        let cases: Vec<(&str, Fields, &str)> = vec![
            (
                "/places/party/orgs",
                vec![
                    ("kind", "branch"),
                    ("name", "第一网格第二党支部"),
                    ("node", "grid:1"),
                    ("parent_id", &committee),
                ],
                "已建立“第一网格第二党支部”",
            ),
            (
                "/places/party/orgs",
                vec![
                    ("kind", "group"),
                    ("name", "错位党小组"),
                    ("node", "grid:1"),
                    ("parent_id", ""),
                ],
                "党小组应设在楼栋上",
            ),
            (
                "/places/party/posts",
                vec![
                    ("post", "building_head"),
                    ("person_name", "周桂兰"),
                    ("node", "building:11"),
                    ("start_date", "2026-11-01"),
                ],
                "已任命周桂兰",
            ),
            (
                "/places/party/posts",
                vec![
                    ("post", "grid_worker"),
                    ("person_name", "钱立新"),
                    ("node", "grid:1"),
                    ("start_date", "2026-13-01"),
                ],
                "日期应为",
            ),
            (
                "/places/party/posts",
                vec![
                    ("post", "grid_worker"),
                    ("person_name", "钱立新"),
                    ("node", "building:1"),
                    ("start_date", "2026-11-01"),
                ],
                "网格员应设在网格上",
            ),
        ];
        for (url, mut fields, expect) in cases {
            fields.push(("code", COMMUNITY));
            let r = c.post_form(url, &fields).await;
            assert_eq!(r.status, 303, "{}", r.body);
            let page = c.get(r.location()).await;
            assert!(page.body.contains(expect), "{expect}: {}", r.location());
        }
        let page = c.get(&path("/places/party?code={c}")).await;
        assert!(page.body.contains("第一网格第二党支部") && page.body.contains("周桂兰"));
        // a grid worker sees the network but cannot change it
        let mut w = Client::new(c.app.db().clone()).await;
        w.login("wangge1", &pw["wangge1"]).await;
        assert!(
            !w.get(&path("/places/party?code={c}"))
                .await
                .body
                .contains("新建党组织")
        );
        let r = w
            .post_form(
                "/places/party/orgs",
                &[
                    ("code", COMMUNITY),
                    ("kind", "group"),
                    ("name", "x"),
                    ("node", "building:1"),
                    ("parent_id", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 403);
    }
);
