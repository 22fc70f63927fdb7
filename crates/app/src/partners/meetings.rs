//! 联席会议 / 月坛季会: the 大党委's meetings with its partner units. They
//! are deliberation's meetings (kind `joint`, on no proposal), so minutes
//! are kept by version the same way; what is partners' own is the agenda
//! (open needs), the projects decided there, and the follow-up of what
//! earlier meetings decided.

use super::projects::line as project_line;
use super::{community_code, invalid, manages, reads};
use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::deliberation::proposals::{MeetingKind, parse_attendees};
use linli_domain::partners as rules;
use linli_domain::time::{UnixMs, beijing_minute};
use linli_store::Conn;
use linli_store::audit;
use linli_store::deliberation::meetings::{self as mstore, NewMeeting};
use linli_store::partners::needs as nstore;
use linli_store::partners::projects as pstore;

/// A joint meeting being called.
#[derive(Debug, Clone, Default)]
pub struct JointMeetingInput {
    pub community: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    /// the needs on its agenda
    pub needs: Vec<i64>,
}

/// A joint meeting in a list.
#[derive(Debug, Clone)]
pub struct MeetingLine {
    pub id: i64,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub agenda: i64,
    pub minuted: bool,
}

/// A joint meeting's page.
#[derive(Debug, Clone)]
pub struct JointMeetingView {
    pub id: i64,
    pub community_code: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub agenda: Vec<super::NeedLine>,
    pub attendees: Vec<String>,
    /// newest first: (version, minutes, decisions, written at)
    pub minutes: Vec<(i64, String, String, String)>,
    pub decided: Vec<super::ProjectLine>,
    /// what earlier meetings decided, and where it stands
    pub follow_up: Vec<super::ProjectLine>,
    /// the units accepted in the community, for a project's lead: (id, name)
    pub units: Vec<(i64, String)>,
    pub staff: bool,
}

pub(super) async fn lines(
    conn: &mut Conn,
    prefixes: &[String],
) -> Result<Vec<MeetingLine>, AppError> {
    Ok(nstore::joint_meetings(conn, prefixes)
        .await?
        .into_iter()
        .map(|m| MeetingLine {
            id: m.id,
            title: m.title,
            held_on: m.held_on,
            place: m.place,
            agenda: m.agenda,
            minuted: m.minuted,
        })
        .collect())
}

impl App {
    /// Calls a joint meeting with open needs of the community on its agenda.
    pub async fn call_joint_meeting(
        &self,
        who: &Principal,
        m: &JointMeetingInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let code = community_code(&m.community)?;
        if !manages(who, &code)? {
            return Err(AppError::Forbidden);
        }
        let title = rules::text("会议名称", &m.title, 60)?;
        let place = rules::text("会议地点", &m.place, 60)?;
        let day = rules::date("会议日期", &m.held_on)?;
        if m.needs.len() > 30 {
            return Err(invalid("一次会议最多议 30 项需求"));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        for n in &m.needs {
            let need = nstore::by_id(&mut tx, *n)
                .await?
                .ok_or(AppError::NotFound)?;
            if need.community_code != code || !super::needs::state_of(&need.state).awaits_project()
            {
                return Err(invalid("议题只能是本社区待对接的需求"));
            }
        }
        let id = mstore::insert(
            &mut tx,
            &NewMeeting {
                community_code: &code,
                proposal_id: None,
                kind: MeetingKind::Joint.as_str(),
                title: &title,
                held_on: &day,
                place: &place,
                by: who.user_id,
                now,
            },
        )
        .await?;
        nstore::put_on_agenda(&mut tx, id, &m.needs).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.meeting",
                format!("meeting:{id}"),
                format!("{code} agenda={}", m.needs.len()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A joint meeting: staff and readers of its community.
    pub async fn joint_meeting(
        &self,
        who: &Principal,
        id: i64,
    ) -> Result<JointMeetingView, AppError> {
        let mut conn = self.db.conn().await?;
        let m = mstore::by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if m.kind != MeetingKind::Joint.as_str()
            || m.proposal_id.is_some()
            || !reads(who, &m.community_code)?
        {
            return Err(AppError::NotFound);
        }
        let staff = manages(who, &m.community_code)?;
        let agenda = nstore::agenda(&mut conn, id)
            .await?
            .into_iter()
            .map(super::needs::line)
            .collect();
        let minutes = mstore::minutes(&mut conn, id)
            .await?
            .into_iter()
            .map(|(v, b, d, at)| (v, b, d, beijing_minute(UnixMs(at))))
            .collect();
        let decided = pstore::of_meeting(&mut conn, id)
            .await?
            .into_iter()
            .map(project_line)
            .collect();
        let follow_up = pstore::decided_before(&mut conn, &m.community_code, id, &m.held_on)
            .await?
            .into_iter()
            .map(project_line)
            .collect();
        let units = linli_store::partners::units::reports_in(
            &mut conn,
            std::slice::from_ref(&m.community_code),
        )
        .await?
        .into_iter()
        .filter(|r| r.state == "accepted")
        .map(|r| (r.unit.id, r.unit.name))
        .collect();
        Ok(JointMeetingView {
            attendees: mstore::attendees(&mut conn, id).await?,
            id,
            community_code: m.community_code,
            title: m.title,
            held_on: m.held_on,
            place: m.place,
            agenda,
            minutes,
            decided,
            follow_up,
            units,
            staff,
        })
    }

    /// Records a joint meeting: who came (units' representatives by name)
    /// and a new version of the minutes and decisions.
    pub async fn record_joint_meeting(
        &self,
        who: &Principal,
        id: i64,
        attendees: &str,
        minutes: &str,
        decisions: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let names = parse_attendees(attendees).map_err(invalid)?;
        let body = rules::text("会议纪要", minutes, 5000)?;
        let decisions = rules::optional("决定事项", decisions, 2000)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        mstore::lock(&mut tx, id).await?;
        let m = mstore::by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if m.kind != MeetingKind::Joint.as_str() || m.proposal_id.is_some() {
            return Err(AppError::NotFound);
        }
        if !manages(who, &m.community_code)? {
            return Err(AppError::Forbidden);
        }
        mstore::set_attendees(&mut tx, id, &names).await?;
        let v = mstore::add_minutes(&mut tx, id, &body, &decisions, who.user_id, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.minutes",
                format!("meeting:{id}"),
                format!("minutes_v={v} attendees={}", names.len()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
