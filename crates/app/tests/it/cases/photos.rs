//! Photos on cases, on both databases: a 随手拍 with a photo keeps a
//! re-encoded JPEG that only those who see the case can fetch; the
//! handler's photos join the handle step; a photo of a step hidden from
//! the reporter stays hidden; an executable, an oversized or a tenth photo
//! is refused and files nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::cases::{gcj, report, world};
use image::{DynamicImage, ImageFormat, RgbImage};
use linli_app::cases::StepInput;
use linli_app::cases::photos::PhotoUpload;
use linli_app::{Actor, AppError};
use linli_domain::cases::Step;
use linli_domain::cases::photo::{MAX_PHOTO_BYTES, PhotoFormat, sniff};
use linli_store::cases::CaseFilter;
use linli_store::{Db, db_test};

fn png(w: u32, h: u32) -> PhotoUpload {
    let img = RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 200) as u8, 40])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    PhotoUpload(out)
}

fn step(note: &str, photos: Vec<PhotoUpload>) -> StepInput {
    StepInput {
        note: note.into(),
        photos,
        ..StepInput::default()
    }
}

db_test!(photos_follow_the_case_and_its_access, |db: Db| async move {
    let w = world(db.clone()).await;
    let a = Actor::cli();
    let app = &w.app;
    let mut r = report(Some(gcj(w.spot)), None);
    r.photos = vec![png(3000, 2000)];
    let (c, _) = app.submit_case(Some(&w.resident), &r, &a).await.unwrap();

    let v = app.case_view(&w.worker1, c.id).await.unwrap();
    assert_eq!(v.photos.len(), 1);
    let p = &v.photos[0];
    assert_eq!(
        (p.stage.as_str(), p.width, p.height),
        ("report", 2048, 1365)
    );
    let jpeg = app.case_photo(&w.worker1, c.id, p.id).await.unwrap();
    assert_eq!(sniff(&jpeg), Some(PhotoFormat::Jpeg));
    assert_eq!(i64::try_from(jpeg.len()).unwrap(), p.bytes);
    // the reporter sees it, a worker of another grid and a neighbour do not
    assert!(app.case_photo(&w.resident, c.id, p.id).await.is_ok());
    for other in [&w.worker2, &w.neighbour] {
        assert!(matches!(
            app.case_photo(other, c.id, p.id).await,
            Err(AppError::NotFound)
        ));
    }
    // a photo id under another case's number is not found either
    let (c2, _) = app
        .submit_case(Some(&w.neighbour), &report(Some(gcj(w.spot)), None), &a)
        .await
        .unwrap();
    assert!(matches!(
        app.case_photo(&w.neighbour, c2.id, p.id).await,
        Err(AppError::NotFound)
    ));

    // the handler's photos join the handle step; a rework's stay internal
    let sec = &w.secretary;
    app.case_step(sec, c.id, Step::Accept, &step("", vec![]), &a)
        .await
        .unwrap();
    app.case_step(sec, c.id, Step::Dispatch, &step("", vec![]), &a)
        .await
        .unwrap();
    app.case_step(
        &w.worker1,
        c.id,
        Step::Handle,
        &step("已清理", vec![png(640, 480)]),
        &a,
    )
    .await
    .unwrap();
    app.case_step(
        sec,
        c.id,
        Step::VerifyFail,
        &step("仍有油污", vec![png(320, 240)]),
        &a,
    )
    .await
    .unwrap();
    let staff = app.case_view(sec, c.id).await.unwrap();
    let stages: Vec<&str> = staff.photos.iter().map(|p| p.stage.as_str()).collect();
    assert_eq!(stages, ["report", "handle", "handle"]);
    let mine = app.case_view(&w.resident, c.id).await.unwrap();
    assert_eq!(mine.photos.len(), 2, "the rework's photo is not public");
    let hidden = staff.photos[2].id;
    assert!(matches!(
        app.case_photo(&w.resident, c.id, hidden).await,
        Err(AppError::NotFound)
    ));
    assert!(app.case_photo(sec, c.id, hidden).await.is_ok());
});

