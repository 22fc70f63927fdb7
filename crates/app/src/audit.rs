//! 审计 — verifying the audit log's hash chain.

use crate::{App, AppError};
use linli_domain::audit::{ChainBreak, ChainVerifier};
use linli_store::{StoreError, audit};

/// The result of a verification that could read the log.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainReport {
    Intact { records: i64 },
    Broken(ChainBreak),
}

impl App {
    /// Walks the whole audit log in sequence order, a page at a time.
    pub async fn verify_audit_chain(&self) -> Result<ChainReport, AppError> {
        const PAGE: i64 = 5_000;
        let mut conn = self.db.conn().await?;
        let mut verifier = ChainVerifier::default();
        let mut after = 0;
        loop {
            let page = match audit::page(&mut conn, after, PAGE).await {
                Ok(p) => p,
                Err(StoreError::Corrupt(what)) => {
                    tracing::warn!(%what, "unreadable audit record");
                    return Ok(ChainReport::Broken(ChainBreak::Altered { seq: after + 1 }));
                }
                Err(e) => return Err(e.into()),
            };
            let Some(last) = page.last() else { break };
            after = last.seq;
            for r in &page {
                if let Err(b) = verifier.push(r) {
                    return Ok(ChainReport::Broken(b));
                }
            }
        }
        let (seq, hash) = audit::head(&mut conn).await?;
        Ok(match verifier.finish(seq, &hash) {
            Ok(records) => ChainReport::Intact { records },
            Err(b) => ChainReport::Broken(b),
        })
    }
}
