//! Service tests on both backends: login, lockout, sessions, passwords,
//! tokens and the audit chain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::accounts::NewAccount;
use linli_app::audit::ChainReport;
use linli_app::{Actor, App, AppConfig, AppError};
use linli_domain::access::{Grant, Role};
use linli_domain::audit::ChainBreak;
use linli_domain::secret::Secret;
use linli_store::testing::{drop_audit_guards, exec};
use linli_store::{Db, db_test};

const PW: &str = "Changshan-2026";

async fn app_with_user(db: Db, username: &str) -> App {
    let app = App::new(db, AppConfig::default());
    let account = NewAccount {
        username: username.into(),
        display_name: Some("李网格".into()),
        password: Secret::new(PW),
        grants: vec![Grant {
            role: Role::GridWorker,
            scope: "220103008003".parse().unwrap(),
        }],
        must_change_password: false,
    };
    app.create_user(account, &Actor::cli()).await.unwrap();
    app
}

async fn audit_actions(db: &Db) -> Vec<(String, String, String)> {
    let mut c = db.conn().await.unwrap();
    let mut all = linli_store::audit::recent(&mut c, 1000).await.unwrap();
    all.reverse();
    all.into_iter()
        .map(|r| {
            (
                r.event.action,
                r.event.outcome.as_str().to_owned(),
                r.event.detail,
            )
        })
        .collect()
}

db_test!(
    login_creates_a_session_that_identifies_the_user,
    |db: Db| async move {
        let app = app_with_user(db.clone(), "liwg").await;
        let ok = app
            .login("LiWG", &Secret::new(PW), "10.0.0.1")
            .await
            .unwrap();
        let p = app
            .principal_from_session(ok.session_secret.expose())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (p.username.as_str(), p.display_name.as_str()),
            ("liwg", "李网格")
        );
        assert_eq!(p.grants[0].role, Role::GridWorker);
        assert!(
            app.principal_from_session("not-a-session")
                .await
                .unwrap()
                .is_none()
        );
        app.logout(&p, "10.0.0.1").await.unwrap();
        assert!(
            app.principal_from_session(ok.session_secret.expose())
                .await
                .unwrap()
                .is_none()
        );
        let actions = audit_actions(&db).await;
        let names: Vec<&str> = actions.iter().map(|a| a.0.as_str()).collect();
        assert_eq!(
            names,
            ["user.create", "role.grant", "auth.login", "auth.logout"]
        );
    }
);

db_test!(
    unknown_users_and_wrong_passwords_look_the_same_and_are_audited,
    |db: Db| async move {
        let app = app_with_user(db.clone(), "liwg").await;
        let e1 = app
            .login("nobody", &Secret::new(PW), "ip")
            .await
            .unwrap_err();
        let e2 = app
            .login("liwg", &Secret::new("wrong-password"), "ip")
            .await
            .unwrap_err();
        let e3 = app
            .login("bad name with spaces", &Secret::new(PW), "ip")
            .await
            .unwrap_err();
        assert_eq!(e1.to_string(), e2.to_string());
        assert!(matches!(
            (e1, e2, e3),
            (
                AppError::BadCredentials,
                AppError::BadCredentials,
                AppError::BadCredentials
            )
        ));
        let failed: Vec<_> = audit_actions(&db)
            .await
            .into_iter()
            .filter(|a| a.1 == "failed")
            .collect();
        assert_eq!(failed.len(), 3);
        assert_eq!(failed[1].2, "bad_password");
    }
);

