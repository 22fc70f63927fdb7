//! 行政区划 — the administrative levels of the territory tree, with the
//! 12-digit statistical codes (统计用区划代码; 县级以上 after GB/T 2260).

pub mod address;
pub mod coverage;
pub mod grid_index;
pub mod party;
pub mod places;

use crate::access::RegionCode;

/// The five administrative levels above grids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionLevel {
    /// 省级 (省/自治区/直辖市)
    Province = 1,
    /// 地级 (市/地区/州/盟)
    City = 2,
    /// 县级 (区/县/县级市)
    County = 3,
    /// 乡级 (街道/乡/镇)
    Street = 4,
    /// 村级 (社区居委会/村委会)
    Community = 5,
}

impl RegionLevel {
    pub const fn digits(self) -> usize {
        match self {
            RegionLevel::Province => 2,
            RegionLevel::City => 4,
            RegionLevel::County => 6,
            RegionLevel::Street => 9,
            RegionLevel::Community => 12,
        }
    }

    pub fn from_digits(n: usize) -> Option<RegionLevel> {
        [
            RegionLevel::Province,
            RegionLevel::City,
            RegionLevel::County,
            RegionLevel::Street,
            RegionLevel::Community,
        ]
        .into_iter()
        .find(|l| l.digits() == n)
    }

    pub fn from_i64(n: i64) -> Option<RegionLevel> {
        [
            RegionLevel::Province,
            RegionLevel::City,
            RegionLevel::County,
            RegionLevel::Street,
            RegionLevel::Community,
        ]
        .into_iter()
        .find(|l| *l as i64 == n)
    }

    pub const fn label_zh(self) -> &'static str {
        match self {
            RegionLevel::Province => "省",
            RegionLevel::City => "市",
            RegionLevel::County => "区县",
            RegionLevel::Street => "街道乡镇",
            RegionLevel::Community => "社区村",
        }
    }

    /// The level above, if any.
    pub fn parent(self) -> Option<RegionLevel> {
        RegionLevel::from_i64(self as i64 - 1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TerritoryError {
    #[error("区划代码 `{0}` 无效:须为 2、4、6、9 或 12 位数字")]
    BadCode(String),
    #[error("上级代码 `{parent}` 与区划代码 `{code}` 不相符")]
    ParentMismatch { code: String, parent: String },
    #[error("名称不能为空,且不超过 100 个字符")]
    BadName,
}

/// 行政区划 — one administrative unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The full 12-digit code.
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<RegionCode>,
}

impl Region {
    /// A region from its short code as the statistics print it (`22`,
    /// `2201`, `220103`, `220103008`, `220103008003`), its name and, when
    /// given, its parent's short code, which must be the code's prefix.
    pub fn parse(code: &str, name: &str, parent: Option<&str>) -> Result<Region, TerritoryError> {
        let code_t = code.trim();
        let level = RegionLevel::from_digits(code_t.len())
            .filter(|_| code_t.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| TerritoryError::BadCode(code.to_owned()))?;
        let parent_digits = level.parent().map(RegionLevel::digits);
        let parent_code = match (parent.map(str::trim), parent_digits) {
            (Some(p), Some(n)) if p.len() == n && code_t.starts_with(p) => Some(p),
            (Some(p), _) => {
                return Err(TerritoryError::ParentMismatch {
                    code: code_t.to_owned(),
                    parent: p.to_owned(),
                });
            }
            (None, Some(n)) => Some(&code_t[..n]),
            (None, None) => None,
        };
        let name_t = name.trim();
        if name_t.is_empty() || name_t.chars().count() > 100 || name_t.chars().any(char::is_control)
        {
            return Err(TerritoryError::BadName);
        }
        let full = |c: &str| {
            c.parse::<RegionCode>()
                .map_err(|_| TerritoryError::BadCode(c.to_owned()))
        };
        Ok(Region {
            code: full(code_t)?,
            name: name_t.to_owned(),
            level,
            parent: parent_code.map(full).transpose()?,
        })
    }
}

impl Region {
    /// A row that only stands in for a level the place does not have
    /// (东莞市 listed again as its own county `441900`, 金门县 as its own
    /// street): its full code is its parent's. Importers skip it; the
    /// children still find the real parent under that code.
    pub fn is_placeholder(&self) -> bool {
        self.parent.as_ref() == Some(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_community_of_changshan_garden() {
        let r = Region::parse("220103008003", "长山花园社区居委会", Some("220103008")).unwrap();
        assert_eq!(r.code.as_str(), "220103008003");
        assert_eq!(r.level, RegionLevel::Community);
        assert_eq!(r.parent.unwrap().as_str(), "220103008000");
        let p = Region::parse("22", "吉林省", None).unwrap();
        assert_eq!(
            (p.code.as_str(), p.level, p.parent),
            ("220000000000", RegionLevel::Province, None)
        );
        // the parent is implied by the code when not given
        assert_eq!(
            Region::parse("2201", "长春市", None)
                .unwrap()
                .parent
                .unwrap()
                .as_str(),
            "220000000000"
        );
    }

    #[test]
    fn bad_rows_are_named() {
        assert!(matches!(
            Region::parse("2201030", "x", None),
            Err(TerritoryError::BadCode(_))
        ));
        assert!(matches!(
            Region::parse("22010a", "x", None),
            Err(TerritoryError::BadCode(_))
        ));
        assert!(matches!(
            Region::parse("220103", "x", Some("2202")),
            Err(TerritoryError::ParentMismatch { .. })
        ));
        assert!(matches!(
            Region::parse("22", "x", Some("2")),
            Err(TerritoryError::ParentMismatch { .. })
        ));
        assert!(matches!(
            Region::parse("220103", "  ", None),
            Err(TerritoryError::BadName)
        ));
    }

    #[test]
    fn placeholder_levels_are_recognised() {
        assert!(
            Region::parse("441900", "东莞市", Some("4419"))
                .unwrap()
                .is_placeholder()
        );
        assert!(
            Region::parse("350527000", "金门县", Some("350527"))
                .unwrap()
                .is_placeholder()
        );
        assert!(
            !Region::parse("441900003", "东城街道", Some("441900"))
                .unwrap()
                .is_placeholder()
        );
    }

    #[test]
    fn levels() {
        assert_eq!(RegionLevel::Community.parent(), Some(RegionLevel::Street));
        assert_eq!(RegionLevel::Province.parent(), None);
        assert_eq!(RegionLevel::from_i64(3), Some(RegionLevel::County));
        assert_eq!(RegionLevel::from_i64(0), None);
        assert_eq!(RegionLevel::from_i64(6), None);
    }
}
