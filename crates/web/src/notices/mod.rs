//! 通知公告 pages: a resident's notices, staff's list with read counts,
//! the form that publishes one, a notice, and withdrawing it.

mod pages;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    pages::routes()
}
