//! Volunteering at street scale (issue 23: a check-in burst of 500 people
//! within 60 s on one activity, each < 100 ms p99; a member's balance among
//! 10 M ledger entries < 5 ms; the street's figures for a year p95 < 100 ms).
//!
//! `volunteer_bench [ENTRIES] [DATABASE_URL]` writes 10,000 volunteers and
//! a year of ENTRIES ledger entries (ENTRIES / 2 transfers from the
//! community to them, their balances and the daily roll-up) by SQL; then
//! through the services: reads 1,000 members' balances, the street's
//! figures for the year 50 times, and checks 500 volunteers in and out of
//! one activity by its rotating code from 8 concurrent clients (each
//! scan its own durable transaction with its audit record, the check-out
//! crediting hours and points). `bench/volunteering.sh` runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::accounts::auth::{Credential, Principal};
use linli_app::volunteering::ActivityInput;
use linli_app::{Actor, App, AppConfig, Db};
use linli_domain::access::{Grant, Role};
use linli_domain::time::beijing_minute;
use linli_domain::volunteering::checkin::Mark;
use linli_store::Backend;
use linli_store::testing::exec;
use std::sync::Arc;
use std::time::Instant;

const COMMUNITY: &str = "220103008003";
const VOLUNTEERS: i64 = 10_000;

fn who(user_id: i64, role: Role, scope: &str) -> Principal {
    Principal {
        user_id,
        username: format!("u{user_id}"),
        display_name: format!("志愿者{user_id}"),
        grants: vec![Grant {
            role,
            scope: scope.parse().unwrap(),
        }],
        must_change_password: false,
        last_login_at: None,
        credential: Credential::Token { token_id: 0 },
        elder: false,
    }
}

