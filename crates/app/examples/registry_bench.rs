//! The registry's speed on one machine (issue: import 1,000,000 residents
//! from xlsx in < 60 s on SQLite with flat memory; exact ID search p95
//! < 10 ms and list page p95 < 50 ms among 1,000,000).
//!
//! `registry_bench gen N FILE` writes an xlsx of N made-up residents in
//! the 长山花园 demo's dwellings; `registry_bench run FILE [DATABASE_URL]`
//! seeds the demo community into a fresh database, imports FILE through
//! the service (as `linli import residents` does), then times searches.
//! `bench/registry.sh` runs both and prints the figures for the README.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::accounts::auth::{Credential, Principal};
use linli_app::demo::COMMUNITY;
use linli_app::infra::crypto::{CipherKind, Keyring};
use linli_app::registry::ResidentQuery;
use linli_app::{Actor, App, AppConfig, Db};
use linli_domain::access::{Grant, Role};
use linli_domain::registry::with_check_char;
use std::sync::Arc;
use std::time::Instant;

const HEADERS: [&str; 9] = [
    "姓名",
    "证件号码",
    "联系电话",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "标签",
    "居住类型",
];
const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
/// Given names of two characters from this pool: 2,500 of them, so with
/// the surnames 25,000 distinct names (≈ 40 people a name in a million).
const POOL: [char; 50] = [
    '秀', '英', '桂', '兰', '建', '国', '淑', '珍', '志', '强', '丽', '华', '庆', '玉', '海', '燕',
    '红', '梅', '德', '明', '凤', '立', '新', '春', '生', '美', '玲', '振', '文', '斌', '晓', '伟',
    '芳', '军', '静', '敏', '磊', '洋', '勇', '艳', '杰', '娟', '涛', '超', '霞', '平', '刚', '桂',
    '荣', '宇',
];

fn name_of(i: usize) -> String {
    let k = i / 10;
    format!(
        "{}{}{}",
        SURNAMES[i % 10],
        POOL[k % 50],
        POOL[(k / 50) % 50]
    )
}

/// Person i's ID number: born 1930-01-01 + (i mod 27,000) days, sequence i / 27,000.
fn id_of(i: usize) -> String {
    let epoch = time::macros::date!(1930 - 01 - 01);
    let birth = epoch + time::Duration::days((i % 27_000) as i64);
    let (y, m, d) = (birth.year(), birth.month() as u8, birth.day());
    with_check_char(&format!(
        "220103{y:04}{m:02}{d:02}{:03}",
        (i / 27_000) % 1000
    ))
    .unwrap()
}

fn rss_peak_mib() -> f64 {
    status_mib("VmHWM:")
}

fn rss_now_mib() -> f64 {
    status_mib("VmRSS:")
}

fn status_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn app_on(url: &str, key: &std::path::Path) -> App {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    App::new(db, AppConfig::default()).with_crypto(Arc::new(
        Keyring::load(key, CipherKind::Sm4Gcm, true).unwrap(),
    ))
}

fn secretary() -> Principal {
    Principal {
        user_id: 0,
        username: "bench".into(),
        display_name: "bench".into(),
        grants: vec![Grant {
            role: Role::CommunitySecretary,
            scope: COMMUNITY.parse().unwrap(),
        }],
        must_change_password: false,
        last_login_at: None,
        credential: Credential::Token { token_id: 0 },
        elder: false,
    }
}

/// `registry_bench import FILE URL KEY`: the import alone, in a process of
/// its own (as `linli import residents` runs), reading the file from the
/// disk; prints its time and the process's peak RSS.
fn import(file: &str, url: &str, key: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let app = app_on(url, std::path::Path::new(key)).await;
        let size_mib = std::fs::metadata(file).unwrap().len() as f64 / 1048576.0;
        let resident = rss_now_mib();
        // the package check alone (it runs again inside the import)
        let t = Instant::now();
        let f = std::io::BufReader::new(std::fs::File::open(file).unwrap());
        linli_app::infra::xlsx::guard::check_zip(f, linli_app::infra::xlsx::guard::Reading::Streamed).unwrap();
        println!("package check (zip entries, dimension, uniqueCount, sizes): {:.2} s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let r = app
            .import_residents(&secretary(), &COMMUNITY.parse().unwrap(), std::path::PathBuf::from(file), &Actor::cli())
            .await
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "import: {} rows ({size_mib:.1} MiB xlsx) in {secs:.1} s = {:.0} rows/s; {} imported, {} rejected; peak RSS of the importing process {:.0} MiB ({resident:.0} MiB before the import)",
            r.rows,
            r.rows as f64 / secs,
            r.imported,
            r.rejected.len(),
            rss_peak_mib()
        );
        app.db().close().await;
    });
}

