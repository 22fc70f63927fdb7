//! 民议 民决: meetings on a proposal on the agenda (入户小会, 议事协商会,
//! 居民会议 …) — scheduled by staff, then recorded with attendees, minutes
//! and, for a resident meeting, the show of hands that decides the matter
//! (more than half of those present, with the community's quorum).
//! Minutes are kept by version: publishing again writes a new version and
//! the earlier ones stay readable.

use super::invalid;
use crate::accounts::auth::Principal;
use crate::registry::require;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode};
use linli_domain::deliberation::proposals::{
    MeetingKind, ProposalState, meeting_decides, parse_attendees,
};
use linli_store::audit;
use linli_store::deliberation::meetings::{self as store, NewMeeting};
use linli_store::deliberation::proposals as proposals_store;

/// A meeting in a proposal's timeline.
#[derive(Debug, Clone)]
pub struct MeetingCard {
    pub id: i64,
    pub kind: MeetingKind,
    pub title: String,
    pub held_on: String,
    pub has_minutes: bool,
}

/// One version of the minutes.
#[derive(Debug, Clone)]
pub struct Minutes {
    pub version: i64,
    pub body: String,
    pub decisions: String,
    pub at: String,
}

/// A meeting as its page shows it.
#[derive(Debug, Clone)]
pub struct MeetingView {
    pub id: i64,
    pub kind: MeetingKind,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub proposal_id: i64,
    pub proposal_title: String,
    /// staff see the names; everyone the count
    pub attendees: Vec<String>,
    pub attendance: usize,
    /// newest first
    pub minutes: Vec<Minutes>,
    /// (present, for, against, passed, quorum)
    pub show: Option<(i64, i64, i64, bool, i64)>,
    pub manage: bool,
}

/// A meeting being scheduled.
#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub kind: String,
    pub title: String,
    /// `YYYY-MM-DD`
    pub held_on: String,
    pub place: String,
}

/// What staff record after the meeting.
#[derive(Debug, Clone, Default)]
pub struct MeetingRecord {
    /// one a line
    pub attendees: String,
    pub minutes: String,
    pub decisions: String,
    /// a resident meeting's show of hands, all three or none
    pub present: String,
    pub votes_for: String,
    pub against: String,
}

fn number(s: &str) -> Result<Option<i64>, AppError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .map(Some)
        .map_err(|_| invalid("人数请填数字"))
}

