//! The resident registry on both databases: a 3,000-row import with 20
//! planted bad rows gives back exactly those 20 with reasons; re-import
//! duplicates nobody; search, reveal (audited), key rotation, and the
//! access matrix including a resident who moves to another grid.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::who;

use linli_app::accounts::auth::Principal;
use linli_app::demo::COMMUNITY;
use linli_app::infra::crypto::{CipherKind, Keyring};
use linli_app::registry::{ResidentQuery, RevealField};
use linli_app::{Actor, App, AppConfig, AppError};
use linli_domain::access::{RegionCode, Role};
use linli_domain::registry::with_check_char;
use linli_store::registry::dwelling_keys;
use linli_store::{Db, db_test, testing};
use std::collections::BTreeMap;
use std::sync::Arc;

pub(super) fn code(s: &str) -> RegionCode {
    s.parse().unwrap()
}

pub(super) fn secretary() -> Principal {
    who(Role::CommunitySecretary, COMMUNITY)
}

pub(super) fn grid(n: usize) -> String {
    format!("{COMMUNITY}{n:03}")
}

pub(super) async fn seeded(db: Db, ring: Keyring) -> App {
    let app = App::new(db, AppConfig::default()).with_crypto(Arc::new(ring));
    app.seed_demo_community()
        .await
        .unwrap()
        .expect("first seed");
    app
}

pub(super) fn ring() -> Keyring {
    Keyring::generate(CipherKind::Sm4Gcm).unwrap()
}

/// A valid ID number for person `i` (born 1930–1999).
pub(super) fn id_of(i: usize) -> String {
    let y = 1930 + i % 70;
    let m = 1 + i % 12;
    let d = 1 + i % 28;
    with_check_char(&format!("220103{y:04}{m:02}{d:02}{:03}", i % 1000)).unwrap()
}

