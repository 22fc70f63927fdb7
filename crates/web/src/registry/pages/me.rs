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
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_app::registry::binding::Binding;
use linli_app::registry::pipl::{CORRECTABLE, MyData};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me_page).post(correct))
        .route("/me/bind", post(bind))
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
    /// not yet bound: where the binding stands (the form shows unless pending)
    binding: Option<Binding>,
    /// what the resident typed, kept on an error (never the ID number)
    typed: (String, String),
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
    render_with(
        state,
        user,
        csrf,
        ip,
        notice,
        error,
        status,
        Default::default(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_with(
    state: &AppState,
    user: &linli_app::accounts::auth::Principal,
    csrf: String,
    ip: &str,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
    typed: (String, String),
) -> Result<Response, WebError> {
    let (data, error, status) = match state.app.my_data(user, &user.actor(ip)).await {
        Ok(d) => (Some(d), error, status),
        // not bound yet: the binding form says so itself
        Err(linli_app::AppError::Invalid(_)) => (None, error, status),
        Err(e) => return Err(e.into()),
    };
    let binding = match data {
        Some(_) => None,
        None => Some(state.app.binding(user).await?),
    };
    let p = MePage {
        csrf,
        nav_user: Some(crate::http::nav::Nav::of(user)),
        data,
        fields: &CORRECTABLE,
        notice,
        error,
        binding,
        typed,
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

#[derive(Deserialize)]
struct BindForm {
    name: String,
    id_number: String,
    phone: String,
}

/// 实名绑定: the resident's name, ID number and phone, checked against the
/// registry; staff confirm. The numbers travel in the body only.
async fn bind(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<BindForm>,
) -> Result<Response, WebError> {
    let outcome = state
        .app
        .request_binding(&user, &f.name, &f.id_number, &f.phone, &user.actor(&ip))
        .await;
    let (notice, error, status, typed) = match outcome {
        Ok(()) => (
            Some("已核对一致,请等社区确认;确认后会在“消息”里通知您".to_owned()),
            None,
            StatusCode::OK,
            Default::default(),
        ),
        Err(
            e @ (linli_app::AppError::Invalid(_)
            | linli_app::AppError::Conflict(_)
            | linli_app::AppError::TooMany(_)),
        ) => {
            let status = if matches!(e, linli_app::AppError::TooMany(_)) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            (None, Some(e.to_string()), status, (f.name, f.phone))
        }
        Err(e) => return Err(e.into()),
    };
    render_with(&state, &user, csrf.0, &ip, notice, error, status, typed).await
}
