//! What staff may configure in the loop, checked before it is stored: the
//! two-level category tree (a top level of two digits, its children the
//! parent's code and two more — `01` › `0104`, as the Open311
//! service_code), deadlines in range, and a year of the holiday calendar
//! (法定节假日 off, 调休 make-up working days only on weekends).

use super::DayKind;
use std::collections::BTreeSet;
use time::{Date, Weekday};

/// The longest normal deadline (working days) and urgent one (hours).
pub const MAX_DEADLINE_DAYS: i64 = 60;
pub const MAX_URGENT_HOURS: i64 = 168;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    #[error("类别编码应为 2 位数字(一级)或上级编码加 2 位数字(二级),收到“{0}”")]
    Code(String),
    #[error("类别名称须为 1–30 字")]
    Name,
    #[error("办理时限须为 1–60 个工作日,紧急时限 1–168 小时")]
    Deadline,
    #[error("类别只有两级:不能在二级类别下再建")]
    Depth,
    #[error("{0} 不在 {1} 年内")]
    OutsideYear(Date, i32),
    #[error("{0} 重复出现")]
    Repeated(Date),
    #[error("{0} 是工作日,不能设为调休上班")]
    WorkdayOnWeekday(Date),
    #[error("节日名称不超过 20 字")]
    DayName,
}

/// Whether a new category may be made: `parent` is the parent's code
/// (none for a top-level one) and whether that parent is itself a child.
pub fn check_category(
    parent: Option<(&str, bool)>,
    code: &str,
    name: &str,
    deadline_days: i64,
    urgent_hours: i64,
) -> Result<(), SetupError> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parent {
        None if code.len() == 2 && digits(code) => {}
        Some((_, true)) => return Err(SetupError::Depth),
        Some((p, false)) if code.len() == p.len() + 2 && code.starts_with(p) && digits(code) => {}
        _ => return Err(SetupError::Code(code.to_owned())),
    }
    check_terms(name, deadline_days, urgent_hours)
}

/// Whether a category's name and deadlines are acceptable.
pub fn check_terms(name: &str, deadline_days: i64, urgent_hours: i64) -> Result<(), SetupError> {
    let n = name.trim().chars().count();
    if n == 0 || n > 30 || name.chars().any(char::is_control) {
        return Err(SetupError::Name);
    }
    if !(1..=MAX_DEADLINE_DAYS).contains(&deadline_days)
        || !(1..=MAX_URGENT_HOURS).contains(&urgent_hours)
    {
        return Err(SetupError::Deadline);
    }
    Ok(())
}

/// Whether `days` can be `year`'s calendar: every date in the year, none
/// twice, make-up working days on weekends only, names short.
pub fn check_year(year: i32, days: &[(Date, DayKind, String)]) -> Result<(), SetupError> {
    let mut seen = BTreeSet::new();
    for (d, kind, name) in days {
        if d.year() != year {
            return Err(SetupError::OutsideYear(*d, year));
        }
        if !seen.insert(*d) {
            return Err(SetupError::Repeated(*d));
        }
        let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        if *kind == DayKind::Workday && !weekend {
            return Err(SetupError::WorkdayOnWeekday(*d));
        }
        if name.chars().count() > 20 || name.chars().any(char::is_control) {
            return Err(SetupError::DayName);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn categories_have_two_levels_and_coded_children() {
        assert_eq!(check_category(None, "12", "物业服务", 5, 24), Ok(()));
        assert_eq!(
            check_category(Some(("12", false)), "1203", "电梯故障", 3, 4),
            Ok(())
        );
        for bad in ["1", "123", "ab", ""] {
            assert!(matches!(
                check_category(None, bad, "x", 5, 24),
                Err(SetupError::Code(_))
            ));
        }
        assert!(matches!(
            check_category(Some(("12", false)), "1303", "x", 5, 24),
            Err(SetupError::Code(_))
        ));
        assert_eq!(
            check_category(Some(("1203", true)), "120301", "x", 5, 24),
            Err(SetupError::Depth)
        );
        assert_eq!(
            check_category(None, "12", " ", 5, 24),
            Err(SetupError::Name)
        );
        assert_eq!(
            check_category(None, "12", "x", 0, 24),
            Err(SetupError::Deadline)
        );
        assert_eq!(
            check_category(None, "12", "x", 5, 169),
            Err(SetupError::Deadline)
        );
    }

    #[test]
    fn a_year_of_holidays_with_make_up_days_on_weekends() {
        // 2026 国庆: 1–7 October off; Saturday 10 October worked
        let mut days: Vec<(Date, DayKind, String)> = (1..=7)
            .map(|d| {
                let day = Date::from_calendar_date(2026, time::Month::October, d).unwrap();
                (day, DayKind::Holiday, "国庆节".to_owned())
            })
            .collect();
        days.push((date!(2026 - 10 - 10), DayKind::Workday, "国庆调休".into()));
        assert_eq!(check_year(2026, &days), Ok(()));
        assert_eq!(
            check_year(2027, &days),
            Err(SetupError::OutsideYear(date!(2026 - 10 - 01), 2027))
        );
        let mut twice = days.clone();
        twice.push((date!(2026 - 10 - 01), DayKind::Holiday, String::new()));
        assert_eq!(
            check_year(2026, &twice),
            Err(SetupError::Repeated(date!(2026 - 10 - 01)))
        );
        // Friday 9 October is a working day already
        let friday = vec![(date!(2026 - 10 - 09), DayKind::Workday, String::new())];
        assert_eq!(
            check_year(2026, &friday),
            Err(SetupError::WorkdayOnWeekday(date!(2026 - 10 - 09)))
        );
    }
}
