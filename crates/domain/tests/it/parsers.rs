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
