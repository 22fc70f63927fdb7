//! Running a deployment: `linli check`, `linli backup`, `linli restore`.

use crate::cli::DataArgs;
use crate::context::{key_path, open_app_with_photos};
use anyhow::Result;
use std::process::ExitCode;

/// `linli check`: each check with what it found; exit 1 on any problem.
pub async fn check(data: &DataArgs) -> Result<ExitCode> {
    let app = open_app_with_photos(data).await?;
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

/// `linli backup FILE`: the whole database and its photos, while the
/// server may run; says where the key file is (never inside).
pub async fn backup(file: &std::path::Path, data: &DataArgs) -> Result<ExitCode> {
    let app = open_app_with_photos(data).await?;
    match app.backup_to(file).await {
        Ok(m) => {
            println!(
                "备份完成: {} ({} 张表 {} 行, {} 个文件, 数据库版本 {}, 来自 {})",
                file.display(),
                m.tables.len(),
                m.total_rows(),
                m.blobs.len(),
                m.schema,
                m.source
            );
            let (key, _) = key_path(data)?;
            println!(
                "字段加密密钥不在备份里: {} —— 请另行保管,恢复时放回数据目录(没有它,加密的身份证号和电话无法读取)",
                key.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("linli: 备份失败: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `linli restore FILE`: into an empty database, every part checked first.
pub async fn restore(file: &std::path::Path, data: &DataArgs) -> Result<ExitCode> {
    let app = open_app_with_photos(data).await?;
    match app.restore_from(file).await {
        Ok((m, chain)) => {
            println!(
                "恢复完成: {} 张表 {} 行, {} 个文件",
                m.tables.len(),
                m.total_rows(),
                m.blobs.len()
            );
            let (key, _) = key_path(data)?;
            println!("请确认字段加密密钥是原库的那一份: {}", key.display());
            match chain {
                None => {
                    println!("审计链校验通过");
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!("审计链校验未通过(备份来源的审计链即如此): {b}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Err(e) => {
            eprintln!("linli: 恢复失败,数据库未改动: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
