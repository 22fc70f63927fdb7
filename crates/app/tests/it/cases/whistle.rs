//! 吹哨报到, the deadline sweep and the in-app inbox on both databases:
//! the community escalates an accepted case to two street departments;
//! each is told, one reports in on time, the other is reminded when late;
//! a case near and past its deadline warns its handler and the community
//! once per deadline; notifications are marked read one by one or all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::cases::{World, gcj, report, world};
use linli_app::cases::StepInput;
use linli_app::cases::whistle::WhistleInput;
use linli_app::{Actor, AppError};
use linli_domain::cases::whistle::AckState;
use linli_domain::cases::{DueFlag, Step, near_due_at};
use linli_domain::time::UnixMs;
use linli_store::{Db, db_test};

fn note(s: &str) -> StepInput {
    StepInput {
        note: s.into(),
        ..StepInput::default()
    }
}

/// A resident's case, accepted and dispatched to grid 1's worker.
async fn dispatched_case(w: &World) -> i64 {
    let a = Actor::cli();
    let (c, _) = w
        .app
        .submit_case(Some(&w.resident), &report(Some(gcj(w.spot)), None), &a)
        .await
        .unwrap();
    for s in [Step::Accept, Step::Dispatch] {
        w.app
            .case_step(&w.secretary, c.id, s, &note(""), &a)
            .await
            .unwrap();
    }
    c.id
}

fn call(w: &World, depts: &[i64], hours: Option<u32>, reason: &str) -> WhistleInput {
    let _ = w;
    WhistleInput {
        departments: depts.to_vec(),
        hours,
        reason: reason.into(),
    }
}

db_test!(
    the_community_whistles_and_the_departments_report_in,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let (app, a) = (&w.app, Actor::cli());
        let (d1, d2) = (w.dept1.user_id, w.dept2.user_id);

        // a case nobody accepted goes to the community first
        let (fresh, _) = app
            .submit_case(Some(&w.resident), &report(Some(gcj(w.spot)), None), &a)
            .await
            .unwrap();
        let e = app
            .whistle_case(&w.secretary, fresh.id, &call(&w, &[d1], None, "需执法"), &a)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("立案"), "{e}");

        let id = dispatched_case(&w).await;
        // before the whistle the departments do not reach the case at all
        for d in [&w.dept1, &w.dept2] {
            assert!(matches!(
                app.case_view(d, id).await,
                Err(AppError::NotFound)
            ));
            assert_eq!(app.calls_waiting(d).await.unwrap().len(), 0);
        }
        // the departments offered are the street's department accounts
        let offered = app.departments_for(&w.secretary, id).await.unwrap();
        let mut ids: Vec<i64> = offered.iter().map(|d| d.user_id).collect();
        ids.sort_unstable();
        let mut want = vec![d1, d2];
        want.sort_unstable();
        assert_eq!(ids, want);
        assert!(offered.iter().any(|d| d.name.contains("综合行政执法队")));

        // only those who manage cases blow the whistle
        assert!(matches!(
            app.whistle_case(&w.worker1, id, &call(&w, &[d1], None, "x"), &a)
                .await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            app.departments_for(&w.worker1, id).await,
            Err(AppError::Forbidden)
        ));
        // bad input: no reason, no department, hours out of range, a stranger
        for (input, says) in [
            (call(&w, &[d1], None, "  "), "事由"),
            (call(&w, &[d1], None, &"占".repeat(10_000)), "事由"),
            (call(&w, &[], None, "占道经营"), "部门"),
            (call(&w, &[d1], Some(0), "占道经营"), "小时"),
            (call(&w, &[d1], Some(169), "占道经营"), "小时"),
            (call(&w, &[w.worker2.user_id], None, "占道经营"), "部门"),
        ] {
            let e = app
                .whistle_case(&w.secretary, id, &input, &a)
                .await
                .unwrap_err();
            assert!(matches!(e, AppError::Invalid(_)), "{e}");
            assert!(e.to_string().contains(says), "{e}");
        }
        let v = app.case_view(&w.secretary, id).await.unwrap();
        assert!(
            v.calls.is_empty(),
            "nothing was written by the bad attempts"
        );

        let mut bell = app.bell();
        bell.mark_unchanged();
        let called = app
            .whistle_case(
                &w.secretary,
                id,
                &call(&w, &[d1, d2, d1], Some(2), "占道经营屡劝不改,需联合执法"),
                &a,
            )
            .await
            .unwrap();
        assert_eq!(called.len(), 2, "a department named twice is called once");
        assert!(bell.has_changed().unwrap(), "the live stream hears of it");
        let hours = (called[0].call.due_at.0 - called[0].call.raised_at.0) / 3_600_000;
        assert_eq!(hours, 2);
        for d in [&w.dept1, &w.dept2] {
            let (inbox, unread) = app.notifications(d).await.unwrap();
            assert_eq!(unread, 1);
            assert!(inbox[0].title.contains("报到"), "{}", inbox[0].title);
            assert_eq!(app.calls_waiting(d).await.unwrap().len(), 1);
            // called, the department reaches the case (and only because it was)
            assert!(app.case_view(d, id).await.is_ok());
        }
        // a department still waiting cannot be called twice
        let e = app
            .whistle_case(&w.secretary, id, &call(&w, &[d2], None, "再催"), &a)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("尚未报到"), "{e}");

        // 报到
        let came = app
            .report_in(&w.dept1, id, "已到场,明日联合执法", &a)
            .await
            .unwrap();
        assert_eq!(came.state, AckState::OnTime);
        let long = app
            .report_in(&w.dept2, id, &"到".repeat(10_000), &a)
            .await
            .unwrap_err();
        assert!(long.to_string().contains("500"), "{long}");
        let again = app.report_in(&w.dept1, id, "", &a).await.unwrap_err();
        assert!(again.to_string().contains("已报到"), "{again}");
        // someone not called cannot report in
        let e = app.report_in(&w.worker1, id, "", &a).await.unwrap_err();
        assert!(e.to_string().contains("未被吹哨"), "{e}");
        assert!(matches!(
            app.report_in(&w.worker2, id, "", &a).await,
            Err(AppError::NotFound)
        ));
        let (told, _) = app.notifications(&w.secretary).await.unwrap();
        assert!(told.iter().any(|n| n.title.contains("已报到")));

        // the case shows who came and when; the reporter sees the public steps
        let v = app.case_view(&w.secretary, id).await.unwrap();
        let states: Vec<AckState> = v.calls.iter().map(|c| c.state).collect();
        assert_eq!(states, [AckState::OnTime, AckState::Waiting]);
        let first = &v.calls[0].call;
        assert_eq!(first.ack_note.as_deref(), Some("已到场,明日联合执法"));
        assert!(first.acked_at.is_some() && first.ack_by_name.is_some());
        let mine = app.case_view(&w.resident, id).await.unwrap();
        assert!(mine.calls.is_empty());
        let steps: Vec<&str> = mine.timeline.iter().map(|e| e.step.as_str()).collect();
        assert!(
            steps.contains(&"whistle") && steps.contains(&"report_in"),
            "{steps:?}"
        );

        // the late one is reminded once, and so is the secretary
        let later = UnixMs(called[1].call.due_at.0 + 60_000);
        let swept = app.sweep_deadlines(later).await.unwrap();
        assert_eq!(swept.late_calls, 1);
        assert_eq!(app.sweep_deadlines(later).await.unwrap().late_calls, 0);
        let (inbox, _) = app.notifications(&w.dept2).await.unwrap();
        assert!(inbox[0].title.contains("超时未报到"), "{}", inbox[0].title);
        let (inbox, _) = app.notifications(&w.dept1).await.unwrap();
        assert!(!inbox.iter().any(|n| n.title.contains("超时")));
        // the reminder does not stand in for the report: it still can come
        // (the clock here is real, so it is within the 2 h; lateness itself
        // is the domain rule's test)
        let came = app.report_in(&w.dept2, id, "", &a).await.unwrap();
        assert_eq!(came.state, AckState::OnTime);
        // a department that came may be called again
        assert!(
            app.whistle_case(&w.secretary, id, &call(&w, &[d1], None, "复查"), &a)
                .await
                .is_ok()
        );
    }
);

