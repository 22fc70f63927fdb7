//! 民提 民评: a resident proposes a matter for their estate, building or
//! unit (staff may for them); neighbours living there support it once
//! each; at the community's threshold it waits for staff, who put it on the
//! agenda or decline it with a reason, record the decision, mark it done;
//! residents of the scope then rate it. Everything here is public to the
//! scope, the author's name masked.

use super::invalid;
use super::votes::ScopeChoice;
use crate::accounts::auth::Principal;
use crate::registry::require;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, allowed, scope_prefixes};
use linli_domain::deliberation::proposals::{
    DEFAULT_QUORUM, DEFAULT_THRESHOLD, ProposalState, check_score,
};
use linli_domain::deliberation::{ScopeKind, VoteState, check_matter};
use linli_domain::registry::mask_name;
use linli_store::Conn;
use linli_store::audit;
use linli_store::deliberation::owners as owners_store;
use linli_store::deliberation::proposals::{self as store, NewProposal, ProposalRow};
use linli_store::registry::pipl::resident_of_user;

/// A proposal in a list.
#[derive(Debug, Clone)]
pub struct ProposalCard {
    pub id: i64,
    pub title: String,
    pub scope_name: String,
    pub state: ProposalState,
    pub supports: i64,
    pub threshold: i64,
}

/// A proposal as its page shows it.
#[derive(Debug, Clone)]
pub struct ProposalView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub scope_name: String,
    pub state: ProposalState,
    /// masked
    pub author: String,
    pub supports: i64,
    pub threshold: i64,
    pub answer: Option<String>,
    /// the caller lives in scope and may support it (not yet supported, not theirs)
    pub can_support: bool,
    pub supported: bool,
    pub can_rate: bool,
    pub my_score: Option<i64>,
    pub ratings: i64,
    /// average score, one decimal
    pub rating: Option<String>,
    pub manage: bool,
    /// residents living in scope and community staff discuss it
    pub can_comment: bool,
    /// the votes held on it: (id, title, state)
    pub votes: Vec<(i64, String, VoteState)>,
}

/// Who the caller is to a proposal they see.
#[derive(Debug, Clone, Copy)]
pub(super) struct Viewer {
    /// their record, when their account is bound to one
    pub resident: Option<i64>,
    /// they live in its scope (and may support, comment, rate)
    pub lives_here: bool,
    /// community staff over it
    pub manage: bool,
}

/// A proposal's page: the proposal with its timeline and discussion.
#[derive(Debug, Clone)]
pub struct ProposalPage {
    pub view: ProposalView,
    pub meetings: Vec<super::meetings::MeetingCard>,
    pub comments: Vec<super::discussion::CommentView>,
    pub progress: Vec<super::discussion::ProgressLine>,
    /// the money spent in all
    pub spent: String,
}

/// What a proposal says when filed.
#[derive(Debug, Clone, Default)]
pub struct ProposalInput {
    /// `estate:1`, `building:3`, `unit:12`
    pub scope: String,
    pub title: String,
    pub body: String,
}

fn card(p: &ProposalRow) -> ProposalCard {
    ProposalCard {
        id: p.id,
        title: p.title.clone(),
        scope_name: p.scope_name.clone(),
        state: p.state.parse().unwrap_or(ProposalState::Seeking),
        supports: p.supports,
        threshold: p.threshold,
    }
}

impl App {
    /// The community's support threshold and meeting quorum.
    pub(crate) async fn deliberation_rules(
        &self,
        conn: &mut Conn,
        community: &str,
    ) -> Result<(i64, i64), AppError> {
        Ok(store::settings(conn, community)
            .await?
            .unwrap_or((DEFAULT_THRESHOLD, DEFAULT_QUORUM)))
    }

