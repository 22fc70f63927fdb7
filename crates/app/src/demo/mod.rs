//! 演示数据 — 长山花园社区 as seed 002 describes it: 10 grids tiling the
//! community, 11 buildings, 45 units, 3,105 dwellings, a community party
//! committee with 10 grid branches, 24 building groups and 161 party
//! member households, the posts that run them, and four staff accounts.
//! Generated deterministically on the real statistical codes.

mod cases;
mod deliberation;
mod partners;
mod proposals;
mod registry;
mod territory;
mod volunteering;

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

/// Given names people of one sex were commonly given in one era: born
/// before 1961, 1961–1985, after 1985 (王淑珍 is a woman of about 70,
/// 梓涵 a child).
const GIVEN_BY: [[[&str; 10]; 3]; 2] = [
    [
        [
            "秀英", "桂兰", "淑珍", "玉兰", "凤英", "秀珍", "淑华", "桂芳", "玉珍", "素芬",
        ],
        [
            "丽华", "海燕", "红梅", "美玲", "晓燕", "丽娟", "春梅", "艳红", "雪梅", "丽萍",
        ],
        [
            "欣怡", "梓涵", "雨桐", "佳怡", "思涵", "诗雨", "若曦", "一诺", "子萱", "语嫣",
        ],
    ],
    [
        [
            "建国", "国庆", "德明", "振华", "春生", "立新", "文斌", "卫国", "福生", "志刚",
        ],
        [
            "志强", "建华", "海涛", "永红", "军", "勇", "磊", "国强", "晓东", "东升",
        ],
        [
            "浩然", "子轩", "宇航", "俊杰", "博文", "梓豪", "一鸣", "皓轩", "明哲", "昊天",
        ],
    ],
];

/// A made-up name for the k-th resident that fits their sex and the year
/// they were born.
pub(crate) fn person_of(k: usize, male: bool, born: i32) -> String {
    let era = match born {
        ..=1960 => 0,
        1961..=1985 => 1,
        _ => 2,
    };
    let given = GIVEN_BY[usize::from(male)][era];
    format!("{}{}", SURNAMES[k % 20], given[(k / 20 + k * 3) % 10])
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

pub(crate) fn staff_password(username: &str) -> Result<Secret, AppError> {
    let name = username.parse()?;
    loop {
        let p = secrets::typeable_password()?;
        if PasswordPolicy::Staff.check(&name, &p).is_ok() {
            return Ok(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_sex_and_generation() {
        for k in 0..400 {
            let woman = person_of(k, false, 1950);
            let man = person_of(k, true, 1950);
            let girl = person_of(k, false, 2012);
            assert!(GIVEN_BY[0][0].iter().any(|g| woman.ends_with(g)), "{woman}");
            assert!(GIVEN_BY[1][0].iter().any(|g| man.ends_with(g)), "{man}");
            assert!(GIVEN_BY[0][2].iter().any(|g| girl.ends_with(g)), "{girl}");
        }
        // no name is given to both sexes
        for g in GIVEN_BY[0].iter().flatten() {
            assert!(GIVEN_BY[1].iter().all(|e| !e.contains(g)), "{g}");
        }
    }
}
