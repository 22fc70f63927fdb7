//! What masked outputs give away (issue 17): no ID number rebuilt from
//! any masked view (items 1), no name-prefix or number oracle for viewers
//! who cannot reveal (2), numbers never in a URL (14), accounts bound only
//! when they are the resident's own (8), and a registered number answered
//! without where, on record (16).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{PLANTED_ID, PLANTED_PHONE, import_people, seeded};
use crate::common::{self, Client, token};
use axum::http::Method;
use linli_app::demo::COMMUNITY;
use linli_domain::registry::{NUMBER_SEARCHES_PER_HOUR, with_check_char};
use linli_store::{Db, db_test};

/// The full ID numbers one can rebuild from `out` given the masked
/// `110105********002X`: the visible head and tail around any date the
/// text shows (as 1949-12-31, 19491231, 1949/12/31 or 1949年12月31日),
/// kept when the check character agrees.
fn rebuilt(masked: &str, out: &str) -> Vec<String> {
    let (head, tail) = (&masked[..6], &masked[14..]);
    let runs: Vec<&str> = out
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect();
    let mut dates: Vec<String> = runs
        .iter()
        .filter(|r| r.len() == 8)
        .map(|r| (*r).to_owned())
        .collect();
    for w in runs.windows(3) {
        if w[0].len() == 4 && (1..=2).contains(&w[1].len()) && (1..=2).contains(&w[2].len()) {
            dates.push(format!("{}{:0>2}{:0>2}", w[0], w[1], w[2]));
        }
    }
    dates
        .into_iter()
        .filter_map(|d| with_check_char(&format!("{head}{d}{}", &tail[..3])))
        .filter(|id| id.ends_with(&tail[3..]))
        .collect()
}

