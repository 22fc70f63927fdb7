//! 居民 — the resident list (filter bar, table, keyset pages, Excel in and
//! out) and one resident's page, where a masked field is revealed with a
//! reason (audited).

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::page;
use crate::http::util::ClientIp;
use crate::registry::api::residents::ResidentParams;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_app::registry::{ResidentView, RevealField};
use linli_domain::access::{Permission, RegionCode, allowed};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/residents", get(list_page))
        .route("/residents/search", axum::routing::post(search_page))
        .route("/residents/corrections", get(corrections_page))
        .route("/residents/bindings/{id}", post(decide_binding))
        .route(
            "/residents/corrections/{id}",
            axum::routing::post(resolve_correction),
        )
        .route("/residents/{id}", get(one_page).post(reveal))
}

#[derive(Template)]
#[template(path = "registry/residents.html")]
struct ListPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    p: ResidentParams,
    tags: Vec<String>,
    rows: Vec<ResidentView>,
    total: i64,
    next: Option<String>,
    /// the community for Excel in/out, when the caller works on one
    community: Option<RegionCode>,
    can_bulk: bool,
    error: Option<String>,
    /// whether the box takes ID and phone numbers (else whole names)
    numbers: bool,
}

fn text(o: &Option<String>) -> &str {
    o.as_deref().unwrap_or("")
}

fn num<T: ToString>(o: &Option<T>) -> String {
    o.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The list's address for `p`, from `after` when given.
fn list_link(p: &ResidentParams, after: Option<i64>) -> String {
    let pairs = [
        ("q", text(&p.q).to_owned()),
        ("community", text(&p.community).to_owned()),
        ("tag", text(&p.tag).to_owned()),
        ("address", text(&p.address).to_owned()),
        ("building_id", num(&p.building_id)),
        ("dwelling_id", num(&p.dwelling_id)),
        ("age_min", num(&p.age_min)),
        ("age_max", num(&p.age_max)),
        ("after", num(&after)),
    ];
    let kept: Vec<(&str, String)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    format!(
        "/residents?{}",
        serde_urlencoded::to_string(kept).unwrap_or_default()
    )
}

async fn list_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Query(p): Query<ResidentParams>,
) -> Result<Response, WebError> {
    // a number in the address bar would sit in history and proxy logs:
    // the search form posts it instead, and this answers nothing
    let error = p
        .is_number_search()
        .then(|| "证件号码和电话请在查询框中输入后点“查询”,不要放在网址里".to_owned());
    list_view(&state, csrf.0, &user, &ip, p, error).await
}

/// The search form posts here. Names, tags and ages go back to the
/// address bar (a list one can page and share); a whole ID or phone
/// number is answered here, so it never enters a URL.
async fn search_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Form(p): Form<ResidentParams>,
) -> Result<Response, WebError> {
    if !p.is_number_search() {
        return Ok(crate::http::render::see_other(&list_link(&p, None)));
    }
    list_view(&state, csrf.0, &user, &ip, p, None).await
}

async fn list_view(
    state: &AppState,
    csrf: String,
    user: &linli_app::accounts::auth::Principal,
    ip: &str,
    p: ResidentParams,
    error: Option<String>,
) -> Result<Response, WebError> {
    let number = p.is_number_search();
    let empty = || linli_app::registry::ResidentPage {
        rows: Vec::new(),
        total: 0,
        next_after: None,
    };
    let searched = match error {
        Some(e) => Err(e),
        None => Ok(state
            .app
            .list_residents(user, &p.query()?, &user.actor(ip))
            .await),
    };
    let (result, error) = match searched {
        Err(e) => (empty(), Some(e)),
        Ok(Ok(r)) => (r, None),
        Ok(Err(e @ (linli_app::AppError::Invalid(_) | linli_app::AppError::TooMany(_)))) => {
            (empty(), Some(e.to_string()))
        }
        Ok(Err(e)) => return Err(e.into()),
    };
    let tags = state
        .app
        .care_tags()
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let community = match p.query()?.community {
        Some(c) => Some(c),
        None => user.grants.iter().find_map(|g| g.scope.community()),
    };
    let can_bulk = community
        .as_ref()
        .is_some_and(|c| allowed(&user.grants, Permission::BulkResidents, c));
    let page_ = ListPage {
        csrf,
        nav_user: Some(crate::http::nav::Nav::of(user)),
        // an exact number finds one person: no further pages, no link
        next: result
            .next_after
            .filter(|_| !number)
            .map(|a| list_link(&p, Some(a))),
        p,
        tags,
        rows: result.rows,
        total: result.total,
        community,
        can_bulk,
        error,
        numbers: linli_app::App::searches_numbers(user),
    };
    page(StatusCode::OK, &page_)
}

