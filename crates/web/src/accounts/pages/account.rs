//! 账号 — change my password, my access tokens.

use crate::AppState;
use crate::http::auth::{CurrentUser, SessionUser};
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::{page, see_other};
use crate::http::util::{ClientIp, beijing_time};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_app::AppError;
use linli_app::accounts::TokenRecord;
use linli_domain::secret::Secret;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
        .route("/account/tokens", get(tokens_page).post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

#[derive(Template)]
#[template(path = "accounts/password.html")]
struct PasswordPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    must_change: bool,
    error: Option<String>,
}

async fn password_page(
    Extension(csrf): Extension<CsrfToken>,
    SessionUser(user): SessionUser,
) -> Result<Response, WebError> {
    let p = PasswordPage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(&user)),
        must_change: user.must_change_password,
        error: None,
    };
    page(StatusCode::OK, &p)
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
    /// the checkbox "同时撤销全部访问令牌": present (checked) by default
    revoke_tokens: Option<String>,
}

async fn change_password(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    SessionUser(user): SessionUser,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let result = if f.new != f.confirm {
        Err(AppError::Invalid("两次输入的新密码不一致".to_owned()))
    } else {
        state
            .app
            .change_password_with(
                &user,
                &Secret::new(f.current),
                &Secret::new(f.new),
                f.revoke_tokens.is_some(),
                &ip,
            )
            .await
    };
    match result {
        Ok(()) => Ok(see_other("/home?changed=1")),
        Err(e @ (AppError::Invalid(_) | AppError::Account(_))) => {
            let p = PasswordPage {
                csrf: csrf.0,
                nav_user: Some(crate::http::nav::Nav::of(&user)),
                must_change: user.must_change_password,
                error: Some(e.to_string()),
            };
            page(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(e.into()),
    }
}

/// A token as listed.
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

impl From<TokenRecord> for TokenView {
    fn from(t: TokenRecord) -> Self {
        TokenView {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: beijing_time(t.created_at.0),
            last_used: t
                .last_used_at
                .map(|x| beijing_time(x.0))
                .unwrap_or_else(|| "从未".to_owned()),
            revoked: t.revoked_at.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/tokens.html")]
struct TokensPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    tokens: Vec<TokenView>,
    issued: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/_token_row.html")]
struct TokenRow {
    csrf: String,
    t: TokenView,
}

async fn tokens_view(
    state: &AppState,
    csrf: String,
    user: &linli_app::accounts::auth::Principal,
    issued: Option<String>,
    error: Option<String>,
) -> Result<TokensPage, WebError> {
    let tokens = state
        .app
        .list_tokens(user)
        .await?
        .into_iter()
        .map(TokenView::from)
        .collect();
    Ok(TokensPage {
        csrf,
        nav_user: Some(crate::http::nav::Nav::of(user)),
        tokens,
        issued,
        error,
    })
}

async fn tokens_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, WebError> {
    page(
        StatusCode::OK,
        &tokens_view(&state, csrf.0, &user, None, None).await?,
    )
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<TokenForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .create_token(&user.username, &f.name, &user.actor(&ip))
        .await
    {
        Ok(t) => {
            let view = tokens_view(
                &state,
                csrf.0,
                &user,
                Some(t.secret.expose().to_owned()),
                None,
            )
            .await?;
            page(StatusCode::OK, &view)
        }
        Err(AppError::Invalid(msg)) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &tokens_view(&state, csrf.0, &user, None, Some(msg)).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// Revokes a token; htmx gets the updated row, a plain form a redirect.
async fn revoke_token(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    state.app.revoke_token(&user, id, &ip).await?;
    if !headers.contains_key("hx-request") {
        return Ok(see_other("/account/tokens"));
    }
    let row = state
        .app
        .list_tokens(&user)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(WebError::NotFound)?;
    page(
        StatusCode::OK,
        &TokenRow {
            csrf: csrf.0,
            t: row.into(),
        },
    )
}
