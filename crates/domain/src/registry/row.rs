//! One row of the 居民 spreadsheet, checked: the ID number against GB 11643
//! and against the row's own birth date and gender, the phone, the
//! dwelling's address, the labels. Every failure is a Chinese reason.

use super::{DocKind, Document, Gender, Phone, Political, Residency, parse_ethnicity};
use crate::territory::places::{clean_name, clean_room, normalise_cell, place_part};
use time::{Date, Month};

/// The columns of the 居民 sheet: our template's name, then the names
/// communities also use. Matched by name in any order.
pub const RESIDENT_COLUMNS: [(&str, &[&str]); 16] = [
    ("姓名", &["名字", "居民姓名"]),
    ("性别", &[]),
    ("出生日期", &["出生年月", "生日", "出生年月日"]),
    ("证件类型", &["证件种类"]),
    (
        "证件号码",
        &["身份证号", "身份证号码", "公民身份号码", "证件号"],
    ),
    (
        "联系电话",
        &["手机号", "电话", "手机", "手机号码", "联系方式"],
    ),
    ("民族", &[]),
    ("政治面貌", &[]),
    ("小区", &["小区名称", "院落"]),
    ("楼栋", &["楼号", "楼栋号", "楼栋名称"]),
    ("单元", &["单元号"]),
    ("房号", &["门牌号", "室", "房间号"]),
    ("与户主关系", &["关系", "户主关系"]),
    ("居住类型", &["人口类型", "居住状态"]),
    ("标签", &["人员标签", "特殊人群"]),
    ("工作单位", &["单位", "工作单位/学校"]),
];

/// The columns a file must have.
pub const REQUIRED_COLUMNS: [&str; 6] = ["姓名", "证件号码", "小区", "楼栋", "单元", "房号"];

/// A checked resident row.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentRow {
    pub name: String,
    pub gender: Gender,
    pub birth: Date,
    pub document: Document,
    pub phone: Option<Phone>,
    pub ethnicity: String,
    pub political: Political,
    pub estate: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub relation: String,
    pub residency: Residency,
    pub tags: Vec<String>,
    pub work_unit: String,
}

