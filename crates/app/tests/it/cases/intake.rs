//! Intake under load on both databases: reports filed at the same moment
//! share group commits, yet each gets its own consecutive number, its own
//! submit event and audit record, the roll-ups count each once, and one
//! Idempotency-Key files one case however its copies are batched.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::cases::{gcj, report, world};
use linli_app::Actor;
use linli_app::audit::ChainReport;
use linli_app::demo::COMMUNITY;
use linli_store::{Db, db_test, testing};
use std::collections::{BTreeSet, HashMap};

db_test!(
    reports_filed_together_are_numbered_counted_and_audited_once,
    |db: Db| async move {
        let w = world(db.clone()).await;
        // 40 reports without a key, and 4 copies each of 5 keyed ones
        let mut tasks = Vec::new();
        for i in 0..60 {
            let key = (i >= 40).then(|| format!("k-{}", i % 5));
            let (app, who) = (w.app.clone(), w.resident.clone());
            let r = report(Some(gcj(w.spot)), key.as_deref());
            tasks.push(tokio::spawn(async move {
                let filed = app.submit_case(Some(&who), &r, &Actor::cli()).await;
                (key, filed.unwrap())
            }));
        }
        let mut by_key: HashMap<String, BTreeSet<i64>> = HashMap::new();
        let mut created = Vec::new();
        for t in tasks {
            let (key, (c, new)) = t.await.unwrap();
            assert_eq!(c.scope, format!("{COMMUNITY}001"));
            if new {
                created.push(c.clone());
            }
            if let Some(k) = key {
                by_key.entry(k).or_default().insert(c.id);
            }
        }
        assert_eq!(created.len(), 45, "40 unkeyed and one per key");
        assert!(by_key.values().all(|ids| ids.len() == 1), "{by_key:?}");
        let ids: BTreeSet<i64> = created.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), 45);
        // numbers: today's, consecutive, none twice
        let mut seqs: Vec<u32> = created
            .iter()
            .map(|c| c.number[8..].parse().unwrap())
            .collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (seqs[0]..seqs[0] + 45).collect::<Vec<u32>>());

        // one submit event per case, one audit record per case, a whole chain
        let events = testing::table_text(&db, "case_events").await;
        assert_eq!(events.matches("|submit|").count(), 45, "{events}");
        let log = testing::table_text(&db, "audit_log").await;
        assert_eq!(log.matches("case.submit").count(), 45);
        let chain = w.app.verify_audit_chain().await.unwrap();
        assert!(matches!(chain, ChainReport::Intact { .. }), "{chain:?}");

        // the roll-ups count every case once, down to the grid
        let today = linli_app::today();
        let d = w
            .app
            .dashboard(&w.secretary, &COMMUNITY.parse().unwrap(), today, today)
            .await
            .unwrap();
        assert_eq!(d.total.counts.received, 45);
        assert_eq!(d.by_area.len(), 1);
        assert_eq!(d.by_area[0].counts.received, 45);
        let s = w
            .app
            .dashboard(&w.street, &"220103008".parse().unwrap(), today, today)
            .await
            .unwrap();
        assert_eq!(s.total.counts.received, 45);
    }
);
