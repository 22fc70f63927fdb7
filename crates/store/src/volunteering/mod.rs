//! 志愿服务: volunteers and teams, service orders and their steps,
//! activities and who came, the ledger of hours and points, the shelf.

pub mod activities;
pub mod certificates;
pub mod figures;
pub mod ledger;
pub mod orders;
pub mod rewards;
pub mod volunteers;
pub mod wishes;
