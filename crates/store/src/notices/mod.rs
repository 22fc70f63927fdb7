//! 通知公告: notices, the accounts each went to, and who has read them.
//! Publishing fans out in two statements (recipients, then their inbox
//! notifications), however many residents a community has.

use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A notice being published.
pub struct NewNotice<'a> {
    pub community: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// `all`, `grid` or `tag`
    pub audience: &'a str,
    /// the grid's code or the tag's id
    pub audience_ref: Option<&'a str>,
    pub audience_label: &'a str,
    pub author_id: Option<i64>,
    pub author_name: &'a str,
    pub now: UnixMs,
}

/// A notice as stored, with its read count.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: i64,
    pub community: String,
    pub title: String,
    pub body: String,
    pub audience: String,
    pub audience_ref: Option<String>,
    pub audience_label: String,
    pub author_name: String,
    pub recipients: i64,
    pub read: i64,
    pub published_at: UnixMs,
    pub withdrawn_at: Option<UnixMs>,
}

const COLUMNS: &str =
    "n.id, n.community_code, n.title, n.body, n.audience, n.audience_ref, n.audience_label,
     n.author_name, n.recipients,
     (SELECT COUNT(*) FROM notice_recipients x WHERE x.notice_id = n.id AND x.read_at IS NOT NULL),
     n.published_at, n.withdrawn_at";

fn notice(r: &AnyRow) -> Result<Notice, StoreError> {
    Ok(Notice {
        id: r.try_get(0)?,
        community: r.try_get(1)?,
        title: r.try_get(2)?,
        body: r.try_get(3)?,
        audience: r.try_get(4)?,
        audience_ref: r.try_get(5)?,
        audience_label: r.try_get(6)?,
        author_name: r.try_get(7)?,
        recipients: r.try_get(8)?,
        read: r.try_get(9)?,
        published_at: UnixMs(r.try_get(10)?),
        withdrawn_at: r.try_get::<Option<i64>, _>(11)?.map(UnixMs),
    })
}

/// Stores a notice and sends it: every enabled resident account of the
/// community in the audience becomes a recipient and gets an inbox
/// notification linking to it. Returns the notice's id and how many it
/// went to.
pub async fn publish(conn: &mut Conn, n: &NewNotice<'_>) -> Result<(i64, i64), StoreError> {
    let id: i64 = sqlx::query(
        "INSERT INTO notices (community_code, title, body, audience, audience_ref, audience_label,
                              author_id, author_name, recipients, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9) RETURNING id",
    )
    .bind(n.community)
    .bind(n.title)
    .bind(n.body)
    .bind(n.audience)
    .bind(n.audience_ref)
    .bind(n.audience_label)
    .bind(n.author_id)
    .bind(n.author_name)
    .bind(n.now.0)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    // residents of the community, narrowed to those whose own registry
    // record (the account's binding) lives in the grid or has the tag
    let narrowed = match n.audience {
        "grid" => {
            "AND u.id IN (SELECT ra.user_id FROM resident_accounts ra
                 JOIN residents r ON r.id = ra.resident_id AND r.moved_out IS NULL
                 JOIN buildings b ON b.id = r.building_id
                 JOIN grids gr ON gr.id = b.grid_id
                 WHERE gr.code = $3 OR gr.code LIKE $3 || '%')"
        }
        "tag" => {
            "AND u.id IN (SELECT ra.user_id FROM resident_accounts ra
                 JOIN residents r ON r.id = ra.resident_id AND r.moved_out IS NULL
                 JOIN resident_tags rt ON rt.resident_id = r.id
                 WHERE CAST(rt.tag_id AS TEXT) = $3)"
        }
        _ => "AND $3 IS NULL",
    };
    let sent = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO notice_recipients (notice_id, user_id)
         SELECT DISTINCT $1, u.id FROM users u JOIN role_grants g ON g.user_id = u.id
         WHERE g.role = 'resident' AND g.scope_code LIKE $2 || '%' AND u.disabled = 0 {narrowed}"
    )))
    .bind(id)
    .bind(n.community)
    .bind(n.audience_ref)
    .execute(&mut *conn)
    .await?
    .rows_affected() as i64;
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, title, body, link, created_at)
         SELECT user_id, 'notice', $2, $3, $4, $5 FROM notice_recipients WHERE notice_id = $1",
    )
    .bind(id)
    .bind(format!("社区通知:{}", n.title))
    .bind(n.body.chars().take(60).collect::<String>())
    .bind(format!("/notices/{id}"))
    .bind(n.now.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE notices SET recipients = $2 WHERE id = $1")
        .bind(id)
        .bind(sent)
        .execute(&mut *conn)
        .await?;
    Ok((id, sent))
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<Notice>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM notices n WHERE n.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(notice).transpose()
}

