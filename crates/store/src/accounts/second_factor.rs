//! Two-factor login: an account's TOTP secret (sealed by the caller), the
//! step last accepted, recovery codes (hashed by the caller) and sessions
//! waiting for the second factor.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// (sealed secret when enabled, sealed secret being enrolled, last step).
pub async fn state(
    conn: &mut Conn,
    user_id: i64,
) -> Result<(Option<String>, Option<String>, i64), StoreError> {
    let r =
        sqlx::query("SELECT totp_sealed, totp_pending, totp_last_step FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?;
    match r {
        Some(r) => Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)),
        None => Ok((None, None, 0)),
    }
}

/// Starts an enrolment: the new secret waits for its first code.
pub async fn set_pending(conn: &mut Conn, user_id: i64, sealed: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET totp_pending = $2 WHERE id = $1")
        .bind(user_id)
        .bind(sealed)
        .execute(conn)
        .await?;
    Ok(())
}

/// Confirms the pending secret (its first code was right at `step`) and
/// replaces the recovery codes with `code_hashes`.
pub async fn enable(
    conn: &mut Conn,
    user_id: i64,
    step: i64,
    code_hashes: &[String],
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE users SET totp_sealed = totp_pending, totp_pending = NULL, totp_last_step = $2
         WHERE id = $1 AND totp_pending IS NOT NULL",
    )
    .bind(user_id)
    .bind(step)
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for h in code_hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(h)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// Turns the second factor off (an administrator's reset) and forgets the
/// recovery codes.
pub async fn disable(conn: &mut Conn, user_id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET totp_sealed = NULL, totp_pending = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that the code of `step` was taken; false when that step (or a
/// later one) was taken before — a code is good once.
pub async fn take_step(conn: &mut Conn, user_id: i64, step: i64) -> Result<bool, StoreError> {
    let r =
        sqlx::query("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2")
            .bind(user_id)
            .bind(step)
            .execute(conn)
            .await?;
    Ok(r.rows_affected() == 1)
}

/// Spends the recovery code with this hash; false when there is none unused.
pub async fn spend_recovery(
    conn: &mut Conn,
    user_id: i64,
    code_hash: &str,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE recovery_codes SET used_at = $3
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(code_hash)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() >= 1)
}

/// How many unused recovery codes the account has.
pub async fn recovery_left(conn: &mut Conn, user_id: i64) -> Result<i64, StoreError> {
    let r =
        sqlx::query("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(conn)
            .await?;
    Ok(r.try_get(0)?)
}

/// Whether a session still waits for its second factor.
pub async fn session_pending(conn: &mut Conn, id_hash: &str) -> Result<bool, StoreError> {
    let r = sqlx::query("SELECT pending_second FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .fetch_optional(conn)
        .await?;
    Ok(match r {
        Some(r) => r.try_get::<i64, _>(0)? != 0,
        None => false,
    })
}

/// Marks a session as waiting for (true) or past (false) the second factor.
pub async fn set_session_pending(
    conn: &mut Conn,
    id_hash: &str,
    pending: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET pending_second = $2 WHERE id_hash = $1")
        .bind(id_hash)
        .bind(i64::from(pending))
        .execute(conn)
        .await?;
    Ok(())
}
