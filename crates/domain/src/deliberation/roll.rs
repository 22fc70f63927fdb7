//! 投票名册 — the roll of a vote, made from the owners' register when the
//! vote opens and frozen from then on (SPC interpretation arts. 8–9): one
//! exclusive unit is one owner, but one owner of several units counts once,
//! and the developer's unsold units together count once. The area of a unit
//! is the property register's, else the survey's, else the sale contract's.

use super::DeliberationError;
use std::collections::BTreeMap;

/// Who owns a dwelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    /// a person in the registry
    Resident(i64),
    /// the developer (建设单位), for units not yet sold or delivered
    Developer,
}

impl Owner {
    /// The key one owner has on every roll: `r:<resident>` or `developer`.
    pub fn key(self) -> String {
        match self {
            Owner::Resident(id) => format!("r:{id}"),
            Owner::Developer => "developer".to_owned(),
        }
    }
}

/// Where an area comes from, by precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaSource {
    /// 不动产登记簿
    Register,
    /// 测绘成果
    Survey,
    /// 房屋买卖合同
    Contract,
}

impl AreaSource {
    pub fn label_zh(self) -> &'static str {
        match self {
            AreaSource::Register => "不动产登记",
            AreaSource::Survey => "测绘",
            AreaSource::Contract => "买卖合同",
        }
    }
}

/// The areas known for one unit, in 平方分米.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub register: Option<i64>,
    pub survey: Option<i64>,
    pub contract: Option<i64>,
}

impl Areas {
    /// The area that counts and where it comes from.
    pub fn chosen(&self) -> Option<(i64, AreaSource)> {
        self.register
            .map(|a| (a, AreaSource::Register))
            .or(self.survey.map(|a| (a, AreaSource::Survey)))
            .or(self.contract.map(|a| (a, AreaSource::Contract)))
    }
}

/// One dwelling in the owners' register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub dwelling_id: i64,
    pub owner: Owner,
    pub areas: Areas,
    /// `1号楼1单元301`, for the roll and for errors
    pub label: String,
}

/// One owner on a roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollEntry {
    pub owner: Owner,
    /// the sum of their units' areas, 平方分米
    pub area: i64,
    /// their units, joined with 、
    pub units: String,
}

/// Makes the roll from the holdings in a vote's scope: one entry per owner,
/// in a stable order. A unit without a positive area is refused by name
/// (a vote must not open on a roll it cannot count).
pub fn build_roll(holdings: &[Holding]) -> Result<Vec<RollEntry>, DeliberationError> {
    let mut by_owner: BTreeMap<Owner, RollEntry> = BTreeMap::new();
    for h in holdings {
        let area = match h.areas.chosen() {
            Some((a, _)) if a > 0 => a,
            _ => return Err(DeliberationError::NoArea(h.label.clone())),
        };
        let e = by_owner.entry(h.owner).or_insert_with(|| RollEntry {
            owner: h.owner,
            area: 0,
            units: String::new(),
        });
        e.area = e
            .area
            .checked_add(area)
            .ok_or(DeliberationError::Overflow)?;
        if !e.units.is_empty() {
            e.units.push('、');
        }
        e.units.push_str(&h.label);
    }
    Ok(by_owner.into_values().collect())
}

/// The roll's totals: (area, heads).
pub fn totals(roll: &[RollEntry]) -> (i64, i64) {
    (
        roll.iter().map(|e| e.area).sum(),
        i64::try_from(roll.len()).unwrap_or(i64::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(d: i64, owner: Owner, reg: Option<i64>, contract: Option<i64>) -> Holding {
        Holding {
            dwelling_id: d,
            owner,
            areas: Areas {
                register: reg,
                survey: None,
                contract,
            },
            label: format!("{d}室"),
        }
    }

    #[test]
    fn one_owner_of_several_units_counts_once() {
        let roll = build_roll(&[
            h(1, Owner::Resident(7), Some(9000), None),
            h(2, Owner::Resident(7), Some(6000), None),
            h(3, Owner::Resident(8), None, Some(8000)),
            h(4, Owner::Developer, Some(10000), None),
            h(5, Owner::Developer, Some(10000), None),
        ])
        .unwrap();
        assert_eq!(roll.len(), 3);
        assert_eq!(totals(&roll), (43000, 3));
        let seven = roll.iter().find(|e| e.owner == Owner::Resident(7)).unwrap();
        assert_eq!((seven.area, seven.units.as_str()), (15000, "1室、2室"));
        let dev = roll.iter().find(|e| e.owner == Owner::Developer).unwrap();
        assert_eq!(dev.area, 20000);
    }

    #[test]
    fn the_register_beats_the_survey_beats_the_contract() {
        let a = Areas {
            register: None,
            survey: Some(8800),
            contract: Some(9000),
        };
        assert_eq!(a.chosen(), Some((8800, AreaSource::Survey)));
        let a = Areas {
            register: Some(8750),
            ..a
        };
        assert_eq!(a.chosen(), Some((8750, AreaSource::Register)));
    }

    #[test]
    fn a_unit_without_area_stops_the_roll() {
        let err = build_roll(&[h(1, Owner::Resident(1), None, None)]).unwrap_err();
        assert_eq!(err, DeliberationError::NoArea("1室".to_owned()));
        assert!(build_roll(&[h(1, Owner::Resident(1), Some(0), None)]).is_err());
    }
}
