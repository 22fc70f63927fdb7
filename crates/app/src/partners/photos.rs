//! Pictures of the partnership: the signed pages of an agreement (seen by
//! whoever sees the unit's agreements) and a project's progress photos
//! (seen by whoever sees the project). Never on the public board: a photo
//! of a home visit may show a resident.

use super::my_unit;
use crate::accounts::auth::Principal;
use crate::cases::photos::ReadyPhoto;
use crate::{App, AppError};
use linli_domain::time::UnixMs;
use linli_store::Conn;
use linli_store::partners::photos as store;
use linli_store::partners::projects as pstore;
use linli_store::partners::units as ustore;

/// Records stored pictures as `owner`'s.
pub(super) async fn record(
    conn: &mut Conn,
    owner: (&str, i64),
    ready: &[ReadyPhoto],
    now: UnixMs,
) -> Result<(), AppError> {
    let n = |x: u32| i64::from(x);
    for p in ready {
        let bytes = i64::try_from(p.bytes).unwrap_or(i64::MAX);
        store::insert(conn, owner, (&p.key, bytes, n(p.width), n(p.height)), now).await?;
    }
    Ok(())
}

impl App {
    /// One picture's JPEG, for whoever may see what it belongs to; else
    /// not found.
    pub async fn partner_photo(&self, who: &Principal, id: i64) -> Result<bytes::Bytes, AppError> {
        let mut conn = self.db.conn().await?;
        let p = store::by_id(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let seen = match p.owner_kind.as_str() {
            "progress" => {
                let id = pstore::project_of_progress(&mut conn, p.owner_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let project = pstore::by_id(&mut conn, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                self.project_access(&mut conn, who, &project).await?.1
            }
            "agreement" => {
                let (unit, community) = ustore::agreement_owner(&mut conn, p.owner_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                my_unit(&mut conn, who).await? == Some(unit) || super::reads(who, &community)?
            }
            _ => false,
        };
        if !seen {
            return Err(AppError::NotFound);
        }
        drop(conn);
        Ok(self.blobs.get(&p.object_key).await?)
    }
}
