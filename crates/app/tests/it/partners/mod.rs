//! 共建单位 on both databases: a unit registers and reports in; until the
//! community accepts it, it sees no need; a need taken from a case reaches
//! the unit without the reporter's name or phone; the matching suggests
//! the unit's resource with its reasons; a joint meeting puts the need on
//! its agenda and makes it a project; the unit logs progress, staff record
//! money and hours and close it; the public board, the year's roll-up and
//! the evaluation sheet (and its xlsx) show it — and who may not, cannot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod demo;
mod flow;

use linli_app::accounts::NewAccount;
use linli_app::partners::UnitInput;
use linli_app::{Actor, App};
use linli_domain::access::{Grant, Role};
use linli_domain::secret::Secret;

const STREET: &str = "220103008";

/// A real picture, as a phone would send it (PNG; stored re-encoded).
fn photo() -> linli_app::cases::photos::PhotoUpload {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    linli_app::cases::photos::PhotoUpload(out)
}

async fn partner_account(app: &App, name: &str, scope: &str) -> i64 {
    app.create_user(
        NewAccount {
            username: name.into(),
            display_name: Some("王主任".into()),
            password: Secret::new("Gongjian-Mima-2026-ok"),
            grants: vec![Grant {
                role: Role::PartnerUnit,
                scope: scope.parse().unwrap(),
            }],
            must_change_password: false,
        },
        &Actor::cli(),
    )
    .await
    .unwrap()
}

fn hospital() -> UnitInput {
    UnitInput {
        name: "宽城区人民医院".into(),
        kind: "hospital".into(),
        party_org: "宽城区人民医院党委".into(),
        contact_name: "王主任".into(),
        contact_phone: "0431-85551234".into(),
        committee_member: "王建国".into(),
    }
}
