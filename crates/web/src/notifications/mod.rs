//! Notifications: the in-app inbox (page, API, live stream) and the
//! outbound webhook to an SMS/WeChat gateway.

pub(crate) mod api;
pub(crate) mod pages;
pub mod webhook;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().merge(pages::routes()).merge(api::routes())
}
