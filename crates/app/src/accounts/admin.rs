//! Account administration: what community secretaries, street and
//! district administrators do for the accounts in their scope, and what
//! security administrators do about lockouts. Every action is audited.

use crate::{Actor, App, AppError, event};
use linli_domain::accounts::Username;
use linli_store::{accounts::throttle, audit};

impl App {
    /// Clears every failed-login lock on the name `username` (from any
    /// source); how many were cleared.
    pub async fn unlock_logins(&self, username: &str, actor: &Actor) -> Result<u64, AppError> {
        let name: Username = username.parse()?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let cleared = throttle::clear_name(&mut tx, name.as_str()).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "user.unlock",
                format!("login:{}", name.as_str()),
                format!("cleared={cleared}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(cleared)
    }
}
