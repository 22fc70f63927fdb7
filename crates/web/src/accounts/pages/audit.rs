//! 审计日志 — the audit log for auditors (三权分立), newest first, keyset paged.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::page;
use crate::http::util::{ClientIp, beijing_time};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use linli_domain::audit::AuditRecord;
use serde::{Deserialize, Serialize};

pub const PAGE: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit_page))
}

/// One audit record as shown and as the API returns it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub seq: i64,
    /// Beijing time, `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    pub source: String,
    pub detail: String,
}

impl From<AuditRecord> for AuditRow {
    fn from(r: AuditRecord) -> Self {
        AuditRow {
            seq: r.seq,
            at: beijing_time(r.at.0),
            actor: r.event.actor_name,
            action: r.event.action,
            object: r.event.object,
            outcome: r.event.outcome.as_str().to_owned(),
            source: r.event.source,
            detail: r.event.detail,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Only records with a smaller sequence number (the cursor of the next page).
    pub before: Option<i64>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Template)]
#[template(path = "accounts/audit.html")]
struct AuditPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    rows: Vec<AuditRow>,
    older: Option<i64>,
}

async fn audit_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let records = state.app.audit_log_page(&user, q.before, PAGE, &ip).await?;
    let older = (records.len() as i64 == PAGE)
        .then(|| records.last().map(|r| r.seq))
        .flatten();
    let rows = records.into_iter().map(AuditRow::from).collect();
    page(
        StatusCode::OK,
        &AuditPage {
            csrf: csrf.0,
            nav_user: Some(crate::http::nav::Nav::of(&user)),
            rows,
            older,
        },
    )
}
