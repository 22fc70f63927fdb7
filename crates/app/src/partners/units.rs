//! 单位报到 and what a unit is: registering a unit (its account becomes
//! its staff), reporting in to communities and staff's answer, 共建协议
//! with their commitments, and the resources a unit offers.

use super::{community_code, invalid, manages, my_unit};
use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, Role, has_role_over, scope_prefixes};
use linli_domain::partners::{self as rules, ResourceKind, UnitKind};
use linli_domain::time::beijing_minute;
use linli_store::audit;
use linli_store::partners::units::{self as store, NewAgreement, NewResource, NewUnit};

/// A unit being registered.
#[derive(Debug, Clone, Default)]
pub struct UnitInput {
    pub name: String,
    pub kind: String,
    pub party_org: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub committee_member: String,
}

/// An agreement being signed.
#[derive(Debug, Clone, Default)]
pub struct AgreementInput {
    pub title: String,
    /// one commitment a line
    pub commitments: String,
    pub start_date: String,
    pub end_date: String,
    /// pictures of the signed pages
    pub scans: Vec<crate::cases::photos::PhotoUpload>,
}

/// A resource being offered.
#[derive(Debug, Clone, Default)]
pub struct ResourceInput {
    pub kind: String,
    pub category: String,
    pub title: String,
    pub detail: String,
    pub amount: String,
    pub available: String,
}

/// A unit's standing in a community.
#[derive(Debug, Clone)]
pub struct ReportLine {
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: &'static str,
    pub community_code: String,
    pub community: String,
    /// 待确认 / 已报到 / 未通过
    pub state: &'static str,
    pub pending: bool,
    pub note: String,
    pub at: String,
}

#[derive(Debug, Clone)]
pub struct AgreementLine {
    /// the signed pages: (id, width, height)
    pub scans: Vec<(i64, i64, i64)>,
    pub title: String,
    pub community: String,
    pub commitments: Vec<String>,
    pub term: String,
}

#[derive(Debug, Clone)]
pub struct ResourceLine {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: &'static str,
    pub category: String,
    pub title: String,
    pub detail: String,
    pub amount: String,
    pub available: String,
}

fn report_state(s: &str) -> &'static str {
    match s {
        "pending" => "待社区确认",
        "accepted" => "已报到",
        _ => "未通过",
    }
}

pub(super) fn unit_kind(s: &str) -> &'static str {
    s.parse::<UnitKind>().map_or("其他", UnitKind::label_zh)
}

pub(super) fn report_line(r: store::ReportRow) -> ReportLine {
    ReportLine {
        unit_id: r.unit.id,
        kind: unit_kind(&r.unit.kind),
        unit_name: r.unit.name,
        community_code: r.community_code,
        community: r.community_name,
        pending: r.state == "pending",
        state: report_state(&r.state),
        note: r.note,
        at: beijing_minute(linli_domain::time::UnixMs(r.requested_at)),
    }
}

pub(super) fn resource_line(r: store::ResourceRow) -> ResourceLine {
    ResourceLine {
        id: r.id,
        unit_id: r.unit_id,
        unit_name: r.unit_name,
        kind: r
            .kind
            .parse::<ResourceKind>()
            .map_or("其他", ResourceKind::label_zh),
        category: r.category,
        title: r.title,
        detail: r.detail,
        amount: r.amount,
        available: r.available,
    }
}

