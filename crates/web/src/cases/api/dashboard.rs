//! `/api/v1/dashboard[.xlsx]`: the request loop's figures for a territory
//! node and period, as JSON or as an Excel workbook.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::territory::pages::regions::parse_code;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use linli_app::cases::dashboard::{Dashboard, Slice};
use linli_domain::cases::SatisfactionWeights;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Dashboard filters: a territory code and a period of China dates.
#[derive(Deserialize, IntoParams)]
pub struct DashboardParams {
    /// a region, community or grid code
    pub code: String,
    /// YYYY-MM-DD, default the first of this month
    pub from: Option<String>,
    /// YYYY-MM-DD, default today
    pub to: Option<String>,
}

impl DashboardParams {
    pub fn period(&self) -> Result<(time::Date, time::Date), WebError> {
        let today = linli_app::today();
        let date = |s: &Option<String>, default: time::Date| match s.as_deref().map(str::trim) {
            None | Some("") => Ok(default),
            Some(v) => linli_domain::registry::parse_date(v)
                .ok_or_else(|| WebError::bad_request("date", format!("日期“{v}”应为 YYYY-MM-DD"))),
        };
        let first = today.replace_day(1).unwrap_or(today);
        Ok((date(&self.from, first)?, date(&self.to, today)?))
    }
}

/// Every indicator as a fraction (null when there is nothing to divide by).
#[derive(Serialize, ToSchema)]
pub struct IndicatorsOut {
    pub valid_report_rate: Option<f64>,
    pub accurate_registration_rate: Option<f64>,
    pub on_time_dispatch_rate: Option<f64>,
    pub accurate_dispatch_rate: Option<f64>,
    pub handling_rate: Option<f64>,
    pub on_time_handling_rate: Option<f64>,
    pub rework_rate: Option<f64>,
    pub closure_rate: Option<f64>,
    pub on_time_closure_rate: Option<f64>,
    /// 响应率
    pub response_rate: Option<f64>,
    /// 解决率
    pub resolution_rate: Option<f64>,
    /// 满意率
    pub satisfaction_rate: Option<f64>,
    pub first_time_rate: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct SliceOut {
    pub key: String,
    pub label: String,
    pub received: u64,
    pub registered: u64,
    pub dispatched: u64,
    pub handled: u64,
    pub closed: u64,
    pub reworked: u64,
    pub reopened: u64,
    pub on_spot: u64,
    pub satisfied: u64,
    pub fairly_satisfied: u64,
    pub dissatisfied: u64,
    pub indicators: IndicatorsOut,
    /// every indicator with its definition and the two counts behind it
    pub figures: Vec<FigureOut>,
}

/// One indicator as the dashboard explains it.
#[derive(Serialize, ToSchema)]
pub struct FigureOut {
    #[schema(example = "结案率")]
    pub name: String,
    pub formula: String,
    /// which cases the rate is about, and what counts
    pub definition: String,
    pub numerator: f64,
    pub denominator: u64,
    /// numerator / denominator; null when the denominator is 0
    pub value: Option<f64>,
    /// why there is no value (e.g. 本期无应结案件)
    pub empty_reason: Option<String>,
}

impl From<Slice> for SliceOut {
    fn from(s: Slice) -> Self {
        let (c, i) = (s.counts, s.indicators);
        let figures = linli_domain::cases::figures(&c, SatisfactionWeights::default())
            .into_iter()
            .map(|f| FigureOut {
                name: f.name.to_owned(),
                formula: f.formula.to_owned(),
                definition: f.definition.to_owned(),
                numerator: f.numerator,
                denominator: f.denominator,
                value: f.value,
                empty_reason: f.value.is_none().then(|| f.empty.to_owned()),
            })
            .collect();
        SliceOut {
            figures,
            key: s.key,
            label: s.label,
            received: c.received,
            registered: c.registered,
            dispatched: c.dispatched,
            handled: c.handled,
            closed: c.closed,
            reworked: c.reworked,
            reopened: c.reopened,
            on_spot: c.on_spot,
            satisfied: c.satisfied,
            fairly_satisfied: c.fairly_satisfied,
            dissatisfied: c.dissatisfied,
            indicators: IndicatorsOut {
                valid_report_rate: i.valid_report_rate,
                accurate_registration_rate: i.accurate_registration_rate,
                on_time_dispatch_rate: i.on_time_dispatch_rate,
                accurate_dispatch_rate: i.accurate_dispatch_rate,
                handling_rate: i.handling_rate,
                on_time_handling_rate: i.on_time_handling_rate,
                rework_rate: i.rework_rate,
                closure_rate: i.closure_rate,
                on_time_closure_rate: i.on_time_closure_rate,
                response_rate: i.response_rate,
                resolution_rate: i.resolution_rate,
                satisfaction_rate: i.satisfaction_rate,
                first_time_rate: i.first_time_rate,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DashboardOut {
    pub code: String,
    pub from: String,
    pub to: String,
    pub total: SliceOut,
    pub open_now: i64,
    pub overdue_now: i64,
    pub by_category: Vec<SliceOut>,
    pub by_channel: Vec<SliceOut>,
    pub by_handler: Vec<SliceOut>,
    pub by_area: Vec<SliceOut>,
    pub by_month: Vec<SliceOut>,
}

impl From<Dashboard> for DashboardOut {
    fn from(d: Dashboard) -> Self {
        let all = |v: Vec<Slice>| v.into_iter().map(SliceOut::from).collect();
        DashboardOut {
            code: d.code.to_string(),
            from: d.from.to_string(),
            to: d.to.to_string(),
            total: d.total.into(),
            open_now: d.open_now,
            overdue_now: d.overdue_now,
            by_category: all(d.by_category),
            by_channel: all(d.by_channel),
            by_handler: all(d.by_handler),
            by_area: all(d.by_area),
            by_month: all(d.by_month),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/dashboard", tag = "cases", params(DashboardParams),
    responses((status = 200, body = DashboardOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Query(p): Query<DashboardParams>,
) -> Result<Json<DashboardOut>, WebError> {
    let code = parse_code(&p.code)?;
    let (from, to) = p.period()?;
    Ok(Json(state.app.dashboard(&u, &code, from, to).await?.into()))
}

/// The dashboard as an xlsx workbook: the indicators with their formulas,
/// then one sheet per breakdown with the counts behind the rates.
#[utoipa::path(get, path = "/api/v1/dashboard.xlsx", tag = "cases", params(DashboardParams),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dashboard_xlsx(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Query(p): Query<DashboardParams>,
) -> Result<Response, WebError> {
    let code = parse_code(&p.code)?;
    let (from, to) = p.period()?;
    let bytes = state.app.dashboard_xlsx(&u, &code, from, to).await?;
    Ok(crate::http::render::xlsx_download(
        &format!("诉求看板-{code}-{from}-{to}"),
        bytes,
    ))
}
