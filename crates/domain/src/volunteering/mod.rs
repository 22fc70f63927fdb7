//! 志愿服务 (issue 23): volunteers and 双报到 party members ("五个一": 进一网,
//! 认一岗, 联一户, 办一事), 三单制 service orders (居民点单 → 支部派单 →
//! 党员接单 → 办结 → 居民评价), activities with check-in by a rotating
//! signed code, and a double-entry ledger of service hours (a record, never
//! spent: 民政部令第67号) and points (spent on the 积分兑换 shelf).

pub mod checkin;
pub mod ledger;
pub mod orders;
pub mod repeat;

use crate::time::UnixMs;
use thiserror::Error;

/// What the rules of volunteering refuse, in words for the person.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum VolunteeringError {
    #[error("{0}")]
    Refused(&'static str),
    #[error("时间格式不对,应为 2026-12-25 09:00")]
    Time,
    #[error("{what}不能为空,且不超过 {max} 字")]
    Text { what: &'static str, max: usize },
}

/// 认一岗: the post types a community offers (寿宁's eight, the default).
pub const POSTS: [&str; 8] = [
    "政策宣传",
    "教育心理",
    "医疗保健",
    "法律服务",
    "文体活动",
    "环境卫生",
    "平安巡逻",
    "关爱帮扶",
];

/// 点单: the services a resident may order (or write their own).
pub const SERVICES: [&str; 8] = [
    "助老陪诊",
    "代买代办",
    "家电维修",
    "理发",
    "法律咨询",
    "心理疏导",
    "清扫积雪",
    "其他",
];

/// A party member's yearly service target by default (50 h, in minutes).
pub const DEFAULT_TARGET_MINUTES: i64 = 50 * 60;

/// Checks a piece of text a person typed: trimmed, not empty, at most
/// `max` characters.
pub fn text(what: &'static str, s: &str, max: usize) -> Result<String, VolunteeringError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(VolunteeringError::Text { what, max });
    }
    Ok(t.to_owned())
}

/// Reads a Beijing wall-clock minute (`2026-12-25 09:00` or the
/// `datetime-local` form `2026-12-25T09:00`).
pub fn parse_beijing_minute(s: &str) -> Result<UnixMs, VolunteeringError> {
    use ::time::{PrimitiveDateTime, UtcOffset};
    let t = s.trim().replacen('T', " ", 1);
    let fmt = ::time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let local = PrimitiveDateTime::parse(&t, &fmt).map_err(|_| VolunteeringError::Time)?;
    let offset = UtcOffset::from_hms(8, 0, 0).map_err(|_| VolunteeringError::Time)?;
    let at = local.assume_offset(offset);
    let ms = at.unix_timestamp_nanos() / 1_000_000;
    i64::try_from(ms)
        .map(UnixMs)
        .map_err(|_| VolunteeringError::Time)
}

/// The first instant of `year` in China (the figures' and the yearly
/// target's period).
pub fn year_start(year: i32) -> Result<UnixMs, VolunteeringError> {
    parse_beijing_minute(&format!("{year}-01-01 00:00"))
}

/// Minutes as people read them: `2小时30分`, `45分钟`.
pub fn hours_text(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m}分钟"),
        (h, 0) => format!("{h}小时"),
        (h, m) => format!("{h}小时{m}分"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::beijing_minute;

    #[test]
    fn beijing_minutes_round_trip() {
        let at = parse_beijing_minute("2026-12-25T09:00").unwrap();
        assert_eq!(beijing_minute(at), "2026-12-25 09:00");
        assert_eq!(parse_beijing_minute("2026-12-25 09:00"), Ok(at));
        assert_eq!(
            parse_beijing_minute("12/25 9点"),
            Err(VolunteeringError::Time)
        );
    }

    #[test]
    fn hours_read_as_people_say_them() {
        assert_eq!(hours_text(150), "2小时30分");
        assert_eq!(hours_text(45), "45分钟");
        assert_eq!(hours_text(120), "2小时");
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("标题", "  扫雪 ", 10).unwrap(), "扫雪");
        assert!(text("标题", "  ", 10).is_err());
        assert!(text("标题", &"字".repeat(11), 10).is_err());
    }
}
