//! Property tests: the spreadsheet reader never panics on arbitrary bytes,
//! nor on a real xlsx with bytes changed, cut short or grown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::places_xlsx::places_template;
use linli_app::xlsx::read_first_sheet;
use proptest::prelude::*;
use std::sync::OnceLock;

fn template() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| places_template().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_are_refused_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_first_sheet(&bytes);
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(&bytes);
        let _ = read_first_sheet(&zip);
    }

    #[test]
    fn damaged_xlsx_files_are_refused_cleanly(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20), cut in any::<prop::sample::Index>()) {
        let mut bytes = template().to_vec();
        for (at, b) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *b;
        }
        let _ = read_first_sheet(&bytes);
        let _ = read_first_sheet(&bytes[..cut.index(bytes.len())]);
    }
}

#[test]
fn the_template_reads_back() {
    let (sheet, broken) = read_first_sheet(template()).unwrap();
    assert!(broken.is_empty());
    assert_eq!(sheet.headers[..5], ["小区", "楼栋", "单元", "楼层", "房号"]);
    assert_eq!(sheet.rows.len(), 2);
}
