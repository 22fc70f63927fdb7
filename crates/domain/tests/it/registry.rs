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

/// A valid 居民 row: a name, an ID with its check character, a phone, an
/// address, tags; the gender and birth date as the ID says (or blank).
fn valid_row() -> impl Strategy<Value = (Vec<String>, String, String)> {
    (
        "[王李张刘陈][秀建国淑志]{1,2}",
        (
            110000u32..660000,
            1930i32..2010,
            1u8..13,
            1u8..29,
            0u32..1000,
        ),
        proptest::option::of("1[3-9][0-9]{9}"),
        (1u32..30, 1u32..7, 1u32..30),
        proptest::sample::subsequence(vec!["独居老人", "低保", "残疾人"], 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(name, (addr, y, m, d, seq), phone, (b, u, r), tags, blanks)| {
                let id = with_check_char(&format!("{addr:06}{y:04}{m:02}{d:02}{seq:03}")).unwrap();
                let gender = if seq % 2 == 1 { "男" } else { "女" };
                let birth = format!("{y:04}-{m:02}-{d:02}");
                let cells: Vec<String> = RESIDENT_COLUMNS
                    .iter()
                    .map(|(col, _)| match *col {
                        "姓名" => name.clone(),
                        "性别" if !blanks => gender.to_owned(),
                        "出生日期" if !blanks => birth.clone(),
                        "证件号码" => id.clone(),
                        "联系电话" => phone.clone().unwrap_or_default(),
                        "小区" => "长山花园小区".to_owned(),
                        "楼栋" => format!("{b}号楼"),
                        "单元" => format!("{u}单元"),
                        "房号" => format!("{r}01"),
                        "标签" => tags.join("、"),
                        _ => String::new(),
                    })
                    .collect();
                (cells, id, birth)
            },
        )
}

fn parse_cells(cells: &[String]) -> Result<ResidentRow, String> {
    ResidentRow::parse(
        |c| {
            RESIDENT_COLUMNS
                .iter()
                .position(|k| k.0 == c)
                .and_then(|i| cells.get(i))
                .map_or("", String::as_str)
        },
        TODAY,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Valid rows parse, to exactly what they say (a parser refusing
    /// everything fails here).
    #[test]
    fn valid_rows_parse_to_what_they_say((cells, id, birth) in valid_row()) {
        let r = parse_cells(&cells).unwrap();
        let col = |name: &str| &cells[RESIDENT_COLUMNS.iter().position(|k| k.0 == name).unwrap()];
        prop_assert_eq!(&r.name, col("姓名"));
        prop_assert_eq!(r.birth.to_string(), birth);
        prop_assert_eq!(r.document.expose(), id.as_str());
        prop_assert_eq!(r.phone.as_ref().map(|p| p.expose().to_owned()), Some(col("联系电话").clone()).filter(|p| !p.is_empty()));
        prop_assert_eq!(r.tags.join("、"), col("标签").clone());
        prop_assert_eq!(&r.building, col("楼栋"));
    }

    /// The same rows with one cell damaged: refused with a reason, or still
    /// a row whose ID and birth date agree.
    #[test]
    fn damaged_rows_are_refused_or_consistent(
        (mut cells, _, _) in valid_row(),
        at in 0usize..16,
        junk in "\\PC{0,6}|[0-9]{1,18}|男|女|2030-01-01",
    ) {
        cells[at] = junk;
        match parse_cells(&cells) {
            Ok(r) => {
                prop_assert!(!r.name.is_empty() && r.birth <= TODAY);
                if let Ok(id) = CnId::parse(r.document.expose(), TODAY) {
                    prop_assert_eq!(id.birth(), r.birth);
                }
            }
            Err(reason) => prop_assert!(!reason.is_empty()),
        }
    }
}
