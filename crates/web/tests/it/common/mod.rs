//! A test client over the real router (in-process), keeping cookies like a browser.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use linli_app::accounts::NewAccount;
use linli_app::{Actor, App, AppConfig};
use linli_domain::access::{Grant, Role};
use linli_domain::secret::Secret;
use linli_store::Db;
use std::collections::HashMap;
use tower::ServiceExt;

pub const PW: &str = "Changshan-2026";

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Res {
    #[allow(dead_code)]
    pub fn body_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn error_code(&self) -> String {
        self.json()["errors"][0]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

pub struct Client {
    pub router: Router,
    pub app: App,
    pub cookies: HashMap<String, String>,
}

impl Client {
    pub async fn new(db: Db) -> Client {
        Client::with_config(db, linli_web::WebConfig::default()).await
    }

    pub async fn with_config(db: Db, config: linli_web::WebConfig) -> Client {
        Client::with_configs(db, AppConfig::default(), config).await
    }

    /// A client of a server with both configurations given.
    pub async fn with_configs(db: Db, app: AppConfig, config: linli_web::WebConfig) -> Client {
        let ring = linli_app::infra::crypto::Keyring::generate(
            linli_app::infra::crypto::CipherKind::Sm4Gcm,
        )
        .unwrap();
        let app = App::new(db, app).with_crypto(std::sync::Arc::new(ring));
        let router = linli_web::router(app.clone(), config);
        Client {
            router,
            app,
            cookies: HashMap::new(),
        }
    }

    /// Creates a grid worker of 长山花园 with password [`PW`].
    pub async fn with_user(db: Db, username: &str) -> Client {
        let c = Client::new(db).await;
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
        c.app.create_user(account, &Actor::cli()).await.unwrap();
        c
    }

    /// Another browser on the same server: no cookies.
    #[allow(dead_code)]
    pub fn stranger(&self) -> Client {
        Client {
            router: self.router.clone(),
            app: self.app.clone(),
            cookies: HashMap::new(),
        }
    }

    pub fn csrf(&self) -> String {
        self.cookies.get("linli_csrf").cloned().unwrap_or_default()
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Res {
        req.headers_mut()
            .insert(header::HOST, "localhost".parse().unwrap());
        if !self.cookies.is_empty() && !req.headers().contains_key(header::COOKIE) {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req.headers_mut()
                .insert(header::COOKIE, c.join("; ").parse().unwrap());
        }
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (parts, body) = res.into_parts();
        for sc in parts.headers.get_all(header::SET_COOKIE) {
            let s = sc.to_str().unwrap();
            let (kv, attrs) = s.split_once(';').unwrap_or((s, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let bytes = body.collect().await.unwrap().to_bytes();
        Res {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Res {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// Posts a form with the CSRF token a page would embed.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Res {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf();
        all.push(("_csrf", &token));
        let body = serde_urlencoded::to_string(&all).unwrap();
        self.post_raw(path, "application/x-www-form-urlencoded", body)
            .await
    }

    /// Posts `multipart/form-data` as a browser sends a form with file
    /// inputs: the CSRF field first, then the text fields, then the files.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> Res {
        let token = self.csrf();
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        let (ct, body) = multipart(&all, files);
        self.post_raw(path, &ct, body).await
    }

    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: impl Into<Body>) -> Res {
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap();
        self.send(req).await
    }

    /// Logs in through the form (after a GET that sets the CSRF cookie).
    pub async fn login(&mut self, username: &str, password: &str) -> Res {
        self.get("/login").await;
        self.post_form("/login", &[("username", username), ("password", password)])
            .await
    }

    pub async fn api(
        &mut self,
        method: Method,
        path: &str,
        token: &str,
        json: Option<&str>,
    ) -> Res {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        if json.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        let body = json
            .map(|j| Body::from(j.to_owned()))
            .unwrap_or_else(Body::empty);
        // API clients have no cookies
        let saved = std::mem::take(&mut self.cookies);
        let res = self.send(b.body(body).unwrap()).await;
        self.cookies = saved;
        res
    }
}

/// A personal access token of `username`.
pub async fn token(c: &Client, username: &str) -> String {
    c.app
        .create_token(username, "test", &Actor::cli())
        .await
        .unwrap()
        .secret
        .expose()
        .to_owned()
}

/// A resident of 长山花园 who logs in with `password`.
pub async fn resident(c: &Client, username: &str, password: &str) {
    let account = NewAccount {
        username: username.into(),
        display_name: Some("李秀英".into()),
        password: Secret::new(password),
        grants: vec![Grant {
            role: Role::Resident,
            scope: linli_app::demo::COMMUNITY.parse().unwrap(),
        }],
        must_change_password: false,
    };
    c.app.create_user(account, &Actor::cli()).await.unwrap();
}

/// A building's point in the demo's grid 1 (WGS-84).
pub async fn grid1_point(c: &Client) -> linli_domain::geo::LngLat {
    let community = linli_app::demo::COMMUNITY;
    let v = c
        .app
        .community(
            &linli_app::accounts::auth::Principal::cli(),
            &community.parse().unwrap(),
        )
        .await
        .unwrap();
    let b = v
        .buildings
        .iter()
        .find(|b| b.scope.as_str() == format!("{community}001"))
        .unwrap();
    linli_domain::geo::LngLat::parse(b.lng.unwrap(), b.lat.unwrap()).unwrap()
}

/// A `multipart/form-data` body and its content type; files are sent as
/// `photo-N.jpg` whatever they hold (the server must not trust the name).
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----linli-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (i, (k, data)) in files.iter().enumerate() {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"photo-{i}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A small PNG `w`×`h`.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 250) as u8, (y % 250) as u8, 7])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// The password `linli demo` gave one of its accounts.
#[allow(dead_code)]
pub fn password_of(accounts: &[(String, String, Secret)], name: &str) -> String {
    accounts
        .iter()
        .find(|(u, _, _)| u == name)
        .map(|(_, _, p)| p.expose().to_owned())
        .unwrap()
}

/// Files a case of category 0104 at a point in grid 1 (as WeChat gives it,
/// GCJ-02) with the token's account; returns the created case.
#[allow(dead_code)]
pub async fn file_in_grid1(
    c: &mut Client,
    token: &str,
    kind: &str,
    text: &str,
) -> serde_json::Value {
    let p = linli_domain::geo::wgs84_to_gcj02(grid1_point(c).await);
    let body = serde_json::json!({
        "kind": kind, "category": "0104", "description": text,
        "lng": p.lng, "lat": p.lat, "coord_sys": "gcj02", "contact_phone": "13812345678"
    })
    .to_string();
    let r = c
        .api(Method::POST, "/api/v1/cases", token, Some(&body))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}
