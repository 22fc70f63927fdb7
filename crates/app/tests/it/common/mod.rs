//! What the app tests share: a principal holding one role on one node.
#![allow(dead_code, clippy::unwrap_used)]

pub mod cases;

use linli_app::accounts::NewAccount;
use linli_app::accounts::auth::{Credential, Principal};
use linli_app::demo::COMMUNITY;
use linli_app::{Actor, App};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::secret::Secret;

/// Account `user_id` holding `role` over `scope`.
pub fn who_as(role: Role, scope: &str, user_id: i64) -> Principal {
    Principal {
        user_id,
        username: format!("{role}"),
        display_name: "测试".into(),
        grants: vec![Grant {
            role,
            scope: scope.parse::<RegionCode>().unwrap(),
        }],
        must_change_password: false,
        last_login_at: None,
        credential: Credential::Token { token_id: 0 },
        elder: false,
    }
}

/// The same as account 1.
pub fn who(role: Role, scope: &str) -> Principal {
    who_as(role, scope, 1)
}

/// A resident's account bound to their record `resident_id` by the
/// secretary `sec`.
pub async fn resident_user(
    app: &App,
    name: &str,
    resident_id: i64,
    sec: &linli_app::accounts::auth::Principal,
) -> i64 {
    let a = Actor::cli();
    let user_id = app
        .create_user(
            NewAccount {
                username: name.into(),
                display_name: Some(name.into()),
                password: Secret::new("Jumin-Mima-2026-ok"),
                grants: vec![Grant {
                    role: Role::Resident,
                    scope: COMMUNITY.parse().unwrap(),
                }],
                must_change_password: false,
            },
            &a,
        )
        .await
        .unwrap();
    app.link_resident_account(sec, resident_id, name, &a)
        .await
        .unwrap();
    user_id
}
