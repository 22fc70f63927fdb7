//! What Open311 publishes to anyone (GeoReport v2 GET). Only cases public
//! by nature: a 随手拍 or 建议 about public space, under a category marked
//! public, linked to no dwelling. Even those are blurred: the point to
//! about 100 m, the address without door numbers, the handler as an
//! agency, never a person, and no free text staff or residents wrote.

use super::{CaseKind, HandlerKind};

/// The kinds that may be published; help, complaints, reports and
/// consultations are about people and never are.
pub const PUBLIC_KINDS: [CaseKind; 2] = [CaseKind::Snapshot, CaseKind::Suggestion];

/// A coordinate rounded to three decimals (≈ 110 m of latitude; less of
/// longitude in the north): a building cannot be told from its neighbours.
pub fn blurred(deg: f64) -> f64 {
    (deg * 1000.0).round() / 1000.0
}

/// The address up to its first number: `长山花园小区3号楼2单元502室` →
/// `长山花园小区`; `人民大街1000号` → `人民大街`. A door, a unit, a room and
/// a house number all start with a digit.
pub fn public_address(address: &str) -> String {
    let cut = address
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || ('０'..='９').contains(c))
        .map_or(address.len(), |(i, _)| i);
    address[..cut]
        .trim_end_matches(|c: char| c.is_whitespace() || ",，、-—(（#".contains(c))
        .to_owned()
}

/// A description as published: runs of seven or more digits (a phone, an
/// ID number, a plate typed as digits) become `***`. Names cannot be told
/// from other words; what is published is kinds about public space.
pub fn public_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 7 {
            out.push_str("***");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Who is responsible, as the public may read it: a department by its
/// name, anyone else by their kind (社区网格, 物业…), never a person's name.
pub fn agency(kind: Option<HandlerKind>, name: Option<&str>) -> Option<String> {
    match (kind, name) {
        (Some(HandlerKind::Department), Some(n)) if !n.trim().is_empty() => Some(n.to_owned()),
        (Some(k), _) => Some(k.label_zh().to_owned()),
        (None, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_lose_their_numbers() {
        assert_eq!(
            public_address("长山花园小区3号楼2单元502室"),
            "长山花园小区"
        );
        assert_eq!(public_address("人民大街1000号"), "人民大街");
        assert_eq!(public_address("团山街道 长山路口"), "团山街道 长山路口");
        assert_eq!(public_address("长山路-１２号"), "长山路");
        assert_eq!(public_address("12号楼"), "");
    }

    #[test]
    fn numbers_in_a_description_are_hidden() {
        assert_eq!(public_text("路灯坏了,联系13812345678"), "路灯坏了,联系***");
        assert_eq!(public_text("3号楼前 2 处坑"), "3号楼前 2 处坑");
        assert_eq!(public_text("１３８１２３４５６７８"), "***");
    }

    #[test]
    fn points_are_blurred_to_about_a_hundred_metres() {
        assert_eq!(blurred(125.330_649_1), 125.331);
        assert_eq!(blurred(43.918_912_3), 43.919);
        assert!((blurred(43.918_912_3) - 43.918_912_3).abs() <= 0.000_5);
    }

    #[test]
    fn the_agency_is_never_a_person() {
        assert_eq!(
            agency(Some(HandlerKind::Department), Some("团山街道城管中队")).as_deref(),
            Some("团山街道城管中队")
        );
        assert_eq!(
            agency(Some(HandlerKind::GridWorker), Some("王小明")).as_deref(),
            Some(HandlerKind::GridWorker.label_zh())
        );
        assert_eq!(agency(None, Some("王小明")), None);
    }
}
