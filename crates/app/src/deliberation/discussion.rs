//! 民议 民办: residents of a proposal's scope and community staff discuss
//! it (one level of replies, at most 30 comments a day each); staff hide a
//! comment with a public reason (audited) and never delete it. Staff post
//! the progress of an adopted matter — what was done and the money spent —
//! which the proposal page and the public board show.

use super::invalid;
use crate::accounts::auth::Principal;
use crate::registry::require;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, allowed};
use linli_domain::deliberation::proposals::ProposalState;
use linli_domain::deliberation::shares::{parse_yuan, yuan_text};
use linli_domain::registry::mask_name;
use linli_domain::time::{UnixMs, beijing_minute};
use linli_store::audit;
use linli_store::deliberation::discussion::{self as store, NewComment};
use linli_store::deliberation::owners as owners_store;
use linli_store::deliberation::proposals as proposals_store;
use linli_store::registry::pipl::resident_of_user;

/// Comments a user may write in a day.
const DAILY_COMMENTS: i64 = 30;

/// A comment as the page shows it.
#[derive(Debug, Clone)]
pub struct CommentView {
    pub id: i64,
    /// a resident's masked name, or 社区 and the staff member's name
    pub author: String,
    pub staff: bool,
    /// empty when hidden
    pub body: String,
    pub hidden_reason: Option<String>,
    pub at: String,
    pub replies: Vec<CommentView>,
}

/// One progress update.
#[derive(Debug, Clone)]
pub struct ProgressLine {
    pub body: String,
    pub spent: Option<String>,
    pub at: String,
}

impl App {
    /// A proposal's discussion, threaded, as the caller may see it.
    pub async fn comments(
        &self,
        who: &Principal,
        proposal_id: i64,
    ) -> Result<Vec<CommentView>, AppError> {
        let mut conn = self.db.conn().await?;
        self.seen_proposal(&mut conn, who, proposal_id).await?;
        comments_in(&mut conn, proposal_id).await
    }

