//! 共建单位: units and their accounts, 单位报到, agreements, resources
//! (`units`); needs and the meetings that took them up (`needs`);
//! projects with their progress, funding lines, evaluations and the
//! year's roll-up (`projects`).

pub mod needs;
pub mod photos;
pub mod projects;
pub mod units;
