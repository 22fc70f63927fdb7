//! 账号管理 (`/admin/users`): the accounts a community secretary, street
//! or district administrator looks after — create (with a one-time
//! password), grant and revoke roles below their own within their scope,
//! reset a password, disable and enable; a security administrator sees
//! every account's lockouts and clears them. The rules are the app's.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::{page, see_other};
use crate::http::util::{ClientIp, beijing_time};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_app::AppError;
use linli_app::accounts::admin::{AccountView, ScopeChoice};
use linli_app::accounts::auth::Principal;
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::accounts::admin::{administers, grantable, manages_lockouts};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_page).post(create))
        .route("/admin/users/{id}", get(one_page))
        .route("/admin/users/{id}/grant", post(grant))
        .route("/admin/users/{id}/revoke", post(revoke))
        .route("/admin/users/{id}/reset", post(reset))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/admin/users/{id}/unlock", post(unlock))
}

/// One account as a row of the list.
struct Line {
    id: i64,
    username: String,
    display_name: String,
    /// `网格员 · 长山花园社区 第一网格`
    roles: Vec<String>,
    disabled: bool,
    must_change: bool,
    second_factor: bool,
    last_login: String,
    failed: i64,
    locked: i64,
    /// (role code, scope code, label) for the revoke buttons
    grants: Vec<(String, String, String)>,
}

async fn line(state: &AppState, a: AccountView) -> Result<Line, WebError> {
    let codes: Vec<RegionCode> = a.row.grants.iter().map(|g| g.scope.clone()).collect();
    let places = state.app.scope_labels(&codes).await?;
    let grants: Vec<(String, String, String)> = a
        .row
        .grants
        .iter()
        .zip(places)
        .map(|(g, p)| {
            (
                g.role.as_str().to_owned(),
                g.scope.to_string(),
                format!("{} · {p}", g.role.label_zh()),
            )
        })
        .collect();
    Ok(Line {
        id: a.row.user.id,
        username: a.row.user.username,
        display_name: a.row.user.display_name,
        roles: grants.iter().map(|g| g.2.clone()).collect(),
        disabled: a.row.user.disabled,
        must_change: a.row.user.must_change_password,
        second_factor: a.second_factor,
        last_login: a
            .row
            .user
            .last_login_at
            .map_or_else(|| "从未登录".to_owned(), |t| beijing_time(t.0)),
        failed: a.row.failed_logins,
        locked: a.locked_sources,
        grants,
    })
}

fn may_open(user: &Principal) -> Result<(), WebError> {
    if administers(&user.grants) || manages_lockouts(&user.grants) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

/// The roles `user` may hand out: (code, label).
fn role_choices(user: &Principal) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for g in &user.grants {
        for r in grantable(g.role) {
            if !out.iter().any(|(c, _)| *c == r.as_str()) {
                out.push((r.as_str(), r.label_zh()));
            }
        }
    }
    out
}

#[derive(Template)]
#[template(path = "accounts/admin_users.html")]
struct ListPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    lines: Vec<Line>,
    roles: Vec<(&'static str, &'static str)>,
    scopes: Vec<ScopeChoice>,
    error: Option<String>,
    /// (user name, one-time password) just made
    created: Option<(String, String)>,
}

async fn list_view(
    state: &AppState,
    csrf: String,
    user: &Principal,
    error: Option<String>,
    created: Option<(String, String)>,
) -> Result<Response, WebError> {
    may_open(user)?;
    let mut lines = Vec::new();
    for a in state.app.admin_accounts(user).await? {
        lines.push(line(state, a).await?);
    }
    let p = ListPage {
        csrf,
        nav_user: Some(crate::http::nav::Nav::of(user)),
        lines,
        roles: role_choices(user),
        scopes: state.app.admin_scope_choices(user).await?,
        error,
        created,
    };
    let status = if p.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(status, &p)
}

async fn list_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, WebError> {
    list_view(&state, csrf.0, &user, None, None).await
}

#[derive(Deserialize)]
struct NewForm {
    username: String,
    display_name: String,
    role: String,
    scope: String,
}

