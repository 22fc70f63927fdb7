//! argon2id password hashing, run off the async executor.

use crate::AppError;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use linli_domain::secret::Secret;
use std::sync::OnceLock;

pub async fn hash(password: &Secret) -> Result<String, AppError> {
    let pw = password.clone();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(pw.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(format!("hashing task: {e}")))?
}

/// Whether `password` matches `stored`. With `stored = None` (unknown
/// user) it still spends the time of one verification, so the answer's
/// timing does not tell which user names exist.
pub async fn verify(password: &Secret, stored: Option<String>) -> Result<bool, AppError> {
    let pw = password.clone();
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let parsed =
            PasswordHash::new(&phc).map_err(|e| AppError::Internal(format!("stored hash: {e}")))?;
        let ok = Argon2::default()
            .verify_password(pw.expose().as_bytes(), &parsed)
            .is_ok();
        Ok(known && ok)
    })
    .await
    .map_err(|e| AppError::Internal(format!("hashing task: {e}")))?
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"linli-dummy-password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}
