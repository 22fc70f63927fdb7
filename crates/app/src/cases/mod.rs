//! 诉求闭环 — residents' requests: intake (report → grid), then the steps
//! of GB/T 30428 (accept, dispatch, handle, verify, close), the reporter's
//! rating and reopen. Every step is one transaction holding the case
//! update, its timeline event, the roll-up counts, the audit record and
//! the notifications, so an acknowledged step is durable and counted.

use crate::accounts::auth::Principal;
use crate::cases::photos::{CasePhoto, PhotoUpload, ReadyPhoto};
use crate::cases::whistle::CallView;
use crate::infra::crypto::Field;
use crate::territory::places::Location;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, Role, allowed, scope_prefixes};
use linli_domain::cases::photo::PhotoStage;
use linli_domain::cases::{
    self as rules, CaseFacts, CaseKind, CaseState, Channel, DueFlag, HandlerKind, LoopPolicy,
    Priority, Rating, Sla, Step,
};
use linli_domain::geo::{LngLat, distance_m};
use linli_domain::registry::{Phone, mask_name};
use linli_domain::secret::sm3_hex;
use linli_domain::time::UnixMs;
pub use linli_store::cases::setup::Category as CaseCategory;
use linli_store::cases::setup::{self as setup_store, Category};
use linli_store::cases::stats::{self, StatKey};
use linli_store::cases::{self as store, CaseReach};
pub use linli_store::cases::{CaseFilter, CaseRow, Event};

mod backdated;
pub mod dashboard;
pub mod deadlines;
pub mod export;
pub mod figures;
mod filing;
mod intake;
pub mod open311;
pub mod photos;
mod reach;
pub mod setup;
pub mod suggest;
pub mod whistle;
pub(crate) use filing::FilerCell;
mod steps;
use linli_store::{
    Conn, accounts::users, audit, notifications, registry::care_cards, territory::places,
};
pub(crate) use reach::{Holders, Reach, authorise, bad, parse_state, reach_given, reach_of};

/// A new request as its reporter or the staff entering it give it.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub kind: CaseKind,
    pub channel: Channel,
    pub priority: Priority,
    /// a category's code (`0104`); none files it under 其他 for staff to sort
    pub category: Option<String>,
    pub description: String,
    pub location: Option<Location>,
    pub dwelling_id: Option<i64>,
    pub address: String,
    /// where the case belongs when neither location nor dwelling places it
    pub community: Option<RegionCode>,
    pub reporter_name: String,
    pub contact_phone: Option<String>,
    /// the client's `Idempotency-Key`
    pub idempotency_key: Option<String>,
    /// the Open311 api_key that files it
    pub api_key_id: Option<i64>,
    /// a link to media the partner keeps (Open311 `media_url`), never fetched
    pub media_url: Option<String>,
    /// photos (随手拍), at most nine
    pub photos: Vec<PhotoUpload>,
}

/// What the caller asks a step to do.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub note: String,
    /// for dispatch: whom to (the routing rule or the grid's worker when empty)
    pub handler_kind: Option<HandlerKind>,
    pub handler_name: Option<String>,
    pub handler_username: Option<String>,
    /// for accept: a new category (re-routes and re-times the case)
    pub category: Option<String>,
    /// for merge: the case this one duplicates
    pub merge_into: Option<i64>,
    /// photos of the result (处置照片), at most nine per case
    pub photos: Vec<PhotoUpload>,
}

/// A case and what the caller may see of it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    pub case: CaseRow,
    pub state: CaseState,
    pub category: Category,
    /// the public part only, for the reporter; the whole timeline for staff
    pub timeline: Vec<Event>,
    /// the photos of the events in `timeline`
    pub photos: Vec<CasePhoto>,
    pub overdue: bool,
    /// 临期 / 超期 against the deadline
    pub due_flag: DueFlag,
    /// 吹哨报到: the departments called and where each stands (staff only)
    pub calls: Vec<CallView>,
}

/// Default category for a report that names none: 社区事务 › 其他.
pub(crate) const UNSORTED: &str = "1007";
/// Description length bounds (characters).
const DESCRIPTION_MAX: usize = 2000;
/// GeoReport v2's limit for a partner's description.
const DESCRIPTION_MAX_OPEN311: usize = 4000;
/// The window and radius of the likely-duplicate check.
const DUPLICATE_DAYS: i64 = 7;
const DUPLICATE_METRES: f64 = 100.0;

fn e7(x: f64) -> i64 {
    (x * 1e7).round() as i64
}

fn facts(c: &CaseRow) -> Result<CaseFacts, AppError> {
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(CaseFacts {
        state: parse_state(&c.state)?,
        received_at: c.created_at,
        accepted_at: c.accepted_at,
        due_at: c.due_at,
        dispatches: n(c.dispatches),
        handlings: n(c.handlings),
        closings: n(c.closings),
        reworks: n(c.reworks),
        reopens: n(c.reopens),
        postponements: n(c.postponements),
    })
}

