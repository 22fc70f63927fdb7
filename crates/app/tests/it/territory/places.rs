//! Grids, buildings and the party network on both databases: the 长山花园
//! demo validates cleanly, planted faults are reported, guards hold and
//! the access matrix (role × scope × action) is enforced.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::accounts::auth::{Credential, Principal};
use linli_app::demo::{COMMUNITY, building_site};
use linli_app::territory::party::{OrgInput, PostInput};
use linli_app::territory::places::{BuildingInput, GridParent, Location};
use linli_app::{Actor, App, AppConfig, AppError};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::geo::{CoordSys, LngLat, wgs84_to_gcj02};
use linli_domain::territory::party::{NodeKind, OrgKind, PostKind};
use linli_domain::territory::places::DwellingSpec;
use linli_store::{Db, db_test};

fn code(s: &str) -> RegionCode {
    s.parse().unwrap()
}

fn who(role: Role, scope: &str) -> Principal {
    Principal {
        user_id: 1,
        username: "tester".into(),
        display_name: "测试".into(),
        grants: vec![Grant {
            role,
            scope: code(scope),
        }],
        must_change_password: false,
        last_login_at: None,
        credential: Credential::Token { token_id: 0 },
        elder: false,
    }
}

fn secretary() -> Principal {
    who(Role::CommunitySecretary, COMMUNITY)
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> String {
    format!(
        r#"{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}"#
    )
}

async fn seeded(db: Db) -> App {
    let app = App::new(db, AppConfig::default());
    let accounts = app
        .seed_demo_community()
        .await
        .unwrap()
        .expect("first seed");
    let names: Vec<&str> = accounts.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "shuji",
            "wangge1",
            "wangge2",
            "tuanshan",
            "chengguan",
            "shijian",
            "jumin"
        ]
    );
    app
}

fn wgs(lng: f64, lat: f64) -> Location {
    Location {
        lng,
        lat,
        sys: CoordSys::Wgs84,
    }
}

db_test!(
    the_demo_community_is_seeded_once_and_validates_clean,
    |db: Db| async move {
        let app = seeded(db).await;
        assert!(app.seed_demo_community().await.unwrap().is_none());
        let c = code(COMMUNITY);
        let r = app.coverage_report(&secretary(), &c).await.unwrap();
        assert_eq!((r.grids, r.buildings, r.dwellings), (10, 11, 3105));
        assert!(r.overlaps.is_empty(), "{:?}", r.overlaps);
        assert!(r.gap_m2.unwrap() < 1.0, "gap {:?}", r.gap_m2);
        assert!(r.misplaced.is_empty(), "{:?}", r.misplaced);
        assert!(r.grids_clean() && r.party_clean());
        assert_eq!(
            (r.party.branches, r.party.groups, r.party.households),
            (10, 24, 161)
        );
        let view = app.community(&secretary(), &c).await.unwrap();
        assert_eq!(view.region.name, "长山花园社区");
        let units: i64 = view.buildings.iter().map(|b| b.units).sum();
        assert_eq!(units, 45);
        assert_eq!(view.grids.iter().map(|g| g.buildings).sum::<i64>(), 11);
        assert!(view.grids[0].staff.iter().any(|s| s.contains("网格员")));
        let (orgs, posts) = app.party_network(&secretary(), &c).await.unwrap();
        assert_eq!(
            orgs.iter().filter(|o| o.kind == OrgKind::Committee).count(),
            1
        );
        assert_eq!(
            orgs.iter()
                .filter(|o| o.kind == OrgKind::PartnerOrg)
                .count(),
            2
        );
        assert_eq!(
            posts
                .iter()
                .filter(|p| p.post == PostKind::UnitHead)
                .count(),
            45
        );
        assert_eq!(
            posts
                .iter()
                .filter(|p| p.post == PostKind::BuildingHead)
                .count(),
            10
        );
    }
);

