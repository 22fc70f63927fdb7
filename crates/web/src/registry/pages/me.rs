//! 我的信息 — a resident's own data (PIPL arts. 44–47): see it, download
//! it, ask for a correction.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::page;
use crate::http::util::ClientIp;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Form, Router};
use linli_app::registry::pipl::{CORRECTABLE, MyData};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/me", get(me_page).post(correct))
}

#[derive(Template)]
#[template(path = "registry/me.html")]
struct MePage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    data: Option<MyData>,
    fields: &'static [&'static str],
    notice: Option<String>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    user: &linli_app::accounts::auth::Principal,
    csrf: String,
    ip: &str,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (data, error, status) = match state.app.my_data(user, &user.actor(ip)).await {
        Ok(d) => (Some(d), error, status),
        Err(linli_app::AppError::Invalid(m)) => (None, Some(m), StatusCode::OK),
        Err(e) => return Err(e.into()),
    };
    let p = MePage {
        csrf,
        nav_user: Some(crate::http::nav::Nav::of(user)),
        data,
        fields: &CORRECTABLE,
        notice,
        error,
    };
    page(status, &p)
}

async fn me_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
) -> Result<Response, WebError> {
    render(&state, &user, csrf.0, &ip, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct CorrectionForm {
    field: String,
    value: String,
    #[serde(default)]
    note: String,
}

async fn correct(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<CorrectionForm>,
) -> Result<Response, WebError> {
    let outcome = state
        .app
        .request_correction(&user, &f.field, &f.value, &f.note, &user.actor(&ip))
        .await;
    match outcome {
        Ok(_) => {
            let notice = Some("更正申请已提交,社区将尽快核实处理".to_owned());
            render(&state, &user, csrf.0, &ip, notice, None, StatusCode::OK).await
        }
        Err(linli_app::AppError::Invalid(m)) => {
            render(
                &state,
                &user,
                csrf.0,
                &ip,
                None,
                Some(m),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
