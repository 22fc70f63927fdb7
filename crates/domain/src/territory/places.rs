//! 网格与房屋 — the places below a community: grids (一级/二级/三级网格),
//! estates (小区), buildings (楼栋), units (单元) and dwellings (户).
//!
//! Grid codes extend the community's 12-digit code by 3 digits per level
//! (see `access`), so moving a grid gives its subtree new codes.

use crate::access::RegionCode;
use serde::Serialize;

/// Grids nest at most three levels deep (一级 → 二级 → 三级/微网格).
pub const MAX_GRID_LEVEL: usize = 3;
const SEQ_DIGITS: usize = 3;
const MAX_SEQ: u32 = 999;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceError {
    #[error("名称不能为空,且不超过 {max} 个字")]
    BadName { max: usize },
    #[error("网格最多三级,此操作会产生第 {0} 级网格")]
    TooDeep(usize),
    #[error("该上级下的网格编号已用完(最多 999 个)")]
    CodesExhausted,
    #[error("不能把网格移动到它自己或它的下级网格之下")]
    Cycle,
    #[error("网格只能在同一社区内移动")]
    OtherCommunity,
    #[error("楼层应在 -5 到 200 之间,得到 {0}")]
    BadFloor(i64),
    #[error("房号应为 1–16 位字母、数字或连字符,得到“{0}”")]
    BadRoom(String),
    #[error("建筑面积应在 1–10000 平方米之间,得到 {0}")]
    BadArea(f64),
}

/// A trimmed, non-empty name of at most `max` characters.
pub fn clean_name(s: &str, max: usize) -> Result<String, PlaceError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(PlaceError::BadName { max });
    }
    Ok(t.to_owned())
}

/// The level of a grid code: 1 for `community + 3 digits`, and so on.
pub fn grid_level(code: &RegionCode) -> usize {
    code.as_str().len().saturating_sub(12) / SEQ_DIGITS
}

/// The code for a new grid under `parent` (a community or a grid code),
/// after the codes its existing children use.
pub fn next_child_code<'a>(
    parent: &RegionCode,
    siblings: impl IntoIterator<Item = &'a RegionCode>,
) -> Result<RegionCode, PlaceError> {
    let level = grid_level(parent) + 1;
    if level > MAX_GRID_LEVEL {
        return Err(PlaceError::TooDeep(level));
    }
    let prefix = parent.as_str();
    let used = siblings
        .into_iter()
        .filter_map(|c| c.as_str().strip_prefix(prefix))
        .filter(|rest| rest.len() == SEQ_DIGITS)
        .filter_map(|rest| rest.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    if used >= MAX_SEQ {
        return Err(PlaceError::CodesExhausted);
    }
    format!("{prefix}{:03}", used + 1)
        .parse()
        .map_err(|_| PlaceError::CodesExhausted)
}

/// Checks moving the grid `code` (whose deepest descendant is `depth`
/// levels below it, 0 when it has none) under `new_parent`.
pub fn check_move(
    code: &RegionCode,
    depth: usize,
    new_parent: &RegionCode,
) -> Result<(), PlaceError> {
    if code.community() != new_parent.community() {
        return Err(PlaceError::OtherCommunity);
    }
    if code.covers(new_parent) {
        return Err(PlaceError::Cycle);
    }
    let deepest = grid_level(new_parent) + 1 + depth;
    if deepest > MAX_GRID_LEVEL {
        return Err(PlaceError::TooDeep(deepest));
    }
    Ok(())
}

/// The code a node of a moved subtree gets: `old_root`'s prefix replaced
/// by `new_root`'s.
pub fn recode(
    code: &RegionCode,
    old_root: &RegionCode,
    new_root: &RegionCode,
) -> Option<RegionCode> {
    let rest = code.as_str().strip_prefix(old_root.as_str())?;
    format!("{new_root}{rest}").parse().ok()
}

/// 房号: letters, digits and `-`, at most 16.
pub fn clean_room(room: &str) -> Result<String, PlaceError> {
    let room = room.trim();
    let ok = !room.is_empty()
        && room.len() <= 16
        && room.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(room.to_owned())
    } else {
        Err(PlaceError::BadRoom(room.to_owned()))
    }
}

/// A building or unit name from a spreadsheet cell: bare numbers are
/// completed with `suffix` (`5` → `5号楼`); `column` names it in errors.
pub fn place_part(value: &str, column: &str, suffix: &str) -> Result<String, String> {
    let v = normalise_cell(value);
    let v = if !v.is_empty() && v.chars().all(|ch| ch.is_ascii_digit()) {
        format!("{v}{suffix}")
    } else {
        v
    };
    clean_name(&v, 40).map_err(|_| format!("{column}不能为空且不超过 40 字"))
}

