//! Registry API.

pub(crate) mod cards;
pub(crate) mod pipl;
pub(crate) mod residents;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(residents::routes())
        .merge(pipl::routes())
        .merge(cards::routes())
}
