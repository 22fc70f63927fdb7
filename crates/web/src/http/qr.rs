//! QR codes that lead back to this site: the address a phone will open
//! (this host, https behind TLS) and the code as SVG.

use crate::WebConfig;
use crate::http::error::WebError;
use axum::http::HeaderMap;

/// `path` on this site as a scanning phone will open it.
pub fn site_url(config: &WebConfig, headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        // a host name as DNS allows (an odd Host header never reaches a QR code)
        .filter(|h| {
            h.len() <= 253
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}{path}")
}

/// The QR code of `url` as SVG.
pub fn svg(url: &str) -> Result<String, WebError> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| linli_app::AppError::Internal(format!("qr: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}
