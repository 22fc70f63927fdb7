//! argon2id password hashing, on a small pool of threads of its own.
//!
//! Each hash works in 19 MiB of memory. On tokio's blocking pool (up to
//! 512 threads) a storm of logins would hold that much per thread at once;
//! and a fresh 19 MiB per hash fragments the C allocator's heap, which
//! then keeps it (a process that had hashed seven passwords sat on
//! ~110 MiB it no longer used). Here as many threads as cores do every
//! hash in turn, each in one working area it keeps and reuses: memory
//! stays at 19 MiB a core, and excess logins queue.

use crate::AppError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use linli_domain::secret::Secret;
use std::cell::RefCell;
use std::sync::{Mutex, OnceLock, mpsc};

thread_local! {
    /// This hashing thread's working memory, kept between hashes.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

fn phc_err(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("argon2: {e}"))
}

/// The argon2 output of `password` under `salt` and these settings,
/// computed in the thread's kept memory.
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &Salt<'_>,
) -> Result<Output, AppError> {
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).map_err(phc_err)?;
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        Output::init_with(len, |out| {
            argon
                .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
                .map_err(|_| argon2::password_hash::Error::Crypto)
        })
        .map_err(phc_err)
    })
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`.
fn hash_now(password: &[u8]) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let out = compute(
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        password,
        &salt.as_salt(),
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(phc_err)?,
        salt: Some(salt.as_salt()),
        hash: Some(out),
    };
    Ok(phc.to_string())
}

/// Whether `password` gives the stored PHC string's output (compared in
/// constant time).
fn matches(password: &[u8], phc: &PasswordHash<'_>) -> Result<bool, AppError> {
    let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
        return Ok(false);
    };
    let algorithm = Algorithm::try_from(phc.algorithm).map_err(phc_err)?;
    let version = phc
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(phc_err)?
        .unwrap_or_default();
    let params = Params::try_from(phc).map_err(phc_err)?;
    let out = compute(algorithm, version, params, password, salt)?;
    Ok(out == *expected)
}

type Job = Box<dyn FnOnce() + Send>;

/// The queue of the hashing threads, started on first use.
fn pool() -> &'static mpsc::Sender<Job> {
    static POOL: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
        for i in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("linli-argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start a password hashing thread: {e}");
            }
        }
        tx
    })
}

/// Runs `work` on the hashing threads and waits for it without blocking
/// the executor.
async fn on_pool<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(work());
    });
    pool()
        .send(job)
        .map_err(|_| AppError::Internal("hashing pool stopped".into()))?;
    rx.await
        .map_err(|_| AppError::Internal("hashing task ended".into()))?
}

pub async fn hash(password: &Secret) -> Result<String, AppError> {
    let pw = password.clone();
    on_pool(move || hash_now(pw.expose().as_bytes())).await
}

/// Whether `password` matches `stored`. With `stored = None` (unknown
/// user) it still spends the time of one verification, so the answer's
/// timing does not tell which user names exist.
pub async fn verify(password: &Secret, stored: Option<String>) -> Result<bool, AppError> {
    let pw = password.clone();
    on_pool(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let parsed =
            PasswordHash::new(&phc).map_err(|e| AppError::Internal(format!("stored hash: {e}")))?;
        let ok = matches(pw.expose().as_bytes(), &parsed)?;
        Ok(known && ok)
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now(b"linli-dummy-password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    /// The kept-memory hasher and the library's own hasher agree both ways.
    #[test]
    fn hashes_agree_with_the_library() {
        let mine = hash_now(b"correct horse").unwrap();
        let parsed = PasswordHash::new(&mine).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"wrong horse", &parsed)
                .is_err()
        );
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        let parsed = PasswordHash::new(&theirs).unwrap();
        assert!(matches(b"correct horse", &parsed).unwrap());
        assert!(!matches(b"correct horsf", &parsed).unwrap());
        assert!(mine.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }
}
