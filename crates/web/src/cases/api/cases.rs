//! `/api/v1` for the request loop: intake (with `Idempotency-Key`), lists,
//! one case with its timeline, steps, the reporter's rating, likely
//! duplicates, the category tree and the dashboard.

use super::photos::{JsonPart, PhotoOut, WithPhotos, photo};
use super::setup::CategoryOut;
use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::http::upload;
use crate::http::util::ClientIp;
use crate::territory::pages::regions::parse_code;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use linli_app::cases::{CaseFilter, CaseRow, CaseView, Event, NewCase, StepInput};
use linli_app::territory::places::Location;
use linli_domain::cases::{CaseKind, Channel, HandlerKind, Priority, Rating, Step};
use linli_domain::geo::CoordSys;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/cases",
            get(list)
                .post(submit)
                .layer(DefaultBodyLimit::max(upload::LIMIT)),
        )
        .route("/api/v1/cases/{id}", get(one))
        .route(
            "/api/v1/cases/{id}/steps",
            post(step).layer(DefaultBodyLimit::max(upload::LIMIT)),
        )
        .route("/api/v1/cases/{id}/photos/{photo}", get(photo))
        .route("/api/v1/cases/{id}/rating", post(rate))
        .route("/api/v1/cases/{id}/duplicates", get(duplicates))
        .route(
            "/api/v1/case-categories",
            get(categories).post(super::setup::add_category),
        )
        .route(
            "/api/v1/case-categories/suggest",
            get(super::suggest::suggest),
        )
        .route("/api/v1/dashboard", get(super::dashboard::dashboard))
        .route(
            "/api/v1/dashboard.xlsx",
            get(super::dashboard::dashboard_xlsx),
        )
}

fn parse<T: std::str::FromStr>(s: &str, what: &'static str) -> Result<T, WebError>
where
    T::Err: std::fmt::Display,
{
    s.parse()
        .map_err(|e: T::Err| WebError::bad_request(what, e.to_string()))
}

/// A new request. `lng`/`lat` with `coord_sys` (wgs84, gcj02 from WeChat or
/// 高德, bd09 from 百度), or a `dwelling_id`; otherwise name the `community`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCaseIn {
    /// consult, help, complaint, report, suggestion, snapshot (随手拍)
    #[schema(example = "snapshot")]
    pub kind: String,
    /// resident (the default in a browser), patrol, phone or meeting_day;
    /// a request with a personal access token is `api` unless it names one
    pub channel: Option<String>,
    /// normal (default) or urgent
    pub priority: Option<String>,
    /// a category code from /api/v1/case-categories; empty files it under 其他
    #[schema(example = "0104")]
    pub category: Option<String>,
    pub description: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    #[schema(example = "gcj02")]
    pub coord_sys: Option<String>,
    pub dwelling_id: Option<i64>,
    #[serde(default)]
    pub address: String,
    /// 12-digit community code, for a case no location places
    pub community: Option<String>,
    #[serde(default)]
    pub reporter_name: String,
    /// a mobile number; required when reporting without an account
    pub contact_phone: Option<String>,
    /// a link to media your system keeps (http/https; shown, never fetched)
    pub media_url: Option<String>,
}