    /// A bound resident's places: (community, [(kind, id)]) of their
    /// estate, building and unit.
    async fn my_places(
        &self,
        conn: &mut Conn,
        who: &Principal,
    ) -> Result<Option<(i64, String, Vec<(ScopeKind, i64)>)>, AppError> {
        let Some(rid) = resident_of_user(conn, who.user_id).await? else {
            return Ok(None);
        };
        let Some(r) = linli_store::registry::resident_by_id(conn, rid).await? else {
            return Ok(None);
        };
        let Some((community, building, unit)) =
            owners_store::dwelling_place(conn, r.record.dwelling_id).await?
        else {
            return Ok(None);
        };
        let estate = linli_store::territory::places::building_by_id(conn, building)
            .await?
            .map_or(0, |b| b.estate_id);
        Ok(Some((
            rid,
            community,
            vec![
                (ScopeKind::Estate, estate),
                (ScopeKind::Building, building),
                (ScopeKind::Unit, unit),
            ],
        )))
    }

    /// Where the caller may propose: a resident their estate, building and
    /// unit; staff the places of their communities.
    pub async fn proposal_scopes(&self, who: &Principal) -> Result<Vec<ScopeChoice>, AppError> {
        if !scope_prefixes(&who.grants, Permission::ManageVotes).is_empty() {
            return self.vote_scopes(who).await;
        }
        let mut conn = self.db.conn().await?;
        let (_, _, places) = self
            .my_places(&mut conn, who)
            .await?
            .ok_or_else(|| invalid("请先在“我的信息”完成实名绑定,再提议题"))?;
        let mut out = Vec::new();
        for (kind, id) in places {
            if let Some((_, name)) = owners_store::scope_place(&mut conn, kind.as_str(), id).await?
            {
                out.push(ScopeChoice {
                    key: ScopeKind::key_of(kind.as_str(), id),
                    name: format!("{name}({})", kind.label_zh()),
                });
            }
        }
        Ok(out)
    }

