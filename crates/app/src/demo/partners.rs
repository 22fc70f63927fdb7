//! The demo's partner units: 长山花园's 大党委 with the two partner
//! organisations of the party network (团山派出所, the 物业) plus a hospital
//! and a school, each reported in with a signed 共驻共建协议; the three
//! lists — 义诊, 助老餐, 停车错时共享 (上羊市街 found 30 spaces that way) —;
//! four quarterly 联席会议 with minutes; two finished projects with their
//! money and progress; this year's evaluation; and one partner account
//! (`gongjian`, over the street) with no unit yet — the tryout starts there.

use super::{COMMUNITY, person, staff_password};
use crate::accounts::NewAccount;
use crate::{Actor, App, AppError};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::time::{UnixMs, china_year};
use linli_store::Conn;
use linli_store::deliberation::meetings::{self as mstore, NewMeeting};
use linli_store::partners::needs::{self as nstore, NewNeed};
use linli_store::partners::projects::{self as pstore, NewFunding, NewProject, Tally};
use linli_store::partners::units::{self as ustore, NewAgreement, NewResource, NewUnit};

/// (name, kind, party organisation, commitments, resources: (kind, category, title, amount, when))
type UnitSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )],
);

const UNITS: [UnitSeed; 4] = [
    (
        "宽城区人民医院",
        "hospital",
        "宽城区人民医院党委",
        &[
            "每月到社区义诊一次",
            "为独居老人建立健康档案",
            "每季度健康讲座一次",
        ],
        &[(
            "service",
            "医疗健康",
            "每月上门义诊",
            "内科、全科医生各1名",
            "每月第二个周六上午",
        )],
    ),
    (
        "长春市第五中学",
        "school",
        "长春市第五中学党支部",
        &[
            "教职工停车场夜间向居民错时开放",
            "寒暑假开放操场",
            "党员教师到社区辅导作业",
        ],
        &[
            (
                "venue",
                "停车交通",
                "停车场夜间错时共享",
                "车位30个",
                "工作日19:00至次日7:00",
            ),
            (
                "venue",
                "场地设施",
                "周末开放操场",
                "标准操场1个",
                "周六、周日白天",
            ),
        ],
    ),
    (
        "团山派出所",
        "organ",
        "团山派出所党支部",
        &["每季度防诈骗宣讲", "节假日联合巡逻"],
        &[(
            "service",
            "法律服务",
            "防诈骗宣讲进楼院",
            "民警2名",
            "每季度一次",
        )],
    ),
    (
        "长山花园物业服务中心",
        "private",
        "长山花园物业服务中心党支部",
        &["楼道杂物每月清理", "为高龄老人提供助餐配送"],
        &[
            (
                "people",
                "环境卫生",
                "楼道清理小分队",
                "保洁员6名",
                "每月最后一周",
            ),
            (
                "service",
                "助老助餐",
                "助老餐配送",
                "每日40份",
                "每天11:00前",
            ),
        ],
    ),
];

/// (category, title, body, place)
const NEEDS: [(&str, &str, &str, &str); 4] = [
    (
        "医疗健康",
        "独居老人上门义诊",
        "5栋有7位独居老人,行动不便,量血压、测血糖要人上门。",
        "长山花园5栋",
    ),
    (
        "停车交通",
        "夜间停车难",
        "晚上下班后小区车位不够,车停到消防通道上。",
        "长山花园",
    ),
    (
        "助老助餐",
        "高龄老人助餐",
        "80岁以上老人做饭难,希望有人送午餐。",
        "长山花园",
    ),
    (
        "环境卫生",
        "楼道杂物堆放",
        "部分楼道堆放杂物,影响通行和消防安全。",
        "长山花园3栋、7栋",
    ),
];

/// The demo's own operator: no account (0).
const DEMO_USER: i64 = 0;

