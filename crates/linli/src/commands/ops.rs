//! `linli check`: running a deployment.

use crate::cli::DataArgs;
use crate::context::open_app;
use anyhow::Result;
use std::process::ExitCode;

/// `linli check`: each check with what it found; exit 1 on any problem.
pub async fn check(data: &DataArgs) -> Result<ExitCode> {
    let app = open_app(data).await?;
    let report = app.check().await?;
    for (name, problems) in &report.checks {
        if problems.is_empty() {
            println!("{name}: ok");
        }
        for p in problems {
            println!("{name}: PROBLEM: {p}");
        }
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
