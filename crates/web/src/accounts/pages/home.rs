//! 首页 — who you are and your roles.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::page;
use crate::http::util::beijing_time;
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/home", get(home))
}

struct RoleView {
    label: &'static str,
    scope: String,
}

#[derive(Template)]
#[template(path = "accounts/home.html")]
struct HomePage {
    csrf: String,
    nav_user: Option<String>,
    display_name: String,
    username: String,
    last_login: String,
    roles: Vec<RoleView>,
    changed: bool,
    can_audit: bool,
    /// 账号管理: administers accounts or their lockouts
    can_admin: bool,
}

#[derive(Deserialize)]
struct HomeQuery {
    changed: Option<String>,
}

async fn home(
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<HomeQuery>,
) -> Result<Response, WebError> {
    let last_login = user
        .last_login_at
        .map(|t| beijing_time(t.0))
        .unwrap_or_default();
    let roles = user
        .grants
        .iter()
        .map(|g| {
            let code = g.scope.to_string();
            let scope = if g.scope.significant_prefix().is_empty() {
                format!("全国 ({code})")
            } else {
                code
            };
            RoleView {
                label: g.role.label_zh(),
                scope,
            }
        })
        .collect();
    let p = HomePage {
        csrf: csrf.0,
        nav_user: Some(user.display_name.clone()),
        display_name: user.display_name,
        username: user.username,
        last_login,
        roles,
        changed: q.changed.is_some(),
        can_audit: linli_domain::access::can_read_audit_log(&user.grants),
        can_admin: linli_domain::accounts::admin::administers(&user.grants)
            || linli_domain::accounts::admin::manages_lockouts(&user.grants),
    };
    page(StatusCode::OK, &p)
}