/// `独居老人、低保` → the tag names (also split on , ， ; ； and spaces).
pub fn split_tags(s: &str) -> Vec<String> {
    let mut tags: Vec<String> = normalise_cell(s)
        .split(['、', ',', '，', ';', '；', ' ', '/'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    tags.dedup();
    tags
}

/// A date as spreadsheets hold it: `1949-12-31`, `1949/12/31`,
/// `1949.12.31`, `19491231`, `1949年12月31日`, or ISO with a time.
pub fn parse_date(s: &str) -> Option<Date> {
    let t = normalise_cell(s);
    let t = t.split(['T', ' ']).next().unwrap_or("");
    let parts: Vec<&str> = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        vec![&t[..4], &t[4..6], &t[6..]]
    } else {
        t.trim_end_matches('日')
            .split(['-', '/', '.', '年', '月'])
            .collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

fn short(v: &str, column: &str, max: usize) -> Result<String, String> {
    let v = normalise_cell(v);
    if v.is_empty() {
        return Ok(v);
    }
    clean_name(&v, max).map_err(|_| format!("{column}不超过 {max} 字"))
}

impl ResidentRow {
    /// Parses a row from its cells by column name; `today` bounds dates.
    pub fn parse<'a>(cell: impl Fn(&str) -> &'a str, today: Date) -> Result<ResidentRow, String> {
        let name = clean_name(&normalise_cell(cell("姓名")), 30)
            .map_err(|_| "姓名不能为空且不超过 30 字".to_owned())?;
        let kind_text = cell("证件类型");
        let kind = DocKind::parse(kind_text)
            .ok_or_else(|| format!("证件类型“{}”不认识", normalise_cell(kind_text)))?;
        let document = Document::parse(kind, cell("证件号码"), today)?;
        let gender_text = normalise_cell(cell("性别"));
        let gender = match (gender_text.as_str(), &document) {
            ("", Document::Cn(..)) => None,
            ("", Document::Other(..)) => return Err("性别不能为空".into()),
            (g, _) => Some(Gender::parse(g).ok_or_else(|| format!("性别应为 男 或 女,得到“{g}”"))?),
        };
        let birth_text = normalise_cell(cell("出生日期"));
        let birth = match birth_text.as_str() {
            "" => None,
            b => Some(parse_date(b).ok_or_else(|| format!("出生日期“{b}”不是有效日期"))?),
        };
        let (gender, birth) = match &document {
            Document::Cn(_, id) => {
                let id_gender = if id.is_male() {
                    Gender::Male
                } else {
                    Gender::Female
                };
                if gender.is_some_and(|g| g != id_gender) {
                    return Err(format!(
                        "性别与身份证号不符(身份证号为{})",
                        id_gender.label()
                    ));
                }
                if birth.is_some_and(|b| b != id.birth()) {
                    return Err(format!("出生日期与身份证号不符(身份证号为 {})", id.birth()));
                }
                (id_gender, id.birth())
            }
            Document::Other(..) => {
                let b = birth.ok_or("出生日期不能为空")?;
                (gender.unwrap_or(Gender::Male), b)
            }
        };
        if birth > today {
            return Err("出生日期晚于今天".into());
        }
        let phone = match normalise_cell(cell("联系电话")).as_str() {
            "" => None,
            p => Some(Phone::parse(p).map_err(|e| e.to_string())?),
        };
        let eth = cell("民族");
        let ethnicity = parse_ethnicity(eth)
            .ok_or_else(|| format!("民族“{}”不在国家标准民族名称中", normalise_cell(eth)))?;
        let pol = cell("政治面貌");
        let political = Political::parse(pol)
            .ok_or_else(|| format!("政治面貌“{}”不认识", normalise_cell(pol)))?;
        let res = cell("居住类型");
        let residency = Residency::parse(res)
            .ok_or_else(|| format!("居住类型应为 户籍/长住/短租,得到“{}”", normalise_cell(res)))?;
        Ok(ResidentRow {
            name,
            gender,
            birth,
            document,
            phone,
            ethnicity,
            political,
            estate: place_part(cell("小区"), "小区", "")?,
            building: place_part(cell("楼栋"), "楼栋", "号楼")?,
            unit: place_part(cell("单元"), "单元", "单元")?,
            room: clean_room(&normalise_cell(cell("房号"))).map_err(|e| e.to_string())?,
            relation: short(cell("与户主关系"), "与户主关系", 10)?,
            residency,
            tags: split_tags(cell("标签")),
            work_unit: short(cell("工作单位"), "工作单位", 60)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn row(pairs: &[(&str, &str)]) -> Result<ResidentRow, String> {
        let m: HashMap<&str, &str> = pairs.iter().copied().collect();
        ResidentRow::parse(|c| m.get(c).copied().unwrap_or(""), TODAY)
    }

    const BASE: [(&str, &str); 6] = [
        ("姓名", "王秀兰"),
        ("证件号码", "11010519491231002X"),
        ("小区", "长山花园小区"),
        ("楼栋", "5"),
        ("单元", "1"),
        ("房号", "301"),
    ];

    #[test]
    fn a_row_takes_gender_and_birth_from_the_id() {
        let r = row(&BASE).unwrap();
        assert_eq!(r.gender, Gender::Female);
        assert_eq!(r.birth, date!(1949 - 12 - 31));
        assert_eq!((r.building.as_str(), r.unit.as_str()), ("5号楼", "1单元"));
        assert_eq!(r.residency, Residency::Registered);
    }

    #[test]
    fn a_row_disagreeing_with_its_id_is_refused() {
        let mut p = BASE.to_vec();
        p.push(("性别", "男"));
        assert!(row(&p).unwrap_err().contains("性别与身份证号不符"));
        let mut p = BASE.to_vec();
        p.push(("出生日期", "1950-01-01"));
        assert!(row(&p).unwrap_err().contains("出生日期与身份证号不符"));
        let mut p = BASE.to_vec();
        p.push(("出生日期", "1949年12月31日"));
        p.push(("标签", "独居老人、低保,  重点关怀"));
        p.push(("联系电话", "138 1234 5678"));
        let r = row(&p).unwrap();
        assert_eq!(r.tags, ["独居老人", "低保", "重点关怀"]);
        assert_eq!(r.phone.unwrap().masked(), "138****5678");
    }

    #[test]
    fn dates_in_the_ways_people_write_them() {
        for s in [
            "1949-12-31",
            "1949/12/31",
            "1949.12.31",
            "19491231",
            "1949年12月31日",
            "1949-12-31T00:00:00",
        ] {
            assert_eq!(parse_date(s), Some(date!(1949 - 12 - 31)), "{s}");
        }
        for s in ["1949-02-30", "31/12/1949x", "", "abc"] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn passports_need_gender_and_birth() {
        let mut p = BASE.to_vec();
        p[1] = ("证件号码", "E12345678");
        p.push(("证件类型", "护照"));
        assert_eq!(row(&p).unwrap_err(), "性别不能为空");
        p.push(("性别", "女"));
        p.push(("出生日期", "1980-02-29"));
        assert_eq!(row(&p).unwrap().birth, date!(1980 - 02 - 29));
    }
}