db_test!(
    a_planted_overlap_and_an_uncovered_building_are_reported,
    |db: Db| async move {
        let app = seeded(db).await;
        let c = code(COMMUNITY);
        let me = secretary();
        let actor = Actor::cli();
        // a grid drawn over the south-west corner of 第一网格 (about 40 m × 44 m)
        let planted = rect(125.3300, 43.9180, 125.3305, 43.9184);
        let g = app
            .create_grid(
                &me,
                GridParent::Community(&c),
                "违规网格",
                Some(&planted),
                &actor,
            )
            .await
            .unwrap();
        assert_eq!(g.code.as_str(), "220103008003011");
        // a building outside the community
        let view = app.community(&me, &c).await.unwrap();
        let estate = view.estates[0].id;
        let stray = BuildingInput {
            estate_id: estate,
            name: "12号楼",
            at: Some(wgs(125.3400, 43.9300)),
            floors: Some(6),
        };
        let b = app.add_building(&me, &c, stray, &actor).await.unwrap();
        assert_eq!(b.grid_id, None);
        assert_eq!(b.scope, c);

        let r = app.coverage_report(&me, &c).await.unwrap();
        assert_eq!(r.overlaps.len(), 1, "{:?}", r.overlaps);
        let o = &r.overlaps[0];
        assert_eq!((o.a.as_str(), o.b.as_str()), ("第一网格", "违规网格"));
        assert!((1500.0..2000.0).contains(&o.area_m2), "{}", o.area_m2);
        assert_eq!(r.misplaced.len(), 1, "{:?}", r.misplaced);
        assert_eq!(r.misplaced[0].building, "长山花园小区 12号楼");
        assert_eq!(r.misplaced[0].problem, "不在任何网格内");
        assert!(!r.grids_clean());
        assert_eq!(r.grids_without_branch, ["违规网格"]);
        assert_eq!(r.buildings_without_group, ["长山花园小区 12号楼"]);
    }
);

// What each caller may do, tried for real.
db_test!(the_access_matrix_holds_for_places, |db: Db| async move {
    let app = seeded(db).await;
    let c = code(COMMUNITY);
    let actor = Actor::cli();
    let view = app.community(&secretary(), &c).await.unwrap();
    let in_grid = |n: usize| {
        let g = &view.grids[n].grid;
        view.buildings
            .iter()
            .find(|b| b.grid_id == Some(g.id))
            .unwrap()
            .id
    };
    let (own, other) = (in_grid(0), in_grid(1));
    let grid2 = view.grids[1].grid.id;
    let unit = |name| vec![DwellingSpec::parse(1, name, Some(50.0)).unwrap()];

    let worker = who(Role::GridWorker, "220103008003001");
    let street = who(Role::StreetAdmin, "220103008");
    let neighbour = who(Role::CommunitySecretary, "220103008004");
    let far_street = who(Role::StreetAdmin, "220103009");
    let auditor = who(Role::Auditor, "000000000000");
    let resident = who(Role::Resident, COMMUNITY);
    let admin = who(Role::SystemAdmin, "000000000000");

    let denied = |r: Result<(), AppError>| matches!(r, Err(AppError::Forbidden));
    let ok = |r: Result<(), AppError>| r.is_ok();
    // (caller, action, expected)
    let mut checked = 0;
    for (name, p, can_view_own, can_view_other, can_report, can_manage) in [
        ("worker", &worker, true, false, false, false),
        ("secretary", &secretary(), true, true, true, true),
        ("street", &street, true, true, true, true),
        ("neighbour", &neighbour, false, false, false, false),
        ("far street", &far_street, false, false, false, false),
        ("auditor", &auditor, false, false, false, false),
        ("resident", &resident, false, false, false, false),
        ("admin", &admin, true, true, true, true),
    ] {
        let view_own = app.building(p, own).await.map(|_| ());
        let view_other = app.dwellings(p, other, 0, 10).await.map(|_| ());
        let report = app.coverage_report(p, &c).await.map(|_| ());
        let manage = app
            .create_grid(p, GridParent::Community(&c), "临时网格", None, &actor)
            .await
            .map(|_| ());
        for (what, r, expect) in [
            ("view own", view_own, can_view_own),
            ("view other", view_other, can_view_other),
            ("report", report, can_report),
            ("manage", manage, can_manage),
        ] {
            let good = if expect { ok(r) } else { denied(r) };
            assert!(good, "{name}: {what} should be {expect}");
            checked += 1;
        }
    }
    assert_eq!(checked, 32);

    // the grid worker: sees the community's grids but only their buildings
    let wv = app.community(&worker, &c).await.unwrap();
    assert_eq!(wv.grids.len(), 10 + 3); // the three 临时网格 just made
    assert_eq!(wv.buildings.len(), 1);
    assert_eq!(wv.hidden_buildings, 10);
    assert!(!wv.can_manage);
    // edits within the grid only
    assert!(
        app.add_unit(&worker, own, "9单元", &unit("101"), &actor)
            .await
            .is_ok()
    );
    let r = app
        .add_unit(&worker, other, "9单元", &unit("101"), &actor)
        .await;
    assert!(matches!(r, Err(AppError::Forbidden)));
    let r = app.assign_building(&worker, own, Some(grid2), &actor).await;
    assert!(
        matches!(r, Err(AppError::Forbidden)),
        "cannot hand a building to another grid"
    );
    assert!(matches!(
        app.community(&neighbour, &c).await,
        Err(AppError::Forbidden)
    ));

    // moving a building moves access: the old grid's worker loses it
    app.assign_building(&secretary(), own, Some(grid2), &actor)
        .await
        .unwrap();
    assert!(matches!(
        app.building(&worker, own).await,
        Err(AppError::Forbidden)
    ));
    let worker2 = who(Role::GridWorker, "220103008003002");
    assert!(app.building(&worker2, own).await.is_ok());
});

