//! 诉求设置 — the page where staff edit what the loop runs on: routing
//! rules for their subtree, and (district and system administrators) the
//! category tree and a year's holiday calendar.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::{page, redirect_with};
use crate::http::util::ClientIp;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_app::AppError;
use linli_app::accounts::auth::Principal;
use linli_app::cases::setup::{CategoryChange, NewCategory, RouteView};
use linli_domain::access::{Permission, RegionCode, scope_prefixes};
use linli_domain::cases::{DayKind, HandlerKind};
use serde::Deserialize;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/setup", get(setup_page))
        .route("/cases/setup/route", post(save_route))
        .route("/cases/setup/route/delete", post(delete_route))
        .route("/cases/setup/day", post(save_day))
        .route("/cases/setup/day/delete", post(delete_day))
        .route("/cases/setup/category", post(add_category))
        .route("/cases/setup/category/toggle", post(toggle_category))
}

struct CategoryLine {
    code: String,
    name: String,
    top: bool,
    deadline_days: i64,
    urgent_hours: i64,
    active: bool,
}

struct DayLine {
    date: String,
    kind: &'static str,
    name: String,
}

#[derive(Template)]
#[template(path = "cases/setup.html")]
struct SetupPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    scope: String,
    year: i32,
    routes: Vec<RouteView>,
    leaves: Vec<(String, String)>,
    tops: Vec<(String, String)>,
    handler_kinds: Vec<(&'static str, &'static str)>,
    configure: bool,
    categories: Vec<CategoryLine>,
    days: Vec<DayLine>,
    flash: Option<String>,
    flash_error: bool,
}

#[derive(Deserialize)]
struct SetupQuery {
    scope: Option<String>,
    year: Option<i32>,
    msg: Option<String>,
    err: Option<String>,
}

/// The node whose rules are shown: the one asked for, else the caller's
/// first case-managing grant.
fn scope_of(user: &Principal, asked: Option<&str>) -> Option<RegionCode> {
    if let Some(s) = asked.filter(|s| !s.trim().is_empty()) {
        return s.trim().parse().ok();
    }
    user.grants
        .iter()
        .find(|g| Permission::ManageCases.roles().contains(&g.role))
        .map(|g| g.scope.clone())
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn setup_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<SetupQuery>,
) -> Result<Response, WebError> {
    let configure = linli_domain::access::configures_deployment(&user.grants);
    if !configure && scope_prefixes(&user.grants, Permission::ManageCases).is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let year = q.year.unwrap_or_else(|| linli_app::today().year());
    let scope = scope_of(&user, q.scope.as_deref());
    let routes = match &scope {
        Some(s) if !scope_prefixes(&user.grants, Permission::ManageCases).is_empty() => {
            state.app.case_routes(&user, s).await?
        }
        _ => Vec::new(),
    };
    let cats = state.app.case_categories().await?;
    let name_of = |k: &linli_app::cases::CaseCategory| (k.code.clone(), k.name.clone());
    let p = SetupPage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(&user)),
        scope: scope.map(|s| s.to_string()).unwrap_or_default(),
        year,
        routes,
        leaves: cats
            .iter()
            .filter(|k| k.parent_id.is_some() && k.active)
            .map(name_of)
            .collect(),
        tops: cats
            .iter()
            .filter(|k| k.parent_id.is_none())
            .map(name_of)
            .collect(),
        handler_kinds: HandlerKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        configure,
        categories: cats
            .iter()
            .map(|k| CategoryLine {
                code: k.code.clone(),
                name: k.name.clone(),
                top: k.parent_id.is_none(),
                deadline_days: k.deadline_days,
                urgent_hours: k.urgent_hours,
                active: k.active,
            })
            .collect(),
        days: state
            .app
            .calendar_year(year)
            .await?
            .into_iter()
            .map(|(d, k, name)| DayLine {
                date: iso(d),
                kind: k.label_zh(),
                name,
            })
            .collect(),
        flash: q.msg,
        flash_error: q.err.as_deref() == Some("1"),
    };
    page(StatusCode::OK, &p)
}

