//! 通知公告 — staff publish notices to a community's residents (everyone,
//! one grid, or those with a care tag); each resident account in the
//! audience finds it in the inbox, opens it, and counts as having read it.
//! Staff see the read counts of the notices in their scope.

use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, allowed, scope_prefixes};
use linli_domain::notices::{Audience, check};
use linli_store::audit;
use linli_store::notices::{self as store, NewNotice};
use linli_store::registry::tags;
use linli_store::territory::places::grid_by_code;

pub use linli_store::notices::Notice;

/// How many notices a list shows.
const LIST_LIMIT: i64 = 50;

/// A notice as staff fill in the form.
#[derive(Debug, Clone)]
pub struct NoticeDraft {
    pub community: String,
    pub title: String,
    pub body: String,
    /// `all`, `grid` or `tag`
    pub audience: String,
    /// the grid's code or the tag's id
    pub audience_value: String,
    /// pictures (up to nine), re-encoded like case photos
    pub photos: Vec<crate::cases::photos::PhotoUpload>,
}

/// Where a notice belongs: its grid for a grid's notice, else its community.
fn scope_of(n: &Notice) -> Option<RegionCode> {
    match (n.audience.as_str(), n.audience_ref.as_deref()) {
        ("grid", Some(code)) => code.parse().ok(),
        _ => n.community.parse().ok(),
    }
}

/// Whether the caller publishes where the notice belongs (and so may see
/// its read counts and withdraw it).
fn manages(who: &Principal, n: &Notice) -> bool {
    scope_of(n).is_some_and(|s| allowed(&who.grants, Permission::PublishNotices, &s))
}

fn invalid(e: impl ToString) -> AppError {
    AppError::Invalid(e.to_string())
}

