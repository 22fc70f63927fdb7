//! 民筹: sharing a decided cost among the owners on a vote's roll, by a
//! coefficient per floor or by area, each dwelling's share in 分 summing to
//! the owners' part exactly; funding apart from the owners; who has paid.
//! Everyone who sees the vote sees the plan's totals by floor (art. 281:
//! published); staff see each dwelling and mark payments; an owner sees
//! their own shares.

use super::invalid;
use crate::accounts::auth::Principal;
use crate::registry::require;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode};
use linli_domain::deliberation::VoteState;
use linli_domain::deliberation::roll::{Areas, Owner};
use linli_domain::deliberation::shares::{
    floor_weights, parse_funding, parse_table, parse_yuan, split, yuan_text,
};
use linli_store::audit;
use linli_store::deliberation::costs::{self as store, PlanRow, ShareRow};
use linli_store::deliberation::owners as owners_store;
use linli_store::deliberation::votes as votes_store;
use linli_store::registry::pipl::resident_of_user;
use std::collections::{BTreeMap, HashSet};

/// A plan as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct CostInput {
    /// `floor` or `area`
    pub basis: String,
    /// `1:0, 2:10, 3:15 …` by floor
    pub table: String,
    /// the owners' part, yuan
    pub owners_total: String,
    /// `来源:金额` a line
    pub funding: String,
}

/// The shares of one floor.
#[derive(Debug, Clone)]
pub struct FloorLine {
    pub floor: i64,
    pub weight: i64,
    pub dwellings: usize,
    /// each dwelling's share (a range when the remainder's 分 differ)
    pub each: String,
    pub sum: String,
}

/// One dwelling's share (staff; an owner's own).
#[derive(Debug, Clone)]
pub struct ShareLine {
    pub dwelling_id: i64,
    pub label: String,
    pub share: String,
    pub paid: bool,
}

/// A plan as its section shows it.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub by_floor: bool,
    pub table: String,
    pub owners_total: String,
    pub funding: Vec<(String, String)>,
    pub project_total: String,
    pub floors: Vec<FloorLine>,
    /// staff only, for a plan of at most `ROLL_SHOWN` dwellings
    pub shares: Vec<ShareLine>,
    pub paid_count: usize,
    pub paid: String,
    pub dwellings: usize,
    /// the caller's own shares
    pub mine: Vec<ShareLine>,
    /// whether staff may still replace it (nothing paid yet)
    pub editable: bool,
}

fn line(s: &ShareRow) -> ShareLine {
    ShareLine {
        dwelling_id: s.dwelling_id,
        label: s.label.clone(),
        share: yuan_text(s.share_fen),
        paid: s.paid_at.is_some(),
    }
}

