//! Running a deployment: what `linli check` asks of the database, and the
//! database as portable rows for `linli backup` and `linli restore`.

pub mod backup;
pub mod integrity;
