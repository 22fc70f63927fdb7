//! 行政区划 — browse the administrative tree (reference data, any signed-in user).

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::page;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use linli_domain::access::RegionCode;
use linli_domain::territory::Region;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new().route("/territory", get(regions_page))
}

/// A region as shown and as the API returns it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegionView {
    /// 12-digit statistical code
    #[schema(example = "220103008003")]
    pub code: String,
    pub name: String,
    /// 省 / 市 / 区县 / 街道乡镇 / 社区村
    pub level: String,
    pub parent: Option<String>,
}

impl From<Region> for RegionView {
    fn from(r: Region) -> Self {
        RegionView {
            code: r.code.to_string(),
            name: r.name,
            level: r.level.label_zh().to_owned(),
            parent: r.parent.map(|p| p.to_string()),
        }
    }
}

/// Parses a region code from a request (2–12 digits).
pub fn parse_code(s: &str) -> Result<RegionCode, WebError> {
    s.parse::<RegionCode>()
        .map_err(|e| WebError::bad_request("invalid", e.to_string()))
}

#[derive(Template)]
#[template(path = "territory/regions.html")]
struct RegionsPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    ancestors: Vec<RegionView>,
    current: Option<RegionView>,
    children: Vec<RegionView>,
    imported: bool,
}

#[derive(Deserialize)]
struct RegionQuery {
    code: Option<String>,
}

async fn regions_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<RegionQuery>,
) -> Result<Response, WebError> {
    let (ancestors, current, children) = match q.code.as_deref().filter(|c| !c.is_empty()) {
        None => (Vec::new(), None, state.app.region_roots().await?),
        Some(c) => {
            let (region, children) = state.app.region_with_children(&parse_code(c)?).await?;
            let ancestors = state.app.region_ancestors(&region).await?;
            (ancestors, Some(region), children)
        }
    };
    let imported = current.is_some() || !children.is_empty();
    let p = RegionsPage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(&user)),
        ancestors: ancestors.into_iter().map(RegionView::from).collect(),
        current: current.map(RegionView::from),
        children: children.into_iter().map(RegionView::from).collect(),
        imported,
    };
    page(StatusCode::OK, &p)
}
