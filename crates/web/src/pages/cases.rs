//! 诉求 pages: the resident's report form (随手拍), the case list, one case
//! with its timeline and the steps the caller may take, the reporter's
//! rating, and the dashboard (三率 and the GB/T 30428 indicators).

use super::{page, redirect_with};
use crate::AppState;
use crate::api::cases::{CaseParams, NewCaseIn};
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::upload::{self, PhotoForm};
use crate::util::{ClientIp, beijing_time};
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
        .route(
            "/cases/new",
            get(new_page)
                .post(submit)
                .layer(DefaultBodyLimit::max(upload::LIMIT)),
        )
        .route("/cases/suggest", get(suggest_hint))
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
}

fn label<T: std::str::FromStr>(s: &str, f: fn(T) -> &'static str) -> String {
    s.parse::<T>()
        .map_or_else(|_| s.to_owned(), |v| f(v).to_owned())
}

fn line(c: &CaseRow, cats: &[CaseCategory]) -> CaseLine {
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
        area: if c.grid_id.is_some() {
            format!("网格 {}", c.scope)
        } else {
            "社区受理台(未入格)".to_owned()
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
    }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    csrf: String,
    nav_user: Option<String>,
    rows: Vec<CaseLine>,
    total: i64,
    state: String,
    overdue: bool,
    states: Vec<(&'static str, &'static str)>,
    next: Option<String>,
}

fn all_states() -> Vec<(&'static str, &'static str)> {
    CaseState::ALL
        .iter()
        .map(|s| (s.as_str(), s.label_zh()))
        .collect()
}

async fn list_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(p): Query<CaseParams>,
) -> Result<Response, WebError> {
    let f = p.filter()?;
    let (rows, total) = state.app.list_cases(&user, &f).await?;
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
        nav_user: Some(user.display_name),
        rows: rows.iter().map(|c| line(c, &cats)).collect(),
        total,
        state: st,
        overdue,
        states: all_states(),
        next,
    };
    page(StatusCode::OK, &p)
}

/// The report form's choices and what was typed (kept on an error).
#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    csrf: String,
    nav_user: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
    /// (group name, [(code, name)])
    groups: Vec<(String, Vec<(String, String)>)>,
    channels: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    f: ReportForm,
}

#[derive(Deserialize, Default, Clone)]
struct ReportForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    lng: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    coord_sys: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    contact_phone: String,
    /// a random token the form carries, so a double click files once
    #[serde(default)]
    nonce: String,
}

fn number(s: &str, what: &str) -> Result<Option<f64>, AppError> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse::<f64>()
            .map(Some)
            .map_err(|_| AppError::Invalid(format!("{what}应为数字"))),
    }
}

impl ReportForm {
    fn to_input(&self) -> Result<NewCaseIn, AppError> {
        Ok(NewCaseIn {
            kind: self.kind.clone(),
            channel: Some(self.channel.clone()),
            priority: Some(self.priority.clone()),
            category: Some(self.category.clone()),
            description: self.description.clone(),
            lng: number(&self.lng, "经度")?,
            lat: number(&self.lat, "纬度")?,
            coord_sys: Some(self.coord_sys.clone()),
            dwelling_id: None,
            address: self.address.clone(),
            community: Some(self.community.clone()),
            reporter_name: String::new(),
            contact_phone: Some(self.contact_phone.clone()),
            // the resident's form attaches photos, not links
            media_url: None,
        })
    }
}

