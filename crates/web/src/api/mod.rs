//! JSON API under `/api/v1`, described by OpenAPI at `/api/v1/openapi.json`.
//!
//! API clients send `Authorization: Bearer <personal access token>`; a
//! browser may use its session (then CSRF rules apply to writes). Errors
//! are `{"errors":[{"code":…,"detail":…}]}` (see `error`).

mod cards;
mod case_photos;
mod case_setup;
pub(crate) mod case_suggest;
mod case_whistle;
pub(crate) mod cases;
mod notifications;
mod pipl;
mod places;
mod registry;

pub use registry::ResidentParams;

pub use places::location;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ErrorBody, ErrorItem, WebError};
use crate::pages::{AuditQuery, AuditRow, RegionView, TokenView, parse_code};
use crate::util::ClientIp;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/openapi.json",
            get(|| async { Json(ApiDoc::openapi()) }),
        )
        .route("/api/v1/me", get(me))
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
        .route("/api/v1/audit", get(audit_log))
        .route("/api/v1/regions", get(region_roots))
        .route("/api/v1/regions/{code}", get(region))
        .merge(places::routes())
        .merge(registry::routes())
        .merge(pipl::routes())
        .merge(cards::routes())
        .merge(cases::routes())
        .merge(case_whistle::routes())
        .merge(case_setup::routes())
        .merge(notifications::routes())
}

#[derive(OpenApi)]
#[openapi(
    info(title = "linli API", description = "邻里 社区网格治理平台接口"),
    paths(me, list_tokens, create_token, revoke_token, audit_log, region_roots, region,
          places::community, places::community_map, places::report, places::party,
          places::create_grid, places::update_grid, places::delete_grid, places::grid_boundary,
          places::put_grid_boundary, places::building, places::dwellings, places::locate,
          places::create_estate, places::create_building, places::assign_building, places::create_unit,
          places::places_template, places::export_places, places::import_places,
          registry::list, registry::one, registry::create, registry::reveal, registry::move_to, registry::set_tags,
          registry::care_tags, registry::template, registry::export, registry::import,
          cards::issue_card, cards::revoke_card, cards::card_history, notifications::notifications, notifications::mark_read, notifications::stream,
          registry::add_care_tag, registry::set_carer, registry::set_health,
          pipl::household, pipl::household_xlsx, pipl::request_correction, pipl::open_corrections, pipl::resolve,
          pipl::link_account, cases::submit, cases::list, cases::one, cases::step, cases::rate,
          cases::duplicates, cases::categories, cases::dashboard, cases::dashboard_xlsx, case_photos::photo, case_suggest::suggest,
          case_whistle::departments, case_whistle::whistle, case_whistle::report_in,
          case_setup::list_routes, case_setup::put_route, case_setup::delete_route, case_setup::get_year,
          case_setup::put_year, case_setup::add_category, case_setup::change_category),
    components(schemas(Me, RoleGrant, Token, NewToken, CreatedToken, AuditRow, RegionView, RegionWithChildren, ErrorBody, ErrorItem,
        crate::views::GridView, crate::views::BuildingView, crate::views::CommunityOut, crate::views::UnitView,
        crate::views::DwellingView, crate::views::ReportOut, crate::views::OverlapOut, crate::views::MisplacedOut,
        crate::views::OrgView, crate::views::PostView, places::PartyOut, places::NewGrid, places::GridChange,
        places::BuildingOut, places::Located, places::NewEstate, places::Created, places::NewBuilding,
        places::BuildingChange, places::NewUnit, places::PlaceImportOut, places::RejectedRow,
        registry::TagOut, registry::ResidentOut, registry::ResidentList, registry::NewResident, registry::CreatedResident,
        registry::RevealRequest, registry::Revealed, registry::MoveRequest, registry::TagsRequest, registry::CareTagOut,
        registry::ResidentImportOut, cards::NewCard, cards::IssuedCardOut, cards::CardOut, cards::ScanOut,
        cards::CardHistory, notifications::NotificationOut, notifications::Inbox, notifications::MarkRead, notifications::Marked, registry::NewCareTag,
        registry::CarerRequest, registry::HealthNote, pipl::CorrectionOut, pipl::MyDataOut,
        pipl::CorrectionRequest, pipl::Created, pipl::OpenCorrection, pipl::Resolution, pipl::AccountLink,
        cases::NewCaseIn, cases::CaseOut, cases::EventOut, cases::CaseDetail, cases::CaseList, cases::StepIn,
        cases::RatingIn, case_photos::PhotoOut, case_suggest::SuggestOut, cases::CategoryOut, cases::IndicatorsOut, cases::SliceOut, cases::DashboardOut,
        case_whistle::DepartmentOut, case_whistle::CallOut, case_whistle::WhistleIn, case_whistle::ReportInIn,
        case_setup::RouteIo, case_setup::DayIo, case_setup::NewCategoryIn, case_setup::CategoryPatch)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The caller's account.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub must_change_password: bool,
    pub roles: Vec<RoleGrant>,
}

