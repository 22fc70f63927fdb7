//! 诉求 — the request loop's rules (DESIGN.md §4, GB/T 30428): the case
//! state machine, what each step adds to the roll-ups, the indicators
//! computed from them, deadlines in working days and the named values a
//! case carries. Pure functions; storage and routing live in the store and
//! the services.

mod calendar;
pub mod compare;
mod deadline;
mod indicators;
mod kinds;
pub mod media;
pub mod photo;
pub mod publish;
pub mod setup;
mod state;
pub mod suggest;
mod tally;
pub mod whistle;

pub use calendar::{Calendar, DayKind, Sla, china_date, date_key, day_key, due_at, time_left};
pub use deadline::{DueFlag, NEAR_DUE_PERCENT, due_flag, near_due_at};
pub use indicators::{Counts, Figure, Indicators, SatisfactionWeights, figures, ratio};
pub use kinds::{CaseKind, Channel, HandlerKind, Priority, case_number};
pub use state::{CaseError, CaseState, Rating, Step, apply, reopens};
pub use tally::{
    CaseFacts, Counter, LoopPolicy, child_depth, rollup_scopes, tally, tally_rating, tally_ratings,
};
