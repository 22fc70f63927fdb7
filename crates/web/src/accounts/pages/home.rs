//! 首页 — a place to start work: a greeting, the main action as one wide
//! button (随手拍 for residents, 上报 for grid workers) and the person's
//! functions as tiles (宫格), by the same rules as the navigation. 我的
//! (`/account`) holds the account itself: roles by place, password, the
//! authenticator, tokens for staff, 长辈版 and signing out.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::nav::{Nav, NavItem};
use crate::http::render::{page, see_other};
use crate::http::util::{ClientIp, beijing_time};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_domain::access::RegionCode;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/home", get(home))
        .route("/account", get(account))
        .route("/account/elder", post(elder))
        .route("/account/elder/decline", post(decline_elder))
}

#[derive(Template)]
#[template(path = "accounts/home.html")]
struct HomePage {
    csrf: String,
    nav_user: Option<Nav>,
    display_name: String,
    /// the one wide button above the tiles
    primary: Option<NavItem>,
    /// 今日待办: (label, count, link) for those who handle cases
    todo: Vec<(&'static str, i64, &'static str)>,
    tiles: Vec<NavItem>,
    changed: bool,
    /// the newest community notice the person has not read: (id, title)
    notice: Option<(i64, String)>,
    /// offer 长辈版 (a resident of 60 or over, asked once)
    elder_offer: bool,
    /// a manager's key figures for this month
    figures: Option<FiguresView>,
}

/// The key figures as the home page shows them.
struct FiguresView {
    area: String,
    received: u64,
    month_on_month: String,
    year_on_year: String,
    on_time: String,
    satisfaction: String,
    open_now: i64,
    overdue_now: i64,
    /// (area, received, on-time closure)
    ranking: Vec<(String, u64, String)>,
    /// what one level down is called (网格 or 社区)
    level: &'static str,
}

fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |x| format!("{:.0}%", x * 100.0))
}

/// A manager's figures: secretaries, community staff and the street and
/// district see their area's month; others see none.
async fn figures(
    state: &AppState,
    user: &linli_app::accounts::auth::Principal,
) -> Result<Option<FiguresView>, WebError> {
    use linli_domain::access::Role;
    use linli_domain::cases::compare::change_text;
    let Some(g) = user.grants.iter().find(|g| {
        matches!(
            g.role,
            Role::CommunitySecretary
                | Role::CommunityStaff
                | Role::StreetAdmin
                | Role::DistrictAdmin
        )
    }) else {
        return Ok(None);
    };
    let f = state.app.key_figures(user, &g.scope).await?;
    let area = state
        .app
        .scope_labels(std::slice::from_ref(&g.scope))
        .await?
        .pop()
        .unwrap_or_default();
    Ok(Some(FiguresView {
        area,
        received: f.received,
        month_on_month: change_text(f.month_on_month),
        year_on_year: change_text(f.year_on_year),
        on_time: pct(f.on_time_closure_rate),
        satisfaction: pct(f.satisfaction_rate),
        open_now: f.open_now,
        overdue_now: f.overdue_now,
        ranking: f
            .ranking
            .into_iter()
            .map(|a| (a.label, a.received, pct(a.closure_rate)))
            .collect(),
        level: if g.scope.as_str().len() >= 12 {
            "网格"
        } else {
            "社区"
        },
    }))
}

#[derive(Deserialize)]
struct HomeQuery {
    changed: Option<String>,
}

