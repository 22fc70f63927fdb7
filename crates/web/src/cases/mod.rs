//! 诉求闭环: the request loop's pages, its API and Open311 GeoReport v2.

pub(crate) mod api;
pub(crate) mod open311;
pub(crate) mod pages;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(api::routes())
        .merge(open311::routes())
}
