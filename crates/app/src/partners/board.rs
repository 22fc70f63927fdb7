//! 共建公开栏: a community's finished projects and what each unit put in,
//! by year — in public, as the seeds' communities post them. Organisations
//! only: no resident, no account, no need's text.

use super::projects::{hours_of, line};
use crate::{App, AppError};
use linli_domain::access::RegionCode;
use linli_domain::deliberation::shares::yuan_text;
use linli_domain::partners::{FundingKind, strip_personal};
use linli_domain::time::{UnixMs, beijing_minute, china_year};
use linli_store::partners::projects as store;
use std::collections::BTreeMap;

/// A finished project as the public reads it.
#[derive(Debug, Clone)]
pub struct BoardProject {
    pub line: super::ProjectLine,
    pub units: Vec<String>,
    pub outcome: String,
    pub closed_on: String,
}

/// What one unit put in during one year.
#[derive(Debug, Clone)]
pub struct UnitTotal {
    pub year: i32,
    pub unit: String,
    pub money: String,
    pub goods: String,
    pub hours: String,
}

#[derive(Debug, Clone)]
pub struct PartnersBoard {
    pub community: String,
    pub projects: Vec<BoardProject>,
    /// newest year first, units by name
    pub totals: Vec<UnitTotal>,
}

impl App {
    /// The public board of a community's partnership (404 for a code that
    /// is not a community).
    pub async fn partners_board(&self, code: &str) -> Result<PartnersBoard, AppError> {
        let code: RegionCode = code.parse().map_err(|_| AppError::NotFound)?;
        if code.community().as_ref() != Some(&code) {
            return Err(AppError::NotFound);
        }
        let mut conn = self.db.conn().await?;
        let region = linli_store::territory::regions::get(&mut conn, &code)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut projects = Vec::new();
        for p in store::done_in(&mut conn, code.as_str()).await? {
            let units = store::units_of(&mut conn, p.id)
                .await?
                .into_iter()
                .map(|(_, n)| n)
                .collect();
            // staff wrote these for the public: numbers and door numbers go
            let outcome = strip_personal(p.outcome.as_deref().unwrap_or_default(), &[]);
            let mut line = line(p.clone());
            line.title = strip_personal(&line.title, &[]);
            projects.push(BoardProject {
                outcome,
                closed_on: p
                    .closed_at
                    .map(|t| beijing_minute(UnixMs(t))[..10].to_owned())
                    .unwrap_or_default(),
                units,
                line,
            });
        }
        let mut sums: BTreeMap<(std::cmp::Reverse<i32>, String), [i64; 3]> = BTreeMap::new();
        for (unit, kind, amount, at) in store::fundings_in(&mut conn, code.as_str()).await? {
            let slot = sums
                .entry((std::cmp::Reverse(china_year(UnixMs(at))), unit))
                .or_default();
            match kind.parse::<FundingKind>() {
                Ok(FundingKind::Money) => slot[0] += amount,
                Ok(FundingKind::Goods) => slot[1] += amount,
                Ok(FundingKind::Hours) => slot[2] += amount,
                Err(_) => {}
            }
        }
        let totals = sums
            .into_iter()
            .map(|((y, unit), [m, g, h])| UnitTotal {
                year: y.0,
                unit,
                money: yuan_text(m),
                goods: yuan_text(g),
                hours: hours_of(h),
            })
            .collect();
        Ok(PartnersBoard {
            community: region.name,
            projects,
            totals,
        })
    }
}
