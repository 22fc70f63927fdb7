//! Territory: the national divisions, a community's grids and places,
//! and the party network over them.

pub mod party;
pub mod places;
pub mod regions;
pub(crate) mod scope;