    /// A comment (or a reply to a top-level one) by a resident living in
    /// the proposal's scope or by community staff.
    pub async fn comment(
        &self,
        who: &Principal,
        proposal_id: i64,
        parent: Option<i64>,
        body: &str,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let body = body.trim();
        if body.is_empty() || body.chars().count() > 500 {
            return Err(invalid("留言 1 到 500 字"));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let p = proposals_store::by_id(&mut tx, proposal_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let scope: RegionCode = p.community_code.parse().map_err(AppError::from)?;
        let staff = allowed(&who.grants, Permission::ManageVotes, &scope);
        let name = if staff {
            who.display_name.clone()
        } else {
            let rid = resident_of_user(&mut tx, who.user_id).await?;
            let here = match rid {
                Some(r) => owners_store::lives_in(&mut tx, r, &p.scope_kind, p.scope_id).await?,
                None => false,
            };
            if !here {
                // outside the scope the proposal does not exist
                return Err(AppError::NotFound);
            }
            linli_store::registry::resident_by_id(&mut tx, rid.unwrap_or_default())
                .await?
                .map_or_else(String::new, |r| r.record.name)
        };
        if let Some(pid) = parent {
            match store::comment_place(&mut tx, pid).await? {
                Some((prop, None)) if prop == proposal_id => {}
                _ => return Err(invalid("只能回复这个议题下的留言")),
            }
        }
        let day_ago = UnixMs(now.0 - 86_400_000);
        if store::comments_since(&mut tx, who.user_id, day_ago).await? >= DAILY_COMMENTS {
            return Err(AppError::TooMany("今天留言太多了,明天再来吧".into()));
        }
        let id = store::insert_comment(
            &mut tx,
            &NewComment {
                proposal_id,
                parent_id: parent,
                author_user: who.user_id,
                author_name: &name,
                staff,
                body,
                now,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "proposal.comment",
                format!("proposal:{proposal_id}"),
                format!("comment={id}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Staff hide a comment with a reason everyone reads; the text is kept.
    /// Returns the proposal.
    pub async fn hide_comment(
        &self,
        who: &Principal,
        comment_id: i64,
        reason: &str,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 100 {
            return Err(invalid("请写明隐藏的理由(100 字以内)"));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let (pid, _) = store::comment_place(&mut tx, comment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let p = proposals_store::by_id(&mut tx, pid)
            .await?
            .ok_or(AppError::NotFound)?;
        let scope: RegionCode = p.community_code.parse().map_err(AppError::from)?;
        require(who, Permission::ManageVotes, &scope)?;
        if !store::hide_comment(&mut tx, comment_id, reason, who.user_id).await? {
            return Err(invalid("这条留言已隐藏"));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "proposal.comment.hide",
                format!("proposal:{pid}"),
                format!("comment={comment_id} reason={reason}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(pid)
    }

    /// Staff post the progress of an adopted (or done) matter.
    pub async fn add_progress(
        &self,
        who: &Principal,
        proposal_id: i64,
        body: &str,
        spent: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let body = body.trim();
        if body.is_empty() || body.chars().count() > 1000 {
            return Err(invalid("进展 1 到 1000 字"));
        }
        let spent_fen = if spent.trim().is_empty() {
            0
        } else {
            parse_yuan(spent).map_err(invalid)?
        };
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let p = proposals_store::by_id(&mut tx, proposal_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let scope: RegionCode = p.community_code.parse().map_err(AppError::from)?;
        require(who, Permission::ManageVotes, &scope)?;
        if p.state != ProposalState::Adopted.as_str() && p.state != ProposalState::Done.as_str() {
            return Err(invalid("决定实施后才能记录办理进展"));
        }
        store::add_progress(&mut tx, proposal_id, body, spent_fen, who.user_id, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "proposal.progress",
                format!("proposal:{proposal_id}"),
                format!("spent_fen={spent_fen}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A matter's progress (newest first) and the money spent in all.
    pub async fn progress(
        &self,
        who: &Principal,
        proposal_id: i64,
    ) -> Result<(Vec<ProgressLine>, String), AppError> {
        let mut conn = self.db.conn().await?;
        self.seen_proposal(&mut conn, who, proposal_id).await?;
        progress_of(&mut conn, proposal_id).await
    }
}

/// The progress lines and the total spent (the board shows them too).
pub(super) async fn progress_of(
    conn: &mut linli_store::Conn,
    proposal_id: i64,
) -> Result<(Vec<ProgressLine>, String), AppError> {
    let rows = store::progress(conn, proposal_id).await?;
    let total: i64 = rows.iter().map(|r| r.1).sum();
    Ok((
        rows.into_iter()
            .map(|(body, fen, at)| ProgressLine {
                body,
                spent: (fen > 0).then(|| yuan_text(fen)),
                at: beijing_minute(UnixMs(at)),
            })
            .collect(),
        yuan_text(total),
    ))
}

/// A proposal's discussion, threaded (the caller has checked access).
pub(super) async fn comments_in(
    conn: &mut linli_store::Conn,
    proposal_id: i64,
) -> Result<Vec<CommentView>, AppError> {
    let rows = store::comments(conn, proposal_id).await?;
    let view = |c: &store::CommentRow| CommentView {
        id: c.id,
        author: if c.staff {
            format!("社区 {}", c.author_name)
        } else {
            mask_name(&c.author_name)
        },
        staff: c.staff,
        body: if c.hidden_reason.is_some() {
            String::new()
        } else {
            c.body.clone()
        },
        hidden_reason: c.hidden_reason.clone(),
        at: beijing_minute(UnixMs(c.created_at)),
        replies: Vec::new(),
    };
    let mut out: Vec<CommentView> = rows
        .iter()
        .filter(|c| c.parent_id.is_none())
        .map(view)
        .collect();
    for r in rows.iter().filter(|c| c.parent_id.is_some()) {
        if let Some(p) = out.iter_mut().find(|p| Some(p.id) == r.parent_id) {
            p.replies.push(view(r));
        }
    }
    Ok(out)
}
