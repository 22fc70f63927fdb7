//! 诉求看板 — the indicators of `references/indicators.md` for a territory
//! subtree and a period, from the roll-ups (never a scan of the cases),
//! broken down by category, channel, handler, sub-territory and month.

use crate::accounts::auth::Principal;
use crate::{App, AppError};
use linli_domain::access::{Permission, RegionCode, allowed};
use linli_domain::cases::{Counts, Indicators, SatisfactionWeights, date_key};
use linli_store::cases::setup;
use linli_store::cases::stats::{self, Breakdown};
use linli_store::cases::{self as store, CaseFilter, CaseReach};
use std::collections::BTreeMap;

/// One row of a breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    pub key: String,
    pub label: String,
    pub counts: Counts,
    pub indicators: Indicators,
}

/// The dashboard of one subtree and period.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub code: RegionCode,
    pub from: time::Date,
    pub to: time::Date,
    pub total: Slice,
    /// open now, and overdue now (not per period)
    pub open_now: i64,
    pub overdue_now: i64,
    pub by_category: Vec<Slice>,
    pub by_channel: Vec<Slice>,
    pub by_handler: Vec<Slice>,
    pub by_area: Vec<Slice>,
    pub by_month: Vec<Slice>,
    /// day by day, for periods of at most [`DAILY_DAYS`] (else empty)
    pub by_day: Vec<Slice>,
}

/// The longest period the trend shows day by day.
pub const DAILY_DAYS: i64 = 92;

/// The longest period one dashboard covers.
const MAX_DAYS: i64 = 3 * 366;

fn slice(key: String, label: String, counts: Counts, w: SatisfactionWeights) -> Slice {
    Slice {
        indicators: Indicators::compute(&counts, w),
        key,
        label,
        counts,
    }
}

impl App {
    /// The dashboard of `code`'s subtree for the days `from..=to` (China).
    pub async fn dashboard(
        &self,
        who: &Principal,
        code: &RegionCode,
        from: time::Date,
        to: time::Date,
    ) -> Result<Dashboard, AppError> {
        if !allowed(&who.grants, Permission::ViewDashboard, code) {
            return Err(AppError::Forbidden);
        }
        if to < from || (to - from).whole_days() > MAX_DAYS {
            return Err(AppError::Invalid(
                "统计区间须为开始不晚于结束、不超过三年".into(),
            ));
        }
        let w = SatisfactionWeights::default();
        let prefix = code.significant_prefix();
        let (lo, hi) = (date_key(from), date_key(to));
        let mut conn = self.db.conn().await?;
        let mut sum = async |by| stats::sum(&mut conn, prefix, lo, hi, by).await;
        let total = sum(Breakdown::Total)
            .await?
            .pop()
            .map(|(_, c)| c)
            .unwrap_or_default();
        let cats = sum(Breakdown::Category).await?;
        let channels = sum(Breakdown::Channel).await?;
        let handlers = sum(Breakdown::Handler).await?;
        // one level down: communities under a street, grids under a community
        let depth = linli_domain::cases::child_depth(prefix.len());
        let areas = sum(Breakdown::Children(depth)).await?;
        let months = sum(Breakdown::Month).await?;
        let days = if (to - from).whole_days() < DAILY_DAYS {
            sum(Breakdown::Day).await?
        } else {
            Vec::new()
        };
        let names: BTreeMap<String, String> = setup::categories(&mut conn)
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect();
        let area_names = self.area_names(&mut conn, &areas, depth).await?;
        let label_channel = |k: &str| {
            k.parse::<linli_domain::cases::Channel>()
                .map_or_else(|_| k.to_owned(), |c| c.label_zh().to_owned())
        };
        let reach = CaseReach {
            prefixes: vec![prefix.to_owned()],
            ..CaseReach::default()
        };
        let open_states = [
            "submitted",
            "accepted",
            "dispatched",
            "in_progress",
            "postponed",
            "handled",
        ];
        let open_now = store::count_cases(
            &mut conn,
            &reach,
            &CaseFilter {
                states: open_states.map(str::to_owned).to_vec(),
                ..CaseFilter::default()
            },
            i64::MAX,
        )
        .await?;
        let overdue_now = store::count_cases(
            &mut conn,
            &reach,
            &CaseFilter {
                due_before: Some(crate::now()),
                ..CaseFilter::default()
            },
            i64::MAX,
        )
        .await?;
        let keyed = |rows: Vec<(String, Counts)>, label: &dyn Fn(&str) -> String| {
            rows.into_iter()
                .map(|(k, c)| {
                    let l = label(&k);
                    slice(k, l, c, w)
                })
                .collect::<Vec<_>>()
        };
        Ok(Dashboard {
            code: code.clone(),
            from,
            to,
            total: slice(String::new(), "合计".into(), total, w),
            open_now,
            overdue_now,
            by_category: keyed(cats, &|k| {
                names.get(k).cloned().unwrap_or_else(|| k.to_owned())
            }),
            by_channel: keyed(channels, &label_channel),
            by_handler: keyed(handlers, &|k| {
                if k.is_empty() {
                    "未派遣".to_owned()
                } else {
                    k.to_owned()
                }
            }),
            by_area: keyed(areas, &|k| {
                area_names.get(k).cloned().unwrap_or_else(|| k.to_owned())
            }),
            by_month: keyed(months, &|k| {
                if k.len() == 6 {
                    format!("{}-{}", &k[..4], &k[4..])
                } else {
                    k.to_owned()
                }
            }),
            by_day: keyed(days, &|k| {
                if k.len() == 8 {
                    format!("{}-{}-{}", &k[..4], &k[4..6], &k[6..])
                } else {
                    k.to_owned()
                }
            }),
        })
    }

    /// Names for the codes of a breakdown: grids by their name, regions
    /// by theirs.
    async fn area_names(
        &self,
        conn: &mut linli_store::Conn,
        rows: &[(String, Counts)],
        depth: usize,
    ) -> Result<BTreeMap<String, String>, AppError> {
        let mut out = BTreeMap::new();
        for (k, _) in rows {
            let Ok(code) = k.parse::<RegionCode>() else {
                continue;
            };
            let name = if code.is_grid() {
                linli_store::territory::places::grid_by_code(conn, &code)
                    .await?
                    .map(|g| g.name)
            } else {
                linli_store::territory::regions::get(conn, &code)
                    .await?
                    .map(|r| r.name)
            };
            let name = match name {
                // the community's pseudo-grid `…000`: its intake queue
                _ if depth == 15 && k.ends_with("000") => "社区受理台(未入格)".to_owned(),
                Some(n) => n,
                None => k.clone(),
            };
            out.insert(k.clone(), name);
        }
        Ok(out)
    }
}
