//! Deadline flags on lists and dashboards: a case is near due (临期) once
//! 70 % of its allowed time has passed (the vendor model's early warning)
//! and overdue (超期) past its deadline. Postponed (缓办) and finished
//! cases are neither.

use super::CaseState;
use crate::time::UnixMs;

/// The share of the allowed time after which a case is near due, in percent.
pub const NEAR_DUE_PERCENT: i64 = 70;

/// A case's standing against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DueFlag {
    OnTime,
    /// 临期
    NearDue,
    /// 超期
    Overdue,
}

impl DueFlag {
    pub const fn label_zh(self) -> &'static str {
        match self {
            DueFlag::OnTime => "",
            DueFlag::NearDue => "临期",
            DueFlag::Overdue => "超期",
        }
    }
}

/// Where a case timed from `from` and due at `due` stands at `now`.
pub fn due_flag(state: CaseState, from: UnixMs, due: Option<UnixMs>, now: UnixMs) -> DueFlag {
    let Some(due) = due else {
        return DueFlag::OnTime;
    };
    if !state.is_open() || state == CaseState::Postponed {
        return DueFlag::OnTime;
    }
    if now > due {
        return DueFlag::Overdue;
    }
    let allowed = (due.0 - from.0).max(0);
    // past 70 % of the allowed time: (now − from) ≥ 0.7 × allowed
    if (now.0 - from.0).saturating_mul(100) >= allowed.saturating_mul(NEAR_DUE_PERCENT) {
        DueFlag::NearDue
    } else {
        DueFlag::OnTime
    }
}

/// The instant a case timed from `from` and due at `due` becomes near due.
pub fn near_due_at(from: UnixMs, due: UnixMs) -> UnixMs {
    let allowed = (due.0 - from.0).max(0);
    UnixMs(from.0 + allowed.saturating_mul(NEAR_DUE_PERCENT) / 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_follow_the_seventy_percent_rule() {
        let (from, due) = (UnixMs(0), Some(UnixMs(1000)));
        let open = CaseState::Dispatched;
        assert_eq!(due_flag(open, from, due, UnixMs(699)), DueFlag::OnTime);
        assert_eq!(due_flag(open, from, due, UnixMs(700)), DueFlag::NearDue);
        assert_eq!(due_flag(open, from, due, UnixMs(1000)), DueFlag::NearDue);
        assert_eq!(due_flag(open, from, due, UnixMs(1001)), DueFlag::Overdue);
        assert_eq!(near_due_at(from, UnixMs(1000)), UnixMs(700));
    }

    #[test]
    fn postponed_closed_and_untimed_cases_are_never_flagged() {
        let late = UnixMs(5000);
        let due = Some(UnixMs(1000));
        for s in [CaseState::Postponed, CaseState::Closed, CaseState::Merged] {
            assert_eq!(due_flag(s, UnixMs(0), due, late), DueFlag::OnTime);
        }
        assert_eq!(
            due_flag(CaseState::Accepted, UnixMs(0), None, late),
            DueFlag::OnTime
        );
    }
}
