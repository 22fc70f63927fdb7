//! The demo's residents: about 7,000 people in 长山花园's 3,105 dwellings,
//! 62.5 % of them 60 or older (seed 002), with valid-checksum made-up ID
//! numbers, phones, households and care tags — 7 独居老人 in 5号楼.

use crate::registry::record_of;
use crate::{Actor, App, AppError, event};
use linli_domain::access::RegionCode;
use linli_domain::registry::{
    DocKind, Document, Gender, Phone, Political, Residency, ResidentRow, with_check_char,
};
use linli_store::audit;
use linli_store::registry::{self as store, ResidentFilter};

/// A small deterministic generator, so every demo has the same people.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

const PEOPLE: usize = 7_000;

impl App {
    /// Seeds the demo residents once; `None` when the community has some.
    pub async fn seed_demo_residents(&self) -> Result<Option<usize>, AppError> {
        let crypto = self.crypto()?;
        let community: RegionCode = crate::demo::COMMUNITY.parse()?;
        let mut tx = self.db.begin().await?;
        let probe = ResidentFilter {
            community: Some(community.clone()),
            limit: 1,
            ..ResidentFilter::default()
        };
        let everywhere = store::scope(&mut tx, &[String::new()]).await?;
        if !store::search(&mut tx, &probe, &everywhere)
            .await?
            .is_empty()
        {
            return Ok(None);
        }
        let mut places: Vec<_> = store::dwelling_keys(&mut tx, &community)
            .await?
            .into_iter()
            .collect();
        places.sort();
        let tags: std::collections::HashMap<String, i64> = store::tags(&mut tx)
            .await?
            .into_iter()
            .map(|t| (t.name, t.id))
            .collect();
        let today = crate::today();
        let now = crate::now();
        let mut rng = Lcg(2026);
        let mut alone_in_5 = 0;
        let mut k = 0usize;
        let mut used = std::collections::HashSet::new();
        for (i, ((_, building, _, _), (dwelling, building_id))) in places.iter().enumerate() {
            // two or three people a dwelling on average, some alone, some
            // four, steered so that the community ends with PEOPLE people
            let target = (i + 1) * PEOPLE / places.len();
            let jitter = rng.next(5) as i64 - 2;
            let size = (target as i64 - k as i64 + jitter).clamp(1, 4) as usize;
            let size = if i + 1 == places.len() {
                PEOPLE.saturating_sub(k)
            } else {
                size.min(PEOPLE - k)
            };
            if size == 0 {
                continue;
            }
            let household = store::household_for(&mut tx, &community, *dwelling, now).await?;
            for m in 0..size {
                // 62.5 % of the people are 60 or older (seed 002)
                let elderly = rng.next(1000) < 625;
                let age = if elderly {
                    60 + rng.next(31)
                } else {
                    18 + rng.next(42)
                };
                let year = today.year() - age as i32;
                let (mon, day) = (1 + rng.next(12), 1 + rng.next(28));
                let male = (k + m).is_multiple_of(2);
                let mut seq = (rng.next(500) * 2 + u64::from(male)) % 1000;
                let mut first17 = format!("220103{year:04}{mon:02}{day:02}{seq:03}");
                // one number per person: step to the next free sequence
                while !used.insert(first17.clone()) {
                    seq = (seq + 2) % 1000;
                    first17 = format!("220103{year:04}{mon:02}{day:02}{seq:03}");
                }
                let number = with_check_char(&first17)
                    .ok_or_else(|| AppError::Internal("demo id".into()))?;
                let id = linli_domain::registry::CnId::parse(&number, today)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let phone = Phone::parse(&format!(
                    "13{}{:08}",
                    5 + rng.next(5),
                    rng.next(100_000_000)
                ))
                .ok();
                let mut row_tags = Vec::new();
                if size == 1 && age >= 60 && (building != "5号楼" || alone_in_5 < 7) {
                    row_tags.push("独居老人".to_owned());
                    if building == "5号楼" {
                        alone_in_5 += 1;
                    }
                } else if elderly && size == 2 && m == 0 && rng.next(4) == 0 {
                    row_tags.push("空巢老人".to_owned());
                }
                if age >= 80 {
                    row_tags.push("高龄老人".to_owned());
                }
                match rng.next(100) {
                    0..=1 => row_tags.push("残疾人".to_owned()),
                    2..=3 => row_tags.push("低保".to_owned()),
                    4 => row_tags.push("退役军人".to_owned()),
                    _ => {}
                }
                let row = ResidentRow {
                    name: crate::demo::person_of(k * 13 + m, id.is_male(), id.birth().year()),
                    gender: if id.is_male() {
                        Gender::Male
                    } else {
                        Gender::Female
                    },
                    birth: id.birth(),
                    document: Document::Cn(DocKind::IdCard, id),
                    phone,
                    ethnicity: if rng.next(20) == 0 {
                        "满族".into()
                    } else {
                        "汉族".into()
                    },
                    political: if rng.next(12) == 0 {
                        Political::PartyMember
                    } else {
                        Political::Masses
                    },
                    estate: String::new(),
                    building: building.clone(),
                    unit: String::new(),
                    room: String::new(),
                    relation: if m == 0 {
                        "户主".into()
                    } else if m == 1 {
                        "配偶".into()
                    } else {
                        "子女".into()
                    },
                    residency: if rng.next(10) == 0 {
                        Residency::LongTerm
                    } else {
                        Residency::Registered
                    },
                    tags: row_tags,
                    work_unit: String::new(),
                };
                let rec = record_of(
                    crypto,
                    &row,
                    (community.clone(), household, *dwelling, *building_id),
                )?;
                let rid = store::insert_resident(&mut tx, &rec, now).await?;
                let ids: Vec<i64> = row
                    .tags
                    .iter()
                    .filter_map(|t| tags.get(t).copied())
                    .collect();
                store::set_tags(&mut tx, rid, &ids, now).await?;
            }
            k += size;
        }
        audit::append(
            &mut tx,
            event(
                &Actor::cli(),
                "demo.residents",
                format!("region:{community}"),
                format!("people={k}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(k))
    }
}
