//! The visit pages. Handlers read the form, call `linli_app`, render.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::nav::Nav;
use crate::http::render::{page, redirect_with};
use crate::http::util::ClientIp;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use linli_app::gridwork::{DueVisit, VisitInput};
use linli_domain::gridwork::{Due, NEEDS, Way};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/visits", get(due_page))
        .route("/visits/new", get(new_page).post(record))
}

#[derive(Template)]
#[template(path = "gridwork/visits.html")]
struct DuePage {
    csrf: String,
    nav_user: Option<Nav>,
    rows: Vec<DueVisit>,
    flash: Option<String>,
    flash_error: bool,
}

/// The chip of a due state: red when overdue or never visited, amber today or soon.
fn tone(d: &Due) -> &'static str {
    match d {
        Due::Never | Due::Overdue(_) => "late",
        Due::Today | Due::Soon(_) => "soon",
        Due::Fine => "done",
    }
}

async fn due_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<crate::http::render::Flash>,
) -> Result<Response, WebError> {
    let rows = state.app.visits_due(&user).await?;
    let p = DuePage {
        csrf: csrf.0,
        nav_user: Some(Nav::of(&user)),
        rows,
        flash_error: f.is_error(),
        flash: f.msg,
    };
    page(StatusCode::OK, &p)
}

#[derive(Template)]
#[template(path = "gridwork/visit_new.html")]
struct NewPage {
    csrf: String,
    nav_user: Option<Nav>,
    resident_id: i64,
    name: String,
    address: String,
    ways: Vec<(&'static str, &'static str)>,
    needs: &'static [&'static str],
    today: String,
}

#[derive(Deserialize)]
struct NewQuery {
    resident: i64,
}

async fn new_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    // the person by the registry (scoped and masked as always); saving
    // checks the caller may record visits to them
    let r = state.app.resident(&user, q.resident).await?;
    let (name, address) = (r.name, r.address);
    let p = NewPage {
        csrf: csrf.0,
        nav_user: Some(Nav::of(&user)),
        resident_id: q.resident,
        name,
        address,
        ways: Way::ALL
            .iter()
            .map(|w| (w.as_str(), w.label_zh()))
            .collect(),
        needs: &NEEDS,
        today: linli_app::today().to_string(),
    };
    page(StatusCode::OK, &p)
}

async fn record(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let resident_id: i64 = get("resident")
        .parse()
        .map_err(|_| WebError::bad_request("resident", "请从走访名单进入"))?;
    let input = VisitInput {
        resident_id,
        way: get("way"),
        needs: fields
            .iter()
            .filter(|(k, _)| k == "needs")
            .map(|(_, v)| v.clone())
            .collect(),
        note: get("note"),
        day: get("day"),
    };
    match state
        .app
        .record_visit(&user, &input, &user.actor(&ip))
        .await
    {
        Ok(_) => redirect_with("/visits", Vec::new(), Ok("已记录走访".to_owned())),
        Err(e @ linli_app::AppError::Invalid(_)) => redirect_with(
            "/visits/new",
            vec![("resident", resident_id.to_string())],
            Err(e),
        ),
        Err(e) => Err(e.into()),
    }
}
