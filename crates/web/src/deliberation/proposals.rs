//! 议事协商 pages: proposals, supports, staff's answers, meetings and
//! their minutes, ratings. Handlers read the form, call `linli_app`, render.

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
    CommentView, MeetingCard, MeetingInput, MeetingRecord, MeetingView, ProgressLine, ProposalCard,
    ProposalInput, ProposalPage, ProposalView, ScopeChoice,
};
use linli_domain::access::{Permission, scope_prefixes};
use linli_domain::deliberation::VoteState;
use linli_domain::deliberation::proposals::{MeetingKind, ProposalState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/proposals", get(list_page).post(create))
        .route("/proposals/new", get(new_page))
        .route("/proposals/rules", post(set_rules))
        .route("/proposals/{id}", get(one_page))
        .route("/proposals/{id}/support", post(support))
        .route("/proposals/{id}/move", post(move_on))
        .route("/proposals/{id}/rate", post(rate))
        .route("/proposals/{id}/meetings", post(schedule))
        .route("/proposals/{id}/comments", post(comment))
        .route("/proposals/{id}/progress", post(progress))
        .route("/comments/{id}/hide", post(hide))
        .route("/meetings/{id}", get(meeting_page))
        .route("/meetings/{id}/record", post(record))
}

/// The chip of a proposal's state.
fn tone(s: &ProposalState) -> &'static str {
    match s {
        ProposalState::Seeking | ProposalState::Review => "wait",
        ProposalState::Agenda | ProposalState::Adopted => "doing",
        ProposalState::Done => "done",
        ProposalState::Rejected | ProposalState::Declined => "stop",
    }
}

/// The community a manager keeps rules for (their first).
fn managed_community(user: &linli_app::accounts::auth::Principal) -> Option<String> {
    scope_prefixes(&user.grants, Permission::ManageVotes)
        .into_iter()
        .find(|p| p.len() == 12)
}

#[derive(Template)]
#[template(path = "deliberation/proposals.html")]
struct ListPage {
    csrf: String,
    nav_user: Option<Nav>,
    rows: Vec<ProposalCard>,
    community: Option<String>,
    /// the caller's community, for its public board
    board: Option<String>,
    flash: Option<String>,
    flash_error: bool,
}

async fn list_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let rows = state.app.proposals(&user).await?;
    page(
        StatusCode::OK,
        &ListPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            rows,
            community: managed_community(&user),
            board: user
                .grants
                .iter()
                .find_map(|g| g.scope.community())
                .map(|c| c.to_string()),
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

async fn set_rules(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let n = |k: &str| f.get(k).trim().parse::<i64>().unwrap_or(0);
    let community = managed_community(&user).ok_or(linli_app::AppError::Forbidden)?;
    let r = state
        .app
        .set_deliberation_rules(
            &user,
            &community,
            n("threshold"),
            n("quorum"),
            &user.actor(&ip),
        )
        .await
        .map(|()| "已保存".to_owned());
    redirect_with("/proposals", Vec::new(), r)
}

#[derive(Template)]
#[template(path = "deliberation/proposal_new.html")]
struct NewPage {
    csrf: String,
    nav_user: Option<Nav>,
    scopes: Vec<ScopeChoice>,
    flash: Option<String>,
    flash_error: bool,
}

async fn new_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let scopes = state.app.proposal_scopes(&user).await?;
    page(
        StatusCode::OK,
        &NewPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            scopes,
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
    let input = ProposalInput {
        scope: f.get("scope"),
        title: f.get("title"),
        body: f.get("body"),
    };
    match state.app.propose(&user, &input, &user.actor(&ip)).await {
        Ok(id) => redirect_with(
            &format!("/proposals/{id}"),
            Vec::new(),
            Ok("已提出。请邻居们来附议吧".to_owned()),
        ),
        Err(e) => redirect_with("/proposals/new", Vec::new(), Err(e)),
    }
}

#[derive(Template)]
#[template(path = "deliberation/proposal.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<Nav>,
    p: ProposalView,
    meetings: Vec<MeetingCard>,
    comments: Vec<CommentView>,
    progress: Vec<ProgressLine>,
    spent: String,
    kinds: Vec<(&'static str, &'static str)>,
    today: String,
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
    let ProposalPage {
        view: p,
        meetings,
        comments,
        progress,
        spent,
    } = state.app.proposal_page(&user, id).await?;
    page(
        StatusCode::OK,
        &OnePage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            p,
            meetings,
            comments,
            progress,
            spent,
            kinds: MeetingKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label_zh()))
                .collect(),
            today: linli_app::today().to_string(),
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

