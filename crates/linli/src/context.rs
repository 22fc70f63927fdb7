//! What every verb opens: the data directory, the database, the key ring,
//! and the file arguments of the xlsx verbs.

use crate::cli::DataArgs;
use anyhow::{Context, Result, bail};
use linli_app::infra::crypto::{CipherKind, Keyring};
use linli_app::territory::xlsx::{Rejected, rejected_rows_xlsx};
use linli_app::{App, AppConfig, Db};
use linli_domain::access::RegionCode;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// The key file named by the arguments, and whether it is the default one
/// in the data directory (created on first use; a named one must exist).
pub(crate) fn key_path(data: &DataArgs) -> Result<(PathBuf, bool)> {
    match &data.keys.key_file {
        Some(p) => Ok((p.clone(), false)),
        None => {
            std::fs::create_dir_all(&data.data)
                .with_context(|| format!("cannot create data directory {}", data.data.display()))?;
            Ok((data.data.join("linli.keys"), true))
        }
    }
}

/// The key ring named by the arguments; the default key file in the data
/// directory is created on first use.
pub(crate) fn keyring(data: &DataArgs) -> Result<Keyring> {
    let cipher = CipherKind::parse(&data.keys.field_cipher)?;
    let (path, create) = key_path(data)?;
    if create && !path.exists() {
        tracing::warn!(path = %path.display(), "creating a new field-encryption key file: back it up and keep it apart from the database");
    }
    Ok(Keyring::load(&path, cipher, create)?)
}

/// The services over the database and key ring named by the arguments.
pub(crate) async fn open_app(data: &DataArgs) -> Result<App> {
    Ok(App::new(open(data).await?, AppConfig::default()).with_crypto(Arc::new(keyring(data)?)))
}

/// The same with the data directory's photo store (`blobs/`), for the
/// verbs that read or write photos: check, backup, restore.
pub(crate) async fn open_app_with_photos(data: &DataArgs) -> Result<App> {
    Ok(open_app(data).await?.with_blobs(photo_store(&data.data)?))
}

/// Photos live under `blobs/` in the data directory.
pub(crate) fn photo_store(data: &Path) -> Result<linli_store::blobs::Blobs> {
    let dir = data.join("blobs");
    linli_store::blobs::Blobs::local(&dir)
        .with_context(|| format!("cannot open the photo store {}", dir.display()))
}

/// Opens (and migrates) the database named by the arguments.
pub(crate) async fn open(data: &DataArgs) -> Result<Db> {
    let url = match &data.database_url {
        Some(u) => u.clone(),
        None => {
            std::fs::create_dir_all(&data.data)
                .with_context(|| format!("cannot create data directory {}", data.data.display()))?;
            Db::sqlite_url_in(&data.data)
        }
    };
    let db = Db::connect(&url)
        .await
        .context("cannot open the database")?;
    db.migrate().await.context("cannot migrate the database")?;
    Ok(db)
}

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
