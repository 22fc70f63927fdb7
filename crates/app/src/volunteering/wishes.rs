//! 微心愿: a resident in need posts a small wish (or staff for them);
//! staff publish it — the need shown, the person masked — or decline it
//! with a reason; a volunteer or a partner unit of the community claims
//! it (one claim wins), fulfils it and says how; staff confirm, which
//! credits a volunteer's points once. Who it is for and where they live
//! are shown only to staff, the author and the one who claimed it.

use super::ledger::{Credit, credit};
use super::{invalid, manages, me, person, reads};
use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, Role, has_role_over, scope_prefixes};
use linli_domain::registry::mask_name;
use linli_domain::time::{UnixMs, beijing_minute};
use linli_domain::volunteering::text;
use linli_store::audit;
use linli_store::volunteering::wishes::{self as store, NewWish, WishRow};

/// The points a fulfilled wish earns a volunteer.
pub const WISH_POINTS: i64 = 10;

/// What anyone of the community sees: the wishes waiting for someone
/// (the need, not the person); who helped whom stays between them and
/// staff.
const PUBLIC: [&str; 1] = ["published"];

/// How many wishes one helper may hold claimed at once (a claim shows a
/// name and an address).
pub const OPEN_CLAIMS: i64 = 3;

/// What a wish says.
#[derive(Debug, Clone, Default)]
pub struct WishInput {
    pub title: String,
    pub body: String,
    /// staff posting for someone: their name and where they live
    pub for_name: String,
    pub place: String,
}

/// A wish as the caller may see it.
#[derive(Debug, Clone)]
pub struct WishView {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// 待审核 / 待认领 / 已认领 / 已送达 / 已完成 / 未通过
    pub state: String,
    pub state_key: String,
    /// masked unless the caller is staff, the author or the claimer
    pub for_name: String,
    pub place: Option<String>,
    pub claimer: Option<String>,
    pub answer: Option<String>,
    pub delivered: Option<String>,
    pub at: String,
    pub can_review: bool,
    pub can_claim: bool,
    pub can_deliver: bool,
    pub can_confirm: bool,
}

fn state_zh(s: &str) -> &'static str {
    match s {
        "submitted" => "待审核",
        "published" => "待认领",
        "claimed" => "已认领",
        "delivered" => "已送达",
        "confirmed" => "已完成",
        _ => "未通过",
    }
}

/// Where the caller belongs, read once per request: the community they
/// volunteer in, and the one they live in.
struct Caller {
    volunteer_in: Option<String>,
    home: Option<String>,
}

async fn caller(conn: &mut linli_store::Conn, who: &Principal) -> Result<Caller, AppError> {
    Ok(Caller {
        volunteer_in: me(conn, who).await?.map(|v| v.community_code),
        home: person(conn, who).await?.community,
    })
}

/// Who the caller is to a wish: (staff, close — author or claimer, may
/// claim). `None` when they may not see it.
fn relation(
    who: &Principal,
    c: &Caller,
    w: &WishRow,
) -> Result<Option<(bool, bool, bool)>, AppError> {
    let staff = manages(who, &w.community_code)?;
    let close = w.author_user == who.user_id || w.claimer_user == Some(who.user_id);
    let scope: RegionCode = w.community_code.parse()?;
    let partner = has_role_over(&who.grants, Role::PartnerUnit, &scope);
    let volunteer = c.volunteer_in.as_deref() == Some(&w.community_code);
    let neighbour = c.home.as_deref() == Some(&w.community_code);
    let public = PUBLIC.contains(&w.state.as_str());
    if !(staff || close || reads(who, &w.community_code)? || (public && (neighbour || partner))) {
        return Ok(None);
    }
    Ok(Some((staff, close, volunteer || partner)))
}

fn view(w: &WishRow, (staff, close, may_claim): (bool, bool, bool), me: i64) -> WishView {
    let full = staff || close;
    WishView {
        id: w.id,
        title: w.title.clone(),
        body: w.body.clone(),
        state: state_zh(&w.state).to_owned(),
        state_key: w.state.clone(),
        for_name: if full {
            w.for_name.clone()
        } else {
            mask_name(&w.for_name)
        },
        place: full.then(|| w.place.clone()),
        claimer: if full {
            w.claimer_name.clone()
        } else {
            w.claimer_name.as_deref().map(mask_name)
        },
        answer: w.answer.clone(),
        delivered: if full { w.delivered_note.clone() } else { None },
        at: beijing_minute(UnixMs(w.created_at)),
        can_review: staff && w.state == "submitted",
        can_claim: may_claim && w.state == "published" && w.author_user != me,
        can_deliver: w.state == "claimed" && w.claimer_user == Some(me),
        // nobody confirms their own help
        can_confirm: staff && w.state == "delivered" && w.claimer_user != Some(me),
    }
}