/// 户 — one dwelling's own facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DwellingSpec {
    pub floor: i64,
    /// 房号, e.g. `1203` or `B-02`
    pub room: String,
    /// 建筑面积, m²
    pub area_m2: Option<f64>,
}

impl DwellingSpec {
    pub fn parse(floor: i64, room: &str, area_m2: Option<f64>) -> Result<Self, PlaceError> {
        if !(-5..=200).contains(&floor) {
            return Err(PlaceError::BadFloor(floor));
        }
        let room = clean_room(room)?;
        if let Some(a) = area_m2
            && !(1.0..=10_000.0).contains(&a)
        {
            return Err(PlaceError::BadArea(a));
        }
        Ok(DwellingSpec {
            floor,
            room,
            area_m2,
        })
    }
}

/// The columns of the 房屋 spreadsheet: the name in our template, then
/// the other names communities use for it.
pub const PLACE_COLUMNS: [(&str, &[&str]); 8] = [
    ("小区", &["小区名称", "院落"]),
    ("楼栋", &["楼号", "楼栋号", "楼栋名称"]),
    ("单元", &["单元号"]),
    ("楼层", &["层", "所在楼层"]),
    ("房号", &["门牌号", "室", "房间号"]),
    ("建筑面积", &["面积", "建筑面积(m²)", "建筑面积(平方米)"]),
    ("经度", &["楼栋经度"]),
    ("纬度", &["楼栋纬度"]),
];

/// Full-width ASCII (０-９, Ａ-Ｚ, －, ．) as typed by Chinese input methods
/// becomes half-width; spaces (also 　) are trimmed.
pub fn normalise_cell(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// One row of the 房屋 spreadsheet: a dwelling and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRow {
    pub estate: String,
    pub building: String,
    pub unit: String,
    pub dwelling: DwellingSpec,
    /// the building's point, WGS-84 (given on any of its rows)
    pub at: Option<crate::geo::LngLat>,
}