db_test!(grids_move_and_delete_with_guards, |db: Db| async move {
    let app = seeded(db).await;
    let c = code(COMMUNITY);
    let me = secretary();
    let actor = Actor::cli();
    let view = app.community(&me, &c).await.unwrap();
    let g1 = view.grids[0].grid.clone();
    let g2 = view.grids[1].grid.clone();
    let sub = app
        .create_grid(&me, GridParent::Grid(g1.id), "一网格甲片", None, &actor)
        .await
        .unwrap();
    assert_eq!(sub.code.as_str(), "220103008003001001");
    let micro = app
        .create_grid(&me, GridParent::Grid(sub.id), "微网格1", None, &actor)
        .await
        .unwrap();
    assert_eq!(micro.code.as_str(), "220103008003001001001");
    let r = app
        .create_grid(&me, GridParent::Grid(micro.id), "第四级", None, &actor)
        .await;
    assert!(matches!(r, Err(AppError::Invalid(m)) if m.contains("三级")));

    // cycles and depth
    let r = app.move_grid(&me, g1.id, Some(micro.id), &actor).await;
    assert!(matches!(r, Err(AppError::Invalid(m)) if m.contains("下级")));
    let r = app.move_grid(&me, sub.id, Some(micro.id), &actor).await;
    assert!(matches!(r, Err(AppError::Invalid(_))));

    // a grant on the moved subtree follows it
    let user = linli_app::accounts::NewAccount {
        username: "micro".into(),
        display_name: None,
        password: linli_domain::secret::Secret::new("Weige!2026abc"),
        grants: vec![Grant {
            role: Role::GridWorker,
            scope: micro.code.clone(),
        }],
        must_change_password: false,
    };
    app.create_user(user, &actor).await.unwrap();
    let moved = app
        .move_grid(&me, sub.id, Some(g2.id), &actor)
        .await
        .unwrap();
    assert_eq!(moved.code.as_str(), "220103008003002001");
    let view = app.community(&me, &c).await.unwrap();
    let micro_now = view.grids.iter().find(|g| g.grid.id == micro.id).unwrap();
    assert_eq!(micro_now.grid.code.as_str(), "220103008003002001001");
    let login = app
        .login(
            "micro",
            &linli_domain::secret::Secret::new("Weige!2026abc"),
            "test",
        )
        .await
        .unwrap();
    let p = app
        .principal_from_session(login.session_secret.expose())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.grants[0].scope.as_str(), "220103008003002001001");

    // a grid holding buildings (and so dwellings) cannot be deleted
    let r = app.delete_grid(&me, g1.id, &actor).await;
    assert!(matches!(r, Err(AppError::Invalid(m)) if m.contains("栋楼")));
    let empty = app
        .create_grid(&me, GridParent::Community(&c), "空网格", None, &actor)
        .await
        .unwrap();
    app.delete_grid(&me, empty.id, &actor).await.unwrap();
    assert!(matches!(
        app.delete_grid(&me, empty.id, &actor).await,
        Err(AppError::NotFound)
    ));
});

