//! 通知公告 over HTTP on both databases: who a notice reaches (everyone,
//! a grid, a care tag), who may publish where, who may open it, read
//! counts, the inbox, withdrawal and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{self, Client, token};
use crate::registry::{import_people, seeded};
use axum::http::Method;
use linli_app::accounts::auth::Principal;
use linli_app::demo::COMMUNITY;
use linli_store::{Db, db_test};

async fn as_user(c: &mut Client, username: &str, password: &str) {
    c.cookies.clear();
    let r = c.login(username, password).await;
    assert_eq!(r.status, 303, "{username} signs in: {}", r.body);
}

/// Publishes a notice through the form; returns the notice's id, or the
/// status when refused.
async fn publish(c: &mut Client, fields: &[(&str, &str)]) -> Result<i64, u16> {
    let mut all = vec![("community", COMMUNITY)];
    all.extend_from_slice(fields);
    let r = c.post_form("/notices", &all).await;
    if r.status != 303 {
        return Err(r.status.as_u16());
    }
    let to = r.headers["location"].to_str().unwrap().to_owned();
    match to.strip_prefix("/notices/") {
        Some(rest) => Ok(rest.split('?').next().unwrap().parse().unwrap()),
        None => Err(if to.contains("err=1") { 422 } else { 0 }),
    }
}

