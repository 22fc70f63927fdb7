//! The demo's year of requests in 长山花园: about 1,800 cases over the last
//! 365 days with seasonal categories (snow and ice in a Changchun winter,
//! blocked drains in the July rains, building work in spring), most of
//! them closed, some reworked, reopened, rejected or still open and
//! overdue, with ratings. They go through the same services as real ones,
//! at their historical times, so timelines and roll-ups agree.

use crate::accounts::auth::{Credential, Principal};
use crate::cases::{NewCase, StepInput};
use crate::territory::places::Location;
use crate::{Actor, App, AppError};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::cases::{CaseKind, Channel, Priority, Rating, Step};
use linli_domain::geo::CoordSys;
use linli_domain::time::UnixMs;
use linli_store::cases::{CaseFilter, CaseReach};
use linli_store::{accounts::users, territory::places};

const CASES: u64 = 1_800;
const DAY_MS: i64 = 24 * 3600 * 1000;
const HOUR: i64 = 3600;

/// (category, month weights Jan..Dec, what people write)
const KINDS: &[(&str, [u64; 12], &[&str])] = &[
    (
        "0104",
        [9, 8, 4, 2, 1, 1, 1, 1, 1, 2, 6, 9],
        &[
            "楼前道路积雪结冰,老人出门容易滑倒",
            "小区主路有油污和碎玻璃",
        ],
    ),
    (
        "0102",
        [3, 5, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
        &["垃圾箱满溢无人清运", "单元门口堆放装修垃圾"],
    ),
    (
        "0105",
        [1, 1, 1, 2, 3, 4, 4, 4, 3, 2, 1, 1],
        &["绿地杂草丛生,蚊虫多", "树枝断裂挡住人行道"],
    ),
    (
        "0201",
        [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
        &["楼道里贴满小广告", "电梯间张贴开锁小广告"],
    ),
    (
        "0301",
        [1, 1, 3, 4, 4, 3, 2, 2, 3, 3, 1, 1],
        &["夜间施工噪音扰民", "周边工地早上六点就开工"],
    ),
    (
        "0404",
        [1, 1, 1, 1, 2, 4, 8, 7, 3, 1, 1, 1],
        &["下雨后下水道反水,单元门口积水", "雨水井堵塞"],
    ),
    (
        "0402",
        [3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3],
        &["暖气管道漏水", "地下室水管冻裂"],
    ),
    (
        "0504",
        [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
        &["消防通道被私家车占用", "车辆乱停堵住单元门"],
    ),
    (
        "1001",
        [1, 1, 2, 2, 3, 3, 3, 3, 2, 2, 1, 1],
        &["楼上住户深夜噪音", "邻居在楼道堆放杂物引发纠纷"],
    ),
    (
        "1002",
        [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
        &["物业维修不及时", "单元门禁损坏一周未修"],
    ),
    (
        "1003",
        [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
        &["希望增加非机动车充电车位", "外来车辆占用小区车位"],
    ),
    (
        "1004",
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        &["咨询老楼加装电梯的办理流程", "加装电梯意见征集进度"],
    ),
    (
        "1005",
        [3, 3, 2, 1, 1, 1, 1, 1, 1, 2, 3, 3],
        &["独居老人需要上门助餐", "希望社区组织老人体检"],
    ),
    (
        "1006",
        [1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1],
        &["垃圾分类投放点无人指导", "厨余垃圾桶破损"],
    ),
];

/// A small deterministic generator, so every demo has the same year.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next(100) < percent
    }
}

/// A demo account as the seeding acts for it, by its user name; its
/// display name is what timelines and handlers show.
async fn principal(
    tx: &mut linli_store::Tx,
    username: &str,
    role: Role,
    scope: &str,
) -> Result<Principal, AppError> {
    let user_id = users::id_by_username(tx, username)
        .await?
        .ok_or_else(|| AppError::Internal(format!("demo account {username} missing")))?;
    let display_name = users::find(tx, user_id)
        .await?
        .map_or_else(|| username.to_owned(), |u| u.display_name);
    Ok(Principal {
        user_id,
        username: username.to_owned(),
        display_name,
        grants: vec![Grant {
            role,
            scope: scope.parse()?,
        }],
        must_change_password: false,
        last_login_at: None,
        credential: Credential::Token { token_id: 0 },
        elder: false,
    })
}

fn actor_of(p: &Principal) -> Actor {
    Actor {
        id: Some(p.user_id),
        name: p.username.clone(),
        source: "demo".to_owned(),
    }
}

/// What the demo community has just told its residents.
const DEMO_NOTICES: &[(&str, &str)] = &[
    (
        "供暖期室温不达标,请拨打热线",
        "本供暖期室温应不低于18℃。家中室温不达标的,请拨打供热热线或告诉网格员,社区将督促供热公司上门处理。",
    ),
    (
        "12月12日党群服务中心义诊",
        "12月12日(周六)上午9:00—11:30,社区党群服务中心一楼有免费测血压、血糖和健康咨询。行动不便的老人可联系网格员预约上门。",
    ),
];

fn month_of(t: UnixMs) -> usize {
    usize::from(u8::from(linli_domain::cases::china_date(t).month())) - 1
}

impl App {
    /// Seeds the demo's year of requests once; `None` when there are some.
    pub async fn seed_demo_cases(&self) -> Result<Option<u64>, AppError> {
        let community: RegionCode = crate::demo::COMMUNITY.parse()?;
        self.grid_index().await?;
        let mut tx = self.db.begin().await?;
        let reach = CaseReach {
            prefixes: vec![community.as_str().to_owned()],
            ..CaseReach::default()
        };
        let any = CaseFilter {
            limit: 1,
            ..CaseFilter::default()
        };
        if !linli_store::cases::list_cases(&mut tx, &reach, &any)
            .await?
            .is_empty()
        {
            return Ok(None);
        }
        let secretary = principal(
            &mut tx,
            "shuji",
            Role::CommunitySecretary,
            community.as_str(),
        )
        .await?;
        let resident = principal(&mut tx, "jumin", Role::Resident, community.as_str()).await?;
        let workers = [
            principal(
                &mut tx,
                "wangge1",
                Role::GridWorker,
                &format!("{community}001"),
            )
            .await?,
            principal(
                &mut tx,
                "wangge2",
                Role::GridWorker,
                &format!("{community}002"),
            )
            .await?,
        ];
        let buildings: Vec<(f64, f64, String)> = places::buildings_of(&mut tx, &community)
            .await?
            .into_iter()
            .filter_map(|b| Some((b.lng?, b.lat?, b.scope.to_string())))
            .collect();
        if buildings.is_empty() {
            return Ok(None);
        }
        let now = crate::now();
        let start = now.0 - 365 * DAY_MS;
        let mut rng = Lcg(311);
        let mut made = 0;
        for i in 0..CASES {
            // spread over the year, in daytime China hours
            let day = start + (i as i64 * 365 * DAY_MS) / CASES as i64;
            let t0 = UnixMs(day - day.rem_euclid(DAY_MS) + (rng.next(12) as i64) * HOUR * 1000);
            let month = month_of(t0);
            let total: u64 = KINDS.iter().map(|k| k.1[month]).sum();
            let mut pick = rng.next(total);
            let (code, _, texts) = KINDS
                .iter()
                .find(|k| {
                    let hit = pick < k.1[month];
                    pick = pick.saturating_sub(k.1[month]);
                    hit
                })
                .unwrap_or(&KINDS[0]);
            let (lng, lat, scope) = &buildings[rng.next(buildings.len() as u64) as usize];
            let worker = workers.iter().find(|w| w.grants[0].scope.as_str() == scope);
            let roll = rng.next(100);
            let (who, channel) = match (roll, worker) {
                (0..=19, _) => (Some(&resident), Channel::Resident),
                (20..=54, _) => (None, Channel::Resident),
                (55..=79, Some(w)) => (Some(w), Channel::Patrol),
                (55..=89, _) => (Some(&secretary), Channel::Phone),
                _ => (Some(&secretary), Channel::MeetingDay),
            };
            let input = NewCase {
                kind: if *code == "1004" {
                    CaseKind::Consult
                } else if channel == Channel::Patrol {
                    CaseKind::Snapshot
                } else {
                    CaseKind::Help
                },
                channel,
                priority: if code.starts_with("04") {
                    Priority::Urgent
                } else {
                    Priority::Normal
                },
                category: Some((*code).to_owned()),
                description: texts[rng.next(texts.len() as u64) as usize].to_owned(),
                location: Some(Location {
                    lng: *lng,
                    lat: *lat,
                    sys: CoordSys::Wgs84,
                }),
                dwelling_id: None,
                address: String::new(),
                community: None,
                reporter_name: String::new(),
                contact_phone: Some(format!("139{:08}", 10_000_000 + rng.next(89_999_999))),
                idempotency_key: None,
                api_key_id: None,
                media_url: None,
                photos: Vec::new(),
            };
            let a = who.map_or_else(
                || Actor {
                    id: None,
                    name: "居民".into(),
                    source: "demo".into(),
                },
                actor_of,
            );
            let (c, _) = self.submit_in(&mut tx, who, &input, &a, t0).await?;
            made += 1;
            // how far the case has come: recent ones may still be open
            let age_days = (now.0 - t0.0) / DAY_MS;
            let mut plan: Vec<(Step, &str)> = Vec::new();
            if channel == Channel::Patrol && rng.chance(40) {
                plan.push((Step::CloseOnSpot, "现场已处理"));
            } else if rng.chance(4) {
                plan.push((Step::Reject, "不属于社区受理范围,已告知咨询渠道"));
            } else {
                plan.push((Step::Accept, ""));
                if rng.chance(2) {
                    plan.push((Step::Cancel, "上报人撤回"));
                } else {
                    plan.push((Step::Dispatch, ""));
                    plan.push((Step::Start, ""));
                    plan.push((Step::Handle, "已处置"));
                    if rng.chance(8) {
                        plan.push((Step::VerifyFail, "现场核查未完全解决"));
                        plan.push((Step::Handle, "已再次处置"));
                    }
                    plan.push((Step::VerifyPass, "核查通过"));
                }
            }
            // open cases: the last 20 days keep some steps back
            let keep = match age_days {
                0..=3 => rng.next(plan.len() as u64 + 1) as usize,
                4..=20 if rng.chance(25) => rng.next(plan.len() as u64) as usize,
                _ => plan.len(),
            };
            let mut t = t0;
            for (step, note) in plan.into_iter().take(keep) {
                let gap_h = match step {
                    Step::Accept => 1 + rng.next(6) as i64,
                    Step::Dispatch => 1 + rng.next(4) as i64,
                    Step::Handle => {
                        4 + rng.next(if code.starts_with("04") { 4 } else { 120 }) as i64
                    }
                    Step::VerifyPass | Step::VerifyFail => 2 + rng.next(24) as i64,
                    _ => 1,
                };
                t = t.plus_secs(gap_h * HOUR);
                if t > now {
                    break;
                }
                let by = match step {
                    Step::CloseOnSpot | Step::Handle | Step::Start => worker.unwrap_or(&secretary),
                    _ => &secretary,
                };
                let input = StepInput {
                    note: note.to_owned(),
                    ..StepInput::default()
                };
                self.step_in(&mut tx, by, c.id, step, &input, &[], &actor_of(by), t)
                    .await?;
            }
            // the resident rates what closed (by phone callback for the others)
            let closed = linli_store::cases::case_by_id(&mut tx, c.id)
                .await?
                .is_some_and(|k| k.state == "closed");
            if closed && who.is_some_and(|w| w.user_id == resident.user_id) {
                let r = match rng.next(100) {
                    0..=74 => Rating::Satisfied,
                    75..=91 => Rating::FairlySatisfied,
                    _ => Rating::Dissatisfied,
                };
                let at = t.plus_secs((2 + rng.next(48) as i64) * HOUR);
                if at < now {
                    self.rate_in(&mut tx, &resident, c.id, (r, ""), &actor_of(&resident), at)
                        .await?;
                }
            }
        }
        // people have read what is more than two days old: the inbox shows
        // a believable handful, not a year of unread messages
        linli_store::notifications::mark_older_read(&mut tx, UnixMs(now.0 - 2 * DAY_MS)).await?;
        tx.commit().await?;
        // and the community's two newest notices
        for (title, body) in DEMO_NOTICES {
            let draft = crate::notices::NoticeDraft {
                community: community.to_string(),
                title: (*title).to_owned(),
                body: (*body).to_owned(),
                audience: "all".to_owned(),
                audience_value: String::new(),
                photos: Vec::new(),
            };
            self.publish_notice(&secretary, &draft, &actor_of(&secretary))
                .await?;
        }
        Ok(Some(made))
    }
}
