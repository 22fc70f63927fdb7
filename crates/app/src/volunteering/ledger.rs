//! The ledger's use cases: credit hours and points for service (once per
//! source), a volunteer's balances and statement, a correction by staff
//! (a reversing transfer, audited), and the check that the books balance.

use super::{invalid, manages, me};
use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::time::{UnixMs, beijing_minute};
use linli_domain::volunteering::hours_text;
use linli_domain::volunteering::ledger::{self as rules, Holder, Kind, Unit};
use linli_store::Conn;
use linli_store::audit;
use linli_store::volunteering::ledger::{self as store, LedgerHealth, NewTransfer, Posted};
use linli_store::volunteering::volunteers as vstore;

/// A volunteer's balances and their year's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balances {
    pub minutes: i64,
    pub hours: String,
    pub points: i64,
}

/// One line of a statement.
#[derive(Debug, Clone)]
pub struct StatementLine {
    pub id: i64,
    pub at: String,
    pub what: String,
    /// `+1小时30分`, `-20 积分`
    pub amount: String,
    pub plus: bool,
    pub reversed: bool,
    pub correction: bool,
}

/// One movement to write.
pub(super) struct Movement<'a> {
    pub unit: Unit,
    pub kind: Kind,
    pub from: Holder,
    pub to: Holder,
    pub amount: i64,
    pub idem_key: String,
    pub reason: &'a str,
    pub source_ref: &'a str,
    pub operator: i64,
    pub reverses: Option<i64>,
    pub at: UnixMs,
}

/// Writes one movement in the caller's transaction. `Ok(None)` when its
/// key was written before (nothing moves twice).
pub(super) async fn post(conn: &mut Conn, m: Movement<'_>) -> Result<Option<i64>, AppError> {
    rules::check(m.unit, m.kind, &m.from, &m.to, m.amount)?;
    let unit = m.unit.as_str();
    let from = store::account(conn, &m.from.key(), unit).await?;
    let to = store::account(conn, &m.to.key(), unit).await?;
    let posted = store::post(
        conn,
        &NewTransfer {
            idem_key: &m.idem_key,
            unit,
            amount: m.amount,
            from,
            to,
            reason: m.reason,
            source_ref: m.source_ref,
            operator: m.operator,
            reverses: m.reverses,
            covered: m.kind == Kind::Redeem,
            at: m.at,
        },
    )
    .await?;
    match posted {
        Posted::New(id) => {
            // the community's daily roll-up: what its issuing account paid out
            let day = linli_domain::cases::china_date(m.at).to_string();
            for (holder, sign) in [(&m.from, 1), (&m.to, -1)] {
                if let Holder::Issuer(c) = holder {
                    store::roll_daily(conn, c, &day, unit, sign * m.amount).await?;
                }
            }
            Ok(Some(id))
        }
        Posted::Again => Ok(None),
        Posted::Short => Err(invalid("积分不够")),
    }
}

/// Hours and points for service given, from a community to a volunteer.
pub(crate) struct Credit<'a> {
    pub community: &'a str,
    pub volunteer: i64,
    pub minutes: i64,
    pub points: i64,
    pub reason: &'a str,
    /// what it is for (`order:7`, `activity:3:volunteer:12`): credited once
    pub source_ref: &'a str,
    pub operator: i64,
    pub at: UnixMs,
}

