//! 居民台账 in Excel: the template, import with a reason for every refused
//! row, and export of what the caller may see (masked unless they hold
//! the unmasked-export permission; every export is audited).
//!
//! An import keeps the valid rows and writes them in one transaction;
//! importing the same or a corrected file again creates nobody twice (one
//! record per document number: 一人一档).

use crate::accounts::auth::Principal;
use crate::infra::crypto::{Field, FieldCrypto};
use crate::infra::xlsx::{
    Cell, SheetOut, SheetPart, Source, find_column, stream_first_sheet, write_book,
};
use crate::registry::{record_of, require};
use crate::territory::xlsx::Rejected;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, scope_prefixes};
use linli_domain::registry::{
    DocKind, Gender, REQUIRED_COLUMNS, RESIDENT_COLUMNS, Residency, ResidentRow,
};
use linli_store::registry::{self as store, ResidentFilter, ResidentRecord};
use linli_store::{Tx, audit};
use std::collections::HashMap;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResidentImport {
    pub rows: usize,
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: Vec<Rejected>,
    /// the file's headers, for writing the rejected rows back
    pub headers: Vec<String>,
}

fn template_headers() -> Vec<&'static str> {
    RESIDENT_COLUMNS.iter().map(|c| c.0).collect()
}

/// The template: the columns, an example row and a sheet of notes.
pub fn residents_template() -> Result<Vec<u8>, AppError> {
    let t = |s: &str| Cell::Text(s.to_owned());
    let example = vec![vec![
        t("王秀兰"),
        t("女"),
        t("1949-12-31"),
        t("居民身份证"),
        t("11010519491231002X"),
        t("13812345678"),
        t("汉族"),
        t("群众"),
        t("长山花园小区"),
        t("5号楼"),
        t("1单元"),
        t("301"),
        t("户主"),
        t("户籍"),
        t("独居老人、低保"),
        t(""),
    ]];
    let notes: Vec<Vec<Cell>> = [
        "每行一人。姓名、证件号码、小区、楼栋、单元、房号必填;住址须已在房屋台账中。",
        "证件类型空着即为居民身份证;身份证号按 GB 11643 校验,15 位旧号自动升级为 18 位。",
        "性别、出生日期可空(取自身份证号);填了则须与身份证号一致。护照等其他证件须填性别和出生日期。",
        "居住类型:户籍/长住/短租。多个标签用顿号(、)分隔,须为系统已配置的标签。",
        "列的顺序不限;也可用 身份证号、手机号、电话、门牌号、室 等列名。全角数字和空格会自动处理。",
        "有误的行单独列出原因(未导入.xlsx),其余行照常导入;改正后重新导入不会重复登记。",
    ]
    .iter()
    .map(|n| vec![t(n)])
    .collect();
    write_book(&[
        SheetOut {
            name: "居民",
            headers: &template_headers(),
            rows: &example,
        },
        SheetOut {
            name: "填写说明",
            headers: &["说明"],
            rows: &notes,
        },
    ])
}

/// Whether a stored resident already says what the row says.
fn same(a: &ResidentRecord, b: &ResidentRecord) -> bool {
    (
        &a.name,
        &a.gender,
        &a.birth_date,
        &a.doc_kind,
        &a.phone_index,
        &a.ethnicity,
        &a.political,
        &a.relation,
        &a.residency,
        &a.work_unit,
    ) == (
        &b.name,
        &b.gender,
        &b.birth_date,
        &b.doc_kind,
        &b.phone_index,
        &b.ethnicity,
        &b.political,
        &b.relation,
        &b.residency,
        &b.work_unit,
    )
}

type Parsed = Vec<(usize, ResidentRow, (i64, i64), Vec<i64>, Vec<String>)>;

/// What rows are checked against: the community's dwellings and the tags.
struct Lookups {
    dwellings: HashMap<store::DwellingKey, (i64, i64)>,
    tags: HashMap<String, i64>,
}

