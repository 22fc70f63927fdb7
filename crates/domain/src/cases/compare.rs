//! 环比 and 同比 for the workbench: this month so far against the same days
//! of the month before and of the same month a year ago (a whole previous
//! month against a partial one would always look like a fall).

use time::{Date, Month};

/// The days `from..=to` of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: Date,
    pub to: Date,
}

/// The same day-of-month in another month, clamped to that month's end
/// (31 March → 28 or 29 February).
fn same_day(year: i32, month: Month, day: u8) -> Date {
    let last = month.length(year);
    Date::from_calendar_date(year, month, day.min(last)).unwrap_or(Date::MIN)
}

/// This month up to `today`, the same days of the previous month (环比)
/// and of this month a year ago (同比).
pub fn month_to_date(today: Date) -> (Span, Span, Span) {
    let first = |y, m| same_day(y, m, 1);
    let this = Span {
        from: first(today.year(), today.month()),
        to: today,
    };
    let (py, pm) = match today.month() {
        Month::January => (today.year() - 1, Month::December),
        m => (today.year(), m.previous()),
    };
    let previous = Span {
        from: first(py, pm),
        to: same_day(py, pm, today.day()),
    };
    let last_year = Span {
        from: first(today.year() - 1, today.month()),
        to: same_day(today.year() - 1, today.month(), today.day()),
    };
    (this, previous, last_year)
}

/// The change from `before` to `now` as a fraction (0.25 for +25 %);
/// none when there was nothing before to compare with.
pub fn change(now: u64, before: u64) -> Option<f64> {
    (before > 0).then(|| (now as f64 - before as f64) / before as f64)
}

/// A change as people read it: `+25%`, `−10%`, `持平`, or `—` without a base.
pub fn change_text(c: Option<f64>) -> String {
    match c {
        None => "—".to_owned(),
        Some(x) if x.abs() < 0.005 => "持平".to_owned(),
        Some(x) if x > 0.0 => format!("+{:.0}%", x * 100.0),
        Some(x) => format!("−{:.0}%", -x * 100.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_compare_the_same_days() {
        let (this, prev, ly) = month_to_date(date!(2026 - 03 - 31));
        assert_eq!(
            (this.from, this.to),
            (date!(2026 - 03 - 01), date!(2026 - 03 - 31))
        );
        assert_eq!(
            (prev.from, prev.to),
            (date!(2026 - 02 - 01), date!(2026 - 02 - 28))
        );
        assert_eq!(
            (ly.from, ly.to),
            (date!(2025 - 03 - 01), date!(2025 - 03 - 31))
        );
        let (_, prev, ly) = month_to_date(date!(2026 - 01 - 07));
        assert_eq!(
            (prev.from, prev.to),
            (date!(2025 - 12 - 01), date!(2025 - 12 - 07))
        );
        assert_eq!(ly.to, date!(2025 - 01 - 07));
        let (_, _, ly) = month_to_date(date!(2028 - 02 - 29));
        assert_eq!(ly.to, date!(2027 - 02 - 28));
    }

    #[test]
    fn changes_read_as_people_say_them() {
        assert_eq!(change(0, 0), None);
        assert_eq!(change_text(change(5, 0)), "—");
        assert_eq!(change_text(change(125, 100)), "+25%");
        assert_eq!(change_text(change(90, 100)), "−10%");
        assert_eq!(change_text(change(100, 100)), "持平");
    }
}
