//! 公开栏: one community's deliberation in public — proposals with their
//! supports, answers, meetings and ratings; owners' votes with turnout and,
//! once closed, the count and each threshold; money raised and paid (art.
//! 281). Aggregates only: no names, no rooms, never who voted how. It is
//! what the lobby poster's QR code opens, so it needs no account.

use super::costs::{PlanView, plan_of};
use super::votes::{OptionCount, VerdictView, result_of};
use crate::{App, AppError};
use linli_domain::access::RegionCode;
use linli_domain::deliberation::VoteState;
use linli_domain::deliberation::proposals::ProposalState;
use linli_domain::deliberation::rules::{Item, area_text};
use linli_domain::deliberation::shares::yuan_text;
use linli_store::deliberation::proposals as proposals_store;
use linli_store::deliberation::votes as votes_store;

#[derive(Debug, Clone)]
pub struct BoardProposal {
    pub id: i64,
    pub title: String,
    pub scope_name: String,
    pub state: ProposalState,
    pub supports: i64,
    pub answer: Option<String>,
    pub meetings: usize,
    pub rating: Option<String>,
    pub ratings: i64,
    /// the newest progress of an adopted matter, and the money spent
    pub progress: Option<String>,
    pub spent: String,
}

#[derive(Debug, Clone)]
pub struct BoardVote {
    pub id: i64,
    pub title: String,
    pub scope_name: String,
    pub item: Item,
    pub state: VoteState,
    pub heads_part: i64,
    pub heads_total: i64,
    pub area_part: String,
    pub area_total: String,
    pub counts: Vec<OptionCount>,
    pub verdicts: Vec<VerdictView>,
    pub money: Option<PlanView>,
}

#[derive(Debug, Clone)]
pub struct BoardView {
    pub community: String,
    pub proposals: Vec<BoardProposal>,
    pub votes: Vec<BoardVote>,
}

impl App {
    /// The public board of a community (404 for a code that is not one).
    pub async fn board(&self, code: &str) -> Result<BoardView, AppError> {
        let code: RegionCode = code.parse().map_err(|_| AppError::NotFound)?;
        if code.community().as_ref() != Some(&code) || code.is_grid() {
            return Err(AppError::NotFound);
        }
        let mut conn = self.db.conn().await?;
        let region = linli_store::territory::regions::get(&mut conn, &code)
            .await?
            .ok_or(AppError::NotFound)?;
        let prefix = [code.as_str().to_owned()];
        // grouped figures: the page needs no account, so it costs a fixed
        // number of statements, not a few per matter
        let figures = proposals_store::board_figures(&mut conn, code.as_str()).await?;
        let turnouts = votes_store::turnouts(&mut conn, code.as_str()).await?;
        let proposals = proposals_store::in_communities(&mut conn, &prefix)
            .await?
            .into_iter()
            .map(|p| {
                let f = figures.get(&p.id).cloned().unwrap_or_default();
                BoardProposal {
                    id: p.id,
                    meetings: usize::try_from(f.meetings).unwrap_or(0),
                    title: p.title,
                    scope_name: p.scope_name,
                    state: p.state.parse().unwrap_or(ProposalState::Seeking),
                    supports: p.supports,
                    answer: p.answer,
                    rating: (f.ratings > 0)
                        .then(|| format!("{:.1}", f.score_sum as f64 / f.ratings as f64)),
                    ratings: f.ratings,
                    progress: f.progress,
                    spent: yuan_text(f.spent_fen),
                }
            })
            .collect();
        let mut votes = Vec::new();
        for v in votes_store::votes_in(&mut conn, &prefix).await? {
            let state: VoteState = v.state.parse().unwrap_or(VoteState::Draft);
            if state == VoteState::Draft {
                continue;
            }
            let item = Item::new(v.item).map_err(super::invalid)?;
            let turnout = turnouts.get(&v.id).copied().unwrap_or((0, 0));
            let (counts, vs) = result_of(&mut conn, &v, item, turnout).await?;
            votes.push(BoardVote {
                id: v.id,
                money: plan_of(&mut conn, v.id, false, None).await?,
                title: v.title,
                scope_name: v.scope_name,
                item,
                state,
                heads_part: turnout.1,
                heads_total: v.heads_total,
                area_part: area_text(turnout.0),
                area_total: area_text(v.area_total),
                counts,
                verdicts: vs,
            });
        }
        Ok(BoardView {
            community: region.name,
            proposals,
            votes,
        })
    }
}
