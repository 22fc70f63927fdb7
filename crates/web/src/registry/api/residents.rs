//! `/api/v1` for the resident registry: scoped search, one resident
//! (masked), an audited reveal, moves, tags and Excel in/out.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::http::render::xlsx_download;
use crate::http::util::ClientIp;
use crate::territory::api::xlsx::RejectedRow;
use crate::territory::pages::regions::parse_code;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use linli_app::registry::{ResidentQuery, ResidentView, RevealField};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// A resident import may be larger than other requests (10,000 people ≈ 1 MB).
const IMPORT_LIMIT: usize = 32 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/residents", get(list).post(create))
        .route("/api/v1/residents/search", post(search))
        .route("/api/v1/residents/template.xlsx", get(template))
        .route("/api/v1/residents/{id}", get(one))
        .route("/api/v1/residents/{id}/reveal", post(reveal))
        .route("/api/v1/residents/{id}/move", post(move_to))
        .route("/api/v1/residents/{id}/tags", axum::routing::put(set_tags))
        .route("/api/v1/care-tags", get(care_tags).post(add_care_tag))
        .route(
            "/api/v1/residents/{id}/carer",
            axum::routing::put(set_carer),
        )
        .route(
            "/api/v1/residents/{id}/health",
            axum::routing::put(set_health),
        )
        .route(
            "/api/v1/communities/{code}/residents.xlsx",
            get(export)
                .post(import)
                .layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
}

/// A tag on a person.
#[derive(Serialize, ToSchema)]
pub struct TagOut {
    pub name: String,
    pub color: String,
    /// 包保人
    pub carer: Option<String>,
    pub visit_days: Option<i64>,
}

/// A resident; ID number and phone masked.
#[derive(Serialize, ToSchema)]
pub struct ResidentOut {
    pub id: i64,
    pub name: String,
    pub gender: String,
    /// only for callers who may reveal personal fields (with the ID's
    /// hidden digits it would rebuild the number); others get `age`
    pub birth_date: Option<String>,
    pub age: i32,
    pub doc_kind: String,
    #[schema(example = "110105********002X")]
    pub doc_masked: String,
    #[schema(example = "138****1234")]
    pub phone_masked: Option<String>,
    pub has_health_note: bool,
    pub ethnicity: String,
    pub political: String,
    pub relation: String,
    /// 户籍 / 长住 / 短租
    pub residency: String,
    pub work_unit: String,
    pub address: String,
    pub community: String,
    /// the grid (or community) code whose grants reach this person
    pub scope: String,
    pub household_id: i64,
    pub dwelling_id: i64,
    pub tags: Vec<TagOut>,
}

impl From<ResidentView> for ResidentOut {
    fn from(v: ResidentView) -> Self {
        ResidentOut {
            id: v.id,
            name: v.name,
            gender: v.gender.to_owned(),
            birth_date: v.birth_date,
            age: v.age,
            doc_kind: v.doc_kind.to_owned(),
            doc_masked: v.doc_masked,
            phone_masked: v.phone_masked,
            has_health_note: v.has_health_note,
            ethnicity: v.ethnicity,
            political: v.political,
            relation: v.relation,
            residency: v.residency.to_owned(),
            work_unit: v.work_unit,
            address: v.address,
            community: v.community.to_string(),
            scope: v.scope.to_string(),
            household_id: v.household_id,
            dwelling_id: v.dwelling_id,
            tags: v
                .tags
                .into_iter()
                .map(|t| TagOut {
                    name: t.name,
                    color: t.color,
                    carer: t.carer,
                    visit_days: t.visit_days,
                })
                .collect(),
        }
    }
}

/// Search filters; all optional.
#[derive(Deserialize, IntoParams, Default)]
pub struct ResidentParams {
    /// name (prefix), ID number (exact), phone (exact) or its first 3 / last 4 digits
    pub q: Option<String>,
    /// 12-digit community code
    pub community: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub building_id: Option<i64>,
    /// one flat (dwelling) of the building
    #[serde(default, deserialize_with = "empty_as_none")]
    pub dwelling_id: Option<i64>,
    /// a care tag's name, e.g. 独居老人
    pub tag: Option<String>,
    /// 小区 or 楼栋 name contains
    pub address: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub age_min: Option<i32>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub age_max: Option<i32>,
    /// keyset paging: the `next_after` of the previous page
    #[serde(default, deserialize_with = "empty_as_none")]
    pub after: Option<i64>,
    /// 1–500, default 50
    #[serde(default, deserialize_with = "empty_as_none")]
    pub limit: Option<i64>,
}

/// A number from a query string where an empty field (a form's blank
/// input) means "not given"; anything else must parse.
pub(crate) fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

