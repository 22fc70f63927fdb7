//! 志愿服务记录证明 (民政部令第67号: the organisation that records the
//! service certifies it; the 居委会 may): a volunteer has one issued for
//! their hours — by year and by what they did, corrections netted — with a
//! serial and a QR code to a public check page that shows only the name
//! masked, the hours certified, the date and whether it still stands.

use super::{invalid, me};
use crate::accounts::auth::Principal;
use crate::infra::secrets;
use crate::{Actor, App, AppError, event};
use linli_domain::access::RegionCode;
use linli_domain::cases::china_date;
use linli_domain::registry::mask_name;
use linli_domain::time::UnixMs;
use linli_domain::volunteering::hours_text;
use linli_domain::volunteering::ledger::Holder;
use linli_store::audit;
use linli_store::volunteering::certificates as store;
use linli_store::volunteering::volunteers as vstore;

/// A certificate as its owner prints it.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub serial: String,
    pub name: String,
    pub community: String,
    pub total: String,
    /// (year, what, hours), by year then by what
    pub lines: Vec<(i32, String, String)>,
    pub issued_on: String,
}

/// What the public check page shows.
#[derive(Debug, Clone)]
pub struct CertificateCheck {
    pub name: String,
    pub community: String,
    pub total: String,
    pub issued_on: String,
    pub valid: bool,
}

/// What a line of the ledger was for, without the detail after the colon's
/// parenthesis (`服务单:家电维修(满意)` → `服务单:家电维修`).
fn what(reason: &str) -> String {
    let r = reason.trim_start_matches("更正:");
    r.split('(').next().unwrap_or(r).to_owned()
}

async fn community_name(conn: &mut linli_store::Conn, code: &str) -> Result<String, AppError> {
    let code: RegionCode = code.parse()?;
    Ok(linli_store::territory::regions::get(conn, &code)
        .await?
        .map_or_else(|| "社区".to_owned(), |r| r.name))
}

impl App {
    /// Issues the caller a certificate of their hours now. Returns its serial.
    pub async fn issue_certificate(
        &self,
        who: &Principal,
        actor: &Actor,
    ) -> Result<String, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let v = me(&mut tx, who)
            .await?
            .ok_or_else(|| invalid("请先加入志愿者"))?;
        let lines = store::hours_of(&mut tx, &Holder::Volunteer(v.id).key()).await?;
        let minutes: i64 = lines.iter().map(|l| l.2).sum();
        if minutes <= 0 {
            return Err(invalid("还没有服务时长记录,暂不能开具证明"));
        }
        let serial = secrets::random_hex_128()?.expose().to_owned();
        store::insert(&mut tx, &serial, v.id, minutes, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "certificate.issue",
                format!("volunteer:{}", v.id),
                hours_text(minutes),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(serial)
    }

    /// A certificate for its owner to print (404 for anyone else).
    pub async fn certificate(
        &self,
        who: &Principal,
        serial: &str,
    ) -> Result<Certificate, AppError> {
        let mut conn = self.db.conn().await?;
        let (vid, minutes, issued, _) = store::by_serial(&mut conn, serial)
            .await?
            .ok_or(AppError::NotFound)?;
        let v = vstore::by_id(&mut conn, vid)
            .await?
            .ok_or(AppError::NotFound)?;
        if v.user_id != Some(who.user_id) {
            return Err(AppError::NotFound);
        }
        let mut sums: Vec<(i32, String, i64)> = Vec::new();
        for (at, reason, m) in store::hours_of(&mut conn, &Holder::Volunteer(vid).key()).await? {
            if at > issued {
                continue;
            }
            let key = (china_date(UnixMs(at)).year(), what(&reason));
            match sums.iter_mut().find(|s| s.0 == key.0 && s.1 == key.1) {
                Some(s) => s.2 += m,
                None => sums.push((key.0, key.1, m)),
            }
        }
        sums.retain(|s| s.2 > 0);
        sums.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        Ok(Certificate {
            serial: serial.to_owned(),
            name: v.name.clone(),
            community: community_name(&mut conn, &v.community_code).await?,
            total: hours_text(minutes),
            lines: sums
                .into_iter()
                .map(|(y, w, m)| (y, w, hours_text(m)))
                .collect(),
            issued_on: china_date(UnixMs(issued)).to_string(),
        })
    }

    /// The public check of a certificate: anyone holding its serial.
    pub async fn check_certificate(&self, serial: &str) -> Result<CertificateCheck, AppError> {
        if serial.len() != 32 || !serial.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::NotFound);
        }
        let mut conn = self.db.conn().await?;
        let (vid, minutes, issued, revoked) = store::by_serial(&mut conn, serial)
            .await?
            .ok_or(AppError::NotFound)?;
        let v = vstore::by_id(&mut conn, vid)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(CertificateCheck {
            name: mask_name(&v.name),
            community: community_name(&mut conn, &v.community_code).await?,
            total: hours_text(minutes),
            issued_on: china_date(UnixMs(issued)).to_string(),
            valid: revoked.is_none(),
        })
    }
}
