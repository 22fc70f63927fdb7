//! 站内消息 — the in-app inbox: a user's notifications with the unread
//! count, marking them read, and the bell the live stream (SSE) and the
//! outbound webhook wait on. The bell rings after a commit that may have
//! added notifications; a listener then asks the database what changed,
//! so nothing is shown before it is durable and a missed ring only
//! delays, never loses, a notification.

pub mod outbound;

use crate::accounts::auth::Principal;
use crate::{App, AppError};
use linli_store::notifications as store;
pub use linli_store::notifications::{Notification, NotificationGroup, Outgoing};
use std::sync::Arc;
use tokio::sync::watch;

/// How many notifications the inbox lists.
const INBOX_LIMIT: i64 = 50;

/// The bell: a counter bumped after each commit that notifies someone.
#[derive(Debug, Clone)]
pub(crate) struct Bell(Arc<watch::Sender<u64>>);

impl Default for Bell {
    fn default() -> Bell {
        Bell(Arc::new(watch::Sender::new(0)))
    }
}

/// What the inbox badge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxState {
    pub unread: i64,
    /// the newest notification's id (0 when none): a change means news
    pub newest: i64,
}

impl App {
    /// The caller's in-app notifications, newest first, and the unread count.
    pub async fn notifications(
        &self,
        who: &Principal,
    ) -> Result<(Vec<Notification>, i64), AppError> {
        let mut conn = self.db.conn().await?;
        Ok(store::notifications_of(&mut conn, who.user_id, INBOX_LIMIT).await?)
    }

    /// The caller's notifications grouped by what they are about (a case,
    /// a notice), newest first, and the unread count.
    pub async fn notification_groups(
        &self,
        who: &Principal,
    ) -> Result<(Vec<NotificationGroup>, i64), AppError> {
        let mut conn = self.db.conn().await?;
        let groups = store::groups_of(&mut conn, who.user_id, INBOX_LIMIT).await?;
        Ok((groups, store::unread(&mut conn, who.user_id).await?))
    }

    /// Marks read the caller's notifications about the same thing as `id`,
    /// and returns that notification (to follow its link); another user's
    /// id finds nothing.
    pub async fn open_notification(
        &self,
        who: &Principal,
        id: i64,
    ) -> Result<Option<Notification>, AppError> {
        let mut conn = self.db.conn().await?;
        let found = store::by_id(&mut conn, who.user_id, id).await?;
        if found.is_some() {
            store::mark_group_read(&mut conn, who.user_id, id, crate::now()).await?;
            self.ring();
        }
        Ok(found)
    }

    /// The unread count and newest id, for the badge and the live stream.
    pub async fn inbox_state(&self, who: &Principal) -> Result<InboxState, AppError> {
        let (unread, newest) = store::inbox_state(&mut *self.db.conn().await?, who.user_id).await?;
        Ok(InboxState { unread, newest })
    }

    /// Marks one of the caller's notifications read (or all of them with
    /// `None`); returns how many changed. Another user's id changes nothing.
    pub async fn mark_read(&self, who: &Principal, id: Option<i64>) -> Result<u64, AppError> {
        let mut conn = self.db.conn().await?;
        let n = store::mark_read(&mut conn, who.user_id, id, crate::now()).await?;
        self.ring();
        Ok(n)
    }

    /// Rings the bell: listeners re-read what they show.
    pub(crate) fn ring(&self) {
        self.bell.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that sees each ring (coalesced: a slow listener sees the
    /// latest, not every one).
    pub fn bell(&self) -> watch::Receiver<u64> {
        self.bell.0.subscribe()
    }
}
