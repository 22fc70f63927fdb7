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
    fn bad_inputs_are_refused() {
        assert!(split(-1, &[1]).is_err());
        assert!(split(10, &[0, 0]).is_err());
        assert!(split(10, &[1, -1]).is_err());
        assert!(parse_table("1-0").is_err());
        assert!(parse_table("1:0, 1:5").is_err());
        assert!(parse_table("1:-5").is_err());
    }
}