fn back(id: i64, r: Result<String, linli_app::AppError>) -> Result<Response, WebError> {
    redirect_with(&format!("/proposals/{id}"), Vec::new(), r)
}

async fn support(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .support_proposal(&user, id, &user.actor(&ip))
        .await
        .map(|n| format!("已附议,现在 {n} 人附议"));
    back(id, r)
}

async fn move_on(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let to = f.get("to");
    let r = state
        .app
        .move_proposal(&user, id, &to, &f.get("answer"), &user.actor(&ip))
        .await
        .map(|()| {
            let label = to
                .parse::<ProposalState>()
                .map_or("", ProposalState::label_zh);
            format!("已改为“{label}”")
        });
    back(id, r)
}

async fn rate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let score = f.get("score").parse().unwrap_or(0);
    let r = state
        .app
        .rate_proposal(&user, id, score, &user.actor(&ip))
        .await
        .map(|()| "谢谢您的评价".to_owned());
    back(id, r)
}

async fn schedule(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let m = MeetingInput {
        kind: f.get("kind"),
        title: f.get("title"),
        held_on: f.get("held_on"),
        place: f.get("place"),
    };
    match state
        .app
        .schedule_meeting(&user, id, &m, &user.actor(&ip))
        .await
    {
        Ok(mid) => redirect_with(
            &format!("/meetings/{mid}"),
            Vec::new(),
            Ok("已安排会议。开完会在这里记录参会人员和纪要".to_owned()),
        ),
        Err(e) => back(id, Err(e)),
    }
}

#[derive(Template)]
#[template(path = "deliberation/meeting.html")]
struct MeetingPage {
    csrf: String,
    nav_user: Option<Nav>,
    m: MeetingView,
    flash: Option<String>,
    flash_error: bool,
}

async fn meeting_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let m = state.app.meeting(&user, id).await?;
    page(
        StatusCode::OK,
        &MeetingPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            m,
            flash_error: f.is_error(),
            flash: f.msg,
        },
    )
}

async fn record(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let r = MeetingRecord {
        attendees: f.get("attendees"),
        minutes: f.get("minutes"),
        decisions: f.get("decisions"),
        present: f.get("present"),
        votes_for: f.get("votes_for"),
        against: f.get("against"),
    };
    let out = state
        .app
        .record_meeting(&user, id, &r, &user.actor(&ip))
        .await
        .map(|()| "已发布会议纪要".to_owned());
    redirect_with(&format!("/meetings/{id}"), Vec::new(), out)
}

async fn comment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let parent = f.get("parent").parse::<i64>().ok();
    let r = state
        .app
        .comment(&user, id, parent, &f.get("body"), &user.actor(&ip))
        .await
        .map(|_| "已留言".to_owned());
    back(id, r)
}

async fn hide(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(comment): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let proposal: i64 = f.get("proposal").parse().unwrap_or(0);
    match state
        .app
        .hide_comment(&user, comment, &f.get("reason"), &user.actor(&ip))
        .await
    {
        Ok(pid) => back(pid, Ok("已隐藏这条留言".to_owned())),
        Err(e) => back(proposal, Err(e)),
    }
}

async fn progress(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let r = state
        .app
        .add_progress(&user, id, &f.get("body"), &f.get("spent"), &user.actor(&ip))
        .await
        .map(|()| "已记录办理进展".to_owned());
    back(id, r)
}