impl App {
    /// The category tree (every signed-in user may read it).
    pub async fn case_categories(&self) -> Result<Vec<Category>, AppError> {
        Ok(setup_store::categories(&mut *self.db.conn().await?).await?)
    }

    /// Appends a timeline event for `c` in state `c.state`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record(
        &self,
        conn: &mut Conn,
        c: &CaseRow,
        step: &str,
        from: Option<CaseState>,
        note: &str,
        public: bool,
        actor: &Actor,
        now: UnixMs,
    ) -> Result<i64, AppError> {
        let id = store::insert_event(
            conn,
            &Event {
                id: 0,
                case_id: c.id,
                step: step.to_owned(),
                from_state: from.map(|s| s.as_str().to_owned()),
                to_state: c.state.clone(),
                actor_id: actor.id,
                actor_name: actor.name.clone(),
                note: note.to_owned(),
                public,
                at: now,
                due_at: c.due_at,
            },
        )
        .await?;
        Ok(id)
    }

    /// One case with its timeline as `who` may see it.
    pub async fn case_view(&self, who: &Principal, id: i64) -> Result<CaseView, AppError> {
        let mut conn = self.db.conn().await?;
        let c = store::case_by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let reach = reach_of(&mut conn, who, &c).await?;
        let mut timeline = store::events_of(&mut conn, id).await?;
        if matches!(reach, Reach::Reporter) {
            timeline.retain(|e| e.public);
        }
        let mut photos = linli_store::cases::photos::photos_of(&mut conn, id).await?;
        photos.retain(|p| timeline.iter().any(|e| e.id == p.event_id));
        let category = setup_store::category_by_id(&mut conn, c.category_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let state = parse_state(&c.state)?;
        let now = crate::now();
        let overdue = is_overdue(&c, state, now);
        let due_flag = rules::due_flag(state, c.created_at, c.due_at, now);
        let calls = self.calls_of(&mut conn, &c, &reach, now).await?;
        let mut c = c;
        if matches!(reach, Reach::Reporter) {
            c.contact_sealed = None;
        }
        Ok(CaseView {
            case: c,
            state,
            category,
            timeline,
            photos,
            overdue,
            due_flag,
            calls,
        })
    }

    /// The steps `who` may take on a case now, for the page's action form.
    pub fn steps_for(&self, who: &Principal, v: &CaseView) -> Vec<Step> {
        let called = v.calls.iter().any(|c| c.call.dept_user_id == who.user_id);
        let Ok(reach) = reach_given(who, &v.case, called) else {
            return Vec::new();
        };
        Step::ALL
            .into_iter()
            .filter_map(|s| authorise(who, &reach, &v.case, s).ok())
            .filter(|s| rules::apply(v.state, *s).is_ok())
            .collect()
    }

    /// Whether `who` is the reporter and may rate the case now.
    pub fn may_rate(&self, who: &Principal, v: &CaseView) -> bool {
        v.case.reporter_id == Some(who.user_id)
            && v.state == CaseState::Closed
            && !rated_since_closing(&v.case)
    }

    /// A page of the cases `who` reaches, newest first.
    pub async fn list_cases(
        &self,
        who: &Principal,
        filter: &CaseFilter,
    ) -> Result<(Vec<CaseRow>, i64), AppError> {
        let prefixes = scope_prefixes(&who.grants, Permission::ViewCases);
        let reach = CaseReach {
            handler_user_id: Some(who.user_id).filter(|id| *id > 0),
            reporter_id: Some(who.user_id).filter(|id| *id > 0),
            // a department (no territory of cases) sees those it was called to
            called_user_id: Some(who.user_id).filter(|id| *id > 0 && prefixes.is_empty()),
            prefixes,
        };
        let mut conn = self.db.conn().await?;
        let rows = store::list_cases(&mut conn, &reach, filter).await?;
        let total = store::count_cases(
            &mut conn,
            &reach,
            &CaseFilter {
                before_id: None,
                ..filter.clone()
            },
            10_001,
        )
        .await?;
        Ok((rows, total))
    }

    /// Open cases of the same category within 100 m in the last 7 days,
    /// for staff to merge.
    pub async fn likely_duplicates(
        &self,
        who: &Principal,
        id: i64,
    ) -> Result<Vec<CaseRow>, AppError> {
        let mut conn = self.db.conn().await?;
        let c = store::case_by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let Reach::Staff(_) = reach_of(&mut conn, who, &c).await? else {
            return Err(AppError::Forbidden);
        };
        let (Some(lng), Some(lat)) = (c.lng_e7, c.lat_e7) else {
            return Ok(Vec::new());
        };
        // 100 m is under 0.0012° of latitude and, in China, of longitude
        let pad = 12_000;
        let since = c.created_at.plus_secs(-DUPLICATE_DAYS * 24 * 3600);
        let near = store::nearby_open(
            &mut conn,
            c.category_id,
            (lng - pad, lng + pad),
            (lat - pad, lat + pad),
            since,
            c.id,
        )
        .await?;
        let at = |x: i64, y: i64| LngLat::parse(x as f64 / 1e7, y as f64 / 1e7).ok();
        let here = at(lng, lat);
        Ok(near
            .into_iter()
            .filter(
                |o| match (here, o.lng_e7.zip(o.lat_e7).and_then(|(x, y)| at(x, y))) {
                    (Some(a), Some(b)) => distance_m(a, b) <= DUPLICATE_METRES,
                    _ => false,
                },
            )
            .filter(|o| reach_given(who, o, false).is_ok_and(|r| matches!(r, Reach::Staff(_))))
            .collect())
    }
}

