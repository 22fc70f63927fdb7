//! Checks a spreadsheet package before calamine opens it.
//!
//! calamine sizes its memory from what a file declares: a shared-string
//! table reserves `uniqueCount` strings up front, and a whole-sheet read
//! allocates rows × columns of the cells' bounding box (cells at A1 and
//! XFD1048576 ask for ~10¹⁰). An allocation that fails aborts the process,
//! which `catch_unwind` cannot catch — so a 2 KB file could stop the
//! server. Here the zip's entries (count, declared and actual sizes,
//! compression ratio), every sheet's dimension and cell references, and the
//! shared strings' counts are held to limits first, streaming, in constant
//! memory.

use crate::AppError;
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Cursor, Read, Seek};

/// At most this many entries in a package (a real workbook has tens).
pub const MAX_ENTRIES: usize = 1_000;
/// At most this many bytes in one entry, uncompressed.
pub const MAX_ENTRY_BYTES: u64 = 512 * 1024 * 1024;
/// At most this many bytes in all entries together, uncompressed.
pub const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// An entry over 1 MiB may expand at most this many times (sheets of text
/// compress 5–20×; a deflate bomb 1,000×).
pub const MAX_RATIO: u64 = 200;
/// Excel's own bounds: a reference beyond them is not a real sheet.
pub const MAX_ROWS: u64 = 1_048_576;
pub const MAX_COLUMNS: u64 = 16_384;
/// A whole-sheet read holds at most this many cells (rows × columns of
/// the bounding box; ~32 bytes each).
pub const MAX_DENSE_CELLS: u64 = 5_000_000;
/// At most this many distinct shared strings (a million residents have
/// about four million).
pub const MAX_SHARED_STRINGS: u64 = 8_000_000;

/// How a sheet will be read after the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// cell by cell: the bounding box costs nothing, declared counts do
    Streamed,
    /// as one rows × columns block: the cells' extent is the cost
    Whole,
}

fn refuse(why: impl std::fmt::Display) -> AppError {
    AppError::Invalid(format!("Excel 文件结构异常,已拒绝读取:{why}"))
}

/// Checks a zip-based spreadsheet (xlsx, ods). Other bytes pass: calamine
/// refuses them itself.
pub fn check_package(bytes: &[u8], reading: Reading) -> Result<(), AppError> {
    if !bytes.starts_with(b"PK") {
        return Ok(());
    }
    check_zip(Cursor::new(bytes), reading)
}

/// The same for a zip read from anywhere (a file on disk).
pub fn check_zip(input: impl Read + Seek, reading: Reading) -> Result<(), AppError> {
    let mut zip = zip::ZipArchive::new(input)
        .map_err(|e| AppError::Invalid(format!("不是有效的 Excel 文件(xlsx):{e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(refuse(format!("含 {} 个部件", zip.len())));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(refuse)?;
        let name = entry.name().map_err(refuse)?.to_ascii_lowercase();
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if size > MAX_ENTRY_BYTES || total > MAX_TOTAL_BYTES {
            return Err(refuse("解压后过大"));
        }
        if size > 1024 * 1024 && size / packed.max(1) > MAX_RATIO {
            return Err(refuse("压缩比异常"));
        }
        if name.ends_with(".xml") {
            // the declared size bounds what is read: a lying header ends here
            let mut limited = BufReader::new(entry.take(size.saturating_add(1)));
            let read = scan_xml(&mut limited, size, reading)?;
            if read > size {
                return Err(refuse("部件大小与声明不符"));
            }
        }
    }
    Ok(())
}

/// The extent of the cells seen so far (0-based, inclusive).
#[derive(Default)]
struct Extent {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Extent {
    fn add(&mut self, (row, col): (u64, u64)) -> Result<(), AppError> {
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(refuse("单元格位置超出 Excel 的范围"));
        }
        let widen =
            |r: Option<(u64, u64)>, v: u64| Some(r.map_or((v, v), |(a, b)| (a.min(v), b.max(v))));
        self.rows = widen(self.rows, row);
        self.cols = widen(self.cols, col);
        Ok(())
    }
    fn cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (r1 - r0 + 1).saturating_mul(c1 - c0 + 1),
            _ => 0,
        }
    }
}