fn grant_of(role: &str, scope: &str) -> Result<Grant, AppError> {
    Ok(Grant {
        role: role
            .parse::<Role>()
            .map_err(|_| AppError::Invalid("请选择岗位".into()))?,
        scope: scope
            .parse::<RegionCode>()
            .map_err(|_| AppError::Invalid("请选择管辖范围".into()))?,
    })
}

async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<NewForm>,
) -> Result<Response, WebError> {
    may_open(&user)?;
    let made = match grant_of(&f.role, &f.scope) {
        Ok(g) => {
            state
                .app
                .admin_create_account(&user, &f.username, &f.display_name, g, &user.actor(&ip))
                .await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok((_, password)) => {
            let created = Some((
                f.username.trim().to_lowercase(),
                password.expose().to_owned(),
            ));
            list_view(&state, csrf.0, &user, None, created).await
        }
        Err(
            e @ (AppError::Invalid(_)
            | AppError::Conflict(_)
            | AppError::Account(_)
            | AppError::Forbidden),
        ) => {
            let msg = match e {
                AppError::Forbidden => "只能在自己的管辖范围内设置比自己低的岗位".to_owned(),
                AppError::Conflict(_) => "该用户名已被使用".to_owned(),
                other => other.to_string(),
            };
            list_view(&state, csrf.0, &user, Some(msg), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "accounts/admin_user.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    a: Line,
    roles: Vec<(&'static str, &'static str)>,
    scopes: Vec<ScopeChoice>,
    can_admin: bool,
    can_unlock: bool,
    notice: Option<String>,
    /// a one-time password just set
    password: Option<String>,
}

async fn one_view(
    state: &AppState,
    csrf: String,
    user: &Principal,
    id: i64,
    notice: Option<String>,
    password: Option<String>,
) -> Result<Response, WebError> {
    may_open(user)?;
    let a = state.app.admin_account(user, id).await?;
    let can_admin = id != user.user_id
        && linli_domain::accounts::admin::may_administer(&user.grants, &a.row.grants);
    let p = OnePage {
        csrf,
        nav_user: Some(crate::http::nav::Nav::of(user)),
        a: line(state, a).await?,
        roles: role_choices(user),
        scopes: state.app.admin_scope_choices(user).await?,
        can_admin,
        can_unlock: manages_lockouts(&user.grants),
        notice,
        password,
    };
    page(StatusCode::OK, &p)
}

async fn one_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    one_view(&state, csrf.0, &user, id, None, None).await
}

#[derive(Deserialize)]
struct GrantForm {
    role: String,
    scope: String,
}

async fn grant(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> Result<Response, WebError> {
    let g = grant_of(&f.role, &f.scope)?;
    state
        .app
        .admin_grant(&user, id, g, &user.actor(&ip))
        .await?;
    Ok(see_other(&format!("/admin/users/{id}")))
}

async fn revoke(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> Result<Response, WebError> {
    let g = grant_of(&f.role, &f.scope)?;
    state
        .app
        .admin_revoke(&user, id, &g, &user.actor(&ip))
        .await?;
    Ok(see_other(&format!("/admin/users/{id}")))
}

async fn reset(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let pw = state
        .app
        .admin_reset_password(&user, id, &user.actor(&ip))
        .await?;
    let notice = "密码已重置:本人须用下面的一次性密码登录并立即修改;原有登录和访问令牌已失效,验证器需重新绑定。";
    one_view(
        &state,
        csrf.0,
        &user,
        id,
        Some(notice.into()),
        Some(pw.expose().to_owned()),
    )
    .await
}

async fn disable(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state
        .app
        .admin_set_disabled(&user, id, true, &user.actor(&ip))
        .await?;
    Ok(see_other(&format!("/admin/users/{id}")))
}

async fn enable(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state
        .app
        .admin_set_disabled(&user, id, false, &user.actor(&ip))
        .await?;
    Ok(see_other(&format!("/admin/users/{id}")))
}

async fn unlock(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let n = state.app.admin_unlock(&user, id, &user.actor(&ip)).await?;
    one_view(
        &state,
        csrf.0,
        &user,
        id,
        Some(format!("已解除 {n} 处登录锁定。")),
        None,
    )
    .await
}
