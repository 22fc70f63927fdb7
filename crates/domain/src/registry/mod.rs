//! 人房地情 — residents and households: what a community keeps about a
//! person, parsed and checked before anything is stored. ID numbers and
//! phones are types whose `Debug` is masked and which have no `Display`.

mod id_number;
pub mod occupancy;
mod phone;
mod row;
mod search;

pub use id_number::{CnId, CnIdKind, IdError, with_check_char};
pub use phone::{Phone, PhoneError};
pub use row::{REQUIRED_COLUMNS, RESIDENT_COLUMNS, ResidentRow, parse_date, split_tags};
pub use search::{NUMBER_SEARCHES_PER_HOUR, SearchText};

use crate::territory::places::normalise_cell;
use std::fmt;
use time::Date;

/// 性别
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn parse(s: &str) -> Option<Gender> {
        match normalise_cell(s).as_str() {
            "男" | "男性" | "M" | "m" | "1" => Some(Gender::Male),
            "女" | "女性" | "F" | "f" | "2" => Some(Gender::Female),
            _ => None,
        }
    }
    pub const fn code(self) -> &'static str {
        match self {
            Gender::Male => "M",
            Gender::Female => "F",
        }
    }
    pub fn from_code(s: &str) -> Option<Gender> {
        match s {
            "M" => Some(Gender::Male),
            "F" => Some(Gender::Female),
            _ => None,
        }
    }
    pub const fn label(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
}

/// 证件类型
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// 居民身份证
    IdCard,
    /// 外国人永久居留身份证
    ForeignPermanent,
    /// 港澳台居民居住证
    ResidencePermit,
    /// 护照
    Passport,
    /// 港澳居民来往内地通行证 / 台湾居民来往大陆通行证
    TravelPermit,
    /// 其他
    Other,
}

impl DocKind {
    pub const ALL: [DocKind; 6] = [
        DocKind::IdCard,
        DocKind::ForeignPermanent,
        DocKind::ResidencePermit,
        DocKind::Passport,
        DocKind::TravelPermit,
        DocKind::Other,
    ];
    pub const fn label(self) -> &'static str {
        match self {
            DocKind::IdCard => "居民身份证",
            DocKind::ForeignPermanent => "外国人永久居留身份证",
            DocKind::ResidencePermit => "港澳台居民居住证",
            DocKind::Passport => "护照",
            DocKind::TravelPermit => "来往内地(大陆)通行证",
            DocKind::Other => "其他",
        }
    }
    pub const fn code(self) -> &'static str {
        match self {
            DocKind::IdCard => "id_card",
            DocKind::ForeignPermanent => "foreign_permanent",
            DocKind::ResidencePermit => "residence_permit",
            DocKind::Passport => "passport",
            DocKind::TravelPermit => "travel_permit",
            DocKind::Other => "other",
        }
    }
    pub fn from_code(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.code() == s)
    }
    /// From what people write in the 证件类型 column; empty means 身份证.
    pub fn parse(s: &str) -> Option<DocKind> {
        let t = normalise_cell(s);
        Some(match t.as_str() {
            "" | "身份证" | "居民身份证" | "二代身份证" | "身份证号" => {
                DocKind::IdCard
            }
            "外国人永久居留身份证" | "永久居留身份证" | "外国人永久居留证" => {
                DocKind::ForeignPermanent
            }
            "港澳台居民居住证" | "居住证" => DocKind::ResidencePermit,
            "护照" => DocKind::Passport,
            "港澳居民来往内地通行证" | "台湾居民来往大陆通行证" | "回乡证" | "台胞证" => {
                DocKind::TravelPermit
            }
            "其他" | "其它" => DocKind::Other,
            _ => return None,
        })
    }
    /// The text a document's blind index is computed over: the family and
    /// the normalised number, so a passport number never matches an ID
    /// number while the three GB 11643 documents share one family.
    pub fn index_text(self, number: &str) -> String {
        let family = if self.is_gb11643() {
            "gb11643"
        } else {
            self.code()
        };
        format!("{family}:{number}")
    }

    /// Whether numbers of this kind follow GB 11643.
    pub const fn is_gb11643(self) -> bool {
        matches!(
            self,
            DocKind::IdCard | DocKind::ForeignPermanent | DocKind::ResidencePermit
        )
    }
}

/// A person's document: a checked GB 11643 number or another document's
/// number. `Debug` masks it.
#[derive(Clone, PartialEq, Eq)]
pub enum Document {
    Cn(DocKind, CnId),
    Other(DocKind, String),
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Document({})", self.masked())
    }
}

impl Document {
    pub fn parse(kind: DocKind, number: &str, today: Date) -> Result<Document, String> {
        if kind.is_gb11643() {
            return CnId::parse(number, today)
                .map(|id| Document::Cn(kind, id))
                .map_err(|e| e.to_string());
        }
        let n: String = normalise_cell(number)
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if (5..=20).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Document::Other(kind, n))
        } else {
            Err(format!("{}号码应为 5–20 位字母或数字", kind.label()))
        }
    }
    pub fn kind(&self) -> DocKind {
        match self {
            Document::Cn(k, _) | Document::Other(k, _) => *k,
        }
    }
    /// The clear number, for encryption and the blind index only.
    pub fn expose(&self) -> &str {
        match self {
            Document::Cn(_, id) => id.expose(),
            Document::Other(_, n) => n,
        }
    }
    /// The text the blind index is computed over (see [`DocKind::index_text`]).
    pub fn index_text(&self) -> String {
        self.kind().index_text(self.expose())
    }
    pub fn masked(&self) -> String {
        match self {
            Document::Cn(_, id) => id.masked(),
            Document::Other(_, n) => mask_middle(n, 2, 2),
        }
    }
}

