//! The browser-facing pages over the real router, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{Client, PW};
use linli_app::Actor;
use linli_store::{Db, db_test};

db_test!(login_home_logout, |db: Db| async move {
    let mut c = Client::with_user(db, "liwg").await;
    let page = c.get("/home").await;
    assert_eq!(
        (page.status.as_u16(), page.location()),
        (303, "/login?next=/home")
    );
    let login = c.get("/login?next=/home").await;
    assert!(login.body.contains("<h1>登录</h1>") && !c.csrf().is_empty());

    let bad = c
        .post_form(
            "/login",
            &[("username", "liwg"), ("password", "wrong-wrong")],
        )
        .await;
    assert_eq!(bad.status.as_u16(), 401);
    assert!(bad.body.contains("用户名或密码错误"));
    assert!(
        bad.body.contains(r#"value="liwg""#),
        "the typed name is kept"
    );

    let ok = c
        .post_form(
            "/login",
            &[("username", "liwg"), ("password", PW), ("next", "/home")],
        )
        .await;
    assert_eq!((ok.status.as_u16(), ok.location()), (303, "/home"));
    assert!(c.cookies.contains_key("linli_session"));
    let cookie = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));

    let home = c.get("/home").await;
    assert_eq!(home.status.as_u16(), 200);
    assert!(home.body.contains("您好,李网格"), "{}", home.body);
    // 我的: the role by the place's name, never its code
    let mine = c.get("/account").await;
    assert!(mine.body.contains("网格员 · "), "{}", mine.body);
    assert!(!mine.body.contains("220103008003"), "{}", mine.body);

    let out = c.post_form("/logout", &[]).await;
    assert_eq!((out.status.as_u16(), out.location()), (303, "/login?bye=1"));
    assert!(!c.cookies.contains_key("linli_session"));
    assert_eq!(c.get("/home").await.status.as_u16(), 303);
    assert!(c.get("/login?bye=1").await.body.contains("您已安全退出"));
});

db_test!(
    an_old_session_cookie_is_dead_after_logout,
    |db: Db| async move {
        let mut c = Client::with_user(db, "liwg").await;
        c.login("liwg", PW).await;
        let stolen = c.cookies.clone();
        c.post_form("/logout", &[]).await;
        c.cookies = stolen;
        assert_eq!(c.get("/home").await.status.as_u16(), 303);
    }
);

db_test!(
    lockout_message_after_five_wrong_passwords,
    |db: Db| async move {
        let mut c = Client::with_user(db, "liwg").await;
        c.get("/login").await;
        for _ in 0..4 {
            let r = c
                .post_form(
                    "/login",
                    &[("username", "liwg"), ("password", "wrong-wrong")],
                )
                .await;
            assert_eq!(r.status.as_u16(), 401);
        }
        let fifth = c
            .post_form(
                "/login",
                &[("username", "liwg"), ("password", "wrong-wrong")],
            )
            .await;
        assert_eq!(fifth.status.as_u16(), 429);
        assert!(
            fifth.body.contains("账号已锁定") && fifth.body.contains("15 分钟"),
            "{}",
            fifth.body
        );
        let right = c
            .post_form("/login", &[("username", "liwg"), ("password", PW)])
            .await;
        assert_eq!(right.status.as_u16(), 429);
        assert!(!c.cookies.contains_key("linli_session"));
    }
);

db_test!(
    one_time_password_must_be_changed_first,
    |db: Db| async move {
        let mut c = Client::new(db).await;
        let pw = c.app.ensure_demo_admin().await.unwrap().unwrap();
        let r = c.login("admin", pw.expose()).await;
        assert_eq!(r.location(), "/account/password");
        assert_eq!(c.get("/home").await.location(), "/account/password");
        assert_eq!(
            c.get("/account/tokens").await.location(),
            "/account/password"
        );
        let page = c.get("/account/password").await;
        assert!(page.body.contains("一次性初始密码"));

        let mismatch = c
            .post_form(
                "/account/password",
                &[
                    ("current", pw.expose()),
                    ("new", "Neue-Pass-2026"),
                    ("confirm", "other"),
                ],
            )
            .await;
        assert_eq!(mismatch.status.as_u16(), 422);
        assert!(mismatch.body.contains("两次输入的新密码不一致"));
        let weak = c
            .post_form(
                "/account/password",
                &[
                    ("current", pw.expose()),
                    ("new", "weakweakweak"),
                    ("confirm", "weakweakweak"),
                ],
            )
            .await;
        assert_eq!(weak.status.as_u16(), 422);
        assert!(weak.body.contains("三类"));

        let ok = c
            .post_form(
                "/account/password",
                &[
                    ("current", pw.expose()),
                    ("new", "Neue-Pass-2026"),
                    ("confirm", "Neue-Pass-2026"),
                ],
            )
            .await;
        assert_eq!(ok.location(), "/home?changed=1");
        let home = c.get("/home?changed=1").await;
        assert!(home.body.contains("密码已修改"), "{}", home.body);
        assert!(c.get("/account").await.body.contains("系统管理员"));
    }
);

