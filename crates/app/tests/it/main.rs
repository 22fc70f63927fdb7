//! Service tests, one binary for the crate (one link instead of one per
//! file): a module per capability, each test on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod backup;
mod cases;
mod check;
mod common;
mod deliberation;
mod partners;
mod registry;
mod territory;
mod volunteering;
