//! The JSON API over the real router, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{Client, PW};
use axum::http::Method;
use linli_app::Actor;
use linli_store::{Db, db_test};

async fn token_for(c: &Client, user: &str) -> String {
    c.app
        .create_token(user, "test", &Actor::cli())
        .await
        .unwrap()
        .secret
        .expose()
        .to_owned()
}

db_test!(me_with_a_token_and_with_a_session, |db: Db| async move {
    let mut c = Client::with_user(db, "liwg").await;
    let t = token_for(&c, "liwg").await;
    let r = c.api(Method::GET, "/api/v1/me", &t, None).await;
    assert_eq!(r.status.as_u16(), 200);
    let me = r.json();
    assert_eq!(me["username"], "liwg");
    assert_eq!(me["display_name"], "李网格");
    assert_eq!(me["roles"][0]["role"], "grid_worker");
    assert_eq!(me["roles"][0]["scope"], "220103008003");
    c.login("liwg", PW).await;
    let r = c.get("/api/v1/me").await;
    assert_eq!(
        (r.status.as_u16(), r.json()["username"].as_str()),
        (200, Some("liwg"))
    );
});

db_test!(
    missing_and_bad_credentials_get_401_json,
    |db: Db| async move {
        let mut c = Client::with_user(db, "liwg").await;
        let r = c.get("/api/v1/me").await;
        assert_eq!(
            (r.status.as_u16(), r.error_code().as_str()),
            (401, "login_required")
        );
        assert_eq!(r.headers["content-type"], "application/json");
        for bad in ["linli_pat_0000", "garbage", ""] {
            let r = c.api(Method::GET, "/api/v1/me", bad, None).await;
            assert_eq!(
                (r.status.as_u16(), r.error_code().as_str()),
                (401, "login_required"),
                "{bad}"
            );
        }
        // a bearer request ignores any session cookie it also carries
        c.login("liwg", PW).await;
        let req = axum::http::Request::get("/api/v1/me")
            .header("authorization", "Bearer nope")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(c.send(req).await.status.as_u16(), 401);
    }
);

