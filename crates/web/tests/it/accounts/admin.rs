//! Account administration and two-factor login through the real router
//! on both databases (issue 17): a secretary creates a grid worker and
//! manages only accounts below them in their community; the worker signs
//! in with the one-time password, must bind an authenticator (the policy
//! requires it of roles that reveal personal data), and from then on signs
//! in with a code or a recovery code, each good once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{self, Client, token};
use axum::http::Method;
use linli_app::AppConfig;
use linli_app::accounts::second_factor::SecondFactorPolicy;
use linli_app::demo::COMMUNITY;
use linli_store::{Db, db_test};

async fn user_id(c: &Client, name: &str) -> i64 {
    let mut conn = c.app.db().conn().await.unwrap();
    linli_store::accounts::users::id_by_username(&mut conn, name)
        .await
        .unwrap()
        .unwrap()
}

/// The text of the element with this id (`<x id="..">text<`).
fn by_id(body: &str, id: &str) -> String {
    let after = body
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("#{id} in {body}"));
    after
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

fn code_now(secret: &str) -> String {
    let s = totp_rs::Secret::try_from_base32(secret).unwrap();
    let t = totp_rs::Builder::new().with_secret(s).build().unwrap();
    t.generate_current().to_string()
}

db_test!(
    a_secretary_administers_only_below_and_inside,
    |db: Db| async move {
        let mut c = Client::new(db).await;
        let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
        let pw = |n: &str| common::password_of(&accounts, n);
        let grid1 = format!("{COMMUNITY}001");
        c.login("shuji", &pw("shuji")).await;
        let list = c.get("/admin/users").await;
        assert_eq!(list.status, 200, "{}", list.body);
        assert!(
            list.body.contains("wangge1") && list.body.contains("wangge2"),
            "{}",
            list.body
        );
        assert!(
            !list.body.contains("tuanshan"),
            "a street administrator is above the secretary"
        );
        // a grid worker for grid 1: a one-time password, shown once
        let made = c
            .post_form(
                "/admin/users",
                &[
                    ("username", "wangge3"),
                    ("display_name", "王三"),
                    ("role", "grid_worker"),
                    ("scope", &grid1),
                ],
            )
            .await;
        assert_eq!(made.status, 200, "{}", made.body);
        let one_time = by_id(&made.body, "one-time-password");
        assert!(one_time.len() >= 10, "{one_time}");
        // not their own rank, not above, not outside
        for (role, scope) in [
            ("community_secretary", COMMUNITY),
            ("street_admin", "220103008"),
            ("grid_worker", "220103008"),
        ] {
            let r = c
                .post_form(
                    "/admin/users",
                    &[
                        ("username", "toohigh"),
                        ("display_name", "越权"),
                        ("role", role),
                        ("scope", scope),
                    ],
                )
                .await;
            assert_eq!(r.status, 422, "{role} @ {scope}: {}", r.body);
            assert!(r.body.contains("比自己低的岗位"), "{}", r.body);
        }
        let tuanshan = user_id(&c, "tuanshan").await;
        assert_eq!(c.get(&format!("/admin/users/{tuanshan}")).await.status, 404);
        // disable and enable: the account's token stops at once
        let wangge2 = user_id(&c, "wangge2").await;
        let t2 = token(&c, "wangge2").await;
        let r = c
            .post_form(&format!("/admin/users/{wangge2}/disable"), &[])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(
            c.api(Method::GET, "/api/v1/me", &t2, None).await.status,
            401
        );
        c.post_form(&format!("/admin/users/{wangge2}/enable"), &[])
            .await;
        // a reset: a new one-time password; the old one no longer works
        let wangge1 = user_id(&c, "wangge1").await;
        let reset = c
            .post_form(&format!("/admin/users/{wangge1}/reset"), &[])
            .await;
        assert_eq!(reset.status, 200, "{}", reset.body);
        let new_pw = by_id(&reset.body, "one-time-password");
        let mut worker = c.stranger();
        assert_eq!(worker.login("wangge1", &pw("wangge1")).await.status, 401);
        let r = worker.login("wangge1", &new_pw).await;
        assert_eq!(r.location(), "/account/password", "{}", r.body);
        // a grid worker administers nobody; the street sees the secretary
        assert_eq!(worker.get("/admin/users").await.status, 303);
        let mut street = c.stranger();
        street.login("tuanshan", &pw("tuanshan")).await;
        let shuji = user_id(&c, "shuji").await;
        let page = street.get(&format!("/admin/users/{shuji}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        // the street sees residents masked: it may not mint, reset or promote
        // an account that reveals them (it would hold its password)
        let r = street
            .post_form(
                "/admin/users",
                &[
                    ("username", "newshuji"),
                    ("display_name", "新书记"),
                    ("role", "community_secretary"),
                    ("scope", COMMUNITY),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("同等权限"), "{}", r.body);
        let r = street
            .post_form(&format!("/admin/users/{shuji}/reset"), &[])
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let made = street
            .post_form(
                "/admin/users",
                &[
                    ("username", "chengjian"),
                    ("display_name", "城建科"),
                    ("role", "department_handler"),
                    ("scope", "220103008"),
                ],
            )
            .await;
        assert_eq!(made.status, 200, "a department's account: {}", made.body);
        let dept = user_id(&c, "chengjian").await;
        let r = street
            .post_form(
                &format!("/admin/users/{dept}/grant"),
                &[("role", "community_secretary"), ("scope", COMMUNITY)],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let wg = c.stranger().get("/admin/users").await;
        assert_eq!(wg.status, 303, "signed out: to the login page");
        // every action is on record
        let mut conn = c.app.db().conn().await.unwrap();
        let log = linli_store::audit::recent(&mut conn, 200).await.unwrap();
        for action in [
            "user.create",
            "role.grant",
            "user.disable",
            "user.enable",
            "user.reset_password",
        ] {
            assert!(log.iter().any(|r| r.event.action == action), "{action}");
        }
        for r in &log {
            assert!(!r.event.detail.contains(&one_time) && !r.event.detail.contains(&new_pw));
        }
    }
);

db_test!(
    a_new_grid_worker_must_bind_an_authenticator,
    |db: Db| async move {
        let config = AppConfig {
            second_factor: SecondFactorPolicy::Required,
            ..AppConfig::default()
        };
        let mut c = Client::with_configs(db, config, linli_web::WebConfig::default()).await;
        let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
        let grid1 = format!("{COMMUNITY}001");
        let mut shuji = c.stranger();
        shuji
            .login("shuji", &common::password_of(&accounts, "shuji"))
            .await;
        // the secretary too must bind first: her pages send her there, and
        // her token (made before binding was required) is held back too
        let r = shuji.get("/admin/users").await;
        assert_eq!(r.location(), "/account/second-factor", "{}", r.body);
        let t = token(&c, "shuji").await;
        let r = c.api(Method::GET, "/api/v1/residents", &t, None).await;
        assert_eq!(
            (r.status.as_u16(), r.error_code()),
            (403, "second_factor_enrol".to_owned())
        );
        let made = c
            .app
            .admin_create_account(
                &linli_app::accounts::auth::Principal {
                    grants: vec![linli_domain::access::Grant {
                        role: linli_domain::access::Role::CommunitySecretary,
                        scope: COMMUNITY.parse().unwrap(),
                    }],
                    ..linli_app::accounts::auth::Principal::cli()
                },
                "wangge3",
                "王三",
                linli_domain::access::Grant {
                    role: linli_domain::access::Role::GridWorker,
                    scope: grid1.parse().unwrap(),
                },
                &linli_app::Actor::cli(),
            )
            .await
            .unwrap();
        let one_time = made.1.expose().to_owned();
        // first sign-in: change the one-time password, then bind
        let r = c.login("wangge3", &one_time).await;
        assert_eq!(r.location(), "/account/password");
        let new_pw = "Wang-San-Mima-2026";
        let r = c
            .post_form(
                "/account/password",
                &[("current", &one_time), ("new", new_pw), ("confirm", new_pw)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = c.get("/residents").await;
        assert_eq!(r.location(), "/account/second-factor", "{}", r.body);
        let api = c.get("/api/v1/residents").await;
        assert_eq!(api.status, 403, "{}", api.body);
        let scan = c.post_form("/account/second-factor", &[]).await;
        assert_eq!(scan.status, 200, "{}", scan.body);
        assert!(scan.body.contains("<svg"), "a QR code to scan");
        let secret = by_id(&scan.body, "second-secret");
        let wrong = c
            .post_form("/account/second-factor/confirm", &[("code", "000000")])
            .await;
        assert_eq!(wrong.status, 200);
        assert!(wrong.body.contains("验证码不对"), "{}", wrong.body);
        // a wrong first code starts over with a new secret
        let secret = {
            let fresh = by_id(&wrong.body, "second-secret");
            assert_ne!(fresh, secret);
            fresh
        };
        let done = c
            .post_form(
                "/account/second-factor/confirm",
                &[("code", &code_now(&secret))],
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        let codes: Vec<String> = done
            .body
            .split("<li><code>")
            .skip(1)
            .map(|s| s.split('<').next().unwrap().to_owned())
            .collect();
        assert_eq!(codes.len(), 10, "{}", done.body);
        assert_eq!(c.get("/residents").await.status, 200);
        // binding again needs the password
        let r = c.post_form("/account/second-factor", &[]).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("当前密码"), "{}", r.body);
        // the secret is sealed at rest, the recovery codes hashed
        let users = linli_store::testing::table_text(c.app.db(), "users").await;
        assert!(!users.contains(&secret));
        let stored = linli_store::testing::table_text(c.app.db(), "recovery_codes").await;
        assert!(!stored.contains(&codes[0]));

        // the next sign-in asks for a code; the password alone opens nothing
        let mut again = c.stranger();
        let r = again.login("wangge3", new_pw).await;
        assert!(
            r.location().starts_with("/login/second"),
            "{}",
            r.location()
        );
        assert_eq!(again.get("/residents").await.location(), "/login/second");
        // the code just used to bind is spent (one use per step); a recovery
        // code works once
        let r = again
            .post_form("/login/second", &[("code", &code_now(&secret))])
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = again
            .post_form("/login/second", &[("code", &codes[0])])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(again.get("/residents").await.status, 200);
        let mut third = c.stranger();
        third.login("wangge3", new_pw).await;
        let r = third
            .post_form("/login/second", &[("code", &codes[0])])
            .await;
        assert_eq!(r.status, 422, "a recovery code is good once");
        // five wrong codes end the session: the password again
        let mut tries = Vec::new();
        for _ in 0..4 {
            tries.push(
                third
                    .post_form("/login/second", &[("code", "123456")])
                    .await
                    .status
                    .as_u16(),
            );
        }
        let r = third
            .post_form("/login/second", &[("code", &codes[1])])
            .await;
        assert!(r.location().starts_with("/login"), "{tries:?}: {}", r.body);
        assert!(
            !r.location().starts_with("/login/second"),
            "{}",
            r.location()
        );
        assert_eq!(
            third.get("/home").await.location().split('?').next(),
            Some("/login")
        );
    }
);
