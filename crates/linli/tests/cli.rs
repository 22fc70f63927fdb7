//! The `linli` binary's verbs, run as a process against SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_store::Backend;
use linli_store::testing::{TestDb, drop_audit_guards, exec};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn linli(args: &[&str], url: &str, stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linli"))
        .args(args)
        .args(["--database-url", url])
        .env("LINLI_DATA", data_dir(url))
        .env("RUST_LOG", "debug")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        // A verb that refuses its arguments exits before it reads stdin:
        // the pipe is then closed, which is not the test's failure.
        match child.stdin.take().unwrap().write_all(input.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// A data directory (for the key file) of its own per test database.
fn data_dir(url: &str) -> std::path::PathBuf {
    let name: String = url.chars().filter(char::is_ascii_alphanumeric).collect();
    std::env::temp_dir().join(format!("linli-cli-{name}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn verbs_end_to_end(backend: Backend) {
    let Some(t) = TestDb::create(backend).await else {
        return;
    };
    let url = t.url.clone();
    let pw = "Planted-Secret-2026";
    let add = [
        "user",
        "add",
        "--username",
        "zhaowg",
        "--role",
        "grid_worker",
        "--scope",
        "220103008003",
    ];
    let o = linli(&add, &url, Some(&format!("{pw}\n")));
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains(pw), "the password reached the output");

    // bad input: each a clear message and a failing exit code, nothing created
    let dup = linli(&add, &url, Some(&format!("{pw}\n")));
    assert!(
        !dup.status.success() && text(&dup).contains("已存在"),
        "{}",
        text(&dup)
    );
    let role = linli(
        &[
            "user",
            "add",
            "--username",
            "x1x",
            "--role",
            "king",
            "--scope",
            "22",
        ],
        &url,
        Some("a\n"),
    );
    assert!(
        !role.status.success() && text(&role).contains("unknown role `king`"),
        "{}",
        text(&role)
    );
    let scope = [
        "user",
        "add",
        "--username",
        "x1x",
        "--role",
        "grid_worker",
        "--scope",
        "长山",
    ];
    let o = linli(&scope, &url, Some("a\n"));
    assert!(
        !o.status.success() && text(&o).contains("region code"),
        "{}",
        text(&o)
    );
    let no_pw = [
        "user",
        "add",
        "--username",
        "x2x",
        "--role",
        "resident",
        "--scope",
        "22",
    ];
    let o = linli(&no_pw, &url, Some(""));
    assert!(
        !o.status.success() && text(&o).contains("no password"),
        "{}",
        text(&o)
    );

    let tok = linli(
        &["token", "add", "--username", "zhaowg", "--name", "脚本"],
        &url,
        None,
    );
    assert!(tok.status.success(), "{}", text(&tok));
    let token = String::from_utf8(tok.stdout.clone())
        .unwrap()
        .trim()
        .to_owned();
    assert!(
        token.starts_with("linli_pat_") && token.len() == 74,
        "{token}"
    );
    assert!(
        !String::from_utf8_lossy(&tok.stderr).contains(&token),
        "the token reached the log"
    );
    let ghost = linli(&["token", "add", "--username", "ghost"], &url, None);
    assert!(!ghost.status.success() && text(&ghost).contains("未找到"));

    let dis = linli(&["user", "disable", "--username", "zhaowg"], &url, None);
    assert!(dis.status.success(), "{}", text(&dis));

    let clean = linli(&["check"], &url, None);
    assert!(clean.status.success(), "{}", text(&clean));
    assert!(text(&clean).contains("database: ok") && text(&clean).contains("audit chain: ok"));

    let ok = linli(&["audit", "verify"], &url, None);
    assert!(ok.status.success(), "{}", text(&ok));
    // user.create, role.grant, token.create, user.disable
    assert!(
        text(&ok).contains("audit chain intact: 4 records"),
        "{}",
        text(&ok)
    );

    drop_audit_guards(&t.db).await;
    exec(
        &t.db,
        "UPDATE audit_log SET detail = 'user:999' WHERE seq = 3",
    )
    .await;
    let broken = linli(&["audit", "verify"], &url, None);
    assert_eq!(broken.status.code(), Some(1), "{}", text(&broken));
    assert!(text(&broken).contains("BROKEN") && text(&broken).contains("record 3 was changed"));
    let checked = linli(&["check"], &url, None);
    assert_eq!(checked.status.code(), Some(1), "{}", text(&checked));
    assert!(text(&checked).contains("audit chain: PROBLEM: record 3 was changed"));

    // a backup of this database restores into another; the chain broken
    // above is broken in the copy too, and restore says so
    let file = data_dir(&url).join("cli.linli-backup");
    let _ = std::fs::remove_file(&file);
    let file_arg = file.to_str().unwrap();
    let b = linli(&["backup", file_arg], &url, None);
    assert!(b.status.success(), "{}", text(&b));
    assert!(
        text(&b).contains("备份完成") && text(&b).contains("linli.keys"),
        "{}",
        text(&b)
    );
    let again = linli(&["backup", file_arg], &url, None);
    assert!(!again.status.success(), "an existing file is kept");
    if let Some(t2) = TestDb::create(backend).await {
        let r = linli(&["restore", file_arg], &t2.url, None);
        assert_eq!(r.status.code(), Some(1), "{}", text(&r));
        assert!(
            text(&r).contains("恢复完成") && text(&r).contains("审计链校验未通过"),
            "{}",
            text(&r)
        );
        let twice = linli(&["restore", file_arg], &t2.url, None);
        assert!(
            !twice.status.success() && text(&twice).contains("不是空的"),
            "{}",
            text(&twice)
        );
        t2.cleanup().await;
    }
    let junk = data_dir(&url).join("junk.linli-backup");
    std::fs::write(&junk, b"not a zip").unwrap();
    let bad = linli(&["restore", junk.to_str().unwrap()], &url, None);
    assert!(
        !bad.status.success() && text(&bad).contains("无法打开"),
        "{}",
        text(&bad)
    );
    t.cleanup().await;
}

async fn places_in_excel(backend: Backend) {
    use linli_app::infra::xlsx::{Cell, SheetOut, read_first_sheet, write_book};
    let Some(t) = TestDb::create(backend).await else {
        return;
    };
    let app = linli_app::App::new(t.db.clone(), linli_app::AppConfig::default());
    app.seed_demo_community().await.unwrap().unwrap();
    let dir = std::env::temp_dir().join(format!(
        "linli-cli-places-{}-{backend:?}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let p = |f: &str| dir.join(f).display().to_string();
    let garden = ["--community", "220103008003"];

    let o = linli(&["export", "template", &p("template.xlsx")], &t.url, None);
    assert!(o.status.success(), "{}", text(&o));
    let o = linli(
        &[&["export", "places", &p("all.xlsx")][..], &garden].concat(),
        &t.url,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let (sheet, _) = read_first_sheet(&std::fs::read(p("all.xlsx")).unwrap()).unwrap();
    assert_eq!(sheet.rows.len(), 3105);

    let cell = |s: &str| Cell::Text(s.to_owned());
    let rows = vec![
        vec![cell("西苑"), cell("1"), cell("1"), cell("1"), cell("101")],
        vec![cell("西苑"), cell("1"), cell("1"), cell("1"), cell("102")],
        vec![
            cell("西苑"),
            cell("1"),
            cell("1"),
            cell("一楼"),
            cell("103"),
        ],
    ];
    let headers = ["小区", "楼栋", "单元", "楼层", "房号"];
    let file = write_book(&[SheetOut {
        name: "房屋",
        headers: &headers,
        rows: &rows,
    }])
    .unwrap();
    std::fs::write(p("new.xlsx"), file).unwrap();
    let o = linli(
        &[&["import", "places", &p("new.xlsx")][..], &garden].concat(),
        &t.url,
        None,
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("3 rows; new: 1 estates, 1 buildings, 1 units, 2 dwellings"),
        "{}",
        text(&o)
    );
    let (rejected, _) = read_first_sheet(&std::fs::read(p("new.rejected.xlsx")).unwrap()).unwrap();
    assert_eq!(rejected.rows.len(), 1);
    assert!(rejected.rows[0].1.last().unwrap().contains("第 4 行"));

    let o = linli(&["import", "places", &p("new.xlsx")], &t.url, None);
    assert!(
        !o.status.success() && text(&o).contains("--community"),
        "{}",
        text(&o)
    );
    std::fs::write(p("junk.xlsx"), b"not a spreadsheet").unwrap();
    let o = linli(
        &[&["import", "places", &p("junk.xlsx")][..], &garden].concat(),
        &t.url,
        None,
    );
    assert!(
        !o.status.success() && text(&o).contains("不是有效的 Excel"),
        "{}",
        text(&o)
    );
    std::fs::remove_dir_all(&dir).ok();
    t.cleanup().await;
}

async fn residents_in_excel(backend: Backend) {
    use linli_app::infra::xlsx::{Cell, SheetOut, read_first_sheet, write_book};
    let Some(t) = TestDb::create(backend).await else {
        return;
    };
    let app = linli_app::App::new(t.db.clone(), linli_app::AppConfig::default());
    app.seed_demo_community().await.unwrap().unwrap();
    let dir = data_dir(&t.url);
    std::fs::create_dir_all(&dir).unwrap();
    let p = |f: &str| dir.join(f).display().to_string();
    let garden = ["--community", "220103008003"];
    let planted = "11010519491231002X";
    let cell = |s: &str| Cell::Text(s.to_owned());
    let rows = vec![
        vec![
            cell("王秀兰"),
            cell(planted),
            cell("长山花园小区"),
            cell("5"),
            cell("1"),
            cell("101"),
            cell("13812345678"),
        ],
        vec![
            cell("李四"),
            cell("110105194912310021"),
            cell("长山花园小区"),
            cell("5"),
            cell("1"),
            cell("102"),
            cell(""),
        ],
    ];
    let headers = ["姓名", "身份证号", "小区", "楼栋", "单元", "门牌号", "电话"];
    let file = write_book(&[SheetOut {
        name: "居民",
        headers: &headers,
        rows: &rows,
    }])
    .unwrap();
    std::fs::write(p("people.xlsx"), file).unwrap();
    let o = linli(
        &[&["import", "residents", &p("people.xlsx")][..], &garden].concat(),
        &t.url,
        None,
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("2 rows; 1 new, 0 updated, 0 unchanged, 1 rejected"),
        "{}",
        text(&o)
    );
    assert!(
        !text(&o).contains(planted) && !text(&o).contains("13812345678"),
        "personal data in the output"
    );
    let (rejected, _) =
        read_first_sheet(&std::fs::read(p("people.rejected.xlsx")).unwrap()).unwrap();
    assert_eq!(rejected.rows.len(), 1);
    assert!(rejected.rows[0].1.last().unwrap().contains("校验位"));

    // masked by default; unmasked on request
    let o = linli(
        &[&["export", "residents", &p("masked.xlsx")][..], &garden].concat(),
        &t.url,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let (sheet, _) = read_first_sheet(&std::fs::read(p("masked.xlsx")).unwrap()).unwrap();
    assert_eq!(sheet.rows.len(), 1);
    assert!(
        sheet.rows[0].1.contains(&"110105********002X".to_owned()),
        "{:?}",
        sheet.rows
    );
    let o = linli(
        &[
            &["export", "residents", &p("clear.xlsx"), "--unmasked"][..],
            &garden,
        ]
        .concat(),
        &t.url,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let (sheet, _) = read_first_sheet(&std::fs::read(p("clear.xlsx")).unwrap()).unwrap();
    assert!(sheet.rows[0].1.contains(&planted.to_owned()));

    // a new key, then rotation: the export still opens every value
    let o = linli(&["keys", "add"], &t.url, None);
    assert!(
        o.status.success() && text(&o).contains("key k2 added"),
        "{}",
        text(&o)
    );
    let o = linli(&["keys", "rotate"], &t.url, None);
    assert!(
        o.status.success() && text(&o).contains("re-sealed 1 residents"),
        "{}",
        text(&o)
    );
    let o = linli(
        &[
            &["export", "residents", &p("clear2.xlsx"), "--unmasked"][..],
            &garden,
        ]
        .concat(),
        &t.url,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let (sheet, _) = read_first_sheet(&std::fs::read(p("clear2.xlsx")).unwrap()).unwrap();
    assert!(sheet.rows[0].1.contains(&"13812345678".to_owned()));
    // a file over the importer's 200 MB limit is refused before it is read
    let big = std::fs::File::create(p("big.xlsx")).unwrap();
    big.set_len(201 * 1024 * 1024).unwrap();
    let o = linli(
        &[&["import", "residents", &p("big.xlsx")][..], &garden].concat(),
        &t.url,
        None,
    );
    assert!(
        !o.status.success() && text(&o).contains("the limit is 200 MB"),
        "{}",
        text(&o)
    );
    std::fs::remove_file(p("big.xlsx")).ok();
    let o = linli(
        &["export", "residents-template", &p("t.xlsx")],
        &t.url,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let (sheet, _) = read_first_sheet(&std::fs::read(p("t.xlsx")).unwrap()).unwrap();
    assert_eq!(sheet.headers[..3], ["姓名", "性别", "出生日期"]);
    std::fs::remove_dir_all(&dir).ok();
    t.cleanup().await;
}

mod residents {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        residents_in_excel(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        residents_in_excel(Backend::Postgres).await;
    }
}

mod places {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        places_in_excel(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        places_in_excel(Backend::Postgres).await;
    }
}

mod verbs {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        verbs_end_to_end(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        verbs_end_to_end(Backend::Postgres).await;
    }
}
