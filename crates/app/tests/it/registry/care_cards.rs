//! The anti-wandering QR card on both databases: issue within scope, a
//! public page that shows only masked data, a human check before the
//! guardian's phone, logged scans with coarse places, notifications, and
//! revocation that kills the old code at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::who_as as who;

use linli_app::demo::COMMUNITY;
use linli_app::infra::crypto::{CipherKind, Keyring};
use linli_app::registry::ResidentQuery;
use linli_app::registry::care_cards::{CHECKS_PER_HOUR, CardInput};
use linli_app::{Actor, App, AppConfig, AppError};
use linli_domain::access::Role;
use linli_store::{Db, db_test, testing};
use std::sync::Arc;

/// Four digits that are not `code`.
fn not(code: &str) -> String {
    if code == "1234" { "4321" } else { "1234" }.to_owned()
}

fn input(consent: bool) -> CardInput {
    CardInput {
        guardian_name: "王建国".into(),
        guardian_relation: "女儿".into(),
        guardian_phone: "13900001111".into(),
        hotline: "0431-85551234".into(),
        medical_consent: consent,
        guardian_username: None,
    }
}

db_test!(
    a_card_shows_little_checks_people_and_dies_when_revoked,
    |db: Db| async move {
        let app = App::new(db.clone(), AppConfig::default())
            .with_crypto(Arc::new(Keyring::generate(CipherKind::Sm4Gcm).unwrap()));
        app.seed_demo_community().await.unwrap().unwrap();
        app.seed_demo_residents().await.unwrap().unwrap();
        let a = Actor::cli();
        let grid1 = format!("{COMMUNITY}001");
        let wangge1_id = {
            let mut conn = db.conn().await.unwrap();
            linli_store::accounts::users::id_by_username(&mut conn, "wangge1")
                .await
                .unwrap()
                .unwrap()
        };
        let worker1 = who(Role::GridWorker, &grid1, wangge1_id);
        let worker2 = who(Role::GridWorker, &format!("{COMMUNITY}002"), 999_999);
        let street = who(Role::StreetAdmin, "220103008", 999_998);
        let q = ResidentQuery {
            age_min: Some(75),
            limit: Some(1),
            ..Default::default()
        };
        let elder = app
            .list_residents(&worker1, &q, &Actor::cli())
            .await
            .unwrap()
            .rows
            .remove(0);
        app.set_health_note(&worker1, elder.id, Some("阿尔茨海默病,随身带药"), &a)
            .await
            .unwrap();

        assert!(matches!(
            app.issue_card(&worker2, elder.id, &input(false), &a).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.issue_card(&street, elder.id, &input(false), &a).await,
            Err(AppError::Forbidden)
        ));
        let mut bad = input(false);
        bad.guardian_phone = "12345".into();
        assert!(matches!(
            app.issue_card(&worker1, elder.id, &bad, &a).await,
            Err(AppError::Invalid(_))
        ));

        let first = app
            .issue_card(&worker1, elder.id, &input(false), &a)
            .await
            .unwrap();
        let token = first.token.expose().to_owned();
        assert_eq!(token.len(), 32, "128 bits, hex");
        // only the token's hash is stored, and the guardian's phone is sealed
        let text = testing::table_text(&db, "care_cards").await;
        assert!(!text.contains(&token) && !text.contains("13900001111"));

        let (page, challenge) = app.scan_card(&token).await.unwrap();
        assert!(page.masked_name.ends_with('*') && !page.masked_name.contains(&elder.name[3..]));
        assert_eq!(
            (page.hotline.as_str(), page.medical_note.as_deref()),
            ("043185551234", None)
        );
        // the guardian by relation, never by name
        assert_eq!(page.guardian_relation, "女儿");
        let code = first.check_code.expose().to_owned();
        assert!(code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()));
        assert!(
            challenge.question.contains("4 位数字"),
            "{}",
            challenge.question
        );
        assert!(
            !testing::table_text(&db, "care_cards")
                .await
                .contains(&format!("|{code}"))
        );

        // the human check: a wrong answer or a forged state shows nothing,
        // and a check is spent whatever the answer
        let wrong = app
            .reveal_guardian(&token, &not(&code), &challenge.state, None)
            .await;
        assert!(matches!(wrong, Err(AppError::Invalid(_))), "{wrong:?}");
        let again = app
            .reveal_guardian(&token, &code, &challenge.state, None)
            .await;
        assert!(
            matches!(&again, Err(AppError::Invalid(m)) if m.contains("用过")),
            "{again:?}"
        );
        let forged = format!("{}.{}.{}", i64::MAX, "ab".repeat(16), "0".repeat(32));
        assert!(
            app.reveal_guardian(&token, &code, &forged, None)
                .await
                .is_err()
        );
        let (_, fresh) = app.card_page_again(&token).await.unwrap();
        let g = app
            .reveal_guardian(
                &token,
                &code,
                &fresh.state,
                Some((125.33061234, 43.91895678)),
            )
            .await
            .unwrap();
        assert_eq!(
            (g.relation.as_str(), g.phone.as_str()),
            ("女儿", "13900001111")
        );
        // a card answers only a few checks an hour, right or wrong
        for _ in 2..CHECKS_PER_HOUR {
            let (_, c) = app.card_page_again(&token).await.unwrap();
            assert!(
                app.reveal_guardian(&token, &not(&code), &c.state, None)
                    .await
                    .is_err()
            );
        }
        let (_, c) = app.card_page_again(&token).await.unwrap();
        let limited = app.reveal_guardian(&token, &code, &c.state, None).await;
        assert!(matches!(limited, Err(AppError::TooMany(_))), "{limited:?}");
        // a card from before the printed digits shows its hotline only
        testing::exec(&db, "UPDATE care_cards SET check_hash = NULL").await;
        testing::exec(&db, "DELETE FROM care_card_checks").await;
        let (_, c) = app.card_page_again(&token).await.unwrap();
        let sum: u64 = c
            .question
            .split(|ch: char| !ch.is_ascii_digit())
            .filter_map(|s| s.parse::<u64>().ok())
            .sum();
        let legacy = app
            .reveal_guardian(&token, &sum.to_string(), &c.state, None)
            .await;
        assert!(
            matches!(&legacy, Err(AppError::Invalid(m)) if m.contains("重新发放")),
            "{legacy:?}"
        );

        // the scans are logged, the place rounded to ~100 m; the grid worker is told
        let (cards, scans) = app.card_history(&worker1, elder.id).await.unwrap();
        assert_eq!(cards.len(), 1);
        assert_eq!(scans.len(), 2);
        assert!(scans[0].revealed && !scans[1].revealed);
        assert_eq!(scans[0].lng_lat, Some((125.331, 43.919)));
        let (inbox, unread) = app.notifications(&worker1).await.unwrap();
        assert_eq!(unread, 1);
        assert!(inbox[0].body.contains(&elder.name) && inbox[0].body.contains("125.331"));
        let (other, _) = app.notifications(&worker2).await.unwrap();
        assert!(other.is_empty());

        // re-issuing with the medical consent kills the old code at once
        let second = app
            .issue_card(&worker1, elder.id, &input(true), &a)
            .await
            .unwrap();
        assert!(matches!(
            app.scan_card(&token).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.reveal_guardian(&token, "1", "1.x", None).await,
            Err(AppError::NotFound)
        ));
        let (page, _) = app.scan_card(second.token.expose()).await.unwrap();
        assert_eq!(page.medical_note.as_deref(), Some("阿尔茨海默病,随身带药"));
        app.revoke_card(&worker1, elder.id, &a).await.unwrap();
        assert!(matches!(
            app.scan_card(second.token.expose()).await,
            Err(AppError::NotFound)
        ));
        for junk in ["", "zz", &"g".repeat(32), "../../etc/passwd"] {
            assert!(
                matches!(app.scan_card(junk).await, Err(AppError::NotFound)),
                "{junk}"
            );
        }
        // every issue and revoke is audited
        let log = testing::table_text(&db, "audit_log").await;
        assert_eq!(
            (
                log.matches("card.issue").count(),
                log.matches("card.revoke").count()
            ),
            (2, 1)
        );
    }
);
