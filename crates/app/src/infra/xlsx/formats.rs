//! Number formats: which cell styles show a date, and numbers as text.

use super::stream::{attr, xml_err};
use crate::AppError;
use quick_xml::Reader as XmlReader;
use quick_xml::events::Event;
use std::io::BufRead;

/// Excel's own number formats that show a date or a time of day.
fn builtin_date(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45 | 47 | 50..=58)
}

/// Whether a custom number format shows a date: a y, m, d, h or s outside
/// quotes, escapes and brackets, in its first section ([h]:mm durations
/// and plain numbers are not dates).
fn custom_date(code: &str) -> bool {
    let (mut quoted, mut escaped) = (false, false);
    // inside [...]: its text so far
    let mut bracket: Option<String> = None;
    for c in code.chars() {
        if let Some(inner) = bracket.as_mut() {
            if c != ']' {
                inner.push(c);
                continue;
            }
            // [h], [mm], [ss]: elapsed time, not a date; [Red], [$-804],
            // [DBNum1] and the like say nothing of dates
            let inner = bracket.take().unwrap_or_default().to_ascii_lowercase();
            let elapsed = ['h', 'm', 's']
                .iter()
                .any(|u| !inner.is_empty() && inner.chars().all(|c| c == *u));
            if elapsed {
                return false;
            }
            continue;
        }
        match c {
            _ if escaped => escaped = false,
            '"' => quoted = !quoted,
            _ if quoted => {}
            '\\' | '_' | '*' => escaped = true,
            '[' => bracket = Some(String::new()),
            ';' => return false,
            'y' | 'Y' | 'm' | 'M' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' => return true,
            _ => {}
        }
    }
    false
}

pub(super) fn read_styles<R: BufRead>(xml: &mut XmlReader<R>) -> Result<Vec<bool>, AppError> {
    let mut custom = std::collections::HashMap::new();
    let mut styles = Vec::new();
    let mut in_xfs = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(xml_err)? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (
                        attr(&e, "numFmtId").and_then(|v| v.parse::<u32>().ok()),
                        attr(&e, "formatCode"),
                    ) {
                        let code = quick_xml::escape::unescape(&code)
                            .map_or(code.clone(), |c| c.into_owned());
                        custom.insert(id, custom_date(&code));
                    }
                }
                "cellXfs" => in_xfs = true,
                "xf" if in_xfs => {
                    let id = attr(&e, "numFmtId")
                        .and_then(|v| v.parse::<u32>().ok())
                        .unwrap_or(0);
                    styles.push(custom.get(&id).copied().unwrap_or_else(|| builtin_date(id)));
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
            Event::Eof => return Ok(styles),
            _ => {}
        }
    }
}

/// A date serial as `YYYY-MM-DD`; other numbers as they read.
pub(super) fn date_text(serial: f64, date1904: bool) -> String {
    let epoch = if date1904 {
        time::macros::date!(1904 - 01 - 01)
    } else {
        time::macros::date!(1899 - 12 - 30)
    };
    let days = serial.floor();
    if !(1.0..=2_958_465.0).contains(&days) {
        return serial.to_string();
    }
    epoch
        .checked_add(time::Duration::days(days as i64))
        .map_or_else(|| serial.to_string(), |d| d.to_string())
}

/// A number as the sheet shows it: whole numbers without a decimal point.
pub(super) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_that_are_dates() {
        assert!(builtin_date(14));
        assert!(builtin_date(31));
        assert!(!builtin_date(0));
        assert!(!builtin_date(49));
        assert!(custom_date("yyyy-mm-dd"));
        assert!(custom_date("yyyy\"年\"m\"月\"d\"日\""));
        assert!(custom_date("[$-804]yyyy/m/d"));
        assert!(!custom_date("0.00"));
        assert!(!custom_date("\"编号\"0"));
        assert!(!custom_date("[h]:mm:ss"));
        assert!(!custom_date("[mm]:ss"));
        assert!(custom_date("[DBNum1][$-804]yyyy\"年\"m\"月\"d\"日\""));
        assert!(custom_date("[$-x-sysdate]dddd, mmmm dd, yyyy"));
        assert!(custom_date("[Magenta]yyyy-mm-dd"));
        assert!(!custom_date("[Magenta]0.00"));
        assert!(!custom_date("#,##0;[Red]-#,##0"));
    }
}
