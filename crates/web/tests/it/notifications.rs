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

db_test!(
    the_inbox_groups_messages_about_one_thing,
    |db: Db| async move {
        use linli_domain::time::UnixMs;
        use linli_store::accounts::users;
        use linli_store::notifications::notify;
        let mut c = Client::new(db.clone()).await;
        common::resident(&c, "lixy", common::PW).await;
        common::resident(&c, "zhaoliu", common::PW).await;
        let mut conn = db.conn().await.unwrap();
        let me = users::id_by_username(&mut conn, "lixy")
            .await
            .unwrap()
            .unwrap();
        let other = users::id_by_username(&mut conn, "zhaoliu")
            .await
            .unwrap()
            .unwrap();
        for (i, (kind, title, link)) in [
            ("case", "诉求已受理", "/cases/5"),
            ("case", "诉求已派遣", "/cases/5"),
            ("notice", "社区通知:停水", "/notices/1"),
            ("case", "诉求已办结", "/cases/5"),
        ]
        .into_iter()
        .enumerate()
        {
            notify(
                &mut conn,
                me,
                kind,
                title,
                "",
                Some(link),
                UnixMs(1_000 + i as i64),
            )
            .await
            .unwrap();
        }
        notify(
            &mut conn,
            other,
            "case",
            "别人的",
            "",
            Some("/cases/5"),
            UnixMs(9_000),
        )
        .await
        .unwrap();
        drop(conn);

        c.login("lixy", common::PW).await;
        let inbox = c.get("/inbox").await;
        // two things: the case (newest message first) and the notice
        assert_eq!(
            inbox.body.matches("<li class=\"unread\">").count(),
            2,
            "{}",
            inbox.body
        );
        let case_at = inbox.body.find("诉求已办结").unwrap();
        assert!(case_at < inbox.body.find("社区通知:停水").unwrap());
        assert!(inbox.body.contains("3 条未读") && inbox.body.contains("共 3 条"));
        assert!(
            !inbox.body.contains("诉求已受理"),
            "older messages of a case fold into it"
        );
        // opening the case's group reads all three and goes to the case
        let first = inbox.body[..case_at].rfind("href=\"/inbox/").unwrap() + 13;
        let id: i64 = inbox.body[first..]
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let open = c.get(&format!("/inbox/{id}")).await;
        assert_eq!(open.headers["location"], "/cases/5");
        let after = c.get("/inbox").await;
        assert!(after.body.contains("未读 1 条") && !after.body.contains("3 条未读"));
        // another person's message opens nothing and reads nothing
        let mut conn = db.conn().await.unwrap();
        let (theirs, _) = linli_store::notifications::notifications_of(&mut conn, other, 5)
            .await
            .unwrap();
        drop(conn);
        let stolen = c.get(&format!("/inbox/{}", theirs[0].id)).await;
        assert_eq!(stolen.headers["location"], "/inbox");
        let mut conn = db.conn().await.unwrap();
        assert_eq!(
            linli_store::notifications::unread(&mut conn, other)
                .await
                .unwrap(),
            1
        );
    }
);
