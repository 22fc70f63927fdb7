//! `/api/v1/notifications`: the caller's in-app inbox, marking read, and
//! the live stream (server-sent events) that pushes the unread count
//! whenever something new arrives.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use linli_app::notifications::InboxState;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::time::Duration;
use tokio::time::Instant;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v1/notifications/read", post(mark_read))
        .route(
            "/api/v1/notifications/stream",
            get(stream).layer(axum::Extension(crate::http::auth::Background)),
        )
}

#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    /// unix ms
    pub created_at: i64,
    pub read: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<NotificationOut>,
}

/// The caller's in-app notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "accounts",
    responses((status = 200, body = Inbox), (status = 401, body = ErrorBody)))]
pub async fn notifications(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
) -> Result<Json<Inbox>, WebError> {
    let (items, unread) = state.app.notifications(&u).await?;
    Ok(Json(Inbox {
        unread,
        items: items
            .into_iter()
            .map(|n| NotificationOut {
                id: n.id,
                kind: n.kind,
                title: n.title,
                body: n.body,
                link: n.link,
                created_at: n.created_at.0,
                read: n.read,
            })
            .collect(),
    }))
}

/// Which notifications to mark read: one `id`, or all when it is absent.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    pub id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Marked {
    pub marked: u64,
    pub unread: i64,
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "accounts", request_body = MarkRead,
    responses((status = 200, body = Marked), (status = 401, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Json(body): Json<MarkRead>,
) -> Result<Json<Marked>, WebError> {
    let marked = state.app.mark_read(&u, body.id).await?;
    let unread = state.app.inbox_state(&u).await?.unread;
    Ok(Json(Marked { marked, unread }))
}

/// A stream lives this long; the browser's EventSource reconnects (and so
/// signs in again) by itself.
const STREAM_LIFE: Duration = Duration::from_secs(600);
/// Without a ring, the stream still looks this often (another process
/// may have written).
const POLL: Duration = Duration::from_secs(20);
/// After a ring, wait this long so a burst of commits sends one event.
const COALESCE: Duration = Duration::from_millis(200);

/// Live inbox: an `inbox` event `{"unread":n,"newest":id}` at once and
/// whenever either changes.
#[utoipa::path(get, path = "/api/v1/notifications/stream", tag = "accounts",
    responses((status = 200, description = "text/event-stream of `inbox` events", content_type = "text/event-stream"),
        (status = 401, body = ErrorBody)))]
pub async fn stream(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, WebError> {
    // subscribe before the first read: a ring after it is never missed
    let bell = state.app.bell();
    let first = state.app.inbox_state(&u).await?;
    let start = (state, u, bell, first, true, Instant::now() + STREAM_LIFE);
    let events =
        futures_util::stream::unfold(start, |(state, u, mut bell, last, fresh, end)| async move {
            if fresh {
                return Some((inbox_event(last), (state, u, bell, last, false, end)));
            }
            loop {
                let left = end.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return None;
                }
                if let Ok(Ok(())) = tokio::time::timeout(POLL.min(left), bell.changed()).await {
                    tokio::time::sleep(COALESCE).await;
                    bell.mark_unchanged();
                }
                // a failed read ends the stream; the browser reconnects
                let now = state.app.inbox_state(&u).await.ok()?;
                if now != last {
                    return Some((inbox_event(now), (state, u, bell, now, false, end)));
                }
            }
        });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

fn inbox_event(s: InboxState) -> Result<Event, Infallible> {
    Ok(Event::default().event("inbox").data(format!(
        r#"{{"unread":{},"newest":{}}}"#,
        s.unread, s.newest
    )))
}
