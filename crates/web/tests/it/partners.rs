//! 共建单位 over HTTP on both databases: the whole chain from 单位报到 to
//! the public board through the real router, and the access matrix of the
//! partner pages — who sees and does what, and that a unit never reads a
//! resident's name or phone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::Client;
use linli_app::Actor;
use linli_app::demo::COMMUNITY;
use linli_store::{Db, db_test};

async fn as_user(c: &mut Client, username: &str, password: &str) {
    c.cookies.clear();
    assert_eq!(c.login(username, password).await.status, 303, "{username}");
}

/// The id at the end of a redirect to `{prefix}{id}?…`.
fn id_in(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|s| s.split('?').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{location}"))
}

/// Refused: a 403 or 404 page, or back to the form with the reason.
fn refused(r: &crate::common::Res) -> bool {
    r.status == 403 || r.status == 404 || (r.status == 303 && r.location().contains("err=1"))
}

db_test!(
    a_unit_reports_in_and_a_need_becomes_a_project,
    |db: Db| async move {
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
        let (_, partner) = c.app.seed_demo_partners().await.unwrap().unwrap();
        pw.insert("gongjian".into(), partner[0].2.expose().to_owned());

        // who may open 共建 at all
        let mut anyone = c.stranger();
        assert_eq!(anyone.get("/partners").await.status, 303, "sign in first");
        for (u, code) in [
            ("jumin", 403),
            ("wangge1", 403),
            ("chengguan", 403),
            ("tuanshan", 200),
            ("shuji", 200),
        ] {
            as_user(&mut c, u, &pw[u]).await;
            assert_eq!(c.get("/partners").await.status, code, "{u}");
        }

        // 单位报到
        as_user(&mut c, "gongjian", &pw["gongjian"]).await;
        let home = c.get("/partners").await;
        assert!(
            home.body.contains("register-link") && !home.body.contains("fig-units"),
            "a unit sees no figures"
        );
        let r = c
            .post_form(
                "/partners/register",
                &[
                    ("name", "宽城区社会福利院"),
                    ("kind", "social"),
                    ("party_org", "宽城区社会福利院党支部"),
                    ("contact_name", "赵院长"),
                    ("contact_phone", "0431-85559876"),
                    ("committee_member", ""),
                ],
            )
            .await;
        let unit = id_in(r.location(), "/partners/units/");
        assert!(
            refused(
                &c.post_form("/partners/report", &[("community", "220103008")])
                    .await
            ),
            "a street is no community"
        );
        let r = c
            .post_form(
                "/partners/report",
                &[("community", COMMUNITY), ("note", "助老服务")],
            )
            .await;
        assert!(!refused(&r), "{}", r.location());
        let page = c.get(&format!("/partners/units/{unit}")).await;
        assert!(page.body.contains("0431-85559876") && page.body.contains("待社区确认"));
        let r = c
            .post_form(
                &format!("/partners/units/{unit}/resources"),
                &[
                    ("kind", "service"),
                    ("category", "助老助餐"),
                    ("title", "老人助浴助洁"),
                    ("amount", "每周两次"),
                ],
            )
            .await;
        assert!(!refused(&r), "{}", r.location());

        as_user(&mut c, "jumin", &pw["jumin"]).await;
        assert_eq!(c.get(&format!("/partners/units/{unit}")).await.status, 404);
        as_user(&mut c, "tuanshan", &pw["tuanshan"]).await;
        let street = c.get(&format!("/partners/units/{unit}")).await;
        assert!(
            street.status == 200 && !street.body.contains("85559876"),
            "the street reads without the contact"
        );
        assert!(refused(
            &c.post_form(
                &format!("/partners/units/{unit}/decide"),
                &[("community", COMMUNITY), ("accept", "1")]
            )
            .await
        ));
        as_user(&mut c, "shuji", &pw["shuji"]).await;
        let r = c
            .post_form(
                &format!("/partners/units/{unit}/decide"),
                &[("community", COMMUNITY), ("accept", "1")],
            )
            .await;
        assert!(!refused(&r), "{}", r.location());

        // a resident's case becomes a need without the resident in it
        let case = linli_app::cases::NewCase {
            kind: linli_domain::cases::CaseKind::Help,
            channel: linli_domain::cases::Channel::Resident,
            priority: linli_domain::cases::Priority::Normal,
            category: Some("1007".into()),
            description: "我叫王桂兰,腿脚不便没法洗澡,想找人帮忙,电话13912345678".into(),
            location: None,
            dwelling_id: None,
            address: "长山花园小区5号楼2单元502室".into(),
            community: Some(COMMUNITY.parse().unwrap()),
            reporter_name: "王桂兰".into(),
            contact_phone: Some("13912345678".into()),
            idempotency_key: None,
            api_key_id: None,
            media_url: None,
            photos: Vec::new(),
        };
        let (row, _) = c.app.submit_case(None, &case, &Actor::cli()).await.unwrap();
        let page = c.get(&format!("/cases/{}", row.id)).await;
        assert!(page.body.contains("to-partners"));
        let draft = c.get(&format!("/partners/needs/new?case={}", row.id)).await;
        assert_eq!(draft.status, 200);
        assert!(!draft.body.contains("13912345678") && !draft.body.contains("王桂兰"));
        let r = c
            .post_form(
                "/partners/needs",
                &[
                    ("case_id", &row.id.to_string()),
                    ("source", "case"),
                    ("community", COMMUNITY),
                    ("category", "助老助餐"),
                    ("title", "行动不便老人助浴"),
                    ("body", "王桂兰 13912345678 老人腿脚不便,需要助浴"),
                    ("place", "长山花园"),
                ],
            )
            .await;
        let need = id_in(r.location(), "/partners/needs/");
        let staff = c.get(&format!("/partners/needs/{need}")).await;
        assert!(
            staff.body.contains("老人助浴助洁") && staff.body.contains("已在本社区报到"),
            "the unit's resource is suggested"
        );

        as_user(&mut c, "gongjian", &pw["gongjian"]).await;
        assert_eq!(
            c.get(&format!("/partners/needs/new?case={}", row.id))
                .await
                .status,
            403
        );
        let seen = c.get(&format!("/partners/needs/{need}")).await;
        assert_eq!(seen.status, 200);
        assert!(
            !seen.body.contains("13912345678")
                && !seen.body.contains("王桂兰")
                && !seen.body.contains("/cases/")
        );
        assert!(seen.body.contains("take-form"));
        as_user(&mut c, "jumin", &pw["jumin"]).await;
        assert_eq!(c.get(&format!("/partners/needs/{need}")).await.status, 404);

        // 联席会议 → project
        as_user(&mut c, "shuji", &pw["shuji"]).await;
        let need_s = need.to_string();
        let r = c
            .post_form(
                "/partners/meetings",
                &[
                    ("community", COMMUNITY),
                    ("title", "临时联席会议"),
                    ("held_on", "2026-12-20"),
                    ("place", "社区会议室"),
                    ("needs", &need_s),
                ],
            )
            .await;
        let meeting = id_in(r.location(), "/partners/meetings/");
        let m = c.get(&format!("/partners/meetings/{meeting}")).await;
        assert!(m.body.contains("行动不便老人助浴") && m.body.contains("宽城区社会福利院"));
        let r = c
            .post_form(
                "/partners/projects",
                &[
                    ("need_id", &need_s),
                    ("meeting_id", &meeting.to_string()),
                    ("title", "老人助浴"),
                    ("lead_unit", &unit.to_string()),
                    ("owner", "赵院长"),
                    ("due_on", "2027-03-31"),
                    ("budget", ""),
                ],
            )
            .await;
        let project = id_in(r.location(), "/partners/projects/");

        as_user(&mut c, "gongjian", &pw["gongjian"]).await;
        assert_eq!(
            c.get(&format!("/partners/meetings/{meeting}")).await.status,
            404
        );
        let picture = crate::common::png(80, 60);
        let r = c
            .post_multipart(
                &format!("/partners/projects/{project}/progress"),
                &[("note", "已上门助浴3户")],
                &[("photos", picture.as_slice())],
            )
            .await;
        assert!(!refused(&r), "{}", r.location());
        let page = c.get(&format!("/partners/projects/{project}")).await;
        let photo = page
            .body
            .split("/partners/photos/")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(str::to_owned)
            .expect("the progress shows its photo");
        let jpeg = c.get(&format!("/partners/photos/{photo}")).await;
        assert_eq!(jpeg.status, 200);
        assert!(jpeg.bytes.starts_with(&[0xFF, 0xD8]));
        let r = c
            .post_multipart(
                &format!("/partners/projects/{project}/progress"),
                &[("note", "不是照片")],
                &[("photos", b"%PDF-1.4 not a photo".as_slice())],
            )
            .await;
        assert!(refused(&r), "a file that is no picture is refused");
        assert_eq!(
            anyone
                .get(&format!("/partners/photos/{photo}"))
                .await
                .status,
            303
        );
        assert!(refused(
            &c.post_form(
                &format!("/partners/projects/{project}/funding"),
                &[
                    ("unit_id", &unit.to_string()),
                    ("kind", "money"),
                    ("amount", "100")
                ]
            )
            .await
        ));
        assert!(refused(
            &c.post_form(
                &format!("/partners/projects/{project}/close"),
                &[("outcome", "x")]
            )
            .await
        ));
        as_user(&mut c, "jumin", &pw["jumin"]).await;
        assert_eq!(
            c.get(&format!("/partners/projects/{project}")).await.status,
            404
        );
        assert_eq!(
            c.get(&format!("/partners/photos/{photo}")).await.status,
            404
        );
        assert!(refused(
            &c.post_form(
                &format!("/partners/projects/{project}/progress"),
                &[("note", "x")]
            )
            .await
        ));

        as_user(&mut c, "shuji", &pw["shuji"]).await;
        for (kind, amount) in [("money", "2000"), ("hours", "6")] {
            let r = c
                .post_form(
                    &format!("/partners/projects/{project}/funding"),
                    &[
                        ("unit_id", &unit.to_string()),
                        ("kind", kind),
                        ("amount", amount),
                    ],
                )
                .await;
            assert!(!refused(&r), "{}", r.location());
        }
        assert!(!refused(
            &c.post_form(
                &format!("/partners/projects/{project}/close"),
                &[("outcome", "为12户老人助浴24次")]
            )
            .await
        ));
        let p = c.get(&format!("/partners/projects/{project}")).await;
        assert!(
            p.body.contains("已完成")
                && p.body.contains("2,000.00")
                && p.body.contains("已上门助浴3户")
        );

        // in public: the board; the evaluation sheet for staff, the street and the unit
        let board = anyone.get(&format!("/board/{COMMUNITY}/partners")).await;
        assert_eq!(board.status, 200);
        assert!(board.body.contains("老人助浴") && board.body.contains("宽城区社会福利院"));
        assert!(!board.body.contains("王桂兰") && !board.body.contains("13912345678"));
        assert_eq!(anyone.get("/board/220103008/partners").await.status, 404);
        let year = linli_app::today().year().to_string();
        let r = c
            .post_form(
                "/partners/evaluation",
                &[
                    ("community", COMMUNITY),
                    ("year", &year),
                    ("unit", &unit.to_string()),
                    ("score", "88"),
                    ("comment", ""),
                ],
            )
            .await;
        assert!(!refused(&r), "{}", r.location());
        let x = c
            .get(&format!(
                "/partners/evaluation.xlsx?community={COMMUNITY}&year={year}"
            ))
            .await;
        assert_eq!(x.status, 200);
        assert!(
            x.headers["content-type"]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        assert!(x.bytes.starts_with(b"PK"));
        as_user(&mut c, "gongjian", &pw["gongjian"]).await;
        let own = c
            .get(&format!(
                "/partners/evaluation?community={COMMUNITY}&year={year}"
            ))
            .await;
        assert!(
            own.body.contains("良好") && !own.body.contains("长春市第五中学"),
            "a unit reads its own line only"
        );
        assert!(refused(
            &c.post_form(
                "/partners/evaluation",
                &[
                    ("community", COMMUNITY),
                    ("year", &year),
                    ("unit", &unit.to_string()),
                    ("score", "100")
                ]
            )
            .await
        ));
        as_user(&mut c, "jumin", &pw["jumin"]).await;
        assert_eq!(
            c.get(&format!(
                "/partners/evaluation.xlsx?community={COMMUNITY}&year={year}"
            ))
            .await
            .status,
            403
        );
        as_user(&mut c, "wangge1", &pw["wangge1"]).await;
        assert_eq!(
            c.get(&format!(
                "/partners/evaluation?community={COMMUNITY}&year={year}"
            ))
            .await
            .status,
            403
        );
    }
);
