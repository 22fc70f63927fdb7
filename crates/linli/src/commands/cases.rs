//! `linli open311 key add|revoke`.

use crate::cli::DataArgs;
use crate::context::open_app;
use anyhow::Result;
use linli_app::Actor;
use std::process::ExitCode;

/// Adds (printing the new api_key once) or revokes an Open311 key.
pub async fn open311_key(action: &str, name: &str, data: &DataArgs) -> Result<ExitCode> {
    let app = open_app(data).await?;
    match action {
        "add" => {
            let key = app.open311_key_add(name, &Actor::cli()).await?;
            println!("{}", key.expose());
            Ok(ExitCode::SUCCESS)
        }
        "revoke" if app.open311_key_revoke(name, &Actor::cli()).await? => {
            println!("open311 key `{name}` revoked");
            Ok(ExitCode::SUCCESS)
        }
        "revoke" => {
            eprintln!("linli: no active open311 key named `{name}`");
            Ok(ExitCode::from(1))
        }
        other => {
            eprintln!("linli: `open311 key {other}`: use add or revoke");
            Ok(ExitCode::from(2))
        }
    }
}
