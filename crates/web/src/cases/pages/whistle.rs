//! 吹哨报到 on the case page: the calls table, the community's 吹哨 form
//! and the called department's 报到 button.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::WebError;
use crate::http::render::redirect_with;
use crate::http::util::{ClientIp, beijing_time};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::{Form, Router};
use linli_app::AppError;
use linli_app::accounts::auth::Principal;
use linli_app::cases::CaseView;
use linli_app::cases::whistle::WhistleInput;
use linli_domain::cases::whistle::{AckState, DEFAULT_ACK_HOURS, may_whistle};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/whistle", post(whistle))
        .route("/cases/{id}/report-in", post(report_in))
}

/// One called department as the page lists it.
pub struct CallLine {
    pub department: String,
    pub raised: String,
    pub reason: String,
    pub due: String,
    pub acked: String,
    pub note: String,
    pub state: &'static str,
    pub late: bool,
}

/// The page's 吹哨报到 section.
pub struct WhistleBox {
    pub calls: Vec<CallLine>,
    /// the departments the caller may call now (empty: no form)
    pub departments: Vec<(i64, String)>,
    pub default_hours: u32,
    /// the caller is a department called and not yet reported in
    pub may_report_in: bool,
}

/// The section for `v` as `user` sees it; `manager` is whether they may
/// blow the whistle on it.
pub async fn section(
    state: &AppState,
    user: &Principal,
    v: &CaseView,
    manager: bool,
) -> Result<WhistleBox, WebError> {
    let departments = if manager && may_whistle(v.state) {
        let waiting: Vec<i64> = v
            .calls
            .iter()
            .filter(|c| c.call.acked_at.is_none())
            .map(|c| c.call.dept_user_id)
            .collect();
        state
            .app
            .departments_for(user, v.case.id)
            .await?
            .into_iter()
            .filter(|d| !waiting.contains(&d.user_id))
            .map(|d| (d.user_id, d.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(WhistleBox {
        calls: v
            .calls
            .iter()
            .map(|c| CallLine {
                department: c.call.dept_name.clone(),
                raised: format!(
                    "{} {}",
                    beijing_time(c.call.raised_at.0),
                    c.call.raised_by_name
                ),
                reason: c.call.reason.clone(),
                due: beijing_time(c.call.due_at.0),
                acked: c
                    .call
                    .acked_at
                    .map(|t| beijing_time(t.0))
                    .unwrap_or_default(),
                note: c.call.ack_note.clone().unwrap_or_default(),
                state: c.state.label_zh(),
                late: matches!(c.state, AckState::Overdue | AckState::Late),
            })
            .collect(),
        departments,
        default_hours: DEFAULT_ACK_HOURS,
        may_report_in: v
            .calls
            .iter()
            .any(|c| c.call.dept_user_id == user.user_id && c.call.acked_at.is_none()),
    })
}

/// The 吹哨 form: `departments` repeated (checkboxes), `hours`, `reason`.
fn whistle_input(pairs: &[(String, String)]) -> Result<WhistleInput, AppError> {
    let mut input = WhistleInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "departments" => input.departments.push(
                v.parse()
                    .map_err(|_| AppError::Invalid("所选部门无效".into()))?,
            ),
            "hours" if !v.trim().is_empty() => {
                input.hours = Some(
                    v.trim()
                        .parse()
                        .map_err(|_| AppError::Invalid("报到时限须为小时数".into()))?,
                );
            }
            "reason" => input.reason.clone_from(v),
            _ => {}
        }
    }
    Ok(input)
}

async fn whistle(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let r = match whistle_input(&pairs) {
        Ok(input) => state
            .app
            .whistle_case(&user, id, &input, &user.actor(&ip))
            .await
            .map(|called| format!("已吹哨,通知 {} 个部门报到", called.len())),
        Err(e) => Err(e),
    };
    redirect_with(&format!("/cases/{id}"), Vec::new(), r)
}

async fn report_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let note = pairs
        .iter()
        .find(|(k, _)| k == "note")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let r = state
        .app
        .report_in(&user, id, note, &user.actor(&ip))
        .await
        .map(|c| format!("已报到({})", c.state.label_zh()));
    redirect_with(&format!("/cases/{id}"), Vec::new(), r)
}
