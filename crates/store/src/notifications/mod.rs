//! In-app notifications (站内消息): the inbox with its unread count, marking
//! read, and the feed the outbound webhook delivers from (a cursor per
//! channel, so a restart neither loses nor repeats a delivery it confirmed).

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;
use sqlx::any::AnyRow;

/// An in-app notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: UnixMs,
    pub read: bool,
}

pub async fn notify(
    conn: &mut Conn,
    user_id: i64,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user_id)
    .bind(kind)
    .bind(title)
    .bind(body)
    .bind(link)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// A user's notifications, newest first, and how many are unread.
pub async fn notifications_of(
    conn: &mut Conn,
    user_id: i64,
    limit: i64,
) -> Result<(Vec<Notification>, i64), StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, title, body, link, created_at, read_at FROM notifications
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let list = rows
        .iter()
        .map(row)
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((list, unread(conn, user_id).await?))
}

/// One of a user's notifications (another user's id finds nothing).
pub async fn by_id(
    conn: &mut Conn,
    user_id: i64,
    id: i64,
) -> Result<Option<Notification>, StoreError> {
    let r = sqlx::query(
        "SELECT id, kind, title, body, link, created_at, read_at FROM notifications
         WHERE user_id = $1 AND id = $2",
    )
    .bind(user_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    r.as_ref().map(row).transpose()
}

fn row(r: &AnyRow) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        title: r.try_get(2)?,
        body: r.try_get(3)?,
        link: r.try_get(4)?,
        created_at: UnixMs(r.try_get(5)?),
        read: r.try_get::<Option<i64>, _>(6)?.is_some(),
    })
}

/// How many of a user's notifications are unread.
pub async fn unread(conn: &mut Conn, user_id: i64) -> Result<i64, StoreError> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}

/// The unread count and the newest id (0 when none) in one statement:
/// what the live stream compares after each ring.
pub async fn inbox_state(conn: &mut Conn, user_id: i64) -> Result<(i64, i64), StoreError> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT),
            COALESCE(MAX(id), 0)
         FROM notifications WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

/// Marks one (`Some(id)`) or every unread notification of `user_id` read;
/// returns how many changed. Another user's id changes nothing.
pub async fn mark_read(
    conn: &mut Conn,
    user_id: i64,
    id: Option<i64>,
    now: UnixMs,
) -> Result<u64, StoreError> {
    let done = match id {
        Some(id) => {
            sqlx::query(
                "UPDATE notifications SET read_at = $1
                 WHERE user_id = $2 AND id = $3 AND read_at IS NULL",
            )
            .bind(now.0)
            .bind(user_id)
            .bind(id)
            .execute(conn)
            .await?
        }
        None => {
            sqlx::query(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
            )
            .bind(now.0)
            .bind(user_id)
            .execute(conn)
            .await?
        }
    };
    Ok(done.rows_affected())
}

/// The notifications about one thing (a case, a notice, an account), as
/// the inbox shows them: the newest, how many there are, how many unread.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationGroup {
    pub newest: Notification,
    pub count: i64,
    pub unread: i64,
}

/// A user's notifications grouped by kind and link, newest group first.
pub async fn groups_of(
    conn: &mut Conn,
    user_id: i64,
    limit: i64,
) -> Result<Vec<NotificationGroup>, StoreError> {
    let rows = sqlx::query(
        "SELECT n.id, n.kind, n.title, n.body, n.link, n.created_at, n.read_at, g.total, g.unread
         FROM notifications n JOIN (
             SELECT MAX(id) AS newest, CAST(COUNT(*) AS BIGINT) AS total,
                    CAST(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS unread
             FROM notifications WHERE user_id = $1 GROUP BY kind, COALESCE(link, '')
         ) g ON g.newest = n.id
         ORDER BY n.id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NotificationGroup {
                newest: row(r)?,
                count: r.try_get(7)?,
                unread: r.try_get(8)?,
            })
        })
        .collect()
}

/// Marks read every notification of `user_id` about the same thing as
/// notification `id` (its kind and link); returns how many changed.
pub async fn mark_group_read(
    conn: &mut Conn,
    user_id: i64,
    id: i64,
    now: UnixMs,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE notifications SET read_at = $1
         WHERE user_id = $2 AND read_at IS NULL AND id IN (
             SELECT n2.id FROM notifications n2
             JOIN notifications n1 ON n1.id = $3 AND n1.user_id = $2
             WHERE n2.user_id = $2 AND n2.kind = n1.kind
               AND COALESCE(n2.link, '') = COALESCE(n1.link, ''))",
    )
    .bind(now.0)
    .bind(user_id)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected())
}

/// A notification as the webhook delivers it: with its recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub user_id: i64,
    pub username: String,
    pub item: Notification,
}

/// Notifications after `after_id`, oldest first, at most `limit`.
pub async fn after(
    conn: &mut Conn,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Outgoing>, StoreError> {
    let rows = sqlx::query(
        "SELECT n.id, n.kind, n.title, n.body, n.link, n.created_at, n.read_at, n.user_id,
            u.username
         FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE n.id > $1 ORDER BY n.id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Outgoing {
                user_id: r.try_get(7)?,
                username: r.try_get(8)?,
                item: row(r)?,
            })
        })
        .collect()
}

/// The last id a channel confirmed; a new channel starts at the newest
/// notification (it delivers what comes after it was set up).
pub async fn cursor(conn: &mut Conn, name: &str) -> Result<i64, StoreError> {
    let r = sqlx::query("SELECT last_id FROM outbound_cursors WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = r {
        return Ok(r.try_get(0)?);
    }
    let start = sqlx::query("SELECT MAX(id) FROM notifications")
        .fetch_one(&mut *conn)
        .await?
        .try_get::<Option<i64>, _>(0)?
        .unwrap_or(0);
    set_cursor(conn, name, start).await?;
    Ok(start)
}

pub async fn set_cursor(conn: &mut Conn, name: &str, last_id: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbound_cursors (name, last_id) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id",
    )
    .bind(name)
    .bind(last_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks every notification older than `before` read at its own time (the
/// demo's year of history: a person has read what is weeks old).
pub async fn mark_older_read(conn: &mut Conn, before: UnixMs) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = created_at WHERE read_at IS NULL AND created_at < $1",
    )
    .bind(before.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
