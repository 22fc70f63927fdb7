//! 业主共同决定: the owners' register and owners' votes (roll, who took
//! part, the count per option).

pub mod costs;
pub mod owners;
pub mod votes;
