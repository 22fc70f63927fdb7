//! 共建单位 (issue 24): the units around a community — 机关, schools,
//! hospitals, firms, social organisations — that report in to it (单位报到),
//! sign a 共建协议, and keep 三张清单 with it: needs (需求清单), what they
//! offer (资源清单) and the projects that meet one with the other (项目清单),
//! decided at the 大党委's 联席会议 and funded with 共建资金 and goods.

pub mod matching;

use thiserror::Error;

/// What the rules of partnership refuse, in words for the person.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PartnersError {
    #[error("{0}")]
    Refused(&'static str),
    #[error("{what}不能为空,且不超过 {max} 字")]
    Text { what: &'static str, max: usize },
    #[error("未知的{what}:{got}")]
    Unknown { what: &'static str, got: String },
}

/// Kinds of unit (单位类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Organ,
    Institution,
    School,
    Hospital,
    Private,
    Social,
}

named_enum!(UnitKind, PartnersError, "单位类型",
    Organ => "organ", "机关",
    Institution => "institution", "企事业单位",
    School => "school", "学校",
    Hospital => "hospital", "医院",
    Private => "private", "非公企业",
    Social => "social", "社会组织",
);

/// What a unit offers (资源类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Venue,
    People,
    Money,
    Goods,
    Service,
}

named_enum!(ResourceKind, PartnersError, "资源类型",
    Venue => "venue", "场地",
    People => "people", "人力",
    Money => "money", "资金",
    Goods => "goods", "物资",
    Service => "service", "服务",
);

/// Where a need came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedSource {
    Staff,
    Resident,
    Case,
    Visit,
}

named_enum!(NeedSource, PartnersError, "需求来源",
    Staff => "staff", "社区梳理",
    Resident => "resident", "居民提出",
    Case => "case", "诉求转入",
    Visit => "visit", "走访发现",
);

/// Where a need stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedState {
    /// 待对接: open to every unit reported in
    Open,
    /// 单位已认领 (你点我来): waits for a meeting or staff to make it a project
    Taken,
    /// 已立项
    Project,
    /// 已解决
    Met,
    /// 已关闭 (not pursued)
    Closed,
}

named_enum!(NeedState, PartnersError, "需求状态",
    Open => "open", "待对接",
    Taken => "taken", "单位已认领",
    Project => "project", "已立项",
    Met => "met", "已解决",
    Closed => "closed", "已关闭",
);

impl NeedState {
    /// Whether a meeting or staff may still make it a project.
    pub fn awaits_project(self) -> bool {
        matches!(self, NeedState::Open | NeedState::Taken)
    }
}

/// Where a project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectState {
    Underway,
    Done,
}

named_enum!(ProjectState, PartnersError, "项目状态",
    Underway => "underway", "实施中",
    Done => "done", "已完成",
);

/// What a unit put into a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundingKind {
    /// 共建资金, in 分
    Money,
    /// 物资 at their value, in 分
    Goods,
    /// 服务时长, in minutes
    Hours,
}

named_enum!(FundingKind, PartnersError, "投入类型",
    Money => "money", "共建资金",
    Goods => "goods", "物资折价",
    Hours => "hours", "服务时长",
);

/// The categories of needs and resources (one list so they match).
pub const CATEGORIES: [&str; 9] = [
    "医疗健康",
    "助老助餐",
    "停车交通",
    "环境卫生",
    "教育文化",
    "法律服务",
    "就业帮扶",
    "场地设施",
    "其他",
];

/// Checks a category name.
pub fn category(s: &str) -> Result<&'static str, PartnersError> {
    CATEGORIES
        .iter()
        .copied()
        .find(|c| *c == s.trim())
        .ok_or_else(|| PartnersError::Unknown {
            what: "类别",
            got: s.trim().to_owned(),
        })
}

/// Checks a piece of text a person typed: trimmed, not empty, at most
/// `max` characters.
pub fn text(what: &'static str, s: &str, max: usize) -> Result<String, PartnersError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(PartnersError::Text { what, max });
    }
    Ok(t.to_owned())
}

