//! 网格与房屋 pages: the tree browser (grids at the left, buildings and
//! dwellings at the right), the map, the validation report and the party
//! network, and the forms that manage grids.

use super::{page, parse_code, redirect_with};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::util::ClientIp;
use crate::views::{BuildingView, DwellingView, GridView, OrgView, PostView, ReportOut, UnitView};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_app::AppError;
use linli_app::places::{CommunityView, GridParent, PlaceRef};
use linli_domain::access::RegionCode;
use linli_domain::party::{NodeKind, OrgKind, PostKind};
use linli_domain::places::DwellingSpec;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/places", get(tree_page))
        .route("/places/map", get(map_page))
        .route("/places/report", get(report_page))
        .route("/places/party", get(party_page))
        .route("/places/party/orgs", post(add_org))
        .route("/places/party/posts", post(add_post))
        .route("/places/grids", post(create_grid))
        .route("/places/grids/{id}", post(change_grid))
        .route("/places/buildings", post(create_building))
        .route("/places/buildings/{id}", post(change_building))
        .route("/places/{kind}/{id}/delete", post(delete_inside))
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

struct Shared {
    csrf: String,
    nav_user: Option<String>,
    code: String,
    name: String,
    path: String,
}

fn shared(csrf: CsrfToken, user: &linli_app::auth::Principal, v: &CommunityView) -> Shared {
    let mut path: Vec<&str> = v.ancestors.iter().map(|a| a.name.as_str()).collect();
    path.push(&v.region.name);
    Shared {
        csrf: csrf.0,
        nav_user: Some(user.display_name.clone()),
        code: v.region.code.to_string(),
        name: v.region.name.clone(),
        path: path.join(" › "),
    }
}

#[derive(Template)]
#[template(path = "places.html")]
struct TreePage {
    s: Shared,
    csrf: String,
    nav_user: Option<String>,
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
}

#[derive(Template)]
#[template(path = "communities.html")]
struct ChooserPage {
    csrf: String,
    nav_user: Option<String>,
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
    let (title, building, units, dwellings, total, pages, list) = match q.building {
        Some(id) => {
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
                (Some(g), _) => format!("{}({})", g.grid.name, g.grid.code),
                (None, Some(None)) => "未划入网格的楼栋".to_owned(),
                _ => format!("{}({})", v.region.name, v.region.code),
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
            .filter(|g| g.level < linli_domain::places::MAX_GRID_LEVEL)
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
        flash_error: q.err == Some(1),
    };
    page(StatusCode::OK, &p)
}

/// Without a community: the communities the user's roles reach.
async fn chooser(
    state: &AppState,
    csrf: CsrfToken,
    user: &linli_app::auth::Principal,
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
        nav_user: Some(user.display_name.clone()),
        communities,
    };
    page(StatusCode::OK, &p)
}

