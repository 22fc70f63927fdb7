//! Spreadsheets in and out: the first sheet of an xlsx (calamine) as
//! text cells matched by header name, and simple workbooks written with
//! rust_xlsxwriter.

mod formats;
pub mod guard;
pub mod hostile;
mod stream;
mod strings;

use crate::AppError;
use calamine::{Data, Reader};
use guard::{Reading, check_package};
use std::io::{Cursor, Read};

/// A sheet read as text: the header row and the data rows with their
/// row numbers as Excel shows them (the header is row 1).
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

fn cell_text(d: &Data) -> Result<String, String> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // whole numbers typed into a numeric cell come back as floats
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        // a date cell: days since 1899-12-30 (Excel's epoch, leap-year bug included)
        // calamine knows the workbook's epoch (1900, or 1904 from a Mac)
        Data::DateTime(dt) if dt.is_datetime() && (1.0..2_958_466.0).contains(&dt.as_f64()) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(dt) if dt.is_datetime() => dt.as_f64().to_string(),
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("单元格含公式错误 {e}")),
    })
}

/// Panics caught in the spreadsheet library since the process started.
static CAUGHT_PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many panics the spreadsheet library raised on files so far: none
/// is the goal (the package check refuses what made it panic); tests
/// assert it stays zero, so a net that catches everything hides nothing.
pub fn caught_panics() -> usize {
    CAUGHT_PANICS.load(std::sync::atomic::Ordering::SeqCst)
}

/// Runs the spreadsheet library on an uploaded file: a panic inside it
/// (seen: calamine's overflow on a damaged cell reference) is the file's
/// error, never the caller's or the import thread's — and is counted.
fn guarded<T>(read: impl FnOnce() -> Result<T, AppError>) -> Result<T, AppError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        CAUGHT_PANICS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tracing::warn!("the spreadsheet reader panicked on an uploaded file");
        Err(AppError::Invalid("Excel 文件已损坏,无法读取".into()))
    })
}

/// Reads the first worksheet of an xlsx/xls/ods file held in memory.
/// Cells that hold an Excel error make that row's error, not the file's.
pub fn read_first_sheet(bytes: &[u8]) -> Result<(Sheet, Vec<(usize, String)>), AppError> {
    check_package(bytes, Reading::Whole)?;
    guarded(|| read_sheet(bytes))
}

fn read_sheet(bytes: &[u8]) -> Result<(Sheet, Vec<(usize, String)>), AppError> {
    let not_xlsx =
        |e: calamine::Error| AppError::Invalid(format!("不是有效的 Excel 文件(xlsx):{e}"));
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(not_xlsx)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| AppError::Invalid("Excel 文件中没有工作表".into()))?
        .map_err(not_xlsx)?;
    let mut rows = range.rows();
    let headers: Vec<String> = match rows.next() {
        Some(h) => h
            .iter()
            .map(|c| {
                linli_domain::territory::places::normalise_cell(&cell_text(c).unwrap_or_default())
            })
            .collect(),
        None => return Err(AppError::Invalid("工作表是空的".into())),
    };
    let first = range.start().map_or(0, |(r, _)| r as usize);
    let mut sheet = Sheet {
        headers,
        rows: Vec::new(),
    };
    let mut broken = Vec::new();
    for (i, r) in rows.enumerate() {
        let excel_row = first + i + 2;
        let cells: Result<Vec<String>, String> = r.iter().map(cell_text).collect();
        match cells {
            Ok(c) if c.iter().all(|v| v.trim().is_empty()) => {}
            Ok(c) => sheet.rows.push((excel_row, c)),
            Err(e) => broken.push((excel_row, e)),
        }
    }
    Ok((sheet, broken))
}

/// The column holding `name` or one of its `synonyms`.
pub fn find_column(headers: &[String], name: &str, synonyms: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| h == name || synonyms.contains(&h.as_str()))
}

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

/// One worksheet of a workbook to write.
pub struct SheetOut<'a> {
    pub name: &'a str,
    pub headers: &'a [&'a str],
    pub rows: &'a [Vec<Cell>],
}

