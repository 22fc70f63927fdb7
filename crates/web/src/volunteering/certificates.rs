//! 志愿服务记录证明: the volunteer has one issued and prints it (A4, with
//! a QR code to its check page); anyone holding the serial checks it.

use crate::AppState;
use crate::http::auth::{CurrentUser, MaybeUser};
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::nav::Nav;
use crate::http::render::{page, redirect_with, see_other};
use crate::http::util::ClientIp;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use linli_app::volunteering::{Certificate, CertificateCheck};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/volunteer/certificate", post(issue))
        .route("/certificates/{serial}", get(print))
        .route("/verify/{serial}", get(check))
}

async fn issue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
) -> Result<Response, WebError> {
    match state.app.issue_certificate(&user, &user.actor(&ip)).await {
        Ok(serial) => Ok(see_other(&format!("/certificates/{serial}"))),
        Err(e) => redirect_with("/volunteer", Vec::new(), Err(e)),
    }
}

#[derive(Template)]
#[template(path = "volunteering/certificate.html")]
struct PrintPage {
    csrf: String,
    nav_user: Option<Nav>,
    c: Certificate,
    qr: String,
}

async fn print(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    Path(serial): Path<String>,
) -> Result<Response, WebError> {
    let c = state.app.certificate(&user, &serial).await?;
    let url = crate::http::qr::site_url(&state.config, &headers, &format!("/verify/{serial}"));
    page(
        StatusCode::OK,
        &PrintPage {
            csrf: csrf.0,
            nav_user: Some(Nav::of(&user)),
            c,
            qr: crate::http::qr::svg(&url)?,
        },
    )
}

#[derive(Template)]
#[template(path = "volunteering/verify.html")]
struct CheckPage {
    csrf: String,
    nav_user: Option<Nav>,
    c: CertificateCheck,
}

async fn check(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    MaybeUser(user): MaybeUser,
    Path(serial): Path<String>,
) -> Result<Response, WebError> {
    let c = state.app.check_certificate(&serial).await?;
    page(
        StatusCode::OK,
        &CheckPage {
            csrf: csrf.0,
            nav_user: user.as_ref().map(Nav::of),
            c,
        },
    )
}
