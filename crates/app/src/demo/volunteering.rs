//! The demo's volunteering: 长山花园's 12 红马甲 teams and 150 volunteers
//! (60 in-service party members reported in from their employers, placed
//! in the grids, with posts and paired households), a year of the 15th's
//! 学习日 and the 25th's 爱心日 with who came and what they were credited,
//! rated service orders, twelve 微心愿 (most fulfilled), a shelf of goods with some redeemed, and one
//! party member's account (`dangyuan`, bound to their record in the
//! estate) that has not reported in yet — the tryout starts there.

use super::{person, staff_password};
use crate::accounts::NewAccount;
use crate::volunteering::ledger::{Credit, credit};
use crate::{Actor, App, AppError};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::time::UnixMs;
use linli_domain::volunteering::orders::{Rating, order_points};
use linli_domain::volunteering::{POSTS, SERVICES, parse_beijing_minute};
use linli_store::territory::places;
use linli_store::volunteering::activities::{self as astore, NewActivity};
use linli_store::volunteering::orders::{self as ostore, Change, NewOrder};
use linli_store::volunteering::rewards as rstore;
use linli_store::volunteering::volunteers::{self as vstore, NewVolunteer};
use linli_store::volunteering::wishes::{self as wstore, NewWish};

const TEAMS: [&str; 12] = [
    "红马甲助老服务队",
    "红马甲法律援助队",
    "红马甲家电维修队",
    "红马甲义务巡逻队",
    "红马甲环境整治队",
    "红马甲文明劝导队",
    "红马甲理发义剪队",
    "红马甲医疗保健队",
    "红马甲心理疏导队",
    "红马甲政策宣讲队",
    "红马甲扫雪除冰队",
    "红马甲文体活动队",
];

const EMPLOYERS: [&str; 5] = [
    "宽城区人民法院机关党委",
    "长春市第五中学党支部",
    "宽城区人民医院党委",
    "团山街道社区卫生服务中心党支部",
    "国网长春供电公司宽城营业部党支部",
];

const SHELF: [(&str, i64, i64); 5] = [
    ("洗衣液", 30, 40),
    ("大米(5斤)", 50, 30),
    ("食用油", 80, 20),
    ("保温杯", 120, 10),
    ("电动车头盔", 150, 10),
];

/// The demo's own operator: no account (0).
const DEMO_USER: i64 = 0;

