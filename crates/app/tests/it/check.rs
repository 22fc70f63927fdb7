//! `linli check` on both databases: a fresh community is clean; a row
//! pointing at nothing, a photo the object store lacks and an altered
//! audit record are each reported.
#![allow(clippy::unwrap_used)]

use linli_app::{App, AppConfig};
use linli_store::testing::{drop_audit_guards, exec};
use linli_store::{Db, db_test};

db_test!(
    check_finds_orphans_and_a_broken_chain,
    |db: Db| async move {
        let app = App::new(db.clone(), AppConfig::default());
        app.seed_demo_community().await.unwrap();
        let clean = app.check().await.unwrap();
        assert!(clean.ok(), "{clean:?}");

        // a household in a dwelling that does not exist, written with the
        // database's own checks off (as a bad restore or a hand edit would)
        // and a photo row whose image is not in the object store
        let rows = [
            "INSERT INTO households (community_code, dwelling_id, created_at) VALUES ('220103008003', 987654321, 0)",
            "INSERT INTO case_photos (case_id, event_id, stage, object_key, bytes, width, height, sm3, created_at) VALUES (1, 1, 'report', 'photos/ab/abcd.jpg', 1000, 10, 10, 'abcd', 0)",
        ];
        for row in rows {
            let unchecked = if db.backend() == linli_store::Backend::Sqlite {
                format!("PRAGMA foreign_keys = OFF; {row}; PRAGMA foreign_keys = ON")
            } else {
                format!(
                    "SET session_replication_role = replica; {row}; SET session_replication_role = DEFAULT"
                )
            };
            exec(&db, &unchecked).await;
        }
        let found = app.check().await.unwrap();
        assert!(!found.ok());
        let database = &found.checks[0].1;
        assert!(
            database
                .iter()
                .any(|p| p.contains("households") && p.contains("dwellings")),
            "{database:?}"
        );
        assert!(found.checks[1].1.is_empty());
        assert_eq!(found.checks[2].0, "photos");
        assert!(
            found.checks[2]
                .1
                .iter()
                .any(|p| p.contains("photos/ab/abcd.jpg")),
            "{:?}",
            found.checks[2].1
        );

        drop_audit_guards(&db).await;
        exec(&db, "UPDATE audit_log SET detail = 'changed' WHERE seq = 1").await;
        let broken = app.check().await.unwrap();
        assert!(!broken.checks[1].1.is_empty(), "{broken:?}");
    }
);
