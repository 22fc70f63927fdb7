//! Crafted spreadsheets over HTTP (issue 17, item 5): both import
//! endpoints answer 422 with the Chinese reason, and the server goes on
//! answering. Before the package check two of these aborted the process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::seeded;
use crate::common::token;
use axum::http::Method;
use linli_app::demo::COMMUNITY;
use linli_app::infra::xlsx::hostile;
use linli_store::{Db, db_test};

db_test!(
    crafted_spreadsheets_get_a_clear_refusal,
    |db: Db| async move {
        let (mut c, _) = seeded(db).await;
        let shuji = token(&c, "shuji").await;
        for (what, bytes) in hostile::all().unwrap() {
            for kind in ["places", "residents"] {
                let saved = std::mem::take(&mut c.cookies);
                let r = c
                    .send(
                        axum::http::Request::builder()
                            .method(Method::POST)
                            .uri(format!("/api/v1/communities/{COMMUNITY}/{kind}.xlsx"))
                            .header("authorization", format!("Bearer {shuji}"))
                            .body(axum::body::Body::from(bytes.clone()))
                            .unwrap(),
                    )
                    .await;
                c.cookies = saved;
                assert_eq!(r.status, 422, "{kind}, {what}: {}", r.body);
                if !(kind == "residents" && what == "far-apart cells") {
                    assert!(
                        r.body.contains("Excel 文件结构异常"),
                        "{kind}, {what}: {}",
                        r.body
                    );
                }
            }
            let alive = c.get("/healthz").await;
            assert_eq!(alive.status, 200, "after {what}");
        }
        let list = c.api(Method::GET, "/api/v1/residents", &shuji, None).await;
        assert_eq!(list.json()["total"], 0, "{}", list.body);
    }
);
