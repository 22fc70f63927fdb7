//! Server-rendered pages (askama templates in `templates/`).

mod account;
mod audit;
mod cards;
mod case_setup;
mod case_whistle;
mod cases;
mod dashboard;
mod home;
mod inbox;
mod login;
mod me;
mod places;
mod registry;
mod territory;

use crate::AppState;
use crate::error::{Rendered, WebError};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use linli_app::AppError;

pub use account::TokenView;
pub use audit::{AuditQuery, AuditRow};
pub use cards::{card_url, qr_svg};
pub use territory::{RegionView, parse_code};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/home") }))
        .merge(login::routes())
        .merge(home::routes())
        .merge(account::routes())
        .merge(audit::routes())
        .merge(territory::routes())
        .merge(places::routes())
        .merge(registry::routes())
        .merge(cards::routes())
        .merge(me::routes())
        .merge(inbox::routes())
        .merge(cases::routes())
        .merge(case_whistle::routes())
        .merge(case_setup::routes())
        .merge(dashboard::routes())
}

/// A full Chinese page for an error status.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}

/// Renders a template as a complete response with `status`.
pub fn page(status: StatusCode, t: &impl Template) -> Result<Response, WebError> {
    let html = t
        .render()
        .map_err(|e| linli_app::AppError::Internal(format!("template: {e}")))?;
    let mut res = (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    res.extensions_mut().insert(Rendered);
    Ok(res)
}

/// A redirect to `path` with `params` and the outcome as a flash message;
/// refusals a person can fix are shown, anything else is an error page.
pub fn redirect_with(
    path: &str,
    mut params: Vec<(&str, String)>,
    r: Result<String, AppError>,
) -> Result<Response, WebError> {
    let (msg, err) = match r {
        Ok(m) => (m, "0"),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Account(_))) => {
            (e.to_string(), "1")
        }
        Err(e) => return Err(e.into()),
    };
    params.push(("msg", msg));
    params.push(("err", err.to_owned()));
    let qs = serde_urlencoded::to_string(&params).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(see_other(&format!("{path}?{qs}")))
}

/// After a successful POST: go to `to` (303, so the browser GETs it).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
