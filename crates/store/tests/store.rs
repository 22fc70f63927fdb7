//! Storage tests: each runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_domain::access::{Grant, Role};
use linli_domain::accounts::LockState;
use linli_domain::audit::{AuditEvent, ChainBreak, ChainVerifier, Outcome};
use linli_domain::time::UnixMs;
use linli_store::accounts::users::NewUser;
use linli_store::testing::{TestDb, drop_audit_guards, exec, schema_columns};
use linli_store::{
    Backend, Db, StoreError, accounts::sessions, accounts::tokens, accounts::users, audit, db_test,
};

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
        failed_logins: 3,
        locked_until: Some(UnixMs(99_000)),
        ..LockState::default()
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
    assert_eq!(l.lock, LockState::default());
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

db_test!(
    a_batch_commits_together_and_a_bad_write_fails_alone,
    |db: Db| async move {
        use linli_store::batch::{BatchFn, Batcher};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let widest = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&widest);
        // each write is an audit record; a batch holding "refused" writes its
        // records, then fails (so they must roll back)
        let run: BatchFn<String, i64, StoreError> = Arc::new(move |conn, inputs| {
            let first = seen.fetch_max(inputs.len(), Ordering::SeqCst) == 0;
            Box::pin(async move {
                if first {
                    // the first batch dawdles, so the others queue behind it
                    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                }
                let events = inputs.iter().map(|i| (event(i), UnixMs(7))).collect();
                let records = audit::append_all(conn, events).await?;
                if inputs.iter().any(|i| i == "refused") {
                    return Err(StoreError::Conflict("refused".into()));
                }
                Ok(records.iter().map(|r| r.seq).collect())
            })
        });
        let batcher = Batcher::start(db.clone(), run);
        let lead = {
            let b = batcher.clone();
            tokio::spawn(async move { b.submit("lead".into()).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let b = batcher.clone();
            let input = if i == 17 {
                "refused".into()
            } else {
                format!("w.{i}")
            };
            tasks.push(tokio::spawn(async move { b.submit(input).await }));
        }
        let mut seqs = vec![lead.await.unwrap().unwrap()];
        let mut refused = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(seq) => seqs.push(seq),
                Err(StoreError::Conflict(_)) => refused += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(widest.load(Ordering::SeqCst) > 1, "writes were batched");
        assert_eq!(refused, 1, "only the bad write failed");
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=40).collect::<Vec<i64>>(), "no gap, no repeat");
        assert_eq!(verify(&db).await, Ok(40));
        let log = linli_store::testing::table_text(&db, "audit_log").await;
        assert!(!log.contains("refused"));
    }
);

db_test!(
    roll_ups_of_many_keys_are_summed_before_they_are_written,
    |db: Db| async move {
        use linli_domain::cases::Counter;
        use linli_store::cases::stats::{self, Breakdown, StatKey};
        let scopes: Vec<String> = vec!["220103".into(), "220103008".into()];
        let key = |category_id, channel| StatKey {
            scopes: &scopes,
            day: 20261203,
            category_id,
            channel,
            handler: "",
        };
        let one = [(Counter::Received, 1)];
        let two = [
            (Counter::Received, 1),
            (Counter::Valid, 1),
            (Counter::Received, 1),
        ];
        let mut tx = db.begin().await.unwrap();
        let bumps = [
            (key(4, "resident"), &one[..]),
            (key(4, "resident"), &two[..]),
            (key(5, "patrol"), &one[..]),
        ];
        stats::bump_all(&mut tx, &bumps).await.unwrap();
        stats::bump(&mut tx, &key(5, "resident"), &one)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut c = db.conn().await.unwrap();
        for scope in &scopes {
            let total = stats::sum(&mut c, scope, 20261203, 20261203, Breakdown::Total)
                .await
                .unwrap();
            assert_eq!((total[0].1.received, total[0].1.valid), (5, 1), "{scope}");
            let mut by = stats::sum(&mut c, scope, 20261203, 20261203, Breakdown::Category)
                .await
                .unwrap();
            by.sort_by(|a, b| a.0.cmp(&b.0));
            let got: Vec<(&str, u64)> = by.iter().map(|(k, n)| (k.as_str(), n.received)).collect();
            assert_eq!(got, [("4", 3), ("5", 2)]);
            let by = stats::sum(&mut c, scope, 20261203, 20261203, Breakdown::Channel)
                .await
                .unwrap();
            assert_eq!(by.len(), 2);
        }
    }
);

db_test!(the_login_throttle_is_kept_per_key, |db: Db| async move {
    use linli_store::accounts::throttle;
    let mut c = db.conn().await.unwrap();
    assert_eq!(
        throttle::get(&mut c, "k1").await.unwrap(),
        LockState::default()
    );
    let s = LockState {
        failed_logins: 2,
        lockouts: 1,
        locked_until: Some(UnixMs(5_000)),
    };
    throttle::put(&mut c, "k1", "liwg", s, UnixMs(1_000))
        .await
        .unwrap();
    throttle::put(
        &mut c,
        "k2",
        "liwg",
        LockState {
            failed_logins: 1,
            ..LockState::default()
        },
        UnixMs(1_000),
    )
    .await
    .unwrap();
    assert_eq!(throttle::get(&mut c, "k1").await.unwrap(), s);
    assert_eq!(
        throttle::summary(&mut c, "liwg", UnixMs(2_000))
            .await
            .unwrap(),
        (1, 3)
    );
    assert_eq!(
        throttle::summary(&mut c, "liwg", UnixMs(6_000))
            .await
            .unwrap(),
        (0, 3)
    );
    throttle::clear(&mut c, "k2").await.unwrap();
    assert_eq!(throttle::clear_name(&mut c, "liwg").await.unwrap(), 1);
    assert_eq!(
        throttle::get(&mut c, "k1").await.unwrap(),
        LockState::default()
    );
});
