//! The forms that change a community's places: grids (create, rename,
//! redraw, move), buildings (add, rename, move, units) and deletes from
//! the inside out. Each answers with a redirect and a flash message.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::WebError;
use crate::http::render::redirect_with;
use crate::http::util::ClientIp;
use crate::territory::pages::regions::parse_code;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use linli_app::AppError;
use linli_app::territory::places::{GridParent, PlaceRef};
use linli_domain::territory::places::DwellingSpec;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/places/grids", post(create_grid))
        .route("/places/grids/{id}", post(change_grid))
        .route("/places/buildings", post(create_building))
        .route("/places/buildings/{id}", post(change_building))
        .route("/places/{kind}/{id}/delete", post(delete_inside))
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

pub(super) fn opt_text(s: Option<&str>) -> Option<&str> {
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

pub(super) fn opt_num<T: std::str::FromStr>(
    s: Option<&str>,
    what: &str,
) -> Result<Option<T>, AppError> {
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
            let at = crate::territory::api::location(lng, lat, f.coord_sys.as_deref())?;
            let input = linli_app::territory::places::BuildingInput {
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
