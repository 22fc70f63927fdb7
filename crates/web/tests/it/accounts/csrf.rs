//! CSRF on every state-changing route, enumerated rather than sampled:
//! every write in the OpenAPI document and every form action in the
//! templates, sent with a live session cookie and no token, is refused
//! with 403 `csrf` before it runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{self, Client};
use axum::http::{Method, Request};
use linli_store::{Db, db_test};

/// `{id}`, `{code}` … → a value of the right shape.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').map_or(rest.len(), |j| i + j + 1);
        let name = &rest[i..end];
        out.push_str(if name.contains("code") {
            "220103008003"
        } else {
            "1"
        });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The form actions of every template: `action="/cases/{{ c.id }}/step"`.
fn form_actions() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for form in text.split("<form").skip(1) {
                let tag = form.split('>').next().unwrap_or_default();
                if !tag.contains(r#"method="post""#) {
                    continue;
                }
                if let Some(a) = tag.split(r#"action=""#).nth(1) {
                    let action = a.split('"').next().unwrap_or_default();
                    // template expressions become a plain value
                    let mut plain = String::new();
                    let mut rest = action;
                    while let Some(i) = rest.find("{{") {
                        plain.push_str(&rest[..i]);
                        let end = rest[i..].find("}}").map_or(rest.len(), |j| i + j + 2);
                        plain.push_str(
                            if rest[i..end].contains("code") || rest[i..end].contains(" c ") {
                                "220103008003"
                            } else {
                                "1"
                            },
                        );
                        rest = &rest[end..];
                    }
                    plain.push_str(rest);
                    out.push(plain);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

db_test!(every_write_needs_the_csrf_token, |db: Db| async move {
    let mut c = Client::with_user(db, "liwg").await;
    c.login("liwg", common::PW).await;
    assert!(c.cookies.contains_key("linli_session"));
    let doc = c.get("/api/v1/openapi.json").await.json();
    let mut writes: Vec<(Method, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (m, method) in [
            ("post", Method::POST),
            ("put", Method::PUT),
            ("patch", Method::PATCH),
            ("delete", Method::DELETE),
        ] {
            if ops.get(m).is_some() && !path.starts_with("/open311/") {
                writes.push((method, concrete(path)));
            }
        }
    }
    let forms = form_actions();
    assert!(writes.len() >= 30, "{} API writes", writes.len());
    assert!(forms.len() >= 25, "{forms:?}");
    writes.extend(forms.into_iter().map(|f| (Method::POST, f)));
    for (method, path) in writes {
        for (ct, body) in [
            ("application/x-www-form-urlencoded", "a=1"),
            ("application/json", "{}"),
        ] {
            let req = Request::builder()
                .method(method.clone())
                .uri(&path)
                .header("content-type", ct)
                .body(axum::body::Body::from(body))
                .unwrap();
            let r = c.send(req).await;
            assert_eq!(r.status.as_u16(), 403, "{method} {path} ({ct}): {}", r.body);
            if path.starts_with("/api/") {
                assert_eq!(r.error_code(), "csrf", "{method} {path}");
            } else {
                assert!(
                    r.body.contains("安全校验失败"),
                    "{method} {path}: {}",
                    r.body
                );
            }
        }
    }
});
