//! W106: text from a skeleton of `casebook new`, still in a page that is published; and
//! W107: a `[TO FILL: …]` mark of the accessibility statement not yet filled in.
//!
//! A skeleton is a draft and passes `casebook check`, so an editor who takes `draft: true`
//! out too early would publish "Your organisation" without a word. A placeholder counts only
//! where it is a whole value: the rest of a `key:` line (quoted or not) or a line on its own,
//! so a sentence that happens to contain the same words is never reported.

use crate::diagnostics::{Code, Diagnostic, Pos};
use crate::scaffold::{PLACEHOLDERS, Placeholder, TO_FILL};

/// A W106 for every placeholder left in `text`, the whole text of the published page `file`.
pub(crate) fn leftover_placeholders(file: &str, text: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (index, (_, line)) in super::lines::lines_at(text).enumerate() {
        // A placeholder is a whole value: the line, less a closing quote, ends with it.
        let value_end = line.trim_end().trim_end_matches(['"', '\'']);
        for placeholder in &PLACEHOLDERS {
            if !value_end.ends_with(placeholder.text) {
                continue;
            }
            if let Some(column) = whole_value_column(line, placeholder.text) {
                let at = Pos::new(index as u32 + 1, column);
                found.push(warning(file, at, placeholder));
            }
        }
    }
    found
}

/// A W107 for every `[TO FILL: …]` mark in `text`, the whole text of the general page `file`,
/// at the mark's `[`. Drafts too: the marks are the publisher's list of what is left to write,
/// and a statement is a draft while they write it.
pub(crate) fn unfilled_marks(file: &str, text: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (index, (_, line)) in super::lines::lines_at(text).enumerate() {
        for (start, _) in line.match_indices(TO_FILL) {
            let rest = &line[start..];
            let mark = rest.find(']').map_or(rest, |end| &rest[..=end]);
            let asks = mark
                .trim_start_matches(TO_FILL)
                .trim_end_matches(']')
                .trim();
            let column = line[..start].chars().count() as u32 + 1;
            found.push(
                Diagnostic::new(
                    Code::W107,
                    file,
                    Pos::new(index as u32 + 1, column),
                    format!("`{mark}` is still to be filled in"),
                )
                .with_hint(format!(
                    "replace the whole mark, brackets included, with {asks}; only the publisher can write it"
                )),
            );
        }
    }
    found
}

fn warning(file: &str, at: Pos, placeholder: &Placeholder) -> Diagnostic {
    Diagnostic::new(
        Code::W106,
        file,
        at,
        format!(
            "`{}` is skeleton text from `casebook new`, left in a published page",
            placeholder.text
        ),
    )
    .with_hint(format!(
        "replace it with {}, or keep the page a draft (`draft: true`) until it is written",
        placeholder.replace_with
    ))
}

/// The 1-based column (in characters) of `value` in `line` when it is the line's whole value:
/// the line is `value`, or `key: value`, or either with the value in quotes.
fn whole_value_column(line: &str, value: &str) -> Option<u32> {
    let line = line.trim_end();
    let (before, quote) = match line.strip_suffix(['"', '\'']) {
        Some(unquoted) => {
            let quote = &line[unquoted.len()..];
            let before = unquoted.strip_suffix(value)?.strip_suffix(quote)?;
            (before, quote)
        }
        None => (line.strip_suffix(value)?, ""),
    };
    let lead = before.trim_end();
    if !(lead.trim_start().is_empty() || lead.ends_with(':')) {
        return None;
    }
    // The opening quote (ASCII, one character) sits between `before` and the value.
    Some((before.chars().count() + quote.len()) as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_to_fill_mark_is_found_at_its_bracket() {
        let text = "---\ntitle: T\n---\nRun by [TO FILL: your name].\n\
                    é [TO FILL: a] and [TO FILL: b]\nNo mark [TO BE] here.\n";
        let found = unfilled_marks("content/pages/accessibility.md", text);
        let at: Vec<(u32, u32)> = found.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(at, [(4, 8), (5, 3), (5, 20)]);
        assert!(found.iter().all(|d| d.code == Code::W107));
        assert_eq!(
            found[0].message,
            "`[TO FILL: your name]` is still to be filled in"
        );
    }

    #[test]
    fn a_whole_value_is_found_at_its_column() {
        assert_eq!(
            whole_value_column("  - name: Your organisation", "Your organisation"),
            Some(11)
        );
        assert_eq!(
            whole_value_column("name: \"Your organisation\"  ", "Your organisation"),
            Some(8)
        );
        assert_eq!(
            whole_value_column("Write the page here.", "Write the page here."),
            Some(1)
        );
    }

    #[test]
    fn words_inside_a_sentence_are_not_skeleton_text() {
        assert_eq!(
            whole_value_column("Ask whether Your organisation", "Your organisation"),
            None
        );
        assert_eq!(
            whole_value_column("name: Your organisation's board", "Your organisation"),
            None
        );
        assert_eq!(
            whole_value_column("name: \"Your organisation'", "Your organisation"),
            None
        );
    }

    #[test]
    fn every_placeholder_of_a_skeleton_is_reported() {
        let text = "---\nname: x\nsummary: One or two sentences on who the programme is for and what it does.\n---\n\nWrite the page here.\n";
        let found = leftover_placeholders("content/programmes/x.md", text);
        let at: Vec<_> = found.iter().map(|d| (d.code, d.line, d.column)).collect();
        assert_eq!(at, vec![(Code::W106, 3, 10), (Code::W106, 6, 1)]);
        assert!(
            found[0]
                .hint
                .as_deref()
                .unwrap_or("")
                .contains("draft: true")
        );
    }
}