/// A short fingerprint of a document, for finding repeats within a file
/// without keeping a million numbers in memory (bytes, not a `u64`, so an
/// entry with its row number packs in 12 bytes).
fn fingerprint(text: &str) -> [u8; 8] {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish().to_le_bytes()
}

/// Checks one chunk of rows; refused rows go to the report with a reason.
fn check_rows(
    cols: &[(&str, Option<usize>)],
    rows: Vec<(usize, Result<Vec<String>, String>)>,
    lookups: &Lookups,
    seen: &mut HashMap<[u8; 8], u32>,
    today: time::Date,
    report: &mut ResidentImport,
) -> Parsed {
    let mut parsed = Vec::new();
    for (row_no, cells) in rows {
        let cells = match cells {
            Ok(c) => c,
            Err(reason) => {
                report.rejected.push(Rejected {
                    row: row_no,
                    reason,
                    cells: Vec::new(),
                });
                continue;
            }
        };
        let cell = |name: &str| {
            cols.iter()
                .find(|c| c.0 == name)
                .and_then(|c| c.1)
                .and_then(|i| cells.get(i))
                .map_or("", String::as_str)
        };
        let checked = ResidentRow::parse(cell, today).and_then(|r| {
            let key = (
                r.estate.clone(),
                r.building.clone(),
                r.unit.clone(),
                r.room.clone(),
            );
            let place = *lookups.dwellings.get(&key).ok_or_else(|| {
                format!(
                    "住址不存在:{} {} {} {}(请先在房屋台账中登记)",
                    key.0, key.1, key.2, key.3
                )
            })?;
            let tag_ids = r
                .tags
                .iter()
                .map(|t| {
                    lookups
                        .tags
                        .get(t)
                        .copied()
                        .ok_or_else(|| format!("标签“{t}”未配置"))
                })
                .collect::<Result<Vec<i64>, String>>()?;
            let row = u32::try_from(row_no).unwrap_or(u32::MAX);
            if let Some(first) = seen.insert(fingerprint(&r.document.index_text()), row) {
                return Err(format!("证件号码与第 {first} 行重复"));
            }
            Ok((r, place, tag_ids))
        });
        match checked {
            Ok((r, place, t)) => parsed.push((row_no, r, place, t, cells)),
            Err(reason) => report.rejected.push(Rejected {
                row: row_no,
                reason,
                cells,
            }),
        }
    }
    parsed
}

/// A checked row made ready to write: its document's blind indexes under
/// every key (to find who is registered) and its record sealed; the
/// household is set when it is written.
struct Ready {
    row_no: usize,
    record: ResidentRecord,
    tag_ids: Vec<i64>,
    cells: Vec<String>,
    indexes: Vec<String>,
}

/// Who of these blind indexes is registered: index → (id, dwelling).
async fn registered(
    tx: &mut Tx,
    indexes: &[String],
) -> Result<HashMap<String, (i64, i64)>, AppError> {
    if indexes.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(store::doc_matches(tx, indexes)
        .await?
        .into_iter()
        .map(|(idx, id, dwelling)| (idx, (id, dwelling)))
        .collect())
}

/// Seals a chunk of checked rows (SM4-GCM and HMAC-SM3: the import's
/// heaviest arithmetic, run on the blocking pool beside the writes).
fn seal_rows(
    crypto: &dyn FieldCrypto,
    community: &RegionCode,
    rows: Parsed,
) -> Result<Vec<Ready>, AppError> {
    rows.into_iter()
        .map(|(row_no, r, (dwelling, building), tag_ids, cells)| {
            let record = record_of(crypto, &r, (community.clone(), 0, dwelling, building))?;
            let indexes = crypto.index_all(Field::IdNumber, &r.document.index_text());
            Ok(Ready {
                row_no,
                record,
                tag_ids,
                cells,
                indexes,
            })
        })
        .collect()
}

