/// The storage layer's one error type.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the row (e.g. a duplicate user name).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("unsupported database URL (use sqlite://PATH or postgres://…)")]
    BadUrl,
    #[error("database error: {0}")]
    Db(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("blob store error: {0}")]
    Blob(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// A queued write was not carried out (see [`crate::batch`]).
    #[error("the write did not commit: {0}")]
    Batch(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict(d.constraint().unwrap_or("unique").to_owned())
            }
            _ => StoreError::Db(e),
        }
    }
}
