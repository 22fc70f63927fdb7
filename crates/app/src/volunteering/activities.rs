//! Activities (每月15日学习日, 25日爱心日 …): staff plan one, volunteers
//! sign up (a waiting list past capacity), and at the place the organiser's
//! phone shows a code that changes every 30 s — or a printed one valid for
//! the activity's hours; a volunteer scans it to check in and again to
//! check out, and the check-out credits the time within the activity (at
//! most its cap) and its points, once. Walk-ins without an account are
//! added by name, counted as 人次 without a ledger.

use super::ledger::{Credit, credit};
use super::{invalid, manages, me, person, reads};
use crate::accounts::auth::Principal;
use crate::infra::crypto::hmac_sm3;
use crate::infra::secrets;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, scope_prefixes};
use linli_domain::registry::mask_name;
use linli_domain::time::{UnixMs, beijing_minute};
use linli_domain::volunteering::checkin::{Mark, fresh, message, printed_valid, window};
use linli_domain::volunteering::ledger::attended_minutes;
use linli_domain::volunteering::repeat::monthly;
use linli_domain::volunteering::{hours_text, parse_beijing_minute, text};
use linli_store::Conn;
use linli_store::audit;
use linli_store::volunteering::activities::{self as store, ActivityRow, NewActivity};

/// The default cap of credited time per activity (海林: 2 h).
pub const DEFAULT_CAP_MINUTES: i64 = 120;

/// What staff fill in for an activity.
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    pub title: String,
    pub place: String,
    /// `2026-12-25 09:00` or `2026-12-25T09:00`
    pub starts: String,
    pub ends: String,
    pub capacity: i64,
    pub points: i64,
    /// how many monthly occurrences to plan (1: once)
    pub repeat: u16,
}

/// An activity in a list.
#[derive(Debug, Clone)]
pub struct ActivityCard {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub when: String,
    pub capacity: i64,
    pub confirmed: i64,
    pub came: i64,
    pub points: i64,
    pub past: bool,
}

/// One person at an activity, as staff see them.
#[derive(Debug, Clone)]
pub struct PersonLine {
    pub name: String,
    pub state: String,
    pub came: Option<String>,
    pub left: Option<String>,
    pub credited: Option<String>,
    pub walk_in: bool,
}

/// An activity's page.
#[derive(Debug, Clone)]
pub struct ActivityPage {
    pub card: ActivityCard,
    pub cap: String,
    pub manage: bool,
    /// the caller is a volunteer of its community
    pub volunteer: bool,
    /// their line: 已报名 / 候补中 / 已签到 …
    pub mine: Option<String>,
    pub signed_up: bool,
    pub people: Vec<PersonLine>,
}

/// A check-in code to show: the path (with its query) to put in a QR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckCode {
    pub path: String,
    pub mark: Mark,
    pub printed: bool,
}

fn card(a: &ActivityRow, now: UnixMs) -> ActivityCard {
    ActivityCard {
        id: a.id,
        title: a.title.clone(),
        place: a.place.clone(),
        when: format!(
            "{} 至 {}",
            beijing_minute(UnixMs(a.starts_at)),
            beijing_minute(UnixMs(a.ends_at))
                .split_once(' ')
                .map_or(String::new(), |(_, t)| t.to_owned())
        ),
        capacity: a.capacity,
        confirmed: a.confirmed,
        came: a.came,
        points: a.points,
        past: a.ends_at < now.0,
    }
}

fn state_zh(state: &str, in_at: Option<i64>, out_at: Option<i64>) -> &'static str {
    match (state, in_at, out_at) {
        (_, Some(_), Some(_)) => "已签退",
        (_, Some(_), None) => "已签到",
        ("waiting", ..) => "候补中",
        ("cancelled", ..) => "已取消",
        _ => "已报名",
    }
}

