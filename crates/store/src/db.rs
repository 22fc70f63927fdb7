use crate::StoreError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};
use std::str::FromStr;
use std::time::Duration;

/// A connection (pooled or inside a transaction).
pub type Conn = sqlx::AnyConnection;
/// A write transaction; derefs to [`Conn`] so repository functions take it.
/// Dropped without `commit`, it rolls back. On SQLite it also holds the
/// process's writer lane (see [`Db::begin`]) until it ends.
pub struct Tx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    /// held, never read: the writer lane is free again when the Tx ends
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.tx.rollback().await?)
    }
}

impl std::ops::Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle: a pool and which backend it talks to.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    /// SQLite: the one connection write transactions run on, so its page
    /// cache holds what the last write touched (a pooled connection finds
    /// its cache stale after another connection's commit and reads the
    /// pages again); PostgreSQL writes on the main pool
    writes: Option<AnyPool>,
    backend: Backend,
    /// SQLite has one writer: writers queue here, first come first served,
    /// instead of sleeping in SQLite's busy handler (which lets newcomers
    /// overtake and leaves some writers waiting for seconds).
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// How long a write waits for its turn before it gives up.
const WRITER_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: usize,
    pub max: u32,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `sqlite://PATH` (created when missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl);
        };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_owned(),
        };
        let opts = AnyConnectOptions::from_str(&url).map_err(|_| StoreError::BadUrl)?;
        let pool = Db::pool(backend, 8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts.clone())
            .await?;
        let writes = match backend {
            Backend::Sqlite => Some(
                Db::pool(backend, 1)
                    .acquire_timeout(WRITER_WAIT)
                    .connect_with(opts)
                    .await?,
            ),
            Backend::Postgres => None,
        };
        Ok(Db {
            pool,
            writes,
            backend,
            writer: std::sync::Arc::default(),
        })
    }

    /// Pool options per backend; `sqlite_size` connections on SQLite.
    fn pool(backend: Backend, sqlite_size: u32) -> AnyPoolOptions {
        match backend {
            // WAL lets readers run beside the one writer; FULL makes every
            // acknowledged commit durable; mmap reads pages from the OS
            // cache without a copy per read.
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(sqlite_size)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                             PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
                             PRAGMA cache_size = -32768; PRAGMA mmap_size = 268435456;",
                        )
                        .await?;
                        Ok(())
                    })
                }),
            // plan every statement with its values: a generic plan cached
            // while a table was small (a fresh install, a bulk import in
            // progress) would otherwise keep scanning it whole
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("SET plan_cache_mode = force_custom_plan")
                                .await?;
                            Ok(())
                        })
                    })
            }
        }
    }

    /// The URL of the SQLite database inside a data directory.
    pub fn sqlite_url_in(dir: &std::path::Path) -> String {
        format!("sqlite://{}", dir.join("linli.db").display())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the pending migrations of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// The migrations compiled in for `backend` as (version, description).
    pub fn migrations(backend: Backend) -> Vec<(i64, String)> {
        let m = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    pub fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.pool.size(),
            idle: self.pool.num_idle(),
            max: self.pool.options().get_max_connections(),
        }
    }

    /// A pooled connection for reads and single writes.
    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// A write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-then-write never fails half-way
    /// with a busy snapshot.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        match self.backend {
            Backend::Sqlite => {
                let turn = tokio::time::timeout(WRITER_WAIT, self.writer.clone().lock_owned())
                    .await
                    .map_err(|_| StoreError::Db(sqlx::Error::PoolTimedOut))?;
                let pool = self.writes.as_ref().unwrap_or(&self.pool);
                let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(Tx {
                    tx,
                    _turn: Some(turn),
                })
            }
            Backend::Postgres => Ok(Tx {
                tx: self.pool.begin().await?,
                _turn: None,
            }),
        }
    }

    pub async fn close(&self) {
        if let Some(w) = &self.writes {
            w.close().await;
        }
        self.pool.close().await;
    }
}
