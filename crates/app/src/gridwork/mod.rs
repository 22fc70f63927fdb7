//! 网格员的走访 — who is due a visit in the caller's grid, by the plan the
//! care tags set, and recording a visit (audited). A grid worker sees and
//! records only their grid; community staff their community.

use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, scope_prefixes};
use linli_domain::gridwork::{Due, NEEDS, Way, check_visit, due};
use linli_store::audit;
use linli_store::gridwork::{self as store, NewVisit};

/// A person on today's list.
#[derive(Debug, Clone, PartialEq)]
pub struct DueVisit {
    pub resident_id: i64,
    pub name: String,
    pub address: String,
    pub tags: String,
    pub period_days: i64,
    pub last_visit: Option<String>,
    pub due: Due,
}

/// A visit as the form sends it.
#[derive(Debug, Clone)]
pub struct VisitInput {
    pub resident_id: i64,
    pub way: String,
    pub needs: Vec<String>,
    pub note: String,
    /// `YYYY-MM-DD`; today when empty
    pub day: String,
}

fn invalid(e: impl ToString) -> AppError {
    AppError::Invalid(e.to_string())
}

impl App {
    /// The people in the caller's area due a visit (never visited, overdue,
    /// due today or within three days), most urgent first.
    pub async fn visits_due(&self, who: &Principal) -> Result<Vec<DueVisit>, AppError> {
        let prefixes = scope_prefixes(&who.grants, Permission::RecordVisits);
        if prefixes.is_empty() {
            return Err(AppError::Forbidden);
        }
        let today = crate::today();
        let mut conn = self.db.conn().await?;
        let mut out: Vec<DueVisit> = store::planned(&mut conn, &prefixes)
            .await?
            .into_iter()
            .map(|p| {
                let last = p
                    .last_visit
                    .as_deref()
                    .and_then(linli_domain::registry::parse_date);
                DueVisit {
                    due: due(last, p.period_days, today),
                    resident_id: p.resident_id,
                    name: p.name,
                    address: p.address,
                    tags: p.tags,
                    period_days: p.period_days,
                    last_visit: p.last_visit,
                }
            })
            .filter(|d| d.due.listed())
            .collect();
        out.sort_by_key(|d| (std::cmp::Reverse(d.due.urgency()), d.resident_id));
        Ok(out)
    }

    /// Records a visit to a resident in the caller's area.
    pub async fn record_visit(
        &self,
        who: &Principal,
        v: &VisitInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let way: Way = v.way.parse().map_err(invalid)?;
        let today = crate::today();
        let day = if v.day.trim().is_empty() {
            today
        } else {
            linli_domain::registry::parse_date(&v.day).ok_or_else(|| invalid("日期格式不对"))?
        };
        let note = check_visit(day, today, &v.note).map_err(invalid)?;
        let needs: Vec<&str> = NEEDS
            .iter()
            .copied()
            .filter(|n| v.needs.iter().any(|x| x == n))
            .collect();
        if needs.len() != v.needs.len() {
            return Err(invalid("请从列表中选择发现的需求"));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        // outside the caller's area the person does not exist for them
        self.visible(&mut tx, who, v.resident_id, Permission::RecordVisits)
            .await?;
        let id = store::insert_visit(
            &mut tx,
            &NewVisit {
                resident_id: v.resident_id,
                user_id: Some(who.user_id),
                visitor_name: &who.display_name,
                way: way.as_str(),
                needs: &needs.join("、"),
                note: &note,
                visited_on: &day.to_string(),
                now,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "visit.record",
                format!("resident:{}", v.resident_id),
                format!("visit={id} way={}", way.as_str()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
