//! Small helpers shared by handlers.

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};

/// The client address, for the audit log and the rate limits. Behind a
/// trusted reverse proxy (the peer is one of `trusted`) it is the nearest
/// address in `X-Forwarded-For` that is not itself a trusted proxy; from
/// anyone else the header is ignored (a client could write anything there).
pub fn client_ip(parts: &Parts, trusted: &[IpAddr]) -> String {
    let Some(peer) = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return "unknown".to_owned();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    forwarded
        .iter()
        .rev()
        .map(|a| a.parse::<IpAddr>())
        .find(|a| a.as_ref().map_or(true, |ip| !trusted.contains(ip)))
        .map_or_else(
            || peer.to_string(),
            |a| a.map_or_else(|_| "unknown".to_owned(), |ip| ip.to_string()),
        )
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

impl axum::extract::FromRequestParts<crate::AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, &state.config.trusted_proxies)))
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

/// A form's fields, read by name.
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, k: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// A whole number typed in a field (None when empty or not a number).
    pub fn int(&self, k: &str) -> Option<i64> {
        self.get(k).trim().parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(peer: &str, xff: &[&str]) -> Parts {
        let mut b = axum::http::Request::get("/");
        for v in xff {
            b = b.header("x-forwarded-for", *v);
        }
        let (mut p, ()) = b.body(()).unwrap().into_parts();
        p.extensions
            .insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 40000)));
        p
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        // no proxy configured: the header is the client's to forge
        assert_eq!(
            client_ip(&parts("203.0.113.9", &["1.2.3.4"]), &[]),
            "203.0.113.9"
        );
        // from the proxy: the nearest address it did not add itself
        assert_eq!(
            client_ip(&parts("10.0.0.2", &["1.2.3.4, 198.51.100.7"]), &[proxy]),
            "198.51.100.7"
        );
        assert_eq!(
            client_ip(&parts("10.0.0.2", &["198.51.100.7", "10.0.0.2"]), &[proxy]),
            "198.51.100.7"
        );
        // a client beside the proxy cannot pick its address
        assert_eq!(
            client_ip(&parts("198.51.100.8", &["1.1.1.1"]), &[proxy]),
            "198.51.100.8"
        );
        // the proxy without a header is itself the client
        assert_eq!(client_ip(&parts("10.0.0.2", &[]), &[proxy]), "10.0.0.2");
        assert_eq!(
            client_ip(&parts("10.0.0.2", &["junk"]), &[proxy]),
            "unknown"
        );
    }

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