impl App {
    /// Seeds the demo's volunteering once; `None` when it is there already.
    /// Returns (volunteers, the party member's account and password).
    pub async fn seed_demo_volunteering(
        &self,
    ) -> Result<Option<(usize, super::DemoAccounts)>, AppError> {
        let community: RegionCode = super::COMMUNITY.parse()?;
        let code = community.as_str().to_owned();
        let mut tx = self.db.begin().await?;
        if !vstore::teams(&mut tx, &code).await?.is_empty() {
            return Ok(None);
        }
        let grids = places::grids_of(&mut tx, &community).await?;
        let now = crate::now();
        let year_ago = now.plus_secs(-365 * 86_400);
        let mut teams = Vec::new();
        for (i, t) in TEAMS.iter().enumerate() {
            teams.push(vstore::insert_team(&mut tx, &code, t, &person(400 + i)).await?);
        }
        let mut volunteers = Vec::new();
        for k in 0..150usize {
            let party = k % 5 < 2;
            let name = person(420 + k);
            let id = vstore::insert(
                &mut tx,
                &NewVolunteer {
                    user_id: None,
                    community_code: &code,
                    name: &name,
                    skills: TEAMS[k % 12]
                        .trim_start_matches("红马甲")
                        .trim_end_matches('队'),
                    team_id: Some(teams[k % 12]),
                    party_member: party,
                    employer_org: party.then_some(EMPLOYERS[k % EMPLOYERS.len()]),
                    target_minutes: if party { 50 * 60 } else { 0 },
                    now: year_ago.plus_secs(k as i64 * 3600),
                },
            )
            .await?
            .ok_or_else(|| AppError::Internal("demo volunteer".into()))?;
            if party {
                let grid = grids
                    .get(k % grids.len().max(1))
                    .map(|g| g.code.to_string());
                vstore::place(&mut tx, id, grid.as_deref(), None).await?;
                vstore::claim_post(&mut tx, id, POSTS[k % POSTS.len()]).await?;
            }
            volunteers.push(id);
        }
        // a year of the 15th and the 25th
        for m in 0..12i64 {
            let day = crate::today() - time::Duration::days(30 * (12 - m));
            for (d, title, points) in [(15, "党员学习日", 5), (25, "爱心日:楼院清扫与助老", 10)]
            {
                let Ok(date) = day.replace_day(d) else {
                    continue;
                };
                let starts = parse_beijing_minute(&format!("{date} 09:00"))?;
                if starts > now {
                    continue;
                }
                let ends = starts.plus_secs(3 * 3600);
                let aid = astore::insert(
                    &mut tx,
                    &NewActivity {
                        community_code: &code,
                        title,
                        place: "长山花园党群服务中心",
                        starts_at: starts,
                        ends_at: ends,
                        capacity: 60,
                        points,
                        cap_minutes: 120,
                        secret: &"0".repeat(64),
                        organiser_user: DEMO_USER,
                        now: starts.plus_secs(-7 * 86_400),
                    },
                )
                .await?;
                for j in 0..(20 + (m as usize * 3) % 15) {
                    let vid = volunteers[(m as usize * 11 + j * 7 + d as usize) % volunteers.len()];
                    let Some(v) = vstore::by_id(&mut tx, vid).await? else {
                        continue;
                    };
                    if astore::person(&mut tx, aid, vid).await?.is_some() {
                        continue;
                    }
                    let pid =
                        astore::put_person(&mut tx, aid, Some(vid), &v.name, "confirmed", starts)
                            .await?;
                    let came = starts.plus_secs(((j % 4) * 300) as i64);
                    let left = ends.plus_secs(-(((j % 3) * 1800) as i64));
                    astore::mark_in(&mut tx, pid, came).await?;
                    let minutes = ((left.0 - came.0) / 60_000).min(120);
                    astore::mark_out(&mut tx, pid, left, minutes).await?;
                    credit(
                        &mut tx,
                        Credit {
                            community: &code,
                            volunteer: vid,
                            minutes,
                            points,
                            reason: &format!("活动:{title}"),
                            source_ref: &format!("activity:{aid}:volunteer:{vid}"),
                            operator: DEMO_USER,
                            at: left,
                        },
                    )
                    .await?;
                }
            }
        }
        self.seed_demo_orders(&mut tx, &code, &volunteers, year_ago)
            .await?;
        seed_wishes(&mut tx, &code, &volunteers, year_ago).await?;
        for (name, points, stock) in SHELF {
            rstore::stock_up(&mut tx, &code, name, points, stock).await?;
        }
        tx.commit().await?;

        let password = staff_password("dangyuan")?;
        self.create_user(
            NewAccount {
                username: "dangyuan".to_owned(),
                display_name: Some(format!("{}(在职党员)", person(399))),
                password: password.clone(),
                // a resident of the community who is an in-service party member
                grants: vec![
                    Grant {
                        role: Role::Resident,
                        scope: community.clone(),
                    },
                    Grant {
                        role: Role::PartyMember,
                        scope: community.clone(),
                    },
                ],
                must_change_password: false,
            },
            &Actor::cli(),
        )
        .await?;
        // a resident of the estate, bound to their record as 双报到 expects
        let mut conn = self.db.conn().await?;
        let resident = match places::estates_of(&mut conn, &community).await?.first() {
            Some(e) => linli_store::deliberation::owners::dwellings_of_estate(&mut conn, e.id)
                .await?
                .into_iter()
                .filter_map(|d| d.4)
                .nth(1500),
            None => None,
        };
        drop(conn);
        if let Some(rid) = resident {
            let staff = super::deliberation::secretary(&community);
            self.link_resident_account(&staff, rid, "dangyuan", &Actor::cli())
                .await?;
        }
        Ok(Some((
            volunteers.len(),
            vec![(
                "dangyuan".to_owned(),
                "在职党员(双报到)".to_owned(),
                password,
            )],
        )))
    }

