//! 防走失二维码 — cards, their scans, and in-app notifications.

use crate::{Conn, StoreError, flag};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A new card (the token only as its hash).
pub struct NewCard<'a> {
    pub resident_id: i64,
    pub community: &'a str,
    pub token_hash: &'a str,
    pub guardian_name: &'a str,
    /// 女儿, 儿子 …: what the public page says instead of the name
    pub guardian_relation: &'a str,
    /// the hash of the digits printed on the card (the human check)
    pub check_hash: &'a str,
    pub guardian_phone_sealed: &'a str,
    pub guardian_phone_masked: &'a str,
    pub guardian_user_id: Option<i64>,
    pub hotline: &'a str,
    pub medical_consent: bool,
    pub issued_by: Option<i64>,
}

/// Revokes every active card of a resident; returns how many.
pub async fn revoke_cards(
    conn: &mut Conn,
    resident_id: i64,
    now: UnixMs,
) -> Result<u64, StoreError> {
    let r = sqlx::query(
        "UPDATE care_cards SET revoked_at = $2 WHERE resident_id = $1 AND revoked_at IS NULL",
    )
    .bind(resident_id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

pub async fn insert_card(conn: &mut Conn, c: &NewCard<'_>, now: UnixMs) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "INSERT INTO care_cards (resident_id, community_code, token_hash, guardian_name,
            guardian_phone_sealed, guardian_phone_masked, guardian_user_id, hotline, medical_consent,
            issued_by, issued_at, guardian_relation, check_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(c.resident_id)
    .bind(c.community)
    .bind(c.token_hash)
    .bind(c.guardian_name)
    .bind(c.guardian_phone_sealed)
    .bind(c.guardian_phone_masked)
    .bind(c.guardian_user_id)
    .bind(c.hotline)
    .bind(flag(c.medical_consent))
    .bind(c.issued_by)
    .bind(now.0)
    .bind(c.guardian_relation)
    .bind(c.check_hash)
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}

/// A card as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub id: i64,
    pub resident_id: i64,
    pub guardian_name: String,
    pub guardian_phone_sealed: String,
    pub guardian_phone_masked: String,
    pub guardian_user_id: Option<i64>,
    pub hotline: String,
    pub medical_consent: bool,
    pub issued_at: UnixMs,
    pub revoked_at: Option<UnixMs>,
    pub guardian_relation: String,
    /// none for cards issued before printed check digits
    pub check_hash: Option<String>,
}

const CARD_COLS: &str =
    "id, resident_id, guardian_name, guardian_phone_sealed, guardian_phone_masked,
    guardian_user_id, hotline, medical_consent, issued_at, revoked_at, guardian_relation, check_hash";

fn card(r: &sqlx::any::AnyRow) -> Result<Card, StoreError> {
    Ok(Card {
        id: r.try_get(0)?,
        resident_id: r.try_get(1)?,
        guardian_name: r.try_get(2)?,
        guardian_phone_sealed: r.try_get(3)?,
        guardian_phone_masked: r.try_get(4)?,
        guardian_user_id: r.try_get(5)?,
        hotline: r.try_get(6)?,
        medical_consent: r.try_get::<i64, _>(7)? != 0,
        issued_at: UnixMs(r.try_get(8)?),
        revoked_at: r.try_get::<Option<i64>, _>(9)?.map(UnixMs),
        guardian_relation: r.try_get(10)?,
        check_hash: r.try_get(11)?,
    })
}

/// Spends a human check's nonce; false when it was spent before.
pub async fn spend_check(
    conn: &mut Conn,
    nonce: &str,
    card_id: i64,
    passed: bool,
    now: UnixMs,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "INSERT INTO care_card_checks (nonce, card_id, at, passed) VALUES ($1, $2, $3, $4)
         ON CONFLICT (nonce) DO NOTHING",
    )
    .bind(nonce)
    .bind(card_id)
    .bind(now.0)
    .bind(flag(passed))
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How many checks were tried on a card since `since`, passed or not.
pub async fn checks_since(conn: &mut Conn, card_id: i64, since: UnixMs) -> Result<i64, StoreError> {
    let r = sqlx::query("SELECT COUNT(*) FROM care_card_checks WHERE card_id = $1 AND at >= $2")
        .bind(card_id)
        .bind(since.0)
        .fetch_one(conn)
        .await?;
    Ok(r.try_get(0)?)
}

/// The card with this token hash, revoked or not.
pub async fn card_by_token_hash(conn: &mut Conn, hash: &str) -> Result<Option<Card>, StoreError> {
    let sql = format!("SELECT {CARD_COLS} FROM care_cards WHERE token_hash = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(hash)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(card).transpose()
}

/// A resident's cards, newest first.
pub async fn cards_of(conn: &mut Conn, resident_id: i64) -> Result<Vec<Card>, StoreError> {
    let sql = format!("SELECT {CARD_COLS} FROM care_cards WHERE resident_id = $1 ORDER BY id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(resident_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(card).collect()
}

pub async fn insert_scan(
    conn: &mut Conn,
    card_id: i64,
    revealed: bool,
    at: Option<(f64, f64)>,
    now: UnixMs,
) -> Result<(), StoreError> {
    // two statements, not one with optional binds: sqlx's Any driver
    // prepares a NULL float with a type PostgreSQL then refuses a value for
    match at {
        Some((lng, lat)) => {
            sqlx::query(
                "INSERT INTO care_card_scans (card_id, at, revealed, lng, lat) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(card_id)
            .bind(now.0)
            .bind(flag(revealed))
            .bind(lng)
            .bind(lat)
            .execute(conn)
            .await?
        }
        None => {
            sqlx::query("INSERT INTO care_card_scans (card_id, at, revealed) VALUES ($1, $2, $3)")
                .bind(card_id)
                .bind(now.0)
                .bind(flag(revealed))
                .execute(conn)
                .await?
        }
    };
    Ok(())
}

/// A scan: when, whether the guardian's phone was shown, where (coarse).
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub at: UnixMs,
    pub revealed: bool,
    pub lng_lat: Option<(f64, f64)>,
}

pub async fn scans_of(
    conn: &mut Conn,
    resident_id: i64,
    limit: i64,
) -> Result<Vec<Scan>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.at, s.revealed, s.lng, s.lat FROM care_card_scans s JOIN care_cards c ON c.id = s.card_id
         WHERE c.resident_id = $1 ORDER BY s.id DESC LIMIT $2",
    )
    .bind(resident_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let lng: Option<f64> = r.try_get(2)?;
            let lat: Option<f64> = r.try_get(3)?;
            Ok(Scan {
                at: UnixMs(r.try_get(0)?),
                revealed: r.try_get::<i64, _>(1)? != 0,
                lng_lat: lng.zip(lat),
            })
        })
        .collect()
}

/// The grid workers whose grants reach `scope` (a grid or community code).
pub async fn grid_workers_over(conn: &mut Conn, scope: &str) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
         WHERE g.role = 'grid_worker' AND u.disabled = 0 AND $1 LIKE g.scope_code || '%'",
    )
    .bind(scope)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Holds the card's row until the transaction ends, on PostgreSQL, so its
/// checks are counted one at a time (SQLite's write transactions already
/// take turns).
pub async fn lock_card(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT id FROM care_cards WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}
