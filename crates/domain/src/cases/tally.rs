//! What each step adds to the roll-ups. Dashboards sum these counters over
//! a territory subtree and a period instead of scanning cases, so the rule
//! for every counter lives here, once.
//!
//! Every count of a case belongs to its **cohort**: the China day the case
//! was received, under the case's current category, channel and handler
//! (the service moves a case's counts when those change). A rate over a
//! period is then a share of one set of cases — those received in the
//! period — and each counter counts a case at most once (a case reworked
//! twice is one reworked case), so every numerator is a subset of its
//! denominator and no rate can pass 100 %. A correction (a reopen undoing
//! "resolved", a second rating replacing the first) is a negative count in
//! the same cohort.

use super::{CaseState, Counts, Rating, Step};
use crate::access::RegionCode;
use crate::time::UnixMs;

/// One roll-up counter; `column` is its column in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    Received,
    Valid,
    Registered,
    Cancelled,
    ToDispatch,
    Dispatched,
    DispatchedOnTime,
    ToHandle,
    Handled,
    HandledOnTime,
    Reworked,
    ToClose,
    Closed,
    ClosedOnTime,
    Postponed,
    RespondedInTime,
    Resolved,
    Satisfied,
    FairlySatisfied,
    Dissatisfied,
    FirstTime,
    Reopened,
    OnSpot,
    ExcusedClosed,
    ExcusedClosedOnTime,
}

impl Counter {
    pub const ALL: [Counter; 25] = [
        Counter::Received,
        Counter::Valid,
        Counter::Registered,
        Counter::Cancelled,
        Counter::ToDispatch,
        Counter::Dispatched,
        Counter::DispatchedOnTime,
        Counter::ToHandle,
        Counter::Handled,
        Counter::HandledOnTime,
        Counter::Reworked,
        Counter::ToClose,
        Counter::Closed,
        Counter::ClosedOnTime,
        Counter::Postponed,
        Counter::RespondedInTime,
        Counter::Resolved,
        Counter::Satisfied,
        Counter::FairlySatisfied,
        Counter::Dissatisfied,
        Counter::FirstTime,
        Counter::Reopened,
        Counter::OnSpot,
        Counter::ExcusedClosed,
        Counter::ExcusedClosedOnTime,
    ];

    pub const fn column(self) -> &'static str {
        match self {
            Counter::Received => "received",
            Counter::Valid => "valid",
            Counter::Registered => "registered",
            Counter::Cancelled => "cancelled",
            Counter::ToDispatch => "to_dispatch",
            Counter::Dispatched => "dispatched",
            Counter::DispatchedOnTime => "dispatched_on_time",
            Counter::ToHandle => "to_handle",
            Counter::Handled => "handled",
            Counter::HandledOnTime => "handled_on_time",
            Counter::Reworked => "reworked",
            Counter::ToClose => "to_close",
            Counter::Closed => "closed",
            Counter::ClosedOnTime => "closed_on_time",
            Counter::Postponed => "postponed",
            Counter::RespondedInTime => "responded_in_time",
            Counter::Resolved => "resolved",
            Counter::Satisfied => "satisfied",
            Counter::FairlySatisfied => "fairly_satisfied",
            Counter::Dissatisfied => "dissatisfied",
            Counter::FirstTime => "first_time",
            Counter::Reopened => "reopened",
            Counter::OnSpot => "on_spot",
            Counter::ExcusedClosed => "excused_closed",
            Counter::ExcusedClosedOnTime => "excused_closed_on_time",
        }
    }

    fn slot(self, c: &mut Counts) -> &mut u64 {
        match self {
            Counter::Received => &mut c.received,
            Counter::Valid => &mut c.valid,
            Counter::Registered => &mut c.registered,
            Counter::Cancelled => &mut c.cancelled,
            Counter::ToDispatch => &mut c.to_dispatch,
            Counter::Dispatched => &mut c.dispatched,
            Counter::DispatchedOnTime => &mut c.dispatched_on_time,
            Counter::ToHandle => &mut c.to_handle,
            Counter::Handled => &mut c.handled,
            Counter::HandledOnTime => &mut c.handled_on_time,
            Counter::Reworked => &mut c.reworked,
            Counter::ToClose => &mut c.to_close,
            Counter::Closed => &mut c.closed,
            Counter::ClosedOnTime => &mut c.closed_on_time,
            Counter::Postponed => &mut c.postponed,
            Counter::RespondedInTime => &mut c.responded_in_time,
            Counter::Resolved => &mut c.resolved,
            Counter::Satisfied => &mut c.satisfied,
            Counter::FairlySatisfied => &mut c.fairly_satisfied,
            Counter::Dissatisfied => &mut c.dissatisfied,
            Counter::FirstTime => &mut c.first_time,
            Counter::Reopened => &mut c.reopened,
            Counter::OnSpot => &mut c.on_spot,
            Counter::ExcusedClosed => &mut c.excused_closed,
            Counter::ExcusedClosedOnTime => &mut c.excused_closed_on_time,
        }
    }
}