impl App {
    /// Seeds the demo's partner units once; `None` when they are there.
    /// Returns (units, the partner account and its password).
    pub async fn seed_demo_partners(
        &self,
    ) -> Result<Option<(usize, super::DemoAccounts)>, AppError> {
        let code = COMMUNITY;
        let now = crate::now();
        let year_ago = now.plus_secs(-330 * 86_400);
        let mut tx = self.db.begin().await?;
        if !ustore::reports_in(&mut tx, &[code.to_owned()])
            .await?
            .is_empty()
        {
            return Ok(None);
        }
        let mut units = Vec::new();
        for (i, (name, kind, org, commitments, resources)) in UNITS.iter().enumerate() {
            let id = ustore::insert_unit(
                &mut tx,
                &NewUnit {
                    name,
                    kind,
                    party_org: org,
                    contact_name: &person(600 + i),
                    contact_phone: &format!("0431-8555{:04}", 1200 + i),
                    committee_member: &person(610 + i),
                    by: DEMO_USER,
                    now: year_ago,
                },
            )
            .await?
            .ok_or_else(|| AppError::Internal("demo unit".into()))?;
            ustore::request_report(&mut tx, id, code, "驻区单位报到", year_ago).await?;
            ustore::decide_report(&mut tx, id, code, true, DEMO_USER, year_ago).await?;
            ustore::insert_agreement(
                &mut tx,
                &NewAgreement {
                    unit_id: id,
                    community_code: code,
                    title: "共驻共建协议书",
                    commitments: &commitments.join("\n"),
                    commitment_count: commitments.len() as i64,
                    start_date: "2026-01-01",
                    end_date: "2027-12-31",
                    by: DEMO_USER,
                    now: year_ago,
                },
            )
            .await?;
            for (kind, category, title, amount, available) in *resources {
                ustore::insert_resource(
                    &mut tx,
                    &NewResource {
                        unit_id: id,
                        kind,
                        category,
                        title,
                        detail: "",
                        amount,
                        available,
                        now: year_ago,
                    },
                )
                .await?;
            }
            units.push(id);
        }
        let mut needs = Vec::new();
        for (k, (category, title, body, place)) in NEEDS.iter().enumerate() {
            let at = year_ago.plus_secs(k as i64 * 86_400);
            let id = nstore::insert(
                &mut tx,
                &NewNeed {
                    community_code: code,
                    source: "staff",
                    source_id: None,
                    category,
                    title,
                    body,
                    place,
                    by: DEMO_USER,
                    now: at,
                },
            )
            .await?
            .ok_or_else(|| AppError::Internal("demo need".into()))?;
            tally(
                &mut tx,
                at,
                Tally {
                    needs_opened: 1,
                    ..Tally::default()
                },
            )
            .await?;
            needs.push(id);
        }
        // four quarterly meetings: the first two decide a project each
        let mut meetings = Vec::new();
        for q in 0..4i64 {
            let at = year_ago.plus_secs((q * 80 + 10) * 86_400);
            let day = linli_domain::time::beijing_minute(at)[..10].to_owned();
            let title = format!(
                "大党委第{}季度联席会议",
                ["一", "二", "三", "四"][q as usize]
            );
            let id = mstore::insert(
                &mut tx,
                &NewMeeting {
                    community_code: code,
                    proposal_id: None,
                    kind: "joint",
                    title: &title,
                    held_on: &day,
                    place: "长山花园党群服务中心",
                    by: DEMO_USER,
                    now: at,
                },
            )
            .await?;
            nstore::put_on_agenda(&mut tx, id, &needs[(q as usize).min(2)..]).await?;
            let names: Vec<String> = (0..4)
                .map(|i| person(610 + i))
                .chain([person(100)])
                .collect();
            mstore::set_attendees(&mut tx, id, &names).await?;
            let (minutes, decisions) = match q {
                0 => (
                    "议定由宽城区人民医院每月到5栋为独居老人上门义诊,社区网格员负责联系入户。",
                    "立项:独居老人上门义诊",
                ),
                1 => (
                    "通报义诊进展;议定第五中学停车场夜间错时向居民开放30个车位,物业负责引导。",
                    "立项:停车错时共享",
                ),
                2 => (
                    "通报两个项目进展;研究高龄老人助餐,物业提出每日配送方案,待测算费用。",
                    "助餐方案下次会议再议",
                ),
                _ => (
                    "两个项目已完成并公示;助餐和楼道清理列入明年计划。",
                    "开展年度考评",
                ),
            };
            mstore::add_minutes(&mut tx, id, minutes, decisions, DEMO_USER, at).await?;
            meetings.push((id, at));
        }
        // two finished projects
        let plans = [
            (
                0usize,
                0usize,
                "独居老人上门义诊",
                "为5栋、9栋23位老人上门义诊46人次,建立健康档案23份",
                500_000i64,
                96 * 60,
            ),
            (
                1,
                1,
                "停车错时共享",
                "第五中学夜间开放30个车位,晚间占用消防通道的车辆基本消失",
                120_000,
                40 * 60,
            ),
        ];
        for (k, (need_k, unit_k, title, outcome, money, minutes)) in plans.into_iter().enumerate() {
            let (mid, at) = meetings[k];
            nstore::set_state(&mut tx, needs[need_k], &["open"], "project", None, at).await?;
            let pid = pstore::insert(
                &mut tx,
                &NewProject {
                    community_code: code,
                    need_id: needs[need_k],
                    meeting_id: Some(mid),
                    title,
                    lead_unit_id: units[unit_k],
                    units: &[units[3]],
                    owner: &person(610 + unit_k),
                    due_on: &linli_domain::time::beijing_minute(at.plus_secs(120 * 86_400))[..10],
                    budget_fen: money,
                    by: DEMO_USER,
                    now: at,
                },
            )
            .await?;
            tally(
                &mut tx,
                at,
                Tally {
                    projects_started: 1,
                    ..Tally::default()
                },
            )
            .await?;
            for (j, note) in ["第一次入户,登记老人情况", "按计划开展,居民反映良好"]
                .iter()
                .enumerate()
            {
                let when = at.plus_secs((j as i64 + 1) * 20 * 86_400);
                pstore::add_progress(
                    &mut tx,
                    pid,
                    Some(units[unit_k]),
                    (DEMO_USER, "演示"),
                    note,
                    when,
                )
                .await?;
            }
            let paid = at.plus_secs(30 * 86_400);
            for (kind, amount, unit, t) in [
                (
                    "money",
                    money,
                    units[unit_k],
                    Tally {
                        money_fen: money,
                        ..Tally::default()
                    },
                ),
                (
                    "goods",
                    money / 5,
                    units[3],
                    Tally {
                        goods_fen: money / 5,
                        ..Tally::default()
                    },
                ),
                (
                    "hours",
                    minutes,
                    units[unit_k],
                    Tally {
                        minutes,
                        ..Tally::default()
                    },
                ),
            ] {
                pstore::add_funding(
                    &mut tx,
                    &NewFunding {
                        project: pid,
                        unit,
                        kind,
                        amount,
                        note: "",
                        by: DEMO_USER,
                        now: paid,
                    },
                )
                .await?;
                tally(&mut tx, paid, t).await?;
            }
            let closed = at.plus_secs(100 * 86_400);
            pstore::close(&mut tx, pid, outcome, closed).await?;
            nstore::set_state(&mut tx, needs[need_k], &["project"], "met", None, closed).await?;
            tally(
                &mut tx,
                closed,
                Tally {
                    projects_done: 1,
                    needs_met: 1,
                    ..Tally::default()
                },
            )
            .await?;
        }
        let year = china_year(now);
        for (k, id) in units.iter().enumerate() {
            let score = [95, 92, 85, 78][k];
            let grade = linli_domain::partners::grade(score)?;
            pstore::evaluate(
                &mut tx,
                *id,
                code,
                year,
                (score, grade, "承诺事项按期兑现"),
                DEMO_USER,
                now,
            )
            .await?;
        }
        tx.commit().await?;

        let password = staff_password("gongjian")?;
        let street: RegionCode = super::STREET.parse()?;
        self.create_user(
            NewAccount {
                username: "gongjian".to_owned(),
                display_name: Some(format!("{}(驻区单位)", person(620))),
                password: password.clone(),
                grants: vec![Grant {
                    role: Role::PartnerUnit,
                    scope: street,
                }],
                must_change_password: false,
            },
            &Actor::cli(),
        )
        .await?;
        Ok(Some((
            units.len(),
            vec![(
                "gongjian".to_owned(),
                "驻区单位(尚未登记报到)".to_owned(),
                password,
            )],
        )))
    }
}

async fn tally(conn: &mut Conn, at: UnixMs, t: Tally) -> Result<(), AppError> {
    Ok(pstore::tally(conn, COMMUNITY, china_year(at), &t).await?)
}
