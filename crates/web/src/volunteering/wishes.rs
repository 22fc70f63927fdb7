//! 微心愿 pages: the wall of wishes, posting one, one wish with what the
//! caller may do to it.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::nav::Nav;
use crate::http::render::{Flash, page, redirect_with};
use crate::http::util::{ClientIp, Fields};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use linli_app::volunteering::{WishInput, WishView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/wishes", get(list).post(create))
        .route("/wishes/new", get(new_page))
        .route("/wishes/{id}", get(one))
        .route("/wishes/{id}/move", post(move_on))
}

/// The chip of a wish's state.
fn tone(state: &str) -> &'static str {
    match state {
        "submitted" | "published" => "wait",
        "claimed" | "delivered" => "doing",
        "confirmed" => "done",
        _ => "stop",
    }
}

#[derive(Template)]
#[template(path = "volunteering/wishes.html")]
struct ListPage {
    csrf: String,
    nav_user: Option<Nav>,
    rows: Vec<WishView>,
    flash: Option<String>,
    flash_error: bool,
}

async fn list(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let rows = state.app.wishes(&user).await?;
    page(
        StatusCode::OK,
        &ListPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            rows,
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

#[derive(Template)]
#[template(path = "volunteering/wish_new.html")]
struct NewPage {
    csrf: String,
    nav_user: Option<Nav>,
    /// staff post for someone else
    staff: bool,
    flash: Option<String>,
    flash_error: bool,
}

async fn new_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    page(
        StatusCode::OK,
        &NewPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            staff: !state.app.volunteering_communities(&user).is_empty(),
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let input = WishInput {
        title: f.get("title"),
        body: f.get("body"),
        for_name: f.get("for_name"),
        place: f.get("place"),
    };
    match state.app.post_wish(&user, &input, &user.actor(&ip)).await {
        Ok(id) => redirect_with(
            &format!("/wishes/{id}"),
            Vec::new(),
            Ok("心愿已提交,社区审核后发布(不公开您的姓名)".to_owned()),
        ),
        Err(e) => redirect_with("/wishes/new", Vec::new(), Err(e)),
    }
}

#[derive(Template)]
#[template(path = "volunteering/wish.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<Nav>,
    w: WishView,
    flash: Option<String>,
    flash_error: bool,
}

async fn one(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let w = state.app.wish(&user, id).await?;
    page(
        StatusCode::OK,
        &OnePage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            w,
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

async fn move_on(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let r = state
        .app
        .move_wish(
            &user,
            id,
            &f.get("action"),
            &f.get("text"),
            &user.actor(&ip),
        )
        .await
        .map(str::to_owned);
    redirect_with(&format!("/wishes/{id}"), Vec::new(), r)
}