async fn new_view(
    state: &AppState,
    user: &linli_app::auth::Principal,
    csrf: String,
    f: ReportForm,
    error: Option<String>,
) -> Result<NewPage, WebError> {
    let cats = state.app.case_categories().await?;
    let groups = cats
        .iter()
        .filter(|c| c.parent_id.is_none() && c.active)
        .map(|top| {
            let kids = cats
                .iter()
                .filter(|c| c.parent_id == Some(top.id) && c.active)
                .map(|c| (c.code.clone(), c.name.clone()))
                .collect();
            (top.name.clone(), kids)
        })
        .collect();
    let staff = user.grants.iter().any(|g| g.role.is_staff());
    let channels = Channel::ALL
        .iter()
        .filter(|c| {
            matches!(c, Channel::Resident)
                || (staff && matches!(c, Channel::Patrol | Channel::Phone | Channel::MeetingDay))
        })
        .map(|c| (c.as_str(), c.label_zh()))
        .collect();
    let nonce = if f.nonce.is_empty() {
        linli_app::form_nonce()?
    } else {
        f.nonce.clone()
    };
    let community = match f.community.as_str() {
        "" => user
            .grants
            .iter()
            .find_map(|g| g.scope.community())
            .map(|c| c.to_string())
            .unwrap_or_default(),
        c => c.to_owned(),
    };
    Ok(NewPage {
        csrf,
        nav_user: Some(user.display_name.clone()),
        kinds: CaseKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        groups,
        channels,
        error,
        f: ReportForm {
            nonce,
            community,
            ..f
        },
    })
}

async fn new_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, WebError> {
    let f = ReportForm {
        kind: CaseKind::Snapshot.as_str().to_owned(),
        coord_sys: "wgs84".to_owned(),
        ..ReportForm::default()
    };
    let p = new_view(&state, &user, csrf.0, f, None).await?;
    page(StatusCode::OK, &p)
}

async fn submit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    form: PhotoForm<ReportForm>,
) -> Result<Response, WebError> {
    let PhotoForm {
        form: f,
        photos,
        photo_error,
    } = form;
    let key = Some(format!("form:{}", f.nonce)).filter(|_| !f.nonce.is_empty());
    let input = match photo_error {
        Some(e) => Err(AppError::Invalid(e.to_string())),
        None => f.to_input(),
    };
    let outcome = match input {
        Ok(input) => match input.into_case(key) {
            Ok(mut input) => {
                input.photos = photos;
                state
                    .app
                    .submit_case(Some(&user), &input, &user.actor(&ip))
                    .await
            }
            Err(WebError::BadRequest { detail, .. }) => Err(AppError::Invalid(detail)),
            Err(e) => return Err(e),
        },
        Err(e) => Err(e),
    };
    match outcome {
        Ok((c, _)) => redirect_with(
            &format!("/cases/{}", c.id),
            Vec::new(),
            Ok(format!("已提交,案件编号 {}", c.number)),
        ),
        Err(AppError::Invalid(msg)) => {
            let p = new_view(&state, &user, csrf.0, f, Some(msg)).await?;
            page(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(e.into()),
    }
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
#[template(path = "case.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<String>,
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
    whistle: super::case_whistle::WhistleBox,
    /// a partner's media link (Open311 `media_url`), shown as a link only
    media_url: Option<String>,
    flash: Option<String>,
    flash_error: bool,
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
    let whistle = super::case_whistle::section(&state, &user, &v, staff).await?;
    let c = &v.case;
    let p = OnePage {
        whistle,
        media_url: v.case.media_url.clone(),
        csrf: csrf.0,
        nav_user: Some(user.display_name.clone()),
        c: line(c, &cats),
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
        timeline: v
            .timeline
            .iter()
            .map(|e| EventLine {
                at: beijing_time(e.at.0),
                step: step_label(&e.step),
                actor: e.actor_name.clone(),
                note: e.note.clone(),
            })
            .collect(),
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

/// The report form's hint under the category: what an empty category
/// would become (htmx fetches it as the description is typed).
async fn suggest_hint(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Query(q): Query<crate::api::case_suggest::SuggestParams>,
) -> Result<Response, WebError> {
    let text = crate::api::case_suggest::clip(&q.text);
    let hint = match state.app.suggest_named(&text).await? {
        Some((c, pct)) => format!("系统建议类别:{}(置信度 {pct}%),不选即按此分类", c.name),
        None => String::new(),
    };
    page(StatusCode::OK, &SuggestHint { hint })
}

#[derive(Template)]
#[template(
    source = r#"<span id="category-hint" class="hint">{{ hint }}</span>"#,
    ext = "html"
)]
struct SuggestHint {
    hint: String,
}

/// A case photo, for whoever may see the case.
async fn photo(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, photo)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let jpeg = state.app.case_photo(&user, id, photo).await?;
    Ok(crate::util::jpeg(jpeg))
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
