//! Importing the 居民 sheet on both databases: a 3,000-row file with 20
//! planted bad rows gives back exactly those 20 with reasons, re-import
//! duplicates nobody, and a damaged file is refused whole.

use super::residents::{
    HEADERS, addresses, code, grid, id_of, person_row, ring, secretary, seeded, xlsx,
};
use crate::common::who;

use linli_app::demo::COMMUNITY;
use linli_app::registry::ResidentQuery;
use linli_app::{Actor, AppError};
use linli_domain::access::Role;
use linli_domain::registry::with_check_char;
use linli_store::{Db, db_test};

/// 3,000 rows; returns the file and the Excel row numbers of the 20 planted bad ones.
fn planted_file(addrs: &[(String, String, String, String)]) -> (Vec<u8>, Vec<usize>) {
    let mut rows: Vec<Vec<String>> = (0..3000)
        .map(|i| person_row(i, &addrs[i % addrs.len()]))
        .collect();
    let mut bad = Vec::new();
    let mut plant = |i: usize, f: &dyn Fn(&mut Vec<String>)| {
        f(&mut rows[i]);
        bad.push(i + 2);
    };
    let wrong_check = |id: &str| {
        let last = if id.ends_with('0') { '1' } else { '0' };
        format!("{}{last}", &id[..17])
    };
    plant(10, &|r| r[1] = wrong_check(&r[1])); // checksum
    plant(20, &|r| {
        let flipped = if r[1].as_bytes()[15] == b'5' {
            "6"
        } else {
            "5"
        };
        r[1].replace_range(15..16, flipped); // a typo in the sequence digits
    });
    plant(30, &|r| {
        r[1] = with_check_char("22010319490230001").unwrap()
    }); // 2月30日
    plant(40, &|r| r[1] = "2201031949".into());
    plant(50, &|r| r[6] = "1381234".into());
    plant(60, &|r| r[6] = "12912345678".into());
    plant(70, &|r| r[0] = "9999".into()); // no such dwelling
    plant(80, &|r| r[4] = "99号楼".into());
    plant(90, &|r| r[7] = "火星人".into()); // unknown tag
    plant(100, &|r| r[2] = String::new());
    plant(110, &|r| r[8] = "路过".into());
    plant(120, &|r| r[1] = id_of(5)); // duplicate of row 7 (person 5)
    plant(130, &|r| r[1] = id_of(6));
    plant(140, &|r| {
        r[1] = with_check_char("22010320300101001").unwrap()
    }); // born in the future
    plant(150, &|r| r[1] = "ABCDEFGHIJKLMNOPQR".into());
    plant(160, &|r| r[3] = "别的小区".into());
    plant(170, &|r| r[5] = String::new());
    plant(180, &|r| r[2] = "名".repeat(31));
    plant(190, &|r| r[6] = "电话号码".into());
    plant(200, &|r| r[0] = "房-号!".into());
    // normalised, not refused: full-width digits, spaces, a 15-digit number
    rows[300][1] = rows[300][1]
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
        .collect();
    rows[301][6] = "139 0000 0301".into();
    rows[302][1] = "220103491231002".into(); // upgraded to 18 digits (checked below)
    (xlsx(&HEADERS, &rows), bad)
}

