//! `/api/v1` for the territory below the community: grids, buildings,
//! dwellings, the validation report, the party network and point → grid.

pub(crate) mod regions;
pub(crate) mod xlsx;

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::http::util::ClientIp;
use crate::territory::pages::regions::parse_code;
use crate::territory::views::{
    BuildingView, CommunityOut, DwellingView, GridView, OrgView, PostView, ReportOut, UnitView,
    map_features,
};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use linli_app::territory::places::{BuildingInput, GridParent, Location};
use linli_domain::geo::CoordSys;
use linli_domain::territory::places::DwellingSpec;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(regions::routes())
        .merge(xlsx::routes())
        .route("/api/v1/communities/{code}", get(community))
        .route("/api/v1/communities/{code}/map", get(community_map))
        .route("/api/v1/communities/{code}/report", get(report))
        .route("/api/v1/communities/{code}/party", get(party))
        .route("/api/v1/communities/{code}/grids", post(create_grid))
        .route(
            "/api/v1/grids/{id}",
            axum::routing::patch(update_grid).delete(delete_grid),
        )
        .route(
            "/api/v1/grids/{id}/boundary",
            get(grid_boundary).put(put_grid_boundary),
        )
        .route("/api/v1/communities/{code}/estates", post(create_estate))
        .route(
            "/api/v1/communities/{code}/buildings",
            post(create_building),
        )
        .route(
            "/api/v1/buildings/{id}",
            get(building).patch(assign_building),
        )
        .route("/api/v1/buildings/{id}/units", post(create_unit))
        .route("/api/v1/buildings/{id}/dwellings", get(dwellings))
        .route("/api/v1/locate", get(locate))
}

