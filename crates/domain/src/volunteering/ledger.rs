//! The ledger of hours and points, double entry (TimeOverflow's model):
//! every movement is a transfer between two accounts, written as two
//! immutable entries that sum to zero; a balance is the sum of its
//! account's entries; corrections are reversing transfers, never edits.
//!
//! Hours (minutes, a record: 民政部令第67号) move only from the community's
//! issuing account to a volunteer, and back only by a correction. Points
//! move from the issuing account to a volunteer and from a volunteer to
//! the community's shelf (积分兑换), and back by corrections.

use super::VolunteeringError;
use super::orders::NameError;
use crate::time::UnixMs;

/// What an account counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// service minutes (shown as hours)
    Hours,
    /// points
    Points,
}

named_enum!(Unit, NameError, "账户单位",
    Hours => "hours", "服务时长",
    Points => "points", "积分",
);

/// Who holds an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// a volunteer (by their volunteer number)
    Volunteer(i64),
    /// the community that credits hours and points (its balance runs negative)
    Issuer(String),
    /// the community's shelf of goods, where redeemed points go
    Shelf(String),
}

impl Holder {
    /// The stable key stored with the account: `volunteer:12`,
    /// `issuer:220103008003`, `shelf:220103008003`.
    pub fn key(&self) -> String {
        match self {
            Holder::Volunteer(id) => format!("volunteer:{id}"),
            Holder::Issuer(c) => format!("issuer:{c}"),
            Holder::Shelf(c) => format!("shelf:{c}"),
        }
    }

    pub fn parse(key: &str) -> Option<Holder> {
        let (kind, rest) = key.split_once(':')?;
        match kind {
            "volunteer" => rest.parse().ok().map(Holder::Volunteer),
            "issuer" => Some(Holder::Issuer(rest.to_owned())),
            "shelf" => Some(Holder::Shelf(rest.to_owned())),
            _ => None,
        }
    }
}

/// Why a transfer is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// hours or points for service given
    Award,
    /// points for goods from the shelf
    Redeem,
    /// undoing an earlier transfer
    Reversal,
}

/// Checks a transfer before it is written.
pub fn check(
    unit: Unit,
    kind: Kind,
    from: &Holder,
    to: &Holder,
    amount: i64,
) -> Result<(), VolunteeringError> {
    let refused = VolunteeringError::Refused;
    if amount <= 0 {
        return Err(refused("数额必须大于零"));
    }
    if from == to {
        return Err(refused("不能转给自己"));
    }
    let ok = match (unit, kind, from, to) {
        (_, Kind::Award, Holder::Issuer(_), Holder::Volunteer(_)) => true,
        (Unit::Points, Kind::Redeem, Holder::Volunteer(_), Holder::Shelf(_)) => true,
        (Unit::Hours, Kind::Redeem, ..) => return Err(refused("服务时长是记录,不能兑换")),
        (_, Kind::Reversal, _, _) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(refused("这样的转账不被允许"))
    }
}

/// The two entries of a transfer: they sum to zero.
pub fn entries(amount: i64) -> [i64; 2] {
    [-amount, amount]
}

/// The minutes an attendance credits: the time between check-in and
/// check-out that lies within the activity, at most `cap` (海林: 2 h per
/// activity). None when either mark is missing.
pub fn attended_minutes(
    check_in: Option<UnixMs>,
    check_out: Option<UnixMs>,
    starts: UnixMs,
    ends: UnixMs,
    cap: i64,
) -> Option<i64> {
    let (i, o) = (check_in?, check_out?);
    let from = i.0.max(starts.0);
    let to = o.0.min(ends.0);
    Some(((to - from).max(0) / 60_000).min(cap.max(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: i64) -> Holder {
        Holder::Volunteer(n)
    }
    fn issuer() -> Holder {
        Holder::Issuer("220103008003".into())
    }
    fn shelf() -> Holder {
        Holder::Shelf("220103008003".into())
    }

    #[test]
    fn hours_are_never_spent() {
        assert!(check(Unit::Hours, Kind::Award, &issuer(), &v(1), 60).is_ok());
        assert!(check(Unit::Hours, Kind::Redeem, &v(1), &shelf(), 60).is_err());
        assert!(check(Unit::Points, Kind::Redeem, &v(1), &shelf(), 60).is_ok());
        assert!(check(Unit::Hours, Kind::Award, &v(1), &v(2), 60).is_err());
        assert!(check(Unit::Hours, Kind::Reversal, &v(1), &issuer(), 60).is_ok());
    }

    #[test]
    fn no_zero_negative_or_self_transfers() {
        assert!(check(Unit::Points, Kind::Award, &issuer(), &v(1), 0).is_err());
        assert!(check(Unit::Points, Kind::Award, &issuer(), &v(1), -5).is_err());
        assert!(check(Unit::Points, Kind::Reversal, &v(1), &v(1), 5).is_err());
        assert_eq!(entries(7).iter().sum::<i64>(), 0);
    }

    #[test]
    fn holders_round_trip() {
        for h in [v(12), issuer(), shelf()] {
            assert_eq!(Holder::parse(&h.key()), Some(h));
        }
        assert_eq!(Holder::parse("user:1"), None);
    }

    #[test]
    fn attendance_is_clipped_and_capped() {
        let m = |x: i64| UnixMs(x * 60_000);
        // came early, left late: the activity's 3 h, capped at 2 h
        assert_eq!(
            attended_minutes(Some(m(-30)), Some(m(200)), m(0), m(180), 120),
            Some(120)
        );
        assert_eq!(
            attended_minutes(Some(m(10)), Some(m(55)), m(0), m(180), 120),
            Some(45)
        );
        assert_eq!(
            attended_minutes(Some(m(190)), Some(m(200)), m(0), m(180), 120),
            Some(0)
        );
        assert_eq!(attended_minutes(None, Some(m(55)), m(0), m(180), 120), None);
    }
}
