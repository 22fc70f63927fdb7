//! Accounts: users and their grants, sessions, personal access tokens,
//! failed-login throttling.

pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod users;
