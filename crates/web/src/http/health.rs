//! Liveness, readiness and metrics endpoints.

use crate::http::error::Rendered;
use crate::{AppState, http::metrics};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
}

/// Ready when the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.app.ready().await {
        Ok(()) => "ok".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            let mut res = (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
            res.extensions_mut().insert(Rendered);
            res
        }
    }
}
