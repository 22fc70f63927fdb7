//! The dashboard's speed over a street's roll-ups (issue: a street subtree
//! with 10,000,000 cases, p95 < 100 ms on both databases).
//!
//! `dashboard_bench CASES_PER_DAY [DATABASE_URL]` fills `case_stats` for
//! one street — 20 communities × 10 grids, 336 days — as the services
//! would after CASES_PER_DAY cases a day (36,000 is ≈ 12,000,000 a year):
//! each node's daily total and its rows per category (25), channel (6)
//! and handler (5), at grid, community and street level. It then times
//! the dashboard service for the street, a community and a grid over the
//! year and over one month. The roll-ups are written by SQL, not by filing
//! cases: the dashboard reads only roll-ups (and two indexed counts of open
//! cases, empty here), so their rows are what it pays for — and they do not
//! grow with the number of cases. `bench/dashboard.sh` runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::accounts::auth::{Credential, Principal};
use linli_app::{App, AppConfig, Db};
use linli_domain::access::{Grant, Role};
use linli_store::testing::exec;
use std::time::Instant;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let per_day: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(36_000);
    let url = args.get(2).cloned().unwrap_or_else(|| {
        let dir = std::env::temp_dir().join(format!("linli-dash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Db::sqlite_url_in(&dir)
    });
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let t = Instant::now();
    // (nodes, code of node i, depth, cases a node gets a day)
    let per_grid = per_day / 200;
    let levels = [
        (
            200,
            "CAST(220103008000000 + (i / 10 + 1) * 1000 + (i % 10 + 1) AS TEXT)",
            15,
            per_grid,
        ),
        (20, "CAST(220103008000 + i + 1 AS TEXT)", 12, per_grid * 10),
        (1, "'220103008'", 9, per_grid * 200),
    ];
    let mut rows = 0u64;
    for (nodes, code, depth, v) in levels {
        let sql = format!(
            "INSERT INTO case_stats (scope, depth, dim, dim_key, day, received, valid, registered,
                to_dispatch, dispatched, to_handle, handled, to_close, closed, resolved, satisfied,
                fairly_satisfied, first_time)
             WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < {last}),
               d(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM d WHERE j < 335),
               k(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM k WHERE m < 36)
             SELECT {code}, {depth},
                    CASE WHEN m = 0 THEN 'total' WHEN m <= 25 THEN 'category'
                         WHEN m <= 31 THEN 'channel' ELSE 'handler' END,
                    CASE WHEN m = 0 THEN '' ELSE CAST(m AS TEXT) END,
                    20260000 + (1 + j / 28) * 100 + (1 + j % 28),
                    {v}, {v}, {v}, {v}, {v}, {v}, {v}, {v}, {c}, {c}, {s}, {s}, {c}
             FROM g, d, k",
            last = nodes - 1,
            c = v * 9 / 10,
            s = v / 2,
        );
        exec(&db, &sql).await;
        rows += nodes * 336 * 37;
    }
    if db.backend() == linli_app::Backend::Postgres {
        exec(&db, "ANALYZE case_stats").await;
    }
    println!(
        "roll-up rows: {rows} for ≈ {} cases, written in {:.1} s",
        per_grid * 200 * 336,
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
        elder: false,
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
