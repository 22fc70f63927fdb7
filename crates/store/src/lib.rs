//! linli storage — the only crate with SQL.
//!
//! One SQL code path for SQLite and PostgreSQL through `sqlx::Any`
//! (portable subset: `$n` placeholders, `RETURNING`, `ON CONFLICT`, CTEs).
//! Ids and instants are BIGINT, flags 0/1, so every value crosses both
//! drivers. Repository functions take a `&mut Conn` so that services can
//! compose several of them in one transaction.

mod db;
mod error;
mod multirow;

// plumbing every capability uses
pub mod audit;
pub mod batch;
pub mod blobs;

// one folder per capability
pub mod accounts;
pub mod cases;
pub mod deliberation;
pub mod gridwork;
pub mod notices;
pub mod notifications;
pub mod ops;
pub mod partners;
pub mod registry;
pub mod territory;
pub mod volunteering;

#[cfg(feature = "testing")]
pub mod testing;

pub use db::{Backend, Conn, Db, PoolStats, Tx};
pub use error::StoreError;

/// 0/1 flag columns.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}
