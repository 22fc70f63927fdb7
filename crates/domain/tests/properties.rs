//! Property tests: the parsers behind the importers and the API never
//! panic on arbitrary input, and coordinate conversions invert.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_domain::geo::{
    CoordSys, LngLat, distance_m, gcj02_to_bd09, gcj02_to_wgs84, to_wgs84, wgs84_to_gcj02,
};
use linli_domain::grid_index::parse_boundary;
use linli_domain::territory::Region;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

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
