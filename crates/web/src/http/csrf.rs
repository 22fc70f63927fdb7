//! CSRF protection for every state-changing request.
//!
//! Double-submit token: a random token lives in an HttpOnly cookie and is
//! echoed by forms (`_csrf` field, urlencoded or multipart) or htmx (`X-CSRF-Token` header). On top
//! of it the request must not come from another site (`Origin` must be
//! this host; `Sec-Fetch-Site: cross-site` is refused). Requests carrying
//! `Authorization` are exempt: browsers never attach that header on their
//! own, and such requests ignore cookies (see `auth`). So is Open311
//! (`/open311/`): it authenticates by an `api_key` in the form and never
//! reads a cookie, so a forged cross-site form gains nothing.

use crate::AppState;
use crate::http::auth::{CookieNames, read_cookie};
use crate::http::error::WebError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

/// The request's CSRF token, for templates to embed.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

pub const FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";

pub fn new_token() -> String {
    let mut b = [0u8; 32];
    // without randomness there is no safe token; an empty one never matches
    if getrandom::fill(&mut b).is_err() {
        return String::new();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn well_formed(t: &str) -> bool {
    t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site")
    {
        return false;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let (Ok(origin), Some(host)) = (
        origin.to_str(),
        headers.get(HOST).and_then(|h| h.to_str().ok()),
    ) else {
        return false;
    };
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

fn form_token(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v)
}

/// How much of a multipart body is read to find its `_csrf` field, which
/// our forms send first: the photos behind it are not held here.
const TOKEN_WINDOW: usize = 64 * 1024;

/// The `_csrf` field at the head of a multipart body (a photo form without
/// script), and the body again, whole, for the handler: only its first
/// `TOKEN_WINDOW` bytes are read here, the rest still streams.
async fn multipart_token(headers: &HeaderMap, body: Body) -> (Option<String>, Body) {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    let mut failed = false;
    while head.len() < TOKEN_WINDOW {
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => {
                failed = true;
                break;
            }
            None => break,
        }
    }
    let head = axum::body::Bytes::from(head);
    let token = if failed {
        None
    } else {
        // a chunk may run past the window: only the window is looked in
        first_field(headers, head.slice(..head.len().min(TOKEN_WINDOW))).await
    };
    let whole = futures_util::stream::once(async move { Ok::<_, axum::Error>(head) }).chain(stream);
    (token, Body::from_stream(whole))
}

/// The value of `_csrf` when it is among the fields wholly inside `head`.
async fn first_field(headers: &HeaderMap, head: axum::body::Bytes) -> Option<String> {
    let ct = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let boundary = multer::parse_boundary(ct).ok()?;
    let mut mp = multer::Multipart::new(Body::from(head).into_data_stream(), boundary);
    while let Some(field) = mp.next_field().await.ok()? {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// Whether the request carries a live token or session (checked before a
/// large body is read: a stranger's upload is refused unread). A token is
/// judged alone, as everywhere.
async fn signed_in(state: &AppState, headers: &HeaderMap, names: &CookieNames) -> bool {
    if let Some(h) = headers.get(AUTHORIZATION) {
        return match h.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) {
            Some(token) => matches!(
                state.app.principal_from_token(token.trim()).await,
                Ok(Some(_))
            ),
            None => false,
        };
    }
    match read_cookie(headers, names.session) {
        Some(secret) => matches!(state.app.principal_from_session(secret).await, Ok(Some(_))),
        None => false,
    }
}

pub async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let names = CookieNames::new(state.config.secure_cookies);
    let cookie = read_cookie(req.headers(), names.csrf)
        .filter(|t| well_formed(t))
        .map(str::to_owned);
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut req = req;
    let open311 = req.uri().path().starts_with("/open311/");
    // a photo form: only from someone signed in (checked before a byte of
    // the body is read), and only a few at once; the permit is held until
    // the response
    let upload_permit = if !safe && !open311 && crate::http::upload::is_multipart(req.headers()) {
        if !signed_in(&state, req.headers(), &names).await {
            return WebError::LoginRequired.into_response();
        }
        match state.uploads.clone().try_acquire_owned() {
            Ok(p) => Some(p),
            Err(_) => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "正在上传的照片较多,请稍后再试",
                )
                    .into_response();
            }
        }
    } else {
        None
    };
    if !safe && !open311 && !req.headers().contains_key(AUTHORIZATION) {
        let Some(expected) = cookie.as_deref() else {
            return WebError::Csrf.into_response();
        };
        if !same_origin(req.headers()) {
            return WebError::Csrf.into_response();
        }
        let header = req
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let submitted = match header {
            Some(h) => Some(h),
            None if crate::http::upload::is_multipart(req.headers()) => {
                let (parts, body) = req.into_parts();
                let (token, body) = multipart_token(&parts.headers, body).await;
                req = Request::from_parts(parts, body);
                token
            }
            None if is_form(req.headers()) => {
                let (parts, body) = req.into_parts();
                let Ok(bytes) = axum::body::to_bytes(body, state.config.body_limit).await else {
                    return StatusCode::PAYLOAD_TOO_LARGE.into_response();
                };
                let token = form_token(&bytes);
                req = Request::from_parts(parts, Body::from(bytes));
                token
            }
            None => None,
        };
        let ok = submitted.is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected.as_bytes())));
        if !ok {
            return WebError::Csrf.into_response();
        }
    }
    let (token, fresh) = match cookie {
        Some(t) => (t, false),
        None => (new_token(), true),
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut res = next.run(req).await;
    drop(upload_permit);
    if fresh
        && !res.headers().contains_key(SET_COOKIE)
        && let Ok(v) = HeaderValue::from_str(&names.set(names.csrf, token, None))
    {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_be_this_host() {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static("127.0.0.1:7300"));
        assert!(same_origin(&h));
        h.insert(ORIGIN, HeaderValue::from_static("http://127.0.0.1:7300"));
        assert!(same_origin(&h));
        h.insert(ORIGIN, HeaderValue::from_static("http://evil.example"));
        assert!(!same_origin(&h));
        h.insert(ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
        h.remove(ORIGIN);
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&h));
    }

    #[test]
    fn tokens_are_random_and_checked_for_shape() {
        let (a, b) = (new_token(), new_token());
        assert!(well_formed(&a) && a != b);
        assert!(!well_formed("short") && !well_formed(&"z".repeat(64)));
        assert_eq!(form_token(b"a=1&_csrf=abc"), Some("abc".to_owned()));
    }
}
