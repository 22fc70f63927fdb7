//! linli HTTP layer: server-rendered pages (askama + htmx), the JSON API
//! under `/api/v1`, health and metrics. Handlers are thin: extract, call a
//! service in `linli_app`, render.

// plumbing every capability uses
mod http;

// one folder per capability
mod accounts;
mod cases;
mod deliberation;
mod gridwork;
mod notices;
pub mod notifications;
mod partners;
mod registry;
mod territory;
mod volunteering;

use axum::Router;
use linli_app::App;
use std::sync::Arc;
use std::time::Duration;

pub use http::brand::Footer;
pub use http::error::WebError;
pub use http::openapi::ApiDoc;

/// HTTP settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Served behind TLS: `__Host-` cookies with `Secure`, and HSTS.
    pub secure_cookies: bool,
    /// The largest request body accepted.
    pub body_limit: usize,

    /// Requests running longer are answered 408.
    pub request_timeout: Duration,
    /// Login attempts allowed per client address and minute (on top of
    /// the per-account lockout, which an attacker spraying many accounts
    /// never trips).
    pub login_per_minute: u32,
    /// The map tile URL template (`https://…/{z}/{x}/{y}.png`); maps draw
    /// on a plain background without one (intranets often have none).
    pub tile_url: Option<String>,
    /// Scans of the anti-wandering QR pages allowed per client address and minute.
    pub scans_per_minute: u32,
    /// Open311 POST requests allowed per client address and minute.
    pub open311_per_minute: u32,
    /// Hosts whose `https` media links (Open311 `media_url`) staff see as
    /// links; any other link is shown as text.
    pub media_hosts: Vec<String>,
    /// The bearer token a Prometheus scraper sends for `/metrics`; none
    /// turns `/metrics` off (it names routes and load to anyone).
    pub metrics_token: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (for the audit
    /// log's addresses and the per-address limits); none by default.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// 主办单位, 技术支持 and a hotline for every page's footer.
    pub footer: http::brand::Footer,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            login_per_minute: 10,
            tile_url: None,
            scans_per_minute: 30,
            open311_per_minute: 60,
            media_hosts: Vec::new(),
            metrics_token: None,
            trusted_proxies: Vec::new(),
            footer: http::brand::Footer::default(),
        }
    }
}

/// Photo forms read at once; more wait for a retry (each may hold up to
/// 96 MB while its photos are checked).
const UPLOADS_AT_ONCE: usize = 4;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    metrics: Arc<http::metrics::Metrics>,
    login_limiter: Arc<http::ratelimit::Limiter>,
    scan_limiter: Arc<http::ratelimit::Limiter>,
    open311_limiter: Arc<http::ratelimit::Limiter>,
    /// photo uploads (multipart bodies up to 96 MB) in flight at once
    uploads: Arc<tokio::sync::Semaphore>,
}

/// The whole application router with its middleware.
pub fn router(app: App, config: WebConfig) -> Router {
    let login_limiter = Arc::new(http::ratelimit::per_minute(config.login_per_minute));
    let scan_limiter = Arc::new(http::ratelimit::per_minute(config.scans_per_minute));
    let open311_limiter = Arc::new(http::ratelimit::per_minute(config.open311_per_minute));
    http::brand::set(config.footer.clone());
    let state = AppState {
        app,
        config: Arc::new(config),
        metrics: Arc::new(http::metrics::Metrics::new()),
        login_limiter,
        scan_limiter,
        open311_limiter,
        uploads: Arc::new(tokio::sync::Semaphore::new(UPLOADS_AT_ONCE)),
    };
    let routes = Router::new()
        .merge(accounts::routes())
        .merge(territory::routes())
        .merge(registry::routes())
        .merge(cases::routes())
        .merge(gridwork::routes())
        .merge(deliberation::routes())
        .merge(volunteering::routes())
        .merge(partners::routes())
        .merge(notices::routes())
        .merge(notifications::routes())
        .merge(http::openapi::routes())
        .merge(http::health::routes())
        .merge(http::assets::routes())
        .fallback(http::error::not_found);
    http::security::layers(routes, state)
}
