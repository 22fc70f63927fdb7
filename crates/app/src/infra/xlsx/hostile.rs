//! Crafted spreadsheets that once stopped the server, built from a real
//! workbook with one part changed: for the tests of both importers, over
//! the API and in the browser, and for anyone checking a new reader.
//! Each stays a few kilobytes on the wire.

use super::{Cell, SheetOut, write_book};
use crate::AppError;
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;

/// A real one-sheet workbook (a header and one row) with the parts named
/// in `replace` swapped for the given bytes and `extra` parts added.
fn rework(replace: &[(&str, Vec<u8>)], extra: &[(String, Vec<u8>)]) -> Result<Vec<u8>, AppError> {
    let err = |e: zip::result::ZipError| AppError::Internal(format!("zip: {e}"));
    let base = write_book(&[SheetOut {
        name: "房屋",
        headers: &["小区", "楼栋"],
        rows: &[vec![
            Cell::Text("长山花园".into()),
            Cell::Text("1号楼".into()),
        ]],
    }])?;
    let mut src = zip::ZipArchive::new(Cursor::new(base)).map_err(err)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut entry = src.by_index(i).map_err(err)?;
        let name = entry.name().map_err(err)?.into_owned();
        let mut body = Vec::new();
        entry
            .read_to_end(&mut body)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if let Some((_, new)) = replace.iter().find(|(n, _)| *n == name) {
            body.clone_from(new);
        }
        out.start_file(name, opts).map_err(err)?;
        out.write_all(&body)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    for (name, body) in extra {
        out.start_file(name.as_str(), opts).map_err(err)?;
        out.write_all(body)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(out.finish().map_err(err)?.into_inner())
}

const SHEET: &str = "xl/worksheets/sheet1.xml";
const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// Two cells, at A1 and XFD1048576: a whole-sheet read would allocate
/// 1,048,576 × 16,384 cells.
/// The base workbook with some of its parts replaced (for tests of what
/// writers other than ours put in a package).
pub fn with_parts(replace: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, AppError> {
    rework(replace, &[])
}

pub fn far_apart_cells() -> Result<Vec<u8>, AppError> {
    let sheet = format!(
        r#"{HEAD}<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>小区</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#
    );
    rework(&[(SHEET, sheet.into_bytes())], &[])
}

/// A shared-string table declaring four billion strings (reserved up
/// front by the reader).
pub fn huge_unique_count() -> Result<Vec<u8>, AppError> {
    let sst = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>小区</t></si><si><t>楼栋</t></si></sst>"#;
    rework(&[("xl/sharedStrings.xml", sst.as_bytes().to_vec())], &[])
}

/// A sheet padded with 64 MiB of blanks: tens of kilobytes compressed, a
/// ratio no real sheet has.
pub fn deflate_bomb() -> Result<Vec<u8>, AppError> {
    let mut sheet = format!("{HEAD}<sheetData>").into_bytes();
    sheet.resize(sheet.len() + 64 * 1024 * 1024, b' ');
    sheet.extend_from_slice(b"</sheetData></worksheet>");
    rework(&[(SHEET, sheet)], &[])
}

/// A workbook with 1,200 extra parts.
pub fn many_parts() -> Result<Vec<u8>, AppError> {
    let extra: Vec<(String, Vec<u8>)> = (0..1_200)
        .map(|i| (format!("xl/media/x{i}.bin"), vec![b'x']))
        .collect();
    rework(&[], &extra)
}

/// Every crafted file, named.
pub fn all() -> Result<Vec<(&'static str, Vec<u8>)>, AppError> {
    Ok(vec![
        ("far-apart cells", far_apart_cells()?),
        ("a huge uniqueCount", huge_unique_count()?),
        ("a deflate bomb", deflate_bomb()?),
        ("many parts", many_parts()?),
    ])
}
