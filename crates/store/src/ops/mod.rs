//! Running a deployment: what `linli check` asks of the database (and,
//! with the reliability issue, backups and restores).

pub mod integrity;
