//! 公开栏: a community's deliberation in public, and its A4 poster for the
//! lobby with a QR code back to the page. No account needed: the board
//! shows aggregates only (see `linli_app::deliberation::board`).

use crate::AppState;
use crate::http::auth::MaybeUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::nav::Nav;
use crate::http::render::page;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use linli_app::deliberation::BoardView;
use linli_domain::deliberation::VoteState;
use linli_domain::deliberation::proposals::ProposalState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/board/{code}", get(board_page))
        .route("/board/{code}/poster", get(poster_page))
}

#[derive(Template)]
#[template(path = "deliberation/board.html")]
struct BoardPage {
    csrf: String,
    nav_user: Option<Nav>,
    code: String,
    b: BoardView,
}

async fn board_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    MaybeUser(user): MaybeUser,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let b = state.app.board(&code).await?;
    page(
        StatusCode::OK,
        &BoardPage {
            csrf: csrf.0,
            nav_user: user.as_ref().map(Nav::of),
            code,
            b,
        },
    )
}

#[derive(Template)]
#[template(path = "deliberation/poster.html")]
struct PosterPage {
    csrf: String,
    nav_user: Option<Nav>,
    b: BoardView,
    qr: String,
    printed: String,
}

async fn poster_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let b = state.app.board(&code).await?;
    let url = crate::http::qr::site_url(&state.config, &headers, &format!("/board/{code}"));
    page(
        StatusCode::OK,
        &PosterPage {
            csrf: csrf.0,
            nav_user: None,
            qr: crate::http::qr::svg(&url)?,
            b,
            printed: linli_app::today().to_string(),
        },
    )
}
