//! Photos over HTTP on both databases: the report form and the step form
//! as multipart (with the CSRF field inside), the API's multipart intake,
//! photo URLs that work only for those who see the case, and the bad
//! uploads (a 50 MB "photo", an executable, no CSRF) refused with the form
//! kept and nothing filed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use crate::common::{Client, multipart, png, token};
use axum::http::Method;
use linli_domain::geo::wgs84_to_gcj02;
use linli_store::{Db, db_test};
use serde_json::json;

/// A POST with a bearer token and a body of content type `ct`.
fn post(
    path: &str,
    token: &str,
    (ct, body): (String, Vec<u8>),
) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", ct)
        .body(axum::body::Body::from(body))
        .unwrap()
}

/// The first `/cases/{id}/photos/{n}` URL in a page.
fn photo_url(page: &str) -> String {
    let at = page.find("/photos/").expect("a photo on the page");
    let start = page[..at].rfind('"').unwrap() + 1;
    let end = at + page[at..].find('"').unwrap();
    page[start..end].to_owned()
}

db_test!(photos_through_the_forms, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    common::resident(&c, "jumin2", "Jumin-Mima-2026-ok").await;
    let p = wgs84_to_gcj02(common::grid1_point(&c).await);
    let (lng, lat) = (p.lng.to_string(), p.lat.to_string());
    let fields = [
        ("kind", "snapshot"),
        ("category", "0104"),
        ("description", "楼下井盖松动,晚上看不见"),
        ("lng", lng.as_str()),
        ("lat", lat.as_str()),
        ("coord_sys", "gcj02"),
    ];
    assert_eq!(c.login("jumin1", "Jumin-Mima-2026-ok").await.status, 303);
    let form = c.get("/cases/new").await;
    assert!(form.body.contains(r#"enctype="multipart/form-data""#));
    assert!(form.body.contains(r#"type="file" name="photos""#));

    // a 50 MB "photo": refused, the form comes back filled in, nothing filed
    let mut huge = png(8, 8);
    huge.resize(50 * 1024 * 1024, 0);
    let r = c
        .post_multipart("/cases/new", &fields, &[("photos", &huge)])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("照片不能超过 10 MB"));
    assert!(r.body.contains("楼下井盖松动"), "the description is kept");
    // an executable named photo.jpg
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.resize(2048, 0);
    let r = c
        .post_multipart("/cases/new", &fields, &[("photos", &elf)])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("只能上传 JPEG、PNG 或 WebP 照片"));
    let list = c.get("/cases").await;
    assert!(!list.body.contains("楼下井盖松动"), "nothing was filed");
    // without the CSRF field the multipart form is refused
    let (ct, body) = multipart(&fields, &[("photos", &png(8, 8))]);
    assert_eq!(c.post_raw("/cases/new", &ct, body).await.status, 403);

    // a real photo: the case page shows it, the URL serves a JPEG
    let r = c
        .post_multipart("/cases/new", &fields, &[("photos", &png(1200, 900))])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let case_url = r.location().split('?').next().unwrap().to_owned();
    let page = c.get(&case_url).await;
    let url = photo_url(&page.body);
    assert!(url.starts_with(&format!("{case_url}/photos/")), "{url}");
    let img = c.get(&url).await;
    assert_eq!(img.status, 200);
    assert_eq!(img.headers["content-type"], "image/jpeg");
    assert_eq!(&img.bytes[..3], &[0xFF, 0xD8, 0xFF]);
    // another resident and a grid worker of another grid get nothing
    for (user, pw) in [("jumin2", "Jumin-Mima-2026-ok"), ("wangge2", "")] {
        let mut other = c.stranger();
        if pw.is_empty() {
            let t = token(&c, user).await;
            let r = other
                .api(
                    Method::GET,
                    &url.replacen("/cases", "/api/v1/cases", 1),
                    &t,
                    None,
                )
                .await;
            assert_eq!(r.status, 404, "{user}");
        } else {
            other.login(user, pw).await;
            assert_eq!(other.get(&url).await.status, 404, "{user}");
        }
    }
    assert_eq!(
        c.stranger().get(&url).await.status,
        303,
        "signed out: to the login"
    );
});

db_test!(photos_through_the_api, |db: Db| async move {
    let mut c = Client::new(db).await;
    c.app.seed_demo_community().await.unwrap().unwrap();
    common::resident(&c, "jumin1", "Jumin-Mima-2026-ok").await;
    let resident = token(&c, "jumin1").await;
    let shuji = token(&c, "shuji").await;
    let wangge1 = token(&c, "wangge1").await;
    let wangge2 = token(&c, "wangge2").await;
    let p = wgs84_to_gcj02(common::grid1_point(&c).await);
    let case = json!({"kind": "snapshot", "category": "0104", "description": "路灯不亮",
        "lng": p.lng, "lat": p.lat, "coord_sys": "gcj02"})
    .to_string();
    let photo = png(300, 200);
    let mp = multipart(
        &[("case", &case)],
        &[("photos", &photo), ("photos", &photo)],
    );
    let r = c.send(post("/api/v1/cases", &resident, mp)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();

    // bad multipart bodies: structured errors
    let mut huge = photo.clone();
    huge.resize(11 * 1024 * 1024, 0);
    for (parts, files, code) in [
        (
            vec![("case", case.as_str())],
            vec![("photos", huge.as_slice())],
            "photo",
        ),
        (vec![], vec![("photos", photo.as_slice())], "json"),
        (vec![("case", "{not json")], vec![], "json"),
        (
            vec![("case", case.as_str())],
            vec![("photos", &b"MZ\x90\0"[..])],
            "invalid",
        ),
    ] {
        let r = c
            .send(post("/api/v1/cases", &resident, multipart(&parts, &files)))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.error_code(), code, "{}", r.body);
    }

    // accept, dispatch, then the handler handles with a photo
    for s in ["accept", "dispatch"] {
        let r = c
            .api(
                Method::POST,
                &format!("/api/v1/cases/{id}/steps"),
                &shuji,
                Some(&json!({"step": s}).to_string()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let step = json!({"step": "handle", "note": "已更换灯泡"}).to_string();
    let mp = multipart(&[("step", &step)], &[("photos", &png(64, 64))]);
    let r = c
        .send(post(&format!("/api/v1/cases/{id}/steps"), &wangge1, mp))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let detail = c
        .api(Method::GET, &format!("/api/v1/cases/{id}"), &resident, None)
        .await
        .json();
    let photos = detail["photos"].as_array().unwrap();
    let stages: Vec<&str> = photos
        .iter()
        .map(|p| p["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["report", "report", "handle"]);
    assert_eq!(
        (photos[0]["width"].as_i64(), photos[0]["height"].as_i64()),
        (Some(300), Some(200))
    );
    let url = photos[2]["url"].as_str().unwrap();
    let img = c.api(Method::GET, url, &resident, None).await;
    assert_eq!(
        (img.status.as_u16(), &img.bytes[..2]),
        (200, &[0xFF, 0xD8][..])
    );
    assert_eq!(c.api(Method::GET, url, &wangge2, None).await.status, 404);
    let missing = format!("/api/v1/cases/{id}/photos/999999");
    assert_eq!(c.api(Method::GET, &missing, &shuji, None).await.status, 404);
});

/// A 40 MB multipart body (a CSRF field, then one "photo") that counts
/// how much of it the server pulled.
fn counted_upload(
    token: &str,
    pulled: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> (String, axum::body::Body) {
    use std::sync::atomic::Ordering;
    let boundary = "----linli-counted-upload";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    let chunks = (0..40).map(move |_| {
        pulled.fetch_add(1024 * 1024, Ordering::SeqCst);
        Ok::<_, std::io::Error>(vec![b'x'; 1024 * 1024])
    });
    let stream = futures_util::stream::iter(std::iter::once(Ok(head)).chain(chunks));
    (
        format!("multipart/form-data; boundary={boundary}"),
        axum::body::Body::from_stream(stream),
    )
}

db_test!(a_strangers_upload_is_refused_unread, |db: Db| async move {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut c = Client::new(db).await;
    let accounts = c.app.seed_demo_community().await.unwrap().unwrap();
    c.get("/login").await; // a CSRF cookie, as a browser would have
    let token = c.csrf();
    let pulled = std::sync::Arc::new(AtomicUsize::new(0));
    let (ct, body) = counted_upload(&token, pulled.clone());
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/cases/new")
        .header("content-type", ct)
        .body(body)
        .unwrap();
    let r = c.send(req).await;
    // a page's answer to "sign in first" is the login page
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().starts_with("/login"), "{}", r.location());
    assert!(
        pulled.load(Ordering::SeqCst) <= 1024 * 1024,
        "{} bytes read before the sign-in check",
        pulled.load(Ordering::SeqCst)
    );

    // signed in, the CSRF field is found at the head of the body, and the
    // handler still receives the body whole (here: a form without photos)
    c.login("wangge1", &common::password_of(&accounts, "wangge1"))
        .await;
    let p = wgs84_to_gcj02(common::grid1_point(&c).await);
    let (lng, lat) = (p.lng.to_string(), p.lat.to_string());
    let r = c
        .post_multipart(
            "/cases/new",
            &[
                ("kind", "snapshot"),
                ("category", "0104"),
                ("description", "路面油污"),
                ("lng", &lng),
                ("lat", &lat),
                ("coord_sys", "gcj02"),
                ("nonce", "n-1"),
            ],
            &[],
        )
        .await;
    assert!(
        r.status == 303 || r.status == 200,
        "{}: {}",
        r.status,
        r.body
    );
    // the CSRF field after a large file is not looked for
    let token = c.csrf();
    let big = vec![b'x'; 200 * 1024];
    let (ct, mut body) = multipart(&[], &[("photos", &big)]);
    let tail = format!(
        "--{}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n",
        &ct["multipart/form-data; boundary=".len()..]
    );
    body.truncate(
        body.len() - format!("--{}--\r\n", &ct["multipart/form-data; boundary=".len()..]).len(),
    );
    body.extend_from_slice(tail.as_bytes());
    body.extend_from_slice(
        format!("--{}--\r\n", &ct["multipart/form-data; boundary=".len()..]).as_bytes(),
    );
    let r = c.post_raw("/cases/new", &ct, body).await;
    assert_eq!(r.status, 403, "{}", r.body);
});