#[test]
fn the_rebuilder_finds_a_shown_birth_date() {
    // the check above is only worth something if it finds the number when
    // the date is there, in any of the ways a page writes it
    let masked = "110105********002X";
    for shown in ["1949-12-31", "19491231", "1949/12/31", "1949年12月31日"] {
        let text = format!(r#"{{"doc":"{masked}","birth_date":"{shown}"}}"#);
        assert_eq!(
            rebuilt(masked, &text),
            vec![PLANTED_ID.to_owned()],
            "{shown}"
        );
    }
    assert!(rebuilt(masked, r#"{"age":76,"doc":"110105********002X"}"#).is_empty());
}

/// A second member of 王秀兰's household, with a resident account bound.
async fn household_member(c: &mut Client, shuji: &str, dwelling: i64) -> String {
    let id = with_check_char("22010219500101003").unwrap();
    let body = serde_json::json!({
        "dwelling_id": dwelling,
        "fields": {"姓名": "李建国", "身份证号码": id, "与户主关系": "配偶"}
    });
    let r = c
        .api(
            Method::POST,
            "/api/v1/residents",
            shuji,
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let member = r.json()["id"].as_i64().unwrap();
    common::resident(c, "lijg", common::PW).await;
    let bind = c
        .api(
            Method::POST,
            &format!("/api/v1/residents/{member}/account"),
            shuji,
            Some(r#"{"username":"lijg"}"#),
        )
        .await;
    assert_eq!(bind.status, 204, "{}", bind.body);
    token(c, "lijg").await
}

db_test!(
    no_masked_output_rebuilds_an_id_number,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        let shuji = token(&c, "shuji").await;
        let street = token(&c, "tuanshan").await;
        let wangge1 = token(&c, "wangge1").await;
        let id = import_people(&mut c, &shuji).await;
        let one = format!("/api/v1/residents/{id}");

        // those who may reveal see the date; this is what must not leak
        let full = c.api(Method::GET, &one, &wangge1, None).await;
        assert_eq!(full.json()["birth_date"], "1949-12-31", "{}", full.body);
        let masked = full.json()["doc_masked"].as_str().unwrap().to_owned();
        assert_eq!(rebuilt(&masked, &full.body), vec![PLANTED_ID.to_owned()]);

        let dwelling = full.json()["dwelling_id"].as_i64().unwrap();
        let member = household_member(&mut c, &shuji, dwelling).await;

        let mut outputs: Vec<(&str, String)> = Vec::new();
        let list = c.api(Method::GET, "/api/v1/residents", &street, None).await;
        assert_eq!(list.status, 200, "{}", list.body);
        outputs.push(("the street's API list", list.body));
        let street_one = c.api(Method::GET, &one, &street, None).await;
        assert_eq!(street_one.status, 200, "{}", street_one.body);
        assert_eq!(
            street_one.json()["age"].as_i64().map(|a| a > 70),
            Some(true)
        );
        assert!(
            street_one.json()["birth_date"].is_null(),
            "{}",
            street_one.body
        );
        outputs.push(("the street's API record", street_one.body));
        let export = c
            .api(
                Method::GET,
                &format!("/api/v1/communities/{COMMUNITY}/residents.xlsx"),
                &shuji,
                None,
            )
            .await;
        assert_eq!(export.status, 200, "{}", export.body);
        let (sheet, _) = linli_app::infra::xlsx::read_first_sheet(&export.bytes).unwrap();
        let cells: Vec<String> = sheet.rows.iter().flat_map(|(_, r)| r.clone()).collect();
        assert!(cells.iter().any(|v| v == &masked), "{cells:?}");
        outputs.push(("the masked export", cells.join(" ")));
        let household = c
            .api(Method::GET, "/api/v1/me/household", &member, None)
            .await;
        assert_eq!(household.status, 200, "{}", household.body);
        assert!(household.body.contains("王秀兰"), "{}", household.body);
        outputs.push(("a household member's /me", household.body));
        let mut web = c.stranger();
        web.login("tuanshan", &pw["tuanshan"]).await;
        let page = web.get(&format!("/residents/{id}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains(&masked));
        outputs.push(("the street's resident page", page.body));

        for (what, out) in &outputs {
            assert!(
                !rebuilt(&masked, out).iter().any(|id| id == PLANTED_ID),
                "{what} rebuilds the ID number: {out}"
            );
        }
    }
);

db_test!(masked_viewers_get_no_search_oracle, |db: Db| async move {
    let (mut c, _) = seeded(db).await;
    let shuji = token(&c, "shuji").await;
    let street = token(&c, "tuanshan").await;
    let wangge1 = token(&c, "wangge1").await;
    import_people(&mut c, &shuji).await;
    let total = |r: &common::Res| {
        r.json()["total"]
            .as_i64()
            .unwrap_or_else(|| panic!("{}", r.body))
    };
    let by_name = |q: &str| format!("/api/v1/residents?q={}", urlencoding(q));

    // the street sees masked lists: whole names only, no numbers
    for (q, n) in [("王", 0), ("王秀", 0), ("王秀兰", 1)] {
        let r = c.api(Method::GET, &by_name(q), &street, None).await;
        assert_eq!((r.status.as_u16(), total(&r)), (200, n), "{q}: {}", r.body);
    }
    for q in [PLANTED_ID, PLANTED_PHONE] {
        let body = serde_json::json!({ "q": q }).to_string();
        let r = c
            .api(
                Method::POST,
                "/api/v1/residents/search",
                &street,
                Some(&body),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(!r.body.contains("王秀兰"));
    }
    // the grid worker, who may reveal, finds by a name's beginning
    let r = c.api(Method::GET, &by_name("王"), &wangge1, None).await;
    assert_eq!(total(&r), 1, "{}", r.body);

    // numbers only in a body, never in a URL
    let r = c
        .api(
            Method::GET,
            &format!("/api/v1/residents?q={PLANTED_ID}"),
            &shuji,
            None,
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (422, "number_in_url".to_owned())
    );

    // every number search is on record (without the number) and limited
    let body = serde_json::json!({ "q": PLANTED_ID }).to_string();
    // (importing found the planted person once already)
    for i in 1..NUMBER_SEARCHES_PER_HOUR {
        let r = c
            .api(
                Method::POST,
                "/api/v1/residents/search",
                &shuji,
                Some(&body),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), total(&r)),
            (200, 1),
            "search {i}: {}",
            r.body
        );
    }
    let r = c
        .api(
            Method::POST,
            "/api/v1/residents/search",
            &shuji,
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.body);
    // others are not held up by the secretary's limit
    let phone = serde_json::json!({ "q": PLANTED_PHONE }).to_string();
    let r = c
        .api(
            Method::POST,
            "/api/v1/residents/search",
            &wangge1,
            Some(&phone),
        )
        .await;
    assert_eq!((r.status.as_u16(), total(&r)), (200, 1), "{}", r.body);
    let mut conn = c.app.db().conn().await.unwrap();
    let log = linli_store::audit::recent(&mut conn, 1000).await.unwrap();
    let searches: Vec<_> = log
        .iter()
        .filter(|r| r.event.action == "residents.search_number")
        .collect();
    assert_eq!(searches.len() as i64, NUMBER_SEARCHES_PER_HOUR + 1);
    assert!(searches.iter().any(|r| r.event.detail == "kind=phone"));
    for r in &log {
        let text = format!("{} {} {}", r.event.object, r.event.detail, r.event.source);
        assert!(
            !text.contains(PLANTED_ID) && !text.contains(PLANTED_PHONE),
            "{text}"
        );
    }
});

/// Percent-encodes a query value (the test's own, to keep deps small).
fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

db_test!(
    the_search_form_keeps_numbers_out_of_urls,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        let shuji = token(&c, "shuji").await;
        import_people(&mut c, &shuji).await;
        c.login("shuji", &pw["shuji"]).await;
        let list = c.get("/residents").await;
        assert!(
            list.body
                .contains(r#"method="post" action="/residents/search""#),
            "{}",
            list.body
        );
        // a number typed into the address bar is not searched
        let typed = c.get(&format!("/residents?q={PLANTED_ID}")).await;
        assert_eq!(typed.status, 200);
        assert!(typed.body.contains("不要放在网址里"), "{}", typed.body);
        assert!(!typed.body.contains(r#"class="resident""#));
        // the form's answer comes back on the POST itself
        let found = c.post_form("/residents/search", &[("q", PLANTED_ID)]).await;
        assert_eq!(found.status, 200, "{}", found.body);
        assert!(found.body.contains("王秀兰") && found.body.contains(r#"class="resident""#));
        assert!(!found.body.contains(&format!("q={PLANTED_ID}")));
        // a name goes back to the address bar, so the list can be paged
        let named = c.post_form("/residents/search", &[("q", "王秀")]).await;
        assert_eq!(named.status, 303, "{}", named.body);
        assert!(
            named.location().starts_with("/residents?q="),
            "{}",
            named.location()
        );
    }
);

db_test!(only_a_residents_own_account_is_bound, |db: Db| async move {
    let (mut c, _) = seeded(db).await;
    let shuji = token(&c, "shuji").await;
    let wangge1 = token(&c, "wangge1").await;
    let id = import_people(&mut c, &shuji).await;
    let bind = |who: &'static str| serde_json::json!({ "username": who }).to_string();
    let url = format!("/api/v1/residents/{id}/account");
    // a staff account would read the person's numbers at /me
    let r = c
        .api(Method::POST, &url, &wangge1, Some(&bind("wangge2")))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = c
        .api(Method::POST, &url, &wangge1, Some(&bind("shuji")))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    // the resident's own account binds; it is then not moved silently
    common::resident(&c, "wangxl", common::PW).await;
    let r = c
        .api(Method::POST, &url, &wangge1, Some(&bind("wangxl")))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let list = c
        .api(
            Method::GET,
            "/api/v1/residents?q=%E8%B5%B5%E5%A4%A7%E5%B1%B1",
            &shuji,
            None,
        )
        .await;
    let zhao = list.json()["rows"][0]["id"].as_i64().unwrap();
    let r = c
        .api(
            Method::POST,
            &format!("/api/v1/residents/{zhao}/account"),
            &shuji,
            Some(&bind("wangxl")),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("已绑定其他居民"));
    let mine = token(&c, "wangxl").await;
    let me = c
        .api(Method::GET, "/api/v1/me/household", &mine, None)
        .await;
    assert_eq!(me.json()["id_number"], PLANTED_ID, "{}", me.body);
});

db_test!(
    a_registered_number_is_answered_without_where,
    |db: Db| async move {
        let (mut c, _) = seeded(db).await;
        let shuji = token(&c, "shuji").await;
        let id = import_people(&mut c, &shuji).await;
        let one = c
            .api(
                Method::GET,
                &format!("/api/v1/residents/{id}"),
                &shuji,
                None,
            )
            .await;
        let list = c
            .api(
                Method::GET,
                "/api/v1/residents?q=%E8%B5%B5%E5%A4%A7%E5%B1%B1",
                &shuji,
                None,
            )
            .await;
        let other_dwelling = list.json()["rows"][0]["dwelling_id"].as_i64().unwrap();
        assert_ne!(Some(other_dwelling), one.json()["dwelling_id"].as_i64());
        let body = serde_json::json!({
            "dwelling_id": other_dwelling,
            "fields": {"姓名": "王秀兰", "身份证号码": PLANTED_ID}
        });
        let r = c
            .api(
                Method::POST,
                "/api/v1/residents",
                &shuji,
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("已登记,请联系社区办理迁入"), "{}", r.body);
        for place in ["1号楼", "长山", "101"] {
            assert!(!r.body.contains(place), "{}", r.body);
        }
        let mut conn = c.app.db().conn().await.unwrap();
        let log = linli_store::audit::recent(&mut conn, 20).await.unwrap();
        assert!(
            log.iter().any(|r| r.event.action == "resident.create"
                && r.event.detail == "already_registered"
                && r.event.outcome == linli_domain::audit::Outcome::Denied),
            "{log:?}"
        );
    }
);

db_test!(the_audit_log_names_no_sensitive_tag, |db: Db| async move {
    let (mut c, _) = seeded(db).await;
    let shuji = token(&c, "shuji").await;
    let id = import_people(&mut c, &shuji).await;
    let r = c
        .api(
            Method::PUT,
            &format!("/api/v1/residents/{id}/tags"),
            &shuji,
            Some(r#"{"tags":["独居老人","残疾人"]}"#),
        )
        .await;
    assert!(r.status.is_success() || r.status == 422, "{}", r.body);
    let r = c
        .api(
            Method::PUT,
            &format!("/api/v1/residents/{id}/tags"),
            &shuji,
            Some(r#"{"tags":["独居老人"]}"#),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let mut conn = c.app.db().conn().await.unwrap();
    let log = linli_store::audit::recent(&mut conn, 50).await.unwrap();
    let tags: Vec<_> = log
        .iter()
        .filter(|r| r.event.action == "resident.tags")
        .collect();
    assert!(!tags.is_empty());
    for r in tags {
        assert!(r.event.detail.starts_with("tag_ids="), "{}", r.event.detail);
        assert!(!r.event.detail.contains("独居"), "{}", r.event.detail);
    }
});

db_test!(
    number_search_is_offered_only_to_those_who_may_reveal,
    |db: Db| async move {
        let (c, pw) = seeded(db).await;
        let mut street = c.stranger();
        street.login("tuanshan", &pw["tuanshan"]).await;
        let page = street.get("/residents").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body.contains("完整姓名") && !page.body.contains("身份证号"),
            "{}",
            page.body
        );
        let mut shuji = c.stranger();
        shuji.login("shuji", &pw["shuji"]).await;
        let page = shuji.get("/residents").await;
        assert!(page.body.contains("身份证号"), "{}", page.body);
    }
);
