//! 防走失二维码 pages: the public page a scan opens (no login, rate-limited
//! per address), and the staff forms that issue, print and revoke a card.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::render::{page, see_other};
use crate::http::util::ClientIp;
use crate::{WebConfig as AppConfig, http::ratelimit};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use linli_app::registry::care_cards::{CardInput, Challenge, GuardianContact, PublicCard};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{token}", get(scan).post(reveal))
        .route("/residents/{id}/card", post(issue))
        .route("/residents/{id}/card/revoke", post(revoke))
}

#[derive(Template)]
#[template(path = "registry/card.html")]
struct CardPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    token: String,
    card: Option<PublicCard>,
    challenge: Option<Challenge>,
    guardian: Option<GuardianContact>,
    error: Option<String>,
}

fn limited(state: &AppState, ip: &str) -> bool {
    !ratelimit::allow(&state.scan_limiter, ip)
}

fn message_page(csrf: String, status: StatusCode, msg: &str) -> Result<Response, WebError> {
    let p = CardPage {
        csrf,
        nav_user: None,
        token: String::new(),
        card: None,
        challenge: None,
        guardian: None,
        error: Some(msg.to_owned()),
    };
    page(status, &p)
}

const UNKNOWN: &str = "二维码无效或已注销。如遇走失老人,请拨打 110 或联系附近社区。";
const TOO_MANY: &str = "扫码过于频繁,请 1 分钟后再试。";

async fn scan(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if limited(&state, &ip) {
        return message_page(csrf.0, StatusCode::TOO_MANY_REQUESTS, TOO_MANY);
    }
    match state.app.scan_card(&token).await {
        Ok((card, challenge)) => page(
            StatusCode::OK,
            &CardPage {
                csrf: csrf.0,
                nav_user: None,
                token,
                card: Some(card),
                challenge: Some(challenge),
                guardian: None,
                error: None,
            },
        ),
        Err(linli_app::AppError::NotFound) => message_page(csrf.0, StatusCode::NOT_FOUND, UNKNOWN),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct RevealForm {
    answer: String,
    state: String,
    lng: Option<String>,
    lat: Option<String>,
}

async fn reveal(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Form(f): Form<RevealForm>,
) -> Result<Response, WebError> {
    if limited(&state, &ip) {
        return message_page(csrf.0, StatusCode::TOO_MANY_REQUESTS, TOO_MANY);
    }
    let num = |s: &Option<String>| s.as_deref().and_then(|v| v.trim().parse::<f64>().ok());
    let at = num(&f.lng).zip(num(&f.lat));
    let outcome = state
        .app
        .reveal_guardian(&token, &f.answer, &f.state, at)
        .await;
    let (card, challenge) = match state.app.card_page_again(&token).await {
        Ok(x) => x,
        Err(linli_app::AppError::NotFound) => {
            return message_page(csrf.0, StatusCode::NOT_FOUND, UNKNOWN);
        }
        Err(e) => return Err(e.into()),
    };
    let (guardian, error, status) = match outcome {
        Ok(g) => (Some(g), None, StatusCode::OK),
        Err(linli_app::AppError::Invalid(m)) => (None, Some(m), StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(e.into()),
    };
    page(
        status,
        &CardPage {
            csrf: csrf.0,
            nav_user: None,
            token,
            card: Some(card),
            challenge: Some(challenge),
            guardian,
            error,
        },
    )
}

/// The card's address as the scanner's phone will open it.
pub fn card_url(config: &AppConfig, headers: &HeaderMap, token: &str) -> String {
    crate::http::qr::site_url(config, headers, &format!("/c/{token}"))
}

#[derive(Template)]
#[template(path = "registry/card_print.html")]
struct PrintPage {
    csrf: String,
    nav_user: Option<crate::http::nav::Nav>,
    resident_id: i64,
    name: String,
    url: String,
    svg: String,
    hotline: String,
    check_code: String,
}

#[derive(Deserialize)]
struct IssueForm {
    guardian_name: String,
    guardian_relation: String,
    guardian_phone: String,
    hotline: String,
    medical_consent: Option<String>,
    guardian_username: Option<String>,
}

async fn issue(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<IssueForm>,
) -> Result<Response, WebError> {
    let input = CardInput {
        guardian_name: f.guardian_name,
        guardian_relation: f.guardian_relation,
        guardian_phone: f.guardian_phone,
        hotline: f.hotline.clone(),
        medical_consent: f.medical_consent.is_some(),
        guardian_username: f.guardian_username,
    };
    let issued = state
        .app
        .issue_card(&user, id, &input, &user.actor(&ip))
        .await?;
    let r = state.app.resident(&user, id).await?;
    let url = card_url(&state.config, &headers, issued.token.expose());
    let p = PrintPage {
        csrf: csrf.0,
        nav_user: Some(crate::http::nav::Nav::of(&user)),
        resident_id: id,
        name: linli_domain::registry::mask_name(&r.name),
        svg: crate::http::qr::svg(&url)?,
        url,
        hotline: f.hotline,
        check_code: issued.check_code.expose().to_owned(),
    };
    page(StatusCode::OK, &p)
}

async fn revoke(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.revoke_card(&user, id, &user.actor(&ip)).await?;
    Ok(see_other(&format!("/residents/{id}")))
}