db_test!(
    notices_reach_their_audience_and_count_reads,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        // nobody signed in: to the login page
        for path in ["/notices", "/notices/1", "/notices/new"] {
            let r = c.get(path).await;
            assert_eq!(r.status, 303, "{path}");
            assert!(
                r.headers["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/login"),
                "{path}"
            );
        }
        assert_eq!(
            c.post_form("/notices", &[("title", "t")])
                .await
                .status
                .as_u16()
                / 100,
            4
        );
        let shuji = token(&c, "shuji").await;
        let wang = import_people(&mut c, &shuji).await;
        // 王秀兰 (独居老人, 1号楼) signs in with her own account; 李秀英 has an
        // account but no registry record bound
        common::resident(&c, "wangxl", common::PW).await;
        let bind = c
            .api(
                Method::POST,
                &format!("/api/v1/residents/{wang}/account"),
                &shuji,
                Some(r#"{"username":"wangxl"}"#),
            )
            .await;
        assert_eq!(bind.status, 204, "{}", bind.body);
        common::resident(&c, "lixy", common::PW).await;
        let (b, _) = c.app.building(&Principal::cli(), 1).await.unwrap();
        assert_eq!(b.name, "1号楼", "where 王秀兰 lives");
        let her_grid = b.scope.to_string();
        assert!(her_grid.len() > 12, "1号楼 lies in a grid");

        as_user(&mut c, "shuji", &pw["shuji"]).await;
        let form = c.get("/notices/new").await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("全体居民") && form.body.contains("独居老人"));
        let everyone = publish(
            &mut c,
            &[
                ("title", "12月9日停水通知"),
                ("body", "9:00–17:00 停水,请提前储水。"),
                ("audience", "all"),
            ],
        )
        .await
        .unwrap();
        let opened = c.get(&format!("/notices/{everyone}")).await;
        // the demo's jumin, 王秀兰 and 李秀英
        assert!(
            opened
                .body
                .contains("发给 全体居民 3 人,已读 <strong>0</strong> 人"),
            "{}",
            opened.body
        );
        let tagged = publish(
            &mut c,
            &[
                ("title", "寒潮来了,请注意保暖"),
                ("body", "网格员今天上门看望。"),
                ("audience", "tag"),
                ("tag", "1"),
            ],
        )
        .await
        .unwrap();
        assert!(
            c.get(&format!("/notices/{tagged}"))
                .await
                .body
                .contains("发给 独居老人 1 人")
        );
        let grid = publish(
            &mut c,
            &[
                ("title", "楼道清理"),
                ("body", "周六清理楼道杂物。"),
                ("audience", "grid"),
                ("grid", &her_grid),
            ],
        )
        .await
        .unwrap();
        assert!(
            c.get(&format!("/notices/{grid}"))
                .await
                .body
                .contains(" 1 人,已读")
        );
        // a notice with a picture: re-encoded, shown to recipients only
        let png = common::png(800, 600);
        let r = c
            .post_multipart(
                "/notices",
                &[
                    ("community", COMMUNITY),
                    ("title", "电梯检修示意"),
                    ("body", "3号楼电梯本周六检修,见图。"),
                    ("audience", "tag"),
                    ("tag", "1"),
                ],
                &[("photos", &png)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let pictured: i64 = r.headers["location"].to_str().unwrap()["/notices/".len()..]
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let page = c.get(&format!("/notices/{pictured}")).await;
        let src = page
            .body
            .split("<img src=\"")
            .nth(1)
            .expect("the picture on the notice")
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let img = c.get(&src).await;
        assert_eq!(img.status, 200);
        assert_eq!(img.headers["content-type"], "image/jpeg");
        assert_eq!(&img.bytes[..2], &[0xFF, 0xD8], "re-encoded as JPEG");
        // not a picture: refused, nothing published
        let bad = c
            .post_multipart(
                "/notices",
                &[
                    ("community", COMMUNITY),
                    ("title", "t"),
                    ("body", "x"),
                    ("audience", "all"),
                ],
                &[("photos", b"not an image at all".as_slice())],
            )
            .await;
        assert!(
            bad.headers["location"].to_str().unwrap().contains("err=1"),
            "{:?}",
            bad.headers
        );

        // bad input: told in Chinese, nothing stored
        assert_eq!(
            publish(
                &mut c,
                &[("title", " "), ("body", "x"), ("audience", "all")]
            )
            .await,
            Err(422)
        );
        assert_eq!(
            publish(
                &mut c,
                &[
                    ("title", "t"),
                    ("body", "x"),
                    ("audience", "grid"),
                    ("grid", "110101001001001")
                ]
            )
            .await,
            Err(422),
            "a grid of another community"
        );

        // 王秀兰 finds all three in her inbox and on her home page, and opening one counts
        as_user(&mut c, "wangxl", common::PW).await;
        let home = c.get("/home").await;
        assert!(home.body.contains("id=\"home-notice\""));
        let inbox = c.get("/inbox").await;
        assert!(inbox.body.contains("社区通知:寒潮来了"));
        let list = c.get("/notices").await;
        assert_eq!(list.body.matches("href=\"/notices/").count(), 4);
        assert!(!list.body.contains("发布通知"), "residents publish nothing");
        let read = c.get(&format!("/notices/{tagged}")).await;
        assert_eq!(read.status, 200);
        assert!(read.body.contains("网格员今天上门看望") && !read.body.contains("阅读情况"));
        assert_eq!(
            publish(
                &mut c,
                &[("title", "t"), ("body", "x"), ("audience", "all")]
            )
            .await,
            Err(403)
        );
        // the inbox's notification of it went read with it
        let inbox = c.get("/inbox").await;
        let at = inbox.body.find("社区通知:寒潮来了").unwrap();
        let li = inbox.body[..at].rfind("<li class=\"").unwrap();
        assert!(
            inbox.body[li..at].starts_with("<li class=\"read\""),
            "{}",
            &inbox.body[li..at]
        );

        // …and 王秀兰 (独居老人) sees the picture; 李秀英 below does not
        assert_eq!(c.get(&src).await.status, 200);

        // 李秀英 (no record bound) got only the notice to everyone
        as_user(&mut c, "lixy", common::PW).await;
        assert_eq!(
            c.get("/notices")
                .await
                .body
                .matches("href=\"/notices/")
                .count(),
            1
        );
        assert_eq!(c.get(&format!("/notices/{tagged}")).await.status, 404);
        assert_eq!(c.get(&src).await.status, 404, "not hers to see");

        // the grid worker publishes to their own grid only
        as_user(&mut c, "wangge1", &pw["wangge1"]).await;
        let own = format!("{COMMUNITY}001");
        assert!(
            publish(
                &mut c,
                &[
                    ("title", "t"),
                    ("body", "x"),
                    ("audience", "grid"),
                    ("grid", &own)
                ]
            )
            .await
            .is_ok()
        );
        assert_eq!(
            publish(
                &mut c,
                &[("title", "t"), ("body", "x"), ("audience", "all")]
            )
            .await,
            Err(403)
        );
        let other = format!("{COMMUNITY}002");
        assert_eq!(
            publish(
                &mut c,
                &[
                    ("title", "t"),
                    ("body", "x"),
                    ("audience", "grid"),
                    ("grid", &other)
                ]
            )
            .await,
            Err(403)
        );
        assert_eq!(
            c.get(&format!("/notices/{everyone}")).await.status,
            404,
            "not their grid's"
        );

        // the next grid's worker sees neither the community's nor another grid's notices
        as_user(&mut c, "wangge2", &pw["wangge2"]).await;
        assert_ne!(her_grid, other);
        assert_eq!(c.get(&format!("/notices/{grid}")).await.status, 404);
        assert_eq!(c.get(&format!("/notices/{everyone}")).await.status, 404);
        let theirs = c.get("/notices").await;
        assert!(!theirs.body.contains("楼道清理") && !theirs.body.contains("停水"));

        // the secretary sees the read and withdraws; residents no longer see it
        as_user(&mut c, "shuji", &pw["shuji"]).await;
        assert!(
            c.get(&format!("/notices/{tagged}"))
                .await
                .body
                .contains("已读 <strong>1</strong> 人")
        );
        let w = c
            .post_form(&format!("/notices/{tagged}/withdraw"), &[])
            .await;
        assert_eq!(w.status, 303);
        assert!(
            c.get(&format!("/notices/{tagged}"))
                .await
                .body
                .contains("已撤回")
        );
        as_user(&mut c, "wangxl", common::PW).await;
        assert_eq!(c.get(&format!("/notices/{tagged}")).await.status, 404);
        assert!(
            !c.get("/inbox").await.body.contains("寒潮来了"),
            "a withdrawn notice leaves the inbox too"
        );
        // four from the secretary, one withdrawn, and the grid worker's when it is her grid
        let expected = 3 + usize::from(her_grid == own);
        assert_eq!(
            c.get("/notices")
                .await
                .body
                .matches("href=\"/notices/")
                .count(),
            expected
        );
    }
);
