//! 走访 over HTTP on both databases: the plan from the care tags puts a
//! never-visited 独居老人 first on her grid worker's list; a visit takes
//! her off it; another grid's worker neither sees nor records her; bad
//! visits are refused and nothing is written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{self, Client, token};
use crate::registry::{import_people, seeded};
use linli_store::{Db, db_test};

async fn as_user(c: &mut Client, username: &str, password: &str) {
    c.cookies.clear();
    assert_eq!(c.login(username, password).await.status, 303, "{username}");
}

db_test!(visits_follow_the_plan_and_the_grid, |db: Db| async move {
    let (mut c, pw) = seeded(db).await;
    let shuji = token(&c, "shuji").await;
    let wang = import_people(&mut c, &shuji).await;
    // 1号楼, where 王秀兰 lives: whose grid is it
    let (b, _) = c
        .app
        .building(&linli_app::accounts::auth::Principal::cli(), 1)
        .await
        .unwrap();
    let (mine, other) = if b.scope.as_str().ends_with("001") {
        ("wangge1", "wangge2")
    } else {
        ("wangge2", "wangge1")
    };

    as_user(&mut c, mine, &pw[mine]).await;
    // 今日 counts the visits due and opens the list
    let home = c.get("/home").await;
    assert!(
        home.body
            .contains("<a href=\"/visits\"><strong class=\"count\">"),
        "{}",
        home.body
    );
    let list = c.get("/visits").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let first = list
        .body
        .split("<li class=\"visit\">")
        .nth(1)
        .expect("someone is due");
    assert!(
        first.contains("从未走访") && first.contains("王秀兰"),
        "{first}"
    );
    assert!(first.contains("独居老人 · 每 7 天"), "{first}");
    let form = c.get(&format!("/visits/new?resident={wang}")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("王秀兰"));

    // a visit in the future, or beyond the edit window, or of an unknown way: refused
    for (way, day) in [("home", "2099-01-01"), ("home", "2020-01-01"), ("walk", "")] {
        let r = c
            .post_form(
                "/visits/new",
                &[("resident", &wang.to_string()), ("way", way), ("day", day)],
            )
            .await;
        assert!(
            r.headers["location"].to_str().unwrap().contains("err=1"),
            "{way} {day}"
        );
    }
    assert!(
        c.get("/visits").await.body.contains("从未走访"),
        "nothing was written"
    );

    let done = c
        .post_form(
            "/visits/new",
            &[
                ("resident", &wang.to_string()),
                ("way", "home"),
                ("needs", "就医用药"),
                ("needs", "安全隐患"),
                ("note", "血压偏高,燃气灶开关老化"),
            ],
        )
        .await;
    assert!(done.headers["location"].to_str().unwrap().contains("err=0"));
    let after = c.get("/visits").await;
    assert!(
        !after.body.contains("王秀兰"),
        "visited today: off the list for 7 days"
    );

    // the other grid's worker: not on their list, and no visit to record
    as_user(&mut c, other, &pw[other]).await;
    assert!(!c.get("/visits").await.body.contains("王秀兰"));
    let r = c
        .post_form(
            "/visits/new",
            &[("resident", &wang.to_string()), ("way", "phone")],
        )
        .await;
    assert_eq!(r.status, 404);
    // a resident has no visits at all
    common::resident(&c, "lixy", common::PW).await;
    as_user(&mut c, "lixy", common::PW).await;
    assert_eq!(c.get("/visits").await.status, 403);
    assert_eq!(
        c.post_form(
            "/visits/new",
            &[("resident", &wang.to_string()), ("way", "home")]
        )
        .await
        .status
        .as_u16()
            / 100,
        4
    );
});
