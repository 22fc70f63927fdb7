//! 业主表决 pages: the owners' register, owners' votes and their results.

mod owners;
mod votes;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    votes::routes().merge(owners::routes())
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
