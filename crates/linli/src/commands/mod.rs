//! What each verb does: open the database, call a service, print. One
//! file per verb group; what they all open is in `crate::context`.

mod accounts;
mod cases;
mod ops;
mod registry;
mod serve;
mod territory;

use crate::cli::{AuditCommand, Cli, Command, Open311Command, TokenCommand};
use anyhow::Result;
use std::process::ExitCode;

/// Runs the verb the command line names.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Demo {
            data,
            database_url,
            serve,
        } => serve::demo(&data, database_url, serve).await,
        Command::Serve { data, serve } => serve::serve(&data, serve).await,
        Command::Migrate { data } => {
            crate::context::open(&data).await?;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command } => accounts::user(command).await,
        Command::Token {
            command:
                TokenCommand::Add {
                    username,
                    name,
                    data,
                },
        } => accounts::token_add(&username, &name, &data).await,
        Command::Open311 {
            command: Open311Command::Key { action, name, data },
        } => cases::open311_key(&action, &name, &data).await,
        Command::Audit {
            command: AuditCommand::Verify { data },
        } => accounts::audit_verify(&data).await,
        Command::Check { data } => ops::check(&data).await,
        Command::Import {
            kind, files, data, ..
        } if kind == "regions" => territory::import_regions(&files, &data).await,
        Command::Import {
            kind,
            files,
            community,
            data,
        } if kind == "places" => territory::import(&files, community.as_deref(), &data).await,
        Command::Import {
            kind,
            files,
            community,
            data,
        } if kind == "residents" => registry::import(&files, community.as_deref(), &data).await,
        Command::Export {
            kind,
            files,
            community,
            data,
            ..
        } if kind == "places" || kind == "template" => {
            territory::export(&kind, &files, community.as_deref(), &data).await
        }
        Command::Export {
            kind,
            files,
            community,
            unmasked,
            data,
        } if kind == "residents" || kind == "residents-template" => {
            registry::export(&kind, &files, community.as_deref(), unmasked, &data).await
        }
        Command::Keys { action, data } => registry::keys(&action, &data).await,
        Command::Backup { file, data } => ops::backup(&file, &data).await,
        Command::Restore { file, data } => ops::restore(&file, &data).await,
        Command::Import { .. } | Command::Export { .. } => {
            eprintln!(
                "linli: this verb is not available yet; it arrives with the territory and registry modules"
            );
            Ok(ExitCode::from(2))
        }
    }
}
