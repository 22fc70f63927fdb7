//! 民筹 — sharing a cost among the owners, by a coefficient per floor
//! (the elevator: ground floor 0, higher floors more) or by area. Shares
//! are in 分 and sum to the total exactly: each gets the floor of its exact
//! share, and the remaining 分 go one each to the largest remainders, ties
//! to the earlier entry (the order given, e.g. by floor then room).

use super::DeliberationError;
use std::collections::BTreeMap;

/// Splits `total` 分 by `weights`. Every weight ≥ 0 and their sum > 0.
pub fn split(total: i64, weights: &[i64]) -> Result<Vec<i64>, DeliberationError> {
    if total < 0 {
        return Err(DeliberationError::Amount);
    }
    if weights.iter().any(|w| *w < 0) {
        return Err(DeliberationError::Weight);
    }
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum == 0 {
        return Err(DeliberationError::Weight);
    }
    let t = i128::from(total);
    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut rems: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = t * i128::from(*w);
        shares.push(exact / sum);
        rems.push((exact % sum, i));
    }
    let given: i128 = shares.iter().sum();
    let left = usize::try_from(t - given).map_err(|_| DeliberationError::Overflow)?;
    // largest remainder first; the earlier entry on a tie
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rems.iter().take(left) {
        shares[*i] += 1;
    }
    shares
        .into_iter()
        .map(|s| i64::try_from(s).map_err(|_| DeliberationError::Overflow))
        .collect()
}

/// The weight of each dwelling by its floor from a coefficient table
/// (floor → coefficient); a floor the table does not cover is refused.
pub fn floor_weights(
    floors: &[i64],
    table: &BTreeMap<i64, i64>,
) -> Result<Vec<i64>, DeliberationError> {
    floors
        .iter()
        .map(|f| match table.get(f) {
            Some(c) if *c >= 0 => Ok(*c),
            Some(_) => Err(DeliberationError::Weight),
            None => Err(DeliberationError::FloorUncovered(*f)),
        })
        .collect()
}

/// Reads a coefficient table written `1:0, 2:10, 3:15` (floor:coefficient,
/// separated by commas, 、 or new lines).
pub fn parse_table(s: &str) -> Result<BTreeMap<i64, i64>, DeliberationError> {
    let mut out = BTreeMap::new();
    for part in s
        .split([',', '，', '、', '\n', ';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (f, c) = part
            .split_once([':', '：'])
            .ok_or_else(|| DeliberationError::Table(part.to_owned()))?;
        let f: i64 = f
            .trim()
            .trim_end_matches('层')
            .parse()
            .map_err(|_| DeliberationError::Table(part.to_owned()))?;
        let c: i64 = c
            .trim()
            .parse()
            .map_err(|_| DeliberationError::Table(part.to_owned()))?;
        if c < 0 || out.insert(f, c).is_some() {
            return Err(DeliberationError::Table(part.to_owned()));
        }
    }
    Ok(out)
}

/// Parses yuan with at most two decimals (`450000`, `1234.5`) into 分; a
/// negative or malformed amount is refused; zero is allowed.
pub fn parse_yuan(s: &str) -> Result<i64, DeliberationError> {
    let t = s.trim().trim_end_matches('元').replace([',', '，'], "");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || whole.len() > 11
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(DeliberationError::Money(s.trim().to_owned()));
    }
    let w: i64 = whole
        .parse()
        .map_err(|_| DeliberationError::Money(s.to_owned()))?;
    let f: i64 = format!("{frac:0<2}")
        .parse()
        .map_err(|_| DeliberationError::Money(s.to_owned()))?;
    Ok(w * 100 + f)
}

/// 分 as yuan: `4500050` → `45,000.50`.
pub fn yuan_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.unsigned_abs();
    let whole = (f / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", f % 100)
}

/// Reads funding lines apart from the owners' shares, one a line written
/// `来源:金额` (`政府补贴:200000`, `维修资金：35000.5`).
pub fn parse_funding(s: &str) -> Result<Vec<(String, i64)>, DeliberationError> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (label, amount) = l
                .rsplit_once([':', '：'])
                .ok_or_else(|| DeliberationError::Funding(l.to_owned()))?;
            let label = label.trim();
            if label.is_empty() || label.chars().count() > 30 {
                return Err(DeliberationError::Funding(l.to_owned()));
            }
            let fen = parse_yuan(amount)?;
            if fen == 0 {
                return Err(DeliberationError::Funding(l.to_owned()));
            }
            Ok((label.to_owned(), fen))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirds_sum_exactly_and_the_first_takes_the_extra_fen() {
        assert_eq!(split(100, &[1, 1, 1]).unwrap(), vec![34, 33, 33]);
        assert_eq!(split(0, &[1, 2]).unwrap(), vec![0, 0]);
    }

    #[test]
    fn the_ground_floor_pays_nothing() {
        let table = parse_table("1:0, 2:10, 3：15、4:20").unwrap();
        let w = floor_weights(&[1, 2, 3, 4], &table).unwrap();
        let s = split(45_000_000, &w).unwrap();
        assert_eq!(s[0], 0);
        assert_eq!(s.iter().sum::<i64>(), 45_000_000);
        assert_eq!(
            floor_weights(&[5], &table),
            Err(DeliberationError::FloorUncovered(5))
        );
    }

    #[test]
    fn money_reads_and_writes_to_the_fen() {
        assert_eq!(parse_yuan("450000").unwrap(), 45_000_000);
        assert_eq!(parse_yuan("1,234.5元").unwrap(), 123_450);
        assert_eq!(parse_yuan("0").unwrap(), 0);
        for bad in ["-1", "1.234", "abc", "", "1e5"] {
            assert!(parse_yuan(bad).is_err(), "{bad}");
        }
        assert_eq!(yuan_text(45_000_050), "450,000.50");
        assert_eq!(yuan_text(5), "0.05");
        let lines = parse_funding("政府补贴:200000\n 维修资金：35000.5 \n").unwrap();
        assert_eq!(
            lines,
            vec![
                ("政府补贴".to_owned(), 20_000_000),
                ("维修资金".to_owned(), 3_500_050)
            ]
        );
        assert!(parse_funding("补贴 200000").is_err());
        assert!(parse_funding("补贴:0").is_err());
    }

    #[test]
    fn bad_inputs_are_refused() {
        assert!(split(-1, &[1]).is_err());
        assert!(split(10, &[0, 0]).is_err());
        assert!(split(10, &[1, -1]).is_err());
        assert!(parse_table("1-0").is_err());
        assert!(parse_table("1:0, 1:5").is_err());
        assert!(parse_table("1:-5").is_err());
    }
}
