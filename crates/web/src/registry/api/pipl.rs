//! `/api/v1` for residents' rights over their data (PIPL arts. 44–47):
//! their household, a download, correction requests; and the staff side.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::http::render::xlsx_download;
use crate::http::util::ClientIp;
use crate::registry::api::residents::ResidentOut;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use linli_app::registry::pipl::{CorrectionView, MyData};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/household", get(household))
        .route("/api/v1/me/household.xlsx", get(household_xlsx))
        .route("/api/v1/me/corrections", post(request_correction))
        .route("/api/v1/corrections", get(open_corrections))
        .route("/api/v1/corrections/{id}", post(resolve))
        .route("/api/v1/residents/{id}/account", post(link_account))
}

#[derive(Serialize, ToSchema)]
pub struct CorrectionOut {
    pub id: i64,
    pub field: String,
    pub note: String,
    /// open, done or refused
    pub status: String,
    pub resolution: Option<String>,
    /// unix ms
    pub created_at: i64,
}

/// The caller's own data: their record with their numbers in full, and the
/// household's other members masked.
#[derive(Serialize, ToSchema)]
pub struct MyDataOut {
    pub me: ResidentOut,
    pub id_number: String,
    pub phone: Option<String>,
    pub members: Vec<ResidentOut>,
    pub corrections: Vec<CorrectionOut>,
}

fn out(d: MyData) -> MyDataOut {
    MyDataOut {
        me: d.me.into(),
        id_number: d.id_number,
        phone: d.phone,
        members: d.members.into_iter().map(ResidentOut::from).collect(),
        corrections: d
            .corrections
            .into_iter()
            .map(|c| CorrectionOut {
                id: c.id,
                field: c.field,
                note: c.note,
                status: c.status,
                resolution: c.resolution,
                created_at: c.created_at.0,
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/me/household", tag = "pipl",
    responses((status = 200, body = MyDataOut), (status = 422, description = "the account is bound to no resident", body = ErrorBody)))]
pub async fn household(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
) -> Result<Json<MyDataOut>, WebError> {
    Ok(Json(out(state.app.my_data(&u, &u.actor(&ip)).await?)))
}

#[utoipa::path(get, path = "/api/v1/me/household.xlsx", tag = "pipl",
    responses((status = 200, description = "xlsx"), (status = 422, body = ErrorBody)))]
pub async fn household_xlsx(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
) -> Result<Response, WebError> {
    let data = state.app.my_data(&u, &u.actor(&ip)).await?;
    Ok(xlsx_download(
        "我的信息",
        linli_app::App::my_data_xlsx(&data)?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// 姓名, 性别, 出生日期, 证件号码, 联系电话, 民族, 政治面貌, 工作单位 or 其他
    pub field: String,
    /// the correct value
    pub value: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/me/corrections", tag = "pipl", request_body = CorrectionRequest,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn request_correction(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Json(b): Json<CorrectionRequest>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = state
        .app
        .request_correction(&u, &b.field, &b.value, &b.note, &u.actor(&ip))
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct OpenCorrection {
    pub id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    pub address: String,
    pub field: String,
    pub value: String,
    pub note: String,
    /// unix ms
    pub created_at: i64,
}

impl From<CorrectionView> for OpenCorrection {
    fn from(c: CorrectionView) -> Self {
        OpenCorrection {
            id: c.request.id,
            resident_id: c.request.resident_id,
            resident_name: c.resident_name,
            address: c.address,
            field: c.request.field,
            value: c.value,
            note: c.request.note,
            created_at: c.request.created_at.0,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/corrections", tag = "pipl",
    responses((status = 200, body = [OpenCorrection]), (status = 403, body = ErrorBody)))]
pub async fn open_corrections(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
) -> Result<Json<Vec<OpenCorrection>>, WebError> {
    let list = state.app.open_corrections(&u).await?;
    Ok(Json(list.into_iter().map(OpenCorrection::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// true: corrected; false: refused
    pub done: bool,
    pub resolution: String,
}

#[utoipa::path(post, path = "/api/v1/corrections/{id}", tag = "pipl", request_body = Resolution,
    params(("id" = i64, Path, description = "request id")),
    responses((status = 204), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<Resolution>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .resolve_correction(&u, id, b.done, &b.resolution, &u.actor(&ip))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountLink {
    pub username: String,
}

#[utoipa::path(post, path = "/api/v1/residents/{id}/account", tag = "pipl", request_body = AccountLink,
    params(("id" = i64, Path, description = "resident id")),
    responses((status = 204), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn link_account(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<AccountLink>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .link_resident_account(&u, id, &b.username, &u.actor(&ip))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
