//! 诉求 pages: the resident's report form (随手拍), the case list, one case
//! with its timeline and the steps the caller may take, the reporter's
//! rating, and the dashboard (三率 and the GB/T 30428 indicators).

use crate::AppState;
use crate::cases::api::cases::CaseParams;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::{page, redirect_with};
use crate::http::upload::{self, PhotoForm};
use crate::http::util::{ClientIp, beijing_time};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_app::AppError;
use linli_app::cases::{CaseCategory, CaseRow, CaseView, StepInput};
use linli_domain::access::{Permission, RegionCode, allowed};
use linli_domain::cases::photo::PhotoStage;
use linli_domain::cases::{
    CaseKind, CaseState, Channel, DueFlag, HandlerKind, Priority, Rating, Step,
};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list_page))
        .route("/cases/{id}", get(one_page))
        .route(
            "/cases/{id}/step",
            post(step).layer(DefaultBodyLimit::max(upload::LIMIT)),
        )
        .route("/cases/{id}/photos/{photo}", get(photo))
        .route("/cases/{id}/rate", post(rate))
}

/// A case as a list row or a page header shows it.
struct CaseLine {
    id: i64,
    number: String,
    state: String,
    kind: String,
    category: String,
    description: String,
    area: String,
    reporter: String,
    contact: String,
    handler: String,
    created: String,
    due: String,
    overdue: bool,
    near_due: bool,
    /// the status chip's colour (ui.md: 待受理 grey, 处理中 blue, 已办结 green)
    tone: &'static str,
}

/// The chip colour of a state: waiting, being handled, done, or stopped.
fn tone(s: Option<CaseState>) -> &'static str {
    match s {
        Some(CaseState::Submitted) => "wait",
        Some(
            CaseState::Accepted
            | CaseState::Dispatched
            | CaseState::InProgress
            | CaseState::Postponed
            | CaseState::Handled,
        ) => "doing",
        Some(CaseState::Closed) => "done",
        Some(CaseState::Rejected | CaseState::Cancelled | CaseState::Merged) | None => "stop",
    }
}

fn label<T: std::str::FromStr>(s: &str, f: fn(T) -> &'static str) -> String {
    s.parse::<T>()
        .map_or_else(|_| s.to_owned(), |v| f(v).to_owned())
}

/// How people name the places of `rows`: `长山花园社区 第一网格`.
async fn places(
    state: &AppState,
    rows: &[CaseRow],
) -> Result<std::collections::HashMap<String, String>, WebError> {
    let mut codes: Vec<linli_domain::access::RegionCode> =
        rows.iter().filter_map(|c| c.scope.parse().ok()).collect();
    codes.sort();
    codes.dedup();
    let labels = state.app.scope_labels(&codes).await?;
    Ok(codes
        .into_iter()
        .map(|c| c.to_string())
        .zip(labels)
        .collect())
}

fn line(
    c: &CaseRow,
    cats: &[CaseCategory],
    places: &std::collections::HashMap<String, String>,
) -> CaseLine {
    let state = c.state.parse::<CaseState>().ok();
    let now = linli_app::now();
    CaseLine {
        id: c.id,
        number: c.number.clone(),
        state: label(&c.state, CaseState::label_zh),
        kind: label(&c.kind, CaseKind::label_zh),
        category: cats
            .iter()
            .find(|k| k.id == c.category_id)
            .map_or_else(String::new, |k| k.name.clone()),
        description: c.description.chars().take(60).collect(),
        area: match (c.grid_id, places.get(&c.scope)) {
            (Some(_), Some(name)) => name.clone(),
            (Some(_), None) => "所在网格".to_owned(),
            (None, _) => "社区受理台(未入格)".to_owned(),
        },
        reporter: linli_app::cases::reporter_masked(c),
        contact: c.contact_masked.clone().unwrap_or_default(),
        handler: c.handler_name.clone().unwrap_or_default(),
        created: beijing_time(c.created_at.0),
        due: c.due_at.map(|d| beijing_time(d.0)).unwrap_or_default(),
        overdue: state.is_some_and(|s| linli_app::cases::is_overdue(c, s, now)),
        near_due: state.is_some_and(|s| {
            linli_domain::cases::due_flag(s, c.created_at, c.due_at, now) == DueFlag::NearDue
        }),
        tone: tone(state),
    }
}

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    rows: Vec<CaseLine>,
    total: i64,
    /// the status tabs: (label, link, count, current)
    tabs: Vec<(&'static str, String, i64, bool)>,
    next: Option<String>,
    /// staff see the ledger and its tools; a resident sees 我的诉求
    staff: bool,
}

