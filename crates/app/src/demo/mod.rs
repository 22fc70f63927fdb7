//! 演示数据 — 长山花园社区 as seed 002 describes it: 10 grids tiling the
//! community, 11 buildings, 45 units, 3,105 dwellings, a community party
//! committee with 10 grid branches, 24 building groups and 161 party
//! member households, the posts that run them, and four staff accounts.
//! Generated deterministically on the real statistical codes.

mod cases;
mod registry;
mod territory;

use territory::seed_places;
pub use territory::{building_site, tiling};

use crate::accounts::NewAccount;
use crate::{Actor, App, AppError, event, infra::secrets};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::accounts::PasswordPolicy;
use linli_domain::secret::Secret;
use linli_domain::territory::Region;
use linli_domain::territory::party::PostKind;
use linli_store::territory::party::NewPost;
use linli_store::territory::places::{self};
use linli_store::{audit, territory::party, territory::regions};

/// 长山花园社区 (吉林省长春市宽城区团山街道).
pub const COMMUNITY: &str = "220103008003";
const STREET: &str = "220103008";
const REGIONS: [(&str, &str, Option<&str>); 5] = [
    ("22", "吉林省", None),
    ("2201", "长春市", Some("22")),
    ("220103", "宽城区", Some("2201")),
    ("220103008", "团山街道", Some("220103")),
    ("220103008003", "长山花园社区", Some("220103008")),
];

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: [&str; 20] = [
    "秀英", "桂兰", "建国", "淑珍", "志强", "丽华", "国庆", "玉兰", "海燕", "红梅", "德明", "凤英",
    "立新", "春生", "秀珍", "建华", "美玲", "振华", "淑华", "文斌",
];

/// A made-up but plausible name for the k-th person (distinct for k < 400).
pub(crate) fn person(k: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[k % 20],
        GIVEN[(k * 7 + k / 20 * 3 + 3) % 20]
    )
}

/// The accounts the demo creates: user name, what they are, password.
pub type DemoAccounts = Vec<(String, String, Secret)>;

impl App {
    /// Seeds 长山花园 once; `None` when it is already there.
    pub async fn seed_demo_community(&self) -> Result<Option<DemoAccounts>, AppError> {
        let community: RegionCode = COMMUNITY.parse()?;
        if !places::grids_of(&mut *self.db.conn().await?, &community)
            .await?
            .is_empty()
        {
            return Ok(None);
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let rows: Vec<Region> = REGIONS
            .iter()
            .map(|(c, n, p)| Region::parse(c, n, *p))
            .collect::<Result<_, _>>()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        regions::upsert(&mut tx, &rows).await?;
        let seeded = seed_places(&mut tx, &community, now).await?;
        let detail = format!("{COMMUNITY} grids={}", seeded.grid_ids.len());
        audit::append(
            &mut tx,
            event(
                &Actor::cli(),
                "demo.seed",
                format!("region:{COMMUNITY}"),
                detail,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        self.forget_grid_index();

        let street: RegionCode = STREET.parse()?;
        let people = [
            (
                "shuji",
                "社区书记",
                Role::CommunitySecretary,
                community.clone(),
            ),
            (
                "wangge1",
                "第一网格网格员",
                Role::GridWorker,
                seeded.grid_codes[0].clone(),
            ),
            (
                "wangge2",
                "第二网格网格员",
                Role::GridWorker,
                seeded.grid_codes[1].clone(),
            ),
            (
                "tuanshan",
                "团山街道管理员",
                Role::StreetAdmin,
                street.clone(),
            ),
            (
                "chengguan",
                "团山街道综合行政执法队",
                Role::DepartmentHandler,
                street.clone(),
            ),
            ("shijian", "团山市场监管所", Role::DepartmentHandler, street),
            ("jumin", "居民", Role::Resident, community.clone()),
        ];
        let mut accounts = Vec::new();
        for (i, (username, what, role, scope)) in people.into_iter().enumerate() {
            let password = staff_password(username)?;
            let id = self
                .create_user(
                    NewAccount {
                        username: username.to_owned(),
                        display_name: Some(format!("{}({what})", person(100 + i))),
                        password: password.clone(),
                        grants: vec![Grant { role, scope }],
                        must_change_password: false,
                    },
                    &Actor::cli(),
                )
                .await?;
            if role == Role::GridWorker {
                let mut tx = self.db.begin().await?;
                party::insert_post(
                    &mut tx,
                    NewPost {
                        community: &community,
                        post: PostKind::GridWorker,
                        node_id: Some(seeded.grid_ids[i - 1]),
                        person_name: &person(100 + i),
                        user_id: Some(id),
                        unit_name: None,
                        start_date: "2026-01-01",
                        end_date: None,
                        now,
                    },
                )
                .await?;
                tx.commit().await?;
            }
            accounts.push((username.to_owned(), what.to_owned(), password));
        }
        Ok(Some(accounts))
    }
}

fn staff_password(username: &str) -> Result<Secret, AppError> {
    let name = username.parse()?;
    loop {
        let p = secrets::typeable_password()?;
        if PasswordPolicy::Staff.check(&name, &p).is_ok() {
            return Ok(p);
        }
    }
}
