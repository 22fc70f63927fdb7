//! Activities: the list and staff's form, one activity with sign-up, the
//! organiser's check-in code (rotating, or printed), the page a scanned
//! code opens (one more tap to confirm, so a link alone checks nobody in),
//! walk-ins.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::nav::Nav;
use crate::http::render::{Flash, page, redirect_with};
use crate::http::util::{ClientIp, Fields};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use linli_app::AppError;
use linli_app::volunteering::{ActivityCard, ActivityInput, ActivityPage};
use linli_domain::volunteering::checkin::{Mark, WINDOW_SECS};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list).post(create))
        .route("/activities/{id}", get(one))
        .route("/activities/{id}/signup", post(signup))
        .route("/activities/{id}/code", get(code))
        .route("/activities/{id}/scan", get(scan_page).post(scan))
        .route("/activities/{id}/walkin", post(walk_in))
}

#[derive(Template)]
#[template(path = "volunteering/activities.html")]
struct ListPage {
    csrf: String,
    nav_user: Option<Nav>,
    rows: Vec<ActivityCard>,
    /// the community staff plan for
    community: Option<String>,
    flash: Option<String>,
    flash_error: bool,
}

async fn list(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let rows = state.app.activities(&user).await?;
    page(
        StatusCode::OK,
        &ListPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            rows,
            community: state.app.volunteering_communities(&user).into_iter().next(),
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
    let input = ActivityInput {
        title: f.get("title"),
        place: f.get("place"),
        starts: f.get("starts"),
        ends: f.get("ends"),
        capacity: f.int("capacity").unwrap_or(0),
        points: f.int("points").unwrap_or(-1),
        repeat: f
            .int("repeat")
            .and_then(|n| u16::try_from(n).ok())
            .unwrap_or(1),
    };
    match state
        .app
        .create_activity(&user, &f.get("community"), &input, &user.actor(&ip))
        .await
    {
        Ok((id, n)) => redirect_with(
            &format!("/activities/{id}"),
            Vec::new(),
            Ok(if n > 1 {
                format!("已发布 {n} 场,每月一场")
            } else {
                "活动已发布".to_owned()
            }),
        ),
        Err(e) => redirect_with("/activities", Vec::new(), Err(e)),
    }
}

#[derive(Template)]
#[template(path = "volunteering/activity.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<Nav>,
    a: ActivityPage,
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
    let a = state.app.activity_page(&user, id).await?;
    page(
        StatusCode::OK,
        &OnePage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            a,
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

async fn signup(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let cancel = Fields(fields).get("cancel") == "1";
    let r = state
        .app
        .sign_up(&user, id, cancel, &user.actor(&ip))
        .await
        .map(str::to_owned);
    redirect_with(&format!("/activities/{id}"), Vec::new(), r)
}

#[derive(Deserialize)]
struct CodeQuery {
    k: Option<String>,
    print: Option<u8>,
}

#[derive(Template)]
#[template(path = "volunteering/activity_code.html")]
struct CodePage {
    csrf: String,
    nav_user: Option<Nav>,
    id: i64,
    title: String,
    mark: Mark,
    printed: bool,
    qr: String,
    refresh: i64,
}

async fn code(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<CodeQuery>,
) -> Result<Response, WebError> {
    let mark = Mark::parse(q.k.as_deref().unwrap_or("in")).unwrap_or(Mark::In);
    let printed = q.print == Some(1);
    let c = state.app.check_code(&user, id, mark, printed).await?;
    let a = state.app.activity_page(&user, id).await?;
    let url = crate::http::qr::site_url(&state.config, &headers, &c.path);
    page(
        StatusCode::OK,
        &CodePage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            id,
            title: a.card.title,
            mark,
            printed,
            qr: crate::http::qr::svg(&url)?,
            refresh: WINDOW_SECS - 5,
        },
    )
}

#[derive(Deserialize)]
struct ScanQuery {
    k: Option<String>,
    w: Option<String>,
    t: Option<String>,
}

#[derive(Template)]
#[template(path = "volunteering/scan.html")]
struct ScanPage {
    csrf: String,
    nav_user: Option<Nav>,
    id: i64,
    title: String,
    mark: Mark,
    w: String,
    t: String,
}

async fn scan_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ScanQuery>,
) -> Result<Response, WebError> {
    let mark =
        q.k.as_deref()
            .and_then(Mark::parse)
            .ok_or_else(|| AppError::Invalid("二维码无效".into()))?;
    let a = state.app.activity_page(&user, id).await?;
    page(
        StatusCode::OK,
        &ScanPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            id,
            title: a.card.title,
            mark,
            w: q.w.unwrap_or_default(),
            t: q.t.unwrap_or_default(),
        },
    )
}

async fn scan(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let r = match Mark::parse(&f.get("k")) {
        Some(mark) => {
            state
                .app
                .scan_code(&user, id, mark, &f.get("w"), &f.get("t"), &user.actor(&ip))
                .await
        }
        None => Err(AppError::Invalid("二维码无效".into())),
    };
    redirect_with(&format!("/activities/{id}"), Vec::new(), r)
}

async fn walk_in(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .add_walk_in(&user, id, &Fields(fields).get("name"), &user.actor(&ip))
        .await
        .map(|()| "已登记".to_owned());
    redirect_with(&format!("/activities/{id}"), Vec::new(), r)
}
