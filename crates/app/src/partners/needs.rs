//! 需求清单: staff list a need (their own, a resident's, or one taken from
//! a case — stripped of the people in it); the matching suggests units
//! and resources with reasons; "你点我来": a unit accepted in the
//! community takes an open need itself.

use super::units::resource_line;
use super::{community_code, invalid, manages, my_unit, reads};
use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::partners::matching::{NeedFacts, ResourceFacts, suggest};
use linli_domain::partners::{self as rules, NeedSource, NeedState};
use linli_domain::time::{UnixMs, beijing_minute, china_year};
use linli_store::audit;
use linli_store::partners::needs::{self as store, NeedRow, NewNeed};
use linli_store::partners::projects::{self as pstore, Tally};
use linli_store::partners::units as ustore;

/// A need being listed.
#[derive(Debug, Clone, Default)]
pub struct NeedInput {
    pub community: String,
    pub category: String,
    pub title: String,
    pub body: String,
    pub place: String,
    /// staff, resident, case, visit
    pub source: String,
    /// the case it comes from
    pub case_id: Option<i64>,
}

/// A need in a list.
#[derive(Debug, Clone)]
pub struct NeedLine {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub place: String,
    pub state: &'static str,
    pub state_key: String,
    pub taken_by: Option<String>,
    pub at: String,
}

/// One suggested resource, with why.
#[derive(Debug, Clone)]
pub struct SuggestionLine {
    pub resource: super::ResourceLine,
    pub reasons: Vec<String>,
}

/// A need as the caller may see it.
#[derive(Debug, Clone)]
pub struct NeedView {
    pub line: NeedLine,
    pub community_code: String,
    pub body: String,
    pub source: &'static str,
    /// staff only: the case it came from
    pub case_id: Option<i64>,
    pub suggestions: Vec<SuggestionLine>,
    pub project_id: Option<i64>,
    pub staff: bool,
    pub may_take: bool,
}

pub(super) fn state_of(s: &str) -> NeedState {
    s.parse().unwrap_or(NeedState::Closed)
}

pub(super) fn line(n: NeedRow) -> NeedLine {
    NeedLine {
        id: n.id,
        state: state_of(&n.state).label_zh(),
        state_key: n.state,
        title: n.title,
        category: n.category,
        place: n.place,
        taken_by: n.taken_name,
        at: beijing_minute(UnixMs(n.created_at)),
    }
}

/// `text` with the case's address cut down to its estate.
fn without_address(text: &str, address: &str) -> String {
    let a = address.trim();
    if a.is_empty() {
        return text.to_owned();
    }
    text.replace(a, &linli_domain::cases::publish::public_address(a))
}

impl App {
    /// What a need taken from a case would say: the case's words without
    /// its reporter's name or any phone or ID number, and its address
    /// without door numbers. Staff edit it before listing.
    pub async fn need_draft_from_case(
        &self,
        who: &Principal,
        case_id: i64,
    ) -> Result<NeedInput, AppError> {
        let c = self.case_view(who, case_id).await?;
        if !manages(who, &c.case.community)? {
            return Err(AppError::Forbidden);
        }
        let names = self.case_people(&c.case).await?;
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(NeedInput {
            community: c.case.community.clone(),
            category: "其他".to_owned(),
            title: rules::strip_personal(&c.category.name, &names),
            body: rules::strip_personal(
                &without_address(&c.case.description, &c.case.address),
                &names,
            ),
            place: linli_domain::cases::publish::public_address(&c.case.address),
            source: NeedSource::Case.as_str().to_owned(),
            case_id: Some(case_id),
        })
    }

    /// The names a case may carry of its people: as the reporter gave it,
    /// their account's name, the name on their bound record, and the
    /// residents of the dwelling it is about.
    async fn case_people(&self, c: &linli_store::cases::CaseRow) -> Result<Vec<String>, AppError> {
        let mut conn = self.db.conn().await?;
        let mut names = vec![c.reporter_name.clone()];
        if let Some(uid) = c.reporter_id {
            if let Some(u) = linli_store::accounts::users::find(&mut conn, uid).await? {
                names.push(u.display_name);
            }
            if let Some(rid) = linli_store::registry::pipl::resident_of_user(&mut conn, uid).await?
                && let Some(r) = linli_store::registry::resident_by_id(&mut conn, rid).await?
            {
                names.push(r.record.name);
            }
        }
        if let Some(d) = c.dwelling_id {
            names.extend(linli_store::partners::needs::names_at_dwelling(&mut conn, d).await?);
        }
        names.retain(|n| n.chars().count() >= 2);
        Ok(names)
    }

