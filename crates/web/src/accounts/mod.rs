//! Accounts: signing in, the home page, one's password and tokens, and the
//! audit log for auditors.

pub(crate) mod api;
pub(crate) mod pages;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().merge(pages::routes()).merge(api::routes())
}