/// `B12` → (11, 1); `None` when it is not a cell reference.
pub(super) fn cell_ref(s: &str) -> Option<(u64, u64)> {
    let s = s.trim().trim_start_matches('$');
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = s[..letters].bytes().try_fold(0u64, |acc, b| {
        Some(acc * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1))
    })?;
    let row: u64 = s[letters..].trim_start_matches('$').parse().ok()?;
    (row >= 1).then(|| (row - 1, col - 1))
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .map(|a| a.value.into_owned())
}

/// Reads one XML part to its end (or, when streamed, to its cells), holding
/// what it declares and references to the limits. Returns the bytes read.
fn scan_xml(
    input: &mut impl std::io::BufRead,
    size: u64,
    reading: Reading,
) -> Result<u64, AppError> {
    let mut counted = Counted {
        inner: input,
        read: 0,
    };
    let mut xml = quick_xml::Reader::from_reader(&mut counted);
    let mut buf = Vec::new();
    let mut extent = Extent::default();
    // where a cell without a reference sits: its row, the column after the last
    let (mut row, mut col) = (0u64, 0u64);
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            // a part that does not unpack (a checksum or deflate error) is
            // damaged: calamine would parse the garbage before the checksum
            Err(quick_xml::Error::Io(_)) => return Err(refuse("文件已损坏")),
            // malformed XML is calamine's to report, with its own words
            Err(_) => break,
        };
        match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "dimension" => {
                    let span = attr(&e, "ref").unwrap_or_default();
                    let mut declared = Extent::default();
                    for end in span.split(':').filter_map(cell_ref) {
                        declared.add(end)?;
                    }
                    if reading == Reading::Whole && declared.cells() > MAX_DENSE_CELLS {
                        return Err(refuse(format!("工作表范围 {span} 过大")));
                    }
                }
                "sst" => {
                    // calamine reserves this many strings up front; each
                    // takes at least `<si/>`, five bytes of the part
                    let n: u64 = attr(&e, "uniqueCount")
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if n > MAX_SHARED_STRINGS || n > size / 5 + 64 {
                        return Err(refuse(format!("共享字符串数 {n} 与文件不符")));
                    }
                }
                "sheetData" if reading == Reading::Streamed => break,
                "row" => {
                    if let Some(r) = attr(&e, "r").and_then(|v| v.trim().parse::<u64>().ok()) {
                        if r == 0 || r > MAX_ROWS {
                            return Err(refuse("行号超出 Excel 的范围"));
                        }
                        row = r - 1;
                    }
                    col = 0;
                }
                "c" => {
                    let at = match attr(&e, "r") {
                        Some(r) => cell_ref(&r).ok_or_else(|| refuse("单元格位置无效"))?,
                        None => (row, col),
                    };
                    extent.add(at)?;
                    (row, col) = (at.0, at.1 + 1);
                    if reading == Reading::Whole && extent.cells() > MAX_DENSE_CELLS {
                        return Err(refuse("工作表的单元格分布过广"));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    // what a streamed check did not read still counts against the size
    if reading == Reading::Streamed {
        std::io::copy(&mut counted, &mut std::io::sink()).map_err(refuse)?;
    }
    Ok(counted.read)
}

/// Counts the bytes read through it.
struct Counted<'a, R> {
    inner: &'a mut R,
    read: u64,
}

impl<R: std::io::BufRead> Read for Counted<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl<R: std::io::BufRead> std::io::BufRead for Counted<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.read += n as u64;
        self.inner.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_as_excel_writes_them() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("B12"), Some((11, 1)));
        assert_eq!(cell_ref("$AA$3"), Some((2, 26)));
        assert_eq!(cell_ref("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("1A"), None);
        assert_eq!(cell_ref("ABCD1"), None);
    }
}
