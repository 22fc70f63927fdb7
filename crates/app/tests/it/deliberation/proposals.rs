//! Proposals on both databases: the demo's loop from proposal to rating;
//! supports once per resident living in scope, never by the author, at the
//! threshold to staff; staff's answers in order; a resident meeting that
//! decides by more than half of those present; minutes kept by version;
//! ratings once, after the matter is done; who may see and do what.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::votes::resident_user;
use crate::common::who_as as who;
use linli_app::deliberation::{MeetingInput, MeetingRecord, ProposalInput};
use linli_app::demo::COMMUNITY;
use linli_app::infra::crypto::{CipherKind, Keyring};
use linli_app::{Actor, App, AppConfig, AppError};
use linli_domain::access::Role;
use linli_domain::deliberation::proposals::ProposalState;
use linli_store::{Db, db_test};
use std::sync::Arc;

db_test!(
    a_proposal_goes_from_support_to_rating,
    |db: Db| async move {
        let app = App::new(db.clone(), AppConfig::default())
            .with_crypto(Arc::new(Keyring::generate(CipherKind::Sm4Gcm).unwrap()));
        app.seed_demo_community().await.unwrap().unwrap();
        app.seed_demo_residents().await.unwrap().unwrap();
        app.seed_demo_votes().await.unwrap().unwrap();
        let a = Actor::cli();
        let sec = who(Role::CommunitySecretary, COMMUNITY, 999_001);

        // the demo: the fitness equipment done and rated; the elevator adopted by its vote
        let list = app.proposals(&sec).await.unwrap();
        assert_eq!(list.len(), 3);
        let fitness = list.iter().find(|p| p.title.contains("健身器材")).unwrap();
        assert_eq!(fitness.state, ProposalState::Done);
        let f = app.proposal(&sec, fitness.id).await.unwrap();
        assert_eq!((f.ratings, f.rating.as_deref()), (9, Some("4.4")));
        let meetings = app.meetings_of(&sec, fitness.id).await.unwrap();
        assert_eq!(meetings.len(), 2);
        let decided = app.meeting(&sec, meetings[1].id).await.unwrap();
        assert_eq!(decided.show, Some((35, 28, 4, true, 20)));
        assert_eq!(decided.attendance, 35);
        let lift = list.iter().find(|p| p.title.contains("电梯")).unwrap();
        assert_eq!(
            lift.state,
            ProposalState::Adopted,
            "the owners' vote passed"
        );
        assert!(
            app.proposal(&sec, lift.id)
                .await
                .unwrap()
                .answer
                .unwrap()
                .contains("业主表决通过")
        );

        // two residents of the estate with accounts; the threshold is two
        let mut conn = db.conn().await.unwrap();
        let people: Vec<i64> = linli_store::deliberation::owners::dwellings_of_estate(&mut conn, 1)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|d| d.4)
            .collect();
        drop(conn);
        let author = who(
            Role::Resident,
            COMMUNITY,
            resident_user(&app, "tiyi", people[200], &sec).await,
        );
        let neighbour = who(
            Role::Resident,
            COMMUNITY,
            resident_user(&app, "fuyi", people[201], &sec).await,
        );
        let third = who(
            Role::Resident,
            COMMUNITY,
            resident_user(&app, "disan", people[2000], &sec).await,
        );
        app.set_deliberation_rules(&sec, COMMUNITY, 2, 20, &a)
            .await
            .unwrap();
        assert!(matches!(
            app.set_deliberation_rules(&sec, COMMUNITY, 0, 20, &a).await,
            Err(AppError::Invalid(_))
        ));
        let scopes = app.proposal_scopes(&author).await.unwrap();
        assert_eq!(scopes.len(), 3, "their estate, building and unit");
        let estate = scopes
            .iter()
            .find(|s| s.key.starts_with("estate:"))
            .unwrap()
            .key
            .clone();
        // someone else's building is refused
        let r = app
            .propose(
                &author,
                &ProposalInput {
                    scope: "building:11".into(),
                    title: "别人的楼".into(),
                    body: String::new(),
                },
                &a,
            )
            .await;
        assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
        let id = app
            .propose(
                &author,
                &ProposalInput {
                    scope: estate,
                    title: "增设充电桩".into(),
                    body: "电动车飞线充电太危险。".into(),
                },
                &a,
            )
            .await
            .unwrap();
        assert!(
            !app.proposal(&author, id).await.unwrap().can_support,
            "not one's own"
        );
        assert!(matches!(
            app.support_proposal(&author, id, &a).await,
            Err(AppError::Invalid(_))
        ));
        assert!(
            matches!(
                app.support_proposal(&sec, id, &a).await,
                Err(AppError::Invalid(_))
            ),
            "staff are no neighbours"
        );
        assert_eq!(app.support_proposal(&neighbour, id, &a).await.unwrap(), 1);
        assert!(
            matches!(
                app.support_proposal(&neighbour, id, &a).await,
                Err(AppError::Invalid(_))
            ),
            "once"
        );
        assert_eq!(
            app.proposal(&sec, id).await.unwrap().state,
            ProposalState::Seeking
        );
        assert_eq!(app.support_proposal(&third, id, &a).await.unwrap(), 2);
        assert_eq!(
            app.proposal(&sec, id).await.unwrap().state,
            ProposalState::Review
        );

        let mut conn = db.conn().await.unwrap();
        let (inbox, _) =
            linli_store::notifications::notifications_of(&mut conn, author.user_id, 10)
                .await
                .unwrap();
        drop(conn);
        assert!(
            inbox.iter().any(|n| n.title == "附议已满 2 人:增设充电桩"),
            "{inbox:?}"
        );

        // staff: in order, with reasons; a grid worker and another community may not
        let worker = who(Role::GridWorker, &format!("{COMMUNITY}001"), 999_002);
        assert!(matches!(
            app.move_proposal(&worker, id, "agenda", "", &a).await,
            Err(AppError::Forbidden)
        ));
        let stranger = who(Role::CommunitySecretary, "220103008004", 999_003);
        assert!(matches!(
            app.proposal(&stranger, id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.move_proposal(&sec, id, "adopted", "好", &a).await,
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            app.move_proposal(&sec, id, "declined", " ", &a).await,
            Err(AppError::Invalid(_))
        ));
        let meeting = MeetingInput {
            kind: "residents".into(),
            title: "居民会议:充电桩".into(),
            held_on: linli_app::today().to_string(),
            place: "广场".into(),
        };
        assert!(
            matches!(
                app.schedule_meeting(&sec, id, &meeting, &a).await,
                Err(AppError::Invalid(_))
            ),
            "not on the agenda"
        );
        app.move_proposal(&sec, id, "agenda", "", &a).await.unwrap();
        let m = app.schedule_meeting(&sec, id, &meeting, &a).await.unwrap();
        // counts that do not add up are refused and nothing is written
        let bad = MeetingRecord {
            attendees: "张三\n李四".into(),
            minutes: "讨论充电桩选址。".into(),
            decisions: String::new(),
            present: "25".into(),
            votes_for: "20".into(),
            against: "10".into(),
        };
        assert!(matches!(
            app.record_meeting(&sec, m, &bad, &a).await,
            Err(AppError::Invalid(_))
        ));
        assert!(app.meeting(&sec, m).await.unwrap().minutes.is_empty());
        // 25 present (quorum 20), 12 for: not more than half — rejected
        let held = MeetingRecord {
            votes_for: "12".into(),
            against: "9".into(),
            ..bad.clone()
        };
        app.record_meeting(&sec, m, &held, &a).await.unwrap();
        let p = app.proposal(&neighbour, id).await.unwrap();
        assert_eq!(p.state, ProposalState::Rejected);
        // the supporters heard of the meeting
        let mut conn = db.conn().await.unwrap();
        let (inbox, _) =
            linli_store::notifications::notifications_of(&mut conn, neighbour.user_id, 10)
                .await
                .unwrap();
        drop(conn);
        assert!(
            inbox.iter().any(|n| n.title == "会议通知:居民会议:充电桩"),
            "{inbox:?}"
        );
        assert!(p.answer.unwrap().contains("到会 25 人,赞成 12 人"));
        // minutes again: a second version, the first kept; the show is recorded once
        assert!(matches!(
            app.record_meeting(&sec, m, &held, &a).await,
            Err(AppError::Invalid(_))
        ));
        let again = MeetingRecord {
            minutes: "补充:下次会议再议选址。".into(),
            present: String::new(),
            votes_for: String::new(),
            against: String::new(),
            ..bad
        };
        app.record_meeting(&sec, m, &again, &a).await.unwrap();
        let seen = app.meeting(&neighbour, m).await.unwrap();
        assert_eq!(
            seen.minutes.iter().map(|v| v.version).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert!(seen.minutes[1].body.contains("讨论充电桩选址"));
        assert!(
            seen.attendees.is_empty() && seen.attendance == 2,
            "names for staff only"
        );

        // ratings: once, 1–5, only when done, only by those living in scope
        assert!(
            matches!(
                app.rate_proposal(&neighbour, id, 5, &a).await,
                Err(AppError::Invalid(_))
            ),
            "not done"
        );
        assert!(matches!(
            app.rate_proposal(&neighbour, fitness.id, 9, &a).await,
            Err(AppError::Invalid(_))
        ));
        app.rate_proposal(&neighbour, fitness.id, 4, &a)
            .await
            .unwrap();
        assert!(matches!(
            app.rate_proposal(&neighbour, fitness.id, 5, &a).await,
            Err(AppError::Invalid(_))
        ));
        let f = app.proposal(&neighbour, fitness.id).await.unwrap();
        assert_eq!((f.ratings, f.my_score), (10, Some(4)));
    }
);

db_test!(neighbours_discuss_and_staff_moderate, |db: Db| async move {
    let app = App::new(db.clone(), AppConfig::default())
        .with_crypto(Arc::new(Keyring::generate(CipherKind::Sm4Gcm).unwrap()));
    app.seed_demo_community().await.unwrap().unwrap();
    app.seed_demo_residents().await.unwrap().unwrap();
    app.seed_demo_votes().await.unwrap().unwrap();
    let a = Actor::cli();
    let sec = who(Role::CommunitySecretary, COMMUNITY, 999_001);
    let list = app.proposals(&sec).await.unwrap();
    let fitness = list
        .iter()
        .find(|p| p.title.contains("健身器材"))
        .unwrap()
        .id;
    let lift = list.iter().find(|p| p.title.contains("电梯")).unwrap().id;
    // the demo: four comments, a staff reply, one hidden with its reason; the progress and its money
    let c = app.comments(&sec, fitness).await.unwrap();
    assert_eq!(c.len(), 4);
    assert_eq!(c[2].replies.len(), 1);
    assert!(c[2].replies[0].staff);
    assert!(c[3].body.is_empty() && c[3].hidden_reason.as_deref() == Some("涉及具体住户,已隐藏"));
    let (progress, spent) = app.progress(&sec, fitness).await.unwrap();
    assert_eq!((progress.len(), spent.as_str()), (2, "9,000.00"));
    assert!(
        app.board(COMMUNITY)
            .await
            .unwrap()
            .proposals
            .iter()
            .any(|p| p.spent == "9,000.00")
    );

    // a resident of 1号楼1单元 comments on its elevator; one of another building may not
    let mut conn = db.conn().await.unwrap();
    let people: Vec<i64> = linli_store::deliberation::owners::dwellings_of_estate(&mut conn, 1)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|d| d.4)
        .collect();
    drop(conn);
    let here = who(
        Role::Resident,
        COMMUNITY,
        resident_user(&app, "loushang", people[5], &sec).await,
    );
    let there = who(
        Role::Resident,
        COMMUNITY,
        resident_user(&app, "louxia", people[2000], &sec).await,
    );
    let id = app
        .comment(&here, lift, None, "电梯什么时候开工?", &a)
        .await
        .unwrap();
    assert!(matches!(
        app.comment(&there, lift, None, "我也想说", &a).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.comments(&there, lift).await,
        Err(AppError::NotFound)
    ));
    for bad in ["", &"长".repeat(501)] {
        assert!(matches!(
            app.comment(&here, lift, None, bad, &a).await,
            Err(AppError::Invalid(_))
        ));
    }
    let reply = app
        .comment(&sec, lift, Some(id), "下个月开工。", &a)
        .await
        .unwrap();
    // a reply to a reply, or to another proposal's comment, is refused
    assert!(matches!(
        app.comment(&here, lift, Some(reply), "好", &a).await,
        Err(AppError::Invalid(_))
    ));
    let other = app.comments(&sec, fitness).await.unwrap()[0].id;
    assert!(matches!(
        app.comment(&here, lift, Some(other), "好", &a).await,
        Err(AppError::Invalid(_))
    ));
    // staff hide with a reason, once; a grid worker may not; the text stays stored
    let worker = who(Role::GridWorker, &format!("{COMMUNITY}001"), 999_002);
    assert!(matches!(
        app.hide_comment(&worker, id, "不当", &a).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        app.hide_comment(&sec, id, " ", &a).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(
        app.hide_comment(&sec, id, "重复提问", &a).await.unwrap(),
        lift
    );
    assert!(matches!(
        app.hide_comment(&sec, id, "重复提问", &a).await,
        Err(AppError::Invalid(_))
    ));
    let seen = app.comments(&here, lift).await.unwrap();
    assert!(seen[0].body.is_empty() && seen[0].replies.len() == 1);
    let mut conn = db.conn().await.unwrap();
    let kept = linli_store::deliberation::discussion::comments(&mut conn, lift)
        .await
        .unwrap();
    assert_eq!(kept[0].body, "电梯什么时候开工?", "hidden, never deleted");
    drop(conn);
    // progress only on an adopted matter, by staff, with a sane amount
    let locker = list.iter().find(|p| p.title.contains("快递柜")).unwrap().id;
    assert!(matches!(
        app.add_progress(&sec, locker, "选址", "", &a).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.add_progress(&sec, lift, "开工", "-5", &a).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.add_progress(&worker, lift, "开工", "", &a).await,
        Err(AppError::Forbidden)
    ));
    app.add_progress(&sec, lift, "设计方案已通过审查。", "12000.5", &a)
        .await
        .unwrap();
    assert_eq!(app.progress(&here, lift).await.unwrap().1, "12,000.50");
});