    /// Files a proposal. Returns its id.
    pub async fn propose(
        &self,
        who: &Principal,
        input: &ProposalInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let (kind, id) = ScopeKind::parse_key(&input.scope).ok_or_else(|| invalid("请选择范围"))?;
        let (title, body, _) = check_matter(&input.title, &input.body, "").map_err(invalid)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let (community, scope_name) = owners_store::scope_place(&mut tx, kind.as_str(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        let scope: RegionCode = community.parse().map_err(AppError::from)?;
        let author = if allowed(&who.grants, Permission::ManageVotes, &scope) {
            who.display_name.clone()
        } else {
            let (rid, _, places) = self
                .my_places(&mut tx, who)
                .await?
                .ok_or_else(|| invalid("请先在“我的信息”完成实名绑定,再提议题"))?;
            if !places.contains(&(kind, id)) {
                return Err(invalid("只能就自己所在的小区、楼栋或单元提议题"));
            }
            linli_store::registry::resident_by_id(&mut tx, rid)
                .await?
                .map_or_else(String::new, |r| r.record.name)
        };
        let (threshold, _) = self.deliberation_rules(&mut tx, &community).await?;
        let pid = store::insert(
            &mut tx,
            &NewProposal {
                community_code: &community,
                scope_kind: kind.as_str(),
                scope_id: id,
                scope_name: &scope_name,
                author_user: who.user_id,
                author_name: &author,
                title: &title,
                body: &body,
                threshold,
                now,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "proposal.create",
                format!("proposal:{pid}"),
                input.scope.clone(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(pid)
    }

    async fn proposal_row(&self, conn: &mut Conn, id: i64) -> Result<ProposalRow, AppError> {
        store::by_id(conn, id).await?.ok_or(AppError::NotFound)
    }

    /// Whether the caller sees a proposal — staff of its community, or a
    /// resident living in its scope — and who they are to it.
    pub(super) async fn viewer(
        &self,
        conn: &mut Conn,
        who: &Principal,
        p: &ProposalRow,
    ) -> Result<Viewer, AppError> {
        let scope: RegionCode = p.community_code.parse().map_err(AppError::from)?;
        let resident = resident_of_user(conn, who.user_id).await?;
        let lives_here = match resident {
            Some(rid) => owners_store::lives_in(conn, rid, &p.scope_kind, p.scope_id).await?,
            None => false,
        };
        let manage = allowed(&who.grants, Permission::ManageVotes, &scope);
        if !lives_here && !allowed(&who.grants, Permission::ViewVotes, &scope) {
            return Err(AppError::NotFound);
        }
        Ok(Viewer {
            resident,
            lives_here,
            manage,
        })
    }

    /// A proposal the caller sees, with who they are to it.
    pub(super) async fn seen_proposal(
        &self,
        conn: &mut Conn,
        who: &Principal,
        id: i64,
    ) -> Result<(ProposalRow, Viewer), AppError> {
        let p = self.proposal_row(conn, id).await?;
        let v = self.viewer(conn, who, &p).await?;
        Ok((p, v))
    }

    /// The proposals the caller sees, newest first.
    pub async fn proposals(&self, who: &Principal) -> Result<Vec<ProposalCard>, AppError> {
        let mut conn = self.db.conn().await?;
        let prefixes = scope_prefixes(&who.grants, Permission::ViewVotes);
        let rows = if !prefixes.is_empty() {
            store::in_communities(&mut conn, &prefixes).await?
        } else if let Some(rid) = resident_of_user(&mut conn, who.user_id).await? {
            store::of_resident(&mut conn, rid).await?
        } else {
            Vec::new()
        };
        Ok(rows.iter().map(card).collect())
    }

    /// One proposal as the caller may see it.
    pub async fn proposal(&self, who: &Principal, id: i64) -> Result<ProposalView, AppError> {
        let mut conn = self.db.conn().await?;
        let (p, viewer) = self.seen_proposal(&mut conn, who, id).await?;
        view_of(&mut conn, who, &p, viewer).await
    }

    /// A proposal's page: the proposal, its meetings, discussion and
    /// progress, with one access check.
    pub async fn proposal_page(&self, who: &Principal, id: i64) -> Result<ProposalPage, AppError> {
        let mut conn = self.db.conn().await?;
        let (p, viewer) = self.seen_proposal(&mut conn, who, id).await?;
        let view = view_of(&mut conn, who, &p, viewer).await?;
        let (progress, spent) = super::discussion::progress_of(&mut conn, id).await?;
        Ok(ProposalPage {
            view,
            meetings: super::meetings::meeting_cards(&mut conn, id).await?,
            comments: super::discussion::comments_in(&mut conn, id).await?,
            progress,
            spent,
        })
    }
}

/// The view of a proposal the caller sees.
async fn view_of(
    conn: &mut Conn,
    who: &Principal,
    p: &ProposalRow,
    viewer: Viewer,
) -> Result<ProposalView, AppError> {
    let id = p.id;
    let Viewer {
        resident: me,
        lives_here,
        manage,
    } = viewer;
    let state: ProposalState = p.state.parse().map_err(invalid)?;
    let supported = match me {
        Some(rid) => store::supported_by(conn, id, rid).await?,
        None => false,
    };
    let (n, sum, mine) = store::ratings(conn, id, me).await?;
    let votes = store::votes_of(conn, id)
        .await?
        .into_iter()
        .map(|(vid, t, s)| (vid, t, s.parse().unwrap_or(VoteState::Draft)))
        .collect();
    Ok(ProposalView {
        id,
        title: p.title.clone(),
        body: p.body.clone(),
        scope_name: p.scope_name.clone(),
        state,
        author: mask_name(&p.author_name),
        supports: p.supports,
        threshold: p.threshold,
        answer: p.answer.clone(),
        can_support: lives_here
            && !supported
            && state.takes_support()
            && p.author_user != who.user_id,
        supported,
        can_rate: lives_here && state == ProposalState::Done && mine.is_none(),
        my_score: mine,
        ratings: n,
        rating: (n > 0).then(|| format!("{:.1}", sum as f64 / n as f64)),
        manage,
        can_comment: lives_here || manage,
        votes,
    })
}

impl App {
    /// A neighbour's support (附议), once; at the threshold the proposal
    /// goes to staff.
    pub async fn support_proposal(
        &self,
        who: &Principal,
        id: i64,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        store::lock(&mut tx, id).await?;
        let (p, viewer) = self.seen_proposal(&mut tx, who, id).await?;
        let rid = match viewer.resident {
            Some(rid) if viewer.lives_here => rid,
            _ => return Err(invalid("只有住在这里的实名居民可以附议")),
        };
        let state: ProposalState = p.state.parse().map_err(invalid)?;
        if !state.takes_support() {
            return Err(invalid("这个议题已不再征集附议"));
        }
        if p.author_user == who.user_id {
            return Err(invalid("提议人不能为自己的议题附议"));
        }
        let n = store::support(&mut tx, id, rid, now)
            .await?
            .ok_or_else(|| invalid("您已附议过"))?;
        let next = state.after_support(n, p.threshold);
        if next != state {
            store::set_state(&mut tx, id, state.as_str(), next.as_str(), None, now).await?;
            super::notify::proposal(
                &mut tx,
                id,
                p.author_user,
                false,
                &format!("附议已满 {n} 人:{}", p.title),
                "等待社区答复",
                now,
            )
            .await?;
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "proposal.support",
                format!("proposal:{id}"),
                format!("supports={n}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        self.ring();
        Ok(n)
    }

    /// Staff move a proposal on: onto the agenda, declined (with the
    /// reason), adopted or rejected (with the decision), done.
    pub async fn move_proposal(
        &self,
        who: &Principal,
        id: i64,
        to: &str,
        answer: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let to: ProposalState = to.parse().map_err(invalid)?;
        let answer = answer.trim();
        if answer.chars().count() > 1000 {
            return Err(invalid("答复不超过 1000 字"));
        }
        if matches!(to, ProposalState::Declined | ProposalState::Rejected) && answer.is_empty() {
            return Err(invalid("请写明理由,答复会公开"));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        store::lock(&mut tx, id).await?;
        let p = self.proposal_row(&mut tx, id).await?;
        let scope: RegionCode = p.community_code.parse().map_err(AppError::from)?;
        require(who, Permission::ManageVotes, &scope)?;
        let from: ProposalState = p.state.parse().map_err(invalid)?;
        if !from.may_become(to) {
            return Err(invalid(format!(
                "“{}”的议题不能改为“{}”",
                from.label_zh(),
                to.label_zh()
            )));
        }
        let answer = (!answer.is_empty()).then_some(answer);
        if !store::set_state(&mut tx, id, from.as_str(), to.as_str(), answer, now).await? {
            return Err(invalid("议题状态已变化,请刷新后再试"));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "proposal.move",
                format!("proposal:{id}"),
                format!("{}→{}", from.as_str(), to.as_str()),
            ),
            now,
        )
        .await?;
        super::notify::proposal(
            &mut tx,
            id,
            p.author_user,
            true,
            &format!("{}:{}", to.label_zh(), p.title),
            answer.unwrap_or("点开看社区答复"),
            now,
        )
        .await?;
        tx.commit().await?;
        self.ring();
        Ok(())
    }

    /// A resident of the scope rates a finished matter once (民评).
    pub async fn rate_proposal(
        &self,
        who: &Principal,
        id: i64,
        score: i64,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let score = check_score(score).map_err(invalid)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        store::lock(&mut tx, id).await?;
        let (p, viewer) = self.seen_proposal(&mut tx, who, id).await?;
        let rid = match viewer.resident {
            Some(rid) if viewer.lives_here => rid,
            _ => return Err(invalid("只有住在这里的实名居民可以评价")),
        };
        if p.state != ProposalState::Done.as_str() {
            return Err(invalid("办结后才能评价"));
        }
        if !store::rate(&mut tx, id, rid, score, now).await? {
            return Err(invalid("您已评价过"));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "proposal.rate",
                format!("proposal:{id}"),
                String::new(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the community's support threshold and meeting quorum.
    pub async fn set_deliberation_rules(
        &self,
        who: &Principal,
        community: &str,
        threshold: i64,
        quorum: i64,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let scope: RegionCode = community.parse().map_err(AppError::from)?;
        require(who, Permission::ManageVotes, &scope)?;
        if !(1..=10_000).contains(&threshold) || !(1..=10_000).contains(&quorum) {
            return Err(invalid("附议人数和会议法定人数应在 1 到 10000 之间"));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        store::set_settings(&mut tx, community, threshold, quorum).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "deliberation.rules",
                format!("region:{community}"),
                format!("threshold={threshold} quorum={quorum}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
