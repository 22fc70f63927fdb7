//! Merging a case into another moves its people onto the target: the
//! caller must manage both (issue 17, item 19). Before, any reach of the
//! target — even being its reporter — let staff of one grid merge their
//! case into one they could not manage.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::cases::{gcj, report, world};
use crate::common::who_as;
use linli_app::cases::StepInput;
use linli_app::demo::COMMUNITY;
use linli_app::{Actor, AppError};
use linli_domain::access::Role;
use linli_domain::cases::Step;
use linli_store::{Db, db_test};

db_test!(
    a_merge_needs_the_caller_to_manage_both_cases,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let (app, a) = (&w.app, Actor::cli());
        // a case in grid 1, and one in the community's intake queue that the
        // grid-1 staff member reported themselves
        let (mine, _) = app
            .submit_case(Some(&w.resident), &report(Some(gcj(w.spot)), None), &a)
            .await
            .unwrap();
        let mut queued = report(None, None);
        queued.community = Some(COMMUNITY.parse().unwrap());
        let (theirs, _) = app
            .submit_case(Some(&w.neighbour), &queued, &a)
            .await
            .unwrap();
        assert_eq!(theirs.scope, COMMUNITY);
        // community staff over grid 1 only, who is the second case's reporter
        let staff = who_as(
            Role::CommunityStaff,
            &format!("{COMMUNITY}001"),
            w.neighbour.user_id,
        );
        app.case_step(&staff, mine.id, Step::Accept, &StepInput::default(), &a)
            .await
            .unwrap();
        let into = |target: i64| StepInput {
            note: "同一处油污".into(),
            merge_into: Some(target),
            ..StepInput::default()
        };
        let refused = app
            .case_step(&staff, mine.id, Step::Merge, &into(theirs.id), &a)
            .await;
        assert!(
            matches!(&refused, Err(AppError::Invalid(m)) if m.contains("合并目标")),
            "{refused:?}"
        );
        // the secretary manages both: the merge goes through
        app.case_step(
            &w.secretary,
            theirs.id,
            Step::Accept,
            &StepInput::default(),
            &a,
        )
        .await
        .unwrap();
        let merged = app
            .case_step(&w.secretary, mine.id, Step::Merge, &into(theirs.id), &a)
            .await
            .unwrap();
        assert_eq!(merged.merged_into, Some(theirs.id));
    }
);
