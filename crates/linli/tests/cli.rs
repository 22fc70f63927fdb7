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
        .env("RUST_LOG", "debug")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
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
        eprintln!("skipped: LINLI_TEST_POSTGRES_URL is not set");
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

    let later = linli(&["export", "residents", "x.xlsx"], &url, None);
    assert_eq!(later.status.code(), Some(2));
    assert!(text(&later).contains("not available yet"));
    t.cleanup().await;
}

async fn places_in_excel(backend: Backend) {
    use linli_app::xlsx::{Cell, SheetOut, read_first_sheet, write_book};
    let Some(t) = TestDb::create(backend).await else {
        eprintln!("skipped: LINLI_TEST_POSTGRES_URL is not set");
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
