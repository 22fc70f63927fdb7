//! Storage tests: each runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_domain::access::{Grant, Role};
use linli_domain::account::LockState;
use linli_domain::audit::{AuditEvent, ChainBreak, ChainVerifier, Outcome};
use linli_domain::time::UnixMs;
use linli_store::testing::{TestDb, drop_audit_guards, exec, schema_columns};
use linli_store::users::NewUser;
use linli_store::{Backend, Db, StoreError, audit, db_test, sessions, tokens, users};

async fn add_user(db: &Db, name: &str) -> i64 {
    let mut c = db.conn().await.unwrap();
    users::insert(
        &mut c,
        NewUser {
            username: name,
            display_name: "王丽",
            password_hash: "h",
            must_change_password: true,
            now: UnixMs(5),
        },
    )
    .await
    .unwrap()
}

fn event(action: &str) -> AuditEvent {
    AuditEvent {
        actor_id: None,
        actor_name: "cli".into(),
        action: action.into(),
        object: "user:1".into(),
        outcome: Outcome::Ok,
        source: "cli".into(),
        detail: "长山花园".into(),
    }
}

async fn verify(db: &Db) -> Result<i64, ChainBreak> {
    let mut c = db.conn().await.unwrap();
    let mut v = ChainVerifier::default();
    let mut after = 0;
    loop {
        let page = audit::page(&mut c, after, 3).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        for r in &page {
            v.push(r)?;
        }
    }
    let (seq, hash) = audit::head(&mut c).await.unwrap();
    v.finish(seq, &hash)
}

#[test]
fn migrations_are_in_lock_step() {
    let names = |b| Db::migrations(b);
    assert!(!names(Backend::Sqlite).is_empty());
    assert_eq!(names(Backend::Sqlite), names(Backend::Postgres));
}

/// The two migration trees give the same tables, columns and nullability.
#[tokio::test]
async fn schemas_match_across_backends() {
    let sqlite = TestDb::create(Backend::Sqlite).await.unwrap();
    let Some(pg) = TestDb::create(Backend::Postgres).await else {
        eprintln!("skipped: LINLI_TEST_POSTGRES_URL is not set");
        sqlite.cleanup().await;
        return;
    };
    let (a, b) = (
        schema_columns(&sqlite.db).await,
        schema_columns(&pg.db).await,
    );
    sqlite.cleanup().await;
    pg.cleanup().await;
    assert!(a.iter().any(|(t, c, _)| t == "audit_log" && c == "hash"));
    assert_eq!(a, b);
}

db_test!(
    users_round_trip_with_chinese_text_and_unique_names,
    |db: Db| async move {
        let id = add_user(&db, "wangli").await;
        let mut c = db.conn().await.unwrap();
        let u = users::find(&mut c, id).await.unwrap().unwrap();
        assert_eq!(
            (u.username.as_str(), u.display_name.as_str()),
            ("wangli", "王丽")
        );
        assert!(u.must_change_password && !u.disabled);
        let dup = users::insert(
            &mut c,
            NewUser {
                username: "wangli",
                display_name: "x",
                password_hash: "h",
                must_change_password: false,
                now: UnixMs(6),
            },
        )
        .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
        assert_eq!(users::count(&mut c).await.unwrap(), 1);
    }
);

db_test!(grants_are_idempotent_and_read_back, |db: Db| async move {
    let id = add_user(&db, "gridw").await;
    let mut c = db.conn().await.unwrap();
    // no grants yet: the user is found, with none
    let (u, none) = users::find_with_grants(&mut c, id).await.unwrap().unwrap();
    assert_eq!((u.username.as_str(), none.len()), ("gridw", 0));
    let g = Grant {
        role: Role::GridWorker,
        scope: "220103008003".parse().unwrap(),
    };
    assert!(users::grant(&mut c, id, &g, None, UnixMs(1)).await.unwrap());
    assert!(!users::grant(&mut c, id, &g, None, UnixMs(2)).await.unwrap());
    assert_eq!(users::grants(&mut c, id).await.unwrap(), vec![g.clone()]);
    let second = Grant {
        role: Role::CommunityStaff,
        scope: "220103008003".parse().unwrap(),
    };
    users::grant(&mut c, id, &second, None, UnixMs(3))
        .await
        .unwrap();
    // the one-statement read gives what the two give
    let (u, both) = users::find_with_grants(&mut c, id).await.unwrap().unwrap();
    assert_eq!(u, users::find(&mut c, id).await.unwrap().unwrap());
    assert_eq!(both, users::grants(&mut c, id).await.unwrap());
    assert_eq!(both.len(), 2);
    assert!(
        users::find_with_grants(&mut c, id + 999)
            .await
            .unwrap()
            .is_none()
    );
});