impl PlaceRow {
    /// Parses a row from its cells by column name (`cell("小区")`).
    /// Bare numbers are completed: building `5` → `5号楼`, unit `1` → `1单元`.
    pub fn parse<'a>(cell: impl Fn(&str) -> &'a str) -> Result<PlaceRow, String> {
        let get = |c: &str| normalise_cell(cell(c));
        let named = |c: &str, suffix: &str| place_part(cell(c), c, suffix);
        let estate = named("小区", "")?;
        let building = named("楼栋", "号楼")?;
        let unit = named("单元", "单元")?;
        let floor_text = get("楼层");
        let floor = floor_text
            .trim_end_matches('层')
            .parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0)
            .map(|f| f as i64)
            .ok_or_else(|| format!("楼层应为整数,得到“{floor_text}”"))?;
        let area_text = get("建筑面积");
        let area = match area_text.trim_end_matches("m²").trim_end_matches("平方米") {
            "" => None,
            a => Some(
                a.parse::<f64>()
                    .map_err(|_| format!("建筑面积应为数字,得到“{area_text}”"))?,
            ),
        };
        let dwelling = DwellingSpec::parse(floor, &get("房号"), area).map_err(|e| e.to_string())?;
        let (lng, lat) = (get("经度"), get("纬度"));
        let at = match (lng.as_str(), lat.as_str()) {
            ("", "") => None,
            (x, y) => {
                let x: f64 = x.parse().map_err(|_| format!("经度应为数字,得到“{x}”"))?;
                let y: f64 = y.parse().map_err(|_| format!("纬度应为数字,得到“{y}”"))?;
                Some(crate::geo::LngLat::parse(x, y).map_err(|e| e.to_string())?)
            }
        };
        Ok(PlaceRow {
            estate,
            building,
            unit,
            dwelling,
            at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        s.parse().unwrap()
    }

    #[test]
    fn child_codes_count_up_per_parent() {
        let community = code("220103008003");
        let first = next_child_code(&community, []).unwrap();
        assert_eq!(first.as_str(), "220103008003001");
        let existing = [
            code("220103008003001"),
            code("220103008003007"),
            code("220103008003001001"),
        ];
        assert_eq!(
            next_child_code(&community, &existing).unwrap().as_str(),
            "220103008003008"
        );
        assert_eq!(
            next_child_code(&first, &existing).unwrap().as_str(),
            "220103008003001002"
        );
        assert_eq!(grid_level(&first), 1);
        let deep = code("220103008003001001001");
        assert_eq!(next_child_code(&deep, []), Err(PlaceError::TooDeep(4)));
        let full = [code("220103008003999")];
        assert_eq!(
            next_child_code(&community, &full),
            Err(PlaceError::CodesExhausted)
        );
    }

    #[test]
    fn moves_refuse_cycles_depth_and_other_communities() {
        let g1 = code("220103008003001");
        assert_eq!(
            check_move(&g1, 0, &code("220103008003001002")),
            Err(PlaceError::Cycle)
        );
        assert_eq!(check_move(&g1, 0, &g1), Err(PlaceError::Cycle));
        assert_eq!(
            check_move(&g1, 0, &code("220103008004001")),
            Err(PlaceError::OtherCommunity)
        );
        assert_eq!(
            check_move(&g1, 2, &code("220103008003002")),
            Err(PlaceError::TooDeep(4))
        );
        assert_eq!(check_move(&g1, 1, &code("220103008003002")), Ok(()));
        let moved = recode(
            &code("220103008003001004"),
            &g1,
            &code("220103008003002003"),
        )
        .unwrap();
        assert_eq!(moved.as_str(), "220103008003002003004");
    }

    fn row<'a>(cells: &'a [(&'a str, &'a str)]) -> Result<PlaceRow, String> {
        PlaceRow::parse(|c| cells.iter().find(|(k, _)| *k == c).map_or("", |(_, v)| *v))
    }

    #[test]
    fn spreadsheet_rows_are_normalised_and_checked() {
        let r = row(&[
            ("小区", " 长山花园 "),
            ("楼栋", "５"),
            ("单元", "1"),
            ("楼层", "１２"),
            ("房号", "１２０３"),
            ("建筑面积", "89.5"),
        ])
        .unwrap();
        assert_eq!(
            (
                r.building.as_str(),
                r.unit.as_str(),
                r.dwelling.floor,
                r.dwelling.room.as_str()
            ),
            ("5号楼", "1单元", 12, "1203")
        );
        assert_eq!(r.dwelling.area_m2, Some(89.5));
        assert_eq!(r.at, None);
        let bad = |cells: &[(&str, &str)], needle: &str| {
            let e = row(cells).unwrap_err();
            assert!(e.contains(needle), "{e}");
        };
        let base = [
            ("小区", "长山花园"),
            ("楼栋", "1号楼"),
            ("单元", "1单元"),
            ("楼层", "3"),
            ("房号", "301"),
        ];
        bad(
            &[("楼栋", "1"), ("单元", "1"), ("楼层", "3"), ("房号", "301")],
            "小区",
        );
        bad(
            &[base[0], base[1], base[2], ("楼层", "三"), base[4]],
            "楼层",
        );
        bad(
            &[base[0], base[1], base[2], ("楼层", "2.5"), base[4]],
            "楼层",
        );
        bad(
            &[base[0], base[1], base[2], base[3], ("房号", "3 01")],
            "房号",
        );
        bad(
            &[
                base[0],
                base[1],
                base[2],
                base[3],
                base[4],
                ("经度", "43.9"),
                ("纬度", "125.3"),
            ],
            "填反",
        );
        bad(
            &[
                base[0],
                base[1],
                base[2],
                base[3],
                base[4],
                ("经度", "125.3"),
            ],
            "纬度",
        );
        bad(
            &[
                base[0],
                base[1],
                base[2],
                base[3],
                base[4],
                ("建筑面积", "大"),
            ],
            "建筑面积",
        );
    }

    #[test]
    fn dwellings_are_checked() {
        assert!(DwellingSpec::parse(12, " 1203 ", Some(89.5)).is_ok());
        assert_eq!(DwellingSpec::parse(12, "1203", None).unwrap().room, "1203");
        assert!(matches!(
            DwellingSpec::parse(300, "1", None),
            Err(PlaceError::BadFloor(300))
        ));
        assert!(matches!(
            DwellingSpec::parse(1, "12 03", None),
            Err(PlaceError::BadRoom(_))
        ));
        assert!(matches!(
            DwellingSpec::parse(1, "", None),
            Err(PlaceError::BadRoom(_))
        ));
        assert!(matches!(
            DwellingSpec::parse(1, "1", Some(0.0)),
            Err(PlaceError::BadArea(_))
        ));
        assert!(clean_name("  3号楼 ", 20).is_ok());
        assert!(clean_name("", 20).is_err());
        assert!(clean_name("a\u{0}", 20).is_err());
    }
}