db_test!(
    near_due_and_overdue_cases_warn_their_handler_once_per_deadline,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let app = &w.app;
        let id = dispatched_case(&w).await;
        let v = app.case_view(&w.secretary, id).await.unwrap();
        assert_eq!(v.due_flag, DueFlag::OnTime);
        let due = v.case.due_at.unwrap();
        let near = near_due_at(v.case.created_at, due);

        let before = app.notifications(&w.worker1).await.unwrap().1;
        assert_eq!(
            app.sweep_deadlines(UnixMs(near.0 - 60_000)).await.unwrap(),
            Default::default(),
            "nothing is near due yet"
        );
        let s = app.sweep_deadlines(UnixMs(near.0 + 1)).await.unwrap();
        assert_eq!((s.near_due, s.overdue), (1, 0));
        assert_eq!(
            app.sweep_deadlines(UnixMs(near.0 + 2))
                .await
                .unwrap()
                .near_due,
            0
        );
        let s = app.sweep_deadlines(UnixMs(due.0 + 1)).await.unwrap();
        assert_eq!((s.near_due, s.overdue), (0, 1));
        assert_eq!(
            app.sweep_deadlines(UnixMs(due.0 + 2))
                .await
                .unwrap()
                .overdue,
            0
        );

        // the handler (grid 1's worker) and the secretary heard both
        let (inbox, unread) = app.notifications(&w.worker1).await.unwrap();
        assert_eq!(unread, before + 2);
        assert!(inbox[0].title.contains("超期") && inbox[1].title.contains("临期"));
        let (sec, _) = app.notifications(&w.secretary).await.unwrap();
        assert!(
            sec.iter()
                .any(|n| n.title.contains("超期") && n.body == v.case.number)
        );
        // grid 2's worker and the street did not
        for p in [&w.worker2, &w.street] {
            let (other, _) = app.notifications(p).await.unwrap();
            assert!(!other.iter().any(|n| n.title.contains("超期")));
        }
    }
);

db_test!(
    notifications_are_marked_read_by_their_owner_only,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let app = &w.app;
        dispatched_case(&w).await;
        dispatched_case(&w).await;
        let (inbox, unread) = app.notifications(&w.worker1).await.unwrap();
        assert_eq!(unread, 2);
        let st = app.inbox_state(&w.worker1).await.unwrap();
        assert_eq!((st.unread, st.newest), (2, inbox[0].id));
        // someone else's id changes nothing
        assert_eq!(
            app.mark_read(&w.worker2, Some(inbox[0].id)).await.unwrap(),
            0
        );
        assert_eq!(
            app.mark_read(&w.worker1, Some(inbox[0].id)).await.unwrap(),
            1
        );
        assert_eq!(
            app.mark_read(&w.worker1, Some(inbox[0].id)).await.unwrap(),
            0
        );
        assert_eq!(app.inbox_state(&w.worker1).await.unwrap().unread, 1);
        assert_eq!(app.mark_read(&w.worker1, None).await.unwrap(), 1);
        let (inbox, unread) = app.notifications(&w.worker1).await.unwrap();
        assert_eq!(unread, 0);
        assert!(inbox.iter().all(|n| n.read));
    }
);
