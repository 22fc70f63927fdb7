//! The dashboard's speed over a street's roll-ups (issue: a street subtree
//! with 10,000,000 cases, p95 < 100 ms on both databases).
//!
//! `dashboard_bench ROWS_PER_GRID_DAY [DATABASE_URL]` fills `case_stats`
//! for one street — 20 communities × 10 grids, 336 days, ROWS_PER_GRID_DAY
//! (category × channel × handler) rows per grid and day, each row counting
//! 3 cases — then times the dashboard service for the street, a community
//! and a grid over the year and over one month. The roll-ups are written
//! by SQL, not by filing cases: the dashboard reads only roll-ups (and two
//! indexed counts of open cases, empty here), so the rows are what it pays
//! for. `bench/dashboard.sh` runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::auth::{Credential, Principal};
use linli_app::{App, AppConfig, Db};
use linli_domain::access::{Grant, Role};
use linli_store::testing::exec;
use std::time::Instant;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let per: u32 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(60)
        .min(150);
    let url = args.get(2).cloned().unwrap_or_else(|| {
        let dir = std::env::temp_dir().join(format!("linli-dash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Db::sqlite_url_in(&dir)
    });
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let t = Instant::now();
    let sql = format!(
        "INSERT INTO case_stats (scope, day, category_id, channel, handler, received, valid,
            registered, to_dispatch, dispatched, to_handle, handled, to_close, closed, resolved,
            satisfied, fairly_satisfied, first_time)
         WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < 199),
           d(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM d WHERE j < 335),
           k(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM k WHERE m < {last})
         SELECT CAST(220103008000000 + (i / 10 + 1) * 1000 + (i % 10 + 1) AS TEXT),
                20260000 + (1 + j / 28) * 100 + (1 + j % 28), 1 + m % 25,
                CASE m % 6 WHEN 0 THEN 'resident' WHEN 1 THEN 'patrol' WHEN 2 THEN 'phone'
                  WHEN 3 THEN 'meeting_day' WHEN 4 THEN 'api' ELSE 'open311' END,
                CASE (m / 6) % 5 WHEN 0 THEN '' WHEN 1 THEN '网格员' WHEN 2 THEN '社区工作组'
                  WHEN 3 THEN '街道综合行政执法队' ELSE '物业公司' END,
                3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1, 2
         FROM g, d, k",
        last = per - 1
    );
    exec(&db, &sql).await;
    if db.backend() == linli_app::Backend::Postgres {
        exec(&db, "ANALYZE case_stats").await;
    }
    let rows = 200 * 336 * u64::from(per);
    println!(
        "roll-up rows: {rows} (≈ {} cases) written in {:.1} s",
        rows * 3,
        t.elapsed().as_secs_f64()
    );
    let app = App::new(db.clone(), AppConfig::default());
    let street = Principal {
        user_id: 0,
        username: "bench".into(),
        display_name: "bench".into(),
        grants: vec![Grant {
            role: Role::StreetAdmin,
            scope: "220103008".parse().unwrap(),
        }],
        must_change_password: false,
        last_login_at: None,
        credential: Credential::Token { token_id: 0 },
    };
    let year = (
        time::macros::date!(2026 - 01 - 01),
        time::macros::date!(2026 - 12 - 31),
    );
    let month = (
        time::macros::date!(2026 - 06 - 01),
        time::macros::date!(2026 - 06 - 30),
    );
    for (what, code, (from, to)) in [
        ("street, year", "220103008", year),
        ("street, one month", "220103008", month),
        ("community, year", "220103008001", year),
        ("grid, year", "220103008001001", year),
    ] {
        let code = code.parse().unwrap();
        let mut ms: Vec<f64> = Vec::new();
        let mut received = 0;
        for _ in 0..20 {
            let t = Instant::now();
            let d = app.dashboard(&street, &code, from, to).await.unwrap();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            received = d.total.counts.received;
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "dashboard {what:<18} ({received} cases): p50 {:.1} ms  p95 {:.1} ms",
            ms[ms.len() / 2],
            ms[ms.len() * 95 / 100]
        );
    }
}
