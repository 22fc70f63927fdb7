//! The 共建 pages (GET).

use crate::AppState;
use crate::http::auth::{CurrentUser, MaybeUser};
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::nav::Nav;
use crate::http::render::{Flash, page, xlsx_download};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use linli_app::accounts::auth::Principal;
use linli_app::partners::{
    EvaluationLine, JointMeetingView, NeedInput, NeedView, PartnersBoard, PartnersHome,
    ProjectView, UnitView,
};
use linli_domain::partners::{CATEGORIES, FundingKind, ResourceKind, UnitKind};
use serde::Deserialize;

/// A page of the 共建 pages: the shell's fields and its view.
macro_rules! partner_page {
    ($name:ident, $path:literal, $ty:ty) => {
        #[derive(Template)]
        #[template(path = $path)]
        struct $name {
            csrf: String,
            nav_user: Option<Nav>,
            flash: Option<String>,
            flash_error: bool,
            v: $ty,
        }

        impl $name {
            fn show(
                csrf: CsrfToken,
                user: &Principal,
                f: Flash,
                v: $ty,
            ) -> Result<Response, WebError> {
                page(
                    StatusCode::OK,
                    &$name {
                        csrf: csrf.0,
                        nav_user: Some(Nav::of(user)),
                        flash_error: f.is_error(),
                        flash: f.msg,
                        v,
                    },
                )
            }
        }
    };
}

partner_page!(HomePage, "partners/home.html", PartnersHome);
partner_page!(
    RegisterPage,
    "partners/register.html",
    Vec<(&'static str, &'static str)>
);
partner_page!(UnitPage, "partners/unit.html", UnitView);
partner_page!(NeedNewPage, "partners/need_new.html", NeedForm);
partner_page!(NeedPage, "partners/need.html", NeedView);
partner_page!(MeetingNewPage, "partners/meeting_new.html", PartnersHome);
partner_page!(MeetingPage, "partners/meeting.html", JointMeetingView);
partner_page!(ProjectPage, "partners/project.html", ProjectView);
partner_page!(EvaluationPage, "partners/evaluation.html", Evaluation);

fn unit_kinds() -> Vec<(&'static str, &'static str)> {
    UnitKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label_zh()))
        .collect()
}

fn resource_kinds() -> Vec<(&'static str, &'static str)> {
    ResourceKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label_zh()))
        .collect()
}

fn funding_kinds() -> Vec<(&'static str, &'static str)> {
    FundingKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label_zh()))
        .collect()
}

pub(super) async fn home(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let v = state.app.partners_home(&user).await?;
    HomePage::show(csrf, &user, f, v)
}

pub(super) async fn register(
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    RegisterPage::show(csrf, &user, f, unit_kinds())
}

pub(super) async fn unit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let v = state.app.partner_unit(&user, id).await?;
    UnitPage::show(csrf, &user, f, v)
}

/// The new-need form, prefilled from a case.
pub(crate) struct NeedForm {
    draft: NeedInput,
    communities: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub(super) struct NeedQuery {
    case: Option<i64>,
    #[serde(flatten)]
    f: Flash,
}

pub(super) async fn need_new(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<NeedQuery>,
) -> Result<Response, WebError> {
    let home = state.app.partners_home(&user).await?;
    if !home.staff {
        return Err(linli_app::AppError::Forbidden.into());
    }
    let draft = match q.case {
        Some(id) => state.app.need_draft_from_case(&user, id).await?,
        None => NeedInput {
            source: "staff".to_owned(),
            ..NeedInput::default()
        },
    };
    NeedNewPage::show(
        csrf,
        &user,
        q.f,
        NeedForm {
            draft,
            communities: home.communities,
        },
    )
}

pub(super) async fn need(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let v = state.app.partner_need(&user, id).await?;
    NeedPage::show(csrf, &user, f, v)
}

pub(super) async fn meeting_new(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let v = state.app.partners_home(&user).await?;
    if !v.staff {
        return Err(linli_app::AppError::Forbidden.into());
    }
    MeetingNewPage::show(csrf, &user, f, v)
}

pub(super) async fn meeting(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let v = state.app.joint_meeting(&user, id).await?;
    MeetingPage::show(csrf, &user, f, v)
}

pub(super) async fn project(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> Result<Response, WebError> {
    let v = state.app.partner_project(&user, id).await?;
    ProjectPage::show(csrf, &user, f, v)
}

/// The evaluation sheet of one community and year.
pub(crate) struct Evaluation {
    community: String,
    year: i32,
    lines: Vec<EvaluationLine>,
    staff: bool,
}

#[derive(Deserialize)]
pub(super) struct SheetQuery {
    community: Option<String>,
    year: Option<i32>,
    #[serde(flatten)]
    f: Flash,
}

/// The community asked for, or the caller's first (staff) or their
/// unit's first accepted one.
async fn sheet_of(
    state: &AppState,
    user: &Principal,
    q: &SheetQuery,
) -> Result<(String, i32, bool), WebError> {
    let home = state.app.partners_home(user).await?;
    let community = match &q.community {
        Some(c) => c.clone(),
        None => home
            .communities
            .first()
            .map(|(c, _)| c.clone())
            .or_else(|| {
                home.reports
                    .iter()
                    .find(|r| r.state == "已报到")
                    .map(|r| r.community_code.clone())
            })
            .ok_or(linli_app::AppError::NotFound)?,
    };
    let year = q.year.unwrap_or_else(|| linli_app::today().year());
    let staff = home.communities.iter().any(|(c, _)| *c == community);
    Ok((community, year, staff))
}

pub(super) async fn evaluation(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<SheetQuery>,
) -> Result<Response, WebError> {
    let (community, year, staff) = sheet_of(&state, &user, &q).await?;
    let lines = state.app.evaluation_sheet(&user, &community, year).await?;
    EvaluationPage::show(
        csrf,
        &user,
        q.f,
        Evaluation {
            community,
            year,
            lines,
            staff,
        },
    )
}

pub(super) async fn evaluation_xlsx(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<SheetQuery>,
) -> Result<Response, WebError> {
    let (community, year, _) = sheet_of(&state, &user, &q).await?;
    let bytes = state.app.evaluation_xlsx(&user, &community, year).await?;
    Ok(xlsx_download(&format!("共建单位{year}年度考评"), bytes))
}

#[derive(Template)]
#[template(path = "partners/board.html")]
struct BoardPage {
    csrf: String,
    nav_user: Option<Nav>,
    code: String,
    b: PartnersBoard,
}

pub(super) async fn board(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    MaybeUser(user): MaybeUser,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let b = state.app.partners_board(&code).await?;
    page(
        StatusCode::OK,
        &BoardPage {
            csrf: csrf.0,
            nav_user: user.as_ref().map(Nav::of),
            code,
            b,
        },
    )
}

/// A picture of an agreement or of a project's progress, for whoever sees
/// what it belongs to.
pub(super) async fn photo(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let jpeg = state.app.partner_photo(&user, id).await?;
    Ok(crate::http::util::jpeg(jpeg))
}
