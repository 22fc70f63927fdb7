//! 业主名册: a building's owners and exclusive areas, kept by staff.

use super::Fields;
use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::nav::Nav;
use crate::http::render::{Flash, page, redirect_with};
use crate::http::util::ClientIp;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use linli_app::deliberation::{OwnerInput, RegisterView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/owners/{building}", get(register_page))
        .route("/owners/dwellings/{dwelling}", post(set_owner))
}

#[derive(Template)]
#[template(path = "deliberation/owners.html")]
struct RegisterPage {
    csrf: String,
    nav_user: Option<Nav>,
    r: RegisterView,
    back: Option<i64>,
    flash: Option<String>,
    flash_error: bool,
}

#[derive(serde::Deserialize)]
struct RegisterQuery {
    #[serde(flatten)]
    flash: Flash,
    /// the vote the staff came from
    vote: Option<i64>,
}

async fn register_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(building): Path<i64>,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, WebError> {
    let r = state.app.owner_register(&user, building).await?;
    page(
        StatusCode::OK,
        &RegisterPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            r,
            back: q.vote,
            flash_error: q.flash.is_error(),
            flash: q.flash.msg,
        },
    )
}

async fn set_owner(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(dwelling): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let input = OwnerInput {
        dwelling_id: dwelling,
        owner: f.get("owner"),
        area_register: f.get("area_register"),
        area_survey: f.get("area_survey"),
        area_contract: f.get("area_contract"),
    };
    let building: i64 = f.get("building").parse().unwrap_or(0);
    let mut params = Vec::new();
    if let Ok(v) = f.get("vote").parse::<i64>() {
        params.push(("vote", v.to_string()));
    }
    let r = state
        .app
        .set_owner(&user, &input, &user.actor(&ip))
        .await
        .map(|_| "已保存".to_owned());
    redirect_with(&format!("/owners/{building}"), params, r)
}
