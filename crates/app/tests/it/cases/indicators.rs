//! The dashboard's figures against a recount, on both databases: random
//! case histories (accept, reject, dispatch, handle, rework, postpone,
//! close on the spot, cancel, rate, reopen, re-categorise) spread over
//! half a year and the community's grids; then, for random subtrees and
//! periods, every count the roll-ups give equals a recount made here from
//! the timeline events alone, every breakdown (category, handler, area)
//! too, and every indicator lies in [0, 1].

use crate::common::cases::{World, gcj, report, world};
use linli_app::Actor;
use linli_app::accounts::auth::Principal;
use linli_app::cases::StepInput;
use linli_app::demo::COMMUNITY;
use linli_domain::access::RegionCode;
use linli_domain::cases::{Counts, HandlerKind, Indicators, Rating, Step, day_key};
use linli_domain::geo::LngLat;
use linli_domain::time::UnixMs;
use linli_store::cases::{self as store, Event};
use linli_store::{Db, db_test};
use std::collections::BTreeMap;

const H: i64 = 3600;
const DAY: i64 = 24 * H;
const CASES: usize = 120;

/// splitmix64: the histories are random but the same on every run of a
/// seed (`LINLI_TEST_SEED` picks another).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

fn actor(p: &Principal) -> Actor {
    Actor {
        id: Some(p.user_id),
        name: p.display_name.clone(),
        source: "test".into(),
    }
}

/// One random case history, filed back-dated; returns nothing, the
/// database holds it.
async fn history(
    w: &World,
    rng: &mut Rng,
    spot: LngLat,
    categories: &[String],
    start: UnixMs,
    now: UnixMs,
) {
    let (app, staff, reporter) = (&w.app, &w.secretary, &w.resident);
    let mut input = report(Some(gcj(spot)), None);
    input.category = Some(categories[rng.below(categories.len() as u64) as usize].clone());
    let mut t = start;
    let c = app
        .submit_case_at(reporter, &input, &actor(reporter), t)
        .await
        .unwrap();
    let mut state = c.state.clone();
    let mut closed_at: Option<UnixMs> = None;
    let mut rated_for: Option<UnixMs> = None;
    for _ in 0..14 {
        t = t.plus_secs(H + rng.below(4 * DAY as u64) as i64);
        if t >= now || rng.chance(6) {
            break;
        }
        let step = match state.as_str() {
            "submitted" => match rng.below(10) {
                0 => Step::Reject,
                1 => Step::CloseOnSpot,
                2 => Step::Cancel,
                _ => Step::Accept,
            },
            "accepted" if rng.chance(8) => Step::Cancel,
            "accepted" => Step::Dispatch,
            "dispatched" | "in_progress" => match rng.below(10) {
                0 => Step::Postpone { approved: true },
                1 => Step::Dispatch,
                2 if state == "dispatched" => Step::Start,
                _ => Step::Handle,
            },
            "postponed" => Step::Resume,
            "handled" if rng.chance(25) => Step::VerifyFail,
            "handled" => Step::VerifyPass,
            "closed" if rated_for == closed_at => break,
            "closed" => {
                // the reporter rates (不满意 within a week reopens it)
                let r = match rng.below(10) {
                    0..=4 => Rating::Satisfied,
                    5..=6 => Rating::FairlySatisfied,
                    _ => Rating::Dissatisfied,
                };
                rated_for = closed_at;
                let k = app
                    .rate_case_at(reporter, c.id, r, &actor(reporter), t)
                    .await
                    .unwrap();
                state = k.state;
                closed_at = k.closed_at;
                continue;
            }
            _ => break,
        };
        let mut input = StepInput {
            note: "测试".into(),
            ..StepInput::default()
        };
        if step == Step::Accept && rng.chance(30) {
            input.category = Some(categories[rng.below(categories.len() as u64) as usize].clone());
        }
        if step == Step::Dispatch && rng.chance(50) {
            input.handler_kind = Some(HandlerKind::CommunityTeam);
            input.handler_name = Some(["物业服务中心", "社区综合组"][rng.below(2) as usize].into());
        }
        let k = app
            .case_step_at(staff, c.id, step, &input, &actor(staff), t)
            .await
            .unwrap();
        state = k.state;
        closed_at = k.closed_at;
    }
}

