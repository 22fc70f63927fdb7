//! Request-loop API.

pub(crate) mod cases;
pub(crate) mod dashboard;
pub(crate) mod photos;
pub(crate) mod setup;
pub(crate) mod suggest;
pub(crate) mod whistle;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(cases::routes())
        .merge(whistle::routes())
        .merge(setup::routes())
}
