//! 积分兑换: the shelf, redeeming, and for staff stocking it and handing
//! over.

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
use linli_app::volunteering::Shelf;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shelf", get(shelf))
        .route("/shelf/stock", post(stock))
        .route("/shelf/{id}/redeem", post(redeem))
        .route("/redemptions/{id}/settle", post(settle))
}

#[derive(Template)]
#[template(path = "volunteering/shelf.html")]
struct ShelfPage {
    csrf: String,
    nav_user: Option<Nav>,
    s: Shelf,
    flash: Option<String>,
    flash_error: bool,
}

async fn shelf(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let s = state.app.shelf(&user).await?;
    page(
        StatusCode::OK,
        &ShelfPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            s,
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

async fn stock(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let r = state
        .app
        .stock_shelf(
            &user,
            &f.get("community"),
            &f.get("name"),
            f.int("points").unwrap_or(0),
            f.int("more").unwrap_or(-1),
            &user.actor(&ip),
        )
        .await
        .map(|_| "已上架".to_owned());
    redirect_with("/shelf", Vec::new(), r)
}

async fn redeem(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .redeem(&user, id, &user.actor(&ip))
        .await
        .map(|_| "兑换成功,请到党群服务中心领取".to_owned());
    redirect_with("/shelf", Vec::new(), r)
}

async fn settle(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let handed = Fields(fields).get("handed") == "1";
    let r = state
        .app
        .settle_redemption(&user, id, handed, &user.actor(&ip))
        .await
        .map(|()| {
            if handed {
                "已领取"
            } else {
                "已取消,积分已退回"
            }
            .to_owned()
        });
    redirect_with("/shelf", Vec::new(), r)
}
