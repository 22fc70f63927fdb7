//! Account pages.

pub(crate) mod account;
pub(crate) mod audit;
mod home;
mod login;

use crate::AppState;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/home") }))
        .merge(login::routes())
        .merge(home::routes())
        .merge(account::routes())
        .merge(audit::routes())
}
