//! The deadline sweep: near-due (临期, 70 % of the allowed time gone) and
//! overdue (超期) cases tell their handler and the community's case
//! managers in the app, once per deadline (a new deadline — rework,
//! reopen, re-categorising — warns anew); departments that have not
//! reported in on time are reminded, and so is whoever blew the whistle.
//! The server runs it every minute; it is safe to run twice at once (the
//! warning table's key decides who sends).

use crate::cases::Holders;
use crate::{App, AppError};
use linli_domain::access::{Permission, RegionCode, Role};
use linli_domain::cases::{self as rules, DueFlag};
use linli_domain::time::{UnixMs, beijing_minute};
use linli_store::cases::whistles as store;
use linli_store::{Conn, notifications};
use std::collections::BTreeSet;

/// Warnings one sweep sends at most per kind (the rest wait a minute).
const BATCH: i64 = 500;
/// Near-due candidates: open cases due within this many days.
const NEAR_WINDOW_DAYS: i64 = 10;

/// What one sweep sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub near_due: usize,
    pub overdue: usize,
    pub late_calls: usize,
}

impl App {
    /// Sends the warnings due at `now` (see the module docs).
    pub async fn sweep_deadlines(&self, now: UnixMs) -> Result<SweepReport, AppError> {
        let mut tx = self.db.begin().await?;
        let managers = Holders::load(&mut tx, &warned_roles()).await?;
        let mut report = SweepReport::default();
        for (level, window) in [
            (DueFlag::Overdue, (UnixMs(i64::MIN), now)),
            (
                DueFlag::NearDue,
                (now, now.plus_secs(NEAR_WINDOW_DAYS * 24 * 3600)),
            ),
        ] {
            let key = level_key(level);
            for c in store::due_unwarned(&mut tx, window, key, BATCH).await? {
                let state = crate::cases::parse_state(&c.state)?;
                let Some(due) = c.due_at else { continue };
                if rules::due_flag(state, c.created_at, Some(due), now) != level
                    || !store::mark_warned(&mut tx, c.id, due, key, now).await?
                {
                    continue;
                }
                let title = match level {
                    DueFlag::Overdue => format!("案件已超期(时限 {})", beijing_minute(due)),
                    _ => format!("案件临期,请于 {} 前办结", beijing_minute(due)),
                };
                let mut told: BTreeSet<i64> = c.handler_user_id.into_iter().collect();
                if let Ok(scope) = c.scope.parse::<RegionCode>() {
                    told.extend(managers.over(&scope).into_iter().map(|(id, _)| id));
                }
                let link = format!("/cases/{}", c.id);
                for user in told {
                    notifications::notify(
                        &mut tx,
                        user,
                        "case.deadline",
                        &title,
                        &c.number,
                        Some(&link),
                        now,
                    )
                    .await?;
                }
                match level {
                    DueFlag::Overdue => report.overdue += 1,
                    _ => report.near_due += 1,
                }
            }
        }
        report.late_calls = late_calls(&mut tx, now).await?;
        tx.commit().await?;
        if report != SweepReport::default() {
            self.ring();
        }
        Ok(report)
    }
}

fn level_key(f: DueFlag) -> &'static str {
    match f {
        DueFlag::Overdue => "overdue",
        _ => "near_due",
    }
}

/// 超时未报到: the department and whoever blew the whistle are told once.
async fn late_calls(tx: &mut Conn, now: UnixMs) -> Result<usize, AppError> {
    let mut n = 0;
    for w in store::overdue_unwarned(tx, now, BATCH).await? {
        let key = format!("whistle:{}", w.id);
        if !store::mark_warned(tx, w.case_id, w.due_at, &key, now).await? {
            continue;
        }
        let link = format!("/cases/{}", w.case_id);
        let number = linli_store::cases::case_by_id(tx, w.case_id)
            .await?
            .map(|c| c.number)
            .unwrap_or_default();
        let title = format!("吹哨超时未报到:{}", w.dept_name);
        let told: BTreeSet<i64> = std::iter::once(w.dept_user_id)
            .chain(w.raised_by_id)
            .collect();
        for user in told {
            notifications::notify(
                tx,
                user,
                "case.whistle_late",
                &title,
                &number,
                Some(&link),
                now,
            )
            .await?;
        }
        n += 1;
    }
    Ok(n)
}

/// The roles told of deadlines: those who manage cases in a community
/// (the street and district see the figures, not every warning).
fn warned_roles() -> Vec<Role> {
    Permission::ManageCases
        .roles()
        .iter()
        .copied()
        .filter(|r| !matches!(r, Role::StreetAdmin | Role::DistrictAdmin))
        .collect()
}
