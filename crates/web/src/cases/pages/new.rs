//! 我要上报 (随手拍): the report form, its category hint as the text is
//! typed, and filing the report with its photos.

use crate::AppState;
use crate::cases::api::cases::NewCaseIn;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::{page, redirect_with};
use crate::http::upload::{self, PhotoForm};
use crate::http::util::ClientIp;
use askama::Template;
use axum::Extension;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use linli_app::AppError;
use linli_domain::cases::{CaseKind, Channel};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/new",
            get(new_page)
                .post(submit)
                .layer(DefaultBodyLimit::max(upload::LIMIT)),
        )
        .route("/cases/suggest", get(suggest_hint))
}

/// The report form's choices and what was typed (kept on an error).
#[derive(Template)]
#[template(path = "cases/new.html")]
struct NewPage {
    /// (`长山花园小区 5号楼`, lng, lat) to pick the place from
    buildings: Vec<(String, f64, f64)>,
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    kinds: Vec<(&'static str, &'static str)>,
    /// (group name, [(code, name)])
    groups: Vec<(String, Vec<(String, String)>)>,
    channels: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    f: ReportForm,
    /// the map tiles, for the pin that adjusts the place (none: no map)
    tile_url: String,
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
    user: &linli_app::accounts::auth::Principal,
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
    let buildings = match community.parse::<linli_domain::access::RegionCode>() {
        Ok(code) => state.app.building_points(&code).await?,
        Err(_) => Vec::new(),
    };
    Ok(NewPage {
        tile_url: state.config.tile_url.clone().unwrap_or_default(),
        buildings,
        csrf,
        nav_user: Some(crate::http::nav::Nav::of(user)),
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
        Ok(input) => match input.into_case(key, false) {
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

/// The report form's suggestions under the description: the three most
/// likely categories to tap, and 不确定 (htmx fetches them as the
/// description is typed). No confidence figures: people pick, staff check.
async fn suggest_hint(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Query(q): Query<crate::cases::api::suggest::SuggestParams>,
) -> Result<Response, WebError> {
    let text = crate::cases::api::suggest::clip(&q.text);
    let choices = state
        .app
        .suggest_choices(&text, 3)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    page(StatusCode::OK, &SuggestHint { choices })
}

#[derive(Template)]
#[template(
    source = r#"<div id="category-hint" class="suggest" aria-live="polite">{% if !choices.is_empty() %}<span class="hint">可能是:</span>{% for (code, name) in choices %}<button type="button" class="pill" data-code="{{ code }}" aria-pressed="false">{{ name }}</button>{% endfor %}<button type="button" class="pill" data-code="" aria-pressed="false">不确定</button>{% endif %}</div>"#,
    ext = "html"
)]
struct SuggestHint {
    choices: Vec<(String, String)>,
}