impl NewCaseIn {
    /// `via_token`: the request came with a personal access token (a
    /// partner system), which is the `api` channel unless it names another.
    pub fn into_case(self, key: Option<String>, via_token: bool) -> Result<NewCase, WebError> {
        let location = match (self.lng, self.lat) {
            (Some(lng), Some(lat)) => Some(Location {
                lng,
                lat,
                sys: match self.coord_sys.as_deref().unwrap_or("wgs84") {
                    "" => CoordSys::Wgs84,
                    s => parse(s, "coord_sys")?,
                },
            }),
            (None, None) => None,
            _ => return Err(WebError::bad_request("location", "经度和纬度须同时提供")),
        };
        Ok(NewCase {
            kind: parse::<CaseKind>(&self.kind, "kind")?,
            // how the case came in is the server's to say: `api` and
            // `open311` are set from the route and the credential
            channel: match self.channel.as_deref() {
                None | Some("") if via_token => Channel::Api,
                None | Some("") => Channel::Resident,
                Some(s) => match parse(s, "channel")? {
                    Channel::Api | Channel::Open311 => {
                        return Err(WebError::bad_request(
                            "channel",
                            "渠道由系统按来源设定;可填 resident、patrol、phone、meeting_day",
                        ));
                    }
                    other => other,
                },
            },
            priority: match self.priority.as_deref() {
                None | Some("") => Priority::Normal,
                Some(s) => parse(s, "priority")?,
            },
            category: self.category.filter(|c| !c.trim().is_empty()),
            description: self.description,
            location,
            dwelling_id: self.dwelling_id,
            address: self.address,
            community: self
                .community
                .as_deref()
                .filter(|c| !c.is_empty())
                .map(parse_code)
                .transpose()?,
            reporter_name: self.reporter_name,
            contact_phone: self.contact_phone,
            idempotency_key: key,
            api_key_id: None,
            media_url: self.media_url,
            photos: Vec::new(),
        })
    }
}

/// A case; the reporter's contact only masked.
#[derive(Serialize, ToSchema)]
pub struct CaseOut {
    pub id: i64,
    #[schema(example = "2026112200017")]
    pub number: String,
    pub state: String,
    pub state_label: String,
    pub kind: String,
    pub channel: String,
    pub priority: String,
    pub category_id: i64,
    pub description: String,
    pub address: String,
    /// WGS-84
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub community: String,
    /// the leaf grid's code, or the community's while in its intake queue
    pub scope: String,
    pub reporter: String,
    #[schema(example = "138****1234")]
    pub contact_masked: Option<String>,
    pub handler_kind: Option<String>,
    pub handler_name: Option<String>,
    /// unix ms
    pub due_at: Option<i64>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub reworks: i64,
    pub reopens: i64,
    pub rating: Option<String>,
    pub merged_into: Option<i64>,
}

impl From<CaseRow> for CaseOut {
    fn from(c: CaseRow) -> Self {
        let state_label = c
            .state
            .parse::<linli_domain::cases::CaseState>()
            .map_or_else(|_| c.state.clone(), |s| s.label_zh().to_owned());
        CaseOut {
            reporter: linli_app::cases::reporter_masked(&c),
            id: c.id,
            number: c.number,
            state: c.state,
            state_label,
            kind: c.kind,
            channel: c.channel,
            priority: c.priority,
            category_id: c.category_id,
            description: c.description,
            address: c.address,
            lng: c.lng_e7.map(|v| v as f64 / 1e7),
            lat: c.lat_e7.map(|v| v as f64 / 1e7),
            community: c.community,
            scope: c.scope,
            contact_masked: c.contact_masked,
            handler_kind: c.handler_kind,
            handler_name: c.handler_name,
            due_at: c.due_at.map(|t| t.0),
            created_at: c.created_at.0,
            closed_at: c.closed_at.map(|t| t.0),
            reworks: c.reworks,
            reopens: c.reopens,
            rating: c.rating,
            merged_into: c.merged_into,
        }
    }
}

/// One step of the timeline.
#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub step: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub note: String,
    pub at: i64,
}

impl From<Event> for EventOut {
    fn from(e: Event) -> Self {
        EventOut {
            step: e.step,
            from_state: e.from_state,
            to_state: e.to_state,
            actor: e.actor_name,
            note: e.note,
            at: e.at.0,
        }
    }
}