impl App {
    /// Schedules a meeting on a proposal on the agenda.
    pub async fn schedule_meeting(
        &self,
        who: &Principal,
        proposal_id: i64,
        m: &MeetingInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let kind: MeetingKind = m.kind.parse().map_err(invalid)?;
        let title = m.title.trim();
        let place = m.place.trim();
        if title.is_empty() || title.chars().count() > 60 || place.chars().count() > 60 {
            return Err(invalid("会议名称 1 到 60 字,地点不超过 60 字"));
        }
        let day = linli_domain::registry::parse_date(&m.held_on)
            .ok_or_else(|| invalid("请填写会议日期"))?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let p = proposals_store::by_id(&mut tx, proposal_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let scope: RegionCode = p.community_code.parse().map_err(AppError::from)?;
        require(who, Permission::ManageVotes, &scope)?;
        if p.state != ProposalState::Agenda.as_str() {
            return Err(invalid("先把议题列入议程,再安排会议"));
        }
        let id = store::insert(
            &mut tx,
            &NewMeeting {
                community_code: &p.community_code,
                proposal_id: Some(proposal_id),
                kind: kind.as_str(),
                title,
                held_on: &day.to_string(),
                place,
                by: who.user_id,
                now,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "meeting.schedule",
                format!("meeting:{id}"),
                format!("proposal={proposal_id} kind={}", kind.as_str()),
            ),
            now,
        )
        .await?;
        super::notify::proposal(
            &mut tx,
            proposal_id,
            p.author_user,
            true,
            &format!("会议通知:{title}"),
            &format!("{} {}", day, place),
            now,
        )
        .await?;
        tx.commit().await?;
        self.ring();
        Ok(id)
    }

    /// Records a meeting: attendees, a new version of the minutes, and for
    /// a resident meeting the show of hands, which decides the proposal
    /// (adopted; or rejected when enough were present and it fell short).
    pub async fn record_meeting(
        &self,
        who: &Principal,
        id: i64,
        r: &MeetingRecord,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let attendees = parse_attendees(&r.attendees).map_err(invalid)?;
        let body = r.minutes.trim();
        let decisions = r.decisions.trim();
        if body.is_empty() || body.chars().count() > 5000 || decisions.chars().count() > 2000 {
            return Err(invalid(
                "会议纪要必填,不超过 5000 字;决定事项不超过 2000 字",
            ));
        }
        let show = match (
            number(&r.present)?,
            number(&r.votes_for)?,
            number(&r.against)?,
        ) {
            (None, None, None) => None,
            (Some(p), Some(f), Some(a)) => Some((p, f, a)),
            _ => return Err(invalid("举手表决请同时填写到会、赞成、反对人数")),
        };
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        store::lock(&mut tx, id).await?;
        let m = store::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let scope: RegionCode = m.community_code.parse().map_err(AppError::from)?;
        require(who, Permission::ManageVotes, &scope)?;
        let kind: MeetingKind = m.kind.parse().map_err(invalid)?;
        let mut moved = None;
        if let Some((present, f, a)) = show {
            if !kind.decides() {
                return Err(invalid("只有居民会议、居民代表会议举手表决"));
            }
            if m.show.is_some() {
                return Err(invalid("这次会议已记录过表决结果"));
            }
            let (_, quorum) = self.deliberation_rules(&mut tx, &m.community_code).await?;
            let passed = meeting_decides(present, f, a, quorum).map_err(invalid)?;
            if !store::set_show(&mut tx, id, present, f, a).await? {
                return Err(invalid("这次会议已记录过表决结果"));
            }
            if let Some(pid) = m.proposal_id {
                let to = if passed {
                    Some(ProposalState::Adopted)
                } else if present >= quorum {
                    Some(ProposalState::Rejected)
                } else {
                    None
                };
                if let Some(to) = to {
                    let answer = format!(
                        "{}:到会 {present} 人,赞成 {f} 人,反对 {a} 人",
                        kind.label_zh()
                    );
                    proposals_store::set_state(
                        &mut tx,
                        pid,
                        ProposalState::Agenda.as_str(),
                        to.as_str(),
                        Some(&answer),
                        now,
                    )
                    .await?;
                    moved = Some(to);
                }
            }
        }
        store::set_attendees(&mut tx, id, &attendees).await?;
        let v = store::add_minutes(&mut tx, id, body, decisions, who.user_id, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "meeting.record",
                format!("meeting:{id}"),
                format!(
                    "minutes_v={v} attendees={} decided={}",
                    attendees.len(),
                    moved.map_or("-", |s| s.as_str())
                ),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The meetings of a proposal the caller sees.
    pub async fn meetings_of(
        &self,
        who: &Principal,
        proposal_id: i64,
    ) -> Result<Vec<MeetingCard>, AppError> {
        // seeing the proposal is seeing its meetings
        let mut conn = self.db.conn().await?;
        self.seen_proposal(&mut conn, who, proposal_id).await?;
        meeting_cards(&mut conn, proposal_id).await
    }

    /// One meeting as the caller may see it.
    pub async fn meeting(&self, who: &Principal, id: i64) -> Result<MeetingView, AppError> {
        let mut conn = self.db.conn().await?;
        let m = store::by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let pid = m.proposal_id.ok_or(AppError::NotFound)?;
        let (p, viewer) = self.seen_proposal(&mut conn, who, pid).await?;
        let manage = viewer.manage;
        let names = store::attendees(&mut conn, id).await?;
        let (_, quorum) = self
            .deliberation_rules(&mut conn, &m.community_code)
            .await?;
        let minutes = store::minutes(&mut conn, id)
            .await?
            .into_iter()
            .map(|(version, body, decisions, at)| Minutes {
                version,
                body,
                decisions,
                at: linli_domain::time::beijing_minute(linli_domain::time::UnixMs(at)),
            })
            .collect();
        Ok(MeetingView {
            id,
            kind: m.kind.parse().map_err(invalid)?,
            title: m.title,
            held_on: m.held_on,
            place: m.place,
            proposal_id: pid,
            proposal_title: p.title,
            attendance: names.len(),
            attendees: if manage { names } else { Vec::new() },
            minutes,
            show: m
                .show
                .map(|(pr, f, a)| (pr, f, a, pr >= quorum && f * 2 > pr, quorum)),
            manage,
        })
    }
}

/// A proposal's meetings in its timeline.
pub(super) async fn meeting_cards(
    conn: &mut linli_store::Conn,
    proposal_id: i64,
) -> Result<Vec<MeetingCard>, AppError> {
    let minuted = store::minuted(conn, proposal_id).await?;
    store::of_proposal(conn, proposal_id)
        .await?
        .into_iter()
        .map(|m| {
            Ok(MeetingCard {
                has_minutes: minuted.contains(&m.id),
                id: m.id,
                kind: m.kind.parse().map_err(invalid)?,
                title: m.title,
                held_on: m.held_on,
            })
        })
        .collect()
}
