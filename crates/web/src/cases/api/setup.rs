//! `/api/v1` for what the loop runs on: routing rules (派单规则), the
//! holiday calendar by year, and adding or changing categories.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::http::util::ClientIp;
use crate::territory::pages::regions::parse_code;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use linli_app::cases::setup::{CategoryChange, NewCategory, RouteView};
use linli_domain::cases::{DayKind, HandlerKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/case-routes",
            get(list_routes).put(put_route).delete(delete_route),
        )
        .route("/api/v1/calendar/{year}", get(get_year).put(put_year))
        .route("/api/v1/case-categories/{code}", patch(change_category))
}

/// A category; `code` is the Open311 service_code.
#[derive(Serialize, ToSchema)]
pub struct CategoryOut {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    pub deadline_days: i64,
    pub urgent_hours: i64,
}

/// A routing rule: cases of `category` within `scope` go to this handler.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteIo {
    /// a second-level category code
    #[schema(example = "0104")]
    pub category: String,
    /// a region, community or grid code
    pub scope: String,
    /// grid_worker, community_team, party_group, volunteer_team, partner_unit, department
    pub handler_kind: String,
    pub handler_name: String,
    /// the category's name (ignored when sent)
    #[serde(default)]
    pub category_name: String,
}

impl From<RouteView> for RouteIo {
    fn from(r: RouteView) -> Self {
        RouteIo {
            category: r.category_code,
            scope: r.scope,
            handler_kind: r.handler_kind.as_str().to_owned(),
            handler_name: r.handler_name,
            category_name: r.category_name,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ScopeParams {
    /// the subtree: a region, community or grid code
    pub scope: String,
    /// for delete: the category code
    pub category: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/case-routes", tag = "cases", params(ScopeParams),
    responses((status = 200, body = [RouteIo]), (status = 403, body = ErrorBody)))]
pub async fn list_routes(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Query(q): Query<ScopeParams>,
) -> Result<Json<Vec<RouteIo>>, WebError> {
    let scope = parse_code(&q.scope)?;
    let rows = state.app.case_routes(&u, &scope).await?;
    Ok(Json(rows.into_iter().map(RouteIo::from).collect()))
}

#[utoipa::path(put, path = "/api/v1/case-routes", tag = "cases", request_body = RouteIo,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_route(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Json(body): Json<RouteIo>,
) -> Result<StatusCode, WebError> {
    let kind: HandlerKind =
        body.handler_kind
            .parse()
            .map_err(|e: linli_domain::cases::CaseError| {
                WebError::bad_request("handler_kind", e.to_string())
            })?;
    let rule = RouteView {
        category_code: body.category,
        category_name: String::new(),
        scope: body.scope,
        handler_kind: kind,
        handler_name: body.handler_name,
    };
    state.app.set_case_route(&u, &rule, &u.actor(&ip)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/case-routes", tag = "cases", params(ScopeParams),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn delete_route(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Query(q): Query<ScopeParams>,
) -> Result<StatusCode, WebError> {
    let scope = parse_code(&q.scope)?;
    let cat = q
        .category
        .ok_or_else(|| WebError::bad_request("category", "请指定类别编码"))?;
    if state
        .app
        .delete_case_route(&u, &cat, &scope, &u.actor(&ip))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(linli_app::AppError::NotFound.into())
    }
}

/// One calendar entry: `holiday` (放假) or `workday` (调休上班).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayIo {
    #[schema(example = "2026-10-01")]
    pub date: String,
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "cases", params(("year" = i32, Path)),
    responses((status = 200, body = [DayIo])))]
pub async fn get_year(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Path(year): Path<i32>,
) -> Result<Json<Vec<DayIo>>, WebError> {
    let days = state.app.calendar_year(year).await?;
    Ok(Json(
        days.into_iter()
            .map(|(d, k, name)| DayIo {
                date: format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
                kind: k.as_str().to_owned(),
                name,
            })
            .collect(),
    ))
}

/// Replaces the year's entries with the list sent (an empty list clears it).
#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "cases", params(("year" = i32, Path)), request_body = [DayIo],
    responses((status = 204), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_year(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(year): Path<i32>,
    Json(body): Json<Vec<DayIo>>,
) -> Result<StatusCode, WebError> {
    let days = body
        .into_iter()
        .map(|d| {
            let date = linli_domain::registry::parse_date(&d.date).ok_or_else(|| {
                WebError::bad_request("date", format!("日期“{}”应为 YYYY-MM-DD", d.date))
            })?;
            let kind: DayKind = d
                .kind
                .parse()
                .map_err(|e: linli_domain::cases::CaseError| {
                    WebError::bad_request("kind", e.to_string())
                })?;
            Ok((date, kind, d.name))
        })
        .collect::<Result<Vec<_>, WebError>>()?;
    state
        .app
        .set_calendar_year(&u, year, &days, &u.actor(&ip))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new category: top-level (two digits) or under `parent`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCategoryIn {
    pub parent: Option<String>,
    #[schema(example = "1203")]
    pub code: String,
    pub name: String,
    pub deadline_days: i64,
    pub urgent_hours: i64,
}

#[utoipa::path(post, path = "/api/v1/case-categories", tag = "cases", request_body = NewCategoryIn,
    responses((status = 201, body = CategoryOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn add_category(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Json(b): Json<NewCategoryIn>,
) -> Result<(StatusCode, Json<CategoryOut>), WebError> {
    let input = NewCategory {
        parent: b.parent.clone(),
        code: b.code,
        name: b.name,
        deadline_days: b.deadline_days,
        urgent_hours: b.urgent_hours,
    };
    let c = state
        .app
        .add_case_category(&u, &input, &u.actor(&ip))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CategoryOut {
            code: c.code,
            name: c.name,
            parent: b.parent.filter(|p| !p.is_empty()),
            deadline_days: c.deadline_days,
            urgent_hours: c.urgent_hours,
        }),
    ))
}

/// What to change; absent fields stay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryPatch {
    pub name: Option<String>,
    pub deadline_days: Option<i64>,
    pub urgent_hours: Option<i64>,
    /// false: takes no new cases
    pub active: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/case-categories/{code}", tag = "cases", request_body = CategoryPatch,
    params(("code" = String, Path)),
    responses((status = 200, body = CategoryOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn change_category(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
    Json(b): Json<CategoryPatch>,
) -> Result<Json<CategoryOut>, WebError> {
    let change = CategoryChange {
        name: b.name,
        deadline_days: b.deadline_days,
        urgent_hours: b.urgent_hours,
        active: b.active,
    };
    let c = state
        .app
        .change_case_category(&u, &code, &change, &u.actor(&ip))
        .await?;
    let all = state.app.case_categories().await?;
    let parent = c
        .parent_id
        .and_then(|p| all.iter().find(|k| k.id == p).map(|k| k.code.clone()));
    Ok(Json(CategoryOut {
        code: c.code,
        name: c.name,
        parent,
        deadline_days: c.deadline_days,
        urgent_hours: c.urgent_hours,
    }))
}
