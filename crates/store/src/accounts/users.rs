//! 用户 — accounts and their role grants.

use crate::{Conn, StoreError, flag};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::accounts::LockState;
use linli_domain::time::UnixMs;
use sqlx::Row;

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub now: UnixMs,
}

/// What login needs to know about an account.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub id: i64,
    pub password_hash: String,
    pub disabled: bool,
    pub lock: LockState,
}

/// An account as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    pub must_change_password: bool,
    pub last_login_at: Option<UnixMs>,
}

pub async fn insert(conn: &mut Conn, u: NewUser<'_>) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, must_change_password,
                            password_changed_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.password_hash)
    .bind(flag(u.must_change_password))
    .bind(u.now.0)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Grants `role` on `scope`; granting what is already held changes nothing.
pub async fn grant(
    conn: &mut Conn,
    user_id: i64,
    g: &Grant,
    granted_by: Option<i64>,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO role_grants (user_id, role, scope_code, granted_by, granted_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, role, scope_code) DO NOTHING",
    )
    .bind(user_id)
    .bind(g.role.as_str())
    .bind(g.scope.as_str())
    .bind(granted_by)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn grants(conn: &mut Conn, user_id: i64) -> Result<Vec<Grant>, StoreError> {
    let rows = sqlx::query(
        "SELECT role, scope_code FROM role_grants WHERE user_id = $1 ORDER BY role, scope_code",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| grant_of(&r.try_get::<String, _>(0)?, &r.try_get::<String, _>(1)?))
        .collect()
}

/// A grant as stored (role name, scope code).
pub(crate) fn grant_of(role: &str, scope: &str) -> Result<Grant, StoreError> {
    let bad = |e: linli_domain::access::AccessError| StoreError::Corrupt(e.to_string());
    Ok(Grant {
        role: role.parse::<Role>().map_err(bad)?,
        scope: scope.parse::<RegionCode>().map_err(bad)?,
    })
}

/// `id, username, display_name, disabled, must_change_password,
/// last_login_at` from the row's first six columns.
pub(crate) fn user_record(r: &sqlx::any::AnyRow) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        display_name: r.try_get(2)?,
        disabled: r.try_get::<i64, _>(3)? != 0,
        must_change_password: r.try_get::<i64, _>(4)? != 0,
        last_login_at: r.try_get::<Option<i64>, _>(5)?.map(UnixMs),
    })
}

pub async fn find_for_login(
    conn: &mut Conn,
    username: &str,
) -> Result<Option<LoginRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, password_hash, disabled, failed_logins, locked_until
         FROM users WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(LoginRecord {
            id: r.try_get(0)?,
            password_hash: r.try_get(1)?,
            disabled: r.try_get::<i64, _>(2)? != 0,
            lock: LockState {
                failed_logins: u32::try_from(r.try_get::<i64, _>(3)?).unwrap_or(u32::MAX),
                lockouts: 0,
                locked_until: r.try_get::<Option<i64>, _>(4)?.map(UnixMs),
            },
        })
    })
    .transpose()
}

pub async fn password_hash(conn: &mut Conn, id: i64) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub async fn find(conn: &mut Conn, id: i64) -> Result<Option<UserRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, username, display_name, disabled, must_change_password, last_login_at
         FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(user_record).transpose()
}

/// A user and their grants in one statement (every authenticated request
/// asks for both).
pub async fn find_with_grants(
    conn: &mut Conn,
    id: i64,
) -> Result<Option<(UserRecord, Vec<Grant>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.username, u.display_name, u.disabled, u.must_change_password,
            u.last_login_at, g.role, g.scope_code
         FROM users u LEFT JOIN role_grants g ON g.user_id = u.id
         WHERE u.id = $1 ORDER BY g.role, g.scope_code",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let user = user_record(first)?;
    let mut grants = Vec::with_capacity(rows.len());
    for r in &rows {
        // a user without grants has one row with NULLs from the LEFT JOIN
        if let (Some(role), Some(scope)) = (
            r.try_get::<Option<String>, _>(6)?,
            r.try_get::<Option<String>, _>(7)?,
        ) {
            grants.push(grant_of(&role, &scope)?);
        }
    }
    Ok(Some((user, grants)))
}

pub async fn id_by_username(conn: &mut Conn, username: &str) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub async fn set_lock_state(conn: &mut Conn, id: i64, s: LockState) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1")
        .bind(id)
        .bind(i64::from(s.failed_logins))
        .bind(s.locked_until.map(|t| t.0))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn record_login(conn: &mut Conn, id: i64, now: UnixMs) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_password(
    conn: &mut Conn,
    id: i64,
    password_hash: &str,
    must_change: bool,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = $4
         WHERE id = $1",
    )
    .bind(id)
    .bind(password_hash)
    .bind(flag(must_change))
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_disabled(conn: &mut Conn, id: i64, disabled: bool) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1")
        .bind(id)
        .bind(flag(disabled))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn count(conn: &mut Conn) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// The enabled users holding `role` somewhere: (id, display name, the
/// grant's scope code), for the caller to match scopes by its own rule.
pub async fn holders_of(
    conn: &mut Conn,
    role: &str,
) -> Result<Vec<(i64, String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, g.scope_code FROM role_grants g
         JOIN users u ON u.id = g.user_id
         WHERE g.role = $1 AND u.disabled = 0 ORDER BY u.display_name, u.id",
    )
    .bind(role)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Holds the account's row until the transaction ends, on PostgreSQL
/// (`FOR UPDATE`), so per-account limits counted and written in one
/// transaction take turns; SQLite's write transactions already do.
pub async fn lock(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

/// Whether the account reads the site in 长辈版.
pub async fn elder_mode(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    let r = sqlx::query("SELECT elder_mode FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(match r {
        Some(r) => r.try_get::<i64, _>(0)? != 0,
        None => false,
    })
}

/// Whether the account has been offered 长辈版 (or chose either way).
pub async fn elder_offered(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    let r = sqlx::query("SELECT elder_offered FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(match r {
        Some(r) => r.try_get::<i64, _>(0)? != 0,
        None => true,
    })
}

/// Records that the account has answered the 长辈版 offer.
pub async fn set_elder_offered(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET elder_offered = 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Turns 长辈版 on or off for the account (an answer to the offer too).
pub async fn set_elder_mode(conn: &mut Conn, id: i64, on: bool) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET elder_mode = $2, elder_offered = 1 WHERE id = $1")
        .bind(id)
        .bind(flag(on))
        .execute(conn)
        .await?;
    Ok(())
}

/// The display names of the accounts with these user names (those that
/// exist), for showing people by name rather than login.
pub async fn display_names(
    conn: &mut Conn,
    usernames: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::new();
    for name in usernames {
        let r = sqlx::query("SELECT display_name FROM users WHERE username = $1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(r) = r {
            out.push((name.clone(), r.try_get(0)?));
        }
    }
    Ok(out)
}
