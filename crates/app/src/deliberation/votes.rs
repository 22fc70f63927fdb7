//! Owners' votes: draft, open (the roll freezes), ballots by channel, close
//! (the verdict by art. 278, immutable), and the views of each.

use super::invalid;
use crate::accounts::auth::Principal;
use crate::registry::require;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, allowed, scope_prefixes};
use linli_domain::deliberation::roll::{Areas, Holding, Owner, build_roll};
use linli_domain::deliberation::rules::{Item, Tally, Verdict, area_text, determined, judge};
use linli_domain::deliberation::{
    Channel, DeliberationError, ScopeKind, VoteState, approving, check_matter, options,
};
use linli_domain::registry::mask_name;
use linli_store::Conn;
use linli_store::audit;
use linli_store::deliberation::owners as owners_store;
use linli_store::deliberation::votes::{self as store, NewVote, RollRow, VoteRow};
use linli_store::registry::pipl::resident_of_user;

/// The largest roll listed owner by owner on the vote's page; a larger
/// one (an estate) is entered by room.
pub const ROLL_SHOWN: i64 = 300;

/// A vote in a list.
#[derive(Debug, Clone)]
pub struct VoteCard {
    pub id: i64,
    pub title: String,
    pub scope_name: String,
    pub state: VoteState,
    pub closes_on: String,
}

/// A place a vote can be held on, for the form.
#[derive(Debug, Clone)]
pub struct ScopeChoice {
    /// `unit:12`
    pub key: String,
    pub name: String,
}

/// A vote as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct NewVoteInput {
    /// `estate:1`, `building:3`, `unit:12`
    pub scope: String,
    pub item: String,
    pub title: String,
    pub body: String,
    /// one candidate a line; empty for a matter (同意/反对/弃权)
    pub candidates: String,
    /// `YYYY-MM-DD`
    pub closes_on: String,
    /// the proposal on the agenda it decides, if any
    pub proposal: Option<i64>,
}

/// One option's count, once closed.
#[derive(Debug, Clone)]
pub struct OptionCount {
    pub choice: String,
    pub heads: i64,
    pub area: String,
}

/// The verdict for one approving option (同意, or a candidate).
#[derive(Debug, Clone)]
pub struct VerdictView {
    pub option: String,
    pub verdict: Verdict,
    /// the owners left can no longer change it
    pub determined: bool,
}

/// One owner on the staff's view of the roll.
#[derive(Debug, Clone)]
pub struct RollLine {
    pub owner_key: String,
    pub units: String,
    pub name: String,
    pub area: String,
    /// how they took part, if they did
    pub channel: Option<&'static str>,
}

