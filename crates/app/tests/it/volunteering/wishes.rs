//! 微心愿 on both databases: a resident's wish is seen by no neighbour
//! until staff publish it, then with the name masked and no address; a
//! partner unit of the community sees it, one of another does not; a
//! resident who is no volunteer cannot claim; one claim wins; the claimer
//! sees who and where; staff confirm and the volunteer's points move once;
//! once claimed, neighbours and partners see it no more; a helper holds at
//! most three open claims.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::orders::{demo, residents};
use crate::common::{resident_user, who_as as who};
use linli_app::demo::COMMUNITY;
use linli_app::volunteering::{JoinInput, WISH_POINTS, WishInput};
use linli_app::{Actor, AppError};
use linli_domain::access::Role;
use linli_store::{Db, db_test};

db_test!(
    a_wish_is_published_masked_claimed_once_and_confirmed,
    |db: Db| async move {
        let app = demo(&db).await;
        let a = Actor::cli();
        let sec = who(Role::CommunitySecretary, COMMUNITY, 999_001);
        let people = residents(&db).await;
        let elder = who(
            Role::Resident,
            COMMUNITY,
            resident_user(&app, "xinyuan", people[40], &sec).await,
        );
        let neighbour = who(
            Role::Resident,
            COMMUNITY,
            resident_user(&app, "linju", people[41], &sec).await,
        );
        let member = who(
            Role::PartyMember,
            COMMUNITY,
            resident_user(&app, "dangyuan2", people[42], &sec).await,
        );
        app.join_volunteers(
            &member,
            &JoinInput {
                skills: "跑腿".into(),
                employer_org: None,
            },
            &a,
        )
        .await
        .unwrap();
        let partner = who(Role::PartnerUnit, COMMUNITY, 999_010);
        let elsewhere = who(Role::PartnerUnit, "220103008004", 999_011);

        assert!(
            app.post_wish(
                &elder,
                &WishInput {
                    title: " ".into(),
                    body: "x".into(),
                    ..Default::default()
                },
                &a
            )
            .await
            .is_err()
        );
        let id = app
            .post_wish(
                &elder,
                &WishInput {
                    title: "一件过冬的棉衣".into(),
                    body: "老伴走了,冬天冷".into(),
                    ..Default::default()
                },
                &a,
            )
            .await
            .unwrap();
        let own = app.wish(&elder, id).await.unwrap();
        assert!(own.place.is_some() && !own.for_name.contains('*'));
        for w in [&neighbour, &member, &partner] {
            assert!(
                matches!(app.wish(w, id).await, Err(AppError::NotFound)),
                "not yet published"
            );
        }
        assert!(app.move_wish(&member, id, "publish", "", &a).await.is_err());
        assert!(
            app.move_wish(&sec, id, "decline", "", &a).await.is_err(),
            "a reason"
        );
        app.move_wish(&sec, id, "publish", "", &a).await.unwrap();

        let seen = app.wish(&neighbour, id).await.unwrap();
        assert!(seen.for_name.contains('*') && seen.place.is_none());
        assert!(!seen.can_claim, "a resident who is no volunteer");
        assert!(
            app.move_wish(&neighbour, id, "claim", "", &a)
                .await
                .is_err()
        );
        assert!(
            app.wishes(&partner)
                .await
                .unwrap()
                .iter()
                .any(|w| w.id == id)
        );
        assert!(
            !app.wishes(&elsewhere)
                .await
                .unwrap()
                .iter()
                .any(|w| w.id == id)
        );
        assert!(matches!(
            app.wish(&elsewhere, id).await,
            Err(AppError::NotFound)
        ));
        assert!(
            !app.wish(&elder, id).await.unwrap().can_claim,
            "not one's own"
        );

        app.move_wish(&member, id, "claim", "", &a).await.unwrap();
        // a neighbour sees the claimed wish no more
        assert!(matches!(
            app.wish(&neighbour, id).await,
            Err(AppError::NotFound)
        ));
        assert!(
            app.move_wish(&partner, id, "claim", "", &a).await.is_err(),
            "one claim wins"
        );
        let mine = app.wish(&member, id).await.unwrap();
        assert!(mine.place.is_some() && !mine.for_name.contains('*') && mine.can_deliver);
        assert!(
            app.move_wish(&partner, id, "deliver", "送到了", &a)
                .await
                .is_err()
        );
        assert!(
            app.move_wish(&member, id, "deliver", "", &a).await.is_err(),
            "how"
        );
        app.move_wish(&member, id, "deliver", "棉衣已送到家中", &a)
            .await
            .unwrap();
        assert!(app.move_wish(&member, id, "confirm", "", &a).await.is_err());
        app.move_wish(&sec, id, "confirm", "", &a).await.unwrap();
        assert!(
            app.move_wish(&sec, id, "confirm", "", &a).await.is_err(),
            "once"
        );
        assert_eq!(
            app.my_balances(&member).await.unwrap().unwrap().points,
            WISH_POINTS
        );
        // who helped whom stays between them and staff
        assert!(matches!(
            app.wish(&neighbour, id).await,
            Err(AppError::NotFound)
        ));
        assert!(
            !app.wishes(&partner)
                .await
                .unwrap()
                .iter()
                .any(|w| w.id == id)
        );
        assert_eq!(app.wish(&elder, id).await.unwrap().state, "已完成");
        let h = app.ledger_health().await.unwrap();
        assert!(
            h.total == 0
                && h.unbalanced.is_empty()
                && h.drifted.is_empty()
                && h.rollups_off.is_empty()
        );

        // at most three open claims each
        let mut open = Vec::new();
        for k in 0..4 {
            let w = app
                .post_wish(
                    &elder,
                    &WishInput {
                        title: format!("心愿{k}"),
                        body: "x".into(),
                        ..Default::default()
                    },
                    &a,
                )
                .await
                .unwrap();
            app.move_wish(&sec, w, "publish", "", &a).await.unwrap();
            open.push(w);
        }
        for w in &open[..3] {
            app.move_wish(&member, *w, "claim", "", &a).await.unwrap();
        }
        let e = app
            .move_wish(&member, open[3], "claim", "", &a)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("3 个"), "{e}");
    }
);