/// A case with its category and timeline (the public part for its reporter).
#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: CaseOut,
    pub category: String,
    pub overdue: bool,
    /// "" on time, 临期 (70 % of the allowed time gone) or 超期
    pub due_flag: String,
    pub timeline: Vec<EventOut>,
    pub photos: Vec<PhotoOut>,
    /// 吹哨报到: the departments called (staff and handlers only)
    pub calls: Vec<super::whistle::CallOut>,
    /// a partner's media link (Open311 `media_url`)
    pub media_url: Option<String>,
}

impl From<CaseView> for CaseDetail {
    fn from(v: CaseView) -> Self {
        CaseDetail {
            photos: v.photos.into_iter().map(PhotoOut::from).collect(),
            category: v.category.name,
            overdue: v.overdue,
            due_flag: v.due_flag.label_zh().to_owned(),
            calls: v.calls.into_iter().map(Into::into).collect(),
            media_url: v.case.media_url.clone(),
            case: v.case.into(),
            timeline: v.timeline.into_iter().map(EventOut::from).collect(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCaseIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "the same key never creates a second case")),
    responses((status = 201, body = CaseOut), (status = 200, description = "replayed: the case this key created", body = CaseOut),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    headers: HeaderMap,
    WithPhotos { body, photos }: WithPhotos<NewCaseIn>,
) -> Result<(StatusCode, Json<CaseOut>), WebError> {
    let key = headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .ok()
                .filter(|k| !k.trim().is_empty() && k.len() <= 200)
                .map(str::to_owned)
                .ok_or_else(|| {
                    WebError::bad_request(
                        "idempotency_key",
                        "Idempotency-Key 须为 1–200 个可见字符",
                    )
                })
        })
        .transpose()?;
    let via_token = matches!(
        u.credential,
        linli_app::accounts::auth::Credential::Token { .. }
    );
    let mut input = body.into_case(key, via_token)?;
    input.photos = photos;
    let (c, created) = state
        .app
        .submit_case(Some(&u), &input, &u.actor(&ip))
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(c.into())))
}

/// List filters.
#[derive(Deserialize, IntoParams, Default)]
pub struct CaseParams {
    /// a state name, e.g. dispatched; `open` for every state between
    /// accepted and closed (办理中)
    pub state: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::registry::api::residents::empty_as_none"
    )]
    pub category_id: Option<i64>,
    /// only open cases past their deadline
    #[serde(default)]
    pub overdue: Option<String>,
    /// keyset paging: the `next_before` of the previous page
    #[serde(
        default,
        deserialize_with = "crate::registry::api::residents::empty_as_none"
    )]
    pub before: Option<i64>,
    /// 1–500, default 50
    #[serde(
        default,
        deserialize_with = "crate::registry::api::residents::empty_as_none"
    )]
    pub limit: Option<i64>,
}

/// The states of a case accepted and not yet closed (`state=open`).
pub const OPEN_STATES: [&str; 5] = [
    "accepted",
    "dispatched",
    "in_progress",
    "postponed",
    "handled",
];

