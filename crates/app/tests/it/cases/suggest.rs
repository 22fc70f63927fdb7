//! Category suggestion on both databases: after staff accept cases with
//! their categories, a report that names none is filed under the category
//! its words point to (the timeline says it was automatic); a report the
//! model cannot place waits under 其他.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::cases::{gcj, report, world};
use linli_app::Actor;
use linli_app::cases::StepInput;
use linli_domain::cases::Step;
use linli_store::{Db, db_test};

db_test!(
    an_uncategorised_report_gets_the_learnt_category,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let a = Actor::cli();
        let app = &w.app;
        let taught = [
            ("0104", "门前道路有大片油污,路面很脏"),
            ("0104", "小区道路垃圾成堆没人清扫"),
            ("0104", "路面油污严重,老人容易滑倒"),
            ("0504", "消防通道被私家车乱停堵住"),
            ("0504", "车位被占用,车辆乱停乱放"),
            ("0504", "楼下乱停车,救护车进不来"),
        ];
        for (code, text) in taught {
            let mut r = report(Some(gcj(w.spot)), None);
            r.category = Some(code.into());
            r.description = text.into();
            let (c, _) = app.submit_case(Some(&w.resident), &r, &a).await.unwrap();
            app.case_step(&w.secretary, c.id, Step::Accept, &StepInput::default(), &a)
                .await
                .unwrap();
        }
        let (w, a) = (&w, &a);
        let categorise = |text: &'static str| async move {
            let mut r = report(Some(gcj(w.spot)), None);
            r.category = None;
            r.description = text.into();
            let (c, _) = app.submit_case(Some(&w.resident), &r, a).await.unwrap();
            app.case_view(&w.secretary, c.id).await.unwrap()
        };
        let v = categorise("单元门口有车乱停,消防通道过不去").await;
        assert_eq!(v.category.code, "0504");
        assert!(
            v.timeline[0].note.contains("自动分类"),
            "{}",
            v.timeline[0].note
        );
        let v = categorise("路面全是油污和垃圾").await;
        assert_eq!(v.category.code, "0104");
        // words it never saw: unsorted, for staff
        let v = categorise("想咨询一下老年证怎么办理").await;
        assert_eq!(v.category.code, "1007");
        assert!(!v.timeline[0].note.contains("自动分类"));
        // a suggestion is also offered to the form
        let s = app
            .suggest_for("乱停车堵住消防通道")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.code, "0504");
    }
);
