//! 四级党组织 pages: the party network of a community, with forms to add
//! organisations and posts.

use super::edits::{opt_num, opt_text};
use super::places::{Shared, shared};
use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::{page, redirect_with};
use crate::http::util::ClientIp;
use crate::territory::pages::regions::parse_code;
use crate::territory::views::{OrgView, PostView};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form};
use linli_app::AppError;
use linli_domain::territory::party::{NodeKind, OrgKind, PostKind};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/places/party", get(party_page))
        .route("/places/party/orgs", post(add_org))
        .route("/places/party/posts", post(add_post))
}

#[derive(Template)]
#[template(path = "territory/party.html")]
struct PartyPage {
    s: Shared,
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    orgs: Vec<(usize, OrgView)>,
    posts: Vec<PostView>,
    households: usize,
    can_manage: bool,
    /// ("grid:ID" / "building:ID" / "community", label)
    nodes: Vec<(String, String)>,
    org_kinds: Vec<(&'static str, &'static str)>,
    post_kinds: Vec<(&'static str, &'static str)>,
    flash: Option<String>,
    flash_error: bool,
}

#[derive(Deserialize)]
struct PartyQuery {
    code: String,
    msg: Option<String>,
    err: Option<u8>,
}

async fn party_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<PartyQuery>,
) -> Result<Response, WebError> {
    let code = parse_code(&q.code)?;
    let v = state.app.community(&user, &code).await?;
    let (orgs, posts) = state.app.party_network(&user, &code).await?;
    let mut nodes = vec![("community".to_owned(), format!("社区:{}", v.region.name))];
    nodes.extend(v.grids.iter().map(|g| {
        (
            format!("grid:{}", g.grid.id),
            format!("网格:{}", g.grid.name),
        )
    }));
    nodes.extend(v.buildings.iter().map(|b| {
        (
            format!("building:{}", b.id),
            format!("楼栋:{} {}", b.estate, b.name),
        )
    }));
    // the organisation tree, depth-first; households are counted, not listed
    let mut ordered = Vec::new();
    let mut stack: Vec<(usize, Option<i64>)> = vec![(0, None)];
    while let Some((depth, parent)) = stack.pop() {
        if let Some(o) = parent.and_then(|id| orgs.iter().find(|o| o.id == id)) {
            ordered.push((depth, OrgView::from(o)));
        }
        let children = orgs
            .iter()
            .rev()
            .filter(|o| o.parent_id == parent && o.kind != OrgKind::Household);
        for c in children {
            stack.push((depth + usize::from(parent.is_some()), Some(c.id)));
        }
    }
    let households = orgs.iter().filter(|o| o.kind == OrgKind::Household).count();
    let s = shared(csrf, &user, &v);
    let p = PartyPage {
        csrf: s.csrf.clone(),
        nav_user: s.nav_user.clone(),
        s,
        orgs: ordered,
        posts: posts.iter().map(PostView::from).collect(),
        households,
        can_manage: v.can_manage,
        nodes,
        org_kinds: OrgKind::ALL
            .iter()
            .filter(|k| !matches!(k, OrgKind::Household | OrgKind::CenterHousehold))
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        post_kinds: PostKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        flash: q.msg,
        flash_error: q.err == Some(1),
    };
    page(StatusCode::OK, &p)
}

/// Back to the party page with a message.
fn back_to_party(code: &str, r: Result<String, AppError>) -> Result<Response, WebError> {
    redirect_with("/places/party", vec![("code", code.to_owned())], r)
}

/// `community`, `grid:7` or `building:3`.
fn parse_node(s: &str) -> Result<(NodeKind, Option<i64>), AppError> {
    let bad = || AppError::Invalid("请选择所在节点".into());
    match s.split_once(':') {
        None if s == "community" => Ok((NodeKind::Community, None)),
        Some((k, id)) => {
            let kind: NodeKind = k.parse().map_err(|_| bad())?;
            Ok((kind, Some(id.parse().map_err(|_| bad())?)))
        }
        None => Err(bad()),
    }
}

#[derive(Deserialize)]
struct OrgForm {
    code: String,
    kind: String,
    name: String,
    node: String,
    parent_id: Option<String>,
}

async fn add_org(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<OrgForm>,
) -> Result<Response, WebError> {
    let community = parse_code(&f.code)?;
    let input = (|| {
        let kind: OrgKind =
            f.kind
                .parse()
                .map_err(|e: linli_domain::territory::party::PartyError| {
                    AppError::Invalid(e.to_string())
                })?;
        let (node_kind, node_id) = parse_node(&f.node)?;
        let parent_id = opt_num::<i64>(f.parent_id.as_deref(), "上级党组织")?;
        Ok::<_, AppError>(linli_app::territory::party::OrgInput {
            kind,
            name: &f.name,
            node_kind,
            node_id,
            parent_id,
        })
    })();
    let r = match input {
        Ok(o) => state
            .app
            .add_org(&user, &community, o, &user.actor(&ip))
            .await
            .map(|_| format!("已建立“{}”", f.name.trim())),
        Err(e) => Err(e),
    };
    back_to_party(&f.code, r)
}

#[derive(Deserialize)]
struct PostForm {
    code: String,
    post: String,
    person_name: String,
    node: String,
    unit_name: Option<String>,
    start_date: String,
}

async fn add_post(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<PostForm>,
) -> Result<Response, WebError> {
    let community = parse_code(&f.code)?;
    let input = (|| {
        let post: PostKind =
            f.post
                .parse()
                .map_err(|e: linli_domain::territory::party::PartyError| {
                    AppError::Invalid(e.to_string())
                })?;
        let (kind, node_id) = parse_node(&f.node)?;
        if kind != post.node() {
            return Err(AppError::Invalid(format!(
                "{}应设在{}上",
                post.label_zh(),
                post.node().label_zh()
            )));
        }
        Ok(linli_app::territory::party::PostInput {
            post,
            node_id,
            person_name: &f.person_name,
            user_id: None,
            unit_name: opt_text(f.unit_name.as_deref()),
            start_date: f.start_date.trim(),
            end_date: None,
        })
    })();
    let r = match input {
        Ok(p) => state
            .app
            .add_post(&user, &community, p, &user.actor(&ip))
            .await
            .map(|_| format!("已任命{}", f.person_name.trim())),
        Err(e) => Err(e),
    };
    back_to_party(&f.code, r)
}
