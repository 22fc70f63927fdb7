//! 诉求 — the request loop's rules (DESIGN.md §4, GB/T 30428): the case
//! state machine and the indicators computed from counted facts. Pure
//! functions; storage, deadlines in working days and routing come with the
//! rest of the requests module.

mod indicators;
mod state;

pub use indicators::{Counts, Indicators, SatisfactionWeights, ratio};
pub use state::{CaseError, CaseState, Rating, Step, apply, reopens};
