//! 三单制 and the shelf on both databases: the demo's teams and ledger; a
//! member reports in and claims a post; a resident orders, staff dispatch,
//! the member sees the resident masked until they accept, finishes, the
//! resident rates — hours and points move once; out-of-turn moves and
//! strangers are refused; redeeming lowers points, never hours; a
//! cancelled redemption and a staff correction reverse; the ledger check
//! passes throughout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{resident_user, who_as as who};
use linli_app::demo::COMMUNITY;
use linli_app::infra::crypto::{CipherKind, Keyring};
use linli_app::volunteering::{JoinInput, OrderInput, OrderStep};
use linli_app::{Actor, App, AppConfig, AppError};
use linli_domain::access::Role;
use linli_domain::volunteering::orders::{OrderAction, OrderState, Rating};
use linli_store::{Db, db_test};
use std::sync::Arc;

pub(super) async fn demo(db: &Db) -> App {
    let app = App::new(db.clone(), AppConfig::default())
        .with_crypto(Arc::new(Keyring::generate(CipherKind::Sm4Gcm).unwrap()));
    app.seed_demo_community().await.unwrap().unwrap();
    app.seed_demo_residents().await.unwrap().unwrap();
    let (n, accounts) = app.seed_demo_volunteering().await.unwrap().unwrap();
    assert_eq!(n, 150);
    assert_eq!(accounts[0].0, "dangyuan");
    assert!(
        app.seed_demo_volunteering().await.unwrap().is_none(),
        "seeded once"
    );
    app
}

/// The ids of some residents of the estate with a phone.
pub(super) async fn residents(db: &Db) -> Vec<i64> {
    let mut conn = db.conn().await.unwrap();
    linli_store::deliberation::owners::dwellings_of_estate(&mut conn, 1)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|d| d.4)
        .collect()
}

fn health_ok(h: &linli_store::volunteering::ledger::LedgerHealth) {
    assert_eq!(h.total, 0, "{h:?}");
    assert!(
        h.unbalanced.is_empty() && h.drifted.is_empty() && h.rollups_off.is_empty(),
        "{h:?}"
    );
    assert_eq!(h.entries, 2 * h.transfers);
}

