//! What the loop runs on, edited through the services on both databases:
//! routing rules decide a dispatch (the longest scope wins, removing one
//! falls back); a year's calendar moves the deadlines of new cases only;
//! the category tree grows and a category can be retired; who may do what.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::cases::{World, gcj, report, world};
use crate::common::who_as;
use linli_app::cases::StepInput;
use linli_app::cases::setup::{CategoryChange, NewCategory, RouteView};
use linli_app::demo::COMMUNITY;
use linli_app::{Actor, AppError};
use linli_domain::access::{RegionCode, Role};
use linli_domain::cases::{DayKind, HandlerKind, Step};
use linli_store::{Db, db_test};
use std::collections::BTreeMap;
use time::{Date, Duration, Weekday};

async fn dispatch_new(w: &World, category: &str) -> linli_app::cases::CaseRow {
    let a = Actor::cli();
    let mut r = report(Some(gcj(w.spot)), None);
    r.category = Some(category.into());
    let (c, _) = w.app.submit_case(Some(&w.resident), &r, &a).await.unwrap();
    w.app
        .case_step(&w.secretary, c.id, Step::Accept, &StepInput::default(), &a)
        .await
        .unwrap();
    w.app
        .case_step(
            &w.secretary,
            c.id,
            Step::Dispatch,
            &StepInput::default(),
            &a,
        )
        .await
        .unwrap()
}

fn rule(scope: &str, kind: HandlerKind, name: &str) -> RouteView {
    RouteView {
        category_code: "0104".into(),
        category_name: String::new(),
        scope: scope.into(),
        handler_kind: kind,
        handler_name: name.into(),
    }
}

db_test!(routing_rules_decide_the_dispatch, |db: Db| async move {
    let w = world(db.clone()).await;
    let (app, a) = (&w.app, Actor::cli());
    let grid1 = format!("{COMMUNITY}001");
    // no rule: grid 1's worker
    let c = dispatch_new(&w, "0104").await;
    assert_eq!(c.handler_user_id, Some(w.worker1.user_id));

    let community = rule(COMMUNITY, HandlerKind::CommunityTeam, "长山花园环境整治组");
    app.set_case_route(&w.secretary, &community, &a)
        .await
        .unwrap();
    let c = dispatch_new(&w, "0104").await;
    assert_eq!(c.handler_name.as_deref(), Some("长山花园环境整治组"));
    assert_eq!(c.handler_kind.as_deref(), Some("community_team"));
    // a rule on the grid is longer, so it wins there
    let grid = rule(&grid1, HandlerKind::PartyGroup, "第一网格行动党小组");
    app.set_case_route(&w.secretary, &grid, &a).await.unwrap();
    let c = dispatch_new(&w, "0104").await;
    assert_eq!(c.handler_name.as_deref(), Some("第一网格行动党小组"));
    let listed = app
        .case_routes(&w.secretary, &COMMUNITY.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .all(|r| r.category_code == "0104" && !r.category_name.is_empty())
    );

    // who may, and bad rules
    assert!(matches!(
        app.set_case_route(&w.worker1, &grid, &a).await,
        Err(AppError::Forbidden)
    ));
    let elsewhere = rule("220103008099", HandlerKind::CommunityTeam, "别处");
    assert!(matches!(
        app.set_case_route(&w.secretary, &elsewhere, &a).await,
        Err(AppError::Forbidden)
    ));
    let nowhere = rule(&format!("{COMMUNITY}099"), HandlerKind::CommunityTeam, "x");
    assert!(matches!(
        app.set_case_route(&w.secretary, &nowhere, &a).await,
        Err(AppError::Invalid(_))
    ));
    let mut top = rule(COMMUNITY, HandlerKind::CommunityTeam, "x");
    top.category_code = "01".into();
    assert!(matches!(
        app.set_case_route(&w.secretary, &top, &a).await,
        Err(AppError::Invalid(_))
    ));
    let blank = rule(COMMUNITY, HandlerKind::CommunityTeam, "  ");
    assert!(matches!(
        app.set_case_route(&w.secretary, &blank, &a).await,
        Err(AppError::Invalid(_))
    ));

    // removing the grid's rule falls back to the community's
    let g: RegionCode = grid1.parse().unwrap();
    assert!(
        app.delete_case_route(&w.secretary, "0104", &g, &a)
            .await
            .unwrap()
    );
    assert!(
        !app.delete_case_route(&w.secretary, "0104", &g, &a)
            .await
            .unwrap()
    );
    let c = dispatch_new(&w, "0104").await;
    assert_eq!(c.handler_name.as_deref(), Some("长山花园环境整治组"));
});