db_test!(
    five_failures_lock_even_the_right_password_out,
    |db: Db| async move {
        let app = app_with_user(db.clone(), "liwg").await;
        for i in 1..=5 {
            let e = app
                .login("liwg", &Secret::new("nope-nope-nope"), "ip")
                .await
                .unwrap_err();
            if i < 5 {
                assert!(matches!(e, AppError::BadCredentials), "attempt {i}: {e:?}");
            } else {
                assert!(
                    matches!(e, AppError::Locked { minutes: 15 }),
                    "attempt {i}: {e:?}"
                );
            }
        }
        let e = app.login("liwg", &Secret::new(PW), "ip").await.unwrap_err();
        assert!(matches!(e, AppError::Locked { .. }), "{e:?}");
        assert!(e.to_string().contains("锁定"));
        // the lock holds that source only: the owner elsewhere signs in
        assert!(app.login("liwg", &Secret::new(PW), "office").await.is_ok());
        // a security administrator clears it
        assert_eq!(app.unlock_logins("liwg", &Actor::cli()).await.unwrap(), 1);
        assert!(app.login("liwg", &Secret::new(PW), "ip").await.is_ok());
    }
);

db_test!(
    unknown_names_get_the_same_answers_and_locks_back_off,
    |db: Db| async move {
        let app = app_with_user(db.clone(), "liwg").await;
        // a name that exists and one that does not: the same answers, the
        // same lock after five tries
        for name in ["liwg", "nobody-here"] {
            let mut answers = Vec::new();
            for _ in 0..6 {
                let e = app
                    .login(name, &Secret::new("nope-nope-nope"), "attacker")
                    .await
                    .unwrap_err();
                answers.push(e.to_string());
            }
            assert_eq!(
                answers[..4],
                [
                    "用户名或密码错误",
                    "用户名或密码错误",
                    "用户名或密码错误",
                    "用户名或密码错误"
                ],
                "{name}"
            );
            assert!(
                answers[4].contains("15 分钟") && answers[5].contains("锁定"),
                "{name}: {answers:?}"
            );
        }
        // the next lock from that source is longer (backoff): let the first
        // run out, fail five times more
        exec(&db, "UPDATE login_throttle SET locked_until = 1").await;
        for i in 1..=5 {
            let e = app
                .login("liwg", &Secret::new("nope-nope-nope"), "attacker")
                .await
                .unwrap_err();
            if i == 5 {
                assert!(matches!(e, AppError::Locked { minutes: 30 }), "{e:?}");
            }
        }
        // the account itself is not locked: its owner signs in from elsewhere
        assert!(app.login("liwg", &Secret::new(PW), "office").await.is_ok());
    }
);

db_test!(
    disabling_an_account_ends_its_sessions_at_once,
    |db: Db| async move {
        let app = app_with_user(db.clone(), "liwg").await;
        let s = app
            .login("liwg", &Secret::new(PW), "ip")
            .await
            .unwrap()
            .session_secret;
        let t = app
            .create_token("liwg", "脚本", &Actor::cli())
            .await
            .unwrap()
            .secret;
        assert!(
            app.principal_from_token(t.expose())
                .await
                .unwrap()
                .is_some()
        );
        app.set_disabled("liwg", true, &Actor::cli()).await.unwrap();
        assert!(
            app.principal_from_session(s.expose())
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            app.principal_from_token(t.expose())
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            app.login("liwg", &Secret::new(PW), "ip").await,
            Err(AppError::Disabled)
        ));
    }
);

db_test!(
    expired_sessions_are_refused_and_purged,
    |db: Db| async move {
        let app = app_with_user(db.clone(), "liwg").await;
        let s = app
            .login("liwg", &Secret::new(PW), "ip")
            .await
            .unwrap()
            .session_secret;
        // idle for longer than the idle timeout
        exec(
            &db,
            "UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60 * 1000",
        )
        .await;
        assert!(
            app.principal_from_session(s.expose())
                .await
                .unwrap()
                .is_none()
        );
        let s2 = app
            .login("liwg", &Secret::new(PW), "ip")
            .await
            .unwrap()
            .session_secret;
        exec(
            &db,
            "UPDATE sessions SET created_at = created_at - 13 * 3600 * 1000",
        )
        .await;
        assert_eq!(app.purge_expired_sessions().await.unwrap(), 1);
        assert!(
            app.principal_from_session(s2.expose())
                .await
                .unwrap()
                .is_none()
        );
    }
);