db_test!(an_order_goes_round_and_credits_once, |db: Db| async move {
    let app = demo(&db).await;
    let a = Actor::cli();
    let sec = who(Role::CommunitySecretary, COMMUNITY, 999_001);
    let h = app.ledger_health().await.unwrap();
    health_ok(&h);
    assert!(h.transfers > 500, "a year of activities and orders: {h:?}");
    assert!(app.check().await.unwrap().ok());
    let list = app.volunteers(&sec).await.unwrap();
    assert_eq!(list.len(), 150);
    assert!(list[0].party_member && list[0].post.is_some() && list[0].grid.is_some());

    let people = residents(&db).await;
    let resident = who(
        Role::Resident,
        COMMUNITY,
        resident_user(&app, "dian", people[10], &sec).await,
    );
    let stranger = who(
        Role::Resident,
        COMMUNITY,
        resident_user(&app, "pang", people[11], &sec).await,
    );
    let member = who(
        Role::PartyMember,
        COMMUNITY,
        resident_user(&app, "dang", people[500], &sec).await,
    );

    // the member reports in from their employer and claims a post
    assert!(app.my_volunteering(&member).await.unwrap().is_none());
    let vid = app
        .join_volunteers(
            &member,
            &JoinInput {
                skills: "家电维修".into(),
                employer_org: Some("宽城区人民法院机关党委".into()),
            },
            &a,
        )
        .await
        .unwrap();
    assert!(matches!(
        app.join_volunteers(
            &member,
            &JoinInput {
                skills: "x".into(),
                employer_org: None
            },
            &a
        )
        .await,
        Err(AppError::Conflict(_))
    ));
    assert!(app.claim_post(&member, "不存在的岗", &a).await.is_err());
    app.claim_post(&member, "关爱帮扶", &a).await.unwrap();
    let mine = app.my_volunteering(&member).await.unwrap().unwrap();
    assert!(mine.me.party_member);
    assert_eq!(mine.me.post.as_deref(), Some("关爱帮扶"));
    assert_eq!(mine.target_hours, "50小时");
    assert_eq!((mine.balances.minutes, mine.balances.points), (0, 0));

    // a resident orders; a bad service or empty text is refused
    assert!(
        app.order_service(
            &resident,
            &OrderInput {
                service: "造火箭".into(),
                body: "x".into()
            },
            &a
        )
        .await
        .is_err()
    );
    let id = app
        .order_service(
            &resident,
            &OrderInput {
                service: "家电维修".into(),
                body: "洗衣机不转了".into(),
            },
            &a,
        )
        .await
        .unwrap();
    assert!(matches!(
        app.service_order(&stranger, id).await,
        Err(AppError::NotFound)
    ));
    assert!(
        matches!(
            app.service_order(&member, id).await,
            Err(AppError::NotFound)
        ),
        "not given to them yet"
    );
    let act = |w, action, assignee, minutes, rating, note: &'static str| {
        let app = &app;
        let a = &a;
        async move {
            let step = OrderStep {
                action,
                assignee,
                minutes,
                rating,
                note: note.to_owned(),
            };
            app.act_on_order(w, id, &step, a).await
        }
    };
    // only staff dispatch; to a volunteer of the community
    assert!(
        act(&resident, OrderAction::Dispatch, Some(vid), None, None, "")
            .await
            .is_err()
    );
    assert!(
        act(&sec, OrderAction::Dispatch, None, None, None, "")
            .await
            .is_err()
    );
    let view = app.service_order(&sec, id).await.unwrap();
    assert!(view.can_dispatch && view.candidates.iter().any(|c| c.0 == vid));
    assert_eq!(
        act(&sec, OrderAction::Dispatch, Some(vid), None, None, "")
            .await
            .unwrap(),
        OrderState::Dispatched
    );
    // before accepting, the member sees the estate and building and a masked name
    let seen = app.service_order(&member, id).await.unwrap();
    assert!(seen.requester.contains('*'), "{}", seen.requester);
    assert!(seen.contact.is_none() && seen.can_answer && !seen.can_finish);
    let full = app.service_order(&resident, id).await.unwrap().place;
    assert!(full.len() > seen.place.len(), "{full} vs {}", seen.place);
    assert!(
        act(&member, OrderAction::Finish, None, Some(60), None, "")
            .await
            .is_err()
    );
    assert!(
        act(&member, OrderAction::Decline, None, None, None, "")
            .await
            .is_err(),
        "a reason"
    );
    act(&member, OrderAction::Accept, None, None, None, "")
        .await
        .unwrap();
    let seen = app.service_order(&member, id).await.unwrap();
    assert!(!seen.requester.contains('*') && seen.place == full);
    assert!(seen.contact.is_some(), "the phone, opened for them");
    // the resident cannot cancel work in progress, nor rate before it is done
    assert!(
        act(&resident, OrderAction::Cancel, None, None, None, "")
            .await
            .is_err()
    );
    assert!(
        act(
            &resident,
            OrderAction::Rate,
            None,
            None,
            Some(Rating::Satisfied),
            ""
        )
        .await
        .is_err()
    );
    // a 24 h typo is refused; 90 minutes are taken
    assert!(
        act(&member, OrderAction::Finish, None, Some(24 * 60), None, "")
            .await
            .is_err()
    );
    act(
        &member,
        OrderAction::Finish,
        None,
        Some(90),
        None,
        "换了皮带",
    )
    .await
    .unwrap();
    assert_eq!(
        app.my_balances(&member).await.unwrap().unwrap().minutes,
        0,
        "credited at the rating"
    );
    // a rating by someone else is refused
    assert!(
        act(
            &member,
            OrderAction::Rate,
            None,
            None,
            Some(Rating::Satisfied),
            ""
        )
        .await
        .is_err()
    );
    assert!(
        act(
            &stranger,
            OrderAction::Rate,
            None,
            None,
            Some(Rating::Satisfied),
            ""
        )
        .await
        .is_err()
    );
    act(
        &resident,
        OrderAction::Rate,
        None,
        None,
        Some(Rating::Satisfied),
        "师傅很耐心",
    )
    .await
    .unwrap();
    assert!(
        act(
            &resident,
            OrderAction::Rate,
            None,
            None,
            Some(Rating::Satisfied),
            ""
        )
        .await
        .is_err(),
        "once"
    );
    let b = app.my_balances(&member).await.unwrap().unwrap();
    assert_eq!((b.minutes, b.points), (90, 15));
    let view = app.service_order(&resident, id).await.unwrap();
    assert_eq!(view.state, OrderState::Rated);
    assert_eq!(view.steps.len(), 5);
    assert!(
        app.service_orders(&resident)
            .await
            .unwrap()
            .iter()
            .any(|o| o.id == id)
    );
    assert!(
        !app.service_orders(&stranger)
            .await
            .unwrap()
            .iter()
            .any(|o| o.id == id)
    );
    assert!(
        app.service_orders(&member)
            .await
            .unwrap()
            .iter()
            .any(|o| o.id == id)
    );
    // the street reads the order and the volunteers, names masked
    let street = who(Role::StreetAdmin, "220103008", 999_002);
    assert!(app.service_order(&street, id).await.is_ok());
    assert!(!app.service_order(&street, id).await.unwrap().can_dispatch);
    assert!(app.volunteers(&street).await.unwrap()[0].name.contains('*'));
    assert!(matches!(
        app.volunteers(&resident).await,
        Err(AppError::Forbidden)
    ));
    // staff of another community see nothing of it
    let other = who(Role::CommunitySecretary, "220103008004", 999_003);
    assert!(matches!(
        app.service_order(&other, id).await,
        Err(AppError::NotFound)
    ));
    health_ok(&app.ledger_health().await.unwrap());

    // 志愿服务记录证明: issued to the member, printed by them only, checked by anyone
    let serial = app.issue_certificate(&member, &a).await.unwrap();
    assert!(
        app.issue_certificate(&resident, &a).await.is_err(),
        "not a volunteer"
    );
    let c = app.certificate(&member, &serial).await.unwrap();
    assert_eq!(c.total, "1小时30分");
    assert!(
        c.lines
            .iter()
            .any(|(_, w, h)| w == "服务单:家电维修" && h == "1小时30分"),
        "{:?}",
        c.lines
    );
    assert!(matches!(
        app.certificate(&sec, &serial).await,
        Err(AppError::NotFound)
    ));
    let check = app.check_certificate(&serial).await.unwrap();
    assert!(check.valid && check.name.contains('*') && check.total == "1小时30分");
    assert!(matches!(
        app.check_certificate("00").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.check_certificate(&"0".repeat(32)).await,
        Err(AppError::NotFound)
    ));

    // an order withdrawn before it was accepted shows its volunteer nothing more
    let id2 = app
        .order_service(
            &resident,
            &OrderInput {
                service: "代买代办".into(),
                body: "买一袋米".into(),
            },
            &a,
        )
        .await
        .unwrap();
    let mut step = OrderStep::plain(OrderAction::Dispatch);
    step.assignee = Some(vid);
    app.act_on_order(&sec, id2, &step, &a).await.unwrap();
    assert!(
        app.service_order(&member, id2)
            .await
            .unwrap()
            .requester
            .contains('*')
    );
    app.act_on_order(&resident, id2, &OrderStep::plain(OrderAction::Cancel), &a)
        .await
        .unwrap();
    assert!(matches!(
        app.service_order(&member, id2).await,
        Err(AppError::NotFound)
    ));

    // the shelf: points go down, hours never; not over the balance or the stock
    let shelf = app.shelf(&member).await.unwrap();
    let cheap = shelf.items.iter().find(|i| i.points <= 15).map(|i| i.id);
    assert!(cheap.is_none(), "the demo's cheapest is 30 points");
    let soap = app
        .stock_shelf(&sec, COMMUNITY, "肥皂", 10, 1, &a)
        .await
        .unwrap();
    assert!(matches!(
        app.stock_shelf(&member, COMMUNITY, "肥皂", 1, 100, &a)
            .await,
        Err(AppError::Forbidden)
    ));
    let pricey = app
        .stock_shelf(&sec, COMMUNITY, "电饭煲", 500, 3, &a)
        .await
        .unwrap();
    assert!(
        app.redeem(&member, pricey, &a).await.is_err(),
        "over the balance"
    );
    assert_eq!(
        app.shelf(&sec)
            .await
            .unwrap()
            .items
            .iter()
            .find(|i| i.id == pricey)
            .unwrap()
            .stock,
        3,
        "nothing taken"
    );
    let r1 = app.redeem(&member, soap, &a).await.unwrap();
    let b = app.my_balances(&member).await.unwrap().unwrap();
    assert_eq!((b.minutes, b.points), (90, 5));
    assert!(
        app.redeem(&member, soap, &a).await.is_err(),
        "over the stock"
    );
    assert!(matches!(
        app.settle_redemption(&member, r1, true, &a).await,
        Err(AppError::NotFound)
    ));
    app.settle_redemption(&sec, r1, false, &a).await.unwrap();
    assert!(
        app.settle_redemption(&sec, r1, true, &a).await.is_err(),
        "settled once"
    );
    let b = app.my_balances(&member).await.unwrap().unwrap();
    assert_eq!((b.minutes, b.points), (90, 15), "cancelled: points back");
    let r2 = app.redeem(&member, soap, &a).await.unwrap();
    app.settle_redemption(&sec, r2, true, &a).await.unwrap();
    // a redemption is undone only by cancelling it, never by a correction
    let spent = app
        .my_volunteering(&member)
        .await
        .unwrap()
        .unwrap()
        .statement;
    let soap_line = spent
        .iter()
        .find(|l| l.what == "兑换:肥皂" && !l.plus && !l.reversed)
        .unwrap()
        .id;
    assert!(
        app.reverse_transfer(&sec, soap_line, "退回", &a)
            .await
            .is_err()
    );
    assert_eq!(app.my_balances(&member).await.unwrap().unwrap().points, 5);

    // a complaint upheld: staff reverse the order's hours, once
    let st = app
        .my_volunteering(&member)
        .await
        .unwrap()
        .unwrap()
        .statement;
    let hours = st
        .iter()
        .find(|l| l.amount.starts_with("+1小时30分"))
        .unwrap()
        .id;
    assert!(matches!(
        app.reverse_transfer(&member, hours, "投诉", &a).await,
        Err(AppError::NotFound)
    ));
    assert!(
        app.reverse_transfer(&sec, hours, "", &a).await.is_err(),
        "a reason"
    );
    app.reverse_transfer(&sec, hours, "服务对象投诉属实", &a)
        .await
        .unwrap();
    assert!(
        app.reverse_transfer(&sec, hours, "再来一次", &a)
            .await
            .is_err()
    );
    assert_eq!(app.my_balances(&member).await.unwrap().unwrap().minutes, 0);
    health_ok(&app.ledger_health().await.unwrap());
    assert!(app.check().await.unwrap().ok());

    // the figures of a year: the demo's and this order; the street's equal the community's
    let now = linli_app::now();
    let (from, to) = (now.plus_secs(-400 * 86_400), now.plus_secs(86_400));
    let f = app.volunteering_figures(&sec, from, to).await.unwrap();
    assert_eq!((f.volunteers, f.party_members), (151, 61));
    let rated = f.orders.iter().find(|(s, _)| *s == "已评价").unwrap().1;
    assert_eq!(rated, 25, "the demo's 24 and this one");
    assert_eq!(f.rated, 25);
    assert!(
        f.satisfaction.is_some() && f.activities >= 20 && f.person_times > 400,
        "{f:?}"
    );
    assert_eq!(f.wishes, 12);
    assert_eq!(
        app.volunteering_figures(&street, from, to).await.unwrap(),
        f
    );
    assert!(matches!(
        app.volunteering_figures(&resident, from, to).await,
        Err(AppError::Forbidden)
    ));
});