impl Counts {
    /// Adds a summed counter (a sum below zero, possible only inside a
    /// period that holds a correction but not what it corrects, counts 0).
    pub fn add(&mut self, counter: Counter, n: i64) {
        let slot = counter.slot(self);
        *slot = slot.saturating_add_signed(n);
    }

    pub fn get(&self, counter: Counter) -> u64 {
        let mut c = *self;
        *counter.slot(&mut c)
    }

    /// The counters that are not zero, as deltas (a case's counts, moved
    /// from one roll-up key to another).
    pub fn deltas(&self) -> Vec<(Counter, i64)> {
        Counter::ALL
            .iter()
            .filter_map(|k| {
                let n = i64::try_from(self.get(*k)).unwrap_or(i64::MAX);
                (n != 0).then_some((*k, n))
            })
            .collect()
    }

    /// `received=1;valid=1;…`: a case's counts as stored beside it.
    pub fn encode(&self) -> String {
        self.deltas()
            .iter()
            .map(|(k, n)| format!("{}={n}", k.column()))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The inverse of [`Counts::encode`]; unknown names are ignored (a
    /// counter retired by a later version).
    pub fn decode(s: &str) -> Counts {
        let mut c = Counts::default();
        for part in s.split(';') {
            if let Some((name, n)) = part.split_once('=')
                && let Some(k) = Counter::ALL.iter().find(|k| k.column() == name)
                && let Ok(n) = n.parse::<i64>()
            {
                c.add(*k, n);
            }
        }
        c
    }
}

/// Time limits of the loop that are not per category: how soon a case must
/// be accepted (响应) and dispatched once accepted. Configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopPolicy {
    pub response_secs: i64,
    pub dispatch_secs: i64,
}

impl Default for LoopPolicy {
    fn default() -> Self {
        LoopPolicy {
            response_secs: 24 * 3600,
            dispatch_secs: 24 * 3600,
        }
    }
}

/// What the counting needs to know of a case before a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    pub state: CaseState,
    pub received_at: UnixMs,
    pub accepted_at: Option<UnixMs>,
    pub due_at: Option<UnixMs>,
    pub dispatches: u32,
    pub handlings: u32,
    pub closings: u32,
    pub reworks: u32,
    pub reopens: u32,
    pub postponements: u32,
}

fn on_time(now: UnixMs, due: Option<UnixMs>) -> bool {
    due.is_some_and(|d| now <= d)
}

/// A case's first closing: closed, on time or not, first time or not;
/// excused when the case was postponed before it (结案率 leaves those out).
fn first_closing(f: &CaseFacts, add: &mut dyn FnMut(Counter), on_time: bool, first_time: bool) {
    add(Counter::Closed);
    if on_time {
        add(Counter::ClosedOnTime);
    }
    if first_time {
        add(Counter::FirstTime);
    }
    if f.postponements > 0 {
        add(Counter::ExcusedClosed);
        if on_time {
            add(Counter::ExcusedClosedOnTime);
        }
    }
}