#[utoipa::path(get, path = "/api/v1/communities/{code}", tag = "territory",
    params(("code" = String, Path, description = "12-digit community code")),
    responses((status = 200, body = CommunityOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn community(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<CommunityOut>, WebError> {
    let v = state.app.community(&u, &parse_code(&code)?).await?;
    Ok(Json(CommunityOut::from(&v)))
}

/// The community's outline, grids and visible buildings as GeoJSON.
#[utoipa::path(get, path = "/api/v1/communities/{code}/map", tag = "territory",
    params(("code" = String, Path, description = "12-digit community code")),
    responses((status = 200, description = "GeoJSON FeatureCollection (WGS-84)"), (status = 403, body = ErrorBody)))]
pub async fn community_map(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let v = state.app.community(&u, &parse_code(&code)?).await?;
    let body = map_features(&v).to_string();
    Ok(([(CONTENT_TYPE, "application/geo+json")], body).into_response())
}

/// The validation report: overlaps, gap, buildings not in exactly one grid, party coverage.
#[utoipa::path(get, path = "/api/v1/communities/{code}/report", tag = "territory",
    params(("code" = String, Path, description = "12-digit community code")),
    responses((status = 200, body = ReportOut), (status = 403, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<ReportOut>, WebError> {
    let r = state.app.coverage_report(&u, &parse_code(&code)?).await?;
    Ok(Json(ReportOut::from(&r)))
}

#[derive(Serialize, ToSchema)]
pub struct PartyOut {
    pub orgs: Vec<OrgView>,
    pub posts: Vec<PostView>,
}

#[utoipa::path(get, path = "/api/v1/communities/{code}/party", tag = "party",
    params(("code" = String, Path, description = "12-digit community code")),
    responses((status = 200, body = PartyOut), (status = 403, body = ErrorBody)))]
pub async fn party(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<PartyOut>, WebError> {
    let (orgs, posts) = state.app.party_network(&u, &parse_code(&code)?).await?;
    Ok(Json(PartyOut {
        orgs: orgs.iter().map(OrgView::from).collect(),
        posts: posts.iter().map(PostView::from).collect(),
    }))
}

/// A new grid: under the community, or under `parent_id`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGrid {
    pub name: String,
    pub parent_id: Option<i64>,
    /// GeoJSON Polygon/MultiPolygon (or a Feature holding one), WGS-84
    #[schema(value_type = Option<Object>)]
    pub boundary: Option<serde_json::Value>,
}

fn grid_view(g: linli_app::territory::places::GridRow) -> GridView {
    GridView {
        level: linli_domain::territory::places::grid_level(&g.code),
        id: g.id,
        code: g.code.to_string(),
        has_boundary: g.boundary.is_some(),
        name: g.name,
        parent_id: g.parent_id,
        buildings: 0,
        dwellings: 0,
        staff: Vec::new(),
    }
}

#[utoipa::path(post, path = "/api/v1/communities/{code}/grids", tag = "territory", request_body = NewGrid,
    params(("code" = String, Path, description = "12-digit community code")),
    responses((status = 201, body = GridView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_grid(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
    Json(body): Json<NewGrid>,
) -> Result<(StatusCode, Json<GridView>), WebError> {
    let community = parse_code(&code)?;
    let parent = match body.parent_id {
        Some(id) => GridParent::Grid(id),
        None => GridParent::Community(&community),
    };
    let boundary = body.boundary.map(|b| b.to_string());
    let g = state
        .app
        .create_grid(&u, parent, &body.name, boundary.as_deref(), &u.actor(&ip))
        .await?;
    Ok((StatusCode::CREATED, Json(grid_view(g))))
}

/// Changes to a grid; absent fields stay. `parent_id: null` with
/// `move: true` moves it to the top level.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GridChange {
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub boundary: Option<serde_json::Value>,
    #[serde(rename = "move", default)]
    pub move_: bool,
    pub parent_id: Option<i64>,
}

#[utoipa::path(patch, path = "/api/v1/grids/{id}", tag = "territory", request_body = GridChange,
    params(("id" = i64, Path, description = "grid id")),
    responses((status = 200, body = GridView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_grid(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<GridChange>,
) -> Result<Json<GridView>, WebError> {
    let actor = u.actor(&ip);
    let boundary = body.boundary.map(|b| b.to_string());
    let mut g = state
        .app
        .update_grid(&u, id, body.name.as_deref(), boundary.as_deref(), &actor)
        .await?;
    if body.move_ {
        g = state.app.move_grid(&u, id, body.parent_id, &actor).await?;
    }
    Ok(Json(grid_view(g)))
}

#[utoipa::path(delete, path = "/api/v1/grids/{id}", tag = "territory",
    params(("id" = i64, Path, description = "grid id")),
    responses((status = 204), (status = 422, description = "the grid still holds grids or buildings", body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn delete_grid(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.app.delete_grid(&u, id, &u.actor(&ip)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Downloads a grid's boundary as a GeoJSON Feature.
#[utoipa::path(get, path = "/api/v1/grids/{id}/boundary", tag = "territory",
    params(("id" = i64, Path, description = "grid id")),
    responses((status = 200, description = "GeoJSON Feature"), (status = 404, body = ErrorBody)))]
pub async fn grid_boundary(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let g = state.app.grid(&u, id).await?;
    let geometry: serde_json::Value = g
        .boundary
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok())
        .ok_or(WebError::NotFound)?;
    let feature = serde_json::json!({
        "type": "Feature",
        "geometry": geometry,
        "properties": {"code": g.code.to_string(), "name": g.name},
    });
    let disposition = format!("attachment; filename=\"grid-{}.geojson\"", g.code);
    Ok((
        [
            (CONTENT_TYPE, "application/geo+json".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        feature.to_string(),
    )
        .into_response())
}

/// Uploads a grid's boundary (GeoJSON Polygon, MultiPolygon or Feature).
#[utoipa::path(put, path = "/api/v1/grids/{id}/boundary", tag = "territory",
    params(("id" = i64, Path, description = "grid id")),
    request_body(content = Object, content_type = "application/geo+json"),
    responses((status = 200, body = GridView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_grid_boundary(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    body: String,
) -> Result<Json<GridView>, WebError> {
    let g = state
        .app
        .update_grid(&u, id, None, Some(&body), &u.actor(&ip))
        .await?;
    Ok(Json(grid_view(g)))
}

#[derive(Serialize, ToSchema)]
pub struct BuildingOut {
    pub building: BuildingView,
    pub units: Vec<UnitView>,
}

#[utoipa::path(get, path = "/api/v1/buildings/{id}", tag = "territory",
    params(("id" = i64, Path, description = "building id")),
    responses((status = 200, body = BuildingOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn building(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<BuildingOut>, WebError> {
    let (b, units) = state.app.building(&u, id).await?;
    Ok(Json(BuildingOut {
        building: BuildingView::from(&b),
        units: units.iter().map(UnitView::from).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    /// 0-based page
    pub page: Option<i64>,
    /// rows per page (1–500, default 100)
    pub per_page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/buildings/{id}/dwellings", tag = "territory",
    params(("id" = i64, Path, description = "building id"), PageQuery),
    responses((status = 200, body = [DwellingView]), (status = 403, body = ErrorBody)))]
pub async fn dwellings(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Vec<DwellingView>>, WebError> {
    let list = state
        .app
        .dwellings(&u, id, q.page.unwrap_or(0), q.per_page.unwrap_or(100))
        .await?;
    Ok(Json(list.iter().map(DwellingView::from).collect()))
}

#[derive(Deserialize, IntoParams)]
pub struct LocateQuery {
    pub lng: f64,
    pub lat: f64,
    /// wgs84 (default), gcj02 (WeChat/高德/腾讯) or bd09 (百度)
    pub coord_sys: Option<String>,
}

/// Where a point lies.
#[derive(Serialize, ToSchema)]
pub struct Located {
    /// the point converted to WGS-84
    pub lng: f64,
    pub lat: f64,
    /// the leaf grid holding it; null when none (or more than one) does
    pub grid: Option<GridView>,
}

#[utoipa::path(get, path = "/api/v1/locate", tag = "territory", params(LocateQuery),
    responses((status = 200, body = Located), (status = 422, body = ErrorBody)))]
pub async fn locate(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Query(q): Query<LocateQuery>,
) -> Result<Json<Located>, WebError> {
    let at = location(Some(q.lng), Some(q.lat), q.coord_sys.as_deref())?
        .ok_or_else(|| WebError::bad_request("invalid", "缺少坐标"))?;
    let p = at.wgs84()?;
    let grid = state.app.locate(at).await?;
    Ok(Json(Located {
        lng: p.lng,
        lat: p.lat,
        grid: grid.map(grid_view),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEstate {
    pub name: String,
    pub address: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/communities/{code}/estates", tag = "territory", request_body = NewEstate,
    params(("code" = String, Path, description = "12-digit community code")),
    responses((status = 201, body = Created), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_estate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
    Json(body): Json<NewEstate>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = state
        .app
        .add_estate(
            &u,
            &parse_code(&code)?,
            &body.name,
            body.address.as_deref(),
            &u.actor(&ip),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A new building; its grid is found from its location.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBuilding {
    pub estate_id: i64,
    pub name: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    /// wgs84 (default), gcj02 or bd09
    pub coord_sys: Option<String>,
    pub floors: Option<i64>,
}

/// A location from optional fields: both or neither.
pub fn location(
    lng: Option<f64>,
    lat: Option<f64>,
    sys: Option<&str>,
) -> Result<Option<Location>, WebError> {
    let sys: CoordSys =
        sys.unwrap_or("wgs84")
            .parse()
            .map_err(|e: linli_domain::geo::GeoError| {
                WebError::bad_request("invalid", e.to_string())
            })?;
    match (lng, lat) {
        (Some(lng), Some(lat)) => Ok(Some(Location { lng, lat, sys })),
        (None, None) => Ok(None),
        _ => Err(WebError::bad_request("invalid", "经度和纬度须同时填写")),
    }
}

#[utoipa::path(post, path = "/api/v1/communities/{code}/buildings", tag = "territory", request_body = NewBuilding,
    params(("code" = String, Path, description = "12-digit community code")),
    responses((status = 201, body = BuildingView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_building(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
    Json(body): Json<NewBuilding>,
) -> Result<(StatusCode, Json<BuildingView>), WebError> {
    let input = BuildingInput {
        estate_id: body.estate_id,
        name: &body.name,
        at: location(body.lng, body.lat, body.coord_sys.as_deref())?,
        floors: body.floors,
    };
    let b = state
        .app
        .add_building(&u, &parse_code(&code)?, input, &u.actor(&ip))
        .await?;
    Ok((StatusCode::CREATED, Json(BuildingView::from(&b))))
}

/// Moves a building into a grid (`grid_id: null`: out of every grid).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildingChange {
    pub grid_id: Option<i64>,
}

#[utoipa::path(patch, path = "/api/v1/buildings/{id}", tag = "territory", request_body = BuildingChange,
    params(("id" = i64, Path, description = "building id")),
    responses((status = 200, body = BuildingView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_building(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<BuildingChange>,
) -> Result<Json<BuildingView>, WebError> {
    let b = state
        .app
        .assign_building(&u, id, body.grid_id, &u.actor(&ip))
        .await?;
    Ok(Json(BuildingView::from(&b)))
}

/// A new unit with its dwellings: `floors` × `rooms_per_floor`, numbered
/// floor + two digits (`1203`), or an explicit list.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    pub name: String,
    pub floors: Option<i64>,
    pub rooms_per_floor: Option<i64>,
    pub area_m2: Option<f64>,
}

#[utoipa::path(post, path = "/api/v1/buildings/{id}/units", tag = "territory", request_body = NewUnit,
    params(("id" = i64, Path, description = "building id")),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<NewUnit>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let floors = body.floors.unwrap_or(0);
    let rooms = body.rooms_per_floor.unwrap_or(0);
    if !(0..=200).contains(&floors) || !(0..=40).contains(&rooms) {
        return Err(WebError::bad_request(
            "invalid",
            "楼层数应为 0–200,每层户数应为 0–40",
        ));
    }
    let mut dwellings = Vec::new();
    for floor in 1..=floors {
        for n in 1..=rooms {
            let d = DwellingSpec::parse(floor, &format!("{floor}{n:02}"), body.area_m2)
                .map_err(|e| WebError::bad_request("invalid", e.to_string()))?;
            dwellings.push(d);
        }
    }
    let unit = state
        .app
        .add_unit(&u, id, &body.name, &dwellings, &u.actor(&ip))
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: unit })))
}
