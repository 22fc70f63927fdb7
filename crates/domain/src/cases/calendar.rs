//! Deadlines in working days: weekends are off unless a 调休 make-up day
//! makes them working days; public holidays are off. The calendar is data
//! (edited per year), the counting is here. China time is UTC+8 all year.

use super::CaseError;
use crate::time::UnixMs;
use std::collections::BTreeSet;
use time::{Date, Duration, OffsetDateTime, UtcOffset, Weekday};

const DAY_MS: i64 = 24 * 3600 * 1000;
const CHINA_MS: i64 = 8 * 3600 * 1000;

/// What one calendar entry says of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// 法定节假日 (off, even on a weekday)
    Holiday,
    /// 调休上班 (a working weekend day)
    Workday,
}

named_enum!(DayKind, CaseError, "日期类型",
    Holiday => "holiday", "放假",
    Workday => "workday", "调休上班",
);

/// The holiday calendar: the days that differ from Monday–Friday.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    off: BTreeSet<Date>,
    on: BTreeSet<Date>,
}

impl Calendar {
    pub fn new(days: impl IntoIterator<Item = (Date, DayKind)>) -> Calendar {
        let mut c = Calendar::default();
        for (d, k) in days {
            match k {
                DayKind::Holiday => c.off.insert(d),
                DayKind::Workday => c.on.insert(d),
            };
        }
        c
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        if self.on.contains(&d) {
            return true;
        }
        !self.off.contains(&d) && !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The `n`-th working day after `start` (`start` itself when `n` is 0).
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            match d.next_day() {
                Some(next) => d = next,
                None => return d,
            }
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The working days from the day after `from` to the day of `to`
    /// (0 on the same day), for average handling times.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            match d.next_day() {
                Some(next) => d = next,
                None => break,
            }
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

/// How long a case may take: working days (normal) or hours (urgent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sla {
    WorkingDays(u32),
    Hours(u32),
}

/// The date in China of an instant.
pub fn china_date(at: UnixMs) -> Date {
    let offset = UtcOffset::from_whole_seconds(8 * 3600).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp(at.0.div_euclid(1000))
        .map(|t| t.to_offset(offset).date())
        .unwrap_or(Date::MIN)
}

/// `yyyymmdd` of an instant in China, the roll-ups' day key.
pub fn day_key(at: UnixMs) -> i64 {
    date_key(china_date(at))
}

pub fn date_key(d: Date) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(u8::from(d.month())) * 100 + i64::from(d.day())
}

/// The last millisecond of a day in China.
fn end_of_day(d: Date) -> UnixMs {
    /// 1970-01-01 as a Julian day number
    const EPOCH_JULIAN: i64 = 2_440_588;
    let midnight_utc = (i64::from(d.to_julian_day()) - EPOCH_JULIAN) * DAY_MS;
    UnixMs(midnight_utc - CHINA_MS + DAY_MS - 1)
}

/// When a case received at `received` is due: the end of the `n`-th
/// working day after the day it came in, or `h` hours later.
pub fn due_at(received: UnixMs, sla: Sla, cal: &Calendar) -> UnixMs {
    match sla {
        Sla::Hours(h) => received.plus_secs(i64::from(h) * 3600),
        Sla::WorkingDays(n) => end_of_day(cal.add_working_days(china_date(received), n)),
    }
}

/// The time left until `due` (negative once overdue).
pub fn time_left(due: UnixMs, now: UnixMs) -> Duration {
    Duration::milliseconds(due.0 - now.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn ms(t: OffsetDateTime) -> UnixMs {
        UnixMs((t.unix_timestamp_nanos() / 1_000_000) as i64)
    }

    /// 2026's 国庆: 1–7 October off, Saturday 10 October worked (as the
    /// calendar a deployment enters would say; the counting is what is tested).
    fn national_day() -> Calendar {
        let mut days: Vec<(Date, DayKind)> = (1..=7)
            .map(|d| {
                (
                    Date::from_calendar_date(2026, time::Month::October, d).unwrap(),
                    DayKind::Holiday,
                )
            })
            .collect();
        days.push((date!(2026 - 10 - 10), DayKind::Workday));
        Calendar::new(days)
    }

    #[test]
    fn weekends_holidays_and_make_up_days() {
        let cal = national_day();
        assert!(cal.is_working_day(date!(2026 - 09 - 30)));
        assert!(!cal.is_working_day(date!(2026 - 10 - 05))); // a Monday in the holiday
        assert!(!cal.is_working_day(date!(2026 - 10 - 11))); // Sunday
        assert!(cal.is_working_day(date!(2026 - 10 - 10))); // 调休 Saturday
        // reported on the last day before the holiday: 3 working days are 8, 9, 10 October
        assert_eq!(
            cal.add_working_days(date!(2026 - 09 - 30), 3),
            date!(2026 - 10 - 10)
        );
        // an ordinary week: Friday + 1 working day is Monday
        assert_eq!(
            cal.add_working_days(date!(2026 - 11 - 20), 1),
            date!(2026 - 11 - 23)
        );
        assert_eq!(
            cal.add_working_days(date!(2026 - 11 - 20), 0),
            date!(2026 - 11 - 20)
        );
        assert_eq!(
            cal.working_days_between(date!(2026 - 09 - 30), date!(2026 - 10 - 12)),
            4
        );
    }

    #[test]
    fn due_at_the_end_of_the_day_in_china() {
        let cal = Calendar::default();
        // Friday 20 Nov 2026, 23:30 China time (15:30 UTC)
        let received = ms(datetime!(2026 - 11 - 20 15:30 UTC));
        assert_eq!(china_date(received), date!(2026 - 11 - 20));
        assert_eq!(day_key(received), 20261120);
        // 2 working days: Tuesday 24 Nov, 23:59:59.999 China = 15:59:59.999 UTC
        let due = due_at(received, Sla::WorkingDays(2), &cal);
        assert_eq!(due, UnixMs(ms(datetime!(2026 - 11 - 24 16:00 UTC)).0 - 1));
        assert_eq!(china_date(due), date!(2026 - 11 - 24));
        assert_eq!(
            due_at(received, Sla::Hours(4), &cal),
            received.plus_secs(4 * 3600)
        );
        // just after 16:00 UTC it is already the next day in China
        assert_eq!(day_key(ms(datetime!(2026 - 11 - 20 16:00 UTC))), 20261121);
        assert!(time_left(due, due.plus_secs(1)).is_negative());
    }
}