/// A role held on a territory node (12-digit region code); it reaches the node's subtree.
#[derive(Serialize, ToSchema)]
pub struct RoleGrant {
    #[schema(example = "grid_worker")]
    pub role: String,
    #[schema(example = "网格员")]
    pub role_label: String,
    #[schema(example = "220103008003")]
    pub scope: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, description = "not authenticated", body = ErrorBody)))]
async fn me(CurrentUser(u): CurrentUser) -> Json<Me> {
    Json(Me {
        id: u.user_id,
        username: u.username,
        display_name: u.display_name,
        must_change_password: u.must_change_password,
        roles: u
            .grants
            .iter()
            .map(|g| RoleGrant {
                role: g.role.as_str().to_owned(),
                role_label: g.role.label_zh().to_owned(),
                scope: g.scope.to_string(),
            })
            .collect(),
    })
}

/// A personal access token (never its secret).
#[derive(Serialize, ToSchema)]
pub struct Token {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

impl From<TokenView> for Token {
    fn from(t: TokenView) -> Self {
        Token {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: t.created,
            last_used: t.last_used,
            revoked: t.revoked,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts",
    responses((status = 200, body = [Token]), (status = 401, body = ErrorBody)))]
async fn list_tokens(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
) -> Result<Json<Vec<Token>>, WebError> {
    let list = state.app.list_tokens(&u).await?;
    Ok(Json(
        list.into_iter()
            .map(|t| Token::from(TokenView::from(t)))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// 1–60 characters.
    pub name: String,
}

/// The new token; `token` is shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), WebError> {
    let t = state
        .app
        .create_token(&u.username, &body.name, &u.actor(&ip))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: t.id,
            token: t.secret.expose().to_owned(),
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "token id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.app.revoke_token(&u, id, &ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit log, newest first (auditors only: 三权分立).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = [AuditRow]), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn audit_log(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditRow>>, WebError> {
    let records = state
        .app
        .audit_log_page(&u, q.before, q.limit.unwrap_or(50), &ip)
        .await?;
    Ok(Json(records.into_iter().map(AuditRow::from).collect()))
}

/// The provinces (行政区划 roots).
#[utoipa::path(get, path = "/api/v1/regions", tag = "territory",
    responses((status = 200, body = [RegionView]), (status = 401, body = ErrorBody)))]
async fn region_roots(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
) -> Result<Json<Vec<RegionView>>, WebError> {
    Ok(Json(
        state
            .app
            .region_roots()
            .await?
            .into_iter()
            .map(RegionView::from)
            .collect(),
    ))
}

/// A region with its direct children.
#[derive(Serialize, ToSchema)]
pub struct RegionWithChildren {
    pub region: RegionView,
    pub children: Vec<RegionView>,
}

#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "territory",
    params(("code" = String, Path, description = "2, 4, 6, 9 or 12 digit region code")),
    responses((status = 200, body = RegionWithChildren), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn region(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<RegionWithChildren>, WebError> {
    let (region, children) = state.app.region_with_children(&parse_code(&code)?).await?;
    Ok(Json(RegionWithChildren {
        region: region.into(),
        children: children.into_iter().map(RegionView::from).collect(),
    }))
}
