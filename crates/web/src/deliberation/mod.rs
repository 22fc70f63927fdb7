//! 议事协商 pages: proposals, meetings, the owners' register, owners' votes, cost shares.

mod board;
mod owners;
mod proposals;
pub(crate) mod votes;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    votes::routes()
        .merge(owners::routes())
        .merge(proposals::routes())
        .merge(board::routes())
}

pub(crate) use crate::http::util::Fields;