fn pct(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let entries: i64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let url = args.get(2).cloned().unwrap_or_else(|| {
        let dir = std::env::temp_dir().join(format!("linli-volunteers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Db::sqlite_url_in(&dir)
    });
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let transfers = entries / 2;
    let year_start = linli_domain::volunteering::year_start(linli_app::today().year())
        .unwrap()
        .0;
    let step = 365 * 86_400_000 / transfers.max(1);
    let n = |last: i64| {
        format!("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {last})")
    };
    let day = match db.backend() {
        Backend::Sqlite => "date(t.at / 1000 + 28800, 'unixepoch')".to_owned(),
        Backend::Postgres => {
            "to_char(to_timestamp(t.at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD')".to_owned()
        }
    };
    let t = Instant::now();
    for sql in [
        format!(
            "INSERT INTO volunteers (id, user_id, community_code, name, skills, party_member, target_minutes, joined_at)
             {} SELECT i, i, '{COMMUNITY}', '志愿者' || i, '助老', i % 2, 3000, 0 FROM g",
            n(VOLUNTEERS)
        ),
        format!("INSERT INTO ledger_accounts (id, holder, unit, balance) VALUES (1, 'issuer:{COMMUNITY}', 'hours', 0)"),
        format!(
            "INSERT INTO ledger_accounts (id, holder, unit, balance) {} SELECT i + 1, 'volunteer:' || i, 'hours', 0 FROM g",
            n(VOLUNTEERS)
        ),
        format!(
            "INSERT INTO ledger_transfers (id, idem_key, unit, amount, from_account, to_account, reason,
                                           source_ref, operator_user, at)
             {} SELECT i, 'bench:' || i, 'hours', 30, 1, 2 + i % {VOLUNTEERS}, '活动', 'bench:' || i, 0,
                       {year_start} + CAST(i AS BIGINT) * {step} FROM g",
            n(transfers)
        ),
        format!(
            "INSERT INTO ledger_entries (id, transfer_id, account_id, amount)
             {} SELECT 2 * i - 1, i, 1, -30 FROM g",
            n(transfers)
        ),
        format!(
            "INSERT INTO ledger_entries (id, transfer_id, account_id, amount)
             {} SELECT 2 * i, i, 2 + i % {VOLUNTEERS}, 30 FROM g",
            n(transfers)
        ),
        "UPDATE ledger_accounts SET balance = (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e
             WHERE e.account_id = ledger_accounts.id)"
            .to_owned(),
        format!(
            "INSERT INTO ledger_daily (community_code, day, unit, amount)
             SELECT '{COMMUNITY}', {day}, 'hours', SUM(t.amount) FROM ledger_transfers t GROUP BY {day}"
        ),
    ] {
        exec(&db, &sql).await;
    }
    if db.backend() == Backend::Postgres {
        for t in [
            "volunteers",
            "ledger_accounts",
            "ledger_transfers",
            "ledger_entries",
        ] {
            exec(
                &db,
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
                ),
            )
            .await;
            exec(&db, &format!("ANALYZE {t}")).await;
        }
    }
    println!(
        "setup: {VOLUNTEERS} volunteers, {transfers} transfers, {} entries in {:.0} s",
        transfers * 2,
        t.elapsed().as_secs_f64()
    );
    let app = Arc::new(App::new(db.clone(), AppConfig::default()));

    // a member's balance among them
    let mut times = Vec::new();
    for k in 0..1000i64 {
        let v = who(1 + (k * 7919) % VOLUNTEERS, Role::Resident, COMMUNITY);
        let t = Instant::now();
        let b = app.my_balances(&v).await.unwrap().unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(b.minutes > 0);
    }
    println!(
        "a member's balances (hours and points) among {} entries, 1,000 members: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        transfers * 2,
        pct(times.clone(), 0.5),
        pct(times.clone(), 0.95),
        pct(times, 0.99)
    );

    // the street's figures for the year
    let street = who(0, Role::StreetAdmin, "220103008");
    let from = linli_domain::time::UnixMs(year_start);
    let to = from.plus_secs(366 * 86_400);
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let f = app.volunteering_figures(&street, from, to).await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(f.volunteers, VOLUNTEERS);
    }
    println!(
        "the street's volunteering figures for a year, 50 runs: p50 {:.1} ms, p95 {:.1} ms",
        pct(times.clone(), 0.5),
        pct(times, 0.95)
    );

    // the check-in burst: 500 people on one activity, 8 clients
    let staff = who(0, Role::CommunitySecretary, COMMUNITY);
    let actor = Actor::cli();
    let now = linli_app::now();
    let activity = app
        .create_activity(
            &staff,
            COMMUNITY,
            &ActivityInput {
                title: "爱心日".into(),
                place: "党群服务中心".into(),
                starts: beijing_minute(now.plus_secs(-5400)),
                ends: beijing_minute(now.plus_secs(7200)),
                capacity: 500,
                points: 10,
                repeat: 1,
            },
            &actor,
        )
        .await
        .unwrap()
        .0;
    for mark in [Mark::In, Mark::Out] {
        let t = Instant::now();
        let mut tasks = Vec::new();
        for k in 0..8i64 {
            let (app, staff, actor) = (app.clone(), staff.clone(), actor.clone());
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::new();
                let mut i = k + 1;
                while i <= 500 {
                    // each phone scans the code showing when it gets there
                    let code = app.check_code(&staff, activity, mark, false).await.unwrap();
                    let q = code.path.split_once('?').unwrap().1.to_owned();
                    let get = |key: &str| {
                        q.split('&')
                            .find_map(|p| p.strip_prefix(&format!("{key}=")))
                            .unwrap()
                            .to_owned()
                    };
                    let v = who(i, Role::Resident, COMMUNITY);
                    let s = Instant::now();
                    app.scan_code(&v, activity, mark, &get("w"), &get("t"), &actor)
                        .await
                        .unwrap();
                    times.push(s.elapsed().as_secs_f64() * 1e3);
                    i += 8;
                }
                times
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.extend(t.await.unwrap());
        }
        println!(
            "check-{}: 500 volunteers in {:.2} s from 8 clients: p50 {:.1} ms, p99 {:.1} ms",
            mark.as_str(),
            t.elapsed().as_secs_f64(),
            pct(times.clone(), 0.5),
            pct(times, 0.99)
        );
        // they stay an hour (the check-out credits it)
        exec(
            &db,
            &format!(
                "UPDATE activity_people SET in_at = in_at - 3600000 WHERE activity_id = {activity}"
            ),
        )
        .await;
    }
    let credited = app
        .my_balances(&who(1, Role::Resident, COMMUNITY))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credited.points, 10, "the activity's points, once");
    let t = Instant::now();
    let h = app.ledger_health().await.unwrap();
    assert!(
        h.total == 0 && h.unbalanced.is_empty() && h.drifted.is_empty() && h.rollups_off.is_empty(),
        "{h:?}"
    );
    println!(
        "the ledger check over {} entries: {:.1} s",
        h.entries,
        t.elapsed().as_secs_f64()
    );
}
