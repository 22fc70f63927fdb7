//! Running a deployment: checks of the data (and, with the reliability
//! issue, backups and restores).

pub mod backup;
pub mod check;