/// The MAC of a code, 20 hex digits (public for tests that forge an old one).
pub fn check_token(
    secret: &str,
    activity: i64,
    mark: Mark,
    w: Option<i64>,
) -> Result<String, AppError> {
    let bytes = hex::decode(secret).map_err(|_| AppError::Internal("activity secret".into()))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| AppError::Internal("activity secret".into()))?;
    let mac = hmac_sm3(&key, message(activity, mark, w).as_bytes());
    Ok(hex::encode(&mac[..10]))
}

async fn activity(conn: &mut Conn, id: i64) -> Result<ActivityRow, AppError> {
    store::by_id(conn, id).await?.ok_or(AppError::NotFound)
}

impl App {
    /// Plans an activity in a community the caller manages, once or
    /// monthly (each occurrence its own activity, with its own sign-ups
    /// and codes). Returns the first one's id and how many were planned.
    pub async fn create_activity(
        &self,
        who: &Principal,
        community: &str,
        input: &ActivityInput,
        actor: &Actor,
    ) -> Result<(i64, usize), AppError> {
        if !manages(who, community)? || community.len() != 12 {
            return Err(AppError::Forbidden);
        }
        let title = text("活动名称", &input.title, 40)?;
        let place = text("地点", &input.place, 60)?;
        let starts = parse_beijing_minute(&input.starts)?;
        let ends = parse_beijing_minute(&input.ends)?;
        if ends <= starts || ends.secs_since(starts) > 24 * 3600 {
            return Err(invalid("结束时间应晚于开始时间,且在一天之内"));
        }
        if !(1..=5000).contains(&input.capacity) {
            return Err(invalid("人数上限应在 1 到 5000 之间"));
        }
        if !(0..=100).contains(&input.points) {
            return Err(invalid("积分应在 0 到 100 之间"));
        }
        let occurrences = monthly(starts, input.repeat.max(1))?;
        let length = ends.secs_since(starts);
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let mut first = None;
        for at in &occurrences {
            let secret = secrets::random_hex_256()?;
            let id = store::insert(
                &mut tx,
                &NewActivity {
                    community_code: community,
                    title: &title,
                    place: &place,
                    starts_at: *at,
                    ends_at: at.plus_secs(length),
                    capacity: input.capacity,
                    points: input.points,
                    cap_minutes: DEFAULT_CAP_MINUTES,
                    secret: secret.expose(),
                    organiser_user: who.user_id,
                    now,
                },
            )
            .await?;
            first.get_or_insert(id);
        }
        let id = first.ok_or_else(|| AppError::Internal("no occurrence".into()))?;
        audit::append(
            &mut tx,
            event(
                actor,
                "activity.create",
                format!("activity:{id}"),
                format!("{title} ×{}", occurrences.len()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((id, occurrences.len()))
    }

    /// The activities of the caller's community (or of the communities
    /// they read), upcoming first.
    pub async fn activities(&self, who: &Principal) -> Result<Vec<ActivityCard>, AppError> {
        let mut conn = self.db.conn().await?;
        let mut prefixes = scope_prefixes(&who.grants, Permission::ViewVolunteering);
        if prefixes.is_empty() {
            prefixes.extend(person(&mut conn, who).await?.community);
        }
        let now = crate::now();
        Ok(store::in_communities(&mut conn, &prefixes, now)
            .await?
            .iter()
            .map(|a| card(a, now))
            .collect())
    }

    /// One activity: everyone of its community sees it; staff see who
    /// signed up and came.
    pub async fn activity_page(&self, who: &Principal, id: i64) -> Result<ActivityPage, AppError> {
        let mut conn = self.db.conn().await?;
        let a = activity(&mut conn, id).await?;
        let manage = manages(who, &a.community_code)?;
        let home = person(&mut conn, who).await?.community;
        if !manage && !reads(who, &a.community_code)? && home.as_deref() != Some(&a.community_code)
        {
            return Err(AppError::NotFound);
        }
        let v = me(&mut conn, who)
            .await?
            .filter(|v| v.community_code == a.community_code);
        let line = match &v {
            Some(v) => store::person(&mut conn, id, v.id).await?,
            None => None,
        };
        let people = if manage {
            store::people(&mut conn, id)
                .await?
                .into_iter()
                .map(|p| PersonLine {
                    name: p.name,
                    state: state_zh(&p.state, p.in_at, p.out_at).to_owned(),
                    came: p.in_at.map(|t| beijing_minute(UnixMs(t))),
                    left: p.out_at.map(|t| beijing_minute(UnixMs(t))),
                    credited: p.credited.map(hours_text),
                    walk_in: p.volunteer_id.is_none(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(ActivityPage {
            card: card(&a, crate::now()),
            cap: hours_text(a.cap_minutes),
            manage,
            volunteer: v.is_some(),
            signed_up: line.as_ref().is_some_and(|l| l.state != "cancelled"),
            mine: line.map(|l| state_zh(&l.state, l.in_at, l.out_at).to_owned()),
            people,
        })
    }

    /// Signs the caller up (or onto the waiting list once it is full), or
    /// with `cancel` takes them off (the first waiting moves up).
    pub async fn sign_up(
        &self,
        who: &Principal,
        id: i64,
        cancel: bool,
        actor: &Actor,
    ) -> Result<&'static str, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let a = store::lock(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let v = me(&mut tx, who)
            .await?
            .filter(|v| v.community_code == a.community_code)
            .ok_or_else(|| invalid("请先报名成为本社区的志愿者"))?;
        if a.cancelled || a.ends_at < now.0 {
            return Err(invalid("活动已经结束"));
        }
        let line = store::person(&mut tx, id, v.id).await?;
        let said = if cancel {
            let l = line
                .filter(|l| l.state != "cancelled")
                .ok_or_else(|| invalid("您没有报名这个活动"))?;
            if l.in_at.is_some() {
                return Err(invalid("已经签到,不能取消"));
            }
            store::set_state(&mut tx, l.id, "cancelled").await?;
            if l.state == "confirmed"
                && let Some(next) = store::first_waiting(&mut tx, id).await?
            {
                store::set_state(&mut tx, next, "confirmed").await?;
            }
            "已取消报名"
        } else {
            if line.as_ref().is_some_and(|l| l.state != "cancelled") {
                return Err(invalid("您已经报名了"));
            }
            let full = a.confirmed >= a.capacity;
            let state = if full { "waiting" } else { "confirmed" };
            store::put_person(&mut tx, id, Some(v.id), &v.name, state, now).await?;
            if full {
                "名额已满,已排入候补"
            } else {
                "报名成功"
            }
        };
        audit::append(
            &mut tx,
            event(
                actor,
                if cancel {
                    "activity.leave"
                } else {
                    "activity.sign_up"
                },
                format!("activity:{id}"),
                format!("volunteer:{}", v.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(said)
    }

    /// The code the organiser shows (rotating) or prints, for staff of the
    /// activity's community.
    pub async fn check_code(
        &self,
        who: &Principal,
        id: i64,
        mark: Mark,
        printed: bool,
    ) -> Result<CheckCode, AppError> {
        let mut conn = self.db.conn().await?;
        let a = activity(&mut conn, id).await?;
        if !manages(who, &a.community_code)? {
            return Err(AppError::NotFound);
        }
        let w = (!printed).then(|| window(crate::now()));
        let t = check_token(&a.secret, id, mark, w)?;
        let w_text = w.map_or_else(|| "p".to_owned(), |w| w.to_string());
        Ok(CheckCode {
            path: format!("/activities/{id}/scan?k={}&w={w_text}&t={t}", mark.as_str()),
            mark,
            printed,
        })
    }

    /// A volunteer scanned a code: checks them in (signing them up when
    /// they had not) or out, crediting the time and points at check-out.
    pub async fn scan_code(
        &self,
        who: &Principal,
        id: i64,
        mark: Mark,
        w: &str,
        t: &str,
        actor: &Actor,
    ) -> Result<String, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let a = store::lock(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let window_of = if w == "p" {
            None
        } else {
            Some(w.parse::<i64>().map_err(|_| invalid("二维码无效"))?)
        };
        let good = check_token(&a.secret, id, mark, window_of)?;
        if !bool::from(subtle::ConstantTimeEq::ct_eq(good.as_bytes(), t.as_bytes())) {
            return Err(invalid("二维码无效:请扫描本活动现场的二维码"));
        }
        if let Some(w) = window_of
            && !fresh(w, now)
        {
            return Err(invalid("二维码已过期,请扫描现场屏幕上最新的二维码"));
        }
        let starts = UnixMs(a.starts_at);
        let ends = UnixMs(a.ends_at);
        if a.cancelled || !printed_valid(now, starts, ends) {
            return Err(invalid("现在不是这个活动的签到时间"));
        }
        let v = me(&mut tx, who)
            .await?
            .filter(|v| v.community_code == a.community_code)
            .ok_or_else(|| invalid("请先报名成为本社区的志愿者"))?;
        let line = store::person(&mut tx, id, v.id)
            .await?
            .filter(|l| l.state != "cancelled");
        // a printed code can be photographed and passed on: it checks in
        // only those who signed up (and got a place); at the door the
        // rotating code adds whoever is there
        if window_of.is_none() && line.as_ref().is_none_or(|l| l.state != "confirmed") {
            return Err(invalid("请先报名;没有报名的请扫组织者手机上的二维码"));
        }
        let said = match mark {
            Mark::In => {
                let pid = match &line {
                    Some(l) => l.id,
                    None => {
                        store::put_person(&mut tx, id, Some(v.id), &v.name, "confirmed", now)
                            .await?
                    }
                };
                if !store::mark_in(&mut tx, pid, now).await? {
                    return Err(invalid("您已经签到过了"));
                }
                format!("签到成功:{}", a.title)
            }
            Mark::Out => {
                let l = line
                    .filter(|l| l.in_at.is_some())
                    .ok_or_else(|| invalid("还没有签到,不能签退"))?;
                let minutes =
                    attended_minutes(l.in_at.map(UnixMs), Some(now), starts, ends, a.cap_minutes)
                        .unwrap_or(0);
                if !store::mark_out(&mut tx, l.id, now, minutes).await? {
                    return Err(invalid("您已经签退过了"));
                }
                let points = if minutes > 0 { a.points } else { 0 };
                credit(
                    &mut tx,
                    Credit {
                        community: &a.community_code,
                        volunteer: v.id,
                        minutes,
                        points,
                        reason: &format!("活动:{}", a.title),
                        source_ref: &format!("activity:{id}:volunteer:{}", v.id),
                        operator: who.user_id,
                        at: now,
                    },
                )
                .await?;
                format!(
                    "签退成功:记录服务 {}{}",
                    hours_text(minutes),
                    if points > 0 {
                        format!(",积分 +{points}")
                    } else {
                        String::new()
                    }
                )
            }
        };
        audit::append(
            &mut tx,
            event(
                actor,
                &format!("activity.check_{}", mark.as_str()),
                format!("activity:{id}"),
                format!("volunteer:{}", v.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(said)
    }

    /// The organiser adds someone without an account who came (人次 only).
    pub async fn add_walk_in(
        &self,
        who: &Principal,
        id: i64,
        name: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let name = text("姓名", name, 20)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let a = store::lock(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        if !manages(who, &a.community_code)? {
            return Err(AppError::NotFound);
        }
        let pid = store::put_person(&mut tx, id, None, &name, "confirmed", now).await?;
        store::mark_in(&mut tx, pid, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "activity.walk_in",
                format!("activity:{id}"),
                mask_name(&name),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
