//! The owners' vote pages. Handlers read the form, call `linli_app`, render.

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
use linli_app::deliberation::{
    BallotInput, CostInput, NewVoteInput, PlanView, ScopeChoice, VoteCard, VoteView,
};
use linli_domain::deliberation::rules::{Check, Item, area_text};
use linli_domain::deliberation::{Channel, VoteState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/votes", get(list_page).post(create))
        .route("/votes/new", get(new_page))
        .route("/votes/{id}", get(one_page))
        .route("/votes/{id}/open", post(open))
        .route("/votes/{id}/close", post(close))
        .route("/votes/{id}/ballot", post(ballot))
        .route("/votes/{id}/enter", post(enter))
        .route("/votes/{id}/costs", post(set_costs))
        .route("/votes/{id}/costs/{dwelling}/paid", post(paid))
}

/// The chip of a vote's state.
fn tone(s: &VoteState) -> &'static str {
    match s {
        VoteState::Draft => "wait",
        VoteState::Open => "doing",
        VoteState::Closed => "done",
    }
}

/// A check's numbers in words: "参与面积 812.40㎡ / 共 1,000.00㎡,需三分之二以上(至少 666.67㎡)".
pub(crate) fn check_line(c: &Check) -> String {
    let (have, base, least) = if c.by_area {
        (
            format!("{}㎡", area_text(c.have)),
            format!("{}㎡", area_text(c.base)),
            format!("{}㎡", area_text(c.least())),
        )
    } else {
        (
            format!("{} 人", c.have),
            format!("{} 人", c.base),
            format!("{} 人", c.least()),
        )
    };
    format!("{have} / {base},需{}(至少 {least})", c.share.label_zh())
}

#[derive(Template)]
#[template(path = "deliberation/votes.html")]
struct ListPage {
    csrf: String,
    nav_user: Option<Nav>,
    rows: Vec<VoteCard>,
    manage: bool,
}

async fn list_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, WebError> {
    let rows = state.app.votes(&user).await?;
    let manage =
        linli_domain::access::holds(&user.grants, linli_domain::access::Permission::ManageVotes);
    page(
        StatusCode::OK,
        &ListPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            rows,
            manage,
        },
    )
}

#[derive(Template)]
#[template(path = "deliberation/vote_new.html")]
struct NewPage {
    csrf: String,
    nav_user: Option<Nav>,
    scopes: Vec<ScopeChoice>,
    items: Vec<(i64, &'static str)>,
    min_day: String,
    /// the proposal on the agenda this vote decides
    proposal: Option<i64>,
    flash: Option<String>,
    flash_error: bool,
}

#[derive(serde::Deserialize)]
struct NewQuery {
    #[serde(flatten)]
    flash: Flash,
    proposal: Option<i64>,
}

async fn new_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let f = q.flash;
    let scopes = state.app.vote_scopes(&user).await?;
    let min_day = linli_app::today()
        .next_day()
        .map(|d| d.to_string())
        .unwrap_or_default();
    page(
        StatusCode::OK,
        &NewPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            scopes,
            items: Item::ALL
                .iter()
                .map(|i| (i.number(), i.label_zh()))
                .collect(),
            min_day,
            proposal: q.proposal,
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
    let input = NewVoteInput {
        scope: f.get("scope"),
        item: f.get("item"),
        title: f.get("title"),
        body: f.get("body"),
        candidates: f.get("candidates"),
        closes_on: f.get("closes_on"),
        proposal: f.get("proposal").parse().ok(),
    };
    match state.app.create_vote(&user, &input, &user.actor(&ip)).await {
        Ok(id) => redirect_with(
            &format!("/votes/{id}"),
            Vec::new(),
            Ok("已建立表决。请核对业主名册后开始投票".to_owned()),
        ),
        Err(e) => {
            let back = input
                .proposal
                .map(|p| vec![("proposal", p.to_string())])
                .unwrap_or_default();
            redirect_with("/votes/new", back, Err(e))
        }
    }
}

#[derive(Template)]
#[template(path = "deliberation/vote.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<Nav>,
    v: VoteView,
    plan: Option<PlanView>,
    /// no plan yet, or nothing paid on it
    plan_editable: bool,
    channels: Vec<(&'static str, &'static str)>,
    flash: Option<String>,
    flash_error: bool,
}

async fn one_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let v = state.app.vote(&user, id).await?;
    let plan = state.app.cost_plan(&user, id).await?;
    page(
        StatusCode::OK,
        &OnePage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            v,
            plan_editable: plan.as_ref().is_none_or(|p| p.editable),
            plan,
            channels: [Channel::Paper, Channel::Proxy]
                .iter()
                .map(|c| (c.as_str(), c.label_zh()))
                .collect(),
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

async fn open(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .open_vote(&user, id, &user.actor(&ip))
        .await
        .map(|()| "投票已开始,业主名册已固定".to_owned());
    redirect_with(&format!("/votes/{id}"), Vec::new(), r)
}

async fn close(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .close_vote(&user, id, &user.actor(&ip))
        .await
        .map(|_| "已计票,结果已公布".to_owned());
    redirect_with(&format!("/votes/{id}"), Vec::new(), r)
}

async fn ballot(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let r = state
        .app
        .cast_ballot(&user, id, &f.get("choice"), &user.actor(&ip))
        .await
        .map(|code| format!("您的选票已计入,回执号 {code}"));
    redirect_with(&format!("/votes/{id}"), Vec::new(), r)
}

async fn enter(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let b = BallotInput {
        owner_key: f.get("owner"),
        channel: f.get("channel"),
        choice: f.get("choice"),
        proof: f.get("proof"),
        proxy: f.get("proxy"),
        room: f.get("room"),
    };
    let r = state
        .app
        .enter_ballot(&user, id, &b, &user.actor(&ip))
        .await
        .map(|code| format!("已录入,回执号 {code}"));
    redirect_with(&format!("/votes/{id}"), Vec::new(), r)
}

async fn set_costs(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let input = CostInput {
        basis: f.get("basis"),
        table: f.get("table"),
        owners_total: f.get("owners_total"),
        funding: f.get("funding"),
    };
    let r = state
        .app
        .set_cost_plan(&user, id, &input, &user.actor(&ip))
        .await
        .map(|()| "已生成分摊方案".to_owned());
    redirect_with(&format!("/votes/{id}"), Vec::new(), r)
}

async fn paid(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path((id, dwelling)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .mark_share_paid(&user, id, dwelling, &user.actor(&ip))
        .await
        .map(|()| "已记为已缴".to_owned());
    redirect_with(&format!("/votes/{id}"), Vec::new(), r)
}