/// The list's status tabs with their counts: 全部, 待受理, 办理中, 已办结,
/// and 超期 for staff.
async fn tabs(
    state: &AppState,
    user: &linli_app::accounts::auth::Principal,
    p: &CaseParams,
    staff: bool,
) -> Result<Vec<(&'static str, String, i64, bool)>, WebError> {
    let mut all: Vec<(&'static str, Option<&str>, bool)> = vec![
        ("全部", None, false),
        ("待受理", Some("submitted"), false),
        ("办理中", Some("open"), false),
        ("已办结", Some("closed"), false),
    ];
    if staff {
        all.push(("超期", None, true));
    }
    let here_state = p.state.as_deref().filter(|s| !s.is_empty());
    let here_overdue = matches!(p.overdue.as_deref(), Some("1" | "true" | "on"));
    let mut out = Vec::new();
    for (label, st, overdue) in all {
        let q = CaseParams {
            state: st.map(str::to_owned),
            overdue: overdue.then(|| "1".to_owned()),
            limit: Some(1),
            ..CaseParams::default()
        };
        let (_, n) = state.app.list_cases(user, &q.filter()?).await?;
        let link = match (st, overdue) {
            (Some(s), _) => format!("/cases?state={s}"),
            (None, true) => "/cases?overdue=1".to_owned(),
            (None, false) => "/cases".to_owned(),
        };
        let current = here_state == st && here_overdue == overdue;
        out.push((label, link, n, current));
    }
    Ok(out)
}

async fn list_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(p): Query<CaseParams>,
) -> Result<Response, WebError> {
    let mut f = p.filter()?;
    // a phone page: 20 cards, then 下一页
    f.limit = p.limit.unwrap_or(20).clamp(1, 500);
    let (rows, total) = state.app.list_cases(&user, &f).await?;
    let staff = user.grants.iter().any(|g| g.role.is_staff());
    let tabs = tabs(&state, &user, &p, staff).await?;
    let cats = state.app.case_categories().await?;
    let st = p.state.clone().unwrap_or_default();
    let overdue = f.due_before.is_some();
    let next = (rows.len() as i64 == f.limit)
        .then(|| rows.last().map(|c| c.id))
        .flatten()
        .map(|b| {
            let mut q = vec![("before", b.to_string())];
            if !st.is_empty() {
                q.push(("state", st.clone()));
            }
            if overdue {
                q.push(("overdue", "1".to_owned()));
            }
            format!(
                "/cases?{}",
                serde_urlencoded::to_string(q).unwrap_or_default()
            )
        });
    let p = ListPage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(&user)),
        rows: {
            let places = places(&state, &rows).await?;
            rows.iter().map(|c| line(c, &cats, &places)).collect()
        },
        total,
        tabs,
        next,
        staff,
    };
    page(StatusCode::OK, &p)
}

struct PhotoLine {
    url: String,
    stage: &'static str,
    width: i64,
    height: i64,
}

struct EventLine {
    at: String,
    step: String,
    actor: String,
    note: String,
}

fn step_label(s: &str) -> String {
    match s {
        "submit" => "上报".to_owned(),
        "rate" => "评价".to_owned(),
        "whistle" => "吹哨".to_owned(),
        "report_in" => "部门报到".to_owned(),
        other => label(other, Step::label_zh),
    }
}

#[derive(Template)]
#[template(path = "cases/case.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    c: CaseLine,
    state_key: String,
    category: String,
    channel: String,
    priority: String,
    address: String,
    coords: String,
    full_description: String,
    photos: Vec<PhotoLine>,
    timeline: Vec<EventLine>,
    steps: Vec<(&'static str, &'static str)>,
    handler_kinds: Vec<(&'static str, &'static str)>,
    categories: Vec<(String, String)>,
    duplicates: Vec<(i64, String, String)>,
    may_rate: bool,
    ratings: Vec<(&'static str, &'static str)>,
    rating: String,
    whistle: super::whistle::WhistleBox,
    /// a partner's media link (Open311 `media_url`), shown as a link only
    media_url: Option<String>,
    /// whether it is shown as a link (https to a trusted host)
    media_link: bool,
    flash: Option<String>,
    flash_error: bool,
    /// staff see the handling tools and internal facts; a reporter sees
    /// the progress, 撤回 while nobody accepted it, and 评价 at the end
    staff_view: bool,
    /// community staff may list it as a need for the partner units
    to_partners: bool,
}

#[derive(Deserialize)]
struct Flash {
    msg: Option<String>,
    err: Option<String>,
}

