//! 三单制 pages: the orders the caller sees, ordering a service, one order
//! with what the caller may do to it.

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
use linli_app::AppError;
use linli_app::volunteering::{OrderCard, OrderInput, OrderStep, OrderView};
use linli_domain::volunteering::SERVICES;
use linli_domain::volunteering::orders::{OrderAction, OrderState, Rating};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(list).post(create))
        .route("/services/new", get(new_page))
        .route("/services/{id}", get(one))
        .route("/services/{id}/act", post(act))
}

/// The chip of an order's state.
fn tone(s: &OrderState) -> &'static str {
    match s {
        OrderState::Ordered | OrderState::Dispatched => "wait",
        OrderState::Accepted => "doing",
        OrderState::Done | OrderState::Rated => "done",
        OrderState::Cancelled => "stop",
    }
}

#[derive(Template)]
#[template(path = "volunteering/services.html")]
struct ListPage {
    csrf: String,
    nav_user: Option<Nav>,
    rows: Vec<OrderCard>,
    flash: Option<String>,
    flash_error: bool,
}

async fn list(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let rows = state.app.service_orders(&user).await?;
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
#[template(path = "volunteering/service_new.html")]
struct NewPage {
    csrf: String,
    nav_user: Option<Nav>,
    services: &'static [&'static str],
    flash: Option<String>,
    flash_error: bool,
}

async fn new_page(
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    page(
        StatusCode::OK,
        &NewPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            services: &SERVICES,
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
    let input = OrderInput {
        service: f.get("service"),
        body: f.get("body"),
    };
    match state
        .app
        .order_service(&user, &input, &user.actor(&ip))
        .await
    {
        Ok(id) => redirect_with(
            &format!("/services/{id}"),
            Vec::new(),
            Ok("已点单,社区会尽快派志愿者".to_owned()),
        ),
        Err(e) => redirect_with("/services/new", Vec::new(), Err(e)),
    }
}

#[derive(Template)]
#[template(path = "volunteering/service.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<Nav>,
    o: OrderView,
    ratings: &'static [Rating],
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
    let o = state.app.service_order(&user, id).await?;
    page(
        StatusCode::OK,
        &OnePage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            o,
            ratings: Rating::ALL,
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

async fn act(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let back = format!("/services/{id}");
    let Ok(action) = f.get("action").parse::<OrderAction>() else {
        return redirect_with(
            &back,
            Vec::new(),
            Err(AppError::Invalid("未知的操作".into())),
        );
    };
    let rating = f.get("rating").parse::<Rating>().ok();
    let r = state
        .app
        .act_on_order(
            &user,
            id,
            &OrderStep {
                action,
                assignee: f.int("assignee"),
                minutes: f.int("minutes"),
                rating,
                note: f.get("note"),
            },
            &user.actor(&ip),
        )
        .await
        .map(|s| format!("已{},现在{}", action.label_zh(), s.label_zh()));
    redirect_with(&back, Vec::new(), r)
}
