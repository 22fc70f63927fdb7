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

/// A form's fields, read by name.
pub(crate) struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, k: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}
