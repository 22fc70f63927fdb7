//! Forms that may carry photos. A form arrives urlencoded (no photos) or
//! as `multipart/form-data`: text fields plus file parts. Files are read
//! chunk by chunk and a file over the size limit is skipped, not held, so
//! a 50 MB "photo" costs 10 MB of memory at most and the other fields of
//! the form still arrive (the page shows them again with the error).

use crate::http::error::WebError;
use axum::extract::multipart::{Field, Multipart};
use axum::extract::{Form, FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use linli_app::cases::photos::PhotoUpload;
use linli_domain::cases::photo::{MAX_PHOTO_BYTES, MAX_PHOTOS, PhotoError};
use serde::de::DeserializeOwned;

/// The largest body of a form or API call that carries photos: nine
/// photos of 10 MB and the text. Routes that take photos raise their
/// `DefaultBodyLimit` to it; every other route keeps the configured limit.
pub const LIMIT: usize = 96 * 1024 * 1024;

/// The largest text field of a multipart form (a description is 2000 characters).
const TEXT_MAX: usize = 64 * 1024;

pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// A multipart body read: text fields in order, the files, and the first
/// reason a file was not taken.
#[derive(Debug, Default)]
pub struct Parts {
    pub fields: Vec<(String, String)>,
    pub files: Vec<(String, PhotoUpload)>,
    pub photo_error: Option<PhotoError>,
}

impl Parts {
    /// The text field `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn malformed() -> WebError {
    WebError::bad_request("multipart", "表单格式不正确,请重新提交")
}

/// Reads a file part up to the photo limit; the rest of a larger one is
/// drained and dropped.
async fn read_file(field: &mut Field<'_>) -> Result<Result<Vec<u8>, PhotoError>, WebError> {
    let mut buf = Vec::new();
    let mut too_large = false;
    while let Some(chunk) = field.chunk().await.map_err(|_| malformed())? {
        if too_large || buf.len() + chunk.len() > MAX_PHOTO_BYTES {
            too_large = true;
            buf = Vec::new();
            continue;
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(if too_large {
        Err(PhotoError::TooLarge)
    } else {
        Ok(buf)
    })
}

/// Reads a whole multipart body. Empty file parts (a file input left
/// empty) are skipped; more than nine files is an error.
pub async fn read(mut mp: Multipart) -> Result<Parts, WebError> {
    let mut parts = Parts::default();
    while let Some(mut field) = mp.next_field().await.map_err(|_| malformed())? {
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            match read_file(&mut field).await? {
                Ok(b) if b.is_empty() => {}
                Ok(_) if parts.files.len() == MAX_PHOTOS => {
                    parts.photo_error.get_or_insert(PhotoError::TooMany);
                }
                Ok(b) => parts.files.push((name, PhotoUpload(b))),
                Err(e) => {
                    parts.photo_error.get_or_insert(e);
                }
            }
            continue;
        }
        let text = field.text().await.map_err(|_| malformed())?;
        if text.len() > TEXT_MAX {
            return Err(WebError::bad_request("too_long", "表单内容过长"));
        }
        parts.fields.push((name, text));
    }
    Ok(parts)
}

/// A page form with its photos, from either encoding.
pub struct PhotoForm<T> {
    pub form: T,
    pub photos: Vec<PhotoUpload>,
    /// why a photo was not taken; the handler shows the form again with it
    pub photo_error: Option<PhotoError>,
}

impl<T, S> FromRequest<S> for PhotoForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        if !is_multipart(req.headers()) {
            let Form(form) = Form::<T>::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
            return Ok(PhotoForm {
                form,
                photos: Vec::new(),
                photo_error: None,
            });
        }
        let mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| StatusCode::BAD_REQUEST.into_response())?;
        let parts = read(mp).await.map_err(IntoResponse::into_response)?;
        let form = serde_urlencoded::to_string(&parts.fields)
            .ok()
            .and_then(|s| serde_urlencoded::from_str::<T>(&s).ok())
            .ok_or_else(|| StatusCode::UNPROCESSABLE_ENTITY.into_response())?;
        Ok(PhotoForm {
            form,
            photos: parts.files.into_iter().map(|(_, f)| f).collect(),
            photo_error: parts.photo_error,
        })
    }
}
