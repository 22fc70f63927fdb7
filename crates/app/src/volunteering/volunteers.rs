//! Joining as a volunteer, 双报到 for an in-service party member, 认一岗,
//! and the community's 进一网 / 联一户 placement.

use super::ledger::{Balances, StatementLine, balances, statement};
use super::{invalid, manages, me, person};
use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, scope_prefixes};
use linli_domain::registry::mask_name;
use linli_domain::volunteering::ledger::{Holder, Unit};
use linli_domain::volunteering::{DEFAULT_TARGET_MINUTES, POSTS, hours_text, text, year_start};
use linli_store::audit;
use linli_store::volunteering::ledger as ledger_store;
use linli_store::volunteering::volunteers::{self as store, NewVolunteer, VolunteerRow};

/// What a person gives when they join.
#[derive(Debug, Clone, Default)]
pub struct JoinInput {
    /// what they can do (理发、家电维修…)
    pub skills: String,
    /// 双报到: an in-service party member names their employer's party
    /// organisation
    pub employer_org: Option<String>,
}

/// A volunteer in a list or on their own page.
#[derive(Debug, Clone)]
pub struct VolunteerLine {
    pub id: i64,
    pub name: String,
    pub skills: String,
    pub team: Option<String>,
    pub party_member: bool,
    pub employer_org: Option<String>,
    pub grid: Option<String>,
    pub post: Option<String>,
    pub paired: Option<String>,
    pub hours: String,
}

/// The caller's own volunteering page.
#[derive(Debug, Clone)]
pub struct MyVolunteering {
    pub me: VolunteerLine,
    pub balances: Balances,
    /// this year's hours against the target (party members)
    pub year_hours: String,
    pub target_hours: String,
    /// 0–100
    pub progress: i64,
    pub statement: Vec<StatementLine>,
}

fn line(v: &VolunteerRow, mask: bool) -> VolunteerLine {
    VolunteerLine {
        id: v.id,
        name: if mask {
            mask_name(&v.name)
        } else {
            v.name.clone()
        },
        skills: v.skills.clone(),
        team: v.team.clone(),
        party_member: v.party_member,
        employer_org: v.employer_org.clone(),
        grid: v.grid.clone(),
        post: v.post.clone(),
        paired: v.paired_label.clone(),
        hours: hours_text(v.minutes),
    }
}

