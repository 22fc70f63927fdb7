//! 党组织与岗位 — party organisations and posts of a community.

use crate::{Conn, StoreError};
use linli_domain::access::RegionCode;
use linli_domain::territory::party::{NodeKind, OrgKind, PostKind};
use linli_domain::time::UnixMs;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    pub name: String,
    pub node_kind: NodeKind,
    pub node_id: Option<i64>,
}

fn parse<T: std::str::FromStr>(r: &AnyRow, i: usize, what: &str) -> Result<T, StoreError> {
    let s: String = r.try_get(i)?;
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what}: {s}")))
}

pub struct NewOrg<'a> {
    pub community: &'a RegionCode,
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    pub name: &'a str,
    pub node_kind: NodeKind,
    pub node_id: Option<i64>,
    pub now: UnixMs,
}

pub async fn insert_org(conn: &mut Conn, o: NewOrg<'_>) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "INSERT INTO party_orgs (community_code, parent_id, kind, name, node_kind, node_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(o.community.as_str())
    .bind(o.parent_id)
    .bind(o.kind.as_str())
    .bind(o.name)
    .bind(o.node_kind.as_str())
    .bind(o.node_id)
    .bind(o.now.0)
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}

pub async fn orgs_of(conn: &mut Conn, community: &RegionCode) -> Result<Vec<Org>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, parent_id, kind, name, node_kind, node_id FROM party_orgs
         WHERE community_code = $1 ORDER BY id",
    )
    .bind(community.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Org {
                id: r.try_get(0)?,
                parent_id: r.try_get(1)?,
                kind: parse(r, 2, "party org kind")?,
                name: r.try_get(3)?,
                node_kind: parse(r, 4, "party org node")?,
                node_id: r.try_get(5)?,
            })
        })
        .collect()
}

pub async fn org_kind(
    conn: &mut Conn,
    id: i64,
    community: &RegionCode,
) -> Result<Option<OrgKind>, StoreError> {
    let row = sqlx::query("SELECT kind FROM party_orgs WHERE id = $1 AND community_code = $2")
        .bind(id)
        .bind(community.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref()
        .map(|r| parse(r, 0, "party org kind"))
        .transpose()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: i64,
    pub post: PostKind,
    pub node_kind: NodeKind,
    pub node_id: Option<i64>,
    pub person_name: String,
    pub user_id: Option<i64>,
    /// 兼职委员's own unit
    pub unit_name: Option<String>,
    pub start_date: String,
    pub end_date: Option<String>,
}

pub struct NewPost<'a> {
    pub community: &'a RegionCode,
    pub post: PostKind,
    pub node_id: Option<i64>,
    pub person_name: &'a str,
    pub user_id: Option<i64>,
    pub unit_name: Option<&'a str>,
    pub start_date: &'a str,
    pub end_date: Option<&'a str>,
    pub now: UnixMs,
}

pub async fn insert_post(conn: &mut Conn, p: NewPost<'_>) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "INSERT INTO posts (community_code, post, node_kind, node_id, person_name, user_id,
                            unit_name, start_date, end_date, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(p.community.as_str())
    .bind(p.post.as_str())
    .bind(p.post.node().as_str())
    .bind(p.node_id)
    .bind(p.person_name)
    .bind(p.user_id)
    .bind(p.unit_name)
    .bind(p.start_date)
    .bind(p.end_date)
    .bind(p.now.0)
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}

pub async fn posts_of(conn: &mut Conn, community: &RegionCode) -> Result<Vec<Post>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, post, node_kind, node_id, person_name, user_id, unit_name, start_date, end_date
         FROM posts WHERE community_code = $1 ORDER BY node_kind, node_id, post, id",
    )
    .bind(community.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Post {
                id: r.try_get(0)?,
                post: parse(r, 1, "post")?,
                node_kind: parse(r, 2, "post node")?,
                node_id: r.try_get(3)?,
                person_name: r.try_get(4)?,
                user_id: r.try_get(5)?,
                unit_name: r.try_get(6)?,
                start_date: r.try_get(7)?,
                end_date: r.try_get(8)?,
            })
        })
        .collect()
}
