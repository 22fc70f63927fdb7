//! The outbound webhook against a real HTTP receiver on a local port, on
//! both databases: a dispatch's notification arrives as signed JSON; a
//! second pump sends nothing; a gateway that answers 500 gets the same
//! batch again once it is back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use crate::common::{Client, token};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use linli_store::{Db, db_test};
use linli_web::notifications::webhook::Webhook;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(String, String)>>>,
    down: Arc<AtomicBool>,
}

/// A gateway on 127.0.0.1: records (signature, body); 500 while `down`.
async fn gateway() -> (String, Receiver) {
    let r = Receiver::default();
    let state = r.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let state = state.clone();
            async move {
                if state.down.load(Ordering::SeqCst) {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                let sig = headers
                    .get("x-linli-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                state.got.lock().unwrap().push((sig, body));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), r)
}

async fn dispatch_one(c: &mut Client, resident: &str, shuji: &str) -> String {
    let case = common::file_in_grid1(c, resident, "help", "楼道灯坏了").await;
    let id = case["id"].as_i64().unwrap();
    for s in ["accept", "dispatch"] {
        let step = json!({ "step": s }).to_string();
        let r = c
            .api(
                Method::POST,
                &format!("/api/v1/cases/{id}/steps"),
                shuji,
                Some(&step),
            )
            .await;
        assert_eq!(r.status, 200, "{s}: {}", r.body);
    }
    case["number"].as_str().unwrap().to_owned()
}

db_test!(notifications_go_out_by_webhook, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    let shuji = token(&c, "shuji").await;
    let (url, gw) = gateway().await;
    let hook = Webhook::new(&url, Some("gateway-secret")).unwrap();
    // a new channel starts after what is already there
    assert_eq!(c.app.pump_outbound(&hook).await.unwrap(), 0);

    let number = dispatch_one(&mut c, &resident, &shuji).await;
    let sent = c.app.pump_outbound(&hook).await.unwrap();
    assert!(sent >= 2, "the worker's and the reporter's notices: {sent}");
    let got = gw.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one batch");
    let (sig, body) = &got[0];
    let want =
        linli_app::notifications::outbound::sign(b"gateway-secret", body.as_bytes()).unwrap();
    assert_eq!(sig, &format!("hmac-sm3={want}"));
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    let items = v["notifications"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|n| n["username"] == "wangge1" && n["body"] == number.as_str())
    );
    assert!(!body.contains("13812345678"), "no phone number goes out");
    assert_eq!(
        c.app.pump_outbound(&hook).await.unwrap(),
        0,
        "nothing twice"
    );

    // the gateway is down: the batch waits, then goes once it is back
    gw.down.store(true, Ordering::SeqCst);
    let number2 = dispatch_one(&mut c, &resident, &shuji).await;
    assert!(c.app.pump_outbound(&hook).await.is_err());
    gw.down.store(false, Ordering::SeqCst);
    assert!(c.app.pump_outbound(&hook).await.unwrap() >= 2);
    let got = gw.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert!(got[1].1.contains(&number2) && !got[1].1.contains(&format!("\"{number}\"")));

    // a URL the webhook cannot use is refused up front
    assert!(Webhook::new("https://sms.example.com/hook", None).is_err());
    assert!(Webhook::new("not a url", None).is_err());
});

db_test!(
    the_inbox_stream_keeps_no_session_alive,
    |db: Db| async move {
        use axum::body::Body;
        use axum::http::{Request, header};
        use linli_store::accounts::sessions;
        use tower::ServiceExt;
        let mut c = Client::new(db.clone()).await;
        let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
        c.login("wangge1", &common::password_of(&accounts, "wangge1"))
            .await;
        let secret = c.cookies["linli_session"].clone();
        let id_hash = linli_domain::secret::sm3_hex(secret.as_bytes());
        let seen = |db: Db| {
            let id_hash = id_hash.clone();
            async move {
                let mut conn = db.conn().await.unwrap();
                sessions::find(&mut conn, &id_hash)
                    .await
                    .unwrap()
                    .unwrap()
                    .last_seen_at
            }
        };
        // the tab was last used ten minutes ago
        let then = linli_domain::time::UnixMs(linli_app::now().0 - 10 * 60 * 1000);
        linli_store::testing::exec(
            &db,
            &format!("UPDATE sessions SET last_seen_at = {}", then.0),
        )
        .await;
        // the page's own stream (re)connects: not the user's doing
        for _ in 0..3 {
            let req = Request::get("/api/v1/notifications/stream")
                .header(header::HOST, "localhost")
                .header(header::COOKIE, format!("linli_session={secret}"))
                .body(Body::empty())
                .unwrap();
            let res = c.router.clone().oneshot(req).await.unwrap();
            assert_eq!(res.status(), 200);
        }
        assert_eq!(seen(db.clone()).await, then);
        // a page the user opens is
        assert_eq!(c.get("/home").await.status, 200);
        assert!(seen(db.clone()).await > then);
    }
);
