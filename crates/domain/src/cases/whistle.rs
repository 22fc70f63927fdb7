//! 社区吹哨、部门报到: a community escalates a case it cannot solve alone
//! to the street's departments; each department called must report in
//! (报到) before a deadline, and the case shows who came and when. The
//! whistle runs beside the case's own state: it neither dispatches nor
//! closes anything.

use super::{CaseError, CaseState};
use crate::time::UnixMs;

/// The report-in deadline a whistle gets when the caller names none, and
/// the longest it may be (hours; field practice quotes 2 h / 24 h / 72 h
/// as configuration, so the caller sets it per whistle).
pub const DEFAULT_ACK_HOURS: u32 = 24;
pub const MAX_ACK_HOURS: u32 = 168;
/// Departments one whistle may call.
pub const MAX_CALLED: usize = 10;

/// Where one called department stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AckState {
    /// 待报到: not yet reported in, the deadline still ahead
    Waiting,
    /// 超时未报到: not reported in and the deadline passed
    Overdue,
    /// 已报到 on time
    OnTime,
    /// 超时报到: reported in after the deadline
    Late,
}

named_enum!(AckState, CaseError, "报到状态",
    Waiting => "waiting", "待报到",
    Overdue => "overdue", "超时未报到",
    OnTime => "on_time", "按时报到",
    Late => "late", "超时报到",
);

/// Whether a case in `state` may be escalated: it must be accepted (立案)
/// and still open — a case nobody accepted goes to the community first,
/// a closed or merged one has nothing left to solve.
pub fn may_whistle(state: CaseState) -> bool {
    matches!(
        state,
        CaseState::Accepted | CaseState::Dispatched | CaseState::InProgress | CaseState::Postponed
    )
}

/// The report-in deadline of a whistle blown at `at` with `hours` to
/// answer (none: the default), or why the hours are out of range.
pub fn ack_due(at: UnixMs, hours: Option<u32>) -> Result<UnixMs, WhistleError> {
    let h = hours.unwrap_or(DEFAULT_ACK_HOURS);
    if h == 0 || h > MAX_ACK_HOURS {
        return Err(WhistleError::Hours);
    }
    Ok(at.plus_secs(i64::from(h) * 3600))
}

/// Where a called department stands at `now`.
pub fn ack_state(due: UnixMs, acked_at: Option<UnixMs>, now: UnixMs) -> AckState {
    match acked_at {
        Some(a) if a <= due => AckState::OnTime,
        Some(_) => AckState::Late,
        None if now > due => AckState::Overdue,
        None => AckState::Waiting,
    }
}

/// Why a whistle cannot be blown or answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhistleError {
    #[error("案件须已立案且未办结,才能吹哨")]
    State,
    #[error("报到时限须在 1 至 168 小时之间")]
    Hours,
    #[error("请选择要吹哨的街道部门(最多 10 个)")]
    Called,
    #[error("该部门已被吹哨,尚未报到")]
    AlreadyCalled,
    #[error("已报到过")]
    AlreadyAcked,
    #[error("本部门未被吹哨,无需报到")]
    NotCalled,
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600 * 1000;

    #[test]
    fn only_accepted_open_cases_are_escalated() {
        use CaseState as S;
        for s in [S::Accepted, S::Dispatched, S::InProgress, S::Postponed] {
            assert!(may_whistle(s), "{s:?}");
        }
        for s in [
            S::Submitted,
            S::Rejected,
            S::Cancelled,
            S::Merged,
            S::Handled,
            S::Closed,
        ] {
            assert!(!may_whistle(s), "{s:?}");
        }
    }

    #[test]
    fn the_deadline_is_in_hours_within_bounds() {
        let t = UnixMs(1_000 * H);
        assert_eq!(ack_due(t, None), Ok(UnixMs(1_024 * H)));
        assert_eq!(ack_due(t, Some(2)), Ok(UnixMs(1_002 * H)));
        assert_eq!(ack_due(t, Some(168)), Ok(UnixMs(1_168 * H)));
        assert_eq!(ack_due(t, Some(0)), Err(WhistleError::Hours));
        assert_eq!(ack_due(t, Some(169)), Err(WhistleError::Hours));
    }

    #[test]
    fn a_department_is_on_time_late_waiting_or_overdue() {
        let due = UnixMs(10 * H);
        assert_eq!(ack_state(due, None, UnixMs(9 * H)), AckState::Waiting);
        assert_eq!(ack_state(due, None, due), AckState::Waiting);
        assert_eq!(ack_state(due, None, UnixMs(10 * H + 1)), AckState::Overdue);
        assert_eq!(ack_state(due, Some(due), UnixMs(99 * H)), AckState::OnTime);
        assert_eq!(
            ack_state(due, Some(UnixMs(10 * H + 1)), UnixMs(11 * H)),
            AckState::Late
        );
    }
}
