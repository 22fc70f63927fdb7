//! `/api/v1` for the anti-wandering QR cards (issue, history, revoke) and
//! the in-app inbox their scans fill.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::http::util::ClientIp;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/residents/{id}/card",
        get(card_history).post(issue_card).delete(revoke_card),
    )
}

/// A new anti-wandering card.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCard {
    pub guardian_name: String,
    /// 女儿, 儿子, 配偶, 孙子女, 兄弟姐妹, 其他亲属, 邻居, 护工 or 家属: the
    /// public page names the guardian by it, never by name
    pub guardian_relation: String,
    pub guardian_phone: String,
    /// the community's service phone, printed on the card
    pub hotline: String,
    /// the resident's separate consent to show the health note publicly
    #[serde(default)]
    pub medical_consent: bool,
    /// the guardian's account, notified in the app when the card is scanned
    pub guardian_username: Option<String>,
}

/// The issued card: `url` and `svg` are shown this once (only a hash of
/// the token is stored); print them now.
#[derive(Serialize, ToSchema)]
pub struct IssuedCardOut {
    pub card_id: i64,
    pub url: String,
    pub svg: String,
    /// the four digits to print beside the QR code: a finder types them to
    /// see the guardian's phone (a leaked link alone does not)
    pub check_code: String,
}

#[utoipa::path(post, path = "/api/v1/residents/{id}/card", tag = "registry", request_body = NewCard,
    params(("id" = i64, Path, description = "resident id")),
    responses((status = 201, body = IssuedCardOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn issue_card(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<NewCard>,
) -> Result<(axum::http::StatusCode, Json<IssuedCardOut>), WebError> {
    let input = linli_app::registry::care_cards::CardInput {
        guardian_name: body.guardian_name,
        guardian_relation: body.guardian_relation,
        guardian_phone: body.guardian_phone,
        hotline: body.hotline,
        medical_consent: body.medical_consent,
        guardian_username: body.guardian_username,
    };
    let issued = state.app.issue_card(&u, id, &input, &u.actor(&ip)).await?;
    let url =
        crate::registry::pages::cards::card_url(&state.config, &headers, issued.token.expose());
    Ok((
        axum::http::StatusCode::CREATED,
        Json(IssuedCardOut {
            card_id: issued.card_id,
            svg: crate::http::qr::svg(&url)?,
            url,
            check_code: issued.check_code.expose().to_owned(),
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/residents/{id}/card", tag = "registry",
    params(("id" = i64, Path, description = "resident id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_card(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<axum::http::StatusCode, WebError> {
    state.app.revoke_card(&u, id, &u.actor(&ip)).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct CardOut {
    pub id: i64,
    pub guardian_name: String,
    pub guardian_phone_masked: String,
    pub medical_consent: bool,
    pub issued_at: i64,
    pub revoked: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ScanOut {
    /// unix ms
    pub at: i64,
    /// whether the scanner passed the check and saw the guardian's phone
    pub revealed: bool,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct CardHistory {
    pub cards: Vec<CardOut>,
    pub scans: Vec<ScanOut>,
}

#[utoipa::path(get, path = "/api/v1/residents/{id}/card", tag = "registry",
    params(("id" = i64, Path, description = "resident id")),
    responses((status = 200, body = CardHistory), (status = 404, body = ErrorBody)))]
pub async fn card_history(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<CardHistory>, WebError> {
    let (cards, scans) = state.app.card_history(&u, id).await?;
    Ok(Json(CardHistory {
        cards: cards
            .into_iter()
            .map(|c| CardOut {
                id: c.id,
                guardian_name: c.guardian_name,
                guardian_phone_masked: c.guardian_phone_masked,
                medical_consent: c.medical_consent,
                issued_at: c.issued_at.0,
                revoked: c.revoked_at.is_some(),
            })
            .collect(),
        scans: scans
            .into_iter()
            .map(|s| ScanOut {
                at: s.at.0,
                revealed: s.revealed,
                lng: s.lng_lat.map(|p| p.0),
                lat: s.lng_lat.map(|p| p.1),
            })
            .collect(),
    }))
}