pub(super) fn xlsx(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// Columns in another order than the template, with synonyms.
pub(super) const HEADERS: [&str; 9] = [
    "房号",
    "身份证号",
    "姓名",
    "小区",
    "楼栋",
    "单元",
    "手机号",
    "标签",
    "居住类型",
];

/// The dwellings of the demo as (estate, building, unit, room), sorted.
pub(super) async fn addresses(app: &App) -> Vec<(String, String, String, String)> {
    let mut conn = app.db().conn().await.unwrap();
    let mut keys: Vec<_> = dwelling_keys(&mut conn, &code(COMMUNITY))
        .await
        .unwrap()
        .into_keys()
        .collect();
    keys.sort();
    keys
}

pub(super) fn person_row(i: usize, addr: &(String, String, String, String)) -> Vec<String> {
    vec![
        addr.3.clone(),
        id_of(i),
        format!("居民{i}"),
        addr.0.clone(),
        addr.1.clone(),
        addr.2.clone(),
        format!("139{:08}", i),
        if i.is_multiple_of(50) {
            "独居老人".into()
        } else {
            String::new()
        },
        "户籍".into(),
    ]
}

/// Imports `n` residents spread over the buildings; returns their ids by building name.
async fn some_residents(app: &App) -> BTreeMap<String, Vec<i64>> {
    let addrs = addresses(app).await;
    let rows: Vec<Vec<String>> = (0..addrs.len())
        .step_by(15)
        .map(|i| person_row(i, &addrs[i]))
        .collect();
    let r = app
        .import_residents(
            &secretary(),
            &code(COMMUNITY),
            xlsx(&HEADERS, &rows),
            &Actor::cli(),
        )
        .await
        .unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    let mut by_building: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut q = ResidentQuery {
        limit: Some(500),
        ..Default::default()
    };
    loop {
        let page = app
            .list_residents(&secretary(), &q, &Actor::cli())
            .await
            .unwrap();
        for v in &page.rows {
            let b = v.address.split(' ').nth(1).unwrap().to_owned();
            by_building.entry(b).or_default().push(v.id);
        }
        match page.next_after {
            Some(a) => q.after = Some(a),
            None => break,
        }
    }
    by_building
}

db_test!(
    the_access_matrix_holds_for_residents_and_follows_a_move,
    |db: Db| async move {
        let app = seeded(db, ring()).await;
        let ids = some_residents(&app).await;
        let a = Actor::cli();
        let in_grid1 = ids["1号楼"][0];
        let in_grid2 = ids["2号楼"][0];
        let worker1 = who(Role::GridWorker, &grid(1));
        let worker2 = who(Role::GridWorker, &grid(2));
        let street = who(Role::StreetAdmin, "220103008");
        let other_street = who(Role::StreetAdmin, "220103009");
        let other_community = who(Role::CommunitySecretary, "220103008004");
        let staff = who(Role::CommunityStaff, COMMUNITY);
        let sysadmin = who(Role::SystemAdmin, "000000000000");
        let auditor = who(Role::Auditor, "000000000000");
        let total: i64 = ids.values().map(|v| v.len() as i64).sum();
        let count = |p: Principal| {
            let app = app.clone();
            async move {
                app.list_residents(&p, &ResidentQuery::default(), &Actor::cli())
                    .await
                    .map(|x| x.total)
            }
        };
        assert_eq!(count(secretary()).await.unwrap(), total);
        assert_eq!(count(street.clone()).await.unwrap(), total);
        assert_eq!(
            count(worker1.clone()).await.unwrap(),
            ids["1号楼"].len() as i64
        );
        assert_eq!(count(other_street.clone()).await.unwrap(), 0);
        assert_eq!(count(other_community.clone()).await.unwrap(), 0);
        for p in [
            sysadmin.clone(),
            auditor.clone(),
            who(Role::Resident, COMMUNITY),
        ] {
            assert!(matches!(count(p).await, Err(AppError::Forbidden)));
        }
        // object by object: (caller, resident, may view, may reveal)
        let cases = [
            (&worker1, in_grid1, true, true),
            (&worker1, in_grid2, false, false),
            (&worker2, in_grid2, true, true),
            (&staff, in_grid1, true, true),
            (&street, in_grid1, true, false),
            (&other_community, in_grid1, false, false),
            (&sysadmin, in_grid1, false, false),
            (&auditor, in_grid1, false, false),
        ];
        for (p, id, view, reveal) in cases {
            let got = app.resident(p, id).await;
            assert_eq!(got.is_ok(), view, "{} view {id}: {got:?}", p.username);
            let r = app
                .reveal(p, id, RevealField::Phone, "入户走访核实", &a)
                .await;
            assert_eq!(r.is_ok(), reveal, "{} reveal {id}: {r:?}", p.username);
            if !view {
                assert!(matches!(got, Err(AppError::NotFound)));
            }
        }
        // street sees names masked; the grid worker sees them whole
        assert!(
            app.resident(&street, in_grid1)
                .await
                .unwrap()
                .name
                .ends_with('*')
        );
        assert!(
            !app.resident(&worker1, in_grid1)
                .await
                .unwrap()
                .name
                .contains('*')
        );
        // the masked export needs the bulk permission; unmasked the secretary's
        let c = code(COMMUNITY);
        assert!(matches!(
            app.export_residents(&worker1, &c, false, &a).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            app.export_residents(&staff, &c, true, &a).await,
            Err(AppError::Forbidden)
        ));
        assert!(app.export_residents(&staff, &c, false, &a).await.is_ok());

        // the resident of grid 1 moves into building 2 (grid 2)
        let target = {
            let mut conn = app.db().conn().await.unwrap();
            let keys = dwelling_keys(&mut conn, &c).await.unwrap();
            keys.iter()
                .find(|(k, _)| k.1 == "2号楼")
                .map(|(_, v)| v.0)
                .unwrap()
        };
        // worker1 cannot move someone into a grid they do not hold
        assert!(matches!(
            app.move_resident(&worker1, in_grid1, target, &a).await,
            Err(AppError::Forbidden)
        ));
        app.move_resident(&secretary(), in_grid1, target, &a)
            .await
            .unwrap();
        assert!(matches!(
            app.resident(&worker1, in_grid1).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.reveal(&worker1, in_grid1, RevealField::Phone, "入户走访核实", &a)
                .await,
            Err(AppError::NotFound)
        ));
        assert!(app.resident(&worker2, in_grid1).await.is_ok());
        assert_eq!(count(worker1).await.unwrap(), ids["1号楼"].len() as i64 - 1);
    }
);

db_test!(
    personal_fields_are_sealed_revealed_with_a_reason_and_rotated,
    |db: Db| async move {
        let k1 = [3u8; 32];
        let app = seeded(
            db.clone(),
            Keyring::new(vec![("k1".into(), k1)], CipherKind::Sm4Gcm).unwrap(),
        )
        .await;
        let addrs = addresses(&app).await;
        let planted_id = id_of(777);
        let planted_phone = "13900000777";
        let row = person_row(777, &addrs[0]);
        assert_eq!(
            (row[1].as_str(), row[6].as_str()),
            (planted_id.as_str(), planted_phone)
        );
        let sec = secretary();
        let a = Actor {
            id: Some(9),
            name: "shuji".into(),
            source: "10.0.0.9".into(),
        };
        app.import_residents(&sec, &code(COMMUNITY), xlsx(&HEADERS, &[row]), &a)
            .await
            .unwrap();
        let id = app
            .list_residents(&sec, &ResidentQuery::default(), &Actor::cli())
            .await
            .unwrap()
            .rows[0]
            .id;
        app.set_health_note(&sec, id, Some("高血压,需定期随访"), &a)
            .await
            .unwrap();

        // nothing in the table in clear: not the ID, not its digits' middle, not the phone, not the note
        let text = testing::table_text(&db, "residents").await;
        for planted in [
            planted_id.as_str(),
            &planted_id[6..14],
            planted_phone,
            "高血压",
        ] {
            assert!(!text.contains(planted), "{planted} stored in clear");
        }
        assert!(
            text.contains("139****0777"),
            "the masked phone is kept for display"
        );

        // masked by default; found by exact ID, exact phone and the last four digits
        let v = app.resident(&sec, id).await.unwrap();
        assert_eq!(
            v.doc_masked,
            format!("{}********{}", &planted_id[..6], &planted_id[14..])
        );
        assert_eq!(v.phone_masked.as_deref(), Some("139****0777"));
        for q in [planted_id.as_str(), planted_phone, "0777", "居民777"] {
            let page = app
                .list_residents(
                    &sec,
                    &ResidentQuery {
                        q: Some(q.into()),
                        ..Default::default()
                    },
                    &Actor::cli(),
                )
                .await
                .unwrap();
            assert_eq!(page.total, 1, "search {q}");
        }

        // a reveal needs a reason and is audited with it
        assert!(matches!(
            app.reveal(&sec, id, RevealField::IdNumber, " ", &a).await,
            Err(AppError::Invalid(_))
        ));
        let clear = app
            .reveal(&sec, id, RevealField::IdNumber, "办理高龄补贴", &a)
            .await
            .unwrap();
        assert_eq!(clear.as_deref(), Some(planted_id.as_str()));
        let health = app
            .reveal(&sec, id, RevealField::Health, "家庭医生签约", &a)
            .await
            .unwrap();
        assert_eq!(health.as_deref(), Some("高血压,需定期随访"));
        let auditor = who(Role::Auditor, "000000000000");
        let log = app
            .audit_log_page(&auditor, None, 50, "test")
            .await
            .unwrap();
        let reveals: Vec<_> = log
            .iter()
            .filter(|r| r.event.action == "resident.reveal")
            .collect();
        assert_eq!(reveals.len(), 2);
        assert!(
            reveals
                .iter()
                .any(|r| r.event.detail.contains("办理高龄补贴") && r.event.actor_name == "shuji")
        );
        assert!(
            reveals
                .iter()
                .all(|r| !r.event.detail.contains(&planted_id))
        );

        // rotation: a second key seals; the first can then be dropped
        let k2 = [4u8; 32];
        let both = App::new(db.clone(), AppConfig::default()).with_crypto(Arc::new(
            Keyring::new(
                vec![("k1".into(), k1), ("k2".into(), k2)],
                CipherKind::Aes256Gcm,
            )
            .unwrap(),
        ));
        // before rotating, search still finds the old index
        let q = ResidentQuery {
            q: Some(planted_id.clone()),
            ..Default::default()
        };
        assert_eq!(
            both.list_residents(&sec, &q, &Actor::cli())
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(both.rotate_keys(&a).await.unwrap(), 1);
        assert_eq!(both.rotate_keys(&a).await.unwrap(), 0);
        let only_k2 = App::new(db, AppConfig::default()).with_crypto(Arc::new(
            Keyring::new(vec![("k2".into(), k2)], CipherKind::Aes256Gcm).unwrap(),
        ));
        assert_eq!(
            only_k2
                .list_residents(&sec, &q, &Actor::cli())
                .await
                .unwrap()
                .total,
            1
        );
        let again = only_k2
            .reveal(&sec, id, RevealField::Phone, "核实联系方式", &a)
            .await
            .unwrap();
        assert_eq!(again.as_deref(), Some(planted_phone));
        assert!(
            app.reveal(&sec, id, RevealField::Phone, "旧密钥", &a)
                .await
                .is_err()
        );
    }
);

db_test!(search_filters_by_tag_age_and_address, |db: Db| async move {
    let app = seeded(db, ring()).await;
    let ids = some_residents(&app).await;
    let sec = secretary();
    let total: i64 = ids.values().map(|v| v.len() as i64).sum();
    let q = |f: fn(&mut ResidentQuery)| {
        let mut q = ResidentQuery::default();
        f(&mut q);
        q
    };
    let tagged = app
        .list_residents(&sec, &q(|q| q.tag = Some("独居老人".into())), &Actor::cli())
        .await
        .unwrap();
    assert!(tagged.total > 0 && tagged.total < total);
    assert!(
        tagged
            .rows
            .iter()
            .all(|r| r.tags.iter().any(|t| t.name == "独居老人"))
    );
    let unknown = app
        .list_residents(&sec, &q(|q| q.tag = Some("不存在".into())), &Actor::cli())
        .await
        .unwrap();
    assert_eq!(unknown.total, 0);
    let old = app
        .list_residents(&sec, &q(|q| q.age_min = Some(80)), &Actor::cli())
        .await
        .unwrap();
    assert!(old.total > 0 && old.rows.iter().all(|r| r.age >= 80));
    let mid = app
        .list_residents(
            &sec,
            &q(|q| {
                q.age_min = Some(40);
                q.age_max = Some(60)
            }),
            &Actor::cli(),
        )
        .await
        .unwrap();
    assert!(mid.total > 0 && mid.rows.iter().all(|r| (40..=60).contains(&r.age)));
    let b3 = app
        .list_residents(
            &sec,
            &q(|q| q.address = Some("3号楼".into())),
            &Actor::cli(),
        )
        .await
        .unwrap();
    assert_eq!(b3.total, ids["3号楼"].len() as i64);
    // keyset pages cover everyone exactly once
    let mut seen = Vec::new();
    let mut page_q = ResidentQuery {
        limit: Some(37),
        ..Default::default()
    };
    loop {
        let p = app
            .list_residents(&sec, &page_q, &Actor::cli())
            .await
            .unwrap();
        seen.extend(p.rows.iter().map(|r| r.id));
        match p.next_after {
            Some(a) => page_q.after = Some(a),
            None => break,
        }
    }
    let n = seen.len();
    // keyset pages come in id order, but the check must not rely on it
    seen.sort_unstable();
    seen.dedup();
    assert_eq!((n, seen.len() as i64), (total as usize, total));
});

db_test!(
    the_demo_has_7000_residents_mostly_elderly,
    |db: Db| async move {
        let app = seeded(db, ring()).await;
        let n = app
            .seed_demo_residents()
            .await
            .unwrap()
            .expect("first seed");
        assert_eq!(n, 7000);
        assert!(app.seed_demo_residents().await.unwrap().is_none());
        let sec = secretary();
        let all = app
            .list_residents(&sec, &ResidentQuery::default(), &Actor::cli())
            .await
            .unwrap()
            .total;
        assert_eq!(all, 7000);
        let old = app
            .list_residents(
                &sec,
                &ResidentQuery {
                    age_min: Some(60),
                    ..Default::default()
                },
                &Actor::cli(),
            )
            .await
            .unwrap()
            .total;
        let share = old as f64 / all as f64;
        assert!((0.55..0.70).contains(&share), "elderly share {share}");
        let alone_in_5 = app
            .list_residents(
                &sec,
                &ResidentQuery {
                    tag: Some("独居老人".into()),
                    address: Some("5号楼".into()),
                    ..Default::default()
                },
                &Actor::cli(),
            )
            .await
            .unwrap()
            .total;
        assert_eq!(alone_in_5, 7);
    }
);

db_test!(
    tags_are_configurable_and_carry_a_carer,
    |db: Db| async move {
        let app = seeded(db, ring()).await;
        let ids = some_residents(&app).await;
        let a = Actor::cli();
        let sec = secretary();
        let worker = who(Role::GridWorker, &grid(1));
        // only community staff and the secretary extend the list, with checks
        assert!(matches!(
            app.add_care_tag(&worker, "失独家庭", "red", Some(7), &a)
                .await,
            Err(AppError::Forbidden)
        ));
        for (name, color, days) in [
            ("", "red", None),
            ("失独、家庭", "red", None),
            ("失独家庭", "pink", None),
            ("失独家庭", "red", Some(0)),
        ] {
            assert!(
                matches!(
                    app.add_care_tag(&sec, name, color, days, &a).await,
                    Err(AppError::Invalid(_))
                ),
                "{name}"
            );
        }
        let id = app
            .add_care_tag(&sec, "失独家庭", "red", Some(7), &a)
            .await
            .unwrap();
        assert_eq!(
            app.add_care_tag(&sec, "失独家庭", "red", Some(7), &a)
                .await
                .unwrap(),
            id,
            "adding twice is one tag"
        );
        assert!(
            app.care_tags()
                .await
                .unwrap()
                .iter()
                .any(|t| t.name == "失独家庭")
        );
        // the grid worker tags a person of their grid and names the carer
        let person = ids["1号楼"][0];
        app.set_resident_tags(&worker, person, &["失独家庭".into()], &a)
            .await
            .unwrap();
        assert!(matches!(
            app.set_carer(&worker, person, "低保", Some("张楼长"), None, &a)
                .await,
            Err(AppError::Invalid(_))
        ));
        app.set_carer(&worker, person, "失独家庭", Some("张楼长"), Some(3), &a)
            .await
            .unwrap();
        let v = app.resident(&sec, person).await.unwrap();
        let t = v.tags.iter().find(|t| t.name == "失独家庭").unwrap();
        assert_eq!(
            (t.carer.as_deref(), t.visit_days),
            (Some("张楼长"), Some(3))
        );
        // not in another grid
        let other = ids["2号楼"][0];
        assert!(matches!(
            app.set_carer(&worker, other, "失独家庭", None, None, &a)
                .await,
            Err(AppError::NotFound)
        ));
    }
);
