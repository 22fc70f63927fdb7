//! 业主共同决定 — the thresholds of Civil Code art. 278, as exact integer
//! arithmetic (never floats: the boundaries are where votes are contested).
//!
//! Let A be the total exclusive area and N the owners on the roll; a_p, n_p
//! those who took part; a_y, n_y those who approved.
//! 1. quorum, every matter: a_p ≥ 2/3·A and n_p ≥ 2/3·N;
//! 2. items 6, 7, 8: a_y ≥ 3/4·a_p and n_y ≥ 3/4·n_p;
//! 3. every other item: a_y > 1/2·a_p and n_y > 1/2·n_p.
//!
//! "以上" includes the boundary; "过半数" is strictly more than half (art. 1259).

use super::DeliberationError;
use serde::Serialize;

/// A matter of art. 278 (items 1–9): which rule decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Item(u8);

impl Item {
    pub const ALL: [Item; 9] = [
        Item(1),
        Item(2),
        Item(3),
        Item(4),
        Item(5),
        Item(6),
        Item(7),
        Item(8),
        Item(9),
    ];

    pub fn new(n: i64) -> Result<Item, DeliberationError> {
        match n {
            1..=9 => Ok(Item(n as u8)),
            _ => Err(DeliberationError::Item(n)),
        }
    }

    pub fn number(self) -> i64 {
        i64::from(self.0)
    }

    /// The matter in the code's words.
    pub fn label_zh(self) -> &'static str {
        match self.0 {
            1 => "制定和修改业主大会议事规则",
            2 => "制定和修改管理规约",
            3 => "选举业主委员会或者更换业主委员会成员",
            4 => "选聘和解聘物业服务企业或者其他管理人",
            5 => "使用建筑物及其附属设施的维修资金",
            6 => "筹集建筑物及其附属设施的维修资金",
            7 => "改建、重建建筑物及其附属设施(如加装电梯)",
            8 => "改变共有部分的用途或者利用共有部分从事经营活动",
            _ => "有关共有和共同管理权利的其他重大事项",
        }
    }

    /// The approval the item needs.
    pub fn approval(self) -> Fraction {
        if matches!(self.0, 6..=8) {
            Fraction::THREE_QUARTERS
        } else {
            Fraction::MORE_THAN_HALF
        }
    }
}

/// A share of a base: `num/den`, reached at the boundary (`以上`) or only
/// beyond it (`过半数`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fraction {
    pub num: i64,
    pub den: i64,
    /// strictly more than (过半数), not "at least" (以上)
    pub strict: bool,
}

impl Fraction {
    pub const TWO_THIRDS: Fraction = Fraction {
        num: 2,
        den: 3,
        strict: false,
    };
    pub const THREE_QUARTERS: Fraction = Fraction {
        num: 3,
        den: 4,
        strict: false,
    };
    pub const MORE_THAN_HALF: Fraction = Fraction {
        num: 1,
        den: 2,
        strict: true,
    };

    /// Whether `have` reaches this share of `base`, exactly (`have·den` is
    /// compared with `base·num` in 128 bits: nothing rounds).
    pub fn reached(self, have: i64, base: i64) -> bool {
        let lhs = i128::from(have) * i128::from(self.den);
        let rhs = i128::from(base) * i128::from(self.num);
        if self.strict { lhs > rhs } else { lhs >= rhs }
    }

    /// The words for it: "三分之二以上", "四分之三以上", "过半数".
    pub fn label_zh(self) -> &'static str {
        match (self.num, self.den, self.strict) {
            (2, 3, false) => "三分之二以上",
            (3, 4, false) => "四分之三以上",
            (1, 2, true) => "过半数",
            _ => "",
        }
    }

    /// The least whole number that reaches this share of `base` (what to
    /// show beside the rule: "需 ≥ 67 人").
    pub fn least(self, base: i64) -> i64 {
        let (num, den) = (i128::from(self.num), i128::from(self.den));
        let b = i128::from(base.max(0));
        // ceil(b·num/den), one more when the boundary itself does not count
        let exact = b * num;
        let mut n = (exact + den - 1) / den;
        if self.strict && n * den == exact {
            n += 1;
        }
        i64::try_from(n).unwrap_or(i64::MAX)
    }
}

