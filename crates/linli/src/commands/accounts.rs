//! `linli user …`, `linli token add`, `linli audit verify`.

use crate::cli::{DataArgs, UserCommand};
use crate::context::open_app;
use anyhow::{Context, Result, bail};
use linli_app::Actor;
use linli_app::accounts::NewAccount;
use linli_app::audit::ChainReport;
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::secret::Secret;
use std::io::BufRead;
use std::process::ExitCode;

/// `linli token add`: prints a new personal access token.
pub async fn token_add(username: &str, name: &str, data: &DataArgs) -> Result<ExitCode> {
    let app = open_app(data).await?;
    let t = app.create_token(username, name, &Actor::cli()).await?;
    println!("{}", t.secret.expose());
    Ok(ExitCode::SUCCESS)
}

/// `linli audit verify`: exit 1 when the hash chain is broken.
pub async fn audit_verify(data: &DataArgs) -> Result<ExitCode> {
    let app = open_app(data).await?;
    match app.verify_audit_chain().await? {
        ChainReport::Intact { records } => {
            println!("audit chain intact: {records} records");
            Ok(ExitCode::SUCCESS)
        }
        ChainReport::Broken(b) => {
            println!("audit chain BROKEN: {b}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn read_password() -> Result<Secret> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let pw = line.trim_end_matches(['\n', '\r']);
    if pw.is_empty() {
        bail!("no password on standard input (e.g. `echo 'Pass-word-2026' | linli user add …`)");
    }
    Ok(Secret::new(pw))
}

fn grant(role: &str, scope: &str) -> Result<Grant> {
    Ok(Grant {
        role: role.parse::<Role>()?,
        scope: scope.parse::<RegionCode>()?,
    })
}

pub async fn user(command: UserCommand) -> Result<ExitCode> {
    match command {
        UserCommand::Add {
            username,
            role,
            scope,
            display_name,
            must_change_password,
            data,
        } => {
            let g = grant(&role, &scope)?;
            let password = read_password()?;
            let app = open_app(&data).await?;
            let account = NewAccount {
                username,
                display_name,
                password,
                grants: vec![g],
                must_change_password,
            };
            let id = app.create_user(account, &Actor::cli()).await?;
            println!("user {id} created");
        }
        UserCommand::Grant {
            username,
            role,
            scope,
            data,
        } => {
            let g = grant(&role, &scope)?;
            let app = open_app(&data).await?;
            let added = app.grant_role(&username, g, &Actor::cli()).await?;
            println!(
                "{}",
                if added {
                    "role granted"
                } else {
                    "role was already held"
                }
            );
        }
        UserCommand::Disable { username, data } => {
            let app = open_app(&data).await?;
            app.set_disabled(&username, true, &Actor::cli()).await?;
            println!("user {username} disabled; their sessions have ended");
        }
        UserCommand::Enable { username, data } => {
            let app = open_app(&data).await?;
            app.set_disabled(&username, false, &Actor::cli()).await?;
            println!("user {username} enabled");
        }
        UserCommand::Unlock { username, data } => {
            let app = open_app(&data).await?;
            let n = app.unlock_logins(&username, &Actor::cli()).await?;
            println!("user {username}: {n} lock(s) cleared");
        }
    }
    Ok(ExitCode::SUCCESS)
}