db_test!(
    bad_input_is_refused_and_nothing_is_written,
    |db: Db| async move {
        let app = seeded(db).await;
        let c = code(COMMUNITY);
        let me = secretary();
        let actor = Actor::cli();
        let before = app.community(&me, &c).await.unwrap();
        let bow_tie = r#"{"type":"Polygon","coordinates":[[[125.33,43.918],[125.331,43.919],[125.331,43.918],[125.33,43.919],[125.33,43.918]]]}"#;
        let open = r#"{"type":"Polygon","coordinates":[[[125.33,43.918],[125.331,43.918],[125.331,43.919],[125.33,43.919]]]}"#;
        let swapped = rect(43.918, 125.33, 43.919, 125.331);
        for (shape, expect) in [
            (bow_tie, "自相交"),
            (open, "闭合"),
            (swapped.as_str(), "填反"),
            ("{not json", "GeoJSON"),
            (
                r#"{"type":"Point","coordinates":[125.33,43.918]}"#,
                "Polygon",
            ),
        ] {
            let r = app
                .create_grid(
                    &me,
                    GridParent::Community(&c),
                    "坏网格",
                    Some(shape),
                    &actor,
                )
                .await;
            assert!(
                matches!(&r, Err(AppError::Invalid(m)) if m.contains(expect)),
                "{expect}: {r:?}"
            );
        }
        let r = app.set_community_boundary(&me, &c, bow_tie, &actor).await;
        assert!(matches!(r, Err(AppError::Invalid(_))));
        let street = code("220103008");
        let r = app
            .create_grid(
                &who(Role::StreetAdmin, "220103008"),
                GridParent::Community(&street),
                "街道网格",
                None,
                &actor,
            )
            .await;
        assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
        let r = app
            .create_grid(
                &who(Role::SystemAdmin, "000000000000"),
                GridParent::Community(&code("990101001001")),
                "网格",
                None,
                &actor,
            )
            .await;
        assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
        let r = app
            .create_grid(&me, GridParent::Community(&c), "  ", None, &actor)
            .await;
        assert!(matches!(r, Err(AppError::Invalid(_))));

        let estate = before.estates[0].id;
        let at = Some(Location {
            lng: 43.92,
            lat: 125.33,
            sys: CoordSys::Wgs84,
        });
        let r = app
            .add_building(
                &me,
                &c,
                BuildingInput {
                    estate_id: estate,
                    name: "反坐标楼",
                    at,
                    floors: None,
                },
                &actor,
            )
            .await;
        assert!(
            matches!(&r, Err(AppError::Invalid(m)) if m.contains("填反")),
            "{r:?}"
        );
        let (b, _) = building_site(0);
        let dup = BuildingInput {
            estate_id: estate,
            name: "1号楼",
            at: None,
            floors: None,
        };
        let r = app.add_building(&me, &c, dup, &actor).await;
        assert!(matches!(r, Err(AppError::Conflict(_))), "{r:?} (site {b})");
        // a unit with a bad dwelling list writes nothing: the duplicate room fails the batch
        let first = before.buildings[0].id;
        let rooms = vec![
            DwellingSpec::parse(1, "101", None).unwrap(),
            DwellingSpec::parse(1, "101", None).unwrap(),
        ];
        let r = app.add_unit(&me, first, "8单元", &rooms, &actor).await;
        assert!(matches!(r, Err(AppError::Conflict(_))), "{r:?}");

        let after = app.community(&me, &c).await.unwrap();
        assert_eq!(after.grids.len(), before.grids.len());
        assert_eq!(after.buildings, before.buildings);

        // party network: a group belongs on a building, dates must make sense
        let r = app
            .add_org(
                &me,
                &c,
                OrgInput {
                    kind: OrgKind::Group,
                    name: "错位党小组",
                    node_kind: NodeKind::Grid,
                    node_id: Some(before.grids[0].grid.id),
                    parent_id: None,
                },
                &actor,
            )
            .await;
        assert!(matches!(r, Err(AppError::Invalid(m)) if m.contains("楼栋")));
        let post = PostInput {
            post: PostKind::GridWorker,
            node_id: Some(before.grids[0].grid.id),
            person_name: "李四",
            user_id: None,
            unit_name: None,
            start_date: "2026-02-30",
            end_date: None,
        };
        assert!(matches!(
            app.add_post(&me, &c, post.clone(), &actor).await,
            Err(AppError::Invalid(_))
        ));
        let foreign = PostInput {
            node_id: Some(999_999),
            start_date: "2026-01-01",
            ..post
        };
        assert!(matches!(
            app.add_post(&me, &c, foreign, &actor).await,
            Err(AppError::Invalid(_))
        ));
    }
);

