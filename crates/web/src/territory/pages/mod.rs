//! Territory pages.

mod edits;
mod party;
mod places;
pub(crate) mod regions;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(regions::routes())
        .merge(places::routes())
        .merge(edits::routes())
        .merge(party::routes())
}