/// A case's counts, recounted from its timeline alone with the
/// definitions the dashboard states (each case at most once per count).
fn recount(created: UnixMs, events: &[Event]) -> Counts {
    let first = |step: &str| events.iter().find(|e| e.step == step);
    let has = |step: &str| first(step).is_some();
    let mut c = Counts {
        received: 1,
        ..Counts::default()
    };
    let accept = first("accept");
    let on_spot = first("close_on_spot");
    let registered = accept.is_some() || on_spot.is_some();
    let entered = accept.or(on_spot);
    let closing = events
        .iter()
        .find(|e| e.step == "verify_pass" || e.step == "close_on_spot");
    let b = u64::from;
    c.valid = b(registered);
    c.registered = b(registered);
    c.to_close = b(registered);
    c.to_dispatch = b(accept.is_some());
    c.cancelled = b(events
        .iter()
        .any(|e| e.step == "cancel" && e.from_state.as_deref() == Some("accepted")));
    c.responded_in_time = b(entered.is_some_and(|e| e.at.secs_since(created) <= DAY));
    let dispatch = first("dispatch");
    // up for handling once dispatched, or reopened (a case closed on the
    // spot comes back without a dispatch)
    c.to_handle = b(dispatch.is_some() || has("reopen"));
    if let (Some(a), Some(d)) = (accept, dispatch) {
        c.dispatched = 1;
        c.dispatched_on_time = b(d.at.secs_since(a.at) <= DAY);
    }
    let handle = first("handle");
    c.handled = b(handle.is_some());
    c.handled_on_time = b(handle.is_some_and(|h| h.due_at.is_some_and(|d| h.at <= d)));
    c.reworked = b(has("verify_fail"));
    c.reopened = b(has("reopen"));
    c.on_spot = b(on_spot.is_some());
    if let Some(cl) = closing {
        c.closed = 1;
        let on_time = cl.step == "close_on_spot" || cl.due_at.is_some_and(|d| cl.at <= d);
        c.closed_on_time = b(on_time);
        let before = |e: &Event| e.id < cl.id;
        let postponed_before = events.iter().any(|e| e.step == "postpone" && before(e));
        c.excused_closed = b(postponed_before);
        c.excused_closed_on_time = b(postponed_before && on_time);
        let reworked_before = events.iter().any(|e| e.step == "verify_fail" && before(e));
        c.first_time = b(!reworked_before && !has("reopen"));
        // resolved while the last closing was not undone by a reopen
        let last = events
            .iter()
            .rev()
            .find(|e| matches!(e.step.as_str(), "verify_pass" | "close_on_spot" | "reopen"));
        c.resolved = b(last.is_some_and(|e| e.step != "reopen"));
    }
    c.postponed = b(events
        .iter()
        .any(|e| e.step == "postpone" && closing.is_none_or(|cl| e.id < cl.id)));
    if let Some(r) = events.iter().rev().find(|e| e.step == "rate") {
        // the note starts with the rating's label
        if r.note.starts_with("基本满意") {
            c.fairly_satisfied = 1;
        } else if r.note.starts_with("不满意") {
            c.dissatisfied = 1;
        } else if r.note.starts_with("满意") {
            c.satisfied = 1;
        }
    }
    c
}

fn add(into: &mut Counts, c: &Counts) {
    for (k, n) in c.deltas() {
        into.add(k, n);
    }
}

fn in_unit(i: &Indicators, what: &str) {
    for (name, _, v) in i.labelled() {
        if let Some(v) = v {
            assert!((0.0..=1.0).contains(&v), "{what}: {name} = {v}");
        }
    }
}

/// A case as the recount groups it.
struct Recounted {
    day: i64,
    scope: String,
    category: String,
    handler: String,
    counts: Counts,
}

