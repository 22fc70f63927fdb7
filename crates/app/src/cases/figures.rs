//! 关键指标 for a manager's workbench (书记, 街道): this month so far with
//! 环比 and 同比, the two rates people are judged by, what is open and
//! overdue now, and the areas one level down ranked — all from the same
//! roll-ups as the dashboard.

use crate::accounts::auth::Principal;
use crate::{App, AppError};
use linli_domain::access::RegionCode;
use linli_domain::cases::compare::{change, month_to_date};

/// One area on the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaFigure {
    pub label: String,
    pub received: u64,
    pub closure_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
}

/// A manager's key figures for `code`.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFigures {
    pub code: RegionCode,
    pub received: u64,
    /// 环比: against the same days of last month
    pub month_on_month: Option<f64>,
    /// 同比: against the same days a year ago
    pub year_on_year: Option<f64>,
    pub on_time_closure_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
    pub open_now: i64,
    pub overdue_now: i64,
    /// the areas one level down (grids, or communities), most requests first
    pub ranking: Vec<AreaFigure>,
}

impl App {
    /// The workbench figures of `code` for this month so far.
    pub async fn key_figures(
        &self,
        who: &Principal,
        code: &RegionCode,
    ) -> Result<KeyFigures, AppError> {
        let (this, previous, last_year) = month_to_date(crate::today());
        let now = self.dashboard(who, code, this.from, this.to).await?;
        let before = self
            .dashboard(who, code, previous.from, previous.to)
            .await?;
        let year_ago = self
            .dashboard(who, code, last_year.from, last_year.to)
            .await?;
        let received = now.total.counts.received;
        let mut ranking: Vec<AreaFigure> = now
            .by_area
            .iter()
            .map(|s| AreaFigure {
                label: s.label.clone(),
                received: s.counts.received,
                closure_rate: s.indicators.on_time_closure_rate,
                satisfaction_rate: s.indicators.satisfaction_rate,
            })
            .collect();
        ranking.sort_by(|a, b| b.received.cmp(&a.received).then(a.label.cmp(&b.label)));
        ranking.truncate(10);
        Ok(KeyFigures {
            code: code.clone(),
            received,
            month_on_month: change(received, before.total.counts.received),
            year_on_year: change(received, year_ago.total.counts.received),
            on_time_closure_rate: now.total.indicators.on_time_closure_rate,
            satisfaction_rate: now.total.indicators.satisfaction_rate,
            open_now: now.open_now,
            overdue_now: now.overdue_now,
            ranking,
        })
    }
}
