//! Photos over the API. Intake and steps take either a JSON body or a
//! `multipart/form-data` body whose part `case` (or `step`) holds the same
//! JSON and whose file parts `photos` hold up to nine images. A photo is
//! served only to a caller who may see its case.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::{ErrorBody, WebError};
use crate::http::upload;
use axum::Json;
use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, Path, Request, State};
use axum::response::{IntoResponse, Response};
use linli_app::cases::photos::{CasePhoto, PhotoUpload};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// The name of the JSON part of a multipart intake or step.
pub trait JsonPart {
    const PART: &'static str;
}

/// A JSON body with photos, from `application/json` or multipart.
pub struct WithPhotos<T> {
    pub body: T,
    pub photos: Vec<PhotoUpload>,
}

impl<T, S> FromRequest<S> for WithPhotos<T>
where
    T: DeserializeOwned + JsonPart,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !upload::is_multipart(req.headers()) {
            let Json(body) = Json::<T>::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
            return Ok(WithPhotos {
                body,
                photos: Vec::new(),
            });
        }
        let mp = Multipart::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let parts = upload::read(mp)
            .await
            .map_err(IntoResponse::into_response)?;
        if let Some(e) = parts.photo_error {
            return Err(WebError::bad_request("photo", e.to_string()).into_response());
        }
        let json = parts.text(T::PART).ok_or_else(|| {
            WebError::bad_request("json", format!("缺少 JSON 部分“{}”", T::PART)).into_response()
        })?;
        let body = serde_json::from_str(json).map_err(|e| {
            WebError::bad_request("json", format!("JSON 部分格式不正确:{e}")).into_response()
        })?;
        Ok(WithPhotos {
            body,
            photos: parts.files.into_iter().map(|(_, f)| f).collect(),
        })
    }
}

/// A photo of a case: `url` serves the JPEG to whoever may see the case.
#[derive(Serialize, ToSchema)]
pub struct PhotoOut {
    pub id: i64,
    /// report (随手拍) or handle (the result)
    pub stage: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub url: String,
}

impl From<CasePhoto> for PhotoOut {
    fn from(p: CasePhoto) -> Self {
        PhotoOut {
            url: format!("/api/v1/cases/{}/photos/{}", p.case_id, p.id),
            id: p.id,
            stage: p.stage,
            width: p.width,
            height: p.height,
            bytes: p.bytes,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/photos/{photo}", tag = "cases",
    params(("id" = i64, Path), ("photo" = i64, Path)),
    responses((status = 200, content_type = "image/jpeg", description = "the re-encoded photo, without EXIF"),
        (status = 404, body = ErrorBody)))]
pub async fn photo(
    State(state): State<AppState>,
    CurrentUser(u): CurrentUser,
    Path((id, photo)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    Ok(crate::http::util::jpeg(
        state.app.case_photo(&u, id, photo).await?,
    ))
}
