//! The art. 278 rule engine and the cost shares at their boundaries.

use linli_domain::deliberation::roll::{Areas, Holding, Owner, build_roll, totals};
use linli_domain::deliberation::rules::{Fraction, Item, Tally, determined, judge};
use linli_domain::deliberation::shares::split;
use proptest::prelude::*;

const SHARES: [Fraction; 3] = [
    Fraction::TWO_THIRDS,
    Fraction::THREE_QUARTERS,
    Fraction::MORE_THAN_HALF,
];

proptest! {
    /// The least passing number passes and one less fails, for any base:
    /// "以上" includes the boundary, "过半数" does not.
    #[test]
    fn one_either_side_of_each_threshold(base in 0i64..2_000_000_000, k in 0usize..3) {
        let f = SHARES[k];
        let least = f.least(base);
        prop_assert!(f.reached(least, base));
        if least > 0 {
            prop_assert!(!f.reached(least - 1, base));
        }
        // the boundary itself, when it is whole
        if (base * f.num) % f.den == 0 {
            let exact = base * f.num / f.den;
            prop_assert_eq!(f.reached(exact, base), !f.strict);
        }
    }

    /// A verdict passes exactly when all four conditions hold, whatever the counts.
    #[test]
    fn a_verdict_is_the_four_conditions(
        item in 1i64..=9,
        area_total in 1i64..10_000_000, heads_total in 1i64..5_000,
        ap in 0u32..=100, np in 0u32..=100, ay in 0u32..=100, ny in 0u32..=100,
    ) {
        let area_part = area_total * i64::from(ap) / 100;
        let heads_part = heads_total * i64::from(np) / 100;
        let t = Tally {
            area_total, heads_total, area_part, heads_part,
            area_yes: area_part * i64::from(ay) / 100,
            heads_yes: heads_part * i64::from(ny) / 100,
        };
        let item = Item::new(item).unwrap();
        let v = judge(item, &t);
        let need = item.approval();
        let expect = heads_part > 0
            && t.area_part >= Fraction::TWO_THIRDS.least(area_total)
            && t.heads_part >= Fraction::TWO_THIRDS.least(heads_total)
            && t.area_yes >= need.least(area_part)
            && t.heads_yes >= need.least(heads_part);
        prop_assert_eq!(v.passed, expect);
    }

    /// When an early count is allowed, no ballots of the owners left — any
    /// of them for, any against, any not voting — would change the verdict.
    #[test]
    fn an_early_count_is_final(
        item in 1i64..=9,
        area_total in 1i64..100_000, heads_total in 1i64..200,
        ap in 0u32..=100, np in 0u32..=100, ay in 0u32..=100, ny in 0u32..=100,
        f1 in 0u32..=100, f2 in 0u32..=100, g1 in 0u32..=100, g2 in 0u32..=100,
    ) {
        let area_part = area_total * i64::from(ap) / 100;
        let heads_part = heads_total * i64::from(np) / 100;
        let t = Tally {
            area_total, heads_total, area_part, heads_part,
            area_yes: area_part * i64::from(ay) / 100,
            heads_yes: heads_part * i64::from(ny) / 100,
        };
        let item = Item::new(item).unwrap();
        prop_assume!(determined(item, &t));
        // some of those left vote for, some against, the rest not at all
        let (al, hl) = (area_total - area_part, heads_total - heads_part);
        let (a_for, h_for) = (al * i64::from(f1) / 100, hl * i64::from(g1) / 100);
        let (a_against, h_against) = ((al - a_for) * i64::from(f2) / 100, (hl - h_for) * i64::from(g2) / 100);
        let later = Tally {
            area_part: area_part + a_for + a_against,
            heads_part: heads_part + h_for + h_against,
            area_yes: t.area_yes + a_for,
            heads_yes: t.heads_yes + h_for,
            ..t
        };
        prop_assert_eq!(judge(item, &later).passed, judge(item, &t).passed);
    }

    /// Shares always sum to the total to the 分, and none is more than one
    /// 分 from its exact share.
    #[test]
    fn shares_sum_exactly(total in 0i64..100_000_000_000, weights in prop::collection::vec(0i64..10_000, 1..300)) {
        prop_assume!(weights.iter().any(|w| *w > 0));
        let s = split(total, &weights).unwrap();
        prop_assert_eq!(s.iter().sum::<i64>(), total);
        let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        for (share, w) in s.iter().zip(&weights) {
            let exact_floor = i128::from(total) * i128::from(*w) / sum;
            let d = i128::from(*share) - exact_floor;
            prop_assert!(d == 0 || d == 1);
        }
    }

    /// The roll counts each owner once and keeps every unit's area.
    #[test]
    fn the_roll_keeps_area_and_counts_owners(units in prop::collection::vec((0i64..6, 1i64..50_000), 1..200)) {
        let holdings: Vec<Holding> = units.iter().enumerate().map(|(i, (o, a))| Holding {
            dwelling_id: i as i64,
            // 0 is the developer, 1..6 five people
            owner: if *o == 0 { Owner::Developer } else { Owner::Resident(*o) },
            areas: Areas { register: None, survey: Some(*a), contract: Some(a + 1) },
            label: format!("{i}"),
        }).collect();
        let roll = build_roll(&holdings).unwrap();
        let (area, heads) = totals(&roll);
        prop_assert_eq!(area, units.iter().map(|(_, a)| a).sum::<i64>());
        let mut owners: Vec<i64> = units.iter().map(|(o, _)| *o).collect();
        owners.sort();
        owners.dedup();
        prop_assert_eq!(heads, owners.len() as i64);
    }
}