impl App {
    /// Sets (or replaces, while nothing is paid) the cost-sharing plan of
    /// a vote that has its roll.
    pub async fn set_cost_plan(
        &self,
        who: &Principal,
        vote_id: i64,
        input: &CostInput,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let owners_fen = parse_yuan(&input.owners_total).map_err(invalid)?;
        let funding = parse_funding(&input.funding).map_err(invalid)?;
        let by_floor = match input.basis.as_str() {
            "floor" => true,
            "area" => false,
            _ => return Err(invalid("请选择按楼层系数或按面积分摊")),
        };
        let table = if by_floor {
            Some(parse_table(&input.table).map_err(invalid)?)
        } else {
            None
        };
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        // one plan change or payment of a vote at a time
        votes_store::lock(&mut tx, vote_id).await?;
        let v = votes_store::vote(&mut tx, vote_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let scope: RegionCode = v.community_code.parse().map_err(AppError::from)?;
        require(who, Permission::ManageVotes, &scope)?;
        if v.state == VoteState::Draft.as_str() {
            return Err(invalid("开始投票(名册固定)后才能制定分摊方案"));
        }
        // the dwellings of the owners on the roll, as the register has them now
        let on_roll: HashSet<String> = votes_store::roll(&mut tx, vote_id)
            .await?
            .into_iter()
            .map(|(r, _)| r.owner_key)
            .collect();
        let holdings: Vec<_> = owners_store::holdings(&mut tx, &v.scope_kind, v.scope_id)
            .await?
            .into_iter()
            .map(|h| {
                let key = h
                    .resident_id
                    .map_or(Owner::Developer, Owner::Resident)
                    .key();
                (h, key)
            })
            .filter(|(_, key)| on_roll.contains(key))
            .collect();
        if holdings.is_empty() {
            return Err(invalid("名册上没有可分摊的房屋"));
        }
        let weights = match &table {
            Some(t) => {
                let floors: Vec<i64> = holdings.iter().map(|(h, _)| h.floor).collect();
                floor_weights(&floors, t).map_err(invalid)?
            }
            None => holdings
                .iter()
                .map(|(h, _)| {
                    Areas {
                        register: h.area_register,
                        survey: h.area_survey,
                        contract: h.area_contract,
                    }
                    .chosen()
                    .map_or(0, |(a, _)| a)
                })
                .collect(),
        };
        let fen = split(owners_fen, &weights).map_err(invalid)?;
        let shares: Vec<ShareRow> = holdings
            .iter()
            .zip(weights.iter().zip(&fen))
            .map(|((h, key), (w, f))| ShareRow {
                dwelling_id: h.dwelling_id,
                label: h.label.clone(),
                floor: h.floor,
                owner_key: key.clone(),
                weight: *w,
                share_fen: *f,
                paid_at: None,
            })
            .collect();
        let plan = PlanRow {
            vote_id,
            basis: if by_floor { "floor" } else { "area" }.to_owned(),
            coefficients: if by_floor {
                input.table.trim().to_owned()
            } else {
                String::new()
            },
            owners_fen,
            created_at: now.0,
        };
        if !store::replace(&mut tx, &plan, &funding, &shares, who.user_id).await? {
            return Err(invalid("已有业主缴款,方案不能再改"));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "cost.plan",
                format!("vote:{vote_id}"),
                format!(
                    "basis={} owners_fen={owners_fen} dwellings={} funding_lines={}",
                    plan.basis,
                    shares.len(),
                    funding.len()
                ),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that a dwelling's share is paid.
    pub async fn mark_share_paid(
        &self,
        who: &Principal,
        vote_id: i64,
        dwelling_id: i64,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        votes_store::lock(&mut tx, vote_id).await?;
        let v = votes_store::vote(&mut tx, vote_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let scope: RegionCode = v.community_code.parse().map_err(AppError::from)?;
        require(who, Permission::ManageVotes, &scope)?;
        if v.state != VoteState::Closed.as_str() {
            return Err(invalid("表决结束后才收分摊款"));
        }
        if !store::mark_paid(&mut tx, vote_id, dwelling_id, now).await? {
            return Err(invalid("这户没有待缴的分摊款"));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "cost.paid",
                format!("vote:{vote_id}"),
                format!("dwelling={dwelling_id}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The plan of a vote as the caller may see it (`None` without one).
    pub async fn cost_plan(
        &self,
        who: &Principal,
        vote_id: i64,
    ) -> Result<Option<PlanView>, AppError> {
        let mut conn = self.db.conn().await?;
        let v = votes_store::vote(&mut conn, vote_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.sees_vote(&mut conn, who, &v).await?;
        let scope: RegionCode = v.community_code.parse().map_err(AppError::from)?;
        let manage = linli_domain::access::allowed(&who.grants, Permission::ManageVotes, &scope);
        let me = resident_of_user(&mut conn, who.user_id)
            .await?
            .map(|r| Owner::Resident(r).key());
        plan_of(&mut conn, vote_id, manage, me.as_deref()).await
    }
}

/// A vote's plan as shown to a viewer: every dwelling for staff
/// (`manage`), their own shares for the owner `me`, the totals for all.
pub(super) async fn plan_of(
    conn: &mut linli_store::Conn,
    vote_id: i64,
    manage: bool,
    me: Option<&str>,
) -> Result<Option<PlanView>, AppError> {
    let Some(plan) = store::plan(conn, vote_id).await? else {
        return Ok(None);
    };
    let funding = store::funding(conn, vote_id).await?;
    let shares = store::shares(conn, vote_id).await?;
    let mut floors: BTreeMap<i64, (i64, Vec<i64>)> = BTreeMap::new();
    for s in &shares {
        let e = floors.entry(s.floor).or_insert((s.weight, Vec::new()));
        e.1.push(s.share_fen);
    }
    let paid: Vec<&ShareRow> = shares.iter().filter(|s| s.paid_at.is_some()).collect();
    let extra: i64 = funding.iter().map(|(_, a)| a).sum();
    Ok(Some(PlanView {
        by_floor: plan.basis == "floor",
        table: plan.coefficients.clone(),
        owners_total: yuan_text(plan.owners_fen),
        funding: funding
            .iter()
            .map(|(l, a)| (l.clone(), yuan_text(*a)))
            .collect(),
        project_total: yuan_text(plan.owners_fen + extra),
        floors: floors
            .into_iter()
            .map(|(floor, (weight, fen))| {
                let (lo, hi) = (
                    fen.iter().min().copied().unwrap_or(0),
                    fen.iter().max().copied().unwrap_or(0),
                );
                FloorLine {
                    floor,
                    weight,
                    dwellings: fen.len(),
                    each: if lo == hi {
                        yuan_text(lo)
                    } else {
                        format!("{}–{}", yuan_text(lo), yuan_text(hi))
                    },
                    sum: yuan_text(fen.iter().sum()),
                }
            })
            .collect(),
        shares: if manage && shares.len() <= super::votes::ROLL_SHOWN as usize {
            shares.iter().map(line).collect()
        } else {
            Vec::new()
        },
        paid_count: paid.len(),
        paid: yuan_text(paid.iter().map(|s| s.share_fen).sum()),
        dwellings: shares.len(),
        mine: shares
            .iter()
            .filter(|s| me == Some(s.owner_key.as_str()))
            .map(line)
            .collect(),
        editable: paid.is_empty(),
    }))
}
