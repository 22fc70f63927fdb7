//! Owners' votes at an estate of 5,000 owners (issue 22: tally < 50 ms;
//! ballots ≥ 1,000/s on SQLite, durable).
//!
//! `vote_bench [OWNERS] [DATABASE_URL]` writes an estate of OWNERS
//! dwellings (20 buildings, 5 units each), one resident and owner per
//! dwelling, by SQL; then through the services: drafts an election among
//! three companies, opens it (the roll is taken), enters every owner's
//! paper ballot from 8 concurrent clients (each ballot its own durable
//! transaction with its audit record), closes it (the count and verdict)
//! and reads the result page's model 50 times. `bench/votes.sh` runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::accounts::auth::{Credential, Principal};
use linli_app::deliberation::{BallotInput, NewVoteInput};
use linli_app::{Actor, App, AppConfig, Db};
use linli_domain::access::{Grant, Role};
use linli_store::testing::exec;
use std::sync::Arc;
use std::time::Instant;

const COMMUNITY: &str = "220103008003";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let owners: i64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5_000);
    let url = args.get(2).cloned().unwrap_or_else(|| {
        let dir = std::env::temp_dir().join(format!("linli-votes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Db::sqlite_url_in(&dir)
    });
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let per_building = (owners + 19) / 20;
    let per_unit = (per_building + 4) / 5;
    let n = |last: i64| {
        format!("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {last})")
    };
    for sql in [
        format!("INSERT INTO estates (id, community_code, name, created_at) VALUES (1, '{COMMUNITY}', '测试小区', 0)"),
        format!(
            "INSERT INTO buildings (id, estate_id, community_code, name, floors, created_at)
             {} SELECT i, 1, '{COMMUNITY}', i || '号楼', 30, 0 FROM g",
            n(20)
        ),
        format!(
            "INSERT INTO units (id, building_id, name) {} SELECT i, (i - 1) / 5 + 1, ((i - 1) % 5 + 1) || '单元' FROM g",
            n(100)
        ),
        format!(
            "INSERT INTO dwellings (id, unit_id, floor, room)
             {} SELECT i, (i - 1) / {per_unit} + 1, ((i - 1) % {per_unit}) / 2 + 1,
                       CAST((((i - 1) % {per_unit}) / 2 + 1) * 100 + (i - 1) % 2 + 1 AS TEXT) FROM g",
            n(owners)
        ),
        format!(
            "INSERT INTO households (id, community_code, dwelling_id, created_at) {} SELECT i, '{COMMUNITY}', i, 0 FROM g",
            n(owners)
        ),
        format!(
            "INSERT INTO residents (id, community_code, household_id, dwelling_id, building_id, name, gender,
                birth_date, doc_kind, doc_sealed, doc_index, doc_masked, ethnicity, political, relation,
                residency, work_unit, created_at, updated_at)
             {} SELECT i, '{COMMUNITY}', i, i, (i - 1) / {per_building} + 1, '业主' || i, 'F', '1970-01-01',
                       'id_card', 'x', 'bench' || i, '1101**', '汉族', '群众', '户主', '户籍', '', 0, 0 FROM g",
            n(owners)
        ),
        format!(
            "INSERT INTO dwelling_owners (dwelling_id, resident_id, developer, area_register, updated_at)
             {} SELECT i, i, 0, 6000 + (i * 37) % 8000, 0 FROM g",
            n(owners)
        ),
    ] {
        exec(&db, &sql).await;
    }
    let app = Arc::new(App::new(db.clone(), AppConfig::default()));
    let sec = Principal {
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
    };
    let actor = Actor::cli();
    let closes = (linli_app::today() + time::Duration::days(7)).to_string();
    let id = app
        .create_vote(
            &sec,
            &NewVoteInput {
                scope: "estate:1".into(),
                item: "4".into(),
                title: "选聘物业服务企业".into(),
                body: String::new(),
                candidates: "甲物业\n乙物业\n丙物业".into(),
                closes_on: closes,
                proposal: None,
            },
            &actor,
        )
        .await
        .unwrap();
    let t = Instant::now();
    app.open_vote(&sec, id, &actor).await.unwrap();
    println!(
        "open (roll of {owners} owners taken): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    let t = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..8i64 {
        let (app, sec, actor) = (app.clone(), sec.clone(), actor.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = k + 1;
            while i <= owners {
                let choice = ["甲物业", "乙物业", "丙物业", "弃权"][(i % 7 % 4) as usize];
                app.enter_ballot(
                    &sec,
                    id,
                    &BallotInput {
                        owner_key: format!("r:{i}"),
                        room: String::new(),
                        channel: "paper".into(),
                        choice: choice.into(),
                        proof: format!("DT-{i}"),
                        proxy: String::new(),
                    },
                    &actor,
                )
                .await
                .unwrap();
                i += 8;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "ballots: {owners} in {secs:.2} s = {:.0}/s (8 clients, one durable transaction each)",
        owners as f64 / secs
    );

    let t = Instant::now();
    app.close_vote(&sec, id, &actor).await.unwrap();
    println!(
        "close (count and verdict): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let v = app.vote(&sec, id).await.unwrap();
        assert_eq!(v.heads_part, owners);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "result page model (tally by area and heads for each candidate), 50 runs: p50 {:.1} ms, p95 {:.1} ms",
        times[24], times[47]
    );
}
