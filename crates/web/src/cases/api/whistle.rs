//! `/api/v1/cases/{id}/whistle` — 社区吹哨、部门报到: the departments a case
//! may be escalated to, blowing the whistle, and a department reporting in.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::http::util::ClientIp;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use linli_app::cases::whistle::{CallView, Department, WhistleInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases/{id}/departments", get(departments))
        .route("/api/v1/cases/{id}/whistle", post(whistle))
        .route("/api/v1/cases/{id}/report-in", post(report_in))
}

/// A street department (its handler account) a case can be escalated to.
#[derive(Serialize, ToSchema)]
pub struct DepartmentOut {
    pub user_id: i64,
    pub name: String,
}

impl From<Department> for DepartmentOut {
    fn from(d: Department) -> Self {
        DepartmentOut {
            user_id: d.user_id,
            name: d.name,
        }
    }
}

/// One department called and where it stands.
#[derive(Serialize, ToSchema)]
pub struct CallOut {
    pub department_id: i64,
    pub department: String,
    pub raised_by: String,
    pub reason: String,
    /// unix ms
    pub raised_at: i64,
    /// the report-in deadline, unix ms
    pub due_at: i64,
    pub acked_at: Option<i64>,
    pub ack_by: Option<String>,
    pub ack_note: Option<String>,
    /// waiting, overdue, on_time or late
    pub state: String,
    pub state_label: String,
}

impl From<CallView> for CallOut {
    fn from(CallView { call: w, state }: CallView) -> Self {
        CallOut {
            department_id: w.dept_user_id,
            department: w.dept_name,
            raised_by: w.raised_by_name,
            reason: w.reason,
            raised_at: w.raised_at.0,
            due_at: w.due_at.0,
            acked_at: w.acked_at.map(|t| t.0),
            ack_by: w.ack_by_name,
            ack_note: w.ack_note,
            state: state.as_str().to_owned(),
            state_label: state.label_zh().to_owned(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/departments", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = [DepartmentOut]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn departments(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DepartmentOut>>, WebError> {
    let list = state.app.departments_for(&u, id).await?;
    Ok(Json(list.into_iter().map(DepartmentOut::from).collect()))
}

/// 吹哨: the departments to call (ids from `departments`), the hours they
/// have to report in (1–168, default 24) and why.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhistleIn {
    pub departments: Vec<i64>,
    pub hours: Option<u32>,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/whistle", tag = "cases", request_body = WhistleIn, params(("id" = i64, Path)),
    responses((status = 201, body = [CallOut]), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn whistle(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<WhistleIn>,
) -> Result<(axum::http::StatusCode, Json<Vec<CallOut>>), WebError> {
    let input = WhistleInput {
        departments: body.departments,
        hours: body.hours,
        reason: body.reason,
    };
    let called = state
        .app
        .whistle_case(&u, id, &input, &u.actor(&ip))
        .await?;
    let out = called.into_iter().map(CallOut::from).collect();
    Ok((axum::http::StatusCode::CREATED, Json(out)))
}

/// 报到: the called department reports in, with an optional note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInIn {
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/report-in", tag = "cases", request_body = ReportInIn, params(("id" = i64, Path)),
    responses((status = 200, body = CallOut), (status = 422, description = "not called, or already reported in", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn report_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<ReportInIn>,
) -> Result<Json<CallOut>, WebError> {
    let call = state
        .app
        .report_in(&u, id, &body.note, &u.actor(&ip))
        .await?;
    Ok(Json(call.into()))
}
