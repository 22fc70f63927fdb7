//! `linli check` on both databases: a fresh community is clean; a row
//! pointing at nothing and an altered audit record are each reported.
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
        let orphan = if db.backend() == linli_store::Backend::Sqlite {
            "PRAGMA foreign_keys = OFF; INSERT INTO households (community_code, dwelling_id, created_at) VALUES ('220103008003', 987654321, 0); PRAGMA foreign_keys = ON"
        } else {
            "SET session_replication_role = replica; INSERT INTO households (community_code, dwelling_id, created_at) VALUES ('220103008003', 987654321, 0); SET session_replication_role = DEFAULT"
        };
        exec(&db, orphan).await;
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

        drop_audit_guards(&db).await;
        exec(&db, "UPDATE audit_log SET detail = 'changed' WHERE seq = 1").await;
        let broken = app.check().await.unwrap();
        assert!(!broken.checks[1].1.is_empty(), "{broken:?}");
    }
);
