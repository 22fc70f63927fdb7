//! Small helpers shared by handlers.

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use std::net::SocketAddr;

/// The client address, for the audit log.
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// An instant as people in China read it (Asia/Shanghai, UTC+8, no DST).
pub fn beijing_time(ms: i64) -> String {
    linli_domain::time::beijing_minute(linli_domain::time::UnixMs(ms))
}

/// A redirect target from a query string, kept only when it is a path on
/// this site (no open redirects).
pub fn local_path(next: Option<&str>) -> Option<String> {
    let n = next?;
    // Browsers drop tabs and newlines from a Location and read `\` as `/`:
    // `/\t/evil.example` would become `//evil.example`. A path here is one
    // `/`, then no second `/` or `\`, and no control character, space or
    // backslash anywhere.
    let mut chars = n.chars();
    let ok = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !n
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        && !n.contains("://");
    ok.then(|| n.to_owned())
}

/// The client address as an extractor.
pub struct ClientIp(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

/// A stored photo: a JPEG the server re-encoded itself, shown inline.
pub fn jpeg(body: axum::body::Bytes) -> axum::response::Response {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    (
        [
            (CONTENT_TYPE, "image/jpeg"),
            (CONTENT_DISPOSITION, "inline"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time_is_utc_plus_8() {
        // 2026-11-22T00:00:00Z
        assert_eq!(beijing_time(1_795_305_600_000), "2026-11-22 08:00");
    }

    #[test]
    fn only_local_redirects() {
        assert_eq!(
            local_path(Some("/account/tokens")),
            Some("/account/tokens".into())
        );
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "evil"] {
            assert_eq!(local_path(Some(bad)), None, "{bad}");
        }
    }
}
