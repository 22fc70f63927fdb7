//! 双因素登录 pages: the code after the password (`/login/second`), and
//! binding an authenticator app with its recovery codes
//! (`/account/second-factor`).

use crate::AppState;
use crate::http::auth::{PendingUser, SessionUser};
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::{page, see_other};
use crate::http::util::{ClientIp, local_path};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_app::AppError;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/second", get(code_page).post(check_code))
        .route("/account/second-factor", get(status_page).post(begin))
        .route("/account/second-factor/confirm", post(confirm))
}

#[derive(Template)]
#[template(path = "accounts/second_login.html")]
struct CodePage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    error: Option<String>,
    next: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn code_page(
    Extension(csrf): Extension<CsrfToken>,
    PendingUser(user): PendingUser,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let p = CodePage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(&user)),
        error: None,
        next: local_path(q.next.as_deref()).unwrap_or_default(),
    };
    page(StatusCode::OK, &p)
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
    next: Option<String>,
}

async fn check_code(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    PendingUser(user): PendingUser,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .pass_second_factor(&user, &f.code, &user.actor(&ip))
        .await
    {
        Ok(()) => {
            let to = if user.must_change_password {
                "/account/password".to_owned()
            } else {
                local_path(f.next.as_deref()).unwrap_or_else(|| "/home".to_owned())
            };
            Ok(see_other(&to))
        }
        Err(AppError::TooMany(_)) => Ok(see_other("/login")),
        Err(e @ AppError::Invalid(_)) => {
            let p = CodePage {
                csrf: csrf.0,
                nav_user: Some(crate::http::nav::Nav::of(&user)),
                error: Some(e.to_string()),
                next: local_path(f.next.as_deref()).unwrap_or_default(),
            };
            page(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(e.into()),
    }
}

/// What the binding page shows.
enum Step {
    /// bound or not, with the recovery codes left
    Status { on: bool, left: i64, required: bool },
    /// scan this, then type the first code
    Scan { svg: String, secret: String },
    /// bound: the recovery codes, this once
    Codes(Vec<String>),
}

#[derive(Template)]
#[template(path = "accounts/second_factor.html")]
struct BindPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    error: Option<String>,
    step: Step,
}

async fn status_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    SessionUser(user): SessionUser,
) -> Result<Response, WebError> {
    let (on, left) = state.app.second_factor_of(user.user_id).await?;
    let required =
        state.app.gate(&user).await? == linli_app::accounts::second_factor::Gate::EnrolFirst;
    let p = BindPage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(&user)),
        error: None,
        step: Step::Status { on, left, required },
    };
    page(StatusCode::OK, &p)
}

async fn scan_page(
    state: &AppState,
    csrf: String,
    user: &linli_app::accounts::auth::Principal,
    password: Option<&linli_domain::secret::Secret>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let e = match state.app.totp_begin(user, password).await {
        Ok(e) => e,
        Err(e @ AppError::Invalid(_)) => {
            let (on, left) = state.app.second_factor_of(user.user_id).await?;
            let p = BindPage {
                csrf,
                nav_user: Some(crate::http::nav::Nav::of(user)),
                error: Some(e.to_string()),
                step: Step::Status {
                    on,
                    left,
                    required: false,
                },
            };
            return page(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
        Err(e) => return Err(e.into()),
    };
    let p = BindPage {
        csrf,
        nav_user: Some(crate::http::nav::Nav::of(user)),
        error,
        step: Step::Scan {
            svg: crate::http::qr::svg(e.url.expose())?,
            secret: e.secret.expose().to_owned(),
        },
    };
    page(StatusCode::OK, &p)
}

#[derive(Deserialize)]
struct BeginForm {
    /// needed to bind again when an authenticator is bound
    password: Option<String>,
}

async fn begin(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    SessionUser(user): SessionUser,
    Form(f): Form<BeginForm>,
) -> Result<Response, WebError> {
    let password = f.password.map(linli_domain::secret::Secret::new);
    scan_page(&state, csrf.0, &user, password.as_ref(), None).await
}

#[derive(Deserialize)]
struct ConfirmForm {
    code: String,
}

async fn confirm(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    SessionUser(user): SessionUser,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .totp_confirm(&user, &f.code, &user.actor(&ip))
        .await
    {
        Ok(codes) => {
            let p = BindPage {
                csrf: csrf.0,
                nav_user: Some(crate::http::nav::Nav::of(&user)),
                error: None,
                step: Step::Codes(codes.iter().map(|c| c.expose().to_owned()).collect()),
            };
            page(StatusCode::OK, &p)
        }
        // a wrong first code: a fresh secret to scan again
        Err(e @ AppError::Invalid(_)) => {
            scan_page(&state, csrf.0, &user, None, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}