db_test!(
    password_change_checks_policy_and_ends_other_sessions,
    |db: Db| async move {
        let app = app_with_user(db.clone(), "liwg").await;
        let mine = app
            .login("liwg", &Secret::new(PW), "ip")
            .await
            .unwrap()
            .session_secret;
        let other = app
            .login("liwg", &Secret::new(PW), "ip")
            .await
            .unwrap()
            .session_secret;
        let me = app
            .principal_from_session(mine.expose())
            .await
            .unwrap()
            .unwrap();
        let wrong = app
            .change_password(
                &me,
                &Secret::new("bad"),
                &Secret::new("Another-2026x"),
                "ip",
            )
            .await;
        assert!(matches!(wrong, Err(AppError::Invalid(_))));
        let weak = app
            .change_password(&me, &Secret::new(PW), &Secret::new("short"), "ip")
            .await;
        assert!(matches!(weak, Err(AppError::Account(_))));
        app.change_password(&me, &Secret::new(PW), &Secret::new("Another-2026x"), "ip")
            .await
            .unwrap();
        assert!(
            app.principal_from_session(mine.expose())
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            app.principal_from_session(other.expose())
                .await
                .unwrap()
                .is_none()
        );
        assert!(app.login("liwg", &Secret::new(PW), "ip").await.is_err());
        assert!(
            app.login("liwg", &Secret::new("Another-2026x"), "ip")
                .await
                .is_ok()
        );
    }
);

db_test!(
    tokens_are_shown_once_and_revocable_only_by_owner,
    |db: Db| async move {
        let app = app_with_user(db.clone(), "liwg").await;
        let issued = app
            .create_token("liwg", "对接脚本", &Actor::cli())
            .await
            .unwrap();
        assert!(
            issued.secret.expose().starts_with("linli_pat_") && issued.secret.expose().len() == 74
        );
        let me = app
            .principal_from_token(issued.secret.expose())
            .await
            .unwrap()
            .unwrap();
        // the secret is nowhere in the database: only its hash and prefix
        let stored = linli_store::testing::table_text(&db, "api_tokens").await;
        assert!(
            stored.contains("对接脚本"),
            "the token's row is there: {stored}"
        );
        let secret = issued.secret.expose();
        assert!(!stored.contains(secret), "{stored}");
        assert!(!stored.contains(&secret[secret.len() - 32..]), "{stored}");
        let listed = app.list_tokens(&me).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(
            !issued.secret.expose().ends_with(&listed[0].prefix[10..]),
            "only a prefix is kept"
        );
        app.revoke_token(&me, issued.id, "ip").await.unwrap();
        assert!(
            app.principal_from_token(issued.secret.expose())
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            app.revoke_token(&me, issued.id, "ip").await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.create_token("ghost", "x", &Actor::cli()).await,
            Err(AppError::NotFound)
        ));
    }
);

db_test!(bad_accounts_are_refused_with_reasons, |db: Db| async move {
    let app = app_with_user(db.clone(), "liwg").await;
    let mk = |u: &str, pw: &str, role: Role| NewAccount {
        username: u.into(),
        display_name: None,
        password: Secret::new(pw),
        grants: vec![Grant {
            role,
            scope: "220103".parse().unwrap(),
        }],
        must_change_password: false,
    };
    let dup = app
        .create_user(mk("LIWG", PW, Role::GridWorker), &Actor::cli())
        .await;
    assert!(matches!(dup, Err(AppError::Conflict(_))), "{dup:?}");
    let weak = app
        .create_user(
            mk("street1", "password12", Role::StreetAdmin),
            &Actor::cli(),
        )
        .await;
    assert!(matches!(weak, Err(AppError::Account(_))));
    // residents need length only
    assert!(
        app.create_user(mk("resident1", "password12", Role::Resident), &Actor::cli())
            .await
            .is_ok()
    );
});

