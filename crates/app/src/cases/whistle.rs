//! 社区吹哨、部门报到: community staff escalate an accepted case to the
//! street's departments (the department-handler accounts whose grant
//! covers the case); each is notified in the app and must report in
//! before the deadline. The case page shows who was called, who came and
//! when; the timeline records both. The rules are in
//! [`linli_domain::cases::whistle`].

use crate::accounts::auth::Principal;
use crate::cases::reach::{Holders, Reach, bad, parse_state, reach_of};
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, Role, allowed};
use linli_domain::cases::whistle::{self as rules, AckState, WhistleError};
use linli_domain::time::{UnixMs, beijing_minute};
use linli_store::cases::whistles as store;
pub use linli_store::cases::whistles::Whistle;
use linli_store::cases::{self as cases_store, CaseRow};
use linli_store::{Conn, audit, notifications};

/// What a whistle asks: whom, how soon, why.
#[derive(Debug, Clone, Default)]
pub struct WhistleInput {
    /// the departments' account ids (from [`App::departments_for`])
    pub departments: Vec<i64>,
    /// hours to report in; none is the default (24)
    pub hours: Option<u32>,
    pub reason: String,
}

/// A department a case can be escalated to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub user_id: i64,
    pub name: String,
}

/// One called department and where it stands now.
#[derive(Debug, Clone, PartialEq)]
pub struct CallView {
    pub call: Whistle,
    pub state: AckState,
}

fn whistle_err(e: WhistleError) -> AppError {
    AppError::Invalid(e.to_string())
}

impl App {
    /// The street departments a case may be escalated to: the enabled
    /// department-handler accounts whose grant covers the case.
    pub async fn departments_for(
        &self,
        who: &Principal,
        case_id: i64,
    ) -> Result<Vec<Department>, AppError> {
        let mut conn = self.db.conn().await?;
        let c = self.case_for_manager(&mut conn, who, case_id).await?;
        departments_over(&mut conn, &c).await
    }

    /// Loads a case the caller manages (吹哨 is the community's step).
    async fn case_for_manager(
        &self,
        conn: &mut Conn,
        who: &Principal,
        case_id: i64,
    ) -> Result<CaseRow, AppError> {
        let c = cases_store::case_by_id(conn, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        match reach_of(conn, who, &c).await? {
            Reach::Staff(scope) if allowed(&who.grants, Permission::ManageCases, &scope) => Ok(c),
            _ => Err(AppError::Forbidden),
        }
    }

    /// 吹哨: calls the departments named; each gets a notification and a
    /// report-in deadline. A department already called and not yet come
    /// cannot be called twice.
    pub async fn whistle_case(
        &self,
        who: &Principal,
        case_id: i64,
        input: &WhistleInput,
        actor: &Actor,
    ) -> Result<Vec<CallView>, AppError> {
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(bad("请说明吹哨事由(不超过 500 字)"));
        }
        let mut wanted = input.departments.clone();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() || wanted.len() > rules::MAX_CALLED {
            return Err(whistle_err(WhistleError::Called));
        }
        let now = crate::now();
        let due = rules::ack_due(now, input.hours).map_err(whistle_err)?;
        let mut tx = self.db.begin().await?;
        let c = self.case_for_manager(&mut tx, who, case_id).await?;
        let state = parse_state(&c.state)?;
        if !rules::may_whistle(state) {
            return Err(whistle_err(WhistleError::State));
        }
        let known = departments_over(&mut tx, &c).await?;
        let earlier = store::of_case(&mut tx, c.id).await?;
        let mut called = Vec::new();
        for id in wanted {
            let d = known
                .iter()
                .find(|d| d.user_id == id)
                .ok_or_else(|| bad("所选部门不在本案件所属街道"))?;
            if earlier
                .iter()
                .any(|w| w.dept_user_id == id && w.acked_at.is_none())
            {
                return Err(whistle_err(WhistleError::AlreadyCalled));
            }
            let mut w = Whistle {
                id: 0,
                case_id: c.id,
                dept_user_id: d.user_id,
                dept_name: d.name.clone(),
                raised_by_id: Some(who.user_id).filter(|id| *id > 0),
                raised_by_name: who.display_name.clone(),
                reason: reason.to_owned(),
                raised_at: now,
                due_at: due,
                acked_at: None,
                ack_by_name: None,
                ack_note: None,
            };
            w.id = store::insert(&mut tx, &w).await?;
            let link = format!("/cases/{}", c.id);
            let title = format!("社区吹哨,请于 {} 前报到", beijing_minute(due));
            notifications::notify(
                &mut tx,
                d.user_id,
                "case.whistle",
                &title,
                &c.number,
                Some(&link),
                now,
            )
            .await?;
            called.push(w);
        }
        let names: Vec<&str> = called.iter().map(|w| w.dept_name.as_str()).collect();
        let note = format!(
            "社区吹哨:{};报到时限 {};事由:{reason}",
            names.join("、"),
            beijing_minute(due)
        );
        self.record(&mut tx, &c, "whistle", Some(state), &note, true, actor, now)
            .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "case.whistle",
                format!("case:{}", c.id),
                format!("{} {}", c.number, names.join(",")),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        self.ring();
        Ok(called
            .into_iter()
            .map(|call| CallView {
                state: rules::ack_state(call.due_at, None, now),
                call,
            })
            .collect())
    }

