//! 演示数据 — 长山花园社区 as seed 002 describes it: 10 grids tiling the
//! community, 11 buildings, 45 units, 3,105 dwellings, a community party
//! committee with 10 grid branches, 24 building groups and 161 party
//! member households, the posts that run them, and four staff accounts.
//! Generated deterministically on the real statistical codes.

use crate::accounts::NewAccount;
use crate::{Actor, App, AppError, event, secrets};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::account::PasswordPolicy;
use linli_domain::grid_index::boundary_geojson;
use linli_domain::party::{NodeKind, OrgKind, PostKind};
use linli_domain::places::DwellingSpec;
use linli_domain::secret::Secret;
use linli_domain::territory::Region;
use linli_store::party::{NewOrg, NewPost};
use linli_store::places::{self, NewBuilding};
use linli_store::{Tx, audit, party, regions};

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

const COLS: usize = 5;
const ROWS: usize = 2;
const FLOORS: i64 = 23;
const ROOMS_PER_FLOOR: i64 = 3;
/// Units per building (45 in all).
const UNITS: [usize; 11] = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5];
/// 党小组 per building (24 in all).
const GROUPS: [usize; 11] = [2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3];
const HOUSEHOLDS: usize = 161;
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

/// The lattice corner (i, j) of the grid tiling: a 5 × 2 grid of cells
/// about 96 m × 200 m, with the inner corners nudged so that the grids
/// are irregular quadrilaterals, as streets make them, while still
/// sharing their edges exactly.
fn corner(i: usize, j: usize) -> (f64, f64) {
    let (lng0, lat0, dx, dy) = (125.3300, 43.9180, 0.0012, 0.0018);
    let wobble = |k: usize, m: usize| ((k * m) % 5) as f64 - 2.0;
    let inner_i = i > 0 && i < COLS;
    let inner_j = j > 0 && j < ROWS;
    let shift_lng = if inner_i {
        wobble(i + j, 7) * 0.00008
    } else {
        0.0
    };
    let shift_lat = if inner_j { wobble(i, 3) * 0.00010 } else { 0.0 };
    (
        lng0 + dx * i as f64 + shift_lng,
        lat0 + dy * j as f64 + shift_lat,
    )
}

fn polygon(ring: &[(f64, f64)]) -> String {
    let coords: Vec<geo::Coord<f64>> = ring.iter().map(|&(x, y)| geo::Coord { x, y }).collect();
    let poly = geo::Polygon::new(geo::LineString::new(coords), vec![]);
    boundary_geojson(&geo::MultiPolygon::new(vec![poly]))
}

/// The community outline and the ten grids, 第一网格 … 第十网格.
pub fn tiling() -> (String, Vec<(String, String)>) {
    let outline = polygon(&[
        corner(0, 0),
        corner(COLS, 0),
        corner(COLS, ROWS),
        corner(0, ROWS),
        corner(0, 0),
    ]);
    let mut grids = Vec::new();
    for j in 0..ROWS {
        for i in 0..COLS {
            let ring = [
                corner(i, j),
                corner(i + 1, j),
                corner(i + 1, j + 1),
                corner(i, j + 1),
                corner(i, j),
            ];
            let n = j * COLS + i;
            grids.push((format!("第{}网格", NUMERALS[n]), polygon(&ring)));
        }
    }
    (outline, grids)
}

/// Where building `b` (0-based) stands: the middle of its grid's cell;
/// the last cell holds two buildings, south and north of its middle.
pub fn building_site(b: usize) -> (usize, (f64, f64)) {
    let cell = b.min(COLS * ROWS - 1);
    let (i, j) = (cell % COLS, cell / COLS);
    let cs = [
        corner(i, j),
        corner(i + 1, j),
        corner(i + 1, j + 1),
        corner(i, j + 1),
    ];
    let mid = |t: f64| {
        // t: 0 = south edge, 1 = north edge, along the cell's middle
        let south = ((cs[0].0 + cs[1].0) / 2.0, (cs[0].1 + cs[1].1) / 2.0);
        let north = ((cs[3].0 + cs[2].0) / 2.0, (cs[3].1 + cs[2].1) / 2.0);
        (
            south.0 + (north.0 - south.0) * t,
            south.1 + (north.1 - south.1) * t,
        )
    };
    let at = match b {
        9 => mid(0.3),
        10 => mid(0.7),
        _ => mid(0.5),
    };
    (cell, at)
}

fn dwellings_of_unit() -> Vec<DwellingSpec> {
    let areas = [68.5, 89.2, 112.6];
    let mut out = Vec::new();
    for floor in 1..=FLOORS {
        for n in 1..=ROOMS_PER_FLOOR {
            out.push(DwellingSpec {
                floor,
                room: format!("{floor}{n:02}"),
                area_m2: Some(areas[(n - 1) as usize]),
            });
        }
    }
    out
}

/// The accounts the demo creates: user name, what they are, password.
pub type DemoAccounts = Vec<(String, String, Secret)>;

struct Seeded {
    grid_ids: Vec<i64>,
    grid_codes: Vec<RegionCode>,
}

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

