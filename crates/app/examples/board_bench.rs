//! The public board of a community with three years of deliberation
//! (issue 22: p95 < 50 ms).
//!
//! `board_bench [DATABASE_URL]` writes by SQL one community's three years:
//! 450 proposals (150 a year) with supports, two meetings each, ratings on
//! the third that are done and two progress notes on each adopted one (75); 36
//! closed owners' votes on units of 60 owners, 50 of whom took part, with
//! their counts, and a cost plan with 60 shares on every third vote. Then it
//! reads the board (`App::board`) 50 times. `bench/votes.sh` runs it after
//! `vote_bench`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::{App, AppConfig, Db};
use linli_store::testing::exec;
use std::time::Instant;

const C: &str = "220103008003";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| {
        let dir = std::env::temp_dir().join(format!("linli-board-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Db::sqlite_url_in(&dir)
    });
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let g = |last: i64| {
        format!("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {last})")
    };
    let t = Instant::now();
    for sql in [
        format!("INSERT INTO regions (code, name, level, parent_code) VALUES ('{C}', '测试社区', 5, NULL)"),
        format!("INSERT INTO estates (id, community_code, name, created_at) VALUES (1, '{C}', '测试小区', 0)"),
        format!("INSERT INTO buildings (id, estate_id, community_code, name, floors, created_at) {} SELECT i, 1, '{C}', i || '号楼', 20, 0 FROM g", g(6)),
        format!("INSERT INTO units (id, building_id, name) {} SELECT i, (i - 1) / 6 + 1, ((i - 1) % 6 + 1) || '单元' FROM g", g(36)),
        format!("INSERT INTO dwellings (id, unit_id, floor, room) {} SELECT i, (i - 1) / 60 + 1, ((i - 1) % 60) / 3 + 1, CAST(i AS TEXT) FROM g", g(2160)),
        format!("INSERT INTO households (id, community_code, dwelling_id, created_at) {} SELECT i, '{C}', i, 0 FROM g", g(2160)),
        format!(
            "INSERT INTO residents (id, community_code, household_id, dwelling_id, building_id, name, gender,
                birth_date, doc_kind, doc_sealed, doc_index, doc_masked, ethnicity, political, relation,
                residency, work_unit, created_at, updated_at)
             {} SELECT i, '{C}', i, i, (i - 1) / 360 + 1, '居民' || i, 'F', '1970-01-01', 'id_card', 'x',
                       'board' || i, '1101**', '汉族', '群众', '户主', '户籍', '', 0, 0 FROM g",
            g(2160)
        ),
        format!(
            "INSERT INTO proposals (id, community_code, scope_kind, scope_id, scope_name, author_user, author_name,
                title, body, state, supports, threshold, answer, created_at, updated_at)
             {} SELECT i, '{C}', 'estate', 1, '测试小区', 0, '居民' || i, '议题' || i, '说明',
                       CASE i % 6 WHEN 0 THEN 'done' WHEN 1 THEN 'adopted' WHEN 2 THEN 'agenda'
                                  WHEN 3 THEN 'declined' WHEN 4 THEN 'review' ELSE 'seeking' END,
                       12, 10, CASE WHEN i % 6 IN (0, 1, 3) THEN '答复' ELSE NULL END, i * 1000, i * 1000 FROM g",
            g(450)
        ),
        format!("INSERT INTO proposal_supports (proposal_id, resident_id, created_at) {} SELECT (i - 1) / 12 + 1, (i * 7) % 2160 + 1, 0 FROM g", g(5400)),
        format!(
            "INSERT INTO meetings (id, community_code, proposal_id, kind, title, held_on, place, created_by, created_at)
             {} SELECT i, '{C}', (i - 1) / 2 + 1, 'council', '会议', '2025-01-01', '', 0, 0 FROM g",
            g(900)
        ),
        format!("INSERT INTO meeting_minutes (meeting_id, version, body, decisions, written_by, written_at) {} SELECT i, 1, '纪要', '', 0, 0 FROM g", g(900)),
        format!(
            "INSERT INTO proposal_ratings (proposal_id, resident_id, score, created_at)
             {} SELECT ((i - 1) / 20) * 6 + 6, (i * 13) % 2160 + 1, i % 5 + 1, 0 FROM g",
            g(1500)
        ),
        format!(
            "INSERT INTO proposal_progress (proposal_id, body, spent_fen, written_by, written_at)
             {} SELECT ((i - 1) / 2) * 6 + 1, '进展' || i, 100000, 0, i FROM g",
            g(150)
        ),
        format!(
            "INSERT INTO owner_votes (id, community_code, scope_kind, scope_id, scope_name, item, title, body, options,
                state, closes_on, area_total, heads_total, result, created_by, created_at)
             {} SELECT i, '{C}', 'unit', i, i || '单元', 7, '表决' || i, '', '同意\n反对\n弃权',
                       'closed', '2025-01-01', 600000, 60, 'x', 0, 0 FROM g",
            g(36)
        ),
        format!(
            "INSERT INTO vote_roll (vote_id, owner_key, resident_id, area, units)
             {} SELECT (i - 1) / 60 + 1, 'r:' || i, i, 10000, CAST(i AS TEXT) FROM g",
            g(2160)
        ),
        format!(
            "INSERT INTO vote_participation (vote_id, owner_key, channel, proof, receipt, created_at)
             {} SELECT (i - 1) / 60 + 1, 'r:' || i, 'paper', '', 'R', 0 FROM g WHERE (i - 1) % 60 < 50",
            g(2160)
        ),
        format!(
            "INSERT INTO vote_counts (vote_id, choice, area, heads)
             {} SELECT i, '同意', 400000, 40 FROM g UNION ALL SELECT i, '反对', 100000, 10 FROM g",
            g(36)
        ),
        format!(
            "INSERT INTO cost_plans (vote_id, basis, coefficients, owners_fen, created_by, created_at)
             {} SELECT i * 3, 'area', '', 6000000, 0, 0 FROM g",
            g(12)
        ),
        format!(
            "INSERT INTO cost_shares (vote_id, dwelling_id, label, floor, owner_key, weight, share_fen)
             {} SELECT ((i - 1) / 60 + 1) * 3, ((i - 1) / 60 * 3 + 2) * 60 + (i - 1) % 60 + 1, 'x', 1,
                       'r:' || i, 10000, 100000 FROM g",
            g(720)
        ),
    ] {
        exec(&db, &sql).await;
    }
    if db.backend() == linli_app::Backend::Postgres {
        exec(&db, "ANALYZE").await;
    }
    println!(
        "3 years of one community's deliberation written in {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let app = App::new(db.clone(), AppConfig::default());
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let b = app.board(C).await.unwrap();
        assert_eq!((b.proposals.len(), b.votes.len()), (200, 36));
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "public board (200 newest of 450 proposals, 36 votes, 12 cost plans), 50 runs: p50 {:.1} ms, p95 {:.1} ms",
        times[24], times[47]
    );
}
