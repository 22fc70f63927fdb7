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
        let database = linli_store::integrity::problems(&mut *self.db.conn().await?).await?;
        let chain = match self.verify_audit_chain().await? {
            ChainReport::Intact { .. } => Vec::new(),
            ChainReport::Broken(b) => vec![b.to_string()],
        };
        let photos = self.photos_missing().await?;
        Ok(CheckReport {
            checks: vec![
                ("database", database),
                ("audit chain", chain),
                ("photos", photos),
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
