//! Owners' votes on both databases: the demo's register and its closed
//! elevator vote; a new vote whose roll freezes at opening; one ballot per
//! owner across channels; the count hidden until closing; and who may see
//! and do what.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub(super) use crate::common::resident_user;
use crate::common::who_as as who;

use linli_app::deliberation::{BallotInput, NewVoteInput, OwnerInput};
use linli_app::demo::COMMUNITY;
use linli_app::infra::crypto::{CipherKind, Keyring};
use linli_app::{Actor, App, AppConfig, AppError};
use linli_domain::access::Role;
use linli_domain::deliberation::VoteState;
use linli_store::deliberation::votes as store;
use linli_store::{Db, db_test};
use std::sync::Arc;

db_test!(owners_vote_once_on_a_frozen_roll, |db: Db| async move {
    let app = App::new(db.clone(), AppConfig::default())
        .with_crypto(Arc::new(Keyring::generate(CipherKind::Sm4Gcm).unwrap()));
    app.seed_demo_community().await.unwrap().unwrap();
    app.seed_demo_residents().await.unwrap().unwrap();
    assert_eq!(app.seed_demo_votes().await.unwrap(), Some(2));
    assert_eq!(app.seed_demo_votes().await.unwrap(), None, "seeded once");
    let a = Actor::cli();
    let sec = who(Role::CommunitySecretary, COMMUNITY, 999_001);

    // the demo's elevator vote is closed, and its count adds up
    let list = app.votes(&sec).await.unwrap();
    assert_eq!(list.len(), 2);
    let lift = list.iter().find(|v| v.title.contains("电梯")).unwrap();
    assert_eq!(lift.state, VoteState::Closed);
    let lv = app.vote(&sec, lift.id).await.unwrap();
    let counted: i64 = lv.counts.iter().map(|c| c.heads).sum();
    assert_eq!(counted, lv.heads_part);
    assert!(lv.heads_part < lv.heads_total && lv.heads_part > 0);
    assert_eq!(lv.verdicts.len(), 1);
    let verdict = lv.verdicts[0].verdict;
    // item 7 needs three quarters of those taking part
    assert_eq!(verdict.approval[1].share.num, 3);
    assert_eq!(verdict.quorum[1].have, lv.heads_part);
    // a closed vote takes no more ballots
    let r = app
        .enter_ballot(
            &sec,
            lift.id,
            &BallotInput {
                owner_key: lv.roll[0].owner_key.clone(),
                channel: "paper".into(),
                choice: "同意".into(),
                proof: "X-1".into(),
                ..Default::default()
            },
            &a,
        )
        .await;
    assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");

    // a new vote on the second unit of the same building
    let scopes = app.vote_scopes(&sec).await.unwrap();
    let unit2 = scopes
        .iter()
        .filter(|s| s.key.starts_with("unit:"))
        .nth(1)
        .unwrap()
        .key
        .clone();
    let in_10 = (linli_app::today() + time::Duration::days(10)).to_string();
    let input = NewVoteInput {
        scope: unit2.clone(),
        item: "5".into(),
        title: "使用维修资金更换屋面防水".into(),
        body: String::new(),
        candidates: String::new(),
        closes_on: in_10.clone(),
        proposal: None,
    };
    // a grid worker may not hold a vote; a deadline in the past is refused
    let worker = who(Role::GridWorker, &format!("{COMMUNITY}001"), 999_002);
    assert!(matches!(
        app.create_vote(&worker, &input, &a).await,
        Err(AppError::Forbidden)
    ));
    let past = NewVoteInput {
        closes_on: "2020-01-01".into(),
        proposal: None,
        ..input.clone()
    };
    assert!(matches!(
        app.create_vote(&sec, &past, &a).await,
        Err(AppError::Invalid(_))
    ));
    let id = app.create_vote(&sec, &input, &a).await.unwrap();
    // a draft takes no ballots
    let v = app.vote(&sec, id).await.unwrap();
    assert_eq!(v.state, VoteState::Draft);
    assert!(v.roll.is_empty());
    app.open_vote(&sec, id, &a).await.unwrap();
    assert!(matches!(
        app.open_vote(&sec, id, &a).await,
        Err(AppError::Invalid(_))
    ));
    let v = app.vote(&sec, id).await.unwrap();
    assert!(v.heads_total > 10, "{}", v.heads_total);
    let (heads, area) = (v.heads_total, v.area_total.clone());
    let mut conn = db.conn().await.unwrap();
    let roll: Vec<_> = store::roll(&mut conn, id)
        .await
        .unwrap()
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    drop(conn);
    let owner = roll.iter().find(|r| r.resident_id.is_some()).unwrap();
    let owner_resident = owner.resident_id.unwrap();

    // the register changes after opening: the roll holds
    let dwelling = {
        let mut conn = db.conn().await.unwrap();
        let h = linli_store::deliberation::owners::holdings(
            &mut conn,
            "unit",
            unit2[5..].parse().unwrap(),
        )
        .await
        .unwrap();
        h.iter()
            .find(|h| h.resident_id != Some(owner_resident))
            .unwrap()
            .dwelling_id
    };
    app.set_owner(
        &sec,
        &OwnerInput {
            dwelling_id: dwelling,
            owner: "developer".into(),
            area_register: "200".into(),
            ..Default::default()
        },
        &a,
    )
    .await
    .unwrap();
    let v = app.vote(&sec, id).await.unwrap();
    assert_eq!((v.heads_total, v.area_total.clone()), (heads, area));

    // the owner votes online once; the count stays hidden while open
    let uid = resident_user(&app, "yezhu1", owner_resident, &sec).await;
    let me = who(Role::Resident, COMMUNITY, uid);
    let mine = app.vote(&me, id).await.unwrap();
    assert!(mine.my_units.is_some() && mine.my_part.is_none() && mine.roll.is_empty());
    assert!(matches!(
        app.cast_ballot(&me, id, "也许", &a).await,
        Err(AppError::Invalid(_))
    ));
    let receipt = app.cast_ballot(&me, id, "同意", &a).await.unwrap();
    assert_eq!(receipt.len(), 8);
    let second = app.cast_ballot(&me, id, "反对", &a).await;
    assert!(matches!(second, Err(AppError::Invalid(_))), "{second:?}");
    // nor on paper, entered by staff
    let paper = app
        .enter_ballot(
            &sec,
            id,
            &BallotInput {
                owner_key: owner.owner_key.clone(),
                channel: "paper".into(),
                choice: "反对".into(),
                proof: "ZZ-9".into(),
                ..Default::default()
            },
            &a,
        )
        .await;
    assert!(matches!(paper, Err(AppError::Invalid(_))), "{paper:?}");
    let mine = app.vote(&me, id).await.unwrap();
    assert_eq!(
        mine.my_part.as_ref().map(|p| p.1.as_str()),
        Some(receipt.as_str())
    );
    assert!(mine.counts.is_empty(), "no count before closing");

    // a proxy needs an authorisation; staff of another community see nothing
    let others: Vec<_> = roll
        .iter()
        .filter(|r| r.owner_key != owner.owner_key)
        .collect();
    let no_auth = BallotInput {
        owner_key: others[0].owner_key.clone(),
        channel: "proxy".into(),
        choice: "同意".into(),
        proof: "WT-1".into(),
        proxy: String::new(),
        room: String::new(),
    };
    assert!(matches!(
        app.enter_ballot(&sec, id, &no_auth, &a).await,
        Err(AppError::Invalid(_))
    ));
    let stranger = who(Role::CommunitySecretary, "220103008004", 999_003);
    assert!(matches!(
        app.vote(&stranger, id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.enter_ballot(
            &stranger,
            id,
            &BallotInput {
                proxy: "王某".into(),
                ..no_auth.clone()
            },
            &a
        )
        .await,
        Err(AppError::Forbidden)
    ));
    // a room not on the roll is refused; the first of the others is entered by room
    let by_room = BallotInput {
        owner_key: String::new(),
        room: "99号楼9单元9999".into(),
        channel: "paper".into(),
        choice: "同意".into(),
        proof: "R-1".into(),
        proxy: String::new(),
    };
    assert!(matches!(
        app.enter_ballot(&sec, id, &by_room, &a).await,
        Err(AppError::Invalid(_))
    ));
    let room = others[0].units.split('、').next().unwrap().to_owned();
    app.enter_ballot(&sec, id, &BallotInput { room, ..by_room }, &a)
        .await
        .unwrap();
    // all the others agree on paper or by proxy
    for (i, r) in others.iter().enumerate().skip(1) {
        let b = BallotInput {
            owner_key: r.owner_key.clone(),
            room: String::new(),
            channel: if i % 2 == 0 { "paper" } else { "proxy" }.into(),
            choice: "同意".into(),
            proof: format!("P-{i}"),
            proxy: "王某".into(),
        };
        app.enter_ballot(&sec, id, &b, &a).await.unwrap();
    }
    assert!(
        app.close_vote(&sec, id, &a).await.unwrap(),
        "everyone agreed"
    );
    // the owner hears of the result in the inbox
    let mut conn = db.conn().await.unwrap();
    let (inbox, _) = linli_store::notifications::notifications_of(&mut conn, uid, 10)
        .await
        .unwrap();
    drop(conn);
    assert!(
        inbox
            .iter()
            .any(|n| n.title == "表决结果:使用维修资金更换屋面防水"),
        "{inbox:?}"
    );
    let v = app.vote(&me, id).await.unwrap();
    assert_eq!(v.state, VoteState::Closed);
    assert_eq!(v.heads_part, heads);
    assert!(v.verdicts[0].verdict.passed);
    let yes = v.counts.iter().find(|c| c.choice == "同意").unwrap();
    assert_eq!(yes.heads, heads);
    // a resident who lives elsewhere and owns nothing here does not see it
    let mut conn = db.conn().await.unwrap();
    let lift_roll: Vec<_> = store::roll(&mut conn, lift.id)
        .await
        .unwrap()
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    drop(conn);
    let far = lift_roll.iter().find_map(|r| r.resident_id).unwrap();
    if !roll.iter().any(|r| r.resident_id == Some(far)) {
        let uid = resident_user(&app, "yezhu2", far, &sec).await;
        let them = who(Role::Resident, COMMUNITY, uid);
        assert!(matches!(app.vote(&them, id).await, Err(AppError::NotFound)));
        assert!(matches!(
            app.cast_ballot(&them, id, "同意", &a).await,
            Err(AppError::NotFound)
        ));
        // but they see the vote of their own unit
        assert!(app.vote(&them, lift.id).await.is_ok());
    }
});

db_test!(costs_are_shared_to_the_fen, |db: Db| async move {
    use linli_app::deliberation::CostInput;
    let app = App::new(db.clone(), AppConfig::default())
        .with_crypto(Arc::new(Keyring::generate(CipherKind::Sm4Gcm).unwrap()));
    app.seed_demo_community().await.unwrap().unwrap();
    app.seed_demo_residents().await.unwrap().unwrap();
    app.seed_demo_votes().await.unwrap().unwrap();
    let a = Actor::cli();
    let sec = who(Role::CommunitySecretary, COMMUNITY, 999_001);
    let lift = app
        .votes(&sec)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.title.contains("电梯"))
        .unwrap()
        .id;
    // the demo's plan: every dwelling of the roll, summing to the owners' part
    let plan = app.cost_plan(&sec, lift).await.unwrap().unwrap();
    assert_eq!(plan.owners_total, "250,000.00");
    assert_eq!(plan.project_total, "450,000.00");
    assert_eq!(plan.dwellings, 69);
    assert!(plan.floors[0].floor == 1 && plan.floors[0].each == "0.00");
    assert!(!plan.editable && plan.paid_count > 0);
    let mut conn = db.conn().await.unwrap();
    let shares = linli_store::deliberation::costs::shares(&mut conn, lift)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(shares.iter().map(|s| s.share_fen).sum::<i64>(), 25_000_000);
    // paid already: the plan holds
    let again = CostInput {
        basis: "area".into(),
        table: String::new(),
        owners_total: "100000".into(),
        funding: String::new(),
    };
    assert!(matches!(
        app.set_cost_plan(&sec, lift, &again, &a).await,
        Err(AppError::Invalid(_))
    ));

    // a new vote on another unit: a table missing a floor, a negative sum, bad funding are refused
    let scopes = app.vote_scopes(&sec).await.unwrap();
    let unit3 = scopes
        .iter()
        .filter(|s| s.key.starts_with("unit:"))
        .nth(2)
        .unwrap()
        .key
        .clone();
    let id = app
        .create_vote(
            &sec,
            &NewVoteInput {
                scope: unit3,
                item: "7".into(),
                title: "加装电梯".into(),
                body: String::new(),
                candidates: String::new(),
                closes_on: (linli_app::today() + time::Duration::days(5)).to_string(),
                proposal: None,
            },
            &a,
        )
        .await
        .unwrap();
    let by_floor = CostInput {
        basis: "floor".into(),
        table: "1:0, 2:10".into(),
        owners_total: "100000.01".into(),
        funding: "政府补贴:200000".into(),
    };
    assert!(
        matches!(
            app.set_cost_plan(&sec, id, &by_floor, &a).await,
            Err(AppError::Invalid(_))
        ),
        "not open yet"
    );
    app.open_vote(&sec, id, &a).await.unwrap();
    let r = app.set_cost_plan(&sec, id, &by_floor, &a).await;
    assert!(
        matches!(&r, Err(AppError::Invalid(m)) if m.contains("第 3 层")),
        "{r:?}"
    );
    for bad in [
        CostInput {
            owners_total: "-5".into(),
            ..by_floor.clone()
        },
        CostInput {
            funding: "补贴 200000".into(),
            ..by_floor.clone()
        },
        CostInput {
            basis: "heads".into(),
            ..by_floor.clone()
        },
    ] {
        assert!(matches!(
            app.set_cost_plan(&sec, id, &bad, &a).await,
            Err(AppError::Invalid(_))
        ));
    }
    assert!(
        app.cost_plan(&sec, id).await.unwrap().is_none(),
        "nothing written"
    );
    // by area: 100,000.01 元 over the unit, to the fen; a grid worker may not
    let by_area = CostInput {
        basis: "area".into(),
        ..by_floor.clone()
    };
    let worker = who(Role::GridWorker, &format!("{COMMUNITY}001"), 999_002);
    assert!(matches!(
        app.set_cost_plan(&worker, id, &by_area, &a).await,
        Err(AppError::Forbidden)
    ));
    app.set_cost_plan(&sec, id, &by_area, &a).await.unwrap();
    let mut conn = db.conn().await.unwrap();
    let shares = linli_store::deliberation::costs::shares(&mut conn, id)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(shares.iter().map(|s| s.share_fen).sum::<i64>(), 10_000_001);
    let plan = app.cost_plan(&sec, id).await.unwrap().unwrap();
    assert_eq!(plan.shares.len(), shares.len());
    assert!(plan.editable);
    // payments once the vote is counted, each once
    assert!(matches!(
        app.mark_share_paid(&sec, id, shares[0].dwelling_id, &a)
            .await,
        Err(AppError::Invalid(_))
    ));
    // counted before its deadline only once the owners left cannot change it
    assert!(matches!(
        app.close_vote(&sec, id, &a).await,
        Err(AppError::Invalid(_))
    ));
    let mut conn = db.conn().await.unwrap();
    let roll = store::roll(&mut conn, id).await.unwrap();
    drop(conn);
    for (i, (r, _)) in roll.iter().enumerate() {
        let b = BallotInput {
            owner_key: r.owner_key.clone(),
            room: String::new(),
            channel: "paper".into(),
            choice: "同意".into(),
            proof: format!("P-{i}"),
            proxy: String::new(),
        };
        app.enter_ballot(&sec, id, &b, &a).await.unwrap();
    }
    app.close_vote(&sec, id, &a).await.unwrap();
    app.mark_share_paid(&sec, id, shares[0].dwelling_id, &a)
        .await
        .unwrap();
    assert!(matches!(
        app.mark_share_paid(&sec, id, shares[0].dwelling_id, &a)
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(!app.cost_plan(&sec, id).await.unwrap().unwrap().editable);
    // staff of another community see nothing of it
    let stranger = who(Role::CommunitySecretary, "220103008004", 999_003);
    assert!(matches!(
        app.cost_plan(&stranger, id).await,
        Err(AppError::NotFound)
    ));
});
