//! The case lifecycle: submitted → accepted (立案) or rejected (不予受理) /
//! cancelled (作废) / merged (duplicate) → dispatched (派遣) → in progress →
//! handled (处置) → verified: closed (结案) or sent back (返工) → rated;
//! 不满意 within 7 days reopens (重办). Postponing (缓办) needs an approver.
//! A grid worker may close a simple case on the spot (简易问题自行处置).

use std::fmt;

/// Where a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseState {
    /// 已上报
    Submitted,
    /// 已立案
    Accepted,
    /// 不予受理
    Rejected,
    /// 已作废
    Cancelled,
    /// 已合并 (into another case)
    Merged,
    /// 已派遣
    Dispatched,
    /// 处置中
    InProgress,
    /// 缓办
    Postponed,
    /// 已处置, awaiting verification
    Handled,
    /// 已结案
    Closed,
}

named_enum!(CaseState, CaseError, "案件状态",
    Submitted => "submitted", "已上报",
    Accepted => "accepted", "已立案",
    Rejected => "rejected", "不予受理",
    Cancelled => "cancelled", "已作废",
    Merged => "merged", "已合并",
    Dispatched => "dispatched", "已派遣",
    InProgress => "in_progress", "处置中",
    Postponed => "postponed", "缓办",
    Handled => "handled", "待核查",
    Closed => "closed", "已结案",
);

impl CaseState {
    /// Open311 maps every state to open or closed.
    pub const fn is_open(self) -> bool {
        !matches!(
            self,
            CaseState::Rejected | CaseState::Cancelled | CaseState::Merged | CaseState::Closed
        )
    }
}

/// 满意 / 基本满意 / 不满意
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rating {
    Satisfied,
    FairlySatisfied,
    Dissatisfied,
}

named_enum!(Rating, CaseError, "评价",
    Satisfied => "satisfied", "满意",
    FairlySatisfied => "fairly_satisfied", "基本满意",
    Dissatisfied => "dissatisfied", "不满意",
);

/// What someone does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Accept,
    Reject,
    Cancel,
    Merge,
    /// 派遣, or 二次派遣 to another handler
    Dispatch,
    Start,
    /// 缓办; `approved` is whether an approver signed it
    Postpone {
        approved: bool,
    },
    Resume,
    Handle,
    /// 核查通过 → 结案
    VerifyPass,
    /// 核查不通过 → 返工
    VerifyFail,
    /// 简易问题自行处置: closed on the spot by the grid worker who found it
    CloseOnSpot,
    /// 重办, after a 不满意 rating
    Reopen,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("当前状态为“{}”,不能{}", .from.label_zh(), step_label(*.step))]
    NotAllowed { from: CaseState, step: Step },
    #[error("缓办须经审批")]
    PostponeNeedsApproval,
    #[error("附件链接须为 http:// 或 https:// 网址(不超过 500 字符,不含空格与引号)")]
    MediaUrl,
    #[error("未知的{what}“{got}”")]
    Unknown { what: &'static str, got: String },
}

const fn step_label(s: Step) -> &'static str {
    match s {
        Step::Accept => "立案",
        Step::Reject => "不予受理",
        Step::Cancel => "作废",
        Step::Merge => "合并",
        Step::Dispatch => "派遣",
        Step::Start => "开始处置",
        Step::Postpone { .. } => "缓办",
        Step::Resume => "恢复办理",
        Step::Handle => "提交处置结果",
        Step::VerifyPass => "核查结案",
        Step::VerifyFail => "核查返工",
        Step::CloseOnSpot => "自行处置结案",
        Step::Reopen => "重办",
    }
}

impl Step {
    /// The stable name in the timeline and the API (`postpone` stands for
    /// both; whether it was approved is the event's own record).
    pub const fn as_str(self) -> &'static str {
        match self {
            Step::Accept => "accept",
            Step::Reject => "reject",
            Step::Cancel => "cancel",
            Step::Merge => "merge",
            Step::Dispatch => "dispatch",
            Step::Start => "start",
            Step::Postpone { .. } => "postpone",
            Step::Resume => "resume",
            Step::Handle => "handle",
            Step::VerifyPass => "verify_pass",
            Step::VerifyFail => "verify_fail",
            Step::CloseOnSpot => "close_on_spot",
            Step::Reopen => "reopen",
        }
    }

    /// Every step a person can ask for by name (a postpone as unapproved;
    /// the service fills in the approval).
    pub const ALL: [Step; 13] = [
        Step::Accept,
        Step::Reject,
        Step::Cancel,
        Step::Merge,
        Step::Dispatch,
        Step::Start,
        Step::Postpone { approved: false },
        Step::Resume,
        Step::Handle,
        Step::VerifyPass,
        Step::VerifyFail,
        Step::CloseOnSpot,
        Step::Reopen,
    ];

    pub const fn label_zh(self) -> &'static str {
        step_label(self)
    }
}