/// Whether `user_id` was sent the notice, and whether they have read it.
pub async fn receipt(conn: &mut Conn, id: i64, user_id: i64) -> Result<Option<bool>, StoreError> {
    let row =
        sqlx::query("SELECT read_at FROM notice_recipients WHERE notice_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(conn)
            .await?;
    Ok(match row {
        Some(r) => Some(r.try_get::<Option<i64>, _>(0)?.is_some()),
        None => None,
    })
}

/// Marks the notice read by `user_id` (the first time counts), and the
/// inbox notification that announced it.
pub async fn mark_read(
    conn: &mut Conn,
    id: i64,
    user_id: i64,
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE notice_recipients SET read_at = $3
         WHERE notice_id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE notifications SET read_at = $3
         WHERE user_id = $2 AND kind = 'notice' AND link = $1 AND read_at IS NULL",
    )
    .bind(format!("/notices/{id}"))
    .bind(user_id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// The notices sent to `user_id` and not withdrawn, newest first, each
/// with whether they have read it.
pub async fn of_recipient(
    conn: &mut Conn,
    user_id: i64,
    limit: i64,
) -> Result<Vec<(Notice, bool)>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, r.read_at FROM notices n
         JOIN notice_recipients r ON r.notice_id = n.id AND r.user_id = $1
         WHERE n.withdrawn_at IS NULL ORDER BY n.id DESC LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((notice(r)?, r.try_get::<Option<i64>, _>(12)?.is_some())))
        .collect()
}

/// The notices of communities under any of `prefixes`, newest first.
pub async fn in_scope(
    conn: &mut Conn,
    prefixes: &[String],
    limit: i64,
) -> Result<Vec<Notice>, StoreError> {
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let conds: Vec<String> = (0..prefixes.len())
        .map(|i| format!("n.community_code LIKE ${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM notices n WHERE {} ORDER BY n.id DESC LIMIT $1",
        conds.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit);
    for p in prefixes {
        q = q.bind(format!("{}%", p.get(..12).unwrap_or(p)));
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(notice).collect()
}

/// Withdraws a notice: residents no longer see it, nor its title and
/// first lines in their inboxes; the notice's record and reads stay.
pub async fn withdraw(conn: &mut Conn, id: i64, now: UnixMs) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE notices SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL")
            .bind(id)
            .bind(now.0)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            == 1;
    if done {
        sqlx::query("DELETE FROM notifications WHERE kind = 'notice' AND link = $1")
            .bind(format!("/notices/{id}"))
            .execute(conn)
            .await?;
    }
    Ok(done)
}

/// A picture of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeImage {
    pub id: i64,
    pub object_key: String,
    pub width: i64,
    pub height: i64,
}

pub async fn insert_image(
    conn: &mut Conn,
    notice_id: i64,
    (object_key, bytes, width, height): (&str, i64, i64, i64),
    now: UnixMs,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notice_images (notice_id, object_key, bytes, width, height, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(notice_id)
    .bind(object_key)
    .bind(bytes)
    .bind(width)
    .bind(height)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// A notice's pictures in the order they were given.
pub async fn images_of(conn: &mut Conn, notice_id: i64) -> Result<Vec<NoticeImage>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, object_key, width, height FROM notice_images WHERE notice_id = $1 ORDER BY id",
    )
    .bind(notice_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NoticeImage {
                id: r.try_get(0)?,
                object_key: r.try_get(1)?,
                width: r.try_get(2)?,
                height: r.try_get(3)?,
            })
        })
        .collect()
}
