//! 诉求看板 — the dashboard page: the indicators with their definitions,
//! the breakdowns, a trend chart (ECharts: received, closed and 满意率 by
//! day for short periods, else by month) and, for a community, a heat map
//! of its grids coloured by the cases received (from the same roll-ups).

use crate::AppState;
use crate::cases::api::dashboard::DashboardParams;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::page;
use crate::territory::pages::regions::parse_code;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use linli_app::cases::dashboard::{Dashboard, Slice};
use linli_domain::access::Permission;
use linli_domain::cases::SatisfactionWeights;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard_page))
}

/// An indicator as the dashboard explains it: what it is about, its
/// formula, the counts behind it, and why there is no value.
struct Figure {
    name: &'static str,
    formula: &'static str,
    definition: &'static str,
    value: String,
    /// "911 / 972", so a reader can recompute the rate
    counts: String,
    /// 0–100 for the bar
    bar: u32,
}

fn pct(x: Option<f64>) -> (String, u32) {
    match x {
        Some(v) => (
            format!("{:.2}%", v * 100.0),
            (v * 100.0).clamp(0.0, 100.0) as u32,
        ),
        None => ("—".to_owned(), 0),
    }
}

fn count_text(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    }
}

fn figures(s: &Slice) -> Vec<Figure> {
    linli_domain::cases::figures(&s.counts, SatisfactionWeights::default())
        .into_iter()
        .map(|f| {
            let (value, bar) = pct(f.value);
            Figure {
                name: f.name,
                formula: f.formula,
                definition: f.definition,
                value: if f.value.is_some() {
                    value
                } else {
                    format!("—({})", f.empty)
                },
                counts: format!("{} / {}", count_text(f.numerator), f.denominator),
                bar,
            }
        })
        .collect()
}

/// One breakdown row: label, received, closed, 满意率, 结案率, 返工 count.
struct Row {
    label: String,
    received: u64,
    closed: u64,
    satisfaction: String,
    closure: String,
    reworked: u64,
}

fn rows(v: &[Slice]) -> Vec<Row> {
    v.iter()
        .map(|s| Row {
            label: s.label.clone(),
            received: s.counts.received,
            closed: s.counts.closed,
            satisfaction: pct(s.indicators.satisfaction_rate).0,
            closure: pct(s.indicators.closure_rate).0,
            reworked: s.counts.reworked,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "cases/dashboard.html")]
struct DashboardPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    code: String,
    /// the area by its name
    place: String,
    from: String,
    to: String,
    received: u64,
    closed: u64,
    open_now: i64,
    overdue_now: i64,
    figures: Vec<Figure>,
    /// (title, rows)
    breakdowns: Vec<(&'static str, Vec<Row>)>,
    /// the trend chart's series, JSON (in a data attribute: escaped)
    trend: String,
    /// for a community: the grid map's source and the grids' counts, JSON
    heat: String,
    /// 网格热力 or 社区热力
    heat_title: &'static str,
    tile_url: String,
}

/// The trend: by day for a short period, else by month.
pub(super) fn trend(d: &Dashboard) -> String {
    let series = if d.by_day.is_empty() {
        &d.by_month
    } else {
        &d.by_day
    };
    let pct = |x: Option<f64>| x.map(|v| (v * 1000.0).round() / 10.0);
    serde_json::json!({
        "labels": series.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        "received": series.iter().map(|s| s.counts.received).collect::<Vec<_>>(),
        "closed": series.iter().map(|s| s.counts.closed).collect::<Vec<_>>(),
        "satisfaction": series.iter().map(|s| pct(s.indicators.satisfaction_rate)).collect::<Vec<_>>(),
    })
    .to_string()
}

/// The heat map's data: for a community, its grids (from the community
/// map); for a street, its communities (each community map's outline).
/// Empty for anything else (a grid, a district).
pub(super) fn heat(d: &Dashboard) -> String {
    let counts: serde_json::Map<String, serde_json::Value> = d
        .by_area
        .iter()
        .map(|s| (s.key.clone(), serde_json::json!(s.counts.received)))
        .collect();
    let len = d.code.significant_prefix().len();
    if d.code.community().as_ref() == Some(&d.code) {
        serde_json::json!({
            "kind": "grid",
            "srcs": [format!("/api/v1/communities/{}/map", d.code)],
            "counts": counts,
        })
        .to_string()
    } else if len == 9 && !d.by_area.is_empty() {
        let srcs: Vec<String> = d
            .by_area
            .iter()
            .filter(|s| s.key.len() >= 12)
            .map(|s| format!("/api/v1/communities/{}/map", s.key))
            .collect();
        serde_json::json!({ "kind": "community", "srcs": srcs, "counts": counts }).to_string()
    } else {
        String::new()
    }
}

#[derive(Deserialize)]
struct DashboardQuery {
    code: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

async fn dashboard_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    let code = match q.code.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => parse_code(c)?,
        None => match user
            .grants
            .iter()
            .find(|g| Permission::ViewDashboard.roles().contains(&g.role))
        {
            Some(g) => g.scope.clone(),
            None => return Err(WebError::Forbidden),
        },
    };
    let params = DashboardParams {
        code: code.to_string(),
        from: q.from,
        to: q.to,
    };
    let (from, to) = params.period()?;
    let d = state.app.dashboard(&user, &code, from, to).await?;
    let p = DashboardPage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(&user)),
        place: state
            .app
            .scope_labels(std::slice::from_ref(&code))
            .await?
            .pop()
            .unwrap_or_default(),
        code: code.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        received: d.total.counts.received,
        closed: d.total.counts.closed,
        open_now: d.open_now,
        overdue_now: d.overdue_now,
        figures: figures(&d.total),
        breakdowns: vec![
            ("按区域", rows(&d.by_area)),
            ("按类别", rows(&d.by_category)),
            ("按来源渠道", rows(&d.by_channel)),
            ("按处置主体", rows(&d.by_handler)),
            ("按月份", rows(&d.by_month)),
        ],
        trend: trend(&d),
        heat: heat(&d),
        heat_title: if code.significant_prefix().len() == 9 {
            "各社区热力"
        } else {
            "各网格热力"
        },
        tile_url: state.config.tile_url.clone().unwrap_or_default(),
    };
    page(StatusCode::OK, &p)
}
