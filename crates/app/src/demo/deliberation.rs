//! The demo's owners' decisions: an owners' register for the whole estate
//! (areas from the property register, some from the survey or the sale
//! contract; a few unsold units of the developer; one owner of two units),
//! a closed elevator vote for 1号楼1单元 with paper and proxy ballots and its
//! cost shared by floor (a third paid), and an
//! open election of the property company among five candidates.

use crate::accounts::auth::{Credential, Principal};
use crate::deliberation::{BallotInput, NewVoteInput};
use crate::{Actor, App, AppError};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_store::deliberation::owners::{self as owners_store, SetOwner};
use linli_store::deliberation::votes as votes_store;
use linli_store::territory::places;

/// The secretary the demo acts as (the CLI has no community role).
pub(super) fn secretary(community: &RegionCode) -> Principal {
    Principal {
        user_id: 0,
        username: "demo".to_owned(),
        display_name: "演示数据".to_owned(),
        grants: vec![Grant {
            role: Role::CommunitySecretary,
            scope: community.clone(),
        }],
        must_change_password: false,
        last_login_at: None,
        credential: Credential::Token { token_id: 0 },
        elder: false,
    }
}

impl App {
    /// Seeds the demo's owners' register and votes once; `None` when the
    /// community has votes already. Returns the number of votes.
    pub async fn seed_demo_votes(&self) -> Result<Option<usize>, AppError> {
        let community: RegionCode = crate::demo::COMMUNITY.parse()?;
        let mut tx = self.db.begin().await?;
        if !votes_store::votes_in(&mut tx, &[community.as_str().to_owned()])
            .await?
            .is_empty()
        {
            return Ok(None);
        }
        let Some(estate) = places::estates_of(&mut tx, &community)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let dwellings = owners_store::dwellings_of_estate(&mut tx, estate.id).await?;
        let now = crate::now();
        let mut rows = Vec::with_capacity(dwellings.len());
        let mut prev_owner = None;
        for (i, (dwelling, _, _, _, resident)) in dwellings.iter().enumerate() {
            // 60–140 m², by the register mostly, some by survey or contract
            let area = 6000 + ((i as i64 * 3_737) % 8_000);
            let (register, survey, contract) = match i % 23 {
                0 => (None, None, Some(area + 150)),
                5 | 11 => (None, Some(area), Some(area + 120)),
                _ => (Some(area), Some(area + 30), None),
            };
            // unsold units and empty ones belong to the developer; the
            // 7th dwelling's owner also owns the 8th
            let owner = match (i, resident) {
                (7, _) => prev_owner,
                (_, Some(r)) if i % 97 != 3 => Some(*r),
                _ => None,
            };
            prev_owner = *resident;
            rows.push(SetOwner {
                dwelling_id: *dwelling,
                resident_id: owner,
                area_register: register,
                area_survey: survey,
                area_contract: contract,
                by: 0,
                now,
            });
        }
        owners_store::insert_owners(&mut tx, &rows).await?;
        let first_unit = match dwellings.first() {
            Some((_, _, unit, _, _)) => *unit,
            None => return Ok(None),
        };
        // the demo's resident account is an owner of 1号楼2单元 under 60
        let mut jumin = None;
        for (i, (_, _, unit, _, resident)) in dwellings.iter().enumerate() {
            let Some(r) = resident else { continue };
            if *unit == first_unit || rows[i].resident_id != Some(*r) {
                continue;
            }
            let young = linli_store::registry::resident_by_id(&mut tx, *r)
                .await?
                .and_then(|p| linli_domain::registry::parse_date(&p.record.birth_date))
                .is_some_and(|b| b.year() > crate::today().year() - 60);
            if young {
                jumin = Some(*r);
                break;
            }
        }
        tx.commit().await?;

        let staff = secretary(&community);
        let actor = Actor::cli();
        if let Some(r) = jumin {
            self.link_resident_account(&staff, r, "jumin", &actor)
                .await?;
        }
        let in_30 = crate::today()
            .checked_add(time::Duration::days(30))
            .map(|d| d.to_string())
            .unwrap_or_default();
        // 议事: proposals and meetings; the elevator's proposal awaits its vote
        let people: Vec<i64> = dwellings.iter().filter_map(|d| d.4).collect();
        let lift_name = owners_store::scope_place(&mut *self.db.conn().await?, "unit", first_unit)
            .await?
            .map(|(_, n)| n)
            .unwrap_or_default();
        let lift_proposal = self
            .seed_demo_proposals(
                &staff,
                community.as_str(),
                (estate.id, &estate.name),
                (first_unit, &lift_name),
                &people,
            )
            .await?;
        // the elevator: one unit votes, most agree, on paper or by proxy
        let lift = self
            .create_vote(
                &staff,
                &NewVoteInput {
                    scope: format!("unit:{first_unit}"),
                    item: "7".to_owned(),
                    title: "1号楼1单元加装电梯".to_owned(),
                    body: "在1单元北侧加装一部电梯。总造价约 45 万元,政府补贴 20 万元用于维护保养,其余按楼层分摊(一层不分摊,二层 10%起,逐层递增)。经 8 次议事协商会达成方案。".to_owned(),
                    candidates: String::new(),
                    closes_on: in_30.clone(),
                    proposal: Some(lift_proposal),
                },
                &actor,
            )
            .await?;
        self.open_vote(&staff, lift, &actor).await?;
        let roll = votes_store::roll(&mut *self.db.conn().await?, lift).await?;
        for (i, (r, _)) in roll.iter().enumerate() {
            if i % 11 == 4 {
                continue; // did not take part
            }
            let choice = match i % 17 {
                2 => "反对",
                9 => "弃权",
                _ => "同意",
            };
            let proxy = i % 5 == 1;
            self.enter_ballot(
                &staff,
                lift,
                &BallotInput {
                    owner_key: r.owner_key.clone(),
                    channel: if proxy { "proxy" } else { "paper" }.to_owned(),
                    choice: choice.to_owned(),
                    proof: format!("{}-{:03}", if proxy { "WT" } else { "DT" }, i + 1),
                    proxy: if proxy {
                        "李建华".to_owned()
                    } else {
                        String::new()
                    },
                    room: String::new(),
                },
                &actor,
            )
            .await?;
        }
        self.close_vote(&staff, lift, &actor).await?;
        // 民筹: the owners' part by floor (一层不分摊, 二层 10 rising to 40
        // at the top), the subsidy apart; a third of the unit has paid
        let table: Vec<String> = (1..=23)
            .map(|f: i64| format!("{f}:{}", if f == 1 { 0 } else { 10 + (f - 2) * 30 / 21 }))
            .collect();
        self.set_cost_plan(
            &staff,
            lift,
            &crate::deliberation::CostInput {
                basis: "floor".to_owned(),
                table: table.join(", "),
                owners_total: "250000".to_owned(),
                funding: "政府补贴(用于维护保养):200000".to_owned(),
            },
            &actor,
        )
        .await?;
        let shares =
            linli_store::deliberation::costs::shares(&mut *self.db.conn().await?, lift).await?;
        for s in shares.iter().filter(|s| s.share_fen > 0).step_by(3) {
            self.mark_share_paid(&staff, lift, s.dwelling_id, &actor)
                .await?;
        }

        // the property company: the whole estate chooses among five
        let election = self
            .create_vote(
                &staff,
                &NewVoteInput {
                    scope: format!("estate:{}", estate.id),
                    item: "4".to_owned(),
                    title: "选聘物业服务企业".to_owned(),
                    body:
                        "原物业服务合同年底到期。业主委员会公开招标,5 家企业入围,请从中选择一家。"
                            .to_owned(),
                    candidates:
                        "长春安居物业\n吉林万家物业\n宽城城市服务\n长山物业管理\n团山社区服务中心"
                            .to_owned(),
                    closes_on: in_30,
                    proposal: None,
                },
                &actor,
            )
            .await?;
        self.open_vote(&staff, election, &actor).await?;
        Ok(Some(2))
    }
}
