//! 登录 / 退出

use crate::http::auth::{CookieNames, MaybeUser, PendingUser};
use crate::http::csrf::{CsrfToken, new_token};
use crate::http::error::WebError;
use crate::http::render::{page, see_other};
use crate::http::util::{ClientIp, local_path};
use crate::{AppState, http::ratelimit};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_app::AppError;
use linli_domain::secret::Secret;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    error: Option<String>,
    notice: Option<&'static str>,
    username: String,
    next: String,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    bye: Option<String>,
}

async fn login_page(
    Extension(csrf): Extension<CsrfToken>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<LoginQuery>,
) -> Result<Response, WebError> {
    if user.is_some() {
        return Ok(see_other("/home"));
    }
    let p = LoginPage {
        csrf: csrf.0,
        nav_user: None,
        error: None,
        notice: q.bye.map(|_| "您已安全退出。"),
        username: String::new(),
        next: local_path(q.next.as_deref()).unwrap_or_default(),
    };
    page(StatusCode::OK, &p)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let failed = |status: StatusCode, message: String| {
        let p = LoginPage {
            csrf: csrf.0.clone(),
            nav_user: None,
            error: Some(message),
            notice: None,
            username: f.username.chars().take(64).collect(),
            next: local_path(f.next.as_deref()).unwrap_or_default(),
        };
        page(status, &p)
    };
    if !ratelimit::allow(&state.login_limiter, &ip) {
        tracing::warn!("login attempts from one address over the limit");
        return failed(
            StatusCode::TOO_MANY_REQUESTS,
            "登录尝试过于频繁,请 1 分钟后再试".to_owned(),
        );
    }
    let password = Secret::new(f.password.clone());
    match state.app.login(&f.username, &password, &ip).await {
        Ok(ok) => {
            let names = CookieNames::new(state.config.secure_cookies);
            let next = local_path(f.next.as_deref());
            let to = if ok.second_factor {
                // the password alone is not a sign-in: the code comes next
                match next {
                    Some(n) => format!("/login/second?next={}", url_component(&n)),
                    None => "/login/second".to_owned(),
                }
            } else if ok.must_change_password {
                "/account/password".to_owned()
            } else {
                next.unwrap_or_else(|| "/home".to_owned())
            };
            let mut res = see_other(&to);
            let session = names.set(names.session, ok.session_secret.expose().to_owned(), None);
            // a new CSRF token with the new session
            let csrf_cookie = names.set(names.csrf, new_token(), None);
            for c in [session, csrf_cookie] {
                let v = HeaderValue::from_str(&c).map_err(|e| AppError::Internal(e.to_string()))?;
                res.headers_mut().append(SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(e @ (AppError::BadCredentials | AppError::Locked { .. } | AppError::Disabled)) => {
            let status = match e {
                AppError::Locked { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::Disabled => StatusCode::FORBIDDEN,
                _ => StatusCode::UNAUTHORIZED,
            };
            failed(status, e.to_string())
        }
        Err(e) => Err(e.into()),
    }
}

/// A path as one query value.
fn url_component(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned()
}

async fn logout(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    PendingUser(user): PendingUser,
) -> Result<Response, WebError> {
    state.app.logout(&user, &ip).await?;
    let names = CookieNames::new(state.config.secure_cookies);
    let mut res = see_other("/login?bye=1");
    let clear = names.set(names.session, String::new(), Some(0));
    let v = HeaderValue::from_str(&clear).map_err(|e| AppError::Internal(e.to_string()))?;
    res.headers_mut().append(SET_COOKIE, v);
    Ok(res)
}
