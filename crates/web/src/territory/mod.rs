//! Territory: regions, a community's grids and places, the map, the
//! validation report and the party network.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod plan;
pub(crate) mod views;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().merge(pages::routes()).merge(api::routes())
}
