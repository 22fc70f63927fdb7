//! The demo's year of partnership, seeded once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::cases::world;
use linli_app::Actor;
use linli_app::demo::COMMUNITY;
use linli_app::partners::NeedInput;
use linli_store::{Db, db_test};

db_test!(
    the_demo_seeds_a_year_of_partnership_once,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let app = &w.app;
        app.seed_demo_residents().await.unwrap().unwrap();
        app.seed_demo_volunteering().await.unwrap().unwrap();
        let (n, accounts) = app.seed_demo_partners().await.unwrap().unwrap();
        assert_eq!(n, 4);
        assert_eq!(accounts[0].0, "gongjian");
        assert!(
            app.seed_demo_partners().await.unwrap().is_none(),
            "seeded once"
        );
        let board = app.partners_board(COMMUNITY).await.unwrap();
        assert_eq!(board.projects.len(), 2);
        assert!(
            board
                .totals
                .iter()
                .any(|t| t.unit == "宽城区人民医院" && t.money == "5,000.00")
        );
        let home = app.partners_home(&w.secretary).await.unwrap();
        assert_eq!(home.reports.len(), 4);
        assert_eq!(home.needs.len(), 2, "助餐 and 楼道 are still open");
        assert_eq!(home.meetings.len(), 4);
        // the school's in-service party members who reported in where they live
        let school = home
            .reports
            .iter()
            .find(|r| r.unit_name == "长春市第五中学")
            .unwrap()
            .unit_id;
        let staff = app.partner_unit(&w.secretary, school).await.unwrap();
        assert!(!staff.members.is_empty());
        assert!(staff.members.iter().all(|(n, _)| !n.contains('*')));
        let street = app.partner_unit(&w.street, school).await.unwrap();
        assert_eq!(street.members.len(), staff.members.len());
        assert!(
            street.members.iter().all(|(n, _)| n.contains('*')),
            "the street reads names masked"
        );
        let sheet = app
            .evaluation_sheet(&w.secretary, COMMUNITY, linli_app::today().year())
            .await
            .unwrap();
        assert_eq!(sheet.len(), 4);
        assert!(sheet.iter().all(|l| l.grade.is_some()));
        // the matching finds the school's parking for a parking need
        let need = app
            .add_need(
                &w.secretary,
                &NeedInput {
                    community: COMMUNITY.into(),
                    category: "停车交通".into(),
                    title: "周末停车难".into(),
                    body: "周末访客多,车位紧张".into(),
                    place: String::new(),
                    source: "resident".into(),
                    case_id: None,
                },
                &Actor::cli(),
            )
            .await
            .unwrap();
        let v = app.partner_need(&w.secretary, need).await.unwrap();
        assert_eq!(v.suggestions[0].resource.unit_name, "长春市第五中学");
        assert!(
            v.suggestions[0]
                .reasons
                .iter()
                .any(|r| r == "做过 1 个同类项目"),
            "{:?}",
            v.suggestions[0].reasons
        );
    }
);
