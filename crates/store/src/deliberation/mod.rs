//! 民主协商: proposals and their supports, meetings and minutes, the
//! owners' register, owners' votes (roll, who took part, the count per
//! option), cost shares.

pub mod costs;
pub mod discussion;
pub mod meetings;
pub mod owners;
pub mod proposals;
pub mod votes;