impl CaseParams {
    pub fn filter(&self) -> Result<CaseFilter, WebError> {
        let states = match self.state.as_deref().filter(|s| !s.is_empty()) {
            // every state of a case still being worked on (办理中)
            Some("open") => OPEN_STATES.iter().map(|s| (*s).to_owned()).collect(),
            Some(s) => {
                parse::<linli_domain::cases::CaseState>(s, "state")?;
                vec![s.to_owned()]
            }
            None => Vec::new(),
        };
        Ok(CaseFilter {
            states,
            category_id: self.category_id,
            due_before: matches!(self.overdue.as_deref(), Some("1" | "true" | "on"))
                .then(linli_app::now),
            before_id: self.before,
            limit: self.limit.unwrap_or(50).clamp(1, 500),
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    /// counted up to 10,001
    pub total: i64,
    pub next_before: Option<i64>,
    pub rows: Vec<CaseOut>,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseParams),
    responses((status = 200, body = CaseList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Query(p): Query<CaseParams>,
) -> Result<Json<CaseList>, WebError> {
    let f = p.filter()?;
    let (rows, total) = state.app.list_cases(&u, &f).await?;
    let next_before = (rows.len() as i64 == f.limit)
        .then(|| rows.last().map(|c| c.id))
        .flatten();
    Ok(Json(CaseList {
        total,
        next_before,
        rows: rows.into_iter().map(CaseOut::from).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<CaseDetail>, WebError> {
    Ok(Json(state.app.case_view(&u, id).await?.into()))
}

/// A step: accept, reject, cancel, merge, dispatch, start, postpone,
/// resume, handle, verify_pass, verify_fail, close_on_spot, reopen.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepIn {
    #[schema(example = "dispatch")]
    pub step: String,
    #[serde(default)]
    pub note: String,
    /// dispatch: grid_worker, community_team, party_group, volunteer_team, partner_unit, department
    pub handler_kind: Option<String>,
    pub handler_name: Option<String>,
    pub handler_username: Option<String>,
    /// accept: a new category code
    pub category: Option<String>,
    /// merge: the case this one duplicates
    pub merge_into: Option<i64>,
}

impl StepIn {
    pub fn parts(self) -> Result<(Step, StepInput), WebError> {
        let step = parse::<Step>(&self.step, "step")?;
        let handler_kind = match self.handler_kind.as_deref() {
            None | Some("") => None,
            Some(s) => Some(parse::<HandlerKind>(s, "handler_kind")?),
        };
        Ok((
            step,
            StepInput {
                note: self.note,
                handler_kind,
                handler_name: self.handler_name,
                handler_username: self.handler_username,
                category: self.category,
                merge_into: self.merge_into,
                photos: Vec::new(),
            },
        ))
    }
}

impl JsonPart for StepIn {
    const PART: &'static str = "step";
}

impl JsonPart for NewCaseIn {
    const PART: &'static str = "case";
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/steps", tag = "cases", request_body = StepIn, params(("id" = i64, Path)),
    responses((status = 200, body = CaseOut), (status = 422, description = "not allowed in this state, or a reason is missing", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    WithPhotos { body, photos }: WithPhotos<StepIn>,
) -> Result<Json<CaseOut>, WebError> {
    let (s, mut input) = body.parts()?;
    input.photos = photos;
    let c = state
        .app
        .case_step(&u, id, s, &input, &u.actor(&ip))
        .await?;
    Ok(Json(c.into()))
}

/// The reporter's rating: satisfied, fairly_satisfied or dissatisfied.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingIn {
    pub rating: String,
    #[serde(default)]
    pub comment: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/rating", tag = "cases", request_body = RatingIn, params(("id" = i64, Path)),
    responses((status = 200, body = CaseOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<RatingIn>,
) -> Result<Json<CaseOut>, WebError> {
    let r = parse::<Rating>(&body.rating, "rating")?;
    let c = state
        .app
        .rate_case(&u, id, r, &body.comment, &u.actor(&ip))
        .await?;
    Ok(Json(c.into()))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/duplicates", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, description = "open cases of the category within 100 m in the last 7 days", body = [CaseOut])))]
pub async fn duplicates(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<CaseOut>>, WebError> {
    let rows = state.app.likely_duplicates(&u, id).await?;
    Ok(Json(rows.into_iter().map(CaseOut::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/case-categories", tag = "cases",
    responses((status = 200, body = [CategoryOut])))]
pub async fn categories(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
) -> Result<Json<Vec<CategoryOut>>, WebError> {
    let all = state.app.case_categories().await?;
    let code_of = |id: i64| all.iter().find(|c| c.id == id).map(|c| c.code.clone());
    Ok(Json(
        all.iter()
            .filter(|c| c.active)
            .map(|c| CategoryOut {
                code: c.code.clone(),
                name: c.name.clone(),
                parent: c.parent_id.and_then(code_of),
                deadline_days: c.deadline_days,
                urgent_hours: c.urgent_hours,
            })
            .collect(),
    ))
}