fn generate(n: usize, file: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // the dwellings of the demo community, from a scratch database
    let addrs = rt.block_on(async {
        let path = std::env::temp_dir().join(format!("linli-bench-gen-{}.db", std::process::id()));
        let key = std::env::temp_dir().join(format!("linli-bench-gen-{}.key", std::process::id()));
        let app = app_on(&format!("sqlite://{}", path.display()), &key).await;
        app.seed_demo_community().await.unwrap();
        let mut conn = app.db().conn().await.unwrap();
        let mut keys: Vec<_> =
            linli_store::registry::dwelling_keys(&mut conn, &COMMUNITY.parse().unwrap())
                .await
                .unwrap()
                .into_keys()
                .collect();
        keys.sort();
        drop(conn);
        app.db().close().await;
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&key);
        keys
    });
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..n {
        let r = i as u32 + 1;
        let a = &addrs[i % addrs.len()];
        let name = name_of(i);
        let cells = [
            name.as_str(),
            &id_of(i),
            &format!("139{i:08}"),
            &a.0,
            &a.1,
            &a.2,
            &a.3,
            if i % 50 == 0 { "独居老人" } else { "" },
            "户籍",
        ];
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, c as u16, *v).unwrap();
            }
        }
    }
    book.save(file).unwrap();
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

async fn timed<F, Fut>(label: &str, runs: usize, mut f: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut ms = Vec::with_capacity(runs);
    for i in 0..runs {
        let t = Instant::now();
        f(i).await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{label}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms ({runs} runs)",
        percentile(&mut ms, 0.50),
        percentile(&mut ms, 0.95),
        percentile(&mut ms, 0.99)
    );
}

fn run(file: &str, url: Option<&str>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("linli-bench-run-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = url.map_or_else(|| Db::sqlite_url_in(&dir), str::to_owned);
        let key = dir.join("bench.key");
        let app = app_on(&url, &key).await;
        app.seed_demo_community().await.unwrap();
        let sec = secretary();
        // the import runs in a child process, so its peak RSS is its own
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["import", file, &url, &key.display().to_string()])
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&child.stdout));
        eprint!("{}", String::from_utf8_lossy(&child.stderr));
        assert!(
            child.status.success(),
            "{}",
            String::from_utf8_lossy(&child.stderr)
        );
        let r = app
            .list_residents(&sec, &ResidentQuery::default(), &Actor::cli())
            .await
            .unwrap();
        assert_eq!(r.rows.len(), 50);
        let out = String::from_utf8_lossy(&child.stdout);
        let n: usize = out
            .split("import: ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        let q = |q: ResidentQuery| q;
        timed("search by exact ID number", 500, |i| {
            let app = app.clone();
            let sec = sec.clone();
            async move {
                let id = id_of((i * 7919) % n);
                let page = app
                    .list_residents(
                        &sec,
                        &q(ResidentQuery {
                            q: Some(id),
                            ..Default::default()
                        }),
                        &Actor::cli(),
                    )
                    .await
                    .unwrap();
                assert_eq!(page.total, 1);
            }
        })
        .await;
        timed("list page 1 (50 rows, total counted)", 100, |_| {
            let app = app.clone();
            let sec = sec.clone();
            async move {
                let page = app
                    .list_residents(&sec, &ResidentQuery::default(), &Actor::cli())
                    .await
                    .unwrap();
                assert_eq!(page.rows.len(), 50);
            }
        })
        .await;
        timed("list page deep in the keyset (after id n/2)", 100, |i| {
            let app = app.clone();
            let sec = sec.clone();
            async move {
                let after = Some((n / 2 + i * 97) as i64);
                let page = app
                    .list_residents(
                        &sec,
                        &ResidentQuery {
                            after,
                            ..Default::default()
                        },
                        &Actor::cli(),
                    )
                    .await
                    .unwrap();
                assert_eq!(page.rows.len(), 50);
            }
        })
        .await;
        timed("list filtered by tag 独居老人", 100, |_| {
            let app = app.clone();
            let sec = sec.clone();
            async move {
                let page = app
                    .list_residents(
                        &sec,
                        &ResidentQuery {
                            tag: Some("独居老人".into()),
                            ..Default::default()
                        },
                        &Actor::cli(),
                    )
                    .await
                    .unwrap();
                assert_eq!(page.rows.len(), 50);
            }
        })
        .await;
        timed("list filtered by name (≈40 people a name)", 100, |i| {
            let app = app.clone();
            let sec = sec.clone();
            async move {
                let name = name_of((i * 7919) % n);
                let page = app
                    .list_residents(
                        &sec,
                        &ResidentQuery {
                            q: Some(name),
                            ..Default::default()
                        },
                        &Actor::cli(),
                    )
                    .await
                    .unwrap();
                assert!(!page.rows.is_empty());
            }
        })
        .await;
        app.db().close().await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["gen", n, file] => generate(n.parse().unwrap(), file),
        ["run", file] => run(file, None),
        ["run", file, url] => run(file, Some(url)),
        ["import", file, url, key] => import(file, url, key),
        _ => eprintln!("usage: registry_bench gen N FILE | run FILE [DATABASE_URL]"),
    }
}
