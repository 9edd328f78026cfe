//! How deeply a Markdown body nests block quotes and list items, measured in one pass over its
//! lines before anything parses it.
//!
//! Every nesting level costs pulldown-cmark nodes and costs each later line a check against
//! every container still open: a quote 40,000 levels deep followed by 40,000 plain lines takes
//! seconds, and the HTML of deep nesting is many times its Markdown. Bodies nested deeper than
//! [`MAX_NESTING`] are therefore refused before they are parsed.
//!
//! The count is an upper bound, never less than the real depth: a line can only open a
//! container after matching every one already open, and each open container it matches costs
//! it a `>` or, for a list item, at least two columns of indentation. So on each line that
//! opens one (a `>` or a list marker after nothing but other markers and indentation), the
//! depth is at most its markers plus half its indentation. Lines that open none (text carried
//! on lazily, blank lines) cannot go deeper than the line before them.

/// How deeply block quotes and list items may nest in a body (counted as described above).
pub const MAX_NESTING: usize = 32;

/// The first place where a body nests deeper than a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// Byte offset in the body of the marker that goes past the limit.
    pub offset: usize,
    /// The depth counted there.
    pub depth: usize,
}

/// The first marker in `markdown` at which block quotes and list items nest deeper than
/// `limit`, or `None` when they never do.
pub fn first_too_deep(markdown: &str, limit: usize) -> Option<TooDeep> {
    // A line's `\n` ends its markers as the end of the text does: the lines are taken without.
    for (line_start, line) in super::lines::lines_at(markdown) {
        if let Some((at, depth)) = deepest_marker(line.as_bytes(), limit) {
            return Some(TooDeep {
                offset: line_start + at,
                depth,
            });
        }
    }
    None
}

/// Walks the container markers at the start of one line; returns the offset and depth of the
/// first marker whose depth is over `limit`.
fn deepest_marker(line: &[u8], limit: usize) -> Option<(usize, usize)> {
    let mut columns = 0;
    let mut markers = 0;
    let mut at = 0;
    while at < line.len() {
        let marker_len = match line[at] {
            b' ' => {
                columns += 1;
                at += 1;
                continue;
            }
            b'\t' => {
                columns += 4;
                at += 1;
                continue;
            }
            b'>' => 1,
            _ => list_marker_len(&line[at..])?,
        };
        markers += 1;
        let depth = markers + columns / 2;
        if depth > limit {
            return Some((at, depth));
        }
        at += marker_len;
        // The space after a marker belongs to it.
        if matches!(line.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
    }
    None
}

/// The length of the list marker (`-`, `+`, `*`, `1.`, `1)`) at the start of `rest`, when it
/// is one: followed by a space, a tab or the end of the line.
fn list_marker_len(rest: &[u8]) -> Option<usize> {
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let len = match rest.first()? {
        b'-' | b'+' | b'*' => 1,
        _ if (1..=9).contains(&digits) && matches!(rest.get(digits), Some(b'.' | b')')) => {
            digits + 1
        }
        _ => return None,
    };
    matches!(rest.get(len), None | Some(b' ' | b'\t' | b'\n' | b'\r')).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The depth of the deepest marker and the offset of the first marker that deep.
    fn depth(markdown: &str) -> Option<(usize, usize)> {
        let deepest = (0..).find(|&limit| first_too_deep(markdown, limit).is_none())?;
        let first = first_too_deep(markdown, deepest.checked_sub(1)?)?;
        Some((deepest, first.offset))
    }

    #[test]
    fn quotes_and_lists_count_one_level_per_marker() {
        assert_eq!(depth("> > > x\n"), Some((3, 4)));
        assert_eq!(depth(">>>x\n"), Some((3, 2)));
        assert_eq!(depth("- - - x\n"), Some((3, 4)));
        assert_eq!(depth("1. 2) > - x\n"), Some((4, 8)));
        assert_eq!(depth("Text\n\nmore text\n"), None);
    }

    #[test]
    fn indentation_counts_a_level_per_two_columns_before_a_marker() {
        let nested = "- a\n  - b\n    - c\n      text that opens nothing\n";
        assert_eq!(depth(nested), Some((3, 14)));
        assert_eq!(depth("\t\t- x\n"), Some((5, 2)));
        // Indented lines without a marker open nothing and count for nothing.
        assert_eq!(
            depth("                                        code\n"),
            None
        );
    }

    #[test]
    fn what_only_looks_like_a_marker_is_not_one() {
        assert_eq!(depth("-x\n*emphasis*\n1234567890. big\n2024 was\n"), None);
        assert_eq!(depth("-\n"), Some((1, 0)));
    }

    #[test]
    fn the_first_marker_past_the_limit_is_reported() {
        let text = "ok\n> > > > deep\n";
        assert_eq!(
            first_too_deep(text, 2),
            Some(TooDeep {
                offset: 7,
                depth: 3
            })
        );
        assert_eq!(first_too_deep(text, 4), None);
    }
}
