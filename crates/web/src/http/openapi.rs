//! The JSON API under `/api/v1` is described by OpenAPI at
//! `/api/v1/openapi.json`; each capability's `api` module holds its
//! handlers with their `#[utoipa::path]`, and this document lists them.
//!
//! API clients send `Authorization: Bearer <personal access token>`; a
//! browser may use its session (then CSRF rules apply to writes). Errors
//! are `{"errors":[{"code":…,"detail":…}]}` (see `http::error`).

use crate::AppState;
use crate::http::error::{ErrorBody, ErrorItem};
use crate::{accounts, cases, notifications, registry, territory};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/openapi.json",
        get(|| async { Json(ApiDoc::openapi()) }),
    )
}

#[derive(OpenApi)]
#[openapi(
    info(title = "linli API", description = "邻里 社区网格治理平台接口"),
    paths(accounts::api::me, accounts::api::list_tokens, accounts::api::create_token, accounts::api::revoke_token, accounts::api::audit_log, territory::api::regions::region_roots, territory::api::regions::region,
          territory::api::community, territory::api::community_map, territory::api::report, territory::api::party,
          territory::api::create_grid, territory::api::update_grid, territory::api::delete_grid, territory::api::grid_boundary,
          territory::api::put_grid_boundary, territory::api::building, territory::api::dwellings, territory::api::locate,
          territory::api::create_estate, territory::api::create_building, territory::api::assign_building, territory::api::create_unit,
          territory::api::xlsx::places_template, territory::api::xlsx::export_places, territory::api::xlsx::import_places,
          registry::api::residents::list, registry::api::residents::search, registry::api::residents::one, registry::api::residents::create, registry::api::residents::reveal, registry::api::residents::move_to, registry::api::residents::set_tags,
          registry::api::residents::care_tags, registry::api::residents::template, registry::api::residents::export, registry::api::residents::import,
          registry::api::cards::issue_card, registry::api::cards::revoke_card, registry::api::cards::card_history, notifications::api::notifications, notifications::api::mark_read, notifications::api::stream,
          registry::api::residents::add_care_tag, registry::api::residents::set_carer, registry::api::residents::set_health,
          registry::api::pipl::household, registry::api::pipl::household_xlsx, registry::api::pipl::request_correction, registry::api::pipl::open_corrections, registry::api::pipl::resolve,
          registry::api::pipl::link_account, cases::api::cases::submit, cases::api::cases::list, cases::api::cases::one, cases::api::cases::step, cases::api::cases::rate,
          cases::api::cases::duplicates, cases::api::cases::categories, cases::api::dashboard::dashboard, cases::api::dashboard::dashboard_xlsx, cases::api::photos::photo, cases::api::suggest::suggest,
          cases::api::whistle::departments, cases::api::whistle::whistle, cases::api::whistle::report_in,
          cases::api::setup::list_routes, cases::api::setup::put_route, cases::api::setup::delete_route, cases::api::setup::get_year,
          cases::api::setup::put_year, cases::api::setup::add_category, cases::api::setup::change_category),
    components(schemas(accounts::api::Me, accounts::api::RoleGrant, accounts::api::Token, accounts::api::NewToken, accounts::api::CreatedToken, accounts::pages::audit::AuditRow, territory::pages::regions::RegionView, territory::api::regions::RegionWithChildren, ErrorBody, ErrorItem,
        crate::territory::views::GridView, crate::territory::views::BuildingView, crate::territory::views::CommunityOut, crate::territory::views::UnitView,
        crate::territory::views::DwellingView, crate::territory::views::ReportOut, crate::territory::views::OverlapOut, crate::territory::views::MisplacedOut,
        crate::territory::views::OrgView, crate::territory::views::PostView, territory::api::PartyOut, territory::api::NewGrid, territory::api::GridChange,
        territory::api::BuildingOut, territory::api::Located, territory::api::NewEstate, territory::api::Created, territory::api::NewBuilding,
        territory::api::BuildingChange, territory::api::NewUnit, territory::api::xlsx::PlaceImportOut, territory::api::xlsx::RejectedRow,
        registry::api::residents::TagOut, registry::api::residents::ResidentOut, registry::api::residents::ResidentList, registry::api::residents::SearchRequest, registry::api::residents::NewResident, registry::api::residents::CreatedResident,
        registry::api::residents::RevealRequest, registry::api::residents::Revealed, registry::api::residents::MoveRequest, registry::api::residents::TagsRequest, registry::api::residents::CareTagOut,
        registry::api::residents::ResidentImportOut, registry::api::cards::NewCard, registry::api::cards::IssuedCardOut, registry::api::cards::CardOut, registry::api::cards::ScanOut,
        registry::api::cards::CardHistory, notifications::api::NotificationOut, notifications::api::Inbox, notifications::api::MarkRead, notifications::api::Marked, registry::api::residents::NewCareTag,
        registry::api::residents::CarerRequest, registry::api::residents::HealthNote, registry::api::pipl::CorrectionOut, registry::api::pipl::MyDataOut,
        registry::api::pipl::CorrectionRequest, registry::api::pipl::Created, registry::api::pipl::OpenCorrection, registry::api::pipl::Resolution, registry::api::pipl::AccountLink,
        cases::api::cases::NewCaseIn, cases::api::cases::CaseOut, cases::api::cases::EventOut, cases::api::cases::CaseDetail, cases::api::cases::CaseList, cases::api::cases::StepIn,
        cases::api::cases::RatingIn, cases::api::photos::PhotoOut, cases::api::suggest::SuggestOut, cases::api::setup::CategoryOut, cases::api::dashboard::IndicatorsOut, cases::api::dashboard::SliceOut, cases::api::dashboard::FigureOut, cases::api::dashboard::DashboardOut,
        cases::api::whistle::DepartmentOut, cases::api::whistle::CallOut, cases::api::whistle::WhistleIn, cases::api::whistle::ReportInIn,
        cases::api::setup::RouteIo, cases::api::setup::DayIo, cases::api::setup::NewCategoryIn, cases::api::setup::CategoryPatch)),
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