db_test!(tokens_over_the_api_and_bad_bodies, |db: Db| async move {
    let mut c = Client::with_user(db, "liwg").await;
    let t = token_for(&c, "liwg").await;
    let r = c
        .api(
            Method::POST,
            "/api/v1/tokens",
            &t,
            Some(r#"{"name":"巡查App"}"#),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201);
    let new = r.json()["token"].as_str().unwrap().to_owned();
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(
        c.api(Method::GET, "/api/v1/me", &new, None)
            .await
            .status
            .as_u16(),
        200
    );
    let list = c.api(Method::GET, "/api/v1/tokens", &t, None).await.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        !list.to_string().contains(&new[10..]),
        "secrets are never listed"
    );

    let cases: [(&str, u16, &str); 5] = [
        ("{not json", 400, "bad_request"),
        (r#"{"name": 5}"#, 422, "bad_request"),
        (r#"{"nom":"x"}"#, 422, "bad_request"),
        (r#"{"name":""}"#, 422, "invalid"),
        (r#"{"name":"x","extra":1}"#, 422, "bad_request"),
    ];
    for (body, status, code) in cases {
        let r = c.api(Method::POST, "/api/v1/tokens", &t, Some(body)).await;
        assert_eq!(
            (r.status.as_u16(), r.error_code().as_str()),
            (status, code),
            "{body}: {}",
            r.body
        );
        assert!(!r.json()["errors"][0]["detail"].as_str().unwrap().is_empty());
    }
    let huge = format!(r#"{{"name":"{}"}}"#, "a".repeat(2 * 1024 * 1024));
    let r = c.api(Method::POST, "/api/v1/tokens", &t, Some(&huge)).await;
    assert_eq!(
        (r.status.as_u16(), r.error_code().as_str()),
        (413, "payload_too_large")
    );
    let req = axum::http::Request::post("/api/v1/tokens")
        .header("authorization", format!("Bearer {t}"))
        .header("content-type", "text/plain")
        .body(axum::body::Body::from("name=x"))
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(
        (r.status.as_u16(), r.error_code().as_str()),
        (415, "unsupported_media_type")
    );

    let r = c
        .api(Method::DELETE, &format!("/api/v1/tokens/{id}"), &t, None)
        .await;
    assert_eq!(r.status.as_u16(), 204);
    assert_eq!(
        c.api(Method::GET, "/api/v1/me", &new, None)
            .await
            .status
            .as_u16(),
        401
    );
    let r = c
        .api(Method::DELETE, &format!("/api/v1/tokens/{id}"), &t, None)
        .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code().as_str()),
        (404, "not_found")
    );
    let r = c.api(Method::DELETE, "/api/v1/tokens/abc", &t, None).await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.error_code(), "bad_request");
});

db_test!(one_users_token_cannot_touch_anothers, |db: Db| async move {
    let mut c = Client::with_user(db, "liwg").await;
    let account = linli_app::accounts::NewAccount {
        username: "zhangwg".into(),
        display_name: None,
        password: linli_domain::secret::Secret::new(PW),
        grants: vec![],
        must_change_password: false,
    };
    c.app.create_user(account, &Actor::cli()).await.unwrap();
    let mine = c
        .app
        .create_token("liwg", "mine", &Actor::cli())
        .await
        .unwrap();
    let theirs = token_for(&c, "zhangwg").await;
    let r = c
        .api(
            Method::DELETE,
            &format!("/api/v1/tokens/{}", mine.id),
            &theirs,
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 404);
    assert_eq!(
        c.api(Method::GET, "/api/v1/me", mine.secret.expose(), None)
            .await
            .status
            .as_u16(),
        200
    );
});

db_test!(
    session_with_one_time_password_is_refused_by_the_api,
    |db: Db| async move {
        let mut c = Client::new(db).await;
        let pw = c.app.ensure_demo_admin().await.unwrap().unwrap();
        c.login("admin", pw.expose()).await;
        let r = c.get("/api/v1/me").await;
        assert_eq!(
            (r.status.as_u16(), r.error_code().as_str()),
            (403, "password_change_required")
        );
    }
);

db_test!(
    unknown_api_routes_and_methods_are_json,
    |db: Db| async move {
        let mut c = Client::with_user(db, "liwg").await;
        let t = token_for(&c, "liwg").await;
        let r = c.api(Method::GET, "/api/v1/nothing", &t, None).await;
        assert_eq!(
            (r.status.as_u16(), r.error_code().as_str()),
            (404, "not_found")
        );
        let r = c.api(Method::PUT, "/api/v1/me", &t, Some("{}")).await;
        assert_eq!(
            (r.status.as_u16(), r.error_code().as_str()),
            (405, "method_not_allowed")
        );
    }
);

#[test]
fn openapi_lists_every_api_route_with_bearer_auth() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(linli_web::ApiDoc::openapi()).unwrap();
    for path in [
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/audit",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the spec"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

db_test!(openapi_is_served, |db: Db| async move {
    let mut c = Client::new(db).await;
    let r = c.get("/api/v1/openapi.json").await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(r.json()["info"]["title"], "linli API");
});

db_test!(
    audit_api_pages_newest_first_for_auditors_only,
    |db: Db| async move {
        let mut c = Client::with_user(db, "liwg").await;
        let account = linli_app::accounts::NewAccount {
            username: "auditor".into(),
            display_name: None,
            password: linli_domain::secret::Secret::new(PW),
            grants: vec![linli_domain::access::Grant {
                role: linli_domain::access::Role::Auditor,
                scope: linli_domain::access::RegionCode::country(),
            }],
            must_change_password: false,
        };
        c.app.create_user(account, &Actor::cli()).await.unwrap();
        let worker = token_for(&c, "liwg").await;
        let r = c.api(Method::GET, "/api/v1/audit", &worker, None).await;
        assert_eq!(
            (r.status.as_u16(), r.error_code().as_str()),
            (403, "forbidden")
        );

        let t = token_for(&c, "auditor").await;
        let page = c
            .api(Method::GET, "/api/v1/audit?limit=2", &t, None)
            .await
            .json();
        let seqs: Vec<i64> = page
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs.len(), 2);
        assert!(seqs[0] > seqs[1]);
        let next = c
            .api(
                Method::GET,
                &format!("/api/v1/audit?limit=2&before={}", seqs[1]),
                &t,
                None,
            )
            .await
            .json();
        assert!(next[0]["seq"].as_i64().unwrap() < seqs[1]);
        assert_eq!(page[0]["action"], "token.create");
        let bad = c
            .api(Method::GET, "/api/v1/audit?before=abc", &t, None)
            .await;
        assert_eq!(
            (bad.status.as_u16(), bad.error_code().as_str()),
            (400, "bad_request")
        );
    }
);
