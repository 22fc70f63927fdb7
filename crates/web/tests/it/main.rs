//! HTTP tests over the real router, one binary for the crate: a module per
//! capability, each test on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod cases;
mod common;
mod deliberation;
mod gridwork;
mod notices;
mod notifications;
mod partners;
mod registry;
mod territory;
mod volunteering;
