//! 网格员的走访 — visits to the residents a grid worker looks after. How
//! often each is due comes from the care tags as data (独居老人 every 7
//! days, 低保 every 30 …, or a period set on one person's tag; field-rules.md:
//! special elders at least monthly). A visit is recorded the day it was
//! made: never in the future, and at most [`EDIT_WINDOW_DAYS`] back.

use thiserror::Error;
use time::Date;

/// How far back a visit may be recorded (a worker writes up last week's
/// visits; older ones are history, not edits).
pub const EDIT_WINDOW_DAYS: i64 = 30;

/// How a visit was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// 入户
    Home,
    /// 电话
    Phone,
    /// 视频
    Video,
    /// 偶遇 (met by chance)
    Chance,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum VisitError {
    #[error("未知的走访方式:{0}")]
    Way(String),
    #[error("走访日期不能晚于今天")]
    Future,
    #[error("只能补记 {EDIT_WINDOW_DAYS} 天内的走访")]
    TooOld,
    #[error("情况说明不超过 1000 字")]
    Note,
}

named_enum!(Way, WayError, "走访方式",
    Home => "home", "入户",
    Phone => "phone", "电话",
    Video => "video", "视频",
    Chance => "chance", "偶遇",
);

/// The error of an unknown way's name.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum WayError {
    #[error("未知的{what}:{got}")]
    Unknown { what: &'static str, got: String },
}

/// What a visit may find, to tick (the community may add to it later).
pub const NEEDS: [&str; 7] = [
    "生活照料",
    "就医用药",
    "安全隐患",
    "心理慰藉",
    "政策咨询",
    "邻里纠纷",
    "无特殊情况",
];

/// Checks a visit's day and note; returns the note trimmed.
pub fn check_visit(day: Date, today: Date, note: &str) -> Result<String, VisitError> {
    if day > today {
        return Err(VisitError::Future);
    }
    if (today - day).whole_days() > EDIT_WINDOW_DAYS {
        return Err(VisitError::TooOld);
    }
    let note = note.trim();
    if note.chars().count() > 1000 {
        return Err(VisitError::Note);
    }
    Ok(note.to_owned())
}

/// Where a person stands with their visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// never visited: due now
    Never,
    /// past the period by so many days
    Overdue(i64),
    /// due today
    Today,
    /// due within the next days
    Soon(i64),
    /// visited recently enough
    Fine,
}

/// How soon "soon" is: a worker plans the next three days.
const SOON_DAYS: i64 = 3;

/// Whether a person visited last on `last` (if ever) is due on `today`,
/// with a visit every `period_days`.
pub fn due(last: Option<Date>, period_days: i64, today: Date) -> Due {
    let Some(last) = last else {
        return Due::Never;
    };
    let left = period_days - (today - last).whole_days();
    match left {
        l if l < 0 => Due::Overdue(-l),
        0 => Due::Today,
        l if l <= SOON_DAYS => Due::Soon(l),
        _ => Due::Fine,
    }
}

impl Due {
    /// Whether it belongs on today's list.
    pub const fn listed(self) -> bool {
        !matches!(self, Due::Fine)
    }
    /// Most urgent first: never visited, then the longest overdue, today, soon.
    pub const fn urgency(self) -> i64 {
        match self {
            Due::Never => i64::MAX,
            Due::Overdue(d) => 1_000 + d,
            Due::Today => 500,
            Due::Soon(d) => 100 - d,
            Due::Fine => 0,
        }
    }
    /// In words, as the chip says it.
    pub fn words(self) -> String {
        match self {
            Due::Never => "从未走访".to_owned(),
            Due::Overdue(d) => format!("超期{d}天"),
            Due::Today => "今天到期".to_owned(),
            Due::Soon(d) => format!("{d}天后到期"),
            Due::Fine => "按期".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn visits_fall_due_by_their_period() {
        let today = date!(2026 - 12 - 07);
        assert_eq!(due(None, 7, today), Due::Never);
        assert_eq!(due(Some(date!(2026 - 11 - 30)), 7, today), Due::Today);
        assert_eq!(due(Some(date!(2026 - 11 - 20)), 7, today), Due::Overdue(10));
        assert_eq!(due(Some(date!(2026 - 12 - 02)), 7, today), Due::Soon(2));
        assert_eq!(due(Some(date!(2026 - 12 - 06)), 30, today), Due::Fine);
        assert!(!Due::Fine.listed() && Due::Soon(1).listed());
        let mut all = [
            Due::Soon(2),
            Due::Overdue(3),
            Due::Never,
            Due::Today,
            Due::Overdue(9),
        ];
        all.sort_by_key(|d| std::cmp::Reverse(d.urgency()));
        assert_eq!(
            all,
            [
                Due::Never,
                Due::Overdue(9),
                Due::Overdue(3),
                Due::Today,
                Due::Soon(2)
            ]
        );
        assert_eq!(Due::Overdue(4).words(), "超期4天");
    }

    #[test]
    fn a_visit_is_recorded_within_its_window() {
        let today = date!(2026 - 12 - 07);
        assert_eq!(
            check_visit(today, today, " 老人身体好 "),
            Ok("老人身体好".into())
        );
        assert_eq!(
            check_visit(date!(2026 - 12 - 08), today, ""),
            Err(VisitError::Future)
        );
        assert_eq!(
            check_visit(date!(2026 - 11 - 01), today, ""),
            Err(VisitError::TooOld)
        );
        assert_eq!(
            check_visit(today, today, &"字".repeat(1001)),
            Err(VisitError::Note)
        );
        assert_eq!("phone".parse::<Way>(), Ok(Way::Phone));
        assert!("walk".parse::<Way>().is_err());
    }
}