#[derive(Template)]
#[template(path = "registry/resident.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    /// whom a care card may name as the guardian
    relations: &'static [&'static str],
    r: ResidentView,
    can_reveal: bool,
    can_edit: bool,
    has_active_card: bool,
    /// (issued, guardian, masked phone, active)
    cards: Vec<(String, String, String, bool)>,
    /// (when, whether the guardian's phone was shown, place)
    scans: Vec<(String, bool, String)>,
    revealed: Option<(String, String)>,
    error: Option<String>,
}

fn shanghai(ms: linli_domain::time::UnixMs) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(ms.0 / 1000)
        .ok()
        .and_then(|t| t.to_offset(offset).format(&fmt).ok())
        .unwrap_or_default()
}

/// One resident's page, with what the caller may do and the card history.
async fn one_view(
    state: &AppState,
    user: &linli_app::accounts::auth::Principal,
    csrf: String,
    id: i64,
) -> Result<OnePage, WebError> {
    let r = state.app.resident(user, id).await?;
    let (cards, scans) = state.app.card_history(user, id).await?;
    Ok(OnePage {
        relations: &linli_app::registry::care_cards::RELATIONS,
        has_active_card: cards.iter().any(|c| c.revoked_at.is_none()),
        csrf,
        nav_user: Some(crate::http::nav::Nav::of(user)),
        can_reveal: allowed(&user.grants, Permission::RevealPersonal, &r.scope),
        can_edit: allowed(&user.grants, Permission::EditResidents, &r.scope),
        cards: cards
            .into_iter()
            .map(|c| {
                (
                    shanghai(c.issued_at),
                    c.guardian_name,
                    c.guardian_phone_masked,
                    c.revoked_at.is_none(),
                )
            })
            .collect(),
        scans: scans
            .into_iter()
            .map(|s| {
                let place = s
                    .lng_lat
                    .map_or_else(|| "未提供".to_owned(), |(x, y)| format!("{x},{y}"));
                (shanghai(s.at), s.revealed, place)
            })
            .collect(),
        r,
        revealed: None,
        error: None,
    })
}

async fn one_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = one_view(&state, &user, csrf.0, id).await?;
    page(StatusCode::OK, &p)
}

#[derive(Deserialize)]
struct RevealForm {
    field: String,
    reason: String,
}

fn field_label(f: RevealField) -> &'static str {
    match f {
        RevealField::IdNumber => "证件号码",
        RevealField::Phone => "联系电话",
        RevealField::Health => "健康备注",
    }
}

async fn reveal(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<RevealForm>,
) -> Result<Response, WebError> {
    let field = RevealField::parse(&f.field)?;
    let outcome = state
        .app
        .reveal(&user, id, field, &f.reason, &user.actor(&ip))
        .await;
    let (revealed, error, status) = match outcome {
        Ok(v) => (
            Some((
                field_label(field).to_owned(),
                v.unwrap_or_else(|| "(未登记)".into()),
            )),
            None,
            StatusCode::OK,
        ),
        Err(linli_app::AppError::Invalid(msg)) => {
            (None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e.into()),
    };
    let p = OnePage {
        revealed,
        error,
        ..one_view(&state, &user, csrf.0, id).await?
    };
    page(status, &p)
}

#[derive(Template)]
#[template(path = "registry/corrections.html")]
struct CorrectionsPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    rows: Vec<linli_app::registry::pipl::CorrectionView>,
    binds: Vec<linli_app::registry::binding::BindRequestView>,
    flash: Option<String>,
    flash_error: bool,
}

/// 更正申请: the open requests of residents in the caller's scope.
async fn corrections_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<crate::http::render::Flash>,
) -> Result<Response, WebError> {
    let rows = state.app.open_corrections(&user).await?;
    let binds = state.app.bind_requests(&user).await?;
    let p = CorrectionsPage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(&user)),
        rows,
        binds,
        flash_error: f.is_error(),
        flash: f.msg,
    };
    page(StatusCode::OK, &p)
}

#[derive(Deserialize)]
struct ResolveForm {
    done: String,
    resolution: String,
}

async fn resolve_correction(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ResolveForm>,
) -> Result<Response, WebError> {
    state
        .app
        .resolve_correction(&user, id, f.done == "1", &f.resolution, &user.actor(&ip))
        .await?;
    Ok(crate::http::render::see_other("/residents/corrections"))
}

#[derive(Deserialize)]
struct BindDecision {
    approve: String,
    #[serde(default)]
    note: String,
}

/// 实名绑定: staff confirm or refuse (with a reason the resident reads).
async fn decide_binding(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<BindDecision>,
) -> Result<Response, WebError> {
    let approve = f.approve == "1";
    let r = state
        .app
        .decide_binding(&user, id, approve, &f.note, &user.actor(&ip))
        .await
        .map(|()| {
            if approve {
                "已确认绑定"
            } else {
                "已退回申请"
            }
            .to_owned()
        });
    crate::http::render::redirect_with("/residents/corrections", Vec::new(), r)
}
