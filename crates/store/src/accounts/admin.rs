//! What account administration reads and changes beyond `users`.

use super::users::{UserRecord, grant_of, user_record};
use crate::{Conn, StoreError};
use linli_domain::access::Grant;
use sqlx::Row;

/// An account in an administrator's list.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRow {
    pub user: UserRecord,
    pub grants: Vec<Grant>,
    /// failed passwords since the last good login
    pub failed_logins: i64,
}

/// Accounts with a grant under one of `prefixes` ("" is everywhere), by
/// user name, at most `limit` (their grants are all read).
pub async fn accounts_in(
    conn: &mut Conn,
    prefixes: &[String],
    limit: i64,
) -> Result<Vec<AccountRow>, StoreError> {
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let mut likes = Vec::new();
    for i in 0..prefixes.len() {
        likes.push(format!("x.scope_code LIKE ${}", i + 2));
    }
    let sql = format!(
        "SELECT u.id, u.username, u.display_name, u.disabled, u.must_change_password,
                u.last_login_at, u.failed_logins, g.role, g.scope_code
         FROM users u LEFT JOIN role_grants g ON g.user_id = u.id
         WHERE u.id IN (SELECT DISTINCT x.user_id FROM role_grants x WHERE {} ORDER BY x.user_id LIMIT $1)
         ORDER BY u.username, g.role, g.scope_code",
        likes.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit);
    for p in prefixes {
        q = q.bind(format!("{p}%"));
    }
    let rows = q.fetch_all(conn).await?;
    let mut out: Vec<AccountRow> = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        if out.last().is_none_or(|a| a.user.id != id) {
            out.push(AccountRow {
                user: user_record(r)?,
                grants: Vec::new(),
                failed_logins: r.try_get(6)?,
            });
        }
        if let (Some(role), Some(scope), Some(last)) = (
            r.try_get::<Option<String>, _>(7)?,
            r.try_get::<Option<String>, _>(8)?,
            out.last_mut(),
        ) {
            last.grants.push(grant_of(&role, &scope)?);
        }
    }
    Ok(out)
}

/// Takes one grant away; whether it was held.
pub async fn revoke(conn: &mut Conn, user_id: i64, g: &Grant) -> Result<bool, StoreError> {
    let r =
        sqlx::query("DELETE FROM role_grants WHERE user_id = $1 AND role = $2 AND scope_code = $3")
            .bind(user_id)
            .bind(g.role.as_str())
            .bind(g.scope.as_str())
            .execute(conn)
            .await?;
    Ok(r.rows_affected() == 1)
}