fn back(scope: &str, year: Option<i32>) -> (String, Vec<(&'static str, String)>) {
    let mut params = vec![("scope", scope.to_owned())];
    if let Some(y) = year {
        params.push(("year", y.to_string()));
    }
    ("/cases/setup".to_owned(), params)
}

#[derive(Deserialize)]
struct RouteForm {
    category: String,
    scope: String,
    handler_kind: String,
    #[serde(default)]
    handler_name: String,
}

async fn save_route(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<RouteForm>,
) -> Result<Response, WebError> {
    let r = match f.handler_kind.parse::<HandlerKind>() {
        Ok(kind) => {
            let rule = RouteView {
                category_code: f.category.clone(),
                category_name: String::new(),
                scope: f.scope.trim().to_owned(),
                handler_kind: kind,
                handler_name: f.handler_name.clone(),
            };
            state
                .app
                .set_case_route(&user, &rule, &user.actor(&ip))
                .await
                .map(|()| "派单规则已保存".to_owned())
        }
        Err(e) => Err(AppError::Invalid(e.to_string())),
    };
    let (path, params) = back(f.scope.trim(), None);
    redirect_with(&path, params, r)
}

#[derive(Deserialize)]
struct RouteKey {
    category: String,
    scope: String,
}

async fn delete_route(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<RouteKey>,
) -> Result<Response, WebError> {
    let r = match f.scope.parse::<RegionCode>() {
        Ok(s) => state
            .app
            .delete_case_route(&user, &f.category, &s, &user.actor(&ip))
            .await
            .map(|gone| {
                if gone {
                    "派单规则已删除"
                } else {
                    "没有这条规则"
                }
                .to_owned()
            }),
        Err(e) => Err(AppError::Invalid(e.to_string())),
    };
    let (path, params) = back(&f.scope, None);
    redirect_with(&path, params, r)
}

#[derive(Deserialize)]
struct DayForm {
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
}

/// Adds or removes one day: reads the year, changes it, writes it whole.
async fn edit_day(
    state: &AppState,
    user: &Principal,
    ip: &str,
    f: &DayForm,
    remove: bool,
) -> Result<(i32, String), AppError> {
    let date = linli_domain::registry::parse_date(&f.date)
        .ok_or_else(|| AppError::Invalid(format!("日期“{}”应为 YYYY-MM-DD", f.date)))?;
    let mut days = state.app.calendar_year(date.year()).await?;
    days.retain(|(d, _, _)| *d != date);
    if !remove {
        let kind: DayKind = f
            .kind
            .parse()
            .map_err(|e: linli_domain::cases::CaseError| AppError::Invalid(e.to_string()))?;
        days.push((date, kind, f.name.trim().to_owned()));
        days.sort_by_key(|(d, _, _)| *d);
    }
    state
        .app
        .set_calendar_year(user, date.year(), &days, &user.actor(ip))
        .await?;
    let done = if remove { "已删除" } else { "已保存" };
    Ok((date.year(), format!("{} {done}", iso(date))))
}

async fn save_day(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<DayForm>,
) -> Result<Response, WebError> {
    let r = edit_day(&state, &user, &ip, &f, false).await;
    let year = r.as_ref().ok().map(|(y, _)| *y);
    let (path, params) = back(&f.scope, year);
    redirect_with(&path, params, r.map(|(_, m)| m))
}

async fn delete_day(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<DayForm>,
) -> Result<Response, WebError> {
    let r = edit_day(&state, &user, &ip, &f, true).await;
    let year = r.as_ref().ok().map(|(y, _)| *y);
    let (path, params) = back(&f.scope, year);
    redirect_with(&path, params, r.map(|(_, m)| m))
}

#[derive(Deserialize)]
struct CategoryForm {
    #[serde(default)]
    parent: String,
    code: String,
    name: String,
    deadline_days: String,
    urgent_hours: String,
    #[serde(default)]
    scope: String,
}

async fn add_category(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<CategoryForm>,
) -> Result<Response, WebError> {
    let number = |s: &str, what: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| AppError::Invalid(format!("{what}应为整数")))
    };
    let r = async {
        let input = NewCategory {
            parent: Some(f.parent.trim().to_owned()).filter(|p| !p.is_empty()),
            code: f.code.trim().to_owned(),
            name: f.name.clone(),
            deadline_days: number(&f.deadline_days, "办理时限")?,
            urgent_hours: number(&f.urgent_hours, "紧急时限")?,
        };
        state
            .app
            .add_case_category(&user, &input, &user.actor(&ip))
            .await
            .map(|c| format!("已添加类别 {} {}", c.code, c.name))
    }
    .await;
    let (path, params) = back(&f.scope, None);
    redirect_with(&path, params, r)
}

#[derive(Deserialize)]
struct ToggleForm {
    code: String,
    active: String,
    #[serde(default)]
    scope: String,
}

async fn toggle_category(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<ToggleForm>,
) -> Result<Response, WebError> {
    let change = CategoryChange {
        active: Some(f.active == "1"),
        ..CategoryChange::default()
    };
    let r = state
        .app
        .change_case_category(&user, &f.code, &change, &user.actor(&ip))
        .await
        .map(|c| format!("{} 已{}", c.name, if c.active { "启用" } else { "停用" }));
    let (path, params) = back(&f.scope, None);
    redirect_with(&path, params, r)
}
