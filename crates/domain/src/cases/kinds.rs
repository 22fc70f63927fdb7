//! The named values a case carries: what it is, how it came in, how
//! urgent it is, and who handles it.

use super::CaseError;

/// 诉求类型
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseKind {
    Consult,
    Help,
    Complaint,
    Report,
    Suggestion,
    Snapshot,
}

named_enum!(CaseKind, CaseError, "诉求类型",
    Consult => "consult", "咨询",
    Help => "help", "求助",
    Complaint => "complaint", "投诉",
    Report => "report", "举报",
    Suggestion => "suggestion", "建议",
    Snapshot => "snapshot", "随手拍",
);

/// 来源渠道 — every case records how it came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// a resident's own report on the web (logged in or with a phone number)
    Resident,
    /// a grid worker's patrol report (巡查上报)
    Patrol,
    /// staff entering a phone call
    Phone,
    /// staff entering a 居民说事日 record
    MeetingDay,
    /// a partner's system over the API
    Api,
    /// Open311 GeoReport v2
    Open311,
}

named_enum!(Channel, CaseError, "来源渠道",
    Resident => "resident", "居民上报",
    Patrol => "patrol", "网格员巡查",
    Phone => "phone", "电话受理",
    MeetingDay => "meeting_day", "居民说事日",
    Api => "api", "系统对接",
    Open311 => "open311", "Open311",
);

/// 紧急程度
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Priority {
    Normal,
    Urgent,
}

named_enum!(Priority, CaseError, "紧急程度",
    Normal => "normal", "一般",
    Urgent => "urgent", "紧急",
);

/// 处置主体 — who a case is dispatched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandlerKind {
    GridWorker,
    CommunityTeam,
    PartyGroup,
    VolunteerTeam,
    PartnerUnit,
    Department,
}

named_enum!(HandlerKind, CaseError, "处置主体",
    GridWorker => "grid_worker", "网格员",
    CommunityTeam => "community_team", "社区工作组",
    PartyGroup => "party_group", "行动党小组",
    VolunteerTeam => "volunteer_team", "志愿服务队",
    PartnerUnit => "partner_unit", "共建单位",
    Department => "department", "街道职能部门",
);

/// The human-readable case number: the day (China time) and its sequence,
/// `2026112200017` for the 17th case of 22 November 2026.
pub fn case_number(day: time::Date, seq: u32) -> String {
    format!(
        "{:04}{:02}{:02}{seq:05}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn names_round_trip_and_unknown_ones_say_what() {
        for k in CaseKind::ALL {
            assert_eq!(k.as_str().parse::<CaseKind>().unwrap(), *k);
        }
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>().unwrap(), *c);
        }
        let e = "fax".parse::<Channel>().unwrap_err();
        assert_eq!(e.to_string(), "未知的来源渠道“fax”");
        assert_eq!(HandlerKind::Department.label_zh(), "街道职能部门");
    }

    #[test]
    fn case_numbers_are_day_and_sequence() {
        assert_eq!(case_number(date!(2026 - 11 - 22), 17), "2026112200017");
        assert_eq!(case_number(date!(2026 - 01 - 05), 99_999), "2026010599999");
    }
}
