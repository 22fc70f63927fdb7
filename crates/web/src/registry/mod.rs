//! The resident registry: residents, care cards, and a resident's own data
//! (PIPL rights).

pub(crate) mod api;
pub(crate) mod pages;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().merge(pages::routes()).merge(api::routes())
}