db_test!(lock_state_and_login_are_stored, |db: Db| async move {
    let id = add_user(&db, "locky").await;
    let mut c = db.conn().await.unwrap();
    let locked = LockState {
        failed_logins: 0,
        locked_until: Some(UnixMs(99_000)),
    };
    users::set_lock_state(&mut c, id, locked).await.unwrap();
    assert_eq!(
        users::find_for_login(&mut c, "locky")
            .await
            .unwrap()
            .unwrap()
            .lock,
        locked
    );
    users::record_login(&mut c, id, UnixMs(100_000))
        .await
        .unwrap();
    let l = users::find_for_login(&mut c, "locky")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        l.lock,
        LockState {
            failed_logins: 0,
            locked_until: None
        }
    );
    assert!(
        users::find_for_login(&mut c, "nobody")
            .await
            .unwrap()
            .is_none()
    );
});

db_test!(sessions_end_per_user_and_on_expiry, |db: Db| async move {
    let a = add_user(&db, "alice").await;
    let b = add_user(&db, "bobby").await;
    let mut c = db.conn().await.unwrap();
    sessions::insert(&mut c, "s1", a, UnixMs(1000))
        .await
        .unwrap();
    sessions::insert(&mut c, "s2", a, UnixMs(1000))
        .await
        .unwrap();
    sessions::insert(&mut c, "s3", b, UnixMs(5000))
        .await
        .unwrap();
    assert_eq!(
        sessions::delete_for_user(&mut c, a, Some("s2"))
            .await
            .unwrap(),
        1
    );
    assert!(sessions::find(&mut c, "s1").await.unwrap().is_none());
    assert_eq!(
        sessions::find(&mut c, "s2").await.unwrap().unwrap().user_id,
        a
    );
    sessions::touch(&mut c, "s2", UnixMs(9000)).await.unwrap();
    assert_eq!(
        sessions::delete_expired(&mut c, UnixMs(6000), UnixMs(0))
            .await
            .unwrap(),
        1
    );
    assert!(sessions::find(&mut c, "s3").await.unwrap().is_none());
    assert_eq!(
        sessions::find(&mut c, "s2")
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        UnixMs(9000)
    );
});

db_test!(
    tokens_are_found_by_hash_until_revoked_by_their_owner,
    |db: Db| async move {
        let a = add_user(&db, "alice").await;
        let b = add_user(&db, "bobby").await;
        let mut c = db.conn().await.unwrap();
        let id = tokens::insert(
            &mut c,
            tokens::NewToken {
                user_id: a,
                name: "脚本",
                hash: "h1",
                prefix: "abcd",
                now: UnixMs(1),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            tokens::find_active(&mut c, "h1")
                .await
                .unwrap()
                .map(|t| (t.id, t.user_id)),
            Some((id, a))
        );
        assert!(
            !tokens::revoke(&mut c, b, id, UnixMs(2)).await.unwrap(),
            "someone else's token"
        );
        assert!(tokens::revoke(&mut c, a, id, UnixMs(2)).await.unwrap());
        assert_eq!(tokens::find_active(&mut c, "h1").await.unwrap(), None);
        let listed = tokens::list(&mut c, a).await.unwrap();
        assert_eq!(
            (listed.len(), listed[0].name.as_str(), listed[0].revoked_at),
            (1, "脚本", Some(UnixMs(2)))
        );
    }
);

db_test!(
    audit_appends_chain_and_serialise_under_concurrency,
    |db: Db| async move {
        let mut tasks = Vec::new();
        for i in 0..24 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                audit::append(&mut tx, event(&format!("t.{i}")), UnixMs(i))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(verify(&db).await, Ok(24));
        // a rolled-back action leaves no record and no gap
        let mut tx = db.begin().await.unwrap();
        audit::append(&mut tx, event("rolled.back"), UnixMs(99))
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(verify(&db).await, Ok(24));
    }
);

db_test!(
    audit_log_refuses_changes_and_verification_finds_tampering,
    |db: Db| async move {
        for i in 0..5 {
            let mut tx = db.begin().await.unwrap();
            audit::append(&mut tx, event(&format!("a.{i}")), UnixMs(i))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        // the database itself refuses edits
        let mut c = db.conn().await.unwrap();
        assert!(
            sqlx_exec(
                &mut c,
                "UPDATE audit_log SET outcome = 'failed' WHERE seq = 2"
            )
            .await
            .is_err()
        );
        assert!(
            sqlx_exec(&mut c, "DELETE FROM audit_log WHERE seq = 2")
                .await
                .is_err()
        );
        drop(c);
        assert_eq!(verify(&db).await, Ok(5));

        // an attacker who drops the guards is still caught
        drop_audit_guards(&db).await;
        exec(
            &db,
            "UPDATE audit_log SET actor_name = 'someone' WHERE seq = 2",
        )
        .await;
        assert_eq!(verify(&db).await, Err(ChainBreak::Altered { seq: 2 }));
        exec(&db, "DELETE FROM audit_log WHERE seq = 2").await;
        assert_eq!(
            verify(&db).await,
            Err(ChainBreak::Gap {
                previous: 1,
                found: 3
            })
        );
    }
);

async fn sqlx_exec(c: &mut linli_store::Conn, sql: &'static str) -> Result<(), StoreError> {
    use linli_store::testing::try_exec;
    try_exec(c, sql).await
}