/// Credits a volunteer once per `source_ref` (a second time moves
/// nothing); zero amounts are skipped.
pub(crate) async fn credit(conn: &mut Conn, c: Credit<'_>) -> Result<(), AppError> {
    for (unit, amount) in [(Unit::Hours, c.minutes), (Unit::Points, c.points)] {
        if amount <= 0 {
            continue;
        }
        post(
            conn,
            Movement {
                unit,
                kind: Kind::Award,
                from: Holder::Issuer(c.community.to_owned()),
                to: Holder::Volunteer(c.volunteer),
                amount,
                idem_key: format!("{}:{}", c.source_ref, unit.as_str()),
                reason: c.reason,
                source_ref: c.source_ref,
                operator: c.operator,
                reverses: None,
                at: c.at,
            },
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn balances(conn: &mut Conn, volunteer: i64) -> Result<Balances, AppError> {
    let holder = Holder::Volunteer(volunteer).key();
    let minutes = store::balance(conn, &holder, Unit::Hours.as_str()).await?;
    let points = store::balance(conn, &holder, Unit::Points.as_str()).await?;
    Ok(Balances {
        minutes,
        hours: hours_text(minutes),
        points,
    })
}

pub(super) async fn statement(
    conn: &mut Conn,
    volunteer: i64,
) -> Result<Vec<StatementLine>, AppError> {
    let holder = Holder::Volunteer(volunteer).key();
    Ok(store::statement(conn, &holder)
        .await?
        .into_iter()
        .map(|t| {
            let plus = t.to_holder == holder;
            let sign = if plus { "+" } else { "-" };
            let amount = if t.unit == Unit::Hours.as_str() {
                format!("{sign}{}", hours_text(t.amount))
            } else {
                format!("{sign}{} 积分", t.amount)
            };
            StatementLine {
                id: t.id,
                at: beijing_minute(UnixMs(t.at)),
                what: t.reason,
                amount,
                plus,
                reversed: t.reversed,
                correction: t.reverses.is_some(),
            }
        })
        .collect())
}

impl App {
    /// Undoes a credit (a complaint upheld, a mistake): a reversing
    /// transfer with the reason, audited. Staff of the volunteer's
    /// community only; a transfer is reversed once.
    pub async fn reverse_transfer(
        &self,
        who: &Principal,
        transfer_id: i64,
        reason: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let reason = linli_domain::volunteering::text("更正原因", reason, 200)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let t = store::transfer(&mut tx, transfer_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let volunteer = [&t.to_holder, &t.from_holder]
            .into_iter()
            .find_map(|h| match Holder::parse(h) {
                Some(Holder::Volunteer(v)) => Some(v),
                _ => None,
            })
            .ok_or(AppError::NotFound)?;
        let v = vstore::by_id(&mut tx, volunteer)
            .await?
            .ok_or(AppError::NotFound)?;
        if !manages(who, &v.community_code)? {
            return Err(AppError::NotFound);
        }
        if t.reverses.is_some() {
            return Err(invalid("更正记录不能再更正"));
        }
        if v.user_id == Some(who.user_id) {
            return Err(invalid("不能更正自己的记录"));
        }
        if matches!(Holder::parse(&t.to_holder), Some(Holder::Shelf(_))) {
            return Err(invalid("兑换请在积分兑换里取消"));
        }
        let unit: Unit = t.unit.parse().map_err(invalid)?;
        let (from, to) = (
            Holder::parse(&t.to_holder).ok_or(AppError::NotFound)?,
            Holder::parse(&t.from_holder).ok_or(AppError::NotFound)?,
        );
        let posted = post(
            &mut tx,
            Movement {
                unit,
                kind: Kind::Reversal,
                from,
                to,
                amount: t.amount,
                idem_key: format!("reverse:{transfer_id}"),
                reason: &format!("更正:{reason}"),
                source_ref: &t.source_ref,
                operator: who.user_id,
                reverses: Some(transfer_id),
                at: now,
            },
        )
        .await?;
        if posted.is_none() {
            return Err(invalid("这笔记录已经更正过了"));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "ledger.reverse",
                format!("transfer:{transfer_id}"),
                reason,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller's own balances, if they are a volunteer.
    pub async fn my_balances(&self, who: &Principal) -> Result<Option<Balances>, AppError> {
        let mut conn = self.db.conn().await?;
        match me(&mut conn, who).await? {
            Some(v) => Ok(Some(balances(&mut conn, v.id).await?)),
            None => Ok(None),
        }
    }

    /// The ledger check (`linli check`): sums to zero, two entries per
    /// transfer, balances equal to their entries.
    pub async fn ledger_health(&self) -> Result<LedgerHealth, AppError> {
        Ok(store::health(&mut *self.db.conn().await?).await?)
    }
}
