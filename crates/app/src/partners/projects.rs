//! 项目清单: a need becomes a project (decided at a joint meeting, or by
//! staff directly for a need a unit took), led by a unit accepted in the
//! community with others joining; units log progress; staff record what
//! each unit put in (共建资金, goods at value, hours) and close it with its
//! outcome, which meets the need and puts it on the public board.

use super::{invalid, manages, my_unit, reads};
use crate::accounts::auth::Principal;
use crate::cases::photos::PhotoUpload;
use crate::{Actor, App, AppError, event};
use linli_domain::deliberation::shares::{parse_yuan, yuan_text};
use linli_domain::partners::{self as rules, FundingKind, ProjectState};
use linli_domain::time::{UnixMs, beijing_minute, china_year};
use linli_store::audit;
use linli_store::partners::needs as nstore;
use linli_store::partners::projects::{self as store, NewFunding, NewProject, ProjectRow, Tally};
use linli_store::partners::units as ustore;

/// A project being started.
#[derive(Debug, Clone, Default)]
pub struct ProjectInput {
    pub need_id: i64,
    pub meeting_id: Option<i64>,
    pub title: String,
    pub lead_unit: i64,
    pub other_units: Vec<i64>,
    pub owner: String,
    pub due_on: String,
    /// yuan
    pub budget: String,
}

/// What a unit put in.
#[derive(Debug, Clone, Default)]
pub struct FundingInput {
    pub unit_id: i64,
    pub kind: String,
    /// yuan for money and goods; hours for hours
    pub amount: String,
    pub note: String,
}

/// A project in a list.
#[derive(Debug, Clone)]
pub struct ProjectLine {
    pub id: i64,
    pub title: String,
    pub lead: String,
    pub owner: String,
    pub due_on: String,
    pub state: &'static str,
    pub done: bool,
    pub money: String,
    pub goods: String,
    pub hours: String,
}

#[derive(Debug, Clone)]
pub struct ProgressLine {
    /// its photos: (id, width, height)
    pub photos: Vec<(i64, i64, i64)>,
    pub who: String,
    pub note: String,
    pub at: String,
}

#[derive(Debug, Clone)]
pub struct FundingLine {
    pub unit: String,
    pub kind: &'static str,
    pub amount: String,
    pub note: String,
    pub at: String,
}

/// A project's page.
#[derive(Debug, Clone)]
pub struct ProjectView {
    pub line: ProjectLine,
    pub community_code: String,
    pub need_id: i64,
    pub need_title: String,
    pub need_body: String,
    pub meeting_id: Option<i64>,
    pub budget: String,
    pub units: Vec<(i64, String)>,
    pub progress: Vec<ProgressLine>,
    pub fundings: Vec<FundingLine>,
    pub outcome: Option<String>,
    pub staff: bool,
    pub may_log: bool,
}

/// Hours as people read them: `12.5 小时`.
pub(super) fn hours_of(minutes: i64) -> String {
    if minutes % 60 == 0 {
        format!("{} 小时", minutes / 60)
    } else {
        format!("{:.1} 小时", minutes as f64 / 60.0)
    }
}

pub(super) fn line(p: ProjectRow) -> ProjectLine {
    let state = p
        .state
        .parse::<ProjectState>()
        .unwrap_or(ProjectState::Underway);
    ProjectLine {
        id: p.id,
        title: p.title,
        lead: p.lead_name,
        owner: p.owner,
        due_on: p.due_on,
        state: state.label_zh(),
        done: state == ProjectState::Done,
        money: yuan_text(p.put_in.0),
        goods: yuan_text(p.put_in.1),
        hours: hours_of(p.put_in.2),
    }
}

/// Parses an amount of `kind`: yuan to 分, hours to minutes.
fn amount(kind: FundingKind, s: &str) -> Result<i64, AppError> {
    let v = match kind {
        FundingKind::Money | FundingKind::Goods => parse_yuan(s).map_err(invalid)?,
        FundingKind::Hours => {
            let fen = parse_yuan(s.trim().trim_end_matches("小时"))
                .map_err(|_| invalid("时长请填小时数,如 12.5"))?;
            fen * 60 / 100
        }
    };
    // at most 1 亿元 (or as many minutes)
    if v <= 0 || v > 10_000_000_000 {
        return Err(invalid("投入数量应大于零"));
    }
    Ok(v)
}