/// The counts a verdict is made from. Areas in 平方分米 (0.01 m²).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// A: the roll's total exclusive area
    pub area_total: i64,
    /// N: owners on the roll
    pub heads_total: i64,
    pub area_part: i64,
    pub heads_part: i64,
    pub area_yes: i64,
    pub heads_yes: i64,
}

/// One condition of the rule, with its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `area` or `heads`
    pub by_area: bool,
    pub have: i64,
    pub base: i64,
    pub share: Fraction,
    pub ok: bool,
}

impl Check {
    fn new(by_area: bool, have: i64, base: i64, share: Fraction) -> Check {
        Check {
            by_area,
            have,
            base,
            share,
            ok: share.reached(have, base),
        }
    }

    /// The least that would have met it.
    pub fn least(&self) -> i64 {
        self.share.least(self.base)
    }
}

/// The outcome of a decision by the art. 278 rule, with every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub item: Item,
    pub quorum: [Check; 2],
    pub approval: [Check; 2],
    pub passed: bool,
}

/// Judges a tally by the rule of `item`: both quorum conditions and both
/// approval conditions (by area and by heads) must hold.
pub fn judge(item: Item, t: &Tally) -> Verdict {
    let quorum = [
        Check::new(true, t.area_part, t.area_total, Fraction::TWO_THIRDS),
        Check::new(false, t.heads_part, t.heads_total, Fraction::TWO_THIRDS),
    ];
    let share = item.approval();
    let approval = [
        Check::new(true, t.area_yes, t.area_part, share),
        Check::new(false, t.heads_yes, t.heads_part, share),
    ];
    // nobody on the roll or nobody taking part decides nothing
    let passed =
        t.heads_total > 0 && t.heads_part > 0 && quorum.iter().chain(approval.iter()).all(|c| c.ok);
    Verdict {
        item,
        quorum,
        approval,
        passed,
    }
}

/// Whether the owners who have not voted yet can no longer change the
/// verdict, so that staff may count before the deadline. `t` is the
/// tally so far for one approving option; `(area_left, heads_left)` the
/// owners on the roll who have not taken part. Two bounds decide it
/// without trying every subset: if it fails even when all of them join
/// and approve, nothing can make it pass (any subset adds less to the
/// quorum and less to the approval); if it passes now and still passes
/// when all of them join against it, nothing can make it fail (any subset
/// adds more to the quorum than nobody, and dilutes the approval less than
/// everybody).
pub fn determined(item: Item, t: &Tally) -> bool {
    let area_left = (t.area_total - t.area_part).max(0);
    let heads_left = (t.heads_total - t.heads_part).max(0);
    let all_for = Tally {
        area_part: t.area_part + area_left,
        heads_part: t.heads_part + heads_left,
        area_yes: t.area_yes + area_left,
        heads_yes: t.heads_yes + heads_left,
        ..*t
    };
    let all_against = Tally {
        area_part: t.area_part + area_left,
        heads_part: t.heads_part + heads_left,
        ..*t
    };
    !judge(item, &all_for).passed || (judge(item, t).passed && judge(item, &all_against).passed)
}

