//! HTTP plumbing every capability uses: authentication extractors, CSRF,
//! security headers and limits, errors and rendering, uploads, metrics,
//! health and the static assets.

pub(crate) mod assets;
pub(crate) mod auth;
pub mod brand;
pub(crate) mod csrf;
pub(crate) mod error;
pub(crate) mod health;
pub(crate) mod metrics;
pub(crate) mod nav;
pub(crate) mod openapi;
pub(crate) mod qr;
pub(crate) mod ratelimit;
pub(crate) mod render;
pub(crate) mod security;
pub(crate) mod upload;
pub(crate) mod util;