/// A value read from the database, kept for a minute (another process's
/// edit shows within the minute; this process's at once, as its editor
/// clears the cache).
#[derive(Debug, Clone)]
pub(crate) struct Kept<T>(std::sync::Arc<std::sync::RwLock<Option<(std::time::Instant, T)>>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(std::sync::Arc::default())
    }
}

impl<T: Clone> Kept<T> {
    const LIFE: std::time::Duration = std::time::Duration::from_secs(60);

    fn fresh(&self) -> Option<T> {
        let held = self.0.read().ok()?;
        held.as_ref()
            .filter(|(at, _)| at.elapsed() < Self::LIFE)
            .map(|(_, c)| c.clone())
    }

    fn keep(&self, c: T) {
        if let Ok(mut held) = self.0.write() {
            *held = Some((std::time::Instant::now(), c));
        }
    }

    fn clear(&self) {
        if let Ok(mut held) = self.0.write() {
            *held = None;
        }
    }
}

/// The holiday calendar as last read.
pub(crate) type CalendarCache = Kept<rules::Calendar>;
/// The category tree as last read.
pub(crate) type CategoryCache = Kept<std::sync::Arc<Vec<Category>>>;

/// Whether the case was rated after its last closing (one rating a closing).
fn rated_since_closing(c: &CaseRow) -> bool {
    matches!((c.rated_at, c.closed_at), (Some(r), Some(cl)) if r >= cl)
}

/// Open (not postponed) and past its deadline at `now`.
pub fn is_overdue(c: &CaseRow, state: CaseState, now: UnixMs) -> bool {
    state.is_open() && state != CaseState::Postponed && c.due_at.is_some_and(|d| d < now)
}

/// Adds a step's counts to the roll-ups of every node above the case, in
/// the case's cohort (the day it was received) and under its key after the
/// step (`after`: scope, category, channel, handler). When the step changed
/// that key, the counts the case had added so far move with it, so that
/// every breakdown holds each case's counts together.
async fn count(
    conn: &mut Conn,
    before: &CaseRow,
    after: &CaseRow,
    deltas: &[(rules::Counter, i64)],
) -> Result<(), AppError> {
    let moved = (
        &before.scope,
        before.category_id,
        &before.channel,
        &before.handler_name,
    ) != (
        &after.scope,
        after.category_id,
        &after.channel,
        &after.handler_name,
    );
    if deltas.is_empty() && !moved {
        return Ok(());
    }
    // a case no step has counted yet holds what intake counted
    let so_far = match stats::tally_of(&mut *conn, after.id).await? {
        Some(s) => rules::Counts::decode(&s),
        None => {
            let mut c = rules::Counts::default();
            c.add(rules::Counter::Received, 1);
            c
        }
    };
    let mut total = so_far;
    for (k, n) in deltas {
        total.add(*k, *n);
    }
    let day = rules::day_key(after.created_at);
    let scopes = |c: &CaseRow| -> Result<Vec<String>, AppError> {
        let scope: RegionCode = c
            .scope
            .parse()
            .map_err(|_| AppError::Internal("stored case scope".into()))?;
        Ok(rules::rollup_scopes(&scope))
    };
    let (old_scopes, new_scopes) = (scopes(before)?, scopes(after)?);
    let old_key = StatKey {
        scopes: &old_scopes,
        day,
        category_id: before.category_id,
        channel: &before.channel,
        handler: before.handler_name.as_deref().unwrap_or(""),
    };
    let new_key = StatKey {
        scopes: &new_scopes,
        day,
        category_id: after.category_id,
        channel: &after.channel,
        handler: after.handler_name.as_deref().unwrap_or(""),
    };
    let moved_in = so_far.deltas();
    let out: Vec<(rules::Counter, i64)> = moved_in.iter().map(|(k, n)| (*k, -n)).collect();
    let mut bumps: Vec<(StatKey<'_>, &[(rules::Counter, i64)])> = Vec::new();
    if moved {
        bumps.push((old_key, &out));
        bumps.push((new_key.clone(), &moved_in));
    }
    bumps.push((new_key, deltas));
    stats::bump_all(&mut *conn, &bumps).await?;
    stats::set_tally(&mut *conn, after.id, &total.encode()).await?;
    Ok(())
}

/// A reporter's name as staff lists show it.
pub fn reporter_masked(c: &CaseRow) -> String {
    mask_name(&c.reporter_name)
}