impl App {
    /// Posts a wish: a bound resident for themselves, staff for someone of
    /// their community. Returns its id.
    pub async fn post_wish(
        &self,
        who: &Principal,
        input: &WishInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let title = text("心愿", &input.title, 40)?;
        let body = text("说明", &input.body, 300)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let (community, for_name, place) =
            match self.volunteering_communities(who).into_iter().next() {
                Some(c) => (
                    c,
                    text("心愿人姓名", &input.for_name, 20)?,
                    text("住址", &input.place, 60)?,
                ),
                None => {
                    let r = person(&mut tx, who)
                        .await?
                        .resident
                        .ok_or_else(|| invalid("请先在“我的信息”完成实名绑定"))?;
                    (
                        r.record.community.to_string(),
                        r.record.name.clone(),
                        format!("{}{}{}{}", r.estate, r.building, r.unit, r.room),
                    )
                }
            };
        let id = store::insert(
            &mut tx,
            &NewWish {
                community_code: &community,
                author_user: who.user_id,
                for_name: &for_name,
                place: &place,
                title: &title,
                body: &body,
                now,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(actor, "wish.create", format!("wish:{id}"), title),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The wishes the caller sees: staff and the street all of theirs;
    /// others the community's open and fulfilled ones and their own.
    pub async fn wishes(&self, who: &Principal) -> Result<Vec<WishView>, AppError> {
        let mut conn = self.db.conn().await?;
        let read = scope_prefixes(&who.grants, Permission::ViewVolunteering);
        let all = [
            "submitted",
            "published",
            "claimed",
            "delivered",
            "confirmed",
            "declined",
        ];
        let me_here = caller(&mut conn, who).await?;
        let rows = if read.is_empty() {
            let mut communities: Vec<String> = me_here.home.iter().cloned().collect();
            communities.extend(
                who.grants
                    .iter()
                    .filter(|g| g.role == Role::PartnerUnit)
                    .map(|g| g.scope.significant_prefix().to_owned()),
            );
            store::list(&mut conn, &communities, &PUBLIC, who.user_id).await?
        } else {
            store::list(&mut conn, &read, &all, who.user_id).await?
        };
        let mut out = Vec::with_capacity(rows.len());
        for w in &rows {
            if let Some(rel) = relation(who, &me_here, w)? {
                out.push(view(w, rel, who.user_id));
            }
        }
        Ok(out)
    }

    pub async fn wish(&self, who: &Principal, id: i64) -> Result<WishView, AppError> {
        let mut conn = self.db.conn().await?;
        let w = store::by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let c = caller(&mut conn, who).await?;
        let rel = relation(who, &c, &w)?.ok_or(AppError::NotFound)?;
        Ok(view(&w, rel, who.user_id))
    }

    /// Moves a wish on: `review` (staff publish, or decline with `text`),
    /// `claim` (a volunteer or partner unit), `deliver` (the claimer, with
    /// `text`), `confirm` (staff; a volunteer's points once).
    pub async fn move_wish(
        &self,
        who: &Principal,
        id: i64,
        action: &str,
        text_in: &str,
        actor: &Actor,
    ) -> Result<&'static str, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let w = store::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let c = caller(&mut tx, who).await?;
        let rel = relation(who, &c, &w)?.ok_or(AppError::NotFound)?;
        let v = view(&w, rel, who.user_id);
        let note = text_in.trim();
        let (from, to, said, claimer, words) = match action {
            "publish" if v.can_review => ("submitted", "published", "已发布", None, None),
            "decline" if v.can_review => {
                let reason = text("原因", note, 200)?;
                ("submitted", "declined", "已退回", None, Some(reason))
            }
            "claim" if v.can_claim => {
                if store::open_claims(&mut tx, who.user_id).await? >= OPEN_CLAIMS {
                    return Err(invalid(format!(
                        "您已认领 {OPEN_CLAIMS} 个心愿还未送达,先完成它们吧"
                    )));
                }
                let name = match me(&mut tx, who).await? {
                    Some(v) => v.name,
                    None => who.display_name.clone(),
                };
                (
                    "published",
                    "claimed",
                    "已认领,请尽快帮TA实现",
                    Some(name),
                    None,
                )
            }
            "deliver" if v.can_deliver => {
                let how = text("送达说明", note, 200)?;
                ("claimed", "delivered", "已送达,等社区确认", None, Some(how))
            }
            "confirm" if v.can_confirm => ("delivered", "confirmed", "已确认完成", None, None),
            _ => return Err(invalid("现在不能这样操作")),
        };
        let moved = store::advance(
            &mut tx,
            id,
            from,
            to,
            claimer.as_deref().map(|n| (who.user_id, n)),
            words.as_deref(),
            now,
        )
        .await?;
        if !moved {
            return Err(invalid("已经有人处理了,请刷新"));
        }
        if to == "confirmed"
            && let Some(u) = w.claimer_user
            && let Some(vol) = linli_store::volunteering::volunteers::by_user(&mut tx, u).await?
            && vol.community_code == w.community_code
        {
            credit(
                &mut tx,
                Credit {
                    community: &w.community_code,
                    volunteer: vol.id,
                    minutes: 0,
                    points: WISH_POINTS,
                    reason: &format!("微心愿:{}", w.title),
                    source_ref: &format!("wish:{id}"),
                    operator: who.user_id,
                    at: now,
                },
            )
            .await?;
        }
        audit::append(
            &mut tx,
            event(
                actor,
                &format!("wish.{action}"),
                format!("wish:{id}"),
                to.to_owned(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(said)
    }
}
