//! Browsing the administrative regions, pages and API, on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{Client, PW};
use axum::http::Method;
use linli_app::Actor;
use linli_app::territory::region_files;
use linli_store::{Db, db_test};

/// A slice of the real files: 吉林省 down to 长山花园社区.
async fn seed(c: &Client) {
    let dir = std::env::temp_dir().join(format!(
        "linli-regions-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        ("provinces.csv", "code,name\n22,\"吉林省\"\n"),
        ("cities.csv", "code,name,provinceCode\n2201,\"长春市\",22\n"),
        (
            "areas.csv",
            "code,name,cityCode,provinceCode\n220103,\"宽城区\",2201,22\n",
        ),
        (
            "streets.csv",
            "code,name,areaCode,provinceCode,cityCode\n220103008,\"团山街道\",220103,22,2201\n",
        ),
        (
            "villages.csv",
            "code,name,streetCode,provinceCode,cityCode,areaCode\n220103008003,\"长山花园社区\",220103008,22,2201,220103\n",
        ),
    ];
    for (name, body) in files {
        std::fs::write(dir.join(name), body).unwrap();
    }
    let files = region_files(&dir).unwrap();
    c.app
        .import_regions(&files, &Actor::cli(), &mut |_, _| {})
        .await
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

db_test!(the_region_tree_is_browsable, |db: Db| async move {
    let mut c = Client::with_user(db, "liwg").await;
    assert_eq!(
        c.get("/territory").await.status.as_u16(),
        303,
        "login first"
    );
    c.login("liwg", PW).await;
    let empty = c.get("/territory").await;
    assert!(empty.body.contains("尚未导入区划数据"));
    seed(&c).await;

    let root = c.get("/territory").await;
    assert!(root.body.contains("吉林省") && root.body.contains("/territory?code=220000000000"));
    let street = c.get("/territory?code=220103008").await;
    assert_eq!(street.status.as_u16(), 200);
    let crumbs = street
        .body
        .split("class=\"crumbs\"")
        .nth(1)
        .unwrap()
        .split("</nav>")
        .next()
        .unwrap()
        .to_owned();
    for (a, b) in [
        ("吉林省", "长春市"),
        ("长春市", "宽城区"),
        ("宽城区", "团山街道"),
    ] {
        assert!(
            crumbs.find(a).unwrap() < crumbs.find(b).unwrap(),
            "{crumbs}"
        );
    }
    assert!(street.body.contains("长山花园社区") && street.body.contains("社区村"));

    let bad = c.get("/territory?code=abc").await;
    assert_eq!(bad.status.as_u16(), 422);
    assert!(bad.body.contains("region code"));
    assert_eq!(c.get("/territory?code=990000").await.status.as_u16(), 404);
});

db_test!(regions_over_the_api, |db: Db| async move {
    let mut c = Client::with_user(db, "liwg").await;
    seed(&c).await;
    let t = c
        .app
        .create_token("liwg", "t", &Actor::cli())
        .await
        .unwrap()
        .secret
        .expose()
        .to_owned();
    let roots = c.api(Method::GET, "/api/v1/regions", &t, None).await.json();
    assert_eq!(roots[0]["name"], "吉林省");
    let r = c
        .api(Method::GET, "/api/v1/regions/220103008003", &t, None)
        .await;
    assert_eq!(r.status.as_u16(), 200);
    let j = r.json();
    assert_eq!(j["region"]["name"], "长山花园社区");
    assert_eq!(j["region"]["level"], "社区村");
    assert_eq!(j["region"]["parent"], "220103008000");
    assert_eq!(j["children"].as_array().unwrap().len(), 0);
    let street = c
        .api(Method::GET, "/api/v1/regions/220103008", &t, None)
        .await
        .json();
    assert_eq!(street["children"][0]["code"], "220103008003");
    let bad = c.api(Method::GET, "/api/v1/regions/22x", &t, None).await;
    assert_eq!(
        (bad.status.as_u16(), bad.error_code().as_str()),
        (422, "invalid")
    );
    let missing = c.api(Method::GET, "/api/v1/regions/990000", &t, None).await;
    assert_eq!(
        (missing.status.as_u16(), missing.error_code().as_str()),
        (404, "not_found")
    );
    let anonymous = c.get("/api/v1/regions").await;
    assert_eq!(anonymous.status.as_u16(), 401);
});