/// Text that may be empty, at most `max` characters.
pub fn optional(what: &'static str, s: &str, max: usize) -> Result<String, PartnersError> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(PartnersError::Text { what, max });
    }
    Ok(t.to_owned())
}

/// What a unit may read of a need taken from a case or a visit: runs of
/// seven or more digits (phones, ID numbers) become `***`, and each name
/// in `names` (the reporter, the people visited) becomes `居民`, as does
/// its surname followed by 先生/女士/大爷/大妈/阿姨/奶奶/爷爷.
pub fn strip_personal(text: &str, names: &[&str]) -> String {
    let mut out = mask_rooms(&crate::cases::publish::public_text(text));
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        out = out.replace(name, "居民");
        if let Some(surname) = name.chars().next() {
            for title in ["先生", "女士", "大爷", "大妈", "阿姨", "奶奶", "爷爷"] {
                out = out.replace(&format!("{surname}{title}"), "居民");
            }
        }
    }
    out
}

/// Door numbers become `某`: a number before 室/户/单元/层, after 单元, or
/// in a dash run (`3-2-502`) — `3号楼2单元502室` → `3号楼某单元某室`. The
/// building stays (it locates the need, not a person).
pub fn mask_rooms(text: &str) -> String {
    const BEFORE: [&str; 4] = ["室", "户", "单元", "层"];
    let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let dash = |c: char| matches!(c, '-' | '—' | '－');
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_digit(chars[i]) {
            i += 1;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let after_unit = out.ends_with("单元");
        let in_dashes = (start > 0 && dash(chars[start - 1]))
            || (i + 1 < chars.len() && dash(chars[i]) && is_digit(chars[i + 1]));
        if after_unit || in_dashes || BEFORE.iter().any(|b| rest.starts_with(b)) {
            out.push('某');
        } else {
            out.extend(&chars[start..i]);
        }
    }
    out
}

/// The grade of a yearly evaluation from its score (0–100).
pub fn grade(score: i64) -> Result<&'static str, PartnersError> {
    Ok(match score {
        90..=100 => "优秀",
        75..=89 => "良好",
        60..=74 => "合格",
        0..=59 => "不合格",
        _ => return Err(PartnersError::Refused("评分应为 0 到 100 的整数")),
    })
}

/// A date typed as `YYYY-MM-DD`, checked.
pub fn date(what: &'static str, s: &str) -> Result<String, PartnersError> {
    crate::registry::parse_date(s)
        .map(|d| d.to_string())
        .ok_or(PartnersError::Text { what, max: 10 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_need_from_a_case_loses_phones_ids_and_names() {
        let s = strip_personal(
            "王秀兰家里老人行动不便,王女士电话13812345678,身份证220103195001011234",
            &["王秀兰"],
        );
        assert!(!s.contains("王秀兰") && !s.contains("王女士"), "{s}");
        assert!(!s.contains("1381234") && !s.contains("2201031950"), "{s}");
        assert!(s.contains("老人行动不便"));
    }

    #[test]
    fn door_numbers_go_the_building_stays() {
        assert_eq!(mask_rooms("3号楼2单元502室漏水"), "3号楼某单元某室漏水");
        assert_eq!(
            mask_rooms("家住3-2-502,5栋有7位老人"),
            "家住某-某-某,5栋有7位老人"
        );
        assert_eq!(mask_rooms("2单元502"), "某单元某");
        assert_eq!(mask_rooms("每月2次,共30个车位"), "每月2次,共30个车位");
    }

    #[test]
    fn grades_follow_the_score() {
        assert_eq!(grade(95), Ok("优秀"));
        assert_eq!(grade(75), Ok("良好"));
        assert_eq!(grade(60), Ok("合格"));
        assert_eq!(grade(0), Ok("不合格"));
        assert!(grade(101).is_err() && grade(-1).is_err());
    }

    #[test]
    fn names_round_trip_and_categories_are_checked() {
        for k in UnitKind::ALL {
            assert_eq!(k.as_str().parse::<UnitKind>(), Ok(*k));
        }
        assert_eq!(category(" 医疗健康 "), Ok("医疗健康"));
        assert!(category("算命").is_err());
        assert!(NeedState::Taken.awaits_project() && !NeedState::Met.awaits_project());
    }
}
