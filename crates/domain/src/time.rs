//! Instants are stored as UTC unix milliseconds (see DESIGN.md, "Time").

/// A UTC instant in unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixMs(pub i64);

impl UnixMs {
    pub const fn plus_secs(self, secs: i64) -> UnixMs {
        UnixMs(self.0.saturating_add(secs.saturating_mul(1000)))
    }

    pub const fn secs_since(self, earlier: UnixMs) -> i64 {
        (self.0 - earlier.0) / 1000
    }
}

/// An instant as people in China read it (Asia/Shanghai, UTC+8, no DST):
/// `2026-12-03 14:05`.
pub fn beijing_minute(at: UnixMs) -> String {
    use ::time::{OffsetDateTime, UtcOffset};
    let fmt = ::time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .ok()
        .and_then(|t| t.to_offset(offset).format(&fmt).ok())
        .unwrap_or_default()
}

/// The year an instant falls in, in China.
pub fn china_year(at: UnixMs) -> i32 {
    use ::time::{OffsetDateTime, UtcOffset};
    let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .map(|t| t.to_offset(offset).year())
        .unwrap_or(1970)
}

/// The first instant of a year in China (1 January 00:00 UTC+8).
pub fn china_year_start(year: i32) -> UnixMs {
    let days = ::time::Date::from_calendar_date(year, ::time::Month::January, 1)
        .map(|d| i64::from(d.to_julian_day() - 2_440_588))
        .unwrap_or(0);
    UnixMs((days * 86_400 - 8 * 3600) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_minute_is_eight_hours_ahead_of_utc() {
        // 2026-12-03 06:05 UTC
        assert_eq!(
            beijing_minute(UnixMs(1_796_277_900_000)),
            "2026-12-03 14:05"
        );
    }

    #[test]
    fn a_year_starts_at_midnight_in_china() {
        let start = china_year_start(2026);
        assert_eq!(beijing_minute(start), "2026-01-01 00:00");
        assert_eq!(china_year(start), 2026);
        assert_eq!(china_year(UnixMs(start.0 - 1)), 2025);
    }
}
