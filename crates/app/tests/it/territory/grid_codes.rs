//! Grid codes are never issued twice, and a grid named by a grant is not
//! deleted from under it (issue 17, item 6), on both databases. Before,
//! deleting the highest-numbered grid and creating another re-issued its
//! code, and the old grid worker's grant silently covered the new grid.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::who;
use linli_app::demo::COMMUNITY;
use linli_app::territory::places::GridParent;
use linli_app::{Actor, App, AppConfig, AppError};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_store::{Db, db_test};

db_test!(grid_codes_are_never_reused, |db: Db| async move {
    let app = App::new(db, AppConfig::default());
    app.seed_demo_community().await.unwrap().unwrap();
    let me = who(Role::CommunitySecretary, COMMUNITY);
    let actor = Actor::cli();
    let c: RegionCode = COMMUNITY.parse().unwrap();
    let community = GridParent::Community(&c);
    let first = app
        .create_grid(&me, community, "临时网格", None, &actor)
        .await
        .unwrap();
    app.delete_grid(&me, first.id, &actor).await.unwrap();
    let second = app
        .create_grid(&me, GridParent::Community(&c), "新网格", None, &actor)
        .await
        .unwrap();
    assert_ne!(second.code, first.code, "a deleted grid's code came back");
    assert!(second.code.as_str() > first.code.as_str());

    // a grid a grant names is not deleted; the grant is revoked first
    app.grant_role(
        "wangge1",
        Grant {
            role: Role::GridWorker,
            scope: second.code.clone(),
        },
        &actor,
    )
    .await
    .unwrap();
    let refused = app.delete_grid(&me, second.id, &actor).await;
    assert!(
        matches!(&refused, Err(AppError::Invalid(m)) if m.contains("授权")),
        "{refused:?}"
    );

    // a moved grid's old code is not issued again either
    let parent = app
        .create_grid(&me, GridParent::Community(&c), "上级网格", None, &actor)
        .await
        .unwrap();
    let moving = app
        .create_grid(&me, GridParent::Community(&c), "要移动的网格", None, &actor)
        .await
        .unwrap();
    app.move_grid(&me, moving.id, Some(parent.id), &actor)
        .await
        .unwrap();
    let after = app
        .create_grid(&me, GridParent::Community(&c), "又一个网格", None, &actor)
        .await
        .unwrap();
    assert_ne!(after.code, moving.code);
});
