//! The request loop on both databases: a resident's 随手拍 with a GCJ-02
//! location lands in its grid, goes round accept → dispatch → handle →
//! rework → verify → close → rating, and the dashboard's roll-ups move
//! with every step; the arithmetic of a hand-counted batch; who may do
//! what; bad input and the community's intake queue.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::cases::{gcj, report, world};
use linli_app::accounts::auth::Principal;
use linli_app::cases::{NewCase, StepInput};
use linli_app::demo::COMMUNITY;
use linli_app::territory::places::Location;
use linli_app::{Actor, AppError};
use linli_domain::access::RegionCode;
use linli_domain::cases::{CaseState, Channel, Rating, Step};
use linli_domain::geo::CoordSys;
use linli_store::cases::CaseFilter;
use linli_store::{Db, db_test, testing};

fn note(s: &str) -> StepInput {
    StepInput {
        note: s.into(),
        ..StepInput::default()
    }
}

fn today() -> time::Date {
    linli_app::today()
}

db_test!(
    a_case_goes_round_the_loop_and_the_dashboard_counts_it,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let a = Actor::cli();
        let app = &w.app;
        let (c, created) = app
            .submit_case(
                Some(&w.resident),
                &report(Some(gcj(w.spot)), Some("k-1")),
                &a,
            )
            .await
            .unwrap();
        assert!(created);
        assert_eq!(c.scope, format!("{COMMUNITY}001"), "landed in grid 1");
        assert_eq!(c.number.len(), 13);
        assert!(c.number.starts_with(&today().year().to_string()));
        assert_eq!(c.contact_masked.as_deref(), Some("138****5678"));
        assert!(!c.contact_sealed.as_deref().unwrap().contains("13812345678"));
        // the same Idempotency-Key never creates a second case
        let (again, created) = app
            .submit_case(
                Some(&w.resident),
                &report(Some(gcj(w.spot)), Some("k-1")),
                &a,
            )
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(again.id, c.id);
        let (mine, total) = app
            .list_cases(
                &w.resident,
                &CaseFilter {
                    limit: 50,
                    ..CaseFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!((mine.len(), total), (1, 1));

        // who sees it
        assert!(app.case_view(&w.worker1, c.id).await.is_ok());
        assert!(matches!(
            app.case_view(&w.worker2, c.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.case_view(&w.neighbour, c.id).await,
            Err(AppError::NotFound)
        ));
        // closing an undispatched case says why
        let e = app
            .case_step(&w.secretary, c.id, Step::VerifyPass, &note(""), &a)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("已上报"), "{e}");
        // a grid worker does not accept (受理 is the community's)
        assert!(matches!(
            app.case_step(&w.worker1, c.id, Step::Accept, &note(""), &a)
                .await,
            Err(AppError::Forbidden)
        ));

        let actor = &a;
        let id = c.id;
        let step = |p: &Principal, s: Step, n: &str| {
            let p = p.clone();
            let n = note(n);
            async move { app.case_step(&p, id, s, &n, actor).await }
        };
        step(&w.secretary, Step::Accept, "").await.unwrap();
        // no rule for the category: the grid's own worker gets it
        let d = step(&w.secretary, Step::Dispatch, "").await.unwrap();
        assert_eq!(d.handler_user_id, Some(w.worker1.user_id));
        let (inbox, unread) = app.notifications(&w.worker1).await.unwrap();
        assert!(unread >= 1 && inbox.iter().any(|n| n.body == c.number));
        step(&w.worker1, Step::Start, "").await.unwrap();
        step(&w.worker1, Step::Handle, "已联系物业清理")
            .await
            .unwrap();
        // sending back needs a reason
        assert!(matches!(
            step(&w.secretary, Step::VerifyFail, "").await,
            Err(AppError::Invalid(_))
        ));
        step(&w.secretary, Step::VerifyFail, "仍有油污")
            .await
            .unwrap();
        step(&w.worker1, Step::Handle, "已用清洗剂冲洗")
            .await
            .unwrap();
        let closed = step(&w.secretary, Step::VerifyPass, "现场核查通过")
            .await
            .unwrap();
        assert_eq!(closed.state, CaseState::Closed.as_str());
        assert_eq!((closed.reworks, closed.closings), (1, 1));

        // only the reporter rates, once
        assert!(matches!(
            app.rate_case(&w.neighbour, c.id, Rating::Dissatisfied, "", &a)
                .await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.rate_case(&w.worker1, c.id, Rating::Satisfied, "", &a)
                .await,
            Err(AppError::Invalid(_))
        ));
        app.rate_case(&w.resident, c.id, Rating::Satisfied, "处理及时", &a)
            .await
            .unwrap();
        assert!(
            app.rate_case(&w.resident, c.id, Rating::Satisfied, "", &a)
                .await
                .is_err()
        );

        // the reporter sees the public timeline; staff the whole of it
        let theirs = app.case_view(&w.resident, c.id).await.unwrap();
        let staff = app.case_view(&w.secretary, c.id).await.unwrap();
        let steps = |v: &linli_app::cases::CaseView| -> Vec<String> {
            v.timeline.iter().map(|e| e.step.clone()).collect()
        };
        assert!(steps(&staff).contains(&"verify_fail".to_owned()));
        assert!(!steps(&theirs).contains(&"verify_fail".to_owned()));
        assert_eq!(steps(&staff).first().map(String::as_str), Some("submit"));
        assert_eq!(steps(&staff).last().map(String::as_str), Some("rate"));
        assert!(theirs.case.contact_sealed.is_none());
        let (told, _) = app.notifications(&w.resident).await.unwrap();
        assert!(told.iter().any(|n| n.title.contains("已办结")));

        // the roll-ups moved with every step
        let community: RegionCode = COMMUNITY.parse().unwrap();
        let d = app
            .dashboard(&w.secretary, &community, today(), today())
            .await
            .unwrap();
        let t = &d.total.counts;
        assert_eq!(
            (
                t.received,
                t.registered,
                t.dispatched,
                t.handled,
                t.reworked,
                t.closed
            ),
            (1, 1, 1, 1, 1, 1)
        );
        assert_eq!((t.satisfied, t.first_time, t.resolved), (1, 0, 1));
        assert_eq!(d.total.indicators.closure_rate, Some(1.0));
        assert_eq!(d.total.indicators.rework_rate, Some(1.0));
        assert_eq!(d.total.indicators.first_time_rate, Some(0.0));
        assert_eq!(d.by_area.len(), 1);
        assert_eq!(d.by_area[0].key, format!("{COMMUNITY}001"));
        assert!(d.by_handler.iter().any(|s| s.label == "网格员"));
        assert!(d.by_category.iter().any(|s| s.label == "道路不洁"));
        assert_eq!(d.by_channel[0].label, "居民上报");
        assert_eq!((d.open_now, d.overdue_now), (0, 0));
        // the street sees its subtree; a grid worker not the community's
        let s = app
            .dashboard(&w.street, &"220103008".parse().unwrap(), today(), today())
            .await
            .unwrap();
        assert_eq!(s.total.counts.closed, 1);
        assert!(matches!(
            app.dashboard(&w.worker2, &community, today(), today())
                .await,
            Err(AppError::Forbidden)
        ));
        // and audit holds every step
        let log = testing::table_text(&db, "audit_log").await;
        for action in [
            "case.submit",
            "case.accept",
            "case.dispatch",
            "case.verify_pass",
            "case.rate",
        ] {
            assert!(log.contains(action), "{action}");
        }
        // the reporter's phone is sealed at rest, never in the log
        assert!(
            !testing::table_text(&db, "cases")
                .await
                .contains("13812345678")
        );
        assert!(!log.contains("13812345678"));
    }
);

db_test!(a_hand_counted_batch_adds_up, |db: Db| async move {
    let w = world(db.clone()).await;
    let a = Actor::cli();
    let app = &w.app;
    let mut ids = Vec::new();
    for i in 0..10 {
        let key = format!("batch-{i}");
        let (c, _) = app
            .submit_case(
                Some(&w.resident),
                &report(Some(gcj(w.spot)), Some(&key)),
                &a,
            )
            .await
            .unwrap();
        ids.push(c.id);
    }
    let (w, actor) = (&w, &a);
    let go = |id: i64, steps: &'static [Step]| async move {
        for s in steps {
            let who = match s {
                Step::Start | Step::Handle => &w.worker1,
                _ => &w.secretary,
            };
            app.case_step(who, id, *s, &note("说明"), actor)
                .await
                .unwrap();
        }
    };
    use Step::*;
    const CLOSE: &[Step] = &[Accept, Dispatch, Start, Handle, VerifyPass];
    const REWORKED: &[Step] = &[Accept, Dispatch, Handle, VerifyFail, Handle, VerifyPass];
    // 5 closed (one after a rework), 1 handled only, 1 dispatched only,
    // 1 accepted then cancelled, 1 rejected, 1 left as reported
    for id in &ids[0..4] {
        go(*id, CLOSE).await;
    }
    go(ids[4], REWORKED).await;
    go(ids[5], &[Accept, Dispatch, Handle]).await;
    go(ids[6], &[Accept, Dispatch]).await;
    go(ids[7], &[Accept, Cancel]).await;
    go(ids[8], &[Reject]).await;
    for (id, r) in [
        (ids[0], Rating::Satisfied),
        (ids[1], Rating::Satisfied),
        (ids[2], Rating::Satisfied),
        (ids[3], Rating::FairlySatisfied),
        (ids[4], Rating::Dissatisfied),
    ] {
        app.rate_case(&w.resident, id, r, "", &a).await.unwrap();
    }
    let reopened = app.case_view(&w.secretary, ids[4]).await.unwrap();
    assert_eq!(reopened.state, CaseState::Dispatched, "不满意 reopens");

    let d = app
        .dashboard(&w.secretary, &COMMUNITY.parse().unwrap(), today(), today())
        .await
        .unwrap();
    let c = &d.total.counts;
    assert_eq!(
        (c.received, c.valid, c.registered, c.cancelled),
        (10, 8, 8, 1)
    );
    assert_eq!(
        (c.to_dispatch, c.dispatched, c.to_handle, c.handled),
        (8, 7, 7, 6)
    );
    assert_eq!((c.to_close, c.closed, c.reworked, c.reopened), (8, 5, 1, 1));
    // the reworked case was reopened: resolved 5 - 1, first-time 4 (its rework kept it out)
    assert_eq!((c.resolved, c.first_time), (4, 4));
    let i = &d.total.indicators;
    let pct = |x: Option<f64>| format!("{:.2}", x.unwrap() * 100.0);
    assert_eq!(pct(i.valid_report_rate), "80.00"); // 8 / 10
    assert_eq!(pct(i.accurate_registration_rate), "87.50"); // (8 - 1) / 8
    assert_eq!(pct(i.handling_rate), "85.71"); // 6 / 7
    assert_eq!(pct(i.rework_rate), "16.67"); // 1 / 6
    assert_eq!(pct(i.closure_rate), "62.50"); // 5 / 8
    assert_eq!(pct(i.resolution_rate), "80.00"); // 4 / 5
    assert_eq!(pct(i.satisfaction_rate), "80.00"); // (3 + 1) / 5
    assert_eq!(pct(i.first_time_rate), "80.00"); // 4 / 5
    assert_eq!(pct(i.accurate_dispatch_rate), "75.00"); // (7 - 1) / 8
    // open now: 1 reported, 1 handled, 1 dispatched, 1 reopened
    assert_eq!(d.open_now, 4);
    let (open, _) = app
        .list_cases(
            &w.secretary,
            &CaseFilter {
                states: vec!["dispatched".into()],
                limit: 50,
                ..CaseFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(open.len(), 2);
});

db_test!(bad_input_and_the_intake_queue, |db: Db| async move {
    let w = world(db.clone()).await;
    let a = Actor::cli();
    let app = &w.app;
    let community: RegionCode = COMMUNITY.parse().unwrap();
    // far outside every grid, with the community named: its intake queue
    let far = Location {
        lng: 125.5,
        lat: 44.0,
        sys: CoordSys::Wgs84,
    };
    let mut r = report(Some(far), None);
    let e = app
        .submit_case(Some(&w.resident), &r, &a)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("所属社区"), "{e}");
    r.community = Some(community.clone());
    let (q, _) = app.submit_case(Some(&w.resident), &r, &a).await.unwrap();
    assert_eq!((q.scope.as_str(), q.grid_id), (COMMUNITY, None));
    // the grid worker does not see it, the community does
    assert!(app.case_view(&w.worker1, q.id).await.is_err());
    assert!(app.case_view(&w.secretary, q.id).await.is_ok());
    // swapped coordinates
    let swapped = Location {
        lng: w.spot.lat,
        lat: w.spot.lng,
        sys: CoordSys::Wgs84,
    };
    let e = app
        .submit_case(Some(&w.resident), &report(Some(swapped), None), &a)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Invalid(_)), "{e}");
    let bad = |f: fn(&mut NewCase)| {
        let mut r = report(Some(gcj(w.spot)), None);
        f(&mut r);
        r
    };
    for (what, r) in [
        ("empty", bad(|r| r.description = "   ".into())),
        ("control", bad(|r| r.description = "a\u{7}b".into())),
        ("too long", bad(|r| r.description = "长".repeat(2001))),
        ("category", bad(|r| r.category = Some("9999".into()))),
        (
            "top-level category",
            bad(|r| r.category = Some("01".into())),
        ),
        ("phone", bad(|r| r.contact_phone = Some("12345".into()))),
    ] {
        assert!(
            matches!(
                app.submit_case(Some(&w.resident), &r, &a).await,
                Err(AppError::Invalid(_))
            ),
            "{what}"
        );
    }
    // anonymous needs a phone; a resident cannot pose as a phone call
    let anon = bad(|r| r.contact_phone = None);
    assert!(app.submit_case(None, &anon, &a).await.is_err());
    let (c, _) = app
        .submit_case(None, &report(Some(gcj(w.spot)), None), &a)
        .await
        .unwrap();
    assert_eq!((c.reporter_id, c.reporter_name.as_str()), (None, "匿名"));
    assert!(matches!(
        app.submit_case(Some(&w.resident), &bad(|r| r.channel = Channel::Phone), &a)
            .await,
        Err(AppError::Forbidden)
    ));
    // HTML is kept as text (pages escape it); no category files it as 其他
    let (h, _) = app
        .submit_case(
            Some(&w.resident),
            &bad(|r| {
                r.description = "<script>alert(1)</script>".into();
                r.category = None;
            }),
            &a,
        )
        .await
        .unwrap();
    assert_eq!(h.description, "<script>alert(1)</script>");
    // staff re-categorise on accepting
    let input = StepInput {
        category: Some("1002".into()),
        ..StepInput::default()
    };
    let acc = app
        .case_step(&w.secretary, h.id, Step::Accept, &input, &a)
        .await
        .unwrap();
    assert_ne!(acc.category_id, h.category_id);
    // a postpone needs a reason and an approver
    app.case_step(&w.secretary, h.id, Step::Dispatch, &note(""), &a)
        .await
        .unwrap();
    let e = app
        .case_step(
            &w.worker1,
            h.id,
            Step::Postpone { approved: false },
            &note("等待配件"),
            &a,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("审批"), "{e}");
    assert!(
        app.case_step(
            &w.secretary,
            h.id,
            Step::Postpone { approved: false },
            &note(""),
            &a
        )
        .await
        .is_err()
    );
    let p = app
        .case_step(
            &w.secretary,
            h.id,
            Step::Postpone { approved: false },
            &note("等待配件"),
            &a,
        )
        .await
        .unwrap();
    assert_eq!(p.state, "postponed");
    // a grid worker closes a simple patrol find on the spot
    let mut patrol = report(Some(gcj(w.spot)), None);
    patrol.channel = Channel::Patrol;
    patrol.contact_phone = None;
    let (s, _) = app
        .submit_case(Some(&w.worker1), &patrol, &a)
        .await
        .unwrap();
    let closed = app
        .case_step(&w.worker1, s.id, Step::CloseOnSpot, &note("已当场清理"), &a)
        .await
        .unwrap();
    assert_eq!(closed.state, "closed");
    let d = app
        .dashboard(&w.secretary, &community, today(), today())
        .await
        .unwrap();
    assert_eq!((d.total.counts.on_spot, d.total.counts.postponed), (1, 1));
    assert!(d.by_area.iter().any(|s| s.label == "社区受理台(未入格)"));
    // a reversed or too long period
    let year_ago = today() - time::Duration::days(4 * 366);
    assert!(
        app.dashboard(&w.secretary, &community, today(), year_ago)
            .await
            .is_err()
    );
    assert!(
        app.dashboard(&w.secretary, &community, year_ago, today())
            .await
            .is_err()
    );
});