/// The counters a valid `step` adds at `now`. Each counts a case once:
/// the first dispatch, handling and closing, the first rework, the first
/// reopen, a postponement before the first closing.
pub fn tally(f: &CaseFacts, step: Step, now: UnixMs, p: &LoopPolicy) -> Vec<(Counter, i64)> {
    use Counter as C;
    let mut out = Vec::new();
    let mut add = |c: Counter| out.push((c, 1));
    let responded = now.secs_since(f.received_at) <= p.response_secs;
    let first_time = f.reworks == 0 && f.reopens == 0;
    match step {
        Step::Accept => {
            for c in [C::Valid, C::Registered, C::ToDispatch, C::ToClose] {
                add(c);
            }
            if responded {
                add(C::RespondedInTime);
            }
        }
        Step::Cancel if f.state == CaseState::Accepted => add(C::Cancelled),
        Step::Dispatch if f.dispatches == 0 => {
            // up for handling from now on (unless a reopen put it there)
            if f.reopens == 0 {
                add(C::ToHandle);
            }
            // 派遣 counts against 应派遣 (accepted cases); a case closed on
            // the spot and reopened is dispatched without having been due
            if f.accepted_at.is_some() {
                add(C::Dispatched);
                if f.accepted_at
                    .is_some_and(|a| now.secs_since(a) <= p.dispatch_secs)
                {
                    add(C::DispatchedOnTime);
                }
            }
        }
        Step::Postpone { .. } if f.postponements == 0 && f.closings == 0 => add(C::Postponed),
        Step::Handle if f.handlings == 0 => {
            add(C::Handled);
            if on_time(now, f.due_at) {
                add(C::HandledOnTime);
            }
        }
        Step::VerifyFail if f.reworks == 0 => add(C::Reworked),
        Step::VerifyPass => {
            add(C::Resolved);
            if f.closings == 0 {
                first_closing(f, &mut add, on_time(now, f.due_at), first_time);
            }
        }
        Step::CloseOnSpot => {
            for c in [C::Valid, C::Registered, C::ToClose, C::Resolved, C::OnSpot] {
                add(c);
            }
            first_closing(f, &mut add, true, true);
            if responded {
                add(C::RespondedInTime);
            }
        }
        Step::Reopen => {
            if f.reopens == 0 {
                add(C::Reopened);
                // a case closed on the spot comes back to be handled
                // without a dispatch: from now on it is up for handling
                if f.dispatches == 0 {
                    add(C::ToHandle);
                }
            }
            out.push((C::Resolved, -1));
            if first_time {
                out.push((C::FirstTime, -1));
            }
        }
        _ => {}
    }
    out
}

/// The territory nodes a case's counts roll up to, each as its
/// significant code prefix: the leaf grid, its parent grids, the
/// community, street, county, city, province and the country (""). A case
/// in a community's intake queue (its scope is the community) also counts
/// under the pseudo-grid `community + "000"`, so a community's breakdown
/// by grid shows the queue as a row of its own.
pub fn rollup_scopes(scope: &RegionCode) -> Vec<String> {
    let p = scope.significant_prefix();
    let mut out = Vec::new();
    if p.len() == 12 {
        out.push(format!("{p}000"));
    }
    for len in [21, 18, 15, 12, 9, 6, 4, 2, 0] {
        if len <= p.len() {
            out.push(p[..len].to_owned());
        }
    }
    out
}

/// The depth of the nodes one level below a node of depth `len` (a
/// street's communities, a community's grids).
pub const fn child_depth(len: usize) -> usize {
    match len {
        0..=1 => 2,
        2..=3 => 4,
        4..=5 => 6,
        6..=8 => 9,
        9..=11 => 12,
        n => n + 3,
    }
}

/// The counts a rating adds: a case is counted once, by its latest rating
/// (a second rating, after a reopen, takes the first one's count back).
pub fn tally_ratings(previous: Option<Rating>, r: Rating) -> Vec<(Counter, i64)> {
    let mut out = vec![(tally_rating(r), 1)];
    if let Some(p) = previous {
        out.push((tally_rating(p), -1));
    }
    out
}

