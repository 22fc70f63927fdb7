//! 共建单位 pages: the 共建 home (staff: reports to answer, needs,
//! meetings, projects, the year's figures; a unit: its standing, the needs
//! open to it, its projects), registering and reporting in, a unit's page,
//! needs with their suggested resources, joint meetings, projects, the
//! yearly evaluation with its xlsx, and the public board.

mod actions;
mod pages;

use crate::AppState;
use crate::http::upload;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partners", get(pages::home))
        .route(
            "/partners/register",
            get(pages::register).post(actions::register),
        )
        .route("/partners/report", post(actions::report_in))
        .route("/partners/units/{id}", get(pages::unit))
        .route("/partners/units/{id}/decide", post(actions::decide))
        .route(
            "/partners/units/{id}/agreements",
            post(actions::agreement).layer(DefaultBodyLimit::max(upload::LIMIT)),
        )
        .route("/partners/units/{id}/resources", post(actions::resource))
        .route("/partners/needs", post(actions::add_need))
        .route("/partners/needs/new", get(pages::need_new))
        .route("/partners/needs/{id}", get(pages::need))
        .route("/partners/needs/{id}/take", post(actions::take))
        .route("/partners/needs/{id}/close", post(actions::close_need))
        .route("/partners/meetings", post(actions::call_meeting))
        .route("/partners/meetings/new", get(pages::meeting_new))
        .route("/partners/meetings/{id}", get(pages::meeting))
        .route(
            "/partners/meetings/{id}/record",
            post(actions::record_meeting),
        )
        .route("/partners/projects", post(actions::start_project))
        .route("/partners/projects/{id}", get(pages::project))
        .route(
            "/partners/projects/{id}/progress",
            post(actions::progress).layer(DefaultBodyLimit::max(upload::LIMIT)),
        )
        .route("/partners/photos/{id}", get(pages::photo))
        .route("/partners/projects/{id}/funding", post(actions::funding))
        .route(
            "/partners/projects/{id}/close",
            post(actions::close_project),
        )
        .route(
            "/partners/evaluation",
            get(pages::evaluation).post(actions::evaluate),
        )
        .route("/partners/evaluation.xlsx", get(pages::evaluation_xlsx))
        .route("/board/{code}/partners", get(pages::board))
}

/// The chip of a state.
pub(crate) fn tone(state: &str) -> &'static str {
    match state {
        "open" | "pending" => "wait",
        "taken" | "project" | "underway" => "doing",
        "met" | "done" | "accepted" => "done",
        _ => "stop",
    }
}
