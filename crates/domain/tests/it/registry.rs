//! Property tests for the registry's parsers: GB 11643 numbers, phones and
//! spreadsheet rows never panic, and every valid number round-trips.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_domain::registry::{CnId, Phone, RESIDENT_COLUMNS, ResidentRow, with_check_char};
use proptest::prelude::*;
use time::macros::date;

const TODAY: time::Date = date!(2026 - 11 - 22);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn id_parser_never_panics(s in "\\PC{0,24}|[0-9Xx０-９ ]{10,20}") {
        if let Ok(id) = CnId::parse(&s, TODAY) {
            prop_assert_eq!(id.expose().len(), 18);
            prop_assert!(id.birth() <= TODAY);
            // a parsed number parses again to itself
            prop_assert_eq!(CnId::parse(id.expose(), TODAY).unwrap(), id);
        }
    }

    #[test]
    fn every_number_with_its_check_char_parses(
        addr in 110000u32..660000, y in 1900i32..2026, m in 1u8..13, d in 1u8..29, seq in 0u32..1000
    ) {
        let first17 = format!("{addr:06}{y:04}{m:02}{d:02}{seq:03}");
        let n = with_check_char(&first17).unwrap();
        let id = CnId::parse(&n, TODAY).unwrap();
        prop_assert_eq!(id.is_male(), seq % 2 == 1);
        // one wrong digit is always caught by the check character
        let wrong = format!("{}{}{}", &n[..9], (n.as_bytes()[9] - b'0' + 1) % 10, &n[10..]);
        prop_assert!(CnId::parse(&wrong, TODAY).is_err());
    }

    #[test]
    fn phone_parser_never_panics(s in "\\PC{0,20}|[0-9+ -]{5,16}") {
        if let Ok(p) = Phone::parse(&s) {
            prop_assert!(p.masked().contains("****"));
        }
    }

    #[test]
    fn resident_rows_never_panic(cells in proptest::collection::vec("\\PC{0,10}|[0-9Xx]{15,18}|1[3-9][0-9]{9}", 16)) {
        let row = ResidentRow::parse(|c| {
            RESIDENT_COLUMNS.iter().position(|k| k.0 == c).and_then(|i| cells.get(i)).map_or("", String::as_str)
        }, TODAY);
        if let Ok(r) = row {
            prop_assert!(!r.name.is_empty() && r.birth <= TODAY);
        }
    }
}
