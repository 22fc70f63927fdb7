//! 实名绑定 — a resident links their own account to their registry record:
//! name, ID number and phone must all match what the community keeps, then
//! staff who may edit the record confirm it. The answer to a mismatch never
//! says which field differed (it would let anyone test numbers against the
//! registry), tries are limited per account and day, every try is audited
//! (without the numbers), and nothing typed leaves the request.

use crate::accounts::auth::Principal;
use crate::infra::crypto::Field;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, Role, scope_prefixes};
use linli_domain::audit::Outcome;
use linli_domain::registry::{DocKind, SearchText};
use linli_domain::time::UnixMs;
use linli_store::registry::binding::{self as store, BindRequest};
use linli_store::registry::pipl;
use linli_store::{accounts::users, audit, notifications};

/// Tries an account may make in a day (right or wrong).
pub const BIND_TRIES_PER_DAY: i64 = 5;

const MISMATCH: &str = "填写的信息与社区登记的不一致。请核对后再试,或带身份证到社区办理。";

/// Where an account stands with its binding.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    /// bound to a registry record
    Bound,
    /// asked, waiting for staff
    Pending,
    /// asked and refused, with the reason
    Refused(String),
    /// never asked
    None,
}

/// A pending request as staff see it.
#[derive(Debug, Clone)]
pub struct BindRequestView {
    pub request: BindRequest,
    pub account: String,
    pub resident_name: String,
    pub address: String,
}

impl App {
    /// The caller's binding state.
    pub async fn binding(&self, who: &Principal) -> Result<Binding, AppError> {
        let mut conn = self.db.conn().await?;
        if pipl::resident_of_user(&mut conn, who.user_id)
            .await?
            .is_some()
        {
            return Ok(Binding::Bound);
        }
        Ok(match store::latest_of(&mut conn, who.user_id).await? {
            Some(r) if r.state == "pending" => Binding::Pending,
            Some(r) if r.state == "rejected" => Binding::Refused(r.note),
            _ => Binding::None,
        })
    }