db_test!(
    the_dashboard_equals_a_recount_of_the_timeline,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let seed = std::env::var("LINLI_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20_261_207u64);
        let mut rng = Rng(seed);
        let now = linli_app::now();
        let mut conn = db.conn().await.unwrap();
        let community: RegionCode = COMMUNITY.parse().unwrap();
        let spots: Vec<LngLat> =
            linli_store::territory::places::buildings_of(&mut conn, &community)
                .await
                .unwrap()
                .into_iter()
                .filter_map(|b| LngLat::parse(b.lng?, b.lat?).ok())
                .collect();
        let categories: Vec<String> = store::setup::categories(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .filter(|k| k.active && k.parent_id.is_some())
            .map(|k| k.code)
            .take(6)
            .collect();
        drop(conn);
        assert!(spots.len() >= 5 && categories.len() >= 3);
        let first_day = now.plus_secs(-200 * DAY);
        for _ in 0..CASES {
            let at = first_day.plus_secs(rng.below(190 * DAY as u64) as i64);
            let spot = spots[rng.below(spots.len() as u64) as usize];
            history(&w, &mut rng, spot, &categories, at, now).await;
        }

        // the recount, from the timeline events and the case rows
        let mut conn = db.conn().await.unwrap();
        let reach = store::CaseReach {
            prefixes: vec![String::new()],
            ..store::CaseReach::default()
        };
        let filter = store::CaseFilter {
            limit: 500,
            ..store::CaseFilter::default()
        };
        let rows = store::list_cases(&mut conn, &reach, &filter).await.unwrap();
        assert_eq!(rows.len(), CASES);
        let mut cases = Vec::new();
        // the shapes of history the counting rules are about
        let mut shapes = BTreeMap::<&str, usize>::new();
        for r in &rows {
            let events = store::events_of(&mut conn, r.id).await.unwrap();
            let n = |step: &str| events.iter().filter(|e| e.step == step).count();
            for (shape, seen) in [
                ("reworked twice", n("verify_fail") >= 2),
                ("dispatched twice", n("dispatch") >= 2),
                ("reopened", n("reopen") >= 1),
                (
                    "closed on the spot, reopened",
                    n("close_on_spot") == 1 && n("reopen") >= 1,
                ),
                (
                    "postponed, then closed",
                    n("postpone") >= 1 && n("verify_pass") >= 1,
                ),
                ("rated twice", n("rate") >= 2),
            ] {
                *shapes.entry(shape).or_default() += usize::from(seen);
            }
            cases.push(Recounted {
                day: day_key(r.created_at),
                scope: r
                    .scope
                    .parse::<RegionCode>()
                    .unwrap()
                    .significant_prefix()
                    .to_owned(),
                category: r.category_id.to_string(),
                handler: r.handler_name.clone().unwrap_or_default(),
                counts: recount(r.created_at, &events),
            });
        }
        drop(conn);

        // nodes: the street, the community, every grid that has cases
        let mut nodes: Vec<String> = vec!["220103008".into(), COMMUNITY.into()];
        for c in &cases {
            if c.scope.len() > 12 && !nodes.contains(&c.scope) {
                nodes.push(c.scope.clone());
            }
        }
        let today = linli_domain::cases::china_date(now);
        let start = linli_domain::cases::china_date(first_day);
        let span = (today - start).whole_days();
        let mut periods = vec![(start, today)];
        for _ in 0..8 {
            let a = start + time::Duration::days(rng.below(span as u64) as i64);
            let len = [0, 6, 30, 90][rng.below(4) as usize];
            periods.push((a, (a + time::Duration::days(len)).min(today)));
        }
        let mut compared = 0;
        for node in &nodes {
            let code: RegionCode = format!("{node:0<12}").parse().unwrap();
            for (from, to) in &periods {
                let d = w.app.dashboard(&w.street, &code, *from, *to).await.unwrap();
                let (lo, hi) = (
                    linli_domain::cases::date_key(*from),
                    linli_domain::cases::date_key(*to),
                );
                let inside: Vec<&Recounted> = cases
                    .iter()
                    .filter(|c| c.scope.starts_with(node.as_str()) && (lo..=hi).contains(&c.day))
                    .collect();
                let mut total = Counts::default();
                for c in &inside {
                    add(&mut total, &c.counts);
                }
                let what = format!("{node} {from}..{to}");
                assert_eq!(d.total.counts, total, "{what}");
                in_unit(&d.total.indicators, &what);
                for (slices, key_of) in [
                    (
                        &d.by_category,
                        (|c: &Recounted| c.category.clone()) as fn(&Recounted) -> String,
                    ),
                    (&d.by_handler, |c: &Recounted| c.handler.clone()),
                ] {
                    for s in slices {
                        let mut sum = Counts::default();
                        for c in inside.iter().filter(|c| key_of(c) == s.key) {
                            add(&mut sum, &c.counts);
                        }
                        assert_eq!(s.counts, sum, "{what} breakdown {}", s.key);
                        in_unit(&s.indicators, &format!("{what} {}", s.label));
                    }
                }
                for s in d.by_area.iter().chain(&d.by_month).chain(&d.by_day) {
                    in_unit(&s.indicators, &format!("{what} {}", s.label));
                }
                compared += 1;
            }
        }
        assert!(compared >= 20, "{compared}");
        for (shape, n) in &shapes {
            assert!(
                *n > 0,
                "no history was {shape}: widen the histories ({shapes:?})"
            );
        }
        // the histories reached every kind of step the figures count
        let mut all = Counts::default();
        for c in &cases {
            add(&mut all, &c.counts);
        }
        for (name, n) in [
            ("closed", all.closed),
            ("reworked", all.reworked),
            ("postponed", all.postponed),
            ("on_spot", all.on_spot),
            ("cancelled", all.cancelled),
            (
                "rated",
                all.satisfied + all.fairly_satisfied + all.dissatisfied,
            ),
        ] {
            assert!(n > 0, "no case was {name}: widen the histories");
        }
    }
);

db_test!(
    the_demo_year_has_no_figure_above_one_hundred_percent,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let made = w.app.seed_demo_cases().await.unwrap().unwrap();
        assert!(made > 1000, "{made}");
        // a year of history, but an inbox of the last two days: believable
        for who in [&w.secretary, &w.worker1] {
            let (_, unread) = w.app.notifications(who).await.unwrap();
            assert!(unread < 60, "{unread} unread");
        }
        let today = linli_domain::cases::china_date(linli_app::now());
        let year_ago = today - time::Duration::days(365);
        // the year, every month of it, and a few single days
        let mut periods = vec![(year_ago, today)];
        let mut m = year_ago;
        while m < today {
            let end = (m + time::Duration::days(30)).min(today);
            periods.push((m, end));
            m = end + time::Duration::days(1);
        }
        for back in [0, 1, 7, 45, 200] {
            let d = today - time::Duration::days(back);
            periods.push((d, d));
        }
        let mut nodes = vec!["220103008".to_owned(), COMMUNITY.to_owned()];
        for g in 1..=10 {
            nodes.push(format!("{COMMUNITY}{g:03}"));
        }
        let mut seen = 0;
        for node in &nodes {
            let code: RegionCode = node.parse().unwrap();
            for (from, to) in &periods {
                let d = w.app.dashboard(&w.street, &code, *from, *to).await.unwrap();
                let what = format!("{node} {from}..{to}");
                in_unit(&d.total.indicators, &what);
                for s in d
                    .by_category
                    .iter()
                    .chain(&d.by_channel)
                    .chain(&d.by_handler)
                    .chain(&d.by_area)
                    .chain(&d.by_month)
                    .chain(&d.by_day)
                {
                    in_unit(&s.indicators, &format!("{what} {}", s.label));
                    seen += 1;
                }
            }
        }
        assert!(seen > 1000, "{seen}");
    }
);