db_test!(
    disabling_an_account_logs_its_browser_out,
    |db: Db| async move {
        let mut c = Client::with_user(db, "liwg").await;
        c.login("liwg", PW).await;
        assert_eq!(c.get("/home").await.status.as_u16(), 200);
        c.app
            .set_disabled("liwg", true, &Actor::cli())
            .await
            .unwrap();
        assert_eq!(c.get("/home").await.status.as_u16(), 303);
        let again = c.login("liwg", PW).await;
        assert_eq!(again.status.as_u16(), 403);
        assert!(again.body.contains("账号已停用"));
    }
);

db_test!(
    tokens_page_creates_shows_once_and_revokes_with_htmx,
    |db: Db| async move {
        let mut c = Client::with_user(db, "liwg").await;
        c.login("liwg", PW).await;
        let created = c
            .post_form("/account/tokens", &[("name", "对接<脚本>")])
            .await;
        assert_eq!(created.status.as_u16(), 200);
        let start = created.body.find("linli_pat_").unwrap();
        let token: String = created.body[start..]
            .chars()
            .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_')
            .collect();
        assert_eq!(token.len(), 74);
        assert!(
            created.body.contains("对接&#60;脚本&#62;")
                || created.body.contains("对接&lt;脚本&gt;"),
            "escaped"
        );
        let listed = c.get("/account/tokens").await;
        assert!(!listed.body.contains(&token), "a token is shown only once");

        let id = c
            .app
            .list_tokens(&c.app.principal_from_token(&token).await.unwrap().unwrap())
            .await
            .unwrap()[0]
            .id;
        let csrf = c.csrf();
        let req = axum::http::Request::post(format!("/account/tokens/{id}/revoke"))
            .header("hx-request", "true")
            .header("x-csrf-token", csrf)
            .body(axum::body::Body::empty())
            .unwrap();
        let row = c.send(req).await;
        assert_eq!(row.status.as_u16(), 200);
        assert!(
            row.body.starts_with("<tr") && row.body.contains("已撤销"),
            "{}",
            row.body
        );
        assert!(c.app.principal_from_token(&token).await.unwrap().is_none());
        let empty = c.post_form("/account/tokens", &[("name", "  ")]).await;
        assert_eq!(empty.status.as_u16(), 422);
        assert!(empty.body.contains("令牌名称"));
    }
);

