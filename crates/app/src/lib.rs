//! linli services: each public function is one use case. They take and
//! return domain types, run domain rules, and compose store calls in
//! transactions, writing the audit record inside the same transaction as
//! the action it records. No HTTP here.

// shared infrastructure: used by several capabilities, owned by none
pub mod infra;
use infra::{crypto, secrets};

pub mod audit;

// one folder per capability
pub mod accounts;
pub mod cases;
pub mod deliberation;
pub mod demo;
pub mod gridwork;
pub mod notices;
pub mod notifications;
pub mod ops;
pub mod partners;
pub mod registry;
pub mod territory;
pub mod volunteering;

pub use infra::error::AppError;
pub use linli_store::blobs::Blobs;
pub use linli_store::{Backend, Db, PoolStats};

use linli_domain::accounts::LockoutPolicy;
use linli_domain::accounts::session::SessionPolicy;
use linli_domain::time::UnixMs;

/// Settings the services need.
#[derive(Debug, Clone, Copy)]
pub struct AppConfig {
    pub lockout: LockoutPolicy,
    pub session: SessionPolicy,
    /// A case placed outside every grid goes to the intake queue of the
    /// community whose grid is nearest, when one lies within this many
    /// metres; farther out it is outside the deployment's area.
    pub intake_reach_m: f64,
    /// whether the roles that need a second factor must have one
    pub second_factor: accounts::second_factor::SecondFactorPolicy,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            lockout: LockoutPolicy::default(),
            session: SessionPolicy::default(),
            intake_reach_m: 3000.0,
            second_factor: accounts::second_factor::SecondFactorPolicy::default(),
        }
    }
}

/// The service handle shared by the web layer and the CLI.
#[derive(Debug, Clone)]
pub struct App {
    db: Db,
    config: AppConfig,
    grid_index: territory::places::IndexCache,
    crypto: Option<std::sync::Arc<dyn crypto::FieldCrypto>>,
    /// where case photos are kept (memory unless [`App::with_blobs`])
    blobs: Blobs,
    suggest: cases::suggest::SuggestCache,
    /// signs the QR page's human checks (lives as long as the process)
    check_key: std::sync::Arc<[u8; 32]>,
    /// rung after commits that notify someone (SSE, webhook)
    bell: notifications::Bell,
    /// the holiday calendar, read at most once a minute (cleared when set)
    calendar: cases::CalendarCache,
    /// the category tree, read at most once a minute (cleared when set)
    categories: cases::CategoryCache,
    /// the group commit new cases are filed by (started on first use)
    filer: cases::FilerCell,
}

fn no_key() -> AppError {
    AppError::Invalid("未配置个人信息加密密钥(LINLI_KEY_FILE)".into())
}

impl std::fmt::Debug for dyn crypto::FieldCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldCrypto")
    }
}

impl App {
    pub fn new(db: Db, config: AppConfig) -> App {
        App {
            db,
            config,
            grid_index: territory::places::IndexCache::default(),
            crypto: None,
            blobs: Blobs::memory(),
            suggest: cases::suggest::SuggestCache::default(),
            check_key: std::sync::Arc::new(secrets::process_key()),
            bell: notifications::Bell::default(),
            calendar: cases::CalendarCache::default(),
            categories: cases::CategoryCache::default(),
            filer: cases::FilerCell::default(),
        }
    }

    /// The same services with the key ring that seals personal fields;
    /// without one the registry refuses to store or reveal them.
    pub fn with_crypto(mut self, crypto: std::sync::Arc<dyn crypto::FieldCrypto>) -> App {
        self.crypto = Some(crypto);
        self
    }

    /// The same services keeping photos in `blobs`.
    pub fn with_blobs(mut self, blobs: Blobs) -> App {
        self.blobs = blobs;
        self
    }

    pub(crate) fn crypto(&self) -> Result<&dyn crypto::FieldCrypto, AppError> {
        self.crypto.as_deref().ok_or_else(no_key)
    }

    /// The field crypto as a shared handle, for work on the blocking pool.
    pub(crate) fn crypto_shared(
        &self,
    ) -> Result<std::sync::Arc<dyn crypto::FieldCrypto>, AppError> {
        self.crypto.clone().ok_or_else(no_key)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ready(&self) -> Result<(), AppError> {
        Ok(self.db.ping().await?)
    }
}

/// Who acts, for the audit log: an account or the command line, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
    pub source: String,
}

impl Actor {
    /// The operator at the command line of the server.
    pub fn cli() -> Actor {
        Actor {
            id: None,
            name: "cli".to_owned(),
            source: "cli".to_owned(),
        }
    }
}

/// The current time.
pub fn now() -> UnixMs {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    UnixMs(ms)
}

/// An audit event for a successful action by `actor`.
pub(crate) fn event(
    actor: &Actor,
    action: &str,
    object: String,
    detail: String,
) -> linli_domain::audit::AuditEvent {
    linli_domain::audit::AuditEvent {
        actor_id: actor.id,
        actor_name: actor.name.clone(),
        action: action.to_owned(),
        object,
        outcome: linli_domain::audit::Outcome::Ok,
        source: actor.source.clone(),
        detail,
    }
}

/// Today's date in China (Asia/Shanghai, UTC+8, no daylight saving).
pub fn today() -> time::Date {
    let secs = now().0.div_euclid(1000);
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| t.to_offset(offset).date())
        .unwrap_or(time::Date::MIN)
}

/// A random token for a form, so that submitting it twice (a double
/// click, a reload) files once: it becomes the intake's idempotency key.
pub fn form_nonce() -> Result<String, AppError> {
    Ok(secrets::random_hex_128()?.expose().to_owned())
}