db_test!(
    two_steps_at_once_leave_each_count_in_one_place,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let now = linli_app::now();
        let c = w
            .app
            .submit_case_at(
                &w.resident,
                &report(Some(gcj(w.spot)), None),
                &actor(&w.resident),
                now,
            )
            .await
            .unwrap();
        let staff = &w.secretary;
        let input = |handler: Option<&str>| StepInput {
            note: "测试".into(),
            handler_kind: handler.map(|_| HandlerKind::CommunityTeam),
            handler_name: handler.map(str::to_owned),
            ..StepInput::default()
        };
        let app = &w.app;
        app.case_step_at(staff, c.id, Step::Accept, &input(None), &actor(staff), now)
            .await
            .unwrap();
        app.case_step_at(
            staff,
            c.id,
            Step::Dispatch,
            &input(Some("甲组")),
            &actor(staff),
            now,
        )
        .await
        .unwrap();
        // two people re-dispatch it at the same moment, to different teams
        for round in 0..6 {
            let (x, y) = (format!("乙组{round}"), format!("丙组{round}"));
            let (ix, iy) = (input(Some(&x)), input(Some(&y)));
            let who = actor(staff);
            let (a, b) = tokio::join!(
                app.case_step_at(staff, c.id, Step::Dispatch, &ix, &who, now),
                app.case_step_at(staff, c.id, Step::Dispatch, &iy, &who, now),
            );
            a.unwrap();
            b.unwrap();
        }
        let last = store::case_by_id(&mut db.conn().await.unwrap(), c.id)
            .await
            .unwrap()
            .unwrap();
        let today = linli_domain::cases::china_date(now);
        let code: RegionCode = COMMUNITY.parse().unwrap();
        let d = w
            .app
            .dashboard(&w.street, &code, today, today)
            .await
            .unwrap();
        // the case is counted once, under the team that has it now
        let holders: Vec<(&str, u64)> = d
            .by_handler
            .iter()
            .filter(|s| s.counts.received > 0)
            .map(|s| (s.key.as_str(), s.counts.received))
            .collect();
        assert_eq!(
            holders,
            [(last.handler_name.as_deref().unwrap(), 1)],
            "{:?}",
            d.by_handler
        );
        assert_eq!(d.total.counts.received, 1);
    }
);