/// The counter a rating adds.
pub fn tally_rating(r: Rating) -> Counter {
    match r {
        Rating::Satisfied => Counter::Satisfied,
        Rating::FairlySatisfied => Counter::FairlySatisfied,
        Rating::Dissatisfied => Counter::Dissatisfied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::{Indicators, SatisfactionWeights, apply};
    use Step::*;

    const H: i64 = 3600;

    /// Runs steps one hour apart, keeping the facts as the service does,
    /// and sums what they add.
    fn run(steps: &[Step], due_in_hours: i64) -> Counts {
        let t0 = UnixMs(1_800_000_000_000);
        let mut f = CaseFacts {
            state: CaseState::Submitted,
            received_at: t0,
            accepted_at: None,
            due_at: Some(t0.plus_secs(due_in_hours * H)),
            dispatches: 0,
            handlings: 0,
            closings: 0,
            reworks: 0,
            reopens: 0,
            postponements: 0,
        };
        let mut sums = Counts::default();
        sums.add(Counter::Received, 1);
        for (i, step) in steps.iter().enumerate() {
            let now = t0.plus_secs((i as i64 + 1) * H);
            for (c, n) in tally(&f, *step, now, &LoopPolicy::default()) {
                sums.add(c, n);
            }
            f.state = apply(f.state, *step).unwrap();
            match step {
                Step::Accept => f.accepted_at = Some(now),
                Step::Dispatch => f.dispatches += 1,
                Step::Handle => f.handlings += 1,
                Step::VerifyPass | Step::CloseOnSpot => f.closings += 1,
                Step::VerifyFail => f.reworks += 1,
                Step::Reopen => f.reopens += 1,
                Step::Postpone { .. } => f.postponements += 1,
                _ => {}
            }
        }
        sums
    }

    #[test]
    fn a_clean_case_counts_once_everywhere() {
        use Step::*;
        let c = run(&[Accept, Dispatch, Start, Handle, VerifyPass], 100);
        for counter in [
            Counter::Received,
            Counter::Registered,
            Counter::Dispatched,
            Counter::DispatchedOnTime,
            Counter::Handled,
            Counter::HandledOnTime,
            Counter::Closed,
            Counter::ClosedOnTime,
            Counter::Resolved,
            Counter::FirstTime,
            Counter::RespondedInTime,
        ] {
            assert_eq!(c.get(counter), 1, "{counter:?}");
        }
        assert_eq!(c.reworked + c.reopened + c.on_spot, 0);
    }

    #[test]
    fn rework_reopen_and_lateness_are_counted() {
        use Step::*;
        // due in 2 hours: handled at hour 3 (late), closed at hour 6
        let c = run(
            &[
                Accept, Dispatch, Handle, VerifyFail, Handle, VerifyPass, Reopen, Handle,
                VerifyPass,
            ],
            2,
        );
        assert_eq!((c.handled, c.handled_on_time), (1, 0));
        assert_eq!((c.closed, c.closed_on_time), (1, 0));
        assert_eq!(c.reworked, 1);
        assert_eq!(c.reopened, 1);
        // resolved again after the reopen; never first-time
        assert_eq!((c.resolved, c.first_time), (1, 0));
        // a reopen of a first-time case takes its first-time count back
        let c = run(&[Accept, Dispatch, Handle, VerifyPass, Reopen], 100);
        assert_eq!((c.first_time, c.resolved, c.closed), (0, 0, 1));
    }

    #[test]
    fn a_case_reworked_twice_is_one_reworked_case() {
        use Step::*;
        let c = run(
            &[
                Accept, Dispatch, Handle, VerifyFail, Handle, VerifyFail, Handle, VerifyPass,
            ],
            100,
        );
        // 处置率 and 返工率 count the case once however often it was handled
        assert_eq!((c.to_handle, c.handled, c.reworked), (1, 1, 1));
        let i = Indicators::compute(&c, SatisfactionWeights::default());
        assert_eq!(i.handling_rate, Some(1.0));
        assert_eq!(i.rework_rate, Some(1.0));
        assert_eq!(i.first_time_rate, Some(0.0));
    }

    #[test]
    fn a_case_postponed_before_closing_leaves_the_closure_rate() {
        use Step::*;
        let postponed = run(
            &[
                Accept,
                Dispatch,
                Postpone { approved: true },
                Resume,
                Handle,
                VerifyPass,
            ],
            100,
        );
        assert_eq!((postponed.postponed, postponed.excused_closed), (1, 1));
        let plain = run(&[Accept, Dispatch, Handle, VerifyPass], 100);
        let open = run(&[Accept, Dispatch], 100);
        let mut sum = Counts::default();
        for c in [postponed, plain, open] {
            for (k, n) in c.deltas() {
                sum.add(k, n);
            }
        }
        // of the two accepted cases that were not postponed, one is closed
        let i = Indicators::compute(&sum, SatisfactionWeights::default());
        assert_eq!(i.closure_rate, Some(0.5));
        // a postponement after a reopen does not excuse the first closing
        let late = run(
            &[
                Accept,
                Dispatch,
                Handle,
                VerifyPass,
                Reopen,
                Postpone { approved: true },
            ],
            100,
        );
        assert_eq!(
            (late.postponed, late.excused_closed, late.closed),
            (0, 0, 1)
        );
    }

    #[test]
    fn a_second_rating_replaces_the_first() {
        let first = tally_ratings(None, Rating::Dissatisfied);
        let second = tally_ratings(Some(Rating::Dissatisfied), Rating::Satisfied);
        let mut c = Counts::default();
        for (k, n) in first.into_iter().chain(second) {
            c.add(k, n);
        }
        assert_eq!((c.satisfied, c.dissatisfied), (1, 0));
    }

    #[test]
    fn counts_survive_their_text_form() {
        let c = run(
            &[Accept, Dispatch, Handle, VerifyFail, Handle, VerifyPass],
            1,
        );
        assert_eq!(Counts::decode(&c.encode()), c);
        assert_eq!(
            Counts::decode("received=2;retired_counter=5;closed=x"),
            Counts {
                received: 2,
                ..Counts::default()
            }
        );
    }

    #[test]
    fn on_the_spot_and_cancellations() {
        use Step::*;
        let c = run(&[CloseOnSpot], 1);
        assert_eq!(
            (c.on_spot, c.closed, c.registered, c.dispatched),
            (1, 1, 1, 0)
        );
        // only a registered case's cancellation counts against 准确立案率
        assert_eq!(run(&[Cancel], 1).cancelled, 0);
        assert_eq!(run(&[Accept, Cancel], 1).cancelled, 1);
        assert_eq!(run(&[Reject], 1).valid, 0);
    }

    #[test]
    fn counts_roll_up_to_every_ancestor() {
        let grid: RegionCode = "220103008003001002".parse().unwrap();
        assert_eq!(
            rollup_scopes(&grid),
            [
                "220103008003001002",
                "220103008003001",
                "220103008003",
                "220103008",
                "220103",
                "2201",
                "22",
                ""
            ]
        );
        let queue: RegionCode = "220103008003".parse().unwrap();
        assert_eq!(
            rollup_scopes(&queue)[..3],
            ["220103008003000", "220103008003", "220103008"]
        );
        assert_eq!(
            (
                child_depth(0),
                child_depth(9),
                child_depth(12),
                child_depth(15)
            ),
            (2, 12, 15, 18)
        );
    }

    #[test]
    fn every_counter_has_its_own_slot_and_column() {
        let mut c = Counts::default();
        for (i, k) in Counter::ALL.iter().enumerate() {
            c.add(*k, i as i64 + 1);
        }
        for (i, k) in Counter::ALL.iter().enumerate() {
            assert_eq!(c.get(*k), i as u64 + 1, "{k:?}");
        }
        let cols: std::collections::BTreeSet<_> = Counter::ALL.iter().map(|k| k.column()).collect();
        assert_eq!(cols.len(), Counter::ALL.len());
        c.add(Counter::Resolved, -1000);
        assert_eq!(c.resolved, 0);
    }
}
