//! The whole chain, from 单位报到 to the board, the roll-up and the evaluation xlsx.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{STREET, hospital, partner_account, photo};
use crate::common::cases::{report, world};
use crate::common::who_as as who;
use calamine::Reader;
use linli_app::demo::COMMUNITY;
use linli_app::partners::{
    AgreementInput, FundingInput, JointMeetingInput, NeedInput, ProjectInput, ResourceInput,
};
use linli_app::{Actor, AppError};
use linli_domain::access::Role;
use linli_store::{Db, db_test};

db_test!(
    a_need_from_a_case_becomes_a_project_on_the_board,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let (app, sec, a) = (&w.app, &w.secretary, Actor::cli());
        let unit_user = partner_account(app, "yiyuan", STREET).await;
        let unit = who(Role::PartnerUnit, STREET, unit_user);
        let other = who(
            Role::PartnerUnit,
            STREET,
            partner_account(app, "xuexiao", STREET).await,
        );

        // 单位报到
        let uid = app.register_unit(&unit, &hospital(), &a).await.unwrap();
        assert!(
            app.register_unit(&unit, &hospital(), &a).await.is_err(),
            "one unit per account"
        );
        let mut dup = hospital();
        dup.kind = "school".into();
        assert!(
            app.register_unit(&other, &dup, &a).await.is_err(),
            "names are unique"
        );
        let home = app.partners_home(&unit).await.unwrap();
        assert!(
            home.may_report.iter().any(|(c, _)| c == COMMUNITY),
            "{:?}",
            home.may_report
        );
        app.unit_report_in(&unit, COMMUNITY, "愿意提供义诊", &a)
            .await
            .unwrap();
        assert!(
            app.unit_report_in(&unit, COMMUNITY, "", &a).await.is_err(),
            "once"
        );
        let home = app.partners_home(&unit).await.unwrap();
        assert_eq!(home.reports.len(), 1);
        assert!(home.reports[0].pending);
        let staff_home = app.partners_home(sec).await.unwrap();
        assert!(
            staff_home
                .reports
                .iter()
                .any(|r| r.unit_id == uid && r.pending)
        );
        assert!(
            matches!(
                app.decide_report(&w.street, uid, COMMUNITY, true, &a).await,
                Err(AppError::Forbidden)
            ),
            "the street reads, the community decides"
        );
        let rid = app
            .offer_resource(
                &unit,
                uid,
                &ResourceInput {
                    kind: "service".into(),
                    category: "医疗健康".into(),
                    title: "每月上门义诊".into(),
                    detail: "内科医生两名,量血压、测血糖".into(),
                    amount: "每月一次".into(),
                    available: "每月第二个周六上午".into(),
                },
                &a,
            )
            .await
            .unwrap();

        // a resident's case becomes a need, stripped of who they are
        let mut r = report(None, None);
        r.kind = linli_domain::cases::CaseKind::Help;
        r.description =
            "我是李秀英,住5号楼2单元502室,老伴行动不便,想请医生上门义诊量血压,电话13812345678"
                .into();
        r.address = "长山花园小区5号楼2单元502室".into();
        r.community = Some(COMMUNITY.parse().unwrap());
        let (case, _) = app.submit_case(Some(&w.resident), &r, &a).await.unwrap();
        let draft = app.need_draft_from_case(sec, case.id).await.unwrap();
        assert!(
            !draft.body.contains("李秀英") && !draft.body.contains("13812345678"),
            "{}",
            draft.body
        );
        assert!(!draft.place.contains("502"), "{}", draft.place);
        assert!(matches!(
            app.need_draft_from_case(&unit, case.id).await,
            Err(AppError::Forbidden | AppError::NotFound)
        ));
        let input = NeedInput {
            category: "医疗健康".into(),
            title: "行动不便老人上门义诊".into(),
            // what staff typed still loses the name and the phone
            body: format!("{} 李秀英 13812345678", draft.body),
            ..draft
        };
        assert!(matches!(
            app.add_need(&w.street, &input, &a).await,
            Err(AppError::Forbidden)
        ));
        let need = app.add_need(sec, &input, &a).await.unwrap();
        assert!(
            app.add_need(sec, &input, &a).await.is_err(),
            "a case becomes one need"
        );

        // before the community accepts the unit, the need is not open to it
        assert!(matches!(
            app.partner_need(&unit, need).await,
            Err(AppError::NotFound)
        ));
        assert!(app.take_need(&unit, need, &a).await.is_err());
        app.decide_report(sec, uid, COMMUNITY, true, &a)
            .await
            .unwrap();
        assert!(
            app.decide_report(sec, uid, COMMUNITY, true, &a)
                .await
                .is_err(),
            "decided once"
        );
        app.sign_agreement(
            sec,
            uid,
            COMMUNITY,
            &AgreementInput {
                title: "共驻共建协议书".into(),
                commitments: "每月义诊一次\n每年健康讲座四次\n".into(),
                start_date: "2026-01-01".into(),
                end_date: "2027-12-31".into(),
                scans: vec![photo()],
            },
            &a,
        )
        .await
        .unwrap();

        let seen = app.partner_need(&unit, need).await.unwrap();
        assert!(seen.may_take && seen.case_id.is_none() && seen.suggestions.is_empty());
        for text in [&seen.body, &seen.line.title, &seen.line.place] {
            assert!(
                !text.contains("李秀英") && !text.contains("1381234") && !text.contains("502"),
                "{text}"
            );
        }
        assert!(matches!(
            app.partner_need(&other, need).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.partner_need(&w.resident, need).await,
            Err(AppError::NotFound)
        ));
        let staff_view = app.partner_need(sec, need).await.unwrap();
        assert_eq!(staff_view.case_id, Some(case.id));
        let s = &staff_view.suggestions[0];
        assert_eq!(s.resource.id, rid);
        assert!(
            s.reasons.iter().any(|r| r.contains("医疗健康")),
            "{:?}",
            s.reasons
        );
        assert!(
            s.reasons.iter().any(|r| r == "已在本社区报到"),
            "{:?}",
            s.reasons
        );

        // 联席会议: on the agenda, minuted, decided into a project
        let mid = app
            .call_joint_meeting(
                sec,
                &JointMeetingInput {
                    community: COMMUNITY.into(),
                    title: "2026年第四季度大党委联席会议".into(),
                    held_on: "2026-12-10".into(),
                    place: "社区党群服务中心".into(),
                    needs: vec![need],
                },
                &a,
            )
            .await
            .unwrap();
        app.record_joint_meeting(
            sec,
            mid,
            "王建国\n社区书记",
            "议定由人民医院每月上门义诊",
            "立项:上门义诊",
            &a,
        )
        .await
        .unwrap();
        let m = app.joint_meeting(sec, mid).await.unwrap();
        assert_eq!(m.agenda.len(), 1);
        assert_eq!(m.attendees.len(), 2);
        assert!(m.units.iter().any(|(id, _)| *id == uid));
        assert!(matches!(
            app.joint_meeting(&unit, mid).await,
            Err(AppError::NotFound)
        ));
        let project = ProjectInput {
            need_id: need,
            meeting_id: Some(mid),
            title: "行动不便老人上门义诊".into(),
            lead_unit: uid,
            other_units: Vec::new(),
            owner: "王建国".into(),
            due_on: "2027-03-31".into(),
            budget: "8000".into(),
        };
        assert!(matches!(
            app.start_project(&unit, &project, &a).await,
            Err(AppError::Forbidden)
        ));
        let pid = app.start_project(sec, &project, &a).await.unwrap();
        assert!(
            app.start_project(sec, &project, &a).await.is_err(),
            "one project per need"
        );
        assert_eq!(app.joint_meeting(sec, mid).await.unwrap().decided.len(), 1);
        assert_eq!(
            app.partner_need(sec, need).await.unwrap().line.state_key,
            "project"
        );

        // the unit logs progress; staff record what went in and close it
        app.log_progress(&unit, pid, "12月12日上门为5户老人量血压", &[photo()], &a)
            .await
            .unwrap();
        assert!(matches!(
            app.log_progress(&other, pid, "x", &[], &a).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.log_progress(&w.resident, pid, "x", &[], &a).await,
            Err(AppError::NotFound)
        ));
        let money = FundingInput {
            unit_id: uid,
            kind: "money".into(),
            amount: "5000".into(),
            note: "药品".into(),
        };
        assert!(matches!(
            app.add_funding(&unit, pid, &money, &a).await,
            Err(AppError::Forbidden)
        ));
        app.add_funding(sec, pid, &money, &a).await.unwrap();
        let hours = FundingInput {
            unit_id: uid,
            kind: "hours".into(),
            amount: "12.5".into(),
            note: String::new(),
        };
        app.add_funding(sec, pid, &hours, &a).await.unwrap();
        let bad = FundingInput {
            amount: "-5".into(),
            ..money.clone()
        };
        assert!(app.add_funding(sec, pid, &bad, &a).await.is_err());
        let v = app.partner_project(&unit, pid).await.unwrap();
        assert_eq!(v.progress.len(), 1);
        let (photo_id, _, _) = v.progress[0].photos[0];
        let jpeg = app.partner_photo(&unit, photo_id).await.unwrap();
        assert!(jpeg.starts_with(&[0xFF, 0xD8]), "stored re-encoded as JPEG");
        assert!(app.partner_photo(sec, photo_id).await.is_ok());
        assert!(app.partner_photo(&w.street, photo_id).await.is_ok());
        for no in [&other, &w.resident] {
            assert!(matches!(
                app.partner_photo(no, photo_id).await,
                Err(AppError::NotFound)
            ));
        }
        let scans = &app.partner_unit(&unit, uid).await.unwrap().agreements[0].scans;
        assert_eq!(scans.len(), 1);
        assert!(app.partner_photo(&unit, scans[0].0).await.is_ok());
        assert!(matches!(
            app.partner_photo(&other, scans[0].0).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.partner_photo(&w.resident, scans[0].0).await,
            Err(AppError::NotFound)
        ));
        assert_eq!(v.line.money, "5,000.00");
        assert_eq!(v.line.hours, "12.5 小时");
        assert!(v.may_log && !v.staff);
        app.close_project(
            sec,
            pid,
            "为23户行动不便老人上门义诊46人次,咨询电话13812345678",
            &a,
        )
        .await
        .unwrap();
        assert!(app.close_project(sec, pid, "again", &a).await.is_err());
        assert_eq!(
            app.partner_need(sec, need).await.unwrap().line.state_key,
            "met"
        );
        assert!(app.log_progress(&unit, pid, "late", &[], &a).await.is_err());

        // in public, on the roll-up and on the evaluation sheet
        let board = app.partners_board(COMMUNITY).await.unwrap();
        assert_eq!(board.projects.len(), 1);
        assert_eq!(board.projects[0].units, vec!["宽城区人民医院".to_owned()]);
        assert_eq!(board.totals[0].money, "5,000.00");
        let outcome = &board.projects[0].outcome;
        assert!(
            outcome.contains("46人次") && !outcome.contains("1381234"),
            "{outcome}"
        );
        assert!(
            app.partners_board("220103008").await.is_err(),
            "a street has no board"
        );
        let f = app
            .partners_figures(&w.street, linli_app::today().year())
            .await
            .unwrap();
        assert_eq!(
            (
                f.units,
                f.commitments,
                f.needs_opened,
                f.needs_met,
                f.projects_started,
                f.projects_done
            ),
            (1, 2, 1, 1, 1, 1)
        );
        assert_eq!(
            (f.money.as_str(), f.hours.as_str(), f.needs_open),
            ("5,000.00", "12.5 小时", 0)
        );
        let year = linli_app::today().year();
        assert!(
            app.evaluate_unit(sec, COMMUNITY, uid, 1999, (90, ""), &a)
                .await
                .is_err(),
            "a year out of range"
        );
        assert!(
            app.evaluate_unit(sec, COMMUNITY, uid, year, (101, ""), &a)
                .await
                .is_err()
        );
        assert!(matches!(
            app.evaluate_unit(&w.street, COMMUNITY, uid, year, (90, ""), &a)
                .await,
            Err(AppError::Forbidden)
        ));
        app.evaluate_unit(sec, COMMUNITY, uid, year, (92, "承诺全部兑现"), &a)
            .await
            .unwrap();
        let sheet = app
            .evaluation_sheet(&w.street, COMMUNITY, year)
            .await
            .unwrap();
        assert_eq!(sheet.len(), 1);
        assert_eq!((sheet[0].commitments, sheet[0].projects_done), (2, 1));
        assert_eq!(sheet[0].grade.as_deref(), Some("优秀"));
        assert_eq!(
            app.evaluation_sheet(&unit, COMMUNITY, year)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(matches!(
            app.evaluation_sheet(&other, COMMUNITY, year).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            app.evaluation_sheet(&w.resident, COMMUNITY, year).await,
            Err(AppError::Forbidden)
        ));
        let bytes = app.evaluation_xlsx(sec, COMMUNITY, year).await.unwrap();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range(&format!("{year}年度考评")).unwrap();
        let cells: Vec<String> = range
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        assert!(cells.iter().any(|c| c == "宽城区人民医院"), "{cells:?}");
        assert!(cells.iter().any(|c| c == "优秀"));
    }
);
