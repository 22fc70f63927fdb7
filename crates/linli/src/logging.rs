//! Structured logs on stderr (stdout is for command output such as tokens):
//! human-readable by default, JSON with `LINLI_LOG_FORMAT=json`; the level
//! from `RUST_LOG` (default `info`). Passwords, tokens and personal data
//! never reach a log: their types redact themselves and request spans
//! carry the path without the query string.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("LINLI_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
