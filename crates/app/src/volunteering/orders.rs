//! 三单制: a resident orders a service, staff dispatch it, the volunteer
//! accepts, does it and reports the time, the resident rates it — and
//! only then are hours and points credited, once. The volunteer sees the
//! resident's name masked and the estate and building only until they
//! accept; then the address and phone (opened for them, never stored in
//! the clear).

use super::ledger::{Credit, credit};
use super::{invalid, manages, me, person, reads};
use crate::accounts::auth::Principal;
use crate::infra::crypto::Field;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, scope_prefixes};
use linli_domain::registry::mask_name;
use linli_domain::time::{UnixMs, beijing_minute};
use linli_domain::volunteering::orders::{
    OrderAction, OrderState, Party, Rating, next, order_minutes, order_points,
};
use linli_domain::volunteering::{SERVICES, hours_text, text};
use linli_store::audit;
use linli_store::notifications::notify;
use linli_store::volunteering::orders::{self as store, Change, NewOrder, OrderRow, Whose};
use linli_store::volunteering::volunteers as vstore;

/// What a resident orders.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    pub service: String,
    pub body: String,
}

/// One move on an order: `assignee` for a dispatch, `minutes` and `note`
/// for finishing, `rating` and `note` for rating, `note` as the reason for
/// declining or giving back.
#[derive(Debug, Clone)]
pub struct OrderStep {
    pub action: OrderAction,
    pub assignee: Option<i64>,
    pub minutes: Option<i64>,
    pub rating: Option<Rating>,
    pub note: String,
}

impl OrderStep {
    /// A move with nothing else to say.
    pub fn plain(action: OrderAction) -> OrderStep {
        OrderStep {
            action,
            assignee: None,
            minutes: None,
            rating: None,
            note: String::new(),
        }
    }
}

/// An order in a list.
#[derive(Debug, Clone)]
pub struct OrderCard {
    pub id: i64,
    pub service: String,
    pub state: OrderState,
    pub area: String,
    pub at: String,
}

/// One step of an order's timeline.
#[derive(Debug, Clone)]
pub struct StepLine {
    pub action: String,
    pub who: String,
    pub note: String,
    pub at: String,
}

/// An order as its page shows it to the caller.
#[derive(Debug, Clone)]
pub struct OrderView {
    pub id: i64,
    pub service: String,
    pub body: String,
    pub state: OrderState,
    /// the requester, masked for a volunteer until they accept
    pub requester: String,
    pub place: String,
    /// the phone, for the volunteer who accepted it
    pub contact: Option<String>,
    pub assignee: Option<String>,
    pub hours: Option<String>,
    pub done_note: Option<String>,
    pub rating: Option<Rating>,
    pub rating_note: Option<String>,
    pub steps: Vec<StepLine>,
    pub can_dispatch: bool,
    pub can_answer: bool,
    pub can_finish: bool,
    pub can_rate: bool,
    pub can_cancel: bool,
    /// staff's choice of volunteers to dispatch to: (id, name · skills)
    pub candidates: Vec<(i64, String)>,
}

fn card(o: &OrderRow) -> OrderCard {
    OrderCard {
        id: o.id,
        service: o.service.clone(),
        state: o.state.parse().unwrap_or(OrderState::Ordered),
        area: o.area.clone(),
        at: beijing_minute(UnixMs(o.created_at)),
    }
}

/// Who the caller is to an order; `None` when they may not see it.
async fn party(
    conn: &mut linli_store::Conn,
    who: &Principal,
    o: &OrderRow,
) -> Result<Option<Party>, AppError> {
    let staff = manages(who, &o.community_code)?;
    let requester = o.requester_user == who.user_id;
    let assignee = match (o.assignee_id, me(conn, who).await?) {
        (Some(a), Some(v)) => a == v.id,
        _ => false,
    };
    if !(staff || requester || assignee || reads(who, &o.community_code)?) {
        return Ok(None);
    }
    Ok(Some(Party {
        requester,
        assignee,
        staff,
    }))
}

