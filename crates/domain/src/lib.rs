//! linli domain: types and rules with no I/O.
//!
//! Every value here is built by `parse()` and is valid once it exists
//! ("parse, don't validate"). Chinese domain terms sit beside the English names.

pub mod access;
pub mod account;
pub mod audit;
pub mod cases;
pub mod coverage;
pub mod geo;
pub mod grid_index;
pub mod party;
pub mod places;
pub mod registry;
pub mod secret;
pub mod session;
pub mod territory;
pub mod time;