/// What waits for the person: cases to accept (who manage them) or to
/// handle (grid workers, departments), and those past their deadline.
async fn todo(
    state: &AppState,
    user: &linli_app::accounts::auth::Principal,
) -> Result<Vec<(&'static str, i64, &'static str)>, WebError> {
    use linli_app::cases::CaseFilter;
    use linli_domain::access::{Permission, holds};
    let handles = user.grants.iter().any(|g| {
        matches!(
            g.role,
            linli_domain::access::Role::GridWorker | linli_domain::access::Role::DepartmentHandler
        )
    });
    let manages = holds(&user.grants, Permission::ManageCases);
    if !handles && !manages {
        return Ok(Vec::new());
    }
    let count =
        |f: CaseFilter| async move { state.app.list_cases(user, &f).await.map(|(_, total)| total) };
    let (label, st, href) = if manages {
        ("待受理", "submitted", "/cases?state=submitted")
    } else {
        ("待处理", "dispatched", "/cases?state=dispatched")
    };
    let waiting = count(CaseFilter {
        states: vec![st.to_owned()],
        limit: 1,
        ..CaseFilter::default()
    })
    .await?;
    let overdue = count(CaseFilter {
        due_before: Some(linli_app::now()),
        limit: 1,
        ..CaseFilter::default()
    })
    .await?;
    let mut todo = vec![
        (label, waiting, href),
        ("已超期", overdue, "/cases?overdue=1"),
    ];
    // a grid worker's visits due by plan (never visited, overdue, today, soon)
    if user
        .grants
        .iter()
        .any(|g| g.role == linli_domain::access::Role::GridWorker)
    {
        let due = state.app.visits_due(user).await?.len();
        todo.push(("待走访", i64::try_from(due).unwrap_or(i64::MAX), "/visits"));
    }
    Ok(todo)
}

async fn home(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<HomeQuery>,
) -> Result<Response, WebError> {
    let todo = todo(&state, &user).await?;
    let nav = Nav::of(&user);
    let primary = nav.menu.iter().find(|i| i.href == "/cases/new").cloned();
    // 长辈版 for a resident: three big actions — 随手拍 above, then their
    // requests and the community's notices; the rest is under 我的
    let resident_only = user
        .grants
        .iter()
        .all(|g| g.role == linli_domain::access::Role::Resident);
    let tiles = nav
        .menu
        .iter()
        .filter(|i| !matches!(i.href, "/home" | "/cases/new" | "/account/tokens"))
        .filter(|i| !(nav.elder && resident_only) || matches!(i.href, "/cases" | "/notices"))
        .cloned()
        .collect();
    let notice = state
        .app
        .my_notices(&user)
        .await?
        .into_iter()
        .find(|(_, seen)| !seen)
        .map(|(n, _)| (n.id, n.title));
    let elder_offer = state.app.elder_offer(&user).await?;
    let figures = figures(&state, &user).await?;
    let p = HomePage {
        figures,
        elder_offer,
        notice,
        csrf: csrf.0,
        display_name: user.display_name.clone(),
        nav_user: Some(nav),
        primary,
        todo,
        tiles,
        changed: q.changed.is_some(),
    };
    page(StatusCode::OK, &p)
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    csrf: String,
    nav_user: Option<Nav>,
    display_name: String,
    username: String,
    last_login: String,
    /// `网格员 · 长山花园社区 第一网格`
    roles: Vec<String>,
    menu: Vec<NavItem>,
    elder: bool,
}

async fn account(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, WebError> {
    let codes: Vec<RegionCode> = user.grants.iter().map(|g| g.scope.clone()).collect();
    let places = state.app.scope_labels(&codes).await?;
    let roles = user
        .grants
        .iter()
        .zip(places)
        .map(|(g, p)| format!("{} · {p}", g.role.label_zh()))
        .collect();
    let nav = Nav::of(&user);
    let p = AccountPage {
        csrf: csrf.0,
        menu: nav
            .menu
            .iter()
            .filter(|i| !matches!(i.href, "/account" | "/home"))
            .cloned()
            .collect(),
        nav_user: Some(nav),
        display_name: user.display_name.clone(),
        username: user.username.clone(),
        last_login: user
            .last_login_at
            .map_or_else(String::new, |t| beijing_time(t.0)),
        roles,
        elder: user.elder,
    };
    page(StatusCode::OK, &p)
}

#[derive(Deserialize)]
struct ElderForm {
    on: Option<String>,
    /// `home` when answered from the offer on the home page
    back: Option<String>,
}

/// 长辈版 on or off, remembered for the account.
async fn elder(
    State(state): State<AppState>,
    ClientIp(_ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<ElderForm>,
) -> Result<Response, WebError> {
    state.app.set_elder_mode(&user, f.on.is_some()).await?;
    // from the offer on the home page, back home
    Ok(see_other(if f.back.as_deref() == Some("home") {
        "/home"
    } else {
        "/account"
    }))
}

async fn decline_elder(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, WebError> {
    state.app.decline_elder(&user).await?;
    Ok(see_other("/home"))
}
