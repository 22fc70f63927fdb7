//! 大屏: a street's or district's command-centre screen (1920×1080, dark,
//! no scrolling, reloading itself every minute): this month's figures with
//! 环比 and 同比, the trend, the map of its areas, the areas ranked and the
//! newest requests — category, place and time only, never a person.

use super::dashboard::{heat, trend};
use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::WebError;
use crate::http::render::page;
use crate::http::util::beijing_time;
use crate::territory::pages::regions::parse_code;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use linli_app::cases::CaseFilter;
use linli_domain::access::Permission;
use linli_domain::cases::compare::{change_text, month_to_date};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/screen", get(screen_page))
}

#[derive(Template)]
#[template(path = "cases/screen.html")]
struct ScreenPage {
    place: String,
    updated: String,
    /// (label, value, note, alert)
    tiles: Vec<(&'static str, String, String, bool)>,
    trend: String,
    heat: String,
    tile_url: String,
    /// (area, received, on-time closure)
    ranking: Vec<(String, u64, String)>,
    /// (time, category, area, state)
    latest: Vec<(String, String, String, String)>,
}

#[derive(Deserialize)]
struct ScreenQuery {
    code: Option<String>,
}

fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |x| format!("{:.0}%", x * 100.0))
}

async fn screen_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<ScreenQuery>,
) -> Result<Response, WebError> {
    let code = match q.code.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => parse_code(c)?,
        None => user
            .grants
            .iter()
            .find(|g| Permission::ViewDashboard.roles().contains(&g.role))
            .map(|g| g.scope.clone())
            .ok_or(WebError::Forbidden)?,
    };
    let (this, _, _) = month_to_date(linli_app::today());
    let d = state
        .app
        .dashboard(&user, &code, this.from, this.to)
        .await?;
    let f = state.app.key_figures(&user, &code).await?;
    let (rows, _) = state
        .app
        .list_cases(
            &user,
            &CaseFilter {
                limit: 200,
                ..CaseFilter::default()
            },
        )
        .await?;
    // the newest of the area on the screen only (what the viewer reaches
    // may be wider: a district, or cases they reported or handle)
    let prefix = code.significant_prefix();
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|c| c.scope.starts_with(prefix))
        .take(8)
        .collect();
    let cats = state.app.case_categories().await?;
    let mut codes: Vec<linli_domain::access::RegionCode> =
        rows.iter().filter_map(|c| c.scope.parse().ok()).collect();
    codes.sort();
    codes.dedup();
    let labels = state.app.scope_labels(&codes).await?;
    let area = |scope: &str| {
        codes
            .iter()
            .position(|c| c.as_str() == scope)
            .and_then(|i| labels.get(i).cloned())
            .unwrap_or_default()
    };
    let latest = rows
        .iter()
        .map(|c| {
            (
                beijing_time(c.created_at.0),
                cats.iter()
                    .find(|k| k.id == c.category_id)
                    .map_or_else(String::new, |k| k.name.clone()),
                area(&c.scope),
                c.state
                    .parse::<linli_domain::cases::CaseState>()
                    .map_or_else(|_| String::new(), |s| s.label_zh().to_owned()),
            )
        })
        .collect();
    let p = ScreenPage {
        place: state
            .app
            .scope_labels(std::slice::from_ref(&code))
            .await?
            .pop()
            .unwrap_or_default(),
        updated: beijing_time(linli_app::now().0),
        tiles: vec![
            (
                "本月受理",
                f.received.to_string(),
                format!(
                    "环比 {} · 同比 {}",
                    change_text(f.month_on_month),
                    change_text(f.year_on_year)
                ),
                false,
            ),
            (
                "本月结案",
                d.total.counts.closed.to_string(),
                String::new(),
                false,
            ),
            ("在办", f.open_now.to_string(), String::new(), false),
            (
                "超期",
                f.overdue_now.to_string(),
                String::new(),
                f.overdue_now > 0,
            ),
            (
                "按期结案率",
                pct(f.on_time_closure_rate),
                String::new(),
                false,
            ),
            ("满意率", pct(f.satisfaction_rate), String::new(), false),
        ],
        trend: trend(&d),
        heat: heat(&d),
        tile_url: state.config.tile_url.clone().unwrap_or_default(),
        ranking: f
            .ranking
            .into_iter()
            .take(8)
            .map(|a| (a.label, a.received, pct(a.closure_rate)))
            .collect(),
        latest,
    };
    page(StatusCode::OK, &p)
}