db_test!(
    bad_photos_are_refused_and_file_nothing,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let a = Actor::cli();
        let app = &w.app;
        let count = || async {
            let all = CaseFilter {
                limit: 100,
                ..CaseFilter::default()
            };
            app.list_cases(&w.secretary, &all).await.unwrap().1
        };
        let before = count().await;
        let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
        elf.resize(4096, 0);
        let mut huge = png(16, 16).0;
        huge.resize(MAX_PHOTO_BYTES + 1, 0);
        let mut fake_jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
        fake_jpeg.extend_from_slice(&[0x42; 512]);
        for (photos, says) in [
            (vec![PhotoUpload(elf)], "只能上传 JPEG、PNG 或 WebP 照片"),
            (vec![PhotoUpload(huge)], "照片不能超过 10 MB"),
            (vec![PhotoUpload(fake_jpeg)], "照片无法读取"),
            (vec![png(8, 8); 10], "最多 9 张"),
        ] {
            let mut r = report(Some(gcj(w.spot)), None);
            r.photos = photos;
            match app.submit_case(Some(&w.resident), &r, &a).await {
                Err(AppError::Invalid(m)) => assert!(m.contains(says), "{m}"),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
        assert_eq!(count().await, before, "no case was filed");

        // nine on the report, then nine more on the handle step: a tenth is refused
        let mut r = report(Some(gcj(w.spot)), None);
        r.photos = vec![png(8, 8); 9];
        let (c, _) = app.submit_case(Some(&w.resident), &r, &a).await.unwrap();
        let sec = &w.secretary;
        for s in [Step::Accept, Step::Dispatch] {
            app.case_step(sec, c.id, s, &step("", vec![]), &a)
                .await
                .unwrap();
        }
        let e = app
            .case_step(
                &w.worker1,
                c.id,
                Step::Handle,
                &step("", vec![png(8, 8); 10]),
                &a,
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("最多 9 张"), "{e}");
        let v = app.case_view(sec, c.id).await.unwrap();
        assert_eq!(v.photos.len(), 9);
        assert_eq!(
            v.state.as_str(),
            "dispatched",
            "the refused step changed nothing"
        );
    }
);

db_test!(
    photo_files_of_failed_requests_are_swept,
    |db: Db| async move {
        let w = world(db.clone()).await;
        // photos in a real directory, as the server keeps them
        let dir = std::env::temp_dir().join(format!(
            "linli-sweep-{}-{}",
            std::process::id(),
            linli_app::now().0
        ));
        let app = &w
            .app
            .clone()
            .with_blobs(linli_app::Blobs::local(&dir).unwrap());
        let a = Actor::cli();
        // a kept photo
        let mut ok = report(Some(gcj(w.spot)), None);
        ok.photos = vec![png(300, 200)];
        let (c, _) = app.submit_case(Some(&w.resident), &ok, &a).await.unwrap();
        // a request refused by its own fields writes no file: those checks
        // run before the photos
        let mut refused = report(Some(gcj(w.spot)), None);
        refused.contact_phone = Some("12345".into());
        refused.photos = vec![png(320, 240)];
        assert!(matches!(
            app.submit_case(Some(&w.resident), &refused, &a).await,
            Err(AppError::Invalid(_))
        ));
        // a file written by a request that never committed (the process
        // died between the photo and the commit), put as the server does
        linli_app::Blobs::local(&dir)
            .unwrap()
            .put(
                "photos/ff/orphan.jpg",
                bytes::Bytes::from_static(b"\xff\xd8\xff"),
            )
            .await
            .unwrap();
        // young files stay (a request may still be on its way to commit)
        assert_eq!(app.sweep_orphan_photos(3600).await.unwrap(), 0);
        // a cutoff a second ahead takes every file so far, without waiting
        assert_eq!(app.sweep_orphan_photos(-1).await.unwrap(), 1);
        assert_eq!(app.sweep_orphan_photos(-1).await.unwrap(), 0);
        // the case's own photo is still there
        let v = app.case_view(&w.worker1, c.id).await.unwrap();
        assert!(
            app.case_photo(&w.worker1, c.id, v.photos[0].id)
                .await
                .is_ok()
        );
        let files = std::fs::read_dir(dir.join("photos"))
            .unwrap()
            .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
            .count();
        assert_eq!(files, 1, "one file left on disk: the kept photo");
        std::fs::remove_dir_all(&dir).unwrap();
    }
);
