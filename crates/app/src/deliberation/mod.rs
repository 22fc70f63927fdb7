//! 业主共同决定 (issue 22, first part): the owners' register, and owners'
//! votes under Civil Code art. 278 — drafted and opened by community staff
//! on a roll frozen at opening, ballots online by the owner's own account
//! or entered by staff from paper or a proxy's authorisation, one per
//! owner across channels, counted by area and by heads. Ballots are
//! secret: who took part is kept apart from what was chosen, and the
//! count is shown only once the vote is closed.

mod ballots;
mod board;
mod costs;
mod discussion;
mod meetings;
mod notify;
mod owners;
mod proposals;
mod votes;

pub use ballots::BallotInput;
pub use board::{BoardProposal, BoardView, BoardVote};
pub use costs::{CostInput, FloorLine, PlanView, ShareLine};
pub use discussion::{CommentView, ProgressLine};
pub use meetings::{MeetingCard, MeetingInput, MeetingRecord, MeetingView, Minutes};
pub use owners::{OwnerInput, RegisterLine, RegisterView};
pub use proposals::{ProposalCard, ProposalInput, ProposalPage, ProposalView};
pub use votes::{
    NewVoteInput, OptionCount, RollLine, ScopeChoice, VerdictView, VoteCard, VoteView,
};

use crate::AppError;

fn invalid(e: impl ToString) -> AppError {
    AppError::Invalid(e.to_string())
}
