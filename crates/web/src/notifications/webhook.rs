//! The outbound webhook: POSTs each batch of new notifications as JSON to
//! the deployment's gateway (`LINLI_WEBHOOK_URL`, plain `http://` — a
//! gateway outside the host sits behind a local TLS relay), signed with
//! HMAC-SM3 in `X-Linli-Signature` when a secret is set. What goes out is
//! what the inbox shows — the recipient's account, title, body (a case
//! number, or for a care-card scan the resident's name) and link — so the
//! gateway is part of the deployment and is trusted like the server.

use axum::http::{Request, Uri, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use linli_app::notifications::outbound::{Channel, Outgoing, sign};
use serde::Serialize;
use std::time::Duration;

/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP webhook.
#[derive(Debug, Clone)]
pub struct Webhook {
    uri: Uri,
    authority: String,
    secret: Option<Vec<u8>>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: i64,
    username: &'a str,
    user_id: i64,
    kind: &'a str,
    title: &'a str,
    body: &'a str,
    link: Option<&'a str>,
    created_at: i64,
}

impl Webhook {
    /// A webhook to `url` (`http://host[:port]/path`).
    pub fn new(url: &str, secret: Option<&str>) -> Result<Webhook, String> {
        let uri: Uri = url.parse().map_err(|e| format!("webhook URL: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(
                "webhook URL must be http:// (put a TLS relay in front of a remote gateway)".into(),
            );
        }
        let host = uri.host().ok_or("webhook URL has no host")?;
        let authority = format!("{host}:{}", uri.port_u16().unwrap_or(80));
        Ok(Webhook {
            uri,
            authority,
            secret: secret
                .filter(|s| !s.is_empty())
                .map(|s| s.as_bytes().to_vec()),
        })
    }

    async fn post(&self, body: Vec<u8>) -> Result<(), String> {
        let stream = tokio::net::TcpStream::connect(&self.authority)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let path = self.uri.path_and_query().map_or("/", |p| p.as_str());
        let mut req = Request::post(path)
            .header(header::HOST, self.authority.as_str())
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .header(header::USER_AGENT, "linli-webhook/1");
        if let Some(s) = &self.secret {
            let sig = sign(s, &body).map_err(|e| e.to_string())?;
            req = req.header("X-Linli-Signature", format!("hmac-sm3={sig}"));
        }
        let req = req
            .body(Full::new(bytes::Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let res = sender
            .send_request(req)
            .await
            .map_err(|e| format!("send: {e}"))?;
        let status = res.status();
        // drain the answer so the connection closes cleanly
        let _ = res.into_body().collect().await;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("gateway answered {status}"))
        }
    }
}

impl Channel for Webhook {
    fn name(&self) -> &str {
        "webhook"
    }

    async fn deliver(&self, batch: &[Outgoing]) -> Result<(), String> {
        let items: Vec<Item<'_>> = batch
            .iter()
            .map(|o| Item {
                id: o.item.id,
                username: &o.username,
                user_id: o.user_id,
                kind: &o.item.kind,
                title: &o.item.title,
                body: &o.item.body,
                link: o.item.link.as_deref(),
                created_at: o.item.created_at.0,
            })
            .collect();
        let body = serde_json::to_vec(&serde_json::json!({ "notifications": items }))
            .map_err(|e| e.to_string())?;
        tokio::time::timeout(TIMEOUT, self.post(body))
            .await
            .map_err(|_| "timed out".to_owned())?
    }
}
