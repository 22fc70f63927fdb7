//! 诉求闭环 — residents' requests: intake (report → grid), then the steps
//! of GB/T 30428 (accept, dispatch, handle, verify, close), the reporter's
//! rating and reopen. Every step is one transaction holding the case
//! update, its timeline event, the roll-up counts, the audit record and
//! the notifications, so an acknowledged step is durable and counted.

use crate::auth::Principal;
use crate::case_photos::{CasePhoto, PhotoUpload, ReadyPhoto};
use crate::case_whistle::CallView;
use crate::crypto::Field;
use crate::places::Location;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, allowed, scope_prefixes};
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
use linli_store::cases::setup::{self, Category};
use linli_store::cases::stats::{self, StatKey};
use linli_store::cases::{self as store, CaseReach};
pub use linli_store::cases::{CaseFilter, CaseRow, Event};
use linli_store::{Conn, audit, care_cards, notifications, places, users};

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
/// The window and radius of the likely-duplicate check.
const DUPLICATE_DAYS: i64 = 7;
const DUPLICATE_METRES: f64 = 100.0;

pub(crate) fn bad(msg: &str) -> AppError {
    AppError::Invalid(msg.to_owned())
}

pub(crate) fn parse_state(s: &str) -> Result<CaseState, AppError> {
    s.parse()
        .map_err(|_| AppError::Internal(format!("stored case state `{s}`")))
}

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
        Ok(setup::categories(&mut *self.db.conn().await?).await?)
    }

    pub(crate) async fn calendar(&self, conn: &mut Conn) -> Result<rules::Calendar, AppError> {
        let days = setup::calendar_days(conn).await?;
        let parsed = days.iter().filter_map(|(d, k, _)| {
            let day = linli_domain::registry::parse_date(d)?;
            Some((day, k.parse().ok()?))
        });
        Ok(rules::Calendar::new(parsed))
    }

    async fn due(
        &self,
        conn: &mut Conn,
        from: UnixMs,
        cat: &Category,
        p: Priority,
    ) -> Result<UnixMs, AppError> {
        let sla = match p {
            Priority::Urgent => Sla::Hours(u32::try_from(cat.urgent_hours).unwrap_or(24)),
            Priority::Normal => Sla::WorkingDays(u32::try_from(cat.deadline_days).unwrap_or(5)),
        };
        Ok(rules::due_at(from, sla, &self.calendar(conn).await?))
    }

    /// Where a new case lies: (community, scope, grid id, WGS-84 point).
    async fn place(
        &self,
        conn: &mut Conn,
        input: &NewCase,
    ) -> Result<(RegionCode, RegionCode, Option<i64>, Option<LngLat>), AppError> {
        if let Some(d) = input.dwelling_id {
            let b = places::building_of_dwelling(conn, d)
                .await?
                .ok_or_else(|| bad("所选住户不存在"))?;
            let b = places::building_by_id(conn, b)
                .await?
                .ok_or(AppError::NotFound)?;
            let point = match (b.lng, b.lat) {
                (Some(lng), Some(lat)) => LngLat::parse(lng, lat).ok(),
                _ => None,
            };
            return Ok((b.community, b.scope, b.grid_id, point));
        }
        let point = input.location.map(Location::wgs84).transpose()?;
        // the index is in memory (warmed before the transaction began), the
        // grid row comes through the transaction's own connection: a
        // transaction never waits for a second pool connection
        let grid = match point {
            Some(p) => match self.grid_index().await?.locate_all(p).as_slice() {
                [id] => places::grid_by_id(conn, *id).await?,
                _ => None,
            },
            None => None,
        };
        if let Some(g) = grid {
            let community = g.code.community().ok_or(AppError::NotFound)?;
            return Ok((community, g.code, Some(g.id), point));
        }
        // outside every grid: the community's intake queue, never lost
        let community = input
            .community
            .as_ref()
            .and_then(RegionCode::community)
            .ok_or_else(|| bad("位置不在任何网格内,请注明所属社区"))?;
        if linli_store::regions::get(conn, &community).await?.is_none()
            && places::grids_of(conn, &community).await?.is_empty()
        {
            return Err(bad("所属社区不存在"));
        }
        Ok((community.clone(), community, None, point))
    }

    /// 上报: files a new case. With an idempotency key the same key
    /// returns the first case instead of creating another.
    pub async fn submit_case(
        &self,
        who: Option<&Principal>,
        input: &NewCase,
        actor: &Actor,
    ) -> Result<(CaseRow, bool), AppError> {
        self.grid_index().await?;
        if input.category.is_none() {
            self.category_model().await?;
        }
        let photos = self.ready_photos(&input.photos).await?;
        let mut tx = self.db.begin().await?;
        let out = self
            .submit_in(&mut tx, who, input, &photos, actor, crate::now())
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// [`App::submit_case`] inside the caller's transaction, at `now`.
    pub(crate) async fn submit_in(
        &self,
        tx: &mut Conn,
        who: Option<&Principal>,
        input: &NewCase,
        photos: &[ReadyPhoto],
        actor: &Actor,
        now: UnixMs,
    ) -> Result<(CaseRow, bool), AppError> {
        let description = input.description.trim();
        if description.is_empty() || description.chars().count() > DESCRIPTION_MAX {
            return Err(bad("请填写诉求内容(不超过 2000 字)"));
        }
        if description
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            return Err(bad("诉求内容含有不可见的控制字符"));
        }
        self.check_channel(who, input.channel)?;
        let contact = match input
            .contact_phone
            .as_deref()
            .filter(|p| !p.trim().is_empty())
        {
            Some(p) => Some(Phone::parse(p).map_err(|e| AppError::Invalid(e.to_string()))?),
            None if who.is_none() => return Err(bad("匿名上报须留联系电话")),
            None => None,
        };
        let reporter_name = match input.reporter_name.trim() {
            "" => who.map_or_else(|| "匿名".to_owned(), |p| p.display_name.clone()),
            n => linli_domain::places::clean_name(n, 30).map_err(|_| bad("姓名不超过 30 字"))?,
        };
        let key_hash = input.idempotency_key.as_deref().map(|k| {
            let owner = who.map_or_else(|| "anonymous".to_owned(), |p| p.user_id.to_string());
            sm3_hex(format!("{owner}\u{0}{}", k.trim()).as_bytes())
        });
        if let Some(h) = &key_hash
            && let Some(id) = store::case_for_key(&mut *tx, h).await?
        {
            let c = store::case_by_id(&mut *tx, id)
                .await?
                .ok_or(AppError::NotFound)?;
            return Ok((c, false));
        }
        let (cat, suggested) = self.intake_category(&mut *tx, input, description).await?;
        let (community, scope, grid_id, point) = self.place(&mut *tx, input).await?;
        let seq = store::next_seq(&mut *tx, rules::day_key(now)).await?;
        let number = rules::case_number(rules::china_date(now), u32::try_from(seq).unwrap_or(0));
        let (contact_sealed, contact_masked) = match &contact {
            Some(p) => (
                Some(self.crypto()?.seal(Field::Phone, p.expose())?),
                Some(p.masked()),
            ),
            None => (None, None),
        };
        let mut c = CaseRow {
            id: 0,
            number,
            community: community.to_string(),
            scope: scope.to_string(),
            grid_id,
            category_id: cat.id,
            kind: input.kind.as_str().to_owned(),
            channel: input.channel.as_str().to_owned(),
            priority: input.priority.as_str().to_owned(),
            state: CaseState::Submitted.as_str().to_owned(),
            description: description.to_owned(),
            address: input.address.trim().chars().take(200).collect(),
            lng_e7: point.map(|p| e7(p.lng)),
            lat_e7: point.map(|p| e7(p.lat)),
            dwelling_id: input.dwelling_id,
            reporter_id: who.map(|p| p.user_id).filter(|id| *id > 0),
            reporter_name,
            contact_sealed,
            contact_masked,
            handler_kind: None,
            handler_name: None,
            handler_user_id: None,
            merged_into: None,
            due_at: Some(self.due(&mut *tx, now, &cat, input.priority).await?),
            accepted_at: None,
            closed_at: None,
            dispatches: 0,
            handlings: 0,
            closings: 0,
            reworks: 0,
            reopens: 0,
            postponements: 0,
            rating: None,
            rating_comment: None,
            rated_at: None,
            created_at: now,
            updated_at: now,
        };
        c.id = store::insert_case(&mut *tx, &c).await?;
        if let Some(h) = &key_hash {
            store::remember_key(&mut *tx, h, c.id, now).await?;
        }
        if let Some(k) = input.api_key_id {
            store::open311::set_case_key(&mut *tx, c.id, k).await?;
        }
        let note = match suggested {
            Some(p) => format!(
                "{}:{}(自动分类,置信度 {p}%)",
                input.kind.label_zh(),
                cat.name
            ),
            None => format!("{}:{}", input.kind.label_zh(), cat.name),
        };
        let ev = self
            .record(&mut *tx, &c, "submit", None, &note, true, actor, now)
            .await?;
        self.attach_photos(&mut *tx, (c.id, ev), PhotoStage::Report, photos, now)
            .await?;
        count(&mut *tx, &c, now, &[(rules::Counter::Received, 1)]).await?;
        audit::append(
            &mut *tx,
            event(
                actor,
                "case.submit",
                format!("case:{}", c.id),
                c.number.clone(),
            ),
            now,
        )
        .await?;
        Ok((c, true))
    }

    /// The category a new case files under: the one named, else the
    /// model's suggestion (with its confidence in percent), else 其他.
    async fn intake_category(
        &self,
        tx: &mut Conn,
        input: &NewCase,
        description: &str,
    ) -> Result<(Category, Option<u32>), AppError> {
        let usable = |c: Option<Category>| c.filter(|c| c.active && c.parent_id.is_some());
        if let Some(code) = input.category.as_deref() {
            let cat = usable(setup::category_by_code(&mut *tx, code).await?)
                .ok_or_else(|| AppError::Invalid(format!("没有诉求类别“{code}”")))?;
            return Ok((cat, None));
        }
        if let Some(s) = self.suggest_category(description)
            && let Some(cat) = usable(setup::category_by_code(&mut *tx, &s.code).await?)
        {
            let pct = (s.confidence * 100.0).round().clamp(0.0, 100.0) as u32;
            return Ok((cat, Some(pct)));
        }
        let cat = usable(setup::category_by_code(&mut *tx, UNSORTED).await?)
            .ok_or_else(|| AppError::Internal("category 1007 is missing".into()))?;
        Ok((cat, None))
    }

    /// Who may file through which channel.
    fn check_channel(&self, who: Option<&Principal>, ch: Channel) -> Result<(), AppError> {
        let staff = who.is_some_and(|p| p.grants.iter().any(|g| g.role.is_staff()));
        match ch {
            Channel::Resident => Ok(()),
            Channel::Patrol | Channel::Phone | Channel::MeetingDay if staff => Ok(()),
            Channel::Api | Channel::Open311 if who.is_some() => Ok(()),
            _ => Err(AppError::Forbidden),
        }
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
            },
        )
        .await?;
        Ok(id)
    }

    /// How `who` reaches `c`: staff in scope, the handler, the reporter.
    pub(crate) fn reach_of(&self, who: &Principal, c: &CaseRow) -> Result<Reach, AppError> {
        let scope: RegionCode = c
            .scope
            .parse()
            .map_err(|_| AppError::Internal("stored case scope".into()))?;
        if allowed(&who.grants, Permission::ViewCases, &scope) {
            return Ok(Reach::Staff(scope));
        }
        if c.handler_user_id == Some(who.user_id) {
            return Ok(Reach::Handler(scope));
        }
        if c.reporter_id == Some(who.user_id) {
            return Ok(Reach::Reporter);
        }
        Err(AppError::NotFound)
    }

    /// One case with its timeline as `who` may see it.
    pub async fn case_view(&self, who: &Principal, id: i64) -> Result<CaseView, AppError> {
        let mut conn = self.db.conn().await?;
        let c = store::case_by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let reach = self.reach_of(who, &c)?;
        let mut timeline = store::events_of(&mut conn, id).await?;
        if matches!(reach, Reach::Reporter) {
            timeline.retain(|e| e.public);
        }
        let mut photos = linli_store::cases::photos::photos_of(&mut conn, id).await?;
        photos.retain(|p| timeline.iter().any(|e| e.id == p.event_id));
        let category = setup::category_by_id(&mut conn, c.category_id)
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
        let Ok(reach) = self.reach_of(who, &v.case) else {
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
        let reach = CaseReach {
            prefixes: scope_prefixes(&who.grants, Permission::ViewCases),
            handler_user_id: Some(who.user_id).filter(|id| *id > 0),
            reporter_id: Some(who.user_id).filter(|id| *id > 0),
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
        let Reach::Staff(_) = self.reach_of(who, &c)? else {
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
            .filter(|o| self.reach_of(who, o).is_ok())
            .collect())
    }

    /// Takes one step on a case, as `who`.
    pub async fn case_step(
        &self,
        who: &Principal,
        id: i64,
        step: Step,
        input: &StepInput,
        actor: &Actor,
    ) -> Result<CaseRow, AppError> {
        let photos = self.ready_photos(&input.photos).await?;
        let mut tx = self.db.begin().await?;
        let c = self
            .step_in(&mut tx, who, id, step, input, &photos, actor, crate::now())
            .await?;
        tx.commit().await?;
        self.ring();
        Ok(c)
    }

    /// [`App::case_step`] inside the caller's transaction, at `now`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn step_in(
        &self,
        tx: &mut Conn,
        who: &Principal,
        id: i64,
        step: Step,
        input: &StepInput,
        photos: &[ReadyPhoto],
        actor: &Actor,
        now: UnixMs,
    ) -> Result<CaseRow, AppError> {
        let note = input.note.trim();
        if note.chars().count() > DESCRIPTION_MAX {
            return Err(bad("说明不超过 2000 字"));
        }
        let mut c = store::case_by_id(&mut *tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let reach = self.reach_of(who, &c)?;
        let step = authorise(who, &reach, &c, step)?;
        if matches!(
            step,
            Step::Reject | Step::Cancel | Step::Postpone { .. } | Step::VerifyFail
        ) && note.is_empty()
        {
            return Err(AppError::Invalid(format!("{}须说明理由", step.label_zh())));
        }
        let before = facts(&c)?;
        let to = rules::apply(before.state, step).map_err(|e| AppError::Invalid(e.to_string()))?;
        let counts = rules::tally(&before, step, now, &LoopPolicy::default());
        let mut notify_handler = false;
        match step {
            Step::Accept => {
                c.accepted_at = Some(now);
                if let Some(code) = input.category.as_deref().filter(|s| !s.is_empty()) {
                    let cat = setup::category_by_code(&mut *tx, code)
                        .await?
                        .filter(|k| k.active && k.parent_id.is_some())
                        .ok_or_else(|| AppError::Invalid(format!("没有诉求类别“{code}”")))?;
                    c.category_id = cat.id;
                    let received = c.created_at;
                    self.retime(&mut *tx, &mut c, &cat, received).await?;
                }
            }
            Step::Merge => {
                let target = input.merge_into.ok_or_else(|| bad("请选择合并到的案件"))?;
                let t = store::case_by_id(&mut *tx, target)
                    .await?
                    .filter(|t| t.id != c.id && parse_state(&t.state).is_ok_and(CaseState::is_open))
                    .ok_or_else(|| bad("合并目标须为另一件未办结的案件"))?;
                self.reach_of(who, &t)?;
                c.merged_into = Some(t.id);
            }
            Step::Dispatch => {
                self.assign(&mut *tx, &mut c, input).await?;
                c.dispatches += 1;
                notify_handler = true;
            }
            Step::Handle => c.handlings += 1,
            Step::VerifyFail => c.reworks += 1,
            Step::VerifyPass | Step::CloseOnSpot => {
                c.closings += 1;
                c.closed_at = Some(now);
                if step == Step::CloseOnSpot {
                    c.handler_kind = Some(HandlerKind::GridWorker.as_str().to_owned());
                    c.handler_name = Some(who.display_name.clone());
                    c.handler_user_id = Some(who.user_id).filter(|id| *id > 0);
                }
            }
            Step::Postpone { .. } => c.postponements += 1,
            Step::Reopen => self.reopen_fields(&mut *tx, &mut c, now).await?,
            _ => {}
        }
        c.state = to.as_str().to_owned();
        c.updated_at = now;
        store::update_case(&mut *tx, &c).await?;
        let public = !matches!(step, Step::VerifyFail | Step::Start);
        let note = match (&c.handler_name, step) {
            (Some(h), Step::Dispatch) if note.is_empty() => format!("派遣至{h}"),
            (Some(h), Step::Dispatch) => format!("派遣至{h}:{note}"),
            _ => note.to_owned(),
        };
        let ev = self
            .record(
                &mut *tx,
                &c,
                step.as_str(),
                Some(before.state),
                &note,
                public,
                actor,
                now,
            )
            .await?;
        self.attach_photos(&mut *tx, (c.id, ev), PhotoStage::Handle, photos, now)
            .await?;
        count(&mut *tx, &c, now, &counts).await?;
        self.notify_step(&mut *tx, &c, step, notify_handler, now)
            .await?;
        audit::append(
            &mut *tx,
            event(
                actor,
                &format!("case.{}", step.as_str()),
                format!("case:{}", c.id),
                format!("{} {}→{}", c.number, before.state.as_str(), c.state),
            ),
            now,
        )
        .await?;
        Ok(c)
    }

    /// Sets the deadline, counted from `from`, by `cat` and the priority.
    async fn retime(
        &self,
        conn: &mut Conn,
        c: &mut CaseRow,
        cat: &Category,
        from: UnixMs,
    ) -> Result<(), AppError> {
        let p = c.priority.parse().unwrap_or(Priority::Normal);
        c.due_at = Some(self.due(conn, from, cat, p).await?);
        Ok(())
    }

    /// 重办: open again and due anew from `now`.
    async fn reopen_fields(
        &self,
        conn: &mut Conn,
        c: &mut CaseRow,
        now: UnixMs,
    ) -> Result<(), AppError> {
        c.reopens += 1;
        c.closed_at = None;
        let cat = self.category_of(conn, c).await?;
        self.retime(conn, c, &cat, now).await
    }

    async fn category_of(&self, conn: &mut Conn, c: &CaseRow) -> Result<Category, AppError> {
        setup::category_by_id(conn, c.category_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Sets the handler of a dispatch: the one asked for, else the routing
    /// rule for the category and territory, else the grid's worker.
    async fn assign(
        &self,
        conn: &mut Conn,
        c: &mut CaseRow,
        input: &StepInput,
    ) -> Result<(), AppError> {
        let user_id = match input.handler_username.as_deref().filter(|u| !u.is_empty()) {
            Some(u) => Some(
                users::id_by_username(conn, u)
                    .await?
                    .ok_or_else(|| AppError::Invalid(format!("没有账号“{u}”")))?,
            ),
            None => None,
        };
        let (kind, name) = match (input.handler_kind, input.handler_name.as_deref()) {
            (Some(k), Some(n)) if !n.trim().is_empty() => (k, n.trim().to_owned()),
            (Some(k), _) => (k, k.label_zh().to_owned()),
            (None, _) => match setup::route_for(conn, c.category_id, &c.scope).await? {
                Some(r) => (
                    r.handler_kind.parse().unwrap_or(HandlerKind::CommunityTeam),
                    r.handler_name,
                ),
                None => (
                    HandlerKind::GridWorker,
                    HandlerKind::GridWorker.label_zh().to_owned(),
                ),
            },
        };
        let user_id = match (user_id, kind) {
            (Some(id), _) => Some(id),
            (None, HandlerKind::GridWorker) => care_cards::grid_workers_over(conn, &c.scope)
                .await?
                .first()
                .copied(),
            _ => None,
        };
        c.handler_kind = Some(kind.as_str().to_owned());
        c.handler_name = Some(
            linli_domain::places::clean_name(&name, 60)
                .map_err(|_| bad("处置主体名称不超过 60 字"))?,
        );
        c.handler_user_id = user_id;
        Ok(())
    }

    /// The reporter hears of dispatch, handling and closing; the handler
    /// of a dispatch to them.
    async fn notify_step(
        &self,
        conn: &mut Conn,
        c: &CaseRow,
        step: Step,
        handler: bool,
        now: UnixMs,
    ) -> Result<(), AppError> {
        let link = format!("/cases/{}", c.id);
        if let Some(r) = c.reporter_id {
            let told = match step {
                Step::Dispatch => Some("您的诉求已派遣处置"),
                Step::Handle => Some("您的诉求已处置,待核查"),
                Step::VerifyPass | Step::CloseOnSpot => Some("您的诉求已办结,请评价"),
                Step::Reject => Some("您的诉求不予受理"),
                Step::Reopen => Some("您的诉求已重新办理"),
                _ => None,
            };
            if let Some(title) = told {
                notifications::notify(conn, r, "case", title, &c.number, Some(&link), now).await?;
            }
        }
        if handler && let Some(h) = c.handler_user_id {
            notifications::notify(
                conn,
                h,
                "case",
                "有新的派遣案件",
                &c.number,
                Some(&link),
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// 评价: the reporter rates a closed case once; 不满意 within 7 days of
    /// closing reopens it (重办).
    pub async fn rate_case(
        &self,
        who: &Principal,
        id: i64,
        rating: Rating,
        comment: &str,
        actor: &Actor,
    ) -> Result<CaseRow, AppError> {
        let mut tx = self.db.begin().await?;
        let c = self
            .rate_in(&mut tx, who, id, (rating, comment), actor, crate::now())
            .await?;
        tx.commit().await?;
        self.ring();
        Ok(c)
    }

    /// [`App::rate_case`] inside the caller's transaction, at `now`.
    pub(crate) async fn rate_in(
        &self,
        tx: &mut Conn,
        who: &Principal,
        id: i64,
        (rating, comment): (Rating, &str),
        actor: &Actor,
        now: UnixMs,
    ) -> Result<CaseRow, AppError> {
        let comment = comment.trim();
        if comment.chars().count() > 500 {
            return Err(bad("评价内容不超过 500 字"));
        }
        let mut c = store::case_by_id(&mut *tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if c.reporter_id != Some(who.user_id) {
            // someone else's case: as if it were not there
            return Err(if self.reach_of(who, &c).is_ok() {
                bad("只有上报人可以评价")
            } else {
                AppError::NotFound
            });
        }
        let state = parse_state(&c.state)?;
        if state != CaseState::Closed {
            return Err(bad("案件办结后才能评价"));
        }
        if c.rated_at
            .is_some_and(|r| c.closed_at.is_some_and(|cl| r >= cl))
        {
            return Err(bad("已评价过"));
        }
        let before = facts(&c)?;
        c.rating = Some(rating.as_str().to_owned());
        c.rating_comment = Some(comment.to_owned()).filter(|s| !s.is_empty());
        c.rated_at = Some(now);
        let mut counts = vec![(rules::tally_rating(rating), 1)];
        let reopen = c
            .closed_at
            .is_some_and(|closed| rules::reopens(rating, closed.0, now.0));
        let note = format!(
            "{}{}",
            rating.label_zh(),
            if comment.is_empty() {
                String::new()
            } else {
                format!(":{comment}")
            }
        );
        c.updated_at = now;
        store::update_case(&mut *tx, &c).await?;
        self.record(&mut *tx, &c, "rate", Some(state), &note, true, actor, now)
            .await?;
        if reopen {
            counts.extend(rules::tally(
                &before,
                Step::Reopen,
                now,
                &LoopPolicy::default(),
            ));
            c.state = rules::apply(state, Step::Reopen)
                .map_err(|e| AppError::Invalid(e.to_string()))?
                .as_str()
                .to_owned();
            self.reopen_fields(&mut *tx, &mut c, now).await?;
            store::update_case(&mut *tx, &c).await?;
            self.record(
                &mut *tx,
                &c,
                "reopen",
                Some(state),
                "居民不满意,重办",
                true,
                actor,
                now,
            )
            .await?;
            if let Some(h) = c.handler_user_id {
                let link = format!("/cases/{}", c.id);
                notifications::notify(&mut *tx, h, "case", "案件重办", &c.number, Some(&link), now)
                    .await?;
            }
        }
        count(&mut *tx, &c, now, &counts).await?;
        audit::append(
            &mut *tx,
            event(
                actor,
                "case.rate",
                format!("case:{}", c.id),
                format!("{} {}", c.number, rating.as_str()),
            ),
            now,
        )
        .await?;
        Ok(c)
    }
}

/// How a caller reaches a case.
pub(crate) enum Reach {
    Staff(RegionCode),
    Handler(RegionCode),
    Reporter,
}

/// Whether `who` may take `step` on `c`; a postpone comes back approved
/// when the caller may approve it.
fn authorise(who: &Principal, reach: &Reach, c: &CaseRow, step: Step) -> Result<Step, AppError> {
    let scope = match reach {
        Reach::Staff(s) | Reach::Handler(s) => s,
        Reach::Reporter => {
            // a reporter may only withdraw what nobody has accepted yet
            return match step {
                Step::Cancel if c.state == CaseState::Submitted.as_str() => Ok(step),
                _ => Err(AppError::Forbidden),
            };
        }
    };
    let manage = allowed(&who.grants, Permission::ManageCases, scope);
    let handle = allowed(&who.grants, Permission::HandleCases, scope)
        || c.handler_user_id == Some(who.user_id);
    let ok = match step {
        Step::Start | Step::Handle | Step::Resume => manage || handle,
        Step::CloseOnSpot => manage || allowed(&who.grants, Permission::HandleCases, scope),
        Step::Postpone { .. } => return Ok(Step::Postpone { approved: manage }),
        _ => manage,
    };
    if ok {
        Ok(step)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether the case was rated after its last closing (one rating a closing).
fn rated_since_closing(c: &CaseRow) -> bool {
    matches!((c.rated_at, c.closed_at), (Some(r), Some(cl)) if r >= cl)
}

/// Open (not postponed) and past its deadline at `now`.
pub fn is_overdue(c: &CaseRow, state: CaseState, now: UnixMs) -> bool {
    state.is_open() && state != CaseState::Postponed && c.due_at.is_some_and(|d| d < now)
}

/// Adds a step's counts to the roll-ups of every node above the case.
async fn count(
    conn: &mut Conn,
    c: &CaseRow,
    now: UnixMs,
    deltas: &[(rules::Counter, i64)],
) -> Result<(), AppError> {
    let scope: RegionCode = c
        .scope
        .parse()
        .map_err(|_| AppError::Internal("stored case scope".into()))?;
    let scopes = rules::rollup_scopes(&scope);
    let key = StatKey {
        scopes: &scopes,
        day: rules::day_key(now),
        category_id: c.category_id,
        channel: &c.channel,
        handler: c.handler_name.as_deref().unwrap_or(""),
    };
    Ok(stats::bump(conn, &key, deltas).await?)
}

/// A reporter's name as staff lists show it.
pub fn reporter_masked(c: &CaseRow) -> String {
    mask_name(&c.reporter_name)
}