/// A vote as its page shows it to the caller.
#[derive(Debug, Clone)]
pub struct VoteView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub item: Item,
    pub scope_name: String,
    pub state: VoteState,
    pub closes_on: String,
    /// the deadline has passed (ballots are refused; staff count)
    pub past_deadline: bool,
    pub options: Vec<String>,
    pub heads_total: i64,
    pub area_total: String,
    pub heads_part: i64,
    pub area_part: String,
    /// the caller is on the roll: their units
    pub my_units: Option<String>,
    /// the caller took part: (how, receipt)
    pub my_part: Option<(&'static str, String)>,
    pub manage: bool,
    /// the building whose owners' register the vote counts on (staff)
    pub register_building: Option<i64>,
    /// staff only, and only for a roll of at most [`ROLL_SHOWN`] owners
    /// (larger ones are entered by room)
    pub roll: Vec<RollLine>,
    /// staff only: how many took part by each channel
    pub by_channel: Vec<(&'static str, usize)>,
    /// once closed
    pub counts: Vec<OptionCount>,
    pub verdicts: Vec<VerdictView>,
}

fn card(v: &VoteRow) -> VoteCard {
    VoteCard {
        id: v.id,
        title: v.title.clone(),
        scope_name: v.scope_name.clone(),
        state: v.state.parse().unwrap_or(VoteState::Draft),
        closes_on: v.closes_on.clone(),
    }
}

pub(super) fn scope_of(v: &VoteRow) -> Result<RegionCode, AppError> {
    v.community_code.parse().map_err(AppError::from)
}

pub(super) fn option_list(v: &VoteRow) -> Vec<String> {
    v.options.lines().map(str::to_owned).collect()
}

/// The verdict of each approving option from the counts.
pub(super) fn verdicts(
    v: &VoteRow,
    item: Item,
    turnout: (i64, i64),
    counts: &[(String, i64, i64)],
) -> Vec<VerdictView> {
    let opts = option_list(v);
    approving(&opts)
        .into_iter()
        .map(|o| {
            let (ay, ny) = counts
                .iter()
                .find(|(c, _, _)| c == o)
                .map_or((0, 0), |(_, a, n)| (*a, *n));
            let t = Tally {
                area_total: v.area_total,
                heads_total: v.heads_total,
                area_part: turnout.0,
                heads_part: turnout.1,
                area_yes: ay,
                heads_yes: ny,
            };
            VerdictView {
                option: o.to_owned(),
                verdict: judge(item, &t),
                determined: determined(item, &t),
            }
        })
        .collect()
}

/// A vote's result as published: each option's count and the verdict for
/// each approving option — once it is closed; nothing before.
pub(super) async fn result_of(
    conn: &mut Conn,
    v: &VoteRow,
    item: Item,
    turnout: (i64, i64),
) -> Result<(Vec<OptionCount>, Vec<VerdictView>), AppError> {
    if v.state != VoteState::Closed.as_str() {
        return Ok((Vec::new(), Vec::new()));
    }
    let counts = store::counts(conn, v.id).await?;
    let shown = option_list(v)
        .into_iter()
        .map(|o| {
            let (a, n) = counts
                .iter()
                .find(|(c, _, _)| *c == o)
                .map_or((0, 0), |(_, a, n)| (*a, *n));
            OptionCount {
                choice: o,
                heads: n,
                area: area_text(a),
            }
        })
        .collect();
    Ok((shown, verdicts(v, item, turnout, &counts)))
}

impl App {
    pub(super) async fn vote_row(&self, conn: &mut Conn, id: i64) -> Result<VoteRow, AppError> {
        store::vote(conn, id).await?.ok_or(AppError::NotFound)
    }

    /// Whether the caller sees a vote: staff in its community, or a
    /// resident on its roll or living in its scope (not while a draft).
    pub(super) async fn sees_vote(
        &self,
        conn: &mut Conn,
        who: &Principal,
        v: &VoteRow,
    ) -> Result<Option<i64>, AppError> {
        let scope = scope_of(v)?;
        let me = resident_of_user(conn, who.user_id).await?;
        if allowed(&who.grants, Permission::ViewVotes, &scope) {
            return Ok(me);
        }
        let Some(rid) = me else {
            return Err(AppError::NotFound);
        };
        if v.state == VoteState::Draft.as_str() {
            return Err(AppError::NotFound);
        }
        let on_roll = store::roll_entry_of(conn, v.id, rid).await?.is_some();
        if on_roll || owners_store::lives_in(conn, rid, &v.scope_kind, v.scope_id).await? {
            Ok(me)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The votes the caller sees, newest first.
    pub async fn votes(&self, who: &Principal) -> Result<Vec<VoteCard>, AppError> {
        let mut conn = self.db.conn().await?;
        let prefixes = scope_prefixes(&who.grants, Permission::ViewVotes);
        let mut rows = store::votes_in(&mut conn, &prefixes).await?;
        if let Some(rid) = resident_of_user(&mut conn, who.user_id).await? {
            for v in store::votes_of_resident(&mut conn, rid).await? {
                if !rows.iter().any(|r| r.id == v.id) {
                    rows.push(v);
                }
            }
            rows.sort_by_key(|v| std::cmp::Reverse(v.id));
        } else if prefixes.is_empty()
            && !who
                .grants
                .iter()
                .any(|g| g.role == linli_domain::access::Role::Resident)
        {
            return Err(AppError::Forbidden);
        }
        Ok(rows.iter().map(card).collect())
    }

    /// The estates, buildings and units the caller may hold a vote on.
    pub async fn vote_scopes(&self, who: &Principal) -> Result<Vec<ScopeChoice>, AppError> {
        let prefixes = scope_prefixes(&who.grants, Permission::ManageVotes);
        if prefixes.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.db.conn().await?;
        Ok(owners_store::scopes(&mut conn, &prefixes)
            .await?
            .into_iter()
            .map(|(kind, id, name)| {
                let label = kind.parse::<ScopeKind>().map_or("", ScopeKind::label_zh);
                ScopeChoice {
                    key: ScopeKind::key_of(&kind, id),
                    name: format!("{name}({label})"),
                }
            })
            .collect())
    }

    /// Drafts a vote. Returns its id.
    pub async fn create_vote(
        &self,
        who: &Principal,
        input: &NewVoteInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let item = Item::new(input.item.trim().parse().unwrap_or(0)).map_err(invalid)?;
        let (kind, id) =
            ScopeKind::parse_key(&input.scope).ok_or_else(|| invalid("请选择表决范围"))?;
        let (title, body, cands) =
            check_matter(&input.title, &input.body, &input.candidates).map_err(invalid)?;
        let today = crate::today();
        let closes = linli_domain::registry::parse_date(&input.closes_on)
            .filter(|d| *d > today && (*d - today).whole_days() <= 90)
            .ok_or_else(|| invalid(DeliberationError::Deadline))?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let (community, scope_name) = owners_store::scope_place(&mut tx, kind.as_str(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        let scope: RegionCode = community.parse().map_err(AppError::from)?;
        require(who, Permission::ManageVotes, &scope)?;
        let vote_id = store::insert_vote(
            &mut tx,
            &NewVote {
                community_code: &community,
                scope_kind: kind.as_str(),
                scope_id: id,
                scope_name: &scope_name,
                item: item.number(),
                title: &title,
                body: &body,
                options: &options(&cands).join("\n"),
                closes_on: &closes.to_string(),
                by: who.user_id,
                now,
            },
        )
        .await?;
        if let Some(pid) = input.proposal {
            let p = linli_store::deliberation::proposals::by_id(&mut tx, pid)
                .await?
                .ok_or(AppError::NotFound)?;
            if p.community_code != community
                || p.state != linli_domain::deliberation::proposals::ProposalState::Agenda.as_str()
            {
                return Err(invalid("只能为本社区已列入议程的议题发起表决"));
            }
            linli_store::deliberation::proposals::link_vote(&mut tx, vote_id, pid).await?;
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "vote.create",
                format!("vote:{vote_id}"),
                format!("item={} scope={}", item.number(), input.scope),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(vote_id)
    }

    /// Opens a draft: the roll is taken from the owners' register now and
    /// frozen; later changes to the register do not touch it.
    pub async fn open_vote(&self, who: &Principal, id: i64, actor: &Actor) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let v = self.vote_row(&mut tx, id).await?;
        require(who, Permission::ManageVotes, &scope_of(&v)?)?;
        if v.state != VoteState::Draft.as_str() {
            return Err(AppError::Invalid("表决已开始".to_owned()));
        }
        let holdings: Vec<Holding> = owners_store::holdings(&mut tx, &v.scope_kind, v.scope_id)
            .await?
            .into_iter()
            .map(|h| Holding {
                dwelling_id: h.dwelling_id,
                owner: h.resident_id.map_or(Owner::Developer, Owner::Resident),
                areas: Areas {
                    register: h.area_register,
                    survey: h.area_survey,
                    contract: h.area_contract,
                },
                label: h.label,
            })
            .collect();
        let roll = build_roll(&holdings).map_err(invalid)?;
        if roll.is_empty() {
            return Err(invalid("范围内还没有登记业主,请先完善业主名册"));
        }
        let rows: Vec<RollRow> = roll
            .iter()
            .map(|e| RollRow {
                owner_key: e.owner.key(),
                resident_id: match e.owner {
                    Owner::Resident(r) => Some(r),
                    Owner::Developer => None,
                },
                area: e.area,
                units: e.units.clone(),
            })
            .collect();
        if !store::open(&mut tx, id, &rows, now).await? {
            return Err(AppError::Invalid("表决已开始".to_owned()));
        }
        let area: i64 = rows.iter().map(|r| r.area).sum();
        audit::append(
            &mut tx,
            event(
                actor,
                "vote.open",
                format!("vote:{id}"),
                format!("owners={} area_dm2={area}", rows.len()),
            ),
            now,
        )
        .await?;
        super::notify::roll(
            &mut tx,
            id,
            &format!("业主表决开始:{}", v.title),
            &format!("{} 截止,请投出您的一票", v.closes_on),
            now,
        )
        .await?;
        tx.commit().await?;
        self.ring();
        Ok(())
    }

    /// Counts and closes an open vote; the verdict is stored and the vote
    /// no longer changes.
    pub async fn close_vote(
        &self,
        who: &Principal,
        id: i64,
        actor: &Actor,
    ) -> Result<bool, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let v = self.vote_row(&mut tx, id).await?;
        require(who, Permission::ManageVotes, &scope_of(&v)?)?;
        let item = Item::new(v.item).map_err(invalid)?;
        if !store::lock_open(&mut tx, id).await? {
            return Err(AppError::Invalid("表决不在进行中".to_owned()));
        }
        let turnout = store::turnout(&mut tx, id).await?;
        let counts = store::counts(&mut tx, id).await?;
        let vs = verdicts(&v, item, turnout, &counts);
        // before the deadline only when the owners left cannot change it
        let early =
            linli_domain::registry::parse_date(&v.closes_on).is_some_and(|d| crate::today() <= d);
        if early && !vs.iter().all(|x| x.determined) {
            return Err(invalid(
                "截止日期前,只有在未投票业主的选票已改变不了结果时才能提前计票",
            ));
        }
        let passed: Vec<&str> = vs
            .iter()
            .filter(|x| x.verdict.passed)
            .map(|x| x.option.as_str())
            .collect();
        // the record kept with the vote and in the audit log: sums only
        let counted: Vec<String> = counts
            .iter()
            .map(|(c, a, n)| format!("{c}={n}人/{}㎡", area_text(*a)))
            .collect();
        let result = format!(
            "item={} turnout={}人/{}㎡ counts=[{}] passed=[{}]",
            item.number(),
            turnout.1,
            area_text(turnout.0),
            counted.join(", "),
            passed.join(", ")
        );
        store::close(&mut tx, id, &result, now).await?;
        // the proposal it decides moves with the result
        if let Some(pid) = linli_store::deliberation::proposals::of_vote(&mut tx, id).await? {
            use linli_domain::deliberation::proposals::ProposalState;
            let (to, words) = if passed.is_empty() {
                (ProposalState::Rejected, "业主表决未通过".to_owned())
            } else {
                (
                    ProposalState::Adopted,
                    format!("业主表决通过:{}", passed.join("、")),
                )
            };
            linli_store::deliberation::proposals::set_state(
                &mut tx,
                pid,
                ProposalState::Agenda.as_str(),
                to.as_str(),
                Some(&words),
                now,
            )
            .await?;
        }
        audit::append(
            &mut tx,
            event(actor, "vote.close", format!("vote:{id}"), result),
            now,
        )
        .await?;
        super::notify::roll(
            &mut tx,
            id,
            &format!("表决结果:{}", v.title),
            if passed.is_empty() {
                "未通过,点开看票数"
            } else {
                "通过,点开看票数"
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.ring();
        Ok(!passed.is_empty())
    }

    /// One vote as the caller may see it.
    pub async fn vote(&self, who: &Principal, id: i64) -> Result<VoteView, AppError> {
        let mut conn = self.db.conn().await?;
        let v = self.vote_row(&mut conn, id).await?;
        let me = self.sees_vote(&mut conn, who, &v).await?;
        let manage = allowed(&who.grants, Permission::ManageVotes, &scope_of(&v)?);
        let item = Item::new(v.item).map_err(invalid)?;
        let state: VoteState = v.state.parse().map_err(invalid)?;
        let turnout = store::turnout(&mut conn, id).await?;
        let mine = match me {
            Some(rid) => store::roll_entry_of(&mut conn, id, rid).await?,
            None => None,
        };
        let my_part = match &mine {
            Some(e) => store::participation(&mut conn, id, &e.owner_key)
                .await?
                .map(|p| {
                    (
                        p.channel.parse::<Channel>().map_or("", Channel::label_zh),
                        p.receipt,
                    )
                }),
            None => None,
        };
        let mut roll = Vec::new();
        let mut by_channel = Vec::new();
        if manage && state != VoteState::Draft {
            let took: std::collections::HashMap<String, String> =
                store::participants(&mut conn, id)
                    .await?
                    .into_iter()
                    .collect();
            if v.heads_total <= ROLL_SHOWN {
                for (r, name) in store::roll(&mut conn, id).await? {
                    roll.push(RollLine {
                        channel: took
                            .get(&r.owner_key)
                            .and_then(|c| c.parse::<Channel>().ok())
                            .map(Channel::label_zh),
                        owner_key: r.owner_key,
                        units: r.units,
                        name: name
                            .as_deref()
                            .map_or_else(|| "开发商".to_owned(), mask_name),
                        area: area_text(r.area),
                    });
                }
            }
            for c in Channel::ALL {
                let n = took.values().filter(|x| *x == c.as_str()).count();
                by_channel.push((c.label_zh(), n));
            }
        }
        let (counts, vs) = result_of(&mut conn, &v, item, turnout).await?;
        let register_building = match v.scope_kind.as_str() {
            _ if !manage => None,
            "building" => Some(v.scope_id),
            "unit" => {
                linli_store::territory::places::building_of_unit(&mut conn, v.scope_id).await?
            }
            _ => None,
        };
        let past_deadline =
            linli_domain::registry::parse_date(&v.closes_on).is_some_and(|d| crate::today() > d);
        Ok(VoteView {
            id,
            title: v.title.clone(),
            body: v.body.clone(),
            item,
            scope_name: v.scope_name.clone(),
            state,
            closes_on: v.closes_on.clone(),
            past_deadline,
            options: option_list(&v),
            heads_total: v.heads_total,
            area_total: area_text(v.area_total),
            heads_part: turnout.1,
            area_part: area_text(turnout.0),
            my_units: mine.map(|e| e.units),
            my_part,
            manage,
            register_building,
            roll,
            by_channel,
            counts,
            verdicts: vs,
        })
    }
}
