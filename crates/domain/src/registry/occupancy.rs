//! How a flat reads on the 楼盘表 (building → units × floors): who lives
//! there, in one colour, and whether someone needs care. Counted from the
//! registry's residents who have not moved out; the colours are ui.md §4's.

/// The residents of one flat, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlatCount {
    /// residents living there
    pub residents: i64,
    /// of them, registered here (户籍)
    pub registered: i64,
    /// of them, with a care tag that has a visit period (独居老人, 低保 …)
    pub cared: i64,
    /// of them, with a red care tag (独居老人, 重点关怀)
    pub key: i64,
}

/// A flat's colour on the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occupancy {
    /// nobody registered as living there (空置 or 未登记)
    Empty,
    /// someone registered here lives there (自住)
    Own,
    /// only people registered elsewhere live there (出租 / 流动)
    Rented,
}

impl Occupancy {
    pub fn of(c: &FlatCount) -> Occupancy {
        match (c.residents, c.registered) {
            (0, _) => Occupancy::Empty,
            (_, 0) => Occupancy::Rented,
            _ => Occupancy::Own,
        }
    }
    /// the CSS class of the colour
    pub const fn class(self) -> &'static str {
        match self {
            Occupancy::Empty => "empty",
            Occupancy::Own => "own",
            Occupancy::Rented => "rented",
        }
    }
    pub const fn label(self) -> &'static str {
        match self {
            Occupancy::Empty => "空置",
            Occupancy::Own => "自住",
            Occupancy::Rented => "出租",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_reads_by_who_lives_there() {
        let c = |residents, registered| FlatCount {
            residents,
            registered,
            ..FlatCount::default()
        };
        assert_eq!(Occupancy::of(&c(0, 0)), Occupancy::Empty);
        assert_eq!(Occupancy::of(&c(3, 0)), Occupancy::Rented);
        assert_eq!(Occupancy::of(&c(3, 1)), Occupancy::Own);
        assert_eq!(Occupancy::of(&FlatCount::default()).label(), "空置");
    }
}