impl std::str::FromStr for Step {
    type Err = CaseError;
    fn from_str(s: &str) -> Result<Step, CaseError> {
        Step::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| CaseError::Unknown {
                what: "操作",
                got: s.to_owned(),
            })
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(step_label(*self))
    }
}

/// The state after `step`, or why the step is not allowed now.
pub fn apply(from: CaseState, step: Step) -> Result<CaseState, CaseError> {
    use CaseState as S;
    let to = match (from, step) {
        (S::Submitted, Step::Accept) => S::Accepted,
        (S::Submitted, Step::Reject) => S::Rejected,
        (S::Submitted, Step::CloseOnSpot) => S::Closed,
        (S::Submitted | S::Accepted, Step::Cancel) => S::Cancelled,
        (S::Submitted | S::Accepted, Step::Merge) => S::Merged,
        (S::Accepted | S::Dispatched | S::InProgress, Step::Dispatch) => S::Dispatched,
        (S::Dispatched, Step::Start) => S::InProgress,
        (S::Dispatched | S::InProgress, Step::Postpone { approved: false }) => {
            return Err(CaseError::PostponeNeedsApproval);
        }
        (S::Dispatched | S::InProgress, Step::Postpone { approved: true }) => S::Postponed,
        (S::Postponed, Step::Resume) => S::InProgress,
        (S::Dispatched | S::InProgress, Step::Handle) => S::Handled,
        (S::Handled, Step::VerifyPass) => S::Closed,
        (S::Handled, Step::VerifyFail) => S::InProgress,
        (S::Closed, Step::Reopen) => S::Dispatched,
        _ => return Err(CaseError::NotAllowed { from, step }),
    };
    Ok(to)
}

/// Whether a rating reopens the case: 不满意 within 7 days of closing.
pub fn reopens(rating: Rating, closed_at_ms: i64, rated_at_ms: i64) -> bool {
    const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;
    rating == Rating::Dissatisfied && (0..=WEEK_MS).contains(&(rated_at_ms - closed_at_ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseState as S;

    fn run(steps: &[Step]) -> Result<CaseState, CaseError> {
        steps.iter().try_fold(S::Submitted, |s, st| apply(s, *st))
    }

    #[test]
    fn the_whole_loop_with_rework_and_reopen() {
        use Step::*;
        let s = run(&[
            Accept, Dispatch, Start, Handle, VerifyFail, Handle, VerifyPass,
        ])
        .unwrap();
        assert_eq!(s, S::Closed);
        assert_eq!(apply(s, Reopen), Ok(S::Dispatched));
        assert_eq!(
            run(&[Accept, Dispatch, Dispatch, Handle, VerifyPass]),
            Ok(S::Closed)
        );
        assert_eq!(run(&[CloseOnSpot]), Ok(S::Closed));
    }

    #[test]
    fn invalid_steps_say_why() {
        use Step::*;
        // closing an undispatched case
        let e = run(&[Accept, VerifyPass]).unwrap_err();
        assert_eq!(
            e,
            CaseError::NotAllowed {
                from: S::Accepted,
                step: VerifyPass
            }
        );
        assert!(e.to_string().contains("已立案") && e.to_string().contains("核查结案"));
        assert!(run(&[Reject, Accept]).is_err());
        assert!(run(&[Accept, Dispatch, Handle, VerifyPass, Handle]).is_err());
        assert_eq!(
            run(&[Accept, Dispatch, Postpone { approved: false }]),
            Err(CaseError::PostponeNeedsApproval)
        );
        assert_eq!(
            run(&[
                Accept,
                Dispatch,
                Postpone { approved: true },
                Resume,
                Handle
            ]),
            Ok(S::Handled)
        );
        assert!(run(&[Accept, Dispatch, Postpone { approved: true }, Handle]).is_err());
    }

    #[test]
    fn open_and_closed_for_open311() {
        assert!(S::Postponed.is_open() && S::Handled.is_open());
        assert!(!S::Closed.is_open() && !S::Merged.is_open());
    }

    #[test]
    fn dissatisfaction_reopens_within_a_week() {
        let day = 24 * 3600 * 1000;
        assert!(reopens(Rating::Dissatisfied, 0, 7 * day));
        assert!(!reopens(Rating::Dissatisfied, 0, 7 * day + 1));
        assert!(!reopens(Rating::FairlySatisfied, 0, day));
    }
}
