//! `linli import places` / `linli export places|template`: the 房屋台账 in Excel.

use crate::cli::DataArgs;
use anyhow::{Context, Result, bail};
use linli_app::Actor;
use linli_app::auth::Principal;
use linli_app::places_xlsx::{Rejected, places_template, rejected_rows_xlsx};
use linli_domain::access::RegionCode;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) fn community(code: Option<&str>) -> Result<RegionCode> {
    let Some(code) = code else {
        bail!("give the community with --community CODE (12 digits)");
    };
    Ok(code.parse()?)
}

pub(crate) fn one(files: &[PathBuf]) -> Result<&Path> {
    match files {
        [f] => Ok(f),
        _ => bail!("give one .xlsx file"),
    }
}

/// `FILE.xlsx` → `FILE.rejected.xlsx`, beside the input.
fn rejected_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or("import".into(), |s| s.to_string_lossy());
    input.with_file_name(format!("{stem}.rejected.xlsx"))
}

pub async fn import(files: &[PathBuf], code: Option<&str>, data: &DataArgs) -> Result<ExitCode> {
    let file = one(files)?;
    let community = community(code)?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let app = crate::commands::open_app(data).await?;
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

/// Success, or exit 3 with the refused rows written beside the input as
/// `FILE.rejected.xlsx` (and the first ten listed).
pub(crate) fn finish_import(
    file: &Path,
    headers: &[String],
    rejected: &[Rejected],
) -> Result<ExitCode> {
    if rejected.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let out = rejected_path(file);
    std::fs::write(&out, rejected_rows_xlsx(headers, rejected)?)
        .with_context(|| format!("cannot write {}", out.display()))?;
    for x in rejected.iter().take(10) {
        eprintln!("  第 {} 行: {}", x.row, x.reason);
    }
    println!("rejected rows written to {}", out.display());
    Ok(ExitCode::from(3))
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
        let app = crate::commands::open_app(data).await?;
        app.export_places(&Principal::cli(), &community).await?
    };
    std::fs::write(file, bytes).with_context(|| format!("cannot write {}", file.display()))?;
    println!("written {}", file.display());
    Ok(ExitCode::SUCCESS)
}
