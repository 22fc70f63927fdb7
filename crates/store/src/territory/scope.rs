//! Territory scope in SQL: a list of region-code prefixes matched with LIKE
//! (a grant over a street reaches every community below it).

/// `(col LIKE $first OR col LIKE $first+1 …)` for `count` prefixes; bind
/// each as `prefix%`. `FALSE` when there are none.
pub(crate) fn prefix_match(column: &str, count: usize, first: usize) -> String {
    if count == 0 {
        return "1 = 0".to_owned();
    }
    let likes: Vec<String> = (0..count)
        .map(|i| format!("{column} LIKE ${}", first + i))
        .collect();
    format!("({})", likes.join(" OR "))
}

/// The LIKE patterns of `prefixes`.
pub(crate) fn patterns(prefixes: &[String]) -> impl Iterator<Item = String> + '_ {
    prefixes.iter().map(|p| format!("{p}%"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_become_an_or_of_likes() {
        assert_eq!(prefix_match("c", 0, 1), "1 = 0");
        assert_eq!(prefix_match("c", 2, 3), "(c LIKE $3 OR c LIKE $4)");
    }
}
