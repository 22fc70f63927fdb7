//! The 房屋台账 in Excel over the API: the template, a community's export,
//! and an import that answers with the refused rows and their reasons.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::http::render::xlsx_download;
use crate::http::util::ClientIp;
use crate::territory::pages::regions::parse_code;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/places/template.xlsx", get(places_template))
        .route(
            "/api/v1/communities/{code}/places.xlsx",
            get(export_places).post(import_places),
        )
}

/// The 房屋 import template.
#[utoipa::path(get, path = "/api/v1/places/template.xlsx", tag = "territory",
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn places_template(CurrentUser(_): CurrentUser) -> Result<Response, WebError> {
    Ok(xlsx_download(
        "房屋导入模板",
        linli_app::territory::xlsx::places_template()?,
    ))
}

/// The dwellings the caller may see, in the template's layout.
#[utoipa::path(get, path = "/api/v1/communities/{code}/places.xlsx", tag = "territory",
    params(("code" = String, Path, description = "12-digit community code")),
    responses((status = 200, description = "xlsx"), (status = 403, body = ErrorBody)))]
pub async fn export_places(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let code = parse_code(&code)?;
    let bytes = state.app.export_places(&u, &code).await?;
    Ok(xlsx_download(&format!("房屋-{code}"), bytes))
}

#[derive(Serialize, ToSchema)]
pub struct RejectedRow {
    /// the row number as Excel shows it
    pub row: usize,
    pub reason: String,
}

/// What an import did; valid rows are kept, rejected ones listed.
#[derive(Serialize, ToSchema)]
pub struct PlaceImportOut {
    pub rows: usize,
    pub estates: usize,
    pub buildings: usize,
    pub units: usize,
    pub dwellings: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: Vec<RejectedRow>,
}

/// Imports an xlsx (the request body) of estates, buildings, units and dwellings.
#[utoipa::path(post, path = "/api/v1/communities/{code}/places.xlsx", tag = "territory",
    params(("code" = String, Path, description = "12-digit community code")),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = PlaceImportOut), (status = 422, description = "not an xlsx, or required columns missing", body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn import_places(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<PlaceImportOut>, WebError> {
    let r = state
        .app
        .import_places(&u, &parse_code(&code)?, &body, &u.actor(&ip))
        .await?;
    Ok(Json(PlaceImportOut {
        rows: r.rows,
        estates: r.estates,
        buildings: r.buildings,
        units: r.units,
        dwellings: r.dwellings,
        updated: r.updated,
        unchanged: r.unchanged,
        rejected: r
            .rejected
            .into_iter()
            .map(|x| RejectedRow {
                row: x.row,
                reason: x.reason,
            })
            .collect(),
    }))
}