impl App {
    /// Starts a project on a need that awaits one: from a joint meeting
    /// whose agenda had it, or directly by staff.
    pub async fn start_project(
        &self,
        who: &Principal,
        p: &ProjectInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let title = rules::text("项目名称", &p.title, 60)?;
        let owner = rules::text("负责人", &p.owner, 20)?;
        let due = rules::date("完成时限", &p.due_on)?;
        let budget = if p.budget.trim().is_empty() {
            0
        } else {
            parse_yuan(&p.budget).map_err(invalid)?
        };
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let need = nstore::by_id(&mut tx, p.need_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !manages(who, &need.community_code)? {
            return Err(AppError::Forbidden);
        }
        if let Some(m) = p.meeting_id
            && !nstore::agenda(&mut tx, m)
                .await?
                .iter()
                .any(|n| n.id == p.need_id)
        {
            return Err(invalid("这个需求不在这次会议的议程上"));
        }
        for u in std::iter::once(&p.lead_unit).chain(&p.other_units) {
            if !ustore::reported_in(&mut tx, *u, &need.community_code).await? {
                return Err(invalid("牵头和参与单位须已在本社区报到"));
            }
        }
        if !nstore::set_state(&mut tx, need.id, &["open", "taken"], "project", None, now).await? {
            return Err(invalid("这个需求已立项或已关闭"));
        }
        let id = store::insert(
            &mut tx,
            &NewProject {
                community_code: &need.community_code,
                need_id: need.id,
                meeting_id: p.meeting_id,
                title: &title,
                lead_unit_id: p.lead_unit,
                units: &p.other_units,
                owner: &owner,
                due_on: &due,
                budget_fen: budget,
                by: who.user_id,
                now,
            },
        )
        .await?;
        store::tally(
            &mut tx,
            &need.community_code,
            china_year(now),
            &Tally {
                projects_started: 1,
                ..Tally::default()
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.project",
                format!("partner_project:{id}"),
                format!("need={} lead={}", need.id, p.lead_unit),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Where the caller stands to a project: (staff, may read, their unit on it).
    pub(super) async fn project_access(
        &self,
        conn: &mut linli_store::Conn,
        who: &Principal,
        p: &ProjectRow,
    ) -> Result<(bool, bool, Option<i64>), AppError> {
        let staff = manages(who, &p.community_code)?;
        let reader = reads(who, &p.community_code)?;
        let unit = match my_unit(conn, who).await? {
            Some(u) if store::has_unit(conn, p.id, u).await? => Some(u),
            _ => None,
        };
        Ok((staff, reader || unit.is_some(), unit))
    }

    /// One project: staff and readers of its community, and its units.
    pub async fn partner_project(&self, who: &Principal, id: i64) -> Result<ProjectView, AppError> {
        let mut conn = self.db.conn().await?;
        let p = store::by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (staff, seen, unit) = self.project_access(&mut conn, who, &p).await?;
        if !seen {
            return Err(AppError::NotFound);
        }
        let need = nstore::by_id(&mut conn, p.need_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rows = store::progress(&mut conn, id).await?;
        let ids: Vec<i64> = rows.iter().map(|g| g.id).collect();
        let photos = linli_store::partners::photos::of(&mut conn, "progress", &ids).await?;
        let progress = rows
            .into_iter()
            .map(|g| ProgressLine {
                photos: photos
                    .iter()
                    .filter(|p| p.owner_id == g.id)
                    .map(|p| (p.id, p.width, p.height))
                    .collect(),
                who: g.unit_name.unwrap_or(g.by_name),
                note: g.note,
                at: beijing_minute(UnixMs(g.at)),
            })
            .collect();
        let fundings = store::fundings(&mut conn, id)
            .await?
            .into_iter()
            .map(|(unit, kind, amount, note, at)| {
                let k = kind.parse::<FundingKind>().unwrap_or(FundingKind::Money);
                FundingLine {
                    unit,
                    kind: k.label_zh(),
                    amount: if k == FundingKind::Hours {
                        hours_of(amount)
                    } else {
                        format!("{} 元", yuan_text(amount))
                    },
                    note,
                    at: beijing_minute(UnixMs(at)),
                }
            })
            .collect();
        let underway = p.state == ProjectState::Underway.as_str();
        Ok(ProjectView {
            community_code: p.community_code.clone(),
            need_id: p.need_id,
            need_title: need.title,
            need_body: need.body,
            meeting_id: p.meeting_id,
            budget: yuan_text(p.budget_fen),
            units: store::units_of(&mut conn, id).await?,
            progress,
            fundings,
            outcome: p.outcome.clone(),
            staff,
            may_log: underway && (staff || unit.is_some()),
            line: line(p),
        })
    }

    /// A unit on the project (or staff) logs progress.
    pub async fn log_progress(
        &self,
        who: &Principal,
        id: i64,
        note: &str,
        photos: &[PhotoUpload],
        actor: &Actor,
    ) -> Result<(), AppError> {
        let note = rules::text("进展", note, 1000)?;
        // checked and stored before the transaction: a bad one refuses the line
        let ready = self.ready_photos_under("partners", photos).await?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let p = store::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let (staff, seen, unit) = self.project_access(&mut tx, who, &p).await?;
        if !seen {
            return Err(AppError::NotFound);
        }
        if !staff && unit.is_none() {
            return Err(AppError::Forbidden);
        }
        if p.state != ProjectState::Underway.as_str() {
            return Err(invalid("项目已完成"));
        }
        let line = store::add_progress(
            &mut tx,
            id,
            unit,
            (who.user_id, &who.display_name),
            &note,
            now,
        )
        .await?;
        super::photos::record(&mut tx, ("progress", line), &ready, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.progress",
                format!("partner_project:{id}"),
                format!("photos={}", ready.len()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Staff record what a unit on the project put in.
    pub async fn add_funding(
        &self,
        who: &Principal,
        id: i64,
        f: &FundingInput,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let kind: FundingKind = f.kind.parse()?;
        let v = amount(kind, &f.amount)?;
        let note = rules::optional("说明", &f.note, 200)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let p = store::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        if !manages(who, &p.community_code)? {
            return Err(AppError::Forbidden);
        }
        if !store::has_unit(&mut tx, id, f.unit_id).await? {
            return Err(invalid("只能记录参与单位的投入"));
        }
        store::add_funding(
            &mut tx,
            &NewFunding {
                project: id,
                unit: f.unit_id,
                kind: kind.as_str(),
                amount: v,
                note: &note,
                by: who.user_id,
                now,
            },
        )
        .await?;
        let mut t = Tally::default();
        match kind {
            FundingKind::Money => t.money_fen = v,
            FundingKind::Goods => t.goods_fen = v,
            FundingKind::Hours => t.minutes = v,
        }
        store::tally(&mut tx, &p.community_code, china_year(now), &t).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.funding",
                format!("partner_project:{id}"),
                format!("unit={} {}={v}", f.unit_id, kind.as_str()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Staff close a project with its outcome; its need is met.
    pub async fn close_project(
        &self,
        who: &Principal,
        id: i64,
        outcome: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let outcome = rules::text("项目成效", outcome, 1000)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let p = store::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        if !manages(who, &p.community_code)? {
            return Err(AppError::Forbidden);
        }
        if !store::close(&mut tx, id, &outcome, now).await? {
            return Err(invalid("项目已完成"));
        }
        nstore::set_state(&mut tx, p.need_id, &["project"], "met", None, now).await?;
        store::tally(
            &mut tx,
            &p.community_code,
            china_year(now),
            &Tally {
                projects_done: 1,
                needs_met: 1,
                ..Tally::default()
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.close",
                format!("partner_project:{id}"),
                String::new(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
