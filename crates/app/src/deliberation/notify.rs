//! Who hears of what in deliberation (in the inbox, in the transaction of
//! the change; the caller rings the bell after commit): owners on a roll
//! when their vote opens and when it is counted; a proposal's author when
//! it reaches its threshold and when staff answer; the author and the
//! supporters when a meeting is called on it.

use crate::AppError;
use linli_domain::time::UnixMs;
use linli_store::Conn;
use linli_store::deliberation::proposals as proposals_store;
use linli_store::deliberation::votes as votes_store;
use linli_store::notifications::notify;

/// Everyone on a vote's roll with an account.
pub(super) async fn roll(
    conn: &mut Conn,
    vote_id: i64,
    title: &str,
    body: &str,
    now: UnixMs,
) -> Result<(), AppError> {
    let link = format!("/votes/{vote_id}");
    for user in votes_store::roll_accounts(conn, vote_id).await? {
        notify(conn, user, "vote", title, body, Some(&link), now).await?;
    }
    Ok(())
}

/// A proposal's author (and its supporters, with `supporters`).
pub(super) async fn proposal(
    conn: &mut Conn,
    proposal_id: i64,
    author: i64,
    supporters: bool,
    title: &str,
    body: &str,
    now: UnixMs,
) -> Result<(), AppError> {
    let link = format!("/proposals/{proposal_id}");
    let mut users = if supporters {
        proposals_store::supporter_accounts(conn, proposal_id).await?
    } else {
        Vec::new()
    };
    // the demo's own proposals have no author account (0)
    if author > 0 && !users.contains(&author) {
        users.push(author);
    }
    for user in users {
        notify(conn, user, "proposal", title, body, Some(&link), now).await?;
    }
    Ok(())
}
