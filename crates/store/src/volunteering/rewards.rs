//! 积分兑换: the community's shelf of goods and the redemptions from it.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A thing on the shelf: (id, name, points, stock).
pub type Item = (i64, String, i64, i64);

pub async fn items(conn: &mut Conn, community: &str) -> Result<Vec<Item>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, points, stock FROM reward_items WHERE community_code = $1 ORDER BY points, id",
    )
    .bind(community)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect()
}

/// An item and its community.
pub async fn item(conn: &mut Conn, id: i64) -> Result<Option<(Item, String)>, StoreError> {
    let r = sqlx::query(
        "SELECT id, name, points, stock, community_code FROM reward_items WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    r.map(|r| {
        Ok((
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?),
            r.try_get(4)?,
        ))
    })
    .transpose()
}

/// Puts goods on the shelf: a new item, or more of one already there (its
/// points set anew).
pub async fn stock_up(
    conn: &mut Conn,
    community: &str,
    name: &str,
    points: i64,
    more: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO reward_items (community_code, name, points, stock) VALUES ($1, $2, $3, $4)
         ON CONFLICT (community_code, name) DO UPDATE
         SET points = excluded.points, stock = reward_items.stock + excluded.stock RETURNING id",
    )
    .bind(community)
    .bind(name)
    .bind(points)
    .bind(more)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// Takes one from stock; false when none is left.
pub async fn take_one(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("UPDATE reward_items SET stock = stock - 1 WHERE id = $1 AND stock >= 1")
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

pub async fn put_back(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE reward_items SET stock = stock + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_redemption(
    conn: &mut Conn,
    item: i64,
    volunteer: i64,
    points: i64,
    transfer: i64,
    now: UnixMs,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO redemptions (item_id, volunteer_id, points, state, transfer_id, requested_at)
         VALUES ($1, $2, $3, 'requested', $4, $5) RETURNING id",
    )
    .bind(item)
    .bind(volunteer)
    .bind(points)
    .bind(transfer)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// A redemption: (id, item id, item name, volunteer id, volunteer name,
/// points, state, transfer id, community, requested at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedemptionRow {
    pub id: i64,
    pub item_id: i64,
    pub item: String,
    pub volunteer_id: i64,
    pub volunteer: String,
    pub points: i64,
    pub state: String,
    pub transfer_id: i64,
    pub community_code: String,
    pub requested_at: i64,
}

const REDEMPTION: &str = "r.id, r.item_id, i.name, r.volunteer_id, v.name, r.points, r.state,
    r.transfer_id, i.community_code, r.requested_at
    FROM redemptions r JOIN reward_items i ON i.id = r.item_id JOIN volunteers v ON v.id = r.volunteer_id";

fn redemption_of(r: &sqlx::any::AnyRow) -> Result<RedemptionRow, StoreError> {
    Ok(RedemptionRow {
        id: r.try_get(0)?,
        item_id: r.try_get(1)?,
        item: r.try_get(2)?,
        volunteer_id: r.try_get(3)?,
        volunteer: r.try_get(4)?,
        points: r.try_get(5)?,
        state: r.try_get(6)?,
        transfer_id: r.try_get(7)?,
        community_code: r.try_get(8)?,
        requested_at: r.try_get(9)?,
    })
}

pub async fn redemption(conn: &mut Conn, id: i64) -> Result<Option<RedemptionRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REDEMPTION} WHERE r.id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(redemption_of)
    .transpose()
}

/// Redemptions of a volunteer, or of a community when `volunteer` is None;
/// newest first, at most 200.
pub async fn redemptions(
    conn: &mut Conn,
    community: &str,
    volunteer: Option<i64>,
) -> Result<Vec<RedemptionRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REDEMPTION} WHERE i.community_code = $1 AND ($2 = 0 OR r.volunteer_id = $2)
         ORDER BY r.id DESC LIMIT 200"
    )))
    .bind(community)
    .bind(volunteer.unwrap_or(0))
    .fetch_all(conn)
    .await?
    .iter()
    .map(redemption_of)
    .collect()
}

/// Settles a requested redemption (handed over or cancelled); false when
/// it was settled before.
pub async fn settle(
    conn: &mut Conn,
    id: i64,
    state: &str,
    by: i64,
    now: UnixMs,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE redemptions SET state = $2, settled_by = $3, settled_at = $4
         WHERE id = $1 AND state = 'requested'",
    )
    .bind(id)
    .bind(state)
    .bind(by)
    .bind(now.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