db_test!(a_gcj02_point_finds_its_grid, |db: Db| async move {
    let app = seeded(db).await;
    let (cell, (lng, lat)) = building_site(2);
    let gcj = wgs84_to_gcj02(LngLat { lng, lat });
    assert!(
        gcj.lng - lng > 0.004,
        "GCJ-02 is shifted by hundreds of metres"
    );
    let at = Location {
        lng: gcj.lng,
        lat: gcj.lat,
        sys: CoordSys::Gcj02,
    };
    let g = app.locate(at).await.unwrap().expect("inside a grid");
    assert_eq!(g.code.as_str(), format!("{COMMUNITY}{:03}", cell + 1));
    // the raw GCJ-02 numbers, read as WGS-84, miss the community
    assert!(app.locate(wgs(gcj.lng, gcj.lat)).await.unwrap().is_none());
    // a new grid is found at once (the index is rebuilt)
    let me = secretary();
    let c = code(COMMUNITY);
    let far = rect(125.40, 43.95, 125.41, 43.96);
    app.create_grid(
        &me,
        GridParent::Community(&c),
        "飞地网格",
        Some(&far),
        &Actor::cli(),
    )
    .await
    .unwrap();
    let g = app.locate(wgs(125.405, 43.955)).await.unwrap().unwrap();
    assert_eq!(g.name, "飞地网格");
});

fn text(s: &str) -> linli_app::infra::xlsx::Cell {
    linli_app::infra::xlsx::Cell::Text(s.to_owned())
}

