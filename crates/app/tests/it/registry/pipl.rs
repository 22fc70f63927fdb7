//! Residents' rights over their data (PIPL arts. 44–47) on both databases:
//! a resident bound to an account sees their household (their own numbers
//! in full, the others' masked), downloads it, asks for a correction; staff
//! in scope see and resolve it; nobody else does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::who_as as who;

use linli_app::accounts::NewAccount;
use linli_app::demo::COMMUNITY;
use linli_app::infra::crypto::{CipherKind, Keyring};
use linli_app::registry::{ResidentQuery, RevealField};
use linli_app::{Actor, App, AppConfig, AppError};
use linli_domain::access::{Grant, Role};
use linli_domain::secret::Secret;
use linli_store::{Db, db_test, testing};
use std::sync::Arc;

db_test!(
    a_resident_sees_downloads_and_corrects_their_data,
    |db: Db| async move {
        let app = App::new(db.clone(), AppConfig::default())
            .with_crypto(Arc::new(Keyring::generate(CipherKind::Sm4Gcm).unwrap()));
        app.seed_demo_community().await.unwrap().unwrap();
        app.seed_demo_residents().await.unwrap().unwrap();
        let a = Actor::cli();
        let sec = who(Role::CommunitySecretary, COMMUNITY, 999_001);
        // someone who lives with others
        let page = app
            .list_residents(
                &sec,
                &ResidentQuery {
                    limit: Some(200),
                    ..Default::default()
                },
                &Actor::cli(),
            )
            .await
            .unwrap();
        let me = page
            .rows
            .iter()
            .find(|r| {
                page.rows
                    .iter()
                    .filter(|o| o.household_id == r.household_id)
                    .count()
                    >= 2
            })
            .unwrap()
            .clone();
        let user_id = app
            .create_user(
                NewAccount {
                    username: "jumin1".into(),
                    display_name: Some(me.name.clone()),
                    password: Secret::new("Jumin-Mima-2026-ok"),
                    grants: vec![Grant {
                        role: Role::Resident,
                        scope: COMMUNITY.parse().unwrap(),
                    }],
                    must_change_password: false,
                },
                &a,
            )
            .await
            .unwrap();
        let resident = who(Role::Resident, COMMUNITY, user_id);
        // not bound yet: a clear message
        assert!(matches!(
            app.my_data(&resident, &a).await,
            Err(AppError::Invalid(_))
        ));
        // a grid worker of another grid cannot bind; the secretary can
        let other = who(Role::GridWorker, &format!("{COMMUNITY}010"), 999_002);
        if !me.scope.as_str().ends_with("010") {
            // outside the worker's grid the person does not exist for them
            assert!(matches!(
                app.link_resident_account(&other, me.id, "jumin1", &a).await,
                Err(AppError::NotFound)
            ));
        }
        app.link_resident_account(&sec, me.id, "jumin1", &a)
            .await
            .unwrap();

        let data = app.my_data(&resident, &a).await.unwrap();
        assert_eq!(data.me.id, me.id);
        // their own number in full: what staff see when they reveal it
        let planted = app
            .reveal(&sec, me.id, RevealField::IdNumber, "核对本人信息", &a)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(data.id_number, planted);
        assert!(!data.id_number.contains('*'), "{}", data.id_number);
        assert!(!data.members.is_empty());
        assert!(
            data.members
                .iter()
                .all(|m| m.doc_masked.contains("********"))
        );
        // the resident still cannot use the staff list
        assert!(matches!(
            app.list_residents(&resident, &ResidentQuery::default(), &Actor::cli())
                .await,
            Err(AppError::Forbidden)
        ));
        let book = App::my_data_xlsx(&data).unwrap();
        let (sheet, _) = linli_app::infra::xlsx::read_first_sheet(&book).unwrap();
        assert_eq!(sheet.rows.len(), 1 + data.members.len());
        assert!(sheet.rows[0].1.contains(&planted), "{:?}", sheet.rows[0].1);
        assert!(
            !sheet.rows[0].1.iter().any(|cell| cell.contains('*')),
            "{:?}",
            sheet.rows[0].1
        );

        // a correction request: sealed at rest, seen and resolved by staff in scope
        assert!(matches!(
            app.request_correction(&resident, "工资", "1", "", &a).await,
            Err(AppError::Invalid(_))
        ));
        let req = app
            .request_correction(&resident, "联系电话", "13912345678", "换了新号码", &a)
            .await
            .unwrap();
        assert!(
            !testing::table_text(&db, "correction_requests")
                .await
                .contains("13912345678")
        );
        let open = app.open_corrections(&sec).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(
            (open[0].value.as_str(), open[0].request.field.as_str()),
            ("13912345678", "联系电话")
        );
        assert!(matches!(
            app.open_corrections(&resident).await,
            Err(AppError::Forbidden)
        ));
        let street = who(Role::StreetAdmin, "220103008", 999_003);
        assert!(matches!(
            app.open_corrections(&street).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            app.resolve_correction(&sec, req, true, "", &a).await,
            Err(AppError::Invalid(_))
        ));
        app.resolve_correction(&sec, req, true, "已核实并更新", &a)
            .await
            .unwrap();
        assert!(matches!(
            app.resolve_correction(&sec, req, false, "再次", &a).await,
            Err(AppError::Conflict(_))
        ));
        assert!(app.open_corrections(&sec).await.unwrap().is_empty());
        let data = app.my_data(&resident, &a).await.unwrap();
        assert_eq!(data.corrections[0].status, "done");
        // every access of one's own data is audited
        let log = testing::table_text(&db, "audit_log").await;
        assert_eq!(log.matches("pipl.access").count(), 2);
    }
);
