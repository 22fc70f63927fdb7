//! `linli backup` and `linli restore` on both databases: a community with
//! residents, cases (one with a photo), votes and partner units is backed
//! up and restored onto SQLite and onto PostgreSQL — whichever made it —
//! with every table's rows, the photo and a verifying audit chain; a
//! second restore onto the now full database is refused; a damaged or
//! truncated backup is refused before anything is written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::cases::{report, world};
use linli_app::cases::photos::PhotoUpload;
use linli_app::demo::COMMUNITY;
use linli_app::infra::crypto::{CipherKind, Keyring};
use linli_app::{Actor, App, AppConfig, AppError};
use linli_store::blobs::Blobs;
use linli_store::testing::{TestDb, table_text};
use linli_store::{Backend, Db, db_test};
use std::sync::Arc;

fn photo() -> PhotoUpload {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 3) as u8, (y * 5) as u8, 70])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    PhotoUpload(out)
}

/// A table's rows as sorted lines, to compare two databases.
async fn rows(db: &Db, table: &str) -> Vec<String> {
    let mut v: Vec<String> = table_text(db, table)
        .await
        .lines()
        .map(str::to_owned)
        .collect();
    v.sort();
    v
}

db_test!(a_backup_restores_onto_both_databases, |db: Db| async move {
    let keys = Arc::new(Keyring::generate(CipherKind::Sm4Gcm).unwrap());
    let w = world(db.clone()).await;
    let app = App::new(db.clone(), AppConfig::default())
        .with_crypto(keys.clone())
        .with_blobs(Blobs::memory());
    app.seed_demo_residents().await.unwrap().unwrap();
    app.seed_demo_votes().await.unwrap().unwrap();
    app.seed_demo_partners().await.unwrap().unwrap();
    let mut r = report(None, None);
    r.community = Some(COMMUNITY.parse().unwrap());
    r.photos = vec![photo()];
    let (case, _) = app
        .submit_case(Some(&w.resident), &r, &Actor::cli())
        .await
        .unwrap();

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("linli-backup-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("changshan.linli-backup");
    let m = app.backup_to(&file).await.unwrap();
    assert!(m.total_rows() > 10_000, "{}", m.total_rows());
    assert_eq!(m.blobs.len(), 1, "the case photo");
    assert!(
        app.backup_to(&file).await.is_err(),
        "an existing file is not overwritten"
    );

    for backend in [Backend::Sqlite, Backend::Postgres] {
        let t = TestDb::create(backend).await.expect("both databases");
        let target = App::new(t.db.clone(), AppConfig::default())
            .with_crypto(keys.clone())
            .with_blobs(Blobs::memory());
        let (back, chain) = target.restore_from(&file).await.unwrap();
        assert_eq!(chain, None, "the audit chain verifies");
        assert_eq!(back.total_rows(), m.total_rows());
        let mut conn = t.db.conn().await.unwrap();
        for part in &m.tables {
            let n = linli_store::ops::backup::count(&mut conn, &part.name)
                .await
                .unwrap();
            assert_eq!(n as u64, part.rows, "{backend:?} {}", part.name);
        }
        drop(conn);
        for table in ["residents", "audit_log", "cases", "partner_projects"] {
            assert_eq!(
                rows(&t.db, table).await,
                rows(&db, table).await,
                "{backend:?} {table}"
            );
        }
        // the photo, the sealed fields and new ids work on the restored database
        let v = target.case_view(&w.secretary, case.id).await.unwrap();
        let jpeg = target
            .case_photo(&w.secretary, case.id, v.photos[0].id)
            .await
            .unwrap();
        assert!(jpeg.starts_with(&[0xFF, 0xD8]));
        let (again, _) = target
            .submit_case(
                Some(&w.resident),
                &{
                    let mut n = report(None, None);
                    n.community = Some(COMMUNITY.parse().unwrap());
                    n
                },
                &Actor::cli(),
            )
            .await
            .unwrap();
        assert!(again.id > case.id, "ids continue after the restored ones");
        assert!(matches!(
            target.restore_from(&file).await,
            Err(AppError::Invalid(m)) if m.contains("不是空的")
        ));
        t.cleanup().await;
    }

    // a damaged or truncated backup is refused, and nothing is written
    let bytes = std::fs::read(&file).unwrap();
    let damaged = dir.join("damaged");
    let mut d = bytes.clone();
    let mid = d.len() / 3;
    d[mid] ^= 0x5A;
    std::fs::write(&damaged, &d).unwrap();
    let truncated = dir.join("truncated");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    for bad in [&damaged, &truncated] {
        let t = TestDb::create(Backend::Sqlite).await.unwrap();
        let target = App::new(t.db.clone(), AppConfig::default()).with_crypto(keys.clone());
        assert!(target.restore_from(bad).await.is_err(), "{}", bad.display());
        let mut conn = t.db.conn().await.unwrap();
        assert_eq!(
            linli_store::ops::backup::count(&mut conn, "users")
                .await
                .unwrap(),
            0
        );
        drop(conn);
        t.cleanup().await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
});
