//! The first worksheet of an xlsx, cell by cell, read with quick-xml
//! straight from the zip.
//!
//! calamine keeps the shared-string table as one `String` per entry
//! (≈ 56 bytes of bookkeeping each before the text): a million residents'
//! three million distinct names, numbers and phones cost it ~170 MiB. Here
//! the table is one buffer of text and one `u32` end per string, so it
//! costs what the text weighs. Cells come out as the text `cell_text`
//! gives calamine's values, so the two readers agree (a test compares
//! them cell for cell).

use super::formats::{date_text, number_text, read_styles};
use super::guard::cell_ref;
use super::strings::Strings;
use crate::AppError;
use quick_xml::Reader as XmlReader;
use quick_xml::events::{BytesStart, Event};
use std::io::{BufRead, BufReader, Read, Seek};

pub(super) fn damaged(why: impl std::fmt::Display) -> AppError {
    AppError::Invalid(format!("不是有效的 Excel 文件(xlsx):{why}"))
}

pub(super) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .map(|a| a.value.into_owned())
}

/// What the workbook says about its first sheet and how to read numbers.
struct Context {
    strings: Strings,
    /// per cell style (`s` attribute): whether its number format is a date
    date_styles: Vec<bool>,
    date1904: bool,
}

/// A part of the package being read as XML.
type Part<'z, R> = XmlReader<BufReader<zip::read::ZipFile<'z, R>>>;

/// Opens one part of the package for XML reading, `None` when absent.
fn part<'z, R: Read + Seek>(
    zip: &'z mut zip::ZipArchive<R>,
    name: &str,
) -> Result<Option<Part<'z, R>>, AppError> {
    let found = zip
        .file_names()
        .flatten()
        .find(|n| n.eq_ignore_ascii_case(name))
        .map(std::borrow::Cow::into_owned);
    let Some(found) = found else {
        return Ok(None);
    };
    let file = zip.by_name(&found).map_err(damaged)?;
    let mut xml = XmlReader::from_reader(BufReader::with_capacity(64 * 1024, file));
    // as calamine reads: a mismatched end tag is no reason to refuse a sheet
    xml.config_mut().check_end_names = false;
    Ok(Some(xml))
}

pub(super) fn xml_err(e: quick_xml::Error) -> AppError {
    match e {
        quick_xml::Error::Io(_) => damaged("文件已损坏"),
        e => damaged(e),
    }
}

/// Reads a whole small part (workbook, relationships, styles) through `each`.
fn walk<R: BufRead>(
    xml: &mut XmlReader<R>,
    mut each: impl FnMut(&BytesStart<'_>) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(xml_err)? {
            Event::Start(e) | Event::Empty(e) => each(&e)?,
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// The package paths of the first sheet, the shared strings and the
/// styles, and whether dates count from 1904.
fn locate<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
) -> Result<(String, String, String, bool), AppError> {
    let mut first_id = None;
    let mut date1904 = false;
    let mut book = part(zip, "xl/workbook.xml")?.ok_or_else(|| damaged("缺少 workbook.xml"))?;
    walk(&mut book, |e| {
        match e.local_name().as_ref() {
            "sheet" if first_id.is_none() => {
                first_id = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "id")
                    .map(|a| a.value.into_owned());
            }
            // only where the flag is written: Excel's extension element
            // <x15:workbookPr> follows the real one without it
            "workbookPr" => {
                if let Some(v) = attr(e, "date1904") {
                    date1904 = matches!(v.trim(), "1" | "true");
                }
            }
            _ => {}
        }
        Ok(())
    })?;
    drop(book);
    let first_id = first_id.ok_or_else(|| damaged("Excel 文件中没有工作表"))?;
    let mut sheet = None;
    let (mut strings, mut styles) = (None, None);
    if let Some(mut rels) = part(zip, "xl/_rels/workbook.xml.rels")? {
        walk(&mut rels, |e| {
            if e.local_name().as_ref() == "Relationship" {
                let target = attr(e, "Target").unwrap_or_default();
                let path = match target.strip_prefix('/') {
                    Some(abs) => abs.to_owned(),
                    None => package_path(&format!("xl/{target}")),
                };
                let kind = attr(e, "Type").unwrap_or_default();
                if attr(e, "Id").as_deref() == Some(first_id.as_str()) {
                    sheet = Some(path);
                } else if kind.ends_with("/sharedStrings") {
                    strings = Some(path);
                } else if kind.ends_with("/styles") {
                    styles = Some(path);
                }
            }
            Ok(())
        })?;
    }
    Ok((
        sheet.unwrap_or_else(|| "xl/worksheets/sheet1.xml".into()),
        strings.unwrap_or_else(|| "xl/sharedStrings.xml".into()),
        styles.unwrap_or_else(|| "xl/styles.xml".into()),
        date1904,
    ))
}