/// Writes a workbook with bold headers and readable column widths.
pub fn write_book(sheets: &[SheetOut<'_>]) -> Result<Vec<u8>, AppError> {
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for s in sheets {
        let ws = book.add_worksheet();
        ws.set_name(s.name).map_err(err)?;
        for (c, h) in s.headers.iter().enumerate() {
            let col =
                u16::try_from(c).map_err(|_| AppError::Internal("too many columns".into()))?;
            ws.write_string_with_format(0, col, *h, &bold)
                .map_err(err)?;
            ws.set_column_width(col, 14).map_err(err)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| AppError::Invalid("行数过多".into()))?;
            for (c, cell) in row.iter().enumerate() {
                let c =
                    u16::try_from(c).map_err(|_| AppError::Internal("too many columns".into()))?;
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(r, c, t).map_err(err)?;
                    }
                    Cell::Number(n) => {
                        ws.write_number(r, c, *n).map_err(err)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    book.save_to_buffer().map_err(err)
}

/// What a streamed sheet yields: the header row first, then rows in
/// chunks (each row with its Excel row number, or why it is unreadable).
#[derive(Debug)]
pub enum SheetPart {
    /// how many rows the sheet declares, before its headers (a hint)
    Declared(usize),
    Headers(Vec<String>),
    Rows(Vec<(usize, Result<Vec<String>, String>)>),
}

/// Where a spreadsheet comes from: an upload held in memory, or a file
/// read from disk as it is parsed (a million rows' 40 MB need not sit in
/// memory).
#[derive(Debug, Clone)]
pub enum Source {
    Bytes(bytes::Bytes),
    File(std::path::PathBuf),
}

impl From<Vec<u8>> for Source {
    fn from(v: Vec<u8>) -> Source {
        Source::Bytes(v.into())
    }
}

impl From<bytes::Bytes> for Source {
    fn from(b: bytes::Bytes) -> Source {
        Source::Bytes(b)
    }
}

impl From<&[u8]> for Source {
    fn from(b: &[u8]) -> Source {
        Source::Bytes(bytes::Bytes::copy_from_slice(b))
    }
}

impl From<std::path::PathBuf> for Source {
    fn from(p: std::path::PathBuf) -> Source {
        Source::File(p)
    }
}

/// Reads the first worksheet on a thread of its own and sends it in
/// chunks of `chunk` rows; the bounded channel keeps memory flat however
/// long the sheet. xlsx files stream cell by cell; xls and ods (rare for
/// such volumes) are read whole and then chunked. Empty rows are skipped.
pub fn stream_first_sheet(
    source: impl Into<Source>,
    chunk: usize,
) -> tokio::sync::mpsc::Receiver<Result<SheetPart, AppError>> {
    let source: Source = source.into();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    std::thread::spawn(move || {
        let chunk = chunk.max(1);
        let outcome = match source {
            Source::Bytes(bytes) if bytes.starts_with(b"PK") => {
                check_package(&bytes, Reading::Streamed)
                    .and_then(|()| guarded(|| stream_xlsx(Cursor::new(&bytes[..]), chunk, &tx)))
            }
            Source::Bytes(bytes) => whole_sheet(&bytes, chunk, &tx),
            Source::File(path) => stream_file(&path, chunk, &tx),
        };
        if let Err(e) = outcome {
            let _ = tx.blocking_send(Err(e));
        }
    });
    rx
}

type PartSender = tokio::sync::mpsc::Sender<Result<SheetPart, AppError>>;

/// Sends a part; `false` when the receiver has gone (the import failed).
fn send(tx: &PartSender, part: SheetPart) -> bool {
    tx.blocking_send(Ok(part)).is_ok()
}

fn whole_sheet(bytes: &[u8], chunk: usize, tx: &PartSender) -> Result<(), AppError> {
    let (sheet, broken) = read_first_sheet(bytes)?;
    if !send(tx, SheetPart::Headers(sheet.headers)) {
        return Ok(());
    }
    let mut all: Vec<(usize, Result<Vec<String>, String>)> = sheet
        .rows
        .into_iter()
        .map(|(n, c)| (n, Ok(c)))
        .chain(broken.into_iter().map(|(n, e)| (n, Err(e))))
        .collect();
    all.sort_by_key(|r| r.0);
    for part in all.chunks(chunk) {
        if !send(tx, SheetPart::Rows(part.to_vec())) {
            break;
        }
    }
    Ok(())
}

/// A file on disk: an xlsx is checked and streamed from the disk; other
/// formats (xls, ods) are read whole.
fn stream_file(path: &std::path::Path, chunk: usize, tx: &PartSender) -> Result<(), AppError> {
    use std::io::Seek;
    let unreadable = |e: std::io::Error| AppError::Invalid(format!("无法读取文件:{e}"));
    // opened once: the file checked is the file read
    let mut file = std::fs::File::open(path)
        .map(|f| std::io::BufReader::with_capacity(64 * 1024, f))
        .map_err(unreadable)?;
    let mut magic = [0u8; 2];
    let zipped = file.read_exact(&mut magic).is_ok() && magic == *b"PK";
    file.rewind().map_err(unreadable)?;
    if !zipped {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(unreadable)?;
        return whole_sheet(&bytes, chunk, tx);
    }
    guard::check_zip(&mut file, Reading::Streamed)?;
    file.rewind().map_err(unreadable)?;
    guarded(|| stream_xlsx(file, chunk, tx))
}

fn stream_xlsx(
    input: impl std::io::Read + std::io::Seek,
    chunk: usize,
    tx: &PartSender,
) -> Result<(), AppError> {
    let mut zip = stream::open(input)?;
    let mut cells = stream::first_sheet(&mut zip)?;
    if let Some(n) = cells.declared_rows()
        && !send(tx, SheetPart::Declared(n))
    {
        return Ok(());
    }
    let mut headers: Option<Vec<String>> = None;
    let mut current: Option<(u32, Vec<String>, Option<String>)> = None;
    let mut out: Vec<(usize, Result<Vec<String>, String>)> = Vec::with_capacity(chunk);
    // a finished row goes to the header or the chunk; `false` to stop
    let mut finish = |row: (u32, Vec<String>, Option<String>), out: &mut Vec<_>| -> bool {
        let (r, values, broken) = row;
        let excel_row = r as usize + 1;
        match (&headers, broken) {
            (None, _) => {
                let h = values
                    .iter()
                    .map(|v| linli_domain::territory::places::normalise_cell(v))
                    .collect();
                headers = Some(h);
                let Some(h) = headers.clone() else {
                    return false;
                };
                send(tx, SheetPart::Headers(h))
            }
            (Some(_), Some(e)) => {
                out.push((excel_row, Err(e)));
                true
            }
            (Some(_), None) if values.iter().all(|v| v.trim().is_empty()) => true,
            (Some(_), None) => {
                out.push((excel_row, Ok(values)));
                true
            }
        }
    };
    while let Some((r, c, value)) = cells.next_cell()? {
        if current.as_ref().is_some_and(|cur| cur.0 != r) {
            if let Some(done) = current.take()
                && !finish(done, &mut out)
            {
                return Ok(());
            }
            if out.len() >= chunk && !send(tx, SheetPart::Rows(std::mem::take(&mut out))) {
                return Ok(());
            }
        }
        let row = current.get_or_insert_with(|| (r, Vec::new(), None));
        let c = c as usize;
        if c > 200 {
            continue; // far-right stray cells: no template column lives there
        }
        if row.1.len() <= c {
            row.1.resize(c + 1, String::new());
        }
        match value {
            Ok(t) => row.1[c] = t,
            Err(e) => {
                row.2.get_or_insert(e);
            }
        }
    }
    if let Some(done) = current.take() {
        finish(done, &mut out);
    }
    if headers.is_none() {
        return Err(AppError::Invalid("工作表是空的".into()));
    }
    if !out.is_empty() {
        send(tx, SheetPart::Rows(out));
    }
    Ok(())
}
