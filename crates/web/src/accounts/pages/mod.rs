//! Account pages.

pub(crate) mod account;
mod admin;
pub(crate) mod audit;
mod home;
mod login;
mod second_factor;

use crate::AppState;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/home") }))
        .merge(login::routes())
        .merge(second_factor::routes())
        .merge(home::routes())
        .merge(account::routes())
        .merge(admin::routes())
        .merge(audit::routes())
}
