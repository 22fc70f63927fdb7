//! Property tests: the spreadsheet reader never panics on arbitrary bytes,
//! nor on a real xlsx with bytes changed, cut short or grown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::infra::xlsx::{SheetPart, caught_panics, read_first_sheet, stream_first_sheet};
use linli_app::registry::xlsx::residents_template;
use linli_app::territory::xlsx::places_template;
use proptest::prelude::*;
use std::sync::OnceLock;

fn template() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| places_template().unwrap())
}

fn residents() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| residents_template().unwrap())
}

/// Drains the streaming reader; returns the rows read or the error.
fn stream(bytes: &[u8]) -> Result<usize, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut rx = stream_first_sheet(bytes.to_vec(), 7);
        let mut rows = 0;
        while let Some(part) = rx.recv().await {
            match part.map_err(|e| e.to_string())? {
                SheetPart::Rows(r) => rows += r.len(),
                SheetPart::Headers(_) | SheetPart::Declared(_) => {}
            }
        }
        Ok(rows)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_streaming_reader_refuses_damaged_files_cleanly(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20), cut in any::<prop::sample::Index>()) {
        let mut bytes = residents().to_vec();
        for (at, b) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *b;
        }
        let _ = stream(&bytes);
        let _ = stream(&bytes[..cut.index(bytes.len())]);
        // read or refused — never by the net that catches a reader's panic
        prop_assert_eq!(caught_panics(), 0);
    }

    #[test]
    fn arbitrary_bytes_are_refused_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_first_sheet(&bytes);
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(&bytes);
        let _ = read_first_sheet(&zip);
        prop_assert_eq!(caught_panics(), 0);
    }

    #[test]
    fn damaged_xlsx_files_are_refused_cleanly(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20), cut in any::<prop::sample::Index>()) {
        let mut bytes = template().to_vec();
        for (at, b) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *b;
        }
        let _ = read_first_sheet(&bytes);
        let _ = read_first_sheet(&bytes[..cut.index(bytes.len())]);
        prop_assert_eq!(caught_panics(), 0);
    }
}

#[test]
fn the_template_reads_back() {
    let (sheet, broken) = read_first_sheet(template()).unwrap();
    assert!(broken.is_empty());
    assert_eq!(sheet.headers[..5], ["小区", "楼栋", "单元", "楼层", "房号"]);
    assert_eq!(sheet.rows.len(), 2);
}

#[test]
fn the_streaming_reader_agrees_with_the_whole_reader() {
    let (sheet, _) = read_first_sheet(residents()).unwrap();
    assert_eq!(stream(residents()), Ok(sheet.rows.len()));
    assert_eq!(stream(template()), Ok(2));
    assert!(stream(b"not a spreadsheet").is_err());
    assert!(stream(b"").is_err());
}

/// Found by the property test above: one byte of the template turned
/// into `g` made calamine overflow on a cell reference (a panic in a debug
/// build). Every position with that byte, deterministically, through both
/// readers: each file reads or is refused with the file's error.
#[test]
fn every_byte_of_the_template_turned_to_g_is_refused_or_read() {
    for i in 0..template().len() {
        let mut bytes = template().to_vec();
        bytes[i] = b'g';
        let _ = read_first_sheet(&bytes);
        let _ = stream(&bytes);
        // the byte that once overflowed calamine is refused by the package
        // check now: no panic reaches the net
        assert_eq!(caught_panics(), 0, "byte {i}");
    }
}

/// Drains the streaming reader into whole rows (trailing empty cells cut,
/// as the whole reader's rows are compared the same way).
fn stream_rows(bytes: &[u8]) -> Vec<(usize, Result<Vec<String>, String>)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut rx = stream_first_sheet(bytes.to_vec(), 3);
        let mut rows = Vec::new();
        while let Some(part) = rx.recv().await {
            if let SheetPart::Rows(r) = part.unwrap() {
                rows.extend(r);
            }
        }
        rows
    })
}

fn trimmed(mut cells: Vec<String>) -> Vec<String> {
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    cells
}

/// The rows of a sheet as both readers give them, after asserting that
/// they agree cell for cell.
fn read_alike(bytes: &[u8]) -> Vec<(usize, Vec<String>)> {
    let (sheet, broken) = read_first_sheet(bytes).unwrap();
    assert!(broken.is_empty());
    let whole: Vec<(usize, Vec<String>)> = sheet
        .rows
        .into_iter()
        .map(|(n, c)| (n, trimmed(c)))
        .collect();
    let streamed: Vec<(usize, Vec<String>)> = stream_rows(bytes)
        .into_iter()
        .map(|(n, c)| (n, trimmed(c.unwrap())))
        .collect();
    assert_eq!(streamed, whole);
    whole
}

