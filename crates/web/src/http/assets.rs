//! Static assets embedded in the binary: htmx, Leaflet and ECharts from npm
//! (web/package.json), our stylesheet and scripts. No CDN: deployments are often on intranets.

use crate::AppState;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

const HTMX: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../web/node_modules/htmx.org/dist/htmx.min.js"
));
const LEAFLET_JS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../web/node_modules/leaflet/dist/leaflet.js"
));
const LEAFLET_CSS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../web/node_modules/leaflet/dist/leaflet.css"
));
const ECHARTS_JS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../web/node_modules/echarts/dist/echarts.min.js"
));
const APP_CSS: &str = include_str!("../../assets/app.css");
const MAP_JS: &str = include_str!("../../assets/map.js");
const PLACES_JS: &str = include_str!("../../assets/territory/places.js");
const CARD_JS: &str = include_str!("../../assets/registry/card.js");
const CASES_JS: &str = include_str!("../../assets/cases/cases.js");
const INBOX_JS: &str = include_str!("../../assets/notifications/inbox.js");
const DASHBOARD_JS: &str = include_str!("../../assets/cases/dashboard.js");
const JS: &str = "text/javascript; charset=utf-8";

fn asset(content_type: &'static str, body: &'static [u8]) -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/static/htmx.min.js",
            get(|| async { asset("text/javascript; charset=utf-8", HTMX) }),
        )
        .route(
            "/static/leaflet.js",
            get(|| async { asset(JS, LEAFLET_JS) }),
        )
        .route(
            "/static/leaflet.css",
            get(|| async { asset("text/css; charset=utf-8", LEAFLET_CSS) }),
        )
        .route(
            "/static/map.js",
            get(|| async { asset(JS, MAP_JS.as_bytes()) }),
        )
        .route(
            "/static/places.js",
            get(|| async { asset(JS, PLACES_JS.as_bytes()) }),
        )
        .route(
            "/static/card.js",
            get(|| async { asset(JS, CARD_JS.as_bytes()) }),
        )
        .route(
            "/static/cases.js",
            get(|| async { asset(JS, CASES_JS.as_bytes()) }),
        )
        .route(
            "/static/echarts.min.js",
            get(|| async { asset(JS, ECHARTS_JS) }),
        )
        .route(
            "/static/dashboard.js",
            get(|| async { asset(JS, DASHBOARD_JS.as_bytes()) }),
        )
        .route(
            "/static/inbox.js",
            get(|| async { asset(JS, INBOX_JS.as_bytes()) }),
        )
        .route(
            "/static/app.css",
            get(|| async { asset("text/css; charset=utf-8", APP_CSS.as_bytes()) }),
        )
}
