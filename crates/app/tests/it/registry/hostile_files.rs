//! Crafted spreadsheets against both importers on both databases (issue
//! 17, item 5): each is refused with a clear Chinese reason before the
//! spreadsheet library sees it, nothing is written, and the process is
//! still here to import a good file afterwards. Before the package check,
//! the far-apart cells and the huge uniqueCount aborted the process
//! (an allocation failure, which no `catch_unwind` catches).

use super::residents::{code, ring, secretary, seeded};
use linli_app::demo::COMMUNITY;
use linli_app::infra::xlsx::{guard, hostile, read_first_sheet};
use linli_app::registry::ResidentQuery;
use linli_app::{Actor, AppError};
use linli_store::{Db, db_test};

#[test]
fn each_crafted_file_is_small_and_refused_by_the_reader() {
    for (what, bytes) in hostile::all().unwrap() {
        assert!(bytes.len() < 400 * 1024, "{what}: {} bytes", bytes.len());
        let e = read_first_sheet(&bytes).unwrap_err();
        assert!(
            matches!(&e, AppError::Invalid(m) if m.contains("Excel 文件结构异常")),
            "{what}: {e:?}"
        );
        // the streamed check refuses the same files, but the far-apart
        // cells, which cost a streamed read nothing
        let streamed = guard::check_package(&bytes, guard::Reading::Streamed);
        assert_eq!(
            streamed.is_err(),
            what != "far-apart cells",
            "{what}: {streamed:?}"
        );
    }
}

db_test!(both_importers_refuse_crafted_files, |db: Db| async move {
    let app = seeded(db, ring()).await;
    let sec = secretary();
    let community = code(COMMUNITY);
    let before = app
        .list_residents(&sec, &ResidentQuery::default(), &Actor::cli())
        .await
        .unwrap()
        .total;
    for (what, bytes) in hostile::all().unwrap() {
        let places = app
            .import_places(&sec, &community, &bytes, &Actor::cli())
            .await;
        assert!(
            matches!(&places, Err(AppError::Invalid(m)) if m.contains("Excel 文件结构异常")),
            "places, {what}: {places:?}"
        );
        let residents = app
            .import_residents(&sec, &community, bytes.clone(), &Actor::cli())
            .await;
        match what {
            // streamed cell by cell, two far cells are just two cells: the
            // file is read and its rows refused for their content
            "far-apart cells" => assert!(
                residents.is_err() || residents.as_ref().is_ok_and(|r| r.imported == 0),
                "{residents:?}"
            ),
            _ => assert!(
                matches!(&residents, Err(AppError::Invalid(m)) if m.contains("Excel 文件结构异常")),
                "residents, {what}: {residents:?}"
            ),
        }
    }
    let after = app
        .list_residents(&sec, &ResidentQuery::default(), &Actor::cli())
        .await
        .unwrap()
        .total;
    assert_eq!(before, after);
});
