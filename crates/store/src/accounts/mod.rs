//! Accounts: users and their grants, sessions, personal access tokens,
//! failed-login throttling.

pub mod admin;
pub mod second_factor;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod users;