db_test!(
    an_import_of_3000_rows_returns_exactly_the_20_planted_bad_ones,
    |db: Db| async move {
        let app = seeded(db, ring()).await;
        let addrs = addresses(&app).await;
        assert_eq!(addrs.len(), 3105);
        let (file, bad) = planted_file(&addrs);
        let sec = secretary();
        let actor = Actor::cli();
        let c = code(COMMUNITY);
        let r = app
            .import_residents(&sec, &c, file.clone(), &actor)
            .await
            .unwrap();
        let rows: Vec<usize> = r.rejected.iter().map(|x| x.row).collect();
        assert_eq!(rows, bad, "{:#?}", r.rejected);
        assert!(r.rejected.iter().all(|x| !x.reason.is_empty()));
        let reason = |row: usize| {
            r.rejected
                .iter()
                .find(|x| x.row == row)
                .unwrap()
                .reason
                .clone()
        };
        assert!(reason(12).contains("校验位"), "{}", reason(12));
        assert!(reason(32).contains("出生日期"), "{}", reason(32));
        assert!(reason(72).contains("住址不存在"), "{}", reason(72));
        assert!(reason(92).contains("标签"), "{}", reason(92));
        assert!(reason(122).contains("重复"), "{}", reason(122));
        assert_eq!(
            (r.rows, r.imported, r.updated, r.unchanged),
            (3000, 2980, 0, 0)
        );

        // the 15-digit number was upgraded and is found by its 18-digit form
        let upgraded =
            linli_domain::registry::CnId::parse("220103491231002", linli_app::today()).unwrap();
        // GB 11643: 19 inserted for the century, the check character
        // computed by hand (Σ digit × weight mod 11 = 10 → "2")
        assert_eq!(upgraded.expose(), "220103194912310022");
        let found = app
            .list_residents(
                &sec,
                &ResidentQuery {
                    q: Some(upgraded.expose().into()),
                    ..Default::default()
                },
                &Actor::cli(),
            )
            .await
            .unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.rows[0].doc_masked, upgraded.masked());

        // the same file again creates nobody and refuses the same rows
        let again = app
            .import_residents(&sec, &c, file.clone(), &actor)
            .await
            .unwrap();
        assert_eq!(
            (again.imported, again.updated, again.unchanged),
            (0, 0, 2980)
        );
        assert_eq!(again.rejected.len(), 20);
        let all = app
            .list_residents(&sec, &ResidentQuery::default(), &Actor::cli())
            .await
            .unwrap();
        assert_eq!(all.total, 2980);

        // the rejected rows come back as an xlsx with a reason column
        let back = linli_app::territory::xlsx::rejected_rows_xlsx(&r.headers, &r.rejected).unwrap();
        let (sheet, _) = linli_app::infra::xlsx::read_first_sheet(&back).unwrap();
        assert_eq!(sheet.rows.len(), 20);
        assert_eq!(sheet.headers.last().map(String::as_str), Some("错误原因"));

        // a corrected row imports on its own, once
        let fixed = xlsx(&HEADERS, &[person_row(10, &addrs[10])]);
        let r = app
            .import_residents(&sec, &c, fixed.clone(), &actor)
            .await
            .unwrap();
        assert_eq!((r.imported, r.rejected.len()), (1, 0));
        let r = app
            .import_residents(&sec, &c, fixed.clone(), &actor)
            .await
            .unwrap();
        assert_eq!((r.imported, r.unchanged), (0, 1));
    }
);

db_test!(bad_files_are_refused_whole, |db: Db| async move {
    let app = seeded(db, ring()).await;
    let sec = secretary();
    let c = code(COMMUNITY);
    let a = Actor::cli();
    for junk in [
        b"not a spreadsheet".to_vec(),
        vec![0x50, 0x4b, 3, 4, 0, 0],
        Vec::new(),
    ] {
        let e = app
            .import_residents(&sec, &c, junk.clone(), &a)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(_)), "{e:?}");
    }
    let e = app
        .import_residents(
            &sec,
            &c,
            xlsx(&["姓名", "电话"], &[vec!["张三".into(), "1".into()]]),
            &a,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("缺少必需的列"), "{e}");
    // nothing was written
    assert_eq!(
        app.list_residents(&sec, &ResidentQuery::default(), &Actor::cli())
            .await
            .unwrap()
            .total,
        0
    );
    // a grid worker may not bulk-import; without a key nothing is stored
    let worker = who(Role::GridWorker, &grid(1));
    assert!(matches!(
        app.import_residents(&worker, &c, &b"x"[..], &a).await,
        Err(AppError::Forbidden)
    ));
});

db_test!(
    two_uploads_of_one_file_at_once_register_everyone_once,
    |db: Db| async move {
        let app = seeded(db, ring()).await;
        let addrs = addresses(&app).await;
        let rows: Vec<Vec<String>> = (0..300)
            .map(|i| person_row(i, &addrs[i % addrs.len()]))
            .collect();
        let file = xlsx(&HEADERS, &rows);
        let (sec, c, a) = (secretary(), code(COMMUNITY), Actor::cli());
        let (one, two) = tokio::join!(
            app.import_residents(&sec, &c, file.clone(), &a),
            app.import_residents(&sec, &c, file.clone(), &a)
        );
        let (one, two) = (one.unwrap(), two.unwrap());
        assert_eq!(one.imported + two.imported, 300);
        assert_eq!(one.unchanged + two.unchanged, 300);
        let all = app
            .list_residents(&sec, &ResidentQuery::default(), &Actor::cli())
            .await
            .unwrap();
        assert_eq!(all.total, 300);
        let mut conn = app.db().conn().await.unwrap();
        assert_eq!(
            linli_store::registry::empty_households(&mut conn, &c)
                .await
                .unwrap(),
            0
        );
    }
);