    /// 报到: the called department reports in on a case; the one who blew
    /// the whistle is told.
    pub async fn report_in(
        &self,
        who: &Principal,
        case_id: i64,
        note: &str,
        actor: &Actor,
    ) -> Result<CallView, AppError> {
        let note = note.trim();
        if note.chars().count() > 500 {
            return Err(bad("报到说明不超过 500 字"));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let c = cases_store::case_by_id(&mut tx, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        reach_of(&mut tx, who, &c).await?;
        let mine: Vec<Whistle> = store::of_case(&mut tx, c.id)
            .await?
            .into_iter()
            .filter(|w| w.dept_user_id == who.user_id)
            .collect();
        if mine.is_empty() {
            return Err(whistle_err(WhistleError::NotCalled));
        }
        let Some(mut w) = mine.into_iter().find(|w| w.acked_at.is_none()) else {
            return Err(whistle_err(WhistleError::AlreadyAcked));
        };
        if !store::ack(&mut tx, w.id, &who.display_name, note, now).await? {
            return Err(whistle_err(WhistleError::AlreadyAcked));
        }
        w.acked_at = Some(now);
        w.ack_by_name = Some(who.display_name.clone());
        w.ack_note = Some(note.to_owned());
        let state = parse_state(&c.state)?;
        let late = match rules::ack_state(w.due_at, w.acked_at, now) {
            AckState::Late => "(超时)",
            _ => "",
        };
        let text = match note {
            "" => format!("{} 已报到{late}", w.dept_name),
            n => format!("{} 已报到{late}:{n}", w.dept_name),
        };
        self.record(
            &mut tx,
            &c,
            "report_in",
            Some(state),
            &text,
            true,
            actor,
            now,
        )
        .await?;
        if let Some(r) = w.raised_by_id {
            let link = format!("/cases/{}", c.id);
            let title = format!("{} 已报到", w.dept_name);
            notifications::notify(
                &mut tx,
                r,
                "case.report_in",
                &title,
                &c.number,
                Some(&link),
                now,
            )
            .await?;
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "case.report_in",
                format!("case:{}", c.id),
                c.number.clone(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        self.ring();
        Ok(CallView {
            state: rules::ack_state(w.due_at, w.acked_at, now),
            call: w,
        })
    }

    /// Who was called on a case and where each stands, for staff and the
    /// handler; the reporter sees the public timeline only.
    pub(crate) async fn calls_of(
        &self,
        conn: &mut Conn,
        c: &CaseRow,
        reach: &Reach,
        now: UnixMs,
    ) -> Result<Vec<CallView>, AppError> {
        if matches!(reach, Reach::Reporter) {
            return Ok(Vec::new());
        }
        Ok(store::of_case(conn, c.id)
            .await?
            .into_iter()
            .map(|call| {
                let state = rules::ack_state(call.due_at, call.acked_at, now);
                CallView { call, state }
            })
            .collect())
    }

    /// The calls waiting for the caller's department, oldest deadline first.
    pub async fn calls_waiting(&self, who: &Principal) -> Result<Vec<CallView>, AppError> {
        let now = crate::now();
        let rows = store::waiting_for(&mut *self.db.conn().await?, who.user_id).await?;
        Ok(rows
            .into_iter()
            .map(|call| CallView {
                state: rules::ack_state(call.due_at, None, now),
                call,
            })
            .collect())
    }
}

/// The department-handler accounts whose grant covers the case.
async fn departments_over(conn: &mut Conn, c: &CaseRow) -> Result<Vec<Department>, AppError> {
    let scope: RegionCode = c
        .scope
        .parse()
        .map_err(|_| AppError::Internal("stored case scope".into()))?;
    let holders = Holders::load(conn, &[Role::DepartmentHandler]).await?;
    Ok(holders
        .over(&scope)
        .into_iter()
        .map(|(user_id, name)| Department {
            user_id,
            name: name.to_owned(),
        })
        .collect())
}
