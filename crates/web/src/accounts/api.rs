//! Account API: the caller, personal access tokens, the audit log.

use crate::AppState;
use crate::accounts::pages::account::TokenView;
use crate::accounts::pages::audit::{AuditQuery, AuditRow};
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::http::util::ClientIp;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
        .route("/api/v1/audit", get(audit_log))
}

/// The caller's account.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub must_change_password: bool,
    pub roles: Vec<RoleGrant>,
}

/// A role held on a territory node (12-digit region code); it reaches the node's subtree.
#[derive(Serialize, ToSchema)]
pub struct RoleGrant {
    #[schema(example = "grid_worker")]
    pub role: String,
    #[schema(example = "网格员")]
    pub role_label: String,
    #[schema(example = "220103008003")]
    pub scope: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, description = "not authenticated", body = ErrorBody)))]
pub(crate) async fn me(CurrentUser(u): CurrentUser) -> Json<Me> {
    Json(Me {
        id: u.user_id,
        username: u.username,
        display_name: u.display_name,
        must_change_password: u.must_change_password,
        roles: u
            .grants
            .iter()
            .map(|g| RoleGrant {
                role: g.role.as_str().to_owned(),
                role_label: g.role.label_zh().to_owned(),
                scope: g.scope.to_string(),
            })
            .collect(),
    })
}

/// A personal access token (never its secret).
#[derive(Serialize, ToSchema)]
pub struct Token {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

impl From<TokenView> for Token {
    fn from(t: TokenView) -> Self {
        Token {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: t.created,
            last_used: t.last_used,
            revoked: t.revoked,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts",
    responses((status = 200, body = [Token]), (status = 401, body = ErrorBody)))]
pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
) -> Result<Json<Vec<Token>>, WebError> {
    let list = state.app.list_tokens(&u).await?;
    Ok(Json(
        list.into_iter()
            .map(|t| Token::from(TokenView::from(t)))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// 1–60 characters.
    pub name: String,
}

/// The new token; `token` is shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn create_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), WebError> {
    let t = state
        .app
        .create_token(&u.username, &body.name, &u.actor(&ip))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: t.id,
            token: t.secret.expose().to_owned(),
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "token id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.app.revoke_token(&u, id, &ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit log, newest first (auditors only: 三权分立).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = [AuditRow]), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn audit_log(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditRow>>, WebError> {
    let records = state
        .app
        .audit_log_page(&u, q.before, q.limit.unwrap_or(50), &ip)
        .await?;
    Ok(Json(records.into_iter().map(AuditRow::from).collect()))
}
