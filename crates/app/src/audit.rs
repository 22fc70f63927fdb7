//! 审计 — verifying the audit log's hash chain.

use crate::{App, AppError};
use linli_domain::audit::{AuditEvent, AuditRecord, ChainBreak, ChainVerifier, Outcome};
use linli_store::{StoreError, audit};

/// The result of a verification that could read the log.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainReport {
    Intact { records: i64 },
    Broken(ChainBreak),
}

impl App {
    /// A page of the audit log, newest first, for an auditor (三权分立).
    /// Reading it is itself audited.
    pub async fn audit_log_page(
        &self,
        who: &crate::accounts::auth::Principal,
        before_seq: Option<i64>,
        limit: i64,
        source: &str,
    ) -> Result<Vec<AuditRecord>, AppError> {
        if !linli_domain::access::can_read_audit_log(&who.grants) {
            return Err(AppError::Forbidden);
        }
        let limit = limit.clamp(1, 200);
        let mut tx = self.db.begin().await?;
        let records = audit::before(&mut tx, before_seq.unwrap_or(i64::MAX), limit).await?;
        let event = AuditEvent {
            actor_id: Some(who.user_id),
            actor_name: who.username.clone(),
            action: "audit.read".to_owned(),
            object: "audit_log".to_owned(),
            outcome: Outcome::Ok,
            source: source.to_owned(),
            detail: format!(
                "before={} limit={limit}",
                before_seq.map_or("-".to_owned(), |s| s.to_string())
            ),
        };
        audit::append(&mut tx, event, crate::now()).await?;
        tx.commit().await?;
        Ok(records)
    }

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
