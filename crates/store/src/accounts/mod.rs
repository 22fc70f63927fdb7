//! Accounts: users and their grants, sessions, personal access tokens.

pub mod sessions;
pub mod tokens;
pub mod users;