db_test!(csrf_is_required_for_every_form_post, |db: Db| async move {
    let mut c = Client::with_user(db, "liwg").await;
    // no cookie at all
    let r = c
        .post_raw(
            "/login",
            "application/x-www-form-urlencoded",
            "username=liwg&password=x",
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);
    assert!(r.body.contains("安全校验失败"));
    c.get("/login").await;
    // cookie but no field
    let r = c
        .post_raw(
            "/login",
            "application/x-www-form-urlencoded",
            format!("username=liwg&password={PW}"),
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);
    // wrong field
    let body = format!("username=liwg&password={PW}&_csrf={}", "0".repeat(64));
    let r = c
        .post_raw("/login", "application/x-www-form-urlencoded", body)
        .await;
    assert_eq!(r.status.as_u16(), 403);
    // right token but from another site
    let req = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://evil.example")
        .body(axum::body::Body::from(format!(
            "username=liwg&password={PW}&_csrf={}",
            c.csrf()
        )))
        .unwrap();
    assert_eq!(c.send(req).await.status.as_u16(), 403);
    assert!(!c.cookies.contains_key("linli_session"));
    // and the same with everything right succeeds
    assert_eq!(c.login("liwg", PW).await.status.as_u16(), 303);
    // logged in, a session-authenticated API write still needs the token
    let r = c
        .post_raw("/api/v1/tokens", "application/json", r#"{"name":"x"}"#)
        .await;
    assert_eq!((r.status.as_u16(), r.error_code().as_str()), (403, "csrf"));
});

db_test!(
    unknown_pages_and_bad_requests_get_chinese_pages,
    |db: Db| async move {
        let mut c = Client::with_user(db, "liwg").await;
        let r = c.get("/no/such/page").await;
        assert_eq!(r.status.as_u16(), 404);
        assert!(
            r.body.contains("页面不存在")
                && r.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html")
        );
        c.get("/login").await;
        let missing = c.post_form("/login", &[("username", "liwg")]).await;
        assert_eq!(missing.status.as_u16(), 422);
        assert!(missing.body.contains("请求格式不正确"));
        let wrong_method = c
            .send(
                axum::http::Request::delete("/login")
                    .header("x-csrf-token", c.csrf())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(wrong_method.status.as_u16(), 405);
        assert!(wrong_method.body.contains("不支持该请求方法"));
        let huge = "a".repeat(2 * 1024 * 1024);
        let r = c
            .post_raw(
                "/login",
                "application/x-www-form-urlencoded",
                format!("username={huge}"),
            )
            .await;
        assert_eq!(r.status.as_u16(), 413);
        assert!(r.body.contains("提交的内容过大"));
        let open_redirect = c.login("liwg", PW).await;
        assert_eq!(open_redirect.location(), "/home");
        c.post_form("/logout", &[]).await;
        c.get("/login").await;
        let r = c
            .post_form(
                "/login",
                &[
                    ("username", "liwg"),
                    ("password", PW),
                    ("next", "//evil.example/"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/home", "no open redirect");
    }
);

db_test!(security_headers_on_every_response, |db: Db| async move {
    let mut c = Client::new(db).await;
    for path in ["/login", "/no/such", "/api/v1/me", "/healthz"] {
        let r = c.get(path).await;
        let csp = r
            .headers
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(
            csp.contains("object-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{path}");
        assert!(r.headers.contains_key("x-request-id"), "{path}");
    }
    // pages link the stylesheet by a name carrying its content hash, kept a
    // year; the plain name still answers, cached briefly
    let login = c.get("/login").await;
    let hashed = login
        .body
        .split("href=\"")
        .filter_map(|p| p.split('"').next())
        .find(|h| h.starts_with("/static/app.") && h.ends_with(".css") && h.len() > 20)
        .expect("a hashed stylesheet link")
        .to_owned();
    let css = c.get(&hashed).await;
    assert_eq!(css.status.as_u16(), 200);
    assert!(css.body.contains("--red"));
    assert_eq!(
        css.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let plain_css = c.get("/static/app.css").await;
    assert_eq!(plain_css.headers["cache-control"], "public, max-age=300");
    assert_eq!(plain_css.body, css.body);
    assert_eq!(c.get("/static/app.0000000000.css").await.status, 404);
    // scripts travel gzipped to a browser that takes it, and the big
    // libraries as their brotli copy to one that takes that
    let plain = c.get("/static/echarts.js").await;
    let fetch = |enc: &'static str| {
        axum::http::Request::get("/static/echarts.js")
            .header("accept-encoding", enc)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let gz = c.send(fetch("gzip")).await;
    assert_eq!(gz.headers["content-encoding"], "gzip");
    assert!(
        gz.bytes.len() * 2 < plain.bytes.len(),
        "{} vs {}",
        gz.bytes.len(),
        plain.bytes.len()
    );
    let br = c.send(fetch("gzip, deflate, br")).await;
    assert_eq!(br.headers["content-encoding"], "br");
    assert!(
        br.bytes.len() < gz.bytes.len() && br.bytes.len() * 3 < plain.bytes.len(),
        "{} vs {}",
        br.bytes.len(),
        gz.bytes.len()
    );
    let htmx = c.get("/static/htmx.js").await;
    assert!(htmx.body.contains("htmx") && htmx.body.len() > 10_000);
});

db_test!(health_ready_and_metrics, |db: Db| async move {
    let config = linli_web::WebConfig {
        metrics_token: Some("scrape-me-7f3a".into()),
        ..linli_web::WebConfig::default()
    };
    let mut c = Client::with_config(db.clone(), config).await;
    assert_eq!(c.get("/healthz").await.body, "ok");
    assert_eq!(c.get("/readyz").await.body, "ok");
    c.get("/login").await;
    c.get("/nope").await;
    // a method nobody registered is one label, not a new series each
    for m in ["BREW", "PROPFIND", "X-ANYTHING"] {
        let req = axum::http::Request::builder()
            .method(axum::http::Method::from_bytes(m.as_bytes()).unwrap())
            .uri("/login")
            .body(axum::body::Body::empty())
            .unwrap();
        c.send(req).await;
    }
    // no token, a wrong one: nothing
    assert_eq!(c.get("/metrics").await.status, 404);
    let scrape = |token: &str| {
        axum::http::Request::get("/metrics")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    assert_eq!(c.send(scrape("wrong")).await.status, 404);
    let m = c.send(scrape("scrape-me-7f3a")).await.body;
    assert!(!m.contains("BREW") && !m.contains("PROPFIND"), "{m}");
    assert!(m.contains(r#"method="other""#), "{m}");
    assert!(
        m.contains(r#"linli_http_requests_total{method="GET",route="/login",status="200"} 1"#),
        "{m}"
    );
    assert!(m.contains(r#"route="unmatched",status="404""#));
    assert!(m.contains("linli_http_request_duration_seconds_bucket"));
    assert!(m.contains("linli_db_pool_max_connections"));
    db.close().await;
    let r = c.get("/readyz").await;
    assert_eq!(r.status.as_u16(), 503);
});

db_test!(
    one_address_gets_a_limited_number_of_login_tries,
    |db: Db| async move {
        let config = linli_web::WebConfig {
            login_per_minute: 3,
            ..linli_web::WebConfig::default()
        };
        let mut c = Client::with_config(db, config).await;
        for user in ["a1a", "b2b", "c3c"] {
            let r = c.login(user, "whatever-pw").await;
            assert_eq!(r.status.as_u16(), 401, "{user}");
        }
        // a fourth try, even a right one for a real account, waits
        let account = linli_app::accounts::NewAccount {
            username: "liwg".into(),
            display_name: None,
            password: linli_domain::secret::Secret::new(PW),
            grants: vec![],
            must_change_password: false,
        };
        c.app.create_user(account, &Actor::cli()).await.unwrap();
        let r = c.login("liwg", PW).await;
        assert_eq!(r.status.as_u16(), 429);
        assert!(r.body.contains("登录尝试过于频繁"));
        assert!(!c.cookies.contains_key("linli_session"));
    }
);

db_test!(only_the_auditor_reads_the_audit_log, |db: Db| async move {
    let mut c = Client::new(db).await;
    let mk = |name: &str, role| linli_app::accounts::NewAccount {
        username: name.into(),
        display_name: None,
        password: linli_domain::secret::Secret::new(PW),
        grants: vec![linli_domain::access::Grant {
            role,
            scope: linli_domain::access::RegionCode::country(),
        }],
        must_change_password: false,
    };
    c.app
        .create_user(
            mk("sysadm", linli_domain::access::Role::SystemAdmin),
            &Actor::cli(),
        )
        .await
        .unwrap();
    c.app
        .create_user(
            mk("auditor", linli_domain::access::Role::Auditor),
            &Actor::cli(),
        )
        .await
        .unwrap();

    c.login("sysadm", PW).await;
    assert!(!c.get("/home").await.body.contains("审计日志"));
    let denied = c.get("/audit").await;
    assert_eq!(denied.status.as_u16(), 403);
    assert!(denied.body.contains("没有权限"));
    c.post_form("/logout", &[]).await;

    c.login("auditor", PW).await;
    assert!(c.get("/home").await.body.contains("审计日志"));
    let page = c.get("/audit").await;
    assert_eq!(page.status.as_u16(), 200);
    // newest first: the auditor's own login, then the system admin's logout and login
    let first_rows: Vec<&str> = page
        .body
        .match_indices("auth.log")
        .map(|(i, _)| &page.body[i..i + 11])
        .collect();
    assert_eq!(
        first_rows[..3],
        ["auth.login<", "auth.logout", "auth.login<"]
    );
    assert!(page.body.contains("user.create") && page.body.contains("role.grant"));
});

db_test!(
    login_never_sends_anyone_to_another_site,
    |db: Db| async move {
        let mut c = Client::with_user(db, "liwg").await;
        c.get("/login").await;
        // a tab (URL-decoded from %09) would be dropped by the browser,
        // leaving //evil.example; a backslash reads as a slash
        for next in [
            "/\t/evil.example",
            "/\\evil.example",
            "/\n/evil.example",
            "//evil.example",
        ] {
            let ok = c
                .post_form(
                    "/login",
                    &[("username", "liwg"), ("password", PW), ("next", next)],
                )
                .await;
            assert_eq!(
                (ok.status.as_u16(), ok.location()),
                (303, "/home"),
                "{next:?}"
            );
            c.post_form("/logout", &[]).await;
            c.get("/login").await;
        }
        // and the login page does not carry it into its form either
        let page = c.get("/login?next=/%09/evil.example").await;
        assert!(!page.body.contains("evil.example"), "{}", page.body);
    }
);
