//! A world for the case tests: the demo community with its secretary,
//! two grid workers, the street, two residents and a spot in grid 1.
#![allow(dead_code, clippy::unwrap_used)]

use super::who_as as who;
use linli_app::accounts::NewAccount;
use linli_app::accounts::auth::Principal;
use linli_app::cases::NewCase;
use linli_app::demo::COMMUNITY;
use linli_app::infra::crypto::{CipherKind, Keyring};
use linli_app::territory::places::Location;
use linli_app::{Actor, App, AppConfig};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::cases::{CaseKind, Channel, Priority};
use linli_domain::geo::{CoordSys, LngLat, wgs84_to_gcj02};
use linli_domain::secret::Secret;
use linli_store::Db;
use std::sync::Arc;

pub struct World {
    pub app: App,
    pub secretary: Principal,
    pub worker1: Principal,
    pub worker2: Principal,
    pub street: Principal,
    /// two street departments (部门处置人员 over the street), for 吹哨报到
    pub dept1: Principal,
    pub dept2: Principal,
    pub resident: Principal,
    pub neighbour: Principal,
    /// a building in grid 1, WGS-84
    pub spot: LngLat,
}

pub async fn user_id(db: &Db, name: &str) -> i64 {
    let mut conn = db.conn().await.unwrap();
    linli_store::accounts::users::id_by_username(&mut conn, name)
        .await
        .unwrap()
        .unwrap()
}

pub async fn resident_account(app: &App, name: &str) -> i64 {
    app.create_user(
        NewAccount {
            username: name.into(),
            display_name: Some("李秀英".into()),
            password: Secret::new("Jumin-Mima-2026-ok"),
            grants: vec![Grant {
                role: Role::Resident,
                scope: COMMUNITY.parse().unwrap(),
            }],
            must_change_password: false,
        },
        &Actor::cli(),
    )
    .await
    .unwrap()
}

pub async fn world(db: Db) -> World {
    let app = App::new(db.clone(), AppConfig::default())
        .with_crypto(Arc::new(Keyring::generate(CipherKind::Sm4Gcm).unwrap()));
    app.seed_demo_community().await.unwrap().unwrap();
    let grid1 = format!("{COMMUNITY}001");
    let spot = {
        let mut conn = db.conn().await.unwrap();
        let code: RegionCode = COMMUNITY.parse().unwrap();
        let b = linli_store::territory::places::buildings_of(&mut conn, &code)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.scope.as_str() == grid1)
            .unwrap();
        LngLat::parse(b.lng.unwrap(), b.lat.unwrap()).unwrap()
    };
    let r1 = resident_account(&app, "jumin1").await;
    let r2 = resident_account(&app, "jumin2").await;
    World {
        secretary: who(
            Role::CommunitySecretary,
            COMMUNITY,
            user_id(&db, "shuji").await,
        ),
        worker1: who(Role::GridWorker, &grid1, user_id(&db, "wangge1").await),
        worker2: who(
            Role::GridWorker,
            &format!("{COMMUNITY}002"),
            user_id(&db, "wangge2").await,
        ),
        street: who(
            Role::StreetAdmin,
            "220103008",
            user_id(&db, "tuanshan").await,
        ),
        dept1: who(
            Role::DepartmentHandler,
            "220103008",
            user_id(&db, "chengguan").await,
        ),
        dept2: who(
            Role::DepartmentHandler,
            "220103008",
            user_id(&db, "shijian").await,
        ),
        resident: who(Role::Resident, COMMUNITY, r1),
        neighbour: who(Role::Resident, COMMUNITY, r2),
        app,
        spot,
    }
}

pub fn report(at: Option<Location>, key: Option<&str>) -> NewCase {
    NewCase {
        kind: CaseKind::Snapshot,
        channel: Channel::Resident,
        priority: Priority::Normal,
        category: Some("0104".into()),
        description: "5号楼门前道路有大片油污,老人容易滑倒".into(),
        location: at,
        dwelling_id: None,
        address: String::new(),
        community: None,
        reporter_name: String::new(),
        contact_phone: Some("13812345678".into()),
        idempotency_key: key.map(str::to_owned),
        api_key_id: None,
        media_url: None,
        photos: Vec::new(),
    }
}

pub fn gcj(p: LngLat) -> Location {
    let g = wgs84_to_gcj02(p);
    Location {
        lng: g.lng,
        lat: g.lat,
        sys: CoordSys::Gcj02,
    }
}
