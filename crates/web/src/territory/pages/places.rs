//! 网格与房屋 pages: the tree browser (grids at the left, buildings and
//! dwellings at the right), the map, the validation report and the party
//! network, and the forms that manage grids.

use crate::http::render::page;
use crate::territory::pages::regions::parse_code;

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::territory::plan::{UnitPlan, plan};
use crate::territory::views::{BuildingView, DwellingView, GridView, ReportOut, UnitView};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use linli_app::territory::places::CommunityView;
use linli_domain::access::RegionCode;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/places", get(tree_page))
        .route("/places/map", get(map_page))
        .route("/places/report", get(report_page))
}

const BUILDINGS_PER_PAGE: usize = 20;
const DWELLINGS_PER_PAGE: i64 = 50;

/// One line of the tree at the left.
pub struct TreeRow {
    pub depth: usize,
    pub label: String,
    pub href: String,
    pub active: bool,
    pub count: i64,
}

pub(super) struct Shared {
    pub(super) csrf: String,
    pub(super) nav_user: Option<crate::http::nav::Nav>,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) path: String,
}

pub(super) fn shared(
    csrf: CsrfToken,
    user: &linli_app::accounts::auth::Principal,
    v: &CommunityView,
) -> Shared {
    let mut path: Vec<&str> = v.ancestors.iter().map(|a| a.name.as_str()).collect();
    path.push(&v.region.name);
    Shared {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(user)),
        code: v.region.code.to_string(),
        name: v.region.name.clone(),
        path: path.join(" › "),
    }
}

#[derive(Template)]
#[template(path = "territory/places.html")]
struct TreePage {
    s: Shared,
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    tree: Vec<TreeRow>,
    title: String,
    sub_grids: Vec<GridView>,
    buildings: Vec<BuildingView>,
    building: Option<BuildingView>,
    units: Vec<UnitView>,
    dwellings: Vec<DwellingView>,
    q: String,
    page: usize,
    pages: usize,
    total: usize,
    base_href: String,
    hidden_buildings: usize,
    can_manage: bool,
    /// (id, label, selected) of the grids that can take children
    parents: Vec<(i64, String, bool)>,
    /// (id, label, is the building's) of every grid, for moving a building
    all_grids: Vec<(i64, String, bool)>,
    selected_grid: Option<i64>,
    /// (id, name) of the community's estates
    estates: Vec<(i64, String)>,
    can_edit: bool,
    flash: Option<String>,
    flash_error: bool,
    /// the 楼盘表 of the building shown
    plan: Vec<UnitPlan>,
    /// the plan shows how flats are lived in (the viewer sees residents)
    plan_counts: bool,
}

#[derive(Template)]
#[template(path = "territory/communities.html")]
struct ChooserPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    communities: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct TreeQuery {
    code: Option<String>,
    grid: Option<String>,
    building: Option<i64>,
    q: Option<String>,
    page: Option<usize>,
    msg: Option<String>,
    err: Option<u8>,
}

