//! `GET /api/v1/case-categories/suggest?text=`: the category a report's
//! text points to, as intake would file it when the reporter names none.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The text to classify (at most 2000 characters are read); the report
/// form sends it as `description`.
#[derive(Deserialize, IntoParams)]
pub struct SuggestParams {
    #[serde(default, alias = "description")]
    pub text: String,
}

/// A suggested category; `category` is empty when the model is not sure
/// (the case would wait under 其他 for staff).
#[derive(Serialize, ToSchema)]
pub struct SuggestOut {
    pub category: Option<String>,
    pub name: Option<String>,
    /// the model's posterior, in percent
    pub confidence: Option<u32>,
}

/// The first 2000 characters of `text`.
pub fn clip(text: &str) -> String {
    text.chars().take(2000).collect()
}

#[utoipa::path(get, path = "/api/v1/case-categories/suggest", tag = "cases", params(SuggestParams),
    responses((status = 200, body = SuggestOut), (status = 401, body = ErrorBody)))]
pub async fn suggest(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Query(q): Query<SuggestParams>,
) -> Result<Json<SuggestOut>, WebError> {
    let got = state.app.suggest_named(&clip(&q.text)).await?;
    Ok(Json(SuggestOut {
        category: got.as_ref().map(|(c, _)| c.code.clone()),
        name: got.as_ref().map(|(c, _)| c.name.clone()),
        confidence: got.map(|(_, p)| p),
    }))
}
