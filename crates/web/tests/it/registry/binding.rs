//! 实名绑定 on both databases: a resident binds their own account by name,
//! ID number and phone; a mismatch says nothing of which field differed;
//! tries are limited; staff in scope confirm or refuse; a record bound to
//! one account is not handed to another.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{PLANTED_ID, PLANTED_PHONE, import_people, seeded};
use crate::common::{self, Client, token};
use linli_store::{Db, db_test};

async fn as_user(c: &mut Client, username: &str, password: &str) {
    c.cookies.clear();
    assert_eq!(c.login(username, password).await.status, 303, "{username}");
}

async fn try_bind(c: &mut Client, name: &str, id: &str, phone: &str) -> (u16, String) {
    let r = c
        .post_form(
            "/me/bind",
            &[("name", name), ("id_number", id), ("phone", phone)],
        )
        .await;
    (r.status.as_u16(), r.body)
}

db_test!(
    a_resident_binds_their_own_record_and_staff_confirm,
    |db: Db| async move {
        let (mut c, pw) = seeded(db).await;
        let shuji = token(&c, "shuji").await;
        import_people(&mut c, &shuji).await;
        for u in ["wangxl", "lixy", "zhaoliu"] {
            common::resident(&c, u, common::PW).await;
        }

        as_user(&mut c, "wangxl", common::PW).await;
        let me = c.get("/me").await;
        assert!(me.body.contains("id=\"bind-form\""), "{}", me.body);
        // a wrong phone: refused without saying which field; the ID number is
        // not put back in the page (the name and phone are, to fix and resend)
        let (status, body) = try_bind(&mut c, "王秀兰", PLANTED_ID, "13900000000").await;
        assert_eq!(status, 422);
        assert!(body.contains("与社区登记的不一致"));
        assert!(!body.contains(PLANTED_ID) && body.contains("value=\"13900000000\""));
        assert!(!body.contains("电话不对") && !body.contains("手机号不对"));
        // not an ID number at all: told so
        let (status, body) = try_bind(&mut c, "王秀兰", "12345", PLANTED_PHONE).await;
        assert_eq!(status, 422);
        assert!(body.contains("18 位居民身份证号码"));
        // all three right: waiting for staff
        let (status, body) = try_bind(&mut c, " 王秀兰 ", PLANTED_ID, PLANTED_PHONE).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("已核对一致"));
        let me = c.get("/me").await;
        assert!(me.body.contains("正在等社区确认") && !me.body.contains("id=\"bind-form\""));

        // another account types the same: it may ask, but cannot take the record
        as_user(&mut c, "lixy", common::PW).await;
        assert_eq!(
            try_bind(&mut c, "王秀兰", PLANTED_ID, PLANTED_PHONE)
                .await
                .0,
            200
        );

        // five tries a day
        as_user(&mut c, "zhaoliu", common::PW).await;
        for _ in 0..5 {
            assert_eq!(
                try_bind(&mut c, "王秀兰", PLANTED_ID, "13900000000")
                    .await
                    .0,
                422
            );
        }
        let (status, body) = try_bind(&mut c, "王秀兰", PLANTED_ID, PLANTED_PHONE).await;
        assert_eq!(status, 429);
        assert!(body.contains("今天已核对 5 次"));

        // a resident decides nothing; the next grid's worker does not see the record
        assert_eq!(
            c.post_form("/residents/bindings/1", &[("approve", "1")])
                .await
                .status
                .as_u16()
                / 100,
            4
        );
        as_user(&mut c, "wangge2", &pw["wangge2"]).await;
        let other = c.get("/residents/corrections").await;
        assert!(!other.body.contains("王秀兰"));
        assert_eq!(
            c.post_form("/residents/bindings/1", &[("approve", "1")])
                .await
                .status,
            404
        );

        // the secretary sees both requests, confirms 王秀兰's own, refuses the other
        as_user(&mut c, "shuji", &pw["shuji"]).await;
        let list = c.get("/residents/corrections").await;
        assert_eq!(
            list.body.matches("class=\"bind-request\"").count(),
            2,
            "{}",
            list.body
        );
        assert!(
            !list.body.contains(PLANTED_ID),
            "the staff list shows no numbers"
        );
        let ok = c
            .post_form("/residents/bindings/1", &[("approve", "1")])
            .await;
        assert!(ok.headers["location"].to_str().unwrap().contains("err=0"));
        // the other account cannot be given the same record
        let taken = c
            .post_form("/residents/bindings/2", &[("approve", "1")])
            .await;
        assert!(
            taken.headers["location"]
                .to_str()
                .unwrap()
                .contains("err=1")
        );
        let no_reason = c
            .post_form("/residents/bindings/2", &[("approve", "0")])
            .await;
        assert!(
            no_reason.headers["location"]
                .to_str()
                .unwrap()
                .contains("err=1")
        );
        let refused = c
            .post_form(
                "/residents/bindings/2",
                &[("approve", "0"), ("note", "电话核实不是本人")],
            )
            .await;
        assert!(
            refused.headers["location"]
                .to_str()
                .unwrap()
                .contains("err=0")
        );

        // 王秀兰 now sees her own record in full, and heard of it in her inbox
        as_user(&mut c, "wangxl", common::PW).await;
        let me = c.get("/me").await;
        assert!(me.body.contains(PLANTED_ID) && me.body.contains("id=\"me\""));
        assert!(c.get("/inbox").await.body.contains("实名绑定已确认"));
        // born in 1949: home offers 长辈版 once; taking it, home is in 长辈版
        assert!(c.get("/home").await.body.contains("id=\"elder-offer\""));
        let yes = c
            .post_form("/account/elder", &[("on", "1"), ("back", "home")])
            .await;
        assert_eq!(yes.headers["location"], "/home");
        let home = c.get("/home").await;
        assert!(home.body.contains("class=\"elder\"") && !home.body.contains("id=\"elder-offer\""));
        // switched back in 我的, it is not offered again
        c.post_form("/account/elder", &[]).await;
        assert!(!c.get("/home").await.body.contains("id=\"elder-offer\""));
        // 李秀英 reads why, and may try again
        as_user(&mut c, "lixy", common::PW).await;
        let me = c.get("/me").await;
        assert!(me.body.contains("电话核实不是本人") && me.body.contains("id=\"bind-form\""));
        // not bound: her age is unknown, nothing is offered
        assert!(!c.get("/home").await.body.contains("id=\"elder-offer\""));
    }
);
