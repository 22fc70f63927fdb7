//! Test support: run a test body on SQLite and on PostgreSQL, each in a
//! database of its own that is removed afterwards.
//!
//! PostgreSQL comes from `LINLI_TEST_POSTGRES_URL`. Without it a test
//! fails — never a silent pass — unless `LINLI_TEST_SKIP_POSTGRES=1` asks
//! to skip the PostgreSQL half (each skip is printed, and `make test`
//! fails on any skip).
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use crate::{Backend, Db};
use sqlx::{Connection, Executor};
use std::future::Future;
use std::time::{SystemTime, UNIX_EPOCH};

/// Runs `body` on each backend in turn: `db_test!(name, |db| async move { … })`
/// makes the tests `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::testing::run($crate::Backend::Sqlite, $body).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::testing::run($crate::Backend::Postgres, $body).await
            }
        }
    };
}

fn random_suffix() -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).expect("random bytes");
    hex::encode(b)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The PostgreSQL URL for tests. Every storage test runs on PostgreSQL as
/// well as SQLite: without `LINLI_TEST_POSTGRES_URL` a test fails, unless
/// `LINLI_TEST_SKIP_POSTGRES=1` says that this run skips the PostgreSQL
/// half knowingly (then `None`, and the test says it skipped).
pub fn postgres_url() -> Option<String> {
    match std::env::var("LINLI_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ if std::env::var("LINLI_TEST_SKIP_POSTGRES").is_ok_and(|v| v == "1") => {
            eprintln!("skipped: LINLI_TEST_SKIP_POSTGRES=1");
            None
        }
        _ => panic!(
            "LINLI_TEST_POSTGRES_URL is not set: point it at a PostgreSQL server \
             (scripts/ensure-postgres.sh prints one), or set LINLI_TEST_SKIP_POSTGRES=1 \
             to skip the PostgreSQL half of the storage tests knowingly"
        ),
    }
}

/// Replaces the database name in a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// A fresh, migrated database on `backend`, or `None` when the PostgreSQL
/// half is skipped on purpose (`LINLI_TEST_SKIP_POSTGRES=1`). Call [`TestDb::cleanup`] when done.
pub struct TestDb {
    pub db: Db,
    /// The URL of this database, for a `linli` process under test.
    pub url: String,
    drop_target: DropTarget,
}

enum DropTarget {
    SqliteFile(std::path::PathBuf),
    PgDatabase { admin_url: String, name: String },
}

impl TestDb {
    pub async fn create(backend: Backend) -> Option<TestDb> {
        sqlx::any::install_default_drivers();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("linli-test-{}.db", random_suffix()));
                let url = format!("sqlite://{}", path.display());
                let db = Db::connect(&url).await.expect("open sqlite");
                db.migrate().await.expect("migrate sqlite");
                Some(TestDb {
                    db,
                    url,
                    drop_target: DropTarget::SqliteFile(path),
                })
            }
            Backend::Postgres => {
                let admin_url = postgres_url()?;
                let name = format!("linli_t_{}_{}", now_secs(), random_suffix());
                let mut admin = sqlx::AnyConnection::connect(&admin_url)
                    .await
                    .expect("connect to LINLI_TEST_POSTGRES_URL");
                drop_stale(&mut admin).await;
                admin
                    .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let url = with_database(&admin_url, &name);
                let db = Db::connect(&url).await.expect("open test database");
                db.migrate().await.expect("migrate postgres");
                Some(TestDb {
                    db,
                    url,
                    drop_target: DropTarget::PgDatabase { admin_url, name },
                })
            }
        }
    }

    pub async fn cleanup(self) {
        self.db.close().await;
        match self.drop_target {
            DropTarget::SqliteFile(path) => {
                for ext in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(ext);
                    let _ = std::fs::remove_file(p);
                }
            }
            DropTarget::PgDatabase { admin_url, name } => {
                if let Ok(mut admin) = sqlx::AnyConnection::connect(&admin_url).await {
                    let _ = admin
                        .execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .await;
                    admin.close().await.ok();
                }
            }
        }
    }
}

