//! 审计日志 — the append-only audit log and its hash chain.
//!
//! Each record carries the hash of the one before it; the hash (SM3, as
//! GB/T 39786 expects) covers every field, so changing a record breaks its
//! own hash, deleting one leaves a gap in the sequence, and cutting the
//! tail no longer matches the chain head kept beside the log.

use crate::time::UnixMs;
use serde::Serialize;
use sm3::{Digest, Sm3};

/// The hash before the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether the audited action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Failed,
    Denied,
}

impl Outcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Ok, Outcome::Failed, Outcome::Denied]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// What happened, as the caller describes it (before it has a place in the chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub actor_id: Option<i64>,
    /// The account name as typed or known (for failed logins: what was typed).
    pub actor_name: String,
    /// A dotted verb: `auth.login`, `user.create`, `role.grant` …
    pub action: String,
    /// What it was done to, e.g. `user:12`.
    pub object: String,
    pub outcome: Outcome,
    /// The source address (IP) of the request, or `cli`.
    pub source: String,
    /// Free text without personal data.
    pub detail: String,
}

/// A record in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: UnixMs,
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of record `seq` at `at` with `event`, following `prev_hash`.
/// Every field is length-prefixed so no two records can serialise alike.
pub fn record_hash(prev_hash: &str, seq: i64, at: UnixMs, e: &AuditEvent) -> String {
    let mut h = Sm3::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(prev_hash.as_bytes());
    field(&seq.to_be_bytes());
    field(&at.0.to_be_bytes());
    field(&e.actor_id.unwrap_or(-1).to_be_bytes());
    field(e.actor_name.as_bytes());
    field(e.action.as_bytes());
    field(e.object.as_bytes());
    field(e.outcome.as_str().as_bytes());
    field(e.source.as_bytes());
    field(e.detail.as_bytes());
    hex::encode(h.finalize())
}

/// Where the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("record {found} follows record {previous}: records in between are missing")]
    Gap { previous: i64, found: i64 },
    #[error("record {seq} does not point at the hash of the record before it")]
    BrokenLink { seq: i64 },
    #[error("record {seq} was changed: its content no longer matches its hash")]
    Altered { seq: i64 },
    #[error(
        "the chain head says {head_seq} records but the log ends at {last_seq}: records were removed from the end"
    )]
    Truncated { head_seq: i64, last_seq: i64 },
    #[error("the chain head hash does not match the last record")]
    HeadMismatch,
}

/// Checks records one by one in sequence order, so a log of any length is
/// verified in constant memory.
#[derive(Debug)]
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            last_seq: 0,
            last_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainBreak> {
        if r.seq != self.last_seq + 1 {
            return Err(ChainBreak::Gap {
                previous: self.last_seq,
                found: r.seq,
            });
        }
        if r.prev_hash != self.last_hash {
            return Err(ChainBreak::BrokenLink { seq: r.seq });
        }
        if record_hash(&r.prev_hash, r.seq, r.at, &r.event) != r.hash {
            return Err(ChainBreak::Altered { seq: r.seq });
        }
        self.last_seq = r.seq;
        self.last_hash.clone_from(&r.hash);
        Ok(())
    }

    /// Compares the end of the log with the stored head; returns the count.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        if head_seq != self.last_seq {
            return Err(ChainBreak::Truncated {
                head_seq,
                last_seq: self.last_seq,
            });
        }
        if head_hash != self.last_hash {
            return Err(ChainBreak::HeadMismatch);
        }
        Ok(self.last_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str) -> AuditEvent {
        AuditEvent {
            actor_id: Some(1),
            actor_name: "admin".into(),
            action: action.into(),
            object: "user:1".into(),
            outcome: Outcome::Ok,
            source: "127.0.0.1".into(),
            detail: String::new(),
        }
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let e = event(&format!("a{seq}"));
                let hash = record_hash(&prev, seq, UnixMs(seq * 10), &e);
                let r = AuditRecord {
                    seq,
                    at: UnixMs(seq * 10),
                    event: e,
                    prev_hash: prev.clone(),
                    hash,
                };
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn verify(records: &[AuditRecord], head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for r in records {
            v.push(r)?;
        }
        v.finish(head_seq, head_hash)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, 5, &c[4].hash), Ok(5));
        assert_eq!(verify(&[], 0, GENESIS_HASH), Ok(0));
    }

    #[test]
    fn tampering_is_found() {
        let c = chain(5);
        let head = c[4].hash.clone();

        let mut changed = c.clone();
        changed[2].event.outcome = Outcome::Failed;
        assert_eq!(
            verify(&changed, 5, &head),
            Err(ChainBreak::Altered { seq: 3 })
        );

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, 5, &head),
            Err(ChainBreak::Gap {
                previous: 1,
                found: 3
            })
        );

        assert_eq!(
            verify(&c[..4], 5, &head),
            Err(ChainBreak::Truncated {
                head_seq: 5,
                last_seq: 4
            })
        );

        // rewriting a record together with its own hash breaks the next link
        let mut rehashed = c.clone();
        rehashed[1].event.detail = "edited".into();
        rehashed[1].hash = record_hash(
            &rehashed[1].prev_hash,
            2,
            rehashed[1].at,
            &rehashed[1].event,
        );
        assert_eq!(
            verify(&rehashed, 5, &head),
            Err(ChainBreak::BrokenLink { seq: 3 })
        );
    }

    #[test]
    fn fields_cannot_shift_into_each_other() {
        let mut a = event("x");
        a.actor_name = "ab".into();
        a.action = "c".into();
        let mut b = a.clone();
        b.actor_name = "a".into();
        b.action = "bc".into();
        assert_ne!(
            record_hash(GENESIS_HASH, 1, UnixMs(0), &a),
            record_hash(GENESIS_HASH, 1, UnixMs(0), &b)
        );
    }
}