db_test!(
    places_import_from_xlsx_keeps_good_rows_and_is_idempotent,
    |db: Db| async move {
        use linli_app::infra::xlsx::{Cell, SheetOut, read_first_sheet, write_book};
        let app = seeded(db).await;
        let c = code(COMMUNITY);
        let me = secretary();
        let actor = Actor::cli();
        let (cell, (lng, lat)) = building_site(2);
        // columns in another order, with the synonyms communities use
        let headers = [
            "门牌号",
            "单元",
            "楼号",
            "小区",
            "所在楼层",
            "面积",
            "经度",
            "纬度",
        ];
        let row = |room: &str, unit: &str, b: &str, estate: &str, floor: &str, area: &str| {
            vec![
                text(room),
                text(unit),
                text(b),
                text(estate),
                text(floor),
                text(area),
                Cell::Empty,
                Cell::Empty,
            ]
        };
        let mut rows = vec![{
            let mut r = row("101", "1", "1", "东苑", "1", "60");
            r[6] = Cell::Number(lng + 0.0001);
            r[7] = Cell::Number(lat);
            r
        }];
        for room in ["102", "201", "202", "301", "302"] {
            rows.push(row(room, "1", "1", "东苑", &room[..1], "60"));
        }
        rows.push(row("101", "1单元", "1号楼", "长山花园小区", "1", "68.5")); // as stored: unchanged
        rows.push(row("102", "1单元", "1号楼", "长山花园小区", "1", "90")); // area corrected
        let bad = [
            row("401", "1", "1", "东苑", "四", "60"),
            row("102", "1", "1", "东苑", "1", "60"), // duplicate of row 3
            row("4 02", "1", "1", "东苑", "4", "60"),
            row("403", "1", "1", "", "4", "60"),
        ];
        rows.extend(bad);
        let file = write_book(&[SheetOut {
            name: "房屋",
            headers: &headers,
            rows: &rows,
        }])
        .unwrap();

        let r = app.import_places(&me, &c, &file, &actor).await.unwrap();
        assert_eq!(
            (r.rows, r.estates, r.buildings, r.units, r.dwellings),
            (12, 1, 1, 1, 6)
        );
        assert_eq!((r.updated, r.unchanged), (1, 1));
        let reasons: Vec<(usize, &str)> = r
            .rejected
            .iter()
            .map(|x| (x.row, x.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(reasons[0].1.contains("楼层") && reasons[0].0 == 10);
        assert!(reasons[1].1.contains("与第 3 行重复"));
        assert!(reasons[2].1.contains("房号"));
        assert!(reasons[3].1.contains("小区"));
        // the rejected rows go back as a file with the reason
        let back = linli_app::territory::xlsx::rejected_xlsx(&r).unwrap();
        let (sheet, _) = read_first_sheet(&back).unwrap();
        assert_eq!(sheet.headers.last().unwrap(), "错误原因");
        assert_eq!(sheet.rows.len(), 4);

        // the new building landed in the grid holding its point
        let view = app.community(&me, &c).await.unwrap();
        let dongyuan = view.buildings.iter().find(|b| b.estate == "东苑").unwrap();
        assert_eq!(
            dongyuan.scope.as_str(),
            format!("{COMMUNITY}{:03}", cell + 1)
        );
        assert_eq!(dongyuan.dwellings, 6);

        // the same file again changes nothing
        let again = app.import_places(&me, &c, &file, &actor).await.unwrap();
        assert_eq!(
            (
                again.estates,
                again.buildings,
                again.units,
                again.dwellings,
                again.updated
            ),
            (0, 0, 0, 0, 0)
        );
        assert_eq!(again.unchanged, 8);

        // export: what the caller sees, readable by the importer
        let out = app.export_places(&me, &c).await.unwrap();
        let (sheet, _) = read_first_sheet(&out).unwrap();
        assert_eq!(sheet.rows.len(), 3105 + 6);
        let worker = who(Role::GridWorker, "220103008003001");
        let (mine, _) = read_first_sheet(&app.export_places(&worker, &c).await.unwrap()).unwrap();
        assert_eq!(mine.rows.len(), 276);
        assert!(matches!(
            app.import_places(&worker, &c, &file, &actor).await,
            Err(AppError::Forbidden)
        ));

        // the template imports cleanly; broken files are refused whole
        let template = linli_app::territory::xlsx::places_template().unwrap();
        let t = app.import_places(&me, &c, &template, &actor).await.unwrap();
        assert!(t.rejected.is_empty());
        let r = app
            .import_places(&me, &c, b"PK\x03\x04 not really a zip", &actor)
            .await;
        assert!(matches!(r, Err(AppError::Invalid(m)) if m.contains("不是有效的 Excel")));
        let no_cols = write_book(&[SheetOut {
            name: "x",
            headers: &["姓名"],
            rows: &[vec![text("张三")]],
        }])
        .unwrap();
        let r = app.import_places(&me, &c, &no_cols, &actor).await;
        assert!(matches!(r, Err(AppError::Invalid(m)) if m.contains("缺少必需的列")));
    }
);

db_test!(
    places_are_deleted_from_the_inside_out,
    |db: Db| async move {
        use linli_app::territory::places::PlaceRef;
        let app = seeded(db).await;
        let c = code(COMMUNITY);
        let me = secretary();
        let actor = Actor::cli();
        let view = app.community(&me, &c).await.unwrap();
        let b = view.buildings.iter().find(|b| b.name == "1号楼").unwrap();
        let (_, units) = app.building(&me, b.id).await.unwrap();
        let dwellings = app.dwellings(&me, b.id, 0, 500).await.unwrap();
        let refused = |r: Result<(), AppError>, needle: &str| {
            assert!(
                matches!(&r, Err(AppError::Invalid(m)) if m.contains(needle)),
                "{needle}: {r:?}"
            );
        };
        refused(
            app.delete_place(&me, PlaceRef::Building(b.id), &actor)
                .await,
            "还有 4 个单元",
        );
        refused(
            app.delete_place(&me, PlaceRef::Unit(units[0].id), &actor)
                .await,
            "还有住户",
        );
        // the seed's first household of the building's group lives in its first dwelling
        refused(
            app.delete_place(&me, PlaceRef::Dwelling(dwellings[0].id), &actor)
                .await,
            "党员家庭户",
        );
        let other_worker = who(Role::GridWorker, "220103008003002");
        let r = app
            .delete_place(&other_worker, PlaceRef::Dwelling(dwellings[1].id), &actor)
            .await;
        assert!(matches!(r, Err(AppError::Forbidden)));
        app.delete_place(&me, PlaceRef::Dwelling(dwellings[1].id), &actor)
            .await
            .unwrap();
        assert_eq!(app.building(&me, b.id).await.unwrap().0.dwellings, 275);

        let renamed = app
            .rename_building(&me, b.id, "一号楼", &actor)
            .await
            .unwrap();
        assert_eq!(renamed.name, "一号楼");
        let r = app.rename_building(&me, b.id, "2号楼", &actor).await;
        assert!(matches!(r, Err(AppError::Conflict(_))), "{r:?}");
        let empty = BuildingInput {
            estate_id: view.estates[0].id,
            name: "临建",
            at: None,
            floors: None,
        };
        let e = app.add_building(&me, &c, empty, &actor).await.unwrap();
        app.delete_place(&me, PlaceRef::Building(e.id), &actor)
            .await
            .unwrap();
        assert!(matches!(
            app.building(&me, e.id).await,
            Err(AppError::NotFound)
        ));
    }
);