/// A package path with its `.` and `..` steps resolved.
fn package_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for step in path.split('/') {
        match step {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Excel's `_xHHHH_` escapes (a character XML cannot hold) made characters.
fn unescape_x(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("_x") {
        return s.into();
    }
    // `_xHHHH_` at the start of `t`: the code unit
    let unit = |t: &str| {
        t.get(2..6)
            .filter(|_| t.starts_with("_x") && t.as_bytes().get(6) == Some(&b'_'))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match unit(tail) {
            // a character beyond the first plane comes as two escapes
            Some(high @ 0xD800..=0xDBFF) => match tail.get(7..).and_then(unit) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    rest = &tail[14..];
                }
                _ => {
                    out.push(char::REPLACEMENT_CHARACTER);
                    rest = &tail[7..];
                }
            },
            Some(c) => {
                out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// Reads a string item (`<si>` or `<is>`) to its end: the text of its
/// `<t>` runs, phonetic guides (`<rPh>`) left out, as calamine reads it.
fn rich_text<R: BufRead>(
    xml: &mut XmlReader<R>,
    buf: &mut Vec<u8>,
    end: &str,
    out: &mut String,
) -> Result<(), AppError> {
    let mut phonetic = 0u32;
    // inside a <t>: whether it keeps its spaces, and where its text starts
    let mut run: Option<(bool, usize)> = None;
    loop {
        buf.clear();
        match xml.read_event_into(buf).map_err(xml_err)? {
            Event::Start(e) => match e.local_name().as_ref() {
                "rPh" => phonetic += 1,
                "t" if phonetic == 0 => {
                    let keep = matches!(attr(&e, "xml:space").as_deref(), Some("preserve"));
                    run = Some((keep, out.len()));
                }
                _ => {}
            },
            Event::Text(t) if run.is_some() => push_text(out, &t.xml10_content())?,
            Event::CData(t) if run.is_some() => push_text(out, &t.xml10_content())?,
            Event::GeneralRef(r) if run.is_some() => entity(&r, out)?,
            Event::End(e) => match e.local_name().as_ref() {
                "rPh" => phonetic = phonetic.saturating_sub(1),
                "t" => {
                    if let Some((keep, start)) = run.take() {
                        let seg = out.split_off(start);
                        let seg = if keep {
                            seg.as_str()
                        } else {
                            seg.trim_matches([' ', '\t', '\r', '\n'])
                        };
                        out.push_str(&unescape_x(seg));
                    }
                }
                name if name == end => return Ok(()),
                _ => {}
            },
            Event::Eof => return Err(damaged("字符串不完整")),
            _ => {}
        }
    }
}

/// Excel holds at most 32,767 characters in a cell; longer text is not a
/// real sheet (and is not kept several times over in memory).
const MAX_CELL_BYTES: usize = 32_767 * 4;

fn push_text(out: &mut String, text: &str) -> Result<(), AppError> {
    if out.len() + text.len() > MAX_CELL_BYTES {
        return Err(damaged("单元格内容超过 Excel 的长度上限"));
    }
    out.push_str(text);
    Ok(())
}

/// An entity or character reference in text, resolved.
fn entity(r: &quick_xml::events::BytesRef<'_>, out: &mut String) -> Result<(), AppError> {
    if let Some(c) = r.resolve_char_ref().map_err(xml_err)? {
        out.push(c);
        return Ok(());
    }
    let name: &str = r;
    match quick_xml::escape::resolve_predefined_entity(name) {
        Some(s) => out.push_str(s),
        None => return Err(damaged(format!("未知的实体 &{name};"))),
    }
    Ok(())
}

fn read_strings<R: BufRead>(xml: &mut XmlReader<R>) -> Result<Strings, AppError> {
    let mut strings = Strings::default();
    let (mut buf, mut inner, mut one) = (Vec::new(), Vec::new(), String::new());
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(xml_err)? {
            Event::Start(e) if e.local_name().as_ref() == "si" => {
                one.clear();
                rich_text(xml, &mut inner, "si", &mut one)?;
                strings.push(&one)?;
                if strings.len() as u64 > super::guard::MAX_SHARED_STRINGS {
                    return Err(damaged("共享字符串过多"));
                }
            }
            Event::Empty(e) if e.local_name().as_ref() == "si" => {
                strings.push("")?;
                if strings.len() as u64 > super::guard::MAX_SHARED_STRINGS {
                    return Err(damaged("共享字符串过多"));
                }
            }
            Event::Eof => {
                strings.finish()?;
                return Ok(strings);
            }
            _ => {}
        }
    }
}

/// One cell: (row, column) from 0, and its text or why it is unreadable.
pub type CellOut = (u32, u32, Result<String, String>);

/// The cells of the first worksheet, in order.
pub struct Cells<'z, R: Read + Seek> {
    xml: Part<'z, R>,
    ctx: Context,
    buf: Vec<u8>,
    inner: Vec<u8>,
    /// where a cell without a reference sits
    at: (u32, u32),
    /// the rows the sheet says it spans (`<dimension>`), when it says
    declared: Option<usize>,
    /// the row a `<row>` without a number is (one after the last row)
    next_row: u32,
    /// past the last cell (an end of file before it is a cut-short sheet)
    ended: bool,
}

/// Opens the first worksheet of `zip` for reading cell by cell.
pub fn first_sheet<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Result<Cells<'_, R>, AppError> {
    let (sheet, strings_path, styles_path, date1904) = locate(zip)?;
    let strings = match part(zip, &strings_path)? {
        Some(mut xml) => read_strings(&mut xml)?,
        None => Strings::default(),
    };
    let date_styles = match part(zip, &styles_path)? {
        Some(mut xml) => read_styles(&mut xml)?,
        None => Vec::new(),
    };
    let xml = part(zip, &sheet)?.ok_or_else(|| damaged("缺少工作表"))?;
    let mut cells = Cells {
        xml,
        ctx: Context {
            strings,
            date_styles,
            date1904,
        },
        buf: Vec::new(),
        inner: Vec::new(),
        at: (0, 0),
        declared: None,
        next_row: 0,
        ended: false,
    };
    cells.skip_to_data()?;
    Ok(cells)
}

impl<R: Read + Seek> Cells<'_, R> {
    /// Reads up to the sheet's data, taking its declared size on the way.
    fn skip_to_data(&mut self) -> Result<(), AppError> {
        loop {
            self.buf.clear();
            match self.xml.read_event_into(&mut self.buf).map_err(xml_err)? {
                Event::Start(e) if e.local_name().as_ref() == "sheetData" => return Ok(()),
                Event::Empty(e) if e.local_name().as_ref() == "sheetData" => break,
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "dimension" => {
                    let span = attr(&e, "ref").unwrap_or_default();
                    let rows: Vec<u64> =
                        span.split(':').filter_map(cell_ref).map(|c| c.0).collect();
                    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
                        self.declared = usize::try_from(last.saturating_sub(*first) + 1).ok();
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        self.ended = true;
        Ok(())
    }

    /// How many rows the sheet declares (a hint for sizing, never trusted
    /// further: the package check held it to Excel's bounds).
    pub fn declared_rows(&self) -> Option<usize> {
        self.declared.map(|n| n.min(1_048_576))
    }

    /// The next cell, `None` at the end of the sheet.
    pub fn next_cell(&mut self) -> Result<Option<CellOut>, AppError> {
        while !self.ended {
            self.buf.clear();
            let (start, empty) = match self.xml.read_event_into(&mut self.buf).map_err(xml_err)? {
                Event::Start(e) => (e.into_owned(), false),
                Event::Empty(e) => (e.into_owned(), true),
                Event::End(e) if e.local_name().as_ref() == "sheetData" => {
                    self.ended = true;
                    continue;
                }
                Event::Eof => return Err(damaged("工作表不完整")),
                _ => continue,
            };
            match start.local_name().as_ref() {
                "row" => {
                    let r = attr(&start, "r").and_then(|v| v.trim().parse::<u32>().ok());
                    let row = match r {
                        Some(r) if (1..=1_048_576).contains(&r) => r - 1,
                        Some(_) => return Err(damaged("行号超出 Excel 的范围")),
                        None if self.next_row < 1_048_576 => self.next_row,
                        None => return Err(damaged("行号超出 Excel 的范围")),
                    };
                    self.at = (row, 0);
                    self.next_row = row + 1;
                }
                "c" => {
                    let (row, col) = match attr(&start, "r") {
                        Some(r) => {
                            let (row, col) =
                                cell_ref(&r).ok_or_else(|| damaged("单元格位置无效"))?;
                            let fit = |v: u64, max: u64| {
                                u32::try_from(v).ok().filter(|v| u64::from(*v) < max)
                            };
                            (
                                fit(row, 1_048_576).ok_or_else(|| damaged("单元格位置无效"))?,
                                fit(col, 16_384).ok_or_else(|| damaged("单元格位置无效"))?,
                            )
                        }
                        None => self.at,
                    };
                    self.at = (row, col + 1);
                    let value = if empty {
                        Ok(String::new())
                    } else {
                        self.cell_value(&start)?
                    };
                    return Ok(Some((row, col, value)));
                }
                _ => {}
            }
        }
        Ok(None)
    }

    /// Reads a `<c>` element's children to its end and gives its text.
    fn cell_value(&mut self, c: &BytesStart<'_>) -> Result<Result<String, String>, AppError> {
        let kind = attr(c, "t");
        let style = attr(c, "s").and_then(|s| s.parse::<usize>().ok());
        let mut raw: Option<String> = None;
        let mut inline: Option<String> = None;
        loop {
            self.buf.clear();
            match self.xml.read_event_into(&mut self.buf).map_err(xml_err)? {
                Event::Start(e) => match e.local_name().as_ref() {
                    "v" => {
                        let mut v = String::new();
                        read_plain(&mut self.xml, &mut self.inner, "v", &mut v)?;
                        raw = Some(v);
                    }
                    "is" => {
                        let mut s = String::new();
                        rich_text(&mut self.xml, &mut self.inner, "is", &mut s)?;
                        inline = Some(s);
                    }
                    _ => {
                        let name = e.name().as_ref().to_owned();
                        self.inner.clear();
                        self.xml
                            .read_to_end_into(quick_xml::name::QName(&name), &mut self.inner)
                            .map_err(xml_err)?;
                    }
                },
                Event::End(e) if e.local_name().as_ref() == "c" => break,
                Event::Eof => return Err(damaged("单元格不完整")),
                _ => {}
            }
        }
        // an inline string is the cell's text whatever its type says
        if let (None, Some(text)) = (&raw, inline.take()) {
            return Ok(Ok(text));
        }
        let v = raw.unwrap_or_default();
        Ok(Ok(match kind.as_deref() {
            Some("inlineStr" | "is") => inline.unwrap_or_default(),
            _ if v.is_empty() && inline.is_none() => String::new(),
            Some("s") => {
                let i: usize = v
                    .trim()
                    .parse()
                    .map_err(|_| damaged("共享字符串编号无效"))?;
                self.ctx
                    .strings
                    .get(i)?
                    .ok_or_else(|| damaged("共享字符串编号超出范围"))?
            }
            Some("b") => match v.trim() {
                "0" | "false" => "false".into(),
                "1" | "true" => "true".into(),
                _ => return Err(damaged("逻辑值无效")),
            },
            Some("e") => return Ok(Err(format!("单元格含公式错误 {v}"))),
            Some("d") => v,
            Some("str") => unescape_x(&v).into_owned(),
            Some("n") | None => match v.trim().parse::<f64>() {
                Ok(n) => {
                    let date = style
                        .and_then(|s| self.ctx.date_styles.get(s))
                        .copied()
                        .unwrap_or(false);
                    if date {
                        date_text(n, self.ctx.date1904)
                    } else {
                        number_text(n)
                    }
                }
                Err(_) if kind.is_none() => v,
                Err(_) => return Err(damaged("数值无效")),
            },
            Some(other) => return Err(damaged(format!("单元格类型 {other} 无效"))),
        }))
    }
}

/// Reads the text of a simple element (`<v>`) to its end.
fn read_plain<R: BufRead>(
    xml: &mut XmlReader<R>,
    buf: &mut Vec<u8>,
    end: &str,
    out: &mut String,
) -> Result<(), AppError> {
    loop {
        buf.clear();
        match xml.read_event_into(buf).map_err(xml_err)? {
            Event::Text(t) => push_text(out, &t.xml10_content())?,
            Event::CData(t) => push_text(out, &t.xml10_content())?,
            Event::GeneralRef(r) => entity(&r, out)?,
            Event::End(e) if e.local_name().as_ref() == end => return Ok(()),
            Event::Eof => return Err(damaged("单元格不完整")),
            _ => {}
        }
    }
}

/// Opens an xlsx, in memory or on disk.
pub fn open<R: Read + Seek>(input: R) -> Result<zip::ZipArchive<R>, AppError> {
    zip::ZipArchive::new(input).map_err(damaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_dates_and_numbers() {
        assert_eq!(unescape_x("a_x000D_b"), "a\rb");
        assert_eq!(unescape_x("_x_y"), "_x_y");
        assert_eq!(unescape_x("笑_xD83D__xDE00_"), "笑😀");
        assert_eq!(unescape_x("_xD83D_a"), "\u{FFFD}a");
        assert_eq!(
            package_path("xl/../xl/./worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(date_text(18264.0, false), "1950-01-01");
        assert_eq!(date_text(16802.0, true), "1950-01-01");
        assert_eq!(number_text(13812345678.0), "13812345678");
    }
}
