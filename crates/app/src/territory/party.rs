//! 四级党组织网络 — organisations and posts bound to territory nodes.

use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, allowed, reaches};
use linli_domain::territory::party::{NodeKind, OrgKind, PostKind, check_dates};
use linli_domain::territory::places::clean_name;
use linli_store::territory::party::{self as store, NewOrg, NewPost};
pub use linli_store::territory::party::{Org, Post};
use linli_store::{Conn, audit, territory::places};

fn invalid(e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(e.to_string())
}

/// The scope code of a node of `community`, or an error when the node is
/// not there. `None` as id names the community itself.
async fn node_scope(
    conn: &mut Conn,
    community: &RegionCode,
    kind: NodeKind,
    id: Option<i64>,
) -> Result<RegionCode, AppError> {
    let missing = || AppError::Invalid(format!("该社区没有这个{}", kind.label_zh()));
    let scope = match (kind, id) {
        (NodeKind::Community, None) => Some(community.clone()),
        (NodeKind::Grid, Some(id)) => places::grid_by_id(conn, id).await?.map(|g| g.code),
        (NodeKind::Estate, Some(id)) => places::estates_of(conn, community)
            .await?
            .iter()
            .any(|e| e.id == id)
            .then(|| community.clone()),
        (NodeKind::Building, Some(id)) => places::building_by_id(conn, id).await?.map(|b| b.scope),
        (NodeKind::Unit, Some(id)) => unit_scope(conn, id).await?,
        (NodeKind::Dwelling, Some(id)) => match places::building_of_dwelling(conn, id).await? {
            Some(b) => places::building_by_id(conn, b).await?.map(|b| b.scope),
            None => None,
        },
        _ => None,
    };
    scope.filter(|s| community.covers(s)).ok_or_else(missing)
}

async fn unit_scope(conn: &mut Conn, unit_id: i64) -> Result<Option<RegionCode>, AppError> {
    Ok(match places::building_of_unit(conn, unit_id).await? {
        Some(b) => places::building_by_id(conn, b).await?.map(|b| b.scope),
        None => None,
    })
}

/// A new organisation.
#[derive(Debug, Clone)]
pub struct OrgInput<'a> {
    pub kind: OrgKind,
    pub name: &'a str,
    pub node_kind: NodeKind,
    pub node_id: Option<i64>,
    pub parent_id: Option<i64>,
}

/// A new post.
#[derive(Debug, Clone)]
pub struct PostInput<'a> {
    pub post: PostKind,
    pub node_id: Option<i64>,
    pub person_name: &'a str,
    pub user_id: Option<i64>,
    pub unit_name: Option<&'a str>,
    pub start_date: &'a str,
    pub end_date: Option<&'a str>,
}

impl App {
    /// A community's party organisations and posts.
    pub async fn party_network(
        &self,
        who: &Principal,
        community: &RegionCode,
    ) -> Result<(Vec<Org>, Vec<Post>), AppError> {
        if !reaches(&who.grants, Permission::ViewPlaces, community) {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.db.conn().await?;
        crate::territory::places::community_region(&mut conn, community).await?;
        Ok((
            store::orgs_of(&mut conn, community).await?,
            store::posts_of(&mut conn, community).await?,
        ))
    }

    /// Sets up an organisation on a node, under its parent organisation.
    pub async fn add_org(
        &self,
        who: &Principal,
        community: &RegionCode,
        o: OrgInput<'_>,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let name = clean_name(o.name, 60).map_err(invalid)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        crate::territory::places::community_region(&mut tx, community).await?;
        let scope = node_scope(&mut tx, community, o.node_kind, o.node_id).await?;
        if !allowed(&who.grants, Permission::ManageGrids, &scope) {
            return Err(AppError::Forbidden);
        }
        let parent = match o.parent_id {
            Some(p) => Some(
                store::org_kind(&mut tx, p, community)
                    .await?
                    .ok_or_else(|| invalid("上级党组织不存在"))?,
            ),
            None => None,
        };
        o.kind.check(o.node_kind, parent).map_err(invalid)?;
        let id = store::insert_org(
            &mut tx,
            NewOrg {
                community,
                parent_id: o.parent_id,
                kind: o.kind,
                name: &name,
                node_kind: o.node_kind,
                node_id: o.node_id,
                now,
            },
        )
        .await?;
        let detail = format!("{} {name}", o.kind.as_str());
        audit::append(
            &mut tx,
            event(actor, "party.org.create", format!("org:{id}"), detail),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Assigns a person to a post on a node.
    pub async fn add_post(
        &self,
        who: &Principal,
        community: &RegionCode,
        p: PostInput<'_>,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let name = clean_name(p.person_name, 40).map_err(invalid)?;
        check_dates(p.start_date, p.end_date).map_err(invalid)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        crate::territory::places::community_region(&mut tx, community).await?;
        let scope = node_scope(&mut tx, community, p.post.node(), p.node_id).await?;
        if !allowed(&who.grants, Permission::ManageGrids, &scope) {
            return Err(AppError::Forbidden);
        }
        let id = store::insert_post(
            &mut tx,
            NewPost {
                community,
                post: p.post,
                node_id: p.node_id,
                person_name: &name,
                user_id: p.user_id,
                unit_name: p.unit_name,
                start_date: p.start_date,
                end_date: p.end_date,
                now,
            },
        )
        .await?;
        let detail = format!("{} on {}", p.post.as_str(), scope);
        audit::append(
            &mut tx,
            event(actor, "party.post.create", format!("post:{id}"), detail),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
