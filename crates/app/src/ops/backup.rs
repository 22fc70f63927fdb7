//! `linli backup` and `linli restore`: everything a community keeps — every
//! table's rows and every photo — in one zip with a manifest (format and
//! schema version, the source database, row counts, and the SHA-256 of
//! every part). Rows are JSON values, one array a line, so a backup taken
//! on SQLite restores onto PostgreSQL and back. The backup reads one
//! snapshot while the server runs. A restore checks every part before it
//! writes anything, writes all rows in one transaction into an empty
//! database, then the photos, and verifies the audit chain. The
//! field-encryption key file is never inside: without it the sealed fields
//! of a restored database stay sealed, so it is kept apart.

use crate::{App, AppError};
use linli_store::ops::backup as store;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

const FORMAT: &str = "linli-backup";
const VERSION: u32 = 1;
/// Rows a restore writes a statement at most (fewer for wide tables).
const BATCH: usize = 1000;

/// What a backup holds, written last into the zip as `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    /// the newest migration the database had
    pub schema: i64,
    /// `SQLite` or `PostgreSQL`
    pub source: String,
    pub created_at: i64,
    pub tables: Vec<TablePart>,
    pub blobs: Vec<BlobPart>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TablePart {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlobPart {
    pub key: String,
    pub bytes: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

fn io(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("backup file: {e}"))
}

fn refuse(e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(e.to_string())
}

fn table_entry(name: &str) -> String {
    format!("tables/{name}.jsonl")
}

fn blob_entry(key: &str) -> String {
    format!("blobs/{key}")
}

/// A writer that hashes what passes through it.
struct Hashing<'a, W: Write> {
    inner: &'a mut W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hex(hash: Sha256) -> String {
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl App {
    /// Writes a backup of the whole database and object store to `path`
    /// (a new file; an existing one is refused). Returns its manifest.
    pub async fn backup_to(&self, path: &Path) -> Result<Manifest, AppError> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| refuse(format!("{}: {e}", path.display())))?;
        let result = self.write_backup(file).await;
        if result.is_err() {
            // half a backup is no backup
            let _ = std::fs::remove_file(path);
        }
        result
    }

    async fn write_backup(&self, file: std::fs::File) -> Result<Manifest, AppError> {
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        let mut conn = self.db.conn().await?;
        let backend = self.db.backend();
        store::snapshot(&mut conn).await?;
        let tables = self.dump_tables(&mut conn, &mut zip, opts).await;
        store::end_snapshot(&mut conn).await?;
        drop(conn);
        let tables = tables?;
        let mut blobs = Vec::new();
        for (key, _) in self.blobs.sizes("").await? {
            let data = self.blobs.get(&key).await?;
            zip.start_file(blob_entry(&key), opts).map_err(io)?;
            zip.write_all(&data).map_err(io)?;
            let mut h = Sha256::new();
            h.update(&data);
            blobs.push(BlobPart {
                key,
                bytes: data.len() as u64,
                sha256: hex(h),
            });
        }
        let manifest = Manifest {
            format: FORMAT.to_owned(),
            version: VERSION,
            schema: schema_version(backend),
            source: match backend {
                linli_store::Backend::Sqlite => "SQLite".to_owned(),
                linli_store::Backend::Postgres => "PostgreSQL".to_owned(),
            },
            created_at: crate::now().0,
            tables,
            blobs,
        };
        zip.start_file("manifest.json", opts).map_err(io)?;
        serde_json::to_writer_pretty(&mut zip, &manifest).map_err(io)?;
        zip.finish().map_err(io)?.flush().map_err(io)?;
        Ok(manifest)
    }

    async fn dump_tables<W: Write + std::io::Seek>(
        &self,
        conn: &mut linli_store::Conn,
        zip: &mut zip::ZipWriter<W>,
        opts: zip::write::SimpleFileOptions,
    ) -> Result<Vec<TablePart>, AppError> {
        let mut parts = Vec::new();
        for name in store::tables(conn).await? {
            let columns: Vec<String> = store::columns(conn, &name)
                .await?
                .into_iter()
                .map(|(c, _)| c)
                .collect();
            zip.start_file(table_entry(&name), opts).map_err(io)?;
            let mut out = Hashing {
                inner: zip,
                hash: Sha256::new(),
                bytes: 0,
            };
            let rows = store::each_row(conn, &name, &columns, |vals| {
                serde_json::to_writer(&mut out, &vals)
                    .and_then(|()| out.write_all(b"\n").map_err(serde_json::Error::io))
                    .map_err(|e| linli_store::StoreError::Corrupt(format!("writing: {e}")))
            })
            .await?;
            parts.push(TablePart {
                name,
                columns,
                rows,
                sha256: hex(out.hash),
            });
        }
        Ok(parts)
    }

    /// Reads a backup's manifest and checks every part against it (its
    /// SHA-256 and, for a table, its row count) without writing anything.
    pub fn check_backup(path: &Path) -> Result<Manifest, AppError> {
        let mut zip = open_zip(path)?;
        let manifest: Manifest = {
            let entry = zip
                .by_name("manifest.json")
                .map_err(|_| refuse("备份文件缺少 manifest.json(不是 linli 备份,或文件不完整)"))?;
            serde_json::from_reader(entry)
                .map_err(|e| refuse(format!("manifest.json 无法读取:{e}")))?
        };
        if manifest.format != FORMAT || manifest.version != VERSION {
            return Err(refuse(format!(
                "不是本版本的 linli 备份(格式 {} 版本 {})",
                manifest.format, manifest.version
            )));
        }
        for t in &manifest.tables {
            let entry = zip
                .by_name(&table_entry(&t.name))
                .map_err(|_| refuse(format!("备份缺少表 {}", t.name)))?;
            let mut h = Sha256::new();
            let mut lines = 0u64;
            let mut reader = BufReader::new(entry);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                let n = reader
                    .read_until(b'\n', &mut buf)
                    .map_err(|e| refuse(format!("表 {} 损坏:{e}", t.name)))?;
                if n == 0 {
                    break;
                }
                h.update(&buf);
                lines += 1;
            }
            if hex(h) != t.sha256 || lines != t.rows {
                return Err(refuse(format!(
                    "表 {} 与清单不符(校验值或行数不对),备份已损坏",
                    t.name
                )));
            }
        }
        for b in &manifest.blobs {
            let mut entry = zip
                .by_name(&blob_entry(&b.key))
                .map_err(|_| refuse(format!("备份缺少文件 {}", b.key)))?;
            let mut h = Sha256::new();
            let mut chunk = [0u8; 64 * 1024];
            let mut bytes = 0u64;
            loop {
                let n = entry
                    .read(&mut chunk)
                    .map_err(|e| refuse(format!("文件 {} 损坏:{e}", b.key)))?;
                if n == 0 {
                    break;
                }
                h.update(&chunk[..n]);
                bytes += n as u64;
            }
            if hex(h) != b.sha256 || bytes != b.bytes {
                return Err(refuse(format!("文件 {} 与清单不符,备份已损坏", b.key)));
            }
        }
        Ok(manifest)
    }

    /// Restores a backup into this database, which must be empty (no
    /// account, no audit record): every part is checked first; the rows go
    /// in one transaction, then the photos. Returns the manifest and what
    /// the audit chain's verification found wrong, if anything (the copy is
    /// faithful: a chain broken in the source is broken in the copy).
    pub async fn restore_from(&self, path: &Path) -> Result<(Manifest, Option<String>), AppError> {
        let manifest = Self::check_backup(path)?;
        let backend = self.db.backend();
        if manifest.schema != schema_version(backend) {
            return Err(refuse(format!(
                "备份的数据库版本 {} 与本程序的 {} 不同:请用做备份的版本恢复,再升级",
                manifest.schema,
                schema_version(backend)
            )));
        }
        let mut tx = self.db.begin().await?;
        for busy in ["users", "audit_log"] {
            if store::count(&mut tx, busy).await? > 0 {
                return Err(refuse("目标数据库不是空的(已有账号或审计记录),拒绝覆盖"));
            }
        }
        let order = store::tables(&mut tx).await?;
        let mut wanted: Vec<&str> = manifest.tables.iter().map(|t| t.name.as_str()).collect();
        wanted.sort_unstable();
        let mut have: Vec<&str> = order.iter().map(String::as_str).collect();
        have.sort_unstable();
        if wanted != have {
            return Err(refuse("备份的表与本数据库的表不同,无法恢复"));
        }
        // the reference rows a fresh schema is seeded with give way
        for name in order.iter().rev() {
            if store::count(&mut tx, name).await? > 0 {
                store::clear(&mut tx, name).await?;
            }
        }
        let mut zip = open_zip(path)?;
        for name in &order {
            let part = manifest
                .tables
                .iter()
                .find(|t| &t.name == name)
                .ok_or_else(|| refuse(format!("备份缺少表 {name}")))?;
            let (columns, kinds): (Vec<String>, Vec<store::Kind>) =
                store::columns(&mut tx, name).await?.into_iter().unzip();
            if columns != part.columns {
                return Err(refuse(format!("表 {name} 的列与本数据库不同")));
            }
            let entry = zip
                .by_name(&table_entry(name))
                .map_err(|_| refuse(format!("备份缺少表 {name}")))?;
            let mut rows: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
            for line in BufReader::new(entry).lines() {
                let line = line.map_err(|e| refuse(format!("表 {name} 损坏:{e}")))?;
                let vals: Vec<Value> = serde_json::from_str(&line)
                    .map_err(|e| refuse(format!("表 {name} 有一行无法读取:{e}")))?;
                rows.push(vals);
                if rows.len() == BATCH {
                    store::insert(&mut tx, name, (&columns, &kinds), &rows).await?;
                    rows.clear();
                }
            }
            store::insert(&mut tx, name, (&columns, &kinds), &rows).await?;
            let n = store::count(&mut tx, name).await?;
            if u64::try_from(n).unwrap_or(0) != part.rows {
                return Err(refuse(format!(
                    "表 {name} 恢复后 {n} 行,清单为 {} 行",
                    part.rows
                )));
            }
            store::continue_ids(&mut tx, name).await?;
        }
        tx.commit().await?;
        for b in &manifest.blobs {
            let mut entry = zip
                .by_name(&blob_entry(&b.key))
                .map_err(|_| refuse(format!("备份缺少文件 {}", b.key)))?;
            let mut data = Vec::with_capacity(usize::try_from(b.bytes).unwrap_or(0));
            entry.read_to_end(&mut data).map_err(io)?;
            self.blobs.put(&b.key, bytes::Bytes::from(data)).await?;
        }
        Ok(match self.verify_audit_chain().await? {
            crate::audit::ChainReport::Intact { .. } => (manifest, None),
            crate::audit::ChainReport::Broken(b) => (manifest, Some(b.to_string())),
        })
    }
}

fn open_zip(path: &Path) -> Result<zip::ZipArchive<std::fs::File>, AppError> {
    let file = std::fs::File::open(path).map_err(|e| refuse(format!("{}: {e}", path.display())))?;
    zip::ZipArchive::new(file).map_err(|e| refuse(format!("备份文件无法打开(不完整或已损坏):{e}")))
}

/// The newest migration this program knows for `backend`.
fn schema_version(backend: linli_store::Backend) -> i64 {
    linli_store::Db::migrations(backend)
        .iter()
        .map(|(v, _)| *v)
        .max()
        .unwrap_or(0)
}
