//! The web layer's one error type and the one place that turns errors
//! into responses: a Chinese page for people, `{"errors":[…]}` for the API.
//!
//! Handlers and extractors return [`WebError`]; its response carries an
//! [`ErrorInfo`] and no body. The `render_errors` middleware, which knows
//! the path, renders it. The same middleware renders the bare error
//! responses of axum's own rejections and tower layers (404, 405, 408,
//! 413, 415, 422), so no error ever reaches a client as plain text.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use linli_app::AppError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("请先登录")]
    LoginRequired,
    #[error("请先修改初始密码")]
    PasswordChangeRequired,
    #[error("请输入验证器里的 6 位验证码")]
    SecondFactorRequired,
    #[error("您的岗位须绑定验证器(双因素登录)后才能使用")]
    SecondFactorEnrol,
    #[error("安全校验失败,请刷新页面后重试")]
    Csrf,
    #[error("没有权限访问")]
    Forbidden,
    #[error("页面不存在")]
    NotFound,
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("{0}")]
    App(#[from] AppError),
}

/// What went wrong, attached to an error response for `render_errors`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorItem {
    /// A stable machine-readable code, e.g. `not_found`.
    pub code: String,
    /// A human-readable explanation (Chinese).
    pub detail: String,
}

/// The JSON error body of the API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub errors: Vec<ErrorItem>,
}

#[derive(Debug, Clone)]
pub struct ErrorInfo(pub ErrorItem);

/// Marks a response a handler rendered completely itself, error or not.
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

impl WebError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> WebError {
        WebError::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            WebError::LoginRequired => (StatusCode::UNAUTHORIZED, "login_required"),
            WebError::PasswordChangeRequired => (StatusCode::FORBIDDEN, "password_change_required"),
            WebError::SecondFactorRequired => (StatusCode::UNAUTHORIZED, "second_factor_required"),
            WebError::SecondFactorEnrol => (StatusCode::FORBIDDEN, "second_factor_enrol"),
            WebError::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            WebError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            WebError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            WebError::BadRequest { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            WebError::App(e) => match e {
                AppError::Account(_) | AppError::Access(_) | AppError::Invalid(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
                }
                AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
                AppError::Locked { .. } => (StatusCode::TOO_MANY_REQUESTS, "locked"),
                AppError::TooMany(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many"),
                AppError::Disabled => (StatusCode::FORBIDDEN, "disabled"),
                AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
                AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
                AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
                AppError::Store(_) | AppError::Internal(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal")
                }
            },
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let detail = if status.is_server_error() {
            // the cause goes to the log, never to the client
            tracing::error!(error = %self, "request failed");
            "服务器内部错误,请稍后再试".to_owned()
        } else {
            self.to_string()
        };
        let mut res = status.into_response();
        res.extensions_mut().insert(ErrorInfo(ErrorItem {
            code: code.to_owned(),
            detail,
        }));
        res
    }
}

/// The fallback for unknown routes.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The error a bare status stands for (axum rejections, tower layers).
fn info_for_status(status: StatusCode) -> ErrorItem {
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => ("not_found", "页面不存在"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "不支持该请求方法"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "提交的内容过大"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "不支持的内容类型"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "请求超时,请稍后再试"),
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
            ("bad_request", "请求格式不正确")
        }
        s if s.is_server_error() => ("internal", "服务器内部错误,请稍后再试"),
        _ => ("error", "请求无法完成"),
    };
    ErrorItem {
        code: code.to_owned(),
        detail: detail.to_owned(),
    }
}

/// Renders every error response that a handler did not render itself.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || res.extensions().get::<Rendered>().is_some()
    {
        return res;
    }
    let info = res.extensions().get::<ErrorInfo>().map(|i| i.0.clone());
    let (mut parts, body) = res.into_parts();
    let item = match info {
        Some(i) => i,
        None => {
            let mut item = info_for_status(status);
            // an API client gets the rejection's own text (e.g. which JSON field is wrong)
            if is_api(&path)
                && status.is_client_error()
                && let Ok(bytes) = axum::body::to_bytes(body, 4096).await
            {
                let text = String::from_utf8_lossy(&bytes).trim().to_owned();
                if !text.is_empty() {
                    item.detail = format!("{}: {text}", item.detail);
                }
            }
            item
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    if is_api(&path) {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let body = serde_json::to_vec(&ErrorBody { errors: vec![item] }).unwrap_or_default();
        return Response::from_parts(parts, Body::from(body));
    }
    match item.code.as_str() {
        "login_required" => {
            let next = url_escape(&path_and_query);
            return Redirect::to(&format!("/login?next={next}")).into_response();
        }
        "password_change_required" => return Redirect::to("/account/password").into_response(),
        "second_factor_required" => return Redirect::to("/login/second").into_response(),
        "second_factor_enrol" => return Redirect::to("/account/second-factor").into_response(),
        _ => {}
    }
    let page = ErrorPage {
        status: status.as_u16(),
        message: item.detail,
    };
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    let html = page
        .render()
        .unwrap_or_else(|_| "<h1>出错了</h1>".to_owned());
    Response::from_parts(parts, Body::from(html))
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A full Chinese page for an error status.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}
