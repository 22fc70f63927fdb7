//! What the app tests share: a principal holding one role on one node.
#![allow(dead_code, clippy::unwrap_used)]

pub mod cases;

use linli_app::accounts::auth::{Credential, Principal};
use linli_domain::access::{Grant, RegionCode, Role};

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