async fn seed_places(
    tx: &mut Tx,
    community: &RegionCode,
    now: linli_domain::time::UnixMs,
) -> Result<Seeded, AppError> {
    let (outline, grids) = tiling();
    places::set_region_shape(tx, community, &outline, now).await?;
    let org = |parent_id, kind, name: String, node_kind, node_id| {
        (parent_id, kind, name, node_kind, node_id)
    };
    let add_org = async |tx: &mut Tx,
                         (parent_id, kind, name, node_kind, node_id): (
        Option<i64>,
        OrgKind,
        String,
        NodeKind,
        Option<i64>,
    )| {
        party::insert_org(
            tx,
            NewOrg {
                community,
                parent_id,
                kind,
                name: &name,
                node_kind,
                node_id,
                now,
            },
        )
        .await
    };
    let add_post =
        async |tx: &mut Tx, post: PostKind, node_id: Option<i64>, k: usize, unit: Option<&str>| {
            let name = person(k);
            party::insert_post(
                tx,
                NewPost {
                    community,
                    post,
                    node_id,
                    person_name: &name,
                    user_id: None,
                    unit_name: unit,
                    start_date: "2024-01-01",
                    end_date: None,
                    now,
                },
            )
            .await
        };
    let committee = add_org(
        tx,
        org(
            None,
            OrgKind::Committee,
            "中共长山花园社区委员会".into(),
            NodeKind::Community,
            None,
        ),
    )
    .await?;
    for (unit, k) in [("团山派出所", 90), ("长山花园物业服务中心", 91)] {
        add_org(
            tx,
            org(
                Some(committee),
                OrgKind::PartnerOrg,
                format!("{unit}党支部"),
                NodeKind::Community,
                None,
            ),
        )
        .await?;
        add_post(tx, PostKind::ConcurrentMember, None, k, Some(unit)).await?;
    }
    add_post(tx, PostKind::FirstSecretary, None, 92, None).await?;
    add_post(tx, PostKind::PartyInstructor, None, 93, None).await?;

    let mut seeded = Seeded {
        grid_ids: Vec::new(),
        grid_codes: Vec::new(),
    };
    let mut branches = Vec::new();
    for (n, (name, boundary)) in grids.iter().enumerate() {
        let code: RegionCode = format!("{COMMUNITY}{:03}", n + 1).parse()?;
        let id = places::insert_grid(tx, &code, community, None, name, Some(boundary), now).await?;
        let branch = add_org(
            tx,
            org(
                Some(committee),
                OrgKind::Branch,
                format!("{name}党支部"),
                NodeKind::Grid,
                Some(id),
            ),
        )
        .await?;
        add_post(tx, PostKind::GridHead, Some(id), n, None).await?;
        add_post(tx, PostKind::BranchSecretary, Some(id), n + 10, None).await?;
        if n >= 2 {
            // the first two grids' workers are the demo accounts
            add_post(tx, PostKind::GridWorker, Some(id), n + 20, None).await?;
        }
        seeded.grid_ids.push(id);
        seeded.grid_codes.push(code);
        branches.push(branch);
    }

    let estate = places::insert_estate(
        tx,
        community,
        "长山花园小区",
        Some("长春市宽城区团山街道长山花园"),
        now,
    )
    .await?;
    let per_unit = dwellings_of_unit();
    let mut households_left = HOUSEHOLDS;
    let mut groups_left = GROUPS.iter().sum::<usize>();
    let mut k = 30;
    for b in 0..UNITS.len() {
        let (cell, at) = building_site(b);
        let name = format!("{}号楼", b + 1);
        let id = places::insert_building(
            tx,
            NewBuilding {
                community,
                estate_id: estate,
                grid_id: Some(seeded.grid_ids[cell]),
                name: &name,
                lng_lat: Some(at),
                floors: Some(FLOORS),
                now,
            },
        )
        .await?;
        if b < 10 {
            add_post(tx, PostKind::BuildingHead, Some(id), k, None).await?;
            k += 1;
        }
        for u in 0..UNITS[b] {
            let unit_name = format!("{}单元", u + 1);
            let unit = places::insert_unit(tx, id, &unit_name).await?;
            places::insert_dwellings(tx, unit, &per_unit).await?;
            add_post(tx, PostKind::UnitHead, Some(unit), k, None).await?;
            k += 1;
        }
        let dwellings = places::dwellings_of(tx, id, i64::MAX, 0).await?;
        let mut pick = 0usize;
        for numeral in &NUMERALS[..GROUPS[b]] {
            let group = add_org(
                tx,
                org(
                    Some(branches[cell]),
                    OrgKind::Group,
                    format!("{name}第{numeral}党小组"),
                    NodeKind::Building,
                    Some(id),
                ),
            )
            .await?;
            add_post(tx, PostKind::GroupLeader, Some(id), k, None).await?;
            k += 1;
            // spread the households evenly over the groups still to come
            let n = households_left.div_ceil(groups_left);
            households_left -= n;
            groups_left -= 1;
            for _ in 0..n {
                let d = &dwellings[(pick * 37) % dwellings.len()];
                pick += 1;
                let label = format!("{name}{}{}室党员家庭户", d.unit, d.room);
                add_org(
                    tx,
                    org(
                        Some(group),
                        OrgKind::Household,
                        label,
                        NodeKind::Dwelling,
                        Some(d.id),
                    ),
                )
                .await?;
            }
        }
    }
    Ok(seeded)
}
