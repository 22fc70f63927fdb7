//! Property tests: the parsers behind the importers and the API never
//! panic on arbitrary input, and coordinate conversions invert.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_domain::access::RegionCode;
use linli_domain::geo::{
    CoordSys, LngLat, distance_m, gcj02_to_bd09, gcj02_to_wgs84, to_wgs84, wgs84_to_gcj02,
};
use linli_domain::territory::Region;
use linli_domain::territory::grid_index::parse_boundary;
use linli_domain::territory::places::{PLACE_COLUMNS, PlaceRow, check_move, next_child_code};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn spreadsheet_rows_never_panic(cells in proptest::collection::vec("\\PC{0,12}|[0-9０-９]{1,4}|-?[0-9]{1,3}\\.[0-9]{1,6}", 8)) {
        let row = PlaceRow::parse(|c| {
            PLACE_COLUMNS.iter().position(|k| k.0 == c).and_then(|i| cells.get(i)).map_or("", String::as_str)
        });
        if let Ok(r) = row {
            prop_assert!(!r.estate.is_empty() && !r.building.is_empty() && !r.unit.is_empty());
            prop_assert!((-5..=200).contains(&r.dwelling.floor));
        }
    }

    #[test]
    fn grid_moves_never_make_cycles(a in 1u32..6, b in 1u32..6, depth_a in 0usize..3, depth_b in 0usize..3, sub in 0usize..3) {
        // two grid codes somewhere in one community's tree
        let code = |seq: u32, depth: usize| -> RegionCode {
            let mut s = String::from("220103008003");
            for _ in 0..=depth { s.push_str(&format!("{seq:03}")); }
            s.parse().unwrap()
        };
        let (g, target) = (code(a, depth_a), code(b, depth_b));
        if check_move(&g, sub, &target).is_ok() {
            prop_assert!(!g.covers(&target), "moved under itself");
            let new = next_child_code(&target, std::iter::empty()).unwrap();
            prop_assert!(linli_domain::territory::places::grid_level(&new) + sub <= 3);
        }
    }

    #[test]
    fn region_rows_never_panic(code in ".{0,14}", name in ".{0,20}", parent in proptest::option::of("[0-9]{0,12}")) {
        if let Ok(r) = Region::parse(&code, &name, parent.as_deref()) {
            prop_assert_eq!(r.code.as_str().len(), 12);
            prop_assert!(r.code.as_str().starts_with(code.trim()));
        }
    }

    #[test]
    fn digit_codes_parse_by_length(code in "[0-9]{0,13}", parent in "[0-9]{0,10}") {
        let r = Region::parse(&code, "某社区", Some(&parent));
        let lengths_fit = matches!(code.len(), 2 | 4 | 6 | 9 | 12);
        if r.is_ok() {
            prop_assert!(lengths_fit && code.starts_with(&parent));
        }
    }

    #[test]
    fn geojson_text_never_panics(text in ".{0,200}") {
        let _ = parse_boundary(&text);
    }

    #[test]
    fn polygon_like_geojson_never_panics(coords in proptest::collection::vec((-400.0f64..400.0, -400.0f64..400.0), 0..12)) {
        let ring: Vec<String> = coords.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
        let text = format!(r#"{{"type":"Polygon","coordinates":[[{}]]}}"#, ring.join(","));
        let _ = parse_boundary(&text);
    }

    #[test]
    fn coordinates_never_panic(lng in any::<f64>(), lat in any::<f64>()) {
        let _ = LngLat::parse(lng, lat);
    }

    #[test]
    fn conversions_invert_inside_china(lng in 73.0f64..135.0, lat in 18.0f64..53.0) {
        let w = LngLat { lng, lat };
        prop_assert!(distance_m(w, gcj02_to_wgs84(wgs84_to_gcj02(w))) < 0.001);
        prop_assert!(distance_m(w, to_wgs84(gcj02_to_bd09(wgs84_to_gcj02(w)), CoordSys::Bd09)) < 0.001);
        // the datum shift is a few hundred metres at most
        prop_assert!(distance_m(w, wgs84_to_gcj02(w)) < 1000.0);
    }
}

/// A valid region row: a code of one of the statistics' lengths and its
/// parent's code, the prefix of the level above.
fn valid_region() -> impl Strategy<Value = (String, Option<String>)> {
    (
        proptest::sample::select(vec![2usize, 4, 6, 9, 12]),
        "[1-6][0-9]{11}",
    )
        .prop_map(|(len, digits)| {
            let code = digits[..len].to_owned();
            let parent = match len {
                2 => None,
                4 => Some(digits[..2].to_owned()),
                6 => Some(digits[..4].to_owned()),
                9 => Some(digits[..6].to_owned()),
                _ => Some(digits[..9].to_owned()),
            };
            (code, parent)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Valid codes parse at their level under their parent (a parser that
    /// refuses everything fails here); one damaged digit or a wrong parent
    /// is refused or stays consistent.
    #[test]
    fn valid_region_codes_parse_and_damage_is_caught((code, parent) in valid_region(), at in 0usize..12, bad in "[^0-9]") {
        let r = Region::parse(&code, "某地", parent.as_deref()).unwrap();
        prop_assert_eq!(r.code.significant_prefix().len() <= code.len(), true);
        prop_assert!(r.code.as_str().starts_with(&code));
        prop_assert_eq!(r.parent.map(|p| p.as_str()[..parent.as_ref().map_or(0, String::len)].to_owned()), parent.clone());
        let mut damaged = code.clone();
        let i = at % damaged.len();
        damaged.replace_range(i..=i, &bad);
        prop_assert!(Region::parse(&damaged, "某地", parent.as_deref()).is_err());
        if let Some(p) = &parent {
            let wrong = format!("{}{}", (p.as_bytes()[0] - b'0' + 1) % 10, &p[1..]);
            prop_assert!(Region::parse(&code, "某地", Some(&wrong)).is_err());
        }
    }

    /// Valid rectangles parse to a shape that holds their centre; cut short
    /// they are refused or still a shape (never a panic).
    #[test]
    fn valid_polygons_parse_and_cut_ones_are_refused(x in 73.0f64..134.0, y in 18.0f64..52.0, w in 0.001f64..0.5, h in 0.001f64..0.5, cut in any::<prop::sample::Index>()) {
        let text = format!(
            r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]}}"#,
            x + w, x + w, y + h, y + h
        );
        let shape = parse_boundary(&text).unwrap();
        let centre = linli_domain::territory::grid_index::centre(&shape).unwrap();
        prop_assert!((centre.lng - (x + w / 2.0)).abs() < 1e-9 && (centre.lat - (y + h / 2.0)).abs() < 1e-9);
        let short = &text[..cut.index(text.len())];
        prop_assert!(parse_boundary(short).is_err(), "{}", short);
    }
}
