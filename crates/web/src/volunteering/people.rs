//! 我的志愿 (join, report in, claim a post, hours and points), and for
//! staff the volunteers' roll, one volunteer with their statement, their
//! placement (进一网, 联一户) and corrections.

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
use linli_app::volunteering::{
    JoinInput, MyVolunteering, VolunteerDetail, VolunteerLine, VolunteeringFigures,
};
use linli_domain::access::{Permission, holds};
use linli_domain::volunteering::{POSTS, year_start};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/volunteer", get(mine))
        .route("/volunteer/join", post(join))
        .route("/volunteer/post", post(claim))
        .route("/volunteers", get(roll))
        .route("/volunteers/{id}", get(one))
        .route("/volunteers/{id}/place", post(place))
        .route("/ledger/{id}/reverse", post(reverse))
}

#[derive(Template)]
#[template(path = "volunteering/volunteer.html")]
struct MinePage {
    csrf: String,
    nav_user: Option<Nav>,
    mine: Option<MyVolunteering>,
    staff: bool,
    posts: &'static [&'static str],
    flash: Option<String>,
    flash_error: bool,
}

async fn mine(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let mine = state.app.my_volunteering(&user).await?;
    page(
        StatusCode::OK,
        &MinePage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            mine,
            staff: holds(&user.grants, Permission::ViewVolunteering),
            posts: &POSTS,
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

async fn join(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let party = f.get("party") == "1";
    let input = JoinInput {
        skills: f.get("skills"),
        employer_org: party.then(|| f.get("employer")),
    };
    if party && f.get("employer").trim().is_empty() {
        return redirect_with(
            "/volunteer",
            Vec::new(),
            Err(linli_app::AppError::Invalid(
                "在职党员报到请填写所在单位党组织".into(),
            )),
        );
    }
    let r = state
        .app
        .join_volunteers(&user, &input, &user.actor(&ip))
        .await
        .map(|_| {
            if party {
                "报到成功!请认领一个岗位".to_owned()
            } else {
                "欢迎加入志愿者队伍".to_owned()
            }
        });
    redirect_with("/volunteer", Vec::new(), r)
}

async fn claim(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let post = Fields(fields).get("post");
    let r = state
        .app
        .claim_post(&user, &post, &user.actor(&ip))
        .await
        .map(|()| format!("已认领岗位:{post}"));
    redirect_with("/volunteer", Vec::new(), r)
}

#[derive(Template)]
#[template(path = "volunteering/volunteers.html")]
struct RollPage {
    csrf: String,
    nav_user: Option<Nav>,
    rows: Vec<VolunteerLine>,
    /// this year's figures
    figures: VolunteeringFigures,
    year: i32,
    manage: bool,
    flash: Option<String>,
    flash_error: bool,
}

async fn roll(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let rows = state.app.volunteers(&user).await?;
    let year = linli_app::today().year();
    let start = |y| year_start(y).map_err(linli_app::AppError::from);
    let figures = state
        .app
        .volunteering_figures(&user, start(year)?, start(year + 1)?)
        .await?;
    page(
        StatusCode::OK,
        &RollPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            rows,
            figures,
            year,
            manage: holds(&user.grants, Permission::ManageVolunteering),
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

#[derive(Template)]
#[template(path = "volunteering/volunteer_detail.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<Nav>,
    v: VolunteerDetail,
    /// households to pair with: (resident id, who and where)
    pairs: Vec<(i64, String)>,
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
    let v = state.app.volunteer_detail(&user, id).await?;
    let pairs = state
        .app
        .visits_due(&user)
        .await
        .unwrap_or_default()
        .into_iter()
        .take(300)
        .map(|d| {
            (
                d.resident_id,
                format!("{} · {} · {}", d.name, d.tags, d.address),
            )
        })
        .collect();
    page(
        StatusCode::OK,
        &OnePage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            v,
            pairs,
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

async fn place(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let grid = f.get("grid");
    let r = state
        .app
        .place_volunteer(
            &user,
            id,
            (!grid.is_empty()).then_some(grid.as_str()),
            f.int("pair"),
            &user.actor(&ip),
        )
        .await
        .map(|()| "已保存".to_owned());
    redirect_with(&format!("/volunteers/{id}"), Vec::new(), r)
}

async fn reverse(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let back = f
        .int("volunteer")
        .map_or_else(|| "/volunteers".to_owned(), |v| format!("/volunteers/{v}"));
    let r = state
        .app
        .reverse_transfer(&user, id, &f.get("reason"), &user.actor(&ip))
        .await
        .map(|()| "已更正".to_owned());
    redirect_with(&back, Vec::new(), r)
}
