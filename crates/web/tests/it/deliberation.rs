//! 业主表决 over HTTP on both databases: staff register an owner, hold a
//! vote on a building, enter a paper ballot and count; the result shows
//! each threshold with its numbers. Who may see and do what: the access
//! matrix of the vote pages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{Client, token};
use crate::registry::{import_people, seeded};
use linli_store::{Db, db_test};

async fn as_user(c: &mut Client, username: &str, password: &str) {
    c.cookies.clear();
    assert_eq!(c.login(username, password).await.status, 303, "{username}");
}

db_test!(
    a_building_votes_and_the_result_shows_its_numbers,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        let shuji = token(&c, "shuji").await;
        let wang = import_people(&mut c, &shuji).await;
        as_user(&mut c, "shuji", &pw["shuji"]).await;

        // the owners' register of 1号楼: 王秀兰 owns her dwelling
        let reg = c.get("/owners/1").await;
        assert_eq!(reg.status, 200, "{}", reg.body);
        let at = reg
            .body
            .find(&format!("value=\"r:{wang}\""))
            .expect("she lives in 1号楼");
        let head = &reg.body[..at];
        let from = head.rfind("/owners/dwellings/").unwrap() + "/owners/dwellings/".len();
        let dwelling: i64 = head[from..].split('"').next().unwrap().parse().unwrap();
        // an area of 0 or of three decimals is refused, nothing is written
        for bad in ["0", "89.123", "-5"] {
            let r = c
                .post_form(
                    &format!("/owners/dwellings/{dwelling}"),
                    &[
                        ("building", "1"),
                        ("owner", &format!("r:{wang}")),
                        ("area_register", bad),
                    ],
                )
                .await;
            assert_eq!(r.status, 303);
            assert!(r.location().contains("err=1"), "{bad}: {}", r.location());
        }
        let r = c
            .post_form(
                &format!("/owners/dwellings/{dwelling}"),
                &[
                    ("building", "1"),
                    ("owner", &format!("r:{wang}")),
                    ("area_survey", "89.35"),
                ],
            )
            .await;
        assert!(r.location().contains("err=0"), "{}", r.location());
        let reg = c.get("/owners/1").await;
        assert!(reg.body.contains("89.35㎡(测绘)"), "{}", reg.body);

        // a vote on 1号楼, item 5 (majority)
        let form = c.get("/votes/new").await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("value=\"building:1\""));
        let in_7 = (linli_app::today() + time::Duration::days(7)).to_string();
        let r = c
            .post_form(
                "/votes",
                &[
                    ("scope", "building:1"),
                    ("item", "5"),
                    ("title", "使用维修资金修缮屋面"),
                    ("body", ""),
                    ("candidates", ""),
                    ("closes_on", &in_7),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let id: i64 = r
            .location()
            .trim_start_matches("/votes/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let r = c.post_form(&format!("/votes/{id}/open"), &[]).await;
        assert!(r.location().contains("err=0"), "{}", r.location());
        let page = c.get(&format!("/votes/{id}")).await;
        assert!(
            page.body.contains("已参与 <strong>0</strong> / 1 户业主"),
            "{}",
            page.body
        );
        assert!(page.body.contains("王**"), "masked on the roll");
        // a paper ballot needs its number; then it counts once
        let owner = format!("r:{wang}");
        let enter = format!("/votes/{id}/enter");
        for (proof, choice, err) in [
            ("", "同意", 1),
            ("DT-001", "同意", 0),
            ("DT-002", "反对", 1),
        ] {
            let r = c
                .post_form(
                    &enter,
                    &[
                        ("owner", &owner),
                        ("channel", "paper"),
                        ("choice", choice),
                        ("proof", proof),
                    ],
                )
                .await;
            assert!(
                r.location().contains(&format!("err={err}")),
                "{proof}: {}",
                r.location()
            );
        }

        // the others: a grid worker, the street, an unbound resident
        as_user(&mut c, "wangge1", &pw["wangge1"]).await;
        assert_eq!(c.get("/votes").await.status, 403);
        assert_eq!(c.get(&format!("/votes/{id}")).await.status, 404);
        assert_eq!(c.get("/owners/1").await.status, 404);
        let r = c
            .post_form(
                &format!("/owners/dwellings/{dwelling}"),
                &[
                    ("building", "1"),
                    ("owner", "developer"),
                    ("area_register", "10"),
                ],
            )
            .await;
        assert_eq!(r.status, 404);
        as_user(&mut c, "tuanshan", &pw["tuanshan"]).await;
        let street = c.get(&format!("/votes/{id}")).await;
        assert_eq!(street.status, 200);
        assert!(
            !street.body.contains("id=\"manage\""),
            "the street watches, it does not run the vote"
        );
        assert!(!street.body.contains("王**"));
        assert_eq!(
            c.post_form(&format!("/votes/{id}/close"), &[]).await.status,
            403
        );
        as_user(&mut c, "jumin", &pw["jumin"]).await;
        let list = c.get("/votes").await;
        assert_eq!(list.status, 200);
        assert!(!list.body.contains(&format!("/votes/{id}\"")));
        assert_eq!(c.get(&format!("/votes/{id}")).await.status, 404);
        assert_eq!(c.get("/votes/new").await.status, 403);

        // counted: one owner, all of the area, agreed
        as_user(&mut c, "shuji", &pw["shuji"]).await;
        let r = c.post_form(&format!("/votes/{id}/close"), &[]).await;
        assert!(r.location().contains("err=0"), "{}", r.location());
        let done = c.get(&format!("/votes/{id}")).await;
        assert!(done.body.contains("chip done\">通过"), "{}", done.body);
        assert!(
            done.body
                .contains("89.35㎡ / 89.35㎡,需三分之二以上(至少 59.57㎡)"),
            "{}",
            done.body
        );
        assert!(
            done.body.contains("1 人 / 1 人,需过半数(至少 1 人)"),
            "{}",
            done.body
        );
        let r = c.post_form(&format!("/votes/{id}/close"), &[]).await;
        assert!(r.location().contains("err=1"), "closed once");
    }
);

db_test!(
    the_public_board_shows_outcomes_never_people,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        c.app.seed_demo_residents().await.unwrap().unwrap();
        c.app.seed_demo_votes().await.unwrap().unwrap();
        // no account needed: aggregates only
        let board = c.get("/board/220103008003").await;
        assert_eq!(board.status, 200, "{}", board.body);
        assert!(board.body.contains("长山花园社区 · 议事公开栏"));
        assert!(
            board.body.contains("把健身器材挪到3号楼北侧空地")
                && board.body.contains("评价 4.4 分(9 人)")
        );
        assert!(board.body.contains("1号楼1单元加装电梯") && board.body.contains("需四分之三以上"));
        assert!(
            board.body.contains("政府补贴(用于维护保养)") && board.body.contains("450,000.00 元")
        );
        assert!(!board.body.contains("李建华"), "no proxy's name");
        assert!(
            board.body.contains("已花费 9,000.00 元"),
            "the money spent on the fitness move"
        );
        assert!(
            !board.body.contains("某某家"),
            "comments stay on the proposal page"
        );
        assert!(
            !board.body.contains("**"),
            "no masked names either: nobody at all"
        );
        let poster = c.get("/board/220103008003/poster").await;
        assert_eq!(poster.status, 200);
        assert!(poster.body.contains("<svg") && poster.body.contains("手机扫码"));
        // a street, a grid, nonsense: not a board
        for bad in [
            "/board/220103008",
            "/board/220103008003001",
            "/board/abc",
            "/board/999999999999",
        ] {
            assert_eq!(c.get(bad).await.status, 404, "{bad}");
        }

        // proposals: the grid worker sees none and opens none; the street reads, does not act
        as_user(&mut c, "shuji", &pw["shuji"]).await;
        let list = c.get("/proposals").await;
        assert_eq!(list.status, 200);
        let id: i64 = list
            .body
            .split("<li><a href=\"/proposals/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            list.body.contains("id=\"rules-form\"") && list.body.contains("/board/220103008003")
        );
        as_user(&mut c, "wangge1", &pw["wangge1"]).await;
        assert!(
            !c.get("/proposals")
                .await
                .body
                .contains("<li><a href=\"/proposals/")
        );
        assert_eq!(c.get(&format!("/proposals/{id}")).await.status, 404);
        let r = c
            .post_form(
                &format!("/proposals/{id}/move"),
                &[("to", "declined"), ("answer", "不办")],
            )
            .await;
        assert_eq!(r.status, 403);
        as_user(&mut c, "tuanshan", &pw["tuanshan"]).await;
        let p = c.get(&format!("/proposals/{id}")).await;
        assert_eq!(p.status, 200);
        assert!(!p.body.contains("id=\"manage\""));
        assert!(
            !p.body.contains("id=\"comment-form\""),
            "the street reads the discussion, it does not join it"
        );
        assert_eq!(
            c.post_form("/proposals/rules", &[("threshold", "1"), ("quorum", "1")])
                .await
                .status,
            403
        );

        // the rest of the matrix: what the grid worker and the street get
        // from every action of deliberation (the demo's elevator vote is 1,
        // the fitness proposal's first meeting and comment are 1)
        let actions: Vec<(String, Vec<(&str, &str)>)> = vec![
            (
                format!("/proposals/{id}/comments"),
                vec![("body", "我也说")],
            ),
            (
                "/comments/1/hide".into(),
                vec![("reason", "不当"), ("proposal", "1")],
            ),
            (
                format!("/proposals/{id}/progress"),
                vec![("body", "进展"), ("spent", "")],
            ),
            (
                format!("/proposals/{id}/meetings"),
                vec![
                    ("kind", "council"),
                    ("title", "会"),
                    ("held_on", "2026-12-01"),
                    ("place", ""),
                ],
            ),
            (
                "/meetings/1/record".into(),
                vec![("minutes", "纪要"), ("attendees", "")],
            ),
            (
                "/votes/1/costs".into(),
                vec![("basis", "area"), ("owners_total", "1")],
            ),
            ("/votes/1/costs/1/paid".into(), vec![]),
            (
                "/votes/1/enter".into(),
                vec![
                    ("owner", "r:1"),
                    ("channel", "paper"),
                    ("choice", "同意"),
                    ("proof", "X"),
                ],
            ),
            (
                "/owners/dwellings/1".into(),
                vec![
                    ("building", "1"),
                    ("owner", "developer"),
                    ("area_register", "10"),
                ],
            ),
        ];
        // both get 403 where the action is staff's, 404 where even the thing
        // is out of their reach (a discussion of a scope they do not live in,
        // the owners' register of a community they do not keep)
        for user in ["wangge1", "tuanshan"] {
            as_user(&mut c, user, &pw[user]).await;
            for (path, fields) in &actions {
                let r = c.post_form(path, fields).await;
                let want = if path.ends_with("/comments") || path.starts_with("/owners/") {
                    404
                } else {
                    403
                };
                assert_eq!(r.status, want, "{user} {path}");
            }
            // a ballot needs one's own place on the roll: nobody else's is cast
            let r = c.post_form("/votes/2/ballot", &[("choice", "弃权")]).await;
            if user == "wangge1" {
                assert_eq!(r.status, 404, "{user}");
            } else {
                assert!(r.location().contains("err=1"), "{user}: {}", r.location());
            }
            let m = c.get("/meetings/1").await.status;
            assert_eq!(
                m,
                if user == "wangge1" { 404 } else { 200 },
                "{user} /meetings/1"
            );
        }
    }
);