async fn one_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Result<Response, WebError> {
    let v: CaseView = state.app.case_view(&user, id).await?;
    let cats = state.app.case_categories().await?;
    let steps = state.app.steps_for(&user, &v);
    let staff = allowed(
        &user.grants,
        Permission::ManageCases,
        &v.case
            .scope
            .parse::<RegionCode>()
            .unwrap_or_else(|_| RegionCode::country()),
    );
    let duplicates = if staff && v.state.is_open() {
        state
            .app
            .likely_duplicates(&user, id)
            .await?
            .into_iter()
            .map(|d| (d.id, d.number, d.description.chars().take(40).collect()))
            .collect()
    } else {
        Vec::new()
    };
    let whistle = super::whistle::section(&state, &user, &v, staff).await?;
    let c = &v.case;
    let p =
        OnePage {
            staff_view: user.grants.iter().any(|g| g.role.is_staff()),
            to_partners: allowed(
                &user.grants,
                Permission::ManagePartners,
                &v.case
                    .community
                    .parse::<RegionCode>()
                    .unwrap_or_else(|_| RegionCode::country()),
            ),
            whistle,
            media_link: v.case.media_url.as_deref().is_some_and(|u| {
                linli_domain::cases::media::linkable(u, &state.config.media_hosts)
            }),
            media_url: v.case.media_url.clone(),
            csrf: csrf.0,
            nav_user: Some(crate::http::nav::Nav::of(&user)),
            c: line(c, &cats, &places(&state, std::slice::from_ref(c)).await?),
            state_key: c.state.clone(),
            category: v.category.name.clone(),
            channel: label(&c.channel, Channel::label_zh),
            priority: label(&c.priority, Priority::label_zh),
            address: c.address.clone(),
            coords: match (c.lng_e7, c.lat_e7) {
                (Some(x), Some(y)) => format!("{:.6}, {:.6}", x as f64 / 1e7, y as f64 / 1e7),
                _ => String::new(),
            },
            full_description: c.description.clone(),
            photos: v
                .photos
                .iter()
                .map(|p| PhotoLine {
                    url: format!("/cases/{}/photos/{}", c.id, p.id),
                    stage: p
                        .stage
                        .parse::<PhotoStage>()
                        .map(PhotoStage::label_zh)
                        .unwrap_or_default(),
                    width: p.width,
                    height: p.height,
                })
                .collect(),
            timeline: {
                let logins: Vec<String> = v.timeline.iter().map(|e| e.actor_name.clone()).collect();
                let names = state.app.people_names(&logins).await?;
                v.timeline
                    .iter()
                    .map(|e| EventLine {
                        at: beijing_time(e.at.0),
                        step: step_label(&e.step),
                        // people by name, never their login
                        actor: names.get(&e.actor_name).cloned().unwrap_or_default(),
                        note: e.note.clone(),
                    })
                    .collect()
            },
            steps: steps.iter().map(|s| (s.as_str(), s.label_zh())).collect(),
            handler_kinds: HandlerKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label_zh()))
                .collect(),
            categories: cats
                .iter()
                .filter(|k| k.parent_id.is_some() && k.active)
                .map(|k| (k.code.clone(), k.name.clone()))
                .collect(),
            duplicates,
            may_rate: state.app.may_rate(&user, &v),
            ratings: Rating::ALL
                .iter()
                .map(|r| (r.as_str(), r.label_zh()))
                .collect(),
            rating: c
                .rating
                .as_deref()
                .map(|r| label(r, Rating::label_zh))
                .unwrap_or_default(),
            flash: flash.msg,
            flash_error: flash.err.as_deref() == Some("1"),
        };
    page(StatusCode::OK, &p)
}

/// A case photo, for whoever may see the case.
async fn photo(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, photo)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let jpeg = state.app.case_photo(&user, id, photo).await?;
    Ok(crate::http::util::jpeg(jpeg))
}

#[derive(Deserialize)]
struct StepForm {
    step: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    handler_kind: String,
    #[serde(default)]
    handler_name: String,
    #[serde(default)]
    handler_username: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    merge_into: String,
}

fn opt(s: String) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

async fn step(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    form: PhotoForm<StepForm>,
) -> Result<Response, WebError> {
    let back = format!("/cases/{id}");
    let PhotoForm {
        form: f,
        photos,
        photo_error,
    } = form;
    let parsed = (|| -> Result<(Step, StepInput), AppError> {
        if let Some(e) = photo_error {
            return Err(AppError::Invalid(e.to_string()));
        }
        let step = f
            .step
            .parse::<Step>()
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let handler_kind =
            match f.handler_kind.as_str() {
                "" => None,
                k => Some(k.parse().map_err(|e: linli_domain::cases::CaseError| {
                    AppError::Invalid(e.to_string())
                })?),
            };
        let merge_into = match f.merge_into.trim() {
            "" => None,
            m => Some(
                m.parse()
                    .map_err(|_| AppError::Invalid("合并目标应为案件序号".into()))?,
            ),
        };
        Ok((
            step,
            StepInput {
                note: f.note.clone(),
                handler_kind,
                handler_name: opt(f.handler_name.clone()),
                handler_username: opt(f.handler_username.clone()),
                category: opt(f.category.clone()),
                merge_into,
                photos,
            },
        ))
    })();
    let r = match parsed {
        Ok((s, input)) => state
            .app
            .case_step(&user, id, s, &input, &user.actor(&ip))
            .await
            .map(|c| {
                format!(
                    "已{},当前状态:{}",
                    s.label_zh(),
                    label(&c.state, CaseState::label_zh)
                )
            }),
        Err(e) => Err(e),
    };
    redirect_with(&back, Vec::new(), r)
}

#[derive(Deserialize)]
struct RateForm {
    rating: String,
    #[serde(default)]
    comment: String,
}

async fn rate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<RateForm>,
) -> Result<Response, WebError> {
    let r = match f.rating.parse::<Rating>() {
        Ok(rating) => state
            .app
            .rate_case(&user, id, rating, &f.comment, &user.actor(&ip))
            .await
            .map(|_| "感谢您的评价".to_owned()),
        Err(e) => Err(AppError::Invalid(e.to_string())),
    };
    redirect_with(&format!("/cases/{id}"), Vec::new(), r)
}