db_test!(the_calendar_moves_new_deadlines_only, |db: Db| async move {
    let w = world(db.clone()).await;
    let (app, a) = (&w.app, Actor::cli());
    let admin = who_as(Role::SystemAdmin, "000000000000", 1);
    let before = dispatch_new(&w, "0104").await;

    // the next two weeks' weekdays off (by year, as each year is set whole)
    let today = linli_app::today();
    let mut by_year: BTreeMap<i32, Vec<(Date, DayKind, String)>> = BTreeMap::new();
    for n in 1..=14 {
        let d = today + Duration::days(n);
        if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
            by_year
                .entry(d.year())
                .or_default()
                .push((d, DayKind::Holiday, "测试假期".into()));
        }
    }
    assert!(matches!(
        app.set_calendar_year(&w.secretary, today.year(), &[], &a)
            .await,
        Err(AppError::Forbidden)
    ));
    for (year, days) in &by_year {
        app.set_calendar_year(&admin, *year, days, &a)
            .await
            .unwrap();
        assert_eq!(app.calendar_year(*year).await.unwrap().len(), days.len());
    }
    let after = dispatch_new(&w, "0104").await;
    let (d0, d1) = (before.due_at.unwrap(), after.due_at.unwrap());
    assert!(d1.0 - d0.0 >= 7 * 24 * 3600 * 1000, "{d0:?} → {d1:?}");
    // the earlier case keeps its deadline
    let v = app.case_view(&w.secretary, before.id).await.unwrap();
    assert_eq!(v.case.due_at, Some(d0));

    // bad years: a weekday make-up day, a date in another year
    let friday = (1..=7)
        .map(|n| today + Duration::days(n))
        .find(|d| d.weekday() == Weekday::Friday)
        .unwrap();
    for (year, days) in [
        (
            friday.year(),
            vec![(friday, DayKind::Workday, String::new())],
        ),
        (
            friday.year() + 1,
            vec![(friday, DayKind::Holiday, String::new())],
        ),
    ] {
        assert!(matches!(
            app.set_calendar_year(&admin, year, &days, &a).await,
            Err(AppError::Invalid(_))
        ));
    }
    // a bad attempt changed nothing
    let total: usize = by_year.values().map(Vec::len).sum();
    let mut now_total = 0;
    for year in by_year.keys() {
        now_total += app.calendar_year(*year).await.unwrap().len();
    }
    assert_eq!(now_total, total);
});

db_test!(the_category_tree_grows_and_retires, |db: Db| async move {
    let w = world(db.clone()).await;
    let (app, a) = (&w.app, Actor::cli());
    // the tree is every district's: set over the whole country only
    let admin = who_as(Role::SystemAdmin, "000000000000", 1);
    let district = who_as(Role::DistrictAdmin, "220103", 1);
    let new = |parent: Option<&str>, code: &str, name: &str| NewCategory {
        parent: parent.map(str::to_owned),
        code: code.into(),
        name: name.into(),
        deadline_days: 3,
        urgent_hours: 4,
    };
    assert!(matches!(
        app.add_case_category(&district, &new(Some("01"), "0188", "区里自加"), &a)
            .await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        app.add_case_category(&w.secretary, &new(None, "12", "物业服务"), &a)
            .await,
        Err(AppError::Forbidden)
    ));
    let top = app
        .add_case_category(&admin, &new(None, "12", "物业服务"), &a)
        .await;
    // the seeded tree may already use 12; pick a free top-level code
    let (top_code, top) = match top {
        Ok(t) => ("12".to_owned(), t),
        Err(AppError::Conflict(_)) => {
            let t = app
                .add_case_category(&admin, &new(None, "98", "测试大类"), &a)
                .await
                .unwrap();
            ("98".to_owned(), t)
        }
        Err(e) => panic!("{e}"),
    };
    assert!(top.parent_id.is_none());
    let child_code = format!("{top_code}01");
    let child = app
        .add_case_category(&admin, &new(Some(&top_code), &child_code, "电梯困人"), &a)
        .await
        .unwrap();
    assert_eq!(child.parent_id, Some(top.id));
    // three levels, a code not under its parent, a repeated code
    for (input, conflict) in [
        (
            new(Some(&child_code), &format!("{child_code}01"), "x"),
            false,
        ),
        (new(Some(&top_code), "0199", "x"), false),
        (new(Some(&top_code), &child_code, "again"), true),
    ] {
        let e = app.add_case_category(&admin, &input, &a).await.unwrap_err();
        assert_eq!(matches!(e, AppError::Conflict(_)), conflict, "{e}");
    }
    // a case files under the new one with its deadline; retired, it takes none
    let mut r = report(Some(gcj(w.spot)), None);
    r.category = Some(child_code.clone());
    let (c, _) = app.submit_case(Some(&w.resident), &r, &a).await.unwrap();
    assert_eq!(c.category_id, child.id);
    let off = CategoryChange {
        active: Some(false),
        ..CategoryChange::default()
    };
    let changed = app
        .change_case_category(&admin, &child_code, &off, &a)
        .await
        .unwrap();
    assert!(!changed.active);
    assert!(matches!(
        app.submit_case(Some(&w.resident), &r, &a).await,
        Err(AppError::Invalid(_))
    ));
    let longer = CategoryChange {
        deadline_days: Some(61),
        ..CategoryChange::default()
    };
    assert!(matches!(
        app.change_case_category(&admin, &child_code, &longer, &a)
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.change_case_category(&admin, "1007", &off, &a).await,
        Err(AppError::Invalid(_))
    ));
});
