//! 积分兑换: the community keeps a shelf of goods with stock; a volunteer
//! asks for one — the points leave their account at once (never below
//! zero) and one is set aside; staff hand it over, or cancel it, which
//! returns the points by a reversing transfer and puts it back. Hours
//! never move here.

use super::ledger::{Movement, post};
use super::{invalid, manages, me, person};
use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::time::{UnixMs, beijing_minute};
use linli_domain::volunteering::ledger::{Holder, Kind, Unit};
use linli_domain::volunteering::text;
use linli_store::audit;
use linli_store::volunteering::ledger as ledger_store;
use linli_store::volunteering::rewards::{self as store, RedemptionRow};

/// A thing on the shelf.
#[derive(Debug, Clone)]
pub struct ShelfItem {
    pub id: i64,
    pub name: String,
    pub points: i64,
    pub stock: i64,
    /// the caller has the points for it
    pub affordable: bool,
}

/// A redemption in a list.
#[derive(Debug, Clone)]
pub struct RedemptionLine {
    pub id: i64,
    pub item: String,
    pub who: String,
    pub points: i64,
    /// 待领取 / 已领取 / 已取消
    pub state: String,
    pub pending: bool,
    pub at: String,
}

/// The shelf as the caller sees it.
#[derive(Debug, Clone)]
pub struct Shelf {
    pub community: String,
    pub items: Vec<ShelfItem>,
    /// the caller's points (volunteers)
    pub points: Option<i64>,
    pub manage: bool,
    /// staff: everyone's; a volunteer: their own
    pub redemptions: Vec<RedemptionLine>,
}

fn line(r: &RedemptionRow) -> RedemptionLine {
    RedemptionLine {
        id: r.id,
        item: r.item.clone(),
        who: r.volunteer.clone(),
        points: r.points,
        state: match r.state.as_str() {
            "requested" => "待领取",
            "handed" => "已领取",
            _ => "已取消",
        }
        .to_owned(),
        pending: r.state == "requested",
        at: beijing_minute(UnixMs(r.requested_at)),
    }
}

impl App {
    /// The shelf of the caller's community (staff: the first they manage).
    pub async fn shelf(&self, who: &Principal) -> Result<Shelf, AppError> {
        let mut conn = self.db.conn().await?;
        let community = match self.volunteering_communities(who).into_iter().next() {
            Some(c) => c,
            None => person(&mut conn, who)
                .await?
                .community
                .ok_or_else(|| invalid("请先在“我的信息”完成实名绑定"))?,
        };
        let manage = manages(who, &community)?;
        let v = me(&mut conn, who)
            .await?
            .filter(|v| v.community_code == community);
        let points = match &v {
            Some(v) => Some(
                ledger_store::balance(
                    &mut conn,
                    &Holder::Volunteer(v.id).key(),
                    Unit::Points.as_str(),
                )
                .await?,
            ),
            None => None,
        };
        let items = store::items(&mut conn, &community)
            .await?
            .into_iter()
            .map(|(id, name, p, stock)| ShelfItem {
                id,
                name,
                points: p,
                stock,
                affordable: points.is_some_and(|have| have >= p) && stock > 0,
            })
            .collect();
        let redemptions = if manage {
            store::redemptions(&mut conn, &community, None).await?
        } else if let Some(v) = &v {
            store::redemptions(&mut conn, &community, Some(v.id)).await?
        } else {
            Vec::new()
        };
        Ok(Shelf {
            community,
            items,
            points,
            manage,
            redemptions: redemptions.iter().map(line).collect(),
        })
    }

    /// Staff put goods on the shelf (or more of them).
    pub async fn stock_shelf(
        &self,
        who: &Principal,
        community: &str,
        name: &str,
        points: i64,
        more: i64,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        if !manages(who, community)? || community.len() != 12 {
            return Err(AppError::Forbidden);
        }
        let name = text("物品名称", name, 30)?;
        if !(1..=100_000).contains(&points) || !(0..=10_000).contains(&more) {
            return Err(invalid("积分应在 1 到 100000 之间,数量在 0 到 10000 之间"));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let id = store::stock_up(&mut tx, community, &name, points, more).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "shelf.stock",
                format!("reward:{id}"),
                format!("{name} +{more}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A volunteer redeems one item: points go down now, stock by one.
    pub async fn redeem(&self, who: &Principal, item: i64, actor: &Actor) -> Result<i64, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let ((id, name, points, _), community) = store::item(&mut tx, item)
            .await?
            .ok_or(AppError::NotFound)?;
        let v = me(&mut tx, who)
            .await?
            .filter(|v| v.community_code == community)
            .ok_or(AppError::NotFound)?;
        if !store::take_one(&mut tx, id).await? {
            return Err(invalid("这件已经兑完了"));
        }
        // each request is its own transfer: a fresh key
        let request = crate::form_nonce()?;
        let transfer = post(
            &mut tx,
            Movement {
                unit: Unit::Points,
                kind: Kind::Redeem,
                from: Holder::Volunteer(v.id),
                to: Holder::Shelf(community.clone()),
                amount: points,
                idem_key: format!("redeem:{request}"),
                reason: &format!("兑换:{name}"),
                source_ref: &format!("reward:{id}"),
                operator: who.user_id,
                reverses: None,
                at: now,
            },
        )
        .await?
        .ok_or_else(|| AppError::Internal("a fresh key was written before".into()))?;
        let rid = store::insert_redemption(&mut tx, id, v.id, points, transfer, now).await?;
        audit::append(
            &mut tx,
            event(actor, "shelf.redeem", format!("redemption:{rid}"), name),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(rid)
    }

    /// Staff hand a redeemed item over, or cancel the redemption (points
    /// back by a reversing transfer, the item back on the shelf).
    pub async fn settle_redemption(
        &self,
        who: &Principal,
        id: i64,
        handed: bool,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let r = store::redemption(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !manages(who, &r.community_code)? {
            return Err(AppError::NotFound);
        }
        let state = if handed { "handed" } else { "cancelled" };
        if !store::settle(&mut tx, id, state, who.user_id, now).await? {
            return Err(invalid("这笔兑换已经处理过了"));
        }
        if !handed {
            store::put_back(&mut tx, r.item_id).await?;
            post(
                &mut tx,
                Movement {
                    unit: Unit::Points,
                    kind: Kind::Reversal,
                    from: Holder::Shelf(r.community_code.clone()),
                    to: Holder::Volunteer(r.volunteer_id),
                    amount: r.points,
                    idem_key: format!("reverse:{}", r.transfer_id),
                    reason: &format!("取消兑换:{}", r.item),
                    source_ref: &format!("reward:{}", r.item_id),
                    operator: who.user_id,
                    reverses: Some(r.transfer_id),
                    at: now,
                },
            )
            .await?;
        }
        audit::append(
            &mut tx,
            event(
                actor,
                &format!("shelf.{state}"),
                format!("redemption:{id}"),
                r.item,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
