//! Recurring activities (每月15日学习日, 每月25日爱心日): the occurrences of a
//! monthly rule from the first one, by RFC 5545 recurrence rules (the
//! `rrule` crate) in Asia/Shanghai, so 09:00 stays 09:00 and a day that a
//! month lacks (31) is skipped as the RFC says, not moved.

use super::VolunteeringError;
use crate::time::UnixMs;

/// At most this many occurrences are planned at once (a year).
pub const MAX_REPEAT: u16 = 12;

/// The first `count` monthly occurrences from `first` (itself included).
pub fn monthly(first: UnixMs, count: u16) -> Result<Vec<UnixMs>, VolunteeringError> {
    if !(1..=MAX_REPEAT).contains(&count) {
        return Err(VolunteeringError::Refused("重复次数应在 1 到 12 之间"));
    }
    let local = ::time::OffsetDateTime::from_unix_timestamp(first.0.div_euclid(1000))
        .map_err(|_| VolunteeringError::Time)?
        .to_offset(::time::UtcOffset::from_hms(8, 0, 0).map_err(|_| VolunteeringError::Time)?);
    let fmt = ::time::macros::format_description!("[year][month][day]T[hour][minute][second]");
    let start = local.format(&fmt).map_err(|_| VolunteeringError::Time)?;
    let set: rrule::RRuleSet =
        format!("DTSTART;TZID=Asia/Shanghai:{start}\nRRULE:FREQ=MONTHLY;COUNT={count}")
            .parse()
            .map_err(|_| VolunteeringError::Time)?;
    Ok(set
        .all(count)
        .dates
        .into_iter()
        .map(|d| UnixMs(d.timestamp_millis()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::beijing_minute;
    use crate::volunteering::parse_beijing_minute;

    #[test]
    fn the_15th_each_month_at_nine() {
        let first = parse_beijing_minute("2026-12-15 09:00").unwrap();
        let all: Vec<String> = monthly(first, 3)
            .unwrap()
            .into_iter()
            .map(beijing_minute)
            .collect();
        assert_eq!(
            all,
            ["2026-12-15 09:00", "2027-01-15 09:00", "2027-02-15 09:00"]
        );
    }

    #[test]
    fn early_morning_keeps_its_day_and_the_31st_skips_short_months() {
        let first = parse_beijing_minute("2027-01-31 07:30").unwrap();
        let all: Vec<String> = monthly(first, 3)
            .unwrap()
            .into_iter()
            .map(beijing_minute)
            .collect();
        assert_eq!(
            all,
            ["2027-01-31 07:30", "2027-03-31 07:30", "2027-05-31 07:30"]
        );
        assert!(monthly(first, 0).is_err() && monthly(first, 13).is_err());
    }
}
