//! Back-dated history: a report, a step or a rating at a given instant,
//! each in its own transaction. For seeding and for tests that need months
//! of history (the dashboard's recount); nothing over HTTP reaches these —
//! there every step happens now.

use super::{CaseRow, NewCase, StepInput};
use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError};
use linli_domain::cases::{Rating, Step};
use linli_domain::time::UnixMs;

impl App {
    /// Files `input` as reported by `who` at `at`.
    pub async fn submit_case_at(
        &self,
        who: &Principal,
        input: &NewCase,
        actor: &Actor,
        at: UnixMs,
    ) -> Result<CaseRow, AppError> {
        let mut tx = self.db.begin().await?;
        let (c, _) = self.submit_in(&mut tx, Some(who), input, actor, at).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Takes `step` on case `id` as `who` at `at`.
    pub async fn case_step_at(
        &self,
        who: &Principal,
        id: i64,
        step: Step,
        input: &StepInput,
        actor: &Actor,
        at: UnixMs,
    ) -> Result<CaseRow, AppError> {
        let mut tx = self.db.begin().await?;
        let c = self
            .step_in(&mut tx, who, id, step, input, &[], actor, at)
            .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// The reporter's rating of case `id` at `at`.
    pub async fn rate_case_at(
        &self,
        who: &Principal,
        id: i64,
        rating: Rating,
        actor: &Actor,
        at: UnixMs,
    ) -> Result<CaseRow, AppError> {
        let mut tx = self.db.begin().await?;
        let c = self
            .rate_in(&mut tx, who, id, (rating, ""), actor, at)
            .await?;
        tx.commit().await?;
        Ok(c)
    }
}