db_test!(
    demo_admin_is_made_once_and_must_change_password,
    |db: Db| async move {
        let app = App::new(db.clone(), AppConfig::default());
        let pw = app.ensure_demo_admin().await.unwrap().unwrap();
        assert!(app.ensure_demo_admin().await.unwrap().is_none());
        let ok = app.login("admin", &pw, "ip").await.unwrap();
        assert!(ok.must_change_password);
        let p = app
            .principal_from_session(ok.session_secret.expose())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            p.grants,
            vec![Grant {
                role: Role::SystemAdmin,
                scope: linli_domain::access::RegionCode::country()
            }]
        );
    }
);

db_test!(
    audit_verify_catches_a_changed_and_a_deleted_record,
    |db: Db| async move {
        let app = app_with_user(db.clone(), "liwg").await;
        for _ in 0..3 {
            let _ = app
                .login("liwg", &Secret::new("wrong-password"), "ip")
                .await;
        }
        assert_eq!(
            app.verify_audit_chain().await.unwrap(),
            ChainReport::Intact { records: 5 }
        );
        drop_audit_guards(&db).await;
        exec(&db, "UPDATE audit_log SET outcome = 'ok' WHERE seq = 4").await;
        assert_eq!(
            app.verify_audit_chain().await.unwrap(),
            ChainReport::Broken(ChainBreak::Altered { seq: 4 })
        );
        exec(&db, "UPDATE audit_log SET outcome = 'bogus' WHERE seq = 4").await;
        assert!(matches!(
            app.verify_audit_chain().await.unwrap(),
            ChainReport::Broken(_)
        ));
        exec(&db, "DELETE FROM audit_log WHERE seq >= 4").await;
        assert_eq!(
            app.verify_audit_chain().await.unwrap(),
            ChainReport::Broken(ChainBreak::Truncated {
                head_seq: 5,
                last_seq: 3
            })
        );
    }
);

db_test!(
    tokens_die_with_a_disabled_account_and_on_a_password_change,
    |db: Db| async move {
        let app = app_with_user(db.clone(), "liwg").await;
        let cli = Actor::cli();
        let alive = async |t: &str| app.principal_from_token(t).await.unwrap().is_some();
        // disabling revokes every token; enabling brings none back
        let t1 = app.create_token("liwg", "脚本一", &cli).await.unwrap();
        let t2 = app.create_token("liwg", "脚本二", &cli).await.unwrap();
        assert!(alive(t1.secret.expose()).await && alive(t2.secret.expose()).await);
        app.set_disabled("liwg", true, &cli).await.unwrap();
        app.set_disabled("liwg", false, &cli).await.unwrap();
        assert!(!alive(t1.secret.expose()).await && !alive(t2.secret.expose()).await);

        // one's own change revokes them when asked (the page's default) …
        let session = app
            .login("liwg", &Secret::new(PW), "ip")
            .await
            .unwrap()
            .session_secret;
        let me = app
            .principal_from_session(session.expose())
            .await
            .unwrap()
            .unwrap();
        let t3 = app.create_token("liwg", "脚本三", &cli).await.unwrap();
        app.change_password_with(
            &me,
            &Secret::new(PW),
            &Secret::new("Another-2026x"),
            false,
            "ip",
        )
        .await
        .unwrap();
        assert!(alive(t3.secret.expose()).await, "kept when not asked");
        app.change_password_with(
            &me,
            &Secret::new("Another-2026x"),
            &Secret::new("Third-Pass-2026"),
            true,
            "ip",
        )
        .await
        .unwrap();
        assert!(!alive(t3.secret.expose()).await, "revoked when asked");
        // … and the plain change always does
        let t4 = app.create_token("liwg", "脚本四", &cli).await.unwrap();
        app.change_password(
            &me,
            &Secret::new("Third-Pass-2026"),
            &Secret::new("Fourth-Pass-2026"),
            "ip",
        )
        .await
        .unwrap();
        assert!(!alive(t4.secret.expose()).await);
    }
);
