//! Property tests of the domain's parsers, one binary for the crate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod deliberation;
mod parsers;
mod registry;
