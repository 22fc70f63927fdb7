//! The 楼盘表: a building as units × floors, each flat coloured by how it
//! is lived in and marked when someone there needs care (ui.md §4). Built
//! from the building's dwellings and, for staff who may see residents,
//! the registry's counts per flat.

use linli_app::territory::places::Dwelling;
use linli_domain::registry::occupancy::{FlatCount, Occupancy};
use std::collections::HashMap;

/// One flat on the plan.
pub struct Flat {
    pub id: i64,
    pub room: String,
    /// CSS class of its colour (`empty`, `own`, `rented`); empty when the
    /// viewer may not see residents
    pub tone: &'static str,
    /// what the colour and marks say, in words (the cell's label)
    pub says: String,
    /// someone there has a care tag
    pub cared: bool,
    /// someone there has a red care tag (独居老人, 重点关怀)
    pub key: bool,
}

/// One floor of a unit, its flats by room.
pub struct FloorRow {
    pub floor: i64,
    pub flats: Vec<Flat>,
}

/// One unit: its floors from the top down, as the building stands.
pub struct UnitPlan {
    pub name: String,
    pub floors: Vec<FloorRow>,
}

/// Groups dwellings (in unit, floor, room order) into the plan.
/// `counts`: the residents per flat, or `None` when the viewer may not
/// see them (the plan then shows rooms only).
pub fn plan(dwellings: &[Dwelling], counts: Option<&HashMap<i64, FlatCount>>) -> Vec<UnitPlan> {
    let mut units: Vec<UnitPlan> = Vec::new();
    for d in dwellings {
        let flat = flat(d, counts);
        let unit = match units.iter_mut().find(|u| u.name == d.unit) {
            Some(u) => u,
            None => {
                units.push(UnitPlan {
                    name: d.unit.clone(),
                    floors: Vec::new(),
                });
                let last = units.len() - 1;
                &mut units[last]
            }
        };
        match unit.floors.iter_mut().find(|f| f.floor == d.floor) {
            Some(f) => f.flats.push(flat),
            None => unit.floors.push(FloorRow {
                floor: d.floor,
                flats: vec![flat],
            }),
        }
    }
    for u in &mut units {
        u.floors.sort_by_key(|f| std::cmp::Reverse(f.floor));
    }
    units
}

fn flat(d: &Dwelling, counts: Option<&HashMap<i64, FlatCount>>) -> Flat {
    let Some(counts) = counts else {
        return Flat {
            id: d.id,
            room: d.room.clone(),
            tone: "",
            says: format!("{}室", d.room),
            cared: false,
            key: false,
        };
    };
    let c = counts.get(&d.id).copied().unwrap_or_default();
    let o = Occupancy::of(&c);
    let mut says = format!("{}室 {}", d.room, o.label());
    if c.residents > 0 {
        says.push_str(&format!(" {}人", c.residents));
    }
    if c.key > 0 {
        says.push_str(" 重点关怀");
    } else if c.cared > 0 {
        says.push_str(" 关爱对象");
    }
    Flat {
        id: d.id,
        room: d.room.clone(),
        tone: o.class(),
        says,
        cared: c.cared > 0,
        key: c.key > 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: i64, unit: &str, floor: i64, room: &str) -> Dwelling {
        Dwelling {
            id,
            unit_id: 0,
            unit: unit.into(),
            floor,
            room: room.into(),
            area_m2: None,
        }
    }

    #[test]
    fn units_hold_floors_from_the_top_and_flats_read_in_words() {
        let ds = [
            d(1, "1单元", 1, "101"),
            d(2, "1单元", 1, "102"),
            d(3, "1单元", 2, "201"),
            d(4, "2单元", 1, "101"),
        ];
        let mut counts = HashMap::new();
        counts.insert(
            1,
            FlatCount {
                residents: 2,
                registered: 0,
                cared: 1,
                key: 1,
            },
        );
        counts.insert(
            3,
            FlatCount {
                residents: 3,
                registered: 3,
                cared: 1,
                key: 0,
            },
        );
        let p = plan(&ds, Some(&counts));
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0].floors.iter().map(|f| f.floor).collect::<Vec<_>>(),
            [2, 1]
        );
        let f101 = &p[0].floors[1].flats[0];
        assert_eq!((f101.tone, f101.key), ("rented", true));
        assert_eq!(f101.says, "101室 出租 2人 重点关怀");
        assert_eq!(p[0].floors[0].flats[0].says, "201室 自住 3人 关爱对象");
        assert_eq!(p[0].floors[1].flats[1].tone, "empty");
        // without the right to see residents: rooms only
        let bare = plan(&ds, None);
        assert_eq!(bare[1].floors[0].flats[0].says, "101室");
        assert_eq!(bare[1].floors[0].flats[0].tone, "");
    }
}
