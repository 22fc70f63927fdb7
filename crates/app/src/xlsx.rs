//! Spreadsheets in and out: the first sheet of an xlsx (calamine) as
//! text cells matched by header name, and simple workbooks written with
//! rust_xlsxwriter.

use crate::AppError;
use calamine::{Data, Reader};
use std::io::Cursor;

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
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("单元格含公式错误 {e}")),
    })
}

/// Reads the first worksheet of an xlsx/xls/ods file held in memory.
/// Cells that hold an Excel error make that row's error, not the file's.
pub fn read_first_sheet(bytes: &[u8]) -> Result<(Sheet, Vec<(usize, String)>), AppError> {
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
            .map(|c| linli_domain::places::normalise_cell(&cell_text(c).unwrap_or_default()))
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
