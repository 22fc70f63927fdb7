//! The middleware stack: request ids, tracing without query strings,
//! metrics, security headers, error rendering, timeout, body limit, CSRF.

use crate::{AppState, http::csrf, http::error, http::metrics};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The Content-Security-Policy; images may also come from the map tile
/// server's origin when one is configured, and from `blob:` (the report
/// form's thumbnails of photos chosen on the phone, before they are sent).
fn csp(tile_url: Option<&str>) -> HeaderValue {
    let tiles = tile_url.and_then(tile_origin).unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{tiles}; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// ` https://*.tile.example.org` for `https://{s}.tile.example.org/{z}/{x}/{y}.png`.
fn tile_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?.replace("{s}", "*");
    let ok = matches!(scheme, "http" | "https")
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '*'));
    ok.then(|| format!(" {scheme}://{host}"))
}

fn header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

pub fn layers(routes: Router<AppState>, state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let limit = state.config.body_limit;
    let hsts = state
        .config
        .secure_cookies
        .then(|| header(STRICT_TRANSPORT_SECURITY, "max-age=31536000"));
    routes
        .layer(from_fn_with_state(state.clone(), csrf::protect))
        .layer(DefaultBodyLimit::max(limit))
        // the outer bound fits the photo routes, which raise their own
        // DefaultBodyLimit; every other extractor stops at `limit`
        .layer(RequestBodyLimitLayer::new(limit.max(crate::http::upload::LIMIT)))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.config.request_timeout))
        // pages and scripts travel gzipped (ECharts: 1.1 MB → about 0.35 MB);
        // the default predicate leaves the event stream, images and tiny
        // bodies as they are
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .layer(from_fn(error::render_errors))
        .layer(tower::util::option_layer(hsts))
        .layer(SetResponseHeaderLayer::overriding(
            CONTENT_SECURITY_POLICY,
            csp(state.config.tile_url.as_deref()),
        ))
        .layer(header(X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(X_FRAME_OPTIONS, "DENY"))
        .layer(header(REFERRER_POLICY, "same-origin"))
        .layer(header(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
        .layer(header(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(self)"))
        .layer(SetResponseHeaderLayer::if_not_present(CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // the path only: query strings may carry personal data
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tile_origin_joins_img_src_and_nothing_else_gets_in() {
        assert_eq!(
            tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png").as_deref(),
            Some(" https://*.tile.example.org")
        );
        assert_eq!(tile_origin("javascript:alert(1)"), None);
        assert_eq!(tile_origin("https://a.org; script-src *"), None);
        let v = csp(Some("http://10.0.0.5:8080/{z}/{x}/{y}.png"));
        assert!(
            v.to_str()
                .unwrap()
                .contains("img-src 'self' data: blob: http://10.0.0.5:8080;")
        );
    }
}