async fn tree_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<TreeQuery>,
) -> Result<Response, WebError> {
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return chooser(&state, csrf, &user).await;
    };
    let v = state.app.community(&user, &parse_code(code)?).await?;
    // "none" selects the buildings outside every grid
    let grid_sel: Option<Option<i64>> = match q.grid.as_deref() {
        None | Some("") => None,
        Some("none") => Some(None),
        Some(id) => Some(Some(id.parse().map_err(|_| WebError::NotFound)?)),
    };
    let selected = grid_sel
        .flatten()
        .and_then(|id| v.grids.iter().find(|g| g.grid.id == id));
    if grid_sel.flatten().is_some() && selected.is_none() {
        return Err(WebError::NotFound);
    }
    let here = |grid: Option<&str>| match grid {
        Some(g) => format!("/places?code={}&grid={g}", v.region.code),
        None => format!("/places?code={}", v.region.code),
    };
    let mut tree = vec![TreeRow {
        depth: 0,
        label: v.region.name.clone(),
        href: here(None),
        active: grid_sel.is_none() && q.building.is_none(),
        count: v
            .grids
            .iter()
            .filter(|g| g.level == 1)
            .map(|g| g.dwellings)
            .sum(),
    }];
    for g in &v.grids {
        tree.push(TreeRow {
            depth: g.level,
            label: g.grid.name.clone(),
            href: here(Some(&g.grid.id.to_string())),
            active: selected.is_some_and(|s| s.grid.id == g.grid.id),
            count: g.dwellings,
        });
    }
    let loose = v.buildings.iter().filter(|b| b.grid_id.is_none()).count();
    if loose > 0 {
        tree.push(TreeRow {
            depth: 1,
            label: "未划入网格".to_owned(),
            href: here(Some("none")),
            active: grid_sel == Some(None),
            count: loose as i64,
        });
    }

    let scope: Option<&RegionCode> = selected.map(|g| &g.grid.code);
    let filter = q.q.clone().unwrap_or_default();
    let in_node: Vec<BuildingView> = v
        .buildings
        .iter()
        .filter(|b| match grid_sel {
            None => true,
            Some(None) => b.grid_id.is_none(),
            Some(Some(_)) => scope.is_some_and(|s| s.covers(&b.scope)),
        })
        .filter(|b| {
            filter.is_empty() || b.name.contains(filter.trim()) || b.estate.contains(filter.trim())
        })
        .map(BuildingView::from)
        .collect();
    let sub_grids: Vec<GridView> = v
        .grids
        .iter()
        .filter(|g| match selected {
            None => grid_sel.is_none() && g.level == 1,
            Some(s) => g.grid.parent_id == Some(s.grid.id),
        })
        .map(GridView::from)
        .collect();

    let page_no = q.page.unwrap_or(0);
    let mut floor_plan = (Vec::new(), false);
    let (title, building, units, dwellings, total, pages, list) = match q.building {
        Some(id) => {
            floor_plan = building_plan(&state, &user, id).await?;
            let (b, units) = state.app.building(&user, id).await?;
            let dw = state
                .app
                .dwellings(&user, id, page_no as i64, DWELLINGS_PER_PAGE)
                .await?;
            let total = b.dwellings as usize;
            let pages = total.div_ceil(DWELLINGS_PER_PAGE as usize).max(1);
            let title = format!("{} {}", b.estate, b.name);
            (
                title,
                Some(BuildingView::from(&b)),
                units.iter().map(UnitView::from).collect(),
                dw.iter().map(DwellingView::from).collect(),
                total,
                pages,
                Vec::new(),
            )
        }
        None => {
            let total = in_node.len();
            let pages = total.div_ceil(BUILDINGS_PER_PAGE).max(1);
            let list = in_node
                .into_iter()
                .skip(page_no * BUILDINGS_PER_PAGE)
                .take(BUILDINGS_PER_PAGE)
                .collect();
            let title = match (selected, grid_sel) {
                (Some(g), _) => g.grid.name.clone(),
                (None, Some(None)) => "未划入网格的楼栋".to_owned(),
                _ => v.region.name.clone(),
            };
            (title, None, Vec::new(), Vec::new(), total, pages, list)
        }
    };
    let mut base_href = here(q.grid.as_deref());
    if let Some(b) = q.building {
        base_href.push_str(&format!("&building={b}"));
    }
    if !filter.is_empty() {
        let enc = serde_urlencoded::to_string([("q", filter.as_str())]).unwrap_or_default();
        base_href.push('&');
        base_href.push_str(&enc);
    }
    let building_grid = building.as_ref().and_then(|b| b.grid_id);
    let s = shared(csrf, &user, &v);
    let p = TreePage {
        csrf: s.csrf.clone(),
        nav_user: s.nav_user.clone(),
        s,
        tree,
        title,
        sub_grids,
        buildings: list,
        building,
        units,
        dwellings,
        q: filter,
        page: page_no,
        pages,
        total,
        base_href,
        hidden_buildings: v.hidden_buildings,
        can_manage: v.can_manage,
        parents: v
            .grids
            .iter()
            .filter(|g| g.level < linli_domain::territory::places::MAX_GRID_LEVEL)
            .map(|g| {
                let label = format!("{}{}", "— ".repeat(g.level), g.grid.name);
                (
                    g.grid.id,
                    label,
                    selected.is_some_and(|s| s.grid.id == g.grid.id),
                )
            })
            .collect(),
        all_grids: v
            .grids
            .iter()
            .map(|g| {
                let label = format!("{}{}", "— ".repeat(g.level.saturating_sub(1)), g.grid.name);
                (g.grid.id, label, building_grid == Some(g.grid.id))
            })
            .collect(),
        selected_grid: selected.map(|g| g.grid.id),
        estates: v.estates.iter().map(|e| (e.id, e.name.clone())).collect(),
        can_edit: linli_domain::access::allowed(
            &user.grants,
            linli_domain::access::Permission::EditPlaces,
            &v.region.code,
        ),
        flash: q.msg,
        plan: floor_plan.0,
        plan_counts: floor_plan.1,
        flash_error: q.err == Some(1),
    };
    page(StatusCode::OK, &p)
}