#[derive(Deserialize)]
struct CodeQuery {
    code: String,
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    s: Shared,
    csrf: String,
    nav_user: Option<String>,
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
#[template(path = "report.html")]
struct ReportPage {
    s: Shared,
    csrf: String,
    nav_user: Option<String>,
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

#[derive(Template)]
#[template(path = "party.html")]
struct PartyPage {
    s: Shared,
    csrf: String,
    nav_user: Option<String>,
    orgs: Vec<(usize, OrgView)>,
    posts: Vec<PostView>,
    households: usize,
    can_manage: bool,
    /// ("grid:ID" / "building:ID" / "community", label)
    nodes: Vec<(String, String)>,
    org_kinds: Vec<(&'static str, &'static str)>,
    post_kinds: Vec<(&'static str, &'static str)>,
    flash: Option<String>,
    flash_error: bool,
}

#[derive(Deserialize)]
struct PartyQuery {
    code: String,
    msg: Option<String>,
    err: Option<u8>,
}

async fn party_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<PartyQuery>,
) -> Result<Response, WebError> {
    let code = parse_code(&q.code)?;
    let v = state.app.community(&user, &code).await?;
    let (orgs, posts) = state.app.party_network(&user, &code).await?;
    let mut nodes = vec![("community".to_owned(), format!("社区:{}", v.region.name))];
    nodes.extend(v.grids.iter().map(|g| {
        (
            format!("grid:{}", g.grid.id),
            format!("网格:{}", g.grid.name),
        )
    }));
    nodes.extend(v.buildings.iter().map(|b| {
        (
            format!("building:{}", b.id),
            format!("楼栋:{} {}", b.estate, b.name),
        )
    }));
    // the organisation tree, depth-first; households are counted, not listed
    let mut ordered = Vec::new();
    let mut stack: Vec<(usize, Option<i64>)> = vec![(0, None)];
    while let Some((depth, parent)) = stack.pop() {
        if let Some(o) = parent.and_then(|id| orgs.iter().find(|o| o.id == id)) {
            ordered.push((depth, OrgView::from(o)));
        }
        let children = orgs
            .iter()
            .rev()
            .filter(|o| o.parent_id == parent && o.kind != OrgKind::Household);
        for c in children {
            stack.push((depth + usize::from(parent.is_some()), Some(c.id)));
        }
    }
    let households = orgs.iter().filter(|o| o.kind == OrgKind::Household).count();
    let s = shared(csrf, &user, &v);
    let p = PartyPage {
        csrf: s.csrf.clone(),
        nav_user: s.nav_user.clone(),
        s,
        orgs: ordered,
        posts: posts.iter().map(PostView::from).collect(),
        households,
        can_manage: v.can_manage,
        nodes,
        org_kinds: OrgKind::ALL
            .iter()
            .filter(|k| !matches!(k, OrgKind::Household | OrgKind::CenterHousehold))
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        post_kinds: PostKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        flash: q.msg,
        flash_error: q.err == Some(1),
    };
    page(StatusCode::OK, &p)
}

/// Back to the tree (at `node`: `("grid", id)` or `("building", id)`) with a message.
fn back_to(
    code: &str,
    node: Option<(&str, i64)>,
    r: Result<String, AppError>,
) -> Result<Response, WebError> {
    let mut params = vec![("code", code.to_owned())];
    if let Some((k, id)) = node {
        params.push((k, id.to_string()));
    }
    redirect_with("/places", params, r)
}

fn back(code: &str, grid: Option<i64>, r: Result<String, AppError>) -> Result<Response, WebError> {
    back_to(code, grid.map(|g| ("grid", g)), r)
}

#[derive(Deserialize)]
struct NewGridForm {
    code: String,
    name: String,
    parent_id: Option<String>,
    boundary: Option<String>,
}

fn opt_id(s: Option<&str>) -> Result<Option<i64>, WebError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| WebError::bad_request("invalid", "网格编号不正确")),
    }
}

fn opt_text(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

async fn create_grid(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<NewGridForm>,
) -> Result<Response, WebError> {
    let community = parse_code(&f.code)?;
    let parent_id = opt_id(f.parent_id.as_deref())?;
    let parent = parent_id.map_or(GridParent::Community(&community), GridParent::Grid);
    let r = state
        .app
        .create_grid(
            &user,
            parent,
            &f.name,
            opt_text(f.boundary.as_deref()),
            &user.actor(&ip),
        )
        .await
        .map(|g| format!("已新建网格“{}”,编码 {}", g.name, g.code));
    back(&f.code, parent_id, r)
}

#[derive(Deserialize)]
struct GridForm {
    code: String,
    action: String,
    name: Option<String>,
    parent_id: Option<String>,
    boundary: Option<String>,
}

async fn change_grid(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<GridForm>,
) -> Result<Response, WebError> {
    let actor = user.actor(&ip);
    let app = &state.app;
    let (r, stay) = match f.action.as_str() {
        "rename" => (
            app.update_grid(&user, id, opt_text(f.name.as_deref()), None, &actor)
                .await
                .map(|g| format!("已更名为“{}”", g.name)),
            Some(id),
        ),
        "boundary" => {
            let Some(b) = opt_text(f.boundary.as_deref()) else {
                return back(
                    &f.code,
                    Some(id),
                    Err(AppError::Invalid("请粘贴或选择 GeoJSON 边界".into())),
                );
            };
            (
                app.update_grid(&user, id, None, Some(b), &actor)
                    .await
                    .map(|g| format!("已更新“{}”的边界", g.name)),
                Some(id),
            )
        }
        "move" => (
            app.move_grid(&user, id, opt_id(f.parent_id.as_deref())?, &actor)
                .await
                .map(|g| format!("已移动“{}”,新编码 {}", g.name, g.code)),
            Some(id),
        ),
        "delete" => (
            app.delete_grid(&user, id, &actor)
                .await
                .map(|()| "网格已删除".to_owned()),
            None,
        ),
        _ => return Err(WebError::bad_request("invalid", "未知操作")),
    };
    let stay = if r.is_ok() { stay } else { Some(id) };
    back(&f.code, stay, r)
}

#[derive(Deserialize)]
struct BuildingForm {
    code: String,
    estate_id: i64,
    name: String,
    lng: Option<String>,
    lat: Option<String>,
    coord_sys: Option<String>,
    floors: Option<String>,
}

fn opt_num<T: std::str::FromStr>(s: Option<&str>, what: &str) -> Result<Option<T>, AppError> {
    match opt_text(s) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::Invalid(format!("{what}应为数字"))),
    }
}

