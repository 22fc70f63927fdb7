//! Registry pages.

pub(crate) mod cards;
mod me;
mod residents;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(residents::routes())
        .merge(cards::routes())
        .merge(me::routes())
}