/// Without a community: the communities the user's roles reach.
async fn chooser(
    state: &AppState,
    csrf: CsrfToken,
    user: &linli_app::accounts::auth::Principal,
) -> Result<Response, WebError> {
    let mut communities = Vec::new();
    for g in &user.grants {
        if let Some(c) = g.scope.community() {
            let name = match state.app.region_with_children(&c).await {
                Ok((r, _)) => r.name,
                Err(_) => c.to_string(),
            };
            let entry = (c.to_string(), name);
            if !communities.contains(&entry) {
                communities.push(entry);
            }
        }
    }
    let p = ChooserPage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(user)),
        communities,
    };
    page(StatusCode::OK, &p)
}

#[derive(Deserialize)]
struct CodeQuery {
    code: String,
}

#[derive(Template)]
#[template(path = "territory/map.html")]
struct MapPage {
    s: Shared,
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    tile_url: String,
    grids: Vec<GridView>,
}

async fn map_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<CodeQuery>,
) -> Result<Response, WebError> {
    let v = state.app.community(&user, &parse_code(&q.code)?).await?;
    let s = shared(csrf, &user, &v);
    let p = MapPage {
        csrf: s.csrf.clone(),
        nav_user: s.nav_user.clone(),
        s,
        tile_url: state.config.tile_url.clone().unwrap_or_default(),
        grids: v.grids.iter().map(GridView::from).collect(),
    };
    page(StatusCode::OK, &p)
}

#[derive(Template)]
#[template(path = "territory/report.html")]
struct ReportPage {
    s: Shared,
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    r: ReportOut,
}

async fn report_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<CodeQuery>,
) -> Result<Response, WebError> {
    let code = parse_code(&q.code)?;
    let report = state.app.coverage_report(&user, &code).await?;
    let v = state.app.community(&user, &code).await?;
    let s = shared(csrf, &user, &v);
    let p = ReportPage {
        csrf: s.csrf.clone(),
        nav_user: s.nav_user.clone(),
        s,
        r: ReportOut::from(&report),
    };
    page(StatusCode::OK, &p)
}

/// The largest building drawn whole on the 楼盘表 (the demo's biggest has
/// 276 flats; a tower of 40 floors × 12 has 480).
const PLAN_MAX: i64 = 1000;

/// A building's 楼盘表, and whether it shows how flats are lived in.
async fn building_plan(
    state: &AppState,
    user: &linli_app::accounts::auth::Principal,
    id: i64,
) -> Result<(Vec<UnitPlan>, bool), WebError> {
    let mut all = Vec::new();
    for page in 0..PLAN_MAX / 500 {
        let got = state.app.dwellings(user, id, page, 500).await?;
        let done = got.len() < 500;
        all.extend(got);
        if done {
            break;
        }
    }
    let counts = state.app.building_occupancy(user, id).await?;
    Ok((plan(&all, counts.as_ref()), counts.is_some()))
}