/// Formats 平方分米 as square metres with two decimals: `8935` → `89.35`.
pub fn area_text(dm2: i64) -> String {
    let sign = if dm2 < 0 { "-" } else { "" };
    let a = dm2.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Parses square metres with at most two decimals (`89.35`, `120`) into
/// 平方分米; a zero, negative or malformed area is refused.
pub fn parse_area(s: &str) -> Result<i64, DeliberationError> {
    let t = s
        .trim()
        .trim_end_matches("㎡")
        .trim_end_matches("平方米")
        .trim();
    let bad = || DeliberationError::Area(s.to_owned());
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || whole.len() > 7
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    let v = w * 100 + f;
    if v <= 0 {
        return Err(bad());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(a: i64, n: i64, ap: i64, np: i64, ay: i64, ny: i64) -> Tally {
        Tally {
            area_total: a,
            heads_total: n,
            area_part: ap,
            heads_part: np,
            area_yes: ay,
            heads_yes: ny,
        }
    }

    #[test]
    fn two_thirds_includes_the_boundary() {
        let item = Item::new(4).unwrap();
        // exactly 2/3 of 300 area and of 9 heads take part
        assert!(judge(item, &tally(300, 9, 200, 6, 101, 4)).passed);
        assert!(!judge(item, &tally(300, 9, 199, 6, 101, 4)).passed);
        assert!(!judge(item, &tally(300, 9, 200, 5, 101, 4)).passed);
    }

    #[test]
    fn more_than_half_is_strict() {
        let item = Item::new(5).unwrap();
        // exactly half approving fails; one more passes
        let v = judge(item, &tally(100, 10, 100, 10, 50, 6));
        assert!(!v.approval[0].ok && !v.passed);
        assert!(judge(item, &tally(100, 10, 100, 10, 51, 6)).passed);
        assert!(!judge(item, &tally(100, 10, 100, 10, 51, 5)).passed);
    }

    #[test]
    fn three_quarters_for_items_six_to_eight() {
        for n in [6, 7, 8] {
            let item = Item::new(n).unwrap();
            assert!(judge(item, &tally(400, 8, 400, 8, 300, 6)).passed);
            assert!(!judge(item, &tally(400, 8, 400, 8, 299, 6)).passed);
        }
        // the same counts pass an item-9 matter by majority
        assert!(judge(Item::new(9).unwrap(), &tally(400, 8, 400, 8, 299, 5)).passed);
    }

    #[test]
    fn least_is_the_first_number_that_passes() {
        assert_eq!(Fraction::TWO_THIRDS.least(9), 6);
        assert_eq!(Fraction::TWO_THIRDS.least(10), 7);
        assert_eq!(Fraction::MORE_THAN_HALF.least(10), 6);
        assert_eq!(Fraction::MORE_THAN_HALF.least(9), 5);
        assert_eq!(Fraction::THREE_QUARTERS.least(8), 6);
    }

    #[test]
    fn an_early_count_only_when_the_rest_cannot_change_it() {
        let item = Item::new(7).unwrap();
        // 10 owners of 10 m² each; 3 took part, 2 for: the other 7 could still pass it
        assert!(!determined(item, &tally(100, 10, 30, 3, 20, 2)));
        // 9 took part, all for: even the last one against leaves 9/10 ≥ 3/4
        assert!(determined(item, &tally(100, 10, 90, 9, 90, 9)));
        // 4 of 10 against already: 6/10 < 3/4 even if the rest agree
        assert!(determined(item, &tally(100, 10, 60, 6, 20, 2)));
        // everyone voted: always determined
        assert!(determined(item, &tally(100, 10, 100, 10, 50, 5)));
        // passing now, but the rest joining against it could sink it
        assert!(!determined(
            Item::new(4).unwrap(),
            &tally(100, 10, 70, 7, 40, 4)
        ));
    }

    #[test]
    fn nobody_decides_nothing() {
        assert!(!judge(Item::new(1).unwrap(), &Tally::default()).passed);
        assert!(Item::new(0).is_err() && Item::new(10).is_err());
    }

    #[test]
    fn areas_parse_to_hundredths() {
        assert_eq!(parse_area("89.35").unwrap(), 8935);
        assert_eq!(parse_area("120").unwrap(), 12000);
        assert_eq!(parse_area(" 75.5㎡").unwrap(), 7550);
        for bad in ["0", "-3", "0.00", "1.234", "abc", "", "1e3"] {
            assert!(parse_area(bad).is_err(), "{bad}");
        }
        assert_eq!(area_text(8935), "89.35");
        assert_eq!(area_text(5), "0.05");
    }
}
