//! The pluggable outbound channel for notifications (SMS / WeChat
//! gateways a deployment has): a channel delivers a batch of new
//! notifications; the pump hands it what came after the channel's cursor
//! and moves the cursor only when the channel confirms, so a gateway that
//! is down gets the same batch again later (at-least-once; each item
//! carries its id for the gateway to drop repeats).

use crate::{App, AppError};
use hmac::{KeyInit, Mac};
use linli_store::notifications as store;
pub use linli_store::notifications::Outgoing;
use std::future::Future;

/// Notifications one delivery carries at most.
pub const BATCH: i64 = 100;

/// Somewhere notifications go besides the in-app inbox.
pub trait Channel: Send + Sync {
    /// The cursor's name (one per channel).
    fn name(&self) -> &str;
    /// Delivers a batch, oldest first; an error keeps it for the next try.
    fn deliver(&self, batch: &[Outgoing]) -> impl Future<Output = Result<(), String>> + Send;
}

impl App {
    /// Hands `channel` what arrived since it last confirmed, batch by
    /// batch; returns how many it confirmed.
    pub async fn pump_outbound<C: Channel>(&self, channel: &C) -> Result<usize, AppError> {
        let mut sent = 0;
        loop {
            let mut conn = self.db.conn().await?;
            let from = store::cursor(&mut conn, channel.name()).await?;
            let batch = store::after(&mut conn, from, BATCH).await?;
            drop(conn);
            let Some(last) = batch.last().map(|o| o.item.id) else {
                return Ok(sent);
            };
            channel
                .deliver(&batch)
                .await
                .map_err(|e| AppError::Internal(format!("outbound {}: {e}", channel.name())))?;
            let mut conn = self.db.conn().await?;
            store::set_cursor(&mut conn, channel.name(), last).await?;
            sent += batch.len();
        }
    }
}

/// The signature a webhook receiver checks: HMAC-SM3 of the body under
/// the shared secret, in hex.
pub fn sign(secret: &[u8], body: &[u8]) -> Result<String, AppError> {
    let mut mac = <hmac::Hmac<sm3::Sm3> as KeyInit>::new_from_slice(secret)
        .map_err(|_| AppError::Internal("webhook secret".into()))?;
    mac.update(body);
    Ok(hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_depends_on_secret_and_body() {
        let a = sign(b"k", b"{}").unwrap();
        assert_eq!(a.len(), 64);
        assert_eq!(a, sign(b"k", b"{}").unwrap());
        assert_ne!(a, sign(b"k2", b"{}").unwrap());
        assert_ne!(a, sign(b"k", b"[]").unwrap());
    }

    #[test]
    fn the_signature_is_hmac_sm3_as_others_compute_it() {
        // known answers from an independent implementation: OpenSSL 3
        // (Python `hmac.new(key, msg, "sm3")`), whose SM3 of "abc" is the
        // GB/T 32905 vector 66c7f0f4…8f4ba8e0
        assert_eq!(
            sign(b"k", b"{}").unwrap(),
            "9647532c00bd06d31edc230cd31fe7021f2a5bdf22ace87a6c4fdbd4156ce86d"
        );
        assert_eq!(
            sign(b"gateway-secret", br#"{"notifications":[]}"#).unwrap(),
            "41ae28931745e136f3fa187baf44bb41c4c18c5e6c4d83c443151fbc2506117c"
        );
    }
}
