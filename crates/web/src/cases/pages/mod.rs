//! Request-loop pages.

mod cases;
mod dashboard;
mod new;
mod screen;
mod setup;
mod whistle;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(cases::routes())
        .merge(new::routes())
        .merge(whistle::routes())
        .merge(setup::routes())
        .merge(dashboard::routes())
        .merge(screen::routes())
}
