//! `linli check`: the database's own integrity, the audit chain, the
//! case photos in the object store and the ledger of hours and points,
//! each with what it found.

use crate::audit::ChainReport;
use crate::{App, AppError};

/// What `linli check` found: each check by name with its problems.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    pub checks: Vec<(&'static str, Vec<String>)>,
}

impl CheckReport {
    /// Whether every check came out clean.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|(_, p)| p.is_empty())
    }
}

impl App {
    /// Checks the database's own integrity (pages, indexes, foreign keys),
    /// the audit chain and the case photos in the object store. Roll-ups
    /// against a recount are not checked yet.
    pub async fn check(&self) -> Result<CheckReport, AppError> {
        let database = linli_store::ops::integrity::problems(&mut *self.db.conn().await?).await?;
        let chain = match self.verify_audit_chain().await? {
            ChainReport::Intact { .. } => Vec::new(),
            ChainReport::Broken(b) => vec![b.to_string()],
        };
        let photos = self.photos_missing().await?;
        let ledger = ledger_problems(&self.ledger_health().await?);
        Ok(CheckReport {
            checks: vec![
                ("database", database),
                ("audit chain", chain),
                ("photos", photos),
                ("points ledger", ledger),
            ],
        })
    }

    /// Photos the cases name that the object store lacks or holds at
    /// another size (the first 50, then how many more).
    async fn photos_missing(&self) -> Result<Vec<String>, AppError> {
        const SHOWN: usize = 50;
        let stored: std::collections::HashMap<String, u64> =
            self.blobs.sizes("photos").await?.into_iter().collect();
        let mut conn = self.db.conn().await?;
        let (mut after, mut out, mut more) = (0, Vec::new(), 0usize);
        loop {
            let page = linli_store::cases::photos::keys_after(&mut conn, after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.0;
            for (id, key, bytes) in page {
                let problem = match stored.get(&key) {
                    None => format!("photo {id} ({key}) is not in the object store"),
                    Some(size) if i64::try_from(*size).ok() != Some(bytes) => {
                        format!("photo {id} ({key}) is {size} bytes, {bytes} recorded")
                    }
                    Some(_) => continue,
                };
                if out.len() < SHOWN {
                    out.push(problem);
                } else {
                    more += 1;
                }
            }
        }
        if more > 0 {
            out.push(format!("… and {more} more"));
        }
        Ok(out)
    }
}

/// What is wrong with the ledger of hours and points: entries that do not
/// sum to zero, transfers without their two entries, balances that are
/// not the sum of their entries.
fn ledger_problems(h: &linli_store::volunteering::ledger::LedgerHealth) -> Vec<String> {
    let mut out = Vec::new();
    if h.total != 0 {
        out.push(format!("the ledger's entries sum to {}, not 0", h.total));
    }
    out.extend(
        h.unbalanced
            .iter()
            .map(|t| format!("transfer {t} does not have its two entries")),
    );
    out.extend(
        h.drifted
            .iter()
            .map(|a| format!("account {a}'s balance is not the sum of its entries")),
    );
    out.extend(h.rollups_off.iter().map(|(c, u, have, recount)| {
        format!("the daily {u} of {c} add up to {have}, the ledger to {recount}")
    }));
    out
}
