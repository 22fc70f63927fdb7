//! 民主协商 (六民工作法) — first part: owners' decisions under Civil Code
//! art. 278 (`rules`), the roll they are counted on (`roll`), and sharing a
//! decided cost (`shares`). Ballots are one per owner across channels
//! (online by the owner's account, paper entered by staff, proxy with a
//! recorded authorisation); what each owner chose is never stored beside
//! who they are.

pub mod proposals;
pub mod roll;
pub mod rules;
pub mod shares;

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DeliberationError {
    #[error("表决事项应为民法典第二百七十八条第1至9项,收到 {0}")]
    Item(i64),
    #[error("专有面积应为大于 0 的数字,最多两位小数(平方米):{0}")]
    Area(String),
    #[error("{0} 没有专有部分面积,请先在业主名册中补齐")]
    NoArea(String),
    #[error("数值过大")]
    Overflow,
    #[error("分摊金额不能为负数")]
    Amount,
    #[error("分摊系数不能为负数,且不能全部为 0")]
    Weight,
    #[error("分摊系数表没有第 {0} 层")]
    FloorUncovered(i64),
    #[error("系数表写法应为 楼层:系数,如 1:0, 2:10:{0}")]
    Table(String),
    #[error("金额应为不小于 0 的数字,最多两位小数(元):{0}")]
    Money(String),
    #[error("其他资金来源每行写 来源:金额,如 政府补贴:200000:{0}")]
    Funding(String),
    #[error("{0}")]
    Unknown(String),
    #[error("标题 1 到 60 字,说明不超过 2000 字")]
    Text,
    #[error("候选人 2 到 20 个,各不相同,每个不超过 30 字")]
    Candidates,
    #[error("截止日期应在今天之后 90 天之内")]
    Deadline,
    #[error("请从选项中选择")]
    Choice,
    #[error("表决人数不对:赞成与反对之和不能超过到会人数")]
    Show,
    #[error("评价请选 1 到 5 星")]
    Score,
    #[error("参会人员每行一人,每人不超过 30 字,最多 500 人")]
    Attendees,
}

/// How a ballot reached the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// 网上投票: the owner's own account
    Online,
    /// 纸质票: entered by staff from the paper ballot
    Paper,
    /// 委托投票: a proxy with a written authorisation (委托书)
    Proxy,
}

named_enum!(Channel, NameError, "投票方式",
    Online => "online", "网上投票",
    Paper => "paper", "纸质票",
    Proxy => "proxy", "委托投票",
);

/// Where a vote stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteState {
    /// being prepared; the roll is not taken yet
    Draft,
    /// taking ballots on a frozen roll
    Open,
    /// counted; immutable
    Closed,
}

named_enum!(VoteState, NameError, "表决状态",
    Draft => "draft", "准备中",
    Open => "open", "投票中",
    Closed => "closed", "已结束",
);

/// Which part of an estate votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Estate,
    Building,
    Unit,
}

named_enum!(ScopeKind, NameError, "表决范围",
    Estate => "estate", "全小区",
    Building => "building", "一栋楼",
    Unit => "unit", "一个单元",
);

impl ScopeKind {
    /// A place as forms name it: `unit:12`.
    pub fn key_of(kind: &str, id: i64) -> String {
        format!("{kind}:{id}")
    }

    /// Reads `estate:1`, `building:3`, `unit:12`.
    pub fn parse_key(s: &str) -> Option<(ScopeKind, i64)> {
        let (k, i) = s.split_once(':')?;
        Some((k.parse().ok()?, i.parse().ok()?))
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum NameError {
    #[error("未知的{what}:{got}")]
    Unknown { what: &'static str, got: String },
}

/// The choices of a matter put to the vote.
pub const YES: &str = "同意";
pub const NO: &str = "反对";
pub const ABSTAIN: &str = "弃权";

/// The options of a vote: 同意/反对/弃权 for a matter, or the candidates
/// and 弃权 for an election (选聘物业 among N companies).
pub fn options(candidates: &[String]) -> Vec<String> {
    if candidates.is_empty() {
        vec![YES.to_owned(), NO.to_owned(), ABSTAIN.to_owned()]
    } else {
        let mut v = candidates.to_vec();
        v.push(ABSTAIN.to_owned());
        v
    }
}

/// The options that can win: 同意, or each candidate.
pub fn approving(options: &[String]) -> Vec<&str> {
    options
        .iter()
        .map(String::as_str)
        .filter(|o| *o != NO && *o != ABSTAIN)
        .collect()
}

/// Checks a vote's title, text and candidates (one per line).
pub fn check_matter(
    title: &str,
    body: &str,
    candidates: &str,
) -> Result<(String, String, Vec<String>), DeliberationError> {
    let title = title.trim();
    let body = body.trim();
    let n = title.chars().count();
    if n == 0 || n > 60 || body.chars().count() > 2000 {
        return Err(DeliberationError::Text);
    }
    let cands: Vec<String> = candidates
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let mut uniq = cands.clone();
    uniq.sort();
    uniq.dedup();
    let reserved = cands
        .iter()
        .any(|c| [YES, NO, ABSTAIN].contains(&c.as_str()));
    if !cands.is_empty()
        && (cands.len() < 2
            || cands.len() > 20
            || uniq.len() != cands.len()
            || reserved
            || cands.iter().any(|c| c.chars().count() > 30))
    {
        return Err(DeliberationError::Candidates);
    }
    Ok((title.to_owned(), body.to_owned(), cands))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matter_has_three_options_and_an_election_its_candidates() {
        assert_eq!(options(&[]), vec!["同意", "反对", "弃权"]);
        assert_eq!(approving(&options(&[])), vec!["同意"]);
        let c = vec!["甲物业".to_owned(), "乙物业".to_owned()];
        assert_eq!(approving(&options(&c)), vec!["甲物业", "乙物业"]);
    }

    #[test]
    fn places_read_back_their_keys() {
        assert_eq!(
            ScopeKind::parse_key(&ScopeKind::key_of("unit", 12)),
            Some((ScopeKind::Unit, 12))
        );
        for bad in ["", "unit", "room:1", "unit:x", "unit:"] {
            assert_eq!(ScopeKind::parse_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn matters_are_checked() {
        assert!(check_matter("加装电梯", "", "").is_ok());
        assert!(check_matter(" ", "", "").is_err());
        assert!(check_matter("选聘物业", "", "甲").is_err());
        assert!(check_matter("选聘物业", "", "甲\n甲").is_err());
        assert!(check_matter("选聘物业", "", "甲\n同意").is_err());
        let (_, _, c) = check_matter("选聘物业", "", "甲\n\n乙\n").unwrap();
        assert_eq!(c, vec!["甲", "乙"]);
    }
}
