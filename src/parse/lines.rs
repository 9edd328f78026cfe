//! The lines of a text, found with the `memchr` crate's vector search: a body's paragraphs are
//! long lines, and the standard library's `split('\n')` walks them a word at a time.

/// The lines of `text` with the byte offset each starts at, without their `\n`, as
/// `text.split('\n')` gives them (a text ending in `\n` ends with an empty line).
pub(crate) fn lines_at(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let at = start?;
        match ends.next() {
            Some(end) => {
                start = Some(end + 1);
                Some((at, &text[at..end]))
            }
            None => {
                start = None;
                Some((at, &text[at..]))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_those_of_split() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "é\n\nßx\n",
            "\n\nlong line\r\nend",
        ] {
            let mut offset = 0;
            let expected: Vec<(usize, &str)> = text
                .split('\n')
                .map(|line| {
                    let at = offset;
                    offset += line.len() + 1;
                    (at, line)
                })
                .collect();
            assert_eq!(lines_at(text).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }
}
