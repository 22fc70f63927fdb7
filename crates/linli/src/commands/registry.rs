//! `linli import residents`, `linli export residents|residents-template`
//! and `linli keys add|rotate`: the 居民台账 in Excel and the field keys.

use crate::cli::DataArgs;
use crate::context::{community, finish_import, key_path, keyring, one, open_app};
use anyhow::{Context, Result, bail};
use linli_app::Actor;
use linli_app::accounts::auth::Principal;
use linli_app::infra::crypto::Keyring;
use linli_app::registry::xlsx::residents_template;
use std::path::PathBuf;
use std::process::ExitCode;

/// The largest file the importer reads (a million residents is ~60 MB).
const MAX_FILE: u64 = 200 * 1024 * 1024;

pub async fn import(files: &[PathBuf], code: Option<&str>, data: &DataArgs) -> Result<ExitCode> {
    let file = one(files)?;
    let community = community(code)?;
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    if size > MAX_FILE {
        bail!(
            "{} is {} MB; the limit is {} MB: split the file",
            file.display(),
            size >> 20,
            MAX_FILE >> 20
        );
    }
    let app = open_app(data).await?;
    // read from the disk as it is parsed: the file is never whole in memory
    let r = app
        .import_residents(
            &Principal::cli_registry(),
            &community,
            file.to_path_buf(),
            &Actor::cli(),
        )
        .await?;
    println!(
        "residents imported: {} rows; {} new, {} updated, {} unchanged, {} rejected",
        r.rows,
        r.imported,
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
    unmasked: bool,
    data: &DataArgs,
) -> Result<ExitCode> {
    let file = one(files)?;
    let bytes = if kind == "residents-template" {
        residents_template()?
    } else {
        let community = community(code)?;
        let app = open_app(data).await?;
        app.export_residents(
            &Principal::cli_registry(),
            &community,
            unmasked,
            &Actor::cli(),
        )
        .await?
    };
    std::fs::write(file, bytes).with_context(|| format!("cannot write {}", file.display()))?;
    println!("written {}", file.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn keys(action: &str, data: &DataArgs) -> Result<ExitCode> {
    match action {
        "add" => {
            // make sure the file exists (the default one is created)
            keyring(data)?;
            let (path, _) = key_path(data)?;
            let id = Keyring::add_key(&path)?;
            println!(
                "key {id} added to {}; run `linli keys rotate` to re-seal with it",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        "rotate" => {
            let app = open_app(data).await?;
            let n = app.rotate_keys(&Actor::cli()).await?;
            println!("re-sealed {n} residents with the newest key");
            Ok(ExitCode::SUCCESS)
        }
        other => bail!("unknown keys action `{other}`: use add or rotate"),
    }
}