impl App {
    /// Publishes a notice; returns its id and how many accounts it went to.
    pub async fn publish_notice(
        &self,
        who: &Principal,
        d: &NoticeDraft,
        actor: &Actor,
    ) -> Result<(i64, i64), AppError> {
        let (title, body) = check(&d.title, &d.body).map_err(invalid)?;
        let audience = Audience::parse(&d.audience, &d.audience_value).map_err(invalid)?;
        let community: RegionCode = d
            .community
            .parse()
            .ok()
            .filter(|c: &RegionCode| c.community().as_ref() == Some(c))
            .ok_or_else(|| invalid("请选择社区"))?;
        // pictures are checked and stored before the transaction: a bad
        // one refuses the notice, and nothing is recorded
        let pictures = self.ready_photos_under("notices", &d.photos).await?;
        let mut tx = self.db.begin().await?;
        let (scope, label) = match &audience {
            Audience::All => (community.clone(), "全体居民".to_owned()),
            Audience::Grid(code) => {
                let g = grid_by_code(&mut tx, code)
                    .await?
                    .filter(|g| g.code.community().as_ref() == Some(&community))
                    .ok_or_else(|| invalid("所选网格不在本社区"))?;
                (code.clone(), format!("{}居民", g.name))
            }
            Audience::Tag(id) => {
                let t = tags(&mut tx)
                    .await?
                    .into_iter()
                    .find(|t| t.id == *id)
                    .ok_or_else(|| invalid("没有这个标签"))?;
                (community.clone(), t.name)
            }
        };
        if !allowed(&who.grants, Permission::PublishNotices, &scope) {
            return Err(AppError::Forbidden);
        }
        let (kind, reference) = audience.stored();
        let (id, sent) = store::publish(
            &mut tx,
            &NewNotice {
                community: community.as_str(),
                title: &title,
                body: &body,
                audience: kind,
                audience_ref: reference.as_deref(),
                audience_label: &label,
                author_id: Some(who.user_id),
                author_name: &who.display_name,
                now: crate::now(),
            },
        )
        .await?;
        let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
        for p in &pictures {
            store::insert_image(
                &mut tx,
                id,
                (&p.key, n(p.bytes), i64::from(p.width), i64::from(p.height)),
                crate::now(),
            )
            .await?;
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "notice.publish",
                format!("notice:{id}"),
                format!("{community} {kind} recipients={sent}"),
            ),
            crate::now(),
        )
        .await?;
        tx.commit().await?;
        self.ring();
        Ok((id, sent))
    }

    /// The notices sent to the caller, newest first, with whether each is read.
    pub async fn my_notices(&self, who: &Principal) -> Result<Vec<(Notice, bool)>, AppError> {
        let mut conn = self.db.conn().await?;
        Ok(store::of_recipient(&mut conn, who.user_id, LIST_LIMIT).await?)
    }

    /// The notices the caller publishes where they belong, newest first.
    pub async fn notices_managed(&self, who: &Principal) -> Result<Vec<Notice>, AppError> {
        let prefixes = scope_prefixes(&who.grants, Permission::PublishNotices);
        let mut conn = self.db.conn().await?;
        // a grid worker manages their grid's notices among the community's:
        // read more, keep theirs, then cut
        Ok(store::in_scope(&mut conn, &prefixes, LIST_LIMIT * 10)
            .await?
            .into_iter()
            .filter(|n| manages(who, n))
            .take(LIST_LIMIT as usize)
            .collect())
    }

    /// Whether the caller may publish notices anywhere.
    pub fn publishes_notices(who: &Principal) -> bool {
        !scope_prefixes(&who.grants, Permission::PublishNotices).is_empty()
    }

    /// Opens a notice: staff who publish where it belongs see it with its
    /// read counts (`true`); a recipient sees it (unless withdrawn) and it
    /// counts as read (`false`). Anyone else: not found.
    pub async fn open_notice(&self, who: &Principal, id: i64) -> Result<(Notice, bool), AppError> {
        let mut conn = self.db.conn().await?;
        let n = store::by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if manages(who, &n) {
            return Ok((n, true));
        }
        if n.withdrawn_at.is_some() || store::receipt(&mut conn, id, who.user_id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        store::mark_read(&mut conn, id, who.user_id, crate::now()).await?;
        self.ring();
        Ok((n, false))
    }

    /// A notice's pictures as (id, width, height), for whoever may open it
    /// (managers, or recipients while it is not withdrawn).
    pub async fn notice_images(
        &self,
        who: &Principal,
        id: i64,
    ) -> Result<Vec<(i64, i64, i64)>, AppError> {
        let mut conn = self.db.conn().await?;
        self.may_open(&mut conn, who, id).await?;
        Ok(store::images_of(&mut conn, id)
            .await?
            .into_iter()
            .map(|i| (i.id, i.width, i.height))
            .collect())
    }

    /// One picture's JPEG, for whoever may open its notice; else not found.
    pub async fn notice_image(
        &self,
        who: &Principal,
        id: i64,
        image_id: i64,
    ) -> Result<bytes::Bytes, AppError> {
        let mut conn = self.db.conn().await?;
        self.may_open(&mut conn, who, id).await?;
        let image = store::images_of(&mut conn, id)
            .await?
            .into_iter()
            .find(|i| i.id == image_id)
            .ok_or(AppError::NotFound)?;
        drop(conn);
        Ok(self.blobs.get(&image.object_key).await?)
    }

    /// Not found unless the caller manages the notice or received it (and
    /// it is not withdrawn).
    async fn may_open(
        &self,
        conn: &mut linli_store::Conn,
        who: &Principal,
        id: i64,
    ) -> Result<(), AppError> {
        let n = store::by_id(conn, id).await?.ok_or(AppError::NotFound)?;
        if manages(who, &n) {
            return Ok(());
        }
        if n.withdrawn_at.is_some() || store::receipt(conn, id, who.user_id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    /// Withdraws a notice the caller manages.
    pub async fn withdraw_notice(
        &self,
        who: &Principal,
        id: i64,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let n = store::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        if !manages(who, &n) {
            return Err(AppError::Forbidden);
        }
        if !store::withdraw(&mut tx, id, crate::now()).await? {
            return Err(AppError::Conflict("这条通知已撤回".into()));
        }
        audit::append(
            &mut tx,
            event(actor, "notice.withdraw", format!("notice:{id}"), n.title),
            crate::now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
