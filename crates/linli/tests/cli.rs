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