/// The streaming reader (quick-xml over the zip, packed shared strings)
/// reads every kind of cell as calamine does: shared and rich strings,
/// spaces, markup characters, numbers, phone numbers typed as numbers,
/// dates in Excel's and custom formats, booleans, gaps and empty rows.
#[test]
fn the_streaming_reader_reads_every_cell_as_calamine_does() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let cn_date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let money = Format::new().set_num_format("#,##0.00");
    let red = Format::new().set_font_color("#FF0000");
    for (c, h) in [
        "姓名",
        "证件号码",
        "联系电话",
        "出生日期",
        "金额",
        "备注",
        "是否",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "王秀兰").unwrap();
    ws.write_string(1, 1, "11010519491231002X").unwrap();
    ws.write_number(1, 2, 13812345678.0).unwrap();
    ws.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(1949, 12, 31).unwrap(), &date)
        .unwrap();
    ws.write_number_with_format(1, 4, 1234.5, &money).unwrap();
    ws.write_string(1, 5, "  前后有空格 & <标记> \"引号\"  ")
        .unwrap();
    ws.write_boolean(1, 6, true).unwrap();
    ws.write_string(2, 0, "李建国").unwrap();
    ws.write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2001, 2, 3).unwrap(), &cn_date)
        .unwrap();
    ws.write_rich_string(2, 5, &[(&Format::default(), "富"), (&red, "文本")])
        .unwrap();
    ws.write_number(2, 4, 0.1).unwrap();
    ws.write_boolean(2, 6, false).unwrap();
    // row 4 left empty, row 5 with a gap before its only cell
    ws.write_string(4, 4, "只有这一格").unwrap();
    ws.write_string(5, 0, "王秀兰").unwrap();
    ws.write_number(5, 1, 42.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let whole = read_alike(&bytes);
    // and the values are the ones written
    assert_eq!(whole[0].1[2], "13812345678");
    assert_eq!(whole[0].1[3], "1949-12-31");
    assert_eq!(whole[1].1[3], "2001-02-03");
    assert_eq!(whole[1].1[5], "富文本");
    assert_eq!(whole[0].1[6], "true");
    assert_eq!(whole.len(), 4);
}

const WORKBOOK_1904: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"><workbookPr date1904="1"/><sheets><sheet name="房屋" sheetId="1" r:id="rId1"/></sheets><extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}"><x15:workbookPr chartTrackingRefBase="1"/></ext></extLst></workbook>"#;

/// What other writers put in sheets: rows and cells without numbers, an
/// empty row, an inline string whatever the cell's type says, `true` as a
/// boolean, a formula's cached text. Both readers agree on every cell.
#[test]
fn sheets_from_other_writers_read_alike() {
    let sheet = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row><c t="inlineStr"><is><t>小区</t></is></c><c t="inlineStr"><is><t>楼栋</t></is></c><c t="inlineStr"><is><t>备注</t></is></c></row>
<row><c><is><t>长山花园</t></is></c><c t="inlineStr"><is><r><t>5</t></r><r><t xml:space="preserve">号楼 </t></r></is></c><c t="b"><v>1</v></c></row>
<row/>
<row r="5"><c r="A5" t="str"><f>A2</f><v>长山花园</v></c><c t="n"><v>12</v></c><c><v>3.5</v></c></row>
<row><c r="B6"><v>7</v></c></row>
</sheetData></worksheet>"#;
    let bytes = linli_app::infra::xlsx::hostile::with_parts(&[(
        "xl/worksheets/sheet1.xml",
        sheet.as_bytes().to_vec(),
    )])
    .unwrap();
    let whole = read_alike(&bytes);
    assert_eq!(
        whole[0],
        (2, vec!["长山花园".into(), "5号楼 ".into(), "true".into()])
    );
    assert_eq!(whole[1].0, 5);
    assert_eq!(whole[2], (6, vec![String::new(), "7".into()]));
}

/// A 1904-dated workbook (Excel for Mac) stays 1904-dated in both readers, though Excel's
/// extension element <x15:workbookPr> follows without the flag; a sheet cut
/// short inside its data, or a cell longer than Excel holds, is refused.
#[test]
fn the_streaming_reader_keeps_1904_dates_and_refuses_a_cut_sheet() {
    let dated = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>出生日期</t></is></c></row>
<row r="2"><c r="A2" s="1"><v>16802</v></c></row>
</sheetData></worksheet>"#;
    let styles = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="[DBNum1][$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#;
    let bytes = linli_app::infra::xlsx::hostile::with_parts(&[
        ("xl/worksheets/sheet1.xml", dated.as_bytes().to_vec()),
        ("xl/workbook.xml", WORKBOOK_1904.as_bytes().to_vec()),
        ("xl/styles.xml", styles.as_bytes().to_vec()),
    ])
    .unwrap();
    let rows = stream_rows(&bytes);
    assert_eq!(rows[0].1.as_deref().unwrap()[0], "1950-01-01");
    let (whole, _) = read_first_sheet(&bytes).unwrap();
    assert_eq!(whole.rows[0].1[0], "1950-01-01");

    let cut = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>王秀兰</t></is></c></row>"#;
    let bytes = linli_app::infra::xlsx::hostile::with_parts(&[(
        "xl/worksheets/sheet1.xml",
        cut.as_bytes().to_vec(),
    )])
    .unwrap();
    assert!(stream(&bytes).is_err());

    // a cell longer than Excel can hold is refused, not kept
    let long = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>{}</t></is></c></row>
</sheetData></worksheet>"#,
        "长".repeat(50_000)
    );
    let bytes = linli_app::infra::xlsx::hostile::with_parts(&[(
        "xl/worksheets/sheet1.xml",
        long.into_bytes(),
    )])
    .unwrap();
    let e = stream(&bytes).unwrap_err();
    assert!(e.contains("长度上限"), "{e}");
}