impl ResidentParams {
    /// Whether `q` is a whole ID or phone number (which must not travel in
    /// a URL).
    pub fn is_number_search(&self) -> bool {
        let text = self
            .q
            .as_deref()
            .map(linli_domain::territory::places::normalise_cell)
            .unwrap_or_default();
        !text.is_empty()
            && linli_domain::registry::SearchText::classify(&text, linli_app::today()).is_number()
    }

    pub fn query(&self) -> Result<ResidentQuery, WebError> {
        Ok(ResidentQuery {
            q: self.q.clone(),
            community: self
                .community
                .as_deref()
                .filter(|c| !c.is_empty())
                .map(parse_code)
                .transpose()?,
            building_id: self.building_id,
            dwelling_id: self.dwelling_id,
            tag: self.tag.clone(),
            address: self.address.clone(),
            age_min: self.age_min,
            age_max: self.age_max,
            include_moved_out: false,
            after: self.after,
            limit: self.limit,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResidentList {
    /// how many match, counted up to 10,001: a larger figure means "over 10,000"
    pub total: i64,
    pub next_after: Option<i64>,
    pub rows: Vec<ResidentOut>,
}

#[utoipa::path(get, path = "/api/v1/residents", tag = "registry", params(ResidentParams),
    responses((status = 200, body = ResidentList), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    ClientIp(ip): ClientIp,
    Query(p): Query<ResidentParams>,
) -> Result<Json<ResidentList>, WebError> {
    if p.is_number_search() {
        return Err(WebError::bad_request(
            "number_in_url",
            "按证件号码或电话查找请用 POST /api/v1/residents/search,号码不放在网址里",
        ));
    }
    let page = state
        .app
        .list_residents(&u, &p.query()?, &u.actor(&ip))
        .await?;
    Ok(Json(ResidentList::from(page)))
}

impl From<linli_app::registry::ResidentPage> for ResidentList {
    fn from(page: linli_app::registry::ResidentPage) -> Self {
        ResidentList {
            total: page.total,
            next_after: page.next_after,
            rows: page.rows.into_iter().map(ResidentOut::from).collect(),
        }
    }
}

/// A search whose text may be a whole ID or phone number: in the body, so
/// the number stays out of URLs, logs and history.
#[derive(Deserialize, ToSchema)]
pub struct SearchRequest {
    /// a name, an ID number, a phone or its first 3 / last 4 digits
    pub q: String,
    /// 12-digit community code
    pub community: Option<String>,
    pub after: Option<i64>,
    /// 1–500, default 50
    pub limit: Option<i64>,
}

/// Searching by a whole ID or phone number needs the reveal permission
/// over the caller's whole reach, is audited and limited per hour.
#[utoipa::path(post, path = "/api/v1/residents/search", tag = "registry", request_body = SearchRequest,
    responses((status = 200, body = ResidentList), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    ClientIp(ip): ClientIp,
    Json(b): Json<SearchRequest>,
) -> Result<Json<ResidentList>, WebError> {
    let p = ResidentParams {
        q: Some(b.q),
        community: b.community,
        after: b.after,
        limit: b.limit,
        ..ResidentParams::default()
    };
    let page = state
        .app
        .list_residents(&u, &p.query()?, &u.actor(&ip))
        .await?;
    Ok(Json(ResidentList::from(page)))
}

#[utoipa::path(get, path = "/api/v1/residents/{id}", tag = "registry",
    params(("id" = i64, Path, description = "resident id")),
    responses((status = 200, body = ResidentOut), (status = 404, description = "no such resident in your scope", body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ResidentOut>, WebError> {
    Ok(Json(state.app.resident(&u, id).await?.into()))
}

/// A new resident: the keys are the 居民 sheet's column names
/// (姓名, 证件号码, 联系电话, 标签 …); the address comes from `dwelling_id`.
#[derive(Deserialize, ToSchema)]
pub struct NewResident {
    pub dwelling_id: i64,
    pub fields: HashMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedResident {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/residents", tag = "registry", request_body = NewResident,
    responses((status = 201, body = CreatedResident), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Json(body): Json<NewResident>,
) -> Result<(axum::http::StatusCode, Json<CreatedResident>), WebError> {
    let id = state
        .app
        .add_resident_from_fields(&u, body.dwelling_id, &body.fields, &u.actor(&ip))
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(CreatedResident { id }),
    ))
}

/// Which field to reveal and why (the reason is audited).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// id_number, phone or health
    pub field: String,
    /// 2–200 characters
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Revealed {
    pub field: String,
    /// null when the field is empty
    pub value: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/residents/{id}/reveal", tag = "registry", request_body = RevealRequest,
    params(("id" = i64, Path, description = "resident id")),
    responses((status = 200, body = Revealed), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reveal(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<RevealRequest>,
) -> Result<Json<Revealed>, WebError> {
    let field = RevealField::parse(&body.field)?;
    let value = state
        .app
        .reveal(&u, id, field, &body.reason, &u.actor(&ip))
        .await?;
    Ok(Json(Revealed {
        field: field.as_str().to_owned(),
        value,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    pub dwelling_id: i64,
}

#[utoipa::path(post, path = "/api/v1/residents/{id}/move", tag = "registry", request_body = MoveRequest,
    params(("id" = i64, Path, description = "resident id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn move_to(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<MoveRequest>,
) -> Result<axum::http::StatusCode, WebError> {
    state
        .app
        .move_resident(&u, id, body.dwelling_id, &u.actor(&ip))
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsRequest {
    pub tags: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/residents/{id}/tags", tag = "registry", request_body = TagsRequest,
    params(("id" = i64, Path, description = "resident id")),
    responses((status = 204), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_tags(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<TagsRequest>,
) -> Result<axum::http::StatusCode, WebError> {
    state
        .app
        .set_resident_tags(&u, id, &body.tags, &u.actor(&ip))
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct CareTagOut {
    pub id: i64,
    pub name: String,
    pub color: String,
    pub visit_days: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/care-tags", tag = "registry",
    responses((status = 200, body = [CareTagOut])))]
pub async fn care_tags(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
) -> Result<Json<Vec<CareTagOut>>, WebError> {
    Ok(Json(
        state
            .app
            .care_tags()
            .await?
            .into_iter()
            .map(|t| CareTagOut {
                id: t.id,
                name: t.name,
                color: t.color,
                visit_days: t.visit_days,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/residents/template.xlsx", tag = "registry",
    responses((status = 200, description = "xlsx")))]
pub async fn template(CurrentUser(_): CurrentUser) -> Result<Response, WebError> {
    Ok(xlsx_download(
        "居民导入模板",
        linli_app::registry::xlsx::residents_template()?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ExportParams {
    /// ID numbers and phones in clear (needs its own permission; audited)
    pub unmasked: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/communities/{code}/residents.xlsx", tag = "registry",
    params(("code" = String, Path, description = "12-digit community code"), ExportParams),
    responses((status = 200, description = "xlsx"), (status = 403, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
    Query(p): Query<ExportParams>,
) -> Result<Response, WebError> {
    let code = parse_code(&code)?;
    let unmasked = p.unmasked.unwrap_or(false);
    let bytes = state
        .app
        .export_residents(&u, &code, unmasked, &u.actor(&ip))
        .await?;
    Ok(xlsx_download(&format!("居民-{code}"), bytes))
}

/// What a resident import did; valid rows are kept, rejected ones listed.
#[derive(Serialize, ToSchema)]
pub struct ResidentImportOut {
    pub rows: usize,
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: Vec<RejectedRow>,
}

#[utoipa::path(post, path = "/api/v1/communities/{code}/residents.xlsx", tag = "registry",
    params(("code" = String, Path, description = "12-digit community code")),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ResidentImportOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<ResidentImportOut>, WebError> {
    let r = state
        .app
        .import_residents(&u, &parse_code(&code)?, body, &u.actor(&ip))
        .await?;
    Ok(Json(ResidentImportOut {
        rows: r.rows,
        imported: r.imported,
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCareTag {
    /// at most 10 characters
    pub name: String,
    /// red, orange, yellow, green, blue, purple, grey or black (七色信息牌)
    pub color: String,
    /// default visit period in days
    pub visit_days: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/care-tags", tag = "registry", request_body = NewCareTag,
    responses((status = 201, body = CreatedResident), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn add_care_tag(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Json(b): Json<NewCareTag>,
) -> Result<(axum::http::StatusCode, Json<CreatedResident>), WebError> {
    let id = state
        .app
        .add_care_tag(&u, &b.name, &b.color, b.visit_days, &u.actor(&ip))
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(CreatedResident { id }),
    ))
}

/// The 包保人 and visit period of one of the person's tags.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarerRequest {
    pub tag: String,
    /// 楼栋长/单元长/网格员 by name; null clears it
    pub carer: Option<String>,
    pub visit_days: Option<i64>,
}

#[utoipa::path(put, path = "/api/v1/residents/{id}/carer", tag = "registry", request_body = CarerRequest,
    params(("id" = i64, Path, description = "resident id")),
    responses((status = 204), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_carer(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<CarerRequest>,
) -> Result<axum::http::StatusCode, WebError> {
    state
        .app
        .set_carer(
            &u,
            id,
            &b.tag,
            b.carer.as_deref(),
            b.visit_days,
            &u.actor(&ip),
        )
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// A health note (sealed at rest; shown only through an audited reveal).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthNote {
    /// null or empty clears it; at most 500 characters
    pub note: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/residents/{id}/health", tag = "registry", request_body = HealthNote,
    params(("id" = i64, Path, description = "resident id")),
    responses((status = 204), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_health(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<HealthNote>,
) -> Result<axum::http::StatusCode, WebError> {
    state
        .app
        .set_health_note(&u, id, b.note.as_deref(), &u.actor(&ip))
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
