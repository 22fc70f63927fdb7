//! 网格员的走访 pages: who is due a visit, and the visit form.

mod pages;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    pages::routes()
}