async fn create_building(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<BuildingForm>,
) -> Result<Response, WebError> {
    let community = parse_code(&f.code)?;
    let parsed = (|| {
        let lng = opt_num::<f64>(f.lng.as_deref(), "经度")?;
        let lat = opt_num::<f64>(f.lat.as_deref(), "纬度")?;
        let floors = opt_num::<i64>(f.floors.as_deref(), "层数")?;
        Ok::<_, AppError>((lng, lat, floors))
    })();
    let r = match parsed {
        Err(e) => Err(e),
        Ok((lng, lat, floors)) => {
            let at = crate::api::location(lng, lat, f.coord_sys.as_deref())?;
            let input = linli_app::places::BuildingInput {
                estate_id: f.estate_id,
                name: &f.name,
                at,
                floors,
            };
            state
                .app
                .add_building(&user, &community, input, &user.actor(&ip))
                .await
                .map(|b| match b.grid_id {
                    Some(_) => format!("已新增楼栋“{}”", b.name),
                    None => format!("已新增楼栋“{}”,它不在任何网格内,请在校验报告中处理", b.name),
                })
        }
    };
    back(&f.code, None, r)
}

#[derive(Deserialize)]
struct BuildingChangeForm {
    code: String,
    action: String,
    name: Option<String>,
    grid_id: Option<String>,
    floors: Option<String>,
    rooms_per_floor: Option<String>,
    area_m2: Option<String>,
}

/// Dwellings numbered floor + two digits: `floors` × `rooms` of them.
fn numbered_dwellings(
    floors: i64,
    rooms: i64,
    area: Option<f64>,
) -> Result<Vec<DwellingSpec>, AppError> {
    if !(1..=200).contains(&floors) || !(1..=40).contains(&rooms) {
        return Err(AppError::Invalid(
            "楼层数应为 1–200,每层户数应为 1–40".into(),
        ));
    }
    let mut out = Vec::new();
    for floor in 1..=floors {
        for n in 1..=rooms {
            let d = DwellingSpec::parse(floor, &format!("{floor}{n:02}"), area)
                .map_err(|e| AppError::Invalid(e.to_string()))?;
            out.push(d);
        }
    }
    Ok(out)
}

async fn change_building(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<BuildingChangeForm>,
) -> Result<Response, WebError> {
    let actor = user.actor(&ip);
    let app = &state.app;
    let r = match f.action.as_str() {
        "rename" => app
            .rename_building(&user, id, f.name.as_deref().unwrap_or(""), &actor)
            .await
            .map(|b| format!("已更名为“{}”", b.name)),
        "assign" => match opt_id(f.grid_id.as_deref()) {
            Ok(g) => app
                .assign_building(&user, id, g, &actor)
                .await
                .map(|b| format!("“{}”已划入 {}", b.name, b.scope)),
            Err(e) => return Err(e),
        },
        "add_unit" => {
            let spec = (|| {
                let floors = opt_num::<i64>(f.floors.as_deref(), "楼层数")?.unwrap_or(0);
                let rooms = opt_num::<i64>(f.rooms_per_floor.as_deref(), "每层户数")?.unwrap_or(0);
                let area = opt_num::<f64>(f.area_m2.as_deref(), "建筑面积")?;
                numbered_dwellings(floors, rooms, area)
            })();
            match spec {
                Ok(ds) => app
                    .add_unit(&user, id, f.name.as_deref().unwrap_or(""), &ds, &actor)
                    .await
                    .map(|_| format!("已新增单元,{} 户", ds.len())),
                Err(e) => Err(e),
            }
        }
        "delete" => {
            let r = app
                .delete_place(&user, PlaceRef::Building(id), &actor)
                .await;
            if r.is_ok() {
                return back_to(&f.code, None, Ok("楼栋已删除".to_owned()));
            }
            r.map(|()| String::new())
        }
        _ => return Err(WebError::bad_request("invalid", "未知操作")),
    };
    back_to(&f.code, Some(("building", id)), r)
}