    /// Asks to bind the caller's account to the record with this name,
    /// ID number and phone in their community.
    pub async fn request_binding(
        &self,
        who: &Principal,
        name: &str,
        id_number: &str,
        phone: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        const ACTION: &str = "resident.bind_request";
        let community = who
            .grants
            .iter()
            .find(|g| g.role == Role::Resident)
            .and_then(|g| g.scope.community())
            .ok_or(AppError::Forbidden)?;
        let today = crate::today();
        let norm = linli_domain::territory::places::normalise_cell;
        let id = match SearchText::classify(&norm(id_number), today) {
            SearchText::IdCard(id) => id,
            _ => return Err(AppError::Invalid("请填写 18 位居民身份证号码".into())),
        };
        let phone = match SearchText::classify(&norm(phone), today) {
            SearchText::Phone(p) => p,
            _ => return Err(AppError::Invalid("请填写 11 位手机号码".into())),
        };
        let crypto = self.crypto()?;
        let doc_index = crypto.index_all(Field::IdNumber, &DocKind::IdCard.index_text(&id));
        let phone_index = crypto.index_all(Field::Phone, &phone);
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        // one try at a time per account, counted from the audit log
        users::lock(&mut tx, who.user_id).await?;
        let day_ago = UnixMs(now.0 - 86_400_000);
        if audit::count_since(&mut tx, Some(who.user_id), ACTION, None, day_ago).await?
            >= BIND_TRIES_PER_DAY
        {
            return Err(AppError::TooMany(format!(
                "今天已核对 {BIND_TRIES_PER_DAY} 次,请明天再试或到社区办理"
            )));
        }
        if pipl::resident_of_user(&mut tx, who.user_id)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict("您的账号已绑定".into()));
        }
        if store::latest_of(&mut tx, who.user_id)
            .await?
            .is_some_and(|r| r.state == "pending")
        {
            return Err(AppError::Conflict("您的申请正在等社区确认".into()));
        }
        let found = store::by_document(&mut tx, community.as_str(), &doc_index)
            .await?
            .filter(|f| f.name == norm(name))
            .filter(|f| {
                f.phone_index
                    .as_ref()
                    .is_some_and(|p| phone_index.contains(p))
            })
            .filter(|f| f.bound_user.is_none());
        let mut e = event(
            actor,
            ACTION,
            format!("user:{}", who.user_id),
            String::new(),
        );
        let outcome = match &found {
            Some(f) => {
                let request = store::insert(&mut tx, who.user_id, f.id, now).await?;
                e.detail = format!("request={request}");
                Ok(())
            }
            None => {
                e.outcome = Outcome::Denied;
                e.detail = "mismatch".to_owned();
                Err(AppError::Invalid(MISMATCH.into()))
            }
        };
        // a wrong try is recorded too: it counts against the day's tries
        audit::append(&mut tx, e, now).await?;
        tx.commit().await?;
        outcome
    }

    /// Pending requests for records the caller may edit, oldest first.
    pub async fn bind_requests(&self, who: &Principal) -> Result<Vec<BindRequestView>, AppError> {
        let prefixes = scope_prefixes(&who.grants, Permission::EditResidents);
        let mut conn = self.db.conn().await?;
        let mut out = Vec::new();
        for r in store::pending_in(&mut conn, &prefixes).await? {
            let Ok(res) = self
                .visible(&mut conn, who, r.resident_id, Permission::EditResidents)
                .await
            else {
                continue;
            };
            let account = users::find(&mut conn, r.user_id)
                .await?
                .map_or_else(String::new, |u| u.display_name);
            out.push(BindRequestView {
                account,
                resident_name: res.record.name.clone(),
                address: format!("{} {} {} {}", res.estate, res.building, res.unit, res.room),
                request: r,
            });
        }
        Ok(out)
    }

    /// Confirms (binds) or refuses a request; the resident hears of it.
    pub async fn decide_binding(
        &self,
        who: &Principal,
        id: i64,
        approve: bool,
        note: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let r = store::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        self.visible(&mut tx, who, r.resident_id, Permission::EditResidents)
            .await?;
        let note = note.trim().chars().take(200).collect::<String>();
        if !approve && note.is_empty() {
            return Err(AppError::Invalid("请写明不予绑定的原因,居民会看到".into()));
        }
        // two approvals for one record take turns; neither the record nor
        // the account may be bound elsewhere by now
        store::lock_resident(&mut tx, r.resident_id).await?;
        users::lock(&mut tx, r.user_id).await?;
        let record_taken = store::bound_user(&mut tx, r.resident_id)
            .await?
            .is_some_and(|u| u != r.user_id);
        let account_taken = pipl::resident_of_user(&mut tx, r.user_id)
            .await?
            .is_some_and(|id| id != r.resident_id);
        if approve && (record_taken || account_taken) {
            return Err(AppError::Conflict(
                "这位居民或这个账号已绑定了别的账号或居民;请先核实,如需更换请在居民页面办理".into(),
            ));
        }
        if !store::decide(&mut tx, id, approve, &note, &who.display_name, now).await? {
            return Err(AppError::Conflict("这条申请已处理".into()));
        }
        if approve {
            pipl::link_account(&mut tx, r.user_id, r.resident_id, now).await?;
        }
        let (title, body) = if approve {
            (
                "实名绑定已确认",
                "现在可以在“我的信息”查看您家的登记信息。".to_owned(),
            )
        } else {
            ("实名绑定未通过", note.clone())
        };
        notifications::notify(
            &mut tx,
            r.user_id,
            "binding",
            title,
            &body,
            Some("/me"),
            now,
        )
        .await?;
        let action = if approve {
            "resident.bind_approve"
        } else {
            "resident.bind_reject"
        };
        audit::append(
            &mut tx,
            event(
                actor,
                action,
                format!("resident:{}", r.resident_id),
                format!("user={} request={id}", r.user_id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        self.ring();
        Ok(())
    }
}

/// The age from which residents are offered 长辈版 (老年人权益保障法: 60).
pub const ELDER_AGE: i32 = 60;

impl App {
    /// Whether to offer 长辈版 now: a resident whose bound record says they
    /// are 60 or older, not in 长辈版, and not asked before.
    pub async fn elder_offer(&self, who: &Principal) -> Result<bool, AppError> {
        if who.elder || !who.grants.iter().any(|g| g.role == Role::Resident) {
            return Ok(false);
        }
        let mut conn = self.db.conn().await?;
        if users::elder_offered(&mut conn, who.user_id).await? {
            return Ok(false);
        }
        let Some(id) = pipl::resident_of_user(&mut conn, who.user_id).await? else {
            return Ok(false);
        };
        let Some(r) = linli_store::registry::resident_by_id(&mut conn, id).await? else {
            return Ok(false);
        };
        let born = linli_domain::registry::parse_date(&r.record.birth_date);
        Ok(born.is_some_and(|b| linli_domain::registry::age_on(b, crate::today()) >= ELDER_AGE))
    }

    /// The resident said no to 长辈版: not asked again (我的 keeps the switch).
    pub async fn decline_elder(&self, who: &Principal) -> Result<(), AppError> {
        users::set_elder_offered(&mut *self.db.conn().await?, who.user_id).await?;
        Ok(())
    }
}