impl App {
    /// 点单: a resident bound to their record orders a service for their
    /// home. Returns the order's id.
    pub async fn order_service(
        &self,
        who: &Principal,
        input: &OrderInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let service = text("服务", &input.service, 20)?;
        if !SERVICES.contains(&service.as_str()) {
            return Err(invalid("请选择一项服务"));
        }
        let body = text("需求说明", &input.body, 500)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let p = person(&mut tx, who).await?;
        let r = p
            .resident
            .ok_or_else(|| invalid("请先在“我的信息”完成实名绑定,再点单"))?;
        let community = r.record.community.to_string();
        let area = format!("{}{}", r.estate, r.building);
        let place = format!("{}{}{}{}", r.estate, r.building, r.unit, r.room);
        let id = store::insert(
            &mut tx,
            &NewOrder {
                community_code: &community,
                requester_user: who.user_id,
                requester_name: &r.record.name,
                place: &place,
                area: &area,
                contact_sealed: r.record.phone_sealed.as_deref(),
                service: &service,
                body: &body,
                now,
            },
        )
        .await?;
        store::add_step(
            &mut tx,
            id,
            "order",
            (who.user_id, &mask_name(&r.record.name)),
            "",
            now,
        )
        .await?;
        audit::append(
            &mut tx,
            event(actor, "order.create", format!("order:{id}"), service),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The orders the caller sees: staff and the street their scope's; a
    /// volunteer those given to them and their own; a resident their own.
    pub async fn service_orders(&self, who: &Principal) -> Result<Vec<OrderCard>, AppError> {
        let mut conn = self.db.conn().await?;
        let prefixes = scope_prefixes(&who.grants, Permission::ViewVolunteering);
        let mut rows = if prefixes.is_empty() {
            store::list(&mut conn, Whose::Requester(who.user_id)).await?
        } else {
            store::list(&mut conn, Whose::Communities(&prefixes)).await?
        };
        if prefixes.is_empty()
            && let Some(v) = me(&mut conn, who).await?
        {
            rows.extend(store::list(&mut conn, Whose::Assignee(v.id)).await?);
            rows.sort_by_key(|o| std::cmp::Reverse(o.id));
            rows.dedup_by_key(|o| o.id);
        }
        Ok(rows.iter().map(card).collect())
    }

    /// One order as the caller may see it.
    pub async fn service_order(&self, who: &Principal, id: i64) -> Result<OrderView, AppError> {
        let mut conn = self.db.conn().await?;
        let o = store::by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let p = party(&mut conn, who, &o).await?.ok_or(AppError::NotFound)?;
        let state: OrderState = o.state.parse().map_err(invalid)?;
        // the volunteer sees who and where once they have accepted it
        let accepted = matches!(
            state,
            OrderState::Accepted | OrderState::Done | OrderState::Rated
        );
        let shown = p.requester || p.staff || (p.assignee && accepted);
        let contact = match (&o.contact_sealed, p.assignee, state) {
            (Some(sealed), true, OrderState::Accepted) => Some(
                self.crypto()?
                    .open(Field::Phone, sealed)?
                    .expose()
                    .to_owned(),
            ),
            _ => None,
        };
        let candidates = if p.staff && matches!(state, OrderState::Ordered | OrderState::Dispatched)
        {
            vstore::in_communities(&mut conn, std::slice::from_ref(&o.community_code), 500)
                .await?
                .into_iter()
                .filter(|v| v.user_id.is_some() && v.user_id != Some(o.requester_user))
                .map(|v| (v.id, format!("{} · {}", v.name, v.skills)))
                .collect()
        } else {
            Vec::new()
        };
        let steps = store::steps(&mut conn, id)
            .await?
            .into_iter()
            .map(|(action, who, note, at)| StepLine {
                action: action
                    .parse::<OrderAction>()
                    .map_or("点单", OrderAction::label_zh)
                    .to_owned(),
                who,
                note,
                at: beijing_minute(UnixMs(at)),
            })
            .collect();
        let can = |a: OrderAction| next(state, a, p).is_ok();
        Ok(OrderView {
            id,
            service: o.service.clone(),
            body: o.body.clone(),
            state,
            requester: if shown {
                o.requester_name.clone()
            } else {
                mask_name(&o.requester_name)
            },
            place: if shown {
                o.place.clone()
            } else {
                o.area.clone()
            },
            contact,
            assignee: if p.requester || p.staff || p.assignee {
                o.assignee_name.clone()
            } else {
                o.assignee_name.as_deref().map(mask_name)
            },
            hours: o.minutes.map(hours_text),
            done_note: o.done_note.clone(),
            rating: o.rating.as_deref().and_then(|r| r.parse().ok()),
            rating_note: o.rating_note.clone(),
            steps,
            can_dispatch: can(OrderAction::Dispatch),
            can_answer: can(OrderAction::Accept),
            can_finish: can(OrderAction::Finish),
            can_rate: can(OrderAction::Rate),
            can_cancel: can(OrderAction::Cancel),
            candidates,
        })
    }

    /// Moves an order on. Rating credits the volunteer's hours and points
    /// once.
    pub async fn act_on_order(
        &self,
        who: &Principal,
        id: i64,
        step: &OrderStep,
        actor: &Actor,
    ) -> Result<OrderState, AppError> {
        let OrderStep {
            action,
            assignee,
            minutes,
            rating,
            ref note,
        } = *step;
        let note = note.trim();
        if note.chars().count() > 500 {
            return Err(invalid("说明不超过 500 字"));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let o = store::lock(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let p = party(&mut tx, who, &o).await?.ok_or(AppError::NotFound)?;
        let state: OrderState = o.state.parse().map_err(invalid)?;
        let to = next(state, action, p)?;
        let mut change = Change::default();
        let mut tell: Vec<(i64, String)> = Vec::new();
        match action {
            OrderAction::Dispatch => {
                let v = vstore::by_id(&mut tx, assignee.ok_or_else(|| invalid("请选择接单人"))?)
                    .await?
                    .filter(|v| v.community_code == o.community_code)
                    .ok_or_else(|| invalid("请选择本社区的志愿者"))?;
                if v.user_id == Some(o.requester_user) {
                    return Err(invalid("不能把居民自己点的单派给本人"));
                }
                change.assignee_id = Some(Some(v.id));
                if let Some(u) = v.user_id {
                    tell.push((u, format!("新的服务单:{}", o.service)));
                }
            }
            OrderAction::Decline | OrderAction::Unable => {
                if note.is_empty() {
                    return Err(invalid("请说明原因,社区好另派他人"));
                }
                change.assignee_id = Some(None);
            }
            OrderAction::Finish => {
                let m = order_minutes(minutes.ok_or_else(|| invalid("请填写服务时长"))?)?;
                change.minutes = Some(m);
                change.done_note = Some(note);
                tell.push((o.requester_user, format!("{}已办结,请评价", o.service)));
            }
            OrderAction::Rate => {
                let r = rating.ok_or_else(|| invalid("请选择满意程度"))?;
                change.rating = Some(r.as_str());
                change.rating_note = Some(note);
            }
            // a withdrawn order is no longer anyone's
            OrderAction::Cancel => change.assignee_id = Some(None),
            OrderAction::Accept => {}
        }
        store::set_state(&mut tx, id, to.as_str(), &change, now).await?;
        let me_name = if p.staff {
            who.display_name.clone()
        } else {
            mask_name(&person(&mut tx, who).await?.name)
        };
        store::add_step(
            &mut tx,
            id,
            action.as_str(),
            (who.user_id, &me_name),
            note,
            now,
        )
        .await?;
        if let (OrderAction::Rate, Some(r), Some(v)) = (action, rating, o.assignee_id) {
            let m = o.minutes.unwrap_or(0);
            credit(
                &mut tx,
                Credit {
                    community: &o.community_code,
                    volunteer: v,
                    minutes: m,
                    points: order_points(m, r),
                    reason: &format!("服务单:{}({})", o.service, r.label_zh()),
                    source_ref: &format!("order:{id}"),
                    operator: who.user_id,
                    at: now,
                },
            )
            .await?;
        }
        let link = format!("/services/{id}");
        for (user, title) in &tell {
            notify(&mut tx, *user, "order", title, &o.service, Some(&link), now).await?;
        }
        audit::append(
            &mut tx,
            event(
                actor,
                &format!("order.{}", action.as_str()),
                format!("order:{id}"),
                to.as_str().to_owned(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        if !tell.is_empty() {
            self.ring();
        }
        Ok(to)
    }
}
