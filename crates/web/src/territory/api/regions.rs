//! The national divisions (行政区划), browsed from the provinces down.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::territory::pages::regions::{RegionView, parse_code};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/regions", get(region_roots))
        .route("/api/v1/regions/{code}", get(region))
}

/// The provinces (行政区划 roots).
#[utoipa::path(get, path = "/api/v1/regions", tag = "territory",
    responses((status = 200, body = [RegionView]), (status = 401, body = ErrorBody)))]
pub(crate) async fn region_roots(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
) -> Result<Json<Vec<RegionView>>, WebError> {
    Ok(Json(
        state
            .app
            .region_roots()
            .await?
            .into_iter()
            .map(RegionView::from)
            .collect(),
    ))
}

/// A region with its direct children.
#[derive(Serialize, ToSchema)]
pub struct RegionWithChildren {
    pub region: RegionView,
    pub children: Vec<RegionView>,
}

#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "territory",
    params(("code" = String, Path, description = "2, 4, 6, 9 or 12 digit region code")),
    responses((status = 200, body = RegionWithChildren), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn region(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<RegionWithChildren>, WebError> {
    let (region, children) = state.app.region_with_children(&parse_code(&code)?).await?;
    Ok(Json(RegionWithChildren {
        region: region.into(),
        children: children.into_iter().map(RegionView::from).collect(),
    }))
}
