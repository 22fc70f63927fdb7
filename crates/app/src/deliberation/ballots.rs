//! Ballots: an owner's own, online; staff's from paper or a proxy's
//! authorisation (audited with who entered it). One per owner across
//! channels; who took part is written apart from what was chosen, under
//! the vote's row lock, and the owner gets a receipt.

use super::invalid;
use super::votes::{option_list, scope_of};
use crate::accounts::auth::Principal;
use crate::registry::require;
use crate::{Actor, App, AppError, event};
use linli_domain::access::Permission;
use linli_domain::deliberation::{Channel, DeliberationError};
use linli_store::Conn;
use linli_store::audit;
use linli_store::deliberation::votes::{self as store, RollRow, VoteRow};
use linli_store::registry::pipl::resident_of_user;

/// A ballot entered by staff from paper or a proxy.
#[derive(Debug, Clone, Default)]
pub struct BallotInput {
    pub owner_key: String,
    /// or the owner's room as the roll writes it (`3号楼2单元1201`), for
    /// a roll too long to list
    pub room: String,
    /// `paper` or `proxy`
    pub channel: String,
    pub choice: String,
    /// the paper ballot's number, or the 委托书's
    pub proof: String,
    /// the proxy's name (委托投票)
    pub proxy: String,
}

fn receipt() -> Result<String, AppError> {
    let s = crate::infra::secrets::random_hex_128()?;
    Ok(s.expose()[..8].to_uppercase())
}

impl App {
    /// The owner's own ballot, online.
    pub async fn cast_ballot(
        &self,
        who: &Principal,
        id: i64,
        choice: &str,
        actor: &Actor,
    ) -> Result<String, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let v = self.vote_row(&mut tx, id).await?;
        self.sees_vote(&mut tx, who, &v).await?;
        let rid = resident_of_user(&mut tx, who.user_id)
            .await?
            .ok_or_else(|| invalid("只有名册上的业主本人可以网上投票"))?;
        let entry = store::roll_entry_of(&mut tx, id, rid)
            .await?
            .ok_or_else(|| invalid("您不在本次表决的业主名册上"))?;
        let code = self
            .ballot(&mut tx, &v, &entry, Channel::Online, "", None, choice, now)
            .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "vote.ballot",
                format!("vote:{id}"),
                format!("owner={} channel=online", entry.owner_key),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// A ballot staff enter from paper or from a proxy with an
    /// authorisation; audited with who entered it.
    pub async fn enter_ballot(
        &self,
        who: &Principal,
        id: i64,
        b: &BallotInput,
        actor: &Actor,
    ) -> Result<String, AppError> {
        let channel: Channel = b.channel.parse().map_err(invalid)?;
        let proof = b.proof.trim();
        let proxy = b.proxy.trim();
        let proof = match channel {
            Channel::Online => return Err(invalid("网上投票只能由业主本人进行")),
            Channel::Paper if proof.is_empty() || proof.chars().count() > 30 => {
                return Err(invalid("请填写纸质选票编号(30 字以内)"));
            }
            Channel::Proxy
                if proof.is_empty()
                    || proxy.is_empty()
                    || proxy.chars().count() > 30
                    || proof.chars().count() > 30 =>
            {
                return Err(invalid("委托投票须填写受托人姓名和授权委托书编号"));
            }
            Channel::Paper => format!("票号 {proof}"),
            Channel::Proxy => format!("受托人 {proxy} 委托书 {proof}"),
        };
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let v = self.vote_row(&mut tx, id).await?;
        require(who, Permission::ManageVotes, &scope_of(&v)?)?;
        let entry = if b.owner_key.trim().is_empty() && !b.room.trim().is_empty() {
            let room: String = b.room.chars().filter(|c| !c.is_whitespace()).collect();
            store::roll(&mut tx, id)
                .await?
                .into_iter()
                .map(|(r, _)| r)
                .find(|r| r.units.split('、').any(|u| u == room))
                .ok_or_else(|| {
                    invalid(format!("名册上没有“{room}”,请按“1号楼2单元301”的格式填写"))
                })?
        } else {
            store::roll_entry(&mut tx, id, b.owner_key.trim())
                .await?
                .ok_or_else(|| invalid("请从名册中选择业主"))?
        };
        let code = self
            .ballot(
                &mut tx,
                &v,
                &entry,
                channel,
                &proof,
                Some(who.user_id),
                &b.choice,
                now,
            )
            .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "vote.ballot",
                format!("vote:{id}"),
                format!("owner={} channel={}", entry.owner_key, channel.as_str()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    #[allow(clippy::too_many_arguments)]
    async fn ballot(
        &self,
        tx: &mut Conn,
        v: &VoteRow,
        entry: &RollRow,
        channel: Channel,
        proof: &str,
        by: Option<i64>,
        choice: &str,
        now: linli_domain::time::UnixMs,
    ) -> Result<String, AppError> {
        if !option_list(v).iter().any(|o| o == choice) {
            return Err(invalid(DeliberationError::Choice));
        }
        if !store::lock_open(tx, v.id).await? {
            return Err(invalid("表决未在进行中,不能投票"));
        }
        let closes = linli_domain::registry::parse_date(&v.closes_on);
        if closes.is_some_and(|d| crate::today() > d) {
            return Err(invalid("表决已过截止日期"));
        }
        let code = receipt()?;
        if !store::cast(
            tx,
            v.id,
            entry,
            channel.as_str(),
            proof,
            by,
            &code,
            choice,
            now,
        )
        .await?
        {
            let how = store::participation(tx, v.id, &entry.owner_key)
                .await?
                .and_then(|p| p.channel.parse::<Channel>().ok())
                .map_or("", Channel::label_zh);
            return Err(AppError::Invalid(format!(
                "该业主已投过票({how}),每位业主只能投一次"
            )));
        }
        Ok(code)
    }
}