    /// Lists a need in a community the caller manages. One taken from a
    /// case is stripped again (whatever staff typed) of the reporter's name
    /// and of numbers, and listed once per case.
    pub async fn add_need(
        &self,
        who: &Principal,
        n: &NeedInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let mut code = community_code(&n.community)?;
        let source: NeedSource = n.source.parse()?;
        let category = rules::category(&n.category)?;
        let mut title = rules::text("需求名称", &n.title, 60)?;
        let mut body = rules::text("需求说明", &n.body, 1000)?;
        let mut place = rules::optional("地点", &n.place, 60)?;
        let mut names = Vec::new();
        if let Some(case_id) = n.case_id {
            if source != NeedSource::Case {
                return Err(invalid("只有诉求转入的需求才关联诉求"));
            }
            let c = self.case_view(who, case_id).await?;
            code = c.case.community.clone();
            names = self.case_people(&c.case).await?;
            // the case's own address, wherever staff left it, down to the estate
            title = without_address(&title, &c.case.address);
            body = without_address(&body, &c.case.address);
        } else if source == NeedSource::Case {
            return Err(invalid("请从诉求页面转入"));
        }
        if !manages(who, &code)? {
            return Err(AppError::Forbidden);
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        title = rules::strip_personal(&title, &refs);
        body = rules::strip_personal(&body, &refs);
        // units read the place of every need: a door number never
        place = rules::strip_personal(&place, &refs);
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let id = store::insert(
            &mut tx,
            &NewNeed {
                community_code: &code,
                source: source.as_str(),
                source_id: n.case_id,
                category,
                title: &title,
                body: &body,
                place: &place,
                by: who.user_id,
                now,
            },
        )
        .await?
        .ok_or_else(|| invalid("这件诉求已经转为需求"))?;
        pstore::tally(
            &mut tx,
            &code,
            china_year(now),
            &Tally {
                needs_opened: 1,
                ..Tally::default()
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.need",
                format!("partner_need:{id}"),
                format!("{code} source={}", source.as_str()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One need: staff and readers of its community (staff with the
    /// suggested resources); a unit accepted there while it is open, or
    /// the unit that took it or works on its project.
    pub async fn partner_need(&self, who: &Principal, id: i64) -> Result<NeedView, AppError> {
        let mut conn = self.db.conn().await?;
        let n = store::by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let staff = manages(who, &n.community_code)?;
        let reader = reads(who, &n.community_code)?;
        let state = state_of(&n.state);
        let project = pstore::for_need(&mut conn, id).await?;
        let mut may_take = false;
        if !reader {
            let unit = my_unit(&mut conn, who).await?.ok_or(AppError::NotFound)?;
            let accepted = ustore::reported_in(&mut conn, unit, &n.community_code).await?;
            let on_project = match project {
                Some(p) => pstore::has_unit(&mut conn, p, unit).await?,
                None => false,
            };
            let open = state == NeedState::Open && accepted;
            if !(open || n.taken_by == Some(unit) || on_project) {
                return Err(AppError::NotFound);
            }
            may_take = open;
        }
        let suggestions = if staff && state.awaits_project() {
            let cands = ustore::candidates(&mut conn, &n.community_code, &n.category).await?;
            let facts: Vec<ResourceFacts<'_>> = cands
                .iter()
                .map(|(r, reported, past)| ResourceFacts {
                    id: r.id,
                    unit_id: r.unit_id,
                    category: &r.category,
                    title: &r.title,
                    detail: &r.detail,
                    reported_in: *reported,
                    past_projects: *past,
                })
                .collect();
            let need = NeedFacts {
                category: &n.category,
                title: &n.title,
                body: &n.body,
            };
            suggest(&need, &facts)
                .into_iter()
                .filter_map(|s| {
                    cands
                        .iter()
                        .find(|(r, _, _)| r.id == s.resource_id)
                        .map(|(r, _, _)| SuggestionLine {
                            resource: resource_line(r.clone()),
                            reasons: s.reasons,
                        })
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(NeedView {
            community_code: n.community_code.clone(),
            body: n.body.clone(),
            source: n
                .source
                .parse::<NeedSource>()
                .map_or("其他", NeedSource::label_zh),
            case_id: if staff {
                n.source_id.filter(|_| n.source == "case")
            } else {
                None
            },
            line: line(n),
            suggestions,
            project_id: project,
            staff,
            may_take,
        })
    }

    /// 你点我来: the caller's unit takes an open need of a community it is
    /// accepted in; staff then make it a project (at a meeting or directly).
    pub async fn take_need(&self, who: &Principal, id: i64, actor: &Actor) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let unit = my_unit(&mut tx, who).await?.ok_or(AppError::Forbidden)?;
        let n = store::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        if !ustore::reported_in(&mut tx, unit, &n.community_code).await? {
            return Err(AppError::NotFound);
        }
        if !store::set_state(&mut tx, id, &["open"], "taken", Some(unit), now).await? {
            return Err(invalid("这个需求已有单位认领"));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.take",
                format!("partner_need:{id}"),
                format!("unit={unit}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Staff close a need that will not be pursued.
    pub async fn close_need(
        &self,
        who: &Principal,
        id: i64,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let n = store::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        if !manages(who, &n.community_code)? {
            return Err(AppError::Forbidden);
        }
        if !store::set_state(&mut tx, id, &["open", "taken"], "closed", None, now).await? {
            return Err(invalid("已立项的需求不能关闭"));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.need_close",
                format!("partner_need:{id}"),
                String::new(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
