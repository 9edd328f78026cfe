//! Positions between casebook and LSP: casebook counts lines from 1 and columns in
//! characters from 1; LSP counts lines from 0 and columns in UTF-16 code units from 0.

use lsp_types::Position;

use crate::diagnostics::Pos;

/// The LSP position of a casebook position in `text`.
pub(crate) fn to_lsp(text: &str, pos: Pos) -> Position {
    let line = pos.line.saturating_sub(1);
    let chars = pos.column.saturating_sub(1) as usize;
    let units: usize = line_of(text, line)
        .chars()
        .take(chars)
        .map(char::len_utf16)
        .sum();
    Position::new(line, units as u32)
}

/// The LSP position just after the word (run of non-space characters) starting at `pos`, so
/// that an editor underlines the value a diagnostic is about, not one character.
pub(crate) fn word_end(text: &str, pos: Pos) -> Position {
    let start = to_lsp(text, pos);
    let line = line_of(text, start.line);
    let skip = pos.column.saturating_sub(1) as usize;
    let word: usize = line
        .chars()
        .skip(skip)
        .take_while(|c| !c.is_whitespace() && *c != ',' && *c != ']' && *c != '}')
        .map(char::len_utf16)
        .sum();
    Position::new(start.line, start.character + word.max(1) as u32)
}

/// The line (0-based) and character index (0-based, in characters) of an LSP position.
pub(crate) fn from_lsp(text: &str, position: Position) -> (usize, usize) {
    let line = line_of(text, position.line);
    let mut units = 0;
    let mut chars = 0;
    for c in line.chars() {
        if units >= position.character as usize {
            break;
        }
        units += c.len_utf16();
        chars += 1;
    }
    (position.line as usize, chars)
}

/// Line `index` (0-based) of `text`, without its line ending.
pub(crate) fn line_of(text: &str, index: u32) -> &str {
    text.split('\n')
        .nth(index as usize)
        .map_or("", |line| line.strip_suffix('\r').unwrap_or(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_in_lsp_and_characters_in_casebook() {
        // `’` is one UTF-16 unit, `𝄞` two.
        let text = "title: It’s 𝄞 here\nx: 1\n";
        assert_eq!(to_lsp(text, Pos::new(1, 14)), Position::new(0, 14));
        assert_eq!(to_lsp(text, Pos::new(1, 15)), Position::new(0, 15));
        assert_eq!(from_lsp(text, Position::new(0, 15)), (0, 14));
        assert_eq!(to_lsp(text, Pos::new(2, 4)), Position::new(1, 3));
        assert_eq!(word_end(text, Pos::new(2, 4)), Position::new(1, 4));
    }
}
