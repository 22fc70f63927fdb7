//! 志愿服务 over HTTP on both databases: a party member reports in and
//! claims a post, a resident orders, the street cannot dispatch, staff
//! dispatch, the member accepts and finishes, the resident rates; hours
//! and points show once; redeeming lowers points, not hours. The access
//! matrix of the volunteering pages: who sees and does what.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::Client;
use linli_store::{Db, db_test};

async fn as_user(c: &mut Client, username: &str, password: &str) {
    c.cookies.clear();
    assert_eq!(c.login(username, password).await.status, 303, "{username}");
}

/// The id at the end of a redirect to `/services/{id}?…`.
fn id_in(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|s| s.split('?').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{location}"))
}

db_test!(an_order_and_the_access_matrix, |db: Db| async move {
    // one browser plays everyone here: more sign-ins than the per-minute limit
    let config = linli_web::WebConfig {
        login_per_minute: 1000,
        ..linli_web::WebConfig::default()
    };
    let mut c = Client::with_config(db, config).await;
    let mut pw: std::collections::HashMap<String, String> = c
        .app
        .seed_demo_community()
        .await
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|(u, _, p)| (u, p.expose().to_owned()))
        .collect();
    c.app.seed_demo_residents().await.unwrap().unwrap();
    c.app.seed_demo_votes().await.unwrap().unwrap();
    let (_, member) = c.app.seed_demo_volunteering().await.unwrap().unwrap();
    pw.insert("dangyuan".into(), member[0].2.expose().to_owned());
    let jumin = pw["jumin"].clone();

    // the member reports in (an employer is needed) and claims a post
    as_user(&mut c, "dangyuan", &pw["dangyuan"]).await;
    let page = c.get("/volunteer").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("join-form") && page.body.contains("志愿服务"));
    let r = c
        .post_form(
            "/volunteer/join",
            &[("skills", "家电维修"), ("party", "1"), ("employer", "")],
        )
        .await;
    assert!(r.location().contains("err=1"), "{}", r.location());
    let r = c
        .post_form(
            "/volunteer/join",
            &[
                ("skills", "家电维修"),
                ("party", "1"),
                ("employer", "宽城区人民法院机关党委"),
            ],
        )
        .await;
    assert!(r.location().contains("err=0"), "{}", r.location());
    let r = c
        .post_form("/volunteer/post", &[("post", "关爱帮扶")])
        .await;
    assert!(r.location().contains("err=0"), "{}", r.location());
    let page = c.get("/volunteer").await;
    assert!(
        page.body.contains("关爱帮扶") && page.body.contains("50小时"),
        "{}",
        page.body
    );
    // a member never reaches the roll, the shelf's stock or another's detail
    assert_eq!(c.get("/volunteers").await.status, 403);
    assert_eq!(c.get("/volunteers/1").await.status, 404);
    assert_eq!(
        c.post_form(
            "/shelf/stock",
            &[
                ("community", linli_app::demo::COMMUNITY),
                ("name", "x"),
                ("points", "1"),
                ("more", "9")
            ]
        )
        .await
        .status,
        403
    );

    // the resident orders; the form refuses an unknown service
    as_user(&mut c, "jumin", &jumin).await;
    assert_eq!(c.get("/services/new").await.status, 200);
    let r = c
        .post_form("/services", &[("service", "造火箭"), ("body", "x")])
        .await;
    assert!(r.location().starts_with("/services/new") && r.location().contains("err=1"));
    let r = c
        .post_form(
            "/services",
            &[("service", "家电维修"), ("body", "洗衣机不转了")],
        )
        .await;
    let order = id_in(r.location(), "/services/");
    let path = format!("/services/{order}");
    let act = format!("{path}/act");
    assert_eq!(c.get(&path).await.status, 200);
    assert_eq!(c.get("/volunteers").await.status, 403);

    // not given to the member yet; a grid worker has no business with it
    as_user(&mut c, "dangyuan", &pw["dangyuan"]).await;
    assert_eq!(c.get(&path).await.status, 404);
    assert_eq!(c.post_form(&act, &[("action", "accept")]).await.status, 404);
    as_user(&mut c, "wangge1", &pw["wangge1"]).await;
    assert_eq!(c.get(&path).await.status, 404);
    // the street reads it, and the roll with names masked, but does not dispatch
    as_user(&mut c, "tuanshan", &pw["tuanshan"]).await;
    let seen = c.get(&path).await;
    assert_eq!(seen.status, 200);
    assert!(!seen.body.contains("dispatch-form"));
    let r = c
        .post_form(&act, &[("action", "dispatch"), ("assignee", "1")])
        .await;
    assert!(r.location().contains("err=1"), "{}", r.location());
    let roll = c.get("/volunteers").await;
    assert_eq!(roll.status, 200);
    assert!(roll.body.contains('*') && !roll.body.contains("/volunteers/1\""));

    // staff dispatch to the member
    as_user(&mut c, "shuji", &pw["shuji"]).await;
    let seen = c.get(&path).await;
    let at = seen
        .body
        .find("· 家电维修</option>")
        .expect("the member is a candidate");
    let head = &seen.body[..at];
    let from = head.rfind("<option value=\"").unwrap() + "<option value=\"".len();
    let vid = head[from..].split('"').next().unwrap().to_owned();
    let r = c
        .post_form(&act, &[("action", "dispatch"), ("assignee", &vid)])
        .await;
    assert!(r.location().contains("err=0"), "{}", r.location());

    // the member sees the estate and building, the name masked, until they accept
    as_user(&mut c, "dangyuan", &pw["dangyuan"]).await;
    let seen = c.get(&path).await;
    assert!(seen.body.contains("accept-form") && !seen.body.contains("id=\"contact\""));
    let masked = seen
        .body
        .split("id=\"requester\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(masked.contains('*'), "{masked}");
    // a rating by the member is refused
    let r = c
        .post_form(&act, &[("action", "rate"), ("rating", "satisfied")])
        .await;
    assert!(r.location().contains("err=1"));
    c.post_form(&act, &[("action", "accept")]).await;
    let seen = c.get(&path).await;
    let name = seen
        .body
        .split("id=\"requester\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(!name.contains('*'), "{name}");
    let r = c
        .post_form(
            &act,
            &[("action", "finish"), ("minutes", "1440"), ("note", "")],
        )
        .await;
    assert!(r.location().contains("err=1"), "a 24 h typo");
    let r = c
        .post_form(
            &act,
            &[
                ("action", "finish"),
                ("minutes", "60"),
                ("note", "换了皮带"),
            ],
        )
        .await;
    assert!(r.location().contains("err=0"), "{}", r.location());

    // the resident rates; twice is refused
    as_user(&mut c, "jumin", &jumin).await;
    let r = c
        .post_form(
            &act,
            &[
                ("action", "rate"),
                ("rating", "satisfied"),
                ("note", "谢谢"),
            ],
        )
        .await;
    assert!(r.location().contains("err=0"), "{}", r.location());
    let r = c
        .post_form(&act, &[("action", "rate"), ("rating", "satisfied")])
        .await;
    assert!(r.location().contains("err=1"));
    assert!(c.get(&path).await.body.contains("id=\"rating\">满意"));

    as_user(&mut c, "dangyuan", &pw["dangyuan"]).await;
    let mine = c.get("/volunteer").await.body;
    assert!(
        mine.contains("id=\"hours\">1小时<") && mine.contains("id=\"points\">10<"),
        "{mine}"
    );

    // a certificate: the member prints it, anyone checks it by its QR's address
    let r = c.post_form("/volunteer/certificate", &[]).await;
    assert_eq!(r.status, 303);
    let printed = r.location().to_owned();
    assert!(printed.starts_with("/certificates/"), "{printed}");
    let page = c.get(&printed).await;
    assert!(
        page.status == 200
            && page.body.contains("id=\"cert-total\">1小时<")
            && page.body.contains("<svg")
    );
    let serial = printed.trim_start_matches("/certificates/").to_owned();
    let mut anyone = c.stranger();
    let check = anyone.get(&format!("/verify/{serial}")).await;
    assert_eq!(check.status, 200);
    assert!(check.body.contains("此证明有效") && check.body.contains('*'));
    assert_eq!(anyone.get("/verify/nope").await.status, 404);
    as_user(&mut c, "jumin", &jumin).await;
    assert_eq!(c.get(&printed).await.status, 404);
    as_user(&mut c, "dangyuan", &pw["dangyuan"]).await;

    // the shelf: staff stock it; the member redeems: points down, hours kept
    as_user(&mut c, "shuji", &pw["shuji"]).await;
    let r = c
        .post_form(
            "/shelf/stock",
            &[
                ("community", linli_app::demo::COMMUNITY),
                ("name", "肥皂"),
                ("points", "10"),
                ("more", "1"),
            ],
        )
        .await;
    assert!(r.location().contains("err=0"), "{}", r.location());
    let shelf = c.get("/shelf").await.body;
    let at = shelf.find("<strong>肥皂</strong>").unwrap();
    assert!(shelf[at..].contains("剩 1 件"));
    as_user(&mut c, "dangyuan", &pw["dangyuan"]).await;
    let shelf = c.get("/shelf").await.body;
    let at = shelf.find("<strong>肥皂</strong>").unwrap();
    let form = shelf[at..]
        .split("action=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        form.starts_with("/shelf/") && form.ends_with("/redeem"),
        "{form}"
    );
    assert!(c.post_form(&form, &[]).await.location().contains("err=0"));
    assert!(
        c.post_form(&form, &[]).await.location().contains("err=1"),
        "over the stock and the balance"
    );
    let mine = c.get("/volunteer").await.body;
    assert!(
        mine.contains("id=\"hours\">1小时<") && mine.contains("id=\"points\">0<"),
        "{mine}"
    );
    // only staff hand it over; nobody else places a volunteer
    as_user(&mut c, "shuji", &pw["shuji"]).await;
    let shelf = c.get("/shelf").await.body;
    let settle = shelf
        .split("action=\"/redemptions/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|r| format!("/redemptions/{r}"))
        .expect("the member's redemption waits for staff");
    for who in ["dangyuan", "tuanshan"] {
        as_user(&mut c, who, &pw[who]).await;
        assert_eq!(
            c.post_form(&settle, &[("handed", "1")]).await.status,
            404,
            "{who}"
        );
        assert_eq!(
            c.post_form(
                &format!("/volunteers/{vid}/place"),
                &[("grid", ""), ("pair", "")]
            )
            .await
            .status,
            404,
            "{who}"
        );
    }
    as_user(&mut c, "shuji", &pw["shuji"]).await;
    assert!(
        c.post_form(&settle, &[("handed", "1")])
            .await
            .location()
            .contains("err=0")
    );

    // 微心愿: a resident's wish is no one else's until staff publish it, then masked
    as_user(&mut c, "jumin", &jumin).await;
    let r = c
        .post_form(
            "/wishes",
            &[("title", "一件过冬的棉衣"), ("body", "旧棉衣不保暖了")],
        )
        .await;
    let wish = id_in(r.location(), "/wishes/");
    let wish_path = format!("/wishes/{wish}");
    let move_path = format!("{wish_path}/move");
    assert!(
        c.get(&wish_path).await.body.contains("id=\"place\""),
        "the author sees the address"
    );
    as_user(&mut c, "dangyuan", &pw["dangyuan"]).await;
    assert_eq!(c.get(&wish_path).await.status, 404);
    assert!(
        c.post_form(&move_path, &[("action", "publish")])
            .await
            .status
            == 404
    );
    as_user(&mut c, "tuanshan", &pw["tuanshan"]).await;
    let seen = c.get(&wish_path).await;
    assert!(
        seen.status == 200
            && !seen.body.contains("publish-form")
            && !seen.body.contains("id=\"place\"")
    );
    assert!(
        c.post_form(&move_path, &[("action", "publish")])
            .await
            .location()
            .contains("err=1")
    );
    as_user(&mut c, "shuji", &pw["shuji"]).await;
    assert!(
        c.post_form(&move_path, &[("action", "publish")])
            .await
            .location()
            .contains("err=0")
    );
    as_user(&mut c, "dangyuan", &pw["dangyuan"]).await;
    let seen = c.get(&wish_path).await;
    assert!(seen.body.contains("claim-form") && !seen.body.contains("id=\"place\""));
    let name = seen
        .body
        .split("id=\"for\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(name.contains('*'), "{name}");
    assert!(
        c.post_form(&move_path, &[("action", "claim")])
            .await
            .location()
            .contains("err=0")
    );
    assert!(
        c.get(&wish_path).await.body.contains("id=\"place\""),
        "the helper sees where"
    );
    assert!(
        c.post_form(&move_path, &[("action", "confirm")])
            .await
            .location()
            .contains("err=1")
    );

    // activities: codes only for the organiser's community; a forged code is refused
    as_user(&mut c, "shuji", &pw["shuji"]).await;
    let now = linli_app::now();
    let r = c
        .post_form(
            "/activities",
            &[
                ("community", linli_app::demo::COMMUNITY),
                ("title", "清扫积雪"),
                ("place", "1号楼前"),
                (
                    "starts",
                    &linli_domain::time::beijing_minute(now.plus_secs(-600)),
                ),
                (
                    "ends",
                    &linli_domain::time::beijing_minute(now.plus_secs(7200)),
                ),
                ("capacity", "30"),
                ("points", "10"),
            ],
        )
        .await;
    let activity = id_in(r.location(), "/activities/");
    let code = c.get(&format!("/activities/{activity}/code?k=in")).await;
    assert_eq!(code.status, 200);
    assert!(code.body.contains("<svg") && code.body.contains("data-refresh="));
    for who in ["dangyuan", "jumin", "tuanshan"] {
        as_user(&mut c, who, &pw[who]).await;
        assert_eq!(
            c.get(&format!("/activities/{activity}/code?k=in"))
                .await
                .status,
            404,
            "{who}"
        );
    }
    as_user(&mut c, "dangyuan", &pw["dangyuan"]).await;
    let r = c
        .post_form(
            &format!("/activities/{activity}/scan"),
            &[("k", "in"), ("w", "1"), ("t", "00")],
        )
        .await;
    assert!(r.location().contains("err=1"), "{}", r.location());
    assert_eq!(
        c.post_form(
            &format!("/activities/{activity}/walkin"),
            &[("name", "张三")]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        c.post_form("/ledger/1/reverse", &[("reason", "x")])
            .await
            .status,
        404
    );
});
