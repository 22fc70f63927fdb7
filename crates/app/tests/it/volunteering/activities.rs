//! Activities on both databases: sign-up to capacity then the waiting
//! list (moving up when someone leaves); check-in by the organiser's
//! rotating code — a code of another activity, of the other mark, an
//! expired one or a forged one refused; check-out before check-in
//! refused; the check-out credits the time within the activity, capped,
//! and its points once; a walk-in counts as 人次.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::orders::{demo, residents};
use crate::common::{resident_user, who_as as who};
use linli_app::demo::COMMUNITY;
use linli_app::volunteering::{ActivityInput, JoinInput, check_token};
use linli_app::{Actor, AppError};
use linli_domain::access::Role;
use linli_domain::time::beijing_minute;
use linli_domain::volunteering::checkin::{Mark, window};
use linli_store::volunteering::activities as store;
use linli_store::{Db, db_test};

fn query(path: &str) -> (String, String) {
    let q = path.split_once('?').unwrap().1;
    let get = |k: &str| {
        q.split('&')
            .find_map(|p| p.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_owned()
    };
    (get("w"), get("t"))
}

db_test!(check_in_by_the_organisers_code, |db: Db| async move {
    let app = demo(&db).await;
    let a = Actor::cli();
    let sec = who(Role::CommunitySecretary, COMMUNITY, 999_001);
    let people = residents(&db).await;
    let mut members = Vec::new();
    for (i, k) in [30usize, 31, 32].into_iter().enumerate() {
        let m = who(
            Role::Resident,
            COMMUNITY,
            resident_user(&app, &format!("zy{i}"), people[k], &sec).await,
        );
        app.join_volunteers(
            &m,
            &JoinInput {
                skills: "扫雪".into(),
                employer_org: None,
            },
            &a,
        )
        .await
        .unwrap();
        members.push(m);
    }
    let outsider = who(
        Role::Resident,
        COMMUNITY,
        resident_user(&app, "zy9", people[33], &sec).await,
    );
    let now = linli_app::now();
    let input = ActivityInput {
        title: "清扫积雪".into(),
        place: "1号楼前".into(),
        starts: beijing_minute(now.plus_secs(-600)),
        ends: beijing_minute(now.plus_secs(3 * 3600)),
        capacity: 2,
        points: 10,
        repeat: 1,
    };
    assert!(matches!(
        app.create_activity(&members[0], COMMUNITY, &input, &a)
            .await,
        Err(AppError::Forbidden)
    ));
    let bad = ActivityInput {
        ends: input.starts.clone(),
        ..input.clone()
    };
    assert!(
        app.create_activity(&sec, COMMUNITY, &bad, &a)
            .await
            .is_err()
    );
    let (id, _) = app
        .create_activity(&sec, COMMUNITY, &input, &a)
        .await
        .unwrap();
    let (other, _) = app
        .create_activity(&sec, COMMUNITY, &input, &a)
        .await
        .unwrap();
    // 每月15日 three times: three activities a month apart, at nine
    let monthly = ActivityInput {
        title: "党员学习日".into(),
        starts: "2027-03-15 09:00".into(),
        ends: "2027-03-15 11:00".into(),
        repeat: 3,
        ..input.clone()
    };
    assert_eq!(
        app.create_activity(&sec, COMMUNITY, &monthly, &a)
            .await
            .unwrap()
            .1,
        3
    );
    let when: Vec<String> = app
        .activities(&sec)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.title == "党员学习日" && c.when.starts_with("2027"))
        .map(|c| c.when)
        .collect();
    assert_eq!(
        when,
        [
            "2027-03-15 09:00 至 11:00",
            "2027-04-15 09:00 至 11:00",
            "2027-05-15 09:00 至 11:00"
        ]
    );
    let too_many = ActivityInput {
        repeat: 13,
        ..monthly.clone()
    };
    assert!(
        app.create_activity(&sec, COMMUNITY, &too_many, &a)
            .await
            .is_err()
    );

    // two places, then the waiting list; one leaves, the first waiting moves up
    assert_eq!(
        app.sign_up(&members[0], id, false, &a).await.unwrap(),
        "报名成功"
    );
    assert!(
        app.sign_up(&members[0], id, false, &a).await.is_err(),
        "once"
    );
    app.sign_up(&members[1], id, false, &a).await.unwrap();
    assert_eq!(
        app.sign_up(&members[2], id, false, &a).await.unwrap(),
        "名额已满,已排入候补"
    );
    assert!(
        app.sign_up(&outsider, id, false, &a).await.is_err(),
        "not a volunteer"
    );
    app.sign_up(&members[1], id, true, &a).await.unwrap();
    assert_eq!(
        app.activity_page(&members[2], id)
            .await
            .unwrap()
            .mine
            .as_deref(),
        Some("已报名")
    );

    // only the organiser's community shows codes
    assert!(matches!(
        app.check_code(&members[0], id, Mark::In, false).await,
        Err(AppError::NotFound)
    ));
    let code = app.check_code(&sec, id, Mark::In, false).await.unwrap();
    let (w, t) = query(&code.path);
    let m = &members[0];
    // a code of another activity, the other mark, forged, expired
    let (ow, ot) = query(
        &app.check_code(&sec, other, Mark::In, false)
            .await
            .unwrap()
            .path,
    );
    assert!(
        app.scan_code(m, id, Mark::In, &ow, &ot, &a)
            .await
            .unwrap_err()
            .to_string()
            .contains("无效")
    );
    assert!(app.scan_code(m, id, Mark::Out, &w, &t, &a).await.is_err());
    assert!(
        app.scan_code(m, id, Mark::In, &w, "00000000000000000000", &a)
            .await
            .is_err()
    );
    assert!(app.scan_code(m, id, Mark::In, "x", &t, &a).await.is_err());
    let secret = store::by_id(&mut db.conn().await.unwrap(), id)
        .await
        .unwrap()
        .unwrap()
        .secret;
    let old = window(now) - 3;
    let stale = check_token(&secret, id, Mark::In, Some(old)).unwrap();
    let e = app
        .scan_code(m, id, Mark::In, &old.to_string(), &stale, &a)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("过期"), "{e}");
    // check-out before check-in
    let (ow, ot) = query(
        &app.check_code(&sec, id, Mark::Out, false)
            .await
            .unwrap()
            .path,
    );
    assert!(
        app.scan_code(m, id, Mark::Out, &ow, &ot, &a)
            .await
            .unwrap_err()
            .to_string()
            .contains("还没有签到")
    );
    // in, once
    assert!(
        app.scan_code(m, id, Mark::In, &w, &t, &a)
            .await
            .unwrap()
            .contains("签到成功")
    );
    assert!(app.scan_code(m, id, Mark::In, &w, &t, &a).await.is_err());
    // the printed code checks in only those signed up; the one who left
    // their place scans the organiser's phone at the door instead
    let (pw, pt) = query(&app.check_code(&sec, id, Mark::In, true).await.unwrap().path);
    assert_eq!(pw, "p");
    let e = app
        .scan_code(&members[1], id, Mark::In, &pw, &pt, &a)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("报名"), "{e}");
    app.scan_code(&members[1], id, Mark::In, &w, &t, &a)
        .await
        .unwrap();
    app.scan_code(&members[2], id, Mark::In, &pw, &pt, &a)
        .await
        .unwrap();

    // time passes: they came three hours ago (before the start); out credits the cap
    let mut conn = db.conn().await.unwrap();
    sqlx::query("UPDATE activity_people SET in_at = in_at - 10800000 WHERE activity_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let said = app.scan_code(m, id, Mark::Out, &ow, &ot, &a).await.unwrap();
    assert!(said.contains("10分钟") && said.contains("+10"), "{said}");
    assert!(
        app.scan_code(m, id, Mark::Out, &ow, &ot, &a).await.is_err(),
        "out once"
    );
    let b = app.my_balances(m).await.unwrap().unwrap();
    assert_eq!(
        (b.minutes, b.points),
        (10, 10),
        "from the start, not from when they came"
    );
    app.add_walk_in(&sec, id, "李大爷", &a).await.unwrap();
    assert!(matches!(
        app.add_walk_in(m, id, "张三", &a).await,
        Err(AppError::NotFound)
    ));
    let page = app.activity_page(&sec, id).await.unwrap();
    assert_eq!(page.card.came, 4, "three members and a walk-in");
    assert!(page.people.iter().any(|p| p.walk_in && p.name == "李大爷"));
    assert!(
        app.activity_page(m, id).await.unwrap().people.is_empty(),
        "staff only"
    );
    let h = app.ledger_health().await.unwrap();
    assert!(
        h.total == 0 && h.unbalanced.is_empty() && h.drifted.is_empty() && h.rollups_off.is_empty()
    );

    // the check finds books that were altered behind its back
    let mut conn = db.conn().await.unwrap();
    // (entries and transfers cannot be altered at all: append-only)
    for sql in [
        "DELETE FROM ledger_entries WHERE id = (SELECT MAX(id) FROM ledger_entries)",
        "UPDATE ledger_entries SET amount = amount + 1 WHERE id = (SELECT MAX(id) FROM ledger_entries)",
        "UPDATE ledger_transfers SET amount = 1 WHERE id = (SELECT MAX(id) FROM ledger_transfers)",
    ] {
        assert!(sqlx::query(sql).execute(&mut *conn).await.is_err(), "{sql}");
    }
    for sql in [
        "UPDATE ledger_accounts SET balance = balance + 1 WHERE id = (SELECT MAX(id) FROM ledger_accounts)",
        "UPDATE ledger_daily SET amount = amount + 5 WHERE day = (SELECT MIN(day) FROM ledger_daily)",
    ] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    drop(conn);
    let h = app.ledger_health().await.unwrap();
    assert!(
        h.total == 0 && h.unbalanced.is_empty() && !h.drifted.is_empty(),
        "{h:?}"
    );
    assert!(!h.rollups_off.is_empty(), "{h:?}");
    let report = app.check().await.unwrap();
    assert!(!report.ok());
    let ledger = &report
        .checks
        .iter()
        .find(|(n, _)| *n == "points ledger")
        .unwrap()
        .1;
    assert!(ledger.iter().any(|p| p.contains("daily")), "{ledger:?}");
});