    /// A year of rated service orders from residents of the estate.
    async fn seed_demo_orders(
        &self,
        tx: &mut linli_store::Tx,
        code: &str,
        volunteers: &[i64],
        since: UnixMs,
    ) -> Result<(), AppError> {
        let community: RegionCode = code.parse()?;
        let Some(estate) = places::estates_of(tx, &community).await?.into_iter().next() else {
            return Ok(());
        };
        let people: Vec<i64> =
            linli_store::deliberation::owners::dwellings_of_estate(tx, estate.id)
                .await?
                .into_iter()
                .filter_map(|d| d.4)
                .step_by(97)
                .take(24)
                .collect();
        for (i, rid) in people.iter().enumerate() {
            let Some(r) = linli_store::registry::resident_by_id(tx, *rid).await? else {
                continue;
            };
            let at = since.plus_secs(i as i64 * 14 * 86_400 + 3600);
            let service = SERVICES[i % (SERVICES.len() - 1)];
            let id = ostore::insert(
                tx,
                &NewOrder {
                    community_code: code,
                    requester_user: DEMO_USER,
                    requester_name: &r.record.name,
                    place: &format!("{}{}{}{}", r.estate, r.building, r.unit, r.room),
                    area: &format!("{}{}", r.estate, r.building),
                    contact_sealed: None,
                    service,
                    body: "家里老人行动不便,麻烦志愿者上门帮忙。",
                    now: at,
                },
            )
            .await?;
            let vid = volunteers[(i * 13) % volunteers.len()];
            let minutes = 30 + (i as i64 % 4) * 30;
            let rating = [Rating::Satisfied, Rating::Satisfied, Rating::Basic][i % 3];
            ostore::set_state(
                tx,
                id,
                "rated",
                &Change {
                    assignee_id: Some(Some(vid)),
                    minutes: Some(minutes),
                    done_note: Some("已上门办好"),
                    rating: Some(rating.as_str()),
                    rating_note: Some(""),
                },
                at.plus_secs(86_400),
            )
            .await?;
            for (k, action) in ["order", "dispatch", "accept", "finish", "rate"]
                .iter()
                .enumerate()
            {
                ostore::add_step(
                    tx,
                    id,
                    action,
                    (DEMO_USER, "演示数据"),
                    "",
                    at.plus_secs(k as i64 * 3 * 3600),
                )
                .await?;
            }
            credit(
                tx,
                Credit {
                    community: code,
                    volunteer: vid,
                    minutes,
                    points: order_points(minutes, rating),
                    reason: &format!("服务单:{service}({})", rating.label_zh()),
                    source_ref: &format!("order:{id}"),
                    operator: DEMO_USER,
                    at: at.plus_secs(86_400),
                },
            )
            .await?;
        }
        Ok(())
    }
}

const WISHES: [(&str, &str); 12] = [
    ("一件过冬的棉衣", "独居多年,旧棉衣不保暖了"),
    ("一台收音机", "眼睛不好,想听听新闻和评书"),
    ("孙子的学习用品", "孩子上三年级,想要书包和文具"),
    ("一副老花镜", "看药盒上的字看不清"),
    ("陪我去一次医院复查", "子女在外地,一个人去不方便"),
    ("一个助行器", "腿脚不便,下楼怕摔"),
    ("帮忙修一修漏水的水龙头", "滴了一个月了"),
    ("一套冬天的被褥", "家里的被子太薄"),
    ("一次上门理发", "出门不方便,头发很长了"),
    ("一盏台灯", "晚上看书光线太暗"),
    ("一台电饭煲", "旧的坏了"),
    ("学会用智能手机挂号", "想自己在手机上约医生"),
];

/// 东侨's 微心愿: most fulfilled and confirmed, a few open, one waiting
/// for review.
async fn seed_wishes(
    tx: &mut linli_store::Tx,
    code: &str,
    volunteers: &[i64],
    since: UnixMs,
) -> Result<(), AppError> {
    for (i, (title, body)) in WISHES.iter().enumerate() {
        let at = since.plus_secs(i as i64 * 25 * 86_400);
        let id = wstore::insert(
            tx,
            &NewWish {
                community_code: code,
                author_user: DEMO_USER,
                for_name: &person(600 + i),
                place: &format!("长山花园{}号楼", 1 + i % 6),
                title,
                body,
                now: at,
            },
        )
        .await?;
        if i == 11 {
            continue;
        }
        wstore::advance(tx, id, "submitted", "published", None, None, at).await?;
        if i >= 9 {
            continue;
        }
        let vid = volunteers[(i * 17) % volunteers.len()];
        let Some(v) = vstore::by_id(tx, vid).await? else {
            continue;
        };
        wstore::advance(
            tx,
            id,
            "published",
            "claimed",
            Some((DEMO_USER, &v.name)),
            None,
            at,
        )
        .await?;
        if i == 8 {
            continue;
        }
        wstore::advance(tx, id, "claimed", "delivered", None, Some("已送到家中"), at).await?;
        wstore::advance(tx, id, "delivered", "confirmed", None, None, at).await?;
        credit(
            tx,
            Credit {
                community: code,
                volunteer: vid,
                minutes: 0,
                points: crate::volunteering::WISH_POINTS,
                reason: &format!("微心愿:{title}"),
                source_ref: &format!("wish:{id}"),
                operator: DEMO_USER,
                at: at.plus_secs(3 * 86_400),
            },
        )
        .await?;
    }
    Ok(())
}
