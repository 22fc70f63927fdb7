//! The figures of volunteering for the caller's scope and a period: who
//! serves, the hours and points credited, orders by state and how they
//! were rated, activities and person-times, wishes fulfilled.

use crate::accounts::auth::Principal;
use crate::{App, AppError};
use linli_domain::access::{Permission, scope_prefixes};
use linli_domain::time::UnixMs;
use linli_domain::volunteering::hours_text;
use linli_domain::volunteering::orders::{OrderState, Rating};
use linli_store::volunteering::figures::{self as store};

/// The figures as a page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteeringFigures {
    pub volunteers: i64,
    pub party_members: i64,
    pub hours: String,
    pub points: i64,
    /// (state, count) in the order of the loop
    pub orders: Vec<(&'static str, i64)>,
    pub rated: i64,
    /// 满意 + 基本满意 of the rated, one decimal; None when none rated
    pub satisfaction: Option<String>,
    pub activities: i64,
    pub person_times: i64,
    pub wishes: i64,
    pub wishes_fulfilled: i64,
}

impl App {
    /// The figures of the caller's scope from `from` to `to`.
    pub async fn volunteering_figures(
        &self,
        who: &Principal,
        from: UnixMs,
        to: UnixMs,
    ) -> Result<VolunteeringFigures, AppError> {
        let prefixes = scope_prefixes(&who.grants, Permission::ViewVolunteering);
        if prefixes.is_empty() {
            return Err(AppError::Forbidden);
        }
        let f = store::figures(&mut *self.db.conn().await?, &prefixes, from, to).await?;
        let count = |rows: &[(String, i64)], key: &str| {
            rows.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n)
        };
        let rated: i64 = f.ratings.iter().map(|(_, n)| n).sum();
        let good = count(&f.ratings, Rating::Satisfied.as_str())
            + count(&f.ratings, Rating::Basic.as_str());
        Ok(VolunteeringFigures {
            volunteers: f.volunteers,
            party_members: f.party_members,
            hours: hours_text(f.minutes),
            points: f.points,
            orders: OrderState::ALL
                .iter()
                .map(|s| (s.label_zh(), count(&f.orders, s.as_str())))
                .collect(),
            rated,
            satisfaction: (rated > 0)
                .then(|| format!("{:.1}%", good as f64 * 100.0 / rated as f64)),
            activities: f.activities,
            person_times: f.person_times,
            wishes: f.wishes,
            wishes_fulfilled: f.wishes_fulfilled,
        })
    }
}
