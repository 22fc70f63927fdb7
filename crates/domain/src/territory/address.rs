//! Which building an address names: "长山花园5号楼1单元门口", "5栋东侧" and
//! "五号楼" all name 5号楼. A report typed without a point is then placed
//! at that building (and so in its grid) instead of the community's desk.

use super::places::normalise_cell;

/// Chinese numerals people write building numbers with (一 … 九十九).
fn chinese_number(s: &str) -> Option<u32> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
    };
    let cs: Vec<char> = s.chars().collect();
    match cs.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// The building numbers a text names: digits or Chinese numerals before
/// 号楼, 栋, 幢 or 号 (in the order they appear).
pub fn building_numbers(text: &str) -> Vec<u32> {
    let t = normalise_cell(text);
    let chars: Vec<char> = t.chars().collect();
    let mut out = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if !matches!(c, '栋' | '幢' | '号') {
            continue;
        }
        // `号楼` counts once, at 号; a 楼 after a number alone is a floor
        let mut start = i;
        while start > 0
            && (chars[start - 1].is_ascii_digit()
                || "零一二三四五六七八九十".contains(chars[start - 1]))
        {
            start -= 1;
        }
        if start == i {
            continue;
        }
        let n: String = chars[start..i].iter().collect();
        if let Some(v) = n.parse().ok().or_else(|| chinese_number(&n)) {
            out.push(v);
        }
    }
    out
}

/// The one building of `names` the address names, by its number (and by
/// its estate, when the address names one of several with that number).
pub fn match_building(address: &str, names: &[&str]) -> Option<usize> {
    let wanted = *building_numbers(address).first()?;
    let addr = normalise_cell(address);
    let hits: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| building_numbers(n).last() == Some(&wanted))
        .map(|(i, _)| i)
        .collect();
    match hits.as_slice() {
        [one] => Some(*one),
        [] => None,
        many => {
            // several estates have that number: the one whose estate the address names
            let named: Vec<usize> = many
                .iter()
                .copied()
                .filter(|&i| {
                    names[i]
                        .split_whitespace()
                        .next()
                        .is_some_and(|estate| addr.contains(estate))
                })
                .collect();
            match named.as_slice() {
                [one] => Some(*one),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_people_write_them() {
        assert_eq!(building_numbers("长山花园5号楼1单元门口"), [5]);
        assert_eq!(building_numbers("5栋东侧"), [5]);
        assert_eq!(building_numbers("五号楼"), [5]);
        assert_eq!(building_numbers("十二幢"), [12]);
        assert_eq!(building_numbers("十幢"), [10]);
        assert_eq!(building_numbers("二十号楼"), [20]);
        assert_eq!(building_numbers("２３号楼"), [23]);
        assert!(
            building_numbers("三楼走廊").is_empty(),
            "a floor is no building"
        );
        assert!(building_numbers("小区门口").is_empty());
    }

    #[test]
    fn an_address_finds_its_building() {
        let names = [
            "长山花园小区 1号楼",
            "长山花园小区 5号楼",
            "长山花园小区 15号楼",
        ];
        assert_eq!(match_building("长山花园5号楼1单元门口", &names), Some(1));
        assert_eq!(match_building("15栋楼下", &names), Some(2));
        assert_eq!(match_building("小区东门", &names), None);
        assert_eq!(match_building("9号楼", &names), None);
        let two = ["东苑 3号楼", "西苑 3号楼"];
        assert_eq!(
            match_building("3号楼", &two),
            None,
            "which 3号楼 is unclear"
        );
        assert_eq!(match_building("西苑3号楼", &two), Some(1));
    }
}
