//! 民提 民议 民决 民评 — a resident's proposal (议题) from support to
//! rating. Supports (附议) only bring a proposal to staff: at the
//! community's threshold it waits for their answer — onto the agenda, or
//! declined with a reason, in public. A meeting on the agenda decides by a
//! simple majority of those present when enough are present; an owners'
//! vote decides by art. 278 (`rules`). An adopted matter is carried out,
//! marked done, and rated by residents of its scope.

use super::{DeliberationError, NameError};

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalState {
    /// 征集附议: neighbours in scope support it
    Seeking,
    /// 待社区答复: the threshold is reached
    Review,
    /// 已列入议题: staff took it on; meetings and votes follow
    Agenda,
    /// 已决定实施
    Adopted,
    /// 未通过 (a meeting or vote said no)
    Rejected,
    /// 不予采纳, with the reason
    Declined,
    /// 已办结: carried out; residents rate it
    Done,
}

named_enum!(ProposalState, NameError, "议题状态",
    Seeking => "seeking", "征集附议",
    Review => "review", "待社区答复",
    Agenda => "agenda", "已列入议题",
    Adopted => "adopted", "已决定实施",
    Rejected => "rejected", "未通过",
    Declined => "declined", "不予采纳",
    Done => "done", "已办结",
);

impl ProposalState {
    /// Whether neighbours may still support it.
    pub fn takes_support(self) -> bool {
        matches!(self, ProposalState::Seeking | ProposalState::Review)
    }

    /// The state after one more support: at the threshold it goes to staff.
    pub fn after_support(self, supports: i64, threshold: i64) -> ProposalState {
        if self == ProposalState::Seeking && supports >= threshold {
            ProposalState::Review
        } else {
            self
        }
    }

    /// Whether staff may move it from `self` to `to`.
    pub fn may_become(self, to: ProposalState) -> bool {
        use ProposalState::*;
        matches!(
            (self, to),
            (Seeking | Review, Agenda | Declined) | (Agenda, Adopted | Rejected) | (Adopted, Done)
        )
    }
}

/// Kinds of meeting (会议).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingKind {
    Home,
    Council,
    Residents,
    Representatives,
    Tripartite,
    Joint,
}

named_enum!(MeetingKind, NameError, "会议类型",
    Home => "home", "入户小会",
    Council => "council", "议事协商会",
    Residents => "residents", "居民会议",
    Representatives => "representatives", "居民代表会议",
    Tripartite => "tripartite", "业联体三方会",
    Joint => "joint", "联席会议",
);

impl MeetingKind {
    /// Whether the meeting itself may decide (by a show of hands).
    pub fn decides(self) -> bool {
        matches!(self, MeetingKind::Residents | MeetingKind::Representatives)
    }
}

/// Supports needed when the community has set none.
pub const DEFAULT_THRESHOLD: i64 = 10;
/// People present for a resident meeting to decide, when not set.
pub const DEFAULT_QUORUM: i64 = 20;

/// A resident meeting's decision: enough present (`quorum`), and more
/// than half of those present for it. Counts that do not add up are
/// refused.
pub fn meeting_decides(
    present: i64,
    votes_for: i64,
    against: i64,
    quorum: i64,
) -> Result<bool, DeliberationError> {
    const MOST: i64 = 1_000_000;
    if present <= 0
        || present > MOST
        || !(0..=MOST).contains(&votes_for)
        || !(0..=MOST).contains(&against)
        || votes_for + against > present
    {
        return Err(DeliberationError::Show);
    }
    Ok(present >= quorum && votes_for * 2 > present)
}

/// A rating of the outcome, 1 to 5.
pub fn check_score(score: i64) -> Result<i64, DeliberationError> {
    if (1..=5).contains(&score) {
        Ok(score)
    } else {
        Err(DeliberationError::Score)
    }
}

/// Attendees written one a line; at most 500, each up to 30 characters.
pub fn parse_attendees(s: &str) -> Result<Vec<String>, DeliberationError> {
    let v: Vec<String> = s
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if v.len() > 500 || v.iter().any(|n| n.chars().count() > 30) {
        return Err(DeliberationError::Attendees);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProposalState::*;

    #[test]
    fn supports_bring_it_to_staff_and_never_decide() {
        assert_eq!(Seeking.after_support(9, 10), Seeking);
        assert_eq!(Seeking.after_support(10, 10), Review);
        assert_eq!(Agenda.after_support(50, 10), Agenda);
        assert!(Review.takes_support() && !Agenda.takes_support());
    }

    #[test]
    fn staff_move_it_along_one_way() {
        assert!(Review.may_become(Agenda) && Seeking.may_become(Declined));
        assert!(Agenda.may_become(Adopted) && Adopted.may_become(Done));
        for (a, b) in [
            (Seeking, Adopted),
            (Declined, Agenda),
            (Done, Agenda),
            (Rejected, Adopted),
        ] {
            assert!(!a.may_become(b), "{a:?} → {b:?}");
        }
    }

    #[test]
    fn a_meeting_decides_by_more_than_half_of_those_present() {
        assert_eq!(meeting_decides(30, 16, 10, 20), Ok(true));
        assert_eq!(meeting_decides(30, 15, 10, 20), Ok(false));
        assert_eq!(meeting_decides(19, 19, 0, 20), Ok(false), "no quorum");
        assert!(meeting_decides(10, 8, 5, 1).is_err());
        assert!(meeting_decides(0, 0, 0, 0).is_err());
    }

    #[test]
    fn scores_and_attendees() {
        assert!(check_score(0).is_err() && check_score(6).is_err() && check_score(5).is_ok());
        assert_eq!(
            parse_attendees("王秀兰\n\n 李建华 \n").unwrap(),
            vec!["王秀兰", "李建华"]
        );
    }
}