/// Keeps `head` and `tail` characters and stars the rest.
pub fn mask_middle(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len().max(1));
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// `张*`, `欧阳**`: the first character stays.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// Whole years between `birth` and `today`.
pub fn age_on(birth: Date, today: Date) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month() as u8, today.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

/// 政治面貌
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Political {
    /// 中共党员
    PartyMember,
    /// 中共预备党员
    Probationary,
    /// 共青团员
    League,
    /// 民主党派
    Democratic,
    /// 群众
    Masses,
}

impl Political {
    pub fn parse(s: &str) -> Option<Political> {
        Some(match normalise_cell(s).as_str() {
            "党员" | "中共党员" | "中国共产党党员" => Political::PartyMember,
            "预备党员" | "中共预备党员" => Political::Probationary,
            "团员" | "共青团员" => Political::League,
            "民主党派" | "民主党派成员" => Political::Democratic,
            "" | "群众" => Political::Masses,
            _ => return None,
        })
    }
    pub const fn label(self) -> &'static str {
        match self {
            Political::PartyMember => "中共党员",
            Political::Probationary => "中共预备党员",
            Political::League => "共青团员",
            Political::Democratic => "民主党派",
            Political::Masses => "群众",
        }
    }
}

/// 居住类型
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Residency {
    /// 户籍 (registered here)
    Registered,
    /// 长住 (long-term, incl. long-term tenants)
    LongTerm,
    /// 短租 (short-term tenant)
    ShortTerm,
}

impl Residency {
    pub const ALL: [Residency; 3] = [
        Residency::Registered,
        Residency::LongTerm,
        Residency::ShortTerm,
    ];
    pub fn parse(s: &str) -> Option<Residency> {
        Some(match normalise_cell(s).as_str() {
            "" | "户籍" | "户籍人口" | "常住户籍" => Residency::Registered,
            "长住" | "常住" | "长租" | "流动人口" | "长期租住" => Residency::LongTerm,
            "短租" | "短住" | "临时居住" => Residency::ShortTerm,
            _ => return None,
        })
    }
    pub const fn code(self) -> &'static str {
        match self {
            Residency::Registered => "registered",
            Residency::LongTerm => "long_term",
            Residency::ShortTerm => "short_term",
        }
    }
    pub fn from_code(s: &str) -> Option<Residency> {
        Residency::ALL.into_iter().find(|r| r.code() == s)
    }
    pub const fn label(self) -> &'static str {
        match self {
            Residency::Registered => "户籍",
            Residency::LongTerm => "长住",
            Residency::ShortTerm => "短租",
        }
    }
}

/// The 56 民族 (GB/T 3304) and the two other entries the standard has.
pub const ETHNICITIES: [&str; 58] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
    "其他",
    "外国血统",
];

/// `汉` → `汉族`; `None` when it is no 民族 of the list.
pub fn parse_ethnicity(s: &str) -> Option<String> {
    let t = normalise_cell(s);
    if t.is_empty() {
        return Some(String::new());
    }
    ETHNICITIES
        .iter()
        .find(|e| **e == t || e.strip_suffix('族') == Some(t.as_str()))
        .map(|e| (*e).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn masks() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(mask_middle("E12345678", 2, 2), "E1*****78");
    }

    #[test]
    fn ages_count_whole_years() {
        let b = date!(1950 - 06 - 15);
        assert_eq!(age_on(b, date!(2026 - 06 - 14)), 75);
        assert_eq!(age_on(b, date!(2026 - 06 - 15)), 76);
    }

    #[test]
    fn labels_parse() {
        assert_eq!(parse_ethnicity("汉").as_deref(), Some("汉族"));
        assert_eq!(parse_ethnicity("满族").as_deref(), Some("满族"));
        assert_eq!(parse_ethnicity("火星族"), None);
        assert_eq!(Political::parse("党员"), Some(Political::PartyMember));
        assert_eq!(Residency::parse("短租"), Some(Residency::ShortTerm));
        assert_eq!(DocKind::parse(""), Some(DocKind::IdCard));
        assert_eq!(Gender::parse("女"), Some(Gender::Female));
    }

    #[test]
    fn documents_of_other_kinds_are_indexed_apart() {
        let today = date!(2026 - 11 - 22);
        let p = Document::parse(DocKind::Passport, "e1234 5678", today).unwrap();
        assert_eq!(p.expose(), "E12345678");
        assert_eq!(p.index_text(), "passport:E12345678");
        let id = Document::parse(DocKind::IdCard, "11010519491231002X", today).unwrap();
        assert_eq!(id.index_text(), "gb11643:11010519491231002X");
        assert!(Document::parse(DocKind::Passport, "中文", today).is_err());
    }
}
