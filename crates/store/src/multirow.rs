//! Multi-row statements: the `VALUES` lists and the sizes they come in.

/// The most rows one multi-row statement carries. sqlx finds each bound
/// value's slot by its `$n` name, and SQLite looks a name up by walking
/// the statement's list of names (when binding and when parsing), so the
/// cost grows with the square of a statement's values: many mid-sized
/// statements beat one large one. (16 rows of the widest table, 28
/// columns, stay far below SQLite's 32,766 values a statement.)
const MAX_PIECE: usize = 16;

/// `0..n` cut into pieces whose lengths are powers of two (at most
/// [`MAX_PIECE`]), longest first. A multi-row statement is written once per
/// piece, so it comes in a handful of shapes that stay in the
/// connection's statement cache instead of being parsed anew.
pub(crate) fn pieces(n: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < n {
        let len = (1 << (usize::BITS - 1 - (n - start).leading_zeros())).min(MAX_PIECE);
        out.push(start..start + len);
        start += len;
    }
    out
}

/// `count` groups of `width` placeholders: `($1, $2), ($3, $4)`.
pub(crate) fn placeholders(count: usize, width: usize) -> String {
    let mut n = 0;
    let rows: Vec<String> = (0..count)
        .map(|_| {
            let marks: Vec<String> = (0..width)
                .map(|_| {
                    n += 1;
                    format!("${n}")
                })
                .collect();
            format!("({})", marks.join(", "))
        })
        .collect();
    rows.join(", ")
}

#[cfg(test)]
mod tests {
    use super::pieces;

    #[test]
    fn pieces_are_powers_of_two_covering_the_whole() {
        assert!(pieces(0).is_empty());
        assert_eq!(pieces(1).first(), Some(&(0..1)));
        assert_eq!(pieces(45), [0..16, 16..32, 32..40, 40..44, 44..45]);
        assert_eq!(pieces(64), [0..16, 16..32, 32..48, 48..64]);
        for n in 1..200 {
            let p = pieces(n);
            assert_eq!(p.iter().map(|r| r.len()).sum::<usize>(), n);
            assert!(p.iter().all(|r| r.len().is_power_of_two()));
            assert!(p.iter().all(|r| r.len() <= 16));
            assert!(
                p.windows(2)
                    .all(|w| w[0].end == w[1].start && w[0].len() >= w[1].len())
            );
        }
    }
}