impl App {
    /// Joins as a volunteer in the caller's community (a party member
    /// reporting in names their employer's organisation). Returns the
    /// volunteer's number.
    pub async fn join_volunteers(
        &self,
        who: &Principal,
        input: &JoinInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let skills = text("特长", &input.skills, 100)?;
        let employer = match input.employer_org.as_deref().map(str::trim) {
            Some(e) if !e.is_empty() => Some(text("所在单位党组织", e, 60)?),
            _ => None,
        };
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        // a volunteer enters homes and sees who needs help: only someone
        // the community knows (bound to their record) joins
        let p = person(&mut tx, who).await?;
        let community = match (&p.resident, p.community) {
            (Some(_), Some(c)) => c,
            _ => return Err(invalid("请先在“我的信息”完成实名绑定,再报名志愿者")),
        };
        let party = employer.is_some();
        let id = store::insert(
            &mut tx,
            &NewVolunteer {
                user_id: Some(who.user_id),
                community_code: &community,
                name: &p.name,
                skills: &skills,
                team_id: None,
                party_member: party,
                employer_org: employer.as_deref(),
                target_minutes: if party { DEFAULT_TARGET_MINUTES } else { 0 },
                now,
            },
        )
        .await?
        .ok_or_else(|| AppError::Conflict("您已经是志愿者了".into()))?;
        audit::append(
            &mut tx,
            event(
                actor,
                if party {
                    "volunteer.report_in"
                } else {
                    "volunteer.join"
                },
                format!("volunteer:{id}"),
                community,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// 认一岗: a member claims one of the community's posts.
    pub async fn claim_post(
        &self,
        who: &Principal,
        post: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        if !POSTS.contains(&post) {
            return Err(invalid("请选择一个岗位"));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let v = me(&mut tx, who)
            .await?
            .ok_or_else(|| invalid("请先报到成为志愿者"))?;
        store::claim_post(&mut tx, v.id, post).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "volunteer.post",
                format!("volunteer:{}", v.id),
                post.to_owned(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// 进一网 / 联一户: staff place a member in a grid of their community
    /// and pair them with a resident of it (by the resident's record).
    pub async fn place_volunteer(
        &self,
        who: &Principal,
        id: i64,
        grid: Option<&str>,
        paired: Option<i64>,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let v = store::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        if !manages(who, &v.community_code)? {
            return Err(AppError::NotFound);
        }
        if let Some(g) = grid {
            let code: RegionCode = g.parse()?;
            if !code.is_grid()
                || code.community().map(|c| c.to_string()) != Some(v.community_code.clone())
            {
                return Err(invalid("请选择本社区的网格"));
            }
        }
        let label = match paired {
            Some(rid) => {
                let r = linli_store::registry::resident_by_id(&mut tx, rid)
                    .await?
                    .filter(|r| r.record.community.as_str() == v.community_code)
                    .ok_or_else(|| invalid("请选择本社区的住户"))?;
                Some(format!(
                    "{} · {}{}{}{}",
                    r.record.name, r.estate, r.building, r.unit, r.room
                ))
            }
            None => None,
        };
        store::place(&mut tx, id, grid, paired.zip(label.as_deref())).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "volunteer.place",
                format!("volunteer:{id}"),
                format!(
                    "grid={} paired={}",
                    grid.unwrap_or("-"),
                    paired.unwrap_or(0)
                ),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller's volunteering: who they are, hours and points, this
    /// year's progress, the statement. None when they have not joined.
    pub async fn my_volunteering(
        &self,
        who: &Principal,
    ) -> Result<Option<MyVolunteering>, AppError> {
        let mut conn = self.db.conn().await?;
        let Some(v) = me(&mut conn, who).await? else {
            return Ok(None);
        };
        let b = balances(&mut conn, v.id).await?;
        let year = ledger_store::credited_since(
            &mut conn,
            &Holder::Volunteer(v.id).key(),
            Unit::Hours.as_str(),
            year_start(crate::today().year())?,
        )
        .await?;
        let progress = if v.target_minutes > 0 {
            (year * 100 / v.target_minutes).clamp(0, 100)
        } else {
            0
        };
        Ok(Some(MyVolunteering {
            me: line(&v, false),
            year_hours: hours_text(year),
            target_hours: hours_text(v.target_minutes),
            progress,
            statement: statement(&mut conn, v.id).await?,
            balances: b,
        }))
    }

    /// The volunteers of the caller's scope (staff and the street), party
    /// members first; names masked for those who only read.
    pub async fn volunteers(&self, who: &Principal) -> Result<Vec<VolunteerLine>, AppError> {
        let prefixes = scope_prefixes(&who.grants, Permission::ViewVolunteering);
        if prefixes.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.db.conn().await?;
        let rows = store::in_communities(&mut conn, &prefixes, 500).await?;
        let mut out = Vec::with_capacity(rows.len());
        for v in &rows {
            out.push(line(v, !manages(who, &v.community_code)?));
        }
        Ok(out)
    }
}

/// A volunteer as staff of their community see them, with the statement
/// they may correct.
#[derive(Debug, Clone)]
pub struct VolunteerDetail {
    pub line: VolunteerLine,
    pub balances: Balances,
    pub statement: Vec<StatementLine>,
    /// the community's grids to place them in: (code, name)
    pub grids: Vec<(String, String)>,
}

impl App {
    /// One volunteer, for staff of their community.
    pub async fn volunteer_detail(
        &self,
        who: &Principal,
        id: i64,
    ) -> Result<VolunteerDetail, AppError> {
        let mut conn = self.db.conn().await?;
        let v = store::by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !manages(who, &v.community_code)? {
            return Err(AppError::NotFound);
        }
        let b = balances(&mut conn, id).await?;
        Ok(VolunteerDetail {
            line: line(&v, false),
            statement: statement(&mut conn, id).await?,
            balances: b,
            grids: linli_store::territory::places::grids_of(&mut conn, &v.community_code.parse()?)
                .await?
                .into_iter()
                .map(|g| (g.code.to_string(), g.name))
                .collect(),
        })
    }
}
