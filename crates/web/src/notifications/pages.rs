//! 消息 — the caller's in-app inbox: notifications newest first, the
//! department's calls waiting for 报到, and marking read (one by opening
//! it, or all at once).

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::{page, redirect_with, see_other};
use crate::http::util::{beijing_time, local_path};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox_page))
        .route("/inbox/read", post(read_all))
        .route("/inbox/{id}", get(open))
}

/// One thing the person was told about: the newest message of it, and
/// how many there are and are unread.
struct Line {
    id: i64,
    title: String,
    body: String,
    at: String,
    count: i64,
    unread: i64,
}

struct CallLine {
    case_id: i64,
    reason: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "notifications/inbox.html")]
struct InboxPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    unread: i64,
    items: Vec<Line>,
    calls: Vec<CallLine>,
    flash: Option<String>,
}

#[derive(Deserialize)]
struct Flash {
    msg: Option<String>,
}

async fn inbox_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(flash): Query<Flash>,
) -> Result<Response, WebError> {
    let (groups, unread) = state.app.notification_groups(&user).await?;
    let calls = state.app.calls_waiting(&user).await?;
    let p = InboxPage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(&user)),
        unread,
        items: groups
            .into_iter()
            .map(|g| Line {
                id: g.newest.id,
                title: g.newest.title,
                body: g.newest.body,
                at: beijing_time(g.newest.created_at.0),
                count: g.count,
                unread: g.unread,
            })
            .collect(),
        calls: calls
            .into_iter()
            .map(|c| CallLine {
                case_id: c.call.case_id,
                reason: c.call.reason,
                due: beijing_time(c.call.due_at.0),
                overdue: c.state == linli_domain::cases::whistle::AckState::Overdue,
            })
            .collect(),
        flash: flash.msg,
    };
    page(StatusCode::OK, &p)
}

/// Opens a notification: marks it and the others about the same thing
/// read, and follows its link (a local path only), or back to the inbox.
async fn open(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let to = state
        .app
        .open_notification(&user, id)
        .await?
        .and_then(|n| local_path(n.link.as_deref()))
        .unwrap_or_else(|| "/inbox".to_owned());
    Ok(see_other(&to))
}

async fn read_all(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, WebError> {
    let n = state.app.mark_read(&user, None).await;
    redirect_with(
        "/inbox",
        Vec::new(),
        n.map(|n| format!("已将 {n} 条消息标为已读")),
    )
}