/// Drops test databases left behind by crashed runs more than two hours ago.
async fn drop_stale(admin: &mut sqlx::AnyConnection) {
    use sqlx::Row;
    let Ok(rows) = sqlx::query("SELECT datname FROM pg_database WHERE datname LIKE 'linli_t_%'")
        .fetch_all(&mut *admin)
        .await
    else {
        return;
    };
    let cutoff = now_secs().saturating_sub(2 * 3600);
    for r in rows {
        let Ok(name) = r.try_get::<String, _>(0) else {
            continue;
        };
        let created = name
            .split('_')
            .nth(2)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(u64::MAX);
        if created < cutoff {
            let _ = admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .await;
        }
    }
}

/// Runs `body` with a fresh database on `backend` and removes it after,
/// whether the body passed or panicked.
pub async fn run<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(t) = TestDb::create(backend).await else {
        return;
    };
    let outcome = tokio::spawn(body(t.db.clone())).await;
    t.cleanup().await;
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test task failed: {e}");
    }
}

/// Makes the audit log writable again, as an attacker with direct database
/// access could, so tests can prove that verification still finds the change.
pub async fn drop_audit_guards(db: &Db) {
    let mut conn = db.conn().await.expect("conn");
    let sql: &'static str = match db.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => {
            "DROP TRIGGER audit_log_no_update ON audit_log; DROP TRIGGER audit_log_no_delete ON audit_log;"
        }
    };
    conn.execute(sql).await.expect("drop audit triggers");
}

/// Runs raw SQL in a test (tampering, inspection).
pub async fn exec(db: &Db, sql: &str) -> u64 {
    let mut conn = db.conn().await.expect("conn");
    conn.execute(sqlx::AssertSqlSafe(sql.to_owned()))
        .await
        .expect("exec")
        .rows_affected()
}

/// The (table, column, nullable) triples of the schema, sorted, to compare
/// the two backends' migrations.
pub async fn schema_columns(db: &Db) -> Vec<(String, String, bool)> {
    use sqlx::Row;
    let mut conn = db.conn().await.expect("conn");
    let sql: &'static str = match db.backend() {
        Backend::Sqlite => {
            "SELECT m.name, p.name, CASE WHEN p.\"notnull\" = 0 AND p.pk = 0 THEN 1 ELSE 0 END
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
        }
        Backend::Postgres => {
            "SELECT table_name::text, column_name::text,
                    CAST(CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS BIGINT)
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'"
        }
    };
    let mut cols: Vec<(String, String, bool)> = sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .expect("schema query")
        .iter()
        .map(|r| {
            (
                r.get::<String, _>(0),
                r.get::<String, _>(1),
                r.get::<i64, _>(2) != 0,
            )
        })
        .collect();
    cols.sort();
    cols
}

/// Runs raw SQL and returns the store error instead of panicking.
pub async fn try_exec(conn: &mut crate::Conn, sql: &'static str) -> Result<(), crate::StoreError> {
    conn.execute(sql).await?;
    Ok(())
}

/// Every value of every row of `table` as text, to prove what is (not)
/// stored in clear.
pub async fn table_text(db: &Db, table: &str) -> String {
    use sqlx::Row;
    let cols: Vec<String> = schema_columns(db)
        .await
        .into_iter()
        .filter(|c| c.0 == table)
        .map(|c| format!("COALESCE(CAST({} AS TEXT), '')", c.1))
        .collect();
    assert!(!cols.is_empty(), "no table {table}");
    let sql = format!("SELECT {} FROM {table}", cols.join(" || '|' || "));
    let mut conn = db.conn().await.expect("conn");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .expect("dump table")
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect::<Vec<_>>()
        .join("\n")
}