#[derive(Deserialize)]
struct DeleteForm {
    code: String,
    building: i64,
}

/// Deletes a unit or a dwelling (`/places/units/{id}/delete`,
/// `/places/dwellings/{id}/delete`) and returns to its building.
async fn delete_inside(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path((kind, id)): Path<(String, i64)>,
    Form(f): Form<DeleteForm>,
) -> Result<Response, WebError> {
    let (what, done) = match kind.as_str() {
        "units" => (PlaceRef::Unit(id), "单元已删除"),
        "dwellings" => (PlaceRef::Dwelling(id), "该户已删除"),
        _ => return Err(WebError::NotFound),
    };
    let r = state
        .app
        .delete_place(&user, what, &user.actor(&ip))
        .await
        .map(|()| done.to_owned());
    back_to(&f.code, Some(("building", f.building)), r)
}

/// Back to the party page with a message.
fn back_to_party(code: &str, r: Result<String, AppError>) -> Result<Response, WebError> {
    redirect_with("/places/party", vec![("code", code.to_owned())], r)
}

/// `community`, `grid:7` or `building:3`.
fn parse_node(s: &str) -> Result<(NodeKind, Option<i64>), AppError> {
    let bad = || AppError::Invalid("请选择所在节点".into());
    match s.split_once(':') {
        None if s == "community" => Ok((NodeKind::Community, None)),
        Some((k, id)) => {
            let kind: NodeKind = k.parse().map_err(|_| bad())?;
            Ok((kind, Some(id.parse().map_err(|_| bad())?)))
        }
        None => Err(bad()),
    }
}

#[derive(Deserialize)]
struct OrgForm {
    code: String,
    kind: String,
    name: String,
    node: String,
    parent_id: Option<String>,
}

async fn add_org(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<OrgForm>,
) -> Result<Response, WebError> {
    let community = parse_code(&f.code)?;
    let input = (|| {
        let kind: OrgKind = f
            .kind
            .parse()
            .map_err(|e: linli_domain::party::PartyError| AppError::Invalid(e.to_string()))?;
        let (node_kind, node_id) = parse_node(&f.node)?;
        let parent_id = opt_num::<i64>(f.parent_id.as_deref(), "上级党组织")?;
        Ok::<_, AppError>(linli_app::party::OrgInput {
            kind,
            name: &f.name,
            node_kind,
            node_id,
            parent_id,
        })
    })();
    let r = match input {
        Ok(o) => state
            .app
            .add_org(&user, &community, o, &user.actor(&ip))
            .await
            .map(|_| format!("已建立“{}”", f.name.trim())),
        Err(e) => Err(e),
    };
    back_to_party(&f.code, r)
}

#[derive(Deserialize)]
struct PostForm {
    code: String,
    post: String,
    person_name: String,
    node: String,
    unit_name: Option<String>,
    start_date: String,
}

async fn add_post(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Form(f): Form<PostForm>,
) -> Result<Response, WebError> {
    let community = parse_code(&f.code)?;
    let input = (|| {
        let post: PostKind = f
            .post
            .parse()
            .map_err(|e: linli_domain::party::PartyError| AppError::Invalid(e.to_string()))?;
        let (kind, node_id) = parse_node(&f.node)?;
        if kind != post.node() {
            return Err(AppError::Invalid(format!(
                "{}应设在{}上",
                post.label_zh(),
                post.node().label_zh()
            )));
        }
        Ok(linli_app::party::PostInput {
            post,
            node_id,
            person_name: &f.person_name,
            user_id: None,
            unit_name: opt_text(f.unit_name.as_deref()),
            start_date: f.start_date.trim(),
            end_date: None,
        })
    })();
    let r = match input {
        Ok(p) => state
            .app
            .add_post(&user, &community, p, &user.actor(&ip))
            .await
            .map(|_| format!("已任命{}", f.person_name.trim())),
        Err(e) => Err(e),
    };
    back_to_party(&f.code, r)
}
