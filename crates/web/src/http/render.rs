//! Rendering shared by every page: the error page, a template as a
//! response, and the redirects after a form post.

use crate::http::error::{Rendered, WebError};
use askama::Template;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use linli_app::AppError;

/// Renders a template as a complete response with `status`.
pub fn page(status: StatusCode, t: &impl Template) -> Result<Response, WebError> {
    let html = t
        .render()
        .map_err(|e| linli_app::AppError::Internal(format!("template: {e}")))?;
    let mut res = (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    res.extensions_mut().insert(Rendered);
    Ok(res)
}

/// A redirect to `path` with `params` and the outcome as a flash message;
/// refusals a person can fix are shown, anything else is an error page.
pub fn redirect_with(
    path: &str,
    mut params: Vec<(&str, String)>,
    r: Result<String, AppError>,
) -> Result<Response, WebError> {
    let (msg, err) = match r {
        Ok(m) => (m, "0"),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Account(_))) => {
            (e.to_string(), "1")
        }
        Err(e) => return Err(e.into()),
    };
    params.push(("msg", msg));
    params.push(("err", err.to_owned()));
    let qs = serde_urlencoded::to_string(&params).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(see_other(&format!("{path}?{qs}")))
}

/// The outcome [`redirect_with`] puts in the address, as the page reads it back.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Flash {
    pub msg: Option<String>,
    /// `1` when the message is a refusal
    pub err: Option<u8>,
}

impl Flash {
    pub fn is_error(&self) -> bool {
        self.err == Some(1)
    }
}

/// After a successful POST: go to `to` (303, so the browser GETs it).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An xlsx workbook as a download named `name.xlsx` (UTF-8 name per RFC 5987).
pub(crate) fn xlsx_download(name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"{name}.xlsx\"; filename*=UTF-8''{}.xlsx",
        name.bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    );
    (
        [
            (CONTENT_TYPE, XLSX.to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}
