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
}