impl App {
    /// Imports the 居民 sheet of an xlsx into a community. The sheet is
    /// streamed in chunks (memory stays flat for a million rows) and every
    /// valid row is written in one transaction: a file that breaks half-way
    /// leaves nothing behind.
    pub async fn import_residents(
        &self,
        who: &Principal,
        community: &RegionCode,
        sheet: impl Into<Source>,
        actor: &Actor,
    ) -> Result<ResidentImport, AppError> {
        require(who, Permission::BulkResidents, community)?;
        require(who, Permission::EditResidents, community)?;
        // refuse early when no key is configured
        let crypto = self.crypto_shared()?;
        let mut parts = stream_first_sheet(sheet, 2_000);
        let mut declared = None;
        let mut first = parts.recv().await;
        if let Some(Ok(SheetPart::Declared(n))) = first {
            declared = Some(n);
            first = parts.recv().await;
        }
        let headers = match first {
            Some(Ok(SheetPart::Headers(h))) => h,
            Some(Err(e)) => return Err(e),
            _ => return Err(AppError::Invalid("工作表是空的".into())),
        };
        let cols: Vec<(&str, Option<usize>)> = RESIDENT_COLUMNS
            .iter()
            .map(|(name, syn)| (*name, find_column(&headers, name, syn)))
            .collect();
        let missing: Vec<&str> = REQUIRED_COLUMNS
            .iter()
            .filter(|n| cols.iter().any(|c| c.0 == **n && c.1.is_none()))
            .copied()
            .collect();
        if !missing.is_empty() {
            return Err(AppError::Invalid(format!(
                "缺少必需的列:{}(请使用导入模板)",
                missing.join("、")
            )));
        }
        let mut report = ResidentImport {
            headers,
            ..ResidentImport::default()
        };
        let today = crate::today();
        let mut conn = self.db.conn().await?;
        let lookups = Lookups {
            dwellings: store::dwelling_keys(&mut conn, community).await?,
            tags: store::tags(&mut conn)
                .await?
                .into_iter()
                .map(|t| (t.name, t.id))
                .collect(),
        };
        drop(conn);
        // sized once from the sheet's own count: growing by doubling would
        // hold the old and the new table at once near the end of a big file
        let mut seen: HashMap<[u8; 8], u32> = HashMap::with_capacity(declared.unwrap_or(0));
        let mut households: HashMap<i64, i64> = HashMap::new();
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        store::lock_for_import(&mut tx, community).await?;
        store::bulk_cache(&mut tx, true).await?;
        // three stages at once: the reader's thread parses chunk n+2, the
        // blocking pool seals chunk n+1, this task writes chunk n
        let mut sealing: Option<tokio::task::JoinHandle<Result<Vec<Ready>, AppError>>> = None;
        loop {
            // the next chunk goes to sealing; none when the sheet has ended
            let next = match parts.recv().await {
                Some(part) => {
                    let SheetPart::Rows(rows) = part? else {
                        continue;
                    };
                    report.rows += rows.len();
                    let parsed = check_rows(&cols, rows, &lookups, &mut seen, today, &mut report);
                    let (crypto, place) = (crypto.clone(), community.clone());
                    Some(tokio::task::spawn_blocking(move || {
                        seal_rows(&*crypto, &place, parsed)
                    }))
                }
                None => None,
            };
            let last = next.is_none();
            if let Some(sealed) = std::mem::replace(&mut sealing, next) {
                let ready = sealed
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))??;
                self.write_residents(&mut tx, community, ready, &mut households, &mut report)
                    .await?;
            }
            if last {
                break;
            }
        }
        let detail = format!(
            "rows={} imported={} updated={} unchanged={} rejected={}",
            report.rows,
            report.imported,
            report.updated,
            report.unchanged,
            report.rejected.len()
        );
        audit::append(
            &mut tx,
            event(
                actor,
                "residents.import",
                format!("region:{community}"),
                detail,
            ),
            now,
        )
        .await?;
        // the connection goes back to the pool with the ordinary cache
        store::bulk_cache(&mut tx, false).await?;
        tx.commit().await?;
        if report.imported > 1_000 {
            store::refresh_statistics(&mut *self.db.conn().await?).await?;
        }
        report.rejected.sort_by_key(|r| r.row);
        Ok(report)
    }

    /// Writes one sealed chunk. New people go in many a statement, and
    /// the unique blind index tells who was registered already (no lookup
    /// per row); those are then updated or left alone. People registered
    /// under an older key of the ring, and rows for a dwelling with no
    /// household yet, are looked up first.
    async fn write_residents(
        &self,
        tx: &mut Tx,
        community: &RegionCode,
        rows: Vec<Ready>,
        households: &mut HashMap<i64, i64>,
        report: &mut ResidentImport,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let first_look: Vec<String> = rows
            .iter()
            .flat_map(|r| {
                let new_home = !households.contains_key(&r.record.dwelling_id);
                r.indexes
                    .iter()
                    .filter(move |i| new_home || **i != r.record.doc_index)
                    .cloned()
            })
            .collect();
        let mut known = registered(tx, &first_look).await?;
        let (mut fresh, mut again) = (Vec::with_capacity(rows.len()), Vec::new());
        for mut r in rows {
            if r.indexes.iter().any(|i| known.contains_key(i)) {
                again.push(r);
                continue;
            }
            let dwelling = r.record.dwelling_id;
            r.record.household_id = match households.get(&dwelling) {
                Some(h) => *h,
                None => {
                    let h = store::household_for(tx, community, dwelling, now).await?;
                    households.insert(dwelling, h);
                    h
                }
            };
            fresh.push(r);
        }
        let records: Vec<&ResidentRecord> = fresh.iter().map(|r| &r.record).collect();
        let inserted: HashMap<String, i64> = store::insert_residents(tx, &records, now)
            .await?
            .into_iter()
            .collect();
        let mut tags = Vec::new();
        let mut conflicted = Vec::new();
        for r in fresh {
            match inserted.get(&r.record.doc_index) {
                Some(id) => {
                    tags.extend(r.tag_ids.iter().map(|t| (*id, *t)));
                    report.imported += 1;
                }
                None => conflicted.push(r),
            }
        }
        store::add_tags(tx, &tags, now).await?;
        if !conflicted.is_empty() {
            let look: Vec<String> = conflicted
                .iter()
                .map(|r| r.record.doc_index.clone())
                .collect();
            known.extend(registered(tx, &look).await?);
            again.extend(conflicted);
        }
        for r in again {
            self.write_registered(tx, r, &known, report, now).await?;
        }
        Ok(())
    }

    /// A row for someone already registered: refused when they live
    /// elsewhere, updated when the row says something new.
    async fn write_registered(
        &self,
        tx: &mut Tx,
        r: Ready,
        known: &HashMap<String, (i64, i64)>,
        report: &mut ResidentImport,
        now: linli_domain::time::UnixMs,
    ) -> Result<(), AppError> {
        let Ready {
            row_no,
            mut record,
            tag_ids,
            cells,
            indexes,
        } = r;
        let Some((id, dwelling)) = indexes.iter().find_map(|i| known.get(i)).copied() else {
            return Err(AppError::Internal("registered resident not found".into()));
        };
        if dwelling != record.dwelling_id {
            report.rejected.push(Rejected {
                row: row_no,
                reason: "该证件号码已登记在其他住址(一人一档;迁居请在居民页办理)".into(),
                cells,
            });
            return Ok(());
        }
        let e = store::resident_by_id(tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        record.household_id = e.record.household_id;
        let mut had: Vec<i64> = store::tags_of(tx, &[id])
            .await?
            .into_iter()
            .map(|t| t.tag_id)
            .collect();
        had.sort_unstable();
        let mut want = tag_ids.clone();
        want.sort_unstable();
        if same(&e.record, &record) && had == want {
            report.unchanged += 1;
        } else {
            store::update_resident(tx, id, &record, now).await?;
            store::set_tags(tx, id, &tag_ids, now).await?;
            report.updated += 1;
        }
        Ok(())
    }

    /// The residents of a community the caller may see, in the template's
    /// layout: ID numbers and phones masked unless `unmasked`, which needs
    /// its own permission. Every export is audited.
    pub async fn export_residents(
        &self,
        who: &Principal,
        community: &RegionCode,
        unmasked: bool,
        actor: &Actor,
    ) -> Result<Vec<u8>, AppError> {
        require(who, Permission::BulkResidents, community)?;
        if unmasked {
            require(who, Permission::ExportUnmasked, community)?;
        }
        let crypto = if unmasked { Some(self.crypto()?) } else { None };
        let scopes = scope_prefixes(&who.grants, Permission::ViewResidents);
        let mut conn = self.db.conn().await?;
        let tag_names: HashMap<i64, String> = store::tags(&mut conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        let mut f = ResidentFilter {
            community: Some(community.clone()),
            limit: 5_000,
            ..ResidentFilter::default()
        };
        let scope = store::scope(&mut conn, &scopes).await?;
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        loop {
            let page = store::search(&mut conn, &f, &scope).await?;
            let Some(last) = page.last() else { break };
            f.after_id = Some(last.id);
            let ids: Vec<i64> = page.iter().map(|r| r.id).collect();
            let tags = store::tags_of(&mut conn, &ids).await?;
            for r in &page {
                let rec = &r.record;
                let (doc, phone) = match crypto {
                    Some(c) => (
                        c.open(Field::IdNumber, &rec.doc_sealed)?
                            .expose()
                            .to_owned(),
                        rec.phone_sealed
                            .as_deref()
                            .map(|p| c.open(Field::Phone, p).map(|s| s.expose().to_owned()))
                            .transpose()?
                            .unwrap_or_default(),
                    ),
                    None => (
                        rec.doc_masked.clone(),
                        rec.phone_masked.clone().unwrap_or_default(),
                    ),
                };
                let t: Vec<&str> = tags
                    .iter()
                    .filter(|t| t.resident_id == r.id)
                    .filter_map(|t| tag_names.get(&t.tag_id).map(String::as_str))
                    .collect();
                let text = |s: &str| Cell::Text(s.to_owned());
                rows.push(vec![
                    text(&rec.name),
                    text(Gender::from_code(&rec.gender).map_or("", Gender::label)),
                    // masked: the year only (the full date is the ID's
                    // hidden digits)
                    if crypto.is_some() {
                        text(&rec.birth_date)
                    } else {
                        text(rec.birth_date.get(..4).unwrap_or_default())
                    },
                    text(DocKind::from_code(&rec.doc_kind).map_or("其他", DocKind::label)),
                    Cell::Text(doc),
                    Cell::Text(phone),
                    text(&rec.ethnicity),
                    text(&rec.political),
                    text(&r.estate),
                    text(&r.building),
                    text(&r.unit),
                    text(&r.room),
                    text(&rec.relation),
                    text(Residency::from_code(&rec.residency).map_or("", Residency::label)),
                    Cell::Text(t.join("、")),
                    text(&rec.work_unit),
                ]);
            }
        }
        drop(conn);
        let detail = format!("rows={} masked={}", rows.len(), !unmasked);
        let mut tx = self.db.begin().await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "residents.export",
                format!("region:{community}"),
                detail,
            ),
            crate::now(),
        )
        .await?;
        tx.commit().await?;
        write_book(&[SheetOut {
            name: "居民",
            headers: &template_headers(),
            rows: &rows,
        }])
    }
}