impl App {
    /// Registers a unit. A partner account registers its own and becomes
    /// its staff (once); community staff may register a unit that has no
    /// account yet.
    pub async fn register_unit(
        &self,
        who: &Principal,
        u: &UnitInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let partner = who.grants.iter().any(|g| g.role == Role::PartnerUnit);
        if !partner && scope_prefixes(&who.grants, Permission::ManagePartners).is_empty() {
            return Err(AppError::Forbidden);
        }
        let kind: UnitKind = u.kind.parse()?;
        let name = rules::text("单位名称", &u.name, 60)?;
        let party_org = rules::text("单位党组织", &u.party_org, 60)?;
        let contact_name = rules::text("联系人", &u.contact_name, 20)?;
        let contact_phone = linli_domain::registry::Phone::parse(&u.contact_phone)
            .map_err(|_| invalid("联系电话格式不对"))?;
        let committee = rules::optional("兼职委员", &u.committee_member, 20)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        if partner && store::unit_of_user(&mut tx, who.user_id).await?.is_some() {
            return Err(invalid("您的账号已登记过单位"));
        }
        let id = store::insert_unit(
            &mut tx,
            &NewUnit {
                name: &name,
                kind: kind.as_str(),
                party_org: &party_org,
                contact_name: &contact_name,
                contact_phone: contact_phone.expose(),
                committee_member: &committee,
                by: who.user_id,
                now,
            },
        )
        .await?
        .ok_or_else(|| invalid("已有同名单位登记,请联系社区"))?;
        if partner {
            store::add_member(&mut tx, who.user_id, id).await?;
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.register",
                format!("partner_unit:{id}"),
                kind.as_str().to_owned(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// 单位报到: the caller's unit asks to join a community its account
    /// reaches; staff there accept or decline.
    pub async fn unit_report_in(
        &self,
        who: &Principal,
        community: &str,
        note: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let code = community_code(community)?;
        let note = rules::optional("报到说明", note, 200)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let unit = my_unit(&mut tx, who).await?.ok_or(AppError::Forbidden)?;
        if !has_role_over(&who.grants, Role::PartnerUnit, &code.parse()?) {
            return Err(AppError::Forbidden);
        }
        if !store::request_report(&mut tx, unit, &code, &note, now).await? {
            return Err(invalid("已向这个社区报到过"));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.report_in",
                format!("partner_unit:{unit}"),
                code.clone(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Staff accept (or decline) a unit's report.
    pub async fn decide_report(
        &self,
        who: &Principal,
        unit: i64,
        community: &str,
        accept: bool,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let code = community_code(community)?;
        if !manages(who, &code)? {
            return Err(AppError::Forbidden);
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        if !store::decide_report(&mut tx, unit, &code, accept, who.user_id, now).await? {
            return Err(invalid("这个报到已处理过"));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                if accept {
                    "partner.accept"
                } else {
                    "partner.decline"
                },
                format!("partner_unit:{unit}"),
                code,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Staff record a signed 共建协议 with a unit accepted in their community.
    pub async fn sign_agreement(
        &self,
        who: &Principal,
        unit: i64,
        community: &str,
        a: &AgreementInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let code = community_code(community)?;
        if !manages(who, &code)? {
            return Err(AppError::Forbidden);
        }
        let title = rules::text("协议名称", &a.title, 60)?;
        let lines: Vec<&str> = a
            .commitments
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() || lines.len() > 30 || lines.iter().any(|l| l.chars().count() > 100) {
            return Err(invalid(
                "请填写承诺事项,一行一项,最多 30 项,每项不超过 100 字",
            ));
        }
        let start = rules::date("协议开始日期", &a.start_date)?;
        let end = rules::date("协议结束日期", &a.end_date)?;
        if end < start {
            return Err(invalid("结束日期不能早于开始日期"));
        }
        let ready = self.ready_photos_under("partners", &a.scans).await?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        if !store::reported_in(&mut tx, unit, &code).await? {
            return Err(invalid("单位报到并经社区确认后才能签订协议"));
        }
        let commitments = lines.join("\n");
        let id = store::insert_agreement(
            &mut tx,
            &NewAgreement {
                unit_id: unit,
                community_code: &code,
                title: &title,
                commitments: &commitments,
                commitment_count: i64::try_from(lines.len()).unwrap_or(0),
                start_date: &start,
                end_date: &end,
                by: who.user_id,
                now,
            },
        )
        .await?;
        super::photos::record(&mut tx, ("agreement", id), &ready, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.agreement",
                format!("partner_unit:{unit}"),
                format!("agreement={id} {code}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// 资源清单: a unit offers something (its own staff, or community staff
    /// where the unit is accepted).
    pub async fn offer_resource(
        &self,
        who: &Principal,
        unit: i64,
        r: &ResourceInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let kind: ResourceKind = r.kind.parse()?;
        let category = rules::category(&r.category)?;
        let title = rules::text("资源名称", &r.title, 40)?;
        let detail = rules::optional("资源说明", &r.detail, 500)?;
        let amount = rules::optional("数量", &r.amount, 40)?;
        let available = rules::optional("可用时间", &r.available, 60)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let own = my_unit(&mut tx, who).await? == Some(unit);
        if !own && !self.staff_of_unit(&mut tx, who, unit).await? {
            return Err(AppError::Forbidden);
        }
        let id = store::insert_resource(
            &mut tx,
            &NewResource {
                unit_id: unit,
                kind: kind.as_str(),
                category,
                title: &title,
                detail: &detail,
                amount: &amount,
                available: &available,
                now,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.resource",
                format!("partner_unit:{unit}"),
                format!("resource={id}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether the caller manages a community that accepted the unit.
    async fn staff_of_unit(
        &self,
        conn: &mut linli_store::Conn,
        who: &Principal,
        unit: i64,
    ) -> Result<bool, AppError> {
        for r in store::reports_of(conn, unit).await? {
            if r.state == "accepted" && manages(who, &r.community_code)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
